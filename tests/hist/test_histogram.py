"""``fastdiv.hist.histogram`` (no ``axis``) against ``numpy.histogram``.

What it is held to (the spec of ``fastdiv.hist``):

* edges: NumPy's, bit for bit and of NumPy's dtype, for every form of
  ``bins`` (an int, each rule name, an array of edges) and ``range``
  (Python floats and ints, NumPy float64 and float32 scalars, a list);
* counts, with uniform bins (an int or a rule): NumPy's bit for bit, int64,
  for float64 and float32 data of either byte order and any layout, ints
  and bools, values exactly on the edges and on their float neighbours,
  ties, one distinct value (NumPy's +-0.5 expansion), huge offsets with
  tiny ranges; with float64 weights, NumPy's bit for bit (float64);
* counts with an array of edges (repeated edges too): NumPy's exactly;
  with weights, within ``EDGES_WEIGHTS_RTOL`` = 1e-12 relative (NumPy sums
  a cumulative sum of sorted weights, fastdiv in sample order);
* ``density=True``: NumPy's ``n / diff(edges) / n.sum()`` on the counts
  (bit for bit where the counts are integers);
* where NumPy cannot make the edges (more bins than floats in the range),
  a ValueError naming an argument, as NumPy raises one;
* the inputs are never modified.

The errors (NaN, empty input, bad ``bins`` and ``range``, ...) are in
``tests/package/test_errors.py``.
"""

import numpy as np
import pytest

from fastdiv import hist as H
from fdtest import hist_reference as R

#: counts with an array of edges and weights, against NumPy: NumPy adds a
#: cumulative sum of the sorted weights, fastdiv adds them in sample order
#: (in blocks of 65536): each is within a few ulp x sqrt(n) of the exact sum
#: of positive weights, far inside 1e-12 for the n used here (the spec's bound)
EDGES_WEIGHTS_RTOL = 1e-12

FLOATS = ["<f8", ">f8", "<f4", ">f4"]
INT_BINS = [1, 2, 3, 7, 10, 64, 255, 1000]


def data(seed, n=1000, dtype="<f8", kind="normal"):
    rng = np.random.default_rng(seed)
    if kind == "normal":
        x = rng.normal(0.3, 2.0, n)
    elif kind == "ties":
        x = rng.integers(-3, 4, n) * 0.1
    elif kind == "heavy":
        x = rng.standard_cauchy(n)
    elif kind == "uniform":
        x = rng.random(n)
    else:
        raise AssertionError(kind)
    return x.astype(dtype)


def both(x, bins=10, range=None, **kw):
    """(fastdiv's result, NumPy's) for the same call; with weights, NumPy's
    counts as native float64 (NumPy's take the weights' dtype, fastdiv's are
    float64: the spec)."""
    got, want = H.histogram(x, bins, range, **kw), R.np_histogram(x, bins, range, **kw)
    if kw.get("weights") is not None:
        want = (want[0].astype(np.float64), want[1])
    return got, want


def check(x, bins=10, range=None, what="", **kw):
    got, want = both(x, bins, range, **kw)
    R.assert_hist(got, want, f"{what} bins={bins!r} range={range!r}")
    return got


# --------------------------------------------------------------------------
# values exactly on edges, ties
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("bins", INT_BINS)
def test_values_on_the_edges_range_none(dtype, bins):
    # the edges of x, and their float neighbours, as data; then the interior
    # edges of that data (the outer ones are its min and max) and theirs
    x = data(bins, 400, dtype)
    d1 = R.on_edges(x, R.np_edges(x, bins), dtype)
    e2 = R.np_edges(d1, bins)
    inner = e2[1:-1].astype(dtype)
    inf = np.array(np.inf, dtype=dtype)
    d2 = np.concatenate([d1, inner, np.nextafter(inner, inf), np.nextafter(inner, -inf)])
    assert d2.min() == d1.min() and d2.max() == d1.max()
    d2 = d2.astype(dtype)
    got = check(d2, bins)
    assert got[0].dtype == np.int64
    assert int(got[0].sum()) == d2.size


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("bins", INT_BINS)
@pytest.mark.parametrize("rng_", [(-1.3, 2.1), (0.1, 0.7), (-5.0, -4.9)])
def test_values_on_the_edges_with_range(dtype, bins, rng_):
    x = data(bins + 1, 400, dtype)
    d = R.on_edges(x, R.np_edges(x, bins, rng_), dtype)
    got = check(d, bins, rng_)
    # the samples inside the range, as NumPy counts them
    assert int(got[0].sum()) == int(R.np_histogram(d, 1, rng_)[0][0])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("bins", [3, 4, 7, 10, 60])
