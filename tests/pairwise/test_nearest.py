"""``fastdiv.nearest`` against a brute-force search over ``fastdiv.pairwise``:
``indices == argsort(pairwise(P, Q), axis=1, kind="stable")[:, :k]`` (nearest
first, equal values to the lower index; with ``Q=None`` the row itself left
out) and ``values`` equal to the gathered entries of the full matrix, bit for
bit."""

import math
import tracemalloc

import numpy as np
import pytest

import fastdiv as fd
from fdtest.measures import METRICS, RENYI


def bits(x):
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64)).view(np.int64)


def brute_force(D, k, exclude_self):
    """(indices, values) of the k smallest entries of every row of D, nearest
    first, ties to the lower index; exclude_self leaves out column i of row i."""
    m, n = D.shape
    idx = np.empty((m, k), dtype=np.intp)
    for i in range(m):
        cols = np.arange(n)
        if exclude_self:
            cols = cols[cols != i]
        idx[i] = cols[np.argsort(D[i, cols], kind="stable")[:k]]
    return idx, np.take_along_axis(D, idx, axis=1) if m else np.empty((0, k))


def check_nearest(P, Q, k, metric, **kw):
    got_i, got_v = fd.nearest(P, Q, k=k, metric=metric, **kw)
    m = np.shape(P)[0]
    assert isinstance(got_i, np.ndarray) and isinstance(got_v, np.ndarray)
    assert got_i.dtype == np.intp and got_i.shape == (m, k), (got_i.dtype, got_i.shape)
    assert got_v.dtype == np.float64 and got_v.shape == (m, k), (got_v.dtype, got_v.shape)
    D = fd.pairwise(P, Q, metric=metric, **kw)
    want_i, want_v = brute_force(D, k, Q is None)
    bad = np.argwhere(got_i != want_i)
    assert not bad.size, (
        f"{metric} k={k}: row {bad[0][0]}: indices {got_i[bad[0][0]].tolist()}, expected "
        f"{want_i[bad[0][0]].tolist()} (values {D[bad[0][0]][want_i[bad[0][0]]].tolist()})"
    )
    assert np.array_equal(bits(got_v), bits(want_v)), (metric, k, got_v, want_v)
    # values[i, r] == pairwise(P, Q)[i, indices[i, r]], bit for bit
    assert np.array_equal(bits(got_v), bits(np.take_along_axis(D, got_i, axis=1)))
    if Q is None:
        assert not np.any(got_i == np.arange(m)[:, None]), "a row found itself"
    return got_i, got_v


def data(rng, m, n, K, dups=True):
    """P, Q with exact zeros, duplicate rows in Q (ties) and rows of P equal to rows of Q."""
    P = rng.random((m, K))
    P[rng.random(P.shape) < 0.2] = 0.0
    P[:, 0] += 0.05
    Q = rng.random((n, K))
    Q[rng.random(Q.shape) < 0.2] = 0.0
    Q[:, 0] += 0.05
    if dups and n >= 8:
        Q[5] = Q[2]
        Q[7] = Q[2]
        Q[n - 1] = Q[1]
        P[0] = Q[2]  # ties at distance 0: 2, 5, 7
        P[m - 1] = Q[1] * 2.0  # proportional: the same distribution
    if dups and m >= 6:
        P[4] = P[3]  # with Q=None: each is the other's nearest
    return P, Q


def metric_kwargs(metric):
    return [{"alpha": 0.5}, {"alpha": 2.0}, {"alpha": 0.0}] if metric in RENYI else [{}]


@pytest.mark.parametrize("self_", [False, True], ids=["PQ", "Qnone"])
@pytest.mark.parametrize("metric", METRICS)
def test_matches_brute_force(metric, self_, rng):
    P, Q = data(rng, 9, 12, 15)
    Qarg = None if self_ else Q
    n = 8 if self_ else 12
    for kw in metric_kwargs(metric):
        for k in sorted({1, 2, 3, n // 2, n}):
            check_nearest(P, Qarg, k, metric, **kw)


@pytest.mark.parametrize("metric", METRICS)
def test_ties_go_to_the_lower_index(metric, rng):
    P, Q = data(rng, 6, 10, 8)
    kw = {"alpha": 2.0} if metric in RENYI else {}
    idx, val = check_nearest(P, Q, 3, metric, **kw)
    if metric != "cross_entropy":  # P[0] equals Q[2], Q[5], Q[7]: three ties at 0
        assert idx[0].tolist() == [2, 5, 7] and np.all(val[0] == 0.0), (idx[0], val[0])
    # Q=None: P[3] == P[4], each the other's nearest, at 0
    idx, val = check_nearest(P, None, 2, metric, **kw)
    if metric != "cross_entropy":
        assert idx[3, 0] == 4 and idx[4, 0] == 3 and val[3, 0] == val[4, 0] == 0.0


def test_ties_among_infinities_go_to_the_lower_index():
    # KL is +inf against every row of Q with a zero where p > 0
    P = np.array([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0]])
    Q = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.5, 0.5], [0.2, 0.3, 0.5]])
    idx, val = check_nearest(P, Q, 4, "kl_divergence")
    assert idx.tolist() == [[3, 0, 1, 2], [3, 0, 1, 2]]
    assert np.all(np.isinf(val[:, 1:]))
    idx, val = check_nearest(P, Q, 4, "cross_entropy")
    assert idx[:, 1:].tolist() == [[0, 1, 2], [0, 1, 2]]


