"""Exact measures on distributions: the public functions.

Each function validates its arguments (``_validation``), broadcasts, moves
the support axis last (views only) and makes exactly one call into the
compiled row driver ``fastdiv._divergence``, then shapes the result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, SupportsIndex, TypeVar

import numpy as np
import numpy.typing as npt

from . import _divergence as _k
from ._threads import resolve_threads
from ._validation import (
    as_real_array,
    base_scale,
    broadcast_pair,
    check_alpha,
    check_bool,
    js_distance_scale,
    log_top,
    normalize_axis,
    row_index,
    sum_tolerance,
)

__all__ = [
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "js_divergence",
    "js_distance",
    "total_variation",
    "hellinger",
    "renyi_entropy",
    "renyi_divergence",
    "self_information",
]

_F = TypeVar("_F", bound=Callable[..., Any])

_STRIDE = _k.Status.STATUS_STRIDE
# The measures' codes, looked up once (a call pays for no attribute lookup).
_M = _k.Measure
_ENTROPY, _CROSS_ENTROPY, _KL = _M.ENTROPY, _M.CROSS_ENTROPY, _M.KL
_JS, _JS_DISTANCE, _TV, _HELLINGER = _M.JS, _M.JS_DISTANCE, _M.TV, _M.HELLINGER
_RENYI_ENTROPY, _RENYI_DIVERGENCE = _M.RENYI_ENTROPY, _M.RENYI_DIVERGENCE


def _entry_error(
    status: int,
    row: int,
    batch: tuple[int, ...],
    arrays: tuple[npt.NDArray[Any], npt.NDArray[Any] | None],
    names: tuple[str, str],
    tols: tuple[float, float],
) -> ValueError:
    """The ValueError for row `row` given the kernel's status code."""
    which, kind = divmod(int(status), int(_STRIDE))
    name, arr, tol = names[which], arrays[which], tols[which]
    assert arr is not None  # the kernel names `q` only in a call that has one
    idx = row_index(row, batch)
    where = "" if idx is None else f" in row {idx}"
    rowword = "it" if idx is None else f"row {idx}"
    data = arr[np.unravel_index(row, batch)] if batch else arr
    if kind == _k.Status.NONFINITE:
        return ValueError(f"{name!r} must be finite; found NaN or infinity{where}.")
    if kind == _k.Status.NEGATIVE:
        return ValueError(f"{name!r} must be non-negative; found a negative entry{where}.")
    with np.errstate(over="ignore"):
        total = float(np.sum(data, dtype=np.float64))
    if kind == _k.Status.ZEROSUM:
        return ValueError(f"{name!r} must have a positive sum along axis; {rowword} sums to 0.")
    return ValueError(
        f"{name!r} must sum to 1 along axis when normalize=False (tolerance {tol:.1e}); "
        f"{rowword} sums to {total!r}."
    )


