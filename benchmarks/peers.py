#!/usr/bin/env python
"""Time fastdiv against its peers on the same workloads, in one run.

Usage::

    python benchmarks/peers.py            # 15 repeats per timing
    python benchmarks/peers.py --quick    # 7 repeats, shorter per-call batches
    python benchmarks/peers.py --markdown # tables as Markdown (for the README)

Workloads
---------
* ``rows f64`` / ``rows f32``: ``p`` and ``q`` of shape (10_000, 1_000), one
  distribution per row (``axis=-1``), seeded, entries in (0, 1] (no zeros).
* ``1-D f64``: one pair of 1-D arrays of 1_000 elements; per-call time,
  measured as timeit-style batches of calls.

Implementations (every one normalizes each row, as fastdiv does by default)
-------------------------------------------------------------------------
* ``fastdiv`` with 1 and 2 threads (``fastdiv.num_threads``).
* ``scipy``: the nearest SciPy function.
    - kl_divergence: ``scipy.stats.entropy(p, q, axis=-1)``
    - entropy:       ``scipy.stats.entropy(p, axis=-1)``
    - cross_entropy: ``-scipy.special.xlogy(pn, qn).sum(-1)`` on normalized
      rows (SciPy has no cross-entropy; this is one pass over the pair, cheaper
      than ``entropy(p) + entropy(p, q)``).
    - js_distance:   ``scipy.spatial.distance.jensenshannon(p, q, axis=-1)``
    - js_divergence: the square of ``jensenshannon``.
    - total_variation: ``0.5 * scipy.spatial.distance.cityblock(pn[i], qn[i])``
      in a Python loop over rows.  SciPy has no row-paired vectorized L1
      distance (``cdist`` computes all m x n pairs, ``minkowski(p=1)`` is the
      same as ``cityblock``), so a loop over rows is what SciPy offers.
    - hellinger: ``euclidean(sqrt(pn[i]), sqrt(qn[i])) / sqrt(2)`` in a Python
      loop over rows, for the same reason.
    For the 1-D workload the row loop is a single call.
* ``numpy``: the vectorized NumPy expression of the definition on normalized
  rows (``pn = p / p.sum(-1, keepdims=True)``), e.g. ``(pn * np.log(pn /
  qn)).sum(-1)`` for KL.  No ``0 log 0`` guards: this is correct only for
  strictly positive inputs (as here), which favours NumPy.
* ``numba``: ``@njit(parallel=True)`` with ``prange`` over rows (defined in this
  file; two passes per row: row sums, then the terms in float64; no
  ``fastmath``, as fastdiv does not use it either), compiled and warmed for each
  dtype before timing, with ``numba.set_num_threads`` equal to fastdiv's thread
  count.  For the 1-D workload, the serial ``@njit`` row kernel.

SciPy and NumPy run single-threaded.  Every peer's result is checked against
fastdiv's with ``assert_allclose`` before it is timed (float64: rtol 1e-9;
float32: rtol 1e-4), and fastdiv's 1- and 2-thread results must be
bit-identical.

Reported: median wall time (``time.perf_counter``) of the repeats (and the
fastest repeat, to expose runs disturbed by other processes: on a 2-core machine
one busy neighbour stalls a 2-thread OpenMP call by a whole scheduler tick),
Gelem/s (elements of ONE input per second), and the speedup of fastdiv (peer
median / fastdiv median) at 1 and 2 threads.  The targets of the spec are
checked on the medians, with fastdiv at 2 threads (all cores, its default here).
The memory-bandwidth ceiling is measured in
the same run, over the same arrays: a single-threaded NumPy read-only reduction
(``p.sum() + q.sum()``) and, when numba is installed, a vectorized ``prange``
sum with 1 and 2 threads.
"""

import argparse
import contextlib
import math
import os
import platform
import statistics
import sys
import time
import timeit

import numpy as np

try:
    import fastdiv
except ImportError as exc:  # pragma: no cover - environment problem
    sys.exit(
        f"fastdiv is not importable ({exc}); install it first: "
        "pip install -e . --no-build-isolation"
    )

