"""The ``knn`` section of ``peers.py``: ``fastdiv.knn`` against SciPy's cKDTree,
scikit-learn and ennemi.

``peers.py`` parses the command line, calls ``preflight`` and ``run``, and puts
``report_tables`` and ``targets`` into its report.  The workloads, the peers and
the targets are described in ``peers.py``'s docstring ("Knn section") and in
benchmarks/README.md.  Timing, checks and tables come from ``peers_common``.

The cKDTree peers are the estimators' formulas (the conventions of
``fastdiv/knn.py``'s docstring) written on ``scipy.spatial.cKDTree`` with
``workers=-1``: on these seeded samples without ties they compute the same
numbers as fastdiv, up to the rounding of the final sums.  scikit-learn and
ennemi rescale the samples and add noise before the search, so they are
compared loosely (the difference is reported, never failed on).
"""

import importlib
import importlib.metadata
import math
import os
import sys

import numpy as np
from peers_common import (
    NOISY,
    SEED,
    Candidate,
    add_timings,
    bullet,
    fastdiv_reference,
    fmt_ratio,
    fmt_time,
    heading,
    scaled_rows,
    table,
    time_interleaved,
)

import fastdiv

try:
    import scipy
    from scipy.spatial import cKDTree
    from scipy.special import digamma, gammaln
except ImportError:  # optional peer: pip install scipy
    scipy = None

try:
    import sklearn
    from sklearn.feature_selection import mutual_info_regression
except ImportError:  # optional peer: pip install scikit-learn
    sklearn = None

try:
    import ennemi
except ImportError:  # optional peer: pip install ennemi
    ennemi = None

SECTIONS = ("knn",)

# seeded float64 samples without ties (standard normals); k = 3 in every workload
K = 3
RHO = 0.6  # the pairs: y = RHO x + sqrt(1 - RHO**2) z, correlation RHO
N_MI = 100_000  # KSG, 1-D pair: fastdiv vs scikit-learn, ennemi and the cKDTree KSG
N_MI_BIG = 1_000_000  # the same at 1e6: vs the cKDTree KSG only
N_H, D_H = 100_000, 5  # Kozachenko-Leonenko entropy of a 5-D standard normal
N_KL, D_KL, KL_SHIFT = 100_000, 3, 0.5  # KL(N(0, I) || N(shift e_1, I)), 3-D
F_ROWS, F_COLS, F_INFORMATIVE = 10_000, 100, 10  # features: y depends on 10 columns
F_CHECK = 10  # mutual_information_features is checked on these first columns
SK_JOBS = 2  # scikit-learn's n_jobs in the features workload
SCALING_N = (10_000, 100_000, 1_000_000)
SCALING_SPREAD = 3.0  # time / (n log2 n) may vary by less than this factor over SCALING_N

# fastdiv against the cKDTree formulas: the same neighbours and counts, only the
# order of the final sums differs
EXACT_TOL = (1e-10, 1e-12)

WL_MI = "1-D pair, n = 1e5"
WL_MI_BIG = "1-D pair, n = 1e6"
WL_H = "5-D sample, n = 1e5"
WL_KL = "3-D pair, n = m = 1e5"
WL_F = "1e4 x 100 features"
WL_S = "n log n scaling"
WORKLOADS = (WL_MI, WL_MI_BIG, WL_H, WL_KL, WL_F)
M_MI, M_H, M_KL, M_F = (
    "mutual_information",
    "entropy",
    "kl_divergence",
    "mutual_information_features",
)

CKD = "cKDTree"
CKD_KSG = "cKDTree KSG, workers=-1"
SK_MI = f"sklearn mutual_info_regression(x[:, None], y, n_neighbors={K}, random_state=0)"
EN_MI = f"ennemi.estimate_mi(y, x, k={K})"

# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------


