"""Independent oracles for ``fastdiv.discrete``: brute-force plug-in
estimators from the definitions, in 50-digit mpmath, and the one accuracy
bound they are compared with.

Symbols.  ``symbols(x)`` turns a sample into a list of hashable Python
values: the items of a 1-D input (``ndarray.tolist()``: Python ints of any
size, floats, bools, str, bytes, the objects themselves), the rows of a 2-D
input as tuples.  Every count below is a ``collections.Counter`` over these
symbols (or tuples of them for joint terms), so nothing is factorized,
sorted or hashed the way the implementation does it.  ``-0.0`` and ``0.0``
are one symbol (they compare equal, as ``numpy.unique`` treats them).

Values (``Ref``).  Every oracle returns ``Ref(value, scale)`` as mpmath
numbers at 50 digits, in the unit of ``base`` (nats for ``None``):

* an entropy term of counts ``c_k`` over ``n`` samples is
  ``log n - (1/n) sum_k c_k log c_k`` (the plug-in estimate), plus
  ``(m - 1) / (2 n)`` with ``correction="miller-madow"``, ``m`` the number of
  occupied cells;
* a measure is formed from its terms exactly as the design states:
  ``MI = Hx + Hy - Hxy``, ``H(X|Y) = Hxy - Hy``, ``VI = 2 Hxy - Hx - Hy``,
  ``CMI = Hxz + Hyz - Hxyz - Hz``; NMI is ``MI / average(Hx, Hy)`` (1 when
  both labelings have one class, 0 when MI is 0); AMI is
  ``(MI - EMI) / (average(Hx, Hy) - EMI)`` with EMI the exact
  hypergeometric expectation (integer binomials, ``math.comb``), 1 for two
  one-class labelings and for labelings equal up to a renaming, 0 when
  exactly one labeling has one class (scikit-learn's rule); ``None``
  where it is 0 / 0 (a case the design leaves open, never compared).

THE ACCURACY BOUND (``check``)::

    |got - value| <= PER_SCALE * scale + FLOOR,  PER_SCALE = 1e-13, FLOOR = 2e-15

with ``scale`` in the result's unit.  It is a bound relative to a scale,
neither purely relative to the value nor purely absolute, because neither
can be met by a float64 evaluation of these definitions:

* an entropy term, evaluated as ``-sum p log p`` or as ``log n - sum c log c
  / n``, passes through numbers up to ``log n`` (its value is at most
  ``log n``): its rounding error is a few ulp of ``log n``, not of its value
  (one class plus one outlier in 1e5 samples has H = 1.3e-4 but an error of
  ~1e-15), so its scale is ``log n`` (plus the Miller-Madow offset);
* a measure formed from several terms (MI, VI, H(X|Y), CMI) inherits the
  sum of its terms' scales: MI of independent labelings is ~1e-5 while each
  entropy is ~10, and no evaluation keeps a relative error on the 1e-5;
* NMI divides by ``average(Hx, Hy)``, AMI by ``average - EMI``: the error
  of the numerator and denominator propagated through the quotient (first
  order) is the scale;
* EMI's terms are exponentials of sums of nine log-factorials, each up to
  ``log N!`` in magnitude and rounded within ~2 ulp: each term carries a
  relative error of about ``2e-15 * log N!``, so EMI's scale is
  ``sum |terms| * (1 + log N! / 50)`` (1e-13 / 50 = 2e-15).

1e-13 per unit of scale is the house's ``ORACLE_F64.per_scale`` (a sum of
up to 1e6 terms each within a few ulp); FLOOR is its floor (one ulp of the
largest values here, log 1e5 ~ 11.5, is 1.8e-15).
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from dataclasses import dataclass

import mpmath
import numpy as np

DPS = 50
PER_SCALE = 1e-13
FLOOR = 2e-15
AVERAGES = ("arithmetic", "geometric", "min", "max")


@dataclass(frozen=True)
class Ref:
    """An exact value and the scale its float64 evaluation errs relative to
    (mpmath numbers, or ``value=None`` for an undefined 0 / 0)."""

    value: object
    scale: object


# --------------------------------------------------------------------------
# symbols and counts
# --------------------------------------------------------------------------


def symbols(x):
    """The samples of x as a list of hashable Python symbols (rows: tuples)."""
    a = x if isinstance(x, np.ndarray) else np.asarray(x)
    if a.ndim == 1:
        return a.tolist()
    if a.ndim == 2:
        return [tuple(row) for row in a.tolist()]
    raise ValueError(f"labels must be 1-D or 2-D; got {a.ndim} dimensions")


def counts(*samples):
    """Counter of the joint symbols of one or more samples of equal length."""
    cols = [symbols(s) for s in samples]
    n = len(cols[0])
    assert all(len(c) == n for c in cols), [len(c) for c in cols]
    if len(cols) == 1:
        return Counter(cols[0])
    return Counter(zip(*cols))


def _n(counter):
    return sum(counter.values())


# --------------------------------------------------------------------------
# entropy terms (nats)
# --------------------------------------------------------------------------


def _term(counter, correction):
    """(value, scale) of one entropy term, in nats."""
    n = _n(counter)
    with mpmath.workdps(DPS):
        # grouped by count: a large alphabet has few distinct counts
        by_count = Counter(counter.values())
        s = mpmath.fsum(k * c * mpmath.log(c) for c, k in by_count.items() if c > 1)
        # one class: exactly 0 (not log n - log n rounded to +-1e-50, whose
        # square root a geometric average would take)
        h = mpmath.mpf(0) if len(counter) == 1 else mpmath.log(n) - s / n
        scale = mpmath.log(n)
        if correction == "miller-madow":
            mm = mpmath.mpf(len(counter) - 1) / (2 * n)
            h += mm
            scale += mm
        elif correction is not None:
            raise AssertionError(correction)
        return h, scale


def _in_base(value, scale, base):
    with mpmath.workdps(DPS):
        if base is None:
            return Ref(value, scale)
        lb = mpmath.log(mpmath.mpf(base))
        return Ref(None if value is None else value / lb, scale / abs(lb))


def _combine(terms, coeffs, base):
    """sum coeff * term, with the scale of every term counted once per use."""
    with mpmath.workdps(DPS):
        v = mpmath.fsum(c * t[0] for c, t in zip(coeffs, terms))
        s = mpmath.fsum(abs(c) * t[1] for c, t in zip(coeffs, terms))
    return _in_base(v, s, base)


def entropy(x, *, base=None, correction=None):
    return _combine([_term(counts(x), correction)], [1], base)


def joint_entropy(x, y, *, base=None, correction=None):
    return _combine([_term(counts(x, y), correction)], [1], base)


def conditional_entropy(x, y, *, base=None, correction=None):
    """H(X | Y) = H(X, Y) - H(Y)."""
    terms = [_term(counts(x, y), correction), _term(counts(y), correction)]
    return _combine(terms, [1, -1], base)


def mutual_information(x, y, *, base=None, correction=None):
    terms = [_term(counts(x), correction), _term(counts(y), correction)]
    terms.append(_term(counts(x, y), correction))
    return _combine(terms, [1, 1, -1], base)


def variation_of_information(x, y, *, base=None, correction=None):
    terms = [_term(counts(x, y), correction), _term(counts(x), correction)]
    terms.append(_term(counts(y), correction))
    return _combine(terms, [2, -1, -1], base)


def conditional_mutual_information(x, y, z, *, base=None, correction=None):
    """I(X; Y | Z) = H(X, Z) + H(Y, Z) - H(X, Y, Z) - H(Z)."""
    terms = [
        _term(counts(x, z), correction),
        _term(counts(y, z), correction),
        _term(counts(x, y, z), correction),
        _term(counts(z), correction),
    ]
    return _combine(terms, [1, 1, -1, -1], base)


# --------------------------------------------------------------------------
# normalized and adjusted mutual information
# --------------------------------------------------------------------------


def _average(hx, hy, average):
    """(value, d value / d hx, d value / d hy) of the generalized average."""
    if average == "arithmetic":
        return (hx + hy) / 2, mpmath.mpf(0.5), mpmath.mpf(0.5)
    if average == "geometric":
        g = mpmath.sqrt(hx * hy)
        if g == 0:
            return g, mpmath.mpf(1), mpmath.mpf(1)  # a bound, not a derivative
        return g, hy / (2 * g), hx / (2 * g)
    if average == "min":
        return min(hx, hy), mpmath.mpf(1), mpmath.mpf(1)
    if average == "max":
        return max(hx, hy), mpmath.mpf(1), mpmath.mpf(1)
    raise AssertionError(average)


def _parts(x, y):
    cx, cy, cxy = counts(x), counts(y), counts(x, y)
    hx, sx = _term(cx, None)
    hy, sy = _term(cy, None)
    hxy, sxy = _term(cxy, None)
    return cx, cy, cxy, hx, hy, hxy, sx + sy + sxy


def same_partition(x, y):
    """x and y are equal up to a renaming of the labels (a bijection)."""
    cx, cy, cxy = counts(x), counts(y), counts(x, y)
    return len(cx) == len(cy) == len(cxy)


def normalized_mutual_information(x, y, average="arithmetic"):
    """NMI (base-free), with scikit-learn's special cases."""
    with mpmath.workdps(DPS):
        cx, cy, _, hx, hy, hxy, mi_scale = _parts(x, y)
        n = _n(cx)
        if len(cx) == len(cy) == 1:
            return Ref(mpmath.mpf(1), mpmath.mpf(0))
        mi = hx + hy - hxy
        d, dx, dy = _average(hx, hy, average)
        if mi == 0:
            # 0 exactly; the implementation sees a rounded MI: its error over d
            return Ref(mpmath.mpf(0), mi_scale / d if d else mpmath.mpf(0))
        v = mi / d
        scale = (mi_scale + v * (dx + dy) * mpmath.log(n)) / d
        return Ref(v, scale)


