"""``fastdiv.knn`` against closed forms: Gaussians (entropy, mutual
information, conditional mutual information, KL divergence) and, for Ross's
estimator, two classes uniform on overlapping intervals, from seeded samples
of 10,000 to 20,000 points, k = 3 (KL: k = 1 and 5).

The tolerances.  An estimate from n samples is off its closed form by the
estimator's bias plus a random error of standard deviation sd ~ c / sqrt(n)
(c of order 1: the k-NN estimators are root-n consistent in dimensions <= 3
at fixed k, Kraskov et al. 2004 fig. 4, Berrett et al. 2019 for the
entropy).  Both were measured for each case at exactly its size, over 100
seeded replicates, with an independent implementation of the same estimator
on scipy's cKDTree (the one ``test_oracle.py`` checks against the oracle to
1e-12); each tolerance is ``|bias| + 5 sd`` rounded up (a seeded test, so a
failure is a real change of the estimate, not bad luck: a random error of
5 sd has probability 6e-7).  Measured (bias, sd) in nats:

=====================================  ==========  ========  =====
case                                   bias        sd        tol
=====================================  ==========  ========  =====
entropy d=1, n=20000 (both metrics)    +0.0009     0.0075    0.04
entropy d=2, n=20000                   -0.0020     0.0091    0.05
entropy d=3, n=20000                   -0.0124     0.0112    0.07
MI r=0 (independent), n=10000          -0.0019     0.0087    0.05
MI r=0.6, n=10000                      -0.0012     0.0109    0.06
MI r=0.9, n=10000                      +0.0030     0.0126    0.07
MI (X 2-D, Y 1-D), n=10000             +0.0011     0.0094    0.05
CMI chain X -> Z -> Y (0), n=10000     -0.0004     0.0070    0.04
CMI (X, Y, Z) correlated, n=10000      +0.0021     0.0087    0.05
KL d=1, k=1, n=m=20000                 -0.0026     0.0150    0.08
KL d=2, k=1, n=20000, m=16000          +0.0024     0.0153    0.08
KL d=1, k=5                            -0.0010     0.0071    0.04
KL d=2, k=5                            +0.0019     0.0077    0.05
Ross, uniform classes, n=10000         -0.0008     0.0043    0.03
=====================================  ==========  ========  =====

(MI rows: the larger of algorithms 1 and 2.)  The entropy's bias grows
with d (the density is not constant over the neighbour ball; Kozachenko-
Leonenko's known O(n^(-2/d)) term), the others' stay small at these sizes.
The tolerances still tell the right estimator from a wrong one: a unit ball
of the other metric (log(4/pi) = 0.24 in d=2), log k for psi(k) (0.18 at
k=3), counts of algorithm 1 in algorithm 2's formula (~1/k), a missing
log(m/(n-1)) with m != n (0.22) all fail.
"""

import math

import numpy as np
import pytest

from fastdiv import knn as K
from fdtest import knn_reference as R

S2 = np.array([[1.0, 0.6], [0.6, 2.0]])
S3 = np.array([[1.0, 0.5, 0.2], [0.5, 2.0, -0.4], [0.2, -0.4, 0.7]])
M3 = np.array([[1.0, 0.3, 0.5], [0.3, 1.0, 0.4], [0.5, 0.4, 1.0]])  # (X1, X2, Y)
G3 = np.array([[1.0, 0.6, 0.5], [0.6, 1.0, 0.4], [0.5, 0.4, 1.0]])  # (X, Y, Z)
A, B = 0.8, 0.6  # X ~ N(0, 1), Z = A X + e, Y = B Z + e': order (X, Y, Z)
VZ = A * A + 1
CHAIN = np.array([[1, A * B, A], [A * B, B * B * VZ + 1, B * VZ], [A, B * VZ, VZ]])
Q2 = 1.5 * S2 + 0.3 * np.eye(2)


def normal(seed, cov, n, mean=None):
    cov = np.atleast_2d(cov)
    mean = np.zeros(len(cov)) if mean is None else mean
    return np.random.default_rng(seed).multivariate_normal(mean, cov, size=n)


def corr(r):
    return np.array([[1.0, r], [r, 1.0]])


@pytest.mark.parametrize("metric", R.METRICS)
@pytest.mark.parametrize(
    "cov,tol", [([[4.0]], 0.04), (S2, 0.05), (S3, 0.07)], ids=["d1", "d2", "d3"]
)
def test_entropy(metric, cov, tol):
    x = normal(1, cov, 20_000, mean=np.full(len(np.atleast_2d(cov)), 3.0))
    got = K.entropy(x, 3, metric=metric)
    assert abs(got - R.gaussian_entropy(cov)) <= tol, (got, R.gaussian_entropy(cov))
    # in bits: the same estimate divided by log 2
    assert K.entropy(x, 3, metric=metric, base=2) == pytest.approx(got / math.log(2), rel=1e-12)


