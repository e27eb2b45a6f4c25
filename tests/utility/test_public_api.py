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