def _run(
    code: _k.Measure,
    p: npt.ArrayLike,
    q: npt.ArrayLike | None,
    base: float | None,
    axis: SupportsIndex,
    keepdims: bool,
    normalize: bool,
    logits: bool,
    alpha: float,
    n_threads: int | None,
) -> np.float64 | npt.NDArray[np.float64]:
    """Validate, broadcast and dispatch one measure; see the public functions."""
    # the common call (1-D contiguous pair, default keywords) in one step
    v = _k.simple(code, p, q, alpha, base, axis, keepdims, normalize, logits, n_threads)
    if v is not None:
        return v
    nthreads = resolve_threads(n_threads)
    p = as_real_array(p, "p")
    one_input = code is _ENTROPY or code is _RENYI_ENTROPY
    q = None if one_input else as_real_array(q, "q")  # the one-input measures pass q=None
    normalize = check_bool(normalize, "normalize")
    logits = check_bool(logits, "logits")
    keepdims = check_bool(keepdims, "keepdims")
    scale = base_scale(base)
    p0, q0 = p, q
    if q is not None and p.shape != q.shape:
        p, q = broadcast_pair(p, q)
    nd = p.ndim
    ax = normalize_axis(axis, nd)
    K = p.shape[ax]
    if K == 0:
        name, shape = "p", p0.shape
        if q0 is not None:
            ap = ax - (nd - p0.ndim)
            if not (0 <= ap < p0.ndim and p0.shape[ap] == 0):
                name, shape = "q", q0.shape
        raise ValueError(
            f"{name!r} must have at least one entry along axis {axis}; got shape {shape}."
        )
    if ax != nd - 1:
        p = np.moveaxis(p, ax, -1)
        if q is not None:
            q = np.moveaxis(q, ax, -1)
    batch = p.shape[:-1]
    out = np.empty(batch, dtype=np.float64)
    tolp = sum_tolerance(p.dtype, K)
    tolq = sum_tolerance(q.dtype, K) if q is not None else 0.0
    # entropies stay within log K in the caller's base, correctly rounded
    top = math.inf
    if one_input:
        top = log_top(K, base, scale)
    row, status = _k.measure(
        code,
        p,
        q,
        out.reshape(-1),
        normalize=normalize,
        logits=logits,
        tolp=tolp,
        tolq=tolq,
        alpha=alpha,
        scale=scale,
        top=top,
        nthreads=nthreads,
    )
    if row >= 0:
        raise _entry_error(status, row, batch, (p, q), ("p", "q"), (tolp, tolq))
    if keepdims:
        out = np.expand_dims(out, ax)
    return out if out.ndim else out[()]


# ---- shared docstring fragments ------------------------------------------------

_P = """p : array_like
        Probabilities (or non-negative weights or counts) along `axis`.
        float32 and float64 are used as given, without a copy, whatever
        their strides or byte order; integers and bools become float64."""
_PQ = (
    _P
    + """
    q : array_like
        Second distribution, broadcast against `p`."""
)
_COMMON = """base : float, optional
        Base of the logarithm: None (default) gives nats, 2 gives bits; any
        positive finite number other than 1.
    axis : int, optional
        Axis holding each distribution's support. Default -1.
    keepdims : bool, optional
        Keep the reduced axis with length 1. Default False.
    normalize : bool, optional
        If True (default), divide each distribution by its own sum along
        `axis`. If False, use the values as given; a distribution whose sum
        differs from 1 by more than ``64 * sqrt(K) * eps(dtype)`` (K the
        length of `axis`) raises ValueError.
    logits : bool, optional
        If True, the inputs are unnormalized log-probabilities: a softmax is
        applied along `axis`, fused into the computation with a stable
        log-sum-exp (no probability array is formed); `normalize` is then
        ignored. Default False.
    n_threads : int, optional
        Threads for this call: None (default) uses `get_num_threads`, -1 all
        cores, a positive integer (at most `thread_limit`) that many. The
        result does not depend on it."""
_COMMON_NOBASE = _COMMON.split("axis : int", 1)[1]
_COMMON_NOBASE = "axis : int" + _COMMON_NOBASE
_RETURNS = """out : numpy.float64 or ndarray of float64
        One value per distribution: the broadcast shape of the inputs
        without `axis` (with it, of length 1, if `keepdims`). A 1-D input
        gives a NumPy float64 scalar."""
_RAISES = """TypeError
        For complex, object or string input, or arguments of the wrong type.
    ValueError
        For negative, NaN or infinite entries, an empty `axis`, a
        distribution summing to 0 (or, with ``normalize=False``, not to 1),
        shapes that do not broadcast, `axis` out of range or a bad `base`.
        The message names the argument and the first offending row."""