try:
    import scipy
    import scipy.spatial.distance
    import scipy.special
    import scipy.stats
except ImportError:  # optional peer
    scipy = None

try:
    import numba
    from numba import njit, prange
except ImportError:  # optional peer: pip install numba
    numba = None

SEED = 20240611
ROWS, SUPPORT = 10_000, 1_000
N1D = 1_000
THREADS = (1, 2)
MEASURES = (
    "kl_divergence",
    "entropy",
    "cross_entropy",
    "js_divergence",
    "js_distance",
    "total_variation",
    "hellinger",
)
ONE_ARG = {"entropy"}
LOG2 = math.log(2.0)
NOISY = 1.3  # median / min above this marks a timing as disturbed
REWARM_BELOW = 0.05  # seconds; see time_interleaved

# --------------------------------------------------------------------------
# Peers
# --------------------------------------------------------------------------


def _norm(a):
    return a / a.sum(axis=-1, keepdims=True)


def _scipy_rowloop(dist, p, q):
    if p.ndim == 1:
        return dist(p, q)
    return np.array([dist(a, b) for a, b in zip(p, q)])


SCIPY = {}
if scipy is not None:
    _jsd = scipy.spatial.distance.jensenshannon
    _cityblock = scipy.spatial.distance.cityblock
    _euclidean = scipy.spatial.distance.euclidean
    _SQRT_HALF = math.sqrt(0.5)
    SCIPY = {
        "kl_divergence": lambda p, q: scipy.stats.entropy(p, q, axis=-1),
        "entropy": lambda p, q: scipy.stats.entropy(p, axis=-1),
        "cross_entropy": lambda p, q: -scipy.special.xlogy(_norm(p), _norm(q)).sum(-1),
        "js_divergence": lambda p, q: _jsd(p, q, axis=-1) ** 2,
        "js_distance": lambda p, q: _jsd(p, q, axis=-1),
        "total_variation": lambda p, q: 0.5 * _scipy_rowloop(_cityblock, _norm(p), _norm(q)),
        "hellinger": lambda p, q: (
            _SQRT_HALF * _scipy_rowloop(_euclidean, np.sqrt(_norm(p)), np.sqrt(_norm(q)))
        ),
    }
SCIPY_LABEL = {
    "kl_divergence": "scipy.stats.entropy(p, q)",
    "entropy": "scipy.stats.entropy(p)",
    "cross_entropy": "scipy.special.xlogy",
    "js_divergence": "jensenshannon**2",
    "js_distance": "jensenshannon",
    "total_variation": "cityblock/row",
    "hellinger": "euclidean/row",
}


def _np_js(p, q):
    pn, qn = _norm(p), _norm(q)
    m = 0.5 * (pn + qn)
    return 0.5 * ((pn * np.log(pn / m)).sum(-1) + (qn * np.log(qn / m)).sum(-1))


def _np_kl(p, q):
    pn, qn = _norm(p), _norm(q)
    return (pn * np.log(pn / qn)).sum(-1)


def _np_entropy(p, q):
    pn = _norm(p)
    return -(pn * np.log(pn)).sum(-1)


def _np_cross(p, q):
    return -(_norm(p) * np.log(_norm(q))).sum(-1)


def _np_tv(p, q):
    return 0.5 * np.abs(_norm(p) - _norm(q)).sum(-1)


def _np_hellinger(p, q):
    return np.sqrt(0.5 * ((np.sqrt(_norm(p)) - np.sqrt(_norm(q))) ** 2).sum(-1))


NUMPY = {
    "kl_divergence": _np_kl,
    "entropy": _np_entropy,
    "cross_entropy": _np_cross,
    "js_divergence": _np_js,
    "js_distance": lambda p, q: np.sqrt(np.maximum(_np_js(p, q), 0.0)),
    "total_variation": _np_tv,
    "hellinger": _np_hellinger,
}

