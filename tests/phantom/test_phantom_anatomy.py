"""Anatomy invariants: borders nest, classes appear, areas are plausible, frames change slowly."""

from __future__ import annotations

import numpy as np

from synthscope.phantom import LABELS, PhantomParams, simulate
from synthscope.phantom._anatomy import CATHETER_RADIUS_MM
from synthscope.phantom._simulate import _anatomy
from tests.phantom._phantom_data import SIZE, pixel_radius_mm

PIXEL_MM2 = (10.0 / SIZE) ** 2


def test_borders_nest_along_many_pullbacks():
    params = PhantomParams(calcium_probability=1.0)
    for pullback in range(12):
        anatomy = _anatomy(params, seed=3, pullback=pullback)
        for index in range(0, 400, 25):
            frame = anatomy.frame(index)
            assert np.all(frame.lumen > CATHETER_RADIUS_MM)
            assert np.all(frame.eem > frame.lumen)
            assert frame.eem.max() < params.field_of_view_mm / 2  # perivascular tissue in view
            calcium = frame.calcium_outer > frame.calcium_inner
            assert np.all(frame.calcium_inner[calcium] >= frame.lumen[calcium])
            assert np.all(frame.calcium_outer[calcium] <= frame.eem[calcium])
            if frame.guidewire is not None:
                _, distance, radius = frame.guidewire
                assert distance - radius > CATHETER_RADIUS_MM


def test_lumen_never_touches_perivascular_tissue(default_set):
    for labels in default_set.labels:
        lumen = labels == LABELS["lumen"]
        near = np.zeros_like(lumen)
        near[1:] |= lumen[:-1]
        near[:-1] |= lumen[1:]
        near[:, 1:] |= lumen[:, :-1]
        near[:, :-1] |= lumen[:, 1:]
        assert not np.any(near & (labels == LABELS["perivascular"]))
        assert not np.any(near & (labels == LABELS["outside"]))
        assert labels[SIZE // 2, SIZE // 2] == LABELS["lumen"]  # the catheter is in the lumen


def test_outside_the_imaging_circle_is_label_zero_and_black(default_set):
    outside = pixel_radius_mm(SIZE) > 5.0
    for image, labels in zip(default_set.images, default_set.labels, strict=True):
        assert np.all(labels[outside] == 0)
        assert np.all(labels[~outside] > 0)
        assert np.all(image[labels == 0] == 0)


def test_all_classes_appear_over_a_calcified_pullback(calcified):
    assert set(np.unique(calcified.labels)) == set(LABELS.values())
    assert all(r.calcium_present == 1 for r in calcified.records)


def test_no_calcium_when_its_probability_is_zero():
    frames = simulate(
        4, size=SIZE, seed=1, pullbacks=4, workers=1, params=PhantomParams(calcium_probability=0.0)
    )
    assert not np.any(frames.labels == LABELS["calcium"])
    assert all(r.calcium_present == 0 and r.calcium_arc_deg == 0 for r in frames.records)


def test_areas_are_plausible_and_match_the_label_maps(default_set):
    for labels, record in zip(default_set.labels, default_set.records, strict=True):
        assert 1.5 < record.lumen_area_mm2 < 15.0
        assert 4.0 < record.eem_area_mm2 < 60.0
        assert 0.2 <= record.plaque_burden <= 0.85
        lumen = np.count_nonzero(labels == 1) * PIXEL_MM2
        eem = np.count_nonzero((labels == 1) | (labels == 2) | (labels == 4)) * PIXEL_MM2
        assert abs(lumen - record.lumen_area_mm2) < 0.06 * record.lumen_area_mm2
        assert abs(eem - record.eem_area_mm2) < 0.06 * record.eem_area_mm2


def test_consecutive_frames_change_slowly_unlike_other_pullbacks():
    frames = simulate(8, size=SIZE, seed=2, pullbacks=2, workers=1)
    first, second = frames.labels[:4], frames.labels[4:]
    within = max(np.mean(first[i] != first[i + 1]) for i in range(3))
    between = np.mean(first[0] != second[0])
    assert within < 0.03
    assert between > 3 * within


def test_frames_are_split_over_pullbacks_in_stem_order():
    frames = simulate(10, size=64, seed=0, pullbacks=3, workers=1)
    counts = [sum(r.pullback == f"pb{p:03d}" for r in frames.records) for p in range(3)]
    assert counts == [4, 3, 3]
    stems = [r.stem for r in frames.records]
    assert stems == sorted(stems)
    assert stems[:2] == ["pb000_f0000", "pb000_f0001"]
    assert [r.frame for r in frames.records[4:7]] == [0, 1, 2]
