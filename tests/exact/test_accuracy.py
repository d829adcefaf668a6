"""Accuracy against high-precision references.

1. Measures on float64 inputs: |result - ref| <= ORACLE_F64.per_scale *
   sum(|terms|) (float32: ORACLE_F32.per_scale; fdtest/tolerance.py), where
   the terms are the per-element contributions of the (exactly) normalized
   distributions.  The reference is a 50-digit mpmath computation for
   K <= 100_000; for K = 1_000_000 it is a vectorized float64 computation of
   the terms (C-library log, each term accurate to a few ulp) summed exactly
   with math.fsum -- an error of a few 1e-16 * sum(|terms|), i.e. a few percent
   of the tolerance.  That method is itself checked against mpmath at K=100_000.

2. The SIMD log/exp used by the kernels (fastdiv._divergence.simd_log /
   simd_exp) for every available ISA: <= SIMD_ULP ulp (integer distance between bit
   patterns) against the C library over the whole positive range, subnormals
   included, and against correctly rounded mpmath values on a subsample.
"""

import math

import mpmath
import numpy as np
import pytest
import scipy.special as sc

import fastdiv as fd
from fastdiv import _divergence as _dv
from fdtest import tolerance as T
from fdtest.measures import call

MEASURES = [
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "js_divergence",
    "total_variation",
    "hellinger",
]


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------


def make_data(K, kind, seed):
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        p, q = rng.random(K), rng.random(K)
    else:  # wide dynamic range: entries spanning ~1e-13 .. 1e13
        p, q = rng.lognormal(0.0, 3.0, K), rng.lognormal(0.0, 3.0, K)
    # exact zeros: p = 0 in ~5% of places; q = 0 only where p = 0 (KL stays finite)
    zp = rng.random(K) < 0.05
    zp[0] = False
    p[zp] = 0.0
    q[zp & (rng.random(K) < 0.5)] = 0.0
    return p, q


# --------------------------------------------------------------------------
# references
# --------------------------------------------------------------------------


def mp_reference(p, q):
    """50-digit reference: {measure: (value, sum of |terms|)} as Python floats.

    Hellinger is reported through its square (terms 0.5 (sqrt p - sqrt q)^2)."""
    with mpmath.workdps(50):
        mpf, ln, sqrt = mpmath.mpf, mpmath.log, mpmath.sqrt
        zero, half = mpf(0), mpf("0.5")
        P = [mpf(x) for x in p.tolist()]
        Q = [mpf(x) for x in q.tolist()]
        Sp, Sq = mpmath.fsum(P), mpmath.fsum(Q)
        lSp, lSq = ln(Sp), ln(Sq)
        acc = {m: [zero, zero] for m in MEASURES}

        def add(m, t):
            acc[m][0] += t
            acc[m][1] += abs(t)

        for a, b in zip(P, Q):
            pi, qi = a / Sp, b / Sq
            lp = ln(a) - lSp if a else None
            lq = ln(b) - lSq if b else None
            if a:
                add("entropy", -pi * lp)
                add("cross_entropy", -pi * lq)
                add("kl_divergence", pi * (lp - lq))
            if a or b:
                lm = ln((pi + qi) * half)
                t = zero
                if a:
                    t += pi * (lp - lm)
                if b:
                    t += qi * (lq - lm)
                add("js_divergence", half * t)
            add("total_variation", half * abs(pi - qi))
            d = sqrt(pi) - sqrt(qi)
            add("hellinger", half * d * d)
        return {m: (float(v), float(s)) for m, (v, s) in acc.items()}


def fsum_reference(p, q):
    """Vectorized reference: float64 terms (few-ulp accurate each), exact sum."""
    pn = p / math.fsum(p.tolist())
    qn = q / math.fsum(q.tolist())
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = {
            "entropy": sc.entr(pn),
            "cross_entropy": -sc.xlogy(pn, qn),
            "kl_divergence": sc.rel_entr(pn, qn),
        }
        m = 0.5 * (pn + qn)
        terms["js_divergence"] = 0.5 * (sc.rel_entr(pn, m) + sc.rel_entr(qn, m))
        terms["total_variation"] = 0.5 * np.abs(pn - qn)
        terms["hellinger"] = 0.5 * (np.sqrt(pn) - np.sqrt(qn)) ** 2
    return {m: (math.fsum(t.tolist()), math.fsum(np.abs(t).tolist())) for m, t in terms.items()}


