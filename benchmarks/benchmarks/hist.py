"""asv benchmarks for the histograms and binned estimators of ``fastdiv.hist``.

Layout
------
* ``Histogram``: ``hist.histogram(x, 100, (-5, 5))``, uniform bins, n of 1e5 and 1e7.
* ``HistogramEdges``: ``hist.histogram(x, edges)``, 100 bins on 101 sorted edges (the
  ends of (-5, 5) and 99 standard-normal draws: narrow bins in the middle), n of 1e5
  and 1e7.
* ``HistogramBatched``: ``hist.histogram(X, 32, (-5, 5), axis=1)``, one histogram per
  row on shared edges, X of 1,000 and 10,000 rows x 1,000 samples.
* ``Histogram2D``: ``hist.histogram2d(x, y, 64, [[-5, 5], [-5, 5]])``, n of 1e5 and 1e7.
* ``MutualInformation``: ``hist.mutual_information(x, y, 64, [[-5, 5], [-5, 5]])``, the
  plug-in estimate from the same 64 x 64 binning, n of 1e5 and 1e7.
* ``HistDrift``: ``track_`` benchmarks on fixed seeded float64 inputs -- the number of
  counts that differ from NumPy's (``numpy.histogram``, row by row for the batch,
  ``numpy.histogram2d``; must be 0) and from 1 to 2 threads (float32 and float64; must
  be 0) -- and the absolute difference of ``mutual_information`` from the plug-in
  estimate on ``numpy.histogram2d``'s counts, so that asv flags numeric changes the
  way it flags slowdowns.

Samples are standard normal (y = 0.6 x + 0.8 z for the pairs), seeded, in the
benchmark's dtype, built in ``setup``.  Every timing class is parametrised over dtype
(float32, float64) x size x threads (1, 2), with a ``time_`` / ``peakmem_`` pair on the
same inputs.  Threads are set with ``fastdiv.set_num_threads`` in ``setup`` and restored
in ``teardown``.  A ``fastdiv`` without ``fastdiv.hist`` (an older commit) skips these
benchmarks.  ``peakmem_`` is the peak resident size of the benchmark process, inputs
included: an increase means a call copied its input or made a large temporary.
"""

import importlib

import numpy as np

from .exact import SEED, THREADS, _ThreadsMixin

DTYPES = ["float32", "float64"]
SIZES = [100_000, 10_000_000]
BATCH_ROWS = [1_000, 10_000]
BATCH_COLS = 1_000
RANGE = (-5.0, 5.0)
RANGE2 = [list(RANGE), list(RANGE)]
BINS, EDGE_BINS, BATCH_BINS, BINS2D = 100, 100, 32, 64
RHO = 0.6


def _hist():
    try:
        return importlib.import_module("fastdiv.hist")
    except ImportError:
        raise NotImplementedError("this fastdiv has no fastdiv.hist") from None  # skipped


def normal(shape, dtype="float64", seed=SEED):
    return np.random.default_rng(seed).standard_normal(shape, dtype=np.dtype(dtype))


def pair(n, dtype="float64", seed=SEED):
    """x standard normal and y = RHO x + sqrt(1 - RHO**2) z, in ``dtype``, built in place."""
    x = normal(n, dtype, seed)
    y = normal(n, dtype, seed + 1)
    y *= np.sqrt(1 - RHO**2)
    y += RHO * x
    return x, y


def variable_edges(bins=EDGE_BINS, seed=SEED):
    """``bins + 1`` increasing float64 edges: the ends of RANGE and ``bins - 1``
    standard-normal draws inside it."""
    inner = np.clip(normal(bins - 1, "float64", seed + 2), *RANGE)
    return np.sort(np.concatenate([RANGE, inner]))


class _Hist(_ThreadsMixin):
    params = [DTYPES, SIZES, THREADS]
    param_names = ["dtype", "n", "threads"]
    timeout = 300

    def _start(self, threads):
        self.h = _hist()
        self._set_threads(threads)
        self.call()  # first call outside the timing

    def call(self):
        raise NotImplementedError

    def time_call(self, *params):
        self.call()

    def peakmem_call(self, *params):
        self.call()


class Histogram(_Hist):
    """``hist.histogram(x, 100, (-5, 5))``: uniform bins."""

    def setup(self, dtype, n, threads):
        self.x = normal(n, dtype)
        self._start(threads)

    def call(self):
        self.h.histogram(self.x, BINS, RANGE)


class HistogramEdges(_Hist):
    """``hist.histogram(x, edges)``: 100 bins of different widths."""

    def setup(self, dtype, n, threads):
        self.x = normal(n, dtype)
        self.edges = variable_edges()
        self._start(threads)

    def call(self):
        self.h.histogram(self.x, self.edges)


