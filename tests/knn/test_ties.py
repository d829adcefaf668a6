"""Duplicates and ties in ``fastdiv.knn``, against the oracle: the
neighbours of a point are the points at a positive distance from it (its
copies in the space searched are skipped), a tie at the k-th distance does
not change eps_i, the counts include every point inside their radius (the
copies too), KSG algorithm 2 takes the points tied at the k-th joint
distance in order of their distance in x (in y), and a searched space with
fewer than k + 1 distinct points is refused (``ValueError``), while k + 1
are enough.  Data: integers (every distance an integer: ties everywhere),
multiples of 1/2, repeated rows among continuous ones, copies in one
variable only, bools, -0.0 beside 0.0, Ross's classes of every small size,
KL samples that share points.  The expected values are the oracle's, to the
tolerance of ``test_reference.py`` (``R.assert_estimate``).
"""

import numpy as np
import pytest

from fastdiv import knn as K
from fdtest import knn_reference as R

N = 160
KS = [1, 2, 3, 4, 5]


def integers(seed, n, *dims, hi=4):
    """Integer-valued dependent variables (as float64): (n, d) arrays with
    coordinates in [0, hi) shifted by a shared integer."""
    rng = np.random.default_rng(seed)
    s = rng.integers(0, 3, n)
    return [(rng.integers(0, hi, (n, d)) + s[:, None]).astype(np.float64) for d in dims]


def with_copies(seed, n, *dims, frac=0.3):
    """Continuous dependent variables in which a fraction of the rows are
    exact copies of other rows (the same rows in every variable)."""
    rng = np.random.default_rng(seed)
    arrays = R.dependent(rng, n, *dims)
    rows = rng.choice(n, int(frac * n), replace=False)
    src = rng.choice(np.setdiff1d(np.arange(n), rows), rows.size)
    for a in arrays:
        a[rows] = a[src]
    return arrays


def halves(seed, n, *dims):
    """Continuous dependent variables rounded to multiples of 1/2."""
    return [np.round(a * 2) / 2 for a in R.dependent(np.random.default_rng(seed), n, *dims)]


KINDS = {"integers": integers, "copies": with_copies, "halves": halves}


def agree(fastdiv_call, oracle_call, what=""):
    """The oracle's value, or its refusal: then fastdiv refuses too."""
    try:
        want = oracle_call()
    except ValueError:
        with pytest.raises(ValueError):
            fastdiv_call()
        return None
    R.assert_estimate(fastdiv_call(), want, what)
    return want


# --------------------------------------------------------------------------
# the tie rules on heavily tied data
# --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("metric", R.METRICS)
@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("k", KS)
def test_entropy(kind, metric, d, k):
    (x,) = KINDS[kind](d + 10 * k, N, d)
    assert R.n_distinct(R.distances(x, x)[1]) < N  # the data has copies
    want = agree(lambda: K.entropy(x, k, metric=metric), lambda: R.entropy(x, k, metric=metric))
    assert want is not None


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("algorithm", [1, 2])
@pytest.mark.parametrize("dims", [(1, 1), (2, 1), (2, 2)])
@pytest.mark.parametrize("k", KS)
def test_mutual_information(kind, algorithm, dims, k):
    x, y = KINDS[kind](sum(dims) + 10 * k, N, *dims)
    want = agree(
        lambda: K.mutual_information(x, y, k, algorithm=algorithm),
        lambda: R.mutual_information(x, y, k, algorithm=algorithm),
    )
    assert want is not None
    # and I(X; Y) = I(Y; X) on tied data too (the tie rule is symmetric)
    swapped = K.mutual_information(y, x, k, algorithm=algorithm)
    assert abs(swapped - want) <= 1e-12 * max(1.0, abs(want)) + R.ATOL


@pytest.mark.parametrize("algorithm", [1, 2])
@pytest.mark.parametrize("k", KS)
def test_mutual_information_copies_in_one_variable(algorithm, k):
    # x takes 4 values (a point has ~N/4 copies in x, none in (x, y)): the
    # x-counts include them all, and algorithm 2's ex_i is decided by the
    # order of the x-distances among the points tied at the k-th distance
    rng = np.random.default_rng(k)
    x = rng.integers(0, 4, N).astype(np.float64)
    y = np.round(x + rng.standard_normal(N) * 2, 1)
    want = R.mutual_information(x, y, k, algorithm=algorithm)
    R.assert_estimate(K.mutual_information(x, y, k, algorithm=algorithm), want)
    want = R.mutual_information(y, x, k, algorithm=algorithm)
    R.assert_estimate(K.mutual_information(y, x, k, algorithm=algorithm), want)