def emi(x, y):
    """(EMI, sum |terms|) in nats: the exact expectation of MI over random
    labelings with the class sizes of x and y (the hypergeometric model)."""
    a_sizes = Counter(counts(x).values())  # class size -> how many classes
    b_sizes = Counter(counts(y).values())
    N = len(symbols(x))
    return _emi(tuple(sorted(a_sizes.items())), tuple(sorted(b_sizes.items())), N)


@functools.lru_cache(maxsize=64)
def _emi(a_sizes, b_sizes, N):
    """emi() from ((size, multiplicity), ...) of each labeling (cached: the
    four averages of one pair share it)."""
    a_sizes, b_sizes = dict(a_sizes), dict(b_sizes)
    with mpmath.workdps(DPS):
        total = mpmath.mpf(0)
        mag = mpmath.mpf(0)
        for a, ka in a_sizes.items():
            for b, kb in b_sizes.items():
                den = math.comb(N, b)
                for k in range(max(1, a + b - N), min(a, b) + 1):
                    p = mpmath.mpf(math.comb(a, k) * math.comb(N - a, b - k)) / den
                    t = mpmath.mpf(k) / N * mpmath.log(mpmath.mpf(N * k) / (a * b)) * p
                    total += ka * kb * t
                    mag += ka * kb * abs(t)
        return total, mag


