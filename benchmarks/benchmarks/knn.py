"""asv benchmarks for the k-nearest-neighbour estimators of ``fastdiv.knn``.

Layout
------
* ``Entropy``: ``knn.entropy(X, 3)`` (Kozachenko-Leonenko), X of n x 5, n of 1e4
  and 5e4.
* ``MutualInformation``: ``knn.mutual_information(x, y, 3, algorithm=a)``, KSG
  algorithms 1 and 2, on a 1-D pair of 1e5 points and a 3-D pair (x, y of 1e4 x 3).
* ``ConditionalMutualInformation``: ``knn.conditional_mutual_information(x, y, z,
  3)``, 1-D x, y, z of 2e4 points (y depends on x, x on z).
* ``KLDivergence``: ``knn.kl_divergence(x, y, 3)``, x, y of 5e4 x 3.
* ``MutualInformationFeatures``: ``knn.mutual_information_features(X, y, 3)``, X of
  1e4 rows x 20 columns, y continuous.
* ``EntropyBatched``: ``knn.entropy(X, 3)`` of a batch X of (100, 2_000, 3): 100
  estimates.
* ``KnnDrift``: ``track_`` benchmarks on fixed seeded float64 inputs -- the relative
  difference from the same formulas written on ``scipy.spatial.cKDTree`` (must stay
  near 1e-15: the inputs have no ties, so only the rounding of the final sums
  differs) and the number of results that differ from 1 to 2 threads (float32 and
  float64; must be 0) -- so that asv flags numeric changes the way it flags
  slowdowns.

Samples are standard normal (y = 0.6 x + 0.8 z, coordinate by coordinate, for the
pairs; KL: y shifted by 0.5 along the first axis), seeded, in the benchmark's
dtype, built in ``setup``; k = 3 everywhere.  Every timing class is parametrised
over dtype (float32, float64) x case x threads (1, 2), with a ``time_`` /
``peakmem_`` pair on the same inputs; the sizes keep a call well under a second.
Threads are set with ``fastdiv.set_num_threads`` in ``setup`` and restored in
``teardown``.  A ``fastdiv`` without ``fastdiv.knn`` (an older commit) skips these
benchmarks.  ``peakmem_`` is the peak resident size of the benchmark process,
inputs included: an increase means a call copied its input or made a large
temporary (the trees are O(n)).
"""

import importlib
import math

import numpy as np

from .exact import SEED, THREADS, _ThreadsMixin

DTYPES = ["float32", "float64"]
K = 3
RHO = 0.6
D_H, H_SIZES = 5, [10_000, 50_000]
MI_CASES = {"1-D, n=1e5": (100_000, 1), "3-D, n=1e4": (10_000, 3)}
CMI_N = 20_000
KL_N, KL_D, KL_SHIFT = 50_000, 3, 0.5
F_ROWS, F_COLS = 10_000, 20
BATCH = (100, 2_000, 3)


def _knn():
    try:
        return importlib.import_module("fastdiv.knn")
    except ImportError:
        raise NotImplementedError("this fastdiv has no fastdiv.knn") from None  # skipped


def normal(shape, dtype="float64", seed=SEED):
    return np.random.default_rng(seed).standard_normal(shape, dtype=np.dtype(dtype))


def correlated(x, seed, rho=RHO):
    """rho x + sqrt(1 - rho**2) z, z standard normal in x's dtype, built in place."""
    y = normal(x.shape, x.dtype, seed)
    y *= np.sqrt(1 - rho**2)
    y += rho * x
    return y


def pair(n, d=1, dtype="float64", seed=SEED):
    """x of (n,) (d = 1) or (n, d), and y correlated with it coordinate by coordinate."""
    x = normal(n if d == 1 else (n, d), dtype, seed)
    return x, correlated(x, seed + 1)


def triple(n, dtype="float64", seed=SEED):
    """z standard normal, x correlated with z, y with x: I(x; y | z) > 0 (0.27 nats)."""
    z = normal(n, dtype, seed)
    x = correlated(z, seed + 1)
    return x, correlated(x, seed + 2), z


def kl_pair(n, dtype="float64", seed=SEED):
    x = normal((n, KL_D), dtype, seed)
    y = normal((n, KL_D), dtype, seed + 1)
    y[:, 0] += KL_SHIFT
    return x, y


