"""The oracle checked before it is trusted (``fdtest.knn_reference``).

1. Against scikit-learn's own estimators, called directly (no scaling, no
   noise; they clip at 0): ``_compute_mi_cc`` (KSG algorithm 1) and
   ``_compute_mi_cd`` (Ross), on tie-free data, where sklearn's value is
   positive, to 1e-12 of the scale of the sum (both sum the same digammas
   in another order: the difference is rounding, ~1e-16 here).
2. Against independent implementations on SciPy's ``cKDTree``
   (``fdtest.knn_trees``: a k-d tree query for the k-th neighbour, ball
   counts for the rest): entropy (both metrics), KSG algorithms 1 and 2, Frenzel-Pompe and
   Wang-Kulkarni-Verdu, on tie-free data, to 1e-12.
3. The tie and copy rules, where no other implementation follows the spec,
   on small examples whose neighbours and counts are worked out by hand in
   the comments.
4. The Gaussian closed forms against their textbook special cases.
"""

import math

import numpy as np
import pytest
from scipy.special import digamma
from sklearn.feature_selection._mutual_info import _compute_mi_cc, _compute_mi_cd

from fdtest import knn_reference as R
from fdtest import knn_trees as KT

RTOL = 1e-12  # of the scale: two float64 sums of the same terms in other orders


def close(got, want, scale, what=""):
    assert abs(got - want) <= RTOL * scale, (what, got, want, got - want)


# --------------------------------------------------------------------------
# 1. scikit-learn
# --------------------------------------------------------------------------


@pytest.mark.parametrize("n", [40, 300, 1200])
@pytest.mark.parametrize("k", [1, 2, 3, 5, 8])
def test_ksg1_equals_sklearn(n, k):
    rng = np.random.default_rng(1000 * n + k)
    positive = 0
    for r in (0.0, 0.8, 1.5, 3.0):
        x, y = R.dependent(rng, n, 1, 1, r=r)
        x, y = x[:, 0], y[:, 0]
        value, scale = R.mutual_information(x, y, k, scale=True)
        want = _compute_mi_cc(x, y, k)  # max(0, estimate)
        if want > 0:
            positive += 1
            close(value, want, scale, f"r={r}")
        else:  # sklearn clipped a negative estimate
            assert value <= RTOL * scale, (r, value)
    assert positive >= 2  # the comparison compared something


@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("n_classes", [2, 5])
def test_ross_equals_sklearn_large_classes(k, n_classes):
    # Classes of more than 2k points: sklearn's NearestNeighbors then uses a
    # k-d tree, whose distances are |x_j - x_i| exactly (with fewer it goes
    # brute force, |a|^2 - 2ab + |b|^2, a few ulp off, and its radius
    # nextafter(r, 0) may drop or keep the k-th neighbour: see below).
    rng = np.random.default_rng(31 * k + n_classes)
    (x,) = R.dependent(rng, 400, 1)
    lab = R.labels_for(rng, x, n_classes)
    assert np.bincount(lab).min() > 2 * k
    value, scale = R.mutual_information(x, lab, k, y_discrete=True, scale=True)
    want = _compute_mi_cd(x[:, 0], lab, k)
    assert want > 0
    close(value, want, scale)


def _grid_tie_free(rng, n):
    """n distinct multiples of 2^-10 in [0, 2^10) with no two distances from
    one point equal: sklearn's brute-force squared distances are exact on
    them (every product fits 53 bits)."""
    while True:
        x = rng.choice(2**20, size=n, replace=False) / 1024.0
        D = np.abs(x[:, None] - x[None, :])
        s = np.sort(D, axis=1)
        if np.all(np.diff(s[:, 1:], axis=1) > 0):
            return x


