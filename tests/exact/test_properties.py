"""Hypothesis properties over dtypes <f4 >f4 <f8 >f8, C / Fortran / strided /
reversed / moved-axis views, tiny supports (K = 1..5) and small batch shapes.

Invariants that the contract states exactly (ranges, equal inputs give 0,
renyi_divergence(alpha=1) is KL) are asserted exactly; identities that hold
only up to rounding are asserted with the dtype tolerances of
fdtest/tolerance.py (``F64``, ``F32``; ``REROUNDED`` for one extra rounding).

The last section holds the invariants behind the classes of issue 7: scaling
a row by any power of two (sums from subnormal to beyond DBL_MAX), -0.0 for
+0.0, a common offset of logits, monotonicity of Renyi in its order up to
alpha = 1e5.
"""

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fastdiv as fd
from fdtest import measures
from fdtest import tolerance as T
from fdtest.tolerance import close

DTYPES = ["<f4", ">f4", "<f8", ">f8"]
LAYOUTS = ["C", "F", "strided", "reversed", "axis0"]
BATCHES = [(), (1,), (3,), (2, 3)]
LOG2 = math.log(2.0)

# the two-argument measures without an order
TWO_ARG = [m for m in measures.TWO_ARG if m not in measures.RENYI]


@dataclass
class Case:
    dtype: np.dtype
    layout: str
    arrays: list  # float64 C arrays of shape batch + (K,), values representable in dtype

    @property
    def K(self):
        return self.arrays[0].shape[-1]

    @property
    def tol(self):
        return T.for_dtype(self.dtype)

    def views(self, readonly=False):
        """The arrays in ``dtype`` and ``layout``; returns (views, axis)."""
        out = []
        for a in self.arrays:
            v, axis = materialize(a, self.dtype, self.layout)
            if readonly:
                v.flags.writeable = False
            out.append(v)
        return out, axis

    def native(self):
        """The same values as contiguous native float64, support on the last axis."""
        return [np.ascontiguousarray(a.astype(self.dtype).astype(np.float64)) for a in self.arrays]


def materialize(a, dtype, layout):
    K = a.shape[-1]
    if layout == "C":
        return np.ascontiguousarray(a.astype(dtype)), -1
    if layout == "F":
        return np.asfortranarray(a.astype(dtype)), -1
    if layout == "strided":
        buf = np.zeros(a.shape[:-1] + (2 * K + 1,), dtype=dtype)
        buf[..., 1::2] = a
        return buf[..., 1::2], -1
    if layout == "reversed":
        buf = np.ascontiguousarray(a[..., ::-1].astype(dtype))
        return buf[..., ::-1], -1
    if layout == "axis0":
        return np.moveaxis(a.astype(dtype), -1, 0), 0
    raise AssertionError(layout)


@st.composite
def cases(draw, n=2, nice=False):
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    batch = draw(st.sampled_from(BATCHES))
    K = draw(st.integers(1, 5))
    width = 8 * dtype.itemsize
    if nice:
        # values whose normalized form stays far from float32 underflow
        lo = float(
            np.nextafter(np.float32(1e-3), np.float32(1))
        )  # exactly representable in both widths
        elem = st.one_of(st.just(0.0), st.floats(lo, 1e3, width=width))
    else:
        elem = st.floats(0.0, 1e3, width=width, allow_subnormal=True)
    arrays = []
    for _ in range(n):
        a = draw(hnp.arrays(np.float64, batch + (K,), elements=elem))
        rows = a.reshape(-1, K)
        j = draw(st.integers(0, K - 1))
        rows[rows.sum(axis=1) == 0, j] = 1.0  # every distribution has a positive sum
        arrays.append(a)
    return Case(dtype, draw(st.sampled_from(LAYOUTS)), arrays)


SETTINGS = settings(max_examples=80)


# --------------------------------------------------------------------------
# divergences: non-negative, exactly zero on equal inputs
# --------------------------------------------------------------------------


