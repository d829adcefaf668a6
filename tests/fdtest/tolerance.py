"""The tolerance table of the fastdiv test suite.

Every tolerance that more than one test (or more than one module) compares
with is named here, once; the tests import these names and never write the
numbers again.  A check of one closed-form value (``pytest.approx(log(2),
rel=1e-15)`` and the like) keeps its literal next to the closed form: it is
a statement about that value, not a shared tolerance.

Changing a number here changes what the suite asserts: the values are the
documented accuracy of fastdiv, not knobs.

1. Dtype tolerances: ``F64``, ``F32`` (``for_dtype``, ``approx``)
-----------------------------------------------------------------

A fastdiv result against an *independent float64 computation of the same
measure* (SciPy, a NumPy expression, the same call on other input types or
layouts, another instruction set).  Used as ``np.testing.assert_allclose(got,
want, **F64)`` (``|got - want| <= atol + rtol |want|``), as ``pytest.approx(want,
**approx(F64))`` and through ``for_dtype(dtype)``.

``F64 = {rtol: 1e-12, atol: 1e-14}``
    float64 input.  Both sides round: fastdiv's SIMD log (<= 2 ulp) and
    blocked summation, the oracle's libm log and pairwise sum.  Over the
    supports used (up to a few thousand terms) the two differ by far less
    than 1e-12 relative; ``atol`` covers results near 0 (e.g. KL of nearly
    equal rows) where the relative part vanishes but each side still
    carries a few 1e-16 of rounding from the normalization.

``F32 = {rtol: 2e-5, atol: 1e-6}``
    float32 input (every array input float32, either byte order): the terms
    are evaluated in float32 (eps = 1.2e-7, log within 2 ulp) and
    accumulated in float64, so each term carries a relative error of a few
    float32 ulp; the float64 oracle has none of it.  ``atol`` plays the
    part of F64's for results near 0, at float32 precision.

2. The accuracy bound against the 50-digit oracles: ``ORACLE_*``
-----------------------------------------------------------------

``fdtest.reference.check`` holds a result ``got`` to the exact value
``value`` (an mpmath oracle, 50 digits) with

    |got - value| <= per_value * |value| + per_scale * scale + floor

where ``scale`` is what the error is relative to (``fdtest.reference``: the
sum of |terms| of the normalized distributions; for Renyi of a finite order
other than 1 the largest log-term, ``(max |alpha log p| + max |(1 - alpha)
log q|) / |1 - alpha|``), both in the result's unit (``base``).

``ORACLE_F64 = Bound(per_value=0, per_scale=1e-13, floor=2e-15)``
    float64 input, every measure but Renyi of order != 1.  A sum of K terms,
    each within a few ulp, accumulated in blocks: the largest error observed
    is about 1e-15 times the sum of |terms| (K up to 10^6), so 1e-13 leaves
    a wide margin for other machines and instruction sets.  The floor is
    the rounding of normalization itself: dividing by a row sum that is not
    a power of two rounds, so ``p = 3 q`` gives a KL of ~1e-16, not 0.

``ORACLE_RENYI_F64 = Bound(per_value=1e-12, per_scale=1e-15, floor=2e-15)``
    float64 input, Renyi of a finite order other than 1 (alpha = 0 and
    alpha = inf included).  The value is ``log(sum_i exp(alpha log p_i +
    (1 - alpha) log q_i)) / (alpha - 1)`` (an expm1/log1p form near alpha =
    1): each exponent carries an error relative to its log-terms, which the
    division by |1 - alpha| amplifies (``per_scale`` times the scale, which
    already holds that factor), and the final log and division an error
    relative to the value (``per_value``).

``ORACLE_F32 = Bound(per_value=0, per_scale=2e-6, floor=1e-6)``
    float32 input: terms in float32, sums in float64 (see F32 above); the
    floor is the float32 normalization rounding.

``ORACLE_RENYI_F32 = Bound(per_value=2e-5, per_scale=4e-7, floor=1e-6)``
    float32 input, Renyi of a finite order other than 1: as
    ORACLE_RENYI_F64 with float32 terms.

``oracle_bound(dtype, renyi=...)`` picks one of the four.  The ``per_scale``
coefficients alone (``ORACLE_F64.per_scale``, ``ORACLE_F32.per_scale``) are
the bound of ``exact/test_accuracy.py``, which compares with ``sum |terms|``
directly and has no normalization floor to allow for.

3. Renyi monotone in its order: ``monotone_slack``
---------------------------------------------------

Renyi entropy is non-increasing and Renyi divergence non-decreasing in
alpha; two results at neighbouring orders may be out of order by at most

    MONOTONE_REL * max(|x|, |y|) + MONOTONE_FLOOR

``MONOTONE_REL = ORACLE_RENYI_F64.per_value`` (1e-12) and ``MONOTONE_FLOOR =
ORACLE_F64.floor`` (2e-15): each result is within the Renyi float64 bound of
its exact value, and exact values at neighbouring orders can be equal (e.g.
a uniform row), so rounding alone may swap them by that much.

4. Identities up to one more rounding: ``REROUNDED``
----------------------------------------------------

``REROUNDED = {rtol: 1e-14, atol: 1e-300}``: a result against another
fastdiv result that differs from it by one more correctly rounded operation
(``js_distance**2`` against ``js_divergence``; a result in base b against
the nats result divided by ``log(b)``).  A few ulp of float64 (eps = 2.2e-16)
with margin; ``atol`` is only there so that results that are 0 or subnormal
compare.

5. SIMD log / exp: ``SIMD_ULP``
-------------------------------

``SIMD_ULP = 2``: the kernels' own log, log-ratio and exp
(``fastdiv._divergence.simd_*``), for every instruction set, against the C
library and against correctly rounded mpmath values: at most 2 units in the
last place (integer distance between the bit patterns).  The functions are
within 1 ulp of the C library by design; the test allows 2 because its
references are themselves rounded (the C library's log is checked to be
within 1 ulp of correctly rounded, and float32 references are float64
results rounded to float32).

6. The pairwise shortcut: ``shortcut_bound``
--------------------------------------------

``fastdiv.pairwise`` may compute KL divergence, cross-entropy and Hellinger
by an algebraic shortcut (a matrix product, in float64) instead of the
one-pair kernel.  Each entry must then agree with the one-pair call
``metric(P[i], Q[j], **kw)`` as two results that each meet the accuracy
bound of section 2 against the exact value (the shortcut is used only where
its own rounding bound is within 1e-13 of the sum of |terms|; the pairs it
refuses are computed directly): with ``scale`` the sum of |terms| of the pair
(``fdtest.reference.term_scale``: terms ``pn log(pn/qn)``, ``-pn log qn``,
``0.5 (sqrt pn - sqrt qn)**2`` of the normalized rows; Hellinger compared
through its square, as the oracles do),

    |got - one_pair| <= per_scale * scale + floor

``SHORTCUT_F64 = Bound(per_value=0, per_scale=2e-13, floor=4e-15)``
    float64 input: twice ``ORACLE_F64``.  The floor is the rounding of the
    normalization again: two exact-in-spirit evaluations of nearly equal
    rows (the one-pass and the two-pass form) differ by it, and so does the
    exact value from either.
``SHORTCUT_F32 = ORACLE_F32 + ORACLE_F64`` (per_scale and floor added)
    float32 input: the one-pair call evaluates its terms in float32, the
    shortcut in float64.

+inf exactly where the one-pair call is +inf, never negative, and exactly 0
for equal rows.  Every other metric, and every metric with ``logits=True``,
is bit-identical to the one-pair call.
"""

