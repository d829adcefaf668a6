"""The grid behind KSG algorithm 1 on a pair of one-dimensional variables,
against the brute-force oracle and, at sizes beyond it, against the
cKDTree implementation (``fdtest.knn_trees``).

``mutual_information(x, y)`` with 1-D x and y finds each point's k-th
joint distance on a grid of the two sorted marginals' ranks: G columns of
consecutive x-ranks by G rows of consecutive y-ranks, G = floor(sqrt(n / 3))
(``GRID_FILL`` in ``_knn.pyx``), searched by a box of cells grown from the
point's own cell.  It hands the data to the joint tree where a value
repeats across more than two columns or rows (a run longer than n // G),
where the points' own cells hold more than ``GRID_WORK`` = 128 on average
(a near-function crowds a curve of cells: y = x at n = 30,000 has 300 per
cell), or once the searches' work passes 128 per point (a cluster far
narrower than the rest in one variable: its boxes grow across its
columns).  The value is the same either way, and so is checked here on
data built for each path: grids of one cell and of cells that do not
divide n, runs of copies just short of a column and just longer,
dependence from moderate to near-functional, heavy tails, copies in the
joint space, signed zeros.  Tolerance: the oracle's (``R.assert_estimate``);
the cKDTree's sums run in another order (1e-12 relative).
"""

import math

import numpy as np
import pytest

from fastdiv import knn as K
from fdtest import knn_reference as R
from fdtest import knn_trees as KT

KS = [1, 2, 3, 5]


