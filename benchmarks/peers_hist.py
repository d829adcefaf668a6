"""The ``hist`` section of ``peers.py``: ``fastdiv.hist`` against NumPy, fast-histogram
and boost-histogram.

``peers.py`` parses the command line, calls ``preflight`` and ``run``, and puts
``report_tables`` and ``targets`` into its report.  The workloads, the peers and
the targets are described in ``peers.py``'s docstring ("Hist section") and in
benchmarks/README.md.  Timing, checks and tables come from ``peers_common``.
"""

import concurrent.futures
import importlib
import importlib.metadata
import sys

import numpy as np
from peers_common import (
    SEED,
    Candidate,
    _mb,
    add_timings,
    bullet,
    check,
    fastdiv_reference,
    fmt_time,
    heading,
    numba,
    numba_thread_counts,
    numba_threads,
    scaled_rows,
    table,
    time_interleaved,
    timing_table,
)

import fastdiv

if numba is not None:
    from peers_common import nb_read_pair

try:
    import fast_histogram
except ImportError:  # optional peer: pip install fast-histogram
    fast_histogram = None

try:
    import boost_histogram as bh
except ImportError:  # optional peer: pip install boost-histogram
    bh = None

SECTIONS = ("hist",)

# seeded standard-normal samples, float64; every workload bins on RANGE
RANGE = (-5.0, 5.0)
N1D, BINS1D = 10_000_000, 100  # 1-D, uniform bins (and the bandwidth ceiling on the same x)
BINS2D = 64  # 2-D: x of the 1-D workload and a y correlated with it, 64 x 64 bins
B_ROWS, B_COLS, B_BINS = 10_000, 1_000, 32  # batched: one histogram per row, shared bins
LOOP_ROWS = 1_000  # NumPy's loop over rows is timed on the first rows, scaled per row
N_EDGES = 100  # non-uniform: 100 bins (101 edges), x of the 1-D workload
RHO = 0.6  # y = RHO x + sqrt(1 - RHO**2) z: a 2-D histogram with some structure
BH_THREADS = (1, 2)  # boost-histogram's fill(threads=...)

# fast-histogram and boost-histogram compute the bin of a sample with their own
# arithmetic: on a bin edge (to an ulp) a sample may land in the next bin, and both
# leave x == the upper end of the range out (NumPy's last bin is closed).  Their
# counts may differ from fastdiv's (= NumPy's) in at most this share of the samples
# (at least 1 sample), and their totals by as much.
PEER_SHARE = 1e-6

WL_1D = "points, 100 bins"
WL_2D = "points, 64 x 64 bins"
WL_B = "rows, 32 bins"
WL_E = "points, 100 variable bins"
WORKLOADS = (WL_1D, WL_2D, WL_B, WL_E)
M_1D, M_2D, M_B, M_E = "histogram", "histogram2d", "histogram(axis=1)", "histogram(edges)"
MEASURE = {WL_1D: M_1D, WL_2D: M_2D, WL_B: M_B, WL_E: M_E}

FH = "fast-histogram"
BH = "boost-histogram"

# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------


