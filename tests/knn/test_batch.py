"""Batches in ``fastdiv.knn``: a 3-D argument ``(B, n, d)`` is B independent
sample sets and gives a float64 array of B estimates, entry b bit for bit
the single call on set b (``x[b]``); paired arguments batch together (set b
of x with set b of y and z, or of the labels ``(B, n)`` of Ross's estimator;
for ``kl_divergence`` the sets of x and y may differ in size);
``standardize`` works set by set; ``base`` divides each
entry.  Ties, float32, strided and Fortran-ordered batches too; the values
are the oracle's.
"""

import numpy as np
import pytest

from fastdiv import knn as K
from fdtest import knn_reference as R
from fdtest.threads import assert_identical

B = 4


def batch(seed, n, *dims, r=0.7, ties=False):
    """B sets of dependent variables, one (B, n, d) array per variable, the
    sets drawn with different scales and offsets (so that standardizing by
    the whole batch's statistics would differ from set by set)."""
    rng = np.random.default_rng(seed)
    out = [np.empty((B, n, d)) for d in dims]
    for b in range(B):
        sets = R.dependent(rng, n, *dims, r=r, scales=[1.0, 3.0, 0.5])
        for v, a in enumerate(sets):
            out[v][b] = a * 4.0**b + 10.0 * b
    if ties:
        out = [np.round(a * 2) / 2 for a in out]
    return out


def loop(fn, *arrays):
    return np.array([fn(*[a[b] for a in arrays]) for b in range(arrays[0].shape[0])])


def check_batch(got, fn, *arrays):
    assert isinstance(got, np.ndarray) and got.dtype == np.float64, type(got)
    assert got.shape == (arrays[0].shape[0],)
    singles = [fn(*[a[b] for a in arrays]) for b in range(arrays[0].shape[0])]
    assert all(type(s) is np.float64 for s in singles)
    assert_identical(got, np.array(singles), "batch vs single calls")


@pytest.mark.parametrize("metric", R.METRICS)
@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("ties", [False, True])
def test_entropy(metric, k, ties):
    (x,) = batch(1, 250, 3, ties=ties)
    got = K.entropy(x, k, metric=metric)
    check_batch(got, lambda a: K.entropy(a, k, metric=metric), x)
    R.assert_estimates(got, loop(lambda a: R.entropy(a, k, metric=metric), x))


@pytest.mark.parametrize("algorithm", [1, 2])
@pytest.mark.parametrize("ties", [False, True])
def test_mutual_information(algorithm, ties):
    x, y = batch(2, 250, 2, 1, ties=ties)
    got = K.mutual_information(x, y, 3, algorithm=algorithm)
    check_batch(got, lambda a, b: K.mutual_information(a, b, 3, algorithm=algorithm), x, y)
    want = loop(lambda a, b: R.mutual_information(a, b, 3, algorithm=algorithm), x, y)
    R.assert_estimates(got, want)


@pytest.mark.parametrize("standardize", [False, True])
def test_ross(standardize):
    # labels batch as (B, n), paired with x's sets; small classes and
    # singletons in some sets; string labels too
    (x,) = batch(11, 120, 2)
    rng = np.random.default_rng(11)
    sizes = [[40, 40, 40], [60, 50, 5, 3, 1, 1], [100, 19, 1], [30, 30, 30, 30]]
    lab = np.stack([R.labels_for(rng, x[b], 0, sizes=sizes[b]) for b in range(B)])
    kw = dict(y_discrete=True, standardize=standardize)
    got = K.mutual_information(x, lab, 3, **kw)
    check_batch(got, lambda a, c: K.mutual_information(a, c, 3, **kw), x, lab)
    R.assert_estimates(got, loop(lambda a, c: R.mutual_information(a, c, 3, **kw), x, lab))
    names = np.array(["u", "v", "w", "x", "y", "z"])[lab]
    assert_identical(K.mutual_information(x, names, 3, **kw), got, "string labels")


