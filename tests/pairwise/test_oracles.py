"""``fastdiv.pairwise`` against its oracles, over every metric and keyword.

* The one-pair loop (``fdtest.measures.loop``: ``metric(P[i], Q[j], **kw)``,
  one public call per pair): bit-identical for JS divergence and distance,
  total variation, Renyi divergence and everything with ``logits=True``;
  KL divergence, cross-entropy and Hellinger within the shortcut bound of
  ``fdtest.tolerance.shortcut_bound`` (``fdtest.reference.check_shortcut``).
* SciPy: ``cdist(P, Q, "jensenshannon")`` and ``squareform(pdist(P,
  "jensenshannon"))`` against js_distance (dtype tolerance ``F64``).
* The 50-digit oracles of ``fdtest.reference`` (``check_pairwise``: the one
  accuracy bound of the exact family, per pair).
* ``Q=None`` against the full computation, the result's type, ``out=``, the
  metric given as a function, layouts, byte orders, dtypes, empty inputs.
"""

import math

import numpy as np
import pytest
from scipy.spatial.distance import cdist, jensenshannon, pdist, squareform

import fastdiv as fd
from fdtest import reference as R
from fdtest import tolerance as T
from fdtest.measures import (
    METRICS,
    NO_BASE,
    RENYI,
    SHORTCUT,
    SYMMETRIC,
    WITH_LOGITS,
    loop,
)
from fdtest.threads import assert_identical

M, N, K = 7, 6, 20

# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def assert_result(r, shape):
    """A float64, C-contiguous ndarray of the given shape."""
    assert isinstance(r, np.ndarray), type(r)
    assert r.dtype == np.float64 and r.shape == shape and r.flags.c_contiguous, (
        r.dtype,
        r.shape,
        r.flags,
    )


def make(rng, kind, dtype, m=M, n=N, k=K):
    """(P, Q) of one kind, in ``dtype``:

    raw         arbitrary scales, exact zeros; Q rows 0 and 1 have zeros where
                P rows are positive (KL, cross-entropy +inf there); P[1] equals
                Q[2] and P[4] equals P[1] (equal rows: KL, Hellinger exactly 0)
    normalized  rows that sum to 1 in ``dtype`` (for normalize=False)
    logits      unnormalized log-probabilities, negative entries included
    """
    if kind == "logits":
        P = rng.normal(size=(m, k)) * 3.0
        Q = rng.normal(size=(n, k)) * 2.0 - 5.0
        P[1] = Q[2]
        P[4] = P[1]
        return P.astype(dtype), Q.astype(dtype)
    P = rng.random((m, k)) * 3.7
    P[rng.random((m, k)) < 0.15] = 0.0
    P[:, 0] += 0.5
    Q = rng.random((n, k)) * 0.02 + 1e-4
    Q[:2][rng.random((2, k)) < 0.2] = 0.0
    Q[:2, 0] = 0.0  # every P row is positive there: +inf for KL and cross-entropy
    Q[3, ::3] = 0.0
    if kind == "normalized":
        P = P / P.sum(axis=1, keepdims=True)
        Q = Q / Q.sum(axis=1, keepdims=True)
    P, Q = P.astype(dtype), Q.astype(dtype)
    P[1] = Q[2]
    P[4] = P[1]
    return P, Q


def keyword_combos(bases):
    """(metric, keywords): every metric with every keyword combination, the
    bases among ``bases`` where the metric takes one."""
    for metric in METRICS:
        mbases = [None] if metric in NO_BASE else bases
        alphas = [0.0, 0.5, 1.0, 2.0, math.inf] if metric in RENYI else [None]
        variants = [{"normalize": True}, {"normalize": False}]
        if metric in WITH_LOGITS:
            variants.append({"logits": True})
        for base in mbases:
            for alpha in alphas:
                for v in variants:
                    kw = dict(v)
                    if base is not None:
                        kw["base"] = base
                    if alpha is not None:
                        kw["alpha"] = alpha
                    tag = "-".join(f"{k}={v}" for k, v in kw.items())
                    yield pytest.param(metric, kw, id=f"{metric}-{tag}")