_CACHE = {}


def reference(K, kind):
    key = (K, kind)
    if key not in _CACHE:
        p, q = make_data(K, kind, seed=K + (0 if kind == "uniform" else 1))
        ref = fsum_reference(p, q) if K > 100_000 else mp_reference(p, q)
        _CACHE[key] = (p, q, ref)
    return _CACHE[key]


# --------------------------------------------------------------------------
# measures
# --------------------------------------------------------------------------


def accuracy_failures(p, q, ref, rel=T.ORACLE_F64.per_scale):
    """Every measure of (p, q) against ref: a message for each one whose error
    exceeds rel * sum(|terms|)."""
    failures = []
    for name in MEASURES:
        got = float(call(name, p, q))
        value, sabs = ref[name]
        if name == "hellinger":
            # H = sqrt(S) with S the sum of the terms: rel on S is rel/2 on H
            value, sabs = math.sqrt(value), math.sqrt(sabs)
        err, bound = abs(got - value), rel * sabs
        if not err <= bound:
            failures.append(f"{name}: got {got!r}, ref {value!r}, err {err:.3e} > {bound:.3e}")
    return failures


@pytest.mark.parametrize("kind", ["uniform", "lognormal"])
@pytest.mark.parametrize("K", [10, 1000, 100_000, 1_000_000])
def test_measures_accuracy(K, kind):
    p, q, ref = reference(K, kind)
    p0, q0 = p.copy(), q.copy()
    failures = accuracy_failures(p, q, ref)
    assert not failures, "\n".join(failures)
    assert np.array_equal(p, p0) and np.array_equal(q, q0)


@pytest.mark.parametrize("isa", _dv.isa_available())
@pytest.mark.parametrize("K", [1000, 1_000_000])
def test_measures_accuracy_every_isa(K, isa, isa_state):
    _dv.set_isa(isa)
    for kind in ["uniform", "lognormal"]:
        p, q, ref = reference(K, kind)
        failures = accuracy_failures(p, q, ref)
        assert not failures, (isa, kind, failures)


@pytest.mark.parametrize("kind", ["uniform", "lognormal"])
def test_fsum_reference_method_is_accurate(kind):
    # The K = 1e6 reference is only trusted because this holds at K = 1e5.
    p, q, ref = reference(100_000, kind)
    vec = fsum_reference(p, q)
    for name in MEASURES:
        (v_mp, s_mp), (v_vec, _) = ref[name], vec[name]
        assert abs(v_vec - v_mp) <= 1e-14 * s_mp, name


def test_accuracy_in_batches():
    # the same rows computed as a batch must meet the same bound
    rows = [make_data(1000, "lognormal", seed=100 + i) for i in range(4)]
    P = np.stack([r[0] for r in rows])
    Q = np.stack([r[1] for r in rows])
    refs = [mp_reference(p, q) for p, q in rows]
    for name in ["entropy", "kl_divergence", "js_divergence"]:
        got = call(name, P, Q)
        for i in range(4):
            value, sabs = refs[i][name]
            assert abs(got[i] - value) <= T.ORACLE_F64.per_scale * sabs, (name, i)


# --------------------------------------------------------------------------
# SIMD log / exp
# --------------------------------------------------------------------------

N_SAMPLES = 2_000_000
N_MP = 20_000


def ulp_distance(a, b):
    """Number of representable floats between a and b (same dtype, no NaN), as uint64."""
    assert a.dtype == b.dtype
    if a.dtype == np.float64:
        ia, ib = a.view(np.int64), b.view(np.int64)
        mask = np.int64(0x7FFFFFFFFFFFFFFF)
    else:
        ia, ib = a.view(np.int32).astype(np.int64), b.view(np.int32).astype(np.int64)
        mask = np.int64(0x7FFFFFFF)
    ma, mb = (ia & mask).astype(np.uint64), (ib & mask).astype(np.uint64)
    same = (ia < 0) == (ib < 0)
    diff_same = np.where(ma > mb, ma - mb, mb - ma)
    return np.where(same, diff_same, ma + mb)


