"""The ``discrete`` and ``tables`` sections of ``peers.py``.

``peers.py`` parses the command line, calls ``preflight`` and ``run``, and puts
``report_tables`` and ``targets`` into its report; ``memprobe`` is the body of
the fresh process that ``peers.py --memprobe`` starts for this section.  The
workloads, the peers and the targets are described in ``peers.py``'s docstring
("Discrete section", "Tables section") and in benchmarks/README.md.  Timing,
checks, tables and the peak-memory probe come from ``peers_common``.
"""

import concurrent.futures
import importlib
import importlib.metadata
import json
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
    measure_peak,
    numba,
    numba_thread_counts,
    numba_threads,
    scaled_rows,
    spawn_memprobe,
    table,
    time_interleaved,
    timing_table,
)

import fastdiv

if numba is not None:
    from peers_common import nb_read_pair

try:
    import sklearn
    from sklearn.metrics import adjusted_mutual_info_score, mutual_info_score
    from sklearn.metrics.cluster import contingency_matrix
except ImportError:  # optional peer: pip install scikit-learn
    sklearn = None

try:
    from pyitlib import discrete_random_variable as pyitlib_drv
except ImportError:  # optional peer: pip install pyitlib
    pyitlib_drv = None

try:
    import scipy.stats
except ImportError:  # optional peer
    scipy = None

SECTIONS = ("discrete", "tables")

# discrete section: label arrays (int64), seeded
MI_N, MI_CLASSES = 1_000_000, 50  # mutual information (and the dense contingency table)
AMI_N, AMI_CLASSES = 100_000, 200  # adjusted mutual information
PW_N, PW_FEATURES, PW_CLASSES = 100_000, 100, 10  # pairwise over label columns
SP_N, SP_DISTINCT = 1_000_000, 100_000  # distinct labels per input: sparse contingency
MIX = 0.5  # share of the samples where y copies x (so that MI is far from 0)
PW_MIX = 0.3  # share of the samples where column j copies column j - 1
SPREAD = 2_654_435_761  # odd: code * SPREAD mod 2**40 maps codes to distinct spread labels
LOOP_REPEATS = 3  # the pairwise workload's loop over mutual_info_score: ~30 s per call
MEM_PER_SAMPLE = 100  # target: bytes of peak memory beyond the inputs per sample (O(n))

# tables section: TB_TABLES joint tables of TB_SHAPE, float64 counts in [1, 1000]
TB_TABLES, TB_SHAPE = 10_000, (64, 64)
TABLE_MEASURES = ("mutual_information", "joint_entropy", "conditional_entropy")
SK_TABLES = 1_000  # scikit-learn's loop over tables is timed on the first ones, scaled per table

# (rtol, atol) of the check of a peer's result against fastdiv's
SKLEARN_TOL = (1e-12, 1e-12)
# AMI: scikit-learn's own error is ~1e-12 (n=1_000, 200 classes, this workload's seed:
# exact AMI 0.33774267565403235 from a 40-digit mpmath evaluation; scikit-learn 1.9.1 off
# by +1.06e-12, fastdiv by -7.3e-13), so the two cannot agree to 1e-12 relative
SKLEARN_AMI_TOL = (1e-11, 1e-12)
PYITLIB_TOL = (1e-9, 1e-12)
NUMPY_TOL = (1e-9, 1e-12)
EXACT = (0.0, 0.0)  # counts

WL_MI = "labels, 50 classes"
WL_AMI = "labels, 200 classes"
WL_PW = "label columns, 10 classes"
WL_SP = "labels, 1e5 distinct"
WL_TB = "tables 64 x 64 f64"

SK_MI = "sklearn mutual_info_score"
SK_AMI = "sklearn adjusted_mutual_info_score"
SK_CT = "sklearn contingency_matrix"

# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------