def kind_of(kw):
    if kw.get("logits"):
        return "logits"
    return "normalized" if kw.get("normalize") is False else "raw"


def bit_identical_metric(metric, kw):
    return metric not in SHORTCUT or bool(kw.get("logits"))


def check_against_loop(got, P, Q, metric, kw):
    """``got = pairwise(P, Q, metric=metric, **kw)`` against the one-pair loop:
    bit-identical or within the shortcut bound; with Q=None and a symmetric
    metric, the upper triangle against the loop, the lower one its exact
    mirror, the diagonal exactly 0."""
    m = P.shape[0]
    want = loop(metric, P, Q, **kw)
    sym = Q is None and metric in SYMMETRIC
    if bit_identical_metric(metric, kw):
        if sym:
            iu = np.triu_indices(m, 1)
            assert_identical(got[iu], want[iu], f"{metric} {kw} upper triangle")
        else:
            assert_identical(got, want, f"{metric} {kw}")
    else:
        scale = R.term_scale(metric, P, Q, normalize=kw.get("normalize", True), base=kw.get("base"))
        if sym:
            iu = np.triu_indices(m, 1)
            R.check_shortcut(got[iu], want[iu], scale[iu], metric, bound=T.shortcut_bound(P, Q))
        else:
            R.check_shortcut(got, want, scale, metric, bound=T.shortcut_bound(P, Q))
    if sym:
        assert_identical(got.T, got, f"{metric} {kw}: mirror")
        assert np.all(np.diag(got) == 0.0), np.diag(got)


def equal_row_pairs(P, Q):
    """(i, j) with P[i] and Q[j] equal values (Q=None: P against itself)."""
    Q = P if Q is None else Q
    eq = np.all(P[:, None, :] == Q[None, :, :], axis=-1)
    return list(zip(*np.nonzero(eq)))


# --------------------------------------------------------------------------
# the one-pair loop, every metric and keyword
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f8", "f4"])
@pytest.mark.parametrize("self_", [False, True], ids=["PQ", "Qnone"])
@pytest.mark.parametrize("metric,kw", list(keyword_combos([None, 2, 10])))
def test_matches_one_pair_loop(metric, kw, self_, dtype, rng):
    P, Q = make(rng, kind_of(kw), dtype)
    Qarg = None if self_ else Q
    got = fd.pairwise(P, Qarg, metric=metric, **kw)
    assert_result(got, (M, M if self_ else N))
    check_against_loop(got, P, Qarg, metric, kw)
    # equal rows give exactly 0 (cross-entropy: the entropy; Renyi of rows used
    # as given is 0 only up to their sum's rounding)
    if metric != "cross_entropy" and not (metric in RENYI and kw.get("normalize") is False):
        for i, j in equal_row_pairs(P, Qarg):
            assert got[i, j] == 0.0, (metric, kw, i, j, got[i, j])
    if metric in ("kl_divergence", "cross_entropy") and not kw.get("logits") and not self_:
        assert np.isinf(got[:, :2]).all()  # p > 0 = q in column 0 of Q rows 0 and 1


@pytest.mark.parametrize("metric", METRICS)
def test_default_keywords_match_one_pair_loop(metric, rng):
    P, Q = make(rng, "raw", np.float64)
    kw = {"alpha": 0.5} if metric in RENYI else {}
    check_against_loop(fd.pairwise(P, Q, metric=metric, **kw), P, Q, metric, kw)
    check_against_loop(fd.pairwise(P, metric=metric, **kw), P, None, metric, kw)


# --------------------------------------------------------------------------
# SciPy
# --------------------------------------------------------------------------


