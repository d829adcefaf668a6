"""Plug-in estimators from discrete samples: entropies, mutual information
and the clustering comparisons (NMI, AMI, VI) of label arrays.

Samples are 1-D arrays of labels of any dtype, or 2-D arrays whose rows are
vector-valued symbols (each distinct row is one symbol).  Every function
validates its arguments, codes each variable once (``_code``) and calls the
compiled kernels of ``fastdiv._discrete``: the contingency count, then the
pieces of the measure, from which ``_finish`` forms the value.

Coding the labels.  Integer (and bool) labels whose range ``max - min + 1``
is at most ``2 n + 1024`` are read as they are, each as its difference from
the smallest label: no sort, no copy, no ``np.unique``; float labels that
are all integers of such a range (class labels stored as floats) are read
so too, from an int64 copy.  Other labels
(a wider range, floats, strings, objects, rows of a 2-D input) become the
index of their value among the sorted distinct values; integer rows whose
columns' ranges multiply to less than 2^62 are first packed into one
integer, which keeps their lexicographic order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _discrete as _k
from ._threads import resolve_threads
from ._validation import (
    as_labels,
    base_scale,
    check_bool,
    check_choice,
    check_correction,
    same_length,
    to_array,
)

__all__ = [
    "contingency",
    "entropy",
    "joint_entropy",
    "conditional_entropy",
    "mutual_information",
    "normalized_mutual_information",
    "adjusted_mutual_information",
    "variation_of_information",
    "conditional_mutual_information",
    "pairwise",
]

_AVERAGES = ("arithmetic", "geometric", "min", "max")
_MEASURES = (
    "mutual_information",
    "normalized_mutual_information",
    "adjusted_mutual_information",
    "variation_of_information",
    "conditional_entropy",
)
# the pieces the kernels return, by position
_HX, _HY, _HXY, _MI, _HXGY, _HYGX, _EMI, _KX, _KY, _KXY = range(10)
_N = _k.Need
# the pieces each measure needs
_NEEDS = {
    "joint_entropy": _N.NEED_HXY,
    "conditional_entropy": _N.NEED_HXGY,
    "mutual_information": _N.NEED_MI,
    "variation_of_information": _N.NEED_HXGY | _N.NEED_HYGX,
    "normalized_mutual_information": _N.NEED_MI | _N.NEED_HX | _N.NEED_HY,
    "adjusted_mutual_information": _N.NEED_MI | _N.NEED_HX | _N.NEED_HY | _N.NEED_EMI,
}
# a range of integer labels read in place is at most this long
_U64 = 1 << 64


def _direct_span(n: int) -> int:
    return 2 * n + 1024


@dataclass(frozen=True)
class _Coded:
    """A variable as the kernels read it: code = codes - lo (mod 2^64), in
    [0, m); `codes` is the caller's integer array or int64 codes made here."""

    codes: npt.NDArray[np.integer[Any]]
    lo: int
    m: int

    def int64(self) -> npt.NDArray[np.int64]:
        """The codes as int64 from 0 (a new array unless they already are)."""
        if self.lo == 0 and self.codes.dtype == np.int64:
            return self.codes.view(np.int64)
        c = self.codes.astype(np.uint64) - np.uint64(self.lo)
        return c.view(np.int64)


def _unique_codes(x: npt.NDArray[Any], name: str) -> _Coded:
    """Codes by the sorted distinct values (rows of a 2-D x, lexicographically)."""
    try:
        if x.ndim == 1:
            _, inv = np.unique(x, return_inverse=True)
            m = int(inv.max()) + 1
        elif x.dtype.kind in "iubfc":
            if x.dtype.kind in "fc":
                x = x + 0  # -0.0 is the symbol 0.0 (unique on rows compares bytes)
            _, inv = np.unique(x, axis=0, return_inverse=True)
            m = int(inv.max()) + 1
        else:
            rows = [tuple(r) for r in x.tolist()]
            index = {r: i for i, r in enumerate(sorted(set(rows)))}
            inv = np.fromiter((index[r] for r in rows), dtype=np.int64, count=len(rows))
            m = len(index)
    except TypeError as e:
        raise TypeError(f"{name!r} holds labels that cannot be sorted: {e}") from None
    return _Coded(inv.reshape(-1).astype(np.int64, copy=False), 0, m)