def dependent_labels(n, classes, seed, mix=MIX):
    """x, y: int64 labels in [0, classes); y copies x on a ``mix`` share of the samples."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, classes, n)
    y = rng.integers(0, classes, n)
    same = rng.random(n) < mix
    y[same] = x[same]
    return x, y


def label_columns(n, features, classes, seed):
    """(n, features) int64 labels; column j copies column j - 1 on PW_MIX of the samples."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, classes, (n, features))
    for j in range(1, features):
        same = rng.random(n) < PW_MIX
        X[same, j] = X[same, j - 1]
    return X


def spread_labels(n, distinct, seed):
    """n int64 labels taking exactly ``distinct`` values spread over [0, 2**40), shuffled
    (not 0..C-1: no peer can count them in a dense array indexed by label)."""
    rng = np.random.default_rng(seed)
    codes = np.arange(n, dtype=np.int64)
    np.remainder(codes, distinct, out=codes)
    rng.shuffle(codes)
    np.multiply(codes, SPREAD, out=codes)
    np.remainder(codes, 2**40, out=codes)
    return codes


def sparse_pair(n, distinct):
    return spread_labels(n, distinct, SEED + 30), spread_labels(n, distinct, SEED + 31)


def count_tables(count, shape, seed=SEED + 40):
    """(count, *shape) float64 tables of integer counts in [1, 1000], built in place."""
    a = np.random.default_rng(seed).random((count, *shape))
    a *= 1000.0
    np.floor(a, out=a)
    a += 1.0
    return a


# --------------------------------------------------------------------------
# Peers
# --------------------------------------------------------------------------


def _discrete():
    """The ``fastdiv.discrete`` module, or None (a fastdiv without it)."""
    try:
        return importlib.import_module("fastdiv.discrete")
    except ImportError:
        return None


def np_bincount_table(x, y, cx, cy):
    """The NumPy idiom for labels known to be 0..C-1: one bincount of x * cy + y."""
    return np.bincount(x * cy + y, minlength=cx * cy).reshape(cx, cy)


def np_bincount_mi(x, y, cx, cy):
    """Plug-in MI (nats) from the bincount table, over its non-zero cells."""
    c = np_bincount_table(x, y, cx, cy).astype(np.float64)
    n = c.sum()
    a = c.sum(axis=1, keepdims=True)
    b = c.sum(axis=0, keepdims=True)
    nz = c > 0
    outer = (a * b)[nz]
    c = c[nz]
    return float(np.sum(c / n * np.log(c * n / outer)))


def sklearn_triangle(X):
    """mutual_info_score(X[:, i], X[:, j]) for every i <= j (the diagonal is H(X_i)),
    mirrored into the full matrix: the pairs fastdiv's pairwise(X) computes."""
    f = X.shape[1]
    out = np.empty((f, f))
    for i in range(f):
        xi = X[:, i]
        for j in range(i, f):
            out[i, j] = out[j, i] = mutual_info_score(xi, X[:, j])
    return out


def canon_sparse(c):
    """(3, nnz) int64 array of (row, column, count), sorted by (row, column), from
    fastdiv's (i, j, counts) or a SciPy sparse matrix."""
    if isinstance(c, tuple):
        i, j, v = (np.asarray(a) for a in c)
    else:
        coo = c.tocoo()
        i, j, v = coo.row, coo.col, coo.data
    order = np.lexsort((j, i))
    return np.stack([i[order], j[order], v[order]]).astype(np.int64)


def _normalized_tables(pxy):
    return pxy / pxy.sum(axis=(-2, -1), keepdims=True)


def np_table_mi(pxy):
    p = _normalized_tables(pxy)
    outer = p.sum(-1, keepdims=True) * p.sum(-2, keepdims=True)
    return (p * np.log(p / outer)).sum(axis=(-2, -1))


def np_table_joint_entropy(pxy):
    p = _normalized_tables(pxy)
    return -(p * np.log(p)).sum(axis=(-2, -1))


def np_table_conditional_entropy(pxy):
    """H(X | Y) = -sum p(i, j) log(p(i, j) / p(j)); Y indexes the last axis."""
    p = _normalized_tables(pxy)
    return -(p * np.log(p / p.sum(-2, keepdims=True))).sum(axis=(-2, -1))