@pytest.mark.parametrize("normalized", [True, False], ids=["rows-sum-1", "raw-rows"])
def test_js_distance_matches_scipy_cdist(normalized, rng):
    P, Q = make(rng, "normalized" if normalized else "raw", np.float64, m=9, n=11, k=33)
    got = fd.pairwise(P, Q)  # the default metric is js_distance
    np.testing.assert_allclose(got, cdist(P, Q, "jensenshannon"), **T.F64)
    np.testing.assert_allclose(
        fd.pairwise(P, Q, metric="js_distance", base=2), cdist(P, Q, jensenshannon, base=2), **T.F64
    )
    np.testing.assert_allclose(
        fd.pairwise(P, Q, metric="js_distance", base=2),
        cdist(P, Q, "jensenshannon") / math.sqrt(math.log(2)),
        **T.F64,
    )
    np.testing.assert_allclose(
        fd.pairwise(P, Q, metric="js_divergence", base=10),
        cdist(P, Q, jensenshannon) ** 2 / math.log(10),
        **T.F64,
    )


def test_js_distance_matches_scipy_pdist(rng):
    P, _ = make(rng, "normalized", np.float64, m=12, k=40)
    got = fd.pairwise(P)
    want = squareform(pdist(P, "jensenshannon"))
    np.testing.assert_allclose(got, want, **T.F64)
    np.testing.assert_allclose(
        fd.pairwise(P, base=2), squareform(pdist(P, jensenshannon, base=2)), **T.F64
    )
    assert_identical(got, got.T, "mirror")
    assert np.all(np.diag(got) == 0.0)


def test_float32_matches_scipy_within_float32_tolerance(rng):
    P, Q = make(rng, "raw", np.float32, m=5, n=8, k=50)
    want = cdist(P.astype(np.float64), Q.astype(np.float64), "jensenshannon")
    np.testing.assert_allclose(fd.pairwise(P, Q), want, **T.F32)


# --------------------------------------------------------------------------
# the 50-digit oracles
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f8", "f4"])
@pytest.mark.parametrize("metric,kw", list(keyword_combos([None, 2])))
def test_matches_mpmath_oracle(metric, kw, dtype, rng):
    P, Q = make(rng, kind_of(kw), dtype, m=5, n=4, k=9)
    okw = {
        "alpha": kw.get("alpha"),
        "logits": kw.get("logits", False),
        "normalize": kw.get("normalize", True),
    }
    got = fd.pairwise(P, Q, metric=metric, **kw)
    R.check_pairwise(got, P, Q, metric, base=kw.get("base"), **okw)
    got = fd.pairwise(P, metric=metric, **kw)
    R.check_pairwise(got, P, None, metric, base=kw.get("base"), **okw)


# --------------------------------------------------------------------------
# Q=None against the full computation
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f8", "f4"])
@pytest.mark.parametrize("metric", METRICS)
def test_q_none_against_full_computation(metric, dtype, rng):
    P, _ = make(rng, "raw", dtype, m=23, k=31)
    kw = {"alpha": 2.0} if metric in RENYI else {}
    half = fd.pairwise(P, metric=metric, **kw)
    full = fd.pairwise(P, P.copy(), metric=metric, **kw)
    assert_result(half, (23, 23))
    if metric in SYMMETRIC:
        assert_identical(half.T, half, "mirror")
        assert np.all(np.diag(half) == 0.0)
        iu = np.triu_indices(23, 1)
        if metric in SHORTCUT:
            scale = R.term_scale(metric, P, P)
            R.check_shortcut(half[iu], full[iu], scale[iu], metric, bound=T.shortcut_bound(P))
        else:
            assert_identical(half[iu], full[iu], "upper triangle")
    elif metric in SHORTCUT:
        R.check_shortcut(half, full, R.term_scale(metric, P, P), metric, bound=T.shortcut_bound(P))
    else:
        assert_identical(half, full, metric)
    if metric != "cross_entropy":  # the diagonal of cross-entropy is the entropy
        assert np.all(np.diag(half) == 0.0) and np.all(np.diag(full) == 0.0), metric


@pytest.mark.parametrize("metric", SYMMETRIC)
def test_q_none_with_many_rows_is_mirrored_exactly(metric, rng):
    # past any tile size: the triangle and its mirror over several tiles
    P = rng.random((301, 12))
    P[rng.random(P.shape) < 0.2] = 0.0
    P[:, 3] += 0.1
    r = fd.pairwise(P, metric=metric)
    assert_identical(r.T, r, "mirror")
    assert np.all(np.diag(r) == 0.0)
    assert np.all(r[np.triu_indices(301, 1)] >= 0.0)