import dataclasses
from types import MappingProxyType

import numpy as np

__all__ = [
    "F64",
    "F32",
    "for_dtype",
    "approx",
    "Bound",
    "ORACLE_F64",
    "ORACLE_RENYI_F64",
    "ORACLE_F32",
    "ORACLE_RENYI_F32",
    "oracle_bound",
    "MONOTONE_REL",
    "MONOTONE_FLOOR",
    "monotone_slack",
    "REROUNDED",
    "SIMD_ULP",
    "close",
    "SHORTCUT_F64",
    "SHORTCUT_F32",
    "shortcut_bound",
]


# --------------------------------------------------------------------------
# 1. dtype tolerances (rtol / atol, as numpy.testing.assert_allclose takes them)
# --------------------------------------------------------------------------

F64 = MappingProxyType({"rtol": 1e-12, "atol": 1e-14})
F32 = MappingProxyType({"rtol": 2e-5, "atol": 1e-6})


def _is_float(dtype, itemsize):
    dt = np.dtype(dtype)
    return dt.kind == "f" and dt.itemsize == itemsize


def for_dtype(dtype):
    """F32 for a float32 dtype (either byte order), F64 for float64."""
    if _is_float(dtype, 4):
        return F32
    if _is_float(dtype, 8):
        return F64
    raise KeyError(f"no dtype tolerance for {np.dtype(dtype)}")