NUMBA_ROW = {}  # serial kernels on one pair of 1-D rows
NUMBA_ROWS = {}  # parallel kernels over the rows of 2-D arrays
if numba is not None:

    @njit(nogil=True)
    def _inv_sums(p, q):
        sp = 0.0
        sq = 0.0
        for j in range(p.shape[0]):
            sp += p[j]
            sq += q[j]
        return 1.0 / sp, 1.0 / sq

    @njit(nogil=True)
    def _nb_kl(p, q):
        ip, iq = _inv_sums(p, q)
        acc = 0.0
        for j in range(p.shape[0]):
            a = p[j] * ip
            if a > 0.0:
                acc += a * np.log(a / (q[j] * iq))
        return max(acc, 0.0)

    @njit(nogil=True)
    def _nb_entropy(p, q):
        sp = 0.0
        for j in range(p.shape[0]):
            sp += p[j]
        ip = 1.0 / sp
        acc = 0.0
        for j in range(p.shape[0]):
            a = p[j] * ip
            if a > 0.0:
                acc -= a * np.log(a)
        return max(acc, 0.0)

    @njit(nogil=True)
    def _nb_cross(p, q):
        ip, iq = _inv_sums(p, q)
        acc = 0.0
        for j in range(p.shape[0]):
            a = p[j] * ip
            if a > 0.0:
                acc -= a * np.log(q[j] * iq)
        return max(acc, 0.0)

    @njit(nogil=True)
    def _nb_js(p, q):
        ip, iq = _inv_sums(p, q)
        acc = 0.0
        for j in range(p.shape[0]):
            a = p[j] * ip
            b = q[j] * iq
            m = 0.5 * (a + b)
            if a > 0.0:
                acc += a * np.log(a / m)
            if b > 0.0:
                acc += b * np.log(b / m)
        return min(max(0.5 * acc, 0.0), LOG2)

    @njit(nogil=True)
    def _nb_jsdist(p, q):
        return math.sqrt(_nb_js(p, q))

    @njit(nogil=True)
    def _nb_tv(p, q):
        ip, iq = _inv_sums(p, q)
        acc = 0.0
        for j in range(p.shape[0]):
            acc += abs(p[j] * ip - q[j] * iq)
        return min(0.5 * acc, 1.0)

    @njit(nogil=True)
    def _nb_hellinger(p, q):
        ip, iq = _inv_sums(p, q)
        acc = 0.0
        for j in range(p.shape[0]):
            d = math.sqrt(p[j] * ip) - math.sqrt(q[j] * iq)
            acc += d * d
        return min(math.sqrt(0.5 * acc), 1.0)

    def _parallel_rows(row):
        @njit(parallel=True)
        def rows(p, q):
            n = p.shape[0]
            out = np.empty(n)
            for i in prange(n):
                out[i] = row(p[i], q[i])
            return out

        return rows

    NUMBA_ROW = {
        "kl_divergence": _nb_kl,
        "entropy": _nb_entropy,
        "cross_entropy": _nb_cross,
        "js_divergence": _nb_js,
        "js_distance": _nb_jsdist,
        "total_variation": _nb_tv,
        "hellinger": _nb_hellinger,
    }
    NUMBA_ROWS = {name: _parallel_rows(row) for name, row in NUMBA_ROW.items()}

    @njit(parallel=True, fastmath=True)
    def _nb_read_pair(p, q):
        # read-only reduction over both arrays; fastmath only to let LLVM
        # vectorize the sum, so that it measures memory, not the add latency
        s = 0.0
        for i in prange(p.shape[0]):
            r = 0.0
            for j in range(p.shape[1]):
                r += p[i, j] + q[i, j]
            s += r
        return s


def _fastdiv(name):
    fn = getattr(fastdiv, name)
    if name in ONE_ARG:
        return lambda p, q: fn(p)
    return fn


# --------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------


class Candidate:
    """One implementation to time: ``fn()`` runs one call under ``context()``."""

    def __init__(self, impl, label, threads, fn, context=contextlib.nullcontext):
        self.impl, self.label, self.threads = impl, label, threads
        self.fn, self.context = fn, context


