"""asv benchmarks for the estimators from discrete samples (``fastdiv.discrete``) and the
measures of joint tables (``fastdiv.mutual_information`` on ``pxy[..., i, j]``).

Layout
------
* ``MutualInformation``: ``discrete.mutual_information(x, y)``, int64 labels with
  50 classes each (y copies x on half of the samples), n of 1e4 and 1e6.
* ``AdjustedMutualInformation``: ``discrete.adjusted_mutual_information(x, y)``,
  200 classes each, n of 1e4 and 1e5 (the expected-MI term dominates).
* ``Contingency``: ``discrete.contingency(x, y)``, the dense table of the
  ``MutualInformation`` labels (50 x 50).
* ``ContingencySparse``: ``discrete.contingency(x, y, sparse=True)`` and
  ``discrete.mutual_information(x, y)`` on labels with n / 10 distinct values
  each, spread over [0, 2**40): a dense table of 1e5 x 1e5 would take 80 GB, so
  ``peakmem_`` shows whether memory stays O(n).
* ``Pairwise``: ``discrete.pairwise(X)`` (``Y=None``: one triangle of the mutual
  information matrix), X of n samples x 20 label columns with 10 classes.
* The timings of the table measures are in ``tables.py``; their drift is here.
* ``DiscreteDrift``: ``track_`` benchmarks on fixed seeded inputs -- the largest
  absolute difference from scikit-learn (``mutual_info_score``,
  ``normalized_mutual_info_score``, ``adjusted_mutual_info_score``; pairwise
  against a loop over every pair; the table measure against
  ``mutual_info_score(contingency=table)``) and the number of results that
  are not bit-identical between 1 and 2 threads -- so that asv flags numeric
  changes the way it flags slowdowns.

Every class is parametrised over size x threads, with a ``time_`` / ``peakmem_``
pair on the same seeded inputs, built in ``setup``.  Threads are set with
``fastdiv.set_num_threads`` in ``setup`` and restored in ``teardown``.  A
``fastdiv`` without these functions (an older commit) skips the benchmarks, and
``DiscreteDrift`` is skipped without scikit-learn.  ``peakmem_`` is the peak
resident size of the benchmark process, inputs included.
"""

import importlib

import numpy as np

import fastdiv

from .exact import SEED, THREADS, _ThreadsMixin

MI_SIZES = [10_000, 1_000_000]
MI_CLASSES = 50
AMI_SIZES = [10_000, 100_000]
AMI_CLASSES = 200
SPARSE_SIZES = [100_000, 1_000_000]  # n / 10 distinct labels per input
PAIRWISE_SIZES = [10_000, 100_000]
PAIRWISE_FEATURES, PAIRWISE_CLASSES = 20, 10
SPREAD = 2_654_435_761  # odd: code * SPREAD mod 2**40 gives distinct, spread labels


def _discrete():
    try:
        return importlib.import_module("fastdiv.discrete")
    except ImportError:
        raise NotImplementedError("this fastdiv has no fastdiv.discrete") from None  # skipped


def _require(name):
    if not hasattr(fastdiv, name):
        raise NotImplementedError(f"this fastdiv has no {name}")  # asv: skipped


def dependent_labels(n, classes, seed=SEED):
    """x, y: int64 labels in [0, classes); y copies x on half of the samples."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, classes, n)
    y = rng.integers(0, classes, n)
    same = rng.random(n) < 0.5
    y[same] = x[same]
    return x, y


def spread_labels(n, distinct, seed=SEED):
    """n int64 labels with exactly ``distinct`` values spread over [0, 2**40), shuffled."""
    codes = np.arange(n, dtype=np.int64)
    np.remainder(codes, distinct, out=codes)
    np.random.default_rng(seed).shuffle(codes)
    np.multiply(codes, SPREAD, out=codes)
    np.remainder(codes, 2**40, out=codes)
    return codes


def label_columns(n, features, classes, seed=SEED):
    """(n, features) int64 labels; column j copies column j - 1 on 30% of the samples."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, classes, (n, features))
    for j in range(1, features):
        same = rng.random(n) < 0.3
        X[same, j] = X[same, j - 1]
    return X


def count_tables(count, shape, seed=SEED):
    """(count, *shape) float64 tables of integer counts in [1, 1000], built in place."""
    a = np.random.default_rng(seed).random((count, *shape))
    a *= 1000.0
    np.floor(a, out=a)
    a += 1.0
    return a


class MutualInformation(_ThreadsMixin):
    """``discrete.mutual_information(x, y)``, 50 classes each."""

    params = [MI_SIZES, THREADS]
    param_names = ["n", "threads"]
    timeout = 120

    def setup(self, n, threads):
        self.d = _discrete()
        self.x, self.y = dependent_labels(n, MI_CLASSES)
        self._set_threads(threads)
        self.d.mutual_information(self.x, self.y)  # first call outside the timing

    def time_mutual_information(self, n, threads):
        self.d.mutual_information(self.x, self.y)

    def peakmem_mutual_information(self, n, threads):
        self.d.mutual_information(self.x, self.y)


class AdjustedMutualInformation(_ThreadsMixin):
    """``discrete.adjusted_mutual_information(x, y)``, 200 classes each."""

    params = [AMI_SIZES, THREADS]
    param_names = ["n", "threads"]
    timeout = 120

    def setup(self, n, threads):
        self.d = _discrete()
        self.x, self.y = dependent_labels(n, AMI_CLASSES)
        self._set_threads(threads)
        self.d.adjusted_mutual_information(self.x, self.y)

    def time_adjusted_mutual_information(self, n, threads):
        self.d.adjusted_mutual_information(self.x, self.y)

    def peakmem_adjusted_mutual_information(self, n, threads):
        self.d.adjusted_mutual_information(self.x, self.y)