def _bits_uniform(rng, n, lo, hi, dtype):
    """n floats whose bit patterns are uniform in [lo, hi)."""
    if dtype == np.float64:
        return rng.integers(lo, hi, size=n, dtype=np.uint64).view(np.float64)
    return rng.integers(lo, hi, size=n, dtype=np.uint32).view(np.float32)


def log_inputs(dtype):
    rng = np.random.default_rng(7)
    fi = np.finfo(dtype)
    if dtype == np.float64:
        x = _bits_uniform(rng, N_SAMPLES, 1, 0x7FF0000000000000, dtype)
    else:
        x = _bits_uniform(rng, N_SAMPLES, 1, 0x7F800000, dtype)
    one = dtype(1.0)
    k = np.arange(1, 2000)
    near1 = np.concatenate(
        [
            one + k * fi.eps,  # just above 1
            one - k * (fi.eps / 2),  # just below 1
            rng.uniform(0.5, 2.0, 100_000),  # the range where log is smallest
            rng.uniform(1 - 1e-3, 1 + 1e-3, 100_000),
        ]
    ).astype(dtype)
    edges = np.array(
        [
            fi.smallest_subnormal,
            2 * fi.smallest_subnormal,
            fi.smallest_normal,
            np.nextafter(fi.smallest_normal, dtype(0)),
            np.nextafter(fi.smallest_normal, dtype(1)),
            fi.max,
            np.nextafter(fi.max, dtype(0)),
            1.0,
            np.nextafter(one, dtype(0)),
            np.nextafter(one, dtype(2)),
            2.0,
            0.5,
            math.e,
            1 / math.e,
            math.sqrt(2),
            math.sqrt(0.5),
            10.0,
        ],
        dtype=dtype,
    )
    pow2 = np.ldexp(one, np.arange(fi.minexp - fi.nmant, fi.maxexp)).astype(dtype)
    return np.ascontiguousarray(np.concatenate([x, near1, edges, pow2]).astype(dtype))


def exp_inputs(dtype):
    rng = np.random.default_rng(8)
    if dtype == np.float64:
        lim = np.array([-745.2], np.float64).view(np.int64)[0] & 0x7FFFFFFFFFFFFFFF
        x = _bits_uniform(rng, N_SAMPLES, 0, int(lim), dtype)
        uni = -rng.uniform(0, 745.2, 200_000)
        edges = [
            0.0,
            -5e-324,
            -1e-300,
            -(2.0**-53),
            -(2.0**-52),
            -1e-10,
            -0.5,
            -1.0,
            -math.log(2),
            -708.3,
            -708.39,
            -708.396,
            -708.4,
            -709.0,
            -744.0,
            -745.13,
            -745.2,
            -746.0,
            -1000.0,
            -1e300,
        ]
    else:
        lim = np.array([-104.0], np.float32).view(np.int32)[0] & 0x7FFFFFFF
        x = _bits_uniform(rng, N_SAMPLES, 0, int(lim), dtype)
        uni = -rng.uniform(0, 104.0, 200_000)
        edges = [
            0.0,
            -1e-45,
            -1e-30,
            -(2.0**-24),
            -(2.0**-23),
            -1e-5,
            -0.5,
            -1.0,
            -math.log(2),
            -87.0,
            -87.3,
            -87.33,
            -87.34,
            -88.0,
            -100.0,
            -103.9,
            -104.0,
            -200.0,
            -1e30,
        ]
    x = -np.abs(x)  # bit patterns above are magnitudes; make them non-positive
    return np.ascontiguousarray(
        np.concatenate([x, uni.astype(dtype), np.array(edges, dtype)]).astype(dtype)
    )


_REF = {}


