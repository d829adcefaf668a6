"""Regression tests for issue 7 (bugs found by fuzzing), numbered after the
issue's items, each with neighbours of the reproducer that exercise the same
class.  Expected values come from the 50-digit oracles of tests/fdtest/reference.py
and are compared with its one accuracy bound (``reference.check``); only exact
0, inf and analytic values are written here.

Items 1 and 2 crashed the interpreter: they run in a child process (the fuzz
harness of fdtest/fuzz.py), so that a crash fails one test with its reproducer.
"""

import math
import re
from itertools import pairwise

import numpy as np
import pytest

import fastdiv as fd
from fdtest import fuzz as F
from fdtest import reference as R
from fdtest import tolerance as T
from fdtest.measures import ONE_ARG, RENYI, TWO_ARG, WITH_BASE, WITH_LOGITS

DIVERGENCES = ["kl_divergence", "js_divergence", "js_distance", "total_variation", "hellinger"]


_ORACLE_CACHE = {}


def oracle(name, p, q=None, alpha=None, logits=False, normalize=True):
    """(value, scale) of reference.<name> for one distribution (or pair), cached."""
    p = np.asarray(p, dtype=np.float64).ravel()
    q = None if q is None else np.asarray(q, dtype=np.float64).ravel()
    key = (name, p.tobytes(), None if q is None else q.tobytes(), alpha, logits, normalize)
    if key not in _ORACLE_CACHE:
        args = (
            [p.tolist()] + ([] if q is None else [q.tolist()]) + ([] if alpha is None else [alpha])
        )
        kw = {"normalize": normalize}
        if logits:
            kw["logits"] = True
        _ORACLE_CACHE[key] = R.ORACLES[name](*args, **kw)
    return _ORACLE_CACHE[key]


def oracle_check(
    name, got, p, q=None, *, alpha=None, dtype=np.float64, base=None, logits=False, normalize=True
):
    """``got`` against the oracle for one distribution (or pair) with the one bound."""
    value, scale = oracle(name, p, q, alpha, logits, normalize)
    return R.check(
        got, value, scale, dtype, measure=name, alpha=alpha, base=base, K=np.asarray(p).size
    )


def call(name, p, q=None, alpha=None, **kw):
    f = getattr(fd, name)
    if name == "renyi_entropy":
        return f(p, alpha, **kw)
    if name == "renyi_divergence":
        return f(p, q, alpha, **kw)
    if name in ONE_ARG:
        return f(p, **kw)
    return f(p, q, **kw)


def names_arg(name):
    return re.compile(r"""['"]""" + re.escape(name) + r"""['"]""")


def run_child(fn, args, kwargs=None, pre=None, threads=None):
    """Run fastdiv.<fn>(*args, **kwargs) in the fuzz harness's child process."""
    spec = {
        "fn": fn,
        "args": [
            F.val(a)
            if not (isinstance(a, tuple) and a and a[0] in ("arr", "rng", "special", "val"))
            else a
            for a in args
        ],
        "kwargs": {k: F.val(v) for k, v in (kwargs or {}).items()},
    }
    if pre is not None:
        spec["pre"] = pre
    if threads is not None:
        spec["threads"] = threads
    return F.run_spec(spec)


@pytest.fixture(scope="module", autouse=True)
def _close_worker():
    yield
    F.shutdown()


# --------------------------------------------------------------------------
# 1. None for an argument crashed every two-argument function
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,logits", [(n, False) for n in TWO_ARG] + [(n, True) for n in TWO_ARG if n in WITH_LOGITS]
)
def test_1_none_for_q_is_a_typeerror_naming_q(name, logits):
    args = [[0.5, 0.5], None] + ([2.0] if name == "renyi_divergence" else [])
    kw = {"logits": True} if logits else {}
    out = run_child(name, args, kw)["result"]
    assert out[0] == "raise" and "TypeError" in out[1], out
    assert names_arg("q").search(out[2]), out


BAD_OBJECTS = [
    ("p", None),
    ("q", None),
    ("q", ("special", "object")),
    ("p", ("special", "opaque")),
    ("q", ("special", "dict")),
    ("q", ("special", "none_list")),
    ("q", "abc"),
]


