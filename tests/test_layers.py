"""The layers of the API import in one direction: GraphQL (api/schema) and REST (api/rest)
both stand on the read layer (api/read) and search (api/search), never on each other,
and the layers below stand on neither."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

API = Path(__file__).resolve().parent.parent / "api"

# A package of api/ and the packages of api/ it must not import.
FORBIDDEN = {
    "rest": {"schema"},
    "schema": {"rest"},
    "search": {"schema", "rest"},
    "read": {"schema", "rest"},
}


def imported(module: str, source: str) -> set[str]:
    """The dotted names a module imports, relative imports resolved against ``module``
    and ``from package import name`` counted as importing ``package.name`` too."""
    names: set[str] = set()
    package = module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            names.add(origin)
            names.update(f"{origin}.{alias.name}" for alias in node.names)
    return names


def crossings(module: str, source: str) -> list[str]:
    """The imports of ``module`` (a dotted name under api) that cross a forbidden line."""
    parts = module.split(".")
    forbidden = FORBIDDEN.get(parts[1], set()) if len(parts) > 2 else set()
    return sorted(
        name
        for name in imported(module, source)
        if (target := name.split("."))[0] == "api" and len(target) > 1 and target[1] in forbidden
    )


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(API.rglob("*.py")):
        parts = path.relative_to(API.parent).with_suffix("").parts
        found.append((".".join(parts), path))
    return found


@pytest.mark.parametrize(
    "module", sorted(f"api.{package}" for package in FORBIDDEN), ids=lambda name: name
)
def test_each_layer_exists(module: str) -> None:
    # A renamed package would make the check below pass without looking at anything.
    assert any(name.startswith(f"{module}.") for name, _ in _modules())


def test_no_module_imports_across_the_layers() -> None:
    found = {
        module: crossing
        for module, path in _modules()
        if (crossing := crossings(module, path.read_text(encoding="utf-8")))
    }
    assert found == {}


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("api.rest.routes", "from api.schema.dataloaders import Loaders"),
        ("api.rest.build", "from api import schema"),
        ("api.search.hits", "import api.schema.types"),
        ("api.read.pages", "from api.rest.errors import ApiError"),
        ("api.schema.query", "from ..rest import routes"),
        ("api.read.values", "def f():\n    from api.schema.types import stored\n"),
    ],
)
def test_the_check_sees_each_form_of_import(module: str, source: str) -> None:
    assert crossings(module, source) != []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("api.rest.routes", "from api.read.dataloaders import Loaders"),
        ("api.schema.types", "from api.read.values import local, stored"),
        ("api.app", "from api.rest.routes import routes\nfrom api.schema import schema"),
        ("api.search.hits", "from api.database import Database"),
    ],
)
def test_the_check_allows_imports_along_the_layers(module: str, source: str) -> None:
    assert crossings(module, source) == []