def c_log(x):
    key = ("log", x.dtype.str)
    if key not in _REF:
        if x.dtype == np.float64:
            ref = np.array([math.log(v) for v in x.tolist()], dtype=np.float64)  # C library log
        else:
            ref = np.log(x.astype(np.float64)).astype(np.float32)  # correctly rounded but for ties
        _REF[key] = ref
    return _REF[key]


def c_exp(x):
    key = ("exp", x.dtype.str)
    if key not in _REF:
        if x.dtype == np.float64:
            ref = np.array([math.exp(v) for v in x.tolist()], dtype=np.float64)
        else:
            ref = np.exp(x.astype(np.float64)).astype(np.float32)
        _REF[key] = ref
    return _REF[key]


def mp_sub(x, fn):
    idx = np.random.default_rng(9).choice(x.size, N_MP, replace=False)
    xs = x[idx]
    with mpmath.workdps(50):
        ref = np.array([float(fn(mpmath.mpf(float(v)))) for v in xs.tolist()], dtype=np.float64)
    return idx, ref


_INPUTS = {}


def inputs(kind, dtype):
    key = (kind, np.dtype(dtype).str)
    if key not in _INPUTS:
        _INPUTS[key] = log_inputs(dtype) if kind == "log" else exp_inputs(dtype)
    return _INPUTS[key]


def isa_params():
    return _dv.isa_available()


def worst(x, got, ref, mask=None):
    d = ulp_distance(got, ref)
    if mask is not None:
        d = np.where(mask, d, 0)
    i = int(np.argmax(d))
    return int(d[i]), f"x={x[i]!r} got={got[i]!r} ref={ref[i]!r}"


@pytest.mark.parametrize("isa", isa_params())
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f8", "f4"])
def test_simd_log_ulp(isa, dtype, isa_state):
    _dv.set_isa(isa)
    assert _dv.get_isa() == isa
    x = inputs("log", dtype)
    got = _dv.simd_log(x)
    assert isinstance(got, np.ndarray) and got.dtype == x.dtype and got.shape == x.shape
    assert not np.shares_memory(got, x)
    ref = c_log(x)
    assert np.all(np.isfinite(got)), worst(x, got, ref)
    assert_log_ulp(isa, x, got, ref)


def assert_log_ulp(isa, x, got, ref):
    """got = log x within SIMD_ULP ulp of the C library's ref, and (float64) of
    correctly rounded mpmath values on a subsample."""
    err, where = worst(x, got, ref)
    assert err <= T.SIMD_ULP, f"{isa} {x.dtype}: {err} ulp vs C library at {where}"
    if x.dtype == np.float64:
        idx, mref = mp_sub(x, mpmath.log)
        err, where = worst(x[idx], got[idx], mref)
        assert err <= T.SIMD_ULP, f"{isa}: {err} ulp vs correctly rounded log at {where}"


@pytest.mark.parametrize("isa", isa_params())
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f8", "f4"])
def test_simd_log_special_values(isa, dtype, isa_state):
    _dv.set_isa(isa)
    x = np.array(
        [0.0, np.inf, np.nan, -1.0, -np.inf, -np.finfo(dtype).smallest_subnormal, 1.0], dtype=dtype
    )
    got = _dv.simd_log(x)
    assert got[0] == -np.inf
    assert got[1] == np.inf
    assert np.all(np.isnan(got[2:6]))
    assert got[6] == 0.0
    # every lane position gets the same treatment (vector remainder handling)
    for n in range(1, 40):
        y = np.full(n, 0.0, dtype)
        assert np.all(_dv.simd_log(y) == -np.inf)
        y = np.linspace(0.1, 10, n).astype(dtype)
        assert np.all(ulp_distance(_dv.simd_log(y), c_log_small(y)) <= T.SIMD_ULP)


def c_log_small(y):
    if y.dtype == np.float64:
        return np.array([math.log(v) for v in y.tolist()], np.float64)
    return np.log(y.astype(np.float64)).astype(np.float32)


def test_c_library_reference_is_sane():
    # the oracle itself: glibc log within 1 ulp of the correctly rounded value
    x = inputs("log", np.float64)
    idx, mref = mp_sub(x, mpmath.log)
    assert int(ulp_distance(c_log(x)[idx], mref).max()) <= 1


