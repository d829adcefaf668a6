"""``fastdiv.discrete.pairwise`` against a loop of the one-pair functions
(bit-identical: the design computes each entry with the one-pair code) and
against a loop of scikit-learn for MI, NMI and AMI (``SKLEARN_ATOL``, the
documented 1e-12); ``Y=None`` (a symmetric result mirrored exactly, MI's
diagonal the entropies), conditional entropy's asymmetry, each measure's
keywords, the result's type and shape."""

import math

import numpy as np
import pytest
from sklearn.metrics import (
    adjusted_mutual_info_score,
    mutual_info_score,
    normalized_mutual_info_score,
)

from fastdiv import discrete as D
from fdtest import discrete_reference as R
from fdtest.threads import assert_identical

SKLEARN_ATOL = 1e-12
MM = "miller-madow"
AVERAGES = R.AVERAGES
MEASURES = [
    "mutual_information",
    "normalized_mutual_information",
    "adjusted_mutual_information",
    "variation_of_information",
    "conditional_entropy",
]
SYMMETRIC = [m for m in MEASURES if m != "conditional_entropy"]

# every measure with each of its keywords
VARIANTS = [
    ("mutual_information", {}),
    ("mutual_information", {"correction": MM}),
    ("mutual_information", {"correction": None, "base": 2}),
    ("variation_of_information", {}),
    ("variation_of_information", {"correction": MM, "base": 10}),
    ("conditional_entropy", {}),
    ("conditional_entropy", {"correction": MM}),
    ("conditional_entropy", {"base": 0.5}),
    *[("normalized_mutual_information", {"average": a}) for a in AVERAGES],
    *[("adjusted_mutual_information", {"average": a}) for a in AVERAGES],
    ("normalized_mutual_information", {"base": 2}),
    ("adjusted_mutual_information", {}),
]
VIDS = [f"{m}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for m, kw in VARIANTS]


def features(rng, n, f):
    """(n, f) int64 labels: columns of 1 to 40 classes, some of them
    functions of earlier columns (MI > 0), one constant, one all-distinct
    when n allows, negative labels."""
    cols = []
    for j in range(f):
        kind = j % 5
        if kind == 0 or not cols:
            c = rng.integers(-5, 5 + j, n)
        elif kind == 1:
            c = (cols[-1] * 3 + (rng.random(n) < 0.2)) % 7
        elif kind == 2:
            c = np.full(n, 4) if j == 2 else rng.integers(0, 2, n)
        elif kind == 3:
            c = rng.permutation(n) if j == 3 else rng.integers(0, 40, n)
        else:
            c = np.where(rng.random(n) < 0.7, cols[0], rng.integers(0, 3, n))
        cols.append(np.asarray(c, dtype=np.int64))
    return np.column_stack(cols)


def loop(measure, X, Y, kw):
    f = getattr(D, measure)
    return np.array(
        [[f(X[:, i], Y[:, j], **kw) for j in range(Y.shape[1])] for i in range(X.shape[1])],
        dtype=np.float64,
    ).reshape(X.shape[1], Y.shape[1])


def assert_result(r, shape):
    assert isinstance(r, np.ndarray) and r.dtype == np.float64, (type(r), r.dtype)
    assert r.shape == shape, (r.shape, shape)


@pytest.mark.parametrize("measure,kw", VARIANTS, ids=VIDS)
def test_equals_the_one_pair_loop(measure, kw, rng):
    X = features(rng, 200, 7)
    Y = features(rng, 200, 4)
    got = D.pairwise(X, Y, measure=measure, **kw)
    assert_result(got, (7, 4))
    assert_identical(got, loop(measure, X, Y, kw), f"{measure} {kw}")
    # Y=None: every entry, both triangles, equals the one-pair call
    self_ = D.pairwise(X, measure=measure, **kw)
    assert_result(self_, (7, 7))
    assert_identical(self_, loop(measure, X, X, kw), f"{measure} {kw} Y=None")
    if measure in SYMMETRIC:
        assert_identical(self_, self_.T, "mirrored")
        assert_identical(D.pairwise(X, X, measure=measure, **kw), self_, "Y=X")


def test_default_measure_is_mutual_information(rng):
    X = features(rng, 100, 4)
    assert_identical(D.pairwise(X), D.pairwise(X, measure="mutual_information"), "default")


def test_mutual_information_diagonal_is_the_entropy(rng):
    X = features(rng, 500, 6)
    for kw in ({}, {"base": 2}, {"correction": MM}):
        P = D.pairwise(X, **kw)
        for i in range(6):
            assert_identical(P[i, i], D.entropy(X[:, i], **kw), f"H(X_{i}) {kw}")
            R.check(P[i, i], R.entropy(X[:, i], **kw), f"H(X_{i}) oracle {kw}")


def test_conditional_entropy_is_asymmetric(rng):
    X = features(rng, 500, 6)
    P = D.pairwise(X, measure="conditional_entropy")
    assert not np.array_equal(P, P.T)
    for i in range(6):
        for j in range(6):
            R.check(P[i, j], R.conditional_entropy(X[:, i], X[:, j]), f"H(X_{i} | X_{j})")
    # column 2 is constant: H(X_2 | X_0) = 0 and H(X_0 | X_2) = H(X_0) > 0
    assert abs(P[2, 0]) <= R.FLOOR and P[0, 2] > 0.1
    # VI = H(X_i | X_j) + H(X_j | X_i)
    V = D.pairwise(X, measure="variation_of_information")
    n = X.shape[0]
    assert np.all(np.abs(V - (P + P.T)) <= 8 * (R.PER_SCALE * math.log(n) + R.FLOOR))


@pytest.mark.parametrize("n,fx,fy", [(1, 2, 3), (30, 5, 1), (2000, 6, 5)])
def test_agrees_with_sklearn(n, fx, fy, rng):
    X = features(rng, n, fx)
    Y = features(rng, n, fy)
    for Y_, fy_ in ((Y, fy), (None, fx)):
        other = X if Y_ is None else Y_
        got = D.pairwise(X, Y_)
        want = [[mutual_info_score(X[:, i], other[:, j]) for j in range(fy_)] for i in range(fx)]
        np.testing.assert_allclose(got, want, rtol=0, atol=SKLEARN_ATOL)
        for avg in AVERAGES:
            got = D.pairwise(X, Y_, measure="normalized_mutual_information", average=avg)
            want = [
                [
                    normalized_mutual_info_score(X[:, i], other[:, j], average_method=avg)
                    for j in range(fy_)
                ]
                for i in range(fx)
            ]
            np.testing.assert_allclose(got, want, rtol=0, atol=SKLEARN_ATOL)
            got = D.pairwise(X, Y_, measure="adjusted_mutual_information", average=avg)
            want = [
                [
                    adjusted_mutual_info_score(X[:, i], other[:, j], average_method=avg)
                    for j in range(fy_)
                ]
                for i in range(fx)
            ]
            for i in range(fx):
                for j in range(fy_):
                    x, y = X[:, i], other[:, j]
                    R.check_ami_against_peer(got[i, j], want[i][j], x, y, avg, SKLEARN_ATOL)


def test_label_dtypes_and_layouts(rng):
    # str and float label matrices, a Fortran-ordered and a strided input
    X = features(rng, 300, 5)
    Y = features(rng, 300, 3)
    ref = D.pairwise(X, Y, measure="normalized_mutual_information")
    # order-preserving encodings: the same tables in the same order, the same bits
    as_str = np.array([[f"s{v:04d}" for v in row] for row in (X - X.min()).tolist()])
    as_float = Y.astype(np.float64) * 0.25
    assert_identical(
        D.pairwise(as_str, as_float, measure="normalized_mutual_information"), ref, "str/float"
    )
    assert_identical(
        D.pairwise(np.asfortranarray(X), Y[::-1][::-1], measure="normalized_mutual_information"),
        ref,
        "Fortran",
    )
    wide = np.repeat(X, 2, axis=1)[:, ::2]  # a strided view
    assert_identical(D.pairwise(wide, Y, measure="normalized_mutual_information"), ref, "strided")
    lists = D.pairwise(X.tolist(), Y.tolist(), measure="normalized_mutual_information")
    assert_identical(lists, ref, "lists")


def test_inputs_unmodified(rng):
    X = features(rng, 100, 4)
    Y = features(rng, 100, 3)
    Xc, Yc = X.copy(), Y.copy()
    for measure in MEASURES:
        D.pairwise(X, Y, measure=measure)
        D.pairwise(X, measure=measure)
    assert np.array_equal(X, Xc) and np.array_equal(Y, Yc)


def test_one_column_and_one_sample():
    X = np.array([[3], [1], [3], [2]])
    P = D.pairwise(X)
    assert_result(P, (1, 1))
    assert_identical(P[0, 0], D.entropy(X[:, 0]), "one column")
    one = np.array([[5, 6, 7]])
    for measure in MEASURES:
        P = D.pairwise(one, measure=measure)
        assert_result(P, (3, 3))
        want = (
            1.0
            if measure in ("normalized_mutual_information", "adjusted_mutual_information")
            else 0.0
        )
        assert np.all(np.abs(P - want) <= R.FLOOR), (measure, P)
