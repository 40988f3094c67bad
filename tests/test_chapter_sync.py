"""A chapter's from-scratch cells and the dlbook_utils code they mirror must not drift apart.

A code cell marked ``:mirror: dlbook_utils.module.name`` (or ``:mirror: module.name``, the
prefix being implied) must define ``name`` with the same
code as the library: the syntax trees are compared with docstrings removed (comments never
reach the tree), so a chapter may explain in its own words but not compute differently.
Every other top-level definition in the cell whose name the same module also defines (a
function and its derivative taught together, say) is compared in the same way.
"""

import ast
import importlib
import inspect
import textwrap
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "chapters").glob("*.md")) + sorted((ROOT / "book").glob("*.md"))


def _without_docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(
            node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module
        ):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
            ):
                if isinstance(body[0].value.value, str):
                    node.body = body[1:] or [ast.Pass()]
    return tree


def normalised(source, name):
    """The AST dump of the top-level definition ``name`` in ``source``, without docstrings."""
    tree = ast.parse(textwrap.dedent(source))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == name:
            return ast.dump(_without_docstrings(node), include_attributes=False)
    raise AssertionError(f"no top-level definition of {name!r} in the cell")


def resolve(dotted):
    """The object named ``dotted``; a name without the package prefix is in dlbook_utils."""
    if not dotted.startswith("dlbook_utils."):
        dotted = "dlbook_utils." + dotted  # keeps long names within a page's 80 columns
    module_name, _, attr = dotted.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


def mirrored_cells():
    for path in SOURCES:
        if "kernelspec:" not in path.read_text(encoding="utf-8")[:1000]:
            continue
        for i, cell in enumerate(jupytext.read(path).cells):
            if cell.cell_type == "code" and "mirror" in cell.metadata:
                yield pytest.param(
                    cell.source, cell.metadata["mirror"], id=f"{path.name}:{i}"
                )


CELLS = list(mirrored_cells())


def test_some_cells_are_mirrored():
    assert CELLS, (
        "no chapter marks a cell with :mirror: — the sync test would check nothing"
    )


def defined_names(source):
    """Names of the top-level functions and classes a cell defines, in order."""
    tree = ast.parse(textwrap.dedent(source))
    return [
        node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)
    ]


@pytest.mark.parametrize(("source", "target"), CELLS)
def test_cell_matches_library(source, target):
    name = target.rpartition(".")[2]
    module = importlib.import_module(resolve(target).__module__)
    names = [name] + [
        other
        for other in defined_names(source)
        if other != name and inspect.isfunction(getattr(module, other, None))
    ]
    for each in names:
        library = normalised(inspect.getsource(getattr(module, each)), each)
        assert normalised(source, each) == library, (
            f"the chapter's {each} differs from {module.__name__}.{each}: "
            "update one to match the other"
        )


def test_the_check_catches_a_change():
    """Guard against a comparison that always passes."""
    original = "def f(x):\n    '''doc'''\n    return x + 1  # comment\n"
    reworded = "def f(x):\n    '''other words'''\n    return x + 1\n"
    changed = "def f(x):\n    return x + 2\n"
    assert normalised(original, "f") == normalised(reworded, "f")
    assert normalised(original, "f") != normalised(changed, "f")