def test_ties(dtype, bins):
    x = data(bins, 2000, dtype, "ties")
    check(x, bins)
    check(x, bins, (-0.3, 0.3))
    check(np.repeat(x[:5], 300), bins)


# --------------------------------------------------------------------------
# huge offsets, tiny ranges, one distinct value
# --------------------------------------------------------------------------


@pytest.mark.parametrize("bins", [1, 2, 3, 5, 7, 10])
def test_huge_offset_float64(bins):
    # 1e16 has an ulp of 2: the edges are rounded, the data sit on them
    x = 1e16 + np.arange(-6, 18) * 2.0
    check(x, bins)
    if bins <= 5:  # 6 floats in the range (more bins: see test_numpy_cannot_make_the_edges)
        check(x, bins, (1e16, 1e16 + 10))
        check(x, bins, (np.float64(1e16), np.float64(1e16 + 10)))


@pytest.mark.parametrize("bins", [3, 10, 64])
def test_tiny_range_at_1e8_float64(bins):
    # a range 1e-6 wide at 1e8 (ulp 2**-26): ~67 floats in the range
    x = 1e8 + np.arange(-10, 80) * 2.0**-26
    check(x, bins, (1e8, 1e8 + 1e-6))
    check(x, bins)


@pytest.mark.parametrize("rng_kind", ["py", "f8", "f4"])
@pytest.mark.parametrize("bins", [2, 5, 10])
def test_offset_float32(bins, rng_kind):
    # float32 at 1e4 (ulp 2**-10), a range of ~50 ulp
    x = (np.float32(1e4) + np.arange(-8, 60, dtype=np.float32) * np.float32(2.0**-10)).astype(
        np.float32
    )
    lo, hi = 1e4, 1e4 + 0.05
    rng_ = {
        "py": (lo, hi),
        "f8": (np.float64(lo), np.float64(hi)),
        "f4": (np.float32(lo), np.float32(hi)),
    }[rng_kind]
    check(x, bins, rng_)
    check(x.astype(">f4"), bins, rng_)


def numpy_refuses(x, bins, range=None):
    try:
        R.np_histogram(x, bins, range)
    except ValueError:
        return True
    return False


@pytest.mark.parametrize(
    "x,bins,rng_",
    [
        (np.full(5, 1e8, dtype=np.float32), 5, (1e8, 1e8 + 1e-6)),  # float32 edges all 1e8
        (np.full(5, 1e8, dtype=np.float32), 10, None),  # 1e8 +- 0.5 is 1e8 in float32
        (np.full(3, 1e17), 4, None),  # 1e17 +- 0.5 is 1e17
        (1e16 + np.arange(4) * 2.0, 64, None),
        (1e16 + np.arange(4) * 2.0, 7, (1e16, 1e16 + 10)),
    ],
    ids=[
        "f4-1e8-range-1e-6",
        "f4-1e8-single",
        "f8-1e17-single",
        "f8-1e16-64",
        "f8-1e16-range-7",
    ],
)
def test_numpy_cannot_make_the_edges(x, bins, rng_):
    """More bins than floats in the range: NumPy raises ("Too many bins for
    data range"); so must fastdiv, with a message naming an argument (the
    spec names none for this case)."""
    assert numpy_refuses(x, bins, rng_)
    with pytest.raises(ValueError, match=r"'(bins|range|x)'"):
        H.histogram(x, bins, rng_)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("value", [3.25, 0.0, -7.0, 1e-300, 4e15])
