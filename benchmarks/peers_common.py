"""What the sections of ``peers.py`` share: timing, checks, the report, its tables and
targets, and the fresh-process peak-memory probe.

``peers.py`` (the rows, pairwise and nearest sections, the command line and the
report), ``peers_discrete.py`` (the discrete and tables sections) and
``peers_hist.py`` (the hist section) import this module; it imports none of
them, so there is no import cycle.  Nothing here is specific to one section.
"""

import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import timeit

import numpy as np

try:
    import numba
    from numba import njit, prange
except ImportError:  # optional peer: pip install numba
    numba = None

SEED = 20240611
NOISY = 1.3  # median / min above this marks a timing as disturbed
REWARM_BELOW = 0.05  # seconds; see time_interleaved
PEERS_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers.py")

# --------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------


class Candidate:
    """One implementation to time: ``fn()`` runs one call under ``context()``."""

    def __init__(self, impl, label, threads, fn, context=contextlib.nullcontext):
        self.impl, self.label, self.threads = impl, label, threads
        self.fn, self.context = fn, context
        self.scale = 1.0  # time per call x scale = time of the whole workload


def time_interleaved(cands, repeats, min_batch=None, warmup=True):
    """(median, min) seconds per call for each candidate.

    The repeats are interleaved round-robin over the candidates (round 1 of
    every candidate, then round 2, ...), so that a burst of load from another
    process lands on all of them alike instead of on one candidate's whole
    sample.  Without ``min_batch`` a repeat is one call timed with
    ``time.perf_counter``; with it (per-call timing of tiny inputs), a repeat
    is a timeit-style batch of ``number`` calls lasting >= ``min_batch``
    seconds, ``number`` calibrated per candidate, and the time per call is the
    batch time / ``number``.  A single-call repeat of a candidate faster than
    REWARM_BELOW seconds follows one untimed call, so that it does not pay for
    waking its thread pool after the previous candidate ran.  ``warmup=False``
    skips the two untimed calls per candidate (for calls of a minute, warmed
    up by the caller on a small slice).
    """
    numbers, rewarm = [], []
    for c in cands:
        if not warmup:
            numbers.append(1)
            rewarm.append(False)
            continue
        with c.context():
            c.fn()  # warm-up (and numba compilation)
            t0 = time.perf_counter()
            c.fn()
            rewarm.append(time.perf_counter() - t0 < REWARM_BELOW)
            number = 1
            if min_batch:
                timer = timeit.Timer(c.fn)
                while timer.timeit(number) < min_batch:
                    number *= 2
            numbers.append(number)
    samples = [[] for _ in cands]
    for _ in range(repeats):
        for c, number, warm, sample in zip(cands, numbers, rewarm, samples):
            with c.context():
                if min_batch:
                    sample.append(timeit.Timer(c.fn).timeit(number) / number)
                else:
                    if warm:
                        c.fn()  # untimed: wake the thread pool after the previous candidate
                    t0 = time.perf_counter()
                    c.fn()
                    sample.append(time.perf_counter() - t0)
    return [(statistics.median(x), min(x)) for x in samples]


@contextlib.contextmanager
def numba_threads(n):
    old = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        yield
    finally:
        numba.set_num_threads(old)


def numba_thread_counts(threads):
    """The thread counts numba can run here (none without numba)."""
    if numba is None:
        return []
    return [t for t in threads if t <= numba.config.NUMBA_NUM_THREADS]


if numba is not None:

    @njit(parallel=True, fastmath=True)
    def nb_read_pair(p, q):
        # read-only reduction over both arrays; fastmath only to let LLVM
        # vectorize the sum, so that it measures memory, not the add latency
        s = 0.0
        for i in prange(p.shape[0]):
            r = 0.0
            for j in range(p.shape[1]):
                r += p[i, j] + q[i, j]
            s += r
        return s


# --------------------------------------------------------------------------
# Results and checks
# --------------------------------------------------------------------------


class Report:
    def __init__(self):
        self.rows = []  # dicts: workload, measure, impl, label, threads, time, gelems
        self.notes = []
        self.mismatches = []
        self.bandwidth = []
        self.ceilings = []  # pairwise section: in-cache compute ceilings
        self.memory = []  # nearest: peak RSS of a fresh process
        self.workloads = {}  # pairwise section: workload -> description
        self.discrete = {}  # discrete and tables sections: workload -> description
        self.discrete_memory = []  # discrete section: peak RSS of a fresh process
        self.table_ceilings = []  # tables section: memory-bandwidth ceilings
        self.hist = {}  # hist section: workload -> description
        self.hist_ceilings = []  # hist section: memory-bandwidth ceilings
        self.knn = {}  # knn section: workload -> description, values, agreement
        self.versions = []  # extra "peer version" lines for the header

    def add(self, **kw):
        self.rows.append(kw)

    def get(self, workload, measure, impl, threads=None):
        for r in self.rows:
            if (
                r["workload"] == workload
                and r["measure"] == measure
                and r["impl"] == impl
                and (threads is None or r["threads"] == threads)
            ):
                return r
        return None