def time_interleaved(cands, repeats, min_batch=None):
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
    waking its thread pool after the previous candidate ran.
    """
    numbers, rewarm = [], []
    for c in cands:
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


# --------------------------------------------------------------------------
# Run
# --------------------------------------------------------------------------


def make_pair(shape, dtype, seed=SEED):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(2):
        a = rng.random(shape, dtype=np.dtype(dtype))
        np.subtract(1, a, out=a)  # (0, 1]
        out.append(a)
    return out


def tolerances(dtype):
    return (1e-9, 1e-12) if np.dtype(dtype) == np.float64 else (1e-4, 1e-6)


class Report:
    def __init__(self):
        self.rows = []  # dicts: workload, measure, impl, label, threads, time, gelems
        self.notes = []
        self.mismatches = []
        self.bandwidth = []

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


def check(report, workload, measure, impl, got, ref, dtype):
    rtol, atol = tolerances(dtype)
    got = np.asarray(got, dtype=np.float64)
    try:
        np.testing.assert_allclose(got, ref, rtol=rtol, atol=atol)
    except AssertionError:
        err = float(np.max(np.abs(got - ref) / np.maximum(np.abs(ref), atol)))
        report.mismatches.append(
            f"{workload} {measure}: {impl} differs from fastdiv "
            f"(max rel. error {err:.3g} > rtol {rtol:g}); not timed"
        )
        return False
    return True


def run_workload(report, workload, shape, dtype, measures, threads, args):
    p, q = make_pair(shape, dtype)
    n_elem = p.size
    per_call = p.ndim == 1
    min_batch = args.min_batch if per_call else None
    nb_threads = [t for t in threads if numba is not None and t <= numba.config.NUMBA_NUM_THREADS]

    def fd_threads(t):
        return lambda: fastdiv.num_threads(t)

    def nb_ctx(t):
        return lambda: numba_threads(t)

    if not per_call:
        cands = [Candidate("numpy", "NumPy p.sum() + q.sum()", 1, lambda: p.sum() + q.sum())]
        cands.extend(
            Candidate(
                "numba",
                f"numba prange sum, {t} thread(s)",
                t,
                lambda: _nb_read_pair(p, q),
                nb_ctx(t),
            )
            for t in nb_threads
        )
        for c, (sec, best) in zip(cands, time_interleaved(cands, args.repeats)):
            # a ceiling is the best the machine did: computed from the fastest repeat
            report.bandwidth.append(
                dict(
                    workload=workload,
                    method=c.label,
                    threads=c.threads,
                    time=sec,
                    tmin=best,
                    gbs_median=(p.nbytes + q.nbytes) / sec / 1e9,
                    gbs=(p.nbytes + q.nbytes) / best / 1e9,
                    pair=n_elem / best / 1e9,
                    single=2 * n_elem / best / 1e9,
                )
            )

    for measure in measures:
        fd = _fastdiv(measure)
        with fastdiv.num_threads(threads[0]):
            ref = np.asarray(fd(p, q), dtype=np.float64)
        for t in threads[1:]:
            with fastdiv.num_threads(t):
                again = np.asarray(fd(p, q), dtype=np.float64)
            if not np.array_equal(again, ref):
                report.mismatches.append(
                    f"{workload} {measure}: fastdiv with {t} threads is not "
                    f"bit-identical to {threads[0]} thread(s)"
                )
        cands = [
            Candidate("fastdiv", "fastdiv", t, (lambda fd=fd: fd(p, q)), fd_threads(t))
            for t in threads
        ]

        peers = []
        if measure in SCIPY:
            peers.append(Candidate("scipy", SCIPY_LABEL[measure], 1, SCIPY[measure]))
        peers.append(Candidate("numpy", "numpy", 1, NUMPY[measure]))
        if numba is not None:
            if per_call:
                peers.append(Candidate("numba", "numba @njit", 1, NUMBA_ROW[measure]))
            else:
                peers.extend(
                    Candidate("numba", "numba prange", t, NUMBA_ROWS[measure], nb_ctx(t))
                    for t in nb_threads
                )
        for c in peers:
            with c.context(), np.errstate(all="ignore"):
                got = c.fn(p, q)  # also compiles numba for this dtype
            if check(report, workload, measure, c.label, got, ref, dtype):
                c.fn = lambda f=c.fn: f(p, q)
                cands.append(c)

        for c, (sec, best) in zip(cands, time_interleaved(cands, args.repeats, min_batch)):
            report.add(
                workload=workload,
                measure=measure,
                impl=c.impl,
                label=c.label,
                threads=c.threads,
                time=sec,
                tmin=best,
                gelems=n_elem / sec / 1e9,
            )
        if not per_call and len(threads) > 1:
            one = report.get(workload, measure, "fastdiv", threads[0])
            top = report.get(workload, measure, "fastdiv", threads[-1])
            if top["time"] > one["time"]:
                report.notes.append(
                    f"{workload} {measure}: fastdiv with {threads[-1]} threads was slower "
                    f"than with {threads[0]} ({fmt_time(top['time'])} vs "
                    f"{fmt_time(one['time'])}): a disturbed run or a threading problem"
                )
        if args.verbose:
            print(f"  done: {workload} {measure}", file=sys.stderr, flush=True)


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


def environment_lines():
    lines = [
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__ if scipy else 'not installed'}, "
        f"numba {numba.__version__ if numba else 'not installed'}, "
        f"fastdiv {getattr(fastdiv, '__version__', '?')} ({os.path.dirname(fastdiv.__file__)})",
        f"machine: {platform.machine()}, {os.cpu_count()} logical CPUs, "
        f"{_cpu_model()}; fastdiv default threads: {fastdiv.get_num_threads()}",
    ]
    try:
        from fastdiv import _divergence

        lines.append(
            f"fastdiv ISA: {_divergence.get_isa()} (available: "
            f"{', '.join(_divergence.isa_available())})"
        )
    except Exception:  # noqa: BLE001 - test hooks are internal; absent is fine
        pass
    return lines


def _loadavg():
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def print_report(report, workloads, threads, args):
    md = args.markdown
    tmax = max(threads)
    out = [heading("fastdiv vs peers", md, level=1)]
    env = environment_lines()
    out.append("\n".join(("- " + e) if md else e for e in env))
    out.append(
        ("- " if md else "")
        + f"median of {args.repeats} repeats; Gelem/s = elements of ONE input per second, "
        "from the median; speedup = peer median / fastdiv median (>1: fastdiv is faster); "
        "repeats interleaved round-robin over the implementations; "
        f"* after a median: noisy, more than {NOISY}x the fastest repeat (another process "
        "competed for the CPUs)"
    )

    if report.bandwidth:
        out.append(
            heading("Memory-bandwidth ceiling (read-only reductions over the same p and q)", md)
        )
        rows = [
            [
                b["workload"],
                b["method"],
                b["threads"],
                fmt_time(b["time"]),
                fmt_time(b["tmin"]),
                f"{b['gbs_median']:.1f}",
                f"{b['gbs']:.1f}",
                f"{b['pair']:.2f}",
                f"{b['single']:.2f}",
            ]
            for b in report.bandwidth
        ]
        out.append(
            table(
                [
                    "workload",
                    "reduction",
                    "threads",
                    "median",
                    "min",
                    "GB/s (median)",
                    "GB/s (min)",
                    "ceiling Gelem/s (pair)",
                    "ceiling Gelem/s (one input)",
                ],
                rows,
                md,
                ["l", "l", "r", "r", "r", "r", "r", "r", "r"],
            )
        )
        out.append(
            ("- " if md else "")
            + "NumPy reductions are single-threaded, and NumPy's pairwise sum can be "
            "limited by its own arithmetic below one core's memory bandwidth; the numba "
            "rows (vectorized sum, fastmath) read with the thread count listed and are the "
            "closer ceiling. A pair measure reads p and q: ceiling Gelem/s (pair) = "
            "GB/s / (2 x itemsize); a one-input measure (entropy) gets twice that. "
            "Ceilings use the fastest repeat."
        )

    for workload, shape, dtype in workloads:
        desc = (
            f"1-D pair of {shape[0]} elements, {dtype}, per-call time"
            if len(shape) == 1
            else f"{shape[0]} x {shape[1]} rows, {dtype}, per call"
        )
        out.append(heading(f"{workload}: {desc}", md))
        rows = []
        for measure in args.measures:
            fd = {t: report.get(workload, measure, "fastdiv", t) for t in threads}
            for r in [
                x for x in report.rows if x["workload"] == workload and x["measure"] == measure
            ]:
                if r["impl"] == "fastdiv":
                    s = ["-" for _ in threads]
                else:
                    s = [fmt_ratio(r["time"] / fd[t]["time"]) if fd[t] else "-" for t in threads]
                noisy = "*" if r["time"] > NOISY * r["tmin"] else ""
                rows.append(
                    [
                        measure,
                        r["label"],
                        r["threads"],
                        fmt_time(r["time"]) + noisy,
                        fmt_time(r["tmin"]),
                        f"{r['gelems']:.3f}",
                        *s,
                    ]
                )
        out.append(
            table(
                [
                    "measure",
                    "implementation",
                    "threads",
                    "median",
                    "min",
                    "Gelem/s",
                    *[f"fastdiv {t}T speedup" for t in threads],
                ],
                rows,
                md,
                ["l", "l", "r", "r", "r", "r"] + ["r"] * len(threads),
            )
        )

    out.append(
        heading(
            f"Targets (fastdiv with {tmax} threads, the machine's cores; "
            f"numba with the same count)",
            md,
        )
    )
    trows, n_fail = targets(report, threads)
    out.append(
        table(
            ["target", "measured (median)", "from min", "required", "result"],
            trows,
            md,
            ["l", "r", "r", "r", "l"],
        )
    )
    out.append(
        ("- " if md else "") + "PASS/FAIL is judged on the medians; where the fastest "
        "repeats would judge otherwise, the run was disturbed: run it again on a quiet machine."
    )

    notes = list(report.notes)
    if report.mismatches:
        notes += ["MISMATCH: " + m for m in report.mismatches]
    if notes:
        out.append(heading("Notes", md))
        out.append("\n".join(("- " if md else "* ") + n for n in notes))
    print("\n".join(out))
    return n_fail


def targets(report, threads):
    t = max(threads)
    rows = []
    n_fail = 0

    def add(name, measured, on_min, required, ok, ok_min=None):
        nonlocal n_fail
        if measured is None:
            rows.append([name, "-", "-", required, "SKIP (not measured)"])
            return
        n_fail += not ok
        verdict = "PASS" if ok else "FAIL"
        if ok_min is not None and ok_min != ok:
            verdict += f" (noisy: {'PASS' if ok_min else 'FAIL'} on min)"
        rows.append([name, measured, on_min or "-", required, verdict])

    def fdr(wl, m, threads_=t):
        return report.get(wl, m, "fastdiv", threads_)

    def gel(wl, m, need):
        r = fdr(wl, m)
        if r is None:
            add(f"{m} {wl}: throughput", None, None, f">= {need} Gelem/s", False)
            return
        g_min = r["gelems"] * r["time"] / r["tmin"]
        add(
            f"{m} {wl}: throughput",
            f"{r['gelems']:.2f} Gelem/s",
            f"{g_min:.2f} Gelem/s",
            f">= {need} Gelem/s",
            r["gelems"] >= need,
            g_min >= need,
        )

    def speedup(wl, m, impl, need, label, peer_threads=None):
        r = fdr(wl, m)
        peer = report.get(wl, m, impl, peer_threads)
        if r is None or peer is None:
            add(f"{m} {wl}: vs {label}", None, None, f">= {need}x", False)
            return
        x = peer["time"] / r["time"]
        x_min = peer["tmin"] / r["tmin"]
        add(
            f"{m} {wl}: vs {label}",
            f"{x:.1f}x",
            f"{x_min:.1f}x",
            f">= {need}x",
            x >= need,
            x_min >= need,
        )

    gel("rows f64", "kl_divergence", 1.0)
    speedup("rows f64", "kl_divergence", "scipy", 35, "scipy.stats.entropy")
    speedup("rows f64", "kl_divergence", "numba", 5, f"numba ({t} threads)", t)
    gel("rows f32", "kl_divergence", 1.8)
    gel("rows f64", "entropy", 1.5)
    gel("rows f64", "total_variation", 1.4)
    gel("rows f64", "hellinger", 1.4)
    gel("rows f64", "js_divergence", 0.5)
    for wl in ("rows f64", "rows f32"):
        for m in MEASURES:
            if report.get(wl, m, "fastdiv") is not None:
                speedup(wl, m, "scipy", 20, f"scipy ({SCIPY_LABEL[m]})")
    for m in MEASURES:
        r = fdr("1-D f64", m)
        if r is not None:
            add(
                f"{m} 1-D f64 (1000 el.): per call",
                fmt_time(r["time"]),
                fmt_time(r["tmin"]),
                "<= 2 us",
                r["time"] <= 2e-6,
                r["tmin"] <= 2e-6,
            )
    return rows, n_fail


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--quick",
        action="store_true",
        help="7 repeats and short per-call batches (default: 15 repeats)",
    )
    ap.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    ap.add_argument("--repeats", type=int, default=None, help="repeats per timing (>= 7)")
    ap.add_argument(
        "--measures",
        default=",".join(MEASURES),
        help="comma-separated subset of: " + ", ".join(MEASURES),
    )
    ap.add_argument("--strict", action="store_true", help="exit with status 1 when a target FAILs")
    ap.add_argument("-v", "--verbose", action="store_true", help="progress on stderr")
    args = ap.parse_args(argv)
    args.repeats = args.repeats or (7 if args.quick else 15)
    if args.repeats < 7:
        ap.error("--repeats must be >= 7")
    args.min_batch = 0.05 if args.quick else 0.2
    args.measures = [m.strip() for m in args.measures.split(",") if m.strip()]
    unknown = set(args.measures) - set(MEASURES)
    if unknown:
        ap.error(f"unknown measures: {', '.join(sorted(unknown))}")

    report = Report()
    if scipy is None:
        report.notes.append("scipy is not installed: scipy peer skipped (pip install scipy)")
    if numba is None:
        report.notes.append("numba is not installed: numba peer skipped (pip install numba)")
    threads = THREADS
    if numba is not None and max(threads) > numba.config.NUMBA_NUM_THREADS:
        report.notes.append(
            f"numba allows at most {numba.config.NUMBA_NUM_THREADS} threads here; "
            "larger thread counts skipped for numba"
        )
    if max(threads) > (os.cpu_count() or 1):
        report.notes.append(f"only {os.cpu_count()} CPUs: {max(threads)} threads oversubscribe")

    workloads = [
        ("rows f64", (ROWS, SUPPORT), "float64"),
        ("rows f32", (ROWS, SUPPORT), "float32"),
        ("1-D f64", (N1D,), "float64"),
    ]
    load0 = _loadavg()
    t0 = time.perf_counter()
    for workload, shape, dtype in workloads:
        if args.verbose:
            print(f"workload {workload} ...", file=sys.stderr, flush=True)
        run_workload(report, workload, shape, dtype, args.measures, threads, args)
    report.notes.append(f"total run time {time.perf_counter() - t0:.0f} s")
    load1 = _loadavg()
    if load0 is not None and load1 is not None:
        report.notes.append(
            f"load average (1 min) {load0:.2f} at the start, {load1:.2f} at the end, on "
            f"{os.cpu_count()} CPUs (this run itself adds up to {max(threads)}); other busy "
            "processes make the 2-thread timings noisy"
        )
    n_fail = print_report(report, workloads, threads, args)
    if report.mismatches:
        return 2
    return 1 if (args.strict and n_fail) else 0


if __name__ == "__main__":
    sys.exit(main())