_NOTES_COMMON = """Conventions: :math:`0 \\log(0/q) = 0`; ``-0.0`` is a zero; results are
    clamped to the measure's mathematical range, so rounding can never
    produce a negative divergence; float32 input is evaluated in float32 and
    accumulated in float64; results are float64 and identical for any number
    of threads.  Any finite non-negative entries are accepted, from
    subnormals to ``1e308`` in one row (a sum that overflows float64
    included): a row whose sum lies outside :math:`[2^{-500}, 2^{500}]`
    (float32: :math:`[2^{-60}, 2^{60}]`) is evaluated in float64 from the
    raw entries, with every logarithm of a normalized quantity formed
    without the quotient, so no entry underflows to 0."""


def _doc(template: str) -> Callable[[_F], _F]:
    def deco(f: _F) -> _F:
        f.__doc__ = template.format(
            P=_P,
            PQ=_PQ,
            COMMON=_COMMON,
            COMMON_NOBASE=_COMMON_NOBASE,
            RETURNS=_RETURNS,
            RAISES=_RAISES,
            NOTES=_NOTES_COMMON,
        )
        return f

    return deco


# ---- public functions ------------------------------------------------------------


@_doc("""Shannon entropy of each distribution.

    Parameters
    ----------
    {P}
    {COMMON}

    Returns
    -------
    {RETURNS}

    Raises
    ------
    {RAISES}

    See Also
    --------
    cross_entropy, renyi_entropy, scipy.stats.entropy

    Notes
    -----
    .. math:: H(P) = -\\sum_i p_i \\log p_i

    in :math:`[0, \\log K]`. With ``logits=True`` and :math:`z` the logits,
    :math:`H = \\log S + \\frac{{1}}{{S}}\\sum_i e^{{w_i}}(-w_i)` with
    :math:`w = z - \\max z`, :math:`S = \\sum_i e^{{w_i}}`; both terms are
    non-negative, so nothing cancels.

    {NOTES}

    References
    ----------
    .. [1] C. E. Shannon, "A Mathematical Theory of Communication",
       Bell System Technical Journal 27 (1948).

    Examples
    --------
    >>> import numpy as np, fastdiv
    >>> print(f"{{fastdiv.entropy([0.5, 0.25, 0.25], base=2):.4f}}")
    1.5000
    >>> fastdiv.entropy([[1, 1], [1, 0]])
    array([0.69314718, 0.        ])
    >>> print(f"{{fastdiv.entropy([2.0, 0.0, -1.0], logits=True):.6f}}")
    0.524267
    """)
def entropy(
    p: npt.ArrayLike,
    *,
    base: float | None = None,
    axis: SupportsIndex = -1,
    keepdims: bool = False,
    normalize: bool = True,
    logits: bool = False,
    n_threads: int | None = None,
) -> np.float64 | npt.NDArray[np.float64]:
    return _run(_ENTROPY, p, None, base, axis, keepdims, normalize, logits, 1.0, n_threads)


@_doc("""Cross-entropy :math:`H(P, Q)` of each pair of distributions.

    Parameters
    ----------
    {PQ}
    {COMMON}

    Returns
    -------
    {RETURNS}

    Raises
    ------
    {RAISES}

    See Also
    --------
    entropy, kl_divergence

    Notes
    -----
    .. math:: H(P, Q) = -\\sum_i p_i \\log q_i = H(P) + D_{{KL}}(P \\| Q)

    :math:`+\\infty` where some :math:`p_i > 0 = q_i`. Each
    :math:`\\log q_i` is evaluated as :math:`\\log(q_i / \\sum q)` without
    forming the quotient, so subnormal entries lose nothing.

    {NOTES}

    Examples
    --------
    >>> import fastdiv
    >>> print(f"{{fastdiv.cross_entropy([0.5, 0.5], [0.25, 0.75], base=2):.6f}}")
    1.207519
    >>> float(fastdiv.cross_entropy([1, 0], [0, 1]))
    inf
    """)