@pytest.mark.parametrize("k", [2, 3, 5])
def test_ross_equals_sklearn_small_classes(k):
    # classes of 2 .. 2k points (k_c = N_c - 1 in some) and singletons (left
    # out), on the exact grid where sklearn's brute force is exact too
    rng = np.random.default_rng(7 + k)
    sizes = [1, 2, 3, k, k + 1, 2 * k, 1, 40, 25]
    x = _grid_tie_free(rng, sum(sizes))
    lab = R.labels_for(rng, x[:, None], 0, sizes=sizes)
    keep, kc, _, _, _ = R.ross_parts(x, lab, k)
    assert np.count_nonzero(~keep) >= 2 and np.any(kc < k)
    value, scale = R.mutual_information(x, lab, k, y_discrete=True, scale=True)
    want = _compute_mi_cd(x, lab, k)
    assert want > 0
    close(value, want, scale)


def test_ross_labels_of_any_dtype():
    rng = np.random.default_rng(3)
    (x,) = R.dependent(rng, 200, 2)
    lab = R.labels_for(rng, x, 3)
    want = R.mutual_information(x, lab, 3, y_discrete=True)
    for other in (np.array(["a", "bb", "c"])[lab], lab.astype(np.float32) / 7, lab - 5):
        assert R.mutual_information(x, other, 3, y_discrete=True) == want


# --------------------------------------------------------------------------
# 2. k-d trees (scipy.spatial.cKDTree)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("metric", R.METRICS)
@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("k", [1, 4])
def test_entropy_equals_tree(metric, d, k):
    (x,) = R.dependent(np.random.default_rng(d * 10 + k), 500, d, scales=[1.0, 30.0, 0.01])
    value, scale = R.entropy(x, k, metric=metric, scale=True)
    close(value, KT.entropy(x, k, metric), scale)


@pytest.mark.parametrize("algorithm", [1, 2])
@pytest.mark.parametrize("dims", [(1, 1), (2, 1), (2, 3)])
@pytest.mark.parametrize("k", [1, 3, 6])
def test_ksg_equals_tree(algorithm, dims, k):
    x, y = R.dependent(np.random.default_rng(sum(dims) + 10 * k), 500, *dims, r=0.8)
    value, scale = R.mutual_information(x, y, k, algorithm=algorithm, scale=True)
    close(value, KT.ksg(x, y, k, algorithm), scale)


@pytest.mark.parametrize("dims", [(1, 1, 1), (2, 1, 2)])
@pytest.mark.parametrize("k", [1, 3, 6])
def test_cmi_equals_tree(dims, k):
    x, y, z = R.dependent(np.random.default_rng(sum(dims) + 10 * k), 500, *dims, r=0.8)
    value, scale = R.conditional_mutual_information(x, y, z, k, scale=True)
    close(value, KT.cmi(x, y, z, k), scale)


@pytest.mark.parametrize("metric", R.METRICS)
@pytest.mark.parametrize("d", [1, 3])
@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("m", [200, 700])
def test_kl_equals_tree(metric, d, k, m):
    rng = np.random.default_rng(d + 10 * k + m)
    x = rng.standard_normal((400, d))
    y = rng.standard_normal((m, d)) * 1.3 + 0.4
    value, scale = R.kl_divergence(x, y, k, metric=metric, scale=True)
    close(value, KT.kl(x, y, k, metric), scale)


# --------------------------------------------------------------------------
# 3. ties and copies, by hand
# --------------------------------------------------------------------------

# Five points (x, y), k = 1; P4 is a copy of P0.
#        P0      P1        P2        P3      P4
HAND = [(0, 0), (1, 0.5), (0.5, 1), (5, 5), (0, 0)]


