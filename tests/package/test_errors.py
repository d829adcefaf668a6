"""Catalogue of bad inputs: every case raises the documented error with the
documented message (pinned with ``match=``), reports the first offending row,
and leaves the input untouched.

Messages name the argument, state the rule and echo the value (house style,
``fastdiv/_validation.py``).  Where a message has a computed part (e.g. how a
tolerance is formatted), the regex pins the digits that are certain and
nothing more.  The last section holds the errors of ``pairwise`` and
``nearest``: the exact family's messages naming ``'P'``/``'Q'`` and the row,
and their own (metric, keywords, shapes, ``out``, ``k``).  After it:
``fastdiv.discrete`` (labels), then the measures on joint tables (``'pxy'``,
the first bad table shown as an int, a tuple, or not at all for one table),
then ``fastdiv.hist`` (histograms and the plug-in estimates from samples:
each error pinned by the quoted name of the argument it blames).
"""

import math
import os
import re

import numpy as np
import pytest
from numpy.exceptions import AxisError

import fastdiv as fd
from fastdiv import hist as HIST
from fdtest import tolerance as T
from fdtest.measures import (
    ALL,
    METRICS,
    ONE_ARG,
    RENYI,
    TWO_ARG,
    WITH_BASE,
    WITH_LOGITS,
    call,
    pairwise_keywords,
)


def good(shape, seed=0, dtype=np.float64):
    r = np.random.default_rng(seed)
    return (r.random(shape) + 0.1).astype(dtype)


def args_with_bad(name, which, bad, good_shape=None):
    """(p, q) where the argument ``which`` is ``bad`` and the other one is valid."""
    shape = np.shape(bad) if good_shape is None else good_shape
    other = good(shape, seed=1)
    if name in ONE_ARG:
        assert which == "p"
        return bad, None
    return (bad, other) if which == "p" else (other, bad)


def p_or_pq(names):
    """(name, which) pairs: 'p' for every measure, 'q' for two-argument ones."""
    return [(n, "p") for n in names] + [(n, "q") for n in names if n in TWO_ARG]


def row_suffix(row):
    return f" in row {row}." if row is not None else ""


# --------------------------------------------------------------------------
# dtype
# --------------------------------------------------------------------------

BAD_DTYPE_ARRAYS = [
    pytest.param(np.array([0.5 + 0j, 0.5 + 0j]), id="complex128"),
    pytest.param(np.array([0.5, 0.5], dtype=np.complex64), id="complex64"),
    pytest.param(np.array([0.5, 0.5], dtype=object), id="object"),
    pytest.param(np.array(["a", "b"]), id="str"),
    pytest.param(np.array([b"a", b"b"]), id="bytes"),
    pytest.param(np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]"), id="datetime64"),
    pytest.param(np.array([1, 2], dtype="timedelta64[s]"), id="timedelta64"),
]


def dtype_msg(arg, dt):
    dt = np.dtype(dt)
    alts = "|".join(re.escape(s) for s in {str(dt), dt.name})
    return rf"^'{arg}' must be an array of real numbers; got dtype ({alts})\.$"


@pytest.mark.parametrize("bad", BAD_DTYPE_ARRAYS)
@pytest.mark.parametrize("name,which", p_or_pq(ALL))
def test_bad_dtype_raises_typeerror(name, which, bad):
    p, q = args_with_bad(name, which, bad)
    with pytest.raises(TypeError, match=dtype_msg(which, bad.dtype)):
        call(name, p, q)


def test_complex_message_exact():
    with pytest.raises(TypeError) as ei:
        fd.entropy(np.array([0.5 + 0j, 0.5]))
    assert str(ei.value) == "'p' must be an array of real numbers; got dtype complex128."


def test_list_of_strings_is_typeerror():
    with pytest.raises(TypeError, match=r"^'p' must be an array of real numbers; got dtype"):
        fd.kl_divergence(["a", "b"], [0.5, 0.5])


@pytest.mark.parametrize("bad", BAD_DTYPE_ARRAYS)
def test_self_information_bad_dtype(bad):
    with pytest.raises(TypeError, match=dtype_msg("p", bad.dtype)):
        fd.self_information(bad)


# --------------------------------------------------------------------------
# entries: negative, NaN, +inf, -inf
# --------------------------------------------------------------------------

NEG = r"must be non-negative; found a negative entry"
FIN = r"must be finite; found NaN or infinity"


def with_bad_row(value, shape=(5, 4), row=3, col=1):
    a = good(shape, seed=2)
    a[row, col] = value
    return a


@pytest.mark.parametrize("name,which", p_or_pq(ALL))
@pytest.mark.parametrize(
    "value,pattern",
    [(-0.25, NEG), (-1e-300, NEG), (np.nan, FIN), (np.inf, FIN), (-np.inf, f"({FIN}|{NEG})")],
    ids=["neg", "tiny-neg", "nan", "posinf", "neginf"],
)
def test_bad_entry_2d_names_arg_and_row(name, which, value, pattern):
    p, q = args_with_bad(name, which, with_bad_row(value))
    with pytest.raises(ValueError, match=rf"^'{which}' {pattern} in row 3\.$"):
        call(name, p, q)


@pytest.mark.parametrize("name,which", p_or_pq(ALL))
@pytest.mark.parametrize(
    "value,pattern",
    [(-0.25, NEG), (np.nan, FIN), (np.inf, FIN), (-np.inf, f"({FIN}|{NEG})")],
    ids=["neg", "nan", "posinf", "neginf"],
)
def test_bad_entry_1d_no_row(name, which, value, pattern):
    bad = good(6, seed=3)
    bad[4] = value
    p, q = args_with_bad(name, which, bad)
    with pytest.raises(ValueError, match=rf"^'{which}' {pattern}") as ei:
        call(name, p, q)
    assert "row" not in str(ei.value)


@pytest.mark.parametrize("dtype", ["<f4", ">f4", "<f8", ">f8"])
def test_bad_entry_other_dtypes(dtype):
    p = with_bad_row(np.nan).astype(dtype)
    with pytest.raises(ValueError, match=rf"^'p' {FIN} in row 3\.$"):
        fd.kl_divergence(p, good((5, 4)))
    p = with_bad_row(-1.0).astype(dtype)
    with pytest.raises(ValueError, match=rf"^'q' {NEG} in row 3\.$"):
        fd.js_divergence(good((5, 4)), p)


def test_negative_zero_is_not_negative():
    # -0.0 == 0.0: a signed zero is a valid probability, not a negative entry.
    p = np.array([0.5, -0.0, 0.5])
    q = np.array([0.25, 0.25, 0.5])
    assert fd.kl_divergence(p, q) == fd.kl_divergence(np.abs(p), q)
    assert fd.entropy(p) == fd.entropy(np.abs(p))


def test_subnormal_negative_is_negative():
    p = np.array([0.5, -5e-324, 0.5])
    with pytest.raises(ValueError, match=rf"^'p' {NEG}"):
        fd.entropy(p)


# --------------------------------------------------------------------------
# empty support axis
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize(
    "shape,axis",
    [((3, 0), -1), ((0,), -1), ((0, 3), 0), ((2, 0, 3), 1), ((2, 0, 3), -2)],
)
def test_empty_support_axis(name, shape, axis):
    p = np.zeros(shape)
    q = np.zeros(shape) if name in TWO_ARG else None
    msg = (
        rf"^'p' must have at least one entry along axis {axis}; "
        rf"got shape {re.escape(str(shape))}\.$"
    )
    with pytest.raises(ValueError, match=msg):
        call(name, p, q, axis=axis)


@pytest.mark.parametrize("name", ALL)
def test_empty_batch_is_fine(name):
    # An empty *batch* with a non-empty support axis is valid: zero results.
    p = np.zeros((0, 4))
    q = np.zeros((0, 4)) if name in TWO_ARG else None
    r = call(name, p, q)
    assert isinstance(r, np.ndarray) and r.shape == (0,) and r.dtype == np.float64


# --------------------------------------------------------------------------
# sums
# --------------------------------------------------------------------------

ZSUM = r"must have a positive sum along axis"


@pytest.mark.parametrize("name,which", p_or_pq(ALL))
def test_zero_sum_row(name, which):
    bad = good((5, 4), seed=4)
    bad[3] = 0.0
    p, q = args_with_bad(name, which, bad)
    with pytest.raises(ValueError, match=rf"^'{which}' {ZSUM}; row 3 sums to 0\.$"):
        call(name, p, q)


@pytest.mark.parametrize("name,which", p_or_pq(ALL))
def test_zero_sum_1d(name, which):
    p, q = args_with_bad(name, which, np.zeros(5))
    with pytest.raises(ValueError, match=rf"^'{which}' {ZSUM}") as ei:
        call(name, p, q)
    assert "row" not in str(ei.value)


def test_zero_sum_row_with_subnormal_is_fine():
    # a row of only subnormals has a positive sum: valid and normalized
    p = np.array([[5e-324, 5e-324, 0.0], [0.2, 0.3, 0.5]])
    r = fd.entropy(p)
    assert r[0] == pytest.approx(math.log(2), rel=1e-12)


EPS64 = np.finfo(np.float64).eps
EPS32 = float(np.finfo(np.float32).eps)


def off_msg(arg, tol_re, row, sum_re):
    # for 1-D inputs the contract only says that no row is mentioned
    r = rf" row {re.escape(str(row))} " if row is not None else r" (?!.*row).*?"
    return (
        rf"^'{arg}' must sum to 1 along axis when normalize=False "
        rf"\(tolerance {tol_re}\);{r}sums to {sum_re}\.$"
    )


@pytest.mark.parametrize("name,which", p_or_pq(ALL))
def test_normalize_false_sum_off(name, which):
    bad = np.full((5, 4), 0.25)
    bad[3] = [0.25, 0.25, 0.0, 0.0]  # sums to 0.5 exactly
    p, q = args_with_bad(name, which, bad, good_shape=(5, 4))
    if name in TWO_ARG:  # make the other argument a valid distribution
        other = np.full((5, 4), 0.25)
        p, q = (bad, other) if which == "p" else (other, bad)
    # K = 4: tolerance 64 * sqrt(4) * eps = 2.84e-14
    with pytest.raises(ValueError, match=off_msg(which, r"2\.8\d*e-14", 3, r"0\.5")):
        call(name, p, q, normalize=False)


def test_normalize_false_zero_row_is_sum_off():
    p = np.full((3, 4), 0.25)
    p[1] = 0.0
    with pytest.raises(ValueError, match=off_msg("p", r"2\.8\d*e-14", 1, r"0(\.0*)?")):
        fd.entropy(p, normalize=False)


def test_normalize_false_overflowing_sum_is_sum_off():
    # finite entries whose sum overflows: fine with normalize=True (log 2
    # here), off 1 with normalize=False
    assert fd.entropy([1e308, 1e308]) == pytest.approx(math.log(2), rel=1e-15)
    with pytest.raises(
        ValueError,
        match=r"^'p' must sum to 1 along axis when normalize=False "
        r"\(tolerance .*\); it sums to inf\.$",
    ):
        fd.entropy([1e308, 1e308], normalize=False)
    with pytest.raises(
        ValueError,
        match=r"^'q' must sum to 1 along axis when normalize=False "
        r"\(tolerance .*\); row 1 sums to inf\.$",
    ):
        fd.kl_divergence([[0.5, 0.5], [0.5, 0.5]], [[0.5, 0.5], [1e308, 1e308]], normalize=False)


def test_normalize_false_1d_no_row():
    with pytest.raises(
        ValueError, match=r"^'p' must sum to 1 along axis when normalize=False"
    ) as ei:
        fd.entropy(np.array([0.5, 0.25, 0.0, 0.0]), normalize=False)
    assert "row" not in str(ei.value)


def test_normalize_false_within_tolerance_passes_float64():
    # K = 4 -> tolerance 2**-45.  A sum of 1 + 2**-46 must be accepted (and the
    # values used as given), 1 + 2**-44 rejected.
    base = np.full(4, 0.25)
    ok = base.copy()
    ok[3] += 2.0**-46
    assert math.fsum(ok) - 1.0 == 2.0**-46
    q = np.array([0.125, 0.375, 0.25, 0.25])
    got = fd.kl_divergence(ok, q, normalize=False)
    expected = float(np.sum(ok * np.log(ok / q)))
    assert got == pytest.approx(expected, **T.approx(T.F64))
    assert fd.entropy(ok, normalize=False) == pytest.approx(
        float(-np.sum(ok * np.log(ok))), rel=1e-12
    )
    bad = base.copy()
    bad[3] += 2.0**-44
    with pytest.raises(ValueError, match=off_msg("p", r"2\.8\d*e-14", None, r"1(\.\d*)?")):
        fd.entropy(bad, normalize=False)
    # the rejection must also work just below 1
    bad = base.copy()
    bad[3] -= 2.0**-44
    with pytest.raises(ValueError, match=r"^'q' must sum to 1 along axis when normalize=False"):
        fd.kl_divergence(q, bad, normalize=False)


def test_normalize_false_tolerance_scales_with_sqrt_k():
    # K = 400 -> tolerance 64 * 20 * eps = 2.84e-13 ; deviation 2**-43 = 1.1e-13 passes
    K = 400
    p = np.full(K, 1.0 / 512)
    p[: K - 1] = 1.0 / 512
    p[-1] = 1.0 - (K - 1) / 512 + 2.0**-43
    assert abs(math.fsum(p) - 1.0) < 64 * math.sqrt(K) * EPS64
    r = fd.entropy(p, normalize=False)
    assert r == pytest.approx(float(-np.sum(p * np.log(p))), rel=1e-12)
    p[-1] += 2.0**-40  # now 1.0e-12 off: rejected
    with pytest.raises(ValueError, match=off_msg("p", r"2\.8\d*e-13", None, r"1(\.\d*)?")):
        fd.entropy(p, normalize=False)


