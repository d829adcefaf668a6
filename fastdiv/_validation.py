"""Argument coercion and checks shared by every public function.

Dtype policy: float32 and float64 arrays are used as given (any strides,
byte order, read-only, broadcast views: never copied); integer and bool
arrays are converted to float64, as are float16 and long double; complex,
object, string, datetime and other kinds raise ``TypeError``.  Messages
name the argument, state the rule and echo the value.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Any, SupportsFloat, SupportsIndex

import numpy as np
import numpy.typing as npt
from numpy.exceptions import AxisError

__all__ = [
    "as_real_array",
    "check_bool",
    "base_scale",
    "check_alpha",
    "normalize_axis",
    "sum_tolerance",
    "log_top",
    "broadcast_shape",
    "broadcast_pair",
    "row_index",
    "to_array",
    "as_labels",
    "check_choice",
    "check_correction",
    "same_length",
]


def to_array(x: object, name: str) -> npt.NDArray[Any]:
    """`x` as an ndarray (itself when it is one), or a ValueError naming it."""
    if type(x) is np.ndarray:
        return x
    try:
        return np.asarray(x)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{name!r} could not be converted to an array: {e}") from None


def as_real_array(x: npt.ArrayLike | None, name: str) -> npt.NDArray[np.floating[Any]]:
    """``x`` as a float32/float64 ndarray (no copy when it already is one)."""
    if x is None:
        raise TypeError(f"{name!r} must be an array of real numbers; got None.")
    x = to_array(x, name)
    dt = x.dtype
    if dt.kind == "f":
        if dt.itemsize == 8 or dt.itemsize == 4:
            return x
        return x.astype(np.float64)
    if dt.kind in "iub":
        return x.astype(np.float64)
    raise TypeError(f"{name!r} must be an array of real numbers; got dtype {dt}.")


def check_bool(v: object, name: str) -> bool:
    if v is True or v is False:
        return v
    if isinstance(v, np.bool_):
        return bool(v)
    raise TypeError(f"{name!r} must be a bool; got {type(v).__name__}.")


def shown(v: object) -> str:
    """repr(v), shortened for integers of hundreds of digits."""
    r = repr(v)
    return r if len(r) <= 40 else f"{r[:12]}...{r[-4:]} ({len(r)} characters)"


def _as_float(v: SupportsFloat, name: str) -> float:
    """float(v) for a real number, or a ValueError naming the argument when it
    does not fit in a float64 (an integer beyond 1.8e308)."""
    try:
        return float(v)
    except OverflowError:
        raise ValueError(
            f"{name!r} must fit in a float64 (at most about 1.8e308); got {shown(v)}."
        ) from None


def base_scale(base: object) -> float:
    """1 / log(base), or 1.0 for base=None (nats)."""
    if base is None:
        return 1.0
    if isinstance(base, (bool, np.bool_)) or not isinstance(base, numbers.Real):
        raise TypeError(f"'base' must be a real number or None; got {type(base).__name__}.")
    b = _as_float(base, "base")
    if not (b > 0.0 and b != 1.0 and math.isfinite(b)):
        raise ValueError(f"'base' must be a positive number other than 1 or None; got {base!r}.")
    return 1.0 / math.log(b)


def js_distance_scale(base: object) -> float:
    """base_scale for js_distance, whose base must exceed 1 (below 1 the
    divergence is negative and has no square root)."""
    scale = base_scale(base)
    if scale < 0.0:
        raise ValueError(
            f"'base' must be greater than 1 for js_distance (below 1 the divergence is "
            f"negative and has no square root); got {base!r}."
        )
    return scale


def check_alpha(alpha: object) -> float:
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"'alpha' must be a real number; got {type(alpha).__name__}.")
    a = _as_float(alpha, "alpha")
    if not a >= 0.0:
        raise ValueError(f"'alpha' must be a non-negative number or inf; got {alpha!r}.")
    return a


def normalize_axis(axis: SupportsIndex, ndim: int) -> int:
    try:
        ax = operator.index(axis)
    except TypeError:
        raise TypeError(f"'axis' must be an integer; got {type(axis).__name__}.") from None
    if not -ndim <= ax < ndim:
        raise AxisError(ax, ndim, msg_prefix="'axis'")
    return ax + ndim if ax < 0 else ax


def log_top(K: int, base: object, scale: float) -> float:
    """log K in the caller's base (scale = base_scale(base)): the largest
    entropy of K outcomes, the bound results are kept within; log2 K for
    base 2, which log K / log 2 can pass by an ulp."""
    return math.log2(K) if base is not None and float(base) == 2.0 else math.log(K) * scale  # type: ignore[arg-type]


def sum_tolerance(dtype: np.dtype[np.floating[Any]], K: int) -> float:
    """How far from 1 the sum of a distribution of length K may be with
    normalize=False: 64 * sqrt(K) * eps(dtype)."""
    return 64.0 * math.sqrt(K) * float(np.finfo(dtype).eps)


def broadcast_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    """NumPy's broadcast shape of shapes a and b, or None if they do not
    broadcast.  (``np.broadcast_shapes`` stops at 32 dimensions; arrays have
    up to 64.)"""
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            return None
        out.append(y if x == 1 else x)
    return tuple(out)


def broadcast_pair(
    p: npt.NDArray[Any], q: npt.NDArray[Any]
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Broadcast views of p and q, or a ValueError naming both."""
    shape = broadcast_shape(p.shape, q.shape)
    if shape is None:
        raise ValueError(
            f"'p' and 'q' cannot be broadcast together: shapes {p.shape} and {q.shape}."
        )
    if p.shape != shape:
        p = np.broadcast_to(p, shape)
    if q.shape != shape:
        q = np.broadcast_to(q, shape)
    return p, q