NP_TABLES = {
    "mutual_information": np_table_mi,
    "joint_entropy": np_table_joint_entropy,
    "conditional_entropy": np_table_conditional_entropy,
}


def sklearn_tables_mi(tables):
    """mutual_info_score(contingency=table) for every table (int64 counts)."""
    return np.array([mutual_info_score(None, None, contingency=c) for c in tables])


# --------------------------------------------------------------------------
# Run
# --------------------------------------------------------------------------


def preflight(report, args):
    """Before any timing: exit if fastdiv lacks a selected section's functions; note
    the missing peers; record the peers' versions for the report header."""
    if "discrete" in args.only and _discrete() is None:
        sys.exit("this fastdiv has no fastdiv.discrete: run without the discrete section")
    if "tables" in args.only and not hasattr(fastdiv, "mutual_information"):
        sys.exit("this fastdiv has no fastdiv.mutual_information: run without tables")
    if not set(SECTIONS) & set(args.only):
        return
    versions = []
    for dist, mod in (("scikit-learn", sklearn), ("pyitlib", pyitlib_drv)):
        if mod is None:
            versions.append(f"{dist} not installed")
            report.notes.append(
                f"{dist} is not installed: its peers are skipped (pip install {dist})"
            )
        else:
            versions.append(f"{dist} {importlib.metadata.version(dist)}")
    report.versions.append("discrete peers: " + ", ".join(versions))


def run(report, threads, args):
    """The selected sections of this module (after ``preflight``)."""
    if "discrete" in args.only:
        run_discrete(report, threads, args)
    if "tables" in args.only:
        run_tables(report, threads, args)


def _progress(args, text):
    if args.verbose:
        print(text, file=sys.stderr, flush=True)


def _fd_cands(label, threads, call):
    return [
        Candidate("fastdiv", label, t, call, (lambda t=t: fastdiv.num_threads(t))) for t in threads
    ]


def time_case(report, workload, measure, threads, args, fd, peers, elements, **kw):
    """Check, then time, fastdiv and its peers on one workload.

    ``fd`` = (label, call); ``peers`` = [(Candidate, (rtol, atol))], each peer's
    ``fn()`` returning its result.  fastdiv's results with each thread count
    must be bit-identical; every peer's result, mapped by ``canon`` (default
    ``np.asarray``), must match fastdiv's, or it is reported and not timed.
    ``repeats`` and ``warmup`` go to ``time_interleaved``.  A peer with
    ``scale`` != 1 computes the first 1/scale of the results (a prefix of the
    batch) and its time is scaled to the whole.
    """
    canon = kw.get("canon", np.asarray)
    label, call = fd
    ref = canon(fastdiv_reference(report, f"{workload} {measure}", threads, call))
    cands = _fd_cands(label, threads, call)
    for c, tol in peers:
        with c.context(), np.errstate(all="ignore"):
            got = canon(c.fn())
        part = ref if c.scale == 1 else ref[: round(len(ref) / c.scale)]  # a prefix
        if check(report, workload, measure, c.label, got, part, tol=tol):
            cands.append(c)
    timings = time_interleaved(
        cands, kw.get("repeats") or args.repeats, warmup=kw.get("warmup", True)
    )
    add_timings(report, workload, measure, cands, timings, elements)
    _progress(args, f"  done: {workload} {measure}")


