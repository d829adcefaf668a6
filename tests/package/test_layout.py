"""Memory layout, byte order, dtype mixes and broadcasting.

When only the layout or byte order of the *same float64 values* differs, the
arithmetic is the same and the results must be bit-identical.  Everything else
(float32 vs float64, ints, lists) is compared with the dtype tolerance
(``F64``, ``F32`` of fdtest/tolerance.py).
"""

import numpy as np
import pytest

import fastdiv as fd
from fdtest.measures import TWO_ARG, call
from fdtest.tolerance import F32, F64

VARIANTS = [
    ("kl_divergence", {}),
    ("kl_divergence", {"logits": True}),
    ("entropy", {}),
    ("entropy", {"base": 2}),
    ("cross_entropy", {}),
    ("js_divergence", {}),
    ("js_distance", {"base": 2}),
    ("total_variation", {}),
    ("hellinger", {}),
    ("renyi_entropy", {"alpha": 0.5}),
    ("renyi_entropy", {"alpha": np.inf}),
    ("renyi_divergence", {"alpha": 2.0}),
    ("renyi_divergence", {"alpha": 0.0}),
]
VIDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for n, kw in VARIANTS]


def bits(x):
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64)).view(np.int64)


def assert_identical(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == np.float64 and b.dtype == np.float64
    assert a.shape == b.shape
    assert np.array_equal(bits(a), bits(b)), f"not bit-identical:\n{a!r}\n{b!r}"


@pytest.fixture
def data(rng):
    p = rng.random((6, 37))
    p[rng.random(p.shape) < 0.1] = 0.0
    p[:, 0] += 0.1
    q = rng.random((6, 37)) + 0.01
    return p, q


def layouts(x):
    """Same values, other layouts / byte orders (views where possible)."""
    out = {
        "fortran": np.asfortranarray(x),
        "big-endian": x.astype(x.dtype.newbyteorder(">")),
        "big-endian-fortran": np.asfortranarray(x.astype(x.dtype.newbyteorder(">"))),
    }
    buf = np.zeros((x.shape[0] * 2, x.shape[1] * 3), dtype=x.dtype)
    buf[::2, ::3] = x
    out["strided-2d"] = buf[::2, ::3]
    buf = np.zeros((x.shape[0], x.shape[1] * 2), dtype=x.dtype)
    buf[:, ::2] = x
    out["strided-::2"] = buf[:, ::2]
    out["reversed-::-1"] = np.ascontiguousarray(x[:, ::-1])[:, ::-1]
    out["reversed-rows"] = np.ascontiguousarray(x[::-1])[::-1]
    ro = x.copy()
    ro.flags.writeable = False
    out["read-only"] = ro
    return out


LAYOUT_NAMES = list(layouts(np.zeros((2, 2))).keys())


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("name,kw", VARIANTS, ids=VIDS)
def test_layout_bit_identical_float64(name, kw, layout, data):
    p, q = data
    ref = call(name, p, q, **kw)
    lp, lq = layouts(p)[layout], layouts(q)[layout]
    assert np.array_equal(lp, p) and np.array_equal(lq, q)
    assert_identical(call(name, lp, lq, **kw), ref)
    # one argument in another layout, the other native
    if name in TWO_ARG:
        assert_identical(call(name, lp, q, **kw), ref)
        assert_identical(call(name, p, lq, **kw), ref)


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("name,kw", VARIANTS, ids=VIDS)
def test_layout_bit_identical_float32(name, kw, layout, data):
    p, q = (x.astype(np.float32) for x in data)
    ref = call(name, p, q, **kw)
    lp, lq = layouts(p)[layout], layouts(q)[layout]
    assert_identical(call(name, lp, lq, **kw), ref)
    # and within the float32 tolerance of the float64 computation
    ref64 = call(name, p.astype(np.float64), q.astype(np.float64), **kw)
    np.testing.assert_allclose(call(name, lp, lq, **kw), ref64, **F32)


@pytest.mark.parametrize("name,kw", VARIANTS, ids=VIDS)
def test_axis0_and_middle_axis_match_last_axis(name, kw, rng):
    p = rng.random((4, 23, 5)) + 0.01
    q = rng.random((4, 23, 5)) + 0.01
    # axis 1 of a C array vs the same values moved to the last axis, contiguous
    ref = call(
        name,
        np.ascontiguousarray(np.moveaxis(p, 1, -1)),
        np.ascontiguousarray(np.moveaxis(q, 1, -1)),
        **kw,
    )
    got = call(name, p, q, axis=1, **kw)
    assert got.shape == (4, 5)
    assert_identical(got, ref)
    got = call(name, p, q, axis=-2, keepdims=True, **kw)
    assert got.shape == (4, 1, 5)
    assert_identical(got[:, 0, :], ref)
    # axis 0
    ref = call(
        name,
        np.ascontiguousarray(np.moveaxis(p, 0, -1)),
        np.ascontiguousarray(np.moveaxis(q, 0, -1)),
        **kw,
    )
    got = call(name, p, q, axis=0, **kw)
    assert got.shape == (23, 5)
    assert_identical(got, ref)
    got = call(name, p, q, axis=0, keepdims=True, **kw)
    assert got.shape == (1, 23, 5)
    assert_identical(got[0], ref)
    # last axis with keepdims
    got = call(name, p, q, axis=-1, keepdims=True, **kw)
    assert got.shape == (4, 23, 1)
    assert_identical(got[..., 0], call(name, p, q, **kw))


@pytest.mark.parametrize("name,kw", VARIANTS, ids=VIDS)
def test_2d_axis0_on_fortran_and_transposed(name, kw, rng):
    p = rng.random((31, 7)) + 0.01  # support on axis 0: 7 distributions of length 31
    q = rng.random((31, 7)) + 0.01
    ref = call(name, np.ascontiguousarray(p.T), np.ascontiguousarray(q.T), **kw)
    assert_identical(call(name, p, q, axis=0, **kw), ref)
    assert_identical(call(name, np.asfortranarray(p), np.asfortranarray(q), axis=0, **kw), ref)
    assert_identical(call(name, p.T, q.T, **kw), ref)  # a transposed (Fortran) view, axis -1


@pytest.mark.parametrize(
    "name,kw",
    [v for v in VARIANTS if v[0] in TWO_ARG],
    ids=[i for v, i in zip(VARIANTS, VIDS) if v[0] in TWO_ARG],
)
def test_broadcast_views_bit_identical(name, kw, data):
    p, q = data
    q1 = q[2]
    full = np.ascontiguousarray(np.broadcast_to(q1, p.shape))
    ref = call(name, p, full, **kw)
    assert_identical(call(name, p, q1, **kw), ref)  # (B, K) vs (K,)
    assert_identical(call(name, p, np.broadcast_to(q1, p.shape), **kw), ref)  # stride-0 view
    ref = call(name, full, p, **kw)
    assert_identical(call(name, q1, p, **kw), ref)  # (K,) vs (B, K)
    # (B, 1, K) vs (1, C, K)
    a, b = p[:3, None, :], q[None, :4, :]
    got = call(name, a, b, **kw)
    assert got.shape == (3, 4)
    ref = call(
        name,
        np.ascontiguousarray(np.broadcast_to(a, (3, 4, 37))),
        np.ascontiguousarray(np.broadcast_to(b, (3, 4, 37))),
        **kw,
    )
    assert_identical(got, ref)


@pytest.mark.parametrize(
    "name,kw",
    [v for v in VARIANTS if v[0] in TWO_ARG],
    ids=[i for v, i in zip(VARIANTS, VIDS) if v[0] in TWO_ARG],
)
def test_batch_rows_match_single_rows(name, kw, data):
    p, q = data
    got = call(name, p, q, **kw)
    for i in range(p.shape[0]):
        r = call(name, p[i], q[i], **kw)
        assert type(r) is np.float64
        np.testing.assert_allclose(got[i], r, **F64)


@pytest.mark.parametrize(
    "name,kw",
    [v for v in VARIANTS if v[0] in TWO_ARG],
    ids=[i for v, i in zip(VARIANTS, VIDS) if v[0] in TWO_ARG],
)
def test_mixed_float32_float64_computed_in_float64(name, kw, data):
    p, q = data
    p32 = p.astype(np.float32)
    ref = call(name, p32.astype(np.float64), q, **kw)
    np.testing.assert_allclose(call(name, p32, q, **kw), ref, **F64)
    ref = call(name, q, p32.astype(np.float64), **kw)
    np.testing.assert_allclose(call(name, q, p32, **kw), ref, **F64)
    # big-endian float32 against little-endian float64
    np.testing.assert_allclose(call(name, q, p32.astype(">f4"), **kw), ref, **F64)


@pytest.mark.parametrize(
    "dtype", [np.int8, np.int32, np.int64, np.uint16, np.uint64, np.bool_, ">i4"]
)
@pytest.mark.parametrize("name,kw", VARIANTS, ids=VIDS)
def test_int_and_bool_inputs_are_float64(name, kw, dtype, rng):
    hi = 2 if np.dtype(dtype) == np.bool_ else 50
    p = rng.integers(0, hi, size=(5, 19))
    q = rng.integers(0, hi, size=(5, 19))
    p[:, 0] = 1
    q[:] = np.maximum(q, 1) if hi > 2 else 1
    pi, qi = p.astype(dtype), q.astype(dtype)
    ref = call(name, p.astype(np.float64), q.astype(np.float64), **kw)
    got = call(name, pi, qi, **kw)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, ref, **F64)
    # Fortran-ordered and strided integer input
    buf = np.zeros((5, 38), dtype=qi.dtype)
    buf[:, ::2] = qi
    np.testing.assert_allclose(call(name, np.asfortranarray(pi), buf[:, ::2], **kw), ref, **F64)