def cross_entropy(
    p: npt.ArrayLike,
    q: npt.ArrayLike,
    *,
    base: float | None = None,
    axis: SupportsIndex = -1,
    keepdims: bool = False,
    normalize: bool = True,
    logits: bool = False,
    n_threads: int | None = None,
) -> np.float64 | npt.NDArray[np.float64]:
    return _run(_CROSS_ENTROPY, p, q, base, axis, keepdims, normalize, logits, 1.0, n_threads)


@_doc("""Kullback-Leibler divergence :math:`D_{{KL}}(P \\| Q)` of each pair.

    Parameters
    ----------
    {PQ}
    {COMMON}

    Returns
    -------
    {RETURNS}

    Raises
    ------
    {RAISES}

    See Also
    --------
    js_divergence, renyi_divergence, scipy.stats.entropy, scipy.special.rel_entr

    Notes
    -----
    .. math:: D_{{KL}}(P \\| Q) = \\sum_i p_i \\log \\frac{{p_i}}{{q_i}}

    :math:`+\\infty` where some :math:`p_i > 0 = q_i`; exactly 0 for equal
    inputs. The log-ratio is computed from the two numbers' exponents and
    mantissas, never as a quotient, so it neither overflows nor loses
    relative accuracy when :math:`p_i / q_i` is close to 1.

    {NOTES}

    References
    ----------
    .. [1] S. Kullback and R. A. Leibler, "On Information and Sufficiency",
       Annals of Mathematical Statistics 22 (1951).

    Examples
    --------
    >>> import numpy as np, fastdiv
    >>> print(f"{{fastdiv.kl_divergence([0.5, 0.5], [0.9, 0.1]):.6f}}")
    0.510826
    >>> p = np.array([[0.2, 0.8], [0.5, 0.5]])
    >>> fastdiv.kl_divergence(p, [0.5, 0.5], base=2)   # broadcasting
    array([0.27807191, 0.        ])
    """)
def kl_divergence(
    p: npt.ArrayLike,
    q: npt.ArrayLike,
    *,
    base: float | None = None,
    axis: SupportsIndex = -1,
    keepdims: bool = False,
    normalize: bool = True,
    logits: bool = False,
    n_threads: int | None = None,
) -> np.float64 | npt.NDArray[np.float64]:
    return _run(_KL, p, q, base, axis, keepdims, normalize, logits, 1.0, n_threads)


@_doc("""Jensen-Shannon divergence of each pair of distributions.

    Parameters
    ----------
    {PQ}
    {COMMON}

    Returns
    -------
    {RETURNS}

    Raises
    ------
    {RAISES}

    See Also
    --------
    js_distance, kl_divergence

    Notes
    -----
    .. math::
        JS(P, Q) = \\tfrac12 D_{{KL}}(P \\| M) + \\tfrac12 D_{{KL}}(Q \\| M),
        \\quad M = \\tfrac12 (P + Q)

    Always finite, in :math:`[0, \\log 2]` (in :math:`[0, 1]` with
    ``base=2``), symmetric. Each element contributes
    :math:`p_i \\log\\frac{{2p_i}}{{p_i+q_i}} + q_i \\log\\frac{{2q_i}}{{p_i+q_i}} \\ge 0`,
    so the sum does not cancel.

    {NOTES}

    References
    ----------
    .. [1] J. Lin, "Divergence measures based on the Shannon entropy",
       IEEE Transactions on Information Theory 37 (1991).

    Examples
    --------
    >>> import fastdiv
    >>> float(fastdiv.js_divergence([1, 0], [0, 1], base=2))
    1.0
    >>> print(f"{{fastdiv.js_divergence([0.5, 0.5], [0.9, 0.1]):.6f}}")
    0.101749
    """)
def js_divergence(
    p: npt.ArrayLike,
    q: npt.ArrayLike,
    *,
    base: float | None = None,
    axis: SupportsIndex = -1,
    keepdims: bool = False,
    normalize: bool = True,
    logits: bool = False,
    n_threads: int | None = None,
) -> np.float64 | npt.NDArray[np.float64]:
    return _run(_JS, p, q, base, axis, keepdims, normalize, logits, 1.0, n_threads)


