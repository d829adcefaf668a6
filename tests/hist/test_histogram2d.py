"""``fastdiv.hist.histogram2d`` against ``numpy.histogram2d``.

What it is held to (the spec): for every form of ``bins`` (an int, [int,
int], one 1-D array of edges, [edges, edges], [int, edges], [edges, int])
and ``range`` ([[xmin, xmax], [ymin, ymax]]), NumPy's edges bit for bit and
of NumPy's dtype, and NumPy's float64 counts bit for bit without weights:
values exactly on the edges and on their float neighbours, ties, float32,
x and y of different float dtypes, any layout; with weights, within
``WEIGHTS_RTOL`` = 1e-12 relative (NumPy adds the weights in sample order,
fastdiv in blocks of 65536 samples); ``density=True`` as NumPy (bit for bit
without weights); the inputs never modified.
"""

import numpy as np
import pytest

from fastdiv import hist as H
from fdtest import hist_reference as R

#: two orders of adding positive weights: each within a few ulp x sqrt(n)
#: of the exact sum for the n used here, far inside the spec's 1e-12
WEIGHTS_RTOL = 1e-12


def xy(seed, n=2000, dx="<f8", dy="<f8"):
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, n)
    y = 0.5 * x + rng.normal(0.0, 1.0, n)
    x[::13] = 0.25  # ties
    return x.astype(dx), y.astype(dy)


def check(x, y, bins=10, range=None, rtol=None, what="", **kw):
    got = H.histogram2d(x, y, bins, range, **kw)
    want = R.np_histogram2d(x, y, bins, range, **kw)
    assert isinstance(got, tuple) and len(got) == 3, type(got)
    tag = f"{what} bins={bins!r} range={range!r}"
    R.assert_same(got[1], want[1], f"{tag} xedges")
    R.assert_same(got[2], want[2], f"{tag} yedges")
    if rtol is None:
        R.assert_same(got[0], want[0], f"{tag} counts")
    else:
        R.assert_close(got[0], want[0], rtol, f"{tag} counts")
    assert got[0].dtype == np.float64
    return got


EX = np.array([-2.0, -0.5, 0.0, 0.25, 0.3, 1.0, 2.0])
EY = np.array([-3.0, -1.0, -1.0, 0.0, 0.5, 4.0])
BINS = {
    "int": 10,
    "one": 1,
    "pair": [4, 7],
    "edges": EX,  # one array: the edges of both (length not 1 or 2)
    "edges-pair": [EX, EY],
    "int-edges": [5, EY],
    "edges-int": [EX, 3],
    "f4-edges": [EX.astype(np.float32), EY],
    "list-edges": [EX.tolist(), EY.tolist()],
}
RANGES = [None, [[-1.0, 1.5], [-2.0, 2.0]], [(0.1, 0.7), (np.float32(-0.3), np.float32(0.9))]]


@pytest.mark.parametrize("bins", list(BINS))
@pytest.mark.parametrize("ri", range(len(RANGES)))
@pytest.mark.parametrize("dtypes", [("<f8", "<f8"), ("<f4", "<f4"), ("<f4", ">f8"), (">f8", "<f4")])
def test_bins_forms(bins, ri, dtypes):
    x, y = xy(ri, 3000, *dtypes)
    got = check(x, y, BINS[bins], RANGES[ri])
    if RANGES[ri] is None and bins in ("int", "one", "pair"):
        assert got[0].sum() == x.size


