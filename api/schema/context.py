"""What every resolver gets: the database and this request's dataloaders."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from api.database import Database
from api.schema.dataloaders import Loaders, make_loaders


@dataclass(frozen=True, slots=True)
class Context:
    db: Database
    loaders: Loaders

    @classmethod
    def for_request(cls, db: Database) -> Context:
        return cls(db, make_loaders(db))


Info = strawberry.Info[Context, None]
