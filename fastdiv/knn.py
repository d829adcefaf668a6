"""Estimators from continuous samples by nearest neighbours.

``entropy`` (Kozachenko-Leonenko), ``mutual_information`` (Kraskov-Stoegbauer-
Grassberger, algorithms 1 and 2; Ross 2014 for a discrete ``y``),
``conditional_mutual_information`` (Frenzel-Pompe), ``kl_divergence``
(Wang-Kulkarni-Verdu) and ``mutual_information_features`` (one KSG estimate
per column).  The neighbour searches run in ``fastdiv._knn`` (k-d trees,
sorted arrays for one-dimensional counts, a grid of the marginals' ranks for
a pair of one-dimensional variables), threaded over the query points.

Samples.  ``(n,)`` or ``(n, d)``: one row per sample; ``(B, n, d)``: a
batch of ``B`` independent sample sets (paired arguments batch together),
giving ``B`` estimates.  float32 and float64 are read as given (any
strides, either byte order); integers and bools become float64.  Distances
are formed in float64 from the coordinates' differences, Euclidean
(``metric="euclidean"``) or the max-norm (``"chebyshev"``); the joint space
of several variables is their concatenation, with the max-norm.

The estimates, with psi the digamma function, ``eps_i`` the distance from
point i to its k-th neighbour (the rule below) and all counts over the
other points ``j != i``:

* ``entropy``: ``psi(n) - psi(k) + log V_d + (d / n) sum_i log eps_i``, V_d
  the volume of the unit ball (``pi^(d/2) / Gamma(d/2 + 1)`` Euclidean,
  ``2^d`` max-norm).
* ``mutual_information``, algorithm 1: ``psi(k) + psi(n) - mean_i[psi(nx_i
  + 1) + psi(ny_i + 1)]``, eps_i in the joint space, ``nx_i`` the points with
  ``|x_j - x_i| < eps_i`` (strictly; max-norm in x); algorithm 2:
  ``psi(k) - 1/k + psi(n) - mean_i[psi(nx_i) + psi(ny_i)]``, ``nx_i`` the
  points with ``|x_j - x_i| <= ex_i``, ex_i the largest x-distance among the
  k neighbours (points tied at the k-th joint distance are taken in order of
  their x-distance, the smallest first; the same for y).
* ``y_discrete=True`` (Ross): per class c of size ``N_c``, ``k_c = min(k,
  N_c - 1)``; a point alone in its class is left out (n, N_c and every count
  are over the points kept); ``psi(n) + mean_i psi(k_i) - mean_i psi(N_ci)
  - mean_i psi(m_i)``, eps_i the distance (max-norm in x) to the k_i-th
  neighbour within the class, ``m_i`` the points of any class with
  ``|x_j - x_i| <= eps_i``.
* ``conditional_mutual_information``: ``psi(k) - mean_i[psi(nxz_i + 1) +
  psi(nyz_i + 1) - psi(nz_i + 1)]``, eps_i in the space (x, y, z), the counts
  strictly inside eps_i in (x, z), (y, z) and z.
* ``kl_divergence``: ``(d / n) sum_i log(nu_i / rho_i) + log(m / (n - 1))``,
  rho_i the k-th neighbour distance of x_i among x, nu_i that among the m
  points of y (Euclidean unless ``metric`` says otherwise).

Results are divided by ``log(base)``; none is clipped (an estimate of a
quantity near 0 may be slightly negative, as the estimators are).

Duplicates and ties.  The neighbours of a point are the points at a
positive distance from it: its exact copies (in the space searched) are
skipped, so eps_i > 0 and every log is finite; ties at the k-th distance do
not change eps_i.  The counts (nx, m, ...) count every point inside their
radius, copies included.  No random noise is added.  A space searched for
neighbours with fewer than ``k + 1`` distinct points (where some point could
have no k neighbours at a positive distance) raises ``ValueError``, as does
``k >= n``; with ``y_discrete=True``, a class of at least two members needs
``k_c + 1`` distinct points.  The results depend on the order of the rows
only through the rounding of the final sums, and not on the thread count.

``standardize=True`` (``mutual_information``, its ``_features``,
``conditional_mutual_information`` and ``kl_divergence``) rescales each
column to zero mean and unit standard deviation (ddof=0; a constant column
is only centred) before the search, set by set in a batch; for
``kl_divergence`` both samples by their pooled statistics (the divergence is
invariant under a map applied to both).  Off by default.  The max-norm of a
joint space weighs each variable by its scale, so variables of very
different scales are better standardized; ``entropy`` has no such option
(rescaling shifts an entropy by the log of the scale).
"""

