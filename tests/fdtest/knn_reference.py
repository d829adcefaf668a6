"""Brute-force oracles for ``fastdiv.knn``: every distance between every pair
of points (O(n^2) in NumPy), the neighbours and counts taken from those
matrices exactly as the spec words them (the module docstring of
``fastdiv/knn.py``), and closed forms for Gaussians.

Points.  ``samples(x)`` is x as a float64 ``(n, d)`` array (``(n,)`` is n
points of one dimension; float32 values are read exactly, as fastdiv reads
them).  A distance is formed in float64 from the coordinates' differences
``b_j - a_i``: the max-norm ``max_c |b_jc - a_ic|`` (``"chebyshev"``), or
``sqrt(sum_c (b_jc - a_ic)^2)`` summed in column order (``"euclidean"``;
another order changes the last bit of a distance, and an estimate by far
less than the tests' tolerance).  Point j is a *copy* of point i (in the
space searched) when every coordinate is equal, ``-0.0`` and ``0.0`` alike.
The joint space of several variables is their concatenation, with the
max-norm: ``max(D_x, D_y)``.

Neighbours and counts (psi the digamma function, ``scipy.special.digamma``):

* ``eps_i``, the distance from i to its k-th neighbour: the k-th smallest
  distance from i to the points that are not copies of i (a tie at the k-th
  distance does not change it);
* the counts run over ``j != i`` and include the copies of i.

The estimators, one function each, in nats unless ``base`` is given (the
result divided by ``log(base)``):

* ``entropy``: Kozachenko & Leonenko (1987), as in Kraskov et al. (2004)
  eq. (20): ``psi(n) - psi(k) + log V_d + (d / n) sum_i log eps_i``, V_d the
  volume of the unit ball of the metric (``pi^(d/2) / Gamma(d/2 + 1)``,
  ``2^d``).
* ``mutual_information`` (continuous y): Kraskov, Stoegbauer & Grassberger
  (2004), algorithm 1 (their eq. 8) ``psi(k) + psi(n) - <psi(nx + 1) +
  psi(ny + 1)>``, ``nx_i = #{j != i : |x_j - x_i| < eps_i}``; algorithm 2
  (eq. 9) ``psi(k) - 1/k + psi(n) - <psi(nx) + psi(ny)>``, ``nx_i = #{j !=
  i : |x_j - x_i| <= ex_i}``, ex_i the largest x-distance among the k
  neighbours, the points tied at the k-th joint distance taken in order of
  their x-distance (the same for y).
* ``mutual_information(..., y_discrete=True)``: Ross (2014), eq. (2), as
  scikit-learn's ``_compute_mi_cd``: classes of ``N_c >= 2`` points (a point
  alone in its class is dropped, and n, N_c and every count are over the
  points kept), ``k_c = min(k, N_c - 1)``, eps_i the max-norm distance in x
  to the k_c-th neighbour within the class, ``m_i = #{j != i : |x_j - x_i|
  <= eps_i}`` over every class; ``psi(n) + <psi(k_i)> - <psi(N_ci)> -
  <psi(m_i)>``.
* ``conditional_mutual_information``: Frenzel & Pompe (2007), eq. (4):
  ``psi(k) - <psi(nxz + 1) + psi(nyz + 1) - psi(nz + 1)>``, eps_i in (x, y,
  z), the counts strictly inside eps_i in (x, z), (y, z) and z.
* ``kl_divergence``: Wang, Kulkarni & Verdu (2009), eq. (5): ``(d / n)
  sum_i log(nu_i / rho_i) + log(m / (n - 1))``, rho_i the k-th neighbour
  distance of x_i among x, nu_i the k-th positive distance from x_i to the m
  points of y.
* ``mutual_information_features``: the column loop of ``mutual_information``.

``standardize=True`` maps each column to zero mean and unit standard
deviation (ddof=0; a constant column is only centred), per variable; for
``kl_divergence`` both samples by their pooled statistics; for Ross only x,
over all its points (before the singletons are dropped).

Errors (the oracle's own, so that a test can ask it whether fastdiv should
refuse): ``ValueError`` for ``k < 1``, ``k >= n``, different numbers of
samples, and a searched space (x for ``entropy``; the joint space for KSG
and Frenzel-Pompe; x and y for ``kl_divergence``; each class of at least two
points, within the class, for Ross) with fewer than ``k + 1`` (``k_c + 1``)
distinct points.

Every estimator can also return ``(value, scale)`` (``scale=True``):
``scale`` is the sum of the moduli of the constants and the mean of the
moduli of the per-point terms, in the result's unit: what rounding is
relative to when the terms are summed in another order (a result near 0 is
no measure of it).

Gaussians: ``gaussian_entropy``, ``gaussian_mi``, ``gaussian_cmi`` and
``gaussian_kl``, the closed forms (Cover & Thomas, ch. 8; the KL of two
normals, e.g. Duchi's notes).

Also here: ``ksg_counts`` and ``ross_parts`` (the radii and counts behind
an estimate, for the hand-worked examples of ``tests/knn/test_oracle.py``);
``assert_estimate`` / ``assert_estimates`` (fastdiv against the oracle:
``RTOL``, ``ATOL``); ``layout`` (one array in another dtype or memory
layout); ``dependent`` and ``labels_for`` (seeded test data).

References: L. F. Kozachenko, N. N. Leonenko, Probl. Inf. Transm. 23 (1987)
95; A. Kraskov, H. Stoegbauer, P. Grassberger, Phys. Rev. E 69 (2004)
066138; B. C. Ross, PLoS ONE 9 (2014) e87357; S. Frenzel, B. Pompe, Phys.
Rev. Lett. 99 (2007) 204101; Q. Wang, S. R. Kulkarni, S. Verdu, IEEE Trans.
Inf. Theory 55 (2009) 2392.
"""

