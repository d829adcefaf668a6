#!/usr/bin/env python
"""Time fastdiv against its peers on the same workloads, in one run.

Usage::

    python benchmarks/peers.py            # every section, 15 repeats per timing
    python benchmarks/peers.py --quick    # 7 repeats, shorter per-call batches
    python benchmarks/peers.py --markdown # tables as Markdown (for the README)
    python benchmarks/peers.py --only rows            # one section (or a list:
    python benchmarks/peers.py --only pairwise        # --only pairwise,nearest)
    python benchmarks/peers.py --only pairwise,nearest --scale 0.05 --quick  # smoke test
    python benchmarks/peers.py --only discrete,tables            # issue 10's estimators
    python benchmarks/peers.py --only hist --markdown            # fastdiv.hist
    python benchmarks/peers.py --only hist --scale 0.01 --quick  # its smoke test
    python benchmarks/peers.py --only knn --markdown             # fastdiv.knn
    python benchmarks/peers.py --only knn --scale 0.01 --quick   # its smoke test

Seven sections: ``rows`` (the exact measures, one result per row pair; below),
``pairwise`` (all-pairs matrices, ``fastdiv.pairwise``) and ``nearest`` (the k
closest rows, ``fastdiv.nearest``), see "Pairwise section"; ``discrete``
(``fastdiv.discrete`` on label arrays) and ``tables`` (measures of joint
tables), see "Discrete section" and "Tables section"; ``hist``
(``fastdiv.hist``: histograms of continuous samples), see "Hist section";
``knn`` (``fastdiv.knn``: k-nearest-neighbour estimators), see "Knn section" at
the end.  The code shared by every section (timing, checks, report, targets,
the peak-memory probe) is in ``peers_common.py``; the discrete and tables
sections are in ``peers_discrete.py``, the hist section in ``peers_hist.py``,
the knn section in ``peers_knn.py``.

Workloads (rows section)
------------------------
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

Pairwise section
----------------
Rows of 256 float64 entries in (0, 1], seeded (uniform Dirichlet-like rows
once normalized).  Throughput is in pair-elements per second: m x n x 256 /
time.

* ``pairwise JS f64``: ``fastdiv.pairwise(P, Q, metric="js_distance")``, P and
  Q of 1_000 x 256, with 1 and 2 threads, against
    - ``scipy.spatial.distance.cdist(P, Q, "jensenshannon")`` (C loop, one
      thread), timed on the first CDIST_ROWS rows of P only (all of them take
      seconds per call) and scaled per pair to the whole workload;
    - numba: ``@njit(parallel=True)``, ``prange`` over the rows of P, the JS
      terms of each (i, j) summed with ``np.log`` on rows normalized once
      outside the loop (inside the timed call), no fastmath, 2 threads.
* ``pairwise KL f64``: ``metric="kl_divergence"``, P and Q of 2_000 x 256,
  against the NumPy idiom on normalized rows, ``xlogy(pn, pn).sum(1)[:, None]
  - pn @ np.log(qn).T`` (the product in BLAS, with its default threads and,
  with threadpoolctl, limited to 1 and 2), and the numba loop as above.
* Compute ceiling: the pairwise kernels read rows that fit in cache, so they
  are bound by arithmetic, not memory.  BLAS dgemm ``pn @ qn.T`` on the KL
  workload's rows (1 and 2 BLAS threads) does one FMA per pair-element, the
  arithmetic left of KL once ``log q`` and ``sum p log p`` are out of the pair
  loop; JS needs at least one log per pair-element, bounded by NumPy's SIMD
  ``np.log`` on an in-cache array (one Python thread per core).  The report
  shows fastdiv's pair-elements/s as a fraction of each.
* ``nearest f64`` (the ``nearest`` section): ``fastdiv.nearest(P, Q, k=10)`` on
  P and Q of 20_000 x 256, KL and JS distance, at 2 threads, against
  ``fastdiv.pairwise`` on the same inputs into a preallocated ``out`` (the
  whole 20_000 x 20_000 matrix, 3.2 GB, when it fits in the available memory
  with 2 GB to spare; else P against the first rows of Q that do), compared per
  pair-element; median of NN_REPEATS calls (about a minute each), without
  warm-up calls (the check below warms up).  nearest is first checked against
  pairwise on the first NN_CHECK_ROWS rows of P: its values must be the k
  smallest of each row of the matrix, and its indices must point at them.
  Peak memory: a fresh process (``--memprobe``) starts fastdiv's threads with a
  tiny call, builds the inputs in place, reads its RSS, calls nearest once
  and reads its peak RSS (which sees C allocations; tracemalloc does not):
  VmHWM, reset just before the call, not ``ru_maxrss``, which a child inherits
  from its parent across execve (see ``_memprobe``); peak - RSS before the
  call is the memory nearest needed beyond its inputs.

Targets (2 threads, medians): JS distance >= 50x cdist and >= 3x numba; KL >=
1e9 pair-elements/s and faster than the NumPy+BLAS idiom (default threads, and
limited to 2); nearest's throughput >= 0.8x pairwise's, and its peak memory
beyond the inputs < 100 MB.  ``--scale`` shrinks every workload's rows for a
smoke test (the targets then mean nothing).

Discrete section
----------------
Seeded int64 label arrays; throughput in samples per second (pairwise: pairs x
samples per second).  fastdiv runs with 1 and 2 threads; every peer is
single-threaded and is checked against fastdiv before it is timed:
scikit-learn to rtol 1e-12 (atol 1e-12; AMI: rtol 1e-11, as scikit-learn's own
AMI is ~1e-12 off the exact value, see SKLEARN_AMI_TOL), pyitlib and NumPy to
rtol 1e-9, count tables exactly; fastdiv's 1- and 2-thread results must be
bit-identical.

* ``labels, 50 classes``: x, y of 1_000_000 labels in [0, 50), y = x on half
  of the samples.  ``discrete.mutual_information(x, y)`` against
  ``sklearn.metrics.mutual_info_score(x, y)``, pyitlib's
  ``discrete_random_variable.information_mutual(x, y, base=e)`` and the NumPy
  idiom ``bincount(x * 50 + y)`` (valid only because the labels are 0..C-1);
  ``discrete.contingency(x, y)`` against ``contingency_matrix(x, y)`` and the
  same bincount.
* ``labels, 200 classes``: x, y of 100_000 labels in [0, 200), y = x on half
  of the samples: ``discrete.adjusted_mutual_information(x, y)`` against
  ``adjusted_mutual_info_score(x, y)`` (both ``average="arithmetic"``).
* ``label columns, 10 classes``: X of 100_000 samples x 100 label columns in
  [0, 10) (column j copies column j - 1 on 30% of the samples).
  ``discrete.pairwise(X)`` (``Y=None``: one triangle, the diagonal H(X_i)
  included, mirrored) against a Python loop of ``mutual_info_score(X[:, i],
  X[:, j])`` over the same 5_050 pairs i <= j, mirrored too.  The loop takes
  ~30-60 s per call: both are timed ``--loop-repeats`` times (default 3),
  interleaved, without warm-up calls (the checks warm up).  ``--scale F``
  also shrinks the columns by sqrt(F).
* ``labels, 1e5 distinct``: x, y of 1_000_000 labels, each taking exactly
  100_000 distinct values spread over [0, 2**40) (a dense table would take
  80 GB).  ``discrete.contingency(x, y, sparse=True)`` against
  ``contingency_matrix(x, y, sparse=True)`` (compared as sorted (row, column,
  count) triplets), and ``discrete.mutual_information`` against
  ``mutual_info_score``.  Peak memory: for each of these four calls a fresh
  process (``--memprobe``, as for nearest: ``peers_discrete.memprobe`` and
  ``peers_common.measure_peak``) makes a call on the first 1_000 samples,
  builds the labels, and measures the peak RSS of one call beyond the RSS
  before it (VmHWM, reset just before the call), outputs included.

Tables section
--------------
``tables 64 x 64 f64``: 10_000 tables of 64 x 64 float64 counts in [1, 1000]
(328 MB), ``pxy[b, i, j]``.  ``fastdiv.mutual_information(pxy)``,
``joint_entropy`` and ``conditional_entropy`` (1 and 2 threads) against the
vectorized NumPy definitions on normalized tables (no 0 log 0 guard: every
cell is positive, which favours NumPy; rtol 1e-9), ``scipy.stats.entropy`` of
the flattened tables (joint entropy), and, for mutual information, a loop of
``mutual_info_score(contingency=table)`` over int64 copies of the tables (its
own input type, converted before timing), timed on the first SK_TABLES =
1_000 tables and scaled per table (rtol 1e-12).  Throughput in cells per
second.  The memory-bandwidth ceiling is measured in the same run over the
same array: NumPy's ``pxy.sum()`` (1 thread), NumPy sums of 2 parts in 2
Python threads, and numba's vectorized ``prange`` sum (1 and 2 threads); the
report shows fastdiv's cells/s as a fraction of the fastest ceiling at the
same thread count.

Targets of these sections (2 threads, medians): mutual information >= 20x
scikit-learn and >= 100x pyitlib; AMI >= 10x scikit-learn; pairwise >= 50x the
loop; table mutual information >= 1 G cells/s; the sparse contingency table and
mutual information on 1e5 x 1e5 distinct labels use less than 100 bytes per
sample beyond their inputs (O(n), not O(Cx Cy)); scikit-learn's peak is shown
beside each.

Hist section
------------
``fastdiv.hist`` (histograms of continuous samples) against NumPy,
fast-histogram and boost-histogram, in ``peers_hist.py``.  Seeded
standard-normal float64 samples; every workload bins on the range (-5, 5);
throughput in points (batched: elements) per second.  fastdiv runs with 1 and 2
threads; NumPy and fast-histogram are single-threaded; boost-histogram fills
with ``threads=1`` and ``threads=2``, a new ``Histogram`` per call.

* ``hist 1-D, 100 bins``: x of 10_000_000 points.
  ``fastdiv.hist.histogram(x, 100, (-5, 5))`` against ``numpy.histogram(x,
  100, (-5, 5))``, ``fast_histogram.histogram1d(x, 100, (-5, 5))`` and
  ``bh.Histogram(bh.axis.Regular(100, -5, 5)).fill(x, threads=t)``.
* ``hist 1-D, 100 variable bins``: the same x, 101 sorted edges (the ends of
  the range and 99 standard-normal draws: narrow bins in the middle).
  ``histogram(x, edges)`` against ``numpy.histogram(x, edges)`` and
  ``bh.axis.Variable(edges)`` (fast-histogram has no variable bins).
* ``hist 2-D, 64 x 64 bins``: the same x and y = 0.6 x + 0.8 z (z standard
  normal).  ``histogram2d(x, y, 64, [[-5, 5], [-5, 5]])`` against
  ``numpy.histogram2d``, ``fast_histogram.histogram2d`` and a boost-histogram
  of two ``Regular`` axes.
* ``hist batched, 32 bins``: X of 10_000 rows x 1_000 samples,
  ``histogram(X, 32, (-5, 5), axis=1)`` (one histogram per row on shared
  edges) against a Python loop of ``numpy.histogram`` per row (timed on the
  first LOOP_ROWS = 1_000 rows and scaled per row) and the vectorized NumPy
  idiom: each element's bin by ``numpy.histogram``'s own arithmetic, then one
  ``bincount`` of ``row * (bins + 1) + bin`` (values out of the range in an
  extra bin per row, dropped).

Checks before timing: fastdiv's 1- and 2-thread results must be bit-identical;
NumPy's counts must equal fastdiv's exactly (the edges to 1e-12 relative; a
note says when they are not bit-identical); fast-histogram and
boost-histogram compute bins with their own arithmetic (a sample within an ulp
of an edge may land in the next bin, and x equal to the upper end of the
range is left out where NumPy's last bin is closed), so their counts may
differ from fastdiv's in at most PEER_SHARE = 1e-6 of the samples (at least
one), and their totals by as much; the report gives the numbers seen.  The
memory-bandwidth ceiling is measured in the same run over the 1-D workload's x
(as in the tables section: NumPy's ``x.sum()``, NumPy sums of 2 parts in 2
Python threads, numba's vectorized ``prange`` sum with 1 and 2 threads), and
the report gives fastdiv's input GB/s on each workload as a fraction of the
fastest reduction at the same thread count.

Targets (2 threads, medians): 1-D >= 10x ``numpy.histogram``, >= 2.5x
fast-histogram and >= 2.5x boost-histogram (``threads=2``); 2-D >= 3x
fast-histogram and >= 50x ``numpy.histogram2d``; batched >= 1 G elements/s;
variable edges >= 5x ``numpy.histogram``.

Knn section
-----------
``fastdiv.knn`` (k-nearest-neighbour estimators) against SciPy's cKDTree,
scikit-learn and ennemi, in ``peers_knn.py``.  Seeded float64 standard-normal
samples (no ties), k = 3 everywhere; throughput in points per second.
fastdiv runs with 1 and 2 threads.  The cKDTree peers are fastdiv's formulas
(``fastdiv/knn.py``'s docstring) on ``scipy.spatial.cKDTree`` with
``workers=-1`` (every core), the tree builds inside the timed call.

* ``1-D pair, n = 1e5``: x, y of 100_000 points, y = 0.6 x + 0.8 z.
  ``knn.mutual_information(x, y, 3)`` (KSG algorithm 1) against
  ``sklearn.feature_selection.mutual_info_regression(x[:, None], y,
  n_neighbors=3, random_state=0)`` (one core), ``ennemi.estimate_mi(y, x,
  k=3)`` (its defaults: ``preprocess=True``; ``max_threads=None``
  parallelizes over (lag, variable) tasks, and this is one task: one core) and
  the cKDTree KSG: a joint tree, ``query(xy, k=4, p=inf, workers=-1)`` for
  eps, marginal counts by ``query_ball_point(v, r=nextafter(eps, 0), p=inf,
  return_length=True, workers=-1)`` on the 1-D trees, minus the point itself.
* ``1-D pair, n = 1e6``: the same at 1_000_000 points, against the cKDTree
  KSG only.
* ``5-D sample, n = 1e5``: ``knn.entropy(X, 3)`` (Kozachenko-Leonenko,
  Euclidean) of X of 100_000 x 5 points against ``cKDTree(X).query(X, k=4,
  workers=-1)`` and the formula.
* ``3-D pair, n = m = 1e5``: ``knn.kl_divergence(x, y, 3)`` (Wang-Kulkarni-
  Verdu), x ~ N(0, I_3) and y ~ N(0.5 e_1, I_3) of 100_000 points each,
  against a cKDTree on x (k = 4, itself left out) and one on y (k = 3).
* ``1e4 x 100 features``: ``knn.mutual_information_features(X, y, 3)``, X of
  10_000 x 100 columns, y continuous (correlated with the first 10 columns),
  against ``mutual_info_regression(X, y, n_neighbors=3, n_jobs=2,
  random_state=0)``.
* ``n log n scaling``: ``knn.mutual_information`` (1-D pair) and
  ``knn.entropy`` (d = 5) at n = 1e4, 1e5 and 1e6, fastdiv with 2 threads,
  interleaved, with time / (n log2 n) in a column.

Checks before timing: fastdiv's 1- and 2-thread results must be
bit-identical; the cKDTree peers must agree with fastdiv to rtol 1e-10
(atol 1e-12), and so must the cKDTree KSG of the features workload's first 10
columns (one column at a time, not timed).  scikit-learn (scales each
variable to unit variance, adds noise of 1e-10 x max(1, mean |x|), clips at
0) and ennemi (standardizes, adds N(0, 1e-10) noise, counts within eps -
1e-12) estimate from slightly different samples: their difference from
fastdiv is reported, not checked.  The report gives every value and the
closed form of the quantity estimated.

Targets (2 threads, medians): KSG 1e5 >= 17x scikit-learn and >= 20x ennemi;
KSG 1e6 >= 18x the cKDTree KSG; entropy and KL divergence >= 3x their cKDTree
implementations; features >= 10x scikit-learn (``n_jobs=2``); time / (n log2
n) varies by less than 3x over the scaling sizes (entropy and KSG).
"""

