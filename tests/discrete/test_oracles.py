"""``fastdiv.discrete`` against independent oracles.

* scikit-learn: ``mutual_info_score``, ``normalized_mutual_info_score`` (all
  four ``average_method``), ``adjusted_mutual_info_score``: within
  ``SKLEARN_ATOL`` = 1e-12 absolute (the documented agreement); its
  ``contingency_matrix``: exactly (same table, same order, int64).
* pyitlib (``pyitlib.discrete_random_variable``): entropy, joint and
  conditional entropy, MI and CMI, in bits (pyitlib's unit), within
  ``PYITLIB_ATOL`` = 1e-12 absolute: both sides are float64 evaluations of
  the plug-in estimates, each within a few ulp of values below 20 bits.
  pyitlib treats the label -1 as missing data, so it gets the labels as
  non-negative codes (``fdtest.discrete_reference.encode``).
* The 50-digit oracles of ``fdtest.discrete_reference`` (``check``: the
  bound relative to a scale, explained there) for every function, with
  Miller-Madow, in several bases, and for vector symbols.
* Edge cases the design states exactly: one sample, one class, all
  distinct, identical labelings (NMI = AMI = 1.0 exactly), MI(x, x) = H(x).
"""

import math
import zlib

import numpy as np
import pytest
from pyitlib import discrete_random_variable as drv
from sklearn.metrics import (
    adjusted_mutual_info_score,
    mutual_info_score,
    normalized_mutual_info_score,
)
from sklearn.metrics.cluster import contingency_matrix

from fastdiv import discrete as D
from fdtest import discrete_reference as R

SKLEARN_ATOL = 1e-12
PYITLIB_ATOL = 1e-12
AVERAGES = R.AVERAGES
MM = "miller-madow"


def assert_scalar(v):
    assert isinstance(v, np.float64), type(v)