@pytest.mark.parametrize(
    "name,which,bad",
    [
        (n, w, b)
        for n in TWO_ARG + ONE_ARG + ["self_information"]
        for w, b in BAD_OBJECTS
        if w == "p" or n in TWO_ARG
    ],
)
def test_1_neighbours_objects_for_any_argument(name, which, bad):
    good = F.arr(np.array([[0.25, 0.75], [0.5, 0.5]]))
    args = [good, good] if name in TWO_ARG else [good]
    args[0 if which == "p" else 1] = bad if isinstance(bad, tuple) else F.val(bad)
    if name in RENYI:
        args.append(F.val(2.0))
    for logits in [False, True] if name in WITH_LOGITS else [False]:
        out = run_child(name, args, {"logits": True} if logits else {})["result"]
        assert out[0] == "raise" and "TypeError" in out[1], (logits, out)
        assert names_arg(which).search(out[2]), (logits, out)


@pytest.mark.parametrize("name", RENYI)
def test_1_neighbours_none_for_alpha(name):
    args = [[0.5, 0.5]] + ([[0.25, 0.75]] if name == "renyi_divergence" else []) + [None]
    out = run_child(name, args)["result"]
    assert out[0] == "raise" and "TypeError" in out[1] and names_arg("alpha").search(out[2]), out


# --------------------------------------------------------------------------
# 2. huge thread counts crashed; the limit is 4 x the cores available
# --------------------------------------------------------------------------

LIMIT = F.thread_limit()


def _thread_case(mode, n, name="entropy", dtype="<f8"):
    target = F.BY_NAME[name]
    args, arrays = [], []
    for i, a in enumerate(target.args):
        if a in ("p", "q"):
            args.append(("rng", 20240611 + i, (64, 5000), dtype))
            arrays.append(i)
        else:
            args.append(F.val(2.0))
    spec = {
        "fn": name,
        "args": args,
        "kwargs": {},
        "pre": (mode, n),
        "threads": {"arrays": arrays, "axis": -1, "long": False},
    }
    return spec


def test_2_reproducer_set_num_threads_100000_then_entropy():
    out = F.run_spec(_thread_case("set", 100_000))
    assert out["pre"][0] == "raise" and "ValueError" in out["pre"][1], out["pre"]
    assert names_arg("n").search(out["pre"][2]), out["pre"]
    assert out["result"][0] == "ok", out["result"]
    assert not out["threads"], out["threads"]  # the next call gives the 1-thread bits


@pytest.mark.parametrize("mode", ["set", "ctx"])
@pytest.mark.parametrize(
    "n",
    [LIMIT + 1, 100_000, 2**31, 2**63, 2**31 - 1, 2**64, 10**30],
    ids=["limit+1", "1e5", "2**31", "2**63", "2**31-1", "2**64", "1e30"],
)
def test_2_beyond_the_limit_is_a_valueerror_naming_n(mode, n):
    out = F.run_spec(_thread_case(mode, n, "kl_divergence"))
    assert out["pre"][0] == "raise" and "ValueError" in out["pre"][1], out["pre"]
    assert names_arg("n").search(out["pre"][2]), out["pre"]
    assert out["result"][0] == "ok" and not out["threads"], out


@pytest.mark.parametrize("dtype", ["<f8", "<f4"])
@pytest.mark.parametrize("mode", ["set", "ctx"])
@pytest.mark.parametrize("name", ["entropy", "kl_divergence", "js_distance", "renyi_divergence"])
def test_2_the_limit_itself_works_and_matches_one_thread(name, mode, dtype):
    out = F.run_spec(_thread_case(mode, LIMIT, name, dtype))
    assert out["pre"] == ("ok", LIMIT), out["pre"]
    assert out["result"][0] == "ok" and np.all(np.isfinite(out["result"][1])), out["result"]
    assert not out["threads"], out["threads"]  # bit-identical with 1 and 2 threads


# --------------------------------------------------------------------------
# 3. a -0.0 in q hid the +inf of p > 0 = q
# --------------------------------------------------------------------------