@pytest.mark.parametrize("isa", isa_params())
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f8", "f4"])
def test_simd_exp_ulp(isa, dtype, isa_state):
    _dv.set_isa(isa)
    x = inputs("exp", dtype)
    got = _dv.simd_exp(x)
    assert isinstance(got, np.ndarray) and got.dtype == x.dtype and got.shape == x.shape
    ref = c_exp(x)
    tiny = np.finfo(dtype).smallest_normal
    normal = ref >= tiny
    err, where = worst(x, got, ref, normal)
    assert err <= T.SIMD_ULP, f"{isa} {x.dtype}: {err} ulp vs C library at {where}"
    # below the normal range: 0 or a (tiny) subnormal, never garbage
    low = ~normal
    assert np.all((got[low] >= 0) & (got[low] <= tiny)), x[low][
        ~((got[low] >= 0) & (got[low] <= tiny))
    ][:5]
    very_low = x < (-746.0 if dtype == np.float64 else -104.0)
    assert np.all(got[very_low] == 0.0)
    assert np.all(got <= 1.0)
    if dtype == np.float64:
        idx, mref = mp_sub(x, mpmath.exp)
        m = mref >= tiny
        err, where = worst(x[idx], got[idx], mref, m)
        assert err <= T.SIMD_ULP, f"{isa}: {err} ulp vs correctly rounded exp at {where}"


@pytest.mark.parametrize("isa", isa_params())
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f8", "f4"])
def test_simd_exp_exact_points(isa, dtype, isa_state):
    _dv.set_isa(isa)
    got = _dv.simd_exp(np.array([0.0, -0.0], dtype))
    assert got.dtype == dtype and np.all(got == 1.0)


# ---- the kernels' own log variants: fd_logs (log of clean inputs, used by the
# one-pass entropy and cross-entropy) and fd_logratio_s (log(x / y) without
# forming x / y, used by every divergence), over their whole domain
# (0, 2^969] for float64 and (0, 2^102] for float32.


def _domain_limit(dtype):
    return 2.0**969 if dtype == np.float64 else 2.0**102


@pytest.mark.parametrize("isa", isa_params())
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f8", "f4"])
def test_simd_logs_ulp(isa, dtype, isa_state):
    _dv.set_isa(isa)
    x = inputs("log", dtype)
    keep = (x > 0) & (x <= _domain_limit(dtype))
    xs = np.ascontiguousarray(x[keep])
    assert_log_ulp(isa, xs, _dv.simd_logs(xs), c_log(x)[keep])


def logratio_pairs(dtype):
    """(x, y) in the domain: anywhere; ratios within 1e-6 of 1 and a few ulp
    from 1; ratios around the reduction's thresholds (2^+-0.5, 2^+-0.586)."""
    rng = np.random.default_rng(12)
    fi = np.finfo(dtype)
    top = 969 if dtype == np.float64 else 102
    n = 8000

    def anywhere(m):
        e = rng.integers(fi.minexp - fi.nmant, top, m)
        return (rng.uniform(1.0, 2.0, m) * np.exp2(e.astype(np.float64))).astype(dtype)

    xa, ya = anywhere(n), anywhere(n)
    xb = anywhere(n)
    yb = (xb.astype(np.float64) * (1.0 + rng.uniform(-1e-6, 1e-6, n))).astype(dtype)
    xc = anywhere(n)
    yc = xc.copy()
    for _ in range(3):
        yc = np.where(
            rng.random(n) < 0.5, np.nextafter(yc, dtype(np.inf)), np.nextafter(yc, dtype(0))
        )
    xd = anywhere(4 * n)
    r = np.concatenate([rng.uniform(0.55, 0.8, 2 * n), rng.uniform(1.25, 1.85, 2 * n)])
    yd = (xd.astype(np.float64) / r).astype(dtype)
    x = np.concatenate([xa, xb, xc, xd])
    y = np.concatenate([ya, yb, yc, yd])
    lim = _domain_limit(dtype)
    keep = (x > 0) & (x <= lim) & (y > 0) & (y <= lim)
    return np.ascontiguousarray(x[keep]), np.ascontiguousarray(y[keep])