def assert_table(got, want):
    """got is an int64 ndarray equal to want (a nested list or an array)."""
    want = np.asarray(want, dtype=np.int64)
    assert isinstance(got, np.ndarray) and got.dtype == np.int64, (type(got), got.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert np.array_equal(got, want)


def assert_sparse(got, dense):
    """got = (i, j, counts): int64 arrays of the non-zero cells of dense, row-major."""
    assert isinstance(got, tuple) and len(got) == 3, type(got)
    i, j = np.nonzero(np.asarray(dense))  # np.nonzero is row-major
    for a, want in zip(got, (i, j, np.asarray(dense)[i, j])):
        assert isinstance(a, np.ndarray) and a.dtype == np.int64, (type(a), a.dtype)
        assert a.shape == want.shape and np.array_equal(a, want), (a, want)


# --------------------------------------------------------------------------
# scikit-learn
# --------------------------------------------------------------------------

# (n, kx, ky, dtype of x, dtype of y, p): sizes 1..1e5, up to 1000 classes
SK_CASES = [
    (1, 1, 1, "int64", "int64", 0.5),
    (2, 2, 2, "int8", "uint8", 0.5),
    (3, 3, 1, "int16", "str", 0.5),
    (7, 3, 4, "uint16", "bool", 0.5),
    (10, 10, 10, "int32", "float32", 0.5),
    (50, 5, 8, "uint32", "int64", 0.8),
    (100, 100, 100, "uint64", "uint64", 0.3),
    (200, 20, 2, "float64", "bool", 0.7),
    (300, 40, 40, "str", "bytes", 0.5),
    (500, 256, 30, "int8", "object", 0.4),
    (1000, 3, 3, "bool", "int16", 0.9),
    (1000, 1, 50, "int64", "int32", 0.5),
    (2000, 300, 7, "object", "float64", 0.6),
    (5000, 1000, 1000, "int64", "uint64", 0.5),
    (10000, 50, 60, "float32", "str", 0.2),
    (20000, 2, 1000, "bool", "int32", 0.5),
    (100000, 30, 20, "uint8", "int16", 0.1),
    (100000, 1000, 200, "int32", "uint32", 0.5),
]
# AMI's expected MI costs a sum over pairs of class sizes: the largest cases
# are run for MI and NMI only (AMI at 1e5 samples is in the large-alphabet test)
SK_AMI_MAX = 20000


def sk_case(case):
    n, kx, ky, dx, dy, p = case
    rng = np.random.default_rng(zlib.crc32(repr(case).encode()))  # not hash(): salted per run
    x = R.labels(rng, n, kx, dx)
    y = R.labels(rng, n, ky, dy, cx=R.encode(x), p=p)
    return x, y


@pytest.mark.parametrize(
    "case", SK_CASES, ids=[f"{c[0]}-{c[1]}x{c[2]}-{c[3]}-{c[4]}" for c in SK_CASES]
)
def test_agrees_with_sklearn(case):
    x, y = sk_case(case)
    assert_table(D.contingency(x, y), contingency_matrix(x, y))
    # sklearn's scores reject bytes and warn on floats: they get the labels as
    # codes (the partition is what they measure)
    cx, cy = R.encode(x), R.encode(y)
    got = D.mutual_information(x, y)
    assert_scalar(got)
    assert got == pytest.approx(mutual_info_score(cx, cy), rel=0, abs=SKLEARN_ATOL)
    for avg in AVERAGES:
        got = D.normalized_mutual_information(x, y, avg)
        assert_scalar(got)
        want = normalized_mutual_info_score(cx, cy, average_method=avg)
        assert got == pytest.approx(want, rel=0, abs=SKLEARN_ATOL), avg
    if len(x) <= SK_AMI_MAX:
        for avg in AVERAGES:
            got = D.adjusted_mutual_information(x, y, avg)
            assert_scalar(got)
            want = adjusted_mutual_info_score(cx, cy, average_method=avg)
            # beyond SKLEARN_ATOL: nearer the exact value than sklearn is
            R.check_ami_against_peer(got, want, x, y, avg, SKLEARN_ATOL)


@pytest.mark.parametrize("dtype", R.LABEL_DTYPES)
def test_contingency_order_for_every_dtype(dtype):
    rng = np.random.default_rng(list(R.LABEL_DTYPES).index(dtype))
    x = R.labels(rng, 400, 25, dtype)
    y = R.labels(rng, 400, 9, dtype, cx=R.encode(x))
    got = D.contingency(x, y)
    assert_table(got, R.contingency(x, y))
    assert_table(got, contingency_matrix(x, y))
    assert_sparse(D.contingency(x, y, sparse=True), got)
    # against a label array of another kind: rows and columns each in their own order
    z = R.labels(rng, 400, 6, "int64")
    assert_table(D.contingency(x, z), R.contingency(x, z))
    assert_table(D.contingency(z, x), R.contingency(z, x))


def test_contingency_extreme_labels():
    # the ends of int64 and uint64, negative zero, infinities: sorted by value
    i64 = np.iinfo(np.int64)
    x = np.array([i64.max, i64.min, -1, 0, i64.max, 1, i64.min + 1, -1], dtype=np.int64)
    u64 = np.array([2**64 - 1, 0, 2**63, 2**63 - 1, 2**64 - 1, 1, 2**63, 0], dtype=np.uint64)
    f = np.array([np.inf, -0.0, 0.0, -np.inf, 1e-300, -1e-300, np.inf, 5e-324])
    for a in (x, u64, f):
        for b in (x, u64, f):
            t = D.contingency(a, b)
            assert_table(t, R.contingency(a, b))
            assert_table(t, contingency_matrix(a, b))
    assert D.contingency(f, f).shape == (6, 6)  # -0.0 and 0.0 are one label


def test_contingency_sparse_large_alphabet():
    # a table of 5e4 x 5e4 cells would need 20 GB: sparse=True counts only what is there
    rng = np.random.default_rng(5)
    n = 100_000
    x = rng.integers(0, 50_000, n) * 1_000_003
    y = (x // 1_000_003 + rng.integers(0, 3, n)) % 50_000 - 25_000
    i, j, c = D.contingency(x, y, sparse=True)
    want = R.sparse_contingency(x, y)
    for got, w in zip((i, j, c), want):
        assert got.dtype == np.int64 and np.array_equal(got, np.asarray(w, dtype=np.int64))
    assert int(c.sum()) == n


def test_contingency_vector_symbols():
    # rows are symbols, sorted lexicographically; against the 1-D rank encoding
    rng = np.random.default_rng(6)
    X = rng.integers(-2, 3, size=(300, 3))
    Y = rng.integers(0, 2, size=(300, 2)).astype(np.uint8)
    t = D.contingency(X, Y)
    assert_table(t, R.contingency(X, Y))
    assert_table(t, contingency_matrix(R.encode(X), R.encode(Y)))
    assert_sparse(D.contingency(X, Y, sparse=True), t)
    # a row that is a prefix-wise smaller tuple sorts first, element by element
    X2 = np.array([[1, 0], [0, 9], [0, 10], [1, -1], [0, 9]])
    assert_table(D.contingency(X2, np.zeros(5, dtype=int)), [[2], [1], [1], [1]])


# --------------------------------------------------------------------------
# pyitlib
# --------------------------------------------------------------------------

PY_CASES = [
    (1, 1, 1, 1),
    (5, 2, 3, 2),
    (40, 4, 3, 5),
    (300, 20, 15, 6),
    (2000, 100, 7, 12),
    (20000, 400, 50, 30),
    (100000, 10, 1000, 4),
]


@pytest.mark.parametrize("case", PY_CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[3]}" for c in PY_CASES])
def test_agrees_with_pyitlib(case):
    n, kx, ky, kz = case
    rng = np.random.default_rng(n + kx)
    z = R.labels(rng, n, kz, "int16")
    x = R.labels(rng, n, kx, "float64", cx=R.encode(z), p=0.5)
    y = R.labels(rng, n, ky, "str", cx=R.encode(x), p=0.5)
    cx, cy, cz = R.encode(x), R.encode(y), R.encode(z)

    def near(got, want, what):
        assert_scalar(got)
        assert got == pytest.approx(float(want), rel=0, abs=PYITLIB_ATOL), what

    near(D.entropy(x, base=2), drv.entropy(cx), "entropy")
    near(D.joint_entropy(x, y, base=2), drv.entropy_joint(np.vstack([cx, cy])), "joint")
    near(D.conditional_entropy(x, y, base=2), drv.entropy_conditional(cx, cy), "H(X|Y)")
    near(D.conditional_entropy(y, x, base=2), drv.entropy_conditional(cy, cx), "H(Y|X)")
    near(D.mutual_information(x, y, base=2), drv.information_mutual(cx, cy), "MI")
    near(
        D.conditional_mutual_information(x, y, z, base=2),
        drv.information_mutual_conditional(cx, cy, cz),
        "CMI",
    )
    near(D.entropy(y), drv.entropy(cy, base=math.e), "entropy in nats")


# --------------------------------------------------------------------------
# the 50-digit oracles
# --------------------------------------------------------------------------

ONE = {
    "entropy": (D.entropy, R.entropy),
}
TWO = {
    "joint_entropy": (D.joint_entropy, R.joint_entropy),
    "conditional_entropy": (D.conditional_entropy, R.conditional_entropy),
    "mutual_information": (D.mutual_information, R.mutual_information),
    "variation_of_information": (D.variation_of_information, R.variation_of_information),
}
THREE = {
    "conditional_mutual_information": (
        D.conditional_mutual_information,
        R.conditional_mutual_information,
    ),
}
RATIOS = {
    "normalized_mutual_information": (
        D.normalized_mutual_information,
        R.normalized_mutual_information,
    ),
    "adjusted_mutual_information": (D.adjusted_mutual_information, R.adjusted_mutual_information),
}

# (n, kx, ky, kz, dtype): small enough for the exact expected MI
ORACLE_CASES = [
    (1, 1, 1, 1, "int64"),
    (2, 2, 1, 2, "uint8"),
    (3, 3, 3, 1, "str"),
    (8, 3, 4, 2, "int8"),
    (20, 5, 5, 3, "float64"),
    (60, 12, 6, 4, "object"),
    (150, 30, 40, 5, "uint64"),
    (300, 8, 80, 10, "bytes"),
]
BASES = [None, 2, 10, 0.5, math.e, 1.5]


def oracle_data(case):
    n, kx, ky, kz, dtype = case
    rng = np.random.default_rng(n * 31 + kx)
    z = R.labels(rng, n, kz, dtype)
    x = R.labels(rng, n, kx, dtype, cx=R.encode(z), p=0.5)
    y = R.labels(rng, n, ky, "int32", cx=R.encode(x), p=0.5)
    return x, y, z


@pytest.mark.parametrize("case", ORACLE_CASES, ids=[f"{c[0]}-{c[4]}" for c in ORACLE_CASES])
@pytest.mark.parametrize("correction", [None, MM])
def test_mpmath_oracle_entropies(case, correction):
    x, y, z = oracle_data(case)
    for base in BASES:
        kw = dict(base=base, correction=correction)
        what = f"{case} {kw}"
        for name, (f, ref) in ONE.items():
            R.check(f(x, **kw), ref(x, **kw), f"{name} {what}")
        for name, (f, ref) in TWO.items():
            R.check(f(x, y, **kw), ref(x, y, **kw), f"{name} {what}")
            R.check(f(y, x, **kw), ref(y, x, **kw), f"{name} (y, x) {what}")
        for name, (f, ref) in THREE.items():
            R.check(f(x, y, z, **kw), ref(x, y, z, **kw), f"{name} {what}")
            R.check(f(z, x, y, **kw), ref(z, x, y, **kw), f"{name} (z, x, y) {what}")


@pytest.mark.parametrize("case", ORACLE_CASES, ids=[f"{c[0]}-{c[4]}" for c in ORACLE_CASES])
def test_mpmath_oracle_nmi_ami(case):
    x, y, z = oracle_data(case)
    for avg in AVERAGES:
        for name, (f, ref) in RATIOS.items():
            for a, b in ((x, y), (y, x), (x, z)):
                want = ref(a, b, avg)
                got = f(a, b, avg)
                assert_scalar(got)
                if want.value is not None:  # 0 / 0 is not compared (see the reference)
                    R.check(got, want, f"{name} {avg} {case}")


def test_mpmath_oracle_vector_symbols():
    # 2-D inputs (rows are symbols) against the oracle of the rows as tuples,
    # and against the same labels encoded as 1-D integers (same value)
    rng = np.random.default_rng(11)
    n = 500
    X = rng.integers(0, 3, size=(n, 3)).astype(np.int16)
    Y = np.column_stack([X[:, 0] ^ (rng.random(n) < 0.3), rng.integers(-1, 1, n)])
    Z = rng.integers(0, 2, size=(n, 2)).astype(bool)
    ex, ey, ez = R.encode(X), R.encode(Y), R.encode(Z)
    for correction in (None, MM):
        kw = dict(base=2, correction=correction)
        for name, (f, ref) in ONE.items():
            R.check(f(X, **kw), ref(X, **kw), name)
            R.check(f(ex, **kw), ref(X, **kw), name + " encoded")
        for name, (f, ref) in TWO.items():
            R.check(f(X, Y, **kw), ref(X, Y, **kw), name)
            R.check(f(X, ey, **kw), ref(X, Y, **kw), name + " x 2-D, y encoded")
            R.check(f(ex, ey, **kw), ref(ex, ey, **kw), name + " encoded")
        R.check(
            D.conditional_mutual_information(X, Y, Z, **kw),
            R.conditional_mutual_information(X, Y, Z, **kw),
            "CMI",
        )
        R.check(
            D.conditional_mutual_information(ex, ey, ez, **kw),
            R.conditional_mutual_information(X, Y, Z, **kw),
            "CMI encoded",
        )
    for avg in AVERAGES:
        for name, (f, ref) in RATIOS.items():
            want = ref(X, Y, avg)
            R.check(f(X, Y, avg), want, name)
            R.check(f(ex, ey, avg), want, name + " encoded")
    # a 2-D input of one column is the 1-D input
    x = rng.integers(0, 5, n)
    R.check(D.entropy(x[:, None]), R.entropy(x), "one column")
    assert_table(D.contingency(x[:, None], X), D.contingency(x, X))


def test_large_alphabet():
    # 1e5 samples, ~5e4 distinct values each: every measure against the oracle
    # (the dense table would hold 2.5e9 cells)
    rng = np.random.default_rng(12)
    n = 100_000
    x = rng.integers(0, 80_000, n).astype(np.uint64) * np.uint64(2**44)
    y = np.where(rng.random(n) < 0.5, x.astype(np.int64) // 2**44 + 7, rng.integers(0, 80_000, n))
    z = rng.integers(0, 30, n).astype(np.int8)
    assert 40_000 < len(np.unique(x)) < 60_000 and len(np.unique(y)) > 40_000
    for correction in (None, MM):
        kw = dict(correction=correction)
        R.check(D.entropy(x, **kw), R.entropy(x, **kw), "entropy")
        for name, (f, ref) in TWO.items():
            R.check(f(x, y, **kw), ref(x, y, **kw), name)
        R.check(
            D.conditional_mutual_information(x, y, z, **kw),
            R.conditional_mutual_information(x, y, z, **kw),
            "CMI",
        )
    for avg in ("arithmetic", "min"):
        R.check(
            D.normalized_mutual_information(x, y, avg),
            R.normalized_mutual_information(x, y, avg),
            "NMI",
        )
    R.check(D.adjusted_mutual_information(x, y), R.adjusted_mutual_information(x, y), "AMI")


# --------------------------------------------------------------------------
# edge cases
# --------------------------------------------------------------------------


def all_measures(x, y, z):
    """{name: value} of every function on (x, y[, z])."""
    out = {
        "entropy": D.entropy(x),
        "joint_entropy": D.joint_entropy(x, y),
        "conditional_entropy": D.conditional_entropy(x, y),
        "mutual_information": D.mutual_information(x, y),
        "variation_of_information": D.variation_of_information(x, y),
        "conditional_mutual_information": D.conditional_mutual_information(x, y, z),
    }
    for avg in AVERAGES:
        out[f"nmi-{avg}"] = D.normalized_mutual_information(x, y, avg)
        out[f"ami-{avg}"] = D.adjusted_mutual_information(x, y, avg)
    for v in out.values():
        assert_scalar(v)
    return out


def near_zero(v, what=""):
    """Exactly 0 up to the oracle floor (where the design does not promise
    exactly 0.0, the exact value 0 is held to the oracle bound)."""
    assert_scalar(v)
    assert abs(float(v)) <= R.FLOOR, (what, v)


@pytest.mark.parametrize("dtype", ["int64", "str", "float32", "object"])
def test_one_sample(dtype):
    rng = np.random.default_rng(13)
    x = R.labels(rng, 1, 1, dtype)
    y = R.labels(rng, 1, 1, "uint64")
    got = all_measures(x, y, x)
    for name, v in got.items():
        if name[:3] in ("nmi", "ami"):
            assert v == 1.0, (name, v)  # both labelings of one class
        else:
            near_zero(v, name)
    assert_table(D.contingency(x, y), [[1]])
    # Miller-Madow adds (1 - 1) / 2 = 0 to every term
    near_zero(D.mutual_information(x, y, correction=MM))
    near_zero(D.entropy(x, correction=MM))


def test_one_class():
    n = 1000
    x = np.full(n, 7)
    y = np.arange(n) % 10
    near_zero(D.entropy(x))
    near_zero(D.entropy(x, base=2))
    near_zero(D.mutual_information(x, y))
    near_zero(D.mutual_information(y, x))
    near_zero(D.conditional_entropy(x, y))
    R.check(D.conditional_entropy(y, x), R.conditional_entropy(y, x), "H(Y|X) one class X")
    R.check(D.joint_entropy(x, y), R.entropy(y), "H(X, Y) = H(Y)")
    R.check(D.variation_of_information(x, y), R.entropy(y), "VI = H(Y)")
    # both one class: NMI = AMI = 1 exactly; one of them one class: MI = 0
    # gives NMI = 0 (also with 'min' and 'geometric', where the average is 0 too:
    # a rounded MI over a rounded average would give anything) and AMI = 0 (sklearn)
    for avg in AVERAGES:
        assert D.normalized_mutual_information(x, x[::-1].copy(), avg) == 1.0
        assert D.adjusted_mutual_information(x, np.full(n, "a"), avg) == 1.0
        near_zero(D.normalized_mutual_information(x, y, avg), avg)
        near_zero(D.normalized_mutual_information(y, x, avg), avg)
        near_zero(D.adjusted_mutual_information(x, y, avg), avg)
        near_zero(D.adjusted_mutual_information(y, x, avg), avg)
        assert adjusted_mutual_info_score(x, y, average_method=avg) == 0.0
    R.check(D.mutual_information(x, y, correction=MM), R.mutual_information(x, y, correction=MM))


@pytest.mark.parametrize("n", [1, 2, 3, 10, 137, 1000])
def test_all_distinct(n):
    rng = np.random.default_rng(n)
    x = rng.permutation(n) - n // 2
    y = rng.permutation(n).astype(np.float64) * 0.5
    log_n = math.log(n)
    R.check(D.entropy(x), R.entropy(x), "entropy = log n")
    assert D.entropy(x) == pytest.approx(log_n, rel=1e-15, abs=2e-15)
    R.check(D.mutual_information(x, y), R.mutual_information(x, y), "MI = log n")
    R.check(D.conditional_entropy(x, y), R.conditional_entropy(x, y), "H(X|Y) = 0")
    # n_samples == n_classes: every permutation of y is a renaming of x: AMI = 1 exactly
    for avg in AVERAGES:
        assert D.adjusted_mutual_information(x, y, avg) == 1.0, avg
        want = R.normalized_mutual_information(x, y, avg)
        R.check(D.normalized_mutual_information(x, y, avg), want, avg)
    # Miller-Madow: every term gets (n - 1) / (2 n)
    mm = (n - 1) / (2 * n)
    R.check(D.entropy(x, correction=MM), R.entropy(x, correction=MM), "MM")
    assert D.entropy(x, correction=MM) == pytest.approx(log_n + mm, rel=1e-15, abs=2e-15)


@pytest.mark.parametrize("dtype", R.LABEL_DTYPES)
def test_identical_labelings(dtype):
    rng = np.random.default_rng(14)
    x = R.labels(rng, 500, 20, dtype)
    codes = R.encode(x)
    renamed = 5 * (codes.max() - codes) - 3  # an order-reversing bijection of the labels
    assert R.same_partition(x, renamed)
    hx = D.entropy(x)
    R.check(hx, R.entropy(x), "H(x)")
    for y in (x, x.copy(), renamed):
        # the design: identical (and renamed) labelings give NMI = AMI = 1.0 exactly
        for avg in AVERAGES:
            assert D.adjusted_mutual_information(x, y, avg) == 1.0, avg
            if y is not renamed:
                assert D.normalized_mutual_information(x, y, avg) == 1.0, avg
            else:
                R.check(
                    D.normalized_mutual_information(x, y, avg),
                    R.normalized_mutual_information(x, y, avg),
                )
        R.check(D.joint_entropy(x, y), R.entropy(x), "H(x, x)")
        R.check(D.conditional_entropy(x, y), R.conditional_entropy(x, y), "H(x | x)")
        R.check(D.variation_of_information(x, y), R.variation_of_information(x, y), "VI(x, x)")
        R.check(D.mutual_information(x, y), R.entropy(x), "MI(x, x)")
    # the design: MI(x, x) == H(x), exactly
    assert D.mutual_information(x, x) == hx
    assert D.mutual_information(x, x.copy()) == hx
    for base in (2, 10):
        assert D.mutual_information(x, x, base=base) == D.entropy(x, base=base)