def run_discrete(report, threads, args):
    d = _discrete()
    tmax = max(threads)

    # memory first, in fresh processes (their peaks do not depend on this one's size)
    n_sp = scaled_rows(SP_N, args, minimum=1_000)
    c_sp = max(2, round(SP_DISTINCT * args.scale))
    report.discrete[WL_SP] = dict(n=n_sp, distinct=c_sp)
    if not args.no_memory:
        for impl in PROBES:
            if impl.startswith("sklearn") and sklearn is None:
                continue
            spec = dict(section="discrete", impl=impl, n=n_sp, distinct=c_sp, threads=tmax)
            res, error = spawn_memprobe(spec)
            if res is None:
                report.notes.append(f"{WL_SP} {impl}: the memory probe failed ({error})")
                report.discrete_memory.append(dict(spec, failed=True))
                continue
            if not res["exact"]:
                report.notes.append(
                    f"{WL_SP} {impl}: the peak RSS ({res['source']}) could not be reset "
                    "before the call: 'beyond inputs' is approximate"
                )
            report.discrete_memory.append(dict(spec, **res))
            _progress(args, f"  memory: {WL_SP} {impl}")

    run_mi(report, d, threads, args)
    run_ami(report, d, threads, args)
    run_pairwise(report, d, threads, args)
    run_sparse(report, d, threads, args, n_sp, c_sp)


def run_mi(report, d, threads, args):
    """Mutual information and the dense table, 50 classes."""
    n = scaled_rows(MI_N, args, minimum=1_000)
    _progress(args, f"workload {WL_MI} ({n} samples) ...")
    x, y = dependent_labels(n, MI_CLASSES, SEED + 10)
    report.discrete[WL_MI] = dict(n=n, classes=MI_CLASSES)
    k = MI_CLASSES
    peers = []
    if sklearn is not None:
        peers.append((Candidate("sklearn", SK_MI, 1, lambda: mutual_info_score(x, y)), SKLEARN_TOL))
    if pyitlib_drv is not None:
        peers.append(
            (
                Candidate(
                    "pyitlib",
                    "pyitlib information_mutual",
                    1,
                    lambda: pyitlib_drv.information_mutual(x, y, base=np.e),
                ),
                PYITLIB_TOL,
            )
        )
    peers.append(
        (
            Candidate("numpy", "NumPy bincount(x * C + y)", 1, lambda: np_bincount_mi(x, y, k, k)),
            NUMPY_TOL,
        )
    )
    fd = ("fastdiv.discrete.mutual_information", lambda: d.mutual_information(x, y))
    time_case(report, WL_MI, "mutual_information", threads, args, fd, peers, n)

    peers = []
    if sklearn is not None:
        peers.append((Candidate("sklearn", SK_CT, 1, lambda: contingency_matrix(x, y)), EXACT))
    peers.append(
        (
            Candidate(
                "numpy", "NumPy bincount(x * C + y)", 1, lambda: np_bincount_table(x, y, k, k)
            ),
            EXACT,
        )
    )
    fd = ("fastdiv.discrete.contingency", lambda: d.contingency(x, y))
    time_case(report, WL_MI, "contingency", threads, args, fd, peers, n)


def run_ami(report, d, threads, args):
    """Adjusted mutual information, 200 classes."""
    n = scaled_rows(AMI_N, args, minimum=1_000)
    _progress(args, f"workload {WL_AMI} ({n} samples) ...")
    x, y = dependent_labels(n, AMI_CLASSES, SEED + 20)
    report.discrete[WL_AMI] = dict(n=n, classes=AMI_CLASSES)
    peers = []
    if sklearn is not None:
        peers.append(
            (
                Candidate("sklearn", SK_AMI, 1, lambda: adjusted_mutual_info_score(x, y)),
                SKLEARN_AMI_TOL,
            )
        )
    fd = (
        "fastdiv.discrete.adjusted_mutual_information",
        lambda: d.adjusted_mutual_information(x, y),
    )
    time_case(report, WL_AMI, "adjusted_mutual_information", threads, args, fd, peers, n)