import argparse
import concurrent.futures
import contextlib
import json
import math
import os
import platform
import sys
import time

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
    import threadpoolctl
except ImportError:  # optional: BLAS thread limits for the NumPy+BLAS peer
    threadpoolctl = None

import peers_discrete
import peers_hist
import peers_knn
from peers_common import (
    NOISY,
    SEED,
    Candidate,
    Report,
    Targets,
    _mb,
    _noisy,
    add_timings,
    check,
    fastdiv_reference,
    fmt_ratio,
    fmt_time,
    heading,
    measure_peak,
    numba,
    numba_threads,
    scaled_rows,
    spawn_memprobe,
    table,
    time_interleaved,
)

if numba is not None:
    from numba import njit, prange
    from peers_common import nb_read_pair

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
SECTIONS = (
    "rows",
    "pairwise",
    "nearest",
    *peers_discrete.SECTIONS,
    *peers_hist.SECTIONS,
    *peers_knn.SECTIONS,
)

# pairwise section: all-pairs matrices (fastdiv.pairwise) and k nearest rows
# (fastdiv.nearest), rows of PW_SUPPORT float64 elements
PW_SUPPORT = 256
PW_WORKLOADS = (
    # workload, rows of P (and of Q), metric
    ("pairwise JS f64", 1_000, "js_distance"),
    ("pairwise KL f64", 2_000, "kl_divergence"),
)
CDIST_ROWS = 100  # cdist is timed on the first rows of P only, and scaled per pair
NN_ROWS, NN_K = 20_000, 10
NN_METRICS = ("kl_divergence", "js_distance")
NN_CHECK_ROWS = 200  # nearest is checked against pairwise on these first rows of P
NN_REPEATS = 3  # a nearest call at full size takes about a minute
NN_MEMORY_MB = 100  # target: peak memory of nearest beyond its inputs
# np.log ceiling: per Python thread, 2 MiB in + 2 MiB out (in L3; the log is
# compute-bound), in calls long enough (~0.2 ms) that the GIL handoffs between
# calls do not count (with 16_384 elements, 2 threads ran at 0.8-1.9x one)
LOG_CACHE_ELEMS = 262_144
LOG_REPS = 100

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


