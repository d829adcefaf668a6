"""Threads: bit-identical results for any thread count and ISA, repeatability,
the thread-count API, OMP_NUM_THREADS, threadpoolctl, and GIL release.

No test asserts on speed.
"""

import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import fastdiv as fd
from fastdiv import _divergence as _dv
from fdtest import tolerance as T
from fdtest.measures import call
from fdtest.threads import call_beside_heartbeat

THREADS = [1, 2, 4]

MEASURES = [
    ("entropy", {}),
    ("entropy", {"base": 2}),
    ("entropy", {"logits": True}),
    ("cross_entropy", {}),
    ("kl_divergence", {}),
    ("kl_divergence", {"logits": True}),
    ("kl_divergence", {"normalize": False}),
    ("js_divergence", {}),
    ("js_distance", {"base": 2}),
    ("total_variation", {}),
    ("hellinger", {}),
    ("renyi_entropy", {"alpha": 0.5}),
    ("renyi_entropy", {"alpha": np.inf}),
    ("renyi_divergence", {"alpha": 2.0}),
    ("renyi_divergence", {"alpha": 0.0}),
    ("self_information", {}),
]


def bits(x):
    x = np.asarray(x)
    assert x.dtype == np.float64
    return np.ascontiguousarray(x).view(np.int64)


