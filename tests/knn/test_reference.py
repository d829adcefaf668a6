"""``fastdiv.knn`` against the brute-force oracle (``fdtest.knn_reference``,
itself checked in ``test_oracle.py``), on continuous (tie-free) samples: every
function and option, to RTOL = 1e-9 / ATOL = 1e-12 (``R.assert_estimate``):
dimensions 1 to 4, k from 1 to 5, both metrics, both KSG algorithms, Ross's
estimator with small classes and singletons, base 2 and 10, samples of
different sizes for KL, ``standardize``; and the input matrix: float32 of
either byte order (the oracle reads the same float32 values as float64),
big-endian float64, Fortran order, strided and reversed views, read-only
arrays, integers, nested lists, ``(n,)`` for ``(n, 1)``.  Every result is a
NumPy float64 scalar, and no input is modified.
"""

import numpy as np
import pytest

from fastdiv import knn as K
from fdtest import knn_reference as R

N = 200  # small enough for the O(n^2) oracle, large enough to be threaded and tree-searched
KS = [1, 2, 3, 4, 5]


def data(seed, *dims, n=N, r=0.7, scales=None):
    return R.dependent(np.random.default_rng(seed), n, *dims, r=r, scales=scales)


# --------------------------------------------------------------------------
# each estimator, its dimensions and k
# --------------------------------------------------------------------------


@pytest.mark.parametrize("metric", R.METRICS)
@pytest.mark.parametrize("d", [1, 2, 3, 4])
@pytest.mark.parametrize("k", KS)
def test_entropy(metric, d, k):
    (x,) = data(d + 10 * k, d, scales=[1.0, 0.1, 7.0])
    R.assert_estimate(K.entropy(x, k, metric=metric), R.entropy(x, k, metric=metric))


def test_entropy_default_k_and_metric():
    (x,) = data(1, 2)
    R.assert_estimate(K.entropy(x), R.entropy(x, 3, metric="euclidean"))


@pytest.mark.parametrize("algorithm", [1, 2])
@pytest.mark.parametrize("dims", [(1, 1), (1, 3), (2, 2), (4, 1)])
@pytest.mark.parametrize("k", KS)
def test_mutual_information(algorithm, dims, k):
    x, y = data(sum(dims) + 10 * k, *dims)
    want = R.mutual_information(x, y, k, algorithm=algorithm)
    R.assert_estimate(K.mutual_information(x, y, k, algorithm=algorithm), want)


def test_mutual_information_defaults():
    x, y = data(2, 1, 1)
    R.assert_estimate(K.mutual_information(x, y), R.mutual_information(x, y, 3, algorithm=1))


# class sizes: two large, two of at most k + 1 points (k_c = N_c - 1 for
# k >= 2), a pair, and two singletons (left out)
SIZES = [70, 60, 4, 3, 2, 1, 1]


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("k", KS)
def test_ross(d, k):
    rng = np.random.default_rng(d + 10 * k)
    (x,) = R.dependent(rng, sum(SIZES), d)
    lab = R.labels_for(rng, x, 0, sizes=SIZES)
    want = R.mutual_information(x, lab, k, y_discrete=True)
    R.assert_estimate(K.mutual_information(x, lab, k, y_discrete=True), want)
    # algorithm does not apply to Ross's estimator
    R.assert_estimate(K.mutual_information(x, lab, k, y_discrete=True, algorithm=2), want)


@pytest.mark.parametrize(
    "labels",
    ["int64", "uint8", "float64", "str", "object", "bool"],
)
def test_ross_label_dtypes(labels):
    rng = np.random.default_rng(5)
    (x,) = R.dependent(rng, 150, 2)
    lab = R.labels_for(rng, x, 2 if labels == "bool" else 4)
    y = {
        "int64": lab,
        "uint8": lab.astype(np.uint8),
        "float64": lab * 0.5 - 1.0,
        "str": np.array(["north", "south", "east", "west"])[lab],
        "object": np.array(["a", "b", "c", "d"], dtype=object)[lab],
        "bool": lab.astype(bool),
    }[labels]
    want = R.mutual_information(x, lab, 3, y_discrete=True)
    R.assert_estimate(K.mutual_information(x, y, 3, y_discrete=True), want, labels)


@pytest.mark.parametrize("dims", [(1, 1, 1), (2, 1, 1), (1, 2, 3)])
@pytest.mark.parametrize("k", KS)
def test_conditional_mutual_information(dims, k):
    x, y, z = data(sum(dims) + 10 * k, *dims)
    want = R.conditional_mutual_information(x, y, z, k)
    R.assert_estimate(K.conditional_mutual_information(x, y, z, k), want)


