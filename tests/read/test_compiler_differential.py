"""The compiled path (api.read.compiler) and the resolvers answer every query alike: the
same JSON, key order included, and the same errors, on both engines.

The corpus: the README's GraphQL examples, every query the API tests send (the files
in tests/queries and the documents written out in the tests' sources), and queries
hypothesis generates over the schema: random selections with aliases, fragments
(inline and named, on interfaces too), variables, ``@skip``/``@include``, nesting,
connection arguments and filters.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

import pytest
import sqlalchemy as sa
from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    OperationDefinitionNode,
    get_named_type,
    parse,
    validate,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from api.read.compiler import answer, compile_operation
from api.read.errors import ReadError
from api.read.pages import encode_cursor
from api.schema import schema
from api.schema.cost import BUDGET, operation_cost
from api.schema.limits import check_strings, measured
from tests.paths import ROOT

Json = Any


def ordered(text: str | bytes) -> Json:
    """JSON with its objects as lists of pairs: equal only in the same key order. Errors
    in path order: fields resolve concurrently, so errors come in the order they finish."""
    body = json.loads(text, object_pairs_hook=list)
    return [
        (key, sorted(value, key=lambda error: json.dumps(dict(error).get("path"))))
        if key == "errors"
        else (key, value)
        for key, value in body
    ]


def _documents_in_sources() -> list[str]:
    """The GraphQL documents the API tests write out as string constants."""
    found: set[str] = set()
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        if path.parent.name == "read":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            text = node.value.strip()
            if not text.startswith(("{", "query")) or len(text) > 5_000:
                continue
            try:
                document = parse(text)
            except GraphQLError:
                continue
            if all(isinstance(d, OperationDefinitionNode) for d in document.definitions):
                found.add(text)
    return sorted(found)


# Shapes the other sources seldom take: filters and enums in variables, fragments on the
# Node interface, nested pages with cursors, the same field under several keys.
SHAPES = [
    """query($f: MeetingFilter, $o: MeetingOrder) { meetings(filter: $f, orderBy: $o, first: 3) {
      totalCount edges { cursor node { ...M } } pageInfo { hasNextPage endCursor } } }
    fragment M on Meeting { id kind startsAt ingestedAt updatedAt location sourceFile }""",
    """{ a: meetings(first: 2, orderBy: DATE_ASC) { edges { node { id participants {
      role party person { name meetingCount organization { kind } } } absentees { id } } } }
      b: meetings(first: 2, orderBy: DATE_ASC) { edges { node { title } } }
      meetings(first: 1) { edges { node { __typename } } } }""",
    """{ persons(first: 2, name: "a") { edges { node { meetings(first: 1, after: null) {
      edges { cursor } pageInfo { endCursor hasNextPage } totalCount } } } } }""",
    """{ organizations { bodies { name meetings(first: 2) { edges { node { date
      agendaItems { number isClosed page case { number year firstDate lastDate
      organization { name } agendaItems(first: 2) { title } } } } } } } } }""",
    """{ agendaItems(first: 30, filter: {isClosed: true}) { edges { node { ... on Node { id }
      ... on AgendaItem { title caseNumber page case { id } sections { text }
      decisions { text } attachments { title } meeting { date } } } } } }""",
    """{ decisions(first: 5, filter: {outcome: APPROVED}) { edges { node { outcome date
      agendaItem { title meeting { title body { organization { name } } } } } } } }""",
    """{ cases(first: 3) { totalCount edges { cursor node { number year firstDate lastDate
      agendaItems(first: 0) { id } } } pageInfo { hasNextPage endCursor } } }""",
    """query($s: DateTime) { agendaItems(first: 4, filter: {modifiedSince: $s}) { totalCount
      edges { node { id } } } decisions(first: 4, filter: {modifiedSince: "2999-01-01T00:00:00Z"})
      { totalCount edges { node { id } } } }""",
]

README_EXAMPLES = re.findall(
    r"```graphql\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL
)
QUERY_FILES = sorted((ROOT / "tests" / "queries").glob("*.graphql"))
CORPUS = [
    *README_EXAMPLES,
    *(path.read_text(encoding="utf-8") for path in QUERY_FILES),
    *_documents_in_sources(),
    *SHAPES,
]


def _post(client: TestClient, query: str, variables: dict[str, Any] | None) -> Any:
    return client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"accept": "application/graphql-response+json"},
    )


def compiled_body(engine: sa.Engine, query: str, variables: dict[str, Any] | None) -> bytes | None:
    """The compiler's answer, straight from the database; None where it leaves the
    operation to the resolvers."""
    try:
        document = parse(query)
    except GraphQLError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or validate(schema._schema, document):
        return None
    try:  # the view's gates before anything runs
        measured(query, None)
        check_strings(document, variables)
        if operation_cost(schema._schema, document, None, variables) > BUDGET:
            return None
    except (GraphQLError, ReadError):
        return None
    compiled = compile_operation(schema._schema, document, None, variables, engine.dialect)
    if compiled is None:
        return None
    with engine.connect() as connection:
        return answer(connection, compiled)


def same_answers(
    client: TestClient,
    resolvers: TestClient,
    engine: sa.Engine,
    query: str,
    variables: dict[str, Any] | None = None,
) -> bool:
    """Both paths answer alike; whether the compiler answered this one itself."""
    reference = _post(resolvers, query, variables)
    served = _post(client, query, variables)
    assert served.status_code == reference.status_code, query
    assert served.headers["content-type"] == reference.headers["content-type"], query
    expected = ordered(reference.content)
    assert ordered(served.content) == expected, query
    body = compiled_body(engine, query, variables)
    if body is None:
        return False
    assert ordered(body) == expected, query
    return True


def test_the_corpus_holds_the_readme_and_the_api_tests() -> None:
    assert len(README_EXAMPLES) == 3
    assert QUERY_FILES
    assert len(CORPUS) > 40


def test_every_query_of_the_corpus_answers_alike(
    client: TestClient, resolvers: TestClient, seeded: sa.Engine
) -> None:
    variables = {"f": {"kind": "MINUTES", "dateFrom": "2019-01-01"}, "o": "DATE_ASC"}
    compiled = [
        same_answers(client, resolvers, seeded, query, variables if "$f" in query else None)
        for query in CORPUS
    ]
    # Most of the corpus compiles; what does not (search, stats, errors) is the rest.
    assert sum(compiled) >= len(CORPUS) // 3, sum(compiled)


# The benchmark's queries (bench/postgraphile.py), Q1 to Q5.
MEETING_WITH_ITEMS = """query($meeting: ID!) { meeting(id: $meeting) { id title date
  agendaItems { number title case { number } } } }"""
MEETINGS_PAGE = """query($from: Date!, $to: Date!) {
  meetings(filter: {dateFrom: $from, dateTo: $to}, first: 20) {
    edges { node { id date title body { name } } } } }"""
MEETINGS_DEEP = """{ meetings(first: 10) { edges { node { id agendaItems { id title
  sections { kind heading text } decisions { date outcome text } } } } } }"""
MEETINGS_WITH_ITEMS = """{ meetings(first: 100) { edges { node { id date
  agendaItems { id number title } } } } }"""
CASE_TIMELINE = """query($case: String!) { case(number: $case) { number
  agendaItems(first: 500) { id number title meeting { id date body { name } }
  decisions { date outcome } } } }"""


def _busiest(engine: sa.Engine) -> dict[str, str]:
    with engine.connect() as connection:
        meeting = connection.exec_driver_sql(
            "SELECT meeting_id FROM agenda_items GROUP BY meeting_id "
            "ORDER BY count(*) DESC, meeting_id LIMIT 1"
        ).scalar_one()
        case = connection.exec_driver_sql(
            # A number of one organization: case(number:) names no organization.
            "SELECT c.number FROM agenda_items i JOIN cases c ON c.id = i.case_id "
            "GROUP BY c.number HAVING count(DISTINCT c.organization_id) = 1 "
            "ORDER BY count(*) DESC, c.number LIMIT 1"
        ).scalar_one()
    return {"meeting": meeting, "case": case}


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (MEETING_WITH_ITEMS, ["meeting"]),
        (MEETINGS_PAGE, []),
        (MEETINGS_DEEP, []),
        (MEETINGS_WITH_ITEMS, []),
        (CASE_TIMELINE, ["case"]),
    ],
    ids=["Q1", "Q2", "Q3", "Q4", "Q5"],
)
def test_the_benchmark_queries_compile_and_answer_alike(
    client: TestClient,
    resolvers: TestClient,
    seeded: sa.Engine,
    query: str,
    variables: list[str],
) -> None:
    values: dict[str, Any] = {k: v for k, v in _busiest(seeded).items() if k in variables}
    if "$from" in query:
        values |= {"from": "2019-01-01", "to": "2030-12-31"}
    assert same_answers(client, resolvers, seeded, query, values)


# -- generated queries -----------------------------------------------------------------------

GRAPHQL = schema._schema


def _sample_values(engine: sa.Engine) -> dict[str, list[str]]:
    """A few values of each kind from the seeded data, for arguments."""
    sql = {
        "Organization": "SELECT id FROM organizations ORDER BY id",
        "Meeting": "SELECT id FROM meetings ORDER BY id LIMIT 4",
        "AgendaItem": "SELECT id FROM agenda_items ORDER BY is_closed DESC, id LIMIT 4",
        "Decision": "SELECT id FROM decisions ORDER BY id LIMIT 3",
        "Person": "SELECT id FROM persons ORDER BY id LIMIT 3",
        "Body": "SELECT name FROM bodies ORDER BY id LIMIT 3",
        "Case": "SELECT number FROM cases ORDER BY id LIMIT 4",
    }
    with engine.connect() as connection:
        return {
            kind: [str(value) for value in connection.exec_driver_sql(query).scalars()]
            for kind, query in sql.items()
        }


class Generator:
    """Builds one operation's text from hypothesis' draws, walking the schema."""

    def __init__(self, draw: Any, values: dict[str, list[str]]) -> None:
        self.draw = draw
        self.values = values
        self.fragments: list[str] = []
        self.variables: dict[str, tuple[str, Any]] = {}
        self.aliases = 0

    def pick(self, options: list[Any]) -> Any:
        return self.draw(st.sampled_from(options))

    def chance(self, percent: int) -> bool:
        return bool(self.draw(st.integers(0, 99)) < percent)

    def operation(self) -> tuple[str, dict[str, Any]]:
        query_type = GRAPHQL.query_type
        assert query_type is not None
        roots = self.draw(
            st.lists(st.sampled_from(ROOT_FIELDS), min_size=1, max_size=3, unique=True)
        )
        body = " ".join(self.field(query_type, name, depth=4) or "__typename" for name in roots)
        declared = ", ".join(f"${name}: {kind}" for name, (kind, _) in self.variables.items())
        header = f"query Generated({declared})" if declared else "query Generated"
        text = " ".join([f"{header} {{ {body} }}", *self.fragments])
        return text, {name: value for name, (_, value) in self.variables.items()}

    def selection(self, object_type: GraphQLObjectType, depth: int) -> str:
        names = [*object_type.fields, "__typename"]
        chosen = self.draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
        parts = [part for name in chosen if (part := self.field(object_type, name, depth))]
        inner = " ".join(parts) or "__typename"
        shape = self.draw(st.integers(0, 5))
        if shape == 0:  # an inline fragment on the type itself
            return f"... on {object_type.name} {{ {inner} }}"
        if shape == 1:  # a named fragment
            name = f"F{len(self.fragments)}"
            self.fragments.append(f"fragment {name} on {object_type.name} {{ {inner} }}")
            return f"...{name}"
        if shape == 2 and "Node" in {i.name for i in object_type.interfaces}:
            return f"{inner} ... on Node {{ id }}"
        return inner

    def field(self, parent: GraphQLObjectType, name: str, depth: int) -> str | None:
        alias = ""
        if self.chance(25):
            self.aliases += 1
            alias = f"a{self.aliases}: "
        if name == "__typename":
            return f"{alias}__typename"
        definition = parent.fields[name]
        named = get_named_type(definition.type)
        leaf = isinstance(named, GraphQLEnumType | GraphQLScalarType)
        if depth == 0 and not leaf:
            return None
        arguments = self.arguments(parent.name, name, definition)
        directive = ""
        if self.chance(10):
            self.variables["flag"] = ("Boolean!", self.draw(st.booleans()))
            directive = self.pick([" @skip(if: $flag)", " @include(if: $flag)"])
        elif self.chance(5):
            directive = self.pick(
                [" @skip(if: true)", " @include(if: false)", " @include(if: true)"]
            )
        head = f"{alias}{name}{arguments}{directive}"
        if leaf:
            return head
        if isinstance(named, GraphQLInterfaceType):
            kinds = self.draw(
                st.lists(
                    st.sampled_from(sorted(t.name for t in GRAPHQL.get_possible_types(named))),
                    max_size=2,
                    unique=True,
                )
            )
            inner = " ".join(
                f"... on {kind} {{ {self.selection(self._object(kind), depth - 1)} }}"
                for kind in kinds
            )
            return f"{head} {{ __typename id {inner} }}"
        assert isinstance(named, GraphQLObjectType)
        return f"{head} {{ {self.selection(named, depth - 1)} }}"

    def _object(self, name: str) -> GraphQLObjectType:
        found = GRAPHQL.get_type(name)
        assert isinstance(found, GraphQLObjectType)
        return found

    def arguments(self, parent: str, name: str, definition: Any) -> str:
        given = []
        for argument, spec in definition.args.items():
            required = isinstance(spec.type, GraphQLNonNull)
            if not required and not self.chance(15 if argument == "after" else 40):
                continue
            value = self.value(parent, name, argument, get_named_type(spec.type))
            if value is not None:
                given.append(f"{argument}: {value}")
        return f"({', '.join(given)})" if given else ""

    def value(self, parent: str, field: str, argument: str, kind: Any) -> str | None:
        if argument == "id":
            kind_name = field[0].upper() + field[1:] if field != "node" else None
            ids = self.values.get(kind_name or "", []) or [
                v for k, vs in self.values.items() if k not in ("Body", "Case") for v in vs
            ]
            return json.dumps(self.pick([*ids, "no-such-id"]))
        if argument == "first":
            if self.chance(20):
                self.variables["n"] = ("Int", self.pick([0, 2, None]))
                return "$n"
            bound = [0, 1, 2, 3, 600] if parent == "Case" else [0, 1, 2, 3, 20, 101, -1]
            return str(self.pick(bound))
        if argument == "after":
            if self.chance(20):
                return json.dumps("bm90IG91cnM")  # not a cursor: BAD_USER_INPUT
            return json.dumps(encode_cursor(CURSOR_KEYS[field]))
        if argument in ("organization", "body", "participant"):
            sources = {"organization": "Organization", "body": "Body", "participant": "Person"}
            options = [*self.values[sources[argument]], "Høje-Taastrup Kommune"]
            return json.dumps(self.pick(options))
        if argument == "number":
            return json.dumps(self.pick([*self.values["Case"], "0/0"]))
        if argument == "name":
            return json.dumps(self.pick(["an", "Ø", "holm"]))
        if argument == "query":
            return json.dumps("godkendt")
        if argument == "limit":
            return "3"
        if isinstance(kind, GraphQLEnumType):
            return str(self.pick(sorted(kind.values)))
        if isinstance(kind, GraphQLInputObjectType):
            fields = [
                f"{key}: {value}"
                for key in kind.fields
                if self.chance(35)
                and (value := self.value(parent, field, key, kind.fields[key].type)) is not None
            ]
            return "{" + ", ".join(fields) + "}"
        return FILTER_VALUES.get(argument)


ROOT_FIELDS = [
    "node", "meeting", "meetings", "agendaItem", "agendaItems", "decision", "decisions",
    "case", "cases", "person", "persons", "bodies", "organization", "organizations", "stats",
]  # fmt: skip
# Keys in the middle of each listing, for cursors the listings accept.
CURSOR_KEYS: dict[str, list[Any]] = {
    "meetings": ["2023-06-01", "z"],
    "agendaItems": ["2023-06-01", "z", 3],
    "decisions": ["2023-06-01", "z"],
    "cases": [2020, "z"],
    "persons": ["M", "z"],
    "search": [2023, 0, 1.0, "z"],
}
FILTER_VALUES = {
    "kind": "MINUTES",
    "dateFrom": '"2020-01-01"',
    "dateTo": '"2024-06-30"',
    "modifiedSince": '"2020-01-01T00:00:00+01:00"',
    "caseNumber": '"19/227"',
    "isClosed": "false",
    "outcome": "APPROVED",
}


@st.composite
def generated(draw: Any, values: dict[str, list[str]]) -> tuple[str, dict[str, Any]]:
    return Generator(draw, values).operation()


@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_generated_queries_answer_alike(
    client: TestClient, resolvers: TestClient, seeded: sa.Engine, data: st.DataObject
) -> None:
    query, variables = data.draw(generated(_sample_values(seeded)))
    same_answers(client, resolvers, seeded, query, variables)
