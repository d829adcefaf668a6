"""The expected mutual information of adjusted mutual information
(``fastdiv._discrete.expected_mutual_information``, the C core's fd_emi.c).

* A 50-digit mpmath evaluation of the defining sum (``emi_mp``), for small
  and large N, to ``EMI_RTOL``.
* scikit-learn's ``expected_mutual_information`` on the contingency table of
  random labelings, to scikit-learn's own rounding (``sklearn_tol``).
* Closed forms: every class of size 1 on both sides gives log N, singletons
  on one side give the other side's entropy, one class gives 0.
* Edge cases, bit-identity for 1, 2 and 4 threads, the GIL released, and
  hypothesis properties (symmetric and order-free bit for bit,
  0 <= EMI <= min(H_a, H_b)).

The accuracy bound.  Each pair of class sizes contributes a non-negative
value computed to a relative ~1e-15 (fd_emi.c: log P at the mode to a few
ulps, then exact ratios, each rounded once); the EMI is their sum, so its
relative error is of that order too.  ``EMI_RTOL`` is that bound with a
margin; the largest error measured, per pair of sizes up to N = 1e7, is
8.4e-16 relative (1e-18 absolute on the EMI at N = 2e4).
"""

import functools
import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import gammaln

from fastdiv import _discrete
from fdtest.threads import assert_identical, call_beside_heartbeat

skemi = pytest.importorskip(
    "sklearn.metrics.cluster._expected_mutual_info_fast"
).expected_mutual_information

EMI_RTOL = 5e-15


def emi(a, b, nthreads=1):
    return _discrete.expected_mutual_information(
        np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64), nthreads
    )


# ---- the 50-digit oracle -----------------------------------------------------


@functools.cache
def _pair_mp(a, b, n_samples):
    """sum_n P(n) (n / N) log(N n / (a b)) at 50 digits, P hypergeometric:
    the defining sum, with no rewriting of its terms.  The support is cut to
    |n - a b / N| <= t with t^2 = 60 min(a, b) (the whole support for small
    classes): by Hoeffding's bound for the hypergeometric, P(|n - mu| >= t) <=
    2 exp(-2 t^2 / min(a, b)) = 2e-52, and every term is at most 1/e in size.
    P at the first n from log-gammas, then the exact ratios P(n+1)/P(n);
    the probabilities in the window must sum to 1 within 1e-40."""
    N = n_samples
    mu = mpmath.mpf(a) * b / N
    t = math.isqrt(60 * min(a, b)) + 2
    lo = max(0, a + b - N, math.floor(mu) - t)
    hi = min(a, b, math.ceil(mu) + t)
    lg = mpmath.loggamma
    margins = [a, b, N - a, N - b]
    cells = [lo, a - lo, b - lo, N - a - b + lo]
    p = mpmath.exp(sum(lg(m + 1) for m in margins) - lg(N + 1) - sum(lg(c + 1) for c in cells))
    s = total = mpmath.mpf(0)
    for n in range(lo, hi + 1):
        total += p
        if n > 0:
            s += p * n / N * mpmath.log(n / mu)
        p = p * (a - n) * (b - n) / ((n + 1) * (N - a - b + n + 1))
    assert abs(total - 1) < mpmath.mpf(10) ** -40, (a, b, N, total)
    return s


def emi_mp(a, b):
    """The EMI of class sizes a and b at 50 digits: a sum over every pair of
    classes (equal sizes share one pair value, not one term)."""
    a, b = [int(x) for x in a], [int(y) for y in b]
    n_samples = sum(a)
    assert sum(b) == n_samples
    with mpmath.workdps(50):
        return mpmath.fsum(_pair_mp(x, y, n_samples) for x in a for y in b)


def assert_accurate(got, want):
    want = float(want)
    assert abs(got - want) <= EMI_RTOL * want, (got, want, got - want)


def sizes(labels):
    return np.bincount(labels).astype(np.int64)


def random_labels(rng, n, k, skew=0.0):
    """n labels of k classes (weights k^-skew ... 1), every class present."""
    w = np.arange(1, k + 1, dtype=float) ** -skew
    x = rng.choice(k, size=n, p=w / w.sum())
    x[:k] = np.arange(k)
    return rng.permutation(x)


# ---- against mpmath ------------------------------------------------------------

MP_CASES = [
    # (n_samples, k_a, k_b, skew): small to N = 2e4, balanced and skewed
    (2, 2, 1, 0.0),
    (3, 2, 2, 0.0),
    (10, 3, 4, 0.0),
    (50, 5, 7, 1.0),
    (200, 10, 3, 0.0),
    (200, 30, 40, 2.0),
    (1000, 20, 25, 0.0),
    (1000, 2, 2, 0.0),
    (5000, 50, 8, 1.5),
    (20000, 3, 5, 0.0),
]


