"""``fastdiv.hist.histogram(..., axis=k)``: one histogram per slice along
axis k, all on shared edges, against a loop of ``numpy.histogram`` over the
slices.

What it is held to (the spec): the edges are the whole input's
(``numpy.histogram_bin_edges(x, bins, range)``; an array of edges as
given); the counts have the bins' axis in place of axis k; each slice's
counts are ``numpy.histogram(s, bins=nbins, range=(first, last))`` bit for
bit, where (first, last) is the caller's range or ``(x.min(), x.max())`` as
NumPy scalars of x's dtype, or ``numpy.histogram(s, bins=edges)`` for an
array of edges; weights are sliced as x is (bit for bit with float64
weights on uniform bins, within ``EDGES_WEIGHTS_RTOL`` = 1e-12 relative
with an array of edges, as without ``axis``); ``density=True`` normalizes
each slice (bit for bit where the counts are integers).
"""

import numpy as np
import pytest

from fastdiv import hist as H
from fdtest import hist_reference as R

#: see test_histogram.py: NumPy's sorted cumulative sums against sums in sample order
EDGES_WEIGHTS_RTOL = 1e-12


def reference(x, bins=10, range=None, axis=-1, weights=None, density=False):
    """The loop of numpy.histogram over the slices (see the module doc)."""
    x = np.asarray(x)
    ax = axis % x.ndim
    explicit = not isinstance(bins, (int, str))
    edges = np.asarray(bins) if explicit else R.np_edges(x, bins, range)
    nb = len(edges) - 1
    if explicit:
        kw = dict(bins=edges)
    else:
        first_last = range if range is not None else (x.min(), x.max())
        kw = dict(bins=nb, range=first_last)
    xm = np.moveaxis(x, ax, -1)
    wm = None if weights is None else np.moveaxis(np.asarray(weights), ax, -1)
    dtype = np.int64 if weights is None and not density else np.float64
    out = np.empty(xm.shape[:-1] + (nb,), dtype=dtype)
    for idx in np.ndindex(xm.shape[:-1]):
        w = None if wm is None else wm[idx]
        c, e = R.np_histogram(xm[idx], weights=w, density=density, **kw)
        R.assert_same(e, edges, "the reference's slice edges")  # the reference is consistent
        out[idx] = c
    return np.moveaxis(out, -1, ax), edges


def check(x, bins=10, range=None, axis=-1, rtol=None, **kw):
    got = H.histogram(x, bins, range, axis=axis, **kw)
    want = reference(x, bins, range, axis, **kw)
    R.assert_hist(got, want, f"shape={np.shape(x)} axis={axis} bins={bins!r}", rtol=rtol)
    return got


SHAPES = [
    ((5, 1000), -1),
    ((5, 1000), 1),
    ((1000, 5), 0),
    ((1000, 5), -2),
    ((3, 400, 4), 1),
    ((3, 400, 4), -2),
    ((3, 4, 300), 2),
    ((300, 4, 3), 0),
    ((1, 50), 1),
    ((7, 1), 1),
    ((200,), 0),
    ((200,), -1),
]
BINS = [1, 10, 37, "auto", "sturges", "fd", "edges", "repeated"]


def bins_of(name):
    if name == "edges":
        return np.array([-3.0, -1.0, -0.2, 0.0, 0.1, 0.5, 2.5])
    if name == "repeated":
        return np.array([-1.0, 0.0, 0.0, 0.5, 1.0, 1.0])
    return name


def make(shape, dtype="<f8", seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, shape)
    x.flat[::11] = 0.5  # ties, and values on some edges
    return x.astype(dtype)


@pytest.mark.parametrize("shape,axis", SHAPES, ids=[f"{s}-{a}" for s, a in SHAPES])
@pytest.mark.parametrize("bins", BINS)
@pytest.mark.parametrize("dtype", ["<f8", ">f4"])
def test_against_a_loop_of_numpy(shape, axis, bins, dtype):
    x = make(shape, dtype)
    b = bins_of(bins)
    got = check(x, b, None, axis)
    assert got[0].dtype == np.int64
    want_shape = list(shape)
    want_shape[axis] = len(got[1]) - 1
    assert got[0].shape == tuple(want_shape)
    check(x, b, (-1.0, 1.25), axis)


@pytest.mark.parametrize("kind", ["py", "f8", "f4"])
@pytest.mark.parametrize("dtype", ["<f8", "<f4"])
def test_range_scalar_types(kind, dtype):
    lo, hi = 0.1, 0.7
    rng_ = {"py": (lo, hi), "f8": (np.float64(lo), np.float64(hi))}.get(
        kind, (np.float32(lo), np.float32(hi))
    )
    x = np.random.default_rng(1).random((4, 500))
    x[:, :4] = [0.1, 0.7, np.float32(0.1), np.float32(0.7)]
    x = x.astype(dtype)
    for bins in (1, 6, 10, "auto"):
        check(x, bins, rng_, -1)
        check(x.T, bins, rng_, 0)