def _item3_pair(dtype):
    q = np.full(16, 1 / 15)
    q[0] = -0.0
    p = np.full(16, 0.1 / 14)
    p[0] = 1e-6
    p[1] = 0.9 - 1e-6
    return p.astype(dtype), q.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, ">f8", ">f4"])
@pytest.mark.parametrize(
    "name,alpha",
    [
        ("kl_divergence", None),
        ("cross_entropy", None),
        ("renyi_divergence", 2.0),
        ("renyi_divergence", np.inf),
    ],
)
def test_3_reproducer_negative_zero_in_q_gives_inf(name, alpha, dtype):
    p, q = _item3_pair(dtype)
    got = call(name, p, q, alpha)
    assert got == np.inf, got
    oracle_check(name, got, p, q, alpha=alpha, dtype=dtype)


POSITIONS = [0, 15, 16, 255, 256, 4095, 4096]


def _long_pair(K, seed, dtype):
    rng = np.random.default_rng(seed)
    p = (rng.random(K) + 0.5).astype(dtype)
    q = (rng.random(K) + 0.5).astype(dtype)
    return p, q


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("K", [4097, 8200])
@pytest.mark.parametrize("j", POSITIONS)
def test_3_negative_zero_in_q_at_chunk_and_block_boundaries(j, K, dtype):
    p, q = _long_pair(K, j, dtype)
    q[j] = -0.0
    qplus = q.copy()
    qplus[j] = 0.0
    for name, alpha in [
        ("kl_divergence", None),
        ("cross_entropy", None),
        ("renyi_divergence", 2.0),
        ("renyi_divergence", 7.5),
        ("renyi_divergence", np.inf),
    ]:
        got = call(name, p, q, alpha)
        assert got == np.inf, (name, alpha, got)
        assert call(name, p, qplus, alpha) == np.inf
    # in a batch, with other rows finite
    P = np.stack([p, p, p])
    Q = np.stack([p, q, qplus])
    got = fd.kl_divergence(P, Q)
    assert got[0] == 0.0 and got[1] == np.inf and got[2] == np.inf, got


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("j", POSITIONS)
def test_3_negative_zero_is_a_zero_everywhere(j, dtype):
    """-0.0 in p, in q, or in both gives the bits of +0.0, and meets the oracle."""
    K = 4100
    p, q = _long_pair(K, 100 + j, dtype)
    cases = []
    for wp, wq in [(True, False), (False, True), (True, True)]:
        pm, qm, pz, qz = p.copy(), q.copy(), p.copy(), q.copy()
        if wp:
            pm[j], pz[j] = -0.0, 0.0
        if wq:
            qm[j], qz[j] = -0.0, 0.0
        cases.append((pm, qm, pz, qz))
    for pm, qm, pz, qz in cases:
        for name in WITH_LOGITS:
            a, b = call(name, pm, qm), call(name, pz, qz)
            assert np.float64(a).tobytes() == np.float64(b).tobytes(), (name, a, b)
        for name in RENYI:
            for alpha in [0.0, 0.5, 2.0, np.inf]:
                a, b = call(name, pm, qm, alpha), call(name, pz, qz, alpha)
                assert np.float64(a).tobytes() == np.float64(b).tobytes(), (name, alpha, a, b)
    pm, qm = cases[2][0], cases[2][1]
    oracle_check("kl_divergence", call("kl_divergence", pm, qm), pm, qm, dtype=dtype)
    oracle_check(
        "renyi_divergence", call("renyi_divergence", pm, qm, 2.0), pm, qm, alpha=2.0, dtype=dtype
    )


# --------------------------------------------------------------------------
# 4. Renyi overflow / underflow, and monotonicity in alpha
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,p,q,alpha",
    [
        ("renyi_divergence", [0.9, 0.1], [0.1, 0.9], 1000.0),
        ("renyi_divergence", [1.0, 0.0], [5e-324, 1.0], 2.0),
        ("renyi_entropy", [0.9, 0.1], None, 1e4),
        ("renyi_entropy", [0.9, 0.1], None, 1e5),
        ("renyi_divergence", [1.0, 0.0, 5e-324], [1.0, 0.5, 5e-324], np.inf),
    ],
    ids=["div-1000", "div-subnormal-q", "ent-1e4", "ent-1e5", "div-inf-subnormal"],
)
def test_4_reproducers(name, p, q, alpha):
    got = call(name, np.array(p), None if q is None else np.array(q), alpha)
    assert np.isfinite(got), got
    oracle_check(name, got, p, q, alpha=alpha)