def grid_side(n):
    """The grid's columns (and rows) for n points."""
    return max(1, min(n, math.isqrt(n // 3) if n >= 3 else 1))


def check(x, y, k):
    want = R.mutual_information(x, y, k)
    R.assert_estimate(K.mutual_information(x, y, k), want, "x, y")
    # the grid swaps the roles of columns and rows: the same value
    R.assert_estimate(K.mutual_information(y, x, k), want, "y, x")
    return want


@pytest.mark.parametrize("n", [6, 7, 12, 40, 301, 997, 2000])
@pytest.mark.parametrize("k", KS)
def test_continuous_pairs(n, k):
    if k + 1 > n:
        pytest.skip("k + 1 > n")
    # from one cell (n < 12) to 25 x 25 cells, n not a multiple of G
    x, y = R.dependent(np.random.default_rng(n + 7 * k), n, 1, 1)
    check(x[:, 0], y[:, 0], k)


def test_grid_side_matches_the_kernel_constant():
    # the docstring's formula, for the runs built below
    assert [grid_side(n) for n in (6, 12, 300, 2000)] == [1, 2, 10, 25]


@pytest.mark.parametrize("extra", [0, 1, 31])
@pytest.mark.parametrize("k", KS)
def test_a_run_of_copies_about_a_column_long(extra, k):
    # n = 300: G = 10 columns of 30 ranks; a run of 30 copies of one x value
    # spans at most two columns (the grid keeps the data), 31 or more may
    # span three (the tree takes them)
    n = 300
    rng = np.random.default_rng(extra + 10 * k)
    x, y = R.dependent(rng, n, 1, 1)
    x, y = x[:, 0], y[:, 0]
    run = n // grid_side(n) + extra
    x[rng.choice(n, run, replace=False)] = np.median(x)
    check(x, y, k)


@pytest.mark.parametrize("noise", [0.3, 1e-3, 1e-9])
@pytest.mark.parametrize("k", [1, 3])
def test_strong_dependence(noise, k):
    # the points crowd the diagonal of the rank grid: from a grid that
    # searches it (correlation 0.96) to near-functions whose searches pass
    # the work budget
    rng = np.random.default_rng(k)
    x = rng.standard_normal(1500)
    check(x, x + noise * rng.standard_normal(1500), k)


def tree_check(x, y, k):
    want = KT.ksg(x[:, None], y[:, None], k, 1)
    for got in (K.mutual_information(x, y, k), K.mutual_information(y, x, k)):
        assert abs(got - want) <= 1e-12 * max(1.0, abs(want)), (got, want)


@pytest.mark.parametrize("k", [1, 3])
def test_functional_dependence_crowds_the_cells(k):
    # y = x: 300 points in each diagonal cell at n = 30,000 (the tree), and
    # y = x with noise of sd 0.05 (the grid, about 90 cells and points per
    # search)
    rng = np.random.default_rng(k)
    x = rng.standard_normal(30_000)
    tree_check(x, x.copy(), k)
    tree_check(x, x + 0.05 * rng.standard_normal(30_000), k)


@pytest.mark.parametrize("k", [1, 3])
def test_a_narrow_cluster_passes_the_work_budget(k):
    # 90% of the x values within 1e-9 of 0: a cluster point's box spreads
    # over the cluster's columns (their gaps ~1e-9), hundreds of cells per
    # search
    rng = np.random.default_rng(k)
    x = rng.standard_normal(30_000)
    x[:27_000] *= 1e-9
    tree_check(x, rng.standard_normal(30_000), k)


def test_y_a_monotone_function_of_x():
    x = np.random.default_rng(3).standard_normal(1000)
    check(x, np.exp(x), 3)
    check(x, -(x**3), 3)


@pytest.mark.parametrize("k", KS)
def test_heavy_tails(k):
    # Cauchy margins: a uniform grid would put nearly every point in a few
    # cells; the rank grid does not care
    rng = np.random.default_rng(k)
    x = rng.standard_cauchy(1200)
    y = x * rng.standard_cauchy(1200) + rng.standard_cauchy(1200)
    check(x, y, k)


@pytest.mark.parametrize("k", KS)
def test_copies_in_the_joint_space(k):
    # rows repeated in both variables: runs of a few copies (the grid is
    # used), each point's copies skipped as neighbours
    rng = np.random.default_rng(40 + k)
    x, y = R.dependent(rng, 900, 1, 1)
    rows = rng.choice(900, 300, replace=False)
    src = rng.choice(np.setdiff1d(np.arange(900), rows), 300)
    x[rows], y[rows] = x[src], y[src]
    check(x[:, 0], y[:, 0], k)


def test_signed_zeros_and_a_few_ties():
    rng = np.random.default_rng(5)
    x = np.round(rng.standard_normal(600), 2)
    y = np.round(0.5 * x + rng.standard_normal(600), 2)
    x[:5] = 0.0
    x[5:10] = -0.0
    y[::60] = -0.0
    y[1::60] = 0.0  # 20 zeros: runs shorter than a column (n // G = 42)
    check(x, y, 3)


def test_fewer_than_k_plus_1_distinct_joint_points():
    # five distinct points in (x, y), each repeated: k = 4 is allowed, 5 not;
    # 500 points of 5 values: runs of 100 > n // G = 40, so these reach the tree
    x = np.repeat(np.arange(5.0), 100)
    y = x**2
    R.assert_estimate(K.mutual_information(x, y, 4), R.mutual_information(x, y, 4))
    with pytest.raises(ValueError):
        K.mutual_information(x, y, 5)
    # 6 distinct points at n = 12 (G = 2, runs of 2 <= n // G = 6): the grid
    x, y = np.repeat(np.arange(6.0), 2), np.repeat([3.0, 1.0, 4.0, 1.5, 5.0, 9.0], 2)
    R.assert_estimate(K.mutual_information(x, y, 5), R.mutual_information(x, y, 5))
    with pytest.raises(ValueError):
        K.mutual_information(x, y, 6)


@pytest.mark.parametrize("k", [1, 3])
def test_features_through_the_grid_equal_single_calls(k):
    rng = np.random.default_rng(9)
    X = rng.standard_normal((800, 6))
    X[:, 5] = np.round(X[:, 5])  # this column's runs reach the tree
    y = X[:, 0] - X[:, 5] + rng.standard_normal(800)
    got = K.mutual_information_features(X, y, k)
    for j in range(6):
        assert got[j] == K.mutual_information(X[:, j], y, k)
        R.assert_estimate(got[j], R.mutual_information(X[:, j], y, k), f"column {j}")