@pytest.mark.parametrize("ties", [False, True])
def test_conditional_mutual_information(ties):
    x, y, z = batch(3, 250, 1, 2, 1, ties=ties)
    got = K.conditional_mutual_information(x, y, z, 2)
    check_batch(got, lambda a, b, c: K.conditional_mutual_information(a, b, c, 2), x, y, z)
    R.assert_estimates(got, loop(lambda a, b, c: R.conditional_mutual_information(a, b, c, 2),
                                 x, y, z))  # fmt: skip


@pytest.mark.parametrize("metric", R.METRICS)
@pytest.mark.parametrize("m", [130, 250, 400])
def test_kl_divergence(metric, m):
    (x,) = batch(4, 250, 2)
    (y,) = batch(5, m, 2)
    got = K.kl_divergence(x, y, 2, metric=metric)
    check_batch(got, lambda a, b: K.kl_divergence(a, b, 2, metric=metric), x, y)
    R.assert_estimates(got, loop(lambda a, b: R.kl_divergence(a, b, 2, metric=metric), x, y))


def test_standardize_set_by_set():
    # the sets differ in scale (4^b) and offset (10 b): standardized each by
    # its own statistics they give the single calls; by the batch's pooled
    # statistics they would not
    x, y, z = batch(6, 200, 2, 1, 2)
    q = batch(7, 150, 2)[0] * 0.7 + 1.0
    cases = [
        (lambda a, b: K.mutual_information(a, b, 3, standardize=True), (x, y)),
        (lambda a, b: K.mutual_information(a, b, 2, algorithm=2, standardize=True), (x, z)),
        (lambda a, b, c: K.conditional_mutual_information(a, b, c, 3, standardize=True),
         (x, y, z)),
        (lambda a, b: K.kl_divergence(a, b, 2, standardize=True), (x, q)),
    ]  # fmt: skip
    for fn, arrays in cases:
        got = fn(*arrays)
        check_batch(got, fn, *arrays)
    want = loop(lambda a, b: R.kl_divergence(a, b, 2, standardize=True), x, q)
    R.assert_estimates(K.kl_divergence(x, q, 2, standardize=True), want)
    want = loop(lambda a, b, c: R.conditional_mutual_information(a, b, c, 3, standardize=True),
                x, y, z)  # fmt: skip
    R.assert_estimates(K.conditional_mutual_information(x, y, z, 3, standardize=True), want)


@pytest.mark.parametrize("how", ["F", "strided", ">f8", "<f4", ">f4", "readonly"])
def test_layouts(how):
    x, y = batch(8, 200, 2, 2)
    xs, ys = R.layout(x, how), R.layout(y, how)
    got = K.mutual_information(xs, ys, 2)
    check_batch(got, lambda a, b: K.mutual_information(a, b, 2), xs, ys)
    xf, yf = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    R.assert_estimates(got, loop(lambda a, b: R.mutual_information(a, b, 2), xf, yf))
    got = K.entropy(xs, 2)
    check_batch(got, lambda a: K.entropy(a, 2), xs)
    R.assert_estimates(got, loop(lambda a: R.entropy(a, 2), xf))


def test_one_set_and_base():
    x, y = batch(9, 150, 1, 1)
    one = K.mutual_information(x[:1], y[:1], 3)
    assert one.shape == (1,)
    assert_identical(one[0], K.mutual_information(x[0], y[0], 3))
    for base in (2, 10.0):
        got = K.entropy(x, 3, base=base)
        check_batch(got, lambda a, base=base: K.entropy(a, 3, base=base), x)
        R.assert_estimates(got, loop(lambda a, base=base: R.entropy(a, 3, base=base), x))


def test_paired_batches_must_match():
    x, y, z = batch(10, 100, 1, 1, 1)
    with pytest.raises(ValueError):
        K.mutual_information(x, y[:3], 3)
    with pytest.raises(ValueError):
        K.conditional_mutual_information(x, y, z[:2], 3)
    with pytest.raises(ValueError):
        K.kl_divergence(x, y[:3], 1)
    with pytest.raises(ValueError):  # the sets of x and y pair up by length too
        K.mutual_information(x, y[:, :90], 3)