def _packed_rows(x: npt.NDArray[Any]) -> npt.NDArray[np.int64] | None:
    """Integer rows packed into one int64 each (mixed radix, first column
    most significant: the order of the packed values is the lexicographic
    order of the rows), or None when the columns' ranges do not allow it."""
    if x.dtype.kind not in "iub":
        return None
    if x.dtype.kind == "b":
        x = x.view(np.uint8)
    los = [int(v) for v in x.min(axis=0)]
    spans = [int(h) - lo + 1 for h, lo in zip(x.max(axis=0), los)]
    if math.prod(spans) >= 1 << 62:
        return None
    key = np.zeros(x.shape[0], dtype=np.int64)
    for j, (lo, span) in enumerate(zip(los, spans)):
        col = (x[:, j].astype(np.uint64) - np.uint64(lo % _U64)).view(np.int64)
        key *= span
        key += col
    return key


def _code(x: npt.NDArray[Any], name: str) -> _Coded:
    """Code a validated label array (see the module docstring)."""
    n = x.shape[0]
    if x.ndim == 2:
        packed = _packed_rows(x)
        if packed is None:
            return _unique_codes(x, name)
        x = packed
    kind = x.dtype.kind
    if kind == "b":
        x = x.view(np.uint8)
    if kind == "f" and x.ndim == 1:
        integral = _integral(x, n)
        if integral is not None:
            x, kind = integral, "i"
    if kind in "iub":
        if not x.dtype.isnative:
            x = x.astype(x.dtype.newbyteorder("="))
        lo, hi = int(x.min()), int(x.max())
        if hi - lo < _direct_span(n):
            return _Coded(x, lo % _U64, hi - lo + 1)
    return _unique_codes(x, name)


def _integral(x: npt.NDArray[Any], n: int) -> npt.NDArray[np.int64] | None:
    """Float labels that are all integers of a short range (class labels
    stored as floats) as int64, to be read in place like integer labels;
    else None (they are sorted).  -0.0 becomes the label 0, as it is equal."""
    lo, hi = float(x.min()), float(x.max())
    if not (lo > -(2.0**62) and hi < 2.0**62 and hi - lo < _direct_span(n)):
        return None
    xi = x.astype(np.int64)
    return xi if np.array_equal(xi, x) else None


def _coded(x: object, name: str) -> _Coded:
    return _code(as_labels(x, name), name)


def _same_type(cx: _Coded, cy: _Coded) -> tuple[_Coded, _Coded]:
    """The two variables with codes of one dtype (the kernels take one)."""
    if cx.codes.dtype == cy.codes.dtype:
        return cx, cy
    return _Coded(cx.int64(), 0, cx.m), _Coded(cy.int64(), 0, cy.m)


