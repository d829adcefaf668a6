"""Pairwise matrices and nearest rows under the exact measures: the public
functions ``pairwise`` and ``nearest``.

Each validates its arguments (``_validation``), resolves the metric and its
keywords to the exact family's measure code and row keywords, and makes
exactly one call into the compiled tile driver ``fastdiv._tiles``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _divergence as _k
from . import _exact, _tiles
from ._exact import _entry_error
from ._threads import resolve_threads
from ._validation import (
    as_real_array,
    base_scale,
    check_alpha,
    check_bool,
    js_distance_scale,
    sum_tolerance,
)

__all__ = ["pairwise", "nearest"]

_M = _k.Measure


@dataclass(frozen=True)
class _Metric:
    code: _k.Measure
    keywords: tuple[str, ...]  # the keywords it takes, besides n_threads
    symmetric: bool


_METRICS = {
    "kl_divergence": _Metric(_M.KL, ("base", "normalize", "logits"), False),
    "cross_entropy": _Metric(_M.CROSS_ENTROPY, ("base", "normalize", "logits"), False),
    "js_divergence": _Metric(_M.JS, ("base", "normalize", "logits"), True),
    "js_distance": _Metric(_M.JS_DISTANCE, ("base", "normalize", "logits"), True),
    "total_variation": _Metric(_M.TV, ("normalize", "logits"), True),
    "hellinger": _Metric(_M.HELLINGER, ("normalize", "logits"), True),
    "renyi_divergence": _Metric(_M.RENYI_DIVERGENCE, ("alpha", "base", "normalize"), False),
}
_NAMES = ", ".join(repr(n) for n in sorted(_METRICS))


@dataclass
class _Call:
    """A validated call: the compiled driver's arguments."""

    code: int
    P: npt.NDArray[np.floating[Any]]
    Q: npt.NDArray[np.floating[Any]] | None
    n: int  # rows of Q (of P when Q is None)
    options: dict[str, Any]


def _metric(metric: object) -> tuple[str, _Metric]:
    if isinstance(metric, str):
        if metric in _METRICS:
            return metric, _METRICS[metric]
        raise ValueError(f"'metric' must be one of {_NAMES}; got {metric!r}.")
    name = getattr(metric, "__name__", None)
    if callable(metric) and name in _METRICS and getattr(_exact, name) is metric:
        return name, _METRICS[name]
    raise TypeError(
        f"'metric' must be the name of a two-argument measure ({_NAMES}) or that fastdiv "
        f"function; got {metric!r}."
    )


def _rows(x: npt.ArrayLike, name: str) -> npt.NDArray[np.floating[Any]]:
    a = as_real_array(x, name)
    if a.ndim != 2:
        raise ValueError(f"{name!r} must be 2-D (one distribution per row); got shape {a.shape}.")
    if a.shape[1] == 0:
        raise ValueError(f"{name!r} must have at least one column; got shape {a.shape}.")
    return a


def _prepare(
    func: str,
    P: npt.ArrayLike,
    Q: npt.ArrayLike | None,
    metric: object,
    n_threads: int | None,
    kwargs: dict[str, Any],
) -> _Call:
    """Validate a call of pairwise / nearest: rows, metric, keywords."""
    name, m = _metric(metric)
    for key in kwargs:
        if key not in m.keywords:
            takes = ", ".join(repr(k) for k in m.keywords)
            raise TypeError(
                f"{func}() got an unexpected keyword argument {key!r}: metric {name!r} "
                f"takes {takes} (and 'n_threads')."
            )
    if "alpha" in m.keywords and "alpha" not in kwargs:
        raise TypeError(f"{func}() with metric {name!r} needs the keyword 'alpha'.")
    nthreads = resolve_threads(n_threads)
    Pa = _rows(P, "P")
    Qa = None if Q is None else _rows(Q, "Q")
    if Qa is not None and Qa.shape[1] != Pa.shape[1]:
        raise ValueError(
            f"'P' and 'Q' must have the same number of columns (the support); got "
            f"{Pa.shape[1]} and {Qa.shape[1]}."
        )
    base = kwargs.get("base")
    scale = js_distance_scale(base) if name == "js_distance" else base_scale(base)
    alpha = check_alpha(kwargs["alpha"]) if "alpha" in kwargs else 1.0
    K = Pa.shape[1]
    options = {
        "normalize": check_bool(kwargs.get("normalize", True), "normalize"),
        "logits": check_bool(kwargs.get("logits", False), "logits"),
        "tolp": sum_tolerance(Pa.dtype, K),
        "tolq": sum_tolerance((Pa if Qa is None else Qa).dtype, K),
        "alpha": alpha,
        "scale": scale,
        "nthreads": nthreads,
    }
    n = Pa.shape[0] if Qa is None else Qa.shape[0]
    return _Call(int(m.code), Pa, Qa, n, options)


