"""The change feed's entity types with their tables, parents first: the order in which
the feed announces what one commit created (api.loaders.changes)."""

from __future__ import annotations

PARENTS_FIRST = {
    "Organization": "organizations",
    "Body": "bodies",
    "Person": "persons",
    "Case": "cases",
    "Meeting": "meetings",
    "AgendaItem": "agenda_items",
    "Decision": "decisions",
}
