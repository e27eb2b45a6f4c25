import synthscope.projection as projection


def test_all_is_sorted_and_public():
    assert projection.__all__ == sorted(projection.__all__)
    assert all(not name.startswith("_") for name in projection.__all__)
    for name in projection.__all__:
        assert hasattr(projection, name)


def test_public_functions_show_public_module():
    assert projection.tsne.__module__ == "synthscope.projection"
    assert projection.Projection.__module__ == "synthscope.projection"
