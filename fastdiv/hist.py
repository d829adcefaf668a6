"""Histograms of continuous samples and the plug-in estimates made from them.

``histogram`` and ``histogram2d`` count as ``numpy.histogram`` and
``numpy.histogram2d`` do -- the same edges (NumPy computes them), the same
bin for every value, the values on an edge included -- in one threaded pass
(``fastdiv._binning``); ``histogram(..., axis=k)`` counts every slice along
an axis on shared edges in one call.  ``entropy``, ``mutual_information``,
``kl_divergence`` and ``js_divergence`` are plug-in estimates from those
counts.

How a value is placed.  NumPy places a value on equal bins by a formula,
``int(((v - first) / (last - first)) * n)``, then corrects the index by one
against the edges; on explicit edges (and in ``histogram2d``) by the edges
alone (``searchsorted``).  fastdiv forms each value's position with one
multiplication and takes its floor wherever that position is far enough
from a bin boundary that NumPy's reading cannot differ (``_fast``: the
margin covers the rounding of NumPy's formula and of its edges); the other
values -- within ~1e-13 of a boundary for float64 data -- are placed by
NumPy's own procedure, dtype by dtype.  So the counts equal NumPy's bit for
bit, and adversarial data (every value on an edge, huge offsets with tiny
ranges) is only slower, never different.

Differences from NumPy, all on purpose: NaN or infinity in the samples
raises (NumPy drops NaN silently when a range is given); empty samples
raise; weights are summed in float64 whatever their dtype; ``density=True``
with no sample in the range raises instead of returning NaN.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _binning as _k
from ._exact import js_divergence as _js_divergence
from ._exact import kl_divergence as _kl_divergence
from ._threads import resolve_threads
from ._validation import (
    as_real_array,
    base_scale,
    check_bool,
    check_correction,
    normalize_axis,
    shown,
)

__all__ = [
    "histogram",
    "histogram2d",
    "entropy",
    "mutual_information",
    "kl_divergence",
    "js_divergence",
]

# numpy.histogram_bin_edges' rules
RULES = ("auto", "fd", "sturges", "doane", "scott", "rice", "sqrt", "stone")
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
# the cells of an edge table refined for crowded cells, at most (_cells):
# 12 bytes each: a table that mostly stays in the first-level cache (measured
# best for 100 bins, 1e7 samples)
CELLS_MAX = 4096
_BINS_RULE = "a positive integer, a rule name or a 1-D array of increasing edges"


# ---- validation ------------------------------------------------------------------


def _samples(x: object, name: str) -> npt.NDArray[np.floating[Any]]:
    xa = as_real_array(x, name)  # type: ignore[arg-type]
    if xa.size == 0:
        raise ValueError(f"{name!r} must hold at least one sample; got shape {xa.shape}.")
    return xa.reshape(1) if xa.ndim == 0 else xa


def _flat(
    xa: npt.NDArray[Any], w: npt.NDArray[Any] | None
) -> tuple[npt.NDArray[Any], npt.NDArray[Any] | None]:
    """x (and its weights) for one histogram of every sample in C order: 1-D
    views when both are C-contiguous, else as they are (the kernel reads any
    array row by row in C order)."""
    if xa.flags.c_contiguous and (w is None or w.flags.c_contiguous):
        return xa.reshape(-1), None if w is None else w.reshape(-1)
    return xa, w


def _not_finite(name: str, where: str = "") -> ValueError:
    return ValueError(f"{name!r} must be finite; found NaN or infinity{where}.")


def _weights(weights: object, shape: tuple[int, ...]) -> npt.NDArray[np.floating[Any]]:
    w = as_real_array(weights, "weights")  # type: ignore[arg-type]
    if w.shape != shape:
        raise ValueError(
            f"'weights' must have the shape of the samples {shape}; got shape {w.shape}."
        )
    return w


def _count(bins: object) -> int | None:
    """bins as a number of bins, None if it is not an integer scalar."""
    if isinstance(bins, (bool, np.bool_)):
        raise TypeError(f"'bins' must be {_BINS_RULE}; got a bool.")
    try:
        n = operator.index(bins)  # type: ignore[arg-type]
    except TypeError:
        return None
    if n < 1:
        raise ValueError(f"'bins' must be {_BINS_RULE}; got {shown(n)}.")
    return n


def _edge_array(bins: object, name: str = "bins") -> npt.NDArray[Any]:
    """Explicit edges: 1-D, at least 2, real, finite, never decreasing."""
    e = np.asarray(bins)
    if e.dtype.kind not in "iuf" or e.dtype == np.float16:
        if e.dtype.kind == "f":
            e = e.astype(np.float64)
        else:
            raise TypeError(f"{name!r} must be {_BINS_RULE}; got dtype {e.dtype}.")
    if e.ndim != 1 or e.shape[0] < 2:
        raise ValueError(
            f"{name!r} must be {_BINS_RULE}; got an array of shape {e.shape} "
            f"(edges need at least 2 entries)."
        )
    if e.dtype.kind == "f" and not np.isfinite(e).all():
        raise ValueError(f"{name!r} must be finite edges; found NaN or infinity.")
    if np.any(e[:-1] > e[1:]):
        raise ValueError(f"{name!r} must be edges that never decrease; got {e!r}.")
    return e


def _range_pair(rng: object, name: str = "range") -> tuple[Any, Any] | None:
    """The user's range as the pair of objects NumPy would use (NumPy scalars
    kept: their dtype decides NumPy's bin dtype), validated."""
    if rng is None:
        return None
    lo: Any
    hi: Any
    try:
        lo, hi = rng  # type: ignore[misc]
    except (TypeError, ValueError):
        raise TypeError(f"{name!r} must be None or a pair (min, max); got {shown(rng)}.") from None
    out = []
    for v in (lo, hi):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise TypeError(f"{name!r} must hold two real numbers; got {shown(rng)}.")
        if isinstance(v, np.floating) and v.dtype.itemsize > 8:
            v = float(v)  # long double: NumPy would bin in it; fastdiv in float64
        if not math.isfinite(float(v)):
            raise ValueError(f"{name!r} must be finite; got {shown(rng)}.")
        out.append(v)
    if out[0] > out[1]:
        raise ValueError(f"{name!r} must have min <= max; got {shown(rng)}.")
    return out[0], out[1]