def run_pairwise(report, d, threads, args):
    """Mutual information between every two label columns: one triangle each."""
    n = scaled_rows(PW_N, args, minimum=1_000)
    # --scale F shrinks the columns by sqrt(F), so that the pairs scale by F
    f = max(4, round(PW_FEATURES * min(1.0, args.scale) ** 0.5))
    _progress(args, f"workload {WL_PW} ({n} x {f}) ...")
    X = label_columns(n, f, PW_CLASSES, SEED + 50)
    pairs = f * (f + 1) // 2
    report.discrete[WL_PW] = dict(n=n, features=f, classes=PW_CLASSES, pairs=pairs)
    peers = []
    if sklearn is not None:
        peers.append(
            (
                Candidate(
                    "sklearn",
                    f"Python loop: mutual_info_score over i <= j ({pairs} calls)",
                    1,
                    lambda: sklearn_triangle(X),
                ),
                SKLEARN_TOL,
            )
        )
    fd = ("fastdiv.discrete.pairwise(X)", lambda: d.pairwise(X))
    # the loop takes ~30 s per call at full size: --loop-repeats calls, no warm-up
    # calls (fastdiv is warmed up by its reference calls, the loop by its check)
    time_case(
        report,
        WL_PW,
        "mutual_information",
        threads,
        args,
        fd,
        peers,
        pairs * n,
        repeats=args.loop_repeats,
        warmup=False,
    )


def run_sparse(report, d, threads, args, n_sp, c_sp):
    """1e5 x 1e5 distinct labels: the sparse table, and MI without a dense table."""
    _progress(args, f"workload {WL_SP} ({n_sp} samples, {c_sp} distinct) ...")
    x, y = sparse_pair(n_sp, c_sp)
    peers = []
    if sklearn is not None:
        peers.append(
            (
                Candidate(
                    "sklearn",
                    SK_CT + "(sparse=True)",
                    1,
                    lambda: contingency_matrix(x, y, sparse=True),
                ),
                EXACT,
            )
        )
    fd = (
        "fastdiv.discrete.contingency(sparse=True)",
        lambda: d.contingency(x, y, sparse=True),
    )
    time_case(
        report, WL_SP, "contingency sparse", threads, args, fd, peers, n_sp, canon=canon_sparse
    )
    peers = []
    if sklearn is not None:
        peers.append((Candidate("sklearn", SK_MI, 1, lambda: mutual_info_score(x, y)), SKLEARN_TOL))
    fd = ("fastdiv.discrete.mutual_information", lambda: d.mutual_information(x, y))
    time_case(report, WL_SP, "mutual_information", threads, args, fd, peers, n_sp)


def run_tables(report, threads, args):
    """fastdiv's joint-table measures on count tables, and the memory-bandwidth ceiling."""
    b = scaled_rows(TB_TABLES, args)
    _progress(args, f"workload {WL_TB} ({b} tables) ...")
    pxy = count_tables(b, TB_SHAPE)
    cells = pxy.size
    report.discrete[WL_TB] = dict(tables=b, shape=TB_SHAPE, nbytes=pxy.nbytes)
    run_table_ceilings(report, pxy, threads, args)
    # scikit-learn's input type (its check_array casts float tables to int), outside the timing
    tables_int = pxy[:SK_TABLES].astype(np.int64) if sklearn is not None else None
    for measure in TABLE_MEASURES:
        if not hasattr(fastdiv, measure):
            report.notes.append(f"this fastdiv has no fastdiv.{measure}: not timed")
            continue
        fn = getattr(fastdiv, measure)
        np_call = NP_TABLES[measure]
        peers = [(Candidate("numpy", "NumPy, vectorized", 1, lambda f=np_call: f(pxy)), NUMPY_TOL)]
        if measure == "joint_entropy" and scipy is not None:
            flat = pxy.reshape(b, -1)
            peers.append(
                (
                    Candidate(
                        "scipy",
                        "scipy.stats.entropy(pxy.reshape(B, -1), axis=-1)",
                        1,
                        lambda flat=flat: scipy.stats.entropy(flat, axis=-1),
                    ),
                    NUMPY_TOL,
                )
            )
        if measure == "mutual_information" and tables_int is not None:
            s = min(SK_TABLES, b)
            report.discrete[WL_TB]["sk_tables"] = s
            c = Candidate(
                "sklearn",
                f"loop: mutual_info_score(contingency=table), {s:,} tables, time x {b / s:g}",
                1,
                lambda s=s: sklearn_tables_mi(tables_int[:s]),
            )
            c.scale = b / s
            peers.append((c, SKLEARN_TOL))
        fd = (f"fastdiv.{measure}(pxy)", lambda fn=fn: fn(pxy))
        time_case(report, WL_TB, measure, threads, args, fd, peers, cells)