def test_4_reproducer_analytic_values():
    assert fd.renyi_divergence([1, 0, 5e-324], [1, 0.5, 5e-324], np.inf) == pytest.approx(
        math.log(1.5), rel=1e-13
    )
    # exact: log(0.9**1000 * 0.1**-999 + 0.1**1000 * 0.9**-999) / 999
    exact = (1000 * math.log(0.9) - 999 * math.log(0.1)) / 999
    assert fd.renyi_divergence([0.9, 0.1], [0.1, 0.9], 1000) == pytest.approx(exact, rel=1e-13)


BIG_ALPHAS = [1e2, 1e3, 1e4, 1e5, 1e6, 1e10, 1e15, 1e100, 1e300]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("alpha", BIG_ALPHAS)
def test_4_large_orders(alpha, dtype):
    pairs = [
        ([0.9, 0.1], [0.1, 0.9]),
        ([0.5, 0.3, 0.2], [0.2, 0.3, 0.5]),
        ([1 - 1e-9, 1e-9], [0.5, 0.5]),
        ([0.25] * 4, [0.1, 0.2, 0.3, 0.4]),
    ]
    for p, q in pairs:
        p, q = np.array(p, dtype=dtype), np.array(q, dtype=dtype)
        for name, args in [("renyi_entropy", (p, None)), ("renyi_divergence", (p, q))]:
            got = call(name, *args, alpha)
            assert np.isfinite(got), (name, p, q, alpha, got)
            oracle_check(name, got, *args, alpha=alpha, dtype=dtype)


@pytest.mark.parametrize("alpha", [0.0, 0.5, 0.999, 1.5, 2.0, 3.0, 10.0, 1e3, np.inf])
@pytest.mark.parametrize(
    "p,q",
    [
        ([1.0, 0.0], [5e-324, 1.0]),
        ([1.0, 1.0], [1e-300, 1e300]),
        ([1.0, 1e-300], [1e-300, 1.0]),
        ([1.0, 0.0], [1e-300, 1e300]),
        ([1e-308, 0.0], [5e-324, 1e300]),
        ([0.5, 0.5, 5e-324], [1.0, 1e-300, 5e-324]),
        ([1e300, 1.0], [1.0, 1e300]),
    ],
    ids=[
        "subnormal-q",
        "far-q",
        "crossed",
        "alpha0-underflow",
        "subnormal-p",
        "mixed",
        "swapped-scales",
    ],
)
def test_4_subnormal_and_far_apart_entries(p, q, alpha):
    got = fd.renyi_divergence(p, q, alpha)
    oracle_check("renyi_divergence", got, p, q, alpha=alpha)
    got = fd.renyi_entropy(p, alpha)
    oracle_check("renyi_entropy", got, p, alpha=alpha)


ALPHA_GRID = [
    0.0,
    0.1,
    0.5,
    1 - 1e-9,
    1.0,
    1 + 1e-9,
    1.5,
    2.0,
    7.5,
    100.0,
    1e3,
    1e4,
    1e5,
    1e10,
    1e100,
    np.inf,
]


def _monotone(values, increasing):
    for (a0, x), (a1, y) in pairwise(values):
        assert not (math.isnan(x) or math.isnan(y)), values
        if math.isinf(x) or math.isinf(y):
            assert (y >= x) if increasing else (y <= x), (a0, x, a1, y)
            continue
        slack = T.monotone_slack(x, y)
        assert ((y - x) if increasing else (x - y)) >= -slack, (a0, x, a1, y)