def test_normalize_false_within_tolerance_passes_float32():
    # K = 4 -> tolerance 64 * 2 * eps32 = 1.53e-5
    ok = np.full(4, 0.25, dtype=np.float32)
    ok[3] += np.float32(2.0**-17)  # 7.6e-6 off
    r = fd.entropy(ok, normalize=False)
    o = ok.astype(np.float64)
    assert r == pytest.approx(float(-np.sum(o * np.log(o))), **T.approx(T.F32))
    bad = np.full(4, 0.25, dtype=np.float32)
    bad[3] += np.float32(2.0**-15)  # 3.05e-5 off
    with pytest.raises(ValueError, match=off_msg("p", r"1\.5\d*e-0?5", None, r"1(\.\d*)?")):
        fd.entropy(bad, normalize=False)


def test_normalize_false_integer_input_uses_float64_tolerance():
    assert fd.entropy(np.array([0, 1, 0]), normalize=False) == 0.0
    with pytest.raises(ValueError, match=off_msg("p", r"2\.\d*e-14", None, r"2(\.0*)?")):
        fd.entropy(np.array([0, 2, 0]), normalize=False)


def test_normalize_false_mixed_dtypes_each_checked_with_own_eps():
    p32 = np.full(4, 0.25, dtype=np.float32)
    p32[0] += np.float32(2.0**-20)  # 1e-6 off: fine for float32
    q64 = np.array([0.125, 0.375, 0.25, 0.25])
    r = fd.kl_divergence(p32, q64, normalize=False)
    o = p32.astype(np.float64)
    assert r == pytest.approx(float(np.sum(o * np.log(o / q64))), **T.approx(T.F64))
    q64_bad = q64.copy()
    q64_bad[0] += 2.0**-20  # 1e-6 off: not fine for float64
    with pytest.raises(ValueError, match=off_msg("q", r"2\.8\d*e-14", None, r"1(\.\d*)?")):
        fd.kl_divergence(p32, q64_bad, normalize=False)


# --------------------------------------------------------------------------
# shapes and axis
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", TWO_ARG)
@pytest.mark.parametrize(
    "sp,sq",
    [((3, 4), (5,)), ((4,), (3, 5)), ((2, 3, 4), (3, 2, 4)), ((3, 4), (2, 4))],
)
def test_not_broadcastable(name, sp, sq):
    msg = re.escape(f"'p' and 'q' cannot be broadcast together: shapes {sp} and {sq}.")
    with pytest.raises(ValueError, match="^" + msg + "$"):
        call(name, good(sp), good(sq))


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("axis", [2, -3, 5, -100])
def test_axis_out_of_range(name, axis):
    p = good((3, 4))
    q = good((3, 4)) if name in TWO_ARG else None
    with pytest.raises(AxisError, match="'axis'"):
        call(name, p, q, axis=axis)


@pytest.mark.parametrize("name", TWO_ARG)
def test_broadcast_beyond_32_dimensions(name):
    # NumPy arrays have up to 64 dimensions (np.broadcast_shapes stops at 32)
    p = good((1,) * 40 + (3,))
    q = good((1,) * 30 + (2, 3))
    r = call(name, p, q)
    assert r.shape == (1,) * 39 + (2,)
    np.testing.assert_array_equal(r.reshape(-1), call(name, p.reshape(1, 3), q.reshape(2, 3)))
    with pytest.raises(ValueError, match=r"^'p' and 'q' cannot be broadcast together"):
        call(name, good((1,) * 40 + (3,)), good((1,) * 35 + (2, 4)))


@pytest.mark.parametrize("name", TWO_ARG)
@pytest.mark.parametrize("logits", [False, True])
def test_q_none_is_typeerror(name, logits):
    kw = {} if name.startswith("renyi") else {"logits": logits}
    with pytest.raises(TypeError, match=r"^'q' must be an array of real numbers; got None\.$"):
        call(name, np.array([0.5, 0.5]), None, **kw)


def test_p_none_is_typeerror():
    for name in ALL:
        q = good(2) if name in TWO_ARG else None
        with pytest.raises(TypeError, match=r"^'p' must be an array of real numbers; got None\.$"):
            call(name, None, q)
    with pytest.raises(TypeError, match=r"^'p' must be an array of real numbers; got None\.$"):
        fd.self_information(None)


def test_axis_checked_against_broadcast_ndim():
    # p and q broadcast to 2-D first, so axis=-2 / 1 are valid, axis=2 is not
    p = good((3, 4))
    q = good((4,))
    assert fd.kl_divergence(p, q, axis=-2).shape == (4,)
    assert fd.kl_divergence(q, p, axis=1).shape == (3,)
    with pytest.raises(AxisError, match="'axis'"):
        fd.kl_divergence(q, q, axis=-2)


def test_zero_dim_input_has_no_axis():
    with pytest.raises(AxisError, match="'axis'"):
        fd.entropy(0.5)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize(
    "axis,tname", [(1.0, "float"), ("1", "str"), ((0, 1), "tuple"), ([1], "list")]
)
def test_axis_wrong_type(name, axis, tname):
    p = good((3, 4))
    q = good((3, 4)) if name in TWO_ARG else None
    with pytest.raises(TypeError, match=rf"^'axis' must be an integer; got {tname}\.$"):
        call(name, p, q, axis=axis)


@pytest.mark.parametrize("axis", [np.int64(0), np.int32(-1), np.intp(1)])
def test_numpy_integer_axis_accepted(axis):
    p, q = good((3, 4), 5), good((3, 4), 6)
    assert np.array_equal(fd.kl_divergence(p, q, axis=axis), fd.kl_divergence(p, q, axis=int(axis)))


# --------------------------------------------------------------------------
# base
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", WITH_BASE)
@pytest.mark.parametrize("base", [0, 1, -1, 1.0, -2.5, 0.0, math.nan, math.inf, -math.inf])
def test_bad_base_value(name, base):
    p = good((3, 4))
    q = good((3, 4)) if name in TWO_ARG else None
    msg = re.escape(f"'base' must be a positive number other than 1 or None; got {base!r}.")
    with pytest.raises(ValueError, match="^" + msg + "$"):
        call(name, p, q, base=base)


@pytest.mark.parametrize("name", WITH_BASE)
@pytest.mark.parametrize("base,tname", [("2", "str"), (2j, "complex"), ([2], "list")])
def test_bad_base_type(name, base, tname):
    p = good((3, 4))
    q = good((3, 4)) if name in TWO_ARG else None
    with pytest.raises(TypeError, match=rf"^'base' must be a real number or None; got {tname}\.$"):
        call(name, p, q, base=base)


@pytest.mark.parametrize("name", WITH_BASE)
@pytest.mark.parametrize("base", [10**400, -(10**400), 2**1024])
def test_base_beyond_float64(name, base):
    # an integer too large for a float64 is a ValueError naming 'base', not
    # the OverflowError of float(); the message does not echo 400 digits
    p = good((3, 4))
    q = good((3, 4)) if name in TWO_ARG else None
    with pytest.raises(
        ValueError,
        match=r"^'base' must fit in a float64 \(at most about 1\.8e308\); "
        r"got .{12}\.\.\..{4} \(\d+ characters\)\.$",
    ):
        call(name, p, q, base=base)


@pytest.mark.parametrize("base", [np.float64(2.0), np.int64(2), np.float32(2.0), 2.0])
def test_numpy_and_float_base_accepted(base):
    p, q = good((3, 4), 5), good((3, 4), 6)
    assert np.allclose(
        fd.kl_divergence(p, q, base=base), fd.kl_divergence(p, q, base=2), rtol=1e-15, atol=0
    )


def test_self_information_bad_base():
    with pytest.raises(
        ValueError, match=r"^'base' must be a positive number other than 1 or None; got 1\.$"
    ):
        fd.self_information(np.array([0.5]), base=1)
    with pytest.raises(TypeError, match=r"^'base' must be a real number or None; got str\.$"):
        fd.self_information(np.array([0.5]), base="e")


@pytest.mark.parametrize("name", ["total_variation", "hellinger"])
def test_no_base_keyword_for_tv_and_hellinger(name):
    with pytest.raises(TypeError, match="base"):
        getattr(fd, name)(good(4), good(4), base=2)


# --------------------------------------------------------------------------
# alpha
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", RENYI)
@pytest.mark.parametrize("alpha", [-1, -0.5, -1e-300, math.nan, -math.inf])
def test_bad_alpha_value(name, alpha):
    p = good((3, 4))
    q = good((3, 4)) if name in TWO_ARG else None
    msg = re.escape(f"'alpha' must be a non-negative number or inf; got {alpha!r}.")
    with pytest.raises(ValueError, match="^" + msg + "$"):
        call(name, p, q, alpha=alpha)


@pytest.mark.parametrize("name", RENYI)
@pytest.mark.parametrize(
    "alpha,tname", [("2", "str"), (None, "NoneType"), (2j, "complex"), ([2], "list")]
)
def test_bad_alpha_type(name, alpha, tname):
    p = good((3, 4))
    q = good((3, 4)) if name in TWO_ARG else None
    with pytest.raises(TypeError, match=rf"^'alpha' must be a real number; got {tname}\.$"):
        call(name, p, q, alpha=alpha)


@pytest.mark.parametrize("name", RENYI)
@pytest.mark.parametrize("alpha", [10**400, 2**1024])
def test_alpha_beyond_float64(name, alpha):
    p = good((3, 4))
    q = good((3, 4)) if name in TWO_ARG else None
    with pytest.raises(
        ValueError, match=r"^'alpha' must fit in a float64 \(at most about 1\.8e308\); got "
    ):
        call(name, p, q, alpha=alpha)


@pytest.mark.parametrize("name", RENYI)
def test_renyi_has_no_logits(name):
    p = good((3, 4))
    q = good((3, 4)) if name in TWO_ARG else None
    with pytest.raises(TypeError, match="logits"):
        call(name, p, q, logits=True)


# --------------------------------------------------------------------------
# boolean flags and keyword-only arguments
# --------------------------------------------------------------------------


def flag_cases():
    for name in ALL:
        flags = ["normalize", "keepdims"] + (["logits"] if name in WITH_LOGITS else [])
        for flag in flags:
            for value, tname in [
                (1, "int"),
                (0, "int"),
                (None, "NoneType"),
                ("True", "str"),
                (1.0, "float"),
            ]:
                yield pytest.param(name, flag, value, tname, id=f"{name}-{flag}-{tname}-{value!r}")


@pytest.mark.parametrize("name,flag,value,tname", list(flag_cases()))
def test_non_bool_flags(name, flag, value, tname):
    p = good((3, 4))
    q = good((3, 4)) if name in TWO_ARG else None
    with pytest.raises(TypeError, match=rf"^'{flag}' must be a bool; got {tname}\.$"):
        call(name, p, q, **{flag: value})


@pytest.mark.parametrize("flag", ["normalize", "keepdims", "logits"])
def test_numpy_bool_accepted(flag):
    p, q = good((3, 4), 5), good((3, 4), 6)
    a = fd.kl_divergence(p, q, **{flag: np.bool_(True)})
    b = fd.kl_divergence(p, q, **{flag: True})
    assert a.shape == b.shape and np.array_equal(a, b)


def test_keyword_only_arguments():
    p, q = good(4, 5), good(4, 6)
    with pytest.raises(TypeError):
        fd.entropy(p, 2)
    with pytest.raises(TypeError):
        fd.kl_divergence(p, q, 2)
    with pytest.raises(TypeError):
        fd.total_variation(p, q, -1)
    with pytest.raises(TypeError):
        fd.renyi_divergence(p, q, 2.0, 2)


# --------------------------------------------------------------------------
# logits
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name,which", p_or_pq(WITH_LOGITS))
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf], ids=["nan", "posinf", "neginf"])
def test_logits_must_be_finite(name, which, value):
    bad = np.random.default_rng(7).normal(size=(5, 4)) * 3.0  # negatives are fine for logits
    bad[3, 2] = value
    p, q = args_with_bad(name, which, bad)
    if name in TWO_ARG:
        other = np.random.default_rng(8).normal(size=(5, 4))
        p, q = (bad, other) if which == "p" else (other, bad)
    with pytest.raises(ValueError, match=rf"^'{which}' {FIN} in row 3\.$"):
        call(name, p, q, logits=True)


# --------------------------------------------------------------------------
# self_information
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "arr,shown,index",
    [
        (np.array([0.5, 1.5, 0.2]), "1.5", "1"),
        (np.array([0.5, 0.1, -0.5, 2.0]), "-0.5", "2"),
        (np.array([0.5, np.nan]), "nan", "1"),
        (np.array([np.inf, 0.5]), "inf", "0"),
        (np.array([[0.5, 0.5, 0.5], [0.1, 1.5, 0.2]])[::-1], "1.5", "(0, 1)"),
        (np.array([[0.5, 0.5, 1.5], [0.1, 7.0, 0.2]]), "1.5", "(0, 2)"),
        (
            np.array([[[0.5, 0.5], [0.1, 0.2]], [[0.3, -1e-300], [3.0, 0.0]]]),
            "-1e-300",
            "(1, 0, 1)",
        ),
        (np.array([1.5], dtype=np.float32), "1.5", "0"),
    ],
)
def test_self_information_bad_entries(arr, shown, index):
    msg = re.escape(f"'p' must contain probabilities in [0, 1]; found {shown} at index {index}.")
    before = arr.copy()
    with pytest.raises(ValueError, match="^" + msg + "$"):
        fd.self_information(arr)
    assert np.array_equal(arr, before, equal_nan=True)


def test_self_information_accepts_boundaries():
    r = fd.self_information(np.array([0.0, 1.0, 0.5]))
    assert r[0] == np.inf and r[1] == 0.0 and r[2] == pytest.approx(math.log(2), rel=1e-15)


# --------------------------------------------------------------------------
# threads
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n,tname", [(2.0, "float"), ("2", "str"), (None, "NoneType"), ([2], "list")]
)
def test_set_num_threads_wrong_type(n, tname, thread_state):
    with pytest.raises(TypeError, match=rf"^'n' must be an integer; got {tname}\.$"):
        fd.set_num_threads(n)
    assert fd.get_num_threads() == thread_state
    with (
        pytest.raises(TypeError, match=rf"^'n' must be an integer; got {tname}\.$"),
        fd.num_threads(n),
    ):
        pass
    assert fd.get_num_threads() == thread_state


