"""``pairwise`` and ``nearest``: bit-identical results for 1, 2 and 4 threads,
from run to run, and whatever the tiling (a sub-block computed alone equals
that block of the whole matrix); the GIL is released during the kernels.

No test asserts on speed."""

import math
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import fastdiv as fd
from fdtest.threads import assert_identical, call_beside_heartbeat

THREADS = [1, 2, 4]

VARIANTS = [
    ("kl_divergence", {}),
    ("kl_divergence", {"logits": True}),
    ("cross_entropy", {"base": 2}),
    ("js_divergence", {}),
    ("js_distance", {}),
    ("total_variation", {}),
    ("hellinger", {}),
    ("renyi_divergence", {"alpha": 0.5}),
    ("renyi_divergence", {"alpha": math.inf}),
]
VIDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for n, kw in VARIANTS]

# sub-blocks (a, b, c, d) of rows P[a:b] and Q[c:d]: single entries, edges, odd offsets
BLOCKS = [
    (0, 1, 0, 1),
    (299, 300, 256, 257),
    (17, 150, 33, 257),
    (0, 300, 255, 257),
    (5, 6, 0, 257),
    (64, 129, 64, 129),
    (101, 300, 1, 200),
]


_DATA = {}


def data(kind):
    """rows: 300 x 100 against 257 x 100 (threaded and tiled); long: 20 x 5000
    against 17 x 5000 (rows longer than a block)."""
    if kind not in _DATA:
        rng = np.random.default_rng(42)
        m, n, K = (300, 257, 100) if kind == "rows" else (20, 17, 5000)
        P = rng.random((m, K))
        P[rng.random(P.shape) < 0.05] = 0.0
        P[:, 0] += 0.1
        Q = rng.random((n, K)) + 1e-3
        Q[3, 7] = 0.0  # +inf entries for KL / cross-entropy
        Q[10] = P[10] * (1 + 1e-9 * rng.standard_normal(K))  # nearly equal rows
        Q[11] = P[12]  # equal rows
        _DATA[kind] = (P, Q)
    return _DATA[kind]


def with_logits(P, Q, kw):
    if kw.get("logits"):
        return np.log(P + 1e-3), np.log(Q + 1e-3)
    return P, Q


def fewer_rows_if_slow(P, Q, metric, kw):
    """Renyi of a finite order other than 0 costs a power per entry: 64 rows
    of P (still 16,448 pairs, threaded) keep the thread tests fast."""
    if metric == "renyi_divergence" and 0 < kw["alpha"] < math.inf:
        return P[:64], Q
    return P, Q


@pytest.mark.parametrize("kind", ["rows", "long"])
@pytest.mark.parametrize("metric,kw", VARIANTS, ids=VIDS)
def test_bit_identical_for_any_thread_count(metric, kw, kind):
    P, Q = fewer_rows_if_slow(*with_logits(*data(kind), kw), metric, kw)
    ref = fd.pairwise(P, Q, metric=metric, n_threads=1, **kw)
    ref_self = fd.pairwise(P, metric=metric, n_threads=1, **kw)
    assert np.all(np.isfinite(ref) | (ref == np.inf)) and np.all(ref >= 0), metric
    for n in THREADS[1:]:
        assert_identical(fd.pairwise(P, Q, metric=metric, n_threads=n, **kw), ref, f"{n} threads")
        assert_identical(
            fd.pairwise(P, metric=metric, n_threads=n, **kw), ref_self, f"{n} threads, Q=None"
        )
    with fd.num_threads(4):  # the package setting, and run to run
        assert_identical(fd.pairwise(P, Q, metric=metric, **kw), ref, "num_threads(4)")


@pytest.mark.parametrize("metric,kw", VARIANTS, ids=VIDS)
def test_independent_of_the_tiling(metric, kw):
    P, Q = with_logits(*data("rows"), kw)
    full = fd.pairwise(P, Q, metric=metric, n_threads=2, **kw)
    for a, b, c, d in BLOCKS:
        block = fd.pairwise(P[a:b], Q[c:d], metric=metric, n_threads=2, **kw)
        assert_identical(block, full[a:b, c:d], f"block P[{a}:{b}] x Q[{c}:{d}]")
    # one row against all; all against one row; the rows in another order
    assert_identical(fd.pairwise(P[7:8], Q, metric=metric, **kw), full[7:8], "one row of P")
    assert_identical(fd.pairwise(P, Q[200:201], metric=metric, **kw), full[:, 200:201], "one row")
    perm = np.random.default_rng(1).permutation(len(Q))
    assert_identical(fd.pairwise(P, Q[perm], metric=metric, **kw), full[:, perm], "permuted Q")


@pytest.mark.parametrize("metric,kw", VARIANTS, ids=VIDS)
def test_long_rows_independent_of_the_tiling(metric, kw):
    P, Q = with_logits(*data("long"), kw)
    full = fd.pairwise(P, Q, metric=metric, **kw)
    for a, b, c, d in [(0, 1, 0, 1), (3, 20, 2, 9), (19, 20, 0, 17)]:
        block = fd.pairwise(P[a:b], Q[c:d], metric=metric, n_threads=4, **kw)
        assert_identical(block, full[a:b, c:d], f"block P[{a}:{b}] x Q[{c}:{d}]")