@pytest.mark.parametrize("seed", range(6))
def test_4_monotone_in_alpha(seed):
    rng = np.random.default_rng(seed)
    K = [2, 3, 16, 300, 4097, 5000][seed]
    p = rng.random(K) ** 4
    q = rng.random(K) ** 4
    p[rng.random(K) < 0.1] = 0.0
    if seed % 2:
        q[0] = 5e-324
        p[1] = 1e-300
    ents = [(a, float(fd.renyi_entropy(p, a))) for a in ALPHA_GRID]
    divs = [(a, float(fd.renyi_divergence(p, q, a))) for a in ALPHA_GRID]
    _monotone(ents, increasing=False)
    _monotone(divs, increasing=True)


def test_4_monotone_reproducer_pairs():
    for p, q in [
        ([0.9, 0.1], [0.1, 0.9]),
        ([1, 0], [5e-324, 1]),
        ([1, 0, 5e-324], [1, 0.5, 5e-324]),
    ]:
        _monotone([(a, float(fd.renyi_divergence(p, q, a))) for a in ALPHA_GRID], True)
        _monotone([(a, float(fd.renyi_entropy(p, a))) for a in ALPHA_GRID], False)


# --------------------------------------------------------------------------
# 5. logits with a large common offset
# --------------------------------------------------------------------------


def test_5_reproducers_are_exactly_zero():
    assert fd.js_divergence([0.0, 0.0], [1e17, 1e17], logits=True) == 0.0
    assert fd.total_variation(np.float32([1e4] * 3), np.zeros(3, "f4"), logits=True) == 0.0
    assert fd.js_distance(np.zeros(5), np.full(5, 7.0), logits=True) == 0.0


OFFSETS64 = [1e3, 1e10, 1e17, 1e100, 1e300, -1e300, 1.7e308, -1.7e308]
OFFSETS32 = [1e3, 1e10, 1e17, 1e30, 3e38, -3e38]


@pytest.mark.parametrize("K", [1, 2, 3, 5, 16, 255, 256, 257, 4097])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_5_constant_rows_with_any_offset_are_uniform(K, dtype):
    offsets = OFFSETS64 if dtype == np.float64 else OFFSETS32
    for c1 in [0.0] + offsets:
        for c2 in offsets:
            a, b = np.full(K, c1, dtype), np.full(K, c2, dtype)
            for name in DIVERGENCES:
                assert call(name, a, b, logits=True) == 0.0, (name, c1, c2)
            # both uniform: cross-entropy and entropy are log K (value and scale)
            for name, args in [("entropy", (b,)), ("cross_entropy", (a, b))]:
                got = call(name, *args, logits=True)
                R.check(got, math.log(K), math.log(K), dtype, measure=name, K=K)


@pytest.mark.parametrize("K", [10, 300, 5000])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_5_rounded_offsets_meet_the_bound(K, dtype):
    """z + c (rounded to the dtype) against the oracle of those exact doubles."""
    rng = np.random.default_rng(K)
    z = rng.normal(0, 3, K)
    w = rng.normal(0, 3, K)
    offsets = OFFSETS64 if dtype == np.float64 else OFFSETS32
    for c in offsets if K < 1000 else offsets[2::3]:
        zc = np.clip(z + c, -np.finfo(dtype).max, np.finfo(dtype).max).astype(dtype)
        names = [
            "entropy",
            "cross_entropy",
            "kl_divergence",
            "js_divergence",
            "js_distance",
            "total_variation",
            "hellinger",
        ]
        for name in names if K < 1000 else names[::2]:
            wd = w.astype(dtype)
            for args in (
                [(zc,)] if name == "entropy" else [(zc, wd), (wd, zc)][: 2 if K < 1000 else 1]
            ):
                got = call(name, *args, logits=True)
                oracle_check(name, got, *args, logits=True, dtype=dtype)


@pytest.mark.parametrize("e", [10, 30, 52, 60, 100, 300, 1000, 1023])
def test_5_exact_shifts_do_not_change_results_beyond_the_bound(e):
    """z and z + 2**e hold the same distribution (the shift is exact)."""
    rng = np.random.default_rng(e)
    u = 2.0 ** (e - 52)
    spread = max(1.0, 16.0 / u)
    for K in [3, 257] + ([4097] if e in (30, 1023) else []):
        z = np.round(rng.uniform(-spread, spread, K)) * u
        w = np.round(rng.uniform(-spread, spread, K)) * u
        for sign in (1.0, -1.0):
            c = sign * 2.0**e
            zc, wc = z + c, w - c
            assert np.all(zc - c == z) and np.all(wc + c == w)
            for name in WITH_LOGITS:
                shifted = (zc,) if name == "entropy" else (zc, wc)
                plain = (z,) if name == "entropy" else (z, w)
                got = call(name, *shifted, logits=True)
                oracle_check(name, got, *plain, logits=True)  # the oracle of the unshifted rows
                oracle_check(name, call(name, *plain, logits=True), *plain, logits=True)


