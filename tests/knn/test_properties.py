"""Hypothesis properties of ``fastdiv.knn`` over dtypes <f4 >f4 <f8 >f8,
C / Fortran / strided / reversed views, 2 to 40 samples of 1 to 3
dimensions, continuous values, multiples of 1/4 and whole numbers (ties
everywhere) and repeated rows, k from 1 to 4.

Held exactly (the spec):

* ``mutual_information_features(X, y)[j]`` is ``mutual_information(X[:,
  j], y)`` bit for bit, with every option;
* an input refused (fewer than k + 1 distinct points, k >= n) is refused in
  any row order, any translation, any dtype.

Held to the rounding of the final sums, ``|a - b| <= 1e-12 * scale``, scale
the sum of the moduli of the terms (``R``'s ``scale=True``: a sum of up to
40 terms of that size, each exact or within a few ulp, in another order
moves by a few 1e-16 of it; 1e-12 leaves room and is still far below a
change of one count, at least 1 / (40 * 40) of a digamma):

* row permutation (the same permutation of paired variables' rows; the
  samples of ``kl_divergence`` each permuted on their own);
* translation by a multiple of 1/4 of data on the grid of quarters (the
  differences of coordinates, hence every distance, are exact: the same
  neighbours and counts);
* I(X; Y) = I(Y; X) for both algorithms, I(X; Y | Z) = I(Y; X | Z);
* float32 samples and their float64 copies (distances are formed in
  float64: the same distances);
* ``standardize=True`` and the oracle's standardization done by hand, on
  continuous data (the two standardizations may differ in the last bit of a
  coordinate, which moves no neighbour or count unless two distances agree
  to ~1e-15: probability ~1e-10 here).

Translation of continuous data by any offset c (``test_translation_
continuous``): rounding ``x + c`` moves each coordinate difference by at
most ``4 u M`` (u = 2^-53, M = the largest |coordinate| before or after),
plus ``2 u M`` for the rounding of the difference itself before the shift,
so each distance by at most ``delta = sqrt(d) 6 u M`` plus ``(d + 2) u`` of
itself for the norm's own rounding; the k-th smallest distance moves as
much as the distances do, so ``|log eps' - log eps| <= delta_i / (eps_i -
delta_i)``.  Entropy and KL are sums of such logs (the counts of the MI
estimators are not continuous in the distances: their translation
invariance is the exact one above): the bound is ``d / n`` times the sum of
those, doubled, plus the rounding term.
"""

import math

import numpy as np
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from fastdiv import knn as K
from fdtest import knn_reference as R
from fdtest.threads import assert_identical

SETTINGS = settings(max_examples=60)
FEW = settings(max_examples=30)
DTYPES = ["<f8", ">f8", "<f4", ">f4"]
LAYOUTS = ["C", "F", "strided", "reversed"]
KINDS = ["continuous", "quarters", "whole", "copies"]
ROUNDING = 1e-12


# --------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------