@pytest.mark.parametrize("metric", ["js_distance", "kl_divergence", "hellinger"])
def test_larger_search(metric, rng):
    # several tiles of Q, many rows, k from 1 to n
    P, Q = data(rng, 60, 310, 30)
    for k in (1, 7, 310):
        check_nearest(P, Q, k, metric)
    for k in (1, 59):
        check_nearest(P, None, k, metric)


@pytest.mark.parametrize("kw", [{"base": 2}, {"normalize": False}, {"logits": True}])
def test_keywords_are_passed_to_the_metric(kw, rng):
    P, Q = data(rng, 7, 9, 11, dups=False)
    if kw.get("normalize") is False:
        P = P / P.sum(axis=1, keepdims=True)
        Q = Q / Q.sum(axis=1, keepdims=True)
    if kw.get("logits"):
        P, Q = rng.normal(size=P.shape), rng.normal(size=Q.shape)
    for metric in ["kl_divergence", "js_divergence", "cross_entropy"]:
        check_nearest(P, Q, 4, metric, **kw)
        check_nearest(P, None, 3, metric, **kw)
    if "logits" not in kw:
        check_nearest(P, Q, 2, "renyi_divergence", alpha=math.inf, **kw)


def test_default_metric_and_k(rng):
    P, Q = data(rng, 5, 9, 6)
    idx, val = fd.nearest(P, Q)
    assert idx.shape == val.shape == (5, 1)
    idx2, val2 = fd.nearest(P, Q, k=1, metric="js_distance")
    assert np.array_equal(idx, idx2) and np.array_equal(bits(val), bits(val2))
    idx3, _ = fd.nearest(P, Q, k=np.int64(2))  # a NumPy integer is an integer
    assert idx3.shape == (5, 2)


def test_metric_as_function(rng):
    P, Q = data(rng, 5, 9, 6)
    for metric in METRICS:
        kw = {"alpha": 0.5} if metric in RENYI else {}
        a = fd.nearest(P, Q, k=3, metric=metric, **kw)
        b = fd.nearest(P, Q, k=3, metric=getattr(fd, metric), **kw)
        assert np.array_equal(a[0], b[0]) and np.array_equal(bits(a[1]), bits(b[1])), metric


@pytest.mark.parametrize("dtype", ["<f4", ">f4", ">f8"])
def test_dtypes_and_layouts(dtype, rng):
    P, Q = data(rng, 8, 13, 10)
    P, Q = P.astype(dtype), np.asfortranarray(Q.astype(dtype))[:, :]
    buf = np.zeros((16, 20), dtype=dtype)
    buf[::2, ::2] = P
    Ps = buf[::2, ::2]
    for metric in ["js_distance", "kl_divergence", "total_variation"]:
        a = check_nearest(P, Q, 5, metric)
        b = check_nearest(Ps, Q, 5, metric)
        assert np.array_equal(a[0], b[0]) and np.array_equal(bits(a[1]), bits(b[1]))


def test_empty_p(rng):
    idx, val = fd.nearest(np.ones((0, 4)), rng.random((3, 4)), k=2)
    assert idx.shape == (0, 2) and val.shape == (0, 2)
    assert idx.dtype == np.intp and val.dtype == np.float64


def test_inputs_unmodified(rng):
    P, Q = data(rng, 8, 13, 10)
    P0, Q0 = P.copy(), Q.copy()
    fd.nearest(P, Q, k=3, metric="kl_divergence")
    fd.nearest(P, k=3, metric="hellinger")
    assert np.array_equal(P, P0) and np.array_equal(Q, Q0)


def test_does_not_hold_the_full_matrix(rng):
    """Memory O((m + n) K + m k): no NumPy allocation of the m x n matrix (a
    C-level one is not seen here)."""
    m, n, K = 2000, 2000, 3
    P, Q = rng.random((m, K)) + 0.01, rng.random((n, K)) + 0.01
    fd.nearest(P[:10], Q[:10], k=2, metric="total_variation")  # warm up
    tracemalloc.start()
    try:
        idx, _ = fd.nearest(P, Q, k=2, metric="total_variation")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert idx.shape == (m, 2)
    assert peak < m * n * 8 / 4, f"peak {peak / 1e6:.1f} MB for a {m * n * 8 / 1e6:.0f} MB matrix"