@pytest.mark.parametrize("bins", [1, 4, 10, *R.RULES])
def test_single_value(dtype, value, bins):
    # NumPy widens [v, v] to [v - 0.5, v + 0.5] (in the data's dtype)
    x = np.full(9, value).astype(dtype)
    if numpy_refuses(x, bins):  # 4e15 in float32: v +- 0.5 is v
        with pytest.raises(ValueError, match=r"'(bins|range|x)'"):
            H.histogram(x, bins)
        return
    got = check(x, bins)
    assert int(got[0].sum()) == 9
    check(x[:1], bins)


# --------------------------------------------------------------------------
# layouts, byte orders, input types
# --------------------------------------------------------------------------


def layouts(x2):
    """The same float data in other layouts (2-D x2 given)."""
    ro = x2.copy()
    ro.flags.writeable = False
    flat = x2.ravel()
    return {
        "C": x2,
        "F": np.asfortranarray(x2),
        "1-D": flat,
        "::3": flat[::3],
        "::-1": flat[::-1],
        "::-2 cols": x2[:, ::-2],
        "transposed 3-D": x2.reshape(6, 10, -1).transpose(2, 0, 1),
        "big-endian f8": x2.astype(">f8"),
        "big-endian f4": x2.astype(">f4"),
        "big-endian F": np.asfortranarray(x2.astype(">f8")),
        "read-only": ro,
        "f4 ::-3": flat.astype(np.float32)[::-3],
    }


@pytest.mark.parametrize("name", list(layouts(np.zeros((6, 10))).keys()))
@pytest.mark.parametrize("bins", [10, 33, "auto", "stone", "edges"])
def test_layouts(name, bins):
    x2 = data(5, 600).reshape(60, 10)
    x2[0, :4] = [-1.0, 0.0, 0.5, 2.0]
    x = layouts(x2)[name]
    if bins == "edges":
        bins = np.array([-3.0, -1.0, -0.5, 0.0, 0.25, 0.5, 2.0, 6.0])
    check(x, bins, what=name)
    check(x, bins if isinstance(bins, np.ndarray) else 7, (-1.0, 2.0), what=name)


def test_other_shapes_and_lists():
    x = data(6, 24)
    for v in (x.reshape(2, 3, 4), x.reshape(4, 6).T, x.tolist(), x.reshape(2, 12).tolist()):
        check(v, 5)
    check(np.float64(2.5), 3)  # 0-d
    check(np.array(2.5), 3)
    check([1, 2, 2, 3], 3)  # a list of ints: converted to float64


@pytest.mark.parametrize(
    "dtype", ["i1", "u1", "<i2", ">i4", "<i8", ">i8", "<u4", "u8", "?"], ids=str
)
@pytest.mark.parametrize("bins", [1, 3, 10, 64, "edges"])
def test_ints_and_bools(dtype, bins):
    rng = np.random.default_rng(9)
    x = (rng.random(500) < 0.4) if dtype == "?" else rng.integers(0, 100, 500).astype(dtype)
    if bins == "edges":
        bins = np.array([0.0, 0.5, 1.0, 10.0, 33.0, 99.0])
    got = check(x, bins)
    assert got[0].dtype == np.int64
    # the values converted to float64 give the same
    R.assert_hist(H.histogram(x.astype(np.float64), bins), got)
    check(x, bins if isinstance(bins, np.ndarray) else 4, (1, 50))


def test_wide_ints_with_rules():
    # a range wide enough that NumPy's integer rule (width >= 1) does not bite
    x = np.random.default_rng(10).integers(-5000, 5000, 3000)
    for rule in R.RULES:
        check(x, rule)
        check(x.astype(np.int32), rule, (-1000, 1000))


@pytest.mark.parametrize("rule", R.RULES)
def test_narrow_ints_with_rules(rule):
    """Integer data whose rule width is below 1: numpy.histogram_bin_edges
    widens it to 1 for integer data; ``histogram(x, rule)`` is documented as
    NumPy's edges for x."""
    x = np.random.default_rng(11).integers(0, 4, 2000)
    check(x, rule)


def test_small_ints_with_a_float32_range():
    """uint8 data and a range of NumPy float32 scalars: NumPy's edges are
    float32 (the result type of float32 and uint8); ``histogram(x, ...)`` is
    documented as NumPy's edges for x."""
    x = np.arange(10, dtype=np.uint8)
    check(x, 4, (np.float32(0.5), np.float32(7.5)))