import math

import numpy as np
from scipy.special import digamma, gammaln

# rows of a distance matrix formed at once (bounds the (rows, m, d) temporary)
CHUNK = 128
METRICS = ("euclidean", "chebyshev")


# --------------------------------------------------------------------------
# points, distances, neighbours
# --------------------------------------------------------------------------


def samples(x):
    """x as a C-contiguous float64 (n, d) array (a copy): (n,) is n points of
    dimension 1; ints, bools and float32 are converted exactly."""
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"not an array of real numbers: dtype {a.dtype}")
    a = np.array(a, dtype=np.float64, order="C")
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"expected (n,) or (n, d) samples; got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("samples must be finite")
    return a + 0.0  # -0.0 -> 0.0: a copy is a copy


def standardized(a):
    """Each column of the (n, d) array a mapped to zero mean and unit
    standard deviation (ddof=0); a constant column is only centred."""
    a = samples(a)
    return _apply(a, a.mean(axis=0), _std(a))


def pooled_standardized(a, b):
    """a and b standardized by the mean and standard deviation of their
    rows pooled together (kl_divergence's rule)."""
    a, b = samples(a), samples(b)
    both = np.concatenate([a, b])
    mu, sd = both.mean(axis=0), _std(both)
    return _apply(a, mu, sd), _apply(b, mu, sd)


def _std(a):
    sd = a.std(axis=0)
    constant = np.all(a == a[:1], axis=0)
    return np.where(constant | (sd == 0), 1.0, sd)


def _apply(a, mu, sd):
    return (a - mu) / sd