def _cells(
    cx: _Coded, cy: _Coded, nthreads: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The non-zero cells (row, column, count) of the contingency table, row-major."""
    if cx.m * cy.m >= 1 << 62:
        # keys x m_y + y must fit in an int64: number the values that occur
        cx, cy = _compact(cx), _compact(cy)
    cx, cy = _same_type(cx, cy)
    return _k.pair_cells(cx.codes, cy.codes, cx.lo, cy.lo, cx.m, cy.m, nthreads)


def _compact(c: _Coded) -> _Coded:
    """The same variable with codes 0..m-1 of the values that occur (order kept)."""
    _, inv = np.unique(c.int64(), return_inverse=True)
    return _Coded(inv.reshape(-1).astype(np.int64, copy=False), 0, int(inv.max()) + 1)


def _pieces(
    cx: _Coded, cy: _Coded, need: int, nthreads: int, s: npt.NDArray[np.int64] | None = None
) -> tuple[float, ...]:
    ci, cj, cn = _cells(cx, cy, nthreads)
    return _k.cell_values(need, ci, cj, cn, cx.m, cy.m, s, nthreads)


def _average(hx: Any, hy: Any, average: str) -> Any:
    if average == "arithmetic":
        return (hx + hy) / 2.0
    if average == "geometric":
        return np.sqrt(hx * hy)
    if average == "min":
        return np.minimum(hx, hy)
    return np.maximum(hx, hy)


def _finish(
    measure: str, P: Any, n: int, average: str, mm: bool, scale: float
) -> np.float64 | npt.NDArray[np.float64]:
    """The value of `measure` from its pieces P (a tuple, or an array whose
    last axis holds the pieces), with Miller-Madow terms when `mm`, in the
    caller's base.  One code for a pair and for pairwise matrices, so their
    values are the same bits."""
    P = np.asarray(P, dtype=np.float64)
    p = [P[..., i] for i in range(10)]
    kx, ky, kxy = p[_KX], p[_KY], p[_KXY]
    two_n = 2.0 * n
    if measure in ("normalized_mutual_information", "adjusted_mutual_information"):
        mi, hx, hy = np.maximum(p[_MI], 0.0), p[_HX], p[_HY]
        norm = _average(hx, hy, average)
        # labelings equal up to renaming (one class each included): a perfect match
        perfect = (kx == kxy) & (ky == kxy)
        if measure == "normalized_mutual_information":
            with np.errstate(divide="ignore", invalid="ignore"):
                v = np.where(mi > 0.0, np.clip(mi / norm, 0.0, 1.0), 0.0)
        else:
            emi = p[_EMI]
            den = norm - emi
            eps = np.finfo(np.float64).eps
            # scikit-learn's guard against a vanishing denominator
            den = np.where(den < 0.0, np.minimum(den, -eps), np.maximum(den, eps))
            v = (mi - emi) / den
            # a labeling with every sample in a class of its own has MI = EMI
            # with any other: 0, also where average='min' makes it 0 / 0
            v = np.where((kx == n) | (ky == n), 0.0, v)
        return np.where(perfect, 1.0, v)[()]
    if measure == "joint_entropy":
        v = p[_HXY] + (kxy - 1.0) / two_n if mm else p[_HXY]
    elif measure == "conditional_entropy":
        v = p[_HXGY] + (kxy - ky) / two_n if mm else np.maximum(p[_HXGY], 0.0)
    elif measure == "mutual_information":
        v = p[_MI] + (kx + ky - kxy - 1.0) / two_n if mm else np.maximum(p[_MI], 0.0)
    else:  # variation_of_information
        v = p[_HXGY] + p[_HYGX]
        v = v + (2.0 * kxy - kx - ky) / two_n if mm else np.maximum(v, 0.0)
    return (v * scale)[()]


def _pair_measure(
    measure: str,
    x: object,
    y: object,
    base: object,
    correction: object,
    average: str,
    n_threads: int | None,
) -> np.float64:
    """Validate, code, count and evaluate one measure of a pair."""
    nthreads = resolve_threads(n_threads)
    scale = base_scale(base)
    mm = check_correction(correction)
    xa, ya = as_labels(x, "x"), as_labels(y, "y")
    same_length(xa.shape[0], ya.shape[0], ("x", "y"))
    cx, cy = _code(xa, "x"), _code(ya, "y")
    P = _pieces(cx, cy, _NEEDS[measure], nthreads)
    return _finish(measure, P, xa.shape[0], average, mm, scale)  # type: ignore[return-value]


# ---- docstring fragments -------------------------------------------------------

_XY = """x, y : array_like
        Paired samples of equal length n: 1-D arrays of labels of any dtype
        (integers of any width, floats, bools, strings, objects that sort),
        or 2-D arrays of shape (n, d) whose rows are vector-valued symbols."""
_BASE = """base : float, optional
        Base of the logarithm: None (default) gives nats, 2 gives bits."""
_MM = """correction : {None, 'miller-madow'}, optional
        ``'miller-madow'`` adds ``(m - 1) / (2 n)`` nats to every entropy term
        (m the number of occupied cells of that term) and forms the measure
        from the corrected terms; the corrected value is not clamped and may
        be slightly negative. Default None."""
_THREADS = """n_threads : int, optional
        Threads for this call: None (default) uses `fastdiv.get_num_threads`,
        -1 all cores. The result does not depend on it."""
_RAISES = """ValueError
        For samples of different lengths, no samples, NaN labels, an input
        of other than 1 or 2 dimensions, or a bad `base` or `correction`.
    TypeError
        For labels that cannot be sorted (objects of mixed types) or
        arguments of the wrong type."""


_AVERAGE = """average : {'arithmetic', 'geometric', 'min', 'max'}, optional
        How H(X) and H(Y) are averaged in the normalization (scikit-learn's
        ``average_method``). Default 'arithmetic'."""
# the parameters of NMI and AMI, ratios that take `average` and no correction
_RATIO_PARAMS = f"""{_XY}
    {_AVERAGE}
    base : float, optional
        Accepted for uniformity (validated); a ratio does not depend on it.
    {_THREADS}"""
_RAISES_AVERAGE = (
    _RAISES
    + """
        Also for an unknown `average`."""
)


def _doc(text: str) -> str:
    return (
        text.replace("{RATIO_PARAMS}", _RATIO_PARAMS)
        .replace("{RAISES_AVERAGE}", _RAISES_AVERAGE)
        .replace("{XY}", _XY)
        .replace("{BASE}", _BASE)
        .replace("{MM}", _MM)
        .replace("{THREADS}", _THREADS)
        .replace("{RAISES}", _RAISES)
    )


def contingency(
    x: npt.ArrayLike, y: npt.ArrayLike, *, sparse: bool = False, n_threads: int | None = None
) -> npt.NDArray[np.int64] | tuple[npt.NDArray[np.int64], ...]:
    nthreads = resolve_threads(n_threads)
    sparse = check_bool(sparse, "sparse")
    xa, ya = as_labels(x, "x"), as_labels(y, "y")
    same_length(xa.shape[0], ya.shape[0], ("x", "y"))
    cx, cy = _code(xa, "x"), _code(ya, "y")
    ci, cj, cn = _cells(cx, cy, nthreads)
    # codes read in place may skip values no sample has: number the occupied ones
    rows = _occupied(ci, cx.m)
    cols = _occupied(cj, cy.m)
    ci, cj = rows[ci], cols[cj]
    if sparse:
        return ci, cj, cn
    table = np.zeros((int(rows.max()) + 1, int(cols.max()) + 1), dtype=np.int64)
    table[ci, cj] = cn
    return table


def _occupied(c: npt.NDArray[np.int64], m: int) -> npt.NDArray[np.int64]:
    """For codes 0..m-1 of which those in c occur: each code's rank among them."""
    seen = np.zeros(m, dtype=bool)
    seen[c] = True
    return np.cumsum(seen, dtype=np.int64) - 1


contingency.__doc__ = _doc(
    """The contingency table of two label arrays.

    Parameters
    ----------
    {XY}
    sparse : bool, optional
        Return the non-zero cells instead of the dense table (for alphabets
        whose table would not fit in memory). Default False.
    {THREADS}

    Returns
    -------
    table : ndarray of int64, shape (Cx, Cy)
        ``table[i, j]`` counts the samples with the i-th smallest distinct
        label of `x` and the j-th of `y` (rows of a 2-D input sort
        lexicographically), as ``sklearn.metrics.cluster.contingency_matrix``.
    (i, j, counts) : tuple of ndarray of int64
        With ``sparse=True``: the row and column indices and counts of the
        non-zero cells, in row-major order.

    Raises
    ------
    {RAISES}

    Notes
    -----
    Counting is one pass over the samples, threaded with a table per thread
    (counts are integers, so the sum of the tables is exact and does not
    depend on the thread count). Integer labels with a range of at most
    ``2 n + 1024`` are counted where they are, without sorting; otherwise the
    labels are sorted once. A table larger than ``max(65536, n)`` cells is
    never allocated to count: its cells come from sorted keys, in O(n)
    memory (only the dense result, if asked for, has ``Cx Cy`` cells).

    Examples
    --------
    >>> from fastdiv import discrete
    >>> discrete.contingency([0, 0, 1, 2], ["a", "b", "b", "b"])
    array([[1, 1],
           [0, 1],
           [0, 1]])
    >>> discrete.contingency([5, 5, 9], [1, 2, 2], sparse=True)
    (array([0, 0, 1]), array([0, 1, 1]), array([1, 1, 1]))
    """
)


def entropy(
    x: npt.ArrayLike,
    *,
    base: float | None = None,
    correction: str | None = None,
    n_threads: int | None = None,
) -> np.float64:
    nthreads = resolve_threads(n_threads)
    scale = base_scale(base)
    mm = check_correction(correction)
    xa = as_labels(x, "x")
    cx = _code(xa, "x")
    h, k = _k.entropy_of_counts(_k.code_counts(cx.codes, cx.lo, cx.m, nthreads))
    n = xa.shape[0]
    return np.float64((h + (k - 1.0) / (2.0 * n) if mm else h) * scale)


entropy.__doc__ = _doc(
    r"""The plug-in (maximum-likelihood) entropy of a sample of labels.

    Parameters
    ----------
    x : array_like
        Labels: a 1-D array of any dtype, or a 2-D array of shape (n, d)
        whose rows are vector-valued symbols.
    {BASE}
    {MM}
    {THREADS}

    Returns
    -------
    h : numpy.float64
        :math:`H(X) = -\sum_x \hat p(x) \log \hat p(x)`, with
        :math:`\hat p(x) = n_x / n`.

    Raises
    ------
    {RAISES}

    Notes
    -----
    Each term is evaluated as :math:`n_x \log(n / n_x) / n`, with the
    quotient rounded once, and the terms are summed pairwise in the order of
    the sorted labels: the result is within a few ulps of the exact value.

    Examples
    --------
    >>> from fastdiv import discrete
    >>> float(discrete.entropy([0, 1, 0, 1], base=2))
    1.0
    >>> float(discrete.entropy(["a", "a", "b"], correction="miller-madow"))  # doctest: +ELLIPSIS
    0.8031...
    """
)


def joint_entropy(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    base: float | None = None,
    correction: str | None = None,
    n_threads: int | None = None,
) -> np.float64:
    return _pair_measure("joint_entropy", x, y, base, correction, "arithmetic", n_threads)


joint_entropy.__doc__ = _doc(
    r"""The plug-in joint entropy H(X, Y) of paired samples.

    Parameters
    ----------
    {XY}
    {BASE}
    {MM}
    {THREADS}

    Returns
    -------
    h : numpy.float64
        :math:`H(X, Y) = \sum_{x, y} (n_{xy} / n) \log(n / n_{xy})`.

    Raises
    ------
    {RAISES}

    Examples
    --------
    >>> from fastdiv import discrete
    >>> float(discrete.joint_entropy([0, 0, 1, 1], [0, 1, 0, 1], base=2))
    2.0
    """
)


def conditional_entropy(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    base: float | None = None,
    correction: str | None = None,
    n_threads: int | None = None,
) -> np.float64:
    return _pair_measure("conditional_entropy", x, y, base, correction, "arithmetic", n_threads)


conditional_entropy.__doc__ = _doc(
    r"""The plug-in conditional entropy H(X | Y) of paired samples.

    Parameters
    ----------
    {XY}
    {BASE}
    {MM}
    {THREADS}

    Returns
    -------
    h : numpy.float64
        :math:`H(X \mid Y) = \sum_{x, y} (n_{xy} / n) \log(n_y / n_{xy})`
        :math:`= H(X, Y) - H(Y)`, computed from the first form (no
        cancellation); at least 0 without a correction.

    Raises
    ------
    {RAISES}

    Examples
    --------
    >>> from fastdiv import discrete
    >>> float(discrete.conditional_entropy([0, 1, 0, 1], [0, 0, 1, 1], base=2))
    1.0
    >>> float(discrete.conditional_entropy([0, 1, 0, 1], [0, 1, 0, 1]))
    0.0
    """
)


def mutual_information(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    base: float | None = None,
    correction: str | None = None,
    n_threads: int | None = None,
) -> np.float64:
    return _pair_measure("mutual_information", x, y, base, correction, "arithmetic", n_threads)


mutual_information.__doc__ = _doc(
    r"""The plug-in mutual information I(X; Y) of paired samples.

    Parameters
    ----------
    {XY}
    {BASE}
    {MM}
    {THREADS}

    Returns
    -------
    mi : numpy.float64
        :math:`I(X; Y) = \sum_{x, y} (n_{xy} / n) \log(n\, n_{xy} / (n_x n_y))`,
        at least 0 without a correction. Equals
        ``sklearn.metrics.mutual_info_score(x, y)`` (nats) to rounding.

    Raises
    ------
    {RAISES}

    Notes
    -----
    Each term's ratio :math:`n\, n_{xy} / (n_x n_y)` is formed from exact
    integer products with one rounding, so a mutual information near 0
    keeps its relative accuracy (it is not a difference of entropies).

    Examples
    --------
    >>> from fastdiv import discrete
    >>> float(discrete.mutual_information([0, 0, 1, 1], ["a", "a", "b", "b"], base=2))
    1.0
    >>> float(discrete.mutual_information([0, 0, 1, 1], [0, 1, 0, 1]))
    0.0
    """
)


def normalized_mutual_information(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    average: str = "arithmetic",
    *,
    base: float | None = None,
    n_threads: int | None = None,
) -> np.float64:
    average = check_choice(average, "average", _AVERAGES)
    return _pair_measure("normalized_mutual_information", x, y, base, None, average, n_threads)


normalized_mutual_information.__doc__ = _doc(
    r"""The normalized mutual information of two labelings.

    Parameters
    ----------
    {RATIO_PARAMS}

    Returns
    -------
    nmi : numpy.float64
        :math:`I(X; Y) / \mathrm{avg}(H(X), H(Y))` in [0, 1], as
        ``sklearn.metrics.normalized_mutual_info_score``: 1 for labelings
        equal up to renaming (two single-class labelings included), 0 when
        the mutual information is 0.

    Raises
    ------
    {RAISES_AVERAGE}

    Examples
    --------
    >>> from fastdiv import discrete
    >>> float(discrete.normalized_mutual_information([0, 0, 1, 1], [5, 5, 3, 3]))
    1.0
    >>> round(float(discrete.normalized_mutual_information([0, 0, 1, 1], [0, 0, 0, 1])), 4)
    0.3437
    """
)


def adjusted_mutual_information(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    average: str = "arithmetic",
    *,
    base: float | None = None,
    n_threads: int | None = None,
) -> np.float64:
    average = check_choice(average, "average", _AVERAGES)
    return _pair_measure("adjusted_mutual_information", x, y, base, None, average, n_threads)


adjusted_mutual_information.__doc__ = _doc(
    r"""The mutual information of two labelings adjusted for chance.

    Parameters
    ----------
    {RATIO_PARAMS}

    Returns
    -------
    ami : numpy.float64
        :math:`(I - E[I]) / (\mathrm{avg}(H(X), H(Y)) - E[I])`, as
        ``sklearn.metrics.adjusted_mutual_info_score``, where :math:`E[I]`
        is the expected mutual information of random labelings with the
        same class sizes (the hypergeometric model). 1 for labelings equal
        up to renaming, including ``n_samples == n_classes`` (where the
        quotient is 0 / 0); exactly 0 when one labeling (only) puts every
        sample in a class of its own, whose MI with any labeling equals the
        expected MI (with ``average='min'`` that is 0 / 0 too, where
        scikit-learn returns rounding noise); about 0 for independent
        labelings; may be negative.

    Raises
    ------
    {RAISES_AVERAGE}

    Examples
    --------
    >>> from fastdiv import discrete
    >>> float(discrete.adjusted_mutual_information([0, 1, 2, 3], [3, 2, 1, 0]))
    1.0
    >>> round(float(discrete.adjusted_mutual_information([0, 0, 1, 1], [0, 0, 1, 2])), 4)
    0.5714
    """
)


def variation_of_information(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    base: float | None = None,
    correction: str | None = None,
    n_threads: int | None = None,
) -> np.float64:
    return _pair_measure(
        "variation_of_information", x, y, base, correction, "arithmetic", n_threads
    )


variation_of_information.__doc__ = _doc(
    r"""The variation of information between two labelings (Meila 2007).

    Parameters
    ----------
    {XY}
    {BASE}
    {MM}
    {THREADS}

    Returns
    -------
    vi : numpy.float64
        :math:`VI = H(X \mid Y) + H(Y \mid X) = H(X, Y) - I(X; Y)`, a metric on
        partitions; computed as the sum of the two conditional entropies
        (no cancellation); at least 0 without a correction.

    Raises
    ------
    {RAISES}

    Examples
    --------
    >>> from fastdiv import discrete
    >>> float(discrete.variation_of_information([0, 0, 1, 1], [1, 1, 0, 0]))
    0.0
    >>> float(discrete.variation_of_information([0, 0, 1, 1], [0, 1, 0, 1], base=2))
    2.0
    """
)


def conditional_mutual_information(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    z: npt.ArrayLike,
    *,
    base: float | None = None,
    correction: str | None = None,
    n_threads: int | None = None,
) -> np.float64:
    nthreads = resolve_threads(n_threads)
    scale = base_scale(base)
    mm = check_correction(correction)
    xa, ya, za = as_labels(x, "x"), as_labels(y, "y"), as_labels(z, "z")
    n = xa.shape[0]
    same_length(n, ya.shape[0], ("x", "y"))
    same_length(n, za.shape[0], ("x", "z"))
    cx, cy, cz = _code(xa, "x"), _code(ya, "y"), _code(za, "z")
    # rows (x, z) and columns (y, z) of one table: its cells are the (x, y, z)
    u, zu = _joint(cx, cz)
    v, _ = _joint(cy, cz)
    nz = _k.code_counts(cz.codes, cz.lo, cz.m, nthreads)
    P = _pieces(u, v, _N.NEED_MI, nthreads, s=nz[zu])
    kz = float(np.count_nonzero(nz))
    cmi = P[_MI] + (P[_KX] + P[_KY] - P[_KXY] - kz) / (2.0 * n) if mm else max(P[_MI], 0.0)
    return np.float64(cmi * scale)


def _joint(cx: _Coded, cz: _Coded) -> tuple[_Coded, npt.NDArray[np.int64]]:
    """The pairs (x, z) coded as one variable, and the code of z of each pair code."""
    key = cx.int64() * np.int64(cz.m) + cz.int64()
    span = cx.m * cz.m
    if span <= _direct_span(key.shape[0]):
        return _Coded(key, 0, span), np.arange(span, dtype=np.int64) % cz.m
    keys, inv = np.unique(key, return_inverse=True)
    return _Coded(inv.reshape(-1).astype(np.int64, copy=False), 0, len(keys)), keys % cz.m


conditional_mutual_information.__doc__ = _doc(
    r"""The plug-in conditional mutual information I(X; Y | Z).

    Parameters
    ----------
    x, y, z : array_like
        Samples of equal length n: 1-D arrays of labels of any dtype, or
        2-D arrays of shape (n, d) whose rows are vector-valued symbols.
    {BASE}
    {MM}
    {THREADS}

    Returns
    -------
    cmi : numpy.float64
        :math:`I(X; Y \mid Z) = \sum (n_{xyz} / n)
        \log(n_{xyz} n_z / (n_{xz} n_{yz}))`
        :math:`= H(X, Z) + H(Y, Z) - H(X, Y, Z) - H(Z)`, computed from the
        first form; at least 0 without a correction.

    Raises
    ------
    {RAISES}

    Examples
    --------
    >>> from fastdiv import discrete
    >>> x = [0, 0, 1, 1, 0, 0, 1, 1]
    >>> z = [0, 0, 0, 0, 1, 1, 1, 1]
    >>> float(discrete.conditional_mutual_information(x, x, z, base=2))
    1.0
    >>> float(discrete.conditional_mutual_information(x, z, z))
    0.0
    """
)


def pairwise(
    X: npt.ArrayLike,
    Y: npt.ArrayLike | None = None,
    *,
    measure: str = "mutual_information",
    base: float | None = None,
    n_threads: int | None = None,
    **kwargs: Any,
) -> npt.NDArray[np.float64]:
    nthreads = resolve_threads(n_threads)
    measure = check_choice(measure, "measure", _MEASURES)
    scale = base_scale(base)
    allowed = ("average",) if "normalized" in measure or "adjusted" in measure else ("correction",)
    for key in kwargs:
        if key not in allowed:
            raise TypeError(
                f"discrete.pairwise got an unexpected keyword {key!r} for measure {measure!r} "
                f"(it takes {', '.join(repr(a) for a in allowed)})."
            )
    average = check_choice(kwargs.get("average", "arithmetic"), "average", _AVERAGES)
    mm = check_correction(kwargs.get("correction"))
    Xa = _columns(X, "X")
    triangle = Y is None and measure != "conditional_entropy"
    Ya = Xa if Y is None else _columns(Y, "Y")
    same_length(Xa.shape[0], Ya.shape[0], ("X", "Y"))
    CX, mX = _code_columns(Xa, "X")
    CY, mY = (CX, mX) if Y is None else _code_columns(Ya, "Y")
    P = _k.pairwise_pieces(_NEEDS[measure], CX, mX, CY, mY, triangle, nthreads)
    out = np.asarray(_finish(measure, P, Xa.shape[0], average, mm, scale), dtype=np.float64)
    if triangle:
        lower = np.tril_indices(out.shape[0], -1)
        out[lower] = out.T[lower]
    return out


def _columns(X: object, name: str) -> npt.NDArray[Any]:
    if X is None:
        raise TypeError(f"{name!r} must be a 2-D array of labels; got None.")
    Xa = to_array(X, name)
    if Xa.ndim != 2:
        raise ValueError(
            f"{name!r} must be a 2-D array (n_samples, n_features); got {Xa.ndim} dimensions."
        )
    if Xa.shape[1] == 0:
        raise ValueError(f"{name!r} must have at least one column; got shape {Xa.shape}.")
    return Xa


def _code_columns(
    X: npt.NDArray[Any], name: str
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every column coded once: int64 codes in Fortran order, and each column's m."""
    n, f = X.shape
    codes = np.empty((n, f), dtype=np.int64, order="F")
    ms = np.empty(f, dtype=np.int64)
    for j in range(f):
        c = _code(as_labels(X[:, j], name), name)
        codes[:, j] = c.int64()
        ms[j] = c.m
    return codes, ms


pairwise.__doc__ = _doc(
    r"""A measure between every column of `X` and every column of `Y`.

    Parameters
    ----------
    X : array_like, shape (n_samples, fx)
        Label columns (any dtype; each column is one variable, coded once).
    Y : array_like, shape (n_samples, fy), optional
        Second set of columns; None (default) compares `X` with itself and,
        for a symmetric measure, computes one triangle and mirrors it
        exactly.
    measure : str, optional
        'mutual_information' (default; the diagonal of ``Y=None`` is
        H(X_i)), 'normalized_mutual_information', 'adjusted_mutual_information',
        'variation_of_information' or 'conditional_entropy' (entry [i, j] is
        H(X_i | Y_j)).
    {BASE}
    {THREADS}
    **kwargs
        The measure's keywords: `average` for NMI and AMI, `correction` for
        the others.

    Returns
    -------
    out : ndarray of float64, shape (fx, fy)
        ``out[i, j]`` equals ``measure(X[:, i], Y[:, j], ...)`` bit for bit.

    Raises
    ------
    ValueError
        For `X` or `Y` not 2-D or without columns, columns of different
        lengths, NaN labels, an unknown `measure`, or bad keywords' values.
    TypeError
        For a keyword the measure does not take.

    Notes
    -----
    Pairs run in parallel, one pair per thread, each counted serially into
    that thread's table: feature screening over hundreds of columns without
    a Python loop.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdiv import discrete
    >>> X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 0], [1, 1, 0]])
    >>> discrete.pairwise(X, base=2)
    array([[1., 0., 1.],
           [0., 1., 0.],
           [1., 0., 1.]])
    >>> discrete.pairwise(X, measure="conditional_entropy", base=2)
    array([[0., 1., 0.],
           [1., 0., 1.],
           [0., 1., 0.]])
    """
)