def row_index(row: int, batch_shape: tuple[int, ...]) -> int | tuple[int, ...] | None:
    """Flat row number -> what a message shows: an int for one batch
    dimension, a tuple for several, None for a batch of shape ()."""
    if len(batch_shape) == 0:
        return None
    if len(batch_shape) == 1:
        return int(row)
    return tuple(int(i) for i in np.unravel_index(row, batch_shape))


def check_choice(value: object, name: str, choices: tuple[str, ...]) -> str:
    """`value` if it is one of the strings `choices`; else TypeError (not a
    str) or ValueError listing them."""
    listed = ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise TypeError(f"{name!r} must be a str; got {type(value).__name__}.")
    if value not in choices:
        raise ValueError(f"{name!r} must be one of {listed}; got {value!r}.")
    return value


def check_correction(value: object) -> bool:
    """True for correction='miller-madow', False for None."""
    if value is None:
        return False
    if not isinstance(value, str):
        raise TypeError(f"'correction' must be None or a str; got {type(value).__name__}.")
    if value != "miller-madow":
        raise ValueError(f"'correction' must be None or 'miller-madow'; got {value!r}.")
    return True


def as_labels(x: object, name: str) -> npt.NDArray[Any]:
    """`x` as a 1-D array of labels or a 2-D array whose rows are symbols,
    with at least one sample and no NaN (never copied when it is an array)."""
    if x is None:
        raise TypeError(f"{name!r} must be an array of labels; got None.")
    x = to_array(x, name)
    if x.ndim not in (1, 2):
        raise ValueError(
            f"{name!r} must be a 1-D array of labels or a 2-D array whose rows are symbols; "
            f"got {x.ndim} dimensions."
        )
    if x.shape[0] == 0 or x.size == 0:
        raise ValueError(f"{name!r} must hold at least one sample; got an empty array.")
    kind = x.dtype.kind
    if kind in "fc" or kind == "O":
        nan = x != x if kind != "O" else np.not_equal(x, x).astype(bool)
        if nan.ndim == 2:
            nan = nan.any(axis=1)
        if nan.any():
            raise ValueError(
                f"{name!r} must not contain NaN; found one at sample {int(np.argmax(nan))}."
            )
    return x


def same_length(n: int, m: int, names: tuple[str, str]) -> None:
    if n != m:
        raise ValueError(
            f"{names[0]!r} and {names[1]!r} must have the same number of samples; got {n} and {m}."
        )