@pytest.mark.parametrize("metric", ["js_distance", "total_variation", "hellinger"])
def test_q_none_independent_of_the_tiling(metric):
    # with Q=None the computed triangle of a symmetric metric equals the same
    # entries computed with Q given, for the metrics bit-identical to one-pair calls
    P, _ = data("rows")
    half = fd.pairwise(P, metric=metric, n_threads=2)
    assert_identical(half, half.T, "mirror")
    if metric != "hellinger":  # hellinger may take the shortcut
        for a, b, c, d in [(0, 40, 40, 300), (100, 101, 101, 300), (5, 6, 6, 7)]:
            assert_identical(
                fd.pairwise(P[a:b], P[c:d], metric=metric), half[a:b, c:d], f"[{a}:{b}, {c}:{d}]"
            )


@pytest.mark.parametrize("metric,kw", VARIANTS, ids=VIDS)
def test_nearest_bit_identical_for_any_thread_count(metric, kw):
    P, Q = fewer_rows_if_slow(*with_logits(*data("rows"), kw), metric, kw)
    ref = fd.nearest(P, Q, k=5, metric=metric, n_threads=1, **kw)
    ref_self = fd.nearest(P, k=3, metric=metric, n_threads=1, **kw)
    for n in THREADS[1:]:
        got = fd.nearest(P, Q, k=5, metric=metric, n_threads=n, **kw)
        assert np.array_equal(got[0], ref[0]), (metric, n)
        assert_identical(got[1], ref[1], f"{n} threads")
        got = fd.nearest(P, k=3, metric=metric, n_threads=n, **kw)
        assert np.array_equal(got[0], ref_self[0]), (metric, n, "Q=None")
        assert_identical(got[1], ref_self[1], f"{n} threads, Q=None")
    # rows of P searched alone give the same answer
    part = fd.nearest(P[30:40], Q, k=5, metric=metric, **kw)
    assert np.array_equal(part[0], ref[0][30:40])
    assert_identical(part[1], ref[1][30:40], "P[30:40]")


# --------------------------------------------------------------------------
# GIL release
# --------------------------------------------------------------------------


def _sized(fn, seconds=0.08):
    """Rows (P, Q) for which ``fn(P, Q)`` takes about ``seconds`` on one thread."""
    rng = np.random.default_rng(9)
    K = 64
    P0, Q0 = rng.random((64, K)) + 0.01, rng.random((64, K)) + 0.01
    with fd.num_threads(1):
        fn(P0, Q0)
        t = time.perf_counter()
        fn(P0, Q0)
        dt = time.perf_counter() - t
    m = int(min(2000, max(64, 64 * math.sqrt(seconds / max(dt, 1e-9)))))
    return rng.random((m, K)) + 0.01, rng.random((m, K)) + 0.01


CALLS = {
    "pairwise-js_distance": lambda P, Q: fd.pairwise(P, Q),
    "pairwise-kl_divergence": lambda P, Q: fd.pairwise(P, Q, metric="kl_divergence"),
    "pairwise-hellinger-Qnone": lambda P, Q: fd.pairwise(P, metric="hellinger"),
    "nearest-js_distance": lambda P, Q: fd.nearest(P, Q, k=3),
    "nearest-kl_divergence-Qnone": lambda P, Q: fd.nearest(P, k=3, metric="kl_divergence"),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_gil_released(name):
    """A pure-Python heartbeat thread keeps ticking while the call runs (as in
    tests/package/test_threads.py: a call that held the GIL would stall it for
    the whole call)."""
    fn = CALLS[name]
    P, Q = _sized(fn)
    with fd.num_threads(1):
        ref = fn(P, Q)

    r = call_beside_heartbeat(lambda: fn(P, Q))
    # the concurrent result is the serial one
    for a, b in zip(r if isinstance(r, tuple) else (r,), ref if isinstance(ref, tuple) else (ref,)):
        assert np.array_equal(np.asarray(a).view(np.uint8), np.asarray(b).view(np.uint8))


def test_concurrent_calls_give_the_serial_result():
    P, Q = data("rows")
    ref = fd.pairwise(P, Q, metric="js_divergence", n_threads=1)
    ref_n = fd.nearest(P, Q, k=4, metric="kl_divergence", n_threads=1)

    def job(i):
        if i % 2:
            return fd.pairwise(P, Q, metric="js_divergence", n_threads=1)
        return fd.nearest(P, Q, k=4, metric="kl_divergence", n_threads=1)

    with ThreadPoolExecutor(max_workers=4) as ex:
        results = list(ex.map(job, range(4)))
    for i, r in enumerate(results):
        if i % 2:
            assert_identical(r, ref, f"call {i}")
        else:
            assert np.array_equal(r[0], ref_n[0])
            assert_identical(r[1], ref_n[1], f"call {i}")
