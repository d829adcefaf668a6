"""Every measure against an independent oracle (SciPy or a plain NumPy
expression evaluated in float64), over axis, keepdims, broadcasting, base,
normalize, logits, dtypes and Python inputs.

Tolerances: the dtype tolerances ``F64`` and ``F32`` of fdtest/tolerance.py
(float32 inputs are computed with float32 terms, hence the looser ``F32``).
"""

import math

import numpy as np
import pytest
import scipy.special as sc
import scipy.stats
from scipy.spatial.distance import jensenshannon

import fastdiv as fd
from fdtest import tolerance as T
from fdtest.measures import ALL, NO_BASE, TWO_ARG, WITH_LOGITS, call

# --------------------------------------------------------------------------
# oracles (float64, inputs already broadcast)
# --------------------------------------------------------------------------


def _logb(base):
    return 1.0 if base is None else math.log(base)


def _prep(x, axis, normalize):
    x = np.asarray(x, dtype=np.float64)
    return x / x.sum(axis=axis, keepdims=True) if normalize else x


def o_entropy(p, q, *, base, axis, normalize, alpha=None):
    if normalize:
        return scipy.stats.entropy(np.asarray(p, np.float64), base=base, axis=axis)
    return sc.entr(_prep(p, axis, False)).sum(axis=axis) / _logb(base)


def o_kl(p, q, *, base, axis, normalize, alpha=None):
    p, q = np.broadcast_arrays(np.asarray(p, np.float64), np.asarray(q, np.float64))
    if normalize:
        return scipy.stats.entropy(p, q, base=base, axis=axis)
    return sc.rel_entr(p, q).sum(axis=axis) / _logb(base)


def o_cross(p, q, *, base, axis, normalize, alpha=None):
    p, q = np.broadcast_arrays(_prep(p, axis, normalize), _prep(q, axis, normalize))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(p > 0, p * np.log(q), 0.0)
    return -t.sum(axis=axis) / _logb(base)


def o_js(p, q, *, base, axis, normalize, alpha=None):
    p, q = np.broadcast_arrays(np.asarray(p, np.float64), np.asarray(q, np.float64))
    if normalize:
        # scipy takes the square root before anything else: square the natural-log
        # distance, then change base (the square root is NaN for base < 1)
        return jensenshannon(p, q, axis=axis) ** 2 / _logb(base)
    m = 0.5 * (p + q)
    return 0.5 * (sc.rel_entr(p, m) + sc.rel_entr(q, m)).sum(axis=axis) / _logb(base)


def o_jsd(p, q, *, base, axis, normalize, alpha=None):
    p, q = np.broadcast_arrays(np.asarray(p, np.float64), np.asarray(q, np.float64))
    if normalize:
        return jensenshannon(p, q, base=base, axis=axis)
    return np.sqrt(o_js(p, q, base=base, axis=axis, normalize=False))


def o_tv(p, q, *, base, axis, normalize, alpha=None):
    p, q = np.broadcast_arrays(_prep(p, axis, normalize), _prep(q, axis, normalize))
    return 0.5 * np.abs(p - q).sum(axis=axis)


def o_hellinger(p, q, *, base, axis, normalize, alpha=None):
    p, q = np.broadcast_arrays(_prep(p, axis, normalize), _prep(q, axis, normalize))
    return np.sqrt(0.5 * ((np.sqrt(p) - np.sqrt(q)) ** 2).sum(axis=axis))


def o_renyi_entropy(p, q, *, base, axis, normalize, alpha):
    p = _prep(p, axis, normalize)
    if alpha == 1:
        r = sc.entr(p).sum(axis=axis)
    elif alpha == 0:
        r = np.log(np.count_nonzero(p > 0, axis=axis).astype(np.float64))
    elif np.isinf(alpha):
        r = -np.log(p.max(axis=axis))
    else:
        r = np.log((p**alpha).sum(axis=axis)) / (1.0 - alpha)
    return r / _logb(base)


