"""What a page of search hits shows, loaded in one round trip; shared by GraphQL and REST."""

from __future__ import annotations

from collections.abc import Sequence

from api import queries
from api.database import Database, rows_by
from api.queries import Row, SearchRow
from api.read.dataloaders import Loaders
from api.read.values import stored


async def hit_sources(
    db: Database, loaders: Loaders, hits: Sequence[SearchRow]
) -> list[tuple[Row, list[str]]]:
    """Each hit's decision or agenda item row, and its original texts in document order.

    One statement a kind of row, all on one connection; the rows also prime this
    request's dataloaders, so that the fields a client asks of the hits' nodes are not
    fetched again."""
    found = await db.run(queries.hit_sources, hits)
    items = {row.id: row for row in found.items}
    decisions = {row.id: row for row in found.decisions}
    sections = rows_by(found.sections, "agenda_item_id")
    attachments = rows_by(found.attachments, "agenda_item_id")
    loaders.agenda_item_by_id.prime_many(items)
    loaders.decision_by_id.prime_many(decisions)
    loaders.sections_by_agenda_item.prime_many({i: sections.get(i, []) for i in items})
    loaders.attachments_by_agenda_item.prime_many({i: attachments.get(i, []) for i in items})
    result = []
    for hit in hits:
        if hit.kind == "Decision":
            decision = stored(decisions.get(hit.id))
            result.append((decision, [decision.text]))
            continue
        item = stored(items.get(hit.id))
        texts = [
            item.title,
            *(s.text for s in sections.get(hit.id, [])),
            *(a.title for a in attachments.get(hit.id, [])),
        ]
        result.append((item, texts))
    return result