@pytest.mark.parametrize("n", [0, -1, -8])
def test_set_num_threads_not_positive(n, thread_state):
    with pytest.raises(ValueError, match=rf"^'n' must be a positive integer; got {n}\.$"):
        fd.set_num_threads(n)
    assert fd.get_num_threads() == thread_state
    with (
        pytest.raises(ValueError, match=rf"^'n' must be a positive integer; got {n}\.$"),
        fd.num_threads(n),
    ):
        pass
    assert fd.get_num_threads() == thread_state


def _cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


@pytest.mark.parametrize("excess", [1, 100_000, 2**31, 2**63, 10**400])
def test_set_num_threads_above_limit(excess, thread_state):
    # no call starts more than 4 x the cores available: more is rejected
    limit = 4 * _cores()
    assert fd.thread_limit() == limit
    n = excess if excess > limit + 1 else limit + excess
    msg = re.escape(
        f"'n' must be at most {limit} (4 x the {limit // 4} cores available; "
        f"see thread_limit); got {n}."
    )
    with pytest.raises(ValueError, match="^" + msg + "$"):
        fd.set_num_threads(n)
    assert fd.get_num_threads() == thread_state
    with pytest.raises(ValueError, match="^" + msg + "$"), fd.num_threads(n):
        pass
    assert fd.get_num_threads() == thread_state


# --------------------------------------------------------------------------
# which row is reported
# --------------------------------------------------------------------------


def test_first_bad_row_2d_any_kind():
    p = good((6, 4))
    p[4, 0] = np.nan
    p[2, 3] = -1.0
    p[5] = 0.0
    with pytest.raises(ValueError, match=rf"^'p' {NEG} in row 2\.$"):
        fd.entropy(p)
    p[1, 1] = np.inf
    with pytest.raises(ValueError, match=rf"^'p' {FIN} in row 1\.$"):
        fd.entropy(p)
    p[0] = 0.0
    with pytest.raises(ValueError, match=rf"^'p' {ZSUM}; row 0 sums to 0\.$"):
        fd.entropy(p)


def test_first_bad_row_3d_tuple_index():
    p = good((3, 4, 5))
    p[2, 0, 1] = -3.0
    p[1, 2, 4] = np.nan
    p[1, 3, 0] = -3.0
    with pytest.raises(ValueError, match=rf"^'p' {FIN} in row \(1, 2\)\.$"):
        fd.entropy(p)
    with pytest.raises(ValueError, match=rf"^'q' {FIN} in row \(1, 2\)\.$"):
        fd.kl_divergence(good((3, 4, 5)), p)


def test_p_checked_before_q_within_row_and_rows_first():
    p = good((5, 4))
    q = good((5, 4))
    p[3, 0] = -1.0
    q[1, 0] = -1.0
    # the first bad row is 1 (in q) even though p is bad too, later
    with pytest.raises(ValueError, match=rf"^'q' {NEG} in row 1\.$"):
        fd.kl_divergence(p, q)
    p[1, 2] = np.nan
    # now row 1 is bad in both: p is reported
    with pytest.raises(ValueError, match=rf"^'p' {FIN} in row 1\.$"):
        fd.kl_divergence(p, q)


def test_row_index_refers_to_broadcast_batch():
    p = good((1, 3, 4))
    p[0, 2, 1] = -1.0
    q = good((2, 3, 4))
    with pytest.raises(ValueError, match=rf"^'p' {NEG} in row \(0, 2\)\.$"):
        fd.js_divergence(p, q)
    q = good((2, 3, 4))
    q[1, 0, 3] = np.nan
    with pytest.raises(ValueError, match=rf"^'q' {FIN} in row \(1, 0\)\.$"):
        fd.js_divergence(good(4), q)
    # a bad 1-D p broadcast against a batch is bad in row 0 of the batch
    p1 = good(4)
    p1[2] = -1.0
    with pytest.raises(ValueError, match=rf"^'p' {NEG} in row 0\.$"):
        fd.total_variation(p1, good((3, 4)))


def test_row_index_with_axis_0_and_middle_axis():
    p = good((4, 5))  # support on axis 0, 5 distributions
    p[1, 3] = np.nan
    with pytest.raises(ValueError, match=rf"^'p' {FIN} in row 3\.$"):
        fd.entropy(p, axis=0)
    p = good((2, 4, 3))  # support on axis 1, batch shape (2, 3)
    p[1, 0, 2] = -0.5
    with pytest.raises(ValueError, match=rf"^'p' {NEG} in row \(1, 2\)\.$"):
        fd.entropy(p, axis=1)
    p = good((2, 4, 3))
    p[0, :, 1] = 0.0
    with pytest.raises(ValueError, match=rf"^'p' {ZSUM}; row \(0, 1\) sums to 0\.$"):
        fd.hellinger(p, good((2, 4, 3)), axis=-2)


# --------------------------------------------------------------------------
# inputs are not modified, even when an error is raised
# --------------------------------------------------------------------------


UNMODIFIED_CASES = [
    (name, kind)
    for name in ALL
    for kind in ["neg", "nan", "zero", "normalize-false", "broadcast"]
    if not (kind == "broadcast" and name in ONE_ARG)
]


@pytest.mark.parametrize("name,kind", UNMODIFIED_CASES)
def test_inputs_unmodified_after_error(name, kind):
    p = good((5, 4), 10)
    q = good((5, 4), 11) if name in TWO_ARG else None
    kw = {}
    if kind == "neg":
        p[4, 1] = -0.5
    elif kind == "nan":
        p[4, 1] = np.nan
    elif kind == "zero":
        p[4] = 0.0
    elif kind == "normalize-false":
        kw["normalize"] = False  # rows 0..3 are not normalized either; all rows untouched
    elif kind == "broadcast":
        q = good((3, 4), 11)
    p0 = p.copy()
    q0 = None if q is None else q.copy()
    with pytest.raises(ValueError):
        call(name, p, q, **kw)
    assert p.tobytes() == p0.tobytes()
    if q is not None:
        assert q.tobytes() == q0.tobytes()


def test_read_only_input_error_is_the_documented_one():
    p = good((5, 4))
    p[2, 2] = np.nan
    p.flags.writeable = False
    with pytest.raises(ValueError, match=rf"^'p' {FIN} in row 2\.$"):
        fd.kl_divergence(p, good((5, 4)))


# --------------------------------------------------------------------------
# pairwise and nearest
# --------------------------------------------------------------------------

PW = ["pairwise", "nearest"]
METRIC_LIST = (
    "'metric' must be one of 'cross_entropy', 'hellinger', 'js_distance', "
    "'js_divergence', 'kl_divergence', 'renyi_divergence', 'total_variation'; got "
)


def pw(fn, P, Q=None, **kw):
    """fastdiv.pairwise or fastdiv.nearest (k=1 by default)."""
    return getattr(fd, fn)(P, Q, **kw)


def metric_kw(metric):
    return {"alpha": 2.0} if metric in RENYI else {}


@pytest.mark.parametrize("fn", PW)
@pytest.mark.parametrize(
    "metric", ["foo", "entropy", "renyi_entropy", "self_information", "KL", "kl", ""]
)
def test_pw_unknown_metric(fn, metric):
    msg = "^" + re.escape(f"{METRIC_LIST}{metric!r}.")
    with pytest.raises(ValueError, match=msg):
        pw(fn, good((3, 4)), good((2, 4)), metric=metric)
    with pytest.raises(ValueError, match=msg):
        pw(fn, good((3, 4)), metric=metric)


BAD_METRIC_OBJECTS = [
    pytest.param(None, id="None"),
    pytest.param(1, id="int"),
    pytest.param(b"kl_divergence", id="bytes"),
    pytest.param(["kl_divergence"], id="list"),
    pytest.param(fd.entropy, id="fd.entropy"),
    pytest.param(fd.renyi_entropy, id="fd.renyi_entropy"),
    pytest.param(fd.self_information, id="fd.self_information"),
    pytest.param(lambda p, q: 0.0, id="lambda"),
    pytest.param(np.dot, id="np.dot"),
]


@pytest.mark.parametrize("fn", PW)
@pytest.mark.parametrize("metric", BAD_METRIC_OBJECTS)
def test_pw_metric_of_the_wrong_kind(fn, metric):
    with pytest.raises(TypeError, match="'metric' must be"):
        pw(fn, good((3, 4)), good((2, 4)), metric=metric)


def unexpected_keyword_cases():
    for metric in METRICS:
        takes = pairwise_keywords(metric)
        for kw in ["base", "logits", "alpha", "normalise", "weights", "keepdims"]:
            if kw not in takes:
                yield pytest.param(metric, kw, id=f"{metric}-{kw}")


@pytest.mark.parametrize("fn", PW)
@pytest.mark.parametrize("metric,kw", list(unexpected_keyword_cases()))
def test_pw_keyword_the_metric_does_not_take(fn, metric, kw):
    value = True if kw == "logits" else 2.0
    args = dict(metric_kw(metric), **{kw: value})
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{kw}'") as ei:
        pw(fn, good((3, 4)), good((2, 4)), metric=metric, **args)
    # the message says which keywords the metric takes
    for name in pairwise_keywords(metric):
        assert name in str(ei.value), (name, str(ei.value))
    # also with the metric given as a function, and with Q=None
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{kw}'"):
        pw(fn, good((3, 4)), metric=getattr(fd, metric), **args)


@pytest.mark.parametrize("fn", PW)
def test_pw_renyi_needs_alpha(fn):
    for metric in ["renyi_divergence", fd.renyi_divergence]:
        with pytest.raises(TypeError, match="'alpha'"):
            pw(fn, good((3, 4)), good((2, 4)), metric=metric)
        with pytest.raises(TypeError, match="'alpha'"):
            pw(fn, good((3, 4)), metric=metric, base=2)


@pytest.mark.parametrize("fn", PW)
@pytest.mark.parametrize("which", ["P", "Q"])
@pytest.mark.parametrize(
    "bad", [good(3), good((2, 3, 4)), good(()), [0.5, 0.5, 0.5]], ids=["1d", "3d", "0d", "list"]
)
def test_pw_not_2d(fn, which, bad):
    shape = np.shape(bad)
    msg = re.escape(f"'{which}' must be 2-D (one distribution per row); got shape {shape}.")
    P, Q = (bad, good((3, 3))) if which == "P" else (good((3, 3)), bad)
    with pytest.raises(ValueError, match="^" + msg + "$"):
        pw(fn, P, Q)
    if which == "P":
        with pytest.raises(ValueError, match="^" + msg + "$"):
            pw(fn, P)


def test_pw_not_2d_exact_message():
    with pytest.raises(ValueError) as ei:
        fd.pairwise(np.array([0.2, 0.3, 0.5]))
    assert str(ei.value) == "'P' must be 2-D (one distribution per row); got shape (3,)."


@pytest.mark.parametrize("fn", PW)
@pytest.mark.parametrize("sp,sq", [((3, 4), (2, 5)), ((3, 1), (3, 2)), ((1, 7), (1, 6))])
def test_pw_different_numbers_of_columns(fn, sp, sq):
    with pytest.raises(ValueError, match=r"^'P' and 'Q' must have the same number of columns"):
        pw(fn, good(sp), good(sq))


@pytest.mark.parametrize("fn", PW)
def test_pw_no_columns(fn):
    with pytest.raises(ValueError, match=r"^'P' must have at least one column"):
        pw(fn, np.ones((3, 0)))
    with pytest.raises(ValueError, match=r"^'P' must have at least one column"):
        pw(fn, np.ones((3, 0)), np.ones((2, 0)))


@pytest.mark.parametrize("fn", PW)
@pytest.mark.parametrize("which", ["P", "Q"])
@pytest.mark.parametrize("bad", BAD_DTYPE_ARRAYS)
def test_pw_bad_dtype(fn, which, bad):
    bad2 = np.stack([bad, bad])  # 2-D
    P, Q = (bad2, good((3, 2))) if which == "P" else (good((3, 2)), bad2)
    with pytest.raises(TypeError, match=dtype_msg(which, bad.dtype)):
        pw(fn, P, Q)


@pytest.mark.parametrize("fn", PW)
def test_pw_p_none(fn):
    with pytest.raises(TypeError, match=r"^'P' must be an array of real numbers; got None\.$"):
        pw(fn, None, good((3, 4)))
    with pytest.raises(TypeError, match=r"^'P' must be an array of real numbers; got None\.$"):
        pw(fn, None)


# ---- out= ----


def test_pw_out_not_an_array():
    P, Q = good((3, 4)), good((4, 4), 1)
    for out in [[[0.0] * 4] * 3, 0.0, "out", memoryview(np.zeros((3, 4)))]:
        with pytest.raises(TypeError, match="'out' must be"):
            fd.pairwise(P, Q, out=out)


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.complex128, np.longdouble, object])
def test_pw_out_wrong_dtype(dtype):
    if np.dtype(dtype) == np.float64:  # longdouble is float64 on some platforms
        pytest.skip("longdouble is float64 here")
    out = np.zeros((3, 4), dtype=dtype)
    with pytest.raises(TypeError, match="'out' must have dtype float64"):
        fd.pairwise(good((3, 4)), good((4, 4), 1), out=out)


@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (12,), (1, 3, 4), (3, 4, 1), ()])
def test_pw_out_wrong_shape(shape):
    with pytest.raises(ValueError, match=r"'out' must have shape \(3, 4\)"):
        fd.pairwise(good((3, 4)), good((4, 4), 1), out=np.zeros(shape))
    with pytest.raises(ValueError, match=r"'out' must have shape \(3, 3\)"):
        fd.pairwise(good((3, 4)), out=np.zeros((3, 4) if shape == (3, 3) else shape))


def test_pw_out_not_c_contiguous_or_not_writeable():
    P, Q = good((3, 4)), good((4, 4), 1)
    ro = np.zeros((3, 4))
    ro.flags.writeable = False
    for out in [np.zeros((4, 3)).T, np.zeros((3, 8))[:, ::2], np.zeros((6, 4))[::2], ro]:
        assert out.shape == (3, 4)
        with pytest.raises(ValueError, match="'out' must be C-contiguous and writeable"):
            fd.pairwise(P, Q, out=out)