def test_5_shift_of_a_row_in_a_batch():
    """Rows shifted by different exact constants: each meets the bound of its unshifted row."""
    rng = np.random.default_rng(5)
    Z = np.round(rng.normal(0, 2, (4, 300)) * 64) / 64
    W = rng.normal(0, 2, (4, 300))
    c = np.array([[0.0], [2.0**20], [-(2.0**40)], [2.0**45]])
    Zc = Z + c
    assert np.all(Zc - c == Z)
    for name in ["kl_divergence", "js_divergence", "total_variation", "hellinger", "cross_entropy"]:
        got = call(name, Zc, W, logits=True)
        for i in range(4):
            oracle_check(name, got[i], Z[i], W[i], logits=True)


# --------------------------------------------------------------------------
# 6. rows whose sums are huge or tiny
# --------------------------------------------------------------------------


def test_6_reproducers():
    assert fd.kl_divergence([1e160, 1e-170], [1, 0]) == np.inf
    got = fd.kl_divergence([1.0, 1.0], [1e-300, 1e160])
    oracle_check("kl_divergence", got, [1.0, 1.0], [1e-300, 1e160])
    g32 = fd.kl_divergence(np.float32([1, 1]), np.float32([1e20, 1e-30]))
    assert np.isfinite(g32)
    q32 = np.float32([1e20, 1e-30]).astype(np.float64)  # the float32 values, exactly
    g64 = fd.kl_divergence(np.float64([1, 1]), q32)
    oracle_check("kl_divergence", g32, [1, 1], q32, dtype=np.float32)
    oracle_check("kl_divergence", g64, [1, 1], q32)
    value, scale = R.kl_divergence([1.0, 1.0], q32.tolist())
    assert abs(g32 - g64) <= R.tolerance(value, scale, np.float32, measure="kl_divergence")
    assert fd.entropy([1e308, 1e308]) == pytest.approx(math.log(2), rel=1e-15, abs=0)


SUMS64 = [1e-300, 1e-200, 1e-100, 1.0, 1e100, 1e200, 1e300]
SUMS32 = [1e-38, 1e-20, 1.0, 1e20, 1e38]


