"""The package's layout: no module imports, at any depth, one that imports it back; the text toolkit's
patterns written once."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "assistant"


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


def imports(tree: ast.AST, modules: set[str]) -> set[str]:
    """The package modules a module imports, in functions too (where imports dodging a cycle hide); not
    those under `if TYPE_CHECKING:`, which never run."""
    found: set[str] = set()
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _type_checking(node):
            found |= imports(ast.Module(body=node.orelse, type_ignores=[]), modules)
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        found |= imports(node, modules)
    return {m for m in found if m in modules}


def graph() -> dict[str, set[str]]:
    paths = {_module(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(paths)
    out = {}
    for name, path in paths.items():
        # a package's __init__ is imported with each of its modules: an edge to a parent is no cycle
        edges = imports(ast.parse(path.read_text(encoding="utf-8")), modules)
        out[name] = {m for m in edges if not name.startswith(m + ".") and m != name}
    return out


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules on it, or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for n in sorted(edges.get(m, ())):
            if state.get(n) == 1:
                return [*path[path.index(n) :], n]
            if n not in state and (found := visit(n)):
                return found
        state[m] = 2
        path.pop()
        return None

    for m in sorted(edges):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_cycle_finds_a_cycle_through_a_function_level_import() -> None:
    source = "def f():\n    from assistant.b import x\n"
    edges = {
        "assistant.a": imports(ast.parse(source), {"assistant.a", "assistant.b"}),
        "assistant.b": {"assistant.a"},
    }
    assert cycle(edges) == ["assistant.a", "assistant.b", "assistant.a"]
    typed = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from assistant.b import x\n"
    assert imports(ast.parse(typed), {"assistant.b"}) == set()


def test_no_module_of_the_package_is_on_an_import_cycle() -> None:
    edges = graph()
    assert len(edges) > 80 and "assistant.tables.comparisons" in edges["assistant.tables.matching"]
    assert cycle(edges) is None


def test_year_patterns_are_written_once_in_the_text_toolkit() -> None:
    home = PACKAGE / "text" / "patterns.py"
    restated = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if p != home and any(y in p.read_text(encoding="utf-8") for y in ("19|20", r"1\d{3}|20\d{2}"))
    ]
    assert restated == []
    assert "19|20" in home.read_text(encoding="utf-8")