def test_pw_out_sharing_memory_with_an_input():
    P, Q = good((3, 4)), good((4, 4), 1)
    buf = good((7, 4), 2)
    cases = [
        (P, Q, P),  # out is P
        (P, Q, Q[:3]),  # out is a view of Q
        (buf[:3], buf[3:], buf[3:6]),  # P and Q share a buffer with out
    ]
    for p, q, out in cases:
        p0, q0 = p.copy(), q.copy()
        with pytest.raises(ValueError, match="'out' must not share memory"):
            fd.pairwise(p, q, out=out)
        assert np.array_equal(p, p0) and np.array_equal(q, q0)
    P4 = good((4, 4), 3)
    with pytest.raises(ValueError, match="'out' must not share memory"):
        fd.pairwise(P4, out=P4)  # Q=None: out is P


# ---- k ----


@pytest.mark.parametrize("k", [1.5, "2", True, False, 2.0, None, [1], np.float64(1.0)])
def test_pw_k_not_an_integer(k):
    with pytest.raises(TypeError, match="'k' must be an integer"):
        fd.nearest(good((3, 4)), good((5, 4), 1), k=k)


@pytest.mark.parametrize(
    "m,n,k,bound",
    [
        (3, 5, 0, 5),
        (3, 5, -1, 5),
        (3, 5, 6, 5),
        (3, 5, 10**20, 5),
        (3, None, 3, 2),  # Q=None: the other m - 1 rows
        (3, None, 0, 2),
        (1, None, 1, 0),  # one row has no other row
        (3, 0, 1, 0),  # Q has no rows
    ],
)
def test_pw_k_out_of_range(m, n, k, bound):
    P = good((m, 4))
    Q = None if n is None else good((n, 4), 1)
    with pytest.raises(ValueError, match=rf"'k' must satisfy 1 <= k <= {bound}(?!\d)"):
        fd.nearest(P, Q, k=k)


def test_pw_k_at_the_bounds_is_fine():
    P, Q = good((3, 4)), good((5, 4), 1)
    assert fd.nearest(P, Q, k=5)[0].shape == (3, 5)
    assert fd.nearest(P, k=2)[0].shape == (3, 2)
    assert fd.nearest(P, Q, k=np.int32(1))[0].shape == (3, 1)


# ---- entries ----


@pytest.mark.parametrize("fn", PW)
@pytest.mark.parametrize("which", ["P", "Q", "P-alone"])
@pytest.mark.parametrize(
    "value,pattern",
    [(-0.25, NEG), (-5e-324, NEG), (np.nan, FIN), (np.inf, FIN), (-np.inf, f"({FIN}|{NEG})")],
    ids=["neg", "tiny-neg", "nan", "posinf", "neginf"],
)
@pytest.mark.parametrize(
    "metric", ["js_distance", "kl_divergence", "hellinger", "renyi_divergence"]
)
def test_pw_bad_entry_names_arg_and_row(fn, which, value, pattern, metric):
    bad = with_bad_row(value)  # (5, 4), row 3
    name = which[0]
    if which == "P-alone":
        P, Q = bad, None
    else:
        P, Q = (bad, good((5, 4), 1)) if which == "P" else (good((5, 4), 1), bad)
    before = bad.copy()
    with pytest.raises(ValueError, match=rf"^'{name}' {pattern} in row 3\.$"):
        pw(fn, P, Q, metric=metric, **metric_kw(metric))
    assert np.array_equal(bad, before, equal_nan=True)


def test_pw_bad_entry_exact_messages():
    P = good((5, 4))
    P[3, 2] = -1.0
    with pytest.raises(ValueError) as ei:
        fd.pairwise(P, good((2, 4)))
    assert str(ei.value) == "'P' must be non-negative; found a negative entry in row 3."
    Q = good((2, 4))
    Q[0, 1] = np.nan
    with pytest.raises(ValueError) as ei:
        fd.nearest(good((5, 4)), Q)
    assert str(ei.value) == "'Q' must be finite; found NaN or infinity in row 0."
    P = good((5, 4))
    P[2] = 0.0
    with pytest.raises(ValueError) as ei:
        fd.pairwise(P, metric="kl_divergence")
    assert str(ei.value) == "'P' must have a positive sum along axis; row 2 sums to 0."


@pytest.mark.parametrize("fn", PW)
@pytest.mark.parametrize("which", ["P", "Q"])
@pytest.mark.parametrize("metric", ["js_divergence", "cross_entropy", "total_variation"])
def test_pw_zero_sum_row(fn, which, metric):
    bad = good((5, 4), 4)
    bad[2] = 0.0
    P, Q = (bad, good((5, 4), 1)) if which == "P" else (good((5, 4), 1), bad)
    with pytest.raises(ValueError, match=rf"^'{which}' {ZSUM}; row 2 sums to 0\.$"):
        pw(fn, P, Q, metric=metric)
    if which == "P":
        with pytest.raises(ValueError, match=rf"^'P' {ZSUM}; row 2 sums to 0\.$"):
            pw(fn, P, metric=metric)


@pytest.mark.parametrize("fn", PW)
@pytest.mark.parametrize("which", ["P", "Q"])
@pytest.mark.parametrize("metric", METRICS)
def test_pw_normalize_false_sum_off(fn, which, metric):
    bad = np.full((5, 4), 0.25)
    bad[3] = [0.25, 0.25, 0.0, 0.0]  # sums to 0.5 exactly
    other = np.full((5, 4), 0.25)
    P, Q = (bad, other) if which == "P" else (other, bad)
    with pytest.raises(ValueError, match=off_msg(which, r"2\.8\d*e-14", 3, r"0\.5")):
        pw(fn, P, Q, metric=metric, normalize=False, **metric_kw(metric))


@pytest.mark.parametrize("fn", PW)
@pytest.mark.parametrize("which", ["P", "Q"])
@pytest.mark.parametrize("metric", [m for m in METRICS if m in WITH_LOGITS])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf], ids=["nan", "posinf", "neginf"])
def test_pw_logits_must_be_finite(fn, which, metric, value):
    bad = np.random.default_rng(7).normal(size=(5, 4)) * 3.0  # negatives are fine
    bad[3, 2] = value
    other = np.random.default_rng(8).normal(size=(5, 4))
    P, Q = (bad, other) if which == "P" else (other, bad)
    with pytest.raises(ValueError, match=rf"^'{which}' {FIN} in row 3\.$"):
        pw(fn, P, Q, metric=metric, logits=True)
    # negative logits are valid
    pw(fn, other, -np.abs(other), metric=metric, logits=True)


# ---- the measure's keywords: the exact family's messages ----


@pytest.mark.parametrize("fn", PW)
@pytest.mark.parametrize("metric", [m for m in METRICS if m in WITH_BASE])
@pytest.mark.parametrize("base", [0, 1, -1, math.nan, math.inf])
def test_pw_bad_base_value(fn, metric, base):
    msg = re.escape(f"'base' must be a positive number other than 1 or None; got {base!r}.")
    with pytest.raises(ValueError, match="^" + msg + "$"):
        pw(fn, good((3, 4)), good((2, 4)), metric=metric, base=base, **metric_kw(metric))


@pytest.mark.parametrize("fn", PW)
@pytest.mark.parametrize("base,tname", [("2", "str"), (2j, "complex"), ([2], "list")])
def test_pw_bad_base_type(fn, base, tname):
    with pytest.raises(TypeError, match=rf"^'base' must be a real number or None; got {tname}\.$"):
        pw(fn, good((3, 4)), good((2, 4)), metric="kl_divergence", base=base)


@pytest.mark.parametrize("fn", PW)
@pytest.mark.parametrize("alpha", [-1, -0.5, math.nan, -math.inf])
def test_pw_bad_alpha_value(fn, alpha):
    msg = re.escape(f"'alpha' must be a non-negative number or inf; got {alpha!r}.")
    with pytest.raises(ValueError, match="^" + msg + "$"):
        pw(fn, good((3, 4)), good((2, 4)), metric="renyi_divergence", alpha=alpha)


@pytest.mark.parametrize("fn", PW)
@pytest.mark.parametrize("alpha,tname", [("2", "str"), (2j, "complex"), ([2], "list")])
def test_pw_bad_alpha_type(fn, alpha, tname):
    with pytest.raises(TypeError, match=rf"^'alpha' must be a real number; got {tname}\.$"):
        pw(fn, good((3, 4)), good((2, 4)), metric="renyi_divergence", alpha=alpha)
    # alpha=None: missing or of the wrong type, a TypeError naming it either way
    with pytest.raises(TypeError, match="'alpha'"):
        pw(fn, good((3, 4)), good((2, 4)), metric="renyi_divergence", alpha=None)


@pytest.mark.parametrize("fn", PW)
@pytest.mark.parametrize("flag", ["normalize", "logits"])
@pytest.mark.parametrize(
    "value,tname", [(1, "int"), (None, "NoneType"), ("True", "str"), (1.0, "float")]
)
def test_pw_non_bool_flags(fn, flag, value, tname):
    with pytest.raises(TypeError, match=rf"^'{flag}' must be a bool; got {tname}\.$"):
        pw(fn, good((3, 4)), good((2, 4)), metric="js_divergence", **{flag: value})


def test_pw_keyword_only_arguments():
    P, Q = good((3, 4)), good((2, 4), 1)
    with pytest.raises(TypeError):
        fd.pairwise(P, Q, "kl_divergence")
    with pytest.raises(TypeError):
        fd.nearest(P, Q, 1)


# ---- inputs are not modified ----


@pytest.mark.parametrize("fn", PW)
@pytest.mark.parametrize("kind", ["neg", "nan", "zero", "normalize-false", "columns", "metric"])
def test_pw_inputs_unmodified_after_error(fn, kind):
    P, Q = good((5, 4), 10), good((6, 4), 11)
    kw = {"metric": "kl_divergence"}
    if kind == "neg":
        Q[4, 1] = -0.5
    elif kind == "nan":
        P[4, 1] = np.nan
    elif kind == "zero":
        Q[4] = 0.0
    elif kind == "normalize-false":
        kw["normalize"] = False
    elif kind == "columns":
        Q = good((6, 5), 11)
    else:
        kw["metric"] = "nope"
    P0, Q0 = P.copy(), Q.copy()
    with pytest.raises(ValueError):
        pw(fn, P, Q, **kw)
    assert P.tobytes() == P0.tobytes() and Q.tobytes() == Q0.tobytes()


# --------------------------------------------------------------------------
# fastdiv.discrete: labels
# --------------------------------------------------------------------------
#
# Labels are validated by ``_validation.as_labels`` (named by the argument:
# 'x', 'y', 'z'; 'X', 'Y' for pairwise), the keywords by ``check_choice``,
# ``check_correction``, ``base_scale``, ``check_bool`` and
# ``resolve_threads``.  A NaN label is reported at its first sample (the
# first row holding one, for a 2-D input; for pairwise, in the first column
# holding one, as columns are coded in order).

DISC = fd.discrete
D_ONE = ["entropy"]
D_TWO = [
    "contingency",
    "joint_entropy",
    "conditional_entropy",
    "mutual_information",
    "normalized_mutual_information",
    "adjusted_mutual_information",
    "variation_of_information",
]
D_THREE = ["conditional_mutual_information"]
D_ALL = D_ONE + D_TWO + D_THREE
D_CORRECTION = [
    "entropy",
    "joint_entropy",
    "conditional_entropy",
    "mutual_information",
    "variation_of_information",
    "conditional_mutual_information",
]
D_AVERAGE = ["normalized_mutual_information", "adjusted_mutual_information"]
D_BASE = [n for n in D_ALL if n != "contingency"]
D_MEASURES = (
    "'mutual_information', 'normalized_mutual_information', 'adjusted_mutual_information', "
    "'variation_of_information', 'conditional_entropy'"
)
D_THREADS_MSG = (
    rf"^'n_threads' must be None, -1 \(all cores\) or an integer from 1 to "
    rf"{fd.thread_limit()} \(thread_limit\(\)\); got "
)


def d_labels(name):
    """The label arguments ``name`` takes."""
    return "x" if name in D_ONE else "xyz" if name in D_THREE else "xy"


def d_which(names):
    """(name, argument) for every label argument of every function."""
    return [(n, a) for n in names for a in d_labels(n)]


def d_call(name, labels, *args, **kw):
    """discrete.<name> of the labels it takes from the dict ``labels``."""
    return getattr(DISC, name)(*[labels[a] for a in d_labels(name)], *args, **kw)


def d_good(n=6, seed=0):
    return np.random.default_rng(seed).integers(0, 3, n)


def d_with(which, bad, n=6):
    labels = {a: d_good(n, i) for i, a in enumerate("xyz")}
    labels[which] = bad
    return labels


@pytest.mark.parametrize("name,which", d_which(D_ALL))
def test_discrete_none_is_typeerror(name, which):
    with pytest.raises(TypeError, match=rf"^'{which}' must be an array of labels; got None\.$"):
        d_call(name, d_with(which, None))


@pytest.mark.parametrize("name,which", d_which(D_ALL))
@pytest.mark.parametrize(
    "bad,nd",
    [(np.int64(3), 0), ("abc", 0), (2.5, 0), (np.zeros((6, 2, 2)), 3), (np.zeros((6, 1, 1, 1)), 4)],
    ids=["int64", "str", "float", "3-D", "4-D"],
)
def test_discrete_bad_ndim(name, which, bad, nd):
    msg = (
        rf"^'{which}' must be a 1-D array of labels or a 2-D array whose rows are symbols; "
        rf"got {nd} dimensions\.$"
    )
    with pytest.raises(ValueError, match=msg):
        d_call(name, d_with(which, bad))


@pytest.mark.parametrize("name,which", d_which(D_ALL))
@pytest.mark.parametrize(
    "bad",
    [[], np.zeros(0, dtype=np.int64), np.zeros((0, 2)), np.zeros((6, 0)), np.array([], dtype="U3")],
    ids=["list", "1-D", "no-rows", "no-columns", "str"],
)
def test_discrete_empty(name, which, bad):
    msg = rf"^'{which}' must hold at least one sample; got an empty array\.$"
    with pytest.raises(ValueError, match=msg):
        d_call(name, d_with(which, bad))


