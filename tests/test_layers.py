"""The package's layers import one way (DESIGN.md, "Shape"): read every module's imports with ast.

case imports nothing of roi_kit but errors (and the _io helpers); model and page import case;
costing imports case and page; board imports case, model and page; form, batch and track import
those and board (batch also track); only cli imports everything. A lazy import inside a function
counts the same as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "roi_kit"
BASE = {"errors", "_io"}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "_io": {"errors"},
    "_startup": set(),  # the command line imports it first; it imports nothing of roi_kit
    "case": BASE,
    "model": BASE | {"case"},
    "page": BASE | {"case"},
    "costing": BASE | {"case", "page"},
    "board": BASE | {"case", "model", "page"},
    "form": BASE | {"case", "model", "page", "board"},
    "track": BASE | {"case", "model", "page", "board"},
    "batch": BASE | {"case", "model", "page", "board", "track"},
}


def layer_of(module: str) -> str:
    """``roi_kit.board.charts`` → ``board``; ``roi_kit.errors`` → ``errors``; ``roi_kit`` → ``roi_kit``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imports_of(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every roi_kit import in ``path``, top-level or inside a function."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, []) for a in node.names if a.name.split(".")[0] == "roi_kit"]
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:  # relative: resolve against this module's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            if target.split(".")[0] == "roi_kit":
                names = [a.name for a in node.names]
                if target == "roi_kit":  # `from roi_kit import charts` names a layer by its module
                    found += [(node.lineno, f"roi_kit.{n}", []) if n != "__version__" else (node.lineno, "roi_kit", [n])
                              for n in names]
                else:
                    found.append((node.lineno, target, names))
    return found


def violations(path: Path) -> list[str]:
    here = layer_of(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
    if here in ("cli", "__init__", "__main__", "roi_kit"):
        return []
    allowed = ALLOWED[here] | {here}
    out = []
    for line, module, names in imports_of(path):
        if module == "roi_kit" and names == ["__version__"]:
            continue  # the version string, from the package that contains every layer
        if layer_of(module) not in allowed:
            out.append(f"{path.relative_to(PACKAGE.parent)}:{line} ({here}) imports {module}")
    return out


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    layers = {layer_of(".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)) for p in MODULES}
    assert layers - {"cli", "__init__", "__main__"} <= set(ALLOWED), layers - set(ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_imports_run_one_way(path: Path) -> None:
    assert violations(path) == []


def test_the_check_catches_an_upward_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check itself: a model module that imports the board, lazily, is caught."""
    fake = tmp_path / "roi_kit" / "model"
    fake.mkdir(parents=True)
    bad = fake / "levers.py"
    bad.write_text("def f():\n    from roi_kit.board.charts import waterfall\n    return waterfall\n")
    relative = fake / "cashflows.py"
    relative.write_text("from ..page import fmt\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path / "roi_kit")
    assert violations(bad) == ["roi_kit/model/levers.py:2 (model) imports roi_kit.board.charts"]
    assert violations(relative) == ["roi_kit/model/cashflows.py:1 (model) imports roi_kit.page"]