class HistogramBatched(_Hist):
    """``hist.histogram(X, 32, (-5, 5), axis=1)``: one histogram per row of 1,000."""

    params = [DTYPES, BATCH_ROWS, THREADS]
    param_names = ["dtype", "rows", "threads"]

    def setup(self, dtype, rows, threads):
        self.X = normal((rows, BATCH_COLS), dtype)
        self._start(threads)

    def call(self):
        self.h.histogram(self.X, BATCH_BINS, RANGE, axis=1)


class Histogram2D(_Hist):
    """``hist.histogram2d(x, y, 64, [[-5, 5], [-5, 5]])``."""

    def setup(self, dtype, n, threads):
        self.x, self.y = pair(n, dtype)
        self._start(threads)

    def call(self):
        self.h.histogram2d(self.x, self.y, BINS2D, RANGE2)


class MutualInformation(_Hist):
    """``hist.mutual_information(x, y, 64, [[-5, 5], [-5, 5]])``: the plug-in estimate."""

    def setup(self, dtype, n, threads):
        self.x, self.y = pair(n, dtype)
        self._start(threads)

    def call(self):
        self.h.mutual_information(self.x, self.y, BINS2D, RANGE2)


# --------------------------------------------------------------------------
# Numeric drift
# --------------------------------------------------------------------------

DRIFT_N = 100_000
DRIFT_ROWS = 200
CASES = ["histogram", "histogram_edges", "histogram_batched", "histogram2d"]


def _case(name, dtype="float64"):
    """(fastdiv call, NumPy call), both returning counts, on fixed seeded inputs."""
    h = _hist()
    if name == "histogram":
        x = normal(DRIFT_N, dtype, SEED + 3)
        return (
            lambda: h.histogram(x, BINS, RANGE)[0],
            lambda: np.histogram(x, BINS, RANGE)[0],
        )
    if name == "histogram_edges":
        x = normal(DRIFT_N, dtype, SEED + 3)
        edges = variable_edges()
        return (lambda: h.histogram(x, edges)[0], lambda: np.histogram(x, edges)[0])
    if name == "histogram_batched":
        X = normal((DRIFT_ROWS, BATCH_COLS), dtype, SEED + 3)
        return (
            lambda: h.histogram(X, BATCH_BINS, RANGE, axis=1)[0],
            lambda: np.stack([np.histogram(r, BATCH_BINS, RANGE)[0] for r in X]),
        )
    x, y = pair(DRIFT_N, dtype, SEED + 3)
    return (
        lambda: h.histogram2d(x, y, BINS2D, RANGE2)[0],
        lambda: np.histogram2d(x, y, BINS2D, RANGE2)[0],
    )


def _plugin_mi(counts):
    """Plug-in mutual information (nats) of a table of counts, over its non-zero cells."""
    p = counts / counts.sum()
    outer = p.sum(1, keepdims=True) * p.sum(0, keepdims=True)
    nz = p > 0
    return float(np.sum(p[nz] * np.log(p[nz] / outer[nz])))


class HistDrift(_ThreadsMixin):
    """Counts on fixed seeded inputs (1e5 standard-normal points; 200 rows of 1,000).

    * ``track_numpy_mismatch``: counts (bins) that differ from NumPy's on float64
      input.  fastdiv follows NumPy's bin-edge semantics: must be 0.
    * ``track_thread_mismatch``: counts that differ between 1 and 2 threads, float32
      and float64 inputs together.  Must be 0.
    """

    params = [CASES]
    param_names = ["case"]
    timeout = 120

    def setup(self, case):
        self.ours, self.numpy = _case(case)

    def track_numpy_mismatch(self, case):
        return int(np.count_nonzero(np.asarray(self.ours()) != self.numpy()))

    track_numpy_mismatch.unit = "mismatching counts"

    def track_thread_mismatch(self, case):
        bad = 0
        for dtype in DTYPES:
            ours = _case(case, dtype)[0]
            out = []
            for threads in (1, 2):
                self._set_threads(threads)
                out.append(np.asarray(ours()))
                self.teardown()
            bad += int(np.count_nonzero(out[0] != out[1]))
        return bad

    track_thread_mismatch.unit = "mismatching counts"


class EstimatorDrift(_ThreadsMixin):
    """``hist.mutual_information(x, y, 64, [[-5, 5], [-5, 5]])`` on 1e5 fixed seeded
    float64 pairs: ``track_abs_error``, the absolute difference (nats) from the plug-in
    estimate on ``numpy.histogram2d``'s counts."""

    timeout = 120

    def setup(self):
        self.h = _hist()
        self.x, self.y = pair(DRIFT_N, "float64", SEED + 3)

    def track_abs_error(self):
        got = float(self.h.mutual_information(self.x, self.y, BINS2D, RANGE2))
        ref = _plugin_mi(np.histogram2d(self.x, self.y, BINS2D, RANGE2)[0])
        return abs(got - ref)

    track_abs_error.unit = "nats"