def adjusted_mutual_information(x, y, average="arithmetic"):
    """AMI (base-free), scikit-learn's definition; value None for 0 / 0."""
    with mpmath.workdps(DPS):
        cx, cy, _, hx, hy, hxy, mi_scale = _parts(x, y)
        n = _n(cx)
        if (len(cx) == len(cy) == 1) or same_partition(x, y):
            return Ref(mpmath.mpf(1), mpmath.mpf(0))
        if len(cx) == 1 or len(cy) == 1:
            # scikit-learn's rule: one labeling of one class (MI = EMI = 0) gives 0
            return Ref(mpmath.mpf(0), mpmath.mpf(0))
        if (len(cx) == n) != (len(cy) == n):
            # one labeling puts every sample in a class of its own: every
            # labeling of these sizes has MI = EMI = the other's entropy, so
            # the AMI is 0 (and 0 / 0 for average='min': the documented 0)
            return Ref(mpmath.mpf(0), mpmath.mpf(0))
        mi = hx + hy - hxy
        e, emag = emi(x, y)
        d, dx, dy = _average(hx, hy, average)
        den = d - e
        if den == 0:
            return Ref(None, mpmath.mpf(0))
        v = (mi - e) / den
        e_scale = emag * (1 + mpmath.loggamma(n + 1) / 50)
        num_scale = mi_scale + e_scale
        den_scale = (dx + dy) * mpmath.log(n) + e_scale
        return Ref(v, (num_scale + abs(v) * den_scale) / abs(den))