@pytest.mark.parametrize("isa", isa_params())
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f8", "f4"])
def test_simd_logratio_ulp(isa, dtype, isa_state):
    _dv.set_isa(isa)
    x, y = logratio_pairs(dtype)
    got = _dv.simd_logratio(x, y)
    assert got.dtype == dtype
    if dtype == np.float64:
        key = ("logratio", "f8")
        if key not in _REF:
            with mpmath.workdps(40):
                _REF[key] = np.array(
                    [
                        float(mpmath.log(mpmath.mpf(a) / mpmath.mpf(b)))
                        for a, b in zip(x.tolist(), y.tolist())
                    ]
                )
        ref = _REF[key]
    else:
        ref = np.log(x.astype(np.float64) / y.astype(np.float64)).astype(np.float32)
    err, where = worst(x, got, ref)
    assert err <= T.SIMD_ULP, (
        f"{isa} {dtype}: {err} ulp vs log(x/y) at {where} "
        f"(y={y[np.argmax(ulp_distance(got, ref))]!r})"
    )
    # equal arguments give exactly 0
    assert np.all(_dv.simd_logratio(x, x) == 0.0)


# ---- the one-pass path: entropy, cross-entropy, KL and Hellinger sum the raw
# terms and normalize afterwards, unless that correction would cancel (more
# than 16x the result); such rows -- a peaked distribution of large counts,
# p and q on different scales with nearly equal shapes -- take the two-pass
# path (onepass() in _divergence.pyx).  The data above mostly take the
# one-pass path.  Both must meet the same bound, here and at the switch.
def _peaked(K, rng, total):
    p = rng.random(K) * 1e-6
    p[rng.integers(K)] = 1.0
    return p / math.fsum(p.tolist()) * total


@pytest.mark.parametrize("kind", ["uniform", "lognormal", "peaked"])
@pytest.mark.parametrize(
    "sp, sq",
    [
        (1.0, 1.0),
        (1 + 1e-9, 1 - 3e-10),
        (1 - 1e-6, 1 + 1e-5),
        (1 + 2e-5, 1.0),
        (1000.0, 1000.0 * (1 + 1e-7)),
        (3.5, 3.5 * (1 - 1e-5)),
        (1e6, 2.0),
        (1e-6, 7e4),
    ],
)
def test_onepass_accuracy(kind, sp, sq):
    if kind == "peaked":
        rng = np.random.default_rng(5)
        p, q = _peaked(3000, rng, 1.0), _peaked(3000, rng, 1.0)
        q = 0.5 * (p + q)  # KL, JS small against sum(p log p)
    else:
        p, q = make_data(3000, kind, seed=5)
    p = p / math.fsum(p.tolist()) * sp
    q = q / math.fsum(q.tolist()) * sq
    failures = accuracy_failures(p, q, mp_reference(p, q))
    assert not failures, failures


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("isa", _dv.isa_available())
def test_onepass_chunks_with_zeros_and_subnormals(dtype, isa, isa_state):
    # A one-pass chunk (256 elements) whose log arguments are all normal takes
    # a fast term loop without the zero/subnormal handling; the others take
    # the full one.  Mixed rows must meet the bound.
    _dv.set_isa(isa)
    tiny = float(np.finfo(dtype).smallest_subnormal) * 3
    p, q = make_data(3000, "uniform", seed=8)
    p, q = (p / p.sum()).astype(dtype), (q / q.sum()).astype(dtype)
    q[300] = tiny  # subnormal q under a normal p: a large term
    p[700] = tiny  # subnormal p
    p[1300] = q[1300] = 0  # a zero pair
    p[2100] = 0  # zero p only
    rel = T.ORACLE_F64.per_scale if dtype == np.float64 else T.ORACLE_F32.per_scale
    ref = mp_reference(p.astype(np.float64), q.astype(np.float64))
    failures = accuracy_failures(p, q, ref, rel=rel)
    assert not failures, failures
    # the choice never shows: appending a zero pair changes no sum and no
    # chunk boundary, but sends the last chunk down the full loop
    rng = np.random.default_rng(9)
    a, b = rng.random(3000) + 1e-3, rng.random(3000) + 1e-3  # all normal
    a, b = (a / a.sum()).astype(dtype), (b / b.sum()).astype(dtype)
    a0, b0 = np.append(a, dtype(0)), np.append(b, dtype(0))
    assert fd.entropy(a) == fd.entropy(a0)
    for name in ("cross_entropy", "kl_divergence"):
        f = getattr(fd, name)
        assert f(a, b) == f(a0, b0), name