@pytest.mark.parametrize("name,which", d_which(D_ALL))
def test_discrete_ragged(name, which):
    with pytest.raises(ValueError, match=rf"^'{which}' could not be converted to an array: "):
        d_call(name, d_with(which, [[1, 2], [3]]))


def _d_nan_cases():
    nan = np.nan
    x2 = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, nan], [nan, nan], [1.0, 1.0], [0.0, 0.0]])
    obj = np.array([0, 1, 2, "a", nan, nan], dtype=object)[[0, 1, 2, 0, 4, 5]]
    return [
        (np.array([0.0, 1.0, 0.0, nan, 1.0, nan]), 3),
        (np.array([nan, 1.0, 0.0, 0.0, 1.0, 1.0], dtype=">f4"), 0),
        (np.array([0.0, 1.0, 0.0, 1.0, 1.0, nan], dtype=np.float16), 5),
        (np.array([0, 1j, complex(0, nan), 1, 1, 0], dtype=np.complex128), 2),
        (np.array([0, 1, complex(nan, 1), 1, 1, 0], dtype=">c8"), 2),
        (obj, 4),
        (x2, 2),
        (np.asfortranarray(x2), 2),
        (x2[::-1], 2),  # rows 5, 4, 3 (NaN), ...
        ([0.0, 1.0, float("nan"), 1.0, 0.0, 0.0], 2),
    ]


@pytest.mark.parametrize("name,which", d_which(D_ALL))
@pytest.mark.parametrize(
    "bad,first",
    _d_nan_cases(),
    ids=["f8", ">f4", "f2", "c16-imag", ">c8-real", "object", "rows", "rows-F", "rows-rev", "list"],
)
def test_discrete_nan_names_the_first_sample(name, which, bad, first):
    before = np.array(bad, copy=True)
    msg = rf"^'{which}' must not contain NaN; found one at sample {first}\.$"
    with pytest.raises(ValueError, match=msg):
        d_call(name, d_with(which, bad))
    if isinstance(bad, np.ndarray):
        assert bad.dtype == before.dtype and bad.shape == before.shape
        if bad.dtype != object:
            assert bad.tobytes() == before.tobytes()
        else:
            assert [repr(v) for v in bad.tolist()] == [repr(v) for v in before.tolist()]


def test_discrete_infinities_and_negative_zero_are_labels():
    """Not NaN: valid labels (-0.0 is the label 0.0)."""
    x = np.array([np.inf, -np.inf, 0.0, -0.0, np.inf])
    assert DISC.entropy(x) == DISC.entropy([2, 1, 0, 0, 2])
    assert DISC.contingency(x, x).shape == (3, 3)


@pytest.mark.parametrize("name", D_TWO + D_THREE)
@pytest.mark.parametrize("m", [5, 7, 1])
def test_discrete_lengths_differ(name, m):
    labels = {"x": d_good(6), "y": d_good(m, 1), "z": d_good(6, 2)}
    msg = rf"^'x' and 'y' must have the same number of samples; got 6 and {m}\.$"
    with pytest.raises(ValueError, match=msg):
        d_call(name, labels)


@pytest.mark.parametrize("m", [5, 7, 1])
def test_discrete_cmi_z_length_differs(m):
    msg = rf"^'x' and 'z' must have the same number of samples; got 6 and {m}\.$"
    with pytest.raises(ValueError, match=msg):
        DISC.conditional_mutual_information(d_good(6), d_good(6, 1), d_good(m, 2))


def test_discrete_rows_count_samples_not_elements():
    """A (6, 2) array is 6 samples: the lengths are compared by rows."""
    msg = r"^'x' and 'y' must have the same number of samples; got 6 and 12\.$"
    with pytest.raises(ValueError, match=msg):
        DISC.mutual_information(np.zeros((6, 2)), np.zeros(12))
    assert DISC.mutual_information(np.zeros((6, 2)), np.zeros(6)) == 0.0


def _d_unsortable():
    mixed = np.array([1, "a", 1, "a", 2, "b"], dtype=object)
    none = np.array([1, 2, None, 1, 2, 3], dtype=object)
    cplx = np.array([1, 2j, 1, 2, 3, 1], dtype=object)
    objs = np.array([object() for _ in range(6)], dtype=object)
    rows = np.array([[1, 0], ["a", 0], [1, 1], [2, 0], [1, 0], ["b", 1]], dtype=object)
    # (a list of ints and strings would become an array of strings: None stays an object)
    return [mixed, none, cplx, objs, rows, none.tolist()]


@pytest.mark.parametrize("name,which", d_which(D_ALL))
@pytest.mark.parametrize(
    "bad", _d_unsortable(), ids=["int-str", "none", "complex", "objects", "rows", "list"]
)
def test_discrete_unsortable_labels(name, which, bad):
    flat = np.asarray(bad, dtype=object).ravel()
    before = list(flat)
    msg = rf"^'{which}' holds labels that cannot be sorted: .*not supported between instances"
    with pytest.raises(TypeError, match=msg):
        d_call(name, d_with(which, bad))
    assert all(a is b for a, b in zip(before, flat))  # the same objects, in place


@pytest.mark.parametrize("name", D_BASE)
@pytest.mark.parametrize("base", [0, 1, -1, 1.0, -2.5, 0.0, math.nan, math.inf, -math.inf])
def test_discrete_bad_base_value(name, base):
    msg = re.escape(f"'base' must be a positive number other than 1 or None; got {base!r}.")
    with pytest.raises(ValueError, match="^" + msg + "$"):
        d_call(name, d_with("x", d_good()), base=base)


@pytest.mark.parametrize("name", D_BASE)
@pytest.mark.parametrize(
    "base,tname", [("2", "str"), (2j, "complex"), ([2], "list"), (True, "bool")]
)
def test_discrete_bad_base_type(name, base, tname):
    with pytest.raises(TypeError, match=rf"^'base' must be a real number or None; got {tname}\.$"):
        d_call(name, d_with("x", d_good()), base=base)


@pytest.mark.parametrize("name", D_BASE)
def test_discrete_base_beyond_float64(name):
    with pytest.raises(ValueError, match=r"^'base' must fit in a float64 .*; got 1000000"):
        d_call(name, d_with("x", d_good()), base=10**400)


@pytest.mark.parametrize("name", D_CORRECTION)
@pytest.mark.parametrize("value", ["mm", "Miller-Madow", "", "miller_madow"])
def test_discrete_bad_correction_value(name, value):
    msg = re.escape(f"'correction' must be None or 'miller-madow'; got {value!r}.")
    with pytest.raises(ValueError, match="^" + msg + "$"):
        d_call(name, d_with("x", d_good()), correction=value)


@pytest.mark.parametrize("name", D_CORRECTION)
@pytest.mark.parametrize(
    "value,tname", [(1, "int"), (True, "bool"), (b"miller-madow", "bytes"), (["mm"], "list")]
)
def test_discrete_bad_correction_type(name, value, tname):
    msg = rf"^'correction' must be None or a str; got {tname}\.$"
    with pytest.raises(TypeError, match=msg):
        d_call(name, d_with("x", d_good()), correction=value)


@pytest.mark.parametrize("name", D_AVERAGE + ["contingency"])
def test_discrete_correction_not_taken(name):
    msg = rf"^{name}\(\) got an unexpected keyword argument 'correction'$"
    with pytest.raises(TypeError, match=msg):
        d_call(name, d_with("x", d_good()), correction="miller-madow")


@pytest.mark.parametrize("name", D_AVERAGE)
@pytest.mark.parametrize("value", ["mean", "Arithmetic", "", "harmonic"])
@pytest.mark.parametrize("positional", [False, True])
def test_discrete_bad_average_value(name, value, positional):
    msg = re.escape(
        f"'average' must be one of 'arithmetic', 'geometric', 'min', 'max'; got {value!r}."
    )
    args, kw = ((value,), {}) if positional else ((), {"average": value})
    with pytest.raises(ValueError, match="^" + msg + "$"):
        d_call(name, d_with("x", d_good()), *args, **kw)


@pytest.mark.parametrize("name", D_AVERAGE)
@pytest.mark.parametrize("value,tname", [(None, "NoneType"), (1, "int"), (b"min", "bytes")])
def test_discrete_bad_average_type(name, value, tname):
    with pytest.raises(TypeError, match=rf"^'average' must be a str; got {tname}\.$"):
        d_call(name, d_with("x", d_good()), average=value)


@pytest.mark.parametrize("name", [n for n in D_ALL if n not in D_AVERAGE])
def test_discrete_average_not_taken(name):
    msg = rf"^{name}\(\) got an unexpected keyword argument 'average'$"
    with pytest.raises(TypeError, match=msg):
        d_call(name, d_with("x", d_good()), average="min")


@pytest.mark.parametrize(
    "value,tname", [(1, "int"), (0, "int"), (None, "NoneType"), ("True", "str"), (1.0, "float")]
)
def test_discrete_sparse_not_a_bool(value, tname):
    with pytest.raises(TypeError, match=rf"^'sparse' must be a bool; got {tname}\.$"):
        DISC.contingency(d_good(), d_good(6, 1), sparse=value)


@pytest.mark.parametrize("name", D_ALL + ["pairwise"])
@pytest.mark.parametrize(
    "value,shown",
    [(0, "0"), (-2, "-2"), (1.5, "1.5"), ("2", "'2'"), (True, "True"), ([2], r"\[2\]")],
)
def test_discrete_bad_n_threads(name, value, shown):
    with pytest.raises(ValueError, match=D_THREADS_MSG + shown + r"\.$"):
        if name == "pairwise":
            DISC.pairwise(np.zeros((4, 2)), n_threads=value)
        else:
            d_call(name, d_with("x", d_good()), n_threads=value)


# ---- discrete.pairwise ----


def d_cols(n=4, f=3, seed=0):
    return np.random.default_rng(seed).integers(0, 3, (n, f))


def test_discrete_pw_none():
    with pytest.raises(TypeError, match=r"^'X' must be a 2-D array of labels; got None\.$"):
        DISC.pairwise(None)
    with pytest.raises(TypeError, match=r"^'X' must be a 2-D array of labels; got None\.$"):
        DISC.pairwise(None, d_cols())


@pytest.mark.parametrize("which", ["X", "Y"])
@pytest.mark.parametrize("shape", [(4,), (4, 2, 2), ()])
def test_discrete_pw_not_2d(which, shape):
    bad = np.zeros(shape, dtype=np.int64)
    X, Y = (bad, d_cols()) if which == "X" else (d_cols(), bad)
    msg = (
        rf"^'{which}' must be a 2-D array \(n_samples, n_features\); got {len(shape)} dimensions\.$"
    )
    with pytest.raises(ValueError, match=msg):
        DISC.pairwise(X, Y)


@pytest.mark.parametrize("which", ["X", "Y"])
def test_discrete_pw_no_columns(which):
    X, Y = (np.zeros((4, 0)), d_cols()) if which == "X" else (d_cols(), np.zeros((4, 0)))
    msg = rf"^'{which}' must have at least one column; got shape \(4, 0\)\.$"
    with pytest.raises(ValueError, match=msg):
        DISC.pairwise(X, Y)


def test_discrete_pw_no_samples():
    msg = r"^'X' must hold at least one sample; got an empty array\.$"
    with pytest.raises(ValueError, match=msg):
        DISC.pairwise(np.zeros((0, 2), dtype=np.int64))
    with pytest.raises(ValueError, match=msg):
        DISC.pairwise(np.zeros((0, 2)), np.zeros((0, 3)))


@pytest.mark.parametrize("m", [3, 5])
def test_discrete_pw_rows_differ(m):
    msg = rf"^'X' and 'Y' must have the same number of samples; got 4 and {m}\.$"
    with pytest.raises(ValueError, match=msg):
        DISC.pairwise(d_cols(), d_cols(m))


@pytest.mark.parametrize("which", ["X", "Y"])
def test_discrete_pw_ragged(which):
    """A ragged list names its argument, as the one-pair functions do."""
    X, Y = ([[1, 2], [3]], None) if which == "X" else (d_cols(2, 2), [[1, 2], [3]])
    with pytest.raises(ValueError, match=rf"^'{which}' could not be converted to an array: "):
        DISC.pairwise(X, Y)


@pytest.mark.parametrize("value", ["MI", "entropy", "", "conditional_mutual_information"])
def test_discrete_pw_bad_measure_value(value):
    msg = re.escape(f"'measure' must be one of {D_MEASURES}; got {value!r}.")
    with pytest.raises(ValueError, match="^" + msg + "$"):
        DISC.pairwise(d_cols(), measure=value)


@pytest.mark.parametrize(
    "value,tname", [(None, "NoneType"), (1, "int"), (DISC.entropy, "function")]
)
def test_discrete_pw_bad_measure_type(value, tname):
    with pytest.raises(TypeError, match=rf"^'measure' must be a str; got {tname}\.$"):
        DISC.pairwise(d_cols(), measure=value)


@pytest.mark.parametrize(
    "measure,key,takes",
    [
        ("normalized_mutual_information", "correction", "average"),
        ("adjusted_mutual_information", "correction", "average"),
        ("mutual_information", "average", "correction"),
        ("conditional_entropy", "average", "correction"),
        ("variation_of_information", "sparse", "correction"),
        ("mutual_information", "axis", "correction"),
    ],
)
def test_discrete_pw_unexpected_keyword(measure, key, takes):
    msg = (
        rf"^discrete\.pairwise got an unexpected keyword '{key}' for measure '{measure}' "
        rf"\(it takes '{takes}'\)\.$"
    )
    with pytest.raises(TypeError, match=msg):
        DISC.pairwise(d_cols(), measure=measure, **{key: None})


def test_discrete_pw_keyword_values():
    with pytest.raises(ValueError, match=r"^'average' must be one of 'arithmetic', "):
        DISC.pairwise(d_cols(), measure="adjusted_mutual_information", average="mean")
    with pytest.raises(ValueError, match=r"^'correction' must be None or 'miller-madow'; got 'x'"):
        DISC.pairwise(d_cols(), correction="x")
    with pytest.raises(ValueError, match=r"^'base' must be a positive number other than 1 or None"):
        DISC.pairwise(d_cols(), base=1)