def _fastdiv(name):
    fn = getattr(fastdiv, name)
    if name in ONE_ARG:
        return lambda p, q: fn(p)
    return fn


# --------------------------------------------------------------------------
# Pairwise peers: every row of P against every row of Q
# --------------------------------------------------------------------------


def _xlogy(x, y):
    if scipy is not None:
        return scipy.special.xlogy(x, y)
    return x * np.log(y)  # the inputs here are strictly positive


def _np_pairwise_kl(P, Q):
    """The BLAS idiom: KL[i, j] = sum p_i log p_i - p_i . log q_j, normalized rows."""
    pn, qn = _norm(P), _norm(Q)
    return _xlogy(pn, pn).sum(1)[:, None] - pn @ np.log(qn).T


def _cdist_js(P, Q):
    return scipy.spatial.distance.cdist(P, Q, "jensenshannon")


NUMBA_PAIRS = {}  # parallel all-pairs kernels; P and Q normalized once, outside
if numba is not None:

    @njit(nogil=True)
    def _nbn_kl(a, b):
        acc = 0.0
        for k in range(a.shape[0]):
            if a[k] > 0.0:
                acc += a[k] * np.log(a[k] / b[k])
        return max(acc, 0.0)

    @njit(nogil=True)
    def _nbn_jsdist(a, b):
        acc = 0.0
        for k in range(a.shape[0]):
            mid = 0.5 * (a[k] + b[k])
            if a[k] > 0.0:
                acc += a[k] * np.log(a[k] / mid)
            if b[k] > 0.0:
                acc += b[k] * np.log(b[k] / mid)
        return math.sqrt(min(max(0.5 * acc, 0.0), LOG2))

    def _parallel_pairs(row):
        @njit(parallel=True)
        def pairs(pn, qn):
            m, n = pn.shape[0], qn.shape[0]
            out = np.empty((m, n))
            for i in prange(m):
                for j in range(n):
                    out[i, j] = row(pn[i], qn[j])
            return out

        def run(P, Q):
            return pairs(_norm(P), _norm(Q))

        return run

    NUMBA_PAIRS = {
        "kl_divergence": _parallel_pairs(_nbn_kl),
        "js_distance": _parallel_pairs(_nbn_jsdist),
    }