def test_values_on_the_shared_edges():
    # every slice holds the shared edges of the whole input and their neighbours
    for dtype in (np.float64, np.float32):
        base = make((6, 300), dtype, 2)
        for bins in (3, 10, 64):
            e = R.np_edges(base, bins).astype(dtype)
            inner = e[1:-1]
            extra = np.concatenate(
                [inner, np.nextafter(inner, dtype(np.inf)), np.nextafter(inner, -dtype(np.inf))]
            )
            x = np.concatenate([base, np.tile(extra, (6, 1))], axis=1).astype(dtype)
            assert x.min() == base.min() and x.max() == base.max()
            check(x, bins, None, -1)
            check(np.asfortranarray(x.T), bins, None, 0)


def test_one_value_everywhere():
    # x.min() == x.max(): NumPy's +-0.5 on the whole input's range
    for dtype in (np.float64, np.float32):
        x = np.full((3, 20), 2.5, dtype=dtype)
        for bins in (1, 4, "auto"):
            got = check(x, bins, None, -1)
            assert got[0].sum() == 60


def test_slices_of_one_value():
    # each slice constant, the whole not: the slices share the global edges
    x = np.repeat(np.array([[-1.0], [0.0], [3.5]]), 50, axis=1)
    for bins in (1, 2, 7, "fd"):
        check(x, bins, None, -1)


@pytest.mark.parametrize("layout", ["F", "strided", "reversed", "big-endian", "read-only"])
def test_layouts(layout):
    x = make((40, 30), seed=3)
    if layout == "F":
        x = np.asfortranarray(x)
    elif layout == "strided":
        buf = np.zeros((80, 90))
        buf[::2, ::3] = x
        x = buf[::2, ::3]
    elif layout == "reversed":
        x = x[::-1, ::-1]
    elif layout == "big-endian":
        x = x.astype(">f8")
    else:
        x = x.copy()
        x.flags.writeable = False
    for axis in (0, 1, -1):
        for bins in (10, "auto", "edges"):
            check(x, bins_of(bins), None, axis)


def test_ints_and_bools():
    rng = np.random.default_rng(4)
    for x in (rng.integers(-50, 50, (4, 300)), rng.integers(0, 200, (4, 300)).astype(np.uint8)):
        for bins in (5, 10, "edges"):
            check(x, bins_of(bins), None, -1)
            check(x.T, bins_of(bins), None, 0)
    b = rng.random((3, 100)) < 0.3
    for bins in (1, 2, 5):
        got = H.histogram(b, bins, axis=-1)
        R.assert_hist(got, H.histogram(b.astype(np.float64), bins, axis=-1))
        R.assert_hist(got, reference(b.astype(np.float64), bins, None, -1))


# --------------------------------------------------------------------------
# weights, density
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape,axis", [((5, 1000), -1), ((1000, 5), 0), ((3, 400, 4), 1), ((2, 70_000), 1)]
)
@pytest.mark.parametrize("bins", [1, 10, 64])
def test_weights_uniform_bins_bit_identical(shape, axis, bins):
    x = make(shape, seed=5)
    w = np.random.default_rng(5).normal(1.0, 2.0, shape)
    check(x, bins, None, axis, weights=w)
    check(x, bins, (-0.5, 2.0), axis, weights=w)
    check(x.astype(np.float32), bins, (-0.5, 2.0), axis, weights=w)


@pytest.mark.parametrize("shape,axis", [((5, 1000), -1), ((1000, 5), 0), ((2, 70_000), 1)])
@pytest.mark.parametrize("bins", ["edges", "repeated"])
def test_weights_explicit_edges(shape, axis, bins):
    x = make(shape, seed=6)
    w = np.random.default_rng(6).random(shape) + 0.5
    check(x, bins_of(bins), None, axis, rtol=EDGES_WEIGHTS_RTOL, weights=w)


@pytest.mark.parametrize("shape,axis", [((5, 1000), -1), ((1000, 5), 0), ((3, 400, 4), 1)])
@pytest.mark.parametrize("bins", [1, 10, "auto", "edges"])
def test_density_per_slice(shape, axis, bins):
    x = make(shape, seed=7)
    got = check(x, bins_of(bins), None, axis, density=True)
    assert got[0].dtype == np.float64
    check(x, bins_of(bins), (-1.0, 1.0), axis, density=True)


def test_density_weighted_per_slice():
    x = make((4, 3000), seed=8)
    w = np.random.default_rng(8).random((4, 3000)) + 0.1
    for bins in (10, bins_of("edges")):
        got = H.histogram(x, bins, weights=w, density=True, axis=-1)
        want = reference(x, bins, None, -1, weights=w, density=True)
        # the counts' sums (rtol of EDGES_WEIGHTS_RTOL) and their order (m eps)
        R.assert_hist(got, want, rtol=EDGES_WEIGHTS_RTOL)


def test_axis_none_reads_flat():
    x = make((6, 50), seed=9)
    for bins in (10, "auto", bins_of("edges")):
        R.assert_hist(H.histogram(x, bins, axis=None), R.np_histogram(x, bins))
        R.assert_hist(H.histogram(x, bins), R.np_histogram(x, bins))


def test_inputs_unmodified():
    x = make((4, 500), seed=10)
    w = np.random.default_rng(10).random((4, 500))
    e = bins_of("edges").copy()
    before = [x.copy(), w.copy(), e.copy()]
    H.histogram(x, 10, axis=-1, weights=w, density=True)
    H.histogram(x, e, axis=0, weights=w)
    H.histogram(x, "auto", (-1.0, 1.0), axis=1)
    for a, b in zip((x, w, e), before):
        R.assert_same(a, b, "input")