class Contingency(_ThreadsMixin):
    """``discrete.contingency(x, y)``: the dense 50 x 50 table."""

    params = [MI_SIZES, THREADS]
    param_names = ["n", "threads"]
    timeout = 120

    def setup(self, n, threads):
        self.d = _discrete()
        self.x, self.y = dependent_labels(n, MI_CLASSES)
        self._set_threads(threads)
        self.d.contingency(self.x, self.y)

    def time_contingency(self, n, threads):
        self.d.contingency(self.x, self.y)

    def peakmem_contingency(self, n, threads):
        self.d.contingency(self.x, self.y)


class ContingencySparse(_ThreadsMixin):
    """n / 10 distinct labels per input: ``contingency(sparse=True)`` and
    ``mutual_information``, whose memory must stay O(n), not O(Cx Cy)."""

    params = [SPARSE_SIZES, THREADS]
    param_names = ["n", "threads"]
    timeout = 120

    def setup(self, n, threads):
        self.d = _discrete()
        self.x = spread_labels(n, n // 10, SEED)
        self.y = spread_labels(n, n // 10, SEED + 1)
        self._set_threads(threads)
        self.d.contingency(self.x, self.y, sparse=True)

    def time_contingency_sparse(self, n, threads):
        self.d.contingency(self.x, self.y, sparse=True)

    def peakmem_contingency_sparse(self, n, threads):
        self.d.contingency(self.x, self.y, sparse=True)

    def time_mutual_information(self, n, threads):
        self.d.mutual_information(self.x, self.y)

    def peakmem_mutual_information(self, n, threads):
        self.d.mutual_information(self.x, self.y)


class Pairwise(_ThreadsMixin):
    """``discrete.pairwise(X)``: MI between every two of 20 label columns (one triangle)."""

    params = [PAIRWISE_SIZES, THREADS]
    param_names = ["n", "threads"]
    timeout = 120

    def setup(self, n, threads):
        self.d = _discrete()
        self.X = label_columns(n, PAIRWISE_FEATURES, PAIRWISE_CLASSES)
        self._set_threads(threads)
        self.d.pairwise(self.X)

    def time_pairwise(self, n, threads):
        self.d.pairwise(self.X)

    def peakmem_pairwise(self, n, threads):
        self.d.pairwise(self.X)


# --------------------------------------------------------------------------
# Numeric drift against scikit-learn
# --------------------------------------------------------------------------

DRIFT_N, DRIFT_CLASSES = 20_000, 30
DRIFT_X = (5_000, 8)  # pairwise: samples, label columns
DRIFT_TABLES = (50, 16, 16)


def _sklearn_pairwise(X):
    from sklearn.metrics import mutual_info_score

    f = X.shape[1]
    return np.array([[mutual_info_score(X[:, i], X[:, j]) for j in range(f)] for i in range(f)])


def _sklearn_tables(pxy):
    from sklearn.metrics import mutual_info_score

    return np.array([mutual_info_score(None, None, contingency=t) for t in pxy.astype(np.int64)])


def _drift_case(name):
    """(fastdiv call, scikit-learn call) on fixed seeded inputs."""
    from sklearn import metrics

    d = _discrete()
    if name == "table_mutual_information":
        _require("mutual_information")
        pxy = count_tables(DRIFT_TABLES[0], DRIFT_TABLES[1:], seed=SEED + 2)
        return (lambda: fastdiv.mutual_information(pxy)), (lambda: _sklearn_tables(pxy))
    if name == "pairwise":
        X = label_columns(*DRIFT_X, 10, seed=SEED + 2)
        return (lambda: d.pairwise(X)), (lambda: _sklearn_pairwise(X))
    x, y = dependent_labels(DRIFT_N, DRIFT_CLASSES, seed=SEED + 2)
    ours = getattr(d, name)
    theirs = {
        "mutual_information": metrics.mutual_info_score,
        "normalized_mutual_information": metrics.normalized_mutual_info_score,
        "adjusted_mutual_information": metrics.adjusted_mutual_info_score,
    }[name]
    return (lambda: ours(x, y)), (lambda: theirs(x, y))


class DiscreteDrift(_ThreadsMixin):
    """Values on fixed seeded inputs (20_000 labels of 30 classes; X of 5_000 x 8
    label columns; 50 tables of 16 x 16 counts).

    * ``track_max_abs_error``: largest absolute difference (nats) from
      scikit-learn's value of the same measure (pairwise: a loop over every
      pair; tables: ``mutual_info_score(contingency=table)`` per table).  The
      design promises agreement to 1e-12.
    * ``track_thread_mismatch``: results not bit-identical between 1 and 2
      threads.  Must be 0.
    """

    params = [
        [
            "mutual_information",
            "normalized_mutual_information",
            "adjusted_mutual_information",
            "pairwise",
            "table_mutual_information",
        ]
    ]
    param_names = ["measure"]
    timeout = 120

    def setup(self, name):
        try:
            import sklearn  # noqa: F401
        except ImportError:
            raise NotImplementedError("scikit-learn is not installed") from None
        self.ours, self.theirs = _drift_case(name)

    def track_max_abs_error(self, name):
        got = np.asarray(self.ours(), dtype=np.float64)
        ref = np.asarray(self.theirs(), dtype=np.float64)
        return float(np.max(np.abs(got - ref)))

    track_max_abs_error.unit = "nats"

    def track_thread_mismatch(self, name):
        out = []
        for threads in (1, 2):
            self._set_threads(threads)
            out.append(np.asarray(self.ours(), dtype=np.float64))
            self.teardown()
        return int(np.count_nonzero(out[0].view(np.uint64) != out[1].view(np.uint64)))

    track_thread_mismatch.unit = "mismatching results"