def alg2_all_tied(x, y, k):
    """KSG algorithm 2 with another tie rule (ex_i the largest x-distance of
    every point within the k-th joint distance): what a kernel that does not
    order the tied points would compute."""
    a, b = R.samples(x), R.samples(y)
    n = a.shape[0]
    (dx, sx), (dy, sy) = R.distances(a, a), R.distances(b, b)
    dj, same = np.maximum(dx, dy), sx & sy
    eps = R.kth_positive(dj, same, k)[:, None]
    within = ~same & (dj <= eps)
    off = ~np.eye(n, dtype=bool)
    ex = np.max(np.where(within, dx, 0), axis=1)[:, None]
    ey = np.max(np.where(within, dy, 0), axis=1)[:, None]
    nx = np.count_nonzero((dx <= ex) & off, axis=1)
    ny = np.count_nonzero((dy <= ey) & off, axis=1)
    return float(R.psi(k) - 1 / k + R.psi(n) - np.mean(R.psi(nx) + R.psi(ny)))


@pytest.mark.parametrize("k", [1, 2, 3])
def test_algorithm_2_tie_order_matters(k):
    # data where the points tied at the k-th joint distance decide ex_i:
    # the spec's order (smallest x-distance first) and the other rule differ
    x, y = halves(k, N, 1, 1)
    want = R.mutual_information(x, y, k, algorithm=2)
    assert abs(want - alg2_all_tied(x, y, k)) > 1e-3
    R.assert_estimate(K.mutual_information(x, y, k, algorithm=2), want)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dims", [(1, 1, 1), (2, 1, 2)])
@pytest.mark.parametrize("k", KS)
def test_conditional_mutual_information(kind, dims, k):
    x, y, z = KINDS[kind](sum(dims) + 10 * k, N, *dims)
    want = agree(
        lambda: K.conditional_mutual_information(x, y, z, k),
        lambda: R.conditional_mutual_information(x, y, z, k),
    )
    assert want is not None


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("metric", R.METRICS)
@pytest.mark.parametrize("k", KS)
def test_kl_divergence(kind, metric, k):
    x, y = KINDS[kind](3 + 10 * k, N, 2, 2)
    y = y[: N - 37]
    want = agree(
        lambda: K.kl_divergence(x, y, k, metric=metric),
        lambda: R.kl_divergence(x, y, k, metric=metric),
    )
    assert want is not None


@pytest.mark.parametrize("metric", R.METRICS)
@pytest.mark.parametrize("k", [1, 3])
def test_kl_divergence_shared_points(metric, k):
    # y holds some of x's points: nu_i skips the points of y equal to x_i
    rng = np.random.default_rng(k)
    x = rng.standard_normal((120, 2))
    y = np.concatenate([x[::3], rng.standard_normal((50, 2))])
    want = R.kl_divergence(x, y, k, metric=metric)
    R.assert_estimate(K.kl_divergence(x, y, k, metric=metric), want)
    # y = x: every x_i is in y, and nu_i = rho_i: (d / n) sum log 1 + log(n / (n - 1))
    R.assert_estimate(K.kl_divergence(x, x, k, metric=metric), np.log(120 / 119))


def test_bools_and_signed_zeros():
    rng = np.random.default_rng(2)
    b = rng.random((100, 3)) < 0.5
    R.assert_estimate(K.entropy(b, 2), R.entropy(b.astype(float), 2))
    bf = b.astype(np.float64)
    want = R.mutual_information(bf[:, :2], bf[:, 2], 2)
    R.assert_estimate(K.mutual_information(b[:, :2], b[:, 2], 2), want)
    # -0.0 is a copy of 0.0
    x = np.array([0.0, -0.0, 1.0, 2.5, -0.0, 4.0])
    R.assert_estimate(K.entropy(x, 1), R.entropy(np.abs(x), 1))
    assert K.entropy(x, 1) == K.entropy(np.abs(x), 1)


# --------------------------------------------------------------------------
# fewer than k + 1 distinct points
# --------------------------------------------------------------------------


def repeated(values, n, rng):
    """n rows, each one of the given rows (every one at least once)."""
    values = np.asarray(values, dtype=np.float64)
    idx = np.concatenate([np.arange(len(values)), rng.integers(0, len(values), n)])[:n]
    return values[rng.permutation(idx)]


def calls_on(x, k, rng):
    """(name, fastdiv call, oracle call) of every estimator whose searched
    space has the distinct rows of x: x itself, (x, y) and (x, y, z) with y
    and z functions of x, and KL with x as either sample."""
    y = x[:, ::-1] * 2.0
    z = x[:, :1]
    q = rng.standard_normal((30, 2))
    return [
        ("entropy", lambda f: f.entropy(x, k)),
        ("mi", lambda f: f.mutual_information(x, y, k)),
        ("mi2", lambda f: f.mutual_information(x, y, k, algorithm=2)),
        ("cmi", lambda f: f.conditional_mutual_information(x, y, z, k)),
        ("kl x", lambda f: f.kl_divergence(x, q, k)),
        ("kl y", lambda f: f.kl_divergence(q, x, k)),
    ]