@_doc("""Jensen-Shannon distance: the square root of `js_divergence`.

    The same as ``scipy.spatial.distance.jensenshannon`` (which also
    normalizes its inputs), batched, faster and exact at the extremes.

    Parameters
    ----------
    {PQ}
    {COMMON}

    Returns
    -------
    {RETURNS}

    Raises
    ------
    {RAISES}

    See Also
    --------
    js_divergence, scipy.spatial.distance.jensenshannon

    Notes
    -----
    .. math:: d_{{JS}}(P, Q) = \\sqrt{{JS(P, Q)}}

    A metric on distributions; in :math:`[0, 1]` with ``base=2``. A `base`
    below 1 is rejected: the divergence is then negative.

    {NOTES}

    Examples
    --------
    >>> import fastdiv
    >>> print(f"{{fastdiv.js_distance([1.0, 0.0, 0.0], [0.0, 1.0, 0.0], base=2):.4f}}")
    1.0000
    >>> print(f"{{fastdiv.js_distance([0.5, 0.5], [0.9, 0.1]):.6f}}")
    0.318982
    """)
def js_distance(
    p: npt.ArrayLike,
    q: npt.ArrayLike,
    *,
    base: float | None = None,
    axis: SupportsIndex = -1,
    keepdims: bool = False,
    normalize: bool = True,
    logits: bool = False,
    n_threads: int | None = None,
) -> np.float64 | npt.NDArray[np.float64]:
    js_distance_scale(base)
    return _run(_JS_DISTANCE, p, q, base, axis, keepdims, normalize, logits, 1.0, n_threads)


@_doc("""Total variation distance of each pair of distributions.

    Parameters
    ----------
    {PQ}
    {COMMON_NOBASE}

    Returns
    -------
    {RETURNS}

    Raises
    ------
    {RAISES}

    See Also
    --------
    hellinger

    Notes
    -----
    .. math:: TV(P, Q) = \\tfrac12 \\sum_i |p_i - q_i|

    in :math:`[0, 1]`.

    {NOTES}

    Examples
    --------
    >>> import fastdiv
    >>> print(f"{{fastdiv.total_variation([0.5, 0.5], [0.9, 0.1]):.4f}}")
    0.4000
    """)
def total_variation(
    p: npt.ArrayLike,
    q: npt.ArrayLike,
    *,
    axis: SupportsIndex = -1,
    keepdims: bool = False,
    normalize: bool = True,
    logits: bool = False,
    n_threads: int | None = None,
) -> np.float64 | npt.NDArray[np.float64]:
    return _run(_TV, p, q, None, axis, keepdims, normalize, logits, 1.0, n_threads)


@_doc("""Hellinger distance of each pair of distributions.

    Parameters
    ----------
    {PQ}
    {COMMON_NOBASE}

    Returns
    -------
    {RETURNS}

    Raises
    ------
    {RAISES}

    See Also
    --------
    total_variation

    Notes
    -----
    .. math:: H(P, Q) = \\sqrt{{\\tfrac12 \\sum_i (\\sqrt{{p_i}} - \\sqrt{{q_i}})^2}}

    in :math:`[0, 1]`. Evaluated from the squared differences, not as
    :math:`\\sqrt{{1 - \\sum_i \\sqrt{{p_i q_i}}}}`, which loses all accuracy
    for close distributions.

    {NOTES}

    Examples
    --------
    >>> import fastdiv
    >>> print(f"{{fastdiv.hellinger([1, 0], [0, 1]):.4f}}")
    1.0000
    >>> print(f"{{fastdiv.hellinger([0.5, 0.5], [0.9, 0.1]):.6f}}")
    0.324920
    """)