@pytest.mark.parametrize(("n", "ka", "kb", "skew"), MP_CASES)
def test_mpmath_random(n, ka, kb, skew):
    rng = np.random.default_rng(n + ka + kb)
    a = sizes(random_labels(rng, n, ka, skew))
    b = sizes(random_labels(rng, n, kb))
    assert_accurate(emi(a, b), emi_mp(a, b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ([1, 1, 1], [2, 1]),
        ([7, 3], [7, 3]),
        ([5, 5], [1] * 10),
        ([990, 10], [500, 500]),  # very unbalanced
        ([999, 1], [998, 1, 1]),
        ([1] * 40 + [960], [333, 333, 334]),
        ([2] * 50, [2] * 50),  # identical, all equal sizes
        ([31, 32, 33], [30, 31, 35]),  # both sides of the tabulated s(m), m < 32
        ([10**5, 2 * 10**5, 7 * 10**5], [45 * 10**4, 55 * 10**4]),
    ],
)
def test_mpmath_cases(a, b):
    assert_accurate(emi(a, b), emi_mp(a, b))


def test_mpmath_identical_labelings():
    rng = np.random.default_rng(7)
    a = sizes(random_labels(rng, 3000, 40, 1.0))
    assert_accurate(emi(a, a), emi_mp(a, a))


def test_mpmath_large_n():
    """N = 1e7 with few classes: the EMI is ~1e-7 and the log-factorials of
    the naive formula are ~1.5e8, so a relative 1e-15 needs the rewriting
    of fd_emi.c."""
    a = [3 * 10**6, 7 * 10**6]
    b = [9 * 10**6, 10**6]
    want = emi_mp(a, b)
    assert 1e-8 < want < 1e-6
    assert_accurate(emi(a, b), want)


# ---- against scikit-learn --------------------------------------------------------

EPS = np.finfo(np.float64).eps


def sklearn_tol(a, b, want):
    """How far scikit-learn's EMI may be from the exact one, from how it
    rounds: each term is exp of a sum of nine log-gamma values of size up to
    N log N (half an ulp each: a relative 4.5 eps N log N on the term), times
    log(N n) - log a - log b (a few eps log N absolute, and sum_n P(n) n / N
    over all pairs is 1), summed over terms of both signs: so the scale is
    the sum of |terms| (in float64, from scipy's gammaln: only the size
    matters).  Plus fastdiv's own EMI_RTOL.  At N = 2e4 scikit-learn is off
    by 2e-12 (against mpmath); on the random cases here, by at most half
    this bound."""
    a, b = np.asarray(a), np.asarray(b)
    n = int(a.sum())
    ua, ca = np.unique(a, return_counts=True)
    ub, cb = np.unique(b, return_counts=True)
    scale = 0.0
    for x, c in zip(ua.tolist(), ca.tolist()):
        for y, d in zip(ub.tolist(), cb.tolist()):
            k = np.arange(max(1, x + y - n), min(x, y) + 1)
            margins = gammaln(np.array([x, y, n - x, n - y]) + 1).sum() - gammaln(n + 1)
            lp = margins - sum(gammaln(c + 1) for c in (k, x - k, y - k, n - x - y + k))
            scale += c * d * np.sum(np.exp(lp) * k / n * np.abs(np.log(n * k / (x * y))))
    log_n = math.log(n) if n > 1 else 0.0
    return 4.5 * EPS * n * log_n * scale + 6 * EPS * log_n + EMI_RTOL * abs(want) + 1e-16


def assert_near_sklearn(a, b, table=None):
    n = int(np.sum(a))
    want = skemi(contingency(a, b) if table is None else table, n)
    got = emi(a, b)
    assert abs(got - want) <= sklearn_tol(a, b, want), (n, len(a), len(b), got, want)


def contingency(a, b):
    """A table with row sums a and column sums b (north-west corner fill):
    scikit-learn's EMI reads only its margins."""
    a, b = list(a), list(b)
    t = np.zeros((len(a), len(b)), dtype=np.int64)
    i = j = 0
    while i < len(a) and j < len(b):
        m = min(a[i], b[j])
        t[i, j] = m
        a[i] -= m
        b[j] -= m
        i += a[i] == 0
        j += b[j] == 0
    return t


@pytest.mark.parametrize("seed", range(12))
def test_sklearn_random(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 4001))
    x = random_labels(rng, n, int(rng.integers(1, min(n, 300) + 1)), rng.uniform(0, 2))
    y = random_labels(rng, n, int(rng.integers(1, min(n, 300) + 1)), rng.uniform(0, 2))
    a, b = sizes(x), sizes(y)
    table = np.zeros((len(a), len(b)), dtype=np.int64)
    np.add.at(table, (x, y), 1)
    assert_near_sklearn(a, b, table)


