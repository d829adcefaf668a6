"""The batch search of ``fastdiv.knn`` (``src/fd_knn_lanes.h``) under every
instruction set the machine runs: its distances are the scalar form's
operation for operation (no contraction into FMA), so the k-th distances
equal a brute-force sort's bit for bit (through the test hook
``fastdiv._knn._kth``), every estimate that goes through the k-d tree is
bit-identical across instruction sets, and equal to the brute-force oracle
(``fdtest.knn_reference``) to 1e-9.  Leaves of 17 to 25 points (lanes partly
filled) and a leaf of 170 copies of one point (full lanes, and a batch of
the same box after another); dimensions 2 to 9, both metrics, 1 and 2
threads."""

import numpy as np
import pytest

from fastdiv import _divergence as _dv
from fastdiv import _knn
from fastdiv import knn as K
from fdtest import knn_reference as R

ISAS = _dv.isa_available()


def estimates(data, lib=K):
    """Every estimator whose search goes through the k-d tree, by lib:
    fastdiv.knn or the brute-force oracle (the same signatures)."""
    x, y, z, w, c = data["x"], data["y"], data["z"], data["w"], data["copies"]
    out = {}
    for metric in R.METRICS:
        for d in (2, 3, 5, 9):
            out[("entropy", metric, d)] = lib.entropy(x[:, :d], k=3, metric=metric)
        out[("entropy copies", metric)] = lib.entropy(c, k=4, metric=metric)
        out[("kl", metric)] = lib.kl_divergence(x[:, :3], y[:, :3], k=2, metric=metric)
    out["ksg1"] = lib.mutual_information(x[:, :2], w, k=3)
    out["ksg2"] = lib.mutual_information(x[:, :2], w, k=3, algorithm=2)
    out["cmi"] = lib.conditional_mutual_information(x[:, :1], w, z, k=3)
    out["ross"] = lib.mutual_information(x[:, :3], data["lab"], k=3, y_discrete=True)
    return out


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    n = 1501  # leaves of 23 and 24 points: a batch each, lanes partly filled
    x = rng.standard_normal((n, 9))
    y = rng.standard_normal((n - 400, 9)) * 1.3 + 0.2
    z = x[:, :2] + 0.5 * rng.standard_normal((n, 2))
    # 300 copies of one point and 40 points far off along the first axis:
    # the root splits there, its first child (170 copies) is a leaf of one
    # point, searched in batches of 32, 32, 32, 32, 32 and 10
    far = rng.standard_normal((40, 3)) + [100.0, 0.0, 0.0]
    copies = np.concatenate([np.tile([[0.25, -1.0, 2.0]], (300, 1)), far])
    w = 0.6 * x[:, :1] + 0.8 * rng.standard_normal((n, 1))
    lab = rng.integers(0, 4, n)
    return dict(x=x, y=y, z=z, w=w, copies=copies, lab=lab)


@pytest.fixture(scope="module")
def baseline(data):
    prev = _dv.get_isa()
    try:
        _dv.set_isa("baseline")
        return estimates(data)
    finally:
        _dv.set_isa(prev)


@pytest.mark.parametrize("isa", ISAS)
def test_every_isa_gives_the_same_bits(isa, data, baseline, isa_state):
    _dv.set_isa(isa)
    got = estimates(data)
    assert got.keys() == baseline.keys()
    for key, v in got.items():
        assert np.array_equal(v, baseline[key]), (isa, key, v, baseline[key])


def brute_kth(a, b, k, metric):
    """The k-th smallest positive distance from each row of a to the rows of
    b, by sorting all of them, in the search's units: the max-norm, or the
    squared Euclidean norm summed over the coordinates in order (NumPy's
    products and sums, never fused: the search's arithmetic exactly)."""
    D, same = R.distances(a, b, metric)
    if metric == "euclidean":
        for s in range(0, a.shape[0], 500):
            diff = b[None, :, :] - a[s : s + 500, None, :]
            sq = diff[:, :, 0] * diff[:, :, 0]
            for c in range(1, a.shape[1]):
                sq += diff[:, :, c] * diff[:, :, c]
            D[s : s + 500] = sq
    return R.kth_positive(D, same, k)


def searches(data):
    """(x, y, k) of each search the test runs: every dimension both alone
    and against another set, k up to 7, and the set with a leaf of copies
    (queried from itself and from another set)."""
    x, y, c = data["x"], data["y"], data["copies"]
    out = []
    for d in (2, 3, 5, 9):
        out += [(x[:, :d], None, k) for k in (1, 3, 7)] + [(x[:, :d], y[:, :d], 4)]
    return out + [(c, None, 3), (x[:50, :3], c, 5)]


@pytest.fixture(scope="module")
def brute(data):
    return {
        metric: [brute_kth(a, a if b is None else b, k, metric) for a, b, k in searches(data)]
        for metric in R.METRICS
    }


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("metric", R.METRICS)
def test_every_isa_finds_the_brute_force_distances(isa, metric, data, brute, isa_state):
    _dv.set_isa(isa)
    code = 0 if metric == "euclidean" else 1
    for (a, b, k), want in zip(searches(data), brute[metric], strict=True):
        for nt in (1, 2):
            got = _knn._kth(a, b, k, code, nt)
            assert np.array_equal(got, want), (isa, a.shape, b is None, k, nt)


def test_baseline_equals_the_oracle(data, baseline):
    want = estimates(data, R)
    assert want.keys() == baseline.keys()
    for key, v in want.items():
        np.testing.assert_allclose(baseline[key], v, rtol=1e-9, atol=1e-12, err_msg=str(key))