def features(rows, cols, dtype="float64", seed=SEED):
    """X standard normal; y correlated with the sum of X's first columns."""
    X = normal((rows, cols), dtype, seed)
    return X, correlated(X[:, : cols // 2].sum(axis=1) / math.sqrt(cols // 2), seed + 1)


class _Knn(_ThreadsMixin):
    params = [DTYPES, THREADS]
    param_names = ["dtype", "threads"]
    timeout = 300

    def _start(self, threads):
        self.kn = _knn()
        self._set_threads(threads)
        self.call()  # first call outside the timing

    def call(self):
        raise NotImplementedError

    def time_call(self, *params):
        self.call()

    def peakmem_call(self, *params):
        self.call()


class Entropy(_Knn):
    """``knn.entropy(X, 3)``, X of n x 5."""

    params = [DTYPES, H_SIZES, THREADS]
    param_names = ["dtype", "n", "threads"]

    def setup(self, dtype, n, threads):
        self.X = normal((n, D_H), dtype)
        self._start(threads)

    def call(self):
        self.kn.entropy(self.X, K)


class MutualInformation(_Knn):
    """``knn.mutual_information(x, y, 3, algorithm=a)``: KSG 1 and 2, 1-D and 3-D pairs."""

    params = [DTYPES, list(MI_CASES), [1, 2], THREADS]
    param_names = ["dtype", "case", "algorithm", "threads"]

    def setup(self, dtype, case, algorithm, threads):
        n, d = MI_CASES[case]
        self.x, self.y = pair(n, d, dtype)
        self.algorithm = algorithm
        self._start(threads)

    def call(self):
        self.kn.mutual_information(self.x, self.y, K, algorithm=self.algorithm)


class ConditionalMutualInformation(_Knn):
    """``knn.conditional_mutual_information(x, y, z, 3)``, 1-D x, y, z."""

    def setup(self, dtype, threads):
        self.x, self.y, self.z = triple(CMI_N, dtype)
        self._start(threads)

    def call(self):
        self.kn.conditional_mutual_information(self.x, self.y, self.z, K)


class KLDivergence(_Knn):
    """``knn.kl_divergence(x, y, 3)``, x ~ N(0, I_3), y ~ N(0.5 e_1, I_3)."""

    def setup(self, dtype, threads):
        self.x, self.y = kl_pair(KL_N, dtype)
        self._start(threads)

    def call(self):
        self.kn.kl_divergence(self.x, self.y, K)


class MutualInformationFeatures(_Knn):
    """``knn.mutual_information_features(X, y, 3)``: one KSG estimate per column."""

    def setup(self, dtype, threads):
        self.X, self.y = features(F_ROWS, F_COLS, dtype)
        self._start(threads)

    def call(self):
        self.kn.mutual_information_features(self.X, self.y, K)


class EntropyBatched(_Knn):
    """``knn.entropy(X, 3)``, X of (100, 2_000, 3): one estimate per sample set."""

    def setup(self, dtype, threads):
        self.X = normal(BATCH, dtype)
        self._start(threads)

    def call(self):
        self.kn.entropy(self.X, K)


# --------------------------------------------------------------------------
# Numeric drift
# --------------------------------------------------------------------------

DRIFT_N = 20_000
CASES = [
    "entropy",
    "mutual_information",
    "mutual_information_alg2",
    "conditional_mutual_information",
    "kl_divergence",
]


def _ckd():
    try:
        from scipy.spatial import cKDTree
        from scipy.special import digamma, gammaln
    except ImportError:
        raise NotImplementedError("scipy is not installed") from None  # skipped
    return cKDTree, digamma, gammaln


def _col(a):
    return np.asarray(a, dtype=np.float64).reshape(len(a), -1)


def _strict_counts(v, eps):
    """Points j != i with max-norm |v_j - v_i| < eps_i (cKDTree counts <= r)."""
    cKDTree, _, _ = _ckd()
    r = np.nextafter(eps, 0)
    return cKDTree(v).query_ball_point(v, r, p=np.inf, return_length=True) - 1


def _ref_entropy(X):
    cKDTree, digamma, gammaln = _ckd()
    X = _col(X)
    n, d = X.shape
    eps = cKDTree(X).query(X, k=K + 1)[0][:, -1]
    log_vd = 0.5 * d * math.log(math.pi) - gammaln(0.5 * d + 1)
    return digamma(n) - digamma(K) + log_vd + d * np.mean(np.log(eps))


def _ref_ksg(x, y, algorithm=1):
    cKDTree, digamma, _ = _ckd()
    x, y = _col(x), _col(y)
    n = len(x)
    xy = np.hstack([x, y])
    dist, idx = cKDTree(xy).query(xy, k=K + 1, p=np.inf)
    if algorithm == 1:
        nx, ny = _strict_counts(x, dist[:, -1]), _strict_counts(y, dist[:, -1])
        return digamma(K) + digamma(n) - np.mean(digamma(nx + 1) + digamma(ny + 1))
    # algorithm 2: the largest marginal distance among the k neighbours, counts <=
    nb = idx[:, 1:]
    ex = np.abs(x[nb] - x[:, None]).max(axis=(1, 2))
    ey = np.abs(y[nb] - y[:, None]).max(axis=(1, 2))
    nx = cKDTree(x).query_ball_point(x, ex, p=np.inf, return_length=True) - 1
    ny = cKDTree(y).query_ball_point(y, ey, p=np.inf, return_length=True) - 1
    return digamma(K) - 1 / K + digamma(n) - np.mean(digamma(nx) + digamma(ny))


def _ref_cmi(x, y, z):
    cKDTree, digamma, _ = _ckd()
    x, y, z = _col(x), _col(y), _col(z)
    xyz = np.hstack([x, y, z])
    eps = cKDTree(xyz).query(xyz, k=K + 1, p=np.inf)[0][:, -1]
    nxz = _strict_counts(np.hstack([x, z]), eps)
    nyz = _strict_counts(np.hstack([y, z]), eps)
    nz = _strict_counts(z, eps)
    return digamma(K) - np.mean(digamma(nxz + 1) + digamma(nyz + 1) - digamma(nz + 1))


def _ref_kl(x, y):
    cKDTree, _, _ = _ckd()
    x, y = _col(x), _col(y)
    (n, d), m = x.shape, len(y)
    rho = cKDTree(x).query(x, k=K + 1)[0][:, -1]
    nu = cKDTree(y).query(x, k=[K])[0][:, -1]
    return d * np.mean(np.log(nu / rho)) + math.log(m / (n - 1))


def _case(name, dtype="float64"):
    """(fastdiv call, cKDTree reference call) on fixed seeded inputs."""
    kn = _knn()
    seed = SEED + 3
    if name == "entropy":
        X = normal((DRIFT_N, D_H), dtype, seed)
        return lambda: kn.entropy(X, K), lambda: _ref_entropy(X)
    if name.startswith("mutual_information"):
        a = 2 if name.endswith("alg2") else 1
        x, y = pair(DRIFT_N, 1, dtype, seed)
        return (
            lambda: kn.mutual_information(x, y, K, algorithm=a),
            lambda: _ref_ksg(x, y, a),
        )
    if name == "conditional_mutual_information":
        x, y, z = triple(DRIFT_N, dtype, seed)
        return (
            lambda: kn.conditional_mutual_information(x, y, z, K),
            lambda: _ref_cmi(x, y, z),
        )
    x, y = kl_pair(DRIFT_N, dtype, seed)
    return lambda: kn.kl_divergence(x, y, K), lambda: _ref_kl(x, y)


class KnnDrift(_ThreadsMixin):
    """Estimates on fixed seeded inputs (2e4 points; entropy in 5-D, KL in 3-D).

    * ``track_ckdtree_rel_error``: ``|fastdiv - reference| / |reference|`` on float64
      input, the reference being the same formula on ``scipy.spatial.cKDTree``
      (the inputs have no ties: the neighbours and counts are the same, only the
      rounding of the sums differs).  Must stay below 1e-10 (near 1e-15).
    * ``track_thread_mismatch``: estimates that differ between 1 and 2 threads,
      float32 and float64 inputs together.  Must be 0.
    """

    params = [CASES]
    param_names = ["case"]
    timeout = 120

    def setup(self, case):
        self.ours, self.ref = _case(case)

    def track_ckdtree_rel_error(self, case):
        ref = float(self.ref())
        return abs(float(self.ours()) - ref) / abs(ref)

    track_ckdtree_rel_error.unit = "relative"

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

    track_thread_mismatch.unit = "mismatching estimates"