# --------------------------------------------------------------------------
# Thread limits
# --------------------------------------------------------------------------


def blas_threads(n):
    """Context: BLAS limited to ``n`` threads (threadpoolctl); a no-op without it."""
    if threadpoolctl is None:
        return contextlib.nullcontext()
    return threadpoolctl.threadpool_limits(limits=n, user_api="blas")


def blas_info():
    """'openblas 0.3.x, 2 threads' for each BLAS NumPy loaded (threadpoolctl), or None."""
    if threadpoolctl is None:
        return None
    libs = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    return [
        f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}, "
        f"{i.get('threading_layer')}), {i.get('num_threads')} threads"
        for i in libs
    ]


def blas_default_threads():
    if threadpoolctl is None:
        return None
    counts = [
        i["num_threads"] for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"
    ]
    return max(counts) if counts else None


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
                lambda: nb_read_pair(p, q),
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

        timings = time_interleaved(cands, args.repeats, min_batch)
        add_timings(report, workload, measure, cands, timings, n_elem)
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
# Pairwise section: fastdiv.pairwise and fastdiv.nearest
# --------------------------------------------------------------------------


def run_pairwise(report, threads, args):
    """The all-pairs workloads (PW_WORKLOADS) and the in-cache compute ceilings."""
    for workload, rows, metric in PW_WORKLOADS:
        run_pairwise_workload(report, workload, rows, metric, threads, args)


def run_pairwise_workload(report, workload, rows, metric, threads, args):
    tmax = max(threads)
    nb_ok = numba is not None and tmax <= numba.config.NUMBA_NUM_THREADS
    blas_default = blas_default_threads()
    if args.verbose:
        print(f"workload {workload} ...", file=sys.stderr, flush=True)
    m = n = scaled_rows(rows, args)
    P, Q = make_pair((m, PW_SUPPORT), "float64")
    pair_el = m * n * PW_SUPPORT
    report.workloads[workload] = dict(m=m, n=n, K=PW_SUPPORT, metric=metric)
    ref = fastdiv_reference(
        report, workload, threads, lambda: fastdiv.pairwise(P, Q, metric=metric)
    )
    cands = [
        Candidate(
            "fastdiv",
            "fastdiv.pairwise",
            t,
            lambda: fastdiv.pairwise(P, Q, metric=metric),
            (lambda t=t: fastdiv.num_threads(t)),
        )
        for t in threads
    ]
    # (candidate, rows of P it computes: a prefix, timed and scaled per pair)
    peers = []
    if metric == "js_distance" and scipy is not None:
        s = min(CDIST_ROWS, m)
        report.workloads[workload]["cdist_rows"] = s
        peers.append(
            (
                Candidate(
                    "scipy",
                    f"cdist(P[:{s}], Q, 'jensenshannon'), time x {m / s:g}",
                    1,
                    (lambda s=s: _cdist_js(P[:s], Q)),
                ),
                s,
            )
        )
    if metric == "kl_divergence":
        peers.append(
            (
                Candidate(
                    "numpy+blas default",
                    "NumPy xlogy - pn @ log(qn).T, default BLAS threads",
                    blas_default or "?",
                    lambda: _np_pairwise_kl(P, Q),
                ),
                m,
            )
        )
        if threadpoolctl is not None:
            peers.extend(
                (
                    Candidate(
                        "numpy+blas",
                        "NumPy xlogy - pn @ log(qn).T, BLAS limited",
                        t,
                        lambda: _np_pairwise_kl(P, Q),
                        (lambda t=t: blas_threads(t)),
                    ),
                    m,
                )
                for t in threads
            )
    if nb_ok and metric in NUMBA_PAIRS:
        peers.append(
            (
                Candidate(
                    "numba",
                    "numba prange over rows of P",
                    tmax,
                    lambda: NUMBA_PAIRS[metric](P, Q),
                    (lambda: numba_threads(tmax)),
                ),
                m,
            )
        )
    for c, s in peers:
        with c.context(), np.errstate(all="ignore"):
            got = c.fn()  # also compiles numba
        if check(report, workload, metric, c.label, got, ref[:s], "float64"):
            c.scale = m / s
            cands.append(c)
    add_timings(report, workload, metric, cands, time_interleaved(cands, args.repeats), pair_el)
    if metric == "kl_divergence":
        run_ceilings(report, P, Q, threads, args)
    if args.verbose:
        print(f"  done: {workload}", file=sys.stderr, flush=True)