# --------------------------------------------------------------------------
# range: scalar types
# --------------------------------------------------------------------------

RANGES = {
    "py-float": (0.1, 0.7),
    "py-int": (0, 1),
    "mixed": (0, 0.7),
    "np-f8": (np.float64(0.1), np.float64(0.7)),
    "np-f4": (np.float32(0.1), np.float32(0.7)),
    "np-i8": (np.int64(0), np.int64(1)),
    "list": [0.1, 0.7],
    "array": np.array([0.1, 0.7]),
    "array-f4": np.array([0.1, 0.7], dtype=np.float32),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("kind", list(RANGES))
@pytest.mark.parametrize("bins", [1, 3, 6, 10, 100])
def test_range_scalar_types(dtype, kind, bins):
    # 0.1 and 0.7 are not float32 numbers: the dtype the comparisons run in
    # decides which of their neighbours are inside
    rng_ = RANGES[kind]
    x = data(bins, 300, dtype, "uniform")
    lo, hi = (float(v) for v in rng_)
    specials = [lo, hi, 0.1, 0.7, np.float32(0.1), np.float32(0.7)]
    d = R.on_edges(np.concatenate([x, np.array(specials, dtype=dtype)]), [lo, hi], dtype)
    d = R.on_edges(d, R.np_edges(d, bins, rng_), dtype)
    check(d, bins, rng_, what=kind)


@pytest.mark.parametrize("kind", ["py-float", "np-f8", "np-f4"])
def test_range_with_rules(kind):
    rng_ = RANGES[kind]
    for dtype in ("<f8", "<f4"):
        x = data(12, 800, dtype, "uniform")
        for rule in R.RULES:
            check(x, rule, rng_, what=dtype)


# --------------------------------------------------------------------------
# rules
# --------------------------------------------------------------------------


KINDS = ["normal", "ties", "heavy", "uniform"]
#: (n, kind): every kind small; past one 65536-sample block for two of them
RULE_DATA = [(n, k) for n in (2, 7, 1000) for k in KINDS] + [(70_000, "normal"), (70_000, "heavy")]


@pytest.mark.parametrize("rule", R.RULES)
@pytest.mark.parametrize("dtype", ["<f8", ">f4"])
@pytest.mark.parametrize("n,kind", RULE_DATA, ids=[f"{n}-{k}" for n, k in RULE_DATA])
def test_rules(rule, dtype, kind, n):
    x = data(n, n, dtype, kind)
    got = check(x, rule)
    R.assert_same(got[1], R.np_edges(x, rule), "histogram_bin_edges")
    check(x, rule, (-1.0, 1.5))


# --------------------------------------------------------------------------
# explicit edges
# --------------------------------------------------------------------------

EDGES = {
    "uniform": np.linspace(-2.0, 2.0, 9),
    "random": np.sort(np.random.default_rng(3).normal(0, 1.5, 40)),
    "repeated": np.array([-2.0, -1.0, -1.0, 0.0, 0.0, 0.0, 0.5, 3.0]),
    "last-repeated": np.array([-1.0, 0.0, 1.0, 1.0]),  # a last bin [1, 1]
    "all-equal": np.array([0.5, 0.5, 0.5]),
    "two": np.array([-0.5, 0.25]),
    "beyond-data": np.array([-100.0, -50.0, 50.0, 100.0]),
    "f4": np.array([-1.5, -0.1, 0.1, 0.7, 2.0], dtype=np.float32),
    ">f8": np.array([-1.5, -0.1, 0.1, 0.7, 2.0], dtype=">f8"),
    "ints": np.array([-3, -1, 0, 2, 5]),
    "list": [-1.0, 0.0, 0.3, 1.0],
    "int-list": [-2, 0, 1, 3],
    "strided": np.linspace(-3.0, 3.0, 25)[::4],
    "reversed-view": np.linspace(3.0, -3.0, 13)[::-1],
}


@pytest.mark.parametrize("name", list(EDGES))
@pytest.mark.parametrize("dtype", ["<f8", ">f4", "<i8"])
def test_explicit_edges(name, dtype):
    e = EDGES[name]
    x = data(len(name), 500, "<f8")
    if dtype == "<i8":
        x = np.round(x * 2)
    x = R.on_edges(x, np.asarray(e, dtype=np.float64), np.float64).astype(dtype)
    got = check(x, e, what=name)
    assert got[0].dtype == np.int64
    # bins an array: range is not used by NumPy for the edges or the counts
    check(x, e, (-1.0, 1.0), what=name)


def _crowded_edges(kind):
    """Edges whose cells (fastdiv.hist._cells) hold two edges or more, or an
    edge at a cell's end: the cases the one-compare table must get right."""
    if kind == "consecutive-floats":
        # runs of adjacent doubles inside wide bins
        run = 0.3 + np.spacing(0.3) * np.arange(6)
        return np.concatenate([[-4.0, -1.0], run, 0.7 + 1e-12 * np.arange(5), [4.0]])
    if kind == "huge-offset":
        # 2^50 + multiples of an ulp (0.25): cells finer than the doubles
        return 2.0**50 + 0.25 * np.array([0, 1, 2, 3, 7, 8, 40, 41, 42, 100])
    if kind == "on-cell-ends":
        # 64 bins of one width, then 0.0 .. 1.0 split at 1/3: edges on the
        # cells' ends and between them
        return np.concatenate([np.linspace(-1.0, 0.0, 65)[:-1], [0.0, 1 / 3, 1.0]])
    if kind == "dense-cluster":
        # 2,000 edges within 1e-9 of each other in a range of 1e3
        cluster = 1.0 + 1e-9 * np.random.default_rng(8).random(2000)
        return np.concatenate([[-500.0], cluster, [500.0]])
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind", ["consecutive-floats", "huge-offset", "on-cell-ends", "dense-cluster"]
)
def test_crowded_edge_cells(kind):
    # enough samples for the cell table (8 per bin), every edge and its
    # neighbours among them: NumPy's counts exactly
    e = np.unique(_crowded_edges(kind))
    spread = np.random.default_rng(len(kind)).random(40 * e.size)
    x = R.on_edges(e[0] + spread * (e[-1] - e[0]), e, np.float64)
    assert "cbin" in H._cells(e, x.size), "the table is in use"
    check(x, e, what=kind)
    check(x[::-1].copy(), np.repeat(e, 2), what=kind + " (each edge twice)")