def hellinger(
    p: npt.ArrayLike,
    q: npt.ArrayLike,
    *,
    axis: SupportsIndex = -1,
    keepdims: bool = False,
    normalize: bool = True,
    logits: bool = False,
    n_threads: int | None = None,
) -> np.float64 | npt.NDArray[np.float64]:
    return _run(_HELLINGER, p, q, None, axis, keepdims, normalize, logits, 1.0, n_threads)


@_doc("""Renyi entropy of order `alpha` of each distribution.

    Parameters
    ----------
    {P}
    alpha : float
        Order, >= 0; ``inf`` allowed. 0 gives the Hartley entropy
        :math:`\\log |\\{{i : p_i > 0\\}}|`, 1 the Shannon entropy, ``inf`` the
        min-entropy :math:`-\\log \\max_i p_i`.
    {COMMON}

    Returns
    -------
    {RETURNS}

    Raises
    ------
    {RAISES}
        Also for `alpha` negative or NaN (``TypeError`` if not a number).

    See Also
    --------
    entropy, renyi_divergence

    Notes
    -----
    .. math:: H_\\alpha(P) = \\frac{{1}}{{1 - \\alpha}} \\log \\sum_i p_i^\\alpha

    Evaluated as
    :math:`\\operatorname{{log1p}}\\big(\\sum_i p_i \\operatorname{{expm1}}((\\alpha - 1)\\log p_i)\\big) / (1 - \\alpha)`
    while that sum is at least :math:`-1/2`: it stays accurate as
    :math:`\\alpha \\to 1`, where the textbook form divides a rounding error
    by :math:`1 - \\alpha`. Otherwise the log of the direct sum of
    :math:`p_i^\\alpha`, or, where those terms would underflow or overflow
    (large orders, tiny entries), a log-sum-exp of
    :math:`\\alpha \\log p_i` shifted by its largest term, so that any
    order up to ``inf`` gives a finite, accurate value. In
    :math:`[0, \\log K]` and non-increasing in :math:`\\alpha`. No `logits`
    keyword.

    {NOTES}

    References
    ----------
    .. [1] A. Renyi, "On measures of entropy and information", Proc. Fourth
       Berkeley Symposium on Mathematical Statistics and Probability (1961).

    Examples
    --------
    >>> import numpy as np, fastdiv
    >>> p = [0.5, 0.25, 0.25]
    >>> print(f"{{fastdiv.renyi_entropy(p, 2, base=2):.6f}}")
    1.415037
    >>> print(f"{{fastdiv.renyi_entropy(p, 0, base=2):.6f}}")
    1.584963
    >>> print(f"{{fastdiv.renyi_entropy(p, np.inf, base=2):.6f}}")
    1.000000
    """)  # noqa: E501 - a :math: formula in the Notes is not wrapped
def renyi_entropy(
    p: npt.ArrayLike,
    alpha: float,
    *,
    base: float | None = None,
    axis: SupportsIndex = -1,
    keepdims: bool = False,
    normalize: bool = True,
    n_threads: int | None = None,
) -> np.float64 | npt.NDArray[np.float64]:
    a = check_alpha(alpha)
    return _run(_RENYI_ENTROPY, p, None, base, axis, keepdims, normalize, False, a, n_threads)