def distances(a, b, metric="chebyshev"):
    """(D, same): D[i, j] the distance from a[i] to b[j] (float64, from the
    coordinates' differences), same[i, j] True where b[j] is a copy of a[i]."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    n, m = a.shape[0], b.shape[0]
    D = np.empty((n, m))
    same = np.empty((n, m), dtype=bool)
    for s in range(0, n, CHUNK):
        diff = b[None, :, :] - a[s : s + CHUNK, None, :]
        cheb = np.max(np.abs(diff), axis=2)
        same[s : s + CHUNK] = cheb == 0.0
        if metric == "chebyshev":
            D[s : s + CHUNK] = cheb
        else:
            sq = diff[:, :, 0] * diff[:, :, 0]
            for c in range(1, a.shape[1]):
                sq += diff[:, :, c] * diff[:, :, c]
            D[s : s + CHUNK] = np.sqrt(sq)
    return D, same


def n_distinct(same):
    """The number of distinct points, from the copy mask of a set with itself."""
    return int(np.count_nonzero(~np.any(np.tril(same, -1), axis=1)))


def kth_positive(D, same, k):
    """Per row i, the k-th smallest D[i, j] over the j that are not copies of
    point i (k may be an array, one per row); inf where there are fewer."""
    M = np.where(same, np.inf, D)
    M.sort(axis=1)
    k = np.broadcast_to(np.asarray(k, dtype=np.intp), (D.shape[0],))
    return M[np.arange(D.shape[0]), k - 1]


def _off_diagonal(n):
    return ~np.eye(n, dtype=bool)


def _check_k(k, n, name="x"):
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"'k' must be a positive integer; got {k!r}")
    if k >= n:
        raise ValueError(f"'k' must be less than the number of samples in {name!r} ({n}); got {k}")


def _check_distinct(same, k, name):
    have = n_distinct(same)
    if have < k + 1:
        raise ValueError(f"{name} has {have} distinct points; k = {k} needs at least {k + 1}")


def _check_same_n(*arrays):
    ns = {a.shape[0] for a in arrays}
    if len(ns) != 1:
        raise ValueError(f"the variables have different numbers of samples: {sorted(ns)}")


def _finish(consts, terms, base, scale):
    """``sum(consts) + mean(terms)`` (and its scale) divided by log(base)."""
    value = math.fsum(consts) + float(np.mean(terms))
    size = math.fsum(abs(c) for c in consts) + float(np.mean(np.abs(terms)))
    if base is not None:
        lb = math.log(base)
        value, size = value / lb, size / abs(lb)
    return (value, size) if scale else value


def psi(v):
    """The digamma function (scipy.special.digamma), as float64."""
    return digamma(np.asarray(v, dtype=np.float64))


def log_unit_ball(d, metric):
    """log of the volume of the unit ball of R^d: pi^(d/2) / Gamma(d/2 + 1)
    (Euclidean), 2^d (max-norm)."""
    if metric == "chebyshev":
        return d * math.log(2.0)
    return 0.5 * d * math.log(math.pi) - float(gammaln(0.5 * d + 1.0))


# --------------------------------------------------------------------------
# estimators
# --------------------------------------------------------------------------


def entropy(x, k=3, *, base=None, metric="euclidean", scale=False):
    """Kozachenko-Leonenko differential entropy of the samples x (n, d):
    ``psi(n) - psi(k) + log V_d + (d / n) sum_i log eps_i``."""
    a = samples(x)
    n, d = a.shape
    _check_k(k, n)
    D, same = distances(a, a, metric)
    _check_distinct(same, k, "x")
    eps = kth_positive(D, same, k)
    consts = [float(psi(n)), -float(psi(k)), log_unit_ball(d, metric)]
    return _finish(consts, d * np.log(eps), base, scale)


def _joint(parts):
    """(D, same) of the joint space of the (D, same) pairs: max-norm."""
    D = parts[0][0].copy()
    same = parts[0][1].copy()
    for Dp, sp in parts[1:]:
        np.maximum(D, Dp, out=D)
        same &= sp
    return D, same


def _alg2_radius(dj, same, eps, k, dv):
    """KSG algorithm 2's radius in one variable: the largest distance dv
    (the x- or y-distances; dj the joint ones) among the k neighbours of
    each point, the points at the k-th joint distance eps taken in order of
    dv, the smallest first."""
    nb = ~same
    e = eps[:, None]
    inside = nb & (dj < e)
    tied = nb & (dj == e)
    need = k - np.count_nonzero(inside, axis=1)  # >= 1: the k-th neighbour is tied
    assert np.all(need >= 1) and np.all(need <= np.count_nonzero(tied, axis=1))
    r_in = np.max(np.where(inside, dv, -np.inf), axis=1)
    t = np.where(tied, dv, np.inf)
    t.sort(axis=1)
    r_tied = t[np.arange(dj.shape[0]), need - 1]
    return np.maximum(r_in, r_tied)


def ksg_counts(x, y, k=3, algorithm=1):
    """KSG's neighbour radius and counts for every point: (eps, nx, ny), eps
    in the joint space; nx, ny strictly inside eps (algorithm 1) or within
    ex_i, ey_i (algorithm 2).  x and y as ``samples`` takes them."""
    a, b = samples(x), samples(y)
    _check_same_n(a, b)
    n = a.shape[0]
    _check_k(k, n)
    if algorithm not in (1, 2):
        raise ValueError(f"'algorithm' must be 1 or 2; got {algorithm!r}")
    Dx, sx = distances(a, a)
    Dy, sy = distances(b, b)
    D, same = _joint([(Dx, sx), (Dy, sy)])
    _check_distinct(same, k, "the joint space (x, y)")
    eps = kth_positive(D, same, k)
    off = _off_diagonal(n)
    if algorithm == 1:
        nx = np.count_nonzero((Dx < eps[:, None]) & off, axis=1)
        ny = np.count_nonzero((Dy < eps[:, None]) & off, axis=1)
    else:
        ex = _alg2_radius(D, same, eps, k, Dx)
        ey = _alg2_radius(D, same, eps, k, Dy)
        nx = np.count_nonzero((Dx <= ex[:, None]) & off, axis=1)
        ny = np.count_nonzero((Dy <= ey[:, None]) & off, axis=1)
    return eps, nx, ny


def mutual_information(
    x, y, k=3, *, base=None, algorithm=1, y_discrete=False, standardize=False, scale=False
):
    """Mutual information of x (n, dx) and y (n, dy): Kraskov-Stoegbauer-
    Grassberger algorithm 1 or 2 (max-norm in each variable and in the joint
    space), or Ross's estimator when y holds class labels (y_discrete)."""
    if y_discrete:
        return _ross(x, y, k, base, standardize, scale)
    a, b = samples(x), samples(y)
    if standardize:
        a, b = standardized(a), standardized(b)
    n = a.shape[0]
    _, nx, ny = ksg_counts(a, b, k, algorithm)
    if algorithm == 1:
        consts = [float(psi(k)), float(psi(n))]
        return _finish(consts, -(psi(nx + 1) + psi(ny + 1)), base, scale)
    consts = [float(psi(k)), -1.0 / k, float(psi(n))]
    return _finish(consts, -(psi(nx) + psi(ny)), base, scale)