def _sum_parts(pool, parts):
    futures = [pool.submit(np.sum, part) for part in parts]
    return sum(fut.result() for fut in futures)


def run_table_ceilings(report, pxy, threads, args):
    """Read-only reductions over the same array: NumPy's sum (1 thread; the array in
    ``t`` parts summed by ``t`` Python threads, NumPy releasing the GIL) and numba's
    vectorized prange sum of the peers' rows section (over the two halves of the
    tables), 1 and 2 threads.  From the fastest repeat, as every ceiling."""
    flat = pxy.reshape(pxy.shape[0], -1)
    tmax = max(threads)
    pool = concurrent.futures.ThreadPoolExecutor(tmax)
    cands = []
    for t in threads:
        if t == 1:
            c = Candidate("numpy", "NumPy pxy.sum()", 1, pxy.sum)
        else:
            parts = np.array_split(flat, t)
            c = Candidate(
                "numpy",
                f"NumPy sum of {t} parts, {t} Python threads",
                t,
                (lambda parts=parts: _sum_parts(pool, parts)),
            )
        c.work = pxy.nbytes
        cands.append(c)
    h = flat.shape[0] // 2
    for t in numba_thread_counts(threads) if h else []:
        c = Candidate(
            "numba",
            "numba prange sum (two halves)",
            t,
            lambda: nb_read_pair(flat[:h], flat[h : 2 * h]),
            (lambda t=t: numba_threads(t)),
        )
        c.work = 2 * flat[:h].nbytes
        cands.append(c)
    try:
        timings = time_interleaved(cands, args.repeats)
    finally:
        pool.shutdown()
    for c, (sec, best) in zip(cands, timings):
        report.table_ceilings.append(
            dict(
                method=c.label,
                threads=c.threads,
                time=sec,
                tmin=best,
                gbs_median=c.work / sec / 1e9,
                gbs=c.work / best / 1e9,
                cells=c.work / 8 / best / 1e9,
            )
        )
    _progress(args, f"  done: {WL_TB} ceilings")


# --------------------------------------------------------------------------
# Peak memory (fresh process: peers.py --memprobe)
# --------------------------------------------------------------------------


def _fd_contingency(x, y, t):
    return _discrete().contingency(x, y, sparse=True, n_threads=t)


def _fd_mi(x, y, t):
    return _discrete().mutual_information(x, y, n_threads=t)


def _sparse_bytes(c):
    if isinstance(c, tuple):
        return sum(np.asarray(a).nbytes for a in c)
    return c.data.nbytes + c.indices.nbytes + c.indptr.nbytes


# probe -> (call(x, y, threads), bytes of its result)
PROBES = {
    "fastdiv contingency(sparse=True)": (_fd_contingency, _sparse_bytes),
    "fastdiv mutual_information": (_fd_mi, lambda r: 0),
    SK_CT + "(sparse=True)": (
        lambda x, y, t: contingency_matrix(x, y, sparse=True),
        _sparse_bytes,
    ),
    SK_MI: (lambda x, y, t: mutual_info_score(x, y), lambda r: 0),
}