def test_sklearn_benchmark_case():
    """1e5 labels of 200 classes (issue 10): scikit-learn is 7.4e-12 from the
    50-digit value 0.2211394833684135991..., fastdiv 4e-18."""
    a, b = bench_sizes()
    assert abs(emi(a, b) - 0.2211394833684135991056082) <= EMI_RTOL * 0.22
    assert_near_sklearn(a, b)


def test_sklearn_margins_only():
    """The helper's tables have the margins asked for (what scikit-learn reads)."""
    t = contingency([5, 1, 4], [2, 2, 6])
    assert t.sum(axis=1).tolist() == [5, 1, 4] and t.sum(axis=0).tolist() == [2, 2, 6]


@pytest.mark.parametrize(
    ("a", "b"),
    [([1] * 100, [25] * 4), ([50, 50], [50, 50]), ([97, 1, 1, 1], [3] * 33 + [1])],
)
def test_sklearn_cases(a, b):
    assert_near_sklearn(a, b)


# ---- closed forms and edge cases -------------------------------------------------


def entropy(a):
    p = np.asarray(a, dtype=float) / np.sum(a)
    return float(-np.sum(p * np.log(p)))


def test_one_sample():
    assert emi([1], [1]) == 0.0


@pytest.mark.parametrize("n", [1, 2, 17, 10**7])
def test_one_class_each(n):
    assert emi([n], [n]) == 0.0


def test_one_class_vs_many():
    """Every table has MI 0: the EMI is exactly 0, either way round."""
    b = [1, 2, 3, 1000, 4, 4]
    assert emi([sum(b)], b) == 0.0
    assert emi(b, [sum(b)]) == 0.0


@pytest.mark.parametrize("n", [2, 3, 10, 1000, 10**6])
def test_all_singletons(n):
    """n_samples == n_classes on both sides: every table is a permutation,
    MI = log N."""
    ones = np.ones(n, dtype=np.int64)
    assert emi(ones, ones) == pytest.approx(math.log(n), rel=EMI_RTOL)


@pytest.mark.parametrize("a", [[5, 5], [1, 2, 3, 994], [17] * 13 + [9]])
def test_singletons_one_side(a):
    """Classes of size 1 on one side: every table has MI = H(a)."""
    ones = np.ones(sum(a), dtype=np.int64)
    assert emi(a, ones) == pytest.approx(entropy(a), rel=EMI_RTOL)
    assert emi(ones, a) == emi(a, ones)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ([5, 3], [6, 1, 1]),
        # the same distinct sizes with other multiplicities: summed with
        # either labeling's sizes as rows, these differ in the last bit
        ([2, 4, 2, 1], [4, 1, 2, 1, 1]),
        ([1, 1, 1, 2, 5], [5, 2, 2, 1]),
    ],
)
def test_symmetric_bits(a, b):
    """Either labeling first gives the same bits, also when both have as many
    distinct sizes, or the same distinct sizes with other multiplicities."""
    assert_identical(emi(b, a), emi(a, b))


def test_returns_python_float():
    assert type(emi([3, 4], [2, 5])) is float


# ---- threads ---------------------------------------------------------------------


def bench_sizes(n=100_000, k=200, seed=0):
    rng = np.random.default_rng(seed)
    return sizes(rng.integers(0, k, n)), sizes(rng.integers(0, k, n))


def test_threads_bit_identical():
    """Enough distinct sizes (about 80 x 80) for the parallel path."""
    a, b = bench_sizes()
    want = emi(a, b, 1)
    for nt in (2, 4):
        assert_identical(emi(a, b, nt), want, f"nthreads={nt}")
    assert_identical(emi(a, b, 1), want, "run to run")


def test_releases_gil():
    a, b = bench_sizes()
    got = call_beside_heartbeat(lambda: emi(a, b, 1))
    assert_identical(got, emi(a, b, 1))


# ---- properties --------------------------------------------------------------------


@st.composite
def labelings(draw):
    """Two lists of positive class sizes with one total."""
    a = draw(st.lists(st.integers(1, 60), min_size=1, max_size=25))
    left, b = sum(a), []
    while left:
        b.append(draw(st.integers(1, left)))
        left -= b[-1]
    return a, b


@given(labelings(), st.randoms(use_true_random=False))
def test_properties(ab, rnd):
    a, b = ab
    got = emi(a, b)
    assert 0.0 <= got <= min(entropy(a), entropy(b)) * (1 + EMI_RTOL)
    assert emi(b, a) == got  # symmetric, bit for bit
    pa, pb = a[:], b[:]
    rnd.shuffle(pa)
    rnd.shuffle(pb)
    assert emi(pa, pb) == got  # the order of the classes does not matter
    assert_near_sklearn(a, b)