def _outer(first: Any, last: Any) -> tuple[Any, Any]:
    """numpy's outer edges from the range: an empty range widened by 1/2."""
    if first == last:
        first = first - 0.5
        last = last + 0.5
    return first, last


def _data_range(x: npt.NDArray[np.floating[Any]], name: str) -> tuple[Any, Any]:
    """(x.min(), x.max()) as NumPy scalars of x's dtype, as NumPy finds them."""
    lo, hi = x.min(), x.max()
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise _not_finite(name)
    return lo, hi


# ---- the axes ---------------------------------------------------------------------


def _fast(n: int, lo: float, hi: float, eps: float) -> tuple[float, int]:
    """The fast path's margin (in bins) and whether to use it, for n equal
    bins over [lo, hi] computed with unit roundoff eps.  A value whose
    position (v - lo) n / (hi - lo) lies more than ``delta`` from an integer
    has the same bin by NumPy's formula (three roundings: <= 3 eps n bins),
    by its corrections against the edges (linspace's edges stray from
    first + i w by <= 2 eps i w + eps |e_i|: <= 2 eps n + eps M / w bins,
    M the larger of |lo|, |hi|) and by fastdiv's one multiplication (2 eps n
    bins); 16 eps (n + M / w) bounds them all with room to spare."""
    w = (hi - lo) / n
    if not w > 0.0:
        return 1.0, 0
    M = max(abs(lo), abs(hi))
    delta = 16.0 * eps * (n + M / w) + 64.0 * eps
    return delta, int(delta < 0.25 and n < 2**31 - 1)


def _eps(*dtypes: np.dtype[Any]) -> float:
    return 2.0**-24 if any(d == _F32 for d in dtypes) else 2.0**-53


def _threshold(X: np.dtype[Any], edge: Any, upper: bool) -> float:
    """The smallest value v of dtype X with ``v >= edge`` as NumPy compares
    an array of X with ``edge`` (upper: the largest with ``v <= edge``)."""
    c = np.asarray(edge).astype(X)
    inf = X.type(np.inf)

    def ok(v: Any) -> bool:
        a = np.array([v], dtype=X)
        return bool((a <= edge)[0] if upper else (a >= edge)[0])

    step = -inf if not upper else inf  # towards the side that may still pass
    for _ in range(4):
        nxt = np.nextafter(c, step)
        if ok(nxt):
            c = nxt
        else:
            break
    while not ok(c):
        c = np.nextafter(c, -step)
    return float(c)


