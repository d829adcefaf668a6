"""50-digit mpmath oracles for the measures on joint tables, and their accuracy bound.

Each oracle takes ONE table (a 2-D sequence of the exact values the kernel
read: float32 entries converted exactly) and ``normalize`` as the public
functions do, and returns ``(value, scale)`` as mpmath numbers in nats,
computed with ``mpmath.workdps(50)``:

* ``joint_entropy``: ``-sum p log p``;
* ``conditional_entropy``: ``sum p log(p_.j / p)`` (X the rows, Y the columns);
* ``mutual_information``: ``sum p log(p / (p_i. p_.j))``;

with ``p`` the table divided by its exact sum (``normalize=True``) or as given,
and the marginals the exact sums of ``p``.  ``scale`` is what the accuracy
bound is relative to besides the value: ``sum p |log(p / (p_i. p_.j))|`` for
the mutual information (the rounding of each cell's quotient moves the result
by at most a few ulp of its log, and near independence these logs are what
is small), 0 for the entropies (every term has one sign: the value is the
sum of |terms|).

THE ACCURACY BOUND (``check``): with ``u = 2**-53`` and the sums' error
bounds of the kernel (``src/fastdiv/_joint.pyx``: the package's 16 lanes
over chunks of ``CH = 256`` columns, the chunks pairwise; row blocks of ``G`` rows, their
column vectors pairwise)

    sigma_r = (ceil(min(J, 256) / 16) + 4 + ceil(log2 ceil(J / 256))) u  row sums
    sigma_S = sigma_r + ceil(log2 I) u                                    the total
    sigma_c = (G - 1 + ceil(log2 NB)) u                                   column sums

    |got - value| <= REL * (|value| + scale) + floor

``REL = 1e-13`` (the terms are within ~10 ulp; margin for other machines),
and ``floor``: ``2 sigma_S (1 + value)`` for the joint entropy (a sum off by
sigma_S moves it by about sigma_S (1 - H)); ``2 (sigma_S + sigma_c) (1 +
value)`` for the conditional entropy (each column's sum enters its log); for
the mutual information ``4 (sigma_r + sigma_c + sigma_S)**2`` (the sum of
non-negative terms is stationary in the marginals: their errors enter
squared) plus, with ``normalize=False``, ``2 sigma_S (1 + value)`` (the
values as given: the sum's own error enters once).  float32 input has the
same bound: the kernel computes in float64 from the exact entries.

In the caller's base both value and scale are divided by ``log(base)`` (the
scale by its modulus); the result must lie in the measure's range
``[0, log K]`` (K = I J, I, min(I, J)), with one ulp of slack for bases other
than e and 2, and is never NaN.
"""

import math

import mpmath
import numpy as np

DPS = 50
REL = 1e-13
U = 2.0**-53
CH = 256
MAX_BLOCKS = 64
MIN_BLOCK = 16

__all__ = [
    "DPS",
    "REL",
    "joint_entropy",
    "conditional_entropy",
    "mutual_information",
    "ORACLES",
    "sum_errors",
    "bound",
    "top",
    "check",
]


def _mp(x):
    return mpmath.mpf(float(x)) if not isinstance(x, (int, np.integer)) else mpmath.mpf(int(x))


def _table(t, normalize):
    """[[p]] as mpf (exact), and the row and column marginals; inside workdps."""
    rows = [[_mp(v) for v in r] for r in t]
    if not rows or not rows[0]:
        raise ValueError("empty table")
    if any(not mpmath.isfinite(v) or v < 0 for r in rows for v in r):
        raise ValueError("bad entry")
    if normalize:
        S = mpmath.fsum(v for r in rows for v in r)
        if S == 0:
            raise ValueError("zero sum")
        rows = [[v / S for v in r] for r in rows]
    pi = [mpmath.fsum(r) for r in rows]
    pj = [mpmath.fsum(r[j] for r in rows) for j in range(len(rows[0]))]
    return rows, pi, pj