from __future__ import annotations

import numbers
import operator
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _knn as _k
from ._threads import resolve_threads
from ._validation import as_labels, as_real_array, base_scale, check_bool, check_choice

__all__ = [
    "entropy",
    "mutual_information",
    "conditional_mutual_information",
    "kl_divergence",
    "mutual_information_features",
]

_METRICS = ("euclidean", "chebyshev")
_METRIC_CODE = {"euclidean": _k.Metric.EUCLIDEAN, "chebyshev": _k.Metric.CHEBYSHEV}

# One variable of a call: its samples as (B, n, d), its argument number in
# the kernels' status (0 x, 1 y, 2 z) and its standardization (or None).
_Var = tuple[npt.NDArray[np.floating[Any]], int, Any]


def _samples(x: npt.ArrayLike, name: str) -> tuple[npt.NDArray[np.floating[Any]], bool]:
    """x as a (B, n, d) view (no copy) and whether it was a batch."""
    a = as_real_array(x, name)
    if a.ndim == 1:
        v = a[None, :, None]
    elif a.ndim == 2:
        v = a[None]
    elif a.ndim == 3:
        v = a
    else:
        raise ValueError(
            f"{name!r} must be (n,) or (n, d) samples, or a (B, n, d) batch of sample sets; "
            f"got {a.ndim} dimensions."
        )
    if v.shape[1] == 0:
        raise ValueError(f"{name!r} must hold at least one sample; got none.")
    if v.shape[2] == 0:
        raise ValueError(f"{name!r} must have at least one column; got none.")
    if v.shape[0] == 0:
        raise ValueError(f"{name!r} must hold at least one sample set; got an empty batch.")
    return v, a.ndim == 3


def _k_value(k: object, n: int, name: str = "'x'") -> int:
    if isinstance(k, (bool, np.bool_)):
        raise TypeError(f"'k' must be an integer; got {k!r}.")
    try:
        kk = operator.index(k)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"'k' must be an integer; got {k!r}.") from None
    if kk < 1:
        raise ValueError(f"'k' must be at least 1; got {kk}.")
    if kk >= n:
        raise ValueError(f"'k' must be less than the number of samples of {name} ({n}); got {kk}.")
    return kk


def _paired(
    vars_: list[tuple[npt.NDArray[Any], bool]], names: tuple[str, ...], same_n: bool = True
) -> bool:
    """Check that the variables batch together (all or none a batch, the same
    B, and the same n where same_n); returns whether they are a batch."""
    batch = {b for _, b in vars_}
    if len(batch) > 1:
        listed = ", ".join(f"{nm!r} {v.ndim if b else '<3'}-D" for (v, b), nm in zip(vars_, names))
        raise ValueError(
            f"{' and '.join(repr(nm) for nm in names)} must all be batches (B, n, d) or all "
            f"not; got {listed}."
        )
    first, name0 = vars_[0][0], names[0]
    for (v, _), nm in zip(vars_[1:], names[1:]):
        if v.shape[0] != first.shape[0]:
            raise ValueError(
                f"{name0!r} and {nm!r} must hold the same number of sample sets; "
                f"got {first.shape[0]} and {v.shape[0]}."
            )
        if same_n and v.shape[1] != first.shape[1]:
            raise ValueError(
                f"{name0!r} and {nm!r} must have the same number of samples; "
                f"got {first.shape[1]} and {v.shape[1]}."
            )
    return batch.pop()