@pytest.mark.parametrize("which", ["X", "Y"])
def test_discrete_pw_nan_first_column_first_sample(which):
    """Columns are coded in order: the first column with a NaN names its
    first NaN sample (here column 1, sample 2; column 2 has one at 0)."""
    bad = np.zeros((4, 3))
    bad[2, 1] = bad[3, 1] = bad[0, 2] = np.nan
    before = bad.copy()
    X, Y = (bad, None) if which == "X" else (d_cols(), bad)
    with pytest.raises(
        ValueError, match=rf"^'{which}' must not contain NaN; found one at sample 2\.$"
    ):
        DISC.pairwise(X, Y)
    assert np.array_equal(bad, before, equal_nan=True)


@pytest.mark.parametrize("which", ["X", "Y"])
def test_discrete_pw_unsortable_column(which):
    bad = np.array([[0, 1], [1, "a"], [0, 1], [1, 2]], dtype=object)
    X, Y = (bad, None) if which == "X" else (d_cols(), bad)
    with pytest.raises(TypeError, match=rf"^'{which}' holds labels that cannot be sorted: "):
        DISC.pairwise(X, Y)


# ---- inputs are not modified ----


@pytest.mark.parametrize("name", D_TWO + D_THREE)
@pytest.mark.parametrize("kind", ["nan", "length", "unsortable", "base", "keyword"])
def test_discrete_inputs_unmodified_after_error(name, kind):
    x = np.array([3, 1, 2, 3, 1, 2], dtype=">i4")
    y = np.array(["b", "a", "c", "b", "a", "a"])
    z = np.array([[0.5, -0.0], [1.0, 2.0]] * 3)
    kw = {}
    if kind == "nan":
        z = z.copy()
        z[4, 1] = np.nan
        if name not in D_THREE:
            y = z
    elif kind == "length":
        y = y[:5]
    elif kind == "unsortable":
        y = np.array([1, "a", 1, "a", 1, "a"], dtype=object)
    elif kind == "base":
        kw["base"] = -1.0 if name != "contingency" else None
        if name == "contingency":
            kw = {"sparse": 1}
    else:
        kw["weights"] = np.ones(6)
    saved = [(a, a.copy(), a.tobytes() if a.dtype != object else list(a)) for a in (x, y, z)]
    with pytest.raises((ValueError, TypeError)):
        d_call(name, {"x": x, "y": y, "z": z}, **kw)
    for a, copy, raw in saved:
        assert a.dtype == copy.dtype and a.shape == copy.shape
        assert (a.tobytes() == raw) if a.dtype != object else all(u is v for u, v in zip(a, raw))


# --------------------------------------------------------------------------
# joint tables: joint_entropy, conditional_entropy, mutual_information
# --------------------------------------------------------------------------

TABLE_FNS = ["joint_entropy", "conditional_entropy", "mutual_information"]


def tb(name, pxy, **kw):
    return getattr(fd, name)(pxy, **kw)


@pytest.mark.parametrize("name", TABLE_FNS)
@pytest.mark.parametrize("pxy,ndim", [(0.5, 0), ([0.25, 0.75], 1), (np.ones(3), 1)])
def test_tb_fewer_than_two_dims(name, pxy, ndim):
    msg = (
        rf"^'pxy' must have at least 2 dimensions \(a joint table pxy\[\.\.\., i, j\]\); "
        rf"got {ndim}\.$"
    )
    with pytest.raises(ValueError, match=msg):
        tb(name, pxy)


@pytest.mark.parametrize("name", TABLE_FNS)
@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (2, 0, 4), (2, 4, 0), (0, 0)])
def test_tb_empty_table_axis(name, shape):
    msg = (
        r"^'pxy' must have at least one entry along each of its last two axes; "
        rf"got shape {re.escape(str(shape))}\.$"
    )
    with pytest.raises(ValueError, match=msg):
        tb(name, np.ones(shape))


@pytest.mark.parametrize("name", TABLE_FNS)
@pytest.mark.parametrize("bad", BAD_DTYPE_ARRAYS)
def test_tb_bad_dtype(name, bad):
    with pytest.raises(TypeError, match=dtype_msg("pxy", bad.dtype)):
        tb(name, np.stack([bad, bad]))


@pytest.mark.parametrize("name", TABLE_FNS)
def test_tb_none(name):
    with pytest.raises(TypeError, match=r"^'pxy' must be an array of real numbers; got None\.$"):
        tb(name, None)


# (batch shape, index of the bad table, what the message shows)
TABLE_WHERE = [
    ((), (), ""),
    ((4,), (2,), " in table 2"),
    ((2, 3), (1, 2), r" in table \(1, 2\)"),
]


@pytest.mark.parametrize("name", TABLE_FNS)
@pytest.mark.parametrize("batch,idx,where", TABLE_WHERE)
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_tb_nonfinite_entry(name, batch, idx, where, value):
    t = good(batch + (3, 4))
    t[idx + (1, 2)] = value
    t[idx + (0, 1)] = -1.0  # a negative entry too: the non-finite one is reported
    with pytest.raises(
        ValueError, match=rf"^'pxy' must be finite; found NaN or infinity{where}\.$"
    ):
        tb(name, t)


@pytest.mark.parametrize("name", TABLE_FNS)
@pytest.mark.parametrize("batch,idx,where", TABLE_WHERE)
@pytest.mark.parametrize("value", [-1.0, -5e-324, -1e308])
def test_tb_negative_entry(name, batch, idx, where, value):
    t = good(batch + (3, 4))
    t[idx + (2, 3)] = value
    t[idx + (2, 2)] = -1e308  # doubled, it overflows: still a negative entry
    with pytest.raises(
        ValueError, match=rf"^'pxy' must be non-negative; found a negative entry{where}\.$"
    ):
        tb(name, t)


@pytest.mark.parametrize("name", TABLE_FNS)
def test_tb_first_bad_table_is_reported(name):
    t = good((5, 3, 4))
    t[3, 0, 0] = np.nan
    t[1, 2, 2] = -1.0
    with pytest.raises(ValueError, match=r"found a negative entry in table 1\.$"):
        tb(name, t)


@pytest.mark.parametrize("name", TABLE_FNS)
def test_tb_zero_sum(name):
    with pytest.raises(ValueError, match=r"^'pxy' must have a positive sum; it sums to 0\.$"):
        tb(name, np.zeros((2, 3)))
    t = good((2, 3, 2, 3))
    t[1, 0] = 0.0
    t[1, 0, 1, 1] = -0.0
    with pytest.raises(
        ValueError, match=r"^'pxy' must have a positive sum; table \(1, 0\) sums to 0\.$"
    ):
        tb(name, t)


