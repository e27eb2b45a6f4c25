"""The shape of the code: arrows point one way, and every library imported is declared.

Read from the source with ``ast`` (imports inside functions included), not from ``sys.modules``,
so a lazy import cannot hide a wrong arrow.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "synthscope"

# Parts that take arrays, tensors and files, never a workspace; and what sits above them.
LOWER = ("projection", "realism", "spade", "phantom", "features", "io", "encoder", "utility")
UPPER = ("workspace", "server", "cli", "demo", "widget", "_api")
# Shared private modules at the package root: below everything.
ROOT_MODULES = (
    "_params",
    "_files",
    "_pca",
    "_neighbors",
    "_knn",
    "_openmp",
    "_progress",
    "errors",
)


def _imports(path: Path) -> set[str]:
    """Absolute names of every synthscope module ``path`` imports, anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT / "src").with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("synthscope")}


def _part(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _files_of(part: str) -> list[Path]:
    folder = PACKAGE / part
    if folder.is_dir():
        return sorted(folder.rglob("*.py"))
    single = PACKAGE / f"{part}.py"
    return [single] if single.is_file() else []


@pytest.mark.parametrize("part", LOWER + ROOT_MODULES)
def test_lower_parts_never_import_the_workspace_or_anything_above(part):
    forbidden = UPPER if part in LOWER else UPPER + LOWER
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _files_of(part)
        for name in _imports(path)
        if _part(name) in forbidden
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("part", "above"),
    [("workspace", ("server", "cli", "demo", "widget", "_api")), ("server", ("cli", "demo"))],
)
def test_middle_parts_never_import_what_sits_on_them(part, above):
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _files_of(part)
        for name in _imports(path)
        if _part(name) in above
    ]
    assert not wrong, "\n".join(wrong)


def test_the_layering_check_sees_imports_inside_functions(tmp_path):
    fake = ROOT / "src" / "synthscope" / "realism" / "_probe_for_test.py"
    fake.write_text("def f():\n    from synthscope.workspace import Workspace\n")
    try:
        assert "synthscope.workspace" in _imports(fake)
    finally:
        fake.unlink()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs.extend(extra)
    return {
        re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower().replace("_", "-") for spec in specs
    }


# Imported only when present, never required (each module says how it is found).
OPTIONAL = {"cuml": "RAPIDS cuML on a CUDA GPU (projection/_cuml.py)"}


def test_every_library_imported_is_declared():
    distributions = importlib.metadata.packages_distributions()
    declared = _declared()
    missing = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "synthscope" or top in sys.stdlib_module_names or top in OPTIONAL:
                    continue
                dists = {d.lower().replace("_", "-") for d in distributions.get(top, [top])}
                if not dists & declared:
                    missing.add(f"{top} ({path.relative_to(ROOT)})")
    assert not missing, f"imported but not declared in pyproject.toml: {sorted(missing)}"


def test_the_command_line_and_the_server_start_without_the_heavy_libraries():
    """torch, numba and scipy.stats take seconds to import: only the commands that use them
    load them, so `synthscope --help` and `synthscope serve` start at once."""
    import subprocess

    code = (
        "import sys, synthscope, synthscope.cli, synthscope.server, synthscope.workspace;"
        "print(','.join(m for m in ('torch', 'numba', 'scipy.stats', 'sklearn') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    ).stdout.strip()
    assert loaded == "", f"imported at start: {loaded}"