@pytest.mark.parametrize("algorithm", [1, 2])
@pytest.mark.parametrize("r,tol", [(0.0, 0.05), (0.6, 0.06), (0.9, 0.07)])
def test_mutual_information(algorithm, r, tol):
    xy = normal(2, corr(r), 10_000)
    got = K.mutual_information(xy[:, 0], xy[:, 1], 3, algorithm=algorithm)
    want = R.gaussian_mi(corr(r), 1)  # -0.5 log(1 - r^2)
    assert abs(got - want) <= tol, (got, want)


@pytest.mark.parametrize("algorithm", [1, 2])
def test_mutual_information_vector(algorithm):
    xy = normal(3, M3, 10_000)
    got = K.mutual_information(xy[:, :2], xy[:, 2], 3, algorithm=algorithm)
    want = R.gaussian_mi(M3, 2)
    assert abs(got - want) <= 0.05, (got, want)
    # the columns on scales 1000 and 0.001, standardized: the estimate of
    # the unit-variance data again (to within its sd of the closed form)
    x, y = xy[:, :2] * [1000.0, 0.001], xy[:, 2] - 50.0
    std = K.mutual_information(x, y, 3, algorithm=algorithm, standardize=True)
    assert abs(std - want) <= 0.05, (std, want)


def test_conditional_mutual_information_chain():
    xyz = normal(4, CHAIN, 10_000)
    x, y, z = xyz[:, :1], xyz[:, 1:2], xyz[:, 2:]
    assert abs(R.gaussian_cmi(CHAIN, 1, 1)) < 1e-14
    got = K.conditional_mutual_information(x, y, z, 3)
    assert abs(got) <= 0.04, got
    # while X and Y are dependent: I(X; Y) = 0.078 without the condition
    assert abs(K.mutual_information(x, y, 3) - R.gaussian_mi(CHAIN[:2, :2], 1)) <= 0.04


def test_conditional_mutual_information():
    xyz = normal(5, G3, 10_000)
    got = K.conditional_mutual_information(xyz[:, 0], xyz[:, 1], xyz[:, 2], 3)
    want = R.gaussian_cmi(G3, 1, 1)
    assert abs(got - want) <= 0.05, (got, want)


@pytest.mark.parametrize("k,tol", [(1, 0.08), (5, 0.04)])
def test_kl_divergence_1d(k, tol):
    x = normal(6, [[1.0]], 20_000)
    y = normal(7, [[2.25]], 20_000, mean=[0.5])
    want = R.gaussian_kl([0.0], [[1.0]], [0.5], [[2.25]])
    got = K.kl_divergence(x, y, k) if k != 1 else K.kl_divergence(x, y)
    assert abs(got - want) <= tol, (got, want)


@pytest.mark.parametrize("k,tol", [(1, 0.08), (5, 0.05)])
def test_kl_divergence_2d(k, tol):
    x = normal(8, S2, 20_000)
    y = normal(9, Q2, 16_000, mean=[0.3, -0.2])
    want = R.gaussian_kl([0.0, 0.0], S2, [0.3, -0.2], Q2)
    got = K.kl_divergence(x, y, k)
    assert abs(got - want) <= tol, (got, want)
    # the divergence is invariant under an affine map of both samples:
    # standardized by the pooled statistics, the same closed form
    got = K.kl_divergence(x * [10.0, 0.1] + 5.0, y * [10.0, 0.1] + 5.0, k, standardize=True)
    assert abs(got - want) <= tol, (got, want)


def test_ross_uniform_classes():
    # X | C=0 ~ U(0, 1.5), X | C=1 ~ U(1, 2.5), P(C) = 1/2: C is known from X
    # outside [1, 1.5) (2/3 of the mass) and a coin inside: I = (2/3) log 2
    rng = np.random.default_rng(10)
    lab = np.repeat([0, 1], 5_000)
    x = rng.uniform(0.0, 1.5, lab.size) + lab
    got = K.mutual_information(x, lab, 3, y_discrete=True)
    assert abs(got - 2 / 3 * math.log(2)) <= 0.03, got
    # in bits
    got2 = K.mutual_information(x, lab, 3, y_discrete=True, base=2)
    assert got2 == pytest.approx(got / math.log(2), rel=1e-12)