@SETTINGS
@given(c=cases())
def test_divergences_nonnegative(c):
    (p, q), axis = c.views()
    for name in TWO_ARG:
        r = getattr(fd, name)(p, q, axis=axis)
        assert np.all(r >= 0), name  # NaN fails this too
    for alpha in [0.0, 0.5, 1.0, 2.0, np.inf]:
        assert np.all(fd.renyi_divergence(p, q, alpha, axis=axis) >= 0), alpha


@SETTINGS
@given(c=cases(n=1))
@example(c=Case(np.dtype("<f4"), "C", [np.array([3.0])]))  # K = 1
@example(c=Case(np.dtype("<f4"), "C", [np.array([1e-5])]))
@example(c=Case(np.dtype("<f8"), "C", [np.array([3.0])]))
def test_equal_inputs_give_exactly_zero(c):
    (p,), axis = c.views()
    p2 = p.copy()  # equal values, another array
    for q in (p, p2):
        for name in [
            "kl_divergence",
            "js_divergence",
            "js_distance",
            "total_variation",
            "hellinger",
        ]:
            r = np.asarray(getattr(fd, name)(p, q, axis=axis))
            assert np.all(r == 0.0), (name, r)
        for alpha in [0.0, 0.5, 1.0, 2.0, 3.7, np.inf]:
            r = np.asarray(fd.renyi_divergence(p, q, alpha, axis=axis))
            assert np.all(r == 0.0), (alpha, r)
        r = np.asarray(fd.kl_divergence(p, q, axis=axis, base=2))
        assert np.all(r == 0.0)


# --------------------------------------------------------------------------
# Jensen-Shannon
# --------------------------------------------------------------------------


@SETTINGS
@given(c=cases())
def test_js_symmetric_and_bounded(c):
    (p, q), axis = c.views()
    js = fd.js_divergence(p, q, axis=axis)
    assert np.all((js >= 0) & (js <= LOG2))
    assert close(js, fd.js_divergence(q, p, axis=axis), **c.tol)
    js2 = fd.js_divergence(p, q, axis=axis, base=2)
    assert np.all((js2 >= 0) & (js2 <= 1.0))
    d2 = fd.js_distance(p, q, axis=axis, base=2)
    assert np.all((d2 >= 0) & (d2 <= 1.0))
    d = fd.js_distance(p, q, axis=axis)
    assert np.all((d >= 0) & (d <= math.sqrt(LOG2)))
    assert close(np.square(d), js, **T.REROUNDED)
    assert close(np.square(d2), js2, **T.REROUNDED)


# --------------------------------------------------------------------------
# entropy
# --------------------------------------------------------------------------


@SETTINGS
@given(c=cases(n=1))
def test_entropy_range(c):
    (p,), axis = c.views()
    h = fd.entropy(p, axis=axis)
    assert np.all((h >= 0) & (h <= math.log(c.K)))
    h2 = fd.entropy(p, axis=axis, base=2)
    assert np.all((h2 >= 0) & (h2 <= math.log(c.K) / LOG2 * (1 + 4e-16)))


@SETTINGS
@given(c=cases(n=1))
@example(c=Case(np.dtype("<f8"), "C", [np.array([2.2250738585072e-311])]))  # subnormal entries only
@example(c=Case(np.dtype("<f4"), "C", [np.array([1e-45, 2e-45])]))
def test_renyi_entropy_monotone_in_alpha(c):
    (p,), axis = c.views()
    alphas = [0.0, 0.3, 0.5, 0.9, 1.0, 1.5, 2.0, 5.0, np.inf]
    hs = [np.asarray(fd.renyi_entropy(p, a, axis=axis)) for a in alphas]
    rtol, atol = c.tol["rtol"], c.tol["atol"]
    for a, h in zip(alphas, hs):
        assert np.all(np.isfinite(h)), a
        assert np.all(h >= -atol) and np.all(h <= math.log(c.K) * (1 + rtol) + atol), (a, h)
    for i in range(len(alphas) - 1):
        assert np.all(hs[i + 1] <= hs[i] + atol + rtol * np.abs(hs[i])), (
            alphas[i],
            alphas[i + 1],
            hs[i],
            hs[i + 1],
        )
    assert close(hs[alphas.index(1.0)], fd.entropy(p, axis=axis), **c.tol)