def o_renyi_divergence(p, q, *, base, axis, normalize, alpha):
    p, q = np.broadcast_arrays(_prep(p, axis, normalize), _prep(q, axis, normalize))
    pos = p > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if alpha == 1:
            r = sc.rel_entr(p, q).sum(axis=axis)
        elif alpha == 0:
            r = -np.log(np.where(pos, q, 0.0).sum(axis=axis))
        elif np.isinf(alpha):
            r = np.log(np.where(pos, p / q, 0.0).max(axis=axis))
        else:
            t = np.where(pos, p**alpha * q ** (1.0 - alpha), 0.0)
            r = np.log(t.sum(axis=axis)) / (alpha - 1.0)
    return r / _logb(base)


ORACLE = {
    "entropy": o_entropy,
    "cross_entropy": o_cross,
    "kl_divergence": o_kl,
    "js_divergence": o_js,
    "js_distance": o_jsd,
    "total_variation": o_tv,
    "hellinger": o_hellinger,
    "renyi_entropy": o_renyi_entropy,
    "renyi_divergence": o_renyi_divergence,
}


def oracle(name, p, q=None, *, alpha=None, base=None, axis=-1, normalize=True, keepdims=False):
    r = np.asarray(
        ORACLE[name](p, q, base=base, axis=axis, normalize=normalize, alpha=alpha), dtype=np.float64
    )
    if keepdims:
        r = np.expand_dims(r, axis)
    return r


def check(got, expected, dtype=np.float64):
    tol = T.for_dtype(dtype)
    expected = np.asarray(expected)
    assert np.asarray(got).dtype == np.float64
    assert np.shape(got) == expected.shape
    np.testing.assert_allclose(got, expected, **tol)


def make(rng, shape, zeros=0.0, floor=0.0):
    """Non-negative data with a fraction of exact zeros; every distribution keeps
    a positive entry.  The support axis is the last one."""
    x = rng.random(shape) + floor
    if zeros:
        x[rng.random(shape) < zeros] = 0.0
        x[..., 0] += 0.5
    return x


def normalized(x, dtype, axis=-1):
    """A distribution that sums to 1 in ``dtype`` within a few ulp (for normalize=False)."""
    x = np.asarray(x, np.float64)
    return (x / x.sum(axis=axis, keepdims=True)).astype(dtype)


def alphas_for(name):
    return [None] if not name.startswith("renyi") else [0.0, 0.5, 1.0, 2.0, 3.7, np.inf]


def params_main():
    for name in ALL:
        bases = [None] if name in NO_BASE else [None, 2, 10, 0.5, math.e]
        if name == "js_distance":
            bases.remove(0.5)  # sqrt of a negative number: see test_js_distance_base_below_one
        for alpha in alphas_for(name):
            for base in bases:
                yield pytest.param(name, alpha, base, id=f"{name}-a{alpha}-b{base}")


# --------------------------------------------------------------------------
# main matrix
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f8", "f4"])
@pytest.mark.parametrize("normalize", [True, False], ids=["norm", "raw"])
@pytest.mark.parametrize("name,alpha,base", list(params_main()))
def test_matches_oracle(name, alpha, base, normalize, dtype, rng):
    p = make(rng, (7, 50), zeros=0.1)
    q = make(rng, (7, 50), floor=0.01)  # q > 0 so that KL & co stay finite
    if normalize:
        p = (p * 3.7).astype(dtype)  # arbitrary scale: the sum is divided out
        q = (q * 0.02).astype(dtype)
    else:
        p, q = normalized(p, dtype), normalized(q, dtype)
    kw = dict(base=base) if name not in NO_BASE else {}
    got = call(name, p, q, alpha=alpha, normalize=normalize, **kw)
    # the oracle sees exactly the values the function saw, widened to float64
    expected = oracle(
        name,
        p.astype(np.float64),
        q.astype(np.float64),
        alpha=alpha,
        base=base,
        normalize=normalize,
    )
    check(got, expected, dtype)


