"""Hypothesis properties of ``fastdiv.hist`` over dtypes <f4 >f4 <f8 >f8,
contiguous / strided / reversed views, tiny to moderate sizes, values
snapped to the edges (and to their float neighbours), clusters at large
offsets, every form of ``bins`` and ``range``.

Held exactly (the spec): the histogram equals NumPy's (counts and edges,
bit for bit), or both refuse (NumPy's "too many bins"); the total count is
the number of samples in the range; the counts do not depend on the order
of the samples; the batched form's rows are the histograms of the rows on
the shared edges; KL(x, x) = 0; JS in [0, log 2]; MI >= 0 without a
correction; every estimate within the bound of its 40-digit oracle
(``fdtest.hist_reference``).  Held to rounding (two results, each within
that bound: twice the bound): MI symmetric when the axes (bins and range)
are swapped, JS symmetric, the base dividing by log(base), Miller-Madow's
offset, the plug-in entropy at most the log of the histogram's span.
"""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdiv import hist as H
from fdtest import hist_reference as R

SETTINGS = settings(max_examples=60)
FEW = settings(max_examples=30)
DTYPES = ["<f8", ">f8", "<f4", ">f4"]
LAYOUTS = ["C", "strided", "reversed"]


def view(a, how):
    if how == "strided":
        buf = np.zeros(2 * a.size + 1, dtype=a.dtype)
        buf[1::2] = a
        return buf[1::2]
    if how == "reversed":
        return np.ascontiguousarray(a[::-1])[::-1]
    return a


def floats_of(dtype):
    w = 32 if dtype.endswith("f4") else 64
    big = float(np.float32(1e30)) if w == 32 else 1e200
    return st.one_of(
        st.floats(-big, big, width=w),
        st.floats(-10.0, 10.0, width=w),
        st.sampled_from([0.0, -0.0, 1.0, 0.1, 0.7, -2.5, 1e-7, 3.0]),
    )


@st.composite
def clusters(draw, dtype):
    """Values a few ulp apart at an offset (a tiny range far from 0)."""
    f32 = dtype.endswith("f4")
    offset = draw(st.sampled_from([0.0, 1.0, -3e5, 1e4, 1e8] + ([] if f32 else [1e16, -7e15])))
    ft = np.float32 if f32 else np.float64
    ulp = float(np.spacing(ft(offset))) if offset else 1e-30
    k = draw(st.lists(st.integers(-40, 40), min_size=1, max_size=60))
    return (ft(offset) + np.array(k, dtype=ft) * ft(ulp)).astype(dtype)


@st.composite
def samples(draw, max_n=60, dtype=None):
    dtype = dtype or draw(st.sampled_from(DTYPES))
    if draw(st.integers(0, 4)) == 0:
        x = draw(clusters(dtype))
    else:
        vals = draw(st.lists(floats_of(dtype), min_size=1, max_size=max_n))
        x = np.array(vals, dtype=np.float64).astype(dtype)
    return x


@st.composite
def moderate(draw, max_n=60, min_n=1):
    """Multiples of 1/4 in [-50, 50] (ties, and rule widths that stay sane)."""
    dtype = draw(st.sampled_from(DTYPES))
    k = draw(st.lists(st.integers(-200, 200), min_size=min_n, max_size=max_n))
    return (np.array(k, dtype=np.float64) / 4).astype(dtype)


@st.composite
def bins_for(draw, x, rules=True, unique=False):
    """An int, a rule name or an array of edges (from x's values and a few
    others; repeated edges too unless unique)."""
    kind = draw(st.sampled_from(["int", "int", "rule", "edges"] if rules else ["int", "edges"]))
    if kind == "int":
        return draw(st.integers(1, 40))
    if kind == "rule":
        return draw(st.sampled_from(R.RULES))
    values = st.sampled_from(np.asarray(x, np.float64).tolist())
    e = draw(st.lists(values, min_size=2, max_size=12))
    e += draw(st.lists(st.floats(-100.0, 100.0), max_size=4))
    e = np.unique(e) if unique else np.sort(e)
    if e.size < 2:
        e = np.array([e[0] - 1.0, e[0] + 1.0])
    dtype = draw(st.sampled_from(["<f8", "<f4"]))
    with np.errstate(over="ignore"):
        e32 = e.astype(np.float32)
    return e32 if dtype == "<f4" and np.all(np.isfinite(e32)) else e


@st.composite
def range_for(draw, x):
    if draw(st.booleans()):
        return None
    v = np.asarray(x, np.float64).tolist() + [-1.0, 0.0, 2.5]
    lo, hi = sorted(draw(st.lists(st.sampled_from(v), min_size=2, max_size=2)))
    kind = draw(st.sampled_from(["py", "f8", "f4"]))
    if kind == "f8":
        return (np.float64(lo), np.float64(hi))
    if kind == "f4":
        with np.errstate(over="ignore"):
            lo32, hi32 = np.float32(lo), np.float32(hi)
        return (lo32, hi32) if np.isfinite(lo32) and np.isfinite(hi32) else (lo, hi)
    return (lo, hi)