def _raise_entry(call: _Call, err: tuple[int, int, int]) -> None:
    which, row, status = err
    arr = call.P if which == 0 else call.Q
    assert arr is not None
    tol = call.options["tolp" if which == 0 else "tolq"]
    name = "P" if which == 0 else "Q"
    # the exact family's message, for input `name` (status input 0) and row `row`
    raise _entry_error(status, row, arr.shape[:1], (arr, None), (name, name), (tol, tol))


def _check_nonempty_side(call: _Call) -> None:
    """Bad entries raise even when the other input has no rows: check the
    rows of the input that has some."""
    for which, arr in ((0, call.P), (1, call.Q)):
        if arr is not None and arr.shape[0] > 0:
            o = call.options
            err = _tiles.check_rows(
                call.code,
                arr,
                normalize=o["normalize"],
                logits=o["logits"],
                tol=o["tolp" if which == 0 else "tolq"],
                alpha=o["alpha"],
                nthreads=o["nthreads"],
            )
            if err is not None:
                _raise_entry(call, (which, err[1], err[2]))


def _check_out(out: object, shape: tuple[int, int], call: _Call) -> npt.NDArray[np.float64]:
    if not isinstance(out, np.ndarray):
        raise TypeError(f"'out' must be a NumPy array or None; got {type(out).__name__}.")
    if out.dtype != np.float64:
        raise TypeError(f"'out' must have dtype float64; got {out.dtype}.")
    if out.shape != shape:
        raise ValueError(f"'out' must have shape {shape}; got {out.shape}.")
    if not (out.flags.c_contiguous and out.flags.writeable):
        raise ValueError("'out' must be C-contiguous and writeable.")
    for a in (call.P, call.Q):
        if a is not None and np.may_share_memory(out, a):
            raise ValueError("'out' must not share memory with 'P' or 'Q'.")
    return out


def pairwise(
    P: npt.ArrayLike,
    Q: npt.ArrayLike | None = None,
    *,
    metric: str | Callable[..., Any] = "js_distance",
    out: npt.NDArray[np.float64] | None = None,
    n_threads: int | None = None,
    **kwargs: Any,
) -> npt.NDArray[np.float64]:
    """The matrix of a measure between every row of `P` and every row of `Q`.

    Parameters
    ----------
    P : array_like, shape (m, K)
        One distribution per row (probabilities, weights or counts; logits
        with ``logits=True``). float32 and float64 are used as given, without
        a copy, whatever their strides or byte order; integers and bools
        become float64.
    Q : array_like, shape (n, K), optional
        The rows to compare with. None (default) compares `P` with itself;
        for a symmetric metric only one triangle is computed and mirrored
        exactly, and the diagonal is exactly 0.
    metric : str or callable, optional
        ``"js_distance"`` (default), ``"js_divergence"``, ``"kl_divergence"``,
        ``"cross_entropy"``, ``"total_variation"``, ``"hellinger"`` or
        ``"renyi_divergence"`` (or that fastdiv function itself). Entry
        ``[i, j]`` is ``metric(P[i], Q[j], **kwargs)``.
    out : ndarray, optional
        Where to write the result: float64, C-contiguous, writeable, shape
        ``(m, n)``, sharing no memory with the inputs. It is returned.
    n_threads : int, optional
        Threads for this call: None (default) uses `get_num_threads`, -1 all
        cores, a positive integer that many. The result does not depend on
        it.
    **kwargs
        The metric's own keywords: ``base`` (not for total variation and
        Hellinger), ``normalize``, ``logits`` (not for Renyi) and ``alpha``
        (Renyi, required), as the one-pair functions take them.

    Returns
    -------
    out : ndarray of float64, shape (m, n)

    Raises
    ------
    TypeError
        For an argument of the wrong type, a keyword the metric does not take
        or a missing ``alpha``.
    ValueError
        For inputs that are not 2-D or differ in their number of columns, an
        unknown metric (the message lists the valid names), a bad `out`, or
        entries and keywords the one-pair function rejects; the message names
        the argument (``'P'`` or ``'Q'``) and the first offending row.

    See Also
    --------
    nearest : the closest rows without the full matrix.
    scipy.spatial.distance.cdist

    Notes
    -----
    Each row is checked, summed and (where a shortcut applies) normalized,
    and its logarithm or square root taken, once; pairs are computed tile by
    tile on all threads.  JS divergence and distance, total variation, the
    Renyi divergence and any metric with ``logits=True`` are computed by the
    one-pair functions' own kernels and equal them bit for bit.  KL
    divergence and cross-entropy (of probabilities, rows of up to 2048
    entries) are taken as :math:`H(P, Q) - H(P)` with
    :math:`H(P, Q) = -\\sum_k p_k \\log q_k` a dot product of prepared rows,
    and the Hellinger distance from :math:`\\sum_k \\sqrt{p_k q_k}`; both
    cancel for close rows, so every such value carries a rounding bound and
    is recomputed directly when the bound exceeds :math:`10^{-13}` of the sum
    of the absolute terms: the result keeps the one-pair functions'
    accuracy, is never negative, and is exactly 0 for equal rows.  Results
    are identical for any number of threads.

    Examples
    --------
    >>> import numpy as np, fastdiv
    >>> P = np.array([[0.5, 0.5], [0.9, 0.1], [0.0, 1.0]])
    >>> fastdiv.pairwise(P, metric="total_variation")
    array([[0. , 0.4, 0.5],
           [0.4, 0. , 0.9],
           [0.5, 0.9, 0. ]])
    >>> fastdiv.pairwise(P[:1], P, metric="kl_divergence", base=2)
    array([[0.        , 0.73696559,        inf]])
    """
    call = _prepare("pairwise", P, Q, metric, n_threads, kwargs)
    m, n = call.P.shape[0], call.n
    result = np.empty((m, n), dtype=np.float64) if out is None else _check_out(out, (m, n), call)
    if m == 0 or n == 0:
        _check_nonempty_side(call)
        return result
    err = _tiles.pairwise(call.code, call.P, call.Q, result, **call.options)
    if err is not None:
        _raise_entry(call, err)
    return result