def _stats(*sets: npt.NDArray[Any]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Per set and column: the mean and the standard deviation (ddof=0, 1
    for a constant column) of the sets' rows pooled, (B, d) each.  Computed
    over the set, one column at a time (no copy of the whole input)."""
    B, d = sets[0].shape[0], sets[0].shape[2]
    mean = np.empty((B, d))
    std = np.empty((B, d))
    for b in range(B):
        for c in range(d):
            col = np.concatenate([s[b, :, c] for s in sets]).astype(np.float64)
            mu = col.mean()
            sd = col.std()
            if not np.isfinite(sd):
                mu, sd = 0.0, 1.0  # NaN/inf: the kernel names the argument
            mean[b, c] = mu
            std[b, c] = sd if sd > 0.0 else 1.0
    return mean, std


def _var(v: npt.NDArray[Any], arg: int, standardize: bool, *pool: npt.NDArray[Any]) -> _Var:
    return (v, arg, _stats(v, *pool) if standardize else None)


_NAMES = ("x", "y", "z")


def _finish(
    out: tuple[npt.NDArray[np.float64], npt.NDArray[np.int32], npt.NDArray[np.int32]],
    batch: bool,
    scale: float,
    k: int,
    searched: str,
    names: tuple[str, ...] = _NAMES,
    unit: str = "sample set",
) -> Any:
    """The estimates (scaled to the base), or the error of the first set
    that failed (``unit`` b: the set, or X's column b, where the argument
    at fault is batched)."""
    values, status, bad = out
    failed = np.flatnonzero(status)
    if failed.size:
        b = int(failed[0])
        st = int(status[b])
        name = names[bad[b]] if bad[b] >= 0 else None
        batched = batch and (unit == "sample set" or bad[b] <= 0)
        where = f" ({unit} {b})" if batched else ""
        if st == _k.Status.NOT_FINITE:
            raise ValueError(f"{name!r} must be finite; found NaN or infinity{where}.")
        if st == _k.Status.FEW_DISTINCT:
            what = repr(name) if name is not None else searched
            raise ValueError(
                f"{what} must hold at least k + 1 = {k + 1} distinct points{where}, so that "
                f"every point has k neighbours at a positive distance."
            )
        if st == _k.Status.CLASS_FEW_DISTINCT:
            raise ValueError(
                f"{names[0]!r} must hold, in each class of 'y' of N_c >= 2 samples, at least "
                f"min(k, N_c - 1) + 1 distinct points{where}; a class has fewer."
            )
        if st == _k.Status.NO_CLASS:
            raise ValueError(
                f"'y' must have a class with at least two samples{where}; every class has one."
            )
        raise MemoryError("fastdiv.knn: out of memory for the neighbour search.")
    values = values * scale
    return values if batch else values[0]


def _metric(metric: object) -> int:
    return int(_METRIC_CODE[check_choice(metric, "metric", _METRICS)])


def _algorithm(algorithm: object) -> int:
    if isinstance(algorithm, (bool, np.bool_)) or not isinstance(algorithm, numbers.Integral):
        raise TypeError(f"'algorithm' must be 1 or 2; got {algorithm!r}.")
    if algorithm not in (1, 2):
        raise ValueError(f"'algorithm' must be 1 or 2; got {algorithm!r}.")
    return int(algorithm)


def entropy(
    x: npt.ArrayLike,
    k: int = 3,
    *,
    base: float | None = None,
    metric: str = "euclidean",
    n_threads: int | None = None,
) -> Any:
    """Kozachenko-Leonenko estimate of the differential entropy of samples.

    Parameters
    ----------
    x : array_like
        Samples ``(n,)`` or ``(n, d)``, or a batch ``(B, n, d)`` of sample sets.
    k : int, optional
        The neighbour whose distance is used (1 <= k < n).
    base : float, optional
        Logarithm base (default: nats).
    metric : {"euclidean", "chebyshev"}, optional
        The norm of the distances (the unit ball's volume follows it).
    n_threads : int, optional
        Threads (see ``fastdiv.set_num_threads``).

    Returns
    -------
    float64 or ndarray
        ``psi(n) - psi(k) + log V_d + (d / n) sum_i log eps_i`` (module
        docstring); one per set of a batch.

    Raises
    ------
    ValueError
        ``k >= n`` or ``k < 1``; fewer than ``k + 1`` distinct points; NaN or
        infinity; a shape other than 1-, 2- or 3-D.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdiv import knn
    >>> x = np.random.default_rng(0).standard_normal((20000, 2))
    >>> h = knn.entropy(x)        # the exact value is log(2 pi e) = 2.8379
    >>> bool(abs(h - np.log(2 * np.pi * np.e)) < 0.03)
    True
    """
    v, batch = _samples(x, "x")
    kk = _k_value(k, v.shape[1])
    scale = base_scale(base)
    code = _metric(metric)
    out = _k.entropy((v, 0, None), v.shape[1], kk, code, resolve_threads(n_threads))
    return _finish(out, batch, scale, kk, "'x'")


def mutual_information(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    k: int = 3,
    *,
    base: float | None = None,
    algorithm: int = 1,
    y_discrete: bool = False,
    standardize: bool = False,
    n_threads: int | None = None,
) -> Any:
    """Kraskov-Stoegbauer-Grassberger estimate of I(X; Y) from paired samples.

    Parameters
    ----------
    x, y : array_like
        Paired samples ``(n,)`` or ``(n, d)`` (dimensions may differ), or
        batches ``(B, n, d)``.  With ``y_discrete=True``, ``y`` holds class
        labels, ``(n,)`` (or ``(B, n)`` with a batch ``x``), of any dtype.
    k : int, optional
        Neighbours in the joint space (1 <= k < n).
    base : float, optional
        Logarithm base (default: nats).
    algorithm : {1, 2}, optional
        KSG's first (strict counts inside the joint radius) or second
        (counts inside each marginal's own radius) estimator.
    y_discrete : bool, optional
        Ross's estimator for a continuous ``x`` and a discrete ``y``
        (max-norm in ``x``; ``algorithm`` is not used).
    standardize : bool, optional
        Rescale each column to zero mean and unit variance first.
    n_threads : int, optional
        Threads (see ``fastdiv.set_num_threads``).

    Returns
    -------
    float64 or ndarray
        The estimate (not clipped at 0); one per set of a batch.

    Raises
    ------
    ValueError
        ``k >= n`` or ``k < 1``; fewer than ``k + 1`` distinct joint points;
        NaN or infinity; lengths or batches that differ; bad shapes.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdiv import knn
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(20000)
    >>> y = 0.6 * x + 0.8 * rng.standard_normal(20000)
    >>> i = knn.mutual_information(x, y)    # exact: -log(1 - 0.36) / 2 = 0.2231
    >>> bool(abs(i - 0.2231) < 0.02)
    True
    """
    ydisc = check_bool(y_discrete, "y_discrete")
    alg = _algorithm(algorithm)
    std = check_bool(standardize, "standardize")
    scale = base_scale(base)
    nt = resolve_threads(n_threads)
    vx, bx = _samples(x, "x")
    if ydisc:
        codes, ncls, by = _labels(y, vx, bx)
        kk = _k_value(k, vx.shape[1])
        out = _k.ross(_var(vx, 0, std), codes, ncls, vx.shape[1], kk, nt)
        return _finish(out, bx, scale, kk, "'x'")
    vy, by = _samples(y, "y")
    batch = _paired([(vx, bx), (vy, by)], ("x", "y"))
    kk = _k_value(k, vx.shape[1])
    out = _k.ksg(_var(vx, 0, std), _var(vy, 1, std), vx.shape[1], kk, alg, nt)
    return _finish(out, batch, scale, kk, "the joint samples (x, y)")


def _labels(
    y: object, vx: npt.NDArray[Any], batch: bool, xname: str = "x"
) -> tuple[npt.NDArray[np.int64], int, bool]:
    """Class labels for x's sets: codes (B, n) int64 in [0, ncls)."""
    ya = as_labels(y, "y")
    want = 2 if batch else 1
    if ya.ndim != want:
        raise ValueError(
            f"'y' must be {'a (B, n) batch of' if batch else 'a 1-D array of'} labels with "
            f"y_discrete=True; got {ya.ndim} dimensions."
        )
    yb = ya if batch else ya[None]
    if yb.shape != vx.shape[:2]:
        raise ValueError(
            f"{xname!r} and 'y' must have the same number of samples (and sets); got "
            f"{vx.shape[:2] if batch else vx.shape[1]} and "
            f"{yb.shape if batch else yb.shape[1]}."
        )
    try:
        _, inv = np.unique(yb.ravel(), return_inverse=True)
    except TypeError as e:
        raise TypeError(f"'y' holds labels that cannot be sorted: {e}") from None
    codes = np.ascontiguousarray(inv.reshape(yb.shape), dtype=np.int64)
    return codes, int(codes.max()) + 1, batch


def conditional_mutual_information(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    z: npt.ArrayLike,
    k: int = 3,
    *,
    base: float | None = None,
    standardize: bool = False,
    n_threads: int | None = None,
) -> Any:
    """Frenzel-Pompe estimate of I(X; Y | Z) from paired samples.

    Parameters
    ----------
    x, y, z : array_like
        Paired samples ``(n,)`` or ``(n, d)`` each, or batches ``(B, n, d)``.
    k : int, optional
        Neighbours in the joint space (1 <= k < n).
    base : float, optional
        Logarithm base (default: nats).
    standardize : bool, optional
        Rescale each column to zero mean and unit variance first.
    n_threads : int, optional
        Threads (see ``fastdiv.set_num_threads``).

    Returns
    -------
    float64 or ndarray
        ``psi(k) - mean_i[psi(nxz_i + 1) + psi(nyz_i + 1) - psi(nz_i + 1)]``
        (not clipped); one per set of a batch.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdiv import knn
    >>> rng = np.random.default_rng(1)
    >>> z = rng.standard_normal(5000)
    >>> x = z + rng.standard_normal(5000)
    >>> y = z + rng.standard_normal(5000)     # X and Y independent given Z
    >>> bool(abs(knn.conditional_mutual_information(x, y, z)) < 0.03)
    True
    """
    std = check_bool(standardize, "standardize")
    scale = base_scale(base)
    nt = resolve_threads(n_threads)
    vx, bx = _samples(x, "x")
    vy, by = _samples(y, "y")
    vz, bz = _samples(z, "z")
    batch = _paired([(vx, bx), (vy, by), (vz, bz)], ("x", "y", "z"))
    kk = _k_value(k, vx.shape[1])
    out = _k.cmi(_var(vx, 0, std), _var(vy, 1, std), _var(vz, 2, std), vx.shape[1], kk, nt)
    return _finish(out, batch, scale, kk, "the joint samples (x, y, z)")


def kl_divergence(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    k: int = 1,
    *,
    base: float | None = None,
    metric: str = "euclidean",
    standardize: bool = False,
    n_threads: int | None = None,
) -> Any:
    """Wang-Kulkarni-Verdu k-NN estimate of D(P || Q) from x ~ P and y ~ Q.

    Parameters
    ----------
    x, y : array_like
        Samples ``(n, d)`` and ``(m, d)`` (or ``(n,)``, ``(m,)``) of the same
        dimension; sizes may differ.  Batches ``(B, n, d)`` and ``(B, m, d)``.
    k : int, optional
        The neighbour used in both samples (k < n and k < m).
    base : float, optional
        Logarithm base (default: nats).
    metric : {"euclidean", "chebyshev"}, optional
        The norm of the distances.
    standardize : bool, optional
        Rescale each column of both samples by their pooled mean and
        standard deviation first.
    n_threads : int, optional
        Threads (see ``fastdiv.set_num_threads``).

    Returns
    -------
    float64 or ndarray
        ``(d / n) sum_i log(nu_i / rho_i) + log(m / (n - 1))`` (not clipped);
        one per set of a batch.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdiv import knn
    >>> rng = np.random.default_rng(2)
    >>> p = rng.standard_normal(20000)
    >>> q = rng.standard_normal(20000) + 1.0     # D(P || Q) = 0.5
    >>> bool(abs(knn.kl_divergence(p, q) - 0.5) < 0.05)
    True
    """
    std = check_bool(standardize, "standardize")
    scale = base_scale(base)
    code = _metric(metric)
    nt = resolve_threads(n_threads)
    vx, bx = _samples(x, "x")
    vy, by = _samples(y, "y")
    batch = _paired([(vx, bx), (vy, by)], ("x", "y"), same_n=False)
    if vx.shape[2] != vy.shape[2]:
        raise ValueError(
            f"'x' and 'y' must have the same dimension; got {vx.shape[2]} and {vy.shape[2]}."
        )
    n, m = vx.shape[1], vy.shape[1]
    kk = _k_value(k, n, "'x'")
    _k_value(kk, m, "'y'")
    if std:
        stats = _stats(vx, vy)
        xv: _Var = (vx, 0, stats)
        yv: _Var = (vy, 1, stats)
    else:
        xv, yv = (vx, 0, None), (vy, 1, None)
    out = _k.kl(xv, yv, n, m, kk, code, nt)
    return _finish(out, batch, scale, kk, "'x'")


def mutual_information_features(
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    k: int = 3,
    *,
    base: float | None = None,
    algorithm: int = 1,
    y_discrete: bool = False,
    standardize: bool = False,
    n_threads: int | None = None,
) -> npt.NDArray[np.float64]:
    """One KSG estimate per column of ``X`` against ``y``, in parallel.

    The job of ``sklearn.feature_selection.mutual_info_regression`` (and,
    with ``y_discrete=True``, of ``mutual_info_classif``): entry ``j`` equals
    ``mutual_information(X[:, j], y, k, ...)`` exactly (no clipping at 0, no
    noise).

    Parameters
    ----------
    X : array_like
        ``(n, m)``: n samples of m features.
    y : array_like
        ``(n,)`` or ``(n, d)`` samples, or ``(n,)`` labels with
        ``y_discrete=True``.
    k, base, algorithm, y_discrete, standardize, n_threads
        As for ``mutual_information``.

    Returns
    -------
    ndarray
        ``(m,)`` float64.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdiv import knn
    >>> rng = np.random.default_rng(3)
    >>> X = rng.standard_normal((2000, 3))
    >>> y = X[:, 0] + 0.1 * rng.standard_normal(2000)
    >>> mi = knn.mutual_information_features(X, y)
    >>> bool(mi[0] == knn.mutual_information(X[:, 0], y))
    True
    """
    ydisc = check_bool(y_discrete, "y_discrete")
    alg = _algorithm(algorithm)
    std = check_bool(standardize, "standardize")
    scale = base_scale(base)
    nt = resolve_threads(n_threads)
    Xa = as_real_array(X, "X")
    if Xa.ndim != 2:
        raise ValueError(f"'X' must be (n, m): n samples of m features; got {Xa.ndim} dimensions.")
    if Xa.shape[0] == 0 or Xa.shape[1] == 0:
        raise ValueError(f"'X' must hold at least one sample and one feature; got {Xa.shape}.")
    cols = Xa.T[:, :, None]  # column j as sample set j: (m, n, 1), a view
    n = Xa.shape[0]
    if ydisc:
        codes, ncls, _ = _labels(y, Xa[None, :, :1], False, "X")
        kk = _k_value(k, n, "'X'")
        out = _k.ross_columns(_var(cols, 0, std), codes, ncls, n, kk, nt)
        return _finish(out, True, scale, kk, "'X'", ("X", "y"), "column")
    vy, by = _samples(y, "y")
    if by:
        raise ValueError("'y' must be (n,) or (n, d) samples; got a 3-D batch.")
    if vy.shape[1] != n:
        raise ValueError(
            f"'X' and 'y' must have the same number of samples; got {n} and {vy.shape[1]}."
        )
    kk = _k_value(k, n, "'X'")
    out = _k.ksg_columns(_var(cols, 0, std), _var(vy, 1, std), n, kk, alg, nt)
    return _finish(out, True, scale, kk, "the joint samples (X[:, j], y)", ("X", "y"), "column")