def snap(draw, x, bins, rng_):
    """x with some of its values (not its min or max) replaced by inner edges
    of its histogram or their float neighbours: the edges stay the same."""
    try:
        e = R.np_edges(x, bins, rng_)
    except ValueError:
        return x
    inner = e[1:-1].astype(x.dtype)
    if inner.size == 0 or x.size < 3:
        return x
    inf = np.array(np.inf, dtype=x.dtype)
    cand = np.concatenate([inner, np.nextafter(inner, inf), np.nextafter(inner, -inf)])
    if rng_ is None:
        cand = cand[(cand >= x.min()) & (cand <= x.max())]
    if cand.size == 0:
        return x
    y = x.copy()
    keep = {int(np.argmin(x)), int(np.argmax(x))}
    idx = [i for i in range(x.size) if i not in keep]
    pick = st.tuples(st.sampled_from(idx), st.integers(0, cand.size - 1))
    picks = draw(st.lists(pick, max_size=10))
    for i, j in picks:
        y[i] = cand[j]
    return y


def numpy_or_refusal(x, bins, rng_, **kw):
    """NumPy's result, or None where NumPy refuses (then fastdiv must too)."""
    try:
        return R.np_histogram(x, bins, rng_, **kw)
    except ValueError:
        return None


def check_against_numpy(x, bins, rng_, **kw):
    want = numpy_or_refusal(x, bins, rng_, **kw)
    if want is None:
        try:
            H.histogram(x, bins, rng_, **kw)
        except ValueError:
            return None
        raise AssertionError("NumPy cannot make these edges; fastdiv did not refuse")
    got = H.histogram(x, bins, rng_, **kw)
    R.assert_hist(got, want)
    return got


# --------------------------------------------------------------------------
# histograms
# --------------------------------------------------------------------------


@SETTINGS
@given(st.data())
def test_counts_equal_numpy(data):
    x = data.draw(samples())
    bins = data.draw(bins_for(x, rules=False))
    rng_ = data.draw(range_for(x))
    x = snap(data.draw, x, bins, rng_)
    v = view(x, data.draw(st.sampled_from(LAYOUTS)))
    got = check_against_numpy(v, bins, rng_)
    if got is None:
        return
    counts, edges = got
    # the total is the number of samples inside the range (the ends included)
    xf, ef = x.astype(np.float64), edges.astype(np.float64)
    assert int(counts.sum()) == int(np.count_nonzero((xf >= ef[0]) & (xf <= ef[-1])))


@SETTINGS
@given(st.data())
def test_rules_equal_numpy(data):
    x = data.draw(moderate())
    rule = data.draw(st.sampled_from(R.RULES))
    rng_ = data.draw(range_for(x))
    x = snap(data.draw, x, rule, rng_)
    check_against_numpy(view(x, data.draw(st.sampled_from(LAYOUTS))), rule, rng_)


@SETTINGS
@given(st.data())
def test_counts_ignore_the_order_of_the_samples(data):
    x = data.draw(samples())
    bins = data.draw(bins_for(x, rules=False))
    rng_ = data.draw(range_for(x))
    perm = data.draw(st.permutations(range(x.size)))
    if numpy_or_refusal(x, bins, rng_) is None:
        return
    a = H.histogram(x, bins, rng_)
    b = H.histogram(x[np.array(perm, dtype=np.intp)], bins, rng_)
    R.assert_hist(b, a, "permuted")


@FEW
@given(st.data())
def test_weights_uniform_bins_equal_numpy(data):
    x = data.draw(samples(dtype=data.draw(st.sampled_from(["<f8", "<f4"]))))
    bins = data.draw(st.integers(1, 30))
    rng_ = data.draw(range_for(x))
    w = np.array(
        data.draw(st.lists(st.floats(-1e3, 1e3), min_size=x.size, max_size=x.size)), np.float64
    )
    check_against_numpy(x, bins, rng_, weights=w)


@FEW
@given(st.data())
def test_batched_rows_are_histograms_on_shared_edges(data):
    rows = data.draw(st.integers(1, 4))
    n = data.draw(st.integers(1, 20))
    x = data.draw(moderate(max_n=rows * n, min_n=rows * n)).reshape(rows, n)
    bins = data.draw(bins_for(x.ravel()))
    rng_ = data.draw(range_for(x.ravel()))
    flat = numpy_or_refusal(x, bins, rng_)
    if flat is None:
        return
    counts, edges = H.histogram(x, bins, rng_, axis=-1)
    R.assert_same(edges, flat[1], "shared edges")
    assert counts.shape == (rows, len(edges) - 1)
    # the rows add up to the histogram of the whole; each row is its own
    # histogram on the shared edges
    R.assert_same(counts.sum(axis=0), flat[0], "sum of the rows")
    for i in range(rows):
        R.assert_same(counts[i], R.np_histogram(x[i], edges)[0], f"row {i}")
    counts_t, _ = H.histogram(np.asfortranarray(x.T), bins, rng_, axis=0)
    R.assert_same(counts_t, counts.T, "axis=0 of the transpose")


