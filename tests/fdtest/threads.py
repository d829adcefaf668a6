"""Thread helpers shared by the tests: bit-for-bit comparison, and the
heartbeat check that a call releases the GIL."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import numpy as np

import fastdiv as fd


def bits(x):
    """The float64 values of x as int64 bit patterns (NaNs and zeros told apart)."""
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64)).view(np.int64)


def assert_identical(got, want, what=""):
    """got and want have one shape and equal bits."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    diff = np.argwhere(bits(got) != bits(want))
    if diff.size:
        i = tuple(diff[0])
        raise AssertionError(
            f"{what}: {len(diff)} entries not bit-identical; first {list(i)}: "
            f"got {got[i]!r}, expected {want[i]!r}"
        )


def call_beside_heartbeat(fn):
    """Run fn() on one fastdiv thread while a pure-Python heartbeat thread
    ticks, and assert that the heartbeat kept ticking: a call that held the
    GIL would stall it for the whole call (the bound, half the call, is not a
    speed claim).  The OS may stall the heartbeat once in a while too (another
    process on a 2-core machine), so the call gets three tries.  Returns fn's
    result."""

    def attempt():
        ticks = []
        stop = threading.Event()

        def heartbeat():
            append, now = ticks.append, time.perf_counter
            while not stop.is_set():
                append(now())

        def job():
            with fd.num_threads(1):
                t0 = time.perf_counter()
                r = fn()
                return t0, time.perf_counter(), r

        with ThreadPoolExecutor(max_workers=2) as ex:
            hb = ex.submit(heartbeat)
            try:
                t0, t1, r = ex.submit(job).result()
            finally:
                stop.set()
            hb.result()
        inside = [t for t in ticks if t0 < t < t1]
        gap = max(b - a for a, b in pairwise([t0, *inside, t1]))
        return gap, t1 - t0, len(inside), r

    for _ in range(3):
        gap, span, n_inside, r = attempt()
        if gap < 0.5 * span:
            break
    assert gap < 0.5 * span, (
        f"heartbeat stalled for {gap * 1e3:.1f} ms of a {span * 1e3:.1f} ms call "
        f"({n_inside} ticks inside): the GIL seems held"
    )
    return r
