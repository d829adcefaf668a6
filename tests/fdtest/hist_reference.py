"""Oracles for ``fastdiv.hist``: NumPy's own histograms, and the plug-in
estimates of their counts computed by hand in 40-digit mpmath.

Histograms.  ``np_histogram`` and ``np_histogram2d`` are ``numpy.histogram``
and ``numpy.histogram2d`` (NumPy's warning for bool input silenced: fastdiv
converts bools to float64 without one).  ``assert_same`` holds a result to
NumPy's bit for bit: one shape, one dtype, equal bits (so -0.0 and 0.0 are
told apart, and NaN equals NaN); ``assert_close`` to a relative tolerance.

Estimates (each returns ``(value, bound)`` as floats, in the caller's base):

* ``entropy(counts, edges)``: ``-sum_{c_i > 0} p_i log(p_i / w_i)`` with
  ``p_i = c_i / n`` and ``w_i`` the widths of the bins;
* ``mutual_information(counts2d)``: ``sum p_ij log(p_ij / (p_i. p_.j))``;
* ``kl_divergence(cx, cy)``: ``sum_{p_i > 0} p_i log(p_i / q_i)`` (+inf
  where some ``q_i = 0 < p_i``);
* ``js_divergence(cx, cy)``: ``(KL(p, m) + KL(q, m)) / 2``, ``m = (p + q) / 2``;

with Miller-Madow's offsets where asked: ``(m - 1) / (2 n)`` for the
entropy, ``(m_x + m_y - m_xy - 1) / (2 n)`` for the mutual information,
added in nats before the base is applied.

THE BOUND.  ``|got - value| <= PER_SCALE * scale + FLOOR`` (in nats; both
divided by ``|log base|`` in another base).  ``scale`` is the sum of the
moduli of the logs that a float64 evaluation may form on its way:
``sum p_i (|log p_i| + |log w_i|)`` for the entropy (the value may be formed
as ``sum p log w - sum p log p``), ``3 max(1, log n)`` for the mutual
information (it may be formed as ``H(X) + H(Y) - H(X, Y)``, each at most
``log n``), ``sum p (|log p| + |log q|)`` for KL and the same over ``p``,
``q`` and ``m`` for JS.  Each log is within a few ulp and the sums of up to
a few hundred terms add a few ulp of the scale: ``PER_SCALE = 1e-13`` (about
450 ulp of the scale) is a wide margin; ``FLOOR = 2e-15`` covers a value of
0 formed from rounded ratios.

float32 edges.  The widths of float32 edges are ``numpy.diff`` of the edges
(the spec's ``w = diff(edges)``), which NumPy rounds to float32, or their
exact differences: ``entropy`` accepts either (``float32_widths=True`` makes
the second oracle, and a result passes if it is within the bound of either).
"""

import itertools
import math
import warnings

import mpmath
import numpy as np

DPS = 40
PER_SCALE = 1e-13
FLOOR = 2e-15
RULES = ("auto", "fd", "sturges", "doane", "scott", "rice", "sqrt", "stone")
MM = "miller-madow"


# --------------------------------------------------------------------------
# histograms
# --------------------------------------------------------------------------