# --------------------------------------------------------------------------
# the metric by name or by function; the default
# --------------------------------------------------------------------------


@pytest.mark.parametrize("metric", METRICS)
def test_metric_as_function_equals_name(metric, rng):
    P, Q = make(rng, "raw", np.float64)
    kw = {"alpha": 0.5} if metric in RENYI else {}
    by_name = fd.pairwise(P, Q, metric=metric, **kw)
    by_func = fd.pairwise(P, Q, metric=getattr(fd, metric), **kw)
    assert_identical(by_func, by_name, metric)
    assert_identical(
        fd.pairwise(P, metric=getattr(fd, metric), **kw), fd.pairwise(P, metric=metric, **kw)
    )


def test_default_metric_is_js_distance(rng):
    P, Q = make(rng, "raw", np.float64)
    assert_identical(fd.pairwise(P, Q), fd.pairwise(P, Q, metric="js_distance"))
    assert_identical(fd.pairwise(P), fd.pairwise(P, metric="js_distance"))


# --------------------------------------------------------------------------
# out=
# --------------------------------------------------------------------------


@pytest.mark.parametrize("self_", [False, True], ids=["PQ", "Qnone"])
@pytest.mark.parametrize("metric", METRICS)
def test_out_receives_the_result(metric, self_, rng):
    P, Q = make(rng, "raw", np.float64)
    Qarg = None if self_ else Q
    kw = {"alpha": 2.0} if metric in RENYI else {}
    want = fd.pairwise(P, Qarg, metric=metric, **kw)
    out = np.full(want.shape, np.nan)  # every entry must be written, mirror and diagonal too
    r = fd.pairwise(P, Qarg, metric=metric, out=out, **kw)
    assert r is out
    assert_identical(out, want, metric)


def test_out_with_empty_shape():
    out = np.empty((0, 3))
    r = fd.pairwise(np.ones((0, 4)), np.ones((3, 4)), out=out)
    assert r is out and r.shape == (0, 3)


# --------------------------------------------------------------------------
# layouts, byte orders, dtypes: the same values give the same bits
# --------------------------------------------------------------------------


def layouts(x):
    """The same values in other layouts and byte orders."""
    out = {
        "fortran": np.asfortranarray(x),
        "big-endian": x.astype(x.dtype.newbyteorder(">")),
        "big-endian-fortran": np.asfortranarray(x.astype(x.dtype.newbyteorder(">"))),
        "transposed-view": np.ascontiguousarray(x.T).T,
    }
    buf = np.zeros((x.shape[0] * 2, x.shape[1] * 3), dtype=x.dtype)
    buf[::2, ::3] = x
    out["strided"] = buf[::2, ::3]
    out["reversed"] = np.ascontiguousarray(x[::-1, ::-1])[::-1, ::-1]
    ro = x.copy()
    ro.flags.writeable = False
    out["read-only"] = ro
    raw = bytearray(x.size * x.itemsize + 1)
    un = np.frombuffer(raw, dtype=x.dtype, count=x.size, offset=1).reshape(x.shape)
    un[...] = x
    out["unaligned"] = un
    return out