@pytest.mark.parametrize("K", [2, 16, 100])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_6_scaled_rows(K, dtype):
    rng = np.random.default_rng(K)
    p0, q0 = rng.random(K) + 0.01, rng.random(K) + 0.01
    q0[K // 2] = 0.0
    sums = SUMS64 if dtype == np.float64 else SUMS32
    for s in sums:
        for t in sums:
            with np.errstate(over="ignore", under="ignore"):
                p, q = (p0 * s / K).astype(dtype), (q0 * t / K).astype(dtype)
            for name in [
                "entropy",
                "cross_entropy",
                "kl_divergence",
                "js_divergence",
                "total_variation",
                "hellinger",
                "renyi_divergence",
            ]:
                alpha = 2.0 if name == "renyi_divergence" else None
                args = (p,) if name == "entropy" else (p, q)
                got = call(name, *args, alpha)
                oracle_check(name, got, *args, alpha=alpha, dtype=dtype)


@pytest.mark.parametrize("K", [2, 3, 100, 4097])
def test_6_sums_that_overflow_and_subnormal_rows(K):
    rows = [
        np.full(K, 1e308),
        np.full(K, 1.7976931348623157e308),
        np.full(K, 5e-324),
        np.r_[np.full(K - 1, 1.7e308), 5e-324],
        np.r_[np.full(K - 1, 5e-324), 1e-310],
    ]
    for i, p in enumerate(rows):
        got = fd.entropy(p)
        oracle_check("entropy", got, p)
        long = K > 1000  # the oracle is slow on long rows: fewer pairs and measures
        for q in rows[i : i + 2] if long else rows:
            for name in (
                ["kl_divergence", "js_divergence"]
                if long
                else [
                    "cross_entropy",
                    "kl_divergence",
                    "js_divergence",
                    "js_distance",
                    "total_variation",
                    "hellinger",
                ]
            ):
                oracle_check(name, call(name, p, q), p, q)
            for alpha in [2.0] if long else [0.5, 2.0, np.inf]:
                oracle_check(
                    "renyi_divergence", fd.renyi_divergence(p, q, alpha), p, q, alpha=alpha
                )
    assert fd.entropy(np.full(K, 1e308)) == pytest.approx(math.log(K), rel=1e-14)


# --------------------------------------------------------------------------
# 7. logit spreads beyond DBL_MAX
# --------------------------------------------------------------------------


def test_7_reproducers():
    assert fd.entropy([1e308, -1e308], logits=True) == 0.0
    assert fd.kl_divergence([-1e308, 1e308], [1e308, -1e308], logits=True) == np.inf


SPREADS = [
    [1e308, -1e308],
    [-1e308, 1e308],
    [1.7976931348623157e308, -1.7976931348623157e308, 0.0],
    [0.0, 0.0],
    [1e308, 1e308],
    [-1.7e308, 0.0, 1.7e308, -0.0],
]


def test_7_neighbours_pairs_of_extremes():
    for p in SPREADS:
        for q in SPREADS:
            if len(p) != len(q):
                continue
            for name in [
                "cross_entropy",
                "kl_divergence",
                "js_divergence",
                "js_distance",
                "total_variation",
                "hellinger",
            ]:
                got = call(name, np.array(p), np.array(q), logits=True)
                assert not np.isnan(got), (name, p, q)
                oracle_check(name, got, p, q, logits=True)
        got = fd.entropy(p, logits=True)
        assert not np.isnan(got)
        oracle_check("entropy", got, p, logits=True)
    # finite although a logit gap is beyond DBL_MAX: -log q = 2e308 / 2 for half the mass
    got = fd.cross_entropy([0.0, 0.0], [1e308, -1e308], logits=True)
    assert np.isfinite(got) and got > 1e307
    assert fd.cross_entropy([-1e308, 1e308], [1e308, -1e308], logits=True) == np.inf


@pytest.mark.parametrize("K", [3, 300, 4097])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_7_long_rows_of_extremes(K, dtype):
    big = float(np.finfo(dtype).max)
    rng = np.random.default_rng(K)
    for trial in range(3 if K < 1000 else 1):
        z = rng.choice([-big, big, 0.0, -big / 2, big / 3], K).astype(dtype)
        w = rng.choice([-big, big, 1.0, -0.0], K).astype(dtype)
        for name in WITH_LOGITS:
            args = (z,) if name == "entropy" else (z, w)
            got = call(name, *args, logits=True)
            assert not np.isnan(got), (name, trial)
            oracle_check(name, got, *args, logits=True, dtype=dtype)


# --------------------------------------------------------------------------
# 8. base and alpha beyond float64; dimensions beyond 32 and 64
# --------------------------------------------------------------------------


@pytest.mark.parametrize("base", [10**400, -(10**400)], ids=["1e400", "-1e400"])
@pytest.mark.parametrize("name", WITH_BASE + ["self_information"])
def test_8_huge_base_is_a_valueerror_naming_base(name, base):
    q = [0.5, 0.5] if name in TWO_ARG else None
    with pytest.raises(ValueError, match=names_arg("base")):
        if name == "self_information":
            fd.self_information([0.5, 0.25], base=base)
        else:
            call(name, [0.25, 0.75], q, 2.0, base=base)


@pytest.mark.parametrize("alpha", [10**400, -(10**400)], ids=["1e400", "-1e400"])
@pytest.mark.parametrize("name", RENYI)
def test_8_huge_alpha_is_a_valueerror_naming_alpha(name, alpha):
    with pytest.raises(ValueError, match=names_arg("alpha")):
        call(name, [0.25, 0.75], [0.5, 0.5], alpha)


@pytest.mark.parametrize("nd_p,nd_q", [(40, 30), (33, 33), (63, 1), (1, 63), (50, 63), (63, 63)])
@pytest.mark.parametrize("name", TWO_ARG)
def test_8_broadcasting_beyond_32_dimensions(name, nd_p, nd_q):
    p = np.array([0.3, 0.7]).reshape((1,) * nd_p + (2,))
    q = np.array([0.6, 0.4]).reshape((1,) * nd_q + (2,))
    try:
        got = call(name, p, q, 2.0)
    except ValueError as e:
        assert names_arg("p").search(str(e)) and names_arg("q").search(str(e)), e
        return
    assert got.shape == (1,) * max(nd_p, nd_q)
    oracle_check(
        name, got.reshape(-1)[0], [0.3, 0.7], [0.6, 0.4], alpha=2.0 if name in RENYI else None
    )


@pytest.mark.parametrize("name", ONE_ARG)
def test_8_sixty_four_dimensions_work(name):
    p = np.array([0.3, 0.7]).reshape((1,) * 63 + (2,))
    got = call(name, p, None, 2.0)
    assert got.shape == (1,) * 63
    oracle_check(name, got.reshape(-1)[0], [0.3, 0.7], alpha=2.0 if name in RENYI else None)


def _deep(depth):
    x = [0.5, 0.5]
    for _ in range(depth - 1):
        x = [x]
    return x


@pytest.mark.parametrize(
    "name,which",
    [
        (n, w)
        for n in TWO_ARG + ONE_ARG + ["self_information"]
        for w in "pq"
        if w == "p" or n in TWO_ARG
    ],
)
def test_8_more_than_64_dimensions(name, which):
    bad = _deep(65)
    good = [0.5, 0.5]
    p, q = (bad, good) if which == "p" else (good, bad)
    with pytest.raises((ValueError, TypeError), match=names_arg(which)):
        if name == "self_information":
            fd.self_information(p)
        else:
            call(name, p, q if name in TWO_ARG else None, 2.0)


# --------------------------------------------------------------------------
# found by the long fuzz profile after the fixes above
# --------------------------------------------------------------------------


@pytest.mark.parametrize("K", [3, 9, 10, 26, 1000])
@pytest.mark.parametrize("logits", [False, True])
def test_fuzz_base2_entropy_within_log2_k(K, logits):
    # log K / log 2 rounds one ulp above log2 K for these K; the result must not
    p = np.zeros(K) if logits else np.ones(K)
    assert fd.entropy(p, base=2, logits=logits) <= math.log2(K)
    assert fd.entropy(p, base=2, logits=logits) == pytest.approx(math.log2(K), rel=1e-15)
    assert fd.renyi_entropy(np.ones(K), 2.0, base=2) <= math.log2(K)


@pytest.mark.parametrize("name", ["kl_divergence", "cross_entropy"])
def test_fuzz_logits_value_past_dbl_max_in_nats_fits_in_base_10(name):
    # exact: 2e308 nats (+inf in nats), 8.6859e307 in base 10
    zp, zq = [1e308, -1e308], [-1e308, 1e308]
    assert getattr(fd, name)(zp, zq, logits=True) == np.inf
    oracle_check(
        name, getattr(fd, name)(zp, zq, logits=True, base=10), zp, zq, logits=True, base=10
    )


@pytest.mark.parametrize("alpha", [0.5, 1 - 1e-9, 1 + 1e-9, 2.0, 1e3])
def test_fuzz_renyi_normalize_false_divides_by_the_mass(alpha):
    # a float32 p is off 1 by up to its tolerance: log(sum p^a q^(1-a) / sum p),
    # which tends to KL as alpha -> 1, in every branch of the evaluation
    p = np.float32([0.8683021068572998, 0.13169792294502258])
    q = [0.1, 0.9]
    got = fd.renyi_divergence(p, q, alpha, normalize=False)
    # mixed float32 / float64 input: the float64 bound
    oracle_check("renyi_divergence", got, p.astype(float).tolist(), q, alpha=alpha, normalize=False)