def test_value_on_a_repeated_last_edge():
    # the last bin [1, 1] is closed: 1.0 is counted there, NumPy as fastdiv
    got = check(np.array([0.5, 1.0, 1.0, -1.0]), np.array([-1.0, 0.0, 1.0, 1.0]))
    assert got[0].tolist() == [1, 1, 2]


# --------------------------------------------------------------------------
# weights
# --------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 100, 65_536, 65_537, 200_000])
@pytest.mark.parametrize("dtype", ["<f8", ">f4"])
@pytest.mark.parametrize("bins", [1, 10, 97])
def test_weights_uniform_bins_bit_identical(n, dtype, bins):
    rng = np.random.default_rng(n + bins)
    x = data(n, n, dtype)
    x[: min(n, 7)] = 0.0
    w = rng.normal(1.0, 3.0, n)  # negative weights too
    w[::5] = 0.0
    got = check(x, bins, weights=w)
    assert got[0].dtype == np.float64
    check(x, bins, (-1.0, 2.0), weights=w)
    check(x, bins, (-1.0, 2.0), weights=w.astype(">f8"))


def test_weights_on_edges_bit_identical():
    x = data(1, 3000)
    d = R.on_edges(x, R.np_edges(x, 13, (-2.0, 2.5)), np.float64)
    w = np.random.default_rng(1).random(d.size) * 10
    check(d, 13, (-2.0, 2.5), weights=w)
    check(d.reshape(-1, 1), 13, (-2.0, 2.5), weights=w.reshape(-1, 1))


@pytest.mark.parametrize("name", ["random", "repeated", "uniform", "f4"])
@pytest.mark.parametrize("n", [10, 5000, 150_000])
def test_weights_explicit_edges(name, n):
    e = EDGES[name]
    rng = np.random.default_rng(n)
    x = data(n, n)
    w = rng.random(n) + 0.5  # positive: the relative bound is meaningful
    got, want = both(x, e, weights=w)
    R.assert_hist(got, want, name, rtol=EDGES_WEIGHTS_RTOL)


