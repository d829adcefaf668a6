"""Measures on joint tables: the public functions.

``joint_entropy``, ``conditional_entropy`` and ``mutual_information`` of
(batches of) joint tables ``pxy[..., i, j] = P(X=i, Y=j)``.  Each validates its
arguments (``_validation``), makes exactly one call into the compiled
``fastdiv._joint.tables`` and shapes the result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from . import _joint as _k
from ._threads import resolve_threads
from ._validation import (
    as_real_array,
    base_scale,
    check_bool,
    log_top,
    row_index,
    sum_tolerance,
)

__all__ = ["joint_entropy", "conditional_entropy", "mutual_information"]

_F = TypeVar("_F", bound=Callable[..., Any])

_JOINT = _k.Measure.JOINT_ENTROPY
_CONDITIONAL = _k.Measure.CONDITIONAL_ENTROPY
_MUTUAL = _k.Measure.MUTUAL_INFORMATION


def _table_error(
    status: int, table: int, batch: tuple[int, ...], arr: npt.NDArray[Any], tol: float
) -> ValueError:
    """The ValueError for table ``table`` (flat index) from the kernel's status."""
    idx = row_index(table, batch)
    where = "" if idx is None else f" in table {idx}"
    which = "it" if idx is None else f"table {idx}"
    if status == _k.Status.NONFINITE:
        return ValueError(f"'pxy' must be finite; found NaN or infinity{where}.")
    if status == _k.Status.NEGATIVE:
        return ValueError(f"'pxy' must be non-negative; found a negative entry{where}.")
    if status == _k.Status.ZEROSUM:
        return ValueError(f"'pxy' must have a positive sum; {which} sums to 0.")
    data = arr[np.unravel_index(table, batch)] if batch else arr
    with np.errstate(over="ignore"):
        total = float(np.sum(data, dtype=np.float64))
    return ValueError(
        f"'pxy' must sum to 1 when normalize=False (tolerance {tol:.1e}); "
        f"{which} sums to {total!r}."
    )


def _run(
    code: _k.Measure, pxy: npt.ArrayLike, base: float | None, normalize: bool, n_threads: int | None
) -> np.float64 | npt.NDArray[np.float64]:
    """Validate and dispatch one measure; see the public functions."""
    nthreads = resolve_threads(n_threads)
    a = as_real_array(pxy, "pxy")
    normalize = check_bool(normalize, "normalize")
    scale = base_scale(base)
    if a.ndim < 2:
        raise ValueError(
            f"'pxy' must have at least 2 dimensions (a joint table pxy[..., i, j]); got {a.ndim}."
        )
    ni, nj = a.shape[-2], a.shape[-1]
    if ni == 0 or nj == 0:
        raise ValueError(
            f"'pxy' must have at least one entry along each of its last two axes; "
            f"got shape {a.shape}."
        )
    batch = a.shape[:-2]
    out = np.empty(batch, dtype=np.float64)
    tol = sum_tolerance(a.dtype, ni * nj)
    # the measure's largest value: log(I J), log I, log min(I, J)
    K = ni * nj if code == _JOINT else (ni if code == _CONDITIONAL else min(ni, nj))
    top = log_top(K, base, scale)
    table, status = _k.tables(
        int(code),
        a,
        out.reshape(-1),
        normalize=normalize,
        tol=tol,
        logk=math.log(K),
        scale=scale,
        top=top,
        nthreads=nthreads,
    )
    if table >= 0:
        raise _table_error(status, table, batch, a, tol)
    return out if out.ndim else out[()]


# ---- shared docstring fragments ----------------------------------------------