# --------------------------------------------------------------------------
# TV / Hellinger
# --------------------------------------------------------------------------


@SETTINGS
@given(c=cases())
def test_tv_hellinger_range_and_symmetry(c):
    (p, q), axis = c.views()
    for name in ["total_variation", "hellinger"]:
        f = getattr(fd, name)
        r = f(p, q, axis=axis)
        assert np.all((r >= 0) & (r <= 1)), (name, r)
        assert close(r, f(q, p, axis=axis), **c.tol), name


# --------------------------------------------------------------------------
# identities
# --------------------------------------------------------------------------


@SETTINGS
@given(c=cases())
@example(c=Case(np.dtype("<f8"), "C", [np.array([1.0]), np.array([5e-324])]))
def test_renyi_alpha_one_is_kl_exactly(c):
    (p, q), axis = c.views()
    a = np.asarray(fd.renyi_divergence(p, q, 1.0, axis=axis))
    b = np.asarray(fd.kl_divergence(p, q, axis=axis))
    assert np.array_equal(a, b), (a, b)
    a = np.asarray(fd.renyi_divergence(p, q, 1, axis=axis, base=2))
    b = np.asarray(fd.kl_divergence(p, q, axis=axis, base=2))
    assert np.array_equal(a, b), (a, b)


@SETTINGS
@given(c=cases())
def test_cross_entropy_is_entropy_plus_kl(c):
    (p, q), axis = c.views()
    ce = np.asarray(fd.cross_entropy(p, q, axis=axis))
    h = np.asarray(fd.entropy(p, axis=axis))
    kl = np.asarray(fd.kl_divergence(p, q, axis=axis))
    assert np.array_equal(np.isinf(ce), np.isinf(kl))
    fin = np.isfinite(ce)
    scale = 1.0 + np.abs(ce[fin]) + np.abs(h[fin]) + np.abs(kl[fin])
    err = np.abs(ce[fin] - (h[fin] + kl[fin]))
    assert np.all(err <= c.tol["rtol"] * scale), (ce, h, kl)


@SETTINGS
@given(c=cases(), base=st.sampled_from([2, 10, 0.5, 3.3, math.e, 1e-3]))
@example(c=Case(np.dtype("<f4"), "C", [np.array([1.0]), np.array([1.4e-45])]), base=2)
def test_base_change_scales_by_inverse_log_base(c, base):
    (p, q), axis = c.views()
    lb = math.log(base)
    pairs = [
        (fd.entropy(p, axis=axis, base=base), fd.entropy(p, axis=axis)),
        (fd.cross_entropy(p, q, axis=axis, base=base), fd.cross_entropy(p, q, axis=axis)),
        (fd.kl_divergence(p, q, axis=axis, base=base), fd.kl_divergence(p, q, axis=axis)),
        (fd.js_divergence(p, q, axis=axis, base=base), fd.js_divergence(p, q, axis=axis)),
        (fd.renyi_entropy(p, 2.0, axis=axis, base=base), fd.renyi_entropy(p, 2.0, axis=axis)),
        (
            fd.renyi_divergence(p, q, 0.5, axis=axis, base=base),
            fd.renyi_divergence(p, q, 0.5, axis=axis),
        ),
    ]
    for got, nats in pairs:
        assert close(got, np.asarray(nats) / lb, **T.REROUNDED), (base, got, nats)
    # js_distance scales by 1/sqrt(log base) (only defined for base > 1)
    if base > 1:
        assert close(
            fd.js_distance(p, q, axis=axis, base=base),
            np.asarray(fd.js_distance(p, q, axis=axis)) / math.sqrt(lb),
            **T.REROUNDED,
        )


