"""schema.graphql is committed and must match the code."""

from api.schema import schema
from api.schema.schema import SCHEMA_FILE


def test_committed_schema_matches_the_code() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == schema.as_str() + "\n", (
        "schema.graphql is out of date: run `make schema` and commit it"
    )