def approx(tol):
    """``tol`` as ``pytest.approx`` keywords: ``pytest.approx(want, **approx(F64))``."""
    return {"rel": tol["rtol"], "abs": tol["atol"]}


# --------------------------------------------------------------------------
# 2. the accuracy bound against the 50-digit oracles
# --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Bound:
    """``|got - value| <= per_value * |value| + per_scale * scale + floor``."""

    per_value: float
    per_scale: float
    floor: float

    def __call__(self, value, scale):
        """The allowed error for ``|value|`` and ``scale`` (floats)."""
        if self.per_value:
            return self.per_value * value + self.per_scale * scale + self.floor
        return self.per_scale * scale + self.floor


ORACLE_F64 = Bound(per_value=0.0, per_scale=1e-13, floor=2e-15)
ORACLE_RENYI_F64 = Bound(per_value=1e-12, per_scale=1e-15, floor=2e-15)
ORACLE_F32 = Bound(per_value=0.0, per_scale=2e-6, floor=1e-6)
ORACLE_RENYI_F32 = Bound(per_value=2e-5, per_scale=4e-7, floor=1e-6)


def oracle_bound(dtype, *, renyi):
    """The Bound for a computation in ``dtype`` (float32 only if every array
    input is float32); ``renyi``: a Renyi measure of a finite order other than 1."""
    if _is_float(dtype, 4):
        return ORACLE_RENYI_F32 if renyi else ORACLE_F32
    return ORACLE_RENYI_F64 if renyi else ORACLE_F64


# --------------------------------------------------------------------------
# 3. Renyi monotone in alpha
# --------------------------------------------------------------------------

MONOTONE_REL = ORACLE_RENYI_F64.per_value
MONOTONE_FLOOR = ORACLE_F64.floor


def monotone_slack(x, y):
    """How far two results at neighbouring orders may be out of order."""
    return MONOTONE_REL * max(abs(x), abs(y)) + MONOTONE_FLOOR


# --------------------------------------------------------------------------
# 4. identities up to one more rounding
# --------------------------------------------------------------------------

REROUNDED = MappingProxyType({"rtol": 1e-14, "atol": 1e-300})


# --------------------------------------------------------------------------
# 5. SIMD log / exp
# --------------------------------------------------------------------------

SIMD_ULP = 2


# --------------------------------------------------------------------------
# 6. the pairwise shortcut
# --------------------------------------------------------------------------


SHORTCUT_F64 = Bound(per_value=0.0, per_scale=2e-13, floor=4e-15)
SHORTCUT_F32 = Bound(
    per_value=0.0,
    per_scale=ORACLE_F32.per_scale + ORACLE_F64.per_scale,
    floor=ORACLE_F32.floor + ORACLE_F64.floor,
)


def shortcut_bound(*arrays):
    """The Bound of the pairwise shortcut against the one-pair calls on these
    inputs (None entries ignored): float32 only if every array is float32."""
    dts = [np.asarray(a).dtype for a in arrays if a is not None]
    return SHORTCUT_F32 if all(_is_float(d, 4) for d in dts) else SHORTCUT_F64


def close(a, b, rtol, atol):
    """``|a - b| <= atol + rtol |b|`` everywhere, infinities of one sign equal
    (for hypothesis properties, where a failing example should read plainly)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    both_inf = np.isinf(a) & np.isinf(b) & (np.sign(a) == np.sign(b))
    with np.errstate(invalid="ignore"):
        ok = both_inf | (np.abs(a - b) <= atol + rtol * np.abs(b))
    return bool(np.all(ok))