def nearest(
    P: npt.ArrayLike,
    Q: npt.ArrayLike | None = None,
    *,
    k: int = 1,
    metric: str | Callable[..., Any] = "js_distance",
    n_threads: int | None = None,
    **kwargs: Any,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """The `k` rows of `Q` closest to each row of `P` under a measure.

    Parameters
    ----------
    P : array_like, shape (m, K)
        One distribution per row, as for `pairwise`.
    Q : array_like, shape (n, K), optional
        The rows to search. None (default) searches `P` itself, leaving out
        each row itself.
    k : int, optional
        How many rows per row of `P`: ``1 <= k <= n`` (``n - 1`` when `Q` is
        None). Default 1.
    metric : str or callable, optional
        As for `pairwise` (default ``"js_distance"``); closest means the
        smallest value of ``metric(P[i], Q[j])``.
    n_threads : int, optional
        As for `pairwise`.
    **kwargs
        The metric's own keywords, as for `pairwise`.

    Returns
    -------
    indices : ndarray of intp, shape (m, k)
        Row numbers in `Q`, nearest first; equal values are ordered by the
        lower index.
    values : ndarray of float64, shape (m, k)
        The metric's values, equal bit for bit to the corresponding entries
        of ``pairwise(P, Q, metric=metric, **kwargs)``.

    Raises
    ------
    TypeError, ValueError
        As `pairwise`, and for a `k` that is not an integer or outside
        ``[1, n]``.

    Notes
    -----
    The matrix is never formed: tiles of pairs are computed as `pairwise`
    does, and each row of `P` keeps a heap of its `k` best candidates, so
    memory is :math:`O((m + n) K + m k)` beyond the inputs.  Threads take
    tiles of rows of `P`; the result does not depend on their number.

    Examples
    --------
    >>> import numpy as np, fastdiv
    >>> P = np.array([[0.5, 0.5], [0.9, 0.1], [0.6, 0.4], [0.0, 1.0]])
    >>> idx, val = fastdiv.nearest(P, k=2, metric="total_variation")
    >>> idx
    array([[2, 1],
           [2, 0],
           [0, 1],
           [0, 2]])
    >>> val[0]
    array([0.1, 0.4])
    """
    call = _prepare("nearest", P, Q, metric, n_threads, kwargs)
    m = call.P.shape[0]
    candidates = max(0, call.n - (1 if Q is None else 0))
    if isinstance(k, (bool, np.bool_)):
        raise TypeError(f"'k' must be an integer; got {k!r}.")
    try:
        kk = operator.index(k)
    except TypeError:
        raise TypeError(f"'k' must be an integer; got {k!r}.") from None
    rows = "the rows of 'Q'" if Q is not None else "the rows of 'P' but the row itself"
    if not 1 <= kk <= candidates:
        raise ValueError(f"'k' must satisfy 1 <= k <= {candidates} ({rows}); got {kk}.")
    indices = np.empty((m, kk), dtype=np.intp)
    values = np.empty((m, kk), dtype=np.float64)
    if m == 0:
        _check_nonempty_side(call)
        return indices, values
    err = _tiles.nearest(call.code, call.P, call.Q, kk, values, indices, **call.options)
    if err is not None:
        _raise_entry(call, err)
    return indices, values