def _numpy_uniform(
    X: np.dtype[Any], first: Any, last: Any, edges: npt.NDArray[Any]
) -> dict[str, Any]:
    """The plan of numpy.histogram's equal bins: NumPy's dtypes and constants
    read off NumPy itself (so any promotion of the range's scalars is
    NumPy's), for ``_binning.place``, and the fast path's constants."""
    n = edges.shape[0] - 1
    B = edges.dtype
    # d = x - first in the dtype numpy.subtract picks for an array of B
    d = np.zeros(1, dtype=B) - first
    T1 = d.dtype
    first1 = -float(d[0])
    # numpy's norm_denom (_unsigned_subtract of two floats), then q = d / it
    denom = np.subtract(last, first, dtype=np.result_type(last, first))
    T2 = (np.zeros(1, dtype=T1) / denom).dtype
    if (np.zeros(1, dtype=T2) * n).dtype != T2 or any(t not in (_F32, _F64) for t in (B, T1, T2)):
        raise TypeError(f"'range' must hold float32 or float64 numbers; got {first!r}, {last!r}.")
    denom2 = float(np.asarray(denom).astype(T2))
    lo = _threshold(X, first, upper=False)
    hi = _threshold(X, last, upper=True)
    e0, en = float(edges[0]), float(edges[-1])
    # (every dtype NumPy rounds in counts: a float32 range makes a float32
    # denominator even for float64 data)
    delta, fast = _fast(n, e0, en, _eps(X, B, T1, T2, np.asarray(denom).dtype))
    return dict(
        mode=_k.Mode.NUMPY_UNIFORM,
        nb=n,
        lo=lo,
        hi=hi,
        first=first1,  # also the first step of NumPy's formula (_binning.place)
        scale=n / denom2,
        delta=delta,
        fast=fast,
        denom=denom2,
        r1=int(T1 == _F32),
        r2=int(T2 == _F32),
    )


def _cells(edges: npt.NDArray[Any], size: int) -> dict[str, Any]:
    """The cell table of explicit edges (fd_core.h, fd_hist_axis), or {}.

    G equal cells over [e_0, e_n]: a value v inside whose index
    ``trunc((v - e_0) gscale)`` comes out as c (G - 1 at most) lies in the
    cell widened by 1/64 of a cell and an ulp each side (the index is off by
    under 1e-9 cells), whose left end lies in bin ``cbin[c]``; ``cedge[c]``
    is the one interior edge inside that window (+inf if none), so one
    compare places v, or NaN where the window holds more (the kernel then
    searches up from ``cbin[c]``).  8 cells per bin (2^20 at most), doubled
    while a window holds two edges up to CELLS_MAX cells: a table that
    stays in the first-level cache beats one with no crowded cells.  Small
    samples (``size``) get no table: building it would cost more."""
    n = edges.shape[0] - 1
    e = edges.astype(np.float64)
    span = float(e[-1] - e[0])
    if not (span > 0.0 and math.isfinite(span)) or n >= 2**31 - 1 or size < 8 * n:
        return {}
    inner = e[1:-1]
    G = min(max(8 * n, 64), 2**20)
    margin = 1.0 / 64.0
    while True:
        gs = G / span
        if not math.isfinite(gs):
            return {}
        c = np.arange(G, dtype=np.float64)
        left = np.nextafter(e[0] + (c - margin) / gs, -np.inf)
        right = np.nextafter(e[0] + (c + 1.0 + margin) / gs, np.inf)
        right[-1] = np.inf  # the last cell takes every index clamped to it
        below = np.searchsorted(inner, left, side="right")
        inside = np.searchsorted(inner, right, side="right") - below
        if inside.max(initial=0) <= 1 or 2 * G > CELLS_MAX:
            break
        G *= 2
    cedge = np.where(inside == 0, np.inf, np.nan)
    one = inside == 1
    cedge[one] = inner[below[one]]
    return dict(cbin=below.astype(np.int32), cedge=cedge, gscale=gs)


def _by_edges(edges: npt.NDArray[Any], uniform: bool, size: int) -> dict[str, Any]:
    """The plan of explicit edges (bin i: e_i <= v < e_i+1, the last closed)
    for ``size`` samples; ``uniform``: NumPy made them with linspace, so
    positions place values far from an edge."""
    n = edges.shape[0] - 1
    e0, en = float(edges[0]), float(edges[-1])
    delta, fast = _fast(n, e0, en, _eps(edges.dtype)) if uniform else (1.0, 0)
    return dict(
        _cells(edges, size),
        mode=_k.Mode.EDGES,
        nb=n,
        lo=e0,
        hi=en,
        first=e0,
        scale=n / (en - e0) if fast else 0.0,
        delta=delta,
        fast=fast,
    )