def tolerances(dtype):
    return (1e-9, 1e-12) if np.dtype(dtype) == np.float64 else (1e-4, 1e-6)


def check(report, workload, measure, impl, got, ref, dtype="float64", tol=None):
    """True when ``got`` matches fastdiv's ``ref`` (``assert_allclose``; ``tol`` =
    (rtol, atol), else by dtype); otherwise records a mismatch and returns False."""
    rtol, atol = tol if tol is not None else tolerances(dtype)
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    try:
        np.testing.assert_allclose(got, ref, rtol=rtol, atol=atol)
    except AssertionError:
        if got.shape != ref.shape:
            what = f"shape {got.shape} vs {ref.shape}"
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                err = float(np.max(np.abs(got - ref) / np.maximum(np.abs(ref), atol)))
            what = f"max rel. error {err:.3g} > rtol {rtol:g}, atol {atol:g}"
        report.mismatches.append(
            f"{workload} {measure}: {impl} differs from fastdiv ({what}); not timed"
        )
        return False
    return True


def fastdiv_reference(report, workload, threads, call):
    """fastdiv's result with the fewest threads; the others must match it bit for bit."""
    import fastdiv

    with fastdiv.num_threads(threads[0]):
        ref = call()
    for t in threads[1:]:
        with fastdiv.num_threads(t):
            again = call()
        pairs = zip(ref, again) if isinstance(ref, tuple) else [(ref, again)]
        if not all(np.array_equal(a, b) for a, b in pairs):
            report.mismatches.append(
                f"{workload}: fastdiv with {t} threads is not bit-identical to "
                f"{threads[0]} thread(s)"
            )
    return ref


def add_timings(report, workload, metric, cands, timings, elements):
    """Record (median, min) timings of the candidates, scaled to the whole
    workload, with its throughput in G elements (pair-elements) per second."""
    for c, (sec, best) in zip(cands, timings):
        sec, best = sec * c.scale, best * c.scale
        report.add(
            workload=workload,
            measure=metric,
            impl=c.impl,
            label=c.label,
            threads=c.threads,
            time=sec,
            tmin=best,
            gelems=elements / sec / 1e9,
        )


def scaled_rows(rows, args, minimum=2):
    return max(minimum, round(rows * args.scale))


# --------------------------------------------------------------------------
# Peak memory of one call, in a fresh process
# --------------------------------------------------------------------------


def _proc_status_bytes(field):
    """``VmRSS`` / ``VmHWM`` of this process from /proc/self/status (Linux), or None."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _reset_peak_rss():
    """Reset VmHWM to the current RSS (Linux >= 4.0); True on success."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _maxrss_bytes():
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r if sys.platform == "darwin" else r * 1024  # bytes on macOS, KiB elsewhere


def measure_peak(call):
    """``(result, info)``: run ``call()`` once and read the peak resident size.

    RSS-based, so C allocations count (tracemalloc sees only Python's).  The
    peak is the kernel's high-water mark of this process image, VmHWM, reset
    to the RSS just before the call; ``info["beyond"]`` = peak - RSS before the
    call, the memory the call needed beyond its inputs (its outputs included).
    ``ru_maxrss`` is reported too, but Linux keeps it across execve: a process
    started by a parent that holds 3 GB (peers.py's pairwise ``out``) begins
    with ru_maxrss >= 3 GB.  Without /proc (not Linux), ru_maxrss is all there
    is, and ``info["exact"]`` is False.
    """
    maxrss0 = _maxrss_bytes()
    reset = _reset_peak_rss()
    rss0 = _proc_status_bytes("VmRSS")
    hwm0 = _proc_status_bytes("VmHWM")
    t0 = time.perf_counter()
    result = call()
    sec = time.perf_counter() - t0
    hwm1 = _proc_status_bytes("VmHWM")
    maxrss1 = _maxrss_bytes()
    if rss0 is not None and hwm1 is not None:
        source = "VmHWM, reset before the call" if reset else "VmHWM"
        peak, base, exact = hwm1, rss0, reset or (hwm0 is not None and hwm0 <= rss0)
    else:
        source = "ru_maxrss"
        peak, base, exact = maxrss1, maxrss0, False
    info = dict(
        rss_before=base,
        peak=peak,
        beyond=peak - base,
        source=source,
        exact=bool(exact),
        maxrss_before=maxrss0,
        maxrss_after=maxrss1,
        time=sec,
    )
    return result, info