@pytest.mark.parametrize("name", ["entropy", "kl_divergence", "js_divergence", "js_distance"])
@pytest.mark.parametrize("base", [None, 2, 10])
def test_scipy_directly(name, base, rng):
    # the scipy call in its most direct form, independent of the helpers above
    p = make(rng, (6, 33), zeros=0.2)
    q = make(rng, (6, 33), floor=0.001)
    if name == "entropy":
        exp = scipy.stats.entropy(p, base=base, axis=1)
        got = fd.entropy(p, base=base)
    elif name == "kl_divergence":
        exp = scipy.stats.entropy(p, q, base=base, axis=1)
        got = fd.kl_divergence(p, q, base=base)
    elif name == "js_divergence":
        exp = jensenshannon(p, q, base=base, axis=1) ** 2
        got = fd.js_divergence(p, q, base=base)
    else:
        exp = jensenshannon(p, q, base=base, axis=1)
        got = fd.js_distance(p, q, base=base)
    check(got, exp)


def test_kl_is_sum_of_rel_entr(rng):
    p = normalized(make(rng, (4, 64), zeros=0.3), np.float64)
    q = normalized(make(rng, (4, 64), floor=0.01), np.float64)
    check(fd.kl_divergence(p, q, normalize=False), sc.rel_entr(p, q).sum(axis=1))
    check(fd.entropy(p, normalize=False), sc.entr(p).sum(axis=1))
    check(fd.cross_entropy(p, q, normalize=False), -sc.xlogy(p, q).sum(axis=1))


# --------------------------------------------------------------------------
# axis and keepdims
# --------------------------------------------------------------------------


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
@pytest.mark.parametrize("name", ALL)
def test_axis_keepdims(name, axis, keepdims, rng):
    shape = (4, 30, 5)
    p = make(rng, shape, floor=0.001)
    q = make(rng, shape, floor=0.01)
    alpha = 2.0 if name.startswith("renyi") else None
    got = call(name, p, q, alpha=alpha, axis=axis, keepdims=keepdims)
    expected = oracle(name, p, q, alpha=alpha, axis=axis, keepdims=keepdims)
    exp_shape = list(shape)
    if keepdims:
        exp_shape[axis] = 1
    else:
        del exp_shape[axis]
    assert np.shape(got) == tuple(exp_shape)
    check(got, expected)


@pytest.mark.parametrize("name", ALL)
def test_keepdims_1d(name, rng):
    p, q = make(rng, 9, floor=0.1), make(rng, 9, floor=0.1)
    alpha = 0.5 if name.startswith("renyi") else None
    got = call(name, p, q, alpha=alpha, keepdims=True)
    assert isinstance(got, np.ndarray) and got.shape == (1,) and got.dtype == np.float64
    check(got, oracle(name, p, q, alpha=alpha, keepdims=True))


# --------------------------------------------------------------------------
# broadcasting
# --------------------------------------------------------------------------


BROADCAST_CASES = [
    ((6, 40), (40,), -1),
    ((40,), (6, 40), -1),
    ((3, 1, 40), (1, 4, 40), -1),
    ((3, 1, 40), (4, 40), -1),
    ((40, 6), (40, 1), 0),
    ((2, 40, 3), (40, 1), 1),
    ((1, 40), (5, 40), -1),
]


@pytest.mark.parametrize("sp,sq,axis", BROADCAST_CASES)
@pytest.mark.parametrize("name", TWO_ARG)
def test_broadcasting(name, sp, sq, axis, rng):
    p = make(rng, sp, floor=0.001)
    q = make(rng, sq, floor=0.01)
    alpha = 2.0 if name.startswith("renyi") else None
    got = call(name, p, q, alpha=alpha, axis=axis)
    bshape = np.broadcast_shapes(sp, sq)
    exp_shape = tuple(s for i, s in enumerate(bshape) if i != axis % len(bshape))
    assert np.shape(got) == exp_shape
    pb, qb = np.broadcast_arrays(p, q)
    check(got, oracle(name, pb, qb, alpha=alpha, axis=axis))