def _rule_samples(x: object, xa: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The samples as NumPy sees them: integers stay integers (NumPy's rules
    widen a bin below 1 to 1 for them, and its edges take their dtype into
    account), others as converted."""
    raw = np.asarray(x)
    return raw if raw.dtype.kind in "iu" and raw.shape == xa.shape else xa


def _bin_edges(
    xa: npt.NDArray[np.floating[Any]],
    bins: object,
    rng: object,
    weighted: bool,
    name: str = "x",
    raw: npt.NDArray[Any] | None = None,
) -> tuple[npt.NDArray[Any], dict[str, Any]]:
    """numpy.histogram's edges for the samples xa (``raw``: the samples as
    given, whose dtype NumPy's edges follow, and which a rule reads), and
    the plan of its pass."""
    if isinstance(bins, str):
        if bins not in RULES:
            listed = ", ".join(repr(r) for r in RULES)
            raise ValueError(f"'bins' must be {_BINS_RULE} ({listed}); got {bins!r}.")
        if weighted:
            raise TypeError(
                f"'bins' cannot be a rule name with 'weights' (as in NumPy); got {bins!r}."
            )
        pair = _range_pair(rng)
        if pair is None:
            first, last = _data_range(xa, name)
        else:
            # (NumPy's rules read only the samples inside the range; the
            # counting pass finds a NaN or infinity anywhere)
            first, last = pair
        edges = _numpy_edges((xa if raw is None else raw).ravel(), bins, pair)
        first, last = _outer(first, last)
        return edges, _numpy_uniform(xa.dtype, first, last, edges)
    n = _count(bins)
    if n is None:
        if isinstance(bins, (numbers.Number, np.generic)):
            raise TypeError(f"'bins' must be {_BINS_RULE}; got {shown(bins)}.")
        edges = _edge_array(bins)
        _range_pair(rng)  # checked, then ignored (as NumPy does with edges)
        return edges, _by_edges(edges, uniform=False, size=xa.size)
    pair = _range_pair(rng)
    first, last = _data_range(xa, name) if pair is None else pair
    # the dtype NumPy's edges take from the samples: theirs as given
    edges = _numpy_edges(np.empty(0, dtype=(xa if raw is None else raw).dtype), n, (first, last))
    first, last = _outer(first, last)
    return edges, _numpy_uniform(xa.dtype, first, last, edges)


def _numpy_edges(a: npt.NDArray[Any], bins: object, rng: object) -> npt.NDArray[Any]:
    """numpy.histogram_bin_edges, its errors restated for 'bins'."""
    try:
        return np.histogram_bin_edges(a, bins, rng)  # type: ignore[arg-type]
    except ValueError as e:
        raise ValueError(f"'bins' cannot make these edges: {e}") from None


def _check(status: int, names: tuple[str, ...]) -> None:
    """The ValueError of a kernel status (bit i: input names[i] not finite)."""
    for i, name in enumerate(names):
        if status >> i & 1:
            raise _not_finite(name)


def _as_f64(e: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    return np.ascontiguousarray(e, dtype=np.float64)


# ---- histograms --------------------------------------------------------------------


def histogram(
    x: npt.ArrayLike,
    bins: int | str | npt.ArrayLike = 10,
    range: tuple[float, float] | None = None,
    *,
    weights: npt.ArrayLike | None = None,
    density: bool = False,
    axis: int | None = None,
    n_threads: int | None = None,
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Histogram of samples, as ``numpy.histogram``; or one per slice.

    Parameters
    ----------
    x : array_like
        Samples, read flat in C order (``axis=None``), or slices along
        ``axis``. float32 and float64 are read in place (any strides or
        byte order); integers and bools are converted to float64.
    bins : int, str or array_like, default 10
        The number of equal bins; a rule of ``numpy.histogram_bin_edges``
        (``"auto"``, ``"fd"``, ``"sturges"``, ``"doane"``, ``"scott"``,
        ``"rice"``, ``"sqrt"``, ``"stone"``), applied to all of ``x``; or
        the edges themselves (never decreasing; equal neighbours make an
        empty bin).
    range : (float, float), optional
        The outer edges of equal bins; default ``(x.min(), x.max())``
        (widened by 1/2 each way when equal). Samples outside are not
        counted. Ignored with explicit edges, as in NumPy.
    weights : array_like, optional
        One weight per sample (the shape of ``x``), summed per bin in
        float64, in NumPy's order on equal bins (the same bits as NumPy for
        float64 weights).
    density : bool, default False
        Return ``counts / bin width / total`` (per slice with ``axis``), as
        NumPy does.
    axis : int, optional
        With an axis, one histogram per slice along it, all on the edges of
        all of ``x``: the bins axis takes the place of ``axis`` in
        ``counts`` (``x`` of shape ``(B, n)`` and ``axis=-1`` give
        ``(B, nbins)``, ready for ``fastdiv.kl_divergence``).
    n_threads : int, optional
        Threads for this call (``None``: the package setting; ``-1``: all
        cores). The result does not depend on it.

    Returns
    -------
    counts : ndarray
        int64 counts; float64 with ``weights`` or ``density``.
    edges : ndarray
        The ``nbins + 1`` edges, exactly NumPy's (its dtype too).

    Raises
    ------
    ValueError
        ``x`` empty or holding NaN or infinity (also with ``range``, where
        NumPy drops NaN silently); ``bins`` not positive, an unknown rule
        or edges that decrease, are not 1-D of at least 2, or are not
        finite; ``range`` with min > max or not finite; ``weights`` of
        another shape or not finite; ``density=True`` where no sample lies
        in the range; ``axis`` out of range.
    TypeError
        ``x`` or ``weights`` not real numbers; ``bins`` or ``range`` of the
        wrong kind; a rule with ``weights``.

    Notes
    -----
    Every sample is placed in the bin NumPy places it in, the values on an
    edge included (see the module docstring); on explicit edges bin ``i``
    holds ``edges[i] <= v < edges[i+1]``, the last bin also its right
    edge.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdiv import hist
    >>> counts, edges = hist.histogram([0.0, 0.5, 1.0, 1.0], bins=2, range=(0, 1))
    >>> counts
    array([1, 3])
    >>> X = np.array([[0.1, 0.2, 0.9], [0.6, 0.7, 0.8]])
    >>> hist.histogram(X, bins=2, range=(0, 1), axis=1)[0]
    array([[2, 1],
           [0, 3]])
    """
    xa = _samples(x, "x")
    density = check_bool(density, "density")
    nt = resolve_threads(n_threads)
    w = None if weights is None else _weights(weights, xa.shape)
    edges, plan = _bin_edges(xa, bins, range, w is not None, raw=_rule_samples(x, xa))
    if axis is None:
        view, wview = _flat(xa, w)
        counts, status = _k.histogram(view, plan, _as_f64(edges), weights=wview, nthreads=nt)
        _check(status, ("x", "weights"))
        if density:
            counts = _density(counts, edges, "x")
        return counts, edges
    ax = normalize_axis(axis, xa.ndim)
    view = np.moveaxis(xa, ax, -1)
    wview = None if w is None else np.moveaxis(w, ax, -1)
    counts, status = _k.histogram(
        view, plan, _as_f64(edges), weights=wview, batch=True, nthreads=nt
    )
    _check(status, ("x", "weights"))
    if density:
        counts = _density(counts, edges, "x")
    counts = counts.reshape(view.shape[:-1] + (counts.shape[-1],))
    return np.ascontiguousarray(np.moveaxis(counts, -1, ax)), edges


def _density(counts: npt.NDArray[Any], edges: npt.NDArray[Any], name: str) -> npt.NDArray[Any]:
    """NumPy's density, n / db / n.sum(), per row of counts."""
    db = np.array(np.diff(edges), float)
    total = counts.sum(axis=-1, keepdims=True)
    if np.any(total == 0):
        raise ValueError(
            f"{name!r} has no sample inside the range: the density is undefined "
            f"(NumPy would return NaN)."
        )
    return counts / db / total


def _axis_2d(
    a: npt.NDArray[np.floating[Any]], common: np.dtype[Any], bins: object, rng: object, name: str
) -> tuple[npt.NDArray[Any], dict[str, Any]]:
    """One axis of numpy.histogramdd: its edges and the plan (by edges)."""
    n = _count(bins)
    if n is None:
        if isinstance(bins, (numbers.Number, np.generic)):
            raise TypeError(f"'bins' must be {_BINS_RULE}; got {shown(bins)}.")
        edges = _edge_array(bins)
        return edges, _by_edges(edges, uniform=False, size=a.size)
    pair = _range_pair(rng)
    if pair is None:
        lo, hi = _data_range(a, name)
        pair = (common.type(lo), common.type(hi))
    first, last = _outer(*pair)
    edges = np.linspace(first, last, n + 1)
    return edges, _by_edges(edges, uniform=True, size=a.size)


def _pair_samples(x: object, y: object, flat: bool) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """x and y as 1-D samples of one length: as numpy.histogram2d takes
    them, or (flat) read flat whatever their shapes."""
    xa = _samples(x, "x")
    ya = _samples(y, "y")
    if flat:
        xa, ya = xa.ravel(), ya.ravel()
    for a, name in ((xa, "x"), (ya, "y")):
        if a.ndim != 1:
            raise ValueError(f"{name!r} must be 1-D samples; got shape {a.shape}.")
    if xa.shape != ya.shape:
        raise ValueError(
            f"'x' and 'y' must have the same number of samples; got {xa.shape[0]} and "
            f"{ya.shape[0]}."
        )
    return xa, ya


def _bins_2d(bins: object) -> tuple[object, object]:
    """numpy.histogram2d's reading of bins: one spec for both axes, or a pair."""
    if isinstance(bins, str):
        raise TypeError(f"'bins' must be an integer, edges or a pair of them; got {bins!r}.")
    try:
        N = len(bins)  # type: ignore[arg-type]
    except TypeError:
        N = 1
    if N == 2:
        bx: Any
        by: Any
        bx, by = bins  # type: ignore[misc]
        return bx, by
    if N != 1:
        return bins, bins
    return bins, bins


def _ranges_2d(rng: object) -> tuple[object, object]:
    if rng is None:
        return None, None
    rx: Any
    ry: Any
    try:
        rx, ry = rng  # type: ignore[misc]
    except (TypeError, ValueError):
        raise TypeError(
            f"'range' must be None or [[xmin, xmax], [ymin, ymax]]; got {shown(rng)}."
        ) from None
    return rx, ry


def _counts_2d(
    x: object, y: object, bins: object, rng: object, weights: object, nt: int, flat: bool = False
) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]:
    xa, ya = _pair_samples(x, y, flat)
    w = None if weights is None else _weights(weights, xa.shape)
    common = np.result_type(xa.dtype, ya.dtype)
    bx, by = _bins_2d(bins)
    rx, ry = _ranges_2d(rng)
    ex, px = _axis_2d(xa, common, bx, rx, "x")
    ey, py = _axis_2d(ya, common, by, ry, "y")
    counts, status = _k.histogram2d(
        xa, ya, px, py, _as_f64(ex), _as_f64(ey), weights=w, nthreads=nt
    )
    _check(status, ("x", "y", "weights"))
    return counts, ex, ey