def memprobe(spec):
    """Run in a fresh process: one call on the sparse workload's labels; print JSON.

    A call on the first 1,000 samples first imports what the call imports and
    starts fastdiv's threads; the labels are built, then
    ``peers_common.measure_peak`` reads the RSS, makes the call and reads the
    peak RSS (VmHWM reset just before the call).
    """
    call, out_bytes = PROBES[spec["impl"]]
    n, distinct, t = spec["n"], spec["distinct"], spec["threads"]
    x, y = sparse_pair(n, distinct)
    call(x[:1000], y[:1000], t)
    res, info = measure_peak(lambda: call(x, y, t))
    print(json.dumps(dict(inputs=x.nbytes + y.nbytes, outputs=out_bytes(res), **info)))
    return 0


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def _describe(workload, info):
    if workload == WL_MI:
        return (
            f"x, y of {info['n']:,} int64 labels, {info['classes']} classes each (y = x on "
            f"{MIX:.0%} of the samples), per call"
        )
    if workload == WL_AMI:
        return (
            f"x, y of {info['n']:,} int64 labels, {info['classes']} classes each, "
            "average='arithmetic', per call"
        )
    if workload == WL_PW:
        return (
            f"X of {info['n']:,} samples x {info['features']} label columns, "
            f"{info['classes']} classes, the {info['pairs']:,} pairs i <= j, per call"
        )
    if workload == WL_SP:
        return (
            f"x, y of {info['n']:,} int64 labels with {info['distinct']:,} distinct values "
            "each (spread over [0, 2**40)), per call"
        )
    return (
        f"{info['tables']:,} tables of {info['shape'][0]} x {info['shape'][1]} float64 "
        f"counts in [1, 1000] ({_mb(info['nbytes'])} MB), per call"
    )


def report_tables(report, threads, args):
    md = args.markdown
    out = []
    for workload in (WL_MI, WL_AMI, WL_PW, WL_SP, WL_TB):
        info = report.discrete.get(workload)
        if info is None or not any(r["workload"] == workload for r in report.rows):
            continue
        out.append(heading(f"{workload}: {_describe(workload, info)}", md))
        measures = list(
            dict.fromkeys(r["measure"] for r in report.rows if r["workload"] == workload)
        )
        rate = {WL_PW: "G pair-samples/s", WL_TB: "G cells/s"}.get(workload, "G samples/s")
        out.append(timing_table(report, workload, threads, md, rate, measures))
        if workload == WL_PW:
            out.append(
                bullet(
                    f"the loop and fastdiv compute the same {info['pairs']:,} pairs (i <= j, "
                    "the diagonal H(X_i) included) and fill the whole matrix by symmetry; "
                    f"median of {args.loop_repeats} calls each (--loop-repeats), interleaved; "
                    "G pair-samples/s = pairs x samples / median",
                    md,
                )
            )
        if workload == WL_MI:
            out.append(
                bullet(
                    "pyitlib with base=e (nats); the NumPy idiom relies on labels being "
                    "0..C-1 (true here), which fastdiv and scikit-learn do not assume",
                    md,
                )
            )
        if workload == WL_TB:
            out.append(
                bullet(
                    "scikit-learn's loop gets int64 copies of the tables (its own input "
                    "type, converted outside the timing) and is timed on the first "
                    f"{info.get('sk_tables', SK_TABLES):,} tables only, its median and min "
                    "scaled per table to the whole batch; the NumPy idioms take no "
                    "0 log 0 guard (every cell is positive here), which favours them",
                    md,
                )
            )
            out.extend(_ceiling_tables(report, threads, md))
    if report.discrete_memory:
        out.extend(_memory_table(report, md))
    return out


def _ceiling_tables(report, threads, md):
    if not report.table_ceilings:
        return []
    out = [heading(f"{WL_TB}: memory-bandwidth ceiling (read-only reductions over pxy)", md)]
    rows = [
        [
            c["method"],
            c["threads"],
            fmt_time(c["time"]),
            fmt_time(c["tmin"]),
            f"{c['gbs_median']:.1f}",
            f"{c['gbs']:.1f}",
            f"{c['cells']:.2f}",
        ]
        for c in report.table_ceilings
    ]
    out.append(
        table(
            ["reduction", "threads", "median", "min", "GB/s (median)", "GB/s (min)", "G cells/s"],
            rows,
            md,
            ["l", "r", "r", "r", "r", "r", "r"],
        )
    )
    rows = []
    for r in report.rows:
        if r["workload"] != WL_TB or r["impl"] != "fastdiv":
            continue
        best = max(
            (c for c in report.table_ceilings if c["threads"] == r["threads"]),
            key=lambda c: c["cells"],
            default=None,
        )
        if best is None:
            continue
        rows.append(
            [
                r["measure"],
                r["threads"],
                f"{r['gelems']:.2f}",
                best["method"],
                f"{best['cells']:.2f}",
                f"{100 * r['gelems'] / best['cells']:.0f}%",
            ]
        )
    out.append(heading(f"{WL_TB}: how close to the ceiling (fastdiv medians)", md))
    out.append(
        table(
            ["measure", "threads", "fastdiv G cells/s", "ceiling", "ceiling G cells/s", "fraction"],
            rows,
            md,
            ["l", "r", "r", "l", "r", "r"],
        )
    )
    out.append(
        bullet(
            "a table measure reads each float64 cell once: its ceiling is the fastest "
            "read-only reduction at the same thread count (G cells/s = GB/s / 8, from the "
            "fastest repeat)",
            md,
        )
    )
    return out


