"""``synthscope.encoder`` exports a curated ``__all__`` (the suite-wide check, on this package)."""

from tests.test_public_api import test_all_is_curated as check_all_is_curated


def test_encoder_all_is_curated() -> None:
    check_all_is_curated("synthscope.encoder")