def histogram2d(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    bins: Any = 10,
    range: Any = None,
    *,
    weights: npt.ArrayLike | None = None,
    density: bool = False,
    n_threads: int | None = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[Any], npt.NDArray[Any]]:
    """Two-dimensional histogram of the pairs ``(x[i], y[i])``, as
    ``numpy.histogram2d``.

    Parameters
    ----------
    x, y : array_like
        The coordinates: 1-D, one sample per pair, of equal lengths.
    bins : int, array_like or [int or array_like, int or array_like], default 10
        Equal bins per axis (over ``range``, default the data's), explicit
        edges for both axes, or one of either per axis.
    range : [[xmin, xmax], [ymin, ymax]], optional
        The outer edges of equal bins per axis (an axis's entry may be
        None); pairs outside are not counted.
    weights : array_like, optional
        One weight per pair, summed per cell in pair order (NumPy's bits).
    density : bool, default False
        Counts divided by the cell areas and the total, as NumPy does.
    n_threads : int, optional
        Threads for this call; the result does not depend on it.

    Returns
    -------
    counts : ndarray of float64, shape (nx, ny)
        As NumPy, float64 even without weights.
    xedges, yedges : ndarray
        The edges of each axis (NumPy's).

    Raises
    ------
    ValueError
        ``x`` or ``y`` empty, of different sizes, or holding NaN or
        infinity; bad ``bins``, ``range``, ``weights`` (as ``histogram``);
        ``density=True`` with no pair in the range.
    TypeError
        Samples or weights not real numbers; ``bins``/``range`` of the
        wrong kind.

    Examples
    --------
    >>> from fastdiv import hist
    >>> counts, xe, ye = hist.histogram2d([0.1, 0.6, 0.7], [0.2, 0.9, 0.8], bins=2,
    ...                                   range=[[0, 1], [0, 1]])
    >>> counts
    array([[1., 0.],
           [0., 2.]])
    """
    density = check_bool(density, "density")
    counts, ex, ey = _counts_2d(x, y, bins, range, weights, resolve_threads(n_threads))
    hist = counts.astype(np.float64)
    if density:
        s = hist.sum()
        if s == 0:
            raise ValueError(
                "'x' and 'y' have no pair inside the range: the density is undefined "
                "(NumPy would return NaN)."
            )
        hist = hist / np.diff(ex).reshape(-1, 1)
        hist = hist / np.diff(ey).reshape(1, -1)
        hist /= s
    return hist, ex, ey


