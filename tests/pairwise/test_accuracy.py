"""Accuracy of the metrics that may take a shortcut (KL divergence,
cross-entropy, Hellinger) where a shortcut loses it: nearly equal rows,
rows of a few large and many tiny entries, rows of counts, zeros,
subnormal entries, long rows.

Two bounds (``fdtest.reference``):

* against the one-pair loop, ``check_shortcut`` with ``fdtest.tolerance.shortcut_bound``:
  ``|pairwise - one_pair| <= 1e-13 * sum|terms|`` per pair, with no floor
  (Hellinger through its square), +inf exactly where the one-pair call is +inf,
  never negative;
* against the 50-digit oracles, ``check_pairwise``: the exact family's one
  accuracy bound (whose floor is the rounding of the normalization, which the
  one-pair functions themselves need on nearly equal rows).

Equal rows give exactly 0 (KL and Hellinger; JS and total variation too).
"""

import math

import numpy as np
import pytest

import fastdiv as fd
from fdtest import reference as R
from fdtest import tolerance as T
from fdtest.measures import SHORTCUT, loop


def near(rng, m, K, rel):
    P = rng.random((m, K)) + 0.01
    Q = P * (1.0 + rel * rng.standard_normal((m, K)))
    return P, Q


def case_data(kind, K, seed=0):
    """(P, Q) float64, 6 x K and 5 x K: row i of Q is close to row i of P."""
    rng = np.random.default_rng(seed + K)
    if kind == "near-1e-9":
        P, Q = near(rng, 6, K, 1e-9)
    elif kind == "near-1e-6":
        P, Q = near(rng, 6, K, 1e-6)
    elif kind == "near-1e-15":
        P, Q = near(rng, 6, K, 1e-15)
    elif kind == "peaked":
        # a few large entries and many tiny ones
        P = 10.0 ** rng.uniform(-20, -10, (6, K))
        P[:, : min(3, K)] = rng.random((6, min(3, K))) + 0.5
        Q = P * (1.0 + 1e-9 * rng.standard_normal((6, K)))
    elif kind == "counts":
        # rows of counts summing to 1e6; Q: other counts of nearly the same law
        law = rng.dirichlet(np.ones(K), 6)
        P = np.stack([rng.multinomial(10**6, w) for w in law]).astype(np.float64)
        Q = P + rng.integers(0, 3, P.shape)
        P[:, 0] += 1.0
        Q[:, 0] += 1.0
    elif kind == "zeros":
        # p = 0 where q > 0 (0 log 0 = 0), q = 0 where p > 0 in row 1 of Q (+inf),
        # columns zero in both
        P, Q = near(rng, 6, K, 1e-9)
        P[:, 1::4] = 0.0
        Q[:, 2::5] = 0.0
        P[:, 2::5] = 0.0  # where q = 0, p = 0 too: finite
        if K > 3:
            Q[1, 3] = 0.0  # p > 0 = q: +inf for KL and cross-entropy in column 1
            P[:, 3] = np.maximum(P[:, 3], 0.1)
        P[:, 0] = Q[:, 0] = 0.5
    elif kind == "subnormal":
        P, Q = near(rng, 6, K, 1e-9)
        P[:, 1::3] = rng.uniform(0, 1e-310, P[:, 1::3].shape)
        Q[:, 1::3] = P[:, 1::3]
        Q[:, 2::3] *= 1e-310  # scaled into the subnormals
        P[:, 2::3] *= 1e-310
        P[5] = rng.uniform(0, 2.2e-308, K)  # a row of only subnormals
        P[5, 0] = 5e-324
        Q[4] = P[5] * 3.0
    elif kind == "wide":
        P = rng.lognormal(0.0, 3.0, (6, K))
        Q = P * np.exp(1e-8 * rng.standard_normal((6, K)))
    else:
        raise AssertionError(kind)
    return P, Q[:5].copy()


KINDS = ["near-1e-9", "near-1e-6", "near-1e-15", "peaked", "counts", "zeros", "subnormal", "wide"]
KEYWORDS = [{}, {"base": 2}, {"normalize": False}]
KW_IDS = ["default", "base2", "raw"]


def with_keywords(P, Q, kw, metric):
    """Drop base where the metric has none; normalize the rows for normalize=False."""
    kw = dict(kw)
    if metric == "hellinger":
        kw.pop("base", None)
    if kw.get("normalize") is False:
        P = P / P.sum(axis=1, keepdims=True)
        Q = Q / Q.sum(axis=1, keepdims=True)
    return P, Q, kw


