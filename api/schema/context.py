"""What every resolver gets: the database and this request's dataloaders."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from api.database import Database
from api.read.dataloaders import Loaders, make_loaders
from api.schema.responses import ResponseCache


@dataclass(frozen=True, slots=True)
class Context:
    db: Database
    loaders: Loaders
    responses: ResponseCache | None = None  # the server's kept answers

    @classmethod
    def for_request(cls, db: Database, responses: ResponseCache | None = None) -> Context:
        """A request's context: the database with its deadline, fresh dataloaders."""
        request_db = db.for_request()
        return cls(request_db, make_loaders(request_db), responses)


Info = strawberry.Info[Context, None]