def ross_parts(x, y, k=3, standardize=False):
    """Ross's estimator, its parts: (keep, kc, Nc, eps, m), keep the mask of
    the points kept (not alone in their class) and the others over the
    points kept, in order."""
    a = samples(x)
    labels = np.asarray(y)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D; got shape {labels.shape}")
    _check_same_n(a, labels)
    _check_k(k, a.shape[0])
    if standardize:
        a = standardized(a)
    _, cls, counts = np.unique(labels, return_inverse=True, return_counts=True)
    cls = cls.ravel()
    keep = counts[cls] > 1
    a, cls = a[keep], cls[keep]
    n = a.shape[0]
    if n == 0:
        raise ValueError("every point is alone in its class")
    Nc = counts[cls]
    kc = np.minimum(k, Nc - 1)
    Dx, sx = distances(a, a)
    in_class = cls[:, None] == cls[None, :]
    for c in np.unique(cls):
        rows = cls == c
        _check_distinct(sx[np.ix_(rows, rows)], int(kc[rows][0]), f"class {c}")
    eps = kth_positive(Dx, sx | ~in_class, kc)
    m = np.count_nonzero((Dx <= eps[:, None]) & _off_diagonal(n), axis=1)
    return keep, kc, Nc, eps, m


def _ross(x, y, k, base, standardize, scale):
    """Ross (2014): x continuous (n, d), y 1-D class labels of any dtype."""
    keep, kc, Nc, _, m = ross_parts(x, y, k, standardize)
    n = int(np.count_nonzero(keep))
    return _finish([float(psi(n))], psi(kc) - psi(Nc) - psi(m), base, scale)


def mutual_information_features(
    X, y, k=3, *, base=None, algorithm=1, y_discrete=False, standardize=False
):
    """One mutual_information(X[:, j], y, ...) per column j of X (n, m)."""
    X = np.asarray(X)
    kw = dict(base=base, algorithm=algorithm, y_discrete=y_discrete, standardize=standardize)
    return np.array([mutual_information(X[:, j], y, k, **kw) for j in range(X.shape[1])])


def conditional_mutual_information(x, y, z, k=3, *, base=None, standardize=False, scale=False):
    """Frenzel-Pompe estimate of I(X; Y | Z) from x (n, dx), y (n, dy), z
    (n, dz): max-norm in every variable and every joint space."""
    a, b, c = samples(x), samples(y), samples(z)
    _check_same_n(a, b, c)
    n = a.shape[0]
    _check_k(k, n)
    if standardize:
        a, b, c = standardized(a), standardized(b), standardized(c)
    X, Y, Z = distances(a, a), distances(b, b), distances(c, c)
    D, same = _joint([X, Y, Z])
    _check_distinct(same, k, "the joint space (x, y, z)")
    eps = kth_positive(D, same, k)[:, None]
    off = _off_diagonal(n)
    nxz = np.count_nonzero((np.maximum(X[0], Z[0]) < eps) & off, axis=1)
    nyz = np.count_nonzero((np.maximum(Y[0], Z[0]) < eps) & off, axis=1)
    nz = np.count_nonzero((Z[0] < eps) & off, axis=1)
    terms = psi(nz + 1) - psi(nxz + 1) - psi(nyz + 1)
    return _finish([float(psi(k))], terms, base, scale)