LAYOUT_NAMES = list(layouts(np.zeros((2, 2))))
VARIANTS = [
    ("kl_divergence", {}),
    ("kl_divergence", {"logits": True}),
    ("cross_entropy", {"base": 2}),
    ("js_divergence", {}),
    ("js_distance", {"base": 2}),
    ("total_variation", {}),
    ("hellinger", {}),
    ("renyi_divergence", {"alpha": 0.5}),
    ("renyi_divergence", {"alpha": math.inf}),
]
VIDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for n, kw in VARIANTS]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f8", "f4"])
@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("metric,kw", VARIANTS, ids=VIDS)
def test_layouts_bit_identical_and_inputs_unmodified(metric, kw, layout, dtype, rng):
    P, Q = make(rng, "logits" if kw.get("logits") else "raw", dtype)
    ref = fd.pairwise(P, Q, metric=metric, **kw)
    ref_self = fd.pairwise(P, metric=metric, **kw)
    lp, lq = layouts(P)[layout], layouts(Q)[layout]
    assert np.array_equal(lp, P) and np.array_equal(lq, Q)
    before = [(a.tobytes(), a.strides, a.flags.writeable) for a in (lp, lq)]
    assert_identical(fd.pairwise(lp, lq, metric=metric, **kw), ref, layout)
    assert_identical(fd.pairwise(lp, Q, metric=metric, **kw), ref, layout + " P only")
    assert_identical(fd.pairwise(P, lq, metric=metric, **kw), ref, layout + " Q only")
    assert_identical(fd.pairwise(lp, metric=metric, **kw), ref_self, layout + " Q=None")
    assert before == [(a.tobytes(), a.strides, a.flags.writeable) for a in (lp, lq)]


@pytest.mark.parametrize("metric,kw", VARIANTS, ids=VIDS)
def test_float32_within_float32_tolerance_of_float64(metric, kw, rng):
    P, Q = make(rng, "logits" if kw.get("logits") else "raw", np.float32)
    got = fd.pairwise(P, Q, metric=metric, **kw)
    ref = fd.pairwise(P.astype(np.float64), Q.astype(np.float64), metric=metric, **kw)
    assert np.array_equal(np.isinf(got), np.isinf(ref))
    fin = np.isfinite(ref)
    np.testing.assert_allclose(got[fin], ref[fin], **T.F32)


@pytest.mark.parametrize("metric,kw", VARIANTS, ids=VIDS)
def test_mixed_float32_float64_matches_one_pair_loop(metric, kw, rng):
    P, Q = make(rng, "logits" if kw.get("logits") else "raw", np.float64)
    P32 = P.astype(np.float32)
    check_against_loop(fd.pairwise(P32, Q, metric=metric, **kw), P32, Q, metric, kw)
    check_against_loop(fd.pairwise(Q, P32, metric=metric, **kw), Q, P32, metric, kw)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
@pytest.mark.parametrize("metric", METRICS)
def test_integer_and_bool_inputs_are_float64(metric, dtype, rng):
    P = rng.integers(0, 5, (6, 9))
    Q = rng.integers(1, 5, (5, 9))
    P[:, 0] = 1
    if dtype == np.bool_:
        P, Q = P > 1, Q > 1
        P[:, 0] = Q[:, 0] = True
    P, Q = P.astype(dtype), Q.astype(dtype)
    kw = {"alpha": 2.0} if metric in RENYI else {}
    ref = fd.pairwise(P.astype(np.float64), Q.astype(np.float64), metric=metric, **kw)
    assert_identical(fd.pairwise(P, Q, metric=metric, **kw), ref, str(dtype))
    assert_identical(fd.pairwise(P.tolist(), Q.tolist(), metric=metric, **kw), ref, "lists")


# --------------------------------------------------------------------------
# empty inputs
# --------------------------------------------------------------------------


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("m,n", [(0, 3), (3, 0), (0, 0)])
def test_empty(metric, m, n):
    kw = {"alpha": 2.0} if metric in RENYI else {}
    P, Q = np.ones((m, 4)), np.ones((n, 4))
    assert_result(fd.pairwise(P, Q, metric=metric, **kw), (m, n))
    assert_result(fd.pairwise(P.astype(np.float32), Q, metric=metric, **kw), (m, n))
    if m == 0:
        assert_result(fd.pairwise(P, metric=metric, **kw), (0, 0))


def test_one_row_each():
    p, q = np.array([[0.2, 0.3, 0.5]]), np.array([[0.1, 0.1, 0.8]])
    r = fd.pairwise(p, q, metric="kl_divergence")
    assert_result(r, (1, 1))
    assert r[0, 0] == pytest.approx(float(fd.kl_divergence(p[0], q[0])), rel=1e-13)
    r = fd.pairwise(p)
    assert_result(r, (1, 1))
    assert r[0, 0] == 0.0