def test_integer_weights_give_float64_counts():
    # NumPy's counts take the weights' dtype; fastdiv's are float64 (the spec),
    # of the same (exact) values
    x = data(2, 1000)
    w = np.random.default_rng(2).integers(0, 5, 1000)
    assert R.np_histogram(x, 10, weights=w)[0].dtype == np.int64
    got, want = both(x, 10, weights=w)  # want: NumPy's counts as float64
    R.assert_hist(got, want)


def test_weights_follow_x_layout():
    x2 = data(3, 600).reshape(20, 30)
    w2 = np.random.default_rng(3).random((20, 30))
    for xa, wa in [
        (np.asfortranarray(x2), w2),
        (x2, np.asfortranarray(w2)),
        (x2[:, ::-1], w2[:, ::-1]),
        (x2.T, w2.T),
        (x2[::2, ::3], w2[::2, ::3].astype(">f8")),
    ]:
        check(xa, 8, weights=wa)
        got, want = both(xa, EDGES["random"], weights=wa)
        R.assert_hist(got, want, rtol=EDGES_WEIGHTS_RTOL)


# --------------------------------------------------------------------------
# density
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["<f8", ">f4"])
@pytest.mark.parametrize("bins", [1, 10, 64, "auto", "sturges", "edges"])
@pytest.mark.parametrize("rng_", [None, (-1.0, 1.7)])
def test_density_unweighted_bit_identical(dtype, bins, rng_):
    x = data(4, 3000, dtype)
    if bins == "edges":
        bins = EDGES["random"]
    got = check(x, bins, rng_, density=True)
    assert got[0].dtype == np.float64
    counts = H.histogram(x, bins, rng_)[0]
    R.assert_same(got[0], R.density_of(counts, got[1]), "the formula on fastdiv's counts")


@pytest.mark.parametrize("bins", [7, "edges"])
def test_density_weighted(bins):
    x = data(5, 20_000)
    w = np.random.default_rng(5).random(20_000) + 0.1
    e = EDGES["random"] if bins == "edges" else bins
    got = H.histogram(x, e, weights=w, density=True)
    counts, edges = H.histogram(x, e, weights=w)
    R.assert_same(got[1], edges)
    # the formula on fastdiv's counts, up to the order of the counts' sum
    # (np.sum pairwise against any order): m positive terms, m eps relative
    rtol = 4 * counts.size * np.finfo(np.float64).eps
    R.assert_close(got[0], R.density_of(counts, edges), rtol, "formula")
    want = R.np_histogram(x, e, weights=w, density=True)
    R.assert_close(got[0], want[0], EDGES_WEIGHTS_RTOL + rtol, "numpy")


def test_density_with_repeated_edges():
    # zero-width bins: 0 / 0 and c / 0 as NumPy gives them (NaN, inf)
    x = np.array([-1.0, -0.5, 0.0, 0.0, 0.5, 3.0])
    e = EDGES["repeated"]
    with np.errstate(divide="ignore", invalid="ignore"):
        got, want = both(x, e, density=True)
    R.assert_hist(got, want)


# --------------------------------------------------------------------------
# inputs unmodified
# --------------------------------------------------------------------------


@pytest.mark.parametrize("bins", [10, "fd", "edges"])
def test_inputs_unmodified(bins):
    x = data(7, 1000).reshape(10, 100)
    w = np.random.default_rng(7).random((10, 100))
    e = EDGES["random"].copy()
    b = e if bins == "edges" else bins
    for args in [(x,), (x[:, ::-1],), (np.asfortranarray(x).astype(">f4"),)]:
        arrays = [args[0], w, e]
        before = [a.copy() for a in arrays]
        H.histogram(args[0], b, density=True)
        if bins != "fd":
            H.histogram(args[0], b, weights=w)
        H.histogram(args[0], b, (-1.0, 1.0))
        for a, a0 in zip(arrays, before):
            R.assert_same(a, a0, "input")
