"""What a search hit's snippet is cut from, loaded through this request's dataloaders;
shared by GraphQL and REST."""

from __future__ import annotations

from api.queries import Row, SearchRow
from api.schema.dataloaders import Loaders
from api.schema.types import stored


async def hit_source(loaders: Loaders, row: SearchRow) -> tuple[Row, list[str]]:
    """The hit's decision or agenda item row, and its original texts in document order."""
    if row.kind == "Decision":
        decision = stored(await loaders.decision_by_id.load(row.id))
        return decision, [decision.text]
    item = stored(await loaders.agenda_item_by_id.load(row.id))
    sections = await loaders.sections_by_agenda_item.load(row.id)
    attachments = await loaders.attachments_by_agenda_item.load(row.id)
    return item, [item.title, *(s.text for s in sections), *(a.title for a in attachments)]