@pytest.mark.parametrize("kw", KEYWORDS, ids=KW_IDS)
@pytest.mark.parametrize("K", [7, 300])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("metric", SHORTCUT)
def test_shortcut_bound_against_one_pair_loop(metric, kind, K, kw):
    P, Q, kw = with_keywords(*case_data(kind, K), kw, metric)
    normalize = kw.get("normalize", True)
    got = fd.pairwise(P, Q, metric=metric, **kw)
    want = loop(metric, P, Q, **kw)
    scale = R.term_scale(metric, P, Q, normalize=normalize, base=kw.get("base"))
    R.check_shortcut(
        got, want, scale, metric, bound=T.shortcut_bound(P, Q), where=f" ({kind}, K={K})"
    )
    got = fd.pairwise(P, metric=metric, **kw)
    want = loop(metric, P, None, **kw)
    scale = R.term_scale(metric, P, None, normalize=normalize, base=kw.get("base"))
    if metric == "hellinger":  # symmetric: the upper triangle is computed
        iu = np.triu_indices(P.shape[0], 1)
        got, want, scale = got[iu], want[iu], scale[iu]
    R.check_shortcut(
        got, want, scale, metric, bound=T.shortcut_bound(P), where=f" ({kind}, K={K}, Q=None)"
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("metric", SHORTCUT)
def test_against_mpmath(metric, kind):
    P, Q = case_data(kind, 40)
    R.check_pairwise(fd.pairwise(P, Q, metric=metric), P, Q, metric)
    R.check_pairwise(fd.pairwise(P, metric=metric), P, None, metric)
    if metric != "hellinger":
        R.check_pairwise(fd.pairwise(P, Q, metric=metric, base=2), P, Q, metric, base=2)


@pytest.mark.parametrize("kind", KINDS)
def test_equal_rows_give_exactly_zero(kind):
    P, _ = case_data(kind, 64)
    for metric in ["kl_divergence", "hellinger", "js_divergence", "js_distance", "total_variation"]:
        for r in (fd.pairwise(P, P, metric=metric), fd.pairwise(P, P.copy(), metric=metric)):
            assert np.all(np.diag(r) == 0.0), (metric, np.diag(r))
        assert np.all(np.diag(fd.pairwise(P, metric=metric)) == 0.0), metric
        Pn = P / P.sum(axis=1, keepdims=True)
        r = fd.pairwise(Pn, Pn.copy(), metric=metric, normalize=False)
        assert np.all(np.diag(r) == 0.0), (metric, "normalize=False", np.diag(r))
    # duplicated rows at other indices
    Q = P[[3, 0, 3, 5]]
    for metric in ["kl_divergence", "hellinger"]:
        r = fd.pairwise(P, Q, metric=metric)
        assert r[3, 0] == r[0, 1] == r[3, 2] == r[5, 3] == 0.0, (metric, r)
        r = fd.pairwise(np.vstack([P, P[:2]]), metric=metric)
        assert r[6, 0] == r[0, 6] == r[7, 1] == r[1, 7] == 0.0, (metric, r)


@pytest.mark.parametrize("metric", SHORTCUT)
def test_long_rows_nearly_equal(metric):
    # the cancellation of a shortcut grows with the entropy (log K)
    rng = np.random.default_rng(11)
    P, Q = near(rng, 6, 5000, 1e-9)
    got = fd.pairwise(P, Q, metric=metric)
    scale = R.term_scale(metric, P, Q)
    R.check_shortcut(
        got, loop(metric, P, Q), scale, metric, bound=T.shortcut_bound(P, Q), where=" K=5000"
    )
    if metric != "cross_entropy":
        assert np.all(np.diag(fd.pairwise(P, P.copy(), metric=metric)) == 0.0)


@pytest.mark.parametrize("metric", SHORTCUT)
def test_never_negative_and_never_nan(metric):
    rng = np.random.default_rng(5)
    for rel in (0.0, 1e-16, 1e-12, 1e-8):
        P = rng.random((40, 33))
        P[rng.random(P.shape) < 0.1] = 0.0
        P[:, 0] += 0.1
        Q = P * (1.0 + rel * rng.standard_normal(P.shape))
        for r in (fd.pairwise(P, Q, metric=metric), fd.pairwise(P, metric=metric)):
            assert not np.any(np.isnan(r)) and np.all(r >= 0.0), (metric, rel, r.min())
        for dt in ("<f4", ">f4"):
            r = fd.pairwise(P.astype(dt), Q.astype(dt), metric=metric)
            assert not np.any(np.isnan(r)) and np.all(r >= 0.0), (metric, rel, dt, r.min())


def test_zero_conventions():
    P = np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0], [0.2, 0.3, 0.5]])
    Q = np.array([[0.5, 0.0, 0.5], [0.25, 0.25, 0.5], [0.0, 0.0, 1.0]])
    kl = fd.pairwise(P, Q, metric="kl_divergence")
    ce = fd.pairwise(P, Q, metric="cross_entropy")
    inf_at = np.array([[True, False, True], [False, False, False], [True, False, True]])
    assert np.array_equal(np.isinf(kl), inf_at) and np.array_equal(np.isinf(ce), inf_at)
    assert np.all(kl[np.isinf(kl)] > 0) and np.all(ce[np.isinf(ce)] > 0)
    # 0 log 0 = 0: P[1] = Q[2] exactly; P[0] against Q[1] is log 2
    assert kl[1, 2] == 0.0
    assert kl[0, 1] == pytest.approx(math.log(2), rel=1e-15)
    assert kl[1, 1] == pytest.approx(math.log(2), rel=1e-15)
    assert ce[1, 2] == 0.0
    assert ce[1, 1] == pytest.approx(math.log(2), rel=1e-15)
    h = fd.pairwise(P, Q, metric="hellinger")
    assert np.all(np.isfinite(h)) and h[1, 2] == 0.0
    assert h[1, 0] == pytest.approx(math.sqrt(1.0 - math.sqrt(0.5)), rel=1e-14)
    assert fd.pairwise(P[:1], np.array([[0.0, 0.0, 1.0]]), metric="hellinger")[0, 0] == 1.0


def test_disjoint_rows_hit_the_upper_bounds():
    P = np.array([[1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0]])
    Q = np.array([[0.0, 0.0, 0.5, 0.5], [0.0, 0.0, 0.25, 0.75]])
    for metric, top in [
        ("js_divergence", math.log(2)),
        ("total_variation", 1.0),
        ("hellinger", 1.0),
    ]:
        r = fd.pairwise(P, Q, metric=metric)
        assert np.all(r <= top) and np.allclose(r, top, rtol=1e-15, atol=0), (metric, r)
    r = fd.pairwise(P, Q, metric="js_distance", base=2)
    assert np.all(r <= 1.0) and np.allclose(r, 1.0, rtol=1e-15, atol=0), r