def normal(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


def correlated(x, seed):
    """y = RHO x + sqrt(1 - RHO**2) z, z standard normal, built in place."""
    y = normal(x.shape, seed)
    y *= np.sqrt(1.0 - RHO**2)
    y += RHO * x
    return y


def variable_edges(bins, seed):
    """``bins + 1`` increasing edges over RANGE: the ends of the range and ``bins - 1``
    standard-normal draws (random quantiles of the data: narrow bins in the middle)."""
    inner = normal(bins - 1, seed)
    edges = np.sort(np.concatenate([RANGE, np.clip(inner, *RANGE)]))
    assert np.all(np.diff(edges) > 0), "the edges must increase strictly"
    return edges


# --------------------------------------------------------------------------
# Peers
# --------------------------------------------------------------------------


def _hist():
    """The ``fastdiv.hist`` module, or None (a fastdiv without it)."""
    try:
        return importlib.import_module("fastdiv.hist")
    except ImportError:
        return None


def np_loop_rows(a, bins, rng):
    """``numpy.histogram`` of every row of ``a``, in a Python loop."""
    return np.stack([np.histogram(row, bins, rng)[0] for row in a])


def np_bincount_rows(a, bins, rng):
    """The vectorized NumPy idiom: the bin of every element by ``numpy.histogram``'s own
    arithmetic (its uniform-bin path, with its corrections on the edges), values out of
    the range sent to an extra bin per row, then one ``bincount`` of ``row * (bins + 1)
    + bin``.  Equal to ``numpy.histogram`` row by row."""
    lo, hi = rng
    rows = a.shape[0]
    edges = np.linspace(lo, hi, bins + 1)
    f = a - lo
    f /= hi - lo
    f *= bins
    out = (a < lo) | (a > hi)
    f[out] = 0.0
    idx = f.astype(np.intp)
    del f
    idx[idx == bins] -= 1
    idx[a < edges[idx]] -= 1
    idx[(a >= edges[idx + 1]) & (idx != bins - 1)] += 1
    idx[out] = bins
    idx += np.arange(0, rows * (bins + 1), bins + 1)[:, None]
    counts = np.bincount(idx.ravel(), minlength=rows * (bins + 1))
    return counts.reshape(rows, bins + 1)[:, :bins]


def bh_fill(axes, threads, *data):
    """A new boost-histogram of ``axes``, filled; its counts (flow bins left out)."""
    return bh.Histogram(*axes()).fill(*data, threads=threads).view()


# --------------------------------------------------------------------------
# Run
# --------------------------------------------------------------------------


def preflight(report, args):
    """Before any timing: exit if the section is selected and fastdiv has no
    ``fastdiv.hist``; note the missing peers; record the peers' versions."""
    if "hist" not in args.only:
        return
    if _hist() is None:
        sys.exit("this fastdiv has no fastdiv.hist: run without the hist section")
    versions = []
    for dist, mod in ((FH, fast_histogram), (BH, bh)):
        if mod is None:
            versions.append(f"{dist} not installed")
            report.notes.append(
                f"{dist} is not installed: its peers are skipped (pip install {dist})"
            )
        else:
            versions.append(f"{dist} {importlib.metadata.version(dist)}")
    report.versions.append("hist peers: " + ", ".join(versions))


def run(report, threads, args):
    """The hist section (after ``preflight``)."""
    if "hist" not in args.only:
        return
    h = _hist()
    report.notes.append(
        "hist: NumPy's counts must equal fastdiv's exactly. fast-histogram and "
        "boost-histogram bin with their own arithmetic (a sample within an ulp of an "
        "edge may land in the next bin; x equal to the upper end of the range is left "
        "out, where NumPy's last bin is closed): their counts may differ from fastdiv's "
        f"in at most {PEER_SHARE:g} of the samples (at least 1), and their totals by as "
        "much; the tables give the numbers seen"
    )
    n = scaled_rows(N1D, args, minimum=10_000)
    _progress(args, f"workload {WL_1D} ({n} points) ...")
    x = normal(n, SEED + 60)
    run_ceilings(report, x, threads, args)
    run_1d(report, h, x, threads, args)
    run_edges(report, h, x, threads, args)
    y = correlated(x, SEED + 61)
    run_2d(report, h, x, y, threads, args)
    del x, y
    run_batched(report, h, threads, args)


def _progress(args, text):
    if args.verbose:
        print(text, file=sys.stderr, flush=True)


def _counts(result):
    """The counts of a histogram call: the first item of fastdiv's and NumPy's tuples."""
    return result[0] if isinstance(result, tuple) else result


def check_equal(report, workload, measure, label, got, ref):
    """True when a peer's counts equal fastdiv's; otherwise records a mismatch."""
    got, ref = np.asarray(got), np.asarray(ref)
    if got.shape != ref.shape:
        what = f"shape {got.shape} vs {ref.shape}"
    elif np.array_equal(got, ref):
        return True
    else:
        d = got.astype(np.float64) - ref
        what = f"{np.count_nonzero(d)} bins, sum |difference| {np.abs(d).sum():.0f}"
    report.mismatches.append(
        f"{workload} {measure}: {label}'s counts differ from fastdiv's ({what}); not timed"
    )
    return False


def check_near(report, workload, measure, label, got, ref, samples):
    """True when a peer's counts are fastdiv's up to a few samples on bin edges: the
    totals and the bins may differ by at most PEER_SHARE of the samples (at least one).
    Records the number of samples that differ for the report."""
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    limit = max(1, int(PEER_SHARE * samples))
    if got.shape != ref.shape:
        report.mismatches.append(
            f"{workload} {measure}: {label} differs from fastdiv (shape {got.shape} vs "
            f"{ref.shape}); not timed"
        )
        return False
    d = got - ref
    total = abs(float(d.sum()))
    # a sample in another bin adds 2 to sum |d|, a sample left out (or in) adds 1 and
    # shows in the total as well: (sum |d| + |total|) / 2 counts both kinds once
    differ = (float(np.abs(d).sum()) + total) / 2
    report.hist[workload].setdefault("differ", {})[label] = (int(differ), int(total))
    if total > limit or differ > limit:
        report.mismatches.append(
            f"{workload} {measure}: {label} differs from fastdiv in {differ:.0f} samples "
            f"(totals differ by {total:.0f}; at most {limit} allowed); not timed"
        )
        return False
    return True


def time_case(report, workload, measure, threads, args, fd, peers, elements):
    """Check, then time, fastdiv and its peers on one workload.

    ``fd`` = (label, call) returns fastdiv's (counts, edges...) tuple; its
    results with each thread count must be bit-identical.  ``peers`` =
    [(Candidate, kind)], each ``fn()`` returning the peer's result: ``kind``
    "exact" (NumPy: counts equal, and the edges of a tuple result equal to
    fastdiv's to 1e-12 relative) or "near" (``check_near``).  A peer with
    ``scale`` != 1 computes the first 1/scale of the rows; its time is scaled to
    the whole.  A peer that fails its check is reported and not timed.
    """
    label, call = fd
    ref = fastdiv_reference(report, f"{workload} {measure}", threads, call)
    counts = np.asarray(ref[0])
    cands = [
        Candidate("fastdiv", label, t, call, (lambda t=t: fastdiv.num_threads(t))) for t in threads
    ]
    for c, kind in peers:
        with c.context(), np.errstate(all="ignore"):
            got = c.fn()
        part = counts if c.scale == 1 else counts[: round(len(counts) / c.scale)]
        if kind == "near":
            ok = check_near(report, workload, measure, c.label, got, part, elements / c.scale)
        else:
            ok = check_equal(report, workload, measure, c.label, _counts(got), part)
            if ok and isinstance(got, tuple):
                for a, b in zip(got[1:], ref[1:]):
                    ok &= check(
                        report, workload, measure + " edges", c.label, a, b, tol=(1e-12, 1e-12)
                    )
                    if ok and not np.array_equal(a, b):
                        report.notes.append(
                            f"{workload}: fastdiv's edges are not bit-identical to "
                            f"{c.label}'s (within 1e-12 relative)"
                        )
        if ok:
            cands.append(c)
    timings = time_interleaved(cands, args.repeats)
    add_timings(report, workload, measure, cands, timings, elements)
    if len(threads) > 1:
        one = report.get(workload, measure, "fastdiv", threads[0])
        top = report.get(workload, measure, "fastdiv", threads[-1])
        if top["time"] > one["time"]:
            report.notes.append(
                f"{workload}: fastdiv with {threads[-1]} threads was slower than with "
                f"{threads[0]} ({fmt_time(top['time'])} vs {fmt_time(one['time'])}): a "
                "disturbed run or a threading problem"
            )
    _progress(args, f"  done: {workload}")


def _bh_cands(label, axes, *data):
    return [
        (
            Candidate(
                "boost-histogram",
                f"{label}, fill(threads={t})",
                t,
                lambda t=t: bh_fill(axes, t, *data),
            ),
            "near",
        )
        for t in BH_THREADS
    ]


def run_1d(report, h, x, threads, args):
    n = x.size
    report.hist[WL_1D] = dict(n=n, bins=BINS1D)
    peers = [
        (
            Candidate("numpy", "numpy.histogram", 1, lambda: np.histogram(x, BINS1D, RANGE)),
            "exact",
        )
    ]
    if fast_histogram is not None:
        peers.append(
            (
                Candidate(
                    "fast-histogram",
                    "fast_histogram.histogram1d",
                    1,
                    lambda: fast_histogram.histogram1d(x, BINS1D, RANGE),
                ),
                "near",
            )
        )
    if bh is not None:
        peers += _bh_cands("bh axis.Regular", lambda: [bh.axis.Regular(BINS1D, *RANGE)], x)
    fd = (
        f"fastdiv.hist.histogram(x, {BINS1D}, {RANGE})",
        lambda: h.histogram(x, BINS1D, RANGE),
    )
    time_case(report, WL_1D, M_1D, threads, args, fd, peers, n)


def run_edges(report, h, x, threads, args):
    n = x.size
    edges = variable_edges(N_EDGES, SEED + 62)
    report.hist[WL_E] = dict(n=n, bins=N_EDGES, widths=(np.diff(edges).min(), np.diff(edges).max()))
    peers = [
        (
            Candidate("numpy", "numpy.histogram(x, edges)", 1, lambda: np.histogram(x, edges)),
            "exact",
        )
    ]
    if bh is not None:
        peers += _bh_cands("bh axis.Variable(edges)", lambda: [bh.axis.Variable(edges)], x)
    fd = ("fastdiv.hist.histogram(x, edges)", lambda: h.histogram(x, edges))
    time_case(report, WL_E, M_E, threads, args, fd, peers, n)


def run_2d(report, h, x, y, threads, args):
    n = x.size
    rng2 = [list(RANGE), list(RANGE)]
    report.hist[WL_2D] = dict(n=n, bins=BINS2D)
    peers = [
        (
            Candidate("numpy", "numpy.histogram2d", 1, lambda: np.histogram2d(x, y, BINS2D, rng2)),
            "exact",
        )
    ]
    if fast_histogram is not None:
        peers.append(
            (
                Candidate(
                    "fast-histogram",
                    "fast_histogram.histogram2d",
                    1,
                    lambda: fast_histogram.histogram2d(x, y, BINS2D, rng2),
                ),
                "near",
            )
        )
    if bh is not None:
        peers += _bh_cands(
            "bh 2 x axis.Regular",
            lambda: [bh.axis.Regular(BINS2D, *RANGE), bh.axis.Regular(BINS2D, *RANGE)],
            x,
            y,
        )
    fd = (
        f"fastdiv.hist.histogram2d(x, y, {BINS2D}, range)",
        lambda: h.histogram2d(x, y, BINS2D, rng2),
    )
    time_case(report, WL_2D, M_2D, threads, args, fd, peers, n)


def run_batched(report, h, threads, args):
    rows = scaled_rows(B_ROWS, args, minimum=10)
    _progress(args, f"workload {WL_B} ({rows} x {B_COLS}) ...")
    X = normal((rows, B_COLS), SEED + 63)
    s = min(LOOP_ROWS, rows)
    report.hist[WL_B] = dict(rows=rows, cols=B_COLS, bins=B_BINS, loop_rows=s, n=X.size)
    loop = Candidate(
        "numpy loop",
        f"loop: numpy.histogram per row, {s:,} rows, time x {rows / s:g}",
        1,
        lambda: np_loop_rows(X[:s], B_BINS, RANGE),
    )
    loop.scale = rows / s
    peers = [
        (loop, "exact"),
        (
            Candidate(
                "numpy bincount",
                "NumPy, vectorized: bincount(row * (bins + 1) + bin)",
                1,
                lambda: np_bincount_rows(X, B_BINS, RANGE),
            ),
            "exact",
        ),
    ]
    fd = (
        f"fastdiv.hist.histogram(X, {B_BINS}, {RANGE}, axis=1)",
        lambda: h.histogram(X, B_BINS, RANGE, axis=1),
    )
    time_case(report, WL_B, M_B, threads, args, fd, peers, X.size)


def _sum_parts(pool, parts):
    futures = [pool.submit(np.sum, part) for part in parts]
    return sum(fut.result() for fut in futures)


def run_ceilings(report, x, threads, args):
    """Read-only reductions over the 1-D workload's x (as ``peers_discrete``'s tables
    ceiling): NumPy's ``x.sum()`` (1 thread), NumPy sums of ``t`` parts in ``t``
    Python threads (NumPy releases the GIL), and numba's vectorized ``prange`` sum
    over the two halves of x (1 and 2 threads).  From the fastest repeat."""
    tmax = max(threads)
    pool = concurrent.futures.ThreadPoolExecutor(tmax)
    cands = []
    for t in threads:
        if t == 1:
            c = Candidate("numpy", "NumPy x.sum()", 1, x.sum)
        else:
            parts = np.array_split(x, t)
            c = Candidate(
                "numpy",
                f"NumPy sum of {t} parts, {t} Python threads",
                t,
                (lambda parts=parts: _sum_parts(pool, parts)),
            )
        c.work = x.nbytes
        cands.append(c)
    cols = 1_000
    h = x.size // (2 * cols)
    if h:
        halves = x[: 2 * h * cols].reshape(2 * h, cols)
        for t in numba_thread_counts(threads):
            c = Candidate(
                "numba",
                "numba prange sum (two halves)",
                t,
                lambda: nb_read_pair(halves[:h], halves[h:]),
                (lambda t=t: numba_threads(t)),
            )
            c.work = halves.nbytes
            cands.append(c)
    try:
        timings = time_interleaved(cands, args.repeats)
    finally:
        pool.shutdown()
    for c, (sec, best) in zip(cands, timings):
        report.hist_ceilings.append(
            dict(
                method=c.label,
                threads=c.threads,
                time=sec,
                tmin=best,
                gbs_median=c.work / sec / 1e9,
                gbs=c.work / best / 1e9,
            )
        )
    _progress(args, "  done: hist ceilings")


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

# bytes of input a histogram call reads per counted element (x, or x and y)
BYTES = {WL_1D: 8, WL_2D: 16, WL_B: 8, WL_E: 8}


def _describe(workload, info):
    if workload == WL_1D:
        return (
            f"x of {info['n']:,} float64 standard-normal points, {info['bins']} uniform bins "
            f"over {RANGE}, per call"
        )
    if workload == WL_2D:
        return (
            f"x, y of {info['n']:,} float64 points (standard normal, correlation {RHO}), "
            f"{info['bins']} x {info['bins']} bins over {RANGE} x {RANGE}, per call"
        )
    if workload == WL_B:
        return (
            f"X of {info['rows']:,} rows x {info['cols']:,} float64 standard-normal "
            f"samples, {info['bins']} bins over {RANGE} shared by the rows, one histogram "
            "per row, per call"
        )
    lo, hi = info["widths"]
    return (
        f"x of the 1-D workload ({info['n']:,} points), {info['bins']} bins on "
        f"{info['bins'] + 1} sorted edges (the ends of {RANGE} and {info['bins'] - 1} "
        f"standard-normal draws; widths {lo:.2g} to {hi:.2g}), per call"
    )


def report_tables(report, threads, args):
    md = args.markdown
    out = []
    for workload in WORKLOADS:
        info = report.hist.get(workload)
        if info is None or not any(r["workload"] == workload for r in report.rows):
            continue
        out.append(heading(f"{workload}: {_describe(workload, info)}", md))
        rate = "G elem/s" if workload == WL_B else "G points/s"
        out.append(timing_table(report, workload, threads, md, rate))
        if workload == WL_B:
            out.append(
                bullet(
                    f"the loop is timed on the first {info['loop_rows']:,} rows only, its "
                    "median and min scaled per row to the whole batch; the vectorized "
                    "NumPy idiom computes each bin with numpy.histogram's own arithmetic "
                    "(checked equal to it), values out of the range counted in an extra "
                    "bin per row that is dropped",
                    md,
                )
            )
        differ = info.get("differ")
        if differ:
            seen = "; ".join(
                f"{label}: {k:,} (totals differ by {tot:,})" for label, (k, tot) in differ.items()
            )
            same = (
                "NumPy's counts equal fastdiv's. "
                if report.get(workload, MEASURE[workload], "numpy") is not None
                else ""
            )
            out.append(
                bullet(
                    f"{same}Samples in another bin than fastdiv's (at most "
                    f"{max(1, int(PEER_SHARE * info['n'])):,} allowed, see the notes): {seen}",
                    md,
                )
            )
    out.extend(_ceiling_tables(report, md))
    return out


def _ceiling_tables(report, md):
    if not report.hist_ceilings:
        return []
    info = report.hist.get(WL_1D, {})
    out = [
        heading(
            f"hist: memory-bandwidth ceiling (read-only reductions over the 1-D workload's x, "
            f"{_mb(8 * info.get('n', 0))} MB)",
            md,
        )
    ]
    rows = [
        [
            c["method"],
            c["threads"],
            fmt_time(c["time"]),
            fmt_time(c["tmin"]),
            f"{c['gbs_median']:.1f}",
            f"{c['gbs']:.1f}",
            f"{c['gbs'] / 8:.2f}",
        ]
        for c in report.hist_ceilings
    ]
    out.append(
        table(
            [
                "reduction",
                "threads",
                "median",
                "min",
                "GB/s (median)",
                "GB/s (min)",
                "G float64/s",
            ],
            rows,
            md,
            ["l", "r", "r", "r", "r", "r", "r"],
        )
    )
    rows = []
    for r in report.rows:
        if r["workload"] not in BYTES or r["impl"] != "fastdiv":
            continue
        best = max(
            (c for c in report.hist_ceilings if c["threads"] == r["threads"]),
            key=lambda c: c["gbs"],
            default=None,
        )
        if best is None:
            continue
        gbs = r["gelems"] * BYTES[r["workload"]]
        rows.append(
            [
                r["workload"],
                r["threads"],
                f"{gbs:.1f}",
                best["method"],
                f"{best['gbs']:.1f}",
                f"{100 * gbs / best['gbs']:.0f}%",
            ]
        )
    out.append(heading("hist: how close to the ceiling (fastdiv medians)", md))
    out.append(
        table(
            [
                "workload",
                "threads",
                "fastdiv input GB/s",
                "ceiling",
                "ceiling GB/s",
                "fraction",
            ],
            rows,
            md,
            ["l", "r", "r", "l", "r", "r"],
        )
    )
    out.append(
        bullet(
            "a histogram reads each float64 input once (the 2-D workload reads x and y: 16 "
            "bytes per point); fastdiv's input GB/s = bytes read / median, against the "
            "fastest read-only reduction at the same thread count (from its fastest "
            "repeat). The 1-D uniform and batched workloads can approach it; the 2-D "
            "and variable-edge ones do more arithmetic per byte (two bins, a search "
            "among the edges)",
            md,
        )
    )
    return out


# --------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------


def targets(tg, sections):
    """This section's rows of the targets table (``peers_common.Targets``)."""
    if "hist" not in sections:
        return
    t = tg.t
    tg.speedup(WL_1D, M_1D, "numpy", 10, "numpy.histogram")
    tg.speedup(WL_1D, M_1D, "fast-histogram", 2.5, "fast_histogram.histogram1d")
    tg.speedup(WL_1D, M_1D, "boost-histogram", 2.5, f"boost-histogram fill(threads={t})", t)
    tg.speedup(WL_2D, M_2D, "fast-histogram", 3, "fast_histogram.histogram2d")
    tg.speedup(WL_2D, M_2D, "numpy", 50, "numpy.histogram2d")
    tg.gel(WL_B, M_B, 1.0, "G elem/s")
    tg.speedup(WL_E, M_E, "numpy", 5, "numpy.histogram(x, edges)")