# --------------------------------------------------------------------------
# contingency table
# --------------------------------------------------------------------------


def contingency(x, y):
    """The dense count table, rows and columns in the sorted order of the
    distinct symbols (Python's sort: numbers by value, str by code point,
    tuples lexicographically), as a nested list of ints."""
    sx, sy = symbols(x), symbols(y)
    rows = sorted(set(sx))
    cols = sorted(set(sy))
    ri = {s: i for i, s in enumerate(rows)}
    ci = {s: j for j, s in enumerate(cols)}
    table = [[0] * len(cols) for _ in rows]
    for a, b in zip(sx, sy):
        table[ri[a]][ci[b]] += 1
    return table


def sparse_contingency(x, y):
    """(i, j, counts) of the non-zero cells of ``contingency(x, y)``, row-major
    (from the Counter of pairs: no dense table)."""
    sx, sy = symbols(x), symbols(y)
    ri = {s: i for i, s in enumerate(sorted(set(sx)))}
    ci = {s: j for j, s in enumerate(sorted(set(sy)))}
    cells = sorted((ri[a], ci[b], c) for (a, b), c in Counter(zip(sx, sy)).items())
    return tuple([c[k] for c in cells] for k in range(3))


# --------------------------------------------------------------------------
# the bound
# --------------------------------------------------------------------------


def allowed(ref):
    """The allowed |got - value| for a Ref, a float."""
    return PER_SCALE * float(ref.scale) + FLOOR


def check(got, ref, what=""):
    """A fastdiv result against an oracle Ref: a NumPy float64 scalar within
    ``allowed(ref)`` of the exact value."""
    assert isinstance(got, np.float64), (what, type(got))
    assert ref.value is not None, (what, "compared with an undefined value")
    with mpmath.workdps(DPS):
        err = abs(mpmath.mpf(float(got)) - ref.value)
    assert math.isfinite(got), (what, got)
    assert float(err) <= allowed(ref), (
        f"{what}: got {float(got)!r}, exact {mpmath.nstr(ref.value, 20)}, "
        f"error {float(err):.3g} > allowed {allowed(ref):.3g}"
    )


# --------------------------------------------------------------------------
# test data: labelings of every dtype
# --------------------------------------------------------------------------

LABEL_DTYPES = (
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float32",
    "float64",
    "bool",
    "str",
    "bytes",
    "object",
)


