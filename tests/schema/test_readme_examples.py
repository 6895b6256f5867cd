"""The example queries in README.md work."""

import re

import pytest
from starlette.testclient import TestClient

from tests.paths import ROOT
from tests.schema.conftest import data

EXAMPLES = re.findall(r"```graphql\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)


def test_the_readme_has_three_examples() -> None:
    assert len(EXAMPLES) == 3


@pytest.mark.parametrize("query", EXAMPLES, ids=["meeting", "case", "dashboard"])
def test_readme_example_answers_with_data(client: TestClient, query: str) -> None:
    answer = data(client, query)
    assert all(value for value in answer.values()), answer