# ---- plug-in estimates --------------------------------------------------------------


def _plogp_sum(c: npt.NDArray[Any], scale: npt.NDArray[Any] | float, n: int) -> float:
    """sum over c > 0 of (c / n) log(scale n / c): fsum of the terms, each a
    count times one log of a ratio."""
    m = c > 0
    cc = c[m].astype(np.float64)
    s = scale[m] if isinstance(scale, np.ndarray) else scale
    return math.fsum((cc * np.log((s * n) / cc)).tolist()) / n


def entropy(
    x: npt.ArrayLike,
    bins: int | str | npt.ArrayLike = 10,
    range: tuple[float, float] | None = None,
    *,
    base: float | None = None,
    correction: str | None = None,
    n_threads: int | None = None,
) -> np.float64:
    """Plug-in estimate of the differential entropy of ``x`` from its
    histogram: ``-sum p_i log(p_i / w_i)`` over the occupied bins.

    ``p_i = c_i / n`` are the fractions of the ``n`` samples inside the
    range and ``w_i`` the bin widths, so the value estimates the same
    quantity as ``fastdiv.knn.entropy`` (it is not the entropy of the
    counts). ``bins`` and ``range`` as in ``histogram``; ``base`` of the
    log (default e); ``correction="miller-madow"`` adds ``(m - 1) / (2 n)``
    nats, ``m`` the occupied bins.

    Raises
    ------
    ValueError
        As ``histogram``; no sample inside the range.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdiv import hist
    >>> x = np.random.default_rng(0).uniform(0, 2, 100_000)
    >>> round(float(hist.entropy(x, bins=20)), 2)  # log 2
    0.69
    """
    scale = base_scale(base)
    mm = check_correction(correction)
    counts, edges = histogram(x, bins, range, n_threads=n_threads)
    n = int(counts.sum())
    if n == 0:
        raise ValueError("'x' has no sample inside the range: the estimate is undefined.")
    h = _plogp_sum(counts, np.diff(edges).astype(np.float64), n)
    if mm:
        h += (int(np.count_nonzero(counts)) - 1) / (2.0 * n)
    return np.float64(h * scale)