@_doc("""Renyi divergence of order `alpha` of each pair of distributions.

    Parameters
    ----------
    {PQ}
    alpha : float
        Order, >= 0; ``inf`` allowed. 1 gives the KL divergence, 0
        :math:`-\\log \\sum_{{i: p_i > 0}} q_i`, 1/2 twice the Bhattacharyya
        distance, ``inf`` :math:`\\log \\max_i p_i / q_i`.
    {COMMON}

    Returns
    -------
    {RETURNS}

    Raises
    ------
    {RAISES}
        Also for `alpha` negative or NaN (``TypeError`` if not a number).

    See Also
    --------
    kl_divergence, renyi_entropy

    Notes
    -----
    .. math::
        D_\\alpha(P \\| Q) = \\frac{{1}}{{\\alpha - 1}} \\log \\sum_i p_i^\\alpha q_i^{{1-\\alpha}}

    Evaluated in the expm1/log1p, direct or log-sum-exp form described in
    `renyi_entropy`, on the terms
    :math:`\\alpha \\log p_i + (1 - \\alpha) \\log q_i`; :math:`\\log(p_i/q_i)`
    is formed without the quotient, so no ratio over- or underflows.
    :math:`+\\infty` for :math:`\\alpha > 1` (or :math:`\\alpha = \\infty`)
    where some :math:`p_i > 0 = q_i`, and for :math:`\\alpha < 1` when the
    supports are disjoint. Non-decreasing in :math:`\\alpha`. No `logits`
    keyword.

    {NOTES}

    References
    ----------
    .. [1] T. van Erven and P. Harremoes, "Renyi Divergence and
       Kullback-Leibler Divergence", IEEE Trans. Inf. Theory 60 (2014).

    Examples
    --------
    >>> import fastdiv
    >>> print(f"{{fastdiv.renyi_divergence([0.5, 0.5], [0.9, 0.1], 2):.6f}}")
    1.021651
    >>> print(f"{{fastdiv.renyi_divergence([0.5, 0.5], [0.9, 0.1], 1):.6f}}")
    0.510826
    """)
def renyi_divergence(
    p: npt.ArrayLike,
    q: npt.ArrayLike,
    alpha: float,
    *,
    base: float | None = None,
    axis: SupportsIndex = -1,
    keepdims: bool = False,
    normalize: bool = True,
    n_threads: int | None = None,
) -> np.float64 | npt.NDArray[np.float64]:
    a = check_alpha(alpha)
    return _run(_RENYI_DIVERGENCE, p, q, base, axis, keepdims, normalize, False, a, n_threads)


def self_information(
    p: npt.ArrayLike, *, base: float | None = None, n_threads: int | None = None
) -> np.float64 | npt.NDArray[np.float64]:
    """Self-information (surprisal) :math:`-\\log p`, elementwise.

    Parameters
    ----------
    p : array_like
        Probabilities in [0, 1], any shape.
    base : float, optional
        Base of the logarithm: None (default) gives nats, 2 gives bits.
    n_threads : int, optional
        Threads for this call, as in `entropy`.

    Returns
    -------
    out : ndarray of float64 or numpy.float64
        Same shape as `p`; ``+inf`` where ``p == 0``; a scalar for 0-d input.

    Raises
    ------
    TypeError
        For complex, object or string input, or a `base` that is not a number.
    ValueError
        For an entry outside [0, 1] or NaN (the message gives its index and
        value), or a bad `base`.

    See Also
    --------
    entropy : the expectation of the self-information.

    Notes
    -----
    .. math:: I(p) = -\\log p

    Computed in float64 for float32 input too; never negative.

    Examples
    --------
    >>> import fastdiv
    >>> fastdiv.self_information([1.0, 0.5, 0.25, 0.0], base=2)
    array([ 0.,  1.,  2., inf])
    """
    nthreads = resolve_threads(n_threads)
    p = as_real_array(p, "p")
    scale = base_scale(base)
    x = p if p.ndim else p.reshape(1)
    if x.ndim == 1 and x.size:
        x = x.reshape(1, -1) if x.flags.c_contiguous else x[np.newaxis]
    out = np.empty(p.shape, dtype=np.float64)
    bad = _k.neglog(x, out.reshape(-1), nthreads) if out.size else -1
    if bad >= 0:
        flat = np.flatnonzero(~((x >= 0) & (x <= 1)))[0]
        at = np.unravel_index(flat, x.shape)
        idx = int(flat) if p.ndim <= 1 else tuple(int(i) for i in at)
        raise ValueError(
            f"'p' must contain probabilities in [0, 1]; found {float(x.reshape(-1)[flat])!r} "
            f"at index {idx}."
        )
    if scale != 1.0:
        out *= scale
    return out if out.ndim else out[()]