def alphabet(rng, dtype, k):
    """Up to ``k`` distinct labels of one kind, in random order, with the
    kind's extremes among them when k allows: negative and huge integers
    (int64 and uint64 ends), floats of many magnitudes and both signs,
    non-ASCII strings, bytes, and Python integers beyond 64 bits (object)."""
    if dtype == "bool":
        vals = np.array([False, True])[: max(1, min(k, 2))]
    elif dtype in ("int8", "uint8"):
        info = np.iinfo(dtype)
        vals = np.arange(info.min, info.max + 1).astype(dtype)
    elif np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        vals = rng.integers(info.min, info.max, size=2 * k + 8, endpoint=True, dtype=dtype)
        vals = np.concatenate([np.array([info.min, info.max, 0], dtype=dtype), vals])
    elif dtype in ("float32", "float64"):
        mags = 10.0 ** rng.integers(-8, 9, size=2 * k + 8)
        vals = (rng.standard_normal(2 * k + 8) * mags).astype(dtype)
        vals = np.concatenate([np.array([0.0, -1.5, 1e30], dtype=dtype), vals])
    elif dtype == "str":
        chars = np.array(list("abcxyz019é中Ω "))
        vals = np.array(
            ["".join(rng.choice(chars, size=rng.integers(0, 6))) for _ in range(2 * k + 8)]
        )
    elif dtype == "bytes":
        # no NUL bytes: NumPy's 'S' dtype drops trailing NULs, which would merge labels
        vals = np.array(
            [
                bytes(rng.integers(1, 256, size=rng.integers(0, 5)).tolist())
                for _ in range(2 * k + 8)
            ]
        )
    elif dtype == "object":
        ints = [int(v) * (2**70) + int(w) for v, w in rng.integers(-50, 50, size=(2 * k + 8, 2))]
        vals = np.empty(len(ints), dtype=object)
        vals[:] = ints
    else:
        raise AssertionError(dtype)
    uniq = list(dict.fromkeys(vals.tolist()))  # distinct, first occurrence order
    if len(uniq) < len(vals) or dtype == "bool":
        keep = [vals.tolist().index(u) for u in uniq]
        vals = vals[keep]
    vals = vals[rng.permutation(len(vals))][:k]
    return vals


def codes(rng, n, k, skew=True):
    """n codes in 0..k-1, skewed (a few large classes, many small) or uniform."""
    if k <= 1:
        return np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    c = np.floor(k * u**3).astype(np.int64) if skew else np.floor(k * u).astype(np.int64)
    return np.minimum(c, k - 1)


def related_codes(rng, cx, k, p=0.6):
    """Codes in 0..k-1 that follow cx with probability p (so MI > 0), else random."""
    cy = (cx * 7 + 3) % max(k, 1)
    noise = rng.random(len(cx)) >= p
    cy[noise] = rng.integers(0, max(k, 1), size=int(noise.sum()))
    return cy


def labels(rng, n, k, dtype, cx=None, p=0.6):
    """A labeling of n samples with up to k classes in ``dtype``; with cx
    given, one that depends on cx (codes in 0..len(cx)-1)."""
    al = alphabet(rng, dtype, k)
    k = len(al)
    c = codes(rng, n, k) if cx is None else related_codes(rng, cx, k, p)
    return al[c]


def encode(x):
    """x as 1-D int64 codes: the rank of each symbol in the sorted distinct
    symbols (rows of a 2-D input compared as tuples, lexicographically)."""
    s = symbols(x)
    rank = {v: i for i, v in enumerate(sorted(set(s)))}
    return np.array([rank[v] for v in s], dtype=np.int64)


def check_ami_against_peer(got, peer, x, y, average, atol):
    """AMI ``got`` against a peer's value (scikit-learn) within ``atol``; where
    they differ by more, the peer's own error is the cause only if ``got`` is
    within the oracle bound of the exact value and nearer to it than the
    peer.  (scikit-learn's expected MI sums exponentials of log-factorials:
    its error reaches 2e-12 at n = 2000..5000, e.g. AMI = 1.5e-12 where the
    exact value is 0, against a labeling with all samples distinct.)"""
    if abs(float(got) - float(peer)) <= atol:
        return
    exact = adjusted_mutual_information(x, y, average)
    assert exact.value is not None, (average, got, peer)
    check(got, exact, f"AMI {average} (peer {peer!r})")
    with mpmath.workdps(DPS):
        err_got = abs(mpmath.mpf(float(got)) - exact.value)
        err_peer = abs(mpmath.mpf(float(peer)) - exact.value)
    assert err_got < err_peer, (average, float(err_got), float(err_peer))