@st.composite
def variables(draw, nvars, kinds=KINDS, n=None, min_n=2, max_n=40, d=None):
    """nvars dependent variables of one length n: a list of (n, d_v) arrays
    of one dtype and layout, and the float64 values they hold."""
    n = n if n is not None else draw(st.integers(min_n, max_n))
    dims = [d or draw(st.integers(1, 3)) for _ in range(nvars)]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    arrays = R.dependent(rng, n, *dims, r=draw(st.sampled_from([0.0, 0.8, 3.0])))
    kind = draw(st.sampled_from(kinds))
    if kind == "quarters":
        arrays = [np.round(a * 4) / 4 for a in arrays]
    elif kind == "whole":
        arrays = [np.round(a) for a in arrays]
    elif kind == "copies" and n > 2:
        src = rng.integers(0, n // 2, n - n // 2)
        for a in arrays:
            a[n // 2 :] = a[src]
    dtype = draw(st.sampled_from(DTYPES))
    how = draw(st.sampled_from(LAYOUTS))
    return [R.layout(a.astype(dtype), how) for a in arrays]


@st.composite
def labels(draw, n):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.integers(0, draw(st.integers(1, 4)), n)


def outcome(fn):
    """fn()'s result, or the ValueError it raised."""
    try:
        return fn()
    except ValueError as e:
        return e


def assert_close_or_both_refused(a, b, scale, what=""):
    if isinstance(a, ValueError) or isinstance(b, ValueError):
        assert isinstance(a, ValueError) and isinstance(b, ValueError), (what, a, b)
        event("both refused")
        return
    event("compared")
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (what, a.shape, b.shape)
    err = np.max(np.abs(a - b)) if a.size else 0.0
    assert err <= ROUNDING * scale + 1e-300, (what, a, b, err, scale)


def scale_of(oracle_call):
    """The oracle's scale of a call (1.0 if the oracle refuses it)."""
    try:
        return oracle_call()[1]
    except ValueError:
        return 1.0


# the functions, each as (number of variables, call(module, arrays, k, extra, **kw));
# ``extra`` holds the labels of Ross's estimator and KL's second sample
def _mi(f, a, k, extra, **kw):
    return f.mutual_information(a[0], a[1], k, **kw)


def _ross(f, a, k, extra, **kw):
    return f.mutual_information(a[0], extra, k, y_discrete=True, **kw)


def _cmi(f, a, k, extra, **kw):
    return f.conditional_mutual_information(a[0], a[1], a[2], k, **kw)


def _kl(f, a, k, extra, **kw):
    return f.kl_divergence(a[0], extra, k, **kw)


CALLS = {
    "entropy": (1, lambda f, a, k, extra, **kw: f.entropy(a[0], k, **kw)),
    "entropy-cheb": (1, lambda f, a, k, extra, **kw: f.entropy(a[0], k, metric="chebyshev", **kw)),
    "mi": (2, _mi),
    "mi2": (2, lambda f, a, k, extra, **kw: _mi(f, a, k, extra, algorithm=2, **kw)),
    "ross": (1, _ross),
    "cmi": (3, _cmi),
    "kl": (1, _kl),
    "kl-cheb": (1, lambda f, a, k, extra, **kw: _kl(f, a, k, extra, metric="chebyshev", **kw)),
}


@st.composite
def problem(draw, name, kinds=KINDS):
    """(arrays, k, extra) for one call of CALLS[name]."""
    nvars, _ = CALLS[name]
    arrays = draw(variables(nvars, kinds=kinds))
    n = np.asarray(arrays[0]).shape[0]
    k = draw(st.integers(1, 4))
    extra = None
    if name == "ross":
        extra = draw(labels(n))
    elif name.startswith("kl"):
        d = np.asarray(arrays[0]).shape[1]
        extra = draw(variables(1, kinds=kinds, d=d))[0]
    return arrays, k, extra


def oracle_scale(name, arrays, k, extra):
    f64 = [np.asarray(a, dtype=np.float64) for a in arrays]
    ex = extra if name == "ross" or extra is None else np.asarray(extra, dtype=np.float64)
    return scale_of(lambda: CALLS[name][1](R, f64, k, ex, scale=True))


# --------------------------------------------------------------------------
# permutation, symmetry, dtype
# --------------------------------------------------------------------------


@SETTINGS
@given(st.data())
def test_row_permutation(data):
    name = data.draw(st.sampled_from(list(CALLS)))
    arrays, k, extra = data.draw(problem(name))
    call = CALLS[name][1]
    n = np.asarray(arrays[0]).shape[0]
    p = np.random.default_rng(data.draw(st.integers(0, 1000))).permutation(n)
    permuted = [np.asarray(a)[p] for a in arrays]
    extra_p = extra
    if name == "ross":
        extra_p = extra[p]
    elif name.startswith("kl"):
        extra_p = np.asarray(extra)[::-1]
    a = outcome(lambda: call(K, arrays, k, extra))
    b = outcome(lambda: call(K, permuted, k, extra_p))
    assert_close_or_both_refused(a, b, oracle_scale(name, arrays, k, extra), name)


@SETTINGS
@given(st.data())
def test_symmetry(data):
    name = data.draw(st.sampled_from(["mi", "mi2", "cmi"]))
    arrays, k, _ = data.draw(problem(name))
    call = CALLS[name][1]
    swapped = [arrays[1], arrays[0], *arrays[2:]]
    a = outcome(lambda: call(K, arrays, k, None))
    b = outcome(lambda: call(K, swapped, k, None))
    assert_close_or_both_refused(a, b, oracle_scale(name, arrays, k, None), name)


@SETTINGS
@given(st.data())
def test_float32_equals_its_float64_copy(data):
    name = data.draw(st.sampled_from(list(CALLS)))
    arrays, k, extra = data.draw(problem(name))
    f32 = [np.asarray(a).astype(data.draw(st.sampled_from(["<f4", ">f4"]))) for a in arrays]
    f64 = [a.astype(np.float64) for a in f32]
    ex32 = ex64 = extra
    if name.startswith("kl"):
        ex32 = np.asarray(extra).astype(np.float32)
        ex64 = ex32.astype(np.float64)
    call = CALLS[name][1]
    a = outcome(lambda: call(K, f32, k, ex32))
    b = outcome(lambda: call(K, f64, k, ex64))
    assert_close_or_both_refused(a, b, oracle_scale(name, f64, k, ex64), name)


# --------------------------------------------------------------------------
# translation
# --------------------------------------------------------------------------


@SETTINGS
@given(st.data())
def test_translation_on_the_grid(data):
    # quarters and whole numbers (|v| < 64) shifted by a multiple of 1/4: every
    # shifted coordinate is exact (float32: |c| <= 2^14, 24 bits; float64:
    # |c| <= 2^40), so are the differences
    name = data.draw(st.sampled_from(list(CALLS)))
    arrays, k, extra = data.draw(problem(name, kinds=["quarters", "whole"]))
    f32 = np.asarray(arrays[0]).dtype.itemsize == 4
    top = 2**14 if f32 else 2**40
    shifts = st.integers(-4 * top, 4 * top).map(lambda i: i / 4)

    def shifted(a):
        a = np.asarray(a)
        c = np.array(data.draw(shifts), dtype=a.dtype)
        b = a + c
        assert np.array_equal(b - c, a)  # exact
        return b

    if name.startswith("kl"):  # KL: one shift for both samples
        c = np.array(data.draw(shifts), dtype=np.asarray(arrays[0]).dtype)
        moved, extra_m = [np.asarray(arrays[0]) + c], np.asarray(extra) + c
    else:  # each variable its own shift
        moved, extra_m = [shifted(a) for a in arrays], extra
    call = CALLS[name][1]
    a = outcome(lambda: call(K, arrays, k, extra))
    b = outcome(lambda: call(K, moved, k, extra_m))
    assert_close_or_both_refused(a, b, oracle_scale(name, arrays, k, extra), name)


def _log_shift_bound(dist, same, k, d, M):
    """Per point, the bound on |log eps' - log eps| of the module docstring
    (inf when the shift could make a copy)."""
    u = 2.0**-53
    delta0 = math.sqrt(d) * 6 * u * M
    eps = R.kth_positive(dist, same, k)
    smallest = np.min(np.where(same, np.inf, dist))
    if smallest <= 4 * (delta0 + (d + 2) * u * smallest):
        return np.full(eps.shape, np.inf)
    delta = delta0 + (d + 2) * u * eps
    return delta / (eps - delta)


@SETTINGS
@given(st.data())
def test_translation_continuous(data):
    metric = data.draw(st.sampled_from(R.METRICS))
    kl = data.draw(st.booleans())
    (x,) = data.draw(variables(1, kinds=["continuous", "copies"], min_n=6))
    x = np.asarray(x, dtype=np.float64)
    n, d = x.shape
    k = data.draw(st.integers(1, 4))
    c = data.draw(st.floats(-1e3, 1e3, allow_nan=False))
    y = np.asarray(data.draw(variables(1, kinds=["continuous"], min_n=6, d=d))[0], np.float64)
    assume(R.n_distinct(R.distances(x, x)[1]) > k and R.n_distinct(R.distances(y, y)[1]) > k)
    M = max(np.max(np.abs(x)), np.max(np.abs(y)), np.max(np.abs(x + c)), np.max(np.abs(y + c)))
    if kl:
        got = K.kl_divergence(x + c, y + c, k, metric=metric)
        want, scale = R.kl_divergence(x, y, k, metric=metric, scale=True)
        b1 = _log_shift_bound(*R.distances(x, x, metric), k, d, M)
        b2 = _log_shift_bound(*R.distances(x, y, metric), k, d, M)
        bound = d / n * (np.sum(b1) + np.sum(b2))
    else:
        got = K.entropy(x + c, k, metric=metric)
        want, scale = R.entropy(x, k, metric=metric, scale=True)
        bound = d / n * np.sum(_log_shift_bound(*R.distances(x, x, metric), k, d, M))
    assume(np.isfinite(bound))
    assert abs(got - want) <= 2 * bound + ROUNDING * scale, (got, want, bound)


# --------------------------------------------------------------------------
# features, standardize
# --------------------------------------------------------------------------


@SETTINGS
@given(st.data())
def test_features_entry_is_the_single_call(data):
    X, y = data.draw(variables(2))
    y = np.asarray(y)
    if data.draw(st.booleans()):  # y (n,) or (n, d)
        y = y[:, 0]
    n = y.shape[0]
    kw = dict(
        k=data.draw(st.integers(1, 4)),
        algorithm=data.draw(st.sampled_from([1, 2])),
        standardize=data.draw(st.booleans()),
        base=data.draw(st.sampled_from([None, 2, 10.0])),
    )
    if data.draw(st.booleans()):
        kw["y_discrete"] = True
        y = data.draw(labels(n))
    got = outcome(lambda: K.mutual_information_features(X, y, **kw))
    X = np.asarray(X)
    singles = [outcome(lambda c=c: K.mutual_information(c, y, **kw)) for c in X.T]
    if any(isinstance(s, ValueError) for s in singles):
        assert isinstance(got, ValueError), (got, singles)
        return
    assert isinstance(got, np.ndarray) and got.dtype == np.float64, got
    assert_identical(got, np.array(singles), "features vs single calls")


STANDARDIZE = {
    "mi": lambda f, a, k, **kw: f.mutual_information(a[0], a[1], k, **kw),
    "mi2": lambda f, a, k, **kw: f.mutual_information(a[0], a[1], k, algorithm=2, **kw),
    "ross": lambda f, a, k, **kw: f.mutual_information(a[0], a[3], k, y_discrete=True, **kw),
    "cmi": lambda f, a, k, **kw: f.conditional_mutual_information(a[0], a[1], a[2], k, **kw),
    "kl": lambda f, a, k, **kw: f.kl_divergence(a[0], a[2], k, **kw),
    "kl-cheb": lambda f, a, k, **kw: f.kl_divergence(a[0], a[2], k, metric="chebyshev", **kw),
}


def standardized_by_hand(name, a):
    """The arguments of STANDARDIZE[name] standardized by the oracle's rule."""
    if name.startswith("kl"):
        x, q = R.pooled_standardized(a[0], a[2])
        return [x, a[1], q, a[3]]
    return [R.standardized(v) for v in a[:3]] + [a[3]]


@SETTINGS
@given(st.data())
def test_standardize_equals_by_hand(data):
    name = data.draw(st.sampled_from(list(STANDARDIZE)))
    n = data.draw(st.integers(8, 40))
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    dims = [data.draw(st.integers(1, 3)) for _ in range(2)]
    x, y, z = R.dependent(rng, n, dims[0], dims[1], dims[0], r=1.0)
    # columns of very different scales and offsets
    scale_list = st.lists(st.sampled_from([1e-3, 0.1, 1.0, 7.0, 1e3]), min_size=3, max_size=3)
    scales = data.draw(scale_list)
    offsets = data.draw(st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=3))
    a = [v * s + o for v, s, o in zip((x, y, z), scales, offsets)]
    a.append(rng.integers(0, 3, n))  # labels
    dtype = data.draw(st.sampled_from(["<f8", ">f8"]))
    how = data.draw(st.sampled_from(LAYOUTS))
    given_ = [R.layout(v.astype(dtype), how) for v in a[:3]] + [a[3]]
    k = data.draw(st.integers(1, 4))
    call = STANDARDIZE[name]
    got = outcome(lambda: call(K, given_, k, standardize=True))
    by_hand = standardized_by_hand(name, [np.asarray(v, np.float64) for v in a[:3]] + [a[3]])
    want = outcome(lambda: call(K, by_hand, k))
    scale = scale_of(lambda: call(R, by_hand, k, scale=True))
    assert_close_or_both_refused(got, want, scale, name)
    if not isinstance(want, ValueError):  # and the oracle agrees
        R.assert_estimate(got, call(R, by_hand, k), name)