@pytest.mark.parametrize("scale", [1.0, 2.0, 3.0, 1 + 2.0**-40])
def test_onepass_switch_keeps_exact_zeros(scale):
    # p = c q: every term of the normalized pair is 0; the two-pass path
    # (taken because the correction log c would cancel) gives exactly 0 when
    # c is a power of two, and ~eps otherwise
    rng = np.random.default_rng(3)
    q = rng.random((4, 500))
    p = q * scale
    kl = fd.kl_divergence(p, q)
    hel = fd.hellinger(p, q)
    if scale in (1.0, 2.0):
        assert np.all(kl == 0.0) and np.all(hel == 0.0)
    assert np.all(kl <= 4e-16) and np.all(hel <= 4e-8)


@pytest.mark.parametrize("kind", ["uniform", "lognormal"])
@pytest.mark.parametrize(
    "sp, sq", [(1.0, 1.0), (1 + 3e-4, 1 - 5e-4), (1 + 2e-3, 1.0), (50.0, 50.0 * (1 + 1e-4))]
)
def test_onepass_accuracy_float32(kind, sp, sq):
    # the float32 analogue of the bound above (terms rounded to float32,
    # sums in double)
    p, q = make_data(3000, kind, seed=6)
    p = (p / math.fsum(p.tolist()) * sp).astype(np.float32)
    q = (q / math.fsum(q.tolist()) * sq).astype(np.float32)
    failures = accuracy_failures(
        p, q, mp_reference(p.astype(np.float64), q.astype(np.float64)), rel=T.ORACLE_F32.per_scale
    )
    assert not failures, failures


# ---- Renyi: accurate both near alpha = 1 (expm1/log1p form) and far from it
# (direct sum), on a support long enough that sum p^alpha << 1 for large alpha.
@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0 - 1e-7, 1.0 + 1e-7, 2.0, 3.0, 10.0, np.inf])
def test_renyi_vs_mpmath(alpha):
    rng = np.random.default_rng(11)
    K = 4000
    p = rng.random(K)
    p[::17] = 0.0
    q = rng.random(K) + 1e-6
    with mpmath.workdps(50):
        P = [mpmath.mpf(float(v)) for v in p]
        Q = [mpmath.mpf(float(v)) for v in q]
        sp, sq = mpmath.fsum(P), mpmath.fsum(Q)
        Pn = [v / sp for v in P]
        Qn = [v / sq for v in Q]
        if alpha == 0.0:
            h_ref = mpmath.log(sum(1 for v in P if v > 0))
            d_ref = -mpmath.log(mpmath.fsum(y for x, y in zip(Pn, Qn) if x > 0))
        elif np.isinf(alpha):
            h_ref = -mpmath.log(max(Pn))
            d_ref = mpmath.log(max(x / y for x, y in zip(Pn, Qn) if x > 0))
        else:
            a = mpmath.mpf(alpha)
            h_ref = mpmath.log(mpmath.fsum(x**a for x in Pn if x > 0)) / (1 - a)
            d_ref = mpmath.log(
                mpmath.fsum(x**a * y ** (1 - a) for x, y in zip(Pn, Qn) if x > 0)
            ) / (a - 1)
    h = fd.renyi_entropy(p, alpha)
    d = fd.renyi_divergence(p, q, alpha)
    assert abs(h - float(h_ref)) <= 1e-13 * float(h_ref), (h, float(h_ref))
    assert abs(d - float(d_ref)) <= 1e-12 * float(d_ref), (d, float(d_ref))