def joint_entropy(t, *, normalize=True):
    with mpmath.workdps(DPS):
        p, _, _ = _table(t, normalize)
        v = -mpmath.fsum(x * mpmath.log(x) for r in p for x in r if x > 0)
        return v, mpmath.mpf(0)


def conditional_entropy(t, *, normalize=True):
    with mpmath.workdps(DPS):
        p, _, pj = _table(t, normalize)
        v = mpmath.fsum(x * mpmath.log(pj[j] / x) for r in p for j, x in enumerate(r) if x > 0)
        return v, mpmath.mpf(0)


def mutual_information(t, *, normalize=True):
    with mpmath.workdps(DPS):
        p, pi, pj = _table(t, normalize)
        terms = [
            x * mpmath.log(x / (pi[i] * pj[j]))
            for i, r in enumerate(p)
            for j, x in enumerate(r)
            if x > 0
        ]
        return mpmath.fsum(terms), mpmath.fsum(abs(v) for v in terms)


ORACLES = {
    "joint_entropy": joint_entropy,
    "conditional_entropy": conditional_entropy,
    "mutual_information": mutual_information,
}


def _clog2(n):
    return math.ceil(math.log2(n)) if n > 1 else 0


def sum_errors(ni, nj):
    """(sigma_r, sigma_c, sigma_S): the kernel's bounds on the relative
    errors of its row sums, column sums and total for an I x J table (ni x nj)."""
    nc = -(-nj // CH)
    G = MIN_BLOCK if ni <= MIN_BLOCK * MAX_BLOCKS else -(-ni // MAX_BLOCKS)
    nb = -(-ni // G)
    sr = (-(-min(nj, CH) // 16) + 4 + _clog2(nc)) * U
    return sr, (G - 1 + _clog2(nb)) * U, sr + _clog2(ni) * U


def bound(measure, value, scale, shape, normalize=True):
    """The accuracy bound (in nats) of a result whose exact value and scale
    are ``value`` and ``scale`` (floats, nats), for a table of ``shape``."""
    ni, nj = shape[-2], shape[-1]
    sr, sc, sS = sum_errors(ni, nj)
    v = abs(value)
    if measure == "joint_entropy":
        floor = 2 * sS * (1 + v)
    elif measure == "conditional_entropy":
        floor = 2 * (sS + sc) * (1 + v)
    else:
        floor = 4 * (sr + sc + sS) ** 2
        if not normalize:
            floor += 2 * sS * (1 + v)
    return REL * (v + scale) + floor


def top(measure, shape):
    """log K of the measure (nats): its largest value."""
    ni, nj = shape[-2], shape[-1]
    K = (
        ni * nj
        if measure == "joint_entropy"
        else (ni if measure == "conditional_entropy" else min(ni, nj))
    )
    return math.log(K), K


def check(got, value, scale, measure, shape, *, normalize=True, base=None, where=""):
    """Assert ``got`` meets the bound against the oracle's (value, scale);
    returns |error| / bound (how close it came)."""
    got = float(got)
    value, scale = float(value), float(scale)
    lk, K = top(measure, shape)
    f = 1.0
    if base is not None:
        f = 1.0 / math.log(base)
    b = bound(measure, value, scale, shape, normalize) * abs(f)
    want = min(max(value, 0.0), lk) * f
    assert not math.isnan(got), f"{measure}{where}: NaN"
    err = abs(got - want)
    assert err <= b, (
        f"{measure}{where}: got {got!r}, exact {want!r}, error {err:.3g} > bound {b:.3g} "
        f"(scale {scale:.3g}, shape {tuple(shape)}, normalize={normalize}, base={base})"
    )
    # the range, in the caller's base: log2 K exactly in base 2, one ulp else
    hi = math.log2(K) if base == 2 else lk * f
    lo = 0.0
    if f < 0:
        lo, hi = hi, 0.0
    slack = 0.0 if base in (None, 2) else math.ulp(abs(lk * f))
    assert lo - slack <= got <= hi + slack, f"{measure}{where}: {got!r} outside [{lo!r}, {hi!r}]"
    return err / b if b > 0 else 0.0