def _log_loop(x, y, reps):
    for _ in range(reps):
        np.log(x, out=y)


def run_ceilings(report, P, Q, threads, args):
    """In-cache compute ceilings: BLAS dgemm ``pn @ qn.T`` (one FMA per pair-element,
    the same arithmetic as KL once log q and sum p log p are precomputed) and NumPy's
    SIMD ``np.log`` (JS needs at least one log per pair-element), each with 1 and 2
    threads; from the fastest repeat, as the bandwidth ceilings are."""
    pn, qn = _norm(P), _norm(Q)
    m, n, K = pn.shape[0], qn.shape[0], pn.shape[1]
    cands = []
    blas_ts = threads if threadpoolctl is not None else (blas_default_threads() or "?",)
    for t in blas_ts:
        c = Candidate("blas", "BLAS pn @ qn.T (dgemm)", t, lambda: pn @ qn.T)
        if threadpoolctl is not None:
            c.context = lambda t=t: blas_threads(t)
        c.work = m * n * K  # pair-elements (one FMA, 2 flop, each)
        cands.append(c)
    n_log, reps = LOG_CACHE_ELEMS, LOG_REPS
    xs = [1.0 - np.random.default_rng(SEED + t).random(n_log) for t in range(max(threads))]
    ys = [np.empty(n_log) for _ in xs]
    pool = concurrent.futures.ThreadPoolExecutor(max(threads))
    for t in threads:

        def logs(t=t):
            futures = [pool.submit(_log_loop, xs[i], ys[i], reps) for i in range(t)]
            for f in futures:
                f.result()

        c = Candidate("log", f"NumPy np.log in cache, {t} Python thread(s)", t, logs)
        c.work = t * reps * n_log  # logs
        cands.append(c)
    try:
        timings = time_interleaved(cands, args.repeats)
    finally:
        pool.shutdown()
    for c, (sec, best) in zip(cands, timings):
        report.ceilings.append(
            dict(
                kind=c.impl,
                method=c.label,
                threads=c.threads,
                time=sec,
                tmin=best,
                rate=c.work / best / 1e9,  # G pair-elements/s or G logs/s
                gflops=2 * c.work / best / 1e9 if c.impl == "blas" else None,
                shape=f"{m} x {K} @ {K} x {n}" if c.impl == "blas" else f"{n_log} float64",
            )
        )