def test_ksg_counts_by_hand():
    x, y = np.array(HAND, float).T
    # joint (max-norm) distances, copies skipped: P0 and P4 see P1 and P2 at
    # 1 (tied); P1 sees P2 at 0.5; P2 sees P1 at 0.5; P3 sees P1, P2 at 4.5.
    # Algorithm 1 counts |dx| < eps and |dy| < eps over j != i, copies in:
    #   P0: x-dist to P2 0.5, to P4 0 -> 2; y: P1 0.5, P4 0 -> 2 (P4 alike)
    #   P1, P2: nothing strictly inside 0.5 -> 0, 0
    #   P3: x: P1 at 4 (P2 at 4.5 not) -> 1; y: P2 at 4 -> 1
    eps, nx, ny = R.ksg_counts(x, y, 1, algorithm=1)
    np.testing.assert_array_equal(eps, [1, 0.5, 0.5, 4.5, 1])
    np.testing.assert_array_equal(nx, [2, 0, 0, 1, 2])
    np.testing.assert_array_equal(ny, [2, 0, 0, 1, 2])
    # Algorithm 2: of the points tied at the k-th distance, the one of the
    # smallest x-distance (for ex) and of the smallest y-distance (for ey):
    #   P0: tied P1 (dx 1, dy 0.5), P2 (dx 0.5, dy 1) -> ex = ey = 0.5;
    #       nx: |x_j| <= 0.5: P2, P4 -> 2; ny: |y_j| <= 0.5: P1, P4 -> 2
    #   P1: ex = ey = 0.5; nx: |x_j - 1| <= 0.5: P2 -> 1; ny: P0, P2, P4 -> 3
    #   P2: ex = ey = 0.5; nx: P0, P1, P4 -> 3; ny: |y_j - 1| <= 0.5: P1 -> 1
    #   P3: tied P1 (dx 4, dy 4.5), P2 (4.5, 4) -> ex = ey = 4: nx P1, ny P2
    _, nx, ny = R.ksg_counts(x, y, 1, algorithm=2)
    np.testing.assert_array_equal(nx, [2, 1, 3, 1, 2])
    np.testing.assert_array_equal(ny, [2, 3, 1, 1, 2])
    want = digamma(1) - 1 + digamma(5) - np.mean(digamma(nx) + digamma(ny))
    assert R.mutual_information(x, y, 1, algorithm=2) == pytest.approx(want, rel=1e-15)


def test_ross_by_hand():
    # k = 2; class a: 0, 0, 1, 3 (N = 4, k_c = 2); class b: 10, 11 (N = 2,
    # k_c = 1); class c: 20 alone, left out (n = 6).
    #   0 (twice): within a, copies skipped: 1 at 1, 3 at 3 -> eps 3;
    #              m: |x_j| <= 3: the other 0, 1, 3 -> 3
    #   1: 0, 0 at 1, 3 at 2 -> eps 1; m: the two 0s -> 2
    #   3: 1 at 2, 0, 0 at 3 -> eps 3; m: 0, 0, 1 -> 3
    #   10, 11: eps 1, m 1
    x = np.array([0, 0, 1, 3, 10, 11, 20], float)
    lab = np.array(list("aaaabbc"))
    keep, kc, Nc, eps, m = R.ross_parts(x, lab, 2)
    np.testing.assert_array_equal(keep, [1, 1, 1, 1, 1, 1, 0])
    np.testing.assert_array_equal(kc, [2, 2, 2, 2, 1, 1])
    np.testing.assert_array_equal(Nc, [4, 4, 4, 4, 2, 2])
    np.testing.assert_array_equal(eps, [3, 3, 1, 3, 1, 1])
    np.testing.assert_array_equal(m, [3, 3, 2, 3, 1, 1])
    want = digamma(6) + np.mean(digamma(kc)) - np.mean(digamma(Nc)) - np.mean(digamma(m))
    assert R.mutual_information(x, lab, 2, y_discrete=True) == pytest.approx(want, rel=1e-15)


def test_entropy_and_kl_copies_by_hand():
    # x = 0, 0, 1, 3, k = 1: eps = 1, 1, 1, 2 (the copy of 0 is skipped)
    x = np.array([0.0, 0.0, 1.0, 3.0])
    want = digamma(4) - digamma(1) + math.log(2) + math.log(2) / 4
    assert R.entropy(x, 1) == pytest.approx(want, rel=1e-15)
    # k = 2: eps = 3, 3, 1, 3 (0 sees 1 and 3; 1 sees the two 0s at 1, then
    # 3 at 2; 3 sees 1 at 2, the 0s at 3)
    want = digamma(4) - digamma(2) + math.log(2) + np.mean(np.log([3, 3, 1, 3]))
    assert R.entropy(x, 2) == pytest.approx(want, rel=1e-15)
    # KL, k = 1, y = 0, 2: nu skips y's copy of x_i: 2, 2, 1, 1
    y = np.array([0.0, 2.0])
    want = np.mean(np.log(np.array([2, 2, 1, 1]) / [1, 1, 1, 2])) + math.log(2 / 3)
    assert R.kl_divergence(x, y, 1) == pytest.approx(want, rel=1e-15)