@pytest.mark.parametrize("name,kw", VARIANTS, ids=VIDS)
def test_python_lists(name, kw, data):
    p, q = data
    ref = call(name, p, q, **kw)
    np.testing.assert_allclose(call(name, p.tolist(), q.tolist(), **kw), ref, **F64)
    r = call(name, p[0].tolist(), q[0].tolist(), **kw)
    assert type(r) is np.float64
    np.testing.assert_allclose(r, ref[0], **F64)
    # a list of ints mixed with an array of floats
    ints = [[1, 2, 3, 0], [4, 0, 1, 1]]
    qq = np.array([0.25, 0.25, 0.25, 0.25])
    np.testing.assert_allclose(
        call(name, ints, qq, **kw), call(name, np.array(ints, float), qq, **kw), **F64
    )


def test_self_information_layouts(rng):
    p = rng.random((5, 8))
    ref = fd.self_information(p)
    for v in layouts(p).values():
        got = fd.self_information(v)
        assert got.shape == p.shape
        assert_identical(got, ref)
    v = np.asfortranarray(p)
    got = fd.self_information(v)
    assert_identical(got, ref)
    assert_identical(fd.self_information(p.T), ref.T)
    got32 = fd.self_information(p.astype(">f4"))
    assert_identical(got32, fd.self_information(p.astype("<f4")))
    np.testing.assert_allclose(got32, -np.log(p.astype(np.float32).astype(np.float64)), **F32)


def test_non_contiguous_inputs_not_copied_back(data):
    # results must not alias or modify the (possibly strided) inputs
    p, q = data
    buf = np.zeros((6, 74))
    buf[:, ::2] = p
    view = buf[:, ::2]
    snapshot = buf.copy()
    r = fd.kl_divergence(view, q, keepdims=True)
    assert not np.shares_memory(r, buf)
    assert np.array_equal(buf, snapshot)