def kl_divergence(x, y, k=1, *, base=None, metric="euclidean", standardize=False, scale=False):
    """Wang-Kulkarni-Verdu estimate of D(P || Q) from x ~ P (n, d) and
    y ~ Q (m, d): ``(d / n) sum_i log(nu_i / rho_i) + log(m / (n - 1))``."""
    a, b = samples(x), samples(y)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"x and y must have one dimension; got {a.shape[1]} and {b.shape[1]}")
    n, d = a.shape
    m = b.shape[0]
    _check_k(k, n)
    if standardize:
        a, b = pooled_standardized(a, b)
    Dxx, sxx = distances(a, a, metric)
    _check_distinct(sxx, k, "x")
    _check_distinct(distances(b, b)[1], k, "y")
    rho = kth_positive(Dxx, sxx, k)
    Dxy, sxy = distances(a, b, metric)
    nu = kth_positive(Dxy, sxy, k)
    terms = d * (np.log(nu) - np.log(rho))
    return _finish([math.log(m / (n - 1))], terms, base, scale)


# --------------------------------------------------------------------------
# Gaussian closed forms (nats)
# --------------------------------------------------------------------------


def _logdet(S):
    sign, ld = np.linalg.slogdet(np.atleast_2d(S))
    assert sign > 0, "covariance not positive definite"
    return float(ld)


def gaussian_entropy(cov):
    """h(N(mu, S)) = 0.5 log((2 pi e)^d det S)."""
    S = np.atleast_2d(cov)
    return 0.5 * (S.shape[0] * math.log(2 * math.pi * math.e) + _logdet(S))


def gaussian_mi(cov, dx):
    """I(X; Y) of a Gaussian vector (X, Y), X its first dx coordinates:
    0.5 log(det S_x det S_y / det S)."""
    S = np.atleast_2d(cov)
    return 0.5 * (_logdet(S[:dx, :dx]) + _logdet(S[dx:, dx:]) - _logdet(S))


def gaussian_cmi(cov, dx, dy):
    """I(X; Y | Z) of a Gaussian vector (X, Y, Z) (coordinates in that
    order, X of dimension dx, Y of dy): h(X,Z) + h(Y,Z) - h(Z) - h(X,Y,Z) =
    0.5 log(det S_xz det S_yz / (det S_z det S)); 0 for a chain X -> Z -> Y."""
    S = np.atleast_2d(cov)
    d = S.shape[0]
    ix, iy, iz = np.arange(dx), np.arange(dx, dx + dy), np.arange(dx + dy, d)
    xz, yz = np.concatenate([ix, iz]), np.concatenate([iy, iz])
    return 0.5 * (
        _logdet(S[np.ix_(xz, xz)])
        + _logdet(S[np.ix_(yz, yz)])
        - _logdet(S[np.ix_(iz, iz)])
        - _logdet(S)
    )


def gaussian_kl(mu0, cov0, mu1, cov1):
    """D(N(mu0, S0) || N(mu1, S1)) = 0.5 [tr(S1^-1 S0) + (mu1 - mu0)^T S1^-1
    (mu1 - mu0) - d + log(det S1 / det S0)]."""
    S0, S1 = np.atleast_2d(cov0), np.atleast_2d(cov1)
    dm = np.atleast_1d(np.asarray(mu1, float) - np.asarray(mu0, float))
    d = S0.shape[0]
    tr = float(np.trace(np.linalg.solve(S1, S0)))
    quad = float(dm @ np.linalg.solve(S1, dm))
    return 0.5 * (tr + quad - d + _logdet(S1) - _logdet(S0))


# --------------------------------------------------------------------------
# comparisons
# --------------------------------------------------------------------------

