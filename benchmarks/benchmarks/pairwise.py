"""asv benchmarks for the all-pairs functions: ``fastdiv.pairwise`` and ``fastdiv.nearest``.

Layout
------
* ``Pairwise``: ``pairwise(P, Q, metric=...)``, P and Q of 500 x 256 (6.4e7
  pair-elements: every element of every (row of P, row of Q) pair), every
  metric x dtype x threads, a ``time_`` / ``peakmem_`` pair.  Renyi divergence
  takes the general path (a power per pair-element: 0.025 G pair-elements/s per
  thread when this was written, against 0.4-10 for the others): 200 x 256
  (2 x 2 tiles of 128 rows, so that 2 threads have work), to stay under a
  second per call.
* ``PairwiseSymmetric``: ``pairwise(P)`` (``Q=None``) for the symmetric
  metrics, where one triangle is computed and mirrored.
* ``Nearest``: ``nearest(P, Q, k=10)`` on 1_000 x 1_000 rows of 256, KL and JS
  distance, dtype x threads.  Its ``peakmem_`` should stay near the inputs'
  size: nearest never holds the (m, n) matrix.
* ``PairwiseDrift``: ``track_`` benchmarks on fixed seeded inputs -- the error
  of every entry against a float64 NumPy evaluation of the definition (the
  references of ``exact.py``), the number of entries that are not bit-identical
  between 1 and 2 threads, and the number of rows where nearest does not give
  the k smallest entries of pairwise -- so that asv flags numeric changes the
  way it flags slowdowns.

Inputs are strictly positive (``1 - U[0, 1)``, as in ``exact.py``), one
distribution per row, seeded and built in place.  Threads are set with
``fastdiv.set_num_threads`` in ``setup`` and restored in ``teardown``.  A
``fastdiv`` without these functions (an older commit) skips the benchmarks.
``peakmem_`` is the peak resident size of the benchmark process, inputs
included.  Each timed call takes well under a second at 1 thread.
"""

import numpy as np

import fastdiv

from .exact import DTYPES, REFERENCES, SEED, THREADS, _ThreadsMixin, positive_inputs

SUPPORT = 256
PAIRWISE_ROWS = 500
SLOW_ROWS = {"renyi_divergence": 200}  # metric -> rows, where 500 take seconds
NEAREST_ROWS = 1_000
NEAREST_K = 10
DRIFT_ROWS = (60, 90)  # m, n: small, the NumPy references build (m, n, K) arrays

# metric -> its keywords (alpha = 0.5 matches exact.py's renyi_divergence reference)
METRICS = {
    "kl_divergence": {},
    "cross_entropy": {},
    "js_divergence": {},
    "js_distance": {},
    "total_variation": {},
    "hellinger": {},
    "renyi_divergence": {"alpha": 0.5},
}
SYMMETRIC = ["js_divergence", "js_distance", "total_variation", "hellinger"]
NEAREST_METRICS = ["kl_divergence", "js_distance"]


def _require(name):
    if not hasattr(fastdiv, name):
        raise NotImplementedError(f"this fastdiv has no {name}")  # asv: skipped


class _Pairwise(_ThreadsMixin):
    rows = PAIRWISE_ROWS
    timeout = 120

    def _setup(self, metric, dtype, threads, func):
        _require(func)
        rows = SLOW_ROWS.get(metric, self.rows)
        self.P, self.Q = positive_inputs((rows, SUPPORT), dtype, 2)
        self.kw = dict(METRICS[metric], metric=metric)
        self.func = getattr(fastdiv, func)
        self._set_threads(threads)


class Pairwise(_Pairwise):
    """``pairwise(P, Q)``, P and Q of 500 x 256 (Renyi: 200 x 256)."""

    params = [list(METRICS), DTYPES, THREADS]
    param_names = ["metric", "dtype", "threads"]

    def setup(self, metric, dtype, threads):
        self._setup(metric, dtype, threads, "pairwise")
        self.func(self.P, self.Q, **self.kw)  # first call outside the timing

    def time_pairwise(self, metric, dtype, threads):
        self.func(self.P, self.Q, **self.kw)

    def peakmem_pairwise(self, metric, dtype, threads):
        self.func(self.P, self.Q, **self.kw)