def test_broadcast_row_against_batch_equals_rowwise(rng):
    p = make(rng, (5, 20), floor=0.01)
    q = make(rng, 20, floor=0.01)
    got = fd.kl_divergence(p, q)
    for i in range(5):
        assert got[i] == pytest.approx(scipy.stats.entropy(p[i], q), **T.approx(T.F64))
    got = fd.kl_divergence(q, p)
    for i in range(5):
        assert got[i] == pytest.approx(scipy.stats.entropy(q, p[i]), **T.approx(T.F64))


# --------------------------------------------------------------------------
# logits
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f8", "f4"])
@pytest.mark.parametrize("base", [None, 2])
@pytest.mark.parametrize("name", WITH_LOGITS)
def test_logits_match_softmax_oracle(name, base, dtype, rng):
    lp = (rng.normal(size=(6, 40)) * 3.0).astype(dtype)  # negative entries are fine
    lq = (rng.normal(size=(6, 40)) * 2.0 - 5.0).astype(dtype)
    kw = dict(base=base) if name not in NO_BASE else {}
    got = call(name, lp, lq, logits=True, **kw)
    sp = sc.softmax(lp.astype(np.float64), axis=-1)
    sq = sc.softmax(lq.astype(np.float64), axis=-1)
    check(got, oracle(name, sp, sq, base=base), dtype)


@pytest.mark.parametrize("name", WITH_LOGITS)
def test_logits_axis_and_broadcast(name, rng):
    lp = rng.normal(size=(3, 25, 4)) * 4.0
    lq = rng.normal(size=(25, 1)) * 4.0
    got = call(name, lp, lq, logits=True, axis=1, keepdims=True)
    sp = sc.softmax(lp, axis=1)
    sq = sc.softmax(np.broadcast_to(lq, lp.shape), axis=1)
    assert np.shape(got) == (3, 1, 4)
    check(got, oracle(name, sp, sq, axis=1, keepdims=True))


@pytest.mark.parametrize("name", WITH_LOGITS)
def test_logits_numerically_safe(name):
    # huge logits: a naive exp overflows; the softmax of these is well defined
    lp = np.array([[1000.0, 1000.0, 0.0, -1000.0], [-1e4, -1e4 + 1, -1e4 + 2, -1e4 + 3]])
    lq = np.array([[800.0, 801.0, 802.0, 803.0], [700.0, 0.0, 0.0, 700.0]])
    got = call(name, lp, lq, logits=True)
    assert np.all(np.isfinite(got))
    check(got, oracle(name, sc.softmax(lp, axis=-1), sc.softmax(lq, axis=-1)))


@pytest.mark.parametrize("name", WITH_LOGITS)
def test_logits_ignore_normalize(name, rng):
    lp, lq = rng.normal(size=(4, 10)), rng.normal(size=(4, 10))
    a = call(name, lp, lq, logits=True, normalize=True)
    b = call(name, lp, lq, logits=True, normalize=False)
    assert np.array_equal(a, b)


def test_logits_zero_row_is_uniform():
    # with logits a zero row is not an error: it is the uniform distribution
    assert fd.entropy(np.zeros(8), logits=True) == pytest.approx(math.log(8), rel=1e-15)
    assert fd.kl_divergence(np.zeros(8), np.full(8, -3.0), logits=True) == pytest.approx(
        0.0, abs=1e-15
    )
    assert fd.kl_divergence(np.zeros(8), np.zeros(8), logits=True) == 0.0


# --------------------------------------------------------------------------
# scalars, lists, ints, bools
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.bool_])
@pytest.mark.parametrize("name", ALL)
def test_1d_returns_numpy_float64_scalar(name, dtype, rng):
    p = (make(rng, 12, floor=0.1) * 10).astype(dtype)
    q = (make(rng, 12, floor=0.1) * 10).astype(dtype)
    if dtype == np.bool_:
        p[:] = True
        q[:] = True
        q[3] = False
    alpha = 2.0 if name.startswith("renyi") else None
    got = call(name, p, q, alpha=alpha)
    assert type(got) is np.float64
    exp = oracle(name, p.astype(np.float64), q.astype(np.float64), alpha=alpha)
    check(got, exp, np.float32 if dtype == np.float32 else np.float64)


