"""The text layer's arithmetic done a line at a time gives, bit for bit, what one product a word gave:
the content stream's numbers (and so the PDF/A's bytes) do not depend on how the words were batched."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.archival.textlayer import _matvecs, _round2, _through

finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)
matrix3 = st.lists(finite, min_size=9, max_size=9).map(lambda v: np.array(v).reshape(3, 3))
points = st.lists(st.tuples(finite, finite), min_size=1, max_size=20).map(np.array)


@settings(max_examples=200, deadline=None)
@given(matrix3, points)
def test_points_through_a_map_at_once_are_those_of_one_product_each(m: np.ndarray, xy: np.ndarray) -> None:
    with np.errstate(all="ignore"):
        one_by_one = np.array(
            [(m @ np.array([x, y, 1.0]))[:2] / (m @ np.array([x, y, 1.0]))[2] for x, y in xy]
        )
        assert _through(m, xy).tobytes() == one_by_one.tobytes()
    t = m[:2, :2]
    assert _matvecs(t, xy).tobytes() == np.array([t @ v for v in xy]).tobytes()


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.floats(allow_nan=False), st.integers(-(10**6), 10**6).map(lambda k: k / 800)))
def test_rounding_to_hundredths_is_numpys(value: float) -> None:
    with np.errstate(over="ignore"):  # x 100 overflows near the largest floats, in numpy as here
        expected = np.round(np.float64(value), 2)
    assert np.float64(_round2(value)).tobytes() == expected.tobytes()  # -0.0 too


def test_rounding_keeps_what_is_not_a_number() -> None:
    assert np.isnan(_round2(float("nan"))) and _round2(float("inf")) == float("inf")
