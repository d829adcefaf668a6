"""Properties of ``fastdiv.discrete``: identities, invariances and ranges
(hypothesis, over label dtypes of both byte orders, strided and reversed
views, vector symbols), the Miller-Madow offset, inputs unmodified, lists
accepted, bit-identical results for 1, 2 and 4 threads, the GIL released.

Tolerance of an identity.  Every result is within the oracle bound of
``fdtest.discrete_reference`` of its exact value (PER_SCALE = 1e-13 per unit
of scale, FLOOR = 2e-15; an entropy term's scale is log n, plus its
Miller-Madow offset), and the identity holds exactly between the exact
values; so a combination ``sum c_i r_i`` of results may be off 0 by the sum
of ``|c_i|`` times each result's bound (``slack``).  Ranges the design
states (MI >= 0, NMI in [0, 1], ...) are asserted exactly; NMI and AMI do
not depend on ``base`` at all (bit-identical); results are bit-identical
for any thread count.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdiv import discrete as D
from fdtest import discrete_reference as R
from fdtest.threads import assert_identical as _assert_identical
from fdtest.threads import call_beside_heartbeat


def assert_identical(got, want, what=""):
    """fdtest.threads.assert_identical for scalars too (as 1-element arrays)."""
    _assert_identical(np.atleast_1d(got), np.atleast_1d(want), what)


MM = "miller-madow"
AVERAGES = R.AVERAGES
SETTINGS = settings(max_examples=60)


def term_bound(n, correction=None, base=None):
    """The oracle bound of one entropy term of n samples (its scale at most
    log n, plus at most 1/2 for Miller-Madow), in the unit of ``base``."""
    scale = math.log(n) + (0.5 if correction else 0.0)
    bound = R.PER_SCALE * scale + R.FLOOR
    return bound / abs(math.log(base)) if base else bound


def slack(n, uses, correction=None, base=None):
    """The allowed |sum c_i r_i| of an identity whose results are formed from
    ``uses`` entropy terms in all (each counted with |c_i|)."""
    return uses * term_bound(n, correction, base)


# --------------------------------------------------------------------------
# strategies: labels of many dtypes and layouts
# --------------------------------------------------------------------------

LABEL_DTYPES = ["<i1", "<i4", ">i4", ">i8", "<u2", ">u8", "<f8", ">f4", "?", "<U3", "S2", "O"]
LAYOUTS = ["C", "strided", "reversed"]


def as_dtype(codes, dtype):
    """Integer codes 0..k-1 as distinct labels of ``dtype`` (an injective map)."""
    c = np.asarray(codes, dtype=np.int64)
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return (c % 2).astype(bool) if c.max(initial=0) <= 1 else c.astype(np.int16)
    if dt.kind == "U":
        return np.array([f"é{v:02d}"[:3] if v < 100 else str(v) for v in c], dtype=dt)
    if dt.kind == "S":
        return np.array([bytes([65 + v // 26, 97 + v % 26]) for v in c], dtype=dt)
    if dt.kind == "O":
        out = np.empty(len(c), dtype=object)
        out[:] = [int(v) * 2**65 - 7 for v in c]
        return out
    if dt.kind == "i":
        return (c * 37 - 60).astype(dt)  # negative labels too
    if dt.kind == "u":
        top = np.uint64(2**64 - 10**6 if dt.itemsize == 8 else 0)  # huge uint64 labels
        return (c.astype(np.uint64) * np.uint64(1000) + top).astype(dt)
    return (c * 0.37 - 1.0).astype(dt)


def layout(a, how):
    """``a`` as a view of the same values: contiguous, strided, reversed."""
    if how == "C":
        return np.ascontiguousarray(a)
    if how == "strided":
        buf = np.empty((2 * len(a),) + a.shape[1:], dtype=a.dtype)
        buf[::2] = a
        buf[1::2] = a[::-1]
        return buf[::2]
    if how == "reversed":
        return np.ascontiguousarray(a[::-1])[::-1]
    raise AssertionError(how)


@st.composite
def labelings(draw, count=2, max_n=60):
    """``count`` labelings of one length n (1..max_n), each of its own dtype,
    layout and number of classes; sometimes 2-D (vector symbols)."""
    n = draw(st.integers(1, max_n))
    out = []
    for _ in range(count):
        k = draw(st.integers(1, 8))
        codes = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
        if draw(st.integers(0, 4)) == 0:  # a 2-D labeling: rows are symbols
            a = np.column_stack([np.array(codes) // 3, np.array(codes) % 3]).astype(np.int32)
        else:
            a = as_dtype(codes, draw(st.sampled_from(LABEL_DTYPES)))
        out.append(layout(a, draw(st.sampled_from(LAYOUTS))))
    return out


# --------------------------------------------------------------------------
# identities
# --------------------------------------------------------------------------


@SETTINGS
@given(data=labelings(3), correction=st.sampled_from([None, MM]), base=st.sampled_from([None, 2]))
def test_identities(data, correction, base):
    x, y, z = data
    n = len(x)
    kw = dict(base=base, correction=correction)
    hx, hy, hz = D.entropy(x, **kw), D.entropy(y, **kw), D.entropy(z, **kw)
    hxy = D.joint_entropy(x, y, **kw)
    mi = D.mutual_information(x, y, **kw)
    vi = D.variation_of_information(x, y, **kw)
    ce = D.conditional_entropy(x, y, **kw)
    s = lambda uses: slack(n, uses, correction, base)  # noqa: E731
    # I = H(X) + H(Y) - H(X,Y): 3 terms in MI, 3 outside
    assert abs(mi - (hx + hy - hxy)) <= s(6), (mi, hx, hy, hxy)
    # VI = H(X,Y) - I (here with the terms: 2 Hxy - Hx - Hy): 4 + 4
    assert abs(vi - (2 * hxy - hx - hy)) <= s(8)
    assert abs(vi - (hxy - mi)) <= s(4 + 1 + 3)
    # H(X|Y) = H(X,Y) - H(Y): 2 + 2
    assert abs(ce - (hxy - hy)) <= s(4)
    # chain rule of CMI: I(X;Y|Z) = H(X,Z) + H(Y,Z) - H(X,Y,Z) - H(Z), and
    # I(X; (Y,Z)) = I(X;Z) + I(X;Y|Z) with (Y,Z) as vector symbols
    cmi = D.conditional_mutual_information(x, y, z, **kw)
    hxz, hyz = D.joint_entropy(x, z, **kw), D.joint_entropy(y, z, **kw)
    yz = np.column_stack([R.encode(y), R.encode(z)])
    hxyz = D.joint_entropy(x, yz, **kw)
    assert abs(cmi - (hxz + hyz - hxyz - hz)) <= s(8)
    mi_x_yz = D.mutual_information(x, yz, **kw)
    mi_xz = D.mutual_information(x, z, **kw)
    assert abs(mi_x_yz - (mi_xz + cmi)) <= s(10)
    # I(X;X) = H(X); exactly (the design), and with a copy
    assert D.mutual_information(x, x, **kw) == hx
    assert abs(D.mutual_information(x, np.array(x, copy=True), **kw) - hx) <= s(4)


@SETTINGS
@given(data=labelings(3))
def test_ranges(data):
    x, y, z = data
    n = len(x)
    mi = D.mutual_information(x, y)
    assert mi >= 0.0
    for avg in AVERAGES:
        nmi = D.normalized_mutual_information(x, y, avg)
        assert 0.0 <= nmi <= 1.0, (avg, nmi)
        ami = D.adjusted_mutual_information(x, y, avg)
        assert math.isfinite(ami), (avg, ami)
        assert ami <= 1.0 + R.allowed(R.adjusted_mutual_information(x, y, avg)), (avg, ami)
    assert D.variation_of_information(x, y) >= 0.0
    assert D.conditional_entropy(x, y) >= 0.0
    assert D.conditional_mutual_information(x, y, z) >= 0.0
    hx = D.entropy(x)
    m = len(set(R.symbols(x)))
    assert 0.0 <= hx <= math.log(m) + term_bound(n)
    assert mi <= min(hx, D.entropy(y)) + slack(n, 4)


@SETTINGS
@given(data=labelings(2))
def test_symmetric_bit_for_bit(data):
    """Symmetric measures give the same bits for (x, y) and (y, x): pairwise
    with Y=None mirrors one triangle and promises that every entry equals
    the one-pair call, so entry [j, i] = f(X_j, X_i) must equal f(X_i, X_j)."""
    x, y = data
    assert_identical(D.mutual_information(y, x), D.mutual_information(x, y), "MI")
    assert_identical(D.variation_of_information(y, x), D.variation_of_information(x, y), "VI")
    assert_identical(D.joint_entropy(y, x), D.joint_entropy(x, y), "H(Y, X)")
    for avg in AVERAGES:
        for f in (D.normalized_mutual_information, D.adjusted_mutual_information):
            assert_identical(f(y, x, avg), f(x, y, avg), f"{f.__name__} {avg}")


@SETTINGS
@given(data=labelings(2), seed=st.integers(0, 2**32 - 1), reverse=st.booleans())
def test_invariant_to_relabelling(data, seed, reverse):
    """Any bijection of the labels (random, or order-reversing) leaves every
    measure unchanged, up to the rounding of a permuted table."""
    x, y = data
    n = len(x)
    cx = R.encode(x)
    k = int(cx.max()) + 1
    perm = np.arange(k)[::-1] if reverse else np.random.default_rng(seed).permutation(k)
    x2 = as_dtype(perm[cx], "<U3" if seed % 2 else ">i8")
    assert R.same_partition(x, x2)
    pairs = [
        (D.mutual_information, 3),
        (D.joint_entropy, 1),
        (D.conditional_entropy, 2),
        (D.variation_of_information, 4),
    ]
    for f, terms in pairs:
        for a, b in ((x2, y), (y, x2)):
            want = f(x, y) if a is x2 else f(y, x)
            assert abs(f(a, b) - want) <= 2 * slack(n, terms), f.__name__
    assert D.entropy(x2) == pytest.approx(D.entropy(x), rel=0, abs=2 * slack(n, 1))
    hx, hy = R.entropy(x), R.entropy(y)
    for avg in AVERAGES:
        for f, ref in (
            (D.normalized_mutual_information, R.normalized_mutual_information),
            (D.adjusted_mutual_information, R.adjusted_mutual_information),
        ):
            want = ref(x, y, avg)
            if want.value is not None:
                # each within its oracle bound of one exact value
                assert abs(f(x2, y, avg) - f(x, y, avg)) <= 2 * R.allowed(want), (avg, hx, hy)


@SETTINGS
@given(data=labelings(3), base=st.sampled_from([2, 10, 0.5, 3.7, math.e]))
def test_base_scaling(data, base):
    x, y, z = data
    n = len(x)
    lb = math.log(base)
    cases = [
        (D.entropy, (x,), 1),
        (D.joint_entropy, (x, y), 1),
        (D.conditional_entropy, (x, y), 2),
        (D.mutual_information, (x, y), 3),
        (D.variation_of_information, (x, y), 4),
        (D.conditional_mutual_information, (x, y, z), 4),
    ]
    for f, args, terms in cases:
        for correction in (None, MM):
            got = f(*args, base=base, correction=correction)
            nats = f(*args, correction=correction)
            # both within their bounds of exact values that differ by the factor log(base)
            tol = slack(n, terms, correction, base) + slack(n, terms, correction) / abs(lb)
            assert abs(got - nats / lb) <= tol, (f.__name__, correction, got, nats / lb)
            if correction is None and base < 1:
                assert got <= 0.0  # a base below 1 turns the clamp at 0 around
    for avg in AVERAGES:
        for f in (D.normalized_mutual_information, D.adjusted_mutual_information):
            assert_identical(f(x, y, avg, base=base), f(x, y, avg), f"{f.__name__} base={base}")


@SETTINGS
@given(data=labelings(3), base=st.sampled_from([None, 2]))
def test_miller_madow_offset(data, base):
    """Each entropy term gets (m - 1) / (2 n) nats, m its occupied cells."""
    x, y, z = data
    n = len(x)
    m = lambda *a: len(R.counts(*a))  # noqa: E731
    lb = math.log(base) if base else 1.0
    cases = [
        (D.entropy, (x,), m(x) - 1, 1),
        (D.joint_entropy, (x, y), m(x, y) - 1, 1),
        (D.conditional_entropy, (x, y), m(x, y) - m(y), 2),
        (D.mutual_information, (x, y), m(x) + m(y) - m(x, y) - 1, 3),
        (D.variation_of_information, (x, y), 2 * m(x, y) - m(x) - m(y), 4),
        (D.conditional_mutual_information, (x, y, z), m(x, z) + m(y, z) - m(x, y, z) - m(z), 4),
    ]
    for f, args, cells, terms in cases:
        got = f(*args, base=base, correction=MM)
        # the corrected value is formed from the corrected terms, not clamped;
        # the uncorrected one is clamped at 0 (it can move by its rounding there)
        plain = f(*args, base=base)
        tol = slack(n, terms, MM, base) + slack(n, terms, None, base)
        assert abs(got - plain - cells / (2 * n) / lb) <= tol, (f.__name__, got, plain, cells)
        R.check(got, getattr(R, f.__name__)(*args, base=base, correction=MM), f.__name__)


def test_miller_madow_not_clamped():
    # independent x and y with many cells: MI plug-in is small and positive, the
    # corrected one negative (mx + my - mxy - 1 < 0), and returned as such
    x = np.repeat(np.arange(4), 2)
    y = np.tile(np.arange(2), 4)
    got = D.mutual_information(x, y, correction=MM)
    want = R.mutual_information(x, y, correction=MM)
    assert want.value < 0
    R.check(got, want, "MI Miller-Madow < 0")
    assert got == pytest.approx((4 + 2 - 8 - 1) / 16, rel=1e-15, abs=R.FLOOR)
    cmi = D.conditional_mutual_information(x, y, np.zeros(8, dtype=int), correction=MM)
    assert cmi == pytest.approx((4 + 2 - 8 - 1) / 16, rel=1e-15, abs=R.FLOOR)
    assert D.mutual_information(x, y) == pytest.approx(0.0, abs=R.FLOOR)
    assert D.mutual_information(x, y) >= 0.0


# --------------------------------------------------------------------------
# inputs: unmodified, read-only, lists
# --------------------------------------------------------------------------

ALL = [
    ("entropy", 1, {}),
    ("joint_entropy", 2, {}),
    ("conditional_entropy", 2, {}),
    ("mutual_information", 2, {"correction": MM}),
    ("variation_of_information", 2, {}),
    ("normalized_mutual_information", 2, {}),
    ("adjusted_mutual_information", 2, {"average": "max"}),
    ("conditional_mutual_information", 3, {}),
    ("contingency", 2, {}),
]


def _inputs(rng, n=300):
    x = rng.integers(-3, 4, n).astype(np.int16)
    y = np.array(["a", "bb", "c"])[rng.integers(0, 3, n)]
    z = rng.integers(0, 2, size=(n, 2)).astype(np.float32)
    return x, y, z


@pytest.mark.parametrize("name,arity,kw", ALL, ids=[a[0] for a in ALL])
def test_inputs_unmodified_and_read_only(name, arity, kw, rng):
    f = getattr(D, name)
    args = _inputs(rng)[:arity]
    copies = [a.copy() for a in args]
    want = f(*args, **kw)
    for a, c in zip(args, copies):
        assert np.array_equal(a, c) and a.dtype == c.dtype
    frozen = [a.copy() for a in args]
    for a in frozen:
        a.flags.writeable = False
    assert_identical(f(*frozen, **kw), want, f"{name} read-only")


@pytest.mark.parametrize("name,arity,kw", ALL, ids=[a[0] for a in ALL])
def test_lists_accepted(name, arity, kw, rng):
    f = getattr(D, name)
    args = _inputs(rng)[:arity]
    want = f(*args, **kw)
    # lists of Python ints / str, and a list of lists for the 2-D symbols
    lists = [a.tolist() for a in args]
    assert_identical(f(*lists, **kw), want, f"{name} lists")
    tuples = [tuple(a.tolist()) for a in args]
    assert_identical(f(*tuples, **kw), want, f"{name} tuples")


def test_huge_uint64_labels_not_merged():
    # labels that differ only beyond float64 precision are distinct symbols
    base = np.uint64(2**64 - 2**11)
    x = np.array([base, base + np.uint64(1), base + np.uint64(2), base], dtype=np.uint64)
    assert D.entropy(x) == pytest.approx(1.5 * math.log(2), rel=1e-15)
    big = np.array([2**63 - 1, 2**63 - 2, -(2**63), 2**63 - 1], dtype=np.int64)
    assert D.entropy(big) == pytest.approx(1.5 * math.log(2), rel=1e-15)
    objs = np.empty(4, dtype=object)
    objs[:] = [2**80, 2**80 + 1, 2**80 + 2, 2**80]
    assert D.entropy(objs) == pytest.approx(1.5 * math.log(2), rel=1e-15)


# --------------------------------------------------------------------------
# threads
# --------------------------------------------------------------------------

_BIG = {}


def big(kind="narrow"):
    """2e5 samples, enough to thread: "narrow" (100 x 20 classes, tables
    small enough for 4 per-thread copies, 2-D symbols for z) or "wide"
    (~9e4 distinct values each: the sorted-key path of large alphabets)."""
    if kind not in _BIG:
        rng = np.random.default_rng(77)
        n = 200_000
        if kind == "narrow":
            x = rng.integers(0, 100, n).astype(np.int32)
            y = np.where(rng.random(n) < 0.5, x % 20, rng.integers(0, 20, n))
            z = rng.integers(0, 3, size=(n, 2)).astype(np.uint8)
        else:
            x = rng.integers(0, 150_000, n) * 2**40
            y = np.where(rng.random(n) < 0.5, x // 2**40 + 1, rng.integers(0, 150_000, n))
            z = rng.integers(0, 1000, n).astype(np.uint64) + np.uint64(2**63)
        _BIG[kind] = (x, y, z)
    return _BIG[kind]


THREADED = [
    ("entropy", 1, {}),
    ("entropy", 1, {"correction": MM, "base": 2}),
    ("joint_entropy", 2, {}),
    ("conditional_entropy", 2, {"correction": MM}),
    ("mutual_information", 2, {}),
    ("mutual_information", 2, {"correction": MM}),
    ("variation_of_information", 2, {}),
    ("normalized_mutual_information", 2, {"average": "geometric"}),
    ("adjusted_mutual_information", 2, {}),
    ("conditional_mutual_information", 3, {}),
    ("contingency", 2, {}),
    ("contingency", 2, {"sparse": True}),
]


# (the dense table of the wide data would take 91 GiB: only sparse=True there)
THREAD_CASES = [
    (kind, *case)
    for kind in ("narrow", "wide")
    for case in THREADED
    if not (kind == "wide" and case[0] == "contingency" and not case[2])
]


@pytest.mark.parametrize(
    "kind,name,arity,kw",
    THREAD_CASES,
    ids=[f"{k}-{a[0]}-{'-'.join(map(str, a[2].values()))}" for k, *a in THREAD_CASES],
)
def test_bit_identical_for_any_thread_count(kind, name, arity, kw):
    f = getattr(D, name)
    args = big(kind)[:arity]
    ref = f(*args, n_threads=1, **kw)
    for n in (2, 4):
        got = f(*args, n_threads=n, **kw)
        if isinstance(ref, tuple):
            for g, r in zip(got, ref):
                assert g.dtype == r.dtype and np.array_equal(g, r), n
        elif ref.dtype.kind == "i":
            assert got.dtype == ref.dtype and np.array_equal(got, ref), n
        else:
            assert_identical(got, ref, f"{name} {n} threads")


@pytest.mark.parametrize(
    "measure",
    [
        "mutual_information",
        "normalized_mutual_information",
        "adjusted_mutual_information",
        "variation_of_information",
        "conditional_entropy",
    ],
)
def test_pairwise_bit_identical_for_any_thread_count(measure):
    x, y, z = big()
    X = np.column_stack([x, y, z[:, 0], x % 7])[:100_000]
    ref = D.pairwise(X, measure=measure, n_threads=1)
    ref_xy = D.pairwise(X, X[:, :2], measure=measure, n_threads=1)
    for n in (2, 4):
        assert_identical(D.pairwise(X, measure=measure, n_threads=n), ref, f"{n} threads")
        assert_identical(D.pairwise(X, X[:, :2], measure=measure, n_threads=n), ref_xy, f"{n}")


@pytest.mark.parametrize("which", ["mutual_information", "pairwise"])
def test_gil_released(which):
    rng = np.random.default_rng(3)
    if which == "mutual_information":
        x = rng.integers(0, 5000, 2_000_000)
        y = (x + rng.integers(0, 3, x.size)) % 5000
        fn = lambda: D.mutual_information(x, y)  # noqa: E731
    else:
        X = rng.integers(0, 50, size=(200_000, 12))
        fn = lambda: D.pairwise(X)  # noqa: E731
    ref = fn()
    assert_identical(call_beside_heartbeat(fn), ref, which)