@FEW
@given(st.data())
def test_histogram2d_equals_numpy(data):
    dx, dy = data.draw(st.sampled_from(DTYPES)), data.draw(st.sampled_from(DTYPES))
    n = data.draw(st.integers(1, 40))
    x = data.draw(moderate(max_n=n, min_n=n)).astype(dx)
    y = data.draw(moderate(max_n=n, min_n=n)).astype(dy)
    bx = data.draw(bins_for(x, rules=False))
    by = data.draw(bins_for(y, rules=False))
    if isinstance(bx, np.ndarray) and bx.size < 3:
        bx = 3
    bins = data.draw(st.sampled_from([bx, [bx, by]]))
    got = H.histogram2d(x, y, bins)
    want = R.np_histogram2d(x, y, bins)
    for g, w, what in zip(got, want, ("counts", "xedges", "yedges")):
        R.assert_same(g, w, what)
    assert got[0].sum() <= n


# --------------------------------------------------------------------------
# estimates
# --------------------------------------------------------------------------


@SETTINGS
@given(st.data())
def test_entropy_invariants(data):
    x = data.draw(moderate(min_n=2))
    bins = data.draw(bins_for(x, unique=True))
    if numpy_or_refusal(x, bins, None) is None:
        return
    h = H.entropy(x, bins)
    counts, edges = R.np_histogram(x, bins)
    R.check_entropy(h, counts, edges, "entropy")
    bound = 2 * R.entropy(counts, edges)[1]  # two results, each within the oracle bound
    # at most the log of the span (the entropy of the uniform density on it)
    span = float(edges[-1]) - float(edges[0])
    assert h <= math.log(span) + bound
    for base in (2, 10, 0.5):
        hb = H.entropy(x, bins, base=base)
        assert abs(hb - h / math.log(base)) <= bound / abs(math.log(base))
    m, n = int(np.count_nonzero(counts)), int(counts.sum())
    hm = H.entropy(x, bins, correction=R.MM)
    assert abs(hm - h - (m - 1) / (2 * n)) <= bound


@SETTINGS
@given(st.data())
def test_mutual_information_invariants(data):
    n = data.draw(st.integers(1, 60))
    x = data.draw(moderate(max_n=n, min_n=n))
    y = data.draw(moderate(max_n=n, min_n=n))
    bx, by = data.draw(st.integers(1, 12)), data.draw(st.integers(1, 12))
    ry = data.draw(st.sampled_from([None, [-10.0, 60.0]]))
    rng_ = None if ry is None else [[-60.0, 60.0], ry]
    counts = R.np_histogram2d(x, y, [bx, by], rng_)[0]
    if counts.sum() == 0:
        return
    mi = H.mutual_information(x, y, [bx, by], rng_)
    assert mi >= 0.0
    oracle = R.mutual_information(counts)
    R.check(mi, oracle, "MI")
    bound = 2 * oracle[1]
    swapped = H.mutual_information(y, x, [by, bx], None if rng_ is None else rng_[::-1])
    assert abs(swapped - mi) <= bound
    mi2 = H.mutual_information(x, y, [bx, by], rng_, base=2)
    assert abs(mi2 - mi / math.log(2)) <= bound / math.log(2)


@SETTINGS
@given(st.data())
def test_divergence_invariants(data):
    x = data.draw(moderate())
    y = data.draw(moderate())
    both = np.concatenate([x, y])
    bins = data.draw(bins_for(both, unique=True))
    if isinstance(bins, np.ndarray):
        bins = np.unique(np.concatenate([bins, [-50.0, 50.0]]))  # x and y inside
    if numpy_or_refusal(both, bins, None) is None:
        return
    edges = bins if isinstance(bins, np.ndarray) else R.np_edges(both, bins)
    cx, cy = R.np_histogram(x, edges)[0], R.np_histogram(y, edges)[0]
    assert H.kl_divergence(x, x, bins) == 0.0
    kl = H.kl_divergence(x, y, bins)
    R.check(kl, R.kl_divergence(cx, cy), "KL")
    assert kl >= 0.0 or abs(kl) <= R.FLOOR
    js, sj = H.js_divergence(x, y, bins), H.js_divergence(y, x, bins)
    R.check(js, R.js_divergence(cx, cy), "JS")
    R.check(sj, R.js_divergence(cy, cx), "JS(y, x)")
    assert 0.0 <= js <= math.log(2) and 0.0 <= sj <= math.log(2)
    bound = 2 * R.js_divergence(cx, cy)[1]
    assert abs(js - sj) <= bound
    js2 = H.js_divergence(x, y, bins, base=2)
    assert abs(js2 - js / math.log(2)) <= bound / math.log(2)
    kl2 = H.kl_divergence(x, y, bins, base=2)
    if math.isinf(kl):
        assert kl2 == math.inf
    else:
        assert abs(kl2 - kl / math.log(2)) <= 2 * R.kl_divergence(cx, cy)[1] / math.log(2)