@pytest.mark.parametrize("metric", R.METRICS)
@pytest.mark.parametrize("d", [1, 2, 3, 4])
@pytest.mark.parametrize("k", KS)
@pytest.mark.parametrize("nm", [(200, 120), (150, 260)])
def test_kl_divergence(metric, d, k, nm):
    rng = np.random.default_rng(d + 10 * k + nm[1])
    x = rng.standard_normal((nm[0], d))
    y = rng.standard_normal((nm[1], d)) * 1.4 + 0.3
    want = R.kl_divergence(x, y, k, metric=metric)
    R.assert_estimate(K.kl_divergence(x, y, k, metric=metric), want)


def test_kl_divergence_default_k():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((100, 2)), rng.standard_normal((90, 2)) + 0.5
    R.assert_estimate(K.kl_divergence(x, y), R.kl_divergence(x, y, 1, metric="euclidean"))


@pytest.mark.parametrize("algorithm", [1, 2])
@pytest.mark.parametrize("y_discrete", [False, True])
@pytest.mark.parametrize("k", [1, 3])
def test_mutual_information_features(algorithm, y_discrete, k):
    rng = np.random.default_rng(k + 2 * algorithm)
    X, y = R.dependent(rng, N, 5, 1, scales=[1.0, 10.0, 0.01, 3.0, 1.0])
    X[:, 4] = rng.standard_normal(N)  # one independent column
    if y_discrete:
        y = R.labels_for(rng, y, 3)
    kw = dict(algorithm=algorithm, y_discrete=y_discrete)
    got = K.mutual_information_features(X, y, k, **kw)
    R.assert_estimates(got, R.mutual_information_features(X, y, k, **kw))


# --------------------------------------------------------------------------
# base and standardize
# --------------------------------------------------------------------------