@pytest.mark.parametrize("k", KS)
def test_k_distinct_points_refused_k_plus_1_accepted(k):
    rng = np.random.default_rng(k)
    pts = rng.standard_normal((k + 1, 2))
    for name, call in calls_on(repeated(pts, 50, rng), k, rng):
        R.assert_estimate(call(K), call(R), f"{name} k={k}")
    for name, call in calls_on(repeated(pts[:k], 50, rng), k, rng):
        with pytest.raises(ValueError):
            call(R)  # the oracle refuses, and so must fastdiv
        try:
            call(K)
        except ValueError:
            continue
        raise AssertionError(f"{name}: {k} distinct points, k = {k}: no ValueError")


def test_distinct_in_the_joint_space_is_enough():
    # x has 2 distinct values and y 3, but (x, y) has 6 distinct rows: k = 5
    # is fine for KSG (the joint space is the one searched)
    x = np.repeat([0.0, 1.0], 9)
    y = np.tile([0.0, 1.0, 2.0], 6)
    for algorithm in (1, 2):
        want = R.mutual_information(x, y, 5, algorithm=algorithm)
        R.assert_estimate(K.mutual_information(x, y, 5, algorithm=algorithm), want)
    with pytest.raises(ValueError):
        K.mutual_information(x, y, 6)


# --------------------------------------------------------------------------
# Ross: small classes, singletons, copies
# --------------------------------------------------------------------------


@pytest.mark.parametrize("k", KS)
@pytest.mark.parametrize("d", [1, 2])
def test_ross_small_classes_and_singletons(k, d):
    rng = np.random.default_rng(k + 10 * d)
    sizes = [1, 2, 3, 4, 5, 6, 1, 30, 1, 20]
    (x,) = R.dependent(rng, sum(sizes), d)
    lab = R.labels_for(rng, x, 0, sizes=sizes)
    want = R.mutual_information(x, lab, k, y_discrete=True)
    R.assert_estimate(K.mutual_information(x, lab, k, y_discrete=True), want)
    # the singletons change nothing: dropped by hand, the same value
    keep = R.ross_parts(x, lab, k)[0]
    R.assert_estimate(K.mutual_information(x[keep], lab[keep], k, y_discrete=True), want)


@pytest.mark.parametrize("k", KS)
def test_ross_with_copies(k):
    # integer x: copies within a class (skipped for eps) and across classes
    # (counted in m)
    rng = np.random.default_rng(k)
    x = rng.integers(0, 40, 200).astype(np.float64)
    lab = np.minimum((x + rng.integers(0, 8, 200)) // 8, 4)
    want = agree(
        lambda: K.mutual_information(x, lab, k, y_discrete=True),
        lambda: R.mutual_information(x, lab, k, y_discrete=True),
    )
    assert want is not None


def test_ross_class_with_too_few_distinct_points():
    # class "a" has 4 points but 2 distinct values: k_c = min(k, 3) needs
    # k_c + 1 distinct -> k = 1 is fine, k = 2 is refused
    x = np.array([0.0, 0.0, 1.0, 1.0, 5.0, 6.0, 7.0, 8.0, 9.0])
    lab = np.array(list("aaaabbbbb"))
    want = R.mutual_information(x, lab, 1, y_discrete=True)
    R.assert_estimate(K.mutual_information(x, lab, 1, y_discrete=True), want)
    with pytest.raises(ValueError):
        R.mutual_information(x, lab, 2, y_discrete=True)
    with pytest.raises(ValueError):
        K.mutual_information(x, lab, 2, y_discrete=True)
    # a class of 2 copies: k_c = 1 needs 2 distinct points
    x2 = np.array([3.0, 3.0, 5.0, 6.0, 7.0])
    with pytest.raises(ValueError):
        K.mutual_information(x2, list("aabbb"), 1, y_discrete=True)


def test_ross_all_classes_of_two():
    # k_c = 1 for every class whatever k (here k = 5 < n)
    rng = np.random.default_rng(8)
    x = rng.standard_normal(40)
    lab = np.repeat(np.arange(20), 2)
    want = R.mutual_information(x, lab, 5, y_discrete=True)
    assert want == R.mutual_information(x, lab, 1, y_discrete=True)
    R.assert_estimate(K.mutual_information(x, lab, 5, y_discrete=True), want)