class PairwiseSymmetric(_Pairwise):
    """``pairwise(P)`` (``Q=None``), P of 500 x 256, symmetric metrics."""

    params = [SYMMETRIC, DTYPES, THREADS]
    param_names = ["metric", "dtype", "threads"]

    def setup(self, metric, dtype, threads):
        self._setup(metric, dtype, threads, "pairwise")
        self.func(self.P, **self.kw)

    def time_pairwise_self(self, metric, dtype, threads):
        self.func(self.P, **self.kw)

    def peakmem_pairwise_self(self, metric, dtype, threads):
        self.func(self.P, **self.kw)


class Nearest(_Pairwise):
    """``nearest(P, Q, k=10)``, P and Q of 1_000 x 256."""

    rows = NEAREST_ROWS
    params = [NEAREST_METRICS, DTYPES, THREADS]
    param_names = ["metric", "dtype", "threads"]

    def setup(self, metric, dtype, threads):
        self._setup(metric, dtype, threads, "nearest")
        self.kw["k"] = NEAREST_K
        self.func(self.P, self.Q, **self.kw)

    def time_nearest(self, metric, dtype, threads):
        self.func(self.P, self.Q, **self.kw)

    def peakmem_nearest(self, metric, dtype, threads):
        self.func(self.P, self.Q, **self.kw)


class PairwiseDrift(_ThreadsMixin):
    """Values on fixed seeded inputs (P of 60 x 256, Q of 90 x 256).

    * ``track_max_rel_error``: largest relative error (vs max(|ref|, 1e-300))
      of ``pairwise`` against the float64 NumPy definition of ``exact.py`` on
      every (row of P, row of Q) pair (upcast inputs).  Expect ~1e-15..1e-12
      for float64 inputs, ~1e-7..1e-5 for float32 inputs.
    * ``track_thread_mismatch``: entries of ``pairwise``, and of both outputs of
      ``nearest``, that are not bit-identical between 1 and 2 threads.  Must be 0.
    * ``track_nearest_mismatch``: rows where ``nearest(k=10)`` does not give the
      10 smallest values of the row of ``pairwise`` (rtol 1e-12), or indices
      that do not point at its values.  Must be 0.
    """

    params = [list(METRICS), DTYPES]
    param_names = ["metric", "dtype"]
    timeout = 120

    def setup(self, metric, dtype):
        _require("pairwise")
        m, n = DRIFT_ROWS
        self.P = positive_inputs((m, SUPPORT), dtype, 1, seed=SEED + 1)[0]
        self.Q = positive_inputs((n, SUPPORT), dtype, 1, seed=SEED + 2)[0]
        self.kw = dict(METRICS[metric], metric=metric)

    def track_max_rel_error(self, metric, dtype):
        got = fastdiv.pairwise(self.P, self.Q, **self.kw)
        ref = REFERENCES[metric](self.P[:, None, :], self.Q[None, :, :])
        err = np.abs(got - ref) / np.maximum(np.abs(ref), 1e-300)
        return float(np.max(err))

    track_max_rel_error.unit = "relative error"

    def track_thread_mismatch(self, metric, dtype):
        out = []
        for threads in (1, 2):
            self._set_threads(threads)
            res = [fastdiv.pairwise(self.P, self.Q, **self.kw)]
            if hasattr(fastdiv, "nearest"):
                res.extend(fastdiv.nearest(self.P, self.Q, k=NEAREST_K, **self.kw))
            out.append(res)
            self.teardown()
        return int(
            sum(
                np.count_nonzero(np.asarray(a).view(np.uint64) != np.asarray(b).view(np.uint64))
                for a, b in zip(*out)
            )
        )

    track_thread_mismatch.unit = "mismatching entries"

    def track_nearest_mismatch(self, metric, dtype):
        _require("nearest")
        full = fastdiv.pairwise(self.P, self.Q, **self.kw)
        idx, val = fastdiv.nearest(self.P, self.Q, k=NEAREST_K, **self.kw)
        best = np.sort(full, axis=1)[:, :NEAREST_K]
        at = np.take_along_axis(full, idx, axis=1)
        bad = ~np.isclose(val, best, rtol=1e-12, atol=0) | ~np.isclose(at, val, rtol=1e-12, atol=0)
        return int(np.count_nonzero(bad.any(axis=1)))

    track_nearest_mismatch.unit = "mismatching rows"