def make(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    p = rng.random(shape)
    p[rng.random(shape) < 0.05] = 0.0
    q = rng.random(shape) + 1e-3
    p = (p / p.sum(axis=-1, keepdims=True)).astype(dtype)
    q = (q / q.sum(axis=-1, keepdims=True)).astype(dtype)
    return p, q


_DATA = {}


def data(kind, dtype):
    key = (kind, np.dtype(dtype).str)
    if key not in _DATA:
        # rows: many short rows; long: one row of many blocks (blocks run in
        # parallel); longrows: several multi-block rows (rows run in parallel,
        # each over several blocks); fewlong: fewer rows than 2 x threads
        # (each row's blocks run in parallel, row after row).
        shape = {
            "rows": (2000, 300),
            "long": (3_000_000,),
            "longrows": (6, 3 * 4096 + 17),
            "fewlong": (3, 100_003),
        }[kind]
        _DATA[key] = make(shape, dtype, seed=len(shape) + shape[-1] % 7)
    return _DATA[key]


def run_all(p, q, n, normalized=True):
    """Every measure of MEASURES with n threads; rows that are not
    normalized (normalized=False) skip normalize=False."""
    out = {}
    with fd.num_threads(n):
        assert fd.get_num_threads() == n
        for name, kw in MEASURES:
            if not normalized and kw.get("normalize") is False:
                continue
            arg = p if name != "self_information" else np.minimum(p, 1)
            out[(name, str(kw))] = call(name, arg, q, **kw)
    return out


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f8", "f4"])
@pytest.mark.parametrize(
    "kind", ["rows", "long", "longrows", "fewlong", "wide-rows", "wide-fewlong"]
)
@pytest.mark.parametrize("isa", _dv.isa_available())
def test_bit_identical_for_any_thread_count(isa, kind, dtype, isa_state):
    _dv.set_isa(isa)
    if kind.startswith("wide-"):
        # sums outside the probability kernels' range: the wide kernels
        # (float64: p's sums overflow float64; float32: beyond 2^60)
        p, q = data(kind[5:], dtype)
        scale = 1e305 if dtype == np.float64 else 1e25
        p, q = p * dtype(scale), q / dtype(scale)
    else:
        p, q = data(kind, dtype)
    normalized = not kind.startswith("wide-")
    results = {n: run_all(p, q, n, normalized) for n in THREADS}
    again = run_all(p, q, 4, normalized)  # run to run
    for key, ref in results[1].items():
        assert np.all(np.isfinite(ref) | (np.asarray(ref) == np.inf)), key
        for n in THREADS[1:]:
            assert np.array_equal(bits(results[n][key]), bits(ref)), (isa, kind, n, key)
        assert np.array_equal(bits(again[key]), bits(ref)), (isa, kind, "repeat", key)


@pytest.mark.parametrize("kind", ["rows", "long"])
def test_bit_identical_across_set_num_threads(kind, thread_state):
    # the same through set_num_threads instead of the context manager
    p, q = data(kind, np.float64)
    ref = None
    for n in THREADS + [3, 1]:
        fd.set_num_threads(n)
        assert fd.get_num_threads() == n
        r = (
            fd.kl_divergence(p, q),
            fd.js_distance(p, q),
            fd.entropy(p, base=10),
            fd.hellinger(p, q),
        )
        if ref is None:
            ref = r
        for a, b in zip(r, ref):
            assert np.array_equal(bits(a), bits(b)), n


def test_results_equal_across_isas_within_tolerance():
    # different ISAs may round differently (<= 2 ulp per log), but never by much
    p, q = data("rows", np.float64)
    ref = {}
    for isa in _dv.isa_available():
        _dv.set_isa(isa)
        r = {name: call(name, p, q, **kw) for name, kw in MEASURES if name != "self_information"}
        if not ref:
            ref = r
        for k in r:
            np.testing.assert_allclose(r[k], ref[k], **T.F64, err_msg=f"{isa} {k}")


# --------------------------------------------------------------------------
# API semantics
# --------------------------------------------------------------------------


def test_set_get_and_context_manager(thread_state):
    fd.set_num_threads(3)
    assert fd.get_num_threads() == 3
    with fd.num_threads(1):
        assert fd.get_num_threads() == 1
        with fd.num_threads(2):
            assert fd.get_num_threads() == 2
        assert fd.get_num_threads() == 1
    assert fd.get_num_threads() == 3
    fd.set_num_threads(np.int64(2))  # any integer type
    assert fd.get_num_threads() == 2
    assert type(fd.get_num_threads()) is int
    limit = fd.thread_limit()  # more threads than cores is allowed, up to 4 x
    fd.set_num_threads(limit)
    assert fd.get_num_threads() == limit
    p, q = data("rows", np.float64)
    ref = fd.kl_divergence(p, q)
    with fd.num_threads(1):
        assert np.array_equal(bits(fd.kl_divergence(p, q)), bits(ref))


def test_context_manager_restores_on_exception(thread_state):
    fd.set_num_threads(2)
    with pytest.raises(ZeroDivisionError), fd.num_threads(1):
        assert fd.get_num_threads() == 1
        1 / 0  # noqa: B018 - raises ZeroDivisionError inside the block on purpose
    assert fd.get_num_threads() == 2
    # and after an error raised by fastdiv itself inside the block
    with pytest.raises(ValueError), fd.num_threads(4):
        fd.entropy([-1.0, 2.0])
    assert fd.get_num_threads() == 2


def test_default_is_positive_int():
    n = fd.get_num_threads()
    assert isinstance(n, int) and n >= 1


def _subprocess_threads(env_value):
    env = dict(os.environ)
    for k in ("OMP_NUM_THREADS", "OMP_THREAD_LIMIT", "OMP_DYNAMIC"):
        env.pop(k, None)
    if env_value is not None:
        env["OMP_NUM_THREADS"] = env_value
    code = (
        "import fastdiv, numpy as np\n"
        "n = fastdiv.get_num_threads()\n"
        "r = fastdiv.kl_divergence(np.full((64, 512), 1.0), np.arange(1.0, 513.0))\n"
        "print(n, fastdiv.show_config(mode='dicts')['num_threads'], fastdiv.get_num_threads())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tempfile.gettempdir(),
    )
    assert out.returncode == 0, out.stderr
    return [int(v) for v in out.stdout.split()]


requires_openmp = pytest.mark.skipif(
    not fd.show_config(mode="dicts")["openmp"],
    reason="serial build: no OpenMP runtime reads OMP_NUM_THREADS or takes threadpoolctl limits",
)


@requires_openmp
@pytest.mark.parametrize("value", ["1", "3", "7"])
def test_omp_num_threads_respected(value):
    n = min(int(value), fd.thread_limit())
    assert _subprocess_threads(value) == [n] * 3


@requires_openmp
def test_omp_num_threads_above_limit_is_capped():
    # OMP_NUM_THREADS cannot be rejected at import; calls use thread_limit()
    limit = fd.thread_limit()
    assert _subprocess_threads(str(limit * 50)) == [limit] * 3


def test_thread_limit_is_four_per_core():
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert fd.thread_limit() == 4 * cores
    assert fd.get_num_threads() <= fd.thread_limit()


@requires_openmp
def test_default_without_omp_num_threads_is_all_cores():
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert _subprocess_threads(None) == [n] * 3


@requires_openmp
def test_threadpoolctl_limits(thread_state):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    fd.set_num_threads(4)
    with threadpoolctl.threadpool_limits(limits=1):
        assert fd.get_num_threads() == 1  # the limit caps an explicit setting too
        p, q = data("rows", np.float64)
        ref = fd.kl_divergence(p, q)
    assert fd.get_num_threads() == 4
    assert np.array_equal(bits(fd.kl_divergence(p, q)), bits(ref))
    with threadpoolctl.threadpool_limits(limits=1, user_api="openmp"):
        assert fd.get_num_threads() == 1
    assert fd.get_num_threads() == 4


def test_threadpoolctl_sees_openmp():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    if not fd.show_config(mode="dicts")["openmp"]:
        pytest.skip("serial build")
    apis = {m["user_api"] for m in threadpoolctl.threadpool_info()}
    assert "openmp" in apis


# --------------------------------------------------------------------------
# GIL release
# --------------------------------------------------------------------------


def _sized_pair(seconds=0.08, cap=16_000_000):
    """A (p, q) pair whose kl_divergence takes ~``seconds`` on one thread
    (sized from a measurement; only used to make the windows long enough)."""
    rng = np.random.default_rng(5)
    n = 1_000_000
    p, q = rng.random(n) + 0.01, rng.random(n) + 0.01
    with fd.num_threads(1):
        fd.kl_divergence(p, q)
        t = time.perf_counter()
        fd.kl_divergence(p, q)
        dt = time.perf_counter() - t
    m = int(min(cap, max(n, n * seconds / max(dt, 1e-9))))
    return rng.random(m) + 0.01, rng.random(m) + 0.01


@pytest.fixture(scope="module")
def big_pair():
    return _sized_pair()


def test_two_calls_overlap_in_time(big_pair):
    """Two kl_divergence calls from two Python threads run at the same time.

    (Interval overlap alone can be satisfied by a GIL-holding call when both
    threads record their start before either enters the kernel; the
    heartbeat test below is the decisive GIL check.  This one also checks
    that concurrent calls give the serial result.)"""
    p, q = big_pair
    with fd.num_threads(1):
        ref = fd.kl_divergence(p, q)
    barrier = threading.Barrier(2)

    def job():
        with fd.num_threads(1):
            barrier.wait()
            t0 = time.perf_counter()
            r = fd.kl_divergence(p, q)
            t1 = time.perf_counter()
        return t0, t1, r

    with ThreadPoolExecutor(max_workers=2) as ex:
        (s1, e1, r1), (s2, e2, r2) = ex.map(lambda _: job(), range(2))
    assert max(s1, s2) < min(e1, e2), f"no overlap: [{s1:.4f}, {e1:.4f}] [{s2:.4f}, {e2:.4f}]"
    # thread safety: both concurrent results equal the serial one, bit for bit
    assert bits(r1) == bits(ref) and bits(r2) == bits(ref)


HEARTBEAT = [
    ("kl_divergence", {}),
    ("entropy", {}),
    ("cross_entropy", {}),
    ("js_divergence", {}),
    ("total_variation", {}),
    ("hellinger", {}),
    ("renyi_divergence", {"alpha": 0.5}),
    ("renyi_entropy", {"alpha": 2.0}),
    ("kl_divergence", {"logits": True}),
    ("self_information", {}),
]


@pytest.mark.parametrize("layout", ["long", "rows"])
@pytest.mark.parametrize("name,kw", HEARTBEAT, ids=[f"{n}{kw}" for n, kw in HEARTBEAT])
def test_gil_released_during_kernel(name, kw, layout, big_pair):
    """A pure-Python heartbeat thread keeps ticking while a kernel runs.

    If the kernel held the GIL, the heartbeat would stop for the whole call:
    the largest gap between ticks would be about the call's duration.  The
    bound (half the call) is not a speed claim about fastdiv."""
    p, q = big_pair
    if name == "self_information":
        p = p / p.max()
    # size the call to last ~80 ms on one thread (slow measures get fewer elements)
    n0 = 500_000
    with fd.num_threads(1):
        call(name, p[:n0], q[:n0], **kw)
        t = time.perf_counter()
        call(name, p[:n0], q[:n0], **kw)
        dt = time.perf_counter() - t
    m = int(min(p.size, max(n0, n0 * 0.08 / max(dt, 1e-9)))) // 500 * 500
    p, q = p[:m], q[:m]
    if layout == "rows":
        p, q = p.reshape(-1, 500), q.reshape(-1, 500)

    call_beside_heartbeat(lambda: call(name, p, q, **kw))


@pytest.mark.parametrize("n", THREADS)
def test_self_information_multiblock_rows_correct_with_threads(n, thread_state):
    # Regression: rows longer than one block were corrupted by a race on the
    # row pointers when rows ran in parallel.
    x = 1.0 - np.random.default_rng(5).random((8, 125_000))
    with fd.num_threads(n):
        got = fd.self_information(x)
    np.testing.assert_allclose(got, -np.log(x), rtol=4e-16, atol=0)