def mutual_information(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    bins: Any = 10,
    range: Any = None,
    *,
    base: float | None = None,
    correction: str | None = None,
    n_threads: int | None = None,
) -> np.float64:
    """Plug-in estimate of I(X; Y) from the 2-D histogram of the pairs.

    The counts are ``histogram2d(x, y, bins, range)``'s (edges per axis, as
    ``numpy.histogram2d``); the value is ``sum p_ij log(p_ij / (p_i p_j))``
    over the occupied cells, never negative. ``correction="miller-madow"``
    adds ``(m_x + m_y - m_xy - 1) / (2 n)`` nats (occupied bins of each
    margin and cells of the table; the corrected value is not clamped).

    Raises
    ------
    ValueError
        As ``histogram2d``; no pair inside the range.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdiv import hist
    >>> x = np.repeat([0.0, 1.0], 50)  # two halves: I(X; X) = log 2
    >>> round(float(hist.mutual_information(x, x, bins=2)), 6)
    0.693147
    """
    scale = base_scale(base)
    mm = check_correction(correction)
    counts, _, _ = _counts_2d(x, y, bins, range, None, resolve_threads(n_threads), flat=True)
    n = int(counts.sum())
    if n == 0:
        raise ValueError("'x' and 'y' have no pair inside the range: the estimate is undefined.")
    a = counts.sum(axis=1)
    b = counts.sum(axis=0)
    nz = counts > 0
    c = counts[nz].astype(np.float64)
    ab = np.multiply.outer(a.astype(np.float64), b.astype(np.float64))[nz]
    mi = math.fsum((c * np.log((c * n) / ab)).tolist()) / n
    mi = max(mi, 0.0)
    if mm:
        mx, my, mxy = (int(np.count_nonzero(v)) for v in (a, b, counts))
        mi += (mx + my - mxy - 1) / (2.0 * n)
    return np.float64(mi * scale)