@pytest.mark.parametrize("name", ALL)
def test_batch_returns_float64_array(name, rng):
    p = make(rng, (3, 12), floor=0.1).astype(np.float32)
    q = make(rng, (3, 12), floor=0.1).astype(np.float32)
    got = call(name, p, q, alpha=2.0 if name.startswith("renyi") else None)
    assert isinstance(got, np.ndarray) and got.dtype == np.float64 and got.shape == (3,)


def test_lists_and_ints_accepted():
    r = fd.entropy([1, 2, 3])
    assert type(r) is np.float64
    assert r == pytest.approx(scipy.stats.entropy([1, 2, 3]), rel=1e-14)
    assert fd.kl_divergence([1, 2, 3], [3, 2, 1]) == pytest.approx(
        scipy.stats.entropy([1, 2, 3], [3, 2, 1]), rel=1e-14
    )
    assert fd.entropy([0.25, 0.25, 0.5], base=2) == pytest.approx(1.5, rel=1e-15)
    r = fd.js_distance([[1, 0], [0, 1]], [1, 1], base=2)
    check(r, jensenshannon(np.array([[1, 0], [0, 1]]), np.array([[1, 1], [1, 1]]), base=2, axis=1))
    assert fd.total_variation([1, 0, 0], [0, 0, 1]) == pytest.approx(1.0, rel=1e-15)
    assert fd.hellinger([True, False], [False, True]) == pytest.approx(1.0, rel=1e-15)
    assert fd.entropy(np.array([True, True, False, True])) == pytest.approx(math.log(3), rel=1e-15)
    assert fd.renyi_entropy([1, 1, 1, 1], 2) == pytest.approx(math.log(4), rel=1e-15)
    assert fd.renyi_divergence([1, 2], [2, 1], 1) == pytest.approx(
        scipy.stats.entropy([1, 2], [2, 1]), rel=1e-14
    )
    assert fd.cross_entropy([1, 1], [1, 3]) == pytest.approx(
        -0.5 * math.log(0.25) - 0.5 * math.log(0.75), rel=1e-14
    )


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.uint32, np.int64, np.uint64])
def test_integer_dtypes(dtype, rng):
    p = rng.integers(0, 100, size=(4, 17)).astype(dtype)
    q = rng.integers(1, 100, size=(4, 17)).astype(dtype)
    check(fd.kl_divergence(p, q), scipy.stats.entropy(p.astype(float), q.astype(float), axis=1))
    check(fd.entropy(p, base=2), scipy.stats.entropy(p.astype(float), base=2, axis=1))


# --------------------------------------------------------------------------
# zeros
# --------------------------------------------------------------------------


def test_zero_conventions(rng):
    p = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5], [0.0, 0.0, 1.0]])
    q = np.array([[0.5, 0.0, 0.5], [0.0, 0.5, 0.5], [0.3, 0.7, 0.0]])
    kl = fd.kl_divergence(p, q)
    ce = fd.cross_entropy(p, q)
    assert np.all(kl == np.inf) and np.all(ce == np.inf)
    # q = 0 where p = 0 is harmless
    kl2 = fd.kl_divergence(np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5]))
    assert kl2 == pytest.approx(math.log(2), rel=1e-15)
    for name in ["js_divergence", "js_distance", "total_variation", "hellinger"]:
        got = getattr(fd, name)(p, q)
        assert np.all(np.isfinite(got))
        check(got, oracle(name, p, q))
    # renyi divergence: alpha < 1 is finite unless the supports are disjoint (row 2);
    # alpha >= 1 is infinite wherever p > 0 = q
    check(fd.renyi_divergence(p, q, 0.5), oracle("renyi_divergence", p, q, alpha=0.5))
    check(fd.renyi_divergence(p, q, 0.0), oracle("renyi_divergence", p, q, alpha=0.0))
    assert np.all(fd.renyi_divergence(p, q, 2.0) == np.inf)
    assert np.all(fd.renyi_divergence(p, q, np.inf) == np.inf)
    # 0 log 0 = 0
    assert fd.entropy(np.array([0.0, 1.0, 0.0])) == 0.0
    check(fd.entropy(p), scipy.stats.entropy(p, axis=1))


