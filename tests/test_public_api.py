"""Each package exports a curated, sorted ``__all__``: names resolve, nothing is listed twice, and
nothing public is left out."""

from __future__ import annotations

import importlib
import types

import pytest

PACKAGES = [
    "synthscope",
    "synthscope.errors",
    "synthscope.io",
    "synthscope.features",
    "synthscope.workspace",
    "synthscope.phantom",
    "synthscope.projection",
    "synthscope.realism",
    "synthscope.spade",
    "synthscope.server",
    "synthscope.encoder",
    "synthscope.utility",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_curated(name):
    module = importlib.import_module(name)
    exported = module.__all__
    assert len(exported) == len(set(exported)), "a name is listed twice"
    assert exported == sorted(exported), "__all__ is not sorted"
    for item in exported:
        assert hasattr(module, item), f"{name}.__all__ names {item!r}, which does not exist"
    public = {
        key
        for key, value in vars(module).items()
        if not key.startswith("_")
        and not isinstance(value, types.ModuleType)
        and key != "annotations"
        and getattr(value, "__module__", name).startswith("synthscope")
    }
    assert public <= set(exported), f"public but not exported: {sorted(public - set(exported))}"


def test_errors_form_one_tree():
    from synthscope import errors

    for item in errors.__all__:
        assert issubclass(getattr(errors, item), errors.SynthscopeError)