def calls(seed=11, n=N):
    """(name, fastdiv call, oracle call) for every function, on one data set
    each; the calls take keyword arguments to pass through to both."""
    rng = np.random.default_rng(seed)
    x, y, z = R.dependent(rng, n, 2, 1, 2, scales=[1.0, 50.0, 0.02])
    lab = R.labels_for(rng, x, 3)
    q = rng.standard_normal((n // 2 + 7, 2)) * [2.0, 30.0] + [0.5, -3.0]
    return [
        ("entropy", lambda f, **kw: f.entropy(x, 2, **kw)),
        ("mi", lambda f, **kw: f.mutual_information(x, y, 4, **kw)),
        ("mi2", lambda f, **kw: f.mutual_information(y, z, 2, algorithm=2, **kw)),
        ("ross", lambda f, **kw: f.mutual_information(x, lab, 3, y_discrete=True, **kw)),
        ("cmi", lambda f, **kw: f.conditional_mutual_information(x, y, z, 3, **kw)),
        ("kl", lambda f, **kw: f.kl_divergence(x, q, 2, **kw)),
        ("features", lambda f, **kw: f.mutual_information_features(z, y, 3, **kw)),
    ]


CALLS = [c[0] for c in calls()]
STANDARDIZED = [c for c in CALLS if c != "entropy"]


def run(name, module, seed=11, **kw):
    return dict(calls(seed))[name](module, **kw)


def check(name, got, want):
    if name == "features":
        R.assert_estimates(got, want, name)
    else:
        R.assert_estimate(got, want, name)


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("base", [None, 2, 10.0, np.e])
def test_base(name, base):
    want = run(name, R, base=base)
    check(name, run(name, K, base=base), want)
    if base is not None:  # the base divides by log(base)
        check(name, run(name, K, base=base), np.asarray(run(name, R)) / np.log(base))


@pytest.mark.parametrize("name", STANDARDIZED)
def test_standardize(name):
    # columns of scales 1, 50 and 0.02 and shifted means: standardizing
    # changes the max-norm neighbours, so the two results differ
    plain, std = run(name, R), run(name, R, standardize=True)
    assert np.all(np.abs(np.asarray(plain) - std) > 1e-6), (plain, std)
    check(name, run(name, K, standardize=True), std)
    check(name, run(name, K, standardize=False), plain)


def test_standardize_kl_pools_both_samples():
    # pooled, not each sample by its own statistics: y is x shifted and
    # scaled, which separate standardization would undo (estimate near 0)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((300, 2))
    y = rng.standard_normal((250, 2)) * 3.0 + 2.0
    want = R.kl_divergence(x, y, 3, standardize=True)
    own = R.kl_divergence(R.standardized(x), R.standardized(y), 3)
    assert abs(want - own) > 0.3
    R.assert_estimate(K.kl_divergence(x, y, 3, standardize=True), want)


def test_standardize_constant_column_is_only_centred():
    # a constant column adds 0 to every distance: the estimates equal those
    # without it, standardized or not (a division by its std of 0 would not)
    rng = np.random.default_rng(6)
    x, y = R.dependent(rng, 150, 2, 1, scales=[1.0, 40.0])
    xc = np.column_stack([x, np.full(150, 0.1)])
    want = R.mutual_information(x, y, 3, standardize=True)
    R.assert_estimate(K.mutual_information(xc, y, 3, standardize=True), want)
    want = R.conditional_mutual_information(y, x, xc, 3, standardize=True)
    R.assert_estimate(K.conditional_mutual_information(y, x, xc, 3, standardize=True), want)
    q = rng.standard_normal((120, 2))
    xq = np.column_stack([x, np.full(150, -2.5)])
    qq = np.column_stack([q, np.full(120, -2.5)])
    # KL: the column adds nothing to the distances but counts in d (d / n
    # sum log(nu / rho)): 3/2 of the sum of the two columns alone
    want = R.kl_divergence(xq, qq, 2, standardize=True)
    c = np.log(120 / 149)
    two = R.kl_divergence(x, q, 2, standardize=True)
    assert abs((want - c) - 1.5 * (two - c)) <= 1e-12 * abs(want)
    R.assert_estimate(K.kl_divergence(xq, qq, 2, standardize=True), want)


# --------------------------------------------------------------------------
# the input matrix: dtypes, layouts, shapes
# --------------------------------------------------------------------------


def arrays_for(name, seed):
    """The array arguments of one call of each function (2-D), and a call
    taking them (and the labels of Ross's estimator, which stay as they are)."""
    rng = np.random.default_rng(seed)
    x, y, z = R.dependent(rng, N, 2, 2, 1, scales=[1.0, 3.0])
    lab = R.labels_for(rng, x, 3)
    q = rng.standard_normal((150, 2)) * 1.3
    return {
        "entropy": ([x], lambda f, a, **kw: f.entropy(a, 3, **kw)),
        "entropy-cheb": ([x], lambda f, a, **kw: f.entropy(a, 2, metric="chebyshev", **kw)),
        "mi": ([x, y], lambda f, a, b, **kw: f.mutual_information(a, b, 3, **kw)),
        "mi2": ([x, z], lambda f, a, b, **kw: f.mutual_information(a, b, 2, algorithm=2, **kw)),
        "ross": ([x], lambda f, a, **kw: f.mutual_information(a, lab, 3, y_discrete=True, **kw)),
        "cmi": ([x, y, z], lambda f, a, b, c, **kw: f.conditional_mutual_information(a, b, c, 2)),
        "kl": ([x, q], lambda f, a, b, **kw: f.kl_divergence(a, b, 1, **kw)),
        "kl-cheb": ([x, q], lambda f, a, b, **kw: f.kl_divergence(a, b, 3, metric="chebyshev")),
        "features": ([y], lambda f, a, **kw: f.mutual_information_features(a, z, 2, **kw)),
    }[name]


LAYOUT_CALLS = ["entropy", "entropy-cheb", "mi", "mi2", "ross", "cmi", "kl", "kl-cheb",
                "features"]  # fmt: skip


@pytest.mark.parametrize("name", LAYOUT_CALLS)
@pytest.mark.parametrize("how", R.LAYOUTS)
def test_layouts_and_dtypes(name, how):
    arrays, call = arrays_for(name, 3)
    given = [R.layout(a, how) for a in arrays]
    before = [np.array(g, copy=True) for g in given]
    got = call(K, *given)
    # the oracle on the same values, read as float64
    want = call(R, *[np.asarray(g, dtype=np.float64) for g in given])
    check(name, got, want)
    for g, b in zip(given, before):  # inputs unmodified
        np.testing.assert_array_equal(np.asarray(g), b)
    if how not in ("<f4", ">f4", "int"):  # the same values as the C-order float64
        check(name, got, call(R, *arrays))


@pytest.mark.parametrize("name", ["entropy", "entropy-cheb", "kl", "kl-cheb"])
def test_float32_is_read_as_float64(name):
    # float32 samples are read as they are: the oracle on float64 copies of
    # the same values agrees, the oracle on the unrounded values does not
    # (the distances change in the 8th digit, and the logs of them with
    # them), so the comparison can see a kernel that rounds differences to
    # float32 or reads float32 otherwise
    arrays, call = arrays_for(name, 8)
    f32 = [a.astype(np.float32) for a in arrays]
    got = call(K, *f32)
    check(name, got, call(R, *[a.astype(np.float64) for a in f32]))
    assert abs(got - call(R, *arrays)) > 1e-10


@pytest.mark.parametrize("name", ["entropy", "entropy-cheb", "mi", "mi2", "cmi", "kl", "ross"])
def test_one_dimensional_samples(name):
    # (n,) is n samples of dimension 1: the same as (n, 1)
    arrays, call = arrays_for(name, 9)
    cols = [a[:, :1] for a in arrays]
    flat = [a[:, 0] for a in arrays]
    want = call(R, *cols)
    check(name, call(K, *flat), want)
    check(name, call(K, *cols), want)


def test_results_are_float64_scalars():
    for name in LAYOUT_CALLS:
        arrays, call = arrays_for(name, 10)
        got = call(K, *arrays)
        if name == "features":
            assert isinstance(got, np.ndarray) and got.dtype == np.float64
            assert got.shape == (arrays[0].shape[1],)
        else:
            assert type(got) is np.float64, (name, type(got))