def test_disjoint_supports_hit_the_upper_bounds():
    p = np.array([[1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0]])
    q = np.array([[0.0, 0.5, 0.5, 0.0], [0.0, 0.0, 0.25, 0.75]])
    js = fd.js_divergence(p, q)
    assert np.all(js <= math.log(2)) and np.allclose(js, math.log(2), rtol=1e-15, atol=0)
    js2 = fd.js_divergence(p, q, base=2)
    assert np.all(js2 <= 1.0) and np.allclose(js2, 1.0, rtol=1e-15, atol=0)
    assert np.all(fd.js_distance(p, q, base=2) <= 1.0)
    for name in ["total_variation", "hellinger"]:
        got = getattr(fd, name)(p, q)
        assert np.all(got <= 1.0) and np.allclose(got, 1.0, rtol=1e-15, atol=0)


# --------------------------------------------------------------------------
# renyi special orders
# --------------------------------------------------------------------------


def test_renyi_special_orders_closed_forms():
    p = np.array([0.5, 0.25, 0.125, 0.125, 0.0])
    q = np.array([0.25, 0.25, 0.25, 0.125, 0.125])
    assert fd.renyi_entropy(p, 0) == pytest.approx(math.log(4), rel=1e-15)  # Hartley
    assert fd.renyi_entropy(p, np.inf) == pytest.approx(math.log(2), rel=1e-15)  # min-entropy
    assert fd.renyi_entropy(p, 2) == pytest.approx(
        -math.log(0.25 + 0.0625 + 2 * 0.015625), rel=1e-14
    )
    assert fd.renyi_entropy(p, 1) == pytest.approx(scipy.stats.entropy(p), rel=1e-14)
    assert fd.renyi_divergence(p, q, 0) == pytest.approx(-math.log(0.875), rel=1e-14)
    assert fd.renyi_divergence(p, q, np.inf) == pytest.approx(math.log(2), rel=1e-14)
    assert fd.renyi_divergence(p, q, 1) == pytest.approx(scipy.stats.entropy(p, q), rel=1e-14)
    assert fd.renyi_entropy(p, np.inf, base=2) == pytest.approx(1.0, rel=1e-15)
    assert fd.renyi_entropy(p, 0, base=2) == pytest.approx(2.0, rel=1e-15)


# --------------------------------------------------------------------------
# self_information
# --------------------------------------------------------------------------


@pytest.mark.parametrize("base", [None, 2, 10, 0.5])
@pytest.mark.parametrize("shape", [(), (7,), (3, 5), (2, 3, 4)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f8", "f4"])
def test_self_information(shape, base, dtype, rng):
    p = rng.random(shape).astype(dtype)
    if p.ndim:
        p.flat[0] = 0.0
        p.flat[-1] = 1.0
    got = fd.self_information(p, base=base)
    with np.errstate(divide="ignore"):
        exp = -np.log(p.astype(np.float64)) / _logb(base)
    if p.ndim == 0:
        assert type(got) is np.float64
    else:
        assert isinstance(got, np.ndarray) and got.shape == p.shape and got.dtype == np.float64
        assert got.flat[0] == (np.inf if (base is None or base > 1) else -np.inf)
        assert got.flat[-1] == 0.0
    check(got, exp, dtype)


def test_self_information_lists_and_strided(rng):
    assert np.array_equal(fd.self_information([1, 0]), np.array([0.0, np.inf]))
    a = rng.random((6, 8))
    v = a[::2, ::-3]
    check(fd.self_information(v), -np.log(v))
    check(fd.self_information(v.astype(">f8"), base=2), -np.log2(v))


def test_js_distance_base_below_one_is_never_nan():
    # With base < 1 the divergence is negative and its square root undefined.
    # A distance is never NaN: either the call is rejected as a bad
    # 'base', or it returns a number -- but never NaN.
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.1, 0.2, 0.7])
    try:
        r = fd.js_distance(p, q, base=0.5)
    except ValueError as exc:
        assert "'base'" in str(exc)
    else:
        assert not np.isnan(r), r