_PXY = """pxy : array_like, shape (..., I, J)
        Joint table: ``pxy[..., i, j]`` is the probability (or a
        non-negative weight or count) of X = i and Y = j; the leading axes
        are a batch of tables.  float32 and float64 are used as given,
        without a copy, whatever their strides or byte order; integers and
        bools become float64.
    base : float, optional
        Base of the logarithm: None (default) gives nats, 2 gives bits; any
        positive finite number other than 1.
    normalize : bool, optional
        If True (default), divide each table by its own sum (so count tables
        work). If False, use the values as given; a table whose sum differs
        from 1 by more than ``64 * sqrt(I * J) * eps(dtype)`` raises
        ValueError.
    n_threads : int, optional
        Threads for this call: None (default) uses `get_num_threads`, -1 all
        cores, a positive integer (at most `thread_limit`) that many. The
        result does not depend on it."""
_RETURNS = """out : numpy.float64 or ndarray of float64
        One value per table, of the batch shape ``pxy.shape[:-2]``; a 2-D
        table gives a NumPy float64 scalar."""
_RAISES = """TypeError
        For complex, object or string input, or arguments of the wrong type.
    ValueError
        For fewer than 2 dimensions, an empty table axis, NaN, infinite or
        negative entries, a table summing to 0 (or, with
        ``normalize=False``, not to 1), or a bad `base`. The message names
        the first offending table."""
_NOTES = """With :math:`p_{{ij}}` the table divided by its sum :math:`S` (or as
    given with ``normalize=False``), :math:`p_{{i\\cdot}} = \\sum_j p_{{ij}}`
    and :math:`p_{{\\cdot j}} = \\sum_i p_{{ij}}`; :math:`0 \\log 0 = 0`.
    Results are clamped to the measure's range, float64, and identical for
    any number of threads.

    Each cell costs one logarithm of a quantity formed with few roundings,
    never a difference of entropies: :math:`\\log(c / S)` and
    :math:`\\log(c_{{\\cdot j}} / c)` without forming the quotient, and for
    the mutual information :math:`\\rho = c S / (r_i c_j)` (four roundings)
    in the sum of non-negative terms
    :math:`\\sum_{{ij}} w_{{ij}} (\\rho \\log \\rho - \\rho + 1)`,
    :math:`w_{{ij}} = r_i c_j / S`, which equals :math:`S\\,I(X;Y)`, is
    evaluated from the rounded :math:`\\rho` itself and is stationary in
    the marginals: a nearly independent table keeps its relative accuracy.
    Accuracy (float64 arithmetic throughout, so float32 input is as exact):
    :math:`|\\text{{error}}| \\le 10^{{-13}} (v + m) + f`, with :math:`v` the
    value, :math:`m = \\sum p_{{ij}} |\\log \\rho_{{ij}}|` for the mutual
    information (0 otherwise) and :math:`f` the rounding of the sums, of
    order :math:`(J/16 + 16 + \\log_2 I)\\,2^{{-53}} (1 + v)` (its square for
    the mutual information with ``normalize=True``).  Tables whose sums or
    quotients would leave the float64 range (sums beyond
    :math:`[2^{{-120}}, 2^{{900}}]`, a marginal below :math:`2^{{-900}} S`)
    are evaluated from the raw entries with exponents kept apart: any
    finite non-negative entries work."""


def _doc(template: str) -> Callable[[_F], _F]:
    def deco(f: _F) -> _F:
        f.__doc__ = template.format(PXY=_PXY, RETURNS=_RETURNS, RAISES=_RAISES, NOTES=_NOTES)
        return f

    return deco


# ---- public functions ----------------------------------------------------------


@_doc("""Joint entropy :math:`H(X, Y)` of each joint table.

    Parameters
    ----------
    {PXY}

    Returns
    -------
    {RETURNS}

    Raises
    ------
    {RAISES}

    See Also
    --------
    conditional_entropy, mutual_information, entropy

    Notes
    -----
    .. math:: H(X, Y) = -\\sum_{{i,j}} p_{{ij}} \\log p_{{ij}}

    in :math:`[0, \\log(I J)]`: the entropy of the flattened table.

    {NOTES}

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, "Elements of Information Theory",
       2nd ed., Wiley (2006), ch. 2.

    Examples
    --------
    >>> import numpy as np, fastdiv
    >>> print(f"{{fastdiv.joint_entropy([[0.25, 0.25], [0.5, 0.0]], base=2):.4f}}")
    1.5000
    >>> fastdiv.joint_entropy(np.ones((2, 3, 3)))  # a batch of two count tables
    array([2.19722458, 2.19722458])
    """)
