"""``synthscope.utility`` exports a curated ``__all__`` (the httpx pattern)."""

from __future__ import annotations

import types

import synthscope.utility as utility


def test_all_is_curated_and_complete():
    exported = utility.__all__
    assert len(exported) == len(set(exported))
    assert all(hasattr(utility, name) for name in exported)
    public = {
        key
        for key, value in vars(utility).items()
        if not key.startswith("_")
        and not isinstance(value, types.ModuleType)
        and key != "annotations"
    }
    assert public == set(exported)


def test_importing_the_workspace_does_not_import_torch():
    import subprocess
    import sys

    code = "import synthscope.workspace, sys; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