@pytest.mark.parametrize("dtypes", [("<f8", "<f8"), ("<f4", "<f4"), ("<f4", "<f8")])
@pytest.mark.parametrize("bins", [1, 3, 16, [5, 2]])
def test_values_on_the_edges(dtypes, bins):
    x, y = xy(1, 500, *dtypes)
    _, ex, ey = R.np_histogram2d(x, y, bins)
    # every x edge against every y edge, and their float neighbours inside the range
    px = np.concatenate([ex[1:-1], np.nextafter(ex[1:-1], np.inf), np.nextafter(ex[1:-1], -np.inf)])
    py = np.concatenate([ey[1:-1], np.nextafter(ey[1:-1], np.inf), np.nextafter(ey[1:-1], -np.inf)])
    gx, gy = np.meshgrid(np.append(px, ex[[0, -1]]), np.append(py, ey[[0, -1]]))
    x2 = np.concatenate([x, gx.ravel().astype(x.dtype)])
    y2 = np.concatenate([y, gy.ravel().astype(y.dtype)])
    assert x2.min() == x.min() and y2.max() == y.max()
    got = check(x2, y2, bins)
    assert got[0].sum() == x2.size
    if len(ex) > 3 and len(ey) > 3:  # a range of inner edges
        check(x2, y2, bins, [[ex[1], ex[-2]], [ey[2], ey[-1]]])


def test_huge_offsets_and_one_value():
    x = 1e16 + np.arange(20) * 2.0
    y = np.full(20, 3.0)  # one value: NumPy's +-0.5
    check(x, y, 5)
    check(x, y, [3, 4], [[1e16, 1e16 + 10], [2.0, 4.0]])
    check(y.astype(np.float32), x, 4)


@pytest.mark.parametrize("layout", ["strided", "reversed", "big-endian", "read-only", "list"])
def test_layouts(layout):
    x, y = xy(2, 900)
    if layout == "strided":
        x, y = np.repeat(x, 3)[::3], np.repeat(y, 2)[::2]
    elif layout == "reversed":
        x, y = x[::-1], y[::-1]
    elif layout == "big-endian":
        x, y = x.astype(">f8"), y.astype(">f4")
    elif layout == "read-only":
        x.flags.writeable = False
        y.flags.writeable = False
    else:
        x, y = x.tolist(), y.tolist()
    for bins in ("int", "pair", "edges-pair", "int-edges"):
        check(x, y, BINS[bins], what=layout)
        check(x, y, BINS[bins], RANGES[1], what=layout)


def test_ints_and_bools():
    rng = np.random.default_rng(3)
    x = rng.integers(-20, 20, 1000)
    y = rng.integers(0, 3, 1000).astype(np.int8)
    check(x, y, 8)
    check(x, y, [EX, 3])
    b = rng.random(1000) < 0.5
    got = H.histogram2d(b, y, 4)
    want = R.np_histogram2d(b.astype(np.float64), y.astype(np.float64), 4)
    for g, w in zip(got, want):
        R.assert_same(g, w)


@pytest.mark.parametrize("n", [10, 65_536, 65_537, 150_000])
@pytest.mark.parametrize("bins", ["int", "pair", "edges-pair", "int-edges"])
def test_weights(n, bins):
    x, y = xy(n, n)
    w = np.random.default_rng(n).random(n) + 0.5  # positive: the relative bound is meaningful
    check(x, y, BINS[bins], rtol=WEIGHTS_RTOL, weights=w)
    check(x, y, BINS[bins], RANGES[1], rtol=WEIGHTS_RTOL, weights=w)


@pytest.mark.parametrize("bins", ["int", "pair", "edges-pair", "int-edges"])
@pytest.mark.parametrize("ri", [0, 1])
def test_density(bins, ri):
    x, y = xy(4, 5000)
    check(x, y, BINS[bins], RANGES[ri], density=True)
    w = np.random.default_rng(4).random(5000) + 0.5
    check(x, y, BINS[bins], RANGES[ri], rtol=WEIGHTS_RTOL, density=True, weights=w)


def test_inputs_unmodified():
    x, y = xy(5, 1000)
    w = np.random.default_rng(5).random(1000)
    ex, ey = EX.copy(), EY.copy()
    before = [a.copy() for a in (x, y, w, ex, ey)]
    H.histogram2d(x, y, [ex, ey], weights=w, density=True)
    H.histogram2d(x, y, 7, [[-1.0, 1.0], [-2.0, 2.0]], weights=w)
    for a, b in zip((x, y, w, ex, ey), before):
        R.assert_same(a, b, "input")