@pytest.mark.parametrize("name", TABLE_FNS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_tb_normalize_false_sum_off(name, dtype):
    t = good((3, 4), dtype=dtype)
    tol = T_SUM(dtype, 12)
    with pytest.raises(
        ValueError,
        match=(
            rf"^'pxy' must sum to 1 when normalize=False \(tolerance {tol:.1e}\); "
            rf"it sums to {re.escape(repr(float(np.sum(t, dtype=np.float64))))}\.$"
        ),
    ):
        tb(name, t, normalize=False)
    b = good((4, 3, 4))
    b /= b.sum(axis=(-2, -1), keepdims=True)
    b[2] *= 1.5
    with pytest.raises(ValueError, match=r"; table 2 sums to 1\.5\d*\.$"):
        tb(name, b, normalize=False)
    big = np.full((2, 2), 1e308)  # a sum that overflows is not 1 either
    with pytest.raises(ValueError, match=r"it sums to inf\.$"):
        tb(name, big, normalize=False)


def T_SUM(dtype, n):
    return 64.0 * math.sqrt(n) * float(np.finfo(dtype).eps)


@pytest.mark.parametrize("name", TABLE_FNS)
@pytest.mark.parametrize("base", [0, 1, -2.0, math.nan, math.inf])
def test_tb_bad_base_value(name, base):
    with pytest.raises(
        ValueError,
        match=rf"^'base' must be a positive number other than 1 or None; got {base!r}\.$",
    ):
        tb(name, good((2, 2)), base=base)


@pytest.mark.parametrize("name", TABLE_FNS)
@pytest.mark.parametrize("base,tname", [("2", "str"), (True, "bool"), (2j, "complex")])
def test_tb_bad_base_type(name, base, tname):
    with pytest.raises(TypeError, match=rf"^'base' must be a real number or None; got {tname}\.$"):
        tb(name, good((2, 2)), base=base)


@pytest.mark.parametrize("name", TABLE_FNS)
@pytest.mark.parametrize("value,tname", [(1, "int"), (None, "NoneType"), ("True", "str")])
def test_tb_non_bool_normalize(name, value, tname):
    with pytest.raises(TypeError, match=rf"^'normalize' must be a bool; got {tname}\.$"):
        tb(name, good((2, 2)), normalize=value)


@pytest.mark.parametrize("name", TABLE_FNS)
def test_tb_keyword_only_and_unknown_keywords(name):
    with pytest.raises(TypeError):
        getattr(fd, name)(good((2, 2)), 2)
    with pytest.raises(TypeError):
        tb(name, good((2, 2)), axis=0)


@pytest.mark.parametrize("name", TABLE_FNS)
@pytest.mark.parametrize("kind", ["nan", "neg", "zero", "normalize-false", "base"])
def test_tb_inputs_unmodified_after_error(name, kind):
    t = good((3, 4, 5))
    kw = {}
    if kind == "nan":
        t[1, 2, 3] = np.nan
    elif kind == "neg":
        t[2, 0, 0] = -0.5
    elif kind == "zero":
        t[0] = 0.0
    elif kind == "normalize-false":
        kw["normalize"] = False
    else:
        kw["base"] = -1.0
    t0 = t.copy()
    with pytest.raises(ValueError):
        tb(name, t, **kw)
    assert t.tobytes() == t0.tobytes()


# --------------------------------------------------------------------------
# fastdiv.hist: histogram, histogram2d and the plug-in estimates
# --------------------------------------------------------------------------
# The spec pins the argument each error names (in quotes), not the sentence:
# every case matches the quoted name only.  NumPy's differences are here too:
# NaN / inf in x raise even with a range (NumPy drops NaN there), an empty x
# raises (NumPy uses [0, 1]), density with no sample in the range raises
# (NumPy gives NaN).

H_FNS = ["histogram", "histogram2d", "entropy", "mutual_information", "kl_divergence",
         "js_divergence"]  # fmt: skip
#: the functions of one sample; the others take x and y
H_ONE = ["histogram", "entropy"]
#: whose bins follow numpy.histogram (an int, a rule, edges); the others numpy.histogram2d
H_1D_BINS = ["histogram", "entropy", "kl_divergence", "js_divergence"]
H_BASE = ["entropy", "mutual_information", "kl_divergence", "js_divergence"]
H_CORRECTION = ["entropy", "mutual_information"]
#: x and y paired sample by sample (same length)
H_PAIRED = ["histogram2d", "mutual_information"]


def h_good(n=50, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).normal(0.0, 1.0, n).astype(dtype)


GOOD = object()  # "a good sample here" (None is a bad sample)


def h_call(name, x=GOOD, y=GOOD, *args, **kw):
    """fastdiv.hist.<name> of x (and y), good samples where not given."""
    f = getattr(HIST, name)
    x = h_good() if x is GOOD else x
    if name in H_ONE:
        assert y is GOOD
        return f(x, *args, **kw)
    y = h_good(np.size(x) if name in H_PAIRED else 40, 1) if y is GOOD else y
    return f(x, y, *args, **kw)


def h_which(names):
    """(name, sample argument) pairs."""
    return [(n, "x") for n in names] + [(n, "y") for n in names if n not in H_ONE]


def h_with(name, which, bad, *args, **kw):
    """Call name with the sample ``which`` bad and the other one good."""
    n = 50 if bad is None else np.size(bad)
    if which == "x":
        y = GOOD if name in H_ONE else h_good(n if name in H_PAIRED else 40, 1)
        return h_call(name, bad, y, *args, **kw)
    return h_call(name, h_good(n if name in H_PAIRED else 50), bad, *args, **kw)


# ---- samples: dtype, None, non-finite, empty ----


@pytest.mark.parametrize("bad", BAD_DTYPE_ARRAYS)
@pytest.mark.parametrize("name,which", h_which(H_FNS))
def test_hist_bad_dtype(name, which, bad):
    with pytest.raises(TypeError, match=f"'{which}'"):
        h_with(name, which, bad)


@pytest.mark.parametrize("name,which", h_which(H_FNS))
def test_hist_none_sample(name, which):
    with pytest.raises(TypeError, match=f"'{which}'"):
        h_with(name, which, None)


@pytest.mark.parametrize("name,which", h_which(H_FNS))
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("dtype", ["<f8", ">f4"])
@pytest.mark.parametrize("with_range", [False, True])
def test_hist_nonfinite_sample(name, which, value, dtype, with_range):
    """NaN or +-inf anywhere: a ValueError naming the sample, also when the
    range leaves the value out (NumPy drops a NaN there silently)."""
    bad = h_good(50, 2)
    bad[17] = value
    bad = bad.astype(dtype)
    args = ()
    if with_range:
        args = (10, [[-1.0, 1.0], [-1.0, 1.0]] if name in H_PAIRED else (-1.0, 1.0))
    before = bad.copy()
    with pytest.raises(ValueError, match=f"'{which}'"):
        h_with(name, which, bad, *args)
    assert bad.tobytes() == before.tobytes()


@pytest.mark.parametrize("name", ["histogram", "entropy", "kl_divergence"])
def test_hist_nonfinite_in_2d_sample(name):
    bad = h_good(60, 3).reshape(6, 10)
    bad[4, 7] = np.nan
    with pytest.raises(ValueError, match="'x'"):
        h_call(name, bad)
    with pytest.raises(ValueError, match="'x'"):
        h_call(name, np.asfortranarray(bad))
    if name == "histogram":
        with pytest.raises(ValueError, match="'x'"):
            HIST.histogram(bad, 10, axis=1)


@pytest.mark.parametrize("name,which", h_which(H_FNS))
@pytest.mark.parametrize("empty", [np.array([]), np.zeros((0, 3)), []], ids=["1-D", "2-D", "list"])
def test_hist_empty_sample(name, which, empty):
    if name in H_PAIRED:
        # both empty (one empty is a length mismatch): the spec names no argument
        with pytest.raises(ValueError, match=r"'[xy]'"):
            getattr(HIST, name)(np.array([]), np.array([]))
        return
    with pytest.raises(ValueError, match=f"'{which}'"):
        h_with(name, which, empty)


def test_hist_empty_batched():
    with pytest.raises(ValueError, match="'x'"):
        HIST.histogram(np.zeros((3, 0)), 10, axis=-1)


# ---- x and y paired ----


@pytest.mark.parametrize("name", H_PAIRED)
@pytest.mark.parametrize("m", [49, 51, 1])
def test_hist_paired_lengths_differ(name, m):
    with pytest.raises(ValueError, match="'y'"):
        getattr(HIST, name)(h_good(50), h_good(m, 1))


@pytest.mark.parametrize("shape", [(5, 10), (50, 1)])
def test_hist_histogram2d_y_not_1d(shape):
    with pytest.raises(ValueError, match="'y'"):
        HIST.histogram2d(h_good(50), h_good(50, 1).reshape(shape))


def test_hist_histogram2d_x_not_1d():
    # the spec: "x, y 1-D of equal length (else ValueError naming 'y')"; a 2-D
    # x may be blamed on either
    with pytest.raises(ValueError, match=r"'[xy]'"):
        HIST.histogram2d(h_good(50).reshape(5, 10), h_good(50, 1))


# ---- bins ----

VT = (ValueError, TypeError)
#: (bins, the error): the spec allows either for a bad int, float or bool,
#: and says ValueError for a rule name or an array of edges
H_BAD_BINS = [
    pytest.param(0, VT, id="0"),
    pytest.param(-1, VT, id="-1"),
    pytest.param(1.5, VT, id="1.5"),
    pytest.param(2.5, VT, id="2.5"),
    pytest.param(True, VT, id="True"),
    pytest.param(False, VT, id="False"),
    pytest.param(np.bool_(True), VT, id="np.True_"),
    pytest.param("foo", ValueError, id="foo"),
    pytest.param("Auto", ValueError, id="Auto"),
    pytest.param("", ValueError, id="empty-str"),
    pytest.param(np.array([0.0, 2.0, 1.0]), ValueError, id="decreasing"),
    pytest.param(np.array([0.0, 1.0, 1.0, 0.5, 2.0]), ValueError, id="decreasing-after-repeat"),
    pytest.param([3.0, 2.0, 1.0], ValueError, id="decreasing-list"),
    pytest.param(np.array([0.5]), ValueError, id="one-edge"),
    pytest.param(np.array([]), ValueError, id="no-edge"),
    pytest.param(np.array([[0.0, 1.0], [2.0, 3.0]]), ValueError, id="2-D"),
    pytest.param(np.array([0.0, np.nan, 1.0]), ValueError, id="nan-edge"),
    pytest.param(np.array([-np.inf, 0.0, 1.0]), ValueError, id="-inf-edge"),
    pytest.param(np.array([0.0, 1.0, np.inf]), ValueError, id="inf-edge"),
]


@pytest.mark.parametrize("name", H_1D_BINS)
@pytest.mark.parametrize("bins,kind", H_BAD_BINS)
def test_hist_bad_bins(name, bins, kind):
    with pytest.raises(kind, match="'bins'"):
        h_call(name, GOOD, GOOD, bins)


@pytest.mark.parametrize("bins,kind", H_BAD_BINS)
def test_hist_bad_bins_batched(bins, kind):
    with pytest.raises(kind, match="'bins'"):
        HIST.histogram(h_good(60).reshape(6, 10), bins, axis=-1)


EDGES3 = np.array([-1.0, 0.0, 1.0])
H_BAD_BINS_2D = [
    pytest.param(0, id="0"),
    pytest.param(-3, id="-3"),
    pytest.param(1.5, id="1.5"),
    pytest.param(True, id="True"),
    pytest.param([3, 0], id="[3, 0]"),
    pytest.param([-1, 4], id="[-1, 4]"),
    pytest.param([2.5, 3], id="[2.5, 3]"),
    pytest.param(np.array([0.0, 2.0, 1.0]), id="decreasing"),
    pytest.param([EDGES3, np.array([0.0, 2.0, 1.0])], id="[edges, decreasing]"),
    pytest.param([np.array([0.0, np.nan, 1.0]), 3], id="[nan-edges, 3]"),
    pytest.param([4, np.array([0.0, 1.0, np.inf])], id="[4, inf-edges]"),
    pytest.param([np.array([0.5]), 3], id="[one-edge, 3]"),
    pytest.param([np.array([[0.0, 1.0], [1.0, 2.0]]), 3], id="[2-D, 3]"),
    pytest.param(np.array([[0.0, 1.0, 2.0]] * 3), id="2-D"),
]


@pytest.mark.parametrize("name", H_PAIRED)
@pytest.mark.parametrize("bins", H_BAD_BINS_2D)
def test_hist_bad_bins_2d(name, bins):
    with pytest.raises((ValueError, TypeError), match="'bins'"):
        h_call(name, GOOD, GOOD, bins)


# ---- range ----

H_BAD_RANGES = [
    pytest.param((2.0, 1.0), ValueError, id="min>max"),
    pytest.param((np.nan, 1.0), ValueError, id="nan"),
    pytest.param((0.0, np.inf), ValueError, id="inf"),
    pytest.param((-np.inf, 0.0), ValueError, id="-inf"),
    pytest.param((np.float32(1.0), np.float32(-1.0)), ValueError, id="f4-min>max"),
    pytest.param((1.0,), (ValueError, TypeError), id="one"),
    pytest.param((0.0, 1.0, 2.0), (ValueError, TypeError), id="three"),
    pytest.param(5.0, (ValueError, TypeError), id="scalar"),
    pytest.param("ab", (ValueError, TypeError), id="str"),
]


@pytest.mark.parametrize("name", H_1D_BINS)
@pytest.mark.parametrize("rng_,kind", H_BAD_RANGES)
def test_hist_bad_range(name, rng_, kind):
    with pytest.raises(kind, match="'range'"):
        h_call(name, GOOD, GOOD, 10, rng_)
    if name == "histogram":
        with pytest.raises(kind, match="'range'"):
            HIST.histogram(h_good(60).reshape(6, 10), 10, rng_, axis=-1)
        with pytest.raises(kind, match="'range'"):
            HIST.histogram(h_good(), "auto", rng_)


H_BAD_RANGES_2D = [
    pytest.param([[0.0, 1.0], [2.0, 1.0]], ValueError, id="y-min>max"),
    pytest.param([[1.0, 0.0], [0.0, 1.0]], ValueError, id="x-min>max"),
    pytest.param([[0.0, np.nan], [0.0, 1.0]], ValueError, id="nan"),
    pytest.param([[0.0, 1.0], [-np.inf, 1.0]], ValueError, id="-inf"),
    pytest.param([[0.0, 1.0]], (ValueError, TypeError), id="one-pair"),
    pytest.param([[0.0, 1.0], [0.0, 1.0], [0.0, 1.0]], (ValueError, TypeError), id="three"),
    pytest.param([[0.0, 1.0, 2.0], [0.0, 1.0]], (ValueError, TypeError), id="triple"),
    pytest.param((0.0, 1.0), (ValueError, TypeError), id="flat-pair"),
]


@pytest.mark.parametrize("name", H_PAIRED)
@pytest.mark.parametrize("rng_,kind", H_BAD_RANGES_2D)
def test_hist_bad_range_2d(name, rng_, kind):
    with pytest.raises(kind, match="'range'"):
        h_call(name, GOOD, GOOD, 10, rng_)


# ---- weights, density ----


@pytest.mark.parametrize("name", ["histogram", "histogram2d"])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("bins", [10, "edges"])
def test_hist_nonfinite_weights(name, value, bins):
    w = np.ones(50)
    w[33] = value
    b = EDGES3 if bins == "edges" else bins
    before = w.copy()
    with pytest.raises(ValueError, match="'weights'"):
        h_call(name, GOOD, GOOD, b, weights=w)
    assert w.tobytes() == before.tobytes()


@pytest.mark.parametrize("name", ["histogram", "histogram2d"])
@pytest.mark.parametrize("shape", [(49,), (51,), (50, 1), (5, 10), ()])
def test_hist_weights_shape(name, shape):
    with pytest.raises(ValueError, match="'weights'"):
        h_call(name, GOOD, GOOD, 10, weights=np.ones(shape))


def test_hist_weights_shape_batched():
    x = h_good(60).reshape(6, 10)
    for shape in [(60,), (10, 6), (6, 1)]:
        with pytest.raises(ValueError, match="'weights'"):
            HIST.histogram(x, 10, weights=np.ones(shape), axis=-1)


@pytest.mark.parametrize("bins", [10, "edges"])
def test_hist_density_no_sample_in_range(bins):
    # NumPy gives NaN; fastdiv raises
    x = np.linspace(5.0, 6.0, 20)
    b = EDGES3 if bins == "edges" else bins
    rng_ = (-1.0, 1.0) if bins == 10 else None
    with pytest.raises(ValueError, match="'x'"):
        HIST.histogram(x, b, rng_, density=True)
    # one slice of a batch with no sample inside
    xb = np.stack([np.linspace(-1.0, 1.0, 20), x])
    with pytest.raises(ValueError, match="'x'"):
        HIST.histogram(xb, b, rng_, density=True, axis=-1)
    HIST.histogram(xb[:1], b, rng_, density=True, axis=-1)  # the other slice alone is fine


def test_hist_density_zero_weight_sum():
    # weights of sum 0 inside the range: density has nothing to normalize by
    x = np.linspace(-1.0, 1.0, 20)
    with pytest.raises(ValueError, match=r"'x'|'weights'"):
        HIST.histogram(x, 5, density=True, weights=np.zeros(20))


# ---- axis ----


@pytest.mark.parametrize("shape,axis", [((50,), 1), ((50,), -2), ((5, 10), 2), ((5, 10), -3)])
def test_hist_axis_out_of_range(shape, axis):
    with pytest.raises(AxisError, match="'axis'"):
        HIST.histogram(h_good(50).reshape(shape), 10, axis=axis)


@pytest.mark.parametrize("axis", [1.5, 1.0, "0", [0], (0,)], ids=repr)
def test_hist_axis_not_an_int(axis):
    with pytest.raises(TypeError, match="'axis'"):
        HIST.histogram(h_good(50).reshape(5, 10), 10, axis=axis)


@pytest.mark.parametrize("name", H_FNS[1:])
def test_hist_axis_only_for_histogram(name):
    with pytest.raises(TypeError, match="axis"):
        h_call(name, axis=0)


# ---- base, correction ----


@pytest.mark.parametrize("name", H_BASE)
@pytest.mark.parametrize("base", [0, 1, -1, 1.0, -2.5, math.nan, math.inf, -math.inf])
def test_hist_bad_base_value(name, base):
    with pytest.raises(ValueError, match="'base'"):
        h_call(name, base=base)


@pytest.mark.parametrize("name", H_BASE)
@pytest.mark.parametrize("base", ["2", 2j, [2], True])
def test_hist_bad_base_type(name, base):
    with pytest.raises(TypeError, match="'base'"):
        h_call(name, base=base)


@pytest.mark.parametrize("name", ["histogram", "histogram2d"])
def test_hist_base_not_taken(name):
    with pytest.raises(TypeError, match="'base'"):
        h_call(name, base=2)


@pytest.mark.parametrize("name", H_CORRECTION)
@pytest.mark.parametrize("value", ["mm", "Miller-Madow", "", "miller_madow"])
def test_hist_bad_correction_value(name, value):
    with pytest.raises(ValueError, match="'correction'"):
        h_call(name, correction=value)


@pytest.mark.parametrize("name", H_CORRECTION)
@pytest.mark.parametrize("value", [1, True, b"miller-madow", ["miller-madow"]])
def test_hist_bad_correction_type(name, value):
    with pytest.raises(TypeError, match="'correction'"):
        h_call(name, correction=value)


@pytest.mark.parametrize("name", [n for n in H_FNS if n not in H_CORRECTION])
def test_hist_correction_not_taken(name):
    with pytest.raises(TypeError, match="'correction'"):
        h_call(name, correction="miller-madow")


# ---- no sample inside the range ----


@pytest.mark.parametrize("name,which", h_which(H_BASE))
def test_hist_no_sample_in_range(name, which):
    rng_ = [[-1.0, 1.0], [-1.0, 1.0]] if name in H_PAIRED else (-1.0, 1.0)
    outside = np.linspace(5.0, 6.0, 50)
    with pytest.raises(ValueError, match=f"'{which}'"):
        h_with(name, which, outside, 10, rng_)


@pytest.mark.parametrize("name", ["kl_divergence", "js_divergence", "entropy"])
def test_hist_no_sample_between_edges(name):
    outside = np.linspace(5.0, 6.0, 50)
    with pytest.raises(ValueError, match="'x'"):
        h_with(name, "x", outside, EDGES3)
    if name != "entropy":
        with pytest.raises(ValueError, match="'y'"):
            h_with(name, "y", outside, EDGES3)


# ---- n_threads, keyword-only arguments ----

H_BAD_THREADS = [0, -2, -100, 1.5, 2.0, "2", True, False, [2], 10**400]


@pytest.mark.parametrize("name", H_FNS)
@pytest.mark.parametrize("value", H_BAD_THREADS, ids=[repr(v)[:20] for v in H_BAD_THREADS])
def test_hist_bad_n_threads(name, value):
    with pytest.raises(ValueError, match="'n_threads'") as e:
        h_call(name, n_threads=value)
    assert len(str(e.value)) < 200  # 10**400 is not echoed in full


def test_hist_keyword_only():
    x, y, w = h_good(), h_good(50, 1), np.ones(50)
    with pytest.raises(TypeError):
        HIST.histogram(x, 10, None, w)  # weights is keyword-only
    with pytest.raises(TypeError):
        HIST.histogram2d(x, y, 10, None, w)
    with pytest.raises(TypeError):
        HIST.entropy(x, 10, None, 2)  # base is keyword-only
    with pytest.raises(TypeError):
        HIST.mutual_information(x, y, 10, None, 2)
    with pytest.raises(TypeError):
        HIST.kl_divergence(x, y, 10, None, 2)
    with pytest.raises(TypeError):
        HIST.js_divergence(x, y, 10, None, 2)


# ---- inputs are not modified ----


@pytest.mark.parametrize("name", H_FNS)
@pytest.mark.parametrize("kind", ["nan", "bins", "range", "n_threads", "weights"])
def test_hist_inputs_unmodified_after_error(name, kind):
    x, y = h_good(50, 5), h_good(50, 6)
    e = np.array([-1.0, 0.0, 1.0, 0.5])
    kw, args = {}, [10]
    if kind == "nan":
        x[7] = np.nan
    elif kind == "bins":
        args = [e]
    elif kind == "range":
        args = [10, [[0.0, 1.0], [1.0, 0.0]] if name in H_PAIRED else (1.0, 0.0)]
    elif kind == "n_threads":
        kw["n_threads"] = 0
    elif name in ("histogram", "histogram2d"):
        kw["weights"] = np.ones(50)
        kw["weights"][3] = np.inf
    else:
        kw["n_threads"] = "2"
    saved = [a.copy() for a in (x, y, e)] + ([kw["weights"].copy()] if "weights" in kw else [])
    with pytest.raises((ValueError, TypeError)):
        h_call(name, x, GOOD if name in H_ONE else y, *args, **kw)
    now = [x, y, e] + ([kw["weights"]] if "weights" in kw else [])
    for a, b in zip(now, saved):
        assert a.tobytes() == b.tobytes()


# fastdiv.knn: the nearest-neighbour estimators
# --------------------------------------------------------------------------
# Every case pins the quoted name of the argument it blames (and, for a
# batch, the sample set).

K_FNS = ["entropy", "mutual_information", "conditional_mutual_information", "kl_divergence",
         "mutual_information_features"]  # fmt: skip
#: the sample arguments of each function
K_ARGS = {
    "entropy": ("x",),
    "mutual_information": ("x", "y"),
    "conditional_mutual_information": ("x", "y", "z"),
    "kl_divergence": ("x", "y"),
    "mutual_information_features": ("X", "y"),
}


def k_good(n=40, d=1, seed=0):
    x = np.random.default_rng(seed).normal(0.0, 1.0, (n, d))
    return x[:, 0] if d == 1 else x


def k_args(name, n=40, **bad):
    """The sample arguments of name, good but for those given."""
    out = []
    for i, arg in enumerate(K_ARGS[name]):
        if arg in bad:
            out.append(bad[arg])
        elif arg == "X":
            out.append(k_good(n, 3, i))
        else:
            out.append(k_good(n, 1, i))
    return out


def k_call(name, *args, **kw):
    return getattr(fd.knn, name)(*args, **kw)


K_WHICH = [(n, a) for n in K_FNS for a in K_ARGS[n]]


@pytest.mark.parametrize("bad", BAD_DTYPE_ARRAYS)
@pytest.mark.parametrize("name,which", K_WHICH)
def test_knn_bad_dtype(name, which, bad):
    with pytest.raises(TypeError, match=f"'{which}'"):
        k_call(name, *k_args(name, **{which: bad}))


@pytest.mark.parametrize("name,which", K_WHICH)
def test_knn_none_sample(name, which):
    with pytest.raises(TypeError, match=f"'{which}'"):
        k_call(name, *k_args(name, **{which: None}))


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,which", K_WHICH)
def test_knn_nonfinite_sample(name, which, value, dtype):
    good = k_args(name)[K_ARGS[name].index(which)]
    bad = good.astype(dtype)
    bad.flat[7] = value
    with pytest.raises(ValueError, match=f"'{which}' must be finite"):
        k_call(name, *k_args(name, **{which: bad}))


@pytest.mark.parametrize("name", ["entropy", "mutual_information", "kl_divergence"])
def test_knn_nonfinite_in_a_batch_names_the_set(name):
    args = [np.random.default_rng(i).normal(size=(4, 30, 2)) for i in range(len(K_ARGS[name]))]
    args[0][2, 5, 1] = np.nan
    with pytest.raises(ValueError, match=r"'x' must be finite.*\(sample set 2\)"):
        k_call(name, *args)


@pytest.mark.parametrize("name,which", K_WHICH)
@pytest.mark.parametrize("shape", [(), (0,), (0, 2), (2, 0), (1, 1, 2, 2)])
def test_knn_bad_shapes(name, which, shape):
    if which == "X" and len(shape) == 2 and shape[0] == 2:
        shape = (40, 0)
    with pytest.raises(ValueError, match=f"'{which}'"):
        k_call(name, *k_args(name, **{which: np.zeros(shape)}))


@pytest.mark.parametrize("name", K_FNS)
@pytest.mark.parametrize("k", [0, -1, 40, 41])
def test_knn_k_out_of_range(name, k):
    with pytest.raises(ValueError, match="'k' must be"):
        k_call(name, *k_args(name), k)


@pytest.mark.parametrize("name", K_FNS)
@pytest.mark.parametrize("k", [2.0, "3", True, None])
def test_knn_k_not_an_integer(name, k):
    with pytest.raises(TypeError, match="'k' must be an integer"):
        k_call(name, *k_args(name), k)


@pytest.mark.parametrize("name", ["kl_divergence"])
def test_knn_k_beyond_the_second_sample(name):
    with pytest.raises(ValueError, match="'k' must be less than the number of samples of 'y'"):
        k_call(name, k_good(40), k_good(3, 1, 1), 3)


@pytest.mark.parametrize("name", K_FNS)
def test_knn_few_distinct_points(name):
    # 40 samples of 3 distinct values (each repeated): k = 3 needs 4
    rep = np.repeat([0.0, 1.0, 2.0], [14, 13, 13])
    args = [rep if a != "X" else np.c_[rep, rep] for a in K_ARGS[name]]
    with pytest.raises(ValueError, match="at least k \\+ 1 = 4 distinct points"):
        k_call(name, *args, 3)


def test_knn_few_distinct_points_names_the_space():
    rep = np.repeat([0.0, 1.0], 20)
    with pytest.raises(ValueError, match=r"'x' must hold at least k \+ 1"):
        fd.knn.entropy(rep, 2)
    with pytest.raises(ValueError, match=r"the joint samples \(x, y\) must hold"):
        fd.knn.mutual_information(rep, rep, 2)
    with pytest.raises(ValueError, match=r"'y' must hold at least k \+ 1"):
        fd.knn.kl_divergence(k_good(40), rep, 2)


@pytest.mark.parametrize("name", ["mutual_information", "conditional_mutual_information",
                                  "mutual_information_features"])  # fmt: skip
def test_knn_lengths_differ(name):
    args = k_args(name)
    args[1] = k_good(39, 1, 5)
    with pytest.raises(ValueError, match="must have the same number of samples"):
        k_call(name, *args)


def test_knn_kl_dimensions_differ():
    with pytest.raises(ValueError, match="'x' and 'y' must have the same dimension; got 2 and 3"):
        fd.knn.kl_divergence(k_good(40, 2), k_good(50, 3))


@pytest.mark.parametrize("name", ["mutual_information", "conditional_mutual_information",
                                  "kl_divergence"])  # fmt: skip
def test_knn_batches_must_pair(name):
    args = [np.zeros((4, 30, 1)) + k_good(30, 1, i)[:, None] for i in range(len(K_ARGS[name]))]
    one = list(args)
    one[1] = args[1][0]
    with pytest.raises(ValueError, match="must all be batches"):
        k_call(name, *one)
    other = list(args)
    other[1] = args[1][:3]
    with pytest.raises(ValueError, match="the same number of sample sets; got 4 and 3"):
        k_call(name, *other)


@pytest.mark.parametrize("name", ["entropy", "kl_divergence"])
@pytest.mark.parametrize("metric,err", [("manhattan", ValueError), (2, TypeError)])
def test_knn_bad_metric(name, metric, err):
    with pytest.raises(err, match="'metric'"):
        k_call(name, *k_args(name), metric=metric)


@pytest.mark.parametrize("name", ["mutual_information", "mutual_information_features"])
@pytest.mark.parametrize("alg,err", [(3, ValueError), (0, ValueError), ("1", TypeError),
                                     (True, TypeError), (1.0, TypeError)])  # fmt: skip
def test_knn_bad_algorithm(name, alg, err):
    with pytest.raises(err, match="'algorithm' must be 1 or 2"):
        k_call(name, *k_args(name), algorithm=alg)


@pytest.mark.parametrize("name", K_FNS)
@pytest.mark.parametrize("base,err", [(1, ValueError), (0, ValueError), (-2, ValueError),
                                      (np.inf, ValueError), ("2", TypeError)])  # fmt: skip
def test_knn_bad_base(name, base, err):
    with pytest.raises(err, match="'base'"):
        k_call(name, *k_args(name), base=base)


@pytest.mark.parametrize("name,flag", [("mutual_information", "y_discrete"),
                                       ("mutual_information", "standardize"),
                                       ("conditional_mutual_information", "standardize"),
                                       ("kl_divergence", "standardize"),
                                       ("mutual_information_features", "y_discrete"),
                                       ("mutual_information_features", "standardize")])  # fmt: skip
@pytest.mark.parametrize("value", [1, "yes", None])
def test_knn_bad_flags(name, flag, value):
    with pytest.raises(TypeError, match=f"'{flag}' must be a bool"):
        k_call(name, *k_args(name), **{flag: value})


@pytest.mark.parametrize("name", K_FNS)
@pytest.mark.parametrize("nt,err", [(0, ValueError), ("2", ValueError), (2.0, ValueError)])
def test_knn_bad_n_threads(name, nt, err):
    with pytest.raises(err, match="n_threads"):
        k_call(name, *k_args(name), n_threads=nt)


# ---- y_discrete ----


@pytest.mark.parametrize("name", ["mutual_information", "mutual_information_features"])
def test_knn_labels_with_nan(name):
    y = np.arange(40.0) % 4
    y[9] = np.nan
    with pytest.raises(ValueError, match="'y' must not contain NaN; found one at sample 9"):
        k_call(name, k_args(name)[0], y, y_discrete=True)


@pytest.mark.parametrize("name", ["mutual_information", "mutual_information_features"])
def test_knn_labels_shape(name):
    with pytest.raises(ValueError, match="'y' must be a 1-D array of labels"):
        k_call(name, k_args(name)[0], np.zeros((40, 2)), y_discrete=True)
    with pytest.raises(ValueError, match="same number of samples"):
        k_call(name, k_args(name)[0], np.arange(39) % 3, y_discrete=True)


def test_knn_labels_of_a_batch():
    x = np.random.default_rng(0).normal(size=(3, 30, 1))
    with pytest.raises(ValueError, match=r"'y' must be a \(B, n\) batch of labels"):
        fd.knn.mutual_information(x, np.arange(30) % 3, y_discrete=True)
    with pytest.raises(ValueError, match="same number of samples"):
        fd.knn.mutual_information(x, np.zeros((2, 30)), y_discrete=True)


def test_knn_no_class_with_two_members():
    with pytest.raises(ValueError, match="'y' must have a class with at least two samples"):
        fd.knn.mutual_information(k_good(40), np.arange(40), y_discrete=True)


def test_knn_class_with_few_distinct_points():
    # a class of 6 samples with 2 distinct values: k_c = 3 needs 4
    x = k_good(40)
    y = np.repeat([0, 1], 20)
    x[:6] = [0.5, 0.5, 0.5, 1.5, 1.5, 1.5]
    y[:6] = 7
    with pytest.raises(ValueError, match=r"in each class of 'y'.*min\(k, N_c - 1\) \+ 1 distinct"):
        fd.knn.mutual_information(x, y, 3, y_discrete=True)


# ---- features ----


def test_knn_features_X_shape():
    with pytest.raises(ValueError, match=r"'X' must be \(n, m\)"):
        fd.knn.mutual_information_features(k_good(40), k_good(40))
    with pytest.raises(ValueError, match="'y' must be"):
        fd.knn.mutual_information_features(k_good(40, 3), np.zeros((2, 40, 1)))


# ---- keyword-only, inputs unmodified ----


def test_knn_keyword_only():
    x, y = k_good(40), k_good(40, 1, 1)
    with pytest.raises(TypeError):
        fd.knn.entropy(x, 3, None)
    with pytest.raises(TypeError):
        fd.knn.mutual_information(x, y, 3, None)
    with pytest.raises(TypeError):
        fd.knn.kl_divergence(x, y, 1, None)


@pytest.mark.parametrize("name", K_FNS)
@pytest.mark.parametrize("kind", ["nan", "k", "distinct", "n_threads"])
def test_knn_inputs_unmodified_after_error(name, kind):
    args = k_args(name)
    kw = {}
    if kind == "nan":
        args[0].flat[7] = np.nan
    elif kind == "k":
        kw["k"] = 100
    elif kind == "distinct":
        for a in args:
            a[...] = np.floor(a.ravel()[0])
    else:
        kw["n_threads"] = 0
    saved = [a.copy() for a in args]
    with pytest.raises((ValueError, TypeError)):
        k_call(name, *args, **kw)
    for a, b in zip(args, saved):
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("name", ["mutual_information", "mutual_information_features"])
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_knn_nonfinite_sample_with_labels(name, value):
    # a non-finite x is found on every path, a point alone in its class included
    x = k_args(name)[0].copy()
    y = np.arange(40) % 4
    y[7] = 9  # the bad sample is alone in its class (left out of the estimate)
    x.flat[7 * (x.size // 40)] = value
    arg = "X" if name == "mutual_information_features" else "x"
    with pytest.raises(ValueError, match=f"'{arg}' must be finite"):
        k_call(name, x, y, y_discrete=True)