def normal(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


def correlated(x, seed, rho=RHO):
    """y = rho x + sqrt(1 - rho**2) z, z standard normal, built in place."""
    y = normal(x.shape, seed)
    y *= np.sqrt(1.0 - rho**2)
    y += rho * x
    return y


def pair(n, seed):
    x = normal(n, seed)
    return x, correlated(x, seed + 1)


def kl_pair(n, seed):
    """x ~ N(0, I_3) and y ~ N(KL_SHIFT e_1, I_3), n points each."""
    x = normal((n, D_KL), seed)
    y = normal((n, D_KL), seed + 1)
    y[:, 0] += KL_SHIFT
    return x, y


def features(rows, seed):
    """X standard normal, rows x F_COLS; y = RHO (sum of the first F_INFORMATIVE
    columns) / sqrt(F_INFORMATIVE) + sqrt(1 - RHO**2) z: standard normal, with
    correlation RHO / sqrt(F_INFORMATIVE) to each of those columns."""
    X = normal((rows, F_COLS), seed)
    s = X[:, :F_INFORMATIVE].sum(axis=1)
    s /= np.sqrt(F_INFORMATIVE)
    return X, correlated(s, seed + 1)


# closed forms of the quantities estimated (nats), for the report
TRUE_MI = -0.5 * math.log(1.0 - RHO**2)
TRUE_H = 0.5 * D_H * math.log(2.0 * math.pi * math.e)
TRUE_KL = 0.5 * KL_SHIFT**2
TRUE_F = -0.5 * math.log(1.0 - RHO**2 / F_INFORMATIVE)

# --------------------------------------------------------------------------
# Peers: the estimators on scipy.spatial.cKDTree, all cores (workers=-1)
# --------------------------------------------------------------------------


def _knn():
    """The ``fastdiv.knn`` module, or None (a fastdiv without it)."""
    try:
        return importlib.import_module("fastdiv.knn")
    except ImportError:
        return None


def _columns(a):
    return a.reshape(a.shape[0], -1)


def ckd_ksg(x, y, k=K):
    """KSG algorithm 1: psi(k) + psi(n) - mean[psi(nx + 1) + psi(ny + 1)].

    eps_i: the k-th neighbour distance in the joint space (max-norm), from a
    query of k + 1 points (the first is the point itself: no ties here); nx_i:
    the points with |x_j - x_i| < eps_i (strictly: ``query_ball_point``
    counts distances <= r, so r = the float just below eps_i), the point
    itself taken out.
    """
    x, y = _columns(x), _columns(y)
    n = x.shape[0]
    xy = np.hstack([x, y])
    eps = cKDTree(xy).query(xy, k=k + 1, p=np.inf, workers=-1)[0][:, -1]
    r = np.nextafter(eps, 0)
    counts = [
        cKDTree(v).query_ball_point(v, r, p=np.inf, return_length=True, workers=-1) - 1
        for v in (x, y)
    ]
    return digamma(k) + digamma(n) - np.mean(digamma(counts[0] + 1) + digamma(counts[1] + 1))


def ckd_entropy(X, k=K):
    """Kozachenko-Leonenko: psi(n) - psi(k) + log V_d + (d / n) sum log eps_i,
    Euclidean, V_d = pi^(d/2) / Gamma(d/2 + 1)."""
    X = _columns(X)
    n, d = X.shape
    eps = cKDTree(X).query(X, k=k + 1, workers=-1)[0][:, -1]
    log_vd = 0.5 * d * math.log(math.pi) - gammaln(0.5 * d + 1)
    return digamma(n) - digamma(k) + log_vd + d * np.mean(np.log(eps))


def ckd_kl(x, y, k=K):
    """Wang-Kulkarni-Verdu: (d / n) sum log(nu_i / rho_i) + log(m / (n - 1)), rho_i
    the k-th neighbour distance of x_i among x (itself left out), nu_i among y."""
    x, y = _columns(x), _columns(y)
    (n, d), m = x.shape, y.shape[0]
    rho = cKDTree(x).query(x, k=k + 1, workers=-1)[0][:, -1]
    nu = cKDTree(y).query(x, k=[k], workers=-1)[0][:, -1]
    return d * np.mean(np.log(nu / rho)) + math.log(m / (n - 1))


# --------------------------------------------------------------------------
# Run
# --------------------------------------------------------------------------


def _info(report):
    """This section's workload descriptions, kept on the report (workload -> dict)."""
    return report.knn


def preflight(report, args):
    """Before any timing: exit if the section is selected and fastdiv has no
    ``fastdiv.knn``; note the missing peers; record the peers' versions."""
    if "knn" not in args.only:
        return
    kn = _knn()
    missing = [f for f in (M_MI, M_H, M_KL, M_F) if not hasattr(kn, f)]
    if kn is None or missing:
        sys.exit("this fastdiv has no fastdiv.knn: run without the knn section")
    versions = []
    for dist, mod in (("scipy", scipy), ("scikit-learn", sklearn), ("ennemi", ennemi)):
        if mod is None:
            versions.append(f"{dist} not installed")
            report.notes.append(
                f"{dist} is not installed: its knn peers are skipped (pip install {dist})"
            )
        else:
            versions.append(f"{dist} {importlib.metadata.version(dist)}")
    report.versions.append("knn peers: " + ", ".join(versions))


def run(report, threads, args):
    """The knn section (after ``preflight``)."""
    if "knn" not in args.only:
        return
    kn = _knn()
    report.notes.append(
        "knn: the cKDTree peers compute fastdiv's formulas (fastdiv/knn.py's docstring) "
        "on the same samples, which have no ties: their values must agree with "
        f"fastdiv's to rtol {EXACT_TOL[0]:g} (atol {EXACT_TOL[1]:g}). scikit-learn "
        "scales each variable to unit variance and adds noise of 1e-10 x "
        "max(1, mean |x|) (random_state=0), and clips the estimate at 0; ennemi "
        "(preprocess=True, its default) standardizes and adds N(0, 1e-10) noise (fixed "
        "seed) and counts within eps - 1e-12: they estimate from slightly different "
        "samples, so their difference from fastdiv is reported and not checked"
    )
    n = scaled_rows(N_MI, args, minimum=1_000)
    _progress(args, f"workload {WL_MI} ({n} points) ...")
    x, y = pair(n, SEED + 70)
    run_mi(report, kn, WL_MI, x, y, threads, args, all_peers=True)
    n = scaled_rows(N_MI_BIG, args, minimum=1_000)
    _progress(args, f"workload {WL_MI_BIG} ({n} points) ...")
    x, y = pair(n, SEED + 71)
    run_mi(report, kn, WL_MI_BIG, x, y, threads, args, all_peers=False)
    del x, y
    run_entropy(report, kn, threads, args)
    run_kl(report, kn, threads, args)
    run_features(report, kn, threads, args)
    run_scaling(report, kn, threads, args)


def _progress(args, text):
    if args.verbose:
        print(text, file=sys.stderr, flush=True)


def _agree(report, workload, measure, label, got, ref, exact, timed=True):
    """Record how far a peer's value is from fastdiv's.  An ``exact`` peer (the
    cKDTree formulas) must be within EXACT_TOL (as ``assert_allclose``): otherwise
    a mismatch is recorded and False returned."""
    got = np.asarray(got, dtype=np.float64).reshape(np.shape(ref))
    ref = np.asarray(ref, dtype=np.float64)
    d = got - ref
    rtol, atol = EXACT_TOL
    maxdiff = float(np.max(np.abs(d)))
    rel = maxdiff / max(float(np.max(np.abs(ref))), atol)
    pos = ref > 0  # the estimates scikit-learn does not clip to 0
    _info(report)[workload]["agree"][label] = dict(
        value=got,
        diff=float(np.mean(d)),
        maxdiff=maxdiff,
        maxdiff_pos=float(np.max(np.abs(d[pos]))) if np.any(pos) else 0.0,
        rel=rel,
        exact=exact,
    )
    if not exact or np.all(np.abs(d) <= atol + rtol * np.abs(ref)):
        return True
    report.mismatches.append(
        f"{workload} {measure}: {label} differs from fastdiv (max |difference| "
        f"{maxdiff:.3g}, relative {rel:.3g} > rtol {rtol:g})" + ("; not timed" if timed else "")
    )
    return False


def time_case(report, workload, measure, threads, args, fd, peers, elements):
    """Check, then time, fastdiv and its peers on one workload.

    ``fd`` = (label, call) returns fastdiv's estimate (a scalar or an array);
    its results with each thread count must be bit-identical.  ``peers`` =
    [(Candidate, exact)], each ``fn()`` returning the peer's estimate in any
    shape that holds as many values: an ``exact`` peer (cKDTree) must agree
    with fastdiv to EXACT_TOL, or it is reported and not timed; the others'
    differences are recorded for the report.
    """
    label, call = fd
    ref = fastdiv_reference(report, f"{workload} {measure}", threads, call)
    info = _info(report)[workload]
    info["value"] = np.asarray(ref, dtype=np.float64)
    cands = [
        Candidate("fastdiv", label, t, call, (lambda t=t: fastdiv.num_threads(t))) for t in threads
    ]
    for c, exact in peers:
        with c.context(), np.errstate(all="ignore"):
            got = c.fn()
        if _agree(report, workload, measure, c.label, got, ref, exact):
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


def _all_cores():
    return os.cpu_count() or 1


def run_mi(report, kn, workload, x, y, threads, args, all_peers):
    n = x.size
    _info(report)[workload] = dict(n=n, agree={}, truth=TRUE_MI)
    peers = []
    if scipy is not None:
        peers.append((Candidate(CKD, CKD_KSG, _all_cores(), lambda: ckd_ksg(x, y)), True))
    if all_peers and sklearn is not None:
        peers.append(
            (
                Candidate(
                    "sklearn",
                    SK_MI,
                    1,
                    lambda: mutual_info_regression(x[:, None], y, n_neighbors=K, random_state=0),
                ),
                False,
            )
        )
    if all_peers and ennemi is not None:
        peers.append((Candidate("ennemi", EN_MI, 1, lambda: ennemi.estimate_mi(y, x, k=K)), False))
    fd = (
        f"fastdiv.knn.mutual_information(x, y, k={K})",
        lambda: kn.mutual_information(x, y, K),
    )
    time_case(report, workload, M_MI, threads, args, fd, peers, n)


def run_entropy(report, kn, threads, args):
    n = scaled_rows(N_H, args, minimum=1_000)
    _progress(args, f"workload {WL_H} ({n} points) ...")
    X = normal((n, D_H), SEED + 72)
    _info(report)[WL_H] = dict(n=n, d=D_H, agree={}, truth=TRUE_H)
    peers = []
    if scipy is not None:
        peers.append(
            (
                Candidate(
                    CKD,
                    "cKDTree Kozachenko-Leonenko, workers=-1",
                    _all_cores(),
                    lambda: ckd_entropy(X),
                ),
                True,
            )
        )
    fd = (f"fastdiv.knn.entropy(X, k={K})", lambda: kn.entropy(X, K))
    time_case(report, WL_H, M_H, threads, args, fd, peers, n)


def run_kl(report, kn, threads, args):
    n = scaled_rows(N_KL, args, minimum=1_000)
    _progress(args, f"workload {WL_KL} ({n} + {n} points) ...")
    x, y = kl_pair(n, SEED + 73)
    _info(report)[WL_KL] = dict(n=n, d=D_KL, agree={}, truth=TRUE_KL)
    peers = []
    if scipy is not None:
        peers.append(
            (
                Candidate(
                    CKD,
                    "cKDTree Wang-Kulkarni-Verdu, workers=-1",
                    _all_cores(),
                    lambda: ckd_kl(x, y),
                ),
                True,
            )
        )
    fd = (f"fastdiv.knn.kl_divergence(x, y, k={K})", lambda: kn.kl_divergence(x, y, K))
    time_case(report, WL_KL, M_KL, threads, args, fd, peers, n)


def run_features(report, kn, threads, args):
    rows = scaled_rows(F_ROWS, args, minimum=1_000)
    _progress(args, f"workload {WL_F} ({rows} x {F_COLS}) ...")
    X, y = features(rows, SEED + 74)
    info = _info(report)[WL_F] = dict(n=rows, cols=F_COLS, agree={}, truth=TRUE_F)
    peers = []
    if sklearn is not None:
        peers.append(
            (
                Candidate(
                    "sklearn",
                    f"sklearn mutual_info_regression(X, y, n_neighbors={K}, "
                    f"n_jobs={SK_JOBS}, random_state=0)",
                    SK_JOBS,
                    lambda: mutual_info_regression(
                        X, y, n_neighbors=K, n_jobs=SK_JOBS, random_state=0
                    ),
                ),
                False,
            )
        )
    fd = (
        f"fastdiv.knn.mutual_information_features(X, y, k={K})",
        lambda: kn.mutual_information_features(X, y, K),
    )
    time_case(report, WL_F, M_F, threads, args, fd, peers, rows * F_COLS)
    if scipy is not None:
        # not timed: the first columns against the cKDTree KSG, one column at a time
        c = min(F_CHECK, F_COLS)
        got = [ckd_ksg(X[:, j], y) for j in range(c)]
        label = f"cKDTree KSG per column, first {c} columns (not timed)"
        _agree(report, WL_F, M_F, label, got, info["value"][:c], True, timed=False)


def run_scaling(report, kn, threads, args):
    """fastdiv's KSG (1-D pair) and entropy (d = D_H) at SCALING_N points, with the
    most threads, interleaved; the samples are prefixes of one seeded set each."""
    t = max(threads)
    sizes = sorted({scaled_rows(n, args, minimum=100) for n in SCALING_N})
    _progress(args, f"workload {WL_S} ({', '.join(map(str, sizes))} points) ...")
    x, y = pair(sizes[-1], SEED + 75)
    X = normal((sizes[-1], D_H), SEED + 76)
    cands = []
    for measure, call in (
        (M_MI, lambda n: kn.mutual_information(x[:n], y[:n], K)),
        (M_H, lambda n: kn.entropy(X[:n], K)),
    ):
        for n in sizes:
            c = Candidate(
                "fastdiv",
                f"fastdiv.knn.{measure}",
                t,
                (lambda call=call, n=n: call(n)),
                (lambda: fastdiv.num_threads(t)),
            )
            c.measure, c.n = measure, n
            cands.append(c)
    timings = time_interleaved(cands, args.repeats)
    _info(report)[WL_S] = dict(
        threads=t,
        rows=[
            dict(measure=c.measure, label=c.label, n=c.n, time=sec, tmin=best)
            for c, (sec, best) in zip(cands, timings)
        ],
    )
    _progress(args, f"  done: {WL_S}")


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def _describe(workload, info):
    if workload in (WL_MI, WL_MI_BIG):
        return (
            f"x, y of {info['n']:,} float64 points (standard normal, correlation {RHO}), "
            f"KSG algorithm 1, k = {K}, per call"
        )
    if workload == WL_H:
        return (
            f"X of {info['n']:,} x {info['d']} float64 standard-normal points, "
            f"Kozachenko-Leonenko (Euclidean), k = {K}, per call"
        )
    if workload == WL_KL:
        return (
            f"x of {info['n']:,} x {info['d']} float64 points ~ N(0, I), y of as many ~ "
            f"N({KL_SHIFT} e_1, I), Wang-Kulkarni-Verdu (Euclidean), k = {K}, per call"
        )
    return (
        f"X of {info['n']:,} rows x {info['cols']} float64 standard-normal columns, y "
        f"continuous (correlation {RHO / math.sqrt(F_INFORMATIVE):.3f} to each of the "
        f"first {F_INFORMATIVE} columns), one KSG estimate per column, k = {K}, per call"
    )


RATE = {WL_F: "M samples/s"}  # features: rows x columns per second


def _timing_table(report, workload, threads, md):
    """As ``peers_common.timing_table``, with the throughput in millions per second."""
    rows = []
    for r in (x for x in report.rows if x["workload"] == workload):
        fd = {t: report.get(workload, r["measure"], "fastdiv", t) for t in threads}
        if r["impl"] == "fastdiv":
            sp = ["-" for _ in threads]
        else:
            sp = [fmt_ratio(r["time"] / fd[t]["time"]) if fd[t] else "-" for t in threads]
        noisy = "*" if r["time"] > NOISY * r["tmin"] else ""
        rows.append(
            [
                r["label"],
                r["threads"],
                fmt_time(r["time"]) + noisy,
                fmt_time(r["tmin"]),
                f"{1e3 * r['gelems']:.2f}",
                *sp,
            ]
        )
    headers = ["implementation", "threads", "median", "min", RATE.get(workload, "M points/s")]
    headers += [f"fastdiv {t}T speedup" for t in threads]
    return table(headers, rows, md, ["l", "r", "r", "r", "r"] + ["r"] * len(threads))


def _agreement(workload, info, md):
    """The bullet under a table: fastdiv's value, the closed form, each peer's."""
    value = info["value"]
    if value.ndim == 0:
        head = f"fastdiv's estimate {float(value):.6f} nats (closed form {info['truth']:.6f})"
    else:
        inf = value[:F_INFORMATIVE]
        rest = value[F_INFORMATIVE:]
        head = (
            f"fastdiv's estimates: mean {inf.mean():.4f} nats over the {F_INFORMATIVE} "
            f"informative columns (closed form {info['truth']:.4f}), mean {rest.mean():.4f} "
            "over the others (closed form 0)"
        )
    parts = []
    for label, a in info["agree"].items():
        if a["exact"]:
            parts.append(
                f"{label}: max relative difference {a['rel']:.2g} (at most "
                f"{EXACT_TOL[0]:g} allowed)"
            )
        elif value.ndim == 0:
            parts.append(
                f"{label}: {float(a['value']):.6f} (peer - fastdiv = {a['diff']:+.2g}; "
                "rescaled and noised samples, not checked)"
            )
        else:
            parts.append(
                f"{label}: max |peer - fastdiv| {a['maxdiff_pos']:.2g} over the columns "
                f"fastdiv estimates positive, {a['maxdiff']:.2g} over all (the peer clips "
                "its estimates at 0, and rescales and noises the samples; not checked)"
            )
    return bullet(head + ("; " + "; ".join(parts) if parts else ""), md)


def report_tables(report, threads, args):
    md = args.markdown
    out = []
    infos = _info(report)
    for workload in WORKLOADS:
        info = infos.get(workload)
        if info is None or not any(r["workload"] == workload for r in report.rows):
            continue
        out.append(heading(f"{workload}: {_describe(workload, info)}", md))
        out.append(_timing_table(report, workload, threads, md))
        out.append(_agreement(workload, info, md))
        if workload == WL_MI:
            out.append(
                bullet(
                    "the cKDTree KSG: a joint tree, query(k=k+1, p=inf, workers=-1) for "
                    "eps, then the marginal counts by query_ball_point(r=nextafter(eps, "
                    "0), p=inf, return_length=True, workers=-1) on 1-D trees, minus the "
                    "point itself; scikit-learn runs on one core (n_jobs parallelizes "
                    "over features only); ennemi parallelizes over (lag, variable) tasks "
                    "with its default max_threads=None, and this is one task: one core",
                    md,
                )
            )
        if workload == WL_F:
            out.append(
                bullet(
                    f"scikit-learn with n_jobs={SK_JOBS} (joblib's processes, one column "
                    "per task); the first columns are checked against the cKDTree KSG "
                    "one column at a time, not timed",
                    md,
                )
            )
    out.extend(_scaling_table(report, md))
    return out


def _per_nlogn(r):
    """Nanoseconds per n log2 n, from the median and from the fastest repeat."""
    w = r["n"] * math.log2(r["n"])
    return 1e9 * r["time"] / w, 1e9 * r["tmin"] / w


def _spread(rows, measure):
    """max / min of time / (n log2 n) over the sizes: (from medians, from mins)."""
    c = [_per_nlogn(r) for r in rows if r["measure"] == measure]
    if len(c) < 2:
        return None
    med, best = zip(*c)
    return max(med) / min(med), max(best) / min(best)


def _scaling_table(report, md):
    info = _info(report).get(WL_S)
    if not info:
        return []
    out = [
        heading(
            f"{WL_S}: fastdiv with {info['threads']} threads, KSG on a 1-D pair (correlation "
            f"{RHO}) and entropy of a {D_H}-D standard normal, k = {K}, per call",
            md,
        )
    ]
    rows = []
    for r in info["rows"]:
        first = next(x for x in info["rows"] if x["measure"] == r["measure"])
        per, _ = _per_nlogn(r)
        rows.append(
            [
                r["label"],
                f"{r['n']:,}",
                fmt_time(r["time"]) + ("*" if r["time"] > NOISY * r["tmin"] else ""),
                fmt_time(r["tmin"]),
                f"{per:.2f}",
                f"{per / _per_nlogn(first)[0]:.2f}",
            ]
        )
    out.append(
        table(
            [
                "function",
                "n",
                "median",
                "min",
                "ns / (n log2 n)",
                f"vs n = {info['rows'][0]['n']:,}",
            ],
            rows,
            md,
            ["l", "r", "r", "r", "r", "r"],
        )
    )
    out.append(
        bullet(
            "a k-d tree search costs O(n log n): time / (n log2 n) should stay roughly "
            f"constant as n grows (the targets allow less than {SCALING_SPREAD:g}x between "
            "the sizes); the samples are prefixes of one seeded set, and the sizes are "
            "timed interleaved",
            md,
        )
    )
    return out


# --------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------


def targets(tg, sections):
    """This section's rows of the targets table (``peers_common.Targets``)."""
    if "knn" not in sections:
        return
    tg.speedup(WL_MI, M_MI, "sklearn", 17, "sklearn mutual_info_regression")
    tg.speedup(WL_MI, M_MI, "ennemi", 20, "ennemi.estimate_mi")
    tg.speedup(WL_MI_BIG, M_MI, CKD, 18, CKD_KSG)
    tg.speedup(WL_H, M_H, CKD, 3, "cKDTree Kozachenko-Leonenko")
    tg.speedup(WL_KL, M_KL, CKD, 3, "cKDTree Wang-Kulkarni-Verdu")
    tg.speedup(WL_F, M_F, "sklearn", 10, f"sklearn mutual_info_regression(n_jobs={SK_JOBS})")
    info = _info(tg.report).get(WL_S, {})
    for measure in (M_MI, M_H):
        spread = _spread(info.get("rows", []), measure)
        name = f"{measure} {WL_S}: max / min of time / (n log2 n)"
        required = f"< {SCALING_SPREAD:g}x"
        if spread is None:
            tg.add(name, None, None, required, False)
            continue
        tg.add(
            name,
            f"{spread[0]:.2f}x",
            f"{spread[1]:.2f}x",
            required,
            spread[0] < SCALING_SPREAD,
            spread[1] < SCALING_SPREAD,
        )