# fastdiv against the oracle on the same points (``assert_estimate``).  Both
# sum the same finite terms (digammas of the same integer counts, logs of
# distances equal to the last bit or, summed in another order, to a few ulp)
# in other orders: the difference is rounding, below 1e-14 of the scale for
# the sizes here; 1e-9 relative is far from it and far below any change of
# a neighbour or a count (at least 1 / n^2 relative for n <= a few 1000).
RTOL = 1e-9
ATOL = 1e-12


def assert_estimate(got, want, what=""):
    """got is a NumPy float64 scalar within RTOL / ATOL of want (a float)."""
    assert type(got) is np.float64, (what, type(got))
    assert abs(float(got) - want) <= ATOL + RTOL * abs(want), (what, float(got), want)


def assert_estimates(got, want, what=""):
    """got is a float64 ndarray of want's shape, each entry as assert_estimate."""
    want = np.asarray(want, dtype=np.float64)
    assert isinstance(got, np.ndarray) and got.dtype == np.float64, (what, type(got))
    assert got.shape == want.shape, (what, got.shape, want.shape)
    bad = np.abs(got - want) > ATOL + RTOL * np.abs(want)
    assert not np.any(bad), (what, got[bad], want[bad])


def layout(a, how):
    """The array a (2-D: (n, d)) in another memory layout or dtype, the same
    values where the dtype holds them: "C", "F" (Fortran order), "strided"
    (every other row and column of a larger buffer), "reversed" (negative
    strides), "readonly", "<f4" / ">f4" / ">f8" (the float32 ones round),
    "int" (rounded to integers, int32), "list" (nested Python lists)."""
    a = np.asarray(a)
    if how == "C":
        return np.ascontiguousarray(a)
    if how == "F":
        return np.asfortranarray(a)
    if how == "strided":
        buf = np.full((2 * a.shape[0] + 1,) + tuple(2 * s for s in a.shape[1:]), np.nan)
        idx = (slice(1, None, 2),) + (slice(None, None, 2),) * (a.ndim - 1)
        buf[idx] = a
        return buf[idx]
    if how == "reversed":
        return np.ascontiguousarray(a[::-1])[::-1]
    if how == "readonly":
        b = a.copy()
        b.setflags(write=False)
        return b
    if how in ("<f4", ">f4", ">f8", "<f8"):
        return a.astype(how)
    if how == "int":
        return np.round(a * 3).astype(np.int32)
    if how == "list":
        return a.tolist()
    raise ValueError(how)


LAYOUTS = ["C", "F", "strided", "reversed", "readonly", "<f4", ">f4", ">f8", "int", "list"]


# --------------------------------------------------------------------------
# test data
# --------------------------------------------------------------------------


def dependent(rng, n, *dims, r=0.6, scales=None):
    """Samples of len(dims) dependent continuous variables, one (n, d) array
    each (d = dims[v]): every coordinate is ``r * s + noise`` with s one
    shared standard normal per row, the noise standard normal (x) or
    uniform or exponential (the others, for shapes other than a Gaussian's);
    the columns multiplied by ``scales`` (cycled) when given.  Continuous:
    no two distances are equal but with probability 0."""
    s = rng.standard_normal(n)
    out = []
    c = 0
    for v, d in enumerate(dims):
        if v == 0:
            noise = rng.standard_normal((n, d))
        elif v % 2:
            noise = rng.uniform(-1.5, 1.5, (n, d))
        else:
            noise = rng.exponential(1.0, (n, d))
        a = r * s[:, None] + noise
        if scales is not None:
            for j in range(d):
                a[:, j] *= scales[c % len(scales)]
                c += 1
        out.append(a)
    return out


def labels_for(rng, x, n_classes, sizes=None):
    """Class labels that depend on x (n, d): the class of a row is its rank
    by the first column (split into n_classes runs) with some rows moved to a
    random class; with ``sizes`` (a list of class sizes summing to n) the
    runs have those sizes.  Returned as int64."""
    n = x.shape[0]
    order = np.argsort(x[:, 0], kind="stable")
    if sizes is None:
        sizes = np.full(n_classes, n // n_classes)
        sizes[: n - sizes.sum()] += 1
    runs = np.repeat(np.arange(len(sizes)), sizes)
    lab = np.empty(n, dtype=np.int64)
    lab[order] = runs
    moved = rng.random(n) < 0.3
    lab[moved] = rng.permutation(lab[moved])  # keeps the class sizes
    return lab