def np_histogram(x, bins=10, range=None, **kw):
    """numpy.histogram (its bool-conversion warning silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.histogram(x, bins, range, **kw)


def np_edges(x, bins=10, range=None):
    """numpy.histogram_bin_edges (its bool-conversion warning silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.histogram_bin_edges(x, bins, range)


def np_histogram2d(x, y, bins=10, range=None, **kw):
    """numpy.histogram2d."""
    return np.histogram2d(x, y, bins, range, **kw)


def density_of(counts, edges):
    """NumPy's density formula, ``n / diff(edges) / n.sum()``, applied to counts."""
    db = np.array(np.diff(edges), float)
    return counts / db / counts.sum()


def bits(a):
    """The entries of a float array as integers of their bit patterns."""
    a = np.ascontiguousarray(a)
    return a.view(np.int64 if a.dtype.itemsize == 8 else np.int32)


def assert_same(got, want, what=""):
    """got is an ndarray of want's shape and dtype, bit for bit."""
    assert isinstance(got, np.ndarray), (what, type(got))
    want = np.asarray(want)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    assert got.dtype == want.dtype, (what, got.dtype, want.dtype)
    if got.dtype.kind == "f":
        bad = np.flatnonzero(bits(got).ravel() != bits(want).ravel())
    else:
        bad = np.flatnonzero(got.ravel() != want.ravel())
    if bad.size:
        i = np.unravel_index(bad[0], got.shape)
        raise AssertionError(
            f"{what}: {bad.size} of {got.size} entries differ; first at {tuple(map(int, i))}: "
            f"got {got[i]!r}, expected {want[i]!r}"
        )


def assert_close(got, want, rtol, what=""):
    """got is a float64 ndarray of want's shape within rtol of it (entrywise,
    relative to the entry: exact zeros must be zeros, infinities equal, NaN
    where want has NaN)."""
    assert isinstance(got, np.ndarray) and got.dtype == np.float64, (what, type(got))
    want = np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    with np.errstate(invalid="ignore"):
        err = np.abs(got - want)
        ok = (got == want) | (err <= rtol * np.abs(want)) | (np.isnan(got) & np.isnan(want))
    if not np.all(ok):
        i = np.unravel_index(np.flatnonzero(~ok)[0], got.shape)
        raise AssertionError(f"{what}: got {got[i]!r}, expected {want[i]!r} (rtol {rtol})")


def assert_hist(got, want, what="", rtol=None):
    """A (counts, edges) result against NumPy's: edges bit for bit; counts bit
    for bit, or within rtol if given (float64 counts)."""
    assert isinstance(got, tuple) and len(got) == 2, (what, type(got))
    assert_same(got[1], want[1], f"{what} edges")
    if rtol is None:
        assert_same(got[0], want[0], f"{what} counts")
    else:
        assert_close(got[0], want[0], rtol, f"{what} counts")


def on_edges(x, edges, dtype):
    """x followed by every edge and both of its float neighbours in dtype
    (the values a histogram must place exactly)."""
    e = np.asarray(edges).astype(dtype)
    inf = np.array(np.inf, dtype=dtype)
    return np.concatenate(
        [np.asarray(x, dtype=dtype), e, np.nextafter(e, inf), np.nextafter(e, -inf)]
    )


# --------------------------------------------------------------------------
# estimates
# --------------------------------------------------------------------------


def _mpf(v):
    return mpmath.mpf(float(v))


def _finish(value, scale, base):
    """(value, bound) in the unit of base."""
    bound = PER_SCALE * float(scale) + FLOOR
    if base is None:
        return float(value), bound
    lb = abs(math.log(base))
    return float(value / mpmath.log(_mpf(base))), bound / lb


def entropy(counts, edges, base=None, correction=None, float32_widths=False):
    """The plug-in differential entropy of a histogram (see the module doc)."""
    c = np.asarray(counts, dtype=np.int64)
    e = np.asarray(edges)
    with mpmath.workdps(DPS):
        if float32_widths:
            w = [_mpf(v) for v in np.diff(e).astype(np.float64)]
        else:
            w = [_mpf(b) - _mpf(a) for a, b in itertools.pairwise(e.astype(np.float64))]
        n = mpmath.mpf(int(c.sum()))
        h, scale, m = mpmath.mpf(0), mpmath.mpf(1), 0
        for ci, wi in zip(c.tolist(), w):
            if ci == 0:
                continue
            m += 1
            p = ci / n
            h -= p * mpmath.log(p / wi)
            scale += p * (abs(mpmath.log(p)) + abs(mpmath.log(wi)))
        if correction == MM:
            h += mpmath.mpf(m - 1) / (2 * n)
        return _finish(h, scale, base)


def mutual_information(counts2d, base=None, correction=None):
    """The plug-in mutual information of a 2-D histogram (counts as floats)."""
    t = np.asarray(counts2d)
    c = t.astype(np.int64)
    assert np.array_equal(c, t)
    with mpmath.workdps(DPS):
        n = int(c.sum())
        cx, cy = c.sum(axis=1).tolist(), c.sum(axis=0).tolist()
        nm = mpmath.mpf(n)
        mi = mpmath.mpf(0)
        for i, j in zip(*np.nonzero(c)):
            cij = int(c[i, j])
            mi += (cij / nm) * mpmath.log(mpmath.mpf(cij * n) / (cx[i] * cy[j]))
        if correction == MM:
            mx = sum(1 for v in cx if v)
            my = sum(1 for v in cy if v)
            mxy = int(np.count_nonzero(c))
            mi += mpmath.mpf(mx + my - mxy - 1) / (2 * nm)
        return _finish(mi, 3 * max(1.0, math.log(n)), base)


def _probs(counts):
    c = [int(v) for v in np.asarray(counts).tolist()]
    n = mpmath.mpf(sum(c))
    return [v / n for v in c]


def kl_divergence(cx, cy, base=None):
    """KL of the normalized counts of x against those of y (+inf where due)."""
    with mpmath.workdps(DPS):
        p, q = _probs(cx), _probs(cy)
        kl, scale = mpmath.mpf(0), mpmath.mpf(1)
        for a, b in zip(p, q):
            if a == 0:
                continue
            if b == 0:
                return math.inf, 0.0
            kl += a * mpmath.log(a / b)
            scale += a * (abs(mpmath.log(a)) + abs(mpmath.log(b)))
        return _finish(kl, scale, base)


def js_divergence(cx, cy, base=None):
    """Jensen-Shannon divergence of the normalized counts of x and y."""
    with mpmath.workdps(DPS):
        p, q = _probs(cx), _probs(cy)
        js, scale = mpmath.mpf(0), mpmath.mpf(1)
        for a, b in zip(p, q):
            m = (a + b) / 2
            if m == 0:
                continue
            for v in (a, b):
                if v:
                    js += v * mpmath.log(v / m) / 2
                    scale += v * (abs(mpmath.log(v)) + abs(mpmath.log(m)))
        return _finish(js, scale, base)


def check(got, oracle, what=""):
    """got (a numpy.float64) within the bound of oracle = (value, bound)."""
    assert isinstance(got, np.float64), (what, type(got))
    value, bound = oracle
    if math.isinf(value):
        assert got == value, (what, got, value)
        return
    assert abs(float(got) - value) <= bound, (
        f"{what}: got {float(got)!r}, expected {value!r}: error {abs(float(got) - value):.3g} "
        f"> bound {bound:.3g}"
    )


def check_entropy(got, counts, edges, what="", **kw):
    """got within the bound of the entropy with exact widths or, for float32
    edges, with NumPy's float32 widths (see the module doc)."""
    exact = entropy(counts, edges, **kw)
    if np.asarray(edges).dtype != np.float32:
        check(got, exact, what)
        return
    try:
        check(got, exact, what)
    except AssertionError:
        check(got, entropy(counts, edges, float32_widths=True, **kw), what + " (f32 widths)")
