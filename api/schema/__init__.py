"""The GraphQL API: types separate from tables, dataloaders per request."""

from api.schema.schema import schema

__all__ = ["schema"]