# --------------------------------------------------------------------------
# layouts / dtypes: same values, same results; inputs untouched
# --------------------------------------------------------------------------


def all_results(p, q, axis):
    return {
        "entropy": fd.entropy(p, axis=axis),
        "cross_entropy": fd.cross_entropy(p, q, axis=axis),
        "kl_divergence": fd.kl_divergence(p, q, axis=axis),
        "js_divergence": fd.js_divergence(p, q, axis=axis),
        "js_distance": fd.js_distance(p, q, axis=axis),
        "total_variation": fd.total_variation(p, q, axis=axis),
        "hellinger": fd.hellinger(p, q, axis=axis),
        "renyi_entropy": fd.renyi_entropy(p, 2.0, axis=axis),
        "renyi_divergence": fd.renyi_divergence(p, q, 0.5, axis=axis),
        "entropy_logits": fd.entropy(p, axis=axis, logits=True),
        "kl_logits": fd.kl_divergence(p, q, axis=axis, logits=True),
    }


@settings(max_examples=120)
@given(c=cases(nice=True), readonly=st.booleans())
@example(c=Case(np.dtype("<f4"), "C", [np.array([0.99998999]), np.array([198.25])]), readonly=False)
def test_views_match_native_float64_and_are_not_modified(c, readonly):
    (p, q), axis = c.views(readonly=readonly)
    before = [(v.dtype, v.strides, v.tobytes(), v.flags.writeable) for v in (p, q)]
    got = all_results(p, q, axis)
    after = [(v.dtype, v.strides, v.tobytes(), v.flags.writeable) for v in (p, q)]
    assert before == after
    pn, qn = c.native()
    ref = all_results(pn, qn, -1)
    batch = c.arrays[0].shape[:-1]
    for name in ref:
        g, r = got[name], ref[name]
        assert np.shape(g) == batch and np.asarray(g).dtype == np.float64, name
        if batch == ():
            assert type(g) is np.float64, name
        if name == "js_distance":
            # sqrt is ill-conditioned at 0 (an absolute error e in the divergence
            # becomes sqrt(e) in the distance): compare what the tolerance is about
            g, r = np.square(g), np.square(r)
        assert close(g, r, **c.tol), (name, g, r)


@SETTINGS
@given(c=cases())
def test_wide_range_inputs_are_not_modified(c):
    (p, q), axis = c.views()
    snap = [v.tobytes() for v in (p, q)]
    fd.kl_divergence(p, q, axis=axis)
    fd.js_distance(p, q, axis=axis, base=2)
    fd.entropy(p, axis=axis, keepdims=True)
    fd.renyi_divergence(p, q, np.inf, axis=axis)
    fd.hellinger(p, q, axis=axis, normalize=True)
    assert [v.tobytes() for v in (p, q)] == snap


@SETTINGS
@given(c=cases(n=1))
def test_self_information_matches_log(c):
    (p,), _ = c.views()
    m = p.max()
    x = p / m if m > 0 else p  # probabilities in [0, 1], still in dtype
    x = x.astype(p.dtype)
    r = fd.self_information(x)
    assert np.shape(r) == x.shape and np.asarray(r).dtype == np.float64
    with np.errstate(divide="ignore"):
        ref = -np.log(x.astype(np.float64))
    assert close(r, ref, **c.tol)
    assert np.all(np.asarray(r) >= 0)


# --------------------------------------------------------------------------
# the classes of issue 7
# --------------------------------------------------------------------------

ALL_MEASURES = ["entropy", "renyi_entropy"] + TWO_ARG + ["renyi_divergence"]


def _measure(name, p, q, alpha=2.0, **kw):
    f = getattr(fd, name)
    if name == "renyi_entropy":
        return f(p, alpha, **kw)
    if name == "renyi_divergence":
        return f(p, q, alpha, **kw)
    if name == "entropy":
        return f(p, **kw)
    return f(p, q, **kw)


