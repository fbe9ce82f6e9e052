"""Imports go one way: the layers drawn in `gateway/__init__.py`, and pure packages stay pure.

Read from the source with `ast` (nothing is imported): every `import` and `from ... import`
of every module, wherever it stands (a function-level import is an import too).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE = ("policies", "tariffs")
#: What a pure package never imports: the web, the database, the gateway itself.
NOT_PURE = ("flask", "flask_smorest", "werkzeug", "marshmallow", "sqlalchemy", "alembic", "gateway")

#: The layers of the gateway, top first: a module imports from its own layer or below.
LAYERS = (
    (
        "assembly",
        (
            "gateway.app",
            "gateway.cli",
            "gateway.cli_store",
            "gateway.cli_subscriptions",
            "gateway.__main__",
            "gateway.gunicorn_conf",
        ),
    ),
    ("doors", ("gateway.api", "gateway.web")),
    ("services", ("gateway.services", "gateway.notify.subscription")),
    ("state", ("gateway.state",)),
    ("pipeline", ("gateway.pipeline",)),
    ("repositories", ()),  # gateway.services.<subject>.queries, and what they import
    (
        "foundations",
        (
            "gateway.store",
            "gateway.delivery",
            "gateway.reference",
            "gateway.catalogue",
            "gateway.cache",
            "gateway.db",
            "gateway.config",
            "gateway.logs",
            "gateway.links",
            "gateway.notify",
        ),
    ),
)
RANK = {name: rank for rank, (name, _) in enumerate(LAYERS)}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules(package: str) -> dict[str, Path]:
    """Return every module of a top-level package, by dotted name."""
    return {module_name(p): p for p in sorted((ROOT / package).rglob("*.py"))}


@cache
def imports(name: str, path: Path) -> tuple[tuple[str, int], ...]:
    """Return the modules a module imports (a name imported from a package counts as its
    submodule when it is one), with the line of each import."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    known = modules(name.partition(".")[0])
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.append((child if child in known else base, node.lineno))
    return tuple(found)


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = ".".join(parts[: len(parts) - node.level + 1])
    return f"{base}.{node.module}" if node.module else base


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def is_repository(name: str) -> bool:
    """A repository: `gateway.services.<subject>.queries`, the SQL of one subject."""
    parts = name.split(".")
    return len(parts) == 4 and parts[:2] == ["gateway", "services"] and parts[3] == "queries"


@cache
def repository_layer() -> frozenset[str]:
    """The repositories, and every service module they import (directly or not)."""
    gateway = modules("gateway")
    layer, todo = set(), [n for n in gateway if is_repository(n)]
    while todo:
        name = todo.pop()
        if name in layer:
            continue
        layer.add(name)
        todo += [
            target
            for target, _ in imports(name, gateway[name])
            if within(target, "gateway.services") and target in gateway
        ]
    return frozenset(layer)


def layer_of(name: str) -> str | None:
    if name in repository_layer():
        return "repositories"
    found = [
        (len(prefix), layer)
        for layer, prefixes in LAYERS
        for prefix in prefixes
        if within(name, prefix)
    ]
    return max(found)[1] if found else None


def gateway_imports() -> Iterator[tuple[str, str, int]]:
    """Yield (module, imported gateway module, line) for every module below the root."""
    for name, path in modules("gateway").items():
        if name != "gateway":
            for target, line in imports(name, path):
                if within(target, "gateway"):
                    yield name, target, line


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_import_no_web_database_or_gateway(package: str) -> None:
    wrong = [
        f"{name}:{line} imports {target}"
        for name, path in modules(package).items()
        for target, line in imports(name, path)
        if target.split(".")[0] in NOT_PURE
    ]
    assert wrong == []


def test_no_module_imports_the_gateway_package_root() -> None:
    """`from gateway import X` runs the root first: below it, a cycle waiting to happen."""
    wrong = [f"{name}:{line}" for name, target, line in gateway_imports() if target == "gateway"]
    assert wrong == []


def test_the_package_root_imports_nothing() -> None:
    """Importing any gateway module runs the root first: it must not build the app."""
    assert imports("gateway", ROOT / "gateway" / "__init__.py") == ()


def test_every_gateway_module_has_a_layer() -> None:
    unplaced = [name for name in modules("gateway") if name != "gateway" and not layer_of(name)]
    assert unplaced == [], "add them to LAYERS (and to the drawing in gateway/__init__.py)"


@pytest.mark.parametrize("door", ["gateway.api", "gateway.web"])
def test_both_doors_are_checked_as_doors(door: str) -> None:
    """The API and the portal's pages are one layer: the same rules hold for both."""
    names = [name for name in modules("gateway") if within(name, door)]
    assert len(names) > 5
    assert {layer_of(name) for name in names} == {"doors"}


def test_imports_go_down_the_layers() -> None:
    wrong = []
    for name, target, line in gateway_imports():
        here, there = layer_of(name), layer_of(target)
        if here and there and RANK[there] < RANK[here]:
            wrong.append(f"{name}:{line} ({here}) imports {target} ({there})")
    assert wrong == []


def test_the_pipeline_reads_and_writes_only_through_repositories() -> None:
    """No service module below the pipeline but the repositories, and no SQL of its own."""
    wrong = []
    for name, path in modules("gateway").items():
        if not within(name, "gateway.pipeline"):
            continue
        for target, line in imports(name, path):
            service = within(target, "gateway.services") and not is_repository(target)
            sql = within(target, "sqlalchemy") and target not in ("sqlalchemy.orm",)
            if service or (sql and name != "gateway.pipeline.locks"):  # locks: lock statements
                wrong.append(f"{name}:{line} imports {target}")
    assert wrong == []


def test_repositories_never_lead_back_up() -> None:
    """What a repository imports is a repository or below: never the pipeline or a door."""
    wrong = [
        f"{name}:{line} imports {target}"
        for name, target, line in gateway_imports()
        if name in repository_layer()
        and any(within(target, p) for p in ("gateway.pipeline", "gateway.state", "gateway.api"))
    ]
    assert wrong == []