def _memory_table(report, md):
    info = report.discrete[WL_SP]
    dense = 8 * info["distinct"] ** 2
    out = [
        heading(
            f"{WL_SP}: peak memory of a fresh process ({info['n']:,} samples; the dense "
            f"table would take {_mb(dense)} MB)",
            md,
        )
    ]
    rows = []
    for x in report.discrete_memory:
        if x.get("failed"):
            rows.append([x["impl"], x["threads"], *["-"] * 6, "failed"])
            continue
        rows.append(
            [
                x["impl"],
                x["threads"],
                _mb(x["inputs"]),
                _mb(x["outputs"]),
                _mb(x["rss_before"]),
                _mb(x["peak"]),
                _mb(x["beyond"]) + ("" if x["exact"] else " (approx.)"),
                f"{x['beyond'] / x['n']:.0f}",
                fmt_time(x["time"]),
            ]
        )
    out.append(
        table(
            [
                "call",
                "threads",
                "inputs MB",
                "outputs MB",
                "RSS before call MB",
                "peak RSS MB",
                "beyond inputs MB",
                "bytes / sample",
                "call time",
            ],
            rows,
            md,
            ["l", "r", "r", "r", "r", "r", "r", "r", "r"],
        )
    )
    out.append(
        bullet(
            "one process per call (peers.py --memprobe): a call on the first 1,000 samples "
            "imports what it needs and starts the threads, the labels are built, then one "
            "call; beyond inputs = peak RSS (VmHWM, reset before the call) - RSS before the "
            "call, its outputs included",
            md,
        )
    )
    return out


# --------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------


def targets(tg, sections):
    """This section's rows of the targets table (``peers_common.Targets``)."""
    if "discrete" in sections:
        tg.speedup(WL_MI, "mutual_information", "sklearn", 20, SK_MI)
        tg.speedup(WL_MI, "mutual_information", "pyitlib", 100, "pyitlib information_mutual")
        tg.speedup(WL_AMI, "adjusted_mutual_information", "sklearn", 10, SK_AMI)
        tg.speedup(
            WL_PW, "mutual_information", "sklearn", 50, "Python loop of mutual_info_score, i <= j"
        )
        info = tg.report.discrete.get(WL_SP, {})
        limit = MEM_PER_SAMPLE * info.get("n", SP_N)
        required = f"< {_mb(limit)} MB ({MEM_PER_SAMPLE} B/sample)"
        mem = {x["impl"]: x for x in tg.report.discrete_memory if not x.get("failed")}
        for impl, peer in (
            ("fastdiv contingency(sparse=True)", SK_CT + "(sparse=True)"),
            ("fastdiv mutual_information", SK_MI),
        ):
            name = f"{WL_SP}: {impl}, peak memory beyond inputs"
            x = mem.get(impl)
            if x is None:
                tg.add(name, None, None, required, False)
                continue
            other = mem.get(peer)
            vs = f"; {peer}: {_mb(other['beyond'])} MB" if other else ""
            tg.add(
                name,
                f"{_mb(x['beyond'])} MB{vs}",
                None,
                required,
                x["beyond"] < limit,
            )
    if "tables" in sections:
        tg.gel(WL_TB, "mutual_information", 1.0, "G cells/s")