def test_cmi_copies_by_hand():
    # x = y = z = (0, 0, 1, 2), k = 1: copies (P0, P1) skipped in (x, y, z):
    # eps = 1, 1, 1, 1; strictly inside 1 in every space: P0 and P1 see
    # each other (1 each), P2 and P3 nothing: terms psi(nz+1) - psi(nxz+1) -
    # psi(nyz+1) = -psi(2) twice and -psi(1) twice.
    v = np.array([0.0, 0.0, 1.0, 2.0])
    want = digamma(1) - (2 * digamma(2) + 2 * digamma(1)) / 4
    assert R.conditional_mutual_information(v, v, v, 1) == pytest.approx(want, rel=1e-15)


def test_too_few_distinct_points_refused():
    x = np.array([0.0, 0.0, 1.0, 1.0, 1.0])
    assert np.isfinite(R.entropy(x, 1))
    with pytest.raises(ValueError, match="distinct"):
        R.entropy(x, 2)
    with pytest.raises(ValueError, match="distinct"):
        R.mutual_information(x, x, 2)
    with pytest.raises(ValueError, match="distinct"):
        R.kl_divergence(np.arange(5.0), x, 2)
    # Ross: class a has 3 points, 2 distinct: k_c = 2 needs 3
    with pytest.raises(ValueError, match="distinct"):
        R.mutual_information([0, 0, 1, 5, 6], list("aaabb"), 2, y_discrete=True)


# --------------------------------------------------------------------------
# 4. the Gaussian closed forms
# --------------------------------------------------------------------------


def test_gaussian_closed_forms():
    # standard normal: 0.5 log(2 pi e); a scale s adds log s per dimension
    assert R.gaussian_entropy([[1.0]]) == pytest.approx(0.5 * math.log(2 * math.pi * math.e))
    assert R.gaussian_entropy(np.diag([4.0, 9.0])) == pytest.approx(
        math.log(2 * math.pi * math.e) + math.log(6.0)
    )
    # correlation r: I = -0.5 log(1 - r^2)
    r = 0.7
    S = np.array([[1.0, r], [r, 1.0]])
    assert R.gaussian_mi(S, 1) == pytest.approx(-0.5 * math.log(1 - r * r))
    # a chain X -> Z -> Y: I(X; Y | Z) = 0, I(X; Z | Y) > 0
    a, b = 0.8, 0.6
    # X ~ N(0, 1), Z = a X + e1, Y = b Z + e2; order (X, Y, Z)
    vz = a * a + 1
    S = np.array([[1, a * b, a], [a * b, b * b * vz + 1, b * vz], [a, b * vz, vz]])
    assert abs(R.gaussian_cmi(S, 1, 1)) < 1e-14
    # I(X; Z | Y) in the order (X, Z, Y), against H(X,Y) + H(Z,Y) - H(Y) - H(X,Y,Z)
    P = S[np.ix_([0, 2, 1], [0, 2, 1])]
    h = R.gaussian_entropy
    want = h(P[np.ix_([0, 2], [0, 2])]) + h(P[1:, 1:]) - h(P[2:, 2:]) - h(P)
    assert R.gaussian_cmi(P, 1, 1) == pytest.approx(want, rel=1e-12)
    assert want > 0.1
    # KL of univariate normals: log(s1/s0) + (s0^2 + (m0 - m1)^2) / (2 s1^2) - 1/2
    m0, s0, m1, s1 = 0.3, 1.2, -0.5, 0.8
    want = math.log(s1 / s0) + (s0**2 + (m0 - m1) ** 2) / (2 * s1**2) - 0.5
    assert R.gaussian_kl([m0], [[s0**2]], [m1], [[s1**2]]) == pytest.approx(want, rel=1e-14)
    assert R.gaussian_kl([0, 1], S[:2, :2], [0, 1], S[:2, :2]) == pytest.approx(0, abs=1e-15)