def _shared(
    x: object, y: object, bins: object, rng: object, nt: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The counts of x and of y on the edges of the pooled sample."""
    xa = _samples(x, "x")
    ya = _samples(y, "y")
    common = np.result_type(xa.dtype, ya.dtype)
    if isinstance(bins, str) and bins in RULES:
        for a, name in ((xa, "x"), (ya, "y")):
            if not np.isfinite(a).all():
                raise _not_finite(name)
        pooled = np.concatenate([_rule_samples(x, xa).ravel(), _rule_samples(y, ya).ravel()])
        edges = _numpy_edges(pooled, bins, _range_pair(rng))
        plan = _by_edges(edges, uniform=True, size=xa.size + ya.size)
    elif isinstance(bins, str) or _count(bins) is None:
        edges, plan = _bin_edges(xa, bins, rng, False)
    else:
        pair = _range_pair(rng)
        if pair is None:
            lx, hx = _data_range(xa, "x")
            ly, hy = _data_range(ya, "y")
            pair = (min(common.type(lx), common.type(ly)), max(common.type(hx), common.type(hy)))
        edges = _numpy_edges(np.empty(0, dtype=common), bins, pair)
        plan = _by_edges(edges, uniform=True, size=xa.size + ya.size)
    e64 = _as_f64(edges)
    out = []
    for a, name in ((xa, "x"), (ya, "y")):
        c, status = _k.histogram(_flat(a, None)[0], plan, e64, nthreads=nt)
        _check(status, (name,))
        if c.sum() == 0:
            raise ValueError(f"{name!r} has no sample inside the range: the estimate is undefined.")
        out.append(c)
    return out[0], out[1]


def kl_divergence(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    bins: int | str | npt.ArrayLike = 10,
    range: tuple[float, float] | None = None,
    *,
    base: float | None = None,
    n_threads: int | None = None,
) -> np.float64:
    """Plug-in estimate of D(P || Q) from samples ``x ~ P`` and ``y ~ Q``
    counted on shared edges.

    The edges are those of the pooled sample,
    ``numpy.histogram_bin_edges(numpy.concatenate([x, y]), bins, range)``
    (explicit edges as given); each sample is counted on them as
    ``numpy.histogram(x, bins=edges)`` would. The value is
    ``sum p_i log(p_i / q_i)`` of the two normalized histograms: ``+inf``
    where some bin holds samples of ``x`` and none of ``y``. To smooth,
    count with ``histogram`` and add a pseudo-count before calling
    ``fastdiv.kl_divergence``.

    Raises
    ------
    ValueError
        As ``histogram``; no sample of ``x`` (or ``y``) inside the range.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdiv import hist
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=100_000), rng.normal(size=100_000)
    >>> float(hist.kl_divergence(x, y, bins=20)) < 0.01
    True
    """
    nt = resolve_threads(n_threads)
    base_scale(base)
    cx, cy = _shared(x, y, bins, range, nt)
    return _kl_divergence(cx, cy, base=base, n_threads=nt)  # type: ignore[return-value]


def js_divergence(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    bins: int | str | npt.ArrayLike = 10,
    range: tuple[float, float] | None = None,
    *,
    base: float | None = None,
    n_threads: int | None = None,
) -> np.float64:
    """Plug-in estimate of the Jensen-Shannon divergence of the laws of
    ``x`` and ``y``, from their histograms on shared edges (as
    ``kl_divergence``); finite, in ``[0, log 2]`` (``[0, 1]`` with
    ``base=2``).

    Raises
    ------
    ValueError
        As ``histogram``; no sample of ``x`` (or ``y``) inside the range.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdiv import hist
    >>> float(hist.js_divergence([0.0, 0.1], [5.0, 5.1], bins=2, base=2))
    1.0
    """
    nt = resolve_threads(n_threads)
    base_scale(base)
    cx, cy = _shared(x, y, bins, range, nt)
    return _js_divergence(cx, cy, base=base, n_threads=nt)  # type: ignore[return-value]