def joint_entropy(
    pxy: npt.ArrayLike,
    *,
    base: float | None = None,
    normalize: bool = True,
    n_threads: int | None = None,
) -> np.float64 | npt.NDArray[np.float64]:
    return _run(_JOINT, pxy, base, normalize, n_threads)


@_doc("""Conditional entropy :math:`H(X \\mid Y)` of each joint table.

    X indexes the rows (axis -2), Y the columns (axis -1).

    Parameters
    ----------
    {PXY}

    Returns
    -------
    {RETURNS}

    Raises
    ------
    {RAISES}

    See Also
    --------
    joint_entropy, mutual_information

    Notes
    -----
    .. math:: H(X \\mid Y) = \\sum_{{i,j}} p_{{ij}} \\log \\frac{{p_{{\\cdot j}}}}{{p_{{ij}}}}
              = H(X, Y) - H(Y)

    in :math:`[0, \\log I]`; every term is non-negative.

    {NOTES}

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, "Elements of Information Theory",
       2nd ed., Wiley (2006), ch. 2.

    Examples
    --------
    >>> import fastdiv
    >>> print(f"{{fastdiv.conditional_entropy([[0.25, 0.25], [0.5, 0.0]], base=2):.6f}}")
    0.688722
    >>> float(fastdiv.conditional_entropy([[3, 0], [0, 5]]))  # Y determines X
    0.0
    """)
def conditional_entropy(
    pxy: npt.ArrayLike,
    *,
    base: float | None = None,
    normalize: bool = True,
    n_threads: int | None = None,
) -> np.float64 | npt.NDArray[np.float64]:
    return _run(_CONDITIONAL, pxy, base, normalize, n_threads)


@_doc("""Mutual information :math:`I(X; Y)` of each joint table.

    Parameters
    ----------
    {PXY}

    Returns
    -------
    {RETURNS}

    Raises
    ------
    {RAISES}

    See Also
    --------
    joint_entropy, conditional_entropy, sklearn.metrics.mutual_info_score

    Notes
    -----
    .. math:: I(X; Y) = \\sum_{{i,j}} p_{{ij}}
              \\log \\frac{{p_{{ij}}}}{{p_{{i\\cdot}}\\, p_{{\\cdot j}}}}
              = H(X) + H(Y) - H(X, Y)

    in :math:`[0, \\log \\min(I, J)]`; symmetric under transposition.  A
    count table gives the plug-in estimate that
    ``sklearn.metrics.mutual_info_score(None, None, contingency=counts)``
    computes.

    {NOTES}

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, "Elements of Information Theory",
       2nd ed., Wiley (2006), ch. 2.

    Examples
    --------
    >>> import numpy as np, fastdiv
    >>> print(f"{{fastdiv.mutual_information([[0.5, 0.0], [0.0, 0.5]], base=2):.4f}}")
    1.0000
    >>> float(fastdiv.mutual_information(np.outer([1, 2, 3], [4, 5])))  # independent
    0.0
    >>> print(f"{{fastdiv.mutual_information([[10, 2], [3, 15]]):.6f}}")
    0.233671
    """)
def mutual_information(
    pxy: npt.ArrayLike,
    *,
    base: float | None = None,
    normalize: bool = True,
    n_threads: int | None = None,
) -> np.float64 | npt.NDArray[np.float64]:
    return _run(_MUTUAL, pxy, base, normalize, n_threads)