def spawn_memprobe(spec):
    """Run ``peers.py --memprobe SPEC`` in a fresh process.

    ``(result, None)`` with the JSON dict the probe printed last, or
    ``(None, reason)`` when it failed.  peers.py dispatches on
    ``spec["section"]`` (absent: the nearest probe).
    """
    cmd = [sys.executable, PEERS_SCRIPT, "--memprobe", json.dumps(spec)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1]), None
    except (ValueError, IndexError):
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"exit {proc.returncode}: {last}"


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def fmt_time(sec):
    if sec < 1e-3:
        return f"{sec * 1e6:.2f} us"
    if sec < 1.0:
        return f"{sec * 1e3:.2f} ms"
    return f"{sec:.3f} s"


def fmt_ratio(x):
    if x is None:
        return "-"
    return f"{x:.1f}x" if x >= 10 else f"{x:.2f}x"


def table(headers, rows, markdown, align=None):
    align = align or ["l"] * len(headers)
    rows = [[str(c) for c in r] for r in rows]
    if markdown:
        sep = ["---:" if a == "r" else ":---" for a in align]
        lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(sep) + " |"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def line(cells):
        return "  ".join(
            c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(cells, widths, align)
        ).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)


def heading(text, markdown, level=2):
    if markdown:
        return "\n" + "#" * (level + 1) + " " + text + "\n"
    bar = "=" if level == 1 else "-"
    return "\n" + text + "\n" + bar * len(text)


def bullet(text, markdown):
    """A note under a table: a list item in Markdown, plain text otherwise."""
    return ("- " if markdown else "") + text


def _mb(nbytes):
    return f"{nbytes / 1e6:,.1f}"


def _noisy(r):
    return "*" if r["time"] > NOISY * r["tmin"] else ""


def timing_table(report, workload, threads, markdown, rate_header, measures=None):
    """One workload's timings: a row per implementation, with fastdiv's speedup
    (peer median / fastdiv median) at each thread count; ``measures`` adds a
    first column and keeps that order."""
    rows = []
    for measure in measures or [None]:
        recs = [
            r
            for r in report.rows
            if r["workload"] == workload and (measure is None or r["measure"] == measure)
        ]
        for r in recs:
            fd = {t: report.get(workload, r["measure"], "fastdiv", t) for t in threads}
            if r["impl"] == "fastdiv":
                sp = ["-" for _ in threads]
            else:
                sp = [fmt_ratio(r["time"] / fd[t]["time"]) if fd[t] else "-" for t in threads]
            rows.append(
                ([r["measure"]] if measures else [])
                + [
                    r["label"],
                    r["threads"],
                    fmt_time(r["time"]) + _noisy(r),
                    fmt_time(r["tmin"]),
                    f"{r['gelems']:.3f}",
                    *sp,
                ]
            )
    headers = ["implementation", "threads", "median", "min", rate_header]
    headers += [f"fastdiv {t}T speedup" for t in threads]
    align = ["l", "r", "r", "r", "r"] + ["r"] * len(threads)
    if measures:
        headers, align = ["measure", *headers], ["l", *align]
    return table(headers, rows, markdown, align)


# --------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------


class Targets:
    """The rows of the targets table, judged on medians (fastdiv with ``t`` threads)."""

    def __init__(self, report, t):
        self.report, self.t = report, t
        self.rows = []
        self.n_fail = 0

    def add(self, name, measured, on_min, required, ok, ok_min=None):
        if measured is None:
            self.rows.append([name, "-", "-", required, "SKIP (not measured)"])
            return
        self.n_fail += not ok
        verdict = "PASS" if ok else "FAIL"
        if ok_min is not None and ok_min != ok:
            verdict += f" (noisy: {'PASS' if ok_min else 'FAIL'} on min)"
        self.rows.append([name, measured, on_min or "-", required, verdict])

    def fastdiv(self, wl, m, threads=None):
        return self.report.get(wl, m, "fastdiv", threads or self.t)

    def gel(self, wl, m, need, unit="Gelem/s"):
        r = self.fastdiv(wl, m)
        if r is None:
            self.add(f"{m} {wl}: throughput", None, None, f">= {need} {unit}", False)
            return
        g_min = r["gelems"] * r["time"] / r["tmin"]
        self.add(
            f"{m} {wl}: throughput",
            f"{r['gelems']:.2f} {unit}",
            f"{g_min:.2f} {unit}",
            f">= {need} {unit}",
            r["gelems"] >= need,
            g_min >= need,
        )

    def speedup(self, wl, m, impl, need, label, peer_threads=None, strict=False):
        r = self.fastdiv(wl, m)
        peer = self.report.get(wl, m, impl, peer_threads)
        required = f"> {need}x" if strict else f">= {need}x"
        if r is None or peer is None:
            self.add(f"{m} {wl}: vs {label}", None, None, required, False)
            return
        x = peer["time"] / r["time"]
        x_min = peer["tmin"] / r["tmin"]
        self.add(
            f"{m} {wl}: vs {label}",
            fmt_ratio(x),
            fmt_ratio(x_min),
            required,
            x > need if strict else x >= need,
            x_min > need if strict else x_min >= need,
        )