@st.composite
def rows(draw, kmax=600, zeros=True):
    """(p, q): 1-D float64 rows of K in 1..kmax entries in [2^-20, 1] (exact
    zeros in some places), so that every power-of-two scaling below keeps
    each entry exact."""
    K = draw(st.integers(1, kmax))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    p, q = np.ldexp(np.floor(rng.random((2, K)) * 2**20) + 1.0, -20)
    if zeros:
        p[rng.random(K) < 0.1] = 0.0
        q[rng.random(K) < 0.05] = 0.0
    p[rng.integers(K)] = 1.0
    q[rng.integers(K)] = 1.0
    return p, q


@settings(max_examples=60)
@given(
    pq=rows(),
    kp=st.integers(-1050, 1000),
    kq=st.integers(-1050, 1000),
    alpha=st.sampled_from([0.0, 0.5, 2.0, 7.5, np.inf]),
)
def test_power_of_two_scaling_changes_nothing(pq, kp, kq, alpha):
    # p 2^kp normalizes to the same distribution for any kp that keeps its
    # entries exact (sums from ~2^-1030 to beyond DBL_MAX: the wide kernels)
    p, q = pq
    kp = min(kp, 1023 - 10)  # entries stay finite; a sum may overflow
    kq = min(kq, 1023 - 10)
    ps, qs = np.ldexp(p, kp), np.ldexp(q, kq)
    assert np.array_equal(np.ldexp(ps, -kp), p) and np.array_equal(np.ldexp(qs, -kq), q)
    for name in ALL_MEASURES:
        ref = _measure(name, p, q, alpha=alpha)
        got = _measure(name, ps, qs, alpha=alpha)
        assert np.isinf(got) == np.isinf(ref), (name, got, ref)
        assert close(got, ref, rtol=1e-12, atol=4e-15), (name, kp, kq, got, ref)


@settings(max_examples=40)
@given(pq=rows(kmax=5000), dtype=st.sampled_from(["<f8", ">f8", "<f4"]), logits=st.booleans())
def test_negative_zero_is_a_zero(pq, dtype, logits):
    # -0.0 anywhere (chunk boundaries included) gives the bits of +0.0
    p, q = (a.astype(dtype) for a in pq)
    pn, qn = p.copy(), q.copy()
    pn[pn == 0] = -0.0
    qn[qn == 0] = -0.0
    assert np.signbit(qn[qn == 0]).all()
    for name in ALL_MEASURES:
        if logits and name.startswith("renyi"):
            continue
        kw = {"logits": True} if logits else {}
        a = np.float64(_measure(name, p, q, **kw))
        b = np.float64(_measure(name, pn, qn, **kw))
        assert a.tobytes() == b.tobytes(), (name, a, b)


@settings(max_examples=60)
@given(
    K=st.integers(1, 700),
    seed=st.integers(0, 2**32 - 1),
    offset=st.sampled_from([2.0**30, 1e17, -1e17, 3 * 2.0**60, 2.0**1000, -(2.0**1000)]),
    dtype=st.sampled_from(["<f8", "<f4"]),
)
def test_logits_common_offset_changes_nothing(K, seed, offset, dtype):
    # softmax is shift-invariant; where z + c is exact, so are the results
    rng = np.random.default_rng(seed)
    if dtype == "<f4":
        offset = float(np.float32(min(abs(offset), 2.0**60))) * np.sign(offset)
    # logits on the grid of the offset's spacing, so that z + c is exact
    step = max(abs(float(np.spacing(np.array(offset, dtype)))), 0.5)
    zp = rng.integers(-40, 40, K) * step
    zq = rng.integers(-40, 40, K) * step
    sp, sq = (zp + offset).astype(dtype), (zq + offset).astype(dtype)
    assert np.array_equal(sp.astype(float) - offset, zp) and np.array_equal(
        sq.astype(float) - offset, zq
    )
    zp, zq = zp.astype(dtype), zq.astype(dtype)
    for name in ["entropy"] + TWO_ARG:
        a = np.float64(_measure(name, zp, zq, logits=True))
        b = np.float64(_measure(name, sp, sq, logits=True))
        assert a.tobytes() == b.tobytes(), (name, offset, a, b)
    # each input shifted alone: equal logits give exactly 0
    for name in ["kl_divergence", "js_divergence", "js_distance", "total_variation", "hellinger"]:
        assert _measure(name, zp, sp, logits=True) == 0.0, name