def available_memory():
    """Bytes of MemAvailable (Linux), or None."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def run_nearest(report, threads, args):
    """nearest(k) against pairwise on the same inputs, and nearest's peak memory."""
    t = max(threads)
    workload = "nearest f64"
    m = n = scaled_rows(NN_ROWS, args, minimum=2 * NN_K)
    k = NN_K
    if args.verbose:
        print(f"workload {workload} ({m} x {n}) ...", file=sys.stderr, flush=True)
    if not args.no_memory:
        # first, while this process is small (a child inherits ru_maxrss: see _memprobe)
        for metric in NN_METRICS:
            report.memory.append(memory_probe(report, metric, m, n, k, t))
            if args.verbose:
                print(f"  memory: {workload} {metric}", file=sys.stderr, flush=True)
    P, Q = make_pair((m, PW_SUPPORT), "float64")
    # pairwise on the same inputs: the whole m x n matrix when it fits in memory
    # (with 2 GB to spare), else the first columns that do, compared per pair
    avail = available_memory()
    n_pw = n
    if avail is not None and m * n * 8 > avail - 2 * 2**30:
        n_pw = max(k, min(n, int((avail - 2 * 2**30) // (m * 8 * 2))))
    Qpw = Q[:n_pw]
    out = np.zeros((m, n_pw))  # touched now, so the timed calls take no page faults
    out.fill(0.0)
    report.workloads[workload] = dict(m=m, n=n, K=PW_SUPPORT, k=k, n_pw=n_pw, threads=t)
    s = min(NN_CHECK_ROWS, m)
    for metric in NN_METRICS:
        # check on the first rows of P (the whole of Q), and warm up the threads
        idx, val = fastdiv_reference(
            report,
            f"{workload} {metric} (first {s} rows)",
            threads,
            lambda metric=metric: fastdiv.nearest(P[:s], Q, k=k, metric=metric),
        )
        with fastdiv.num_threads(t):
            full = fastdiv.pairwise(P[:s], Q, metric=metric)
        best = np.sort(full, axis=1)[:, :k]
        ok = idx.shape == (s, k) and val.shape == (s, k)
        ok = ok and np.allclose(val, best, rtol=1e-12, atol=0)
        ok = ok and np.allclose(np.take_along_axis(full, idx, axis=1), val, rtol=1e-12, atol=0)
        if not ok:
            report.mismatches.append(
                f"{workload} {metric}: nearest(P[:{s}], Q, k={k}) is not the k smallest "
                f"of pairwise(P[:{s}], Q) (values or indices); not timed"
            )
            continue
        cands = [
            Candidate(
                "fastdiv",
                f"fastdiv.nearest(P, Q, k={k})",
                t,
                lambda metric=metric: fastdiv.nearest(P, Q, k=k, metric=metric),
                lambda: fastdiv.num_threads(t),
            ),
            Candidate(
                "pairwise",
                f"fastdiv.pairwise(P, Q{'' if n_pw == n else f'[:{n_pw}]'}, out=out)",
                t,
                lambda metric=metric: fastdiv.pairwise(P, Qpw, metric=metric, out=out),
                lambda: fastdiv.num_threads(t),
            ),
        ]
        timings = time_interleaved(cands, args.nearest_repeats, warmup=False)
        add_timings(report, workload, metric, cands[:1], timings[:1], m * n * PW_SUPPORT)
        add_timings(report, workload, metric, cands[1:], timings[1:], m * n_pw * PW_SUPPORT)
        if args.verbose:
            print(f"  timed: {workload} {metric}", file=sys.stderr, flush=True)


def memory_probe(report, metric, m, n, k, threads):
    """Peak RSS of nearest(P, Q) in a fresh process: see ``_memprobe``."""
    spec = dict(metric=metric, m=m, n=n, K=PW_SUPPORT, k=k, threads=threads)
    res, error = spawn_memprobe(spec)
    if res is None:
        report.notes.append(f"nearest {metric}: the memory probe failed ({error})")
        return dict(spec, failed=True)
    if not res["exact"]:
        report.notes.append(
            f"nearest {metric}: the peak RSS ({res['source']}) could not be reset before the "
            "call: 'beyond inputs' is approximate"
        )
    return dict(spec, **res)


def _memprobe(spec):
    """Run in a fresh process (``--memprobe``): one call, print its memory as JSON.

    ``spec["section"] == "discrete"`` is the discrete section's probe
    (``peers_discrete.memprobe``); without it, one nearest call: a tiny call
    first loads the OpenMP runtime and starts its threads (a cost per process,
    not per call); then the inputs are built in place (no temporaries), and
    ``peers_common.measure_peak`` reads the resident size, calls nearest once
    and reads the peak resident size (VmHWM, reset just before the call; RSS,
    so C allocations count).  Peak minus the RSS before the call is the memory
    nearest needed beyond its inputs (its outputs included).
    """
    if spec.get("section") == "discrete":
        return peers_discrete.memprobe(spec)
    metric, m, n, K, k, t = (spec[x] for x in ("metric", "m", "n", "K", "k", "threads"))
    tiny_p, tiny_q = make_pair((2 * k, K), "float64")
    fastdiv.nearest(tiny_p, tiny_q, k=k, metric=metric, n_threads=t)
    if m == n:
        P, Q = make_pair((m, K), "float64")  # the arrays run_nearest times
    else:
        P = make_pair((m, K), "float64")[0]
        Q = make_pair((n, K), "float64", seed=SEED + 1)[0]
    (idx, val), info = measure_peak(lambda: fastdiv.nearest(P, Q, k=k, metric=metric, n_threads=t))
    print(json.dumps(dict(inputs=P.nbytes + Q.nbytes, outputs=idx.nbytes + val.nbytes, **info)))
    return 0


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


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
    blas = blas_info()
    lines.append(
        "NumPy's BLAS (threadpoolctl): " + "; ".join(blas)
        if blas
        else "NumPy's BLAS threads: unknown (pip install threadpoolctl)"
    )
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
    env = environment_lines() + report.versions
    out.append("\n".join(("- " + e) if md else e for e in env))
    out.append(
        ("- " if md else "")
        + f"median of {args.repeats} repeats; Gelem/s = elements of ONE input per second, "
        "from the median; speedup = peer median / fastdiv median (>1: fastdiv is faster); "
        "repeats interleaved round-robin over the implementations; "
        f"* after a median: noisy, more than {NOISY}x the fastest repeat (another process "
        "competed for the CPUs)"
    )
    if report.workloads:
        out.append(
            ("- " if md else "")
            + "pairwise section: G pair-el/s = m x n x K / median (pair-elements per "
            "second: every element of every (row of P, row of Q) pair); speedup = peer "
            "median / fastdiv median"
        )
    if args.scale != 1:
        out.append(
            ("- " if md else "")
            + f"SIZES SCALED by --scale {args.scale:g}: the targets are defined for the "
            "full sizes"
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

    out.extend(pairwise_tables(report, threads, args))
    out.extend(nearest_tables(report, args))
    out.extend(peers_discrete.report_tables(report, threads, args))
    out.extend(peers_hist.report_tables(report, threads, args))
    out.extend(peers_knn.report_tables(report, threads, args))

    out.append(
        heading(
            f"Targets (fastdiv with {tmax} threads, the machine's cores; "
            f"numba with the same count)",
            md,
        )
    )
    trows, n_fail = targets(report, threads, args.only)
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


def pairwise_tables(report, threads, args):
    """The pairwise workloads, the compute ceilings, and how close fastdiv gets."""
    md = args.markdown
    out = []
    for workload, _, metric in PW_WORKLOADS:
        info = report.workloads.get(workload)
        if info is None:
            continue
        out.append(
            heading(
                f"{workload}: pairwise(P, Q, metric={metric!r}), P and Q of "
                f"{info['m']:,} x {info['K']}, per call",
                md,
            )
        )
        fd = {t: report.get(workload, metric, "fastdiv", t) for t in threads}
        rows = []
        for r in (x for x in report.rows if x["workload"] == workload):
            if r["impl"] == "fastdiv":
                sp = ["-" for _ in threads]
            else:
                sp = [fmt_ratio(r["time"] / fd[t]["time"]) if fd[t] else "-" for t in threads]
            rows.append(
                [
                    r["label"],
                    r["threads"],
                    fmt_time(r["time"]) + _noisy(r),
                    fmt_time(r["tmin"]),
                    f"{r['gelems']:.3f}",
                    *sp,
                ]
            )
        out.append(
            table(
                [
                    "implementation",
                    "threads",
                    "median",
                    "min",
                    "G pair-el/s",
                    *[f"fastdiv {t}T speedup" for t in threads],
                ],
                rows,
                md,
                ["l", "r", "r", "r", "r"] + ["r"] * len(threads),
            )
        )
        s = info.get("cdist_rows")
        if s is not None and s < info["m"]:
            out.append(
                ("- " if md else "")
                + f"cdist is timed on the first {s} rows of P against all of Q (all "
                f"{info['m']:,} rows take seconds per call); its median and min are scaled "
                f"per pair to the whole workload (x {info['m'] / s:g})."
            )

    if report.ceilings:
        out.append(
            heading(
                "Compute ceiling (in cache: pairwise is compute-bound, its rows fit in cache)",
                md,
            )
        )
        rows = [
            [
                c["method"],
                c["shape"],
                c["threads"],
                fmt_time(c["time"]),
                fmt_time(c["tmin"]),
                f"{c['gflops']:.1f}" if c["gflops"] is not None else "-",
                f"{c['rate']:.2f}" + (" pair-el/s" if c["kind"] == "blas" else " log/s"),
            ]
            for c in report.ceilings
        ]
        out.append(
            table(
                ["ceiling", "shape", "threads", "median", "min", "GFLOP/s (min)", "G/s (min)"],
                rows,
                md,
                ["l", "l", "r", "r", "r", "r", "r"],
            )
        )
        out.append(
            ("- " if md else "")
            + "dgemm does one FMA (2 flop) per pair-element, the arithmetic of KL and "
            "cross-entropy once log q and sum p log p are taken out of the pair loop: the "
            "ceiling of a pairwise kernel. JS needs at least one log per pair-element (of "
            "p + q): NumPy's SIMD np.log on an in-cache array, one Python thread per "
            "core, bounds it. Ceilings use the fastest repeat."
        )
        rows = closeness_rows(report, threads)
        if rows:
            out.append(heading("How close to the ceiling (fastdiv medians)", md))
            out.append(
                table(
                    [
                        "workload",
                        "metric",
                        "threads",
                        "fastdiv G pair-el/s",
                        "ceiling",
                        "ceiling G/s",
                        "fastdiv / ceiling",
                    ],
                    rows,
                    md,
                    ["l", "l", "r", "r", "l", "r", "r"],
                )
            )
    return out


def closeness_rows(report, threads):
    def ceiling(kind, t):
        for c in report.ceilings:
            if c["kind"] == kind and c["threads"] == t:
                return c
        return None

    rows = []
    for r in report.rows:
        if r["impl"] != "fastdiv" or r["workload"] not in report.workloads:
            continue
        kinds = [("blas", "dgemm, 1 FMA / pair-el")]
        if r["measure"] != "kl_divergence":
            kinds.append(("log", "np.log, 1 log / pair-el"))
        for kind, what in kinds:
            c = ceiling(kind, r["threads"])
            if c is None:
                continue
            rows.append(
                [
                    r["workload"],
                    r["measure"],
                    r["threads"],
                    f"{r['gelems']:.2f}",
                    what,
                    f"{c['rate']:.2f}",
                    f"{100 * r['gelems'] / c['rate']:.0f}%",
                ]
            )
    return rows


def nearest_tables(report, args):
    md = args.markdown
    info = report.workloads.get("nearest f64")
    if info is None:
        return []
    out = [
        heading(
            f"nearest f64: nearest(P, Q, k={info['k']}) vs pairwise, P and Q of "
            f"{info['m']:,} x {info['K']}, {info['threads']} threads, median of "
            f"{args.nearest_repeats}",
            md,
        )
    ]
    rows = []
    for metric in NN_METRICS:
        nn = report.get("nearest f64", metric, "fastdiv")
        pw = report.get("nearest f64", metric, "pairwise")
        for r in (nn, pw):
            if r is None:
                continue
            ratio = f"{nn['gelems'] / pw['gelems']:.2f}" if nn and pw and r is nn else "-"
            rows.append(
                [
                    metric,
                    r["label"],
                    r["threads"],
                    fmt_time(r["time"]) + _noisy(r),
                    fmt_time(r["tmin"]),
                    f"{r['gelems']:.3f}",
                    ratio,
                ]
            )
    out.append(
        table(
            [
                "metric",
                "implementation",
                "threads",
                "median",
                "min",
                "G pair-el/s",
                "nearest / pairwise",
            ],
            rows,
            md,
            ["l", "l", "r", "r", "r", "r", "r"],
        )
    )
    n_pw = info["n_pw"]
    out.append(
        ("- " if md else "")
        + (
            f"pairwise is timed on the same P and Q, the whole {info['m']:,} x {info['n']:,} "
            f"matrix ({_mb(8 * info['m'] * n_pw)} MB) written into a preallocated `out`"
            if n_pw == info["n"]
            else f"pairwise is timed on P against the first {n_pw:,} rows of Q (the whole "
            f"matrix does not fit in the memory available), into a preallocated `out`, "
            f"and compared per pair-element"
        )
        + "; nearest / pairwise compares throughputs (pair-elements per second). Both "
        f"were checked first: nearest(P[:{NN_CHECK_ROWS}], Q) against the k smallest "
        f"entries of pairwise(P[:{NN_CHECK_ROWS}], Q)."
    )
    if report.memory:
        out.append(heading("nearest: peak memory of a fresh process", md))
        rows = []
        for x in report.memory:
            if x.get("failed"):
                rows.append([x["metric"], x["threads"], *["-"] * 7, "failed"])
                continue
            rows.append(
                [
                    x["metric"],
                    x["threads"],
                    _mb(x["inputs"]),
                    _mb(x["outputs"]),
                    _mb(x["rss_before"]),
                    _mb(x["peak"]),
                    _mb(x["beyond"]) + ("" if x["exact"] else " (approx.)"),
                    x["source"],
                    f"{_mb(x['maxrss_before'])} / {_mb(x['maxrss_after'])}",
                    fmt_time(x["time"]),
                ]
            )
        out.append(
            table(
                [
                    "metric",
                    "threads",
                    "inputs MB",
                    "outputs MB",
                    "RSS before call MB",
                    "peak RSS MB",
                    "beyond inputs MB",
                    "peak from",
                    "ru_maxrss before / after MB",
                    "call time",
                ],
                rows,
                md,
                ["l", "r", "r", "r", "r", "r", "r", "l", "r", "r"],
            )
        )
        out.append(
            ("- " if md else "")
            + "one process per metric, started before this run allocates the nearest "
            "workload: a tiny call starts the OpenMP threads, the inputs are built in "
            "place, then one nearest call; beyond inputs = peak RSS - RSS before the call "
            "(the (m, k) outputs included). The peak is VmHWM (the kernel's high-water "
            "mark of the process image, reset before the call): ru_maxrss, shown for "
            "reference, survives execve, so a child starts with its parent's resident "
            "size in it."
        )
    return out


def targets(report, threads, sections=SECTIONS):
    t = max(threads)
    tg = Targets(report, t)
    add, gel, speedup, fdr = tg.add, tg.gel, tg.speedup, tg.fastdiv

    if "rows" in sections:
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

    if "pairwise" in sections:
        js, kl = (w for w, _, _ in PW_WORKLOADS)
        speedup(js, "js_distance", "scipy", 50, "scipy cdist (scaled per pair)")
        speedup(js, "js_distance", "numba", 3, f"numba prange ({t} threads)", t)
        gel(kl, "kl_divergence", 1.0, "G pair-el/s")
        blas = report.get(kl, "kl_divergence", "numpy+blas default")
        speedup(
            kl,
            "kl_divergence",
            "numpy+blas default",
            1,
            f"NumPy+BLAS idiom ({blas['threads'] if blas else '?'} BLAS threads, default)",
            strict=True,
        )
        if threadpoolctl is not None:
            speedup(
                kl,
                "kl_divergence",
                "numpy+blas",
                1,
                f"NumPy+BLAS idiom (BLAS limited to {t} threads)",
                t,
                strict=True,
            )

    if "nearest" in sections:
        need = 0.8
        for m in NN_METRICS:
            nn = report.get("nearest f64", m, "fastdiv", t)
            pw = report.get("nearest f64", m, "pairwise", t)
            name = f"{m} nearest f64: throughput / pairwise's"
            if nn is None or pw is None:
                add(name, None, None, f">= {need:.2f} (within 20%)", False)
            else:
                x = nn["gelems"] / pw["gelems"]
                x_min = (nn["gelems"] * nn["time"] / nn["tmin"]) / (
                    pw["gelems"] * pw["time"] / pw["tmin"]
                )
                add(
                    name,
                    f"{x:.2f} ({nn['gelems']:.2f} / {pw['gelems']:.2f} G pair-el/s)",
                    f"{x_min:.2f}",
                    f">= {need:.2f} (within 20%)",
                    x >= need,
                    x_min >= need,
                )
            mem = [x for x in report.memory if x["metric"] == m and not x.get("failed")]
            name = f"{m} nearest f64: peak memory beyond inputs"
            if not mem:
                add(name, None, None, f"< {NN_MEMORY_MB} MB", False)
            else:
                add(
                    name,
                    f"{_mb(mem[0]['beyond'])} MB",
                    None,
                    f"< {NN_MEMORY_MB} MB",
                    mem[0]["beyond"] < NN_MEMORY_MB * 1e6,
                )
    peers_discrete.targets(tg, sections)
    peers_hist.targets(tg, sections)
    peers_knn.targets(tg, sections)
    return tg.rows, tg.n_fail


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
    ap.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help="comma-separated sections to run: rows (the exact measures, row by row), "
        "pairwise (pairwise matrices and the compute ceiling), nearest (nearest vs "
        "pairwise at 20,000 x 20,000, and its memory), discrete (fastdiv.discrete on "
        "label arrays against scikit-learn and pyitlib), tables (measures of joint "
        "tables and the bandwidth ceiling), hist (fastdiv.hist against NumPy, "
        "fast-histogram and boost-histogram, and the bandwidth ceiling), knn "
        "(fastdiv.knn against SciPy's cKDTree, scikit-learn and ennemi); default: all",
    )
    ap.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiply the number of rows of every 2-D workload (the samples of the "
        "discrete workloads, the tables of the tables section, the points and rows of "
        "the hist workloads, the points of the knn workloads) by this factor "
        "(e.g. 0.05 for a smoke test; the targets are defined for 1)",
    )
    ap.add_argument(
        "--nearest-repeats",
        type=int,
        default=NN_REPEATS,
        help=f"repeats of the nearest workload's timings (default {NN_REPEATS})",
    )
    ap.add_argument(
        "--no-memory",
        action="store_true",
        help="skip the peak-memory probes (nearest: one full nearest call per metric; "
        "discrete: one contingency / mutual information call per implementation)",
    )
    ap.add_argument(
        "--loop-repeats",
        type=int,
        default=peers_discrete.LOOP_REPEATS,
        help="repeats of the discrete section's pairwise workload, whose Python loop over "
        f"mutual_info_score takes ~30 s per call (default {peers_discrete.LOOP_REPEATS})",
    )
    ap.add_argument("--memprobe", help=argparse.SUPPRESS)  # internal: see _memprobe
    ap.add_argument("--strict", action="store_true", help="exit with status 1 when a target FAILs")
    ap.add_argument("-v", "--verbose", action="store_true", help="progress on stderr")
    args = ap.parse_args(argv)
    if args.memprobe:
        return _memprobe(json.loads(args.memprobe))
    args.repeats = args.repeats or (7 if args.quick else 15)
    if args.repeats < 7:
        ap.error("--repeats must be >= 7")
    args.min_batch = 0.05 if args.quick else 0.2
    args.measures = [m.strip() for m in args.measures.split(",") if m.strip()]
    unknown = set(args.measures) - set(MEASURES)
    if unknown:
        ap.error(f"unknown measures: {', '.join(sorted(unknown))}")
    args.only = [x.strip() for x in args.only.split(",") if x.strip()]
    unknown = set(args.only) - set(SECTIONS)
    if unknown or not args.only:
        ap.error(f"--only takes a comma-separated subset of {', '.join(SECTIONS)}")
    if not args.scale > 0:
        ap.error("--scale must be positive")
    if args.nearest_repeats < 1:
        ap.error("--nearest-repeats must be >= 1")
    if args.loop_repeats < 1:
        ap.error("--loop-repeats must be >= 1")

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

    rows = scaled_rows(ROWS, args)
    workloads = []
    if "rows" in args.only:
        workloads = [
            ("rows f64", (rows, SUPPORT), "float64"),
            ("rows f32", (rows, SUPPORT), "float32"),
            ("1-D f64", (N1D,), "float64"),
        ]
    if ("pairwise" in args.only or "nearest" in args.only) and not hasattr(fastdiv, "nearest"):
        sys.exit("this fastdiv has no pairwise / nearest: run with --only rows")
    peers_discrete.preflight(report, args)
    peers_hist.preflight(report, args)
    peers_knn.preflight(report, args)
    if "pairwise" in args.only and scipy is None:
        report.notes.append("scipy is not installed: cdist peer skipped")
    if "pairwise" in args.only and threadpoolctl is None:
        report.notes.append(
            "threadpoolctl is not installed: the NumPy+BLAS peer runs with its default "
            "threads only (pip install threadpoolctl)"
        )
    load0 = _loadavg()
    t0 = time.perf_counter()
    for workload, shape, dtype in workloads:
        if args.verbose:
            print(f"workload {workload} ...", file=sys.stderr, flush=True)
        run_workload(report, workload, shape, dtype, args.measures, threads, args)
    if "pairwise" in args.only:
        run_pairwise(report, threads, args)
    if "nearest" in args.only:
        run_nearest(report, threads, args)
    peers_discrete.run(report, threads, args)
    peers_hist.run(report, threads, args)
    peers_knn.run(report, threads, args)
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