@settings(max_examples=60)
@given(pq=rows(kmax=50), scale=st.sampled_from([1.0, 2.0**-600, 2.0**600]))
def test_renyi_monotone_in_alpha_up_to_huge_orders(pq, scale):
    p, q = pq[0] * scale, pq[1]
    alphas = [0.0, 0.5, 0.999, 1.0, 1.001, 2.0, 10.0, 1e3, 1e4, 1e5, np.inf]
    hs = [float(fd.renyi_entropy(p, a)) for a in alphas]
    ds = [float(fd.renyi_divergence(p, q, a)) for a in alphas]
    for a, h, d in zip(alphas, hs, ds):
        assert np.isfinite(h) and 0.0 <= h <= math.log(p.size) * (1 + 1e-12), (a, h)
        assert d >= 0.0 and not np.isnan(d), (a, d)
    for i in range(len(alphas) - 1):
        assert hs[i + 1] <= hs[i] * (1 + 1e-12) + 1e-15, (
            alphas[i],
            alphas[i + 1],
            hs[i],
            hs[i + 1],
        )
        assert ds[i + 1] >= ds[i] * (1 - 1e-12) - 1e-15, (
            alphas[i],
            alphas[i + 1],
            ds[i],
            ds[i + 1],
        )


@st.composite
def wild_rows(draw):
    """(p, q, j): rows of 2..300 entries, each 0 or m 2^e with e anywhere
    in [-1074, 1000] (a row may mix 1e-300 and 1e300, and hold subnormals),
    float64 or float32 (e within float32's range); j is an index with
    p[j] > 0."""
    dtype = draw(st.sampled_from(["<f8", "<f4"]))
    lo, hi = (-1074, 1000) if dtype == "<f8" else (-149, 120)
    K = draw(st.integers(2, 300))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    e = rng.integers(lo, hi, (2, K))
    a = np.ldexp(rng.random((2, K)) + 0.5, e).astype(dtype)
    a[rng.random((2, K)) < 0.2] = 0.0
    j = int(rng.integers(K))
    a[0, j] = np.ldexp(1.0, int(draw(st.integers(lo, hi))))
    return a[0], a[1], j


@settings(max_examples=80)
@given(pqj=wild_rows())
def test_infinite_exactly_where_the_support_fails(pqj):
    # p_j > 0 = q_j gives +inf for KL, cross-entropy and Renyi orders > 1
    # however small p_j and however large the rest; with q > 0 wherever
    # p > 0 they are finite however small q is (no entry may underflow)
    p, q, j = pqj
    q = q.copy()
    q[j] = 0.0
    for name, kw in [
        ("kl_divergence", {}),
        ("cross_entropy", {}),
        ("renyi_divergence", {"alpha": 2.0}),
        ("renyi_divergence", {"alpha": np.inf}),
    ]:
        assert _measure(name, p, q, **kw) == np.inf, (name, kw)
    q[p > 0] = np.ldexp(1.0, -149).astype(q.dtype)  # tiny, positive
    q[np.argmax(q == 0)] = np.asarray(1e30 if q.dtype == np.float32 else 1e300, q.dtype)
    for name, kw in [
        ("kl_divergence", {}),
        ("cross_entropy", {}),
        ("renyi_divergence", {"alpha": 2.0}),
        ("renyi_divergence", {"alpha": np.inf}),
    ]:
        r = _measure(name, p, q, **kw)
        assert np.isfinite(r) and r >= 0, (name, kw, r)
    for name in ["entropy", "js_divergence", "js_distance", "total_variation", "hellinger"]:
        r = _measure(name, p, q)
        assert np.isfinite(r) and r >= 0, (name, r)
