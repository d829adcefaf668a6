"""50-digit mpmath oracles for the exact measures, and the one accuracy bound.

Every oracle takes ONE distribution (1-D sequences of Python floats: the exact
doubles the kernel read, float32 values converted exactly; the caller loops
over rows), plus ``logits=False`` and ``normalize=True`` as the public
functions do, and returns ``(value, scale)`` as mpmath numbers computed with
``mpmath.workdps(50)``:

* ``value`` is the exact measure in nats (``mpmath.inf`` where the measure is
  +inf).  With ``normalize=True`` each input is divided by its exact sum; with
  ``normalize=False`` the values are used as given; with ``logits=True`` the
  input is the softmax of the exact doubles, formed in mpmath from exact
  differences ``z_i - max z`` and a log-sum-exp (mpmath's unbounded exponent
  range represents ``exp(-2e308)``; a finite value may exceed DBL_MAX, e.g. a
  KL divergence of 2e308, whose correctly rounded double is +inf).
* ``scale`` is what the accuracy bound is relative to:

  - entropy, cross-entropy, KL, JS, TV (and Hellinger): the sum of |terms| of
    the normalized distributions; terms are ``-pn log pn``, ``-pn log qn``,
    ``pn log(pn/qn)``, ``0.5 (pn log(pn/m) + qn log(qn/m))`` with
    ``m = (pn + qn)/2``, ``0.5 |pn - qn|``, ``0.5 (sqrt pn - sqrt qn)**2``;
  - Renyi, finite alpha other than 0 and 1:
    ``(max_i |alpha log pn_i| + max_i |(1 - alpha) log qn_i|) / |1 - alpha|``
    over the indices that contribute (pn > 0 and qn > 0; entropy:
    ``max_i |alpha log pn_i| / |1 - alpha|`` over pn > 0); alpha = 0 and
    alpha = inf use the limits of that formula (divergence alpha = 0:
    ``max |log qn|``; entropy alpha = 0: 0; alpha = inf:
    ``max |log pn| + max |log qn|``, entropy ``max |log pn|``); alpha = 1 is
    Shannon/KL with their scale.

``js_distance`` and ``hellinger`` return the SQUARED distance's value and
scale: the caller compares ``got**2`` (``check`` does it for them).

Conventions: 0 log 0 = 0; p > 0 with q = 0 gives +inf for KL, cross-entropy
and Renyi divergence with alpha > 1 or alpha = inf; a Renyi divergence with
alpha < 1 is +inf when no index has p > 0 and q > 0; alpha = 0 gives the
entropy ``log #{p > 0}`` and the divergence ``-log sum_{p > 0} qn``; alpha = 1
is Shannon/KL; alpha = inf gives ``-log max pn`` and ``log max_{p > 0} pn/qn``.
-0.0 is a zero like +0.0.

normalize=False: the values are used as given (their sums are only within the
documented tolerance of 1).  Renyi measures of a finite order other than 0 and 1
are then divided by the sum of p inside the log, ``log(sum p^a q^(1-a) / sum p)
/ (a - 1)`` and ``log(sum p^a / sum p) / (1 - a)`` (the definition for
measures that are not normalized): without it a sum off 1 by d moves the value
by about d / |1 - a|, which grows without bound as a -> 1, while with it the
order-a value tends to the order-1 value (KL, Shannon) as a -> 1.

THE ACCURACY BOUND (``check``), with ``value`` and ``scale`` in the result's
unit (``base``: both divided by ``log(base)``, the scale by its modulus) and
``got`` the result (its square for js_distance and hellinger):

* |got - value| <= per_value * |value| + per_scale * scale + floor, with the
  coefficients of ``fdtest.tolerance`` (its section 2, where each is
  explained): ``ORACLE_F64`` for float64 input, ``ORACLE_RENYI_F64`` for
  Renyi of a finite order other than 1 (alpha = 0 and alpha = inf included),
  ``ORACLE_F32`` and ``ORACLE_RENYI_F32`` for float32 input (evaluated in
  float32, accumulated in float64; float32 means every array input is
  float32, of either byte order).  ``tolerance`` below gives the number.
* where value is +inf, got must be +inf (-inf for a base below 1); where value
  is finite, got must be finite, except that a finite value whose magnitude
  exceeds DBL_MAX by more than the bound must give inf (that is its rounding),
  and one within the bound of DBL_MAX may give either; got is never NaN.
* got must lie in the measure's range, in the given base: >= 0 (<= 0 for a
  base below 1); JS <= log 2; js_distance <= sqrt(log 2); TV and Hellinger in
  [0, 1]; entropy and Renyi entropy <= log K.  The range ends are the
  correctly rounded doubles; in nats and in base 2 they are exact (base-2 JS
  and js_distance <= 1, base-2 entropy of 8 outcomes <= 3); for other bases
  one ulp of slack is allowed, because a result in base b is the nats value
  times the double 1/log(b), a second rounding.  The comparison is with the
  value clamped into the range: with normalize=False the measure of the
  values as given can leave the range by the sum's tolerance.

PAIRWISE (``fastdiv.pairwise``): ``pairwise_ref`` loops the oracles above over
every pair of rows and ``check_pairwise`` holds a result matrix to THE
ACCURACY BOUND entry by entry.  ``term_scale`` is the float64 sum of |terms|
of every pair at once and ``check_shortcut`` the bound of a shortcut metric
against the one-pair results (``fdtest.tolerance.shortcut_bound``).
"""

import math

import mpmath
import numpy as np

from fdtest.tolerance import oracle_bound

DPS = 50
INF = mpmath.inf

__all__ = [
    "DPS",
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
    "ORACLES",
    "tolerance",
    "check",
    "in_base",
    "pairwise_ref",
    "check_pairwise",
    "term_scale",
    "check_shortcut",
]

SQUARED = frozenset({"js_distance", "hellinger"})


# --------------------------------------------------------------------------
# distributions
# --------------------------------------------------------------------------


def _mp(x):
    """An exact mpf of a Python/NumPy real (float, int, bool, float32)."""
    if isinstance(x, (bool, np.bool_)):
        return mpmath.mpf(int(x))
    if isinstance(x, (int, np.integer)):
        return mpmath.mpf(int(x))
    return mpmath.mpf(float(x))


def _dist(x, logits, normalize, logs=True):
    """[(pn, log pn or None)] for one input; call inside workdps.  With
    logs=False (and not logits) the logs are left out (None)."""
    x = [_mp(v) for v in x]
    if not x:
        raise ValueError("empty distribution")
    if any(not mpmath.isfinite(v) for v in x):
        raise ValueError("non-finite entry")
    if logits:
        zmax = max(x)
        d = [mpmath.fsub(v, zmax, exact=True) for v in x]
        ls = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in d))
        out = []
        for v in d:
            lp = v - ls
            out.append((mpmath.exp(lp), lp))
        return out
    if any(v < 0 for v in x):
        raise ValueError("negative entry")
    if normalize:
        s = mpmath.fsum(x)
        if s == 0:
            raise ValueError("zero sum")
        if not logs:
            return [(v / s, None) for v in x]
        ls = mpmath.log(s)
        return [(v / s, mpmath.log(v) - ls) if v else (mpmath.mpf(0), None) for v in x]
    return [(v, mpmath.log(v) if v and logs else None) for v in x]


def _pair(p, q, logits, normalize, logs=True):
    P = _dist(p, logits, normalize, logs)
    Q = _dist(q, logits, normalize, logs)
    if len(P) != len(Q):
        raise ValueError("p and q differ in length")
    return P, Q


def _sum(terms):
    terms = list(terms)
    return mpmath.fsum(terms), mpmath.fsum(abs(t) for t in terms)


# --------------------------------------------------------------------------
# Shannon family
# --------------------------------------------------------------------------


def entropy(p, *, logits=False, normalize=True):
    """H(P) = -sum pn log pn: (value, sum |terms|)."""
    with mpmath.workdps(DPS):
        P = _dist(p, logits, normalize)
        return _sum(-pn * lp for pn, lp in P if pn)


def cross_entropy(p, q, *, logits=False, normalize=True):
    """H(P, Q) = -sum pn log qn: (value, sum |terms|); +inf if some pn > 0 = qn."""
    with mpmath.workdps(DPS):
        P, Q = _pair(p, q, logits, normalize)
        if any(pn and not qn for (pn, _), (qn, _) in zip(P, Q)):
            return INF, INF
        return _sum(-pn * lq for (pn, _), (_, lq) in zip(P, Q) if pn)


def kl_divergence(p, q, *, logits=False, normalize=True):
    """D(P || Q) = sum pn log(pn/qn): (value, sum |terms|); +inf if some pn > 0 = qn."""
    with mpmath.workdps(DPS):
        P, Q = _pair(p, q, logits, normalize)
        if any(pn and not qn for (pn, _), (qn, _) in zip(P, Q)):
            return INF, INF
        return _sum(pn * (lp - lq) for (pn, lp), (_, lq) in zip(P, Q) if pn)


def _js_terms(P, Q):
    half = mpmath.mpf("0.5")
    for (pn, lp), (qn, lq) in zip(P, Q):
        if not (pn or qn):
            continue
        lm = mpmath.log((pn + qn) * half)
        t = 0
        if pn:
            t += pn * (lp - lm)
        if qn:
            t += qn * (lq - lm)
        yield half * t


def js_divergence(p, q, *, logits=False, normalize=True):
    """JS(P, Q) = 0.5 KL(P || M) + 0.5 KL(Q || M), M = (P + Q)/2: (value, sum |terms|)."""
    with mpmath.workdps(DPS):
        P, Q = _pair(p, q, logits, normalize)
        return _sum(_js_terms(P, Q))


def js_distance(p, q, *, logits=False, normalize=True):
    """The SQUARED Jensen-Shannon distance, i.e. JS(P, Q): (value, scale) of JS.

    The caller compares ``got**2`` with ``value``."""
    return js_divergence(p, q, logits=logits, normalize=normalize)


def total_variation(p, q, *, logits=False, normalize=True):
    """TV(P, Q) = 0.5 sum |pn - qn|: (value, sum |terms|)."""
    with mpmath.workdps(DPS):
        P, Q = _pair(p, q, logits, normalize, logs=False)
        half = mpmath.mpf("0.5")
        return _sum(half * abs(pn - qn) for (pn, _), (qn, _) in zip(P, Q))


def hellinger(p, q, *, logits=False, normalize=True):
    """The SQUARED Hellinger distance 0.5 sum (sqrt pn - sqrt qn)**2: (value, sum |terms|).

    The caller compares ``got**2`` with ``value``."""
    with mpmath.workdps(DPS):
        P, Q = _pair(p, q, logits, normalize, logs=False)
        half = mpmath.mpf("0.5")
        return _sum(
            half * (mpmath.sqrt(pn) - mpmath.sqrt(qn)) ** 2 for (pn, _), (qn, _) in zip(P, Q)
        )


# --------------------------------------------------------------------------
# Renyi
# --------------------------------------------------------------------------


def _alpha(alpha):
    a = _mp(alpha)
    if not a >= 0:
        raise ValueError("alpha must be >= 0")
    return a


def renyi_entropy(p, alpha, *, logits=False, normalize=True):
    """H_alpha(P) = log(sum pn**alpha) / (1 - alpha): (value, scale); see the module doc."""
    with mpmath.workdps(DPS):
        a = _alpha(alpha)
        if a == 1:
            return entropy(p, logits=logits, normalize=normalize)
        P = [(pn, lp) for pn, lp in _dist(p, logits, normalize) if pn]
        if a == 0:
            return mpmath.log(len(P)), mpmath.mpf(0)
        if a == INF:
            return -max(lp for _, lp in P), max(abs(lp) for _, lp in P)
        s = mpmath.fsum(mpmath.exp(a * lp) for _, lp in P)
        sp = mpmath.fsum(pn for pn, _ in P)  # 1 unless normalize=False
        value = (mpmath.log(s) - mpmath.log(sp)) / (1 - a)
        scale = max(abs(a * lp) for _, lp in P) / abs(1 - a)
        return value, scale


def renyi_divergence(p, q, alpha, *, logits=False, normalize=True):
    """D_alpha(P || Q) = log(sum pn**alpha qn**(1 - alpha)) / (alpha - 1): (value, scale).

    +inf for alpha > 1 (or inf) where some pn > 0 = qn, and for alpha < 1 when
    no index has pn > 0 and qn > 0; see the module doc for the scale."""
    with mpmath.workdps(DPS):
        a = _alpha(alpha)
        if a == 1:
            return kl_divergence(p, q, logits=logits, normalize=normalize)
        P, Q = _pair(p, q, logits, normalize)
        if a > 1 and any(pn and not qn for (pn, _), (qn, _) in zip(P, Q)):
            return INF, INF
        both = [(lp, lq) for (pn, lp), (qn, lq) in zip(P, Q) if pn and qn]
        if not both:
            return INF, INF
        if a == 0:
            s = mpmath.fsum(qn for (pn, _), (qn, _) in zip(P, Q) if pn)
            return -mpmath.log(s), max(abs(lq) for _, lq in both)
        if a == INF:
            value = max(lp - lq for lp, lq in both)
            return value, max(abs(lp) for lp, _ in both) + max(abs(lq) for _, lq in both)
        s = mpmath.fsum(mpmath.exp(a * lp + (1 - a) * lq) for lp, lq in both)
        sp = mpmath.fsum(pn for pn, _ in P)  # 1 unless normalize=False
        value = (mpmath.log(s) - mpmath.log(sp)) / (a - 1)
        scale = (
            max(abs(a * lp) for lp, _ in both) + max(abs((1 - a) * lq) for _, lq in both)
        ) / abs(1 - a)
        return value, scale


# --------------------------------------------------------------------------
# elementwise
# --------------------------------------------------------------------------


def self_information(x):
    """-log x of one probability x in [0, 1]: (value, |value|); +inf for x = 0."""
    with mpmath.workdps(DPS):
        v = _mp(x)
        if not 0 <= v <= 1:
            raise ValueError("not a probability")
        if v == 0:
            return INF, INF
        value = -mpmath.log(v)
        return value, abs(value)


ORACLES = {
    "entropy": entropy,
    "cross_entropy": cross_entropy,
    "kl_divergence": kl_divergence,
    "js_divergence": js_divergence,
    "js_distance": js_distance,
    "total_variation": total_variation,
    "hellinger": hellinger,
    "renyi_entropy": renyi_entropy,
    "renyi_divergence": renyi_divergence,
    "self_information": self_information,
}


# --------------------------------------------------------------------------
# the bound
# --------------------------------------------------------------------------

_DBL_MAX = np.finfo(np.float64).max


def _renyi_bound(measure, alpha):
    return measure.startswith("renyi") and alpha is not None and float(alpha) != 1.0


def in_base(value, scale, base):
    """(value, scale) in nats -> in the unit of ``base`` (None: nats)."""
    if base is None:
        return value, scale
    with mpmath.workdps(DPS):
        lb = mpmath.log(_mp(base))
        return value / lb, scale / abs(lb)


def tolerance(value, scale, dtype, *, measure, alpha=None):
    """The allowed |got - value| (same unit as value and scale), as a float:
    the bound of ``fdtest.tolerance.oracle_bound``."""
    v = abs(float(value)) if mpmath.isfinite(value) else math.inf
    s = float(scale)
    return oracle_bound(dtype, renyi=_renyi_bound(measure, alpha))(v, s)


def _range(measure, base, K):
    """(lo, hi, exact_ends) of the result in the given base (not squared)."""
    b = None if base is None else float(base)
    if measure in ("total_variation", "hellinger"):
        return 0.0, 1.0, True
    with mpmath.workdps(DPS):
        lb = mpmath.mpf(1) if b is None else mpmath.log(mpmath.mpf(b))
        exact = b is None or b == 2.0
        if measure == "js_divergence":
            hi = mpmath.log(2) / lb
        elif measure == "js_distance":
            hi = mpmath.sqrt(mpmath.log(2) / lb) if lb > 0 else mpmath.nan
        elif measure in ("entropy", "renyi_entropy") and K is not None:
            hi = mpmath.log(K) / lb
        else:
            hi = INF if lb > 0 else -INF
        hi = float(hi)
    lo = 0.0
    if hi < 0:  # a base below 1 turns the range around
        lo, hi = hi, 0.0
    return lo, hi, exact


def check(got, value, scale, dtype, *, measure, alpha=None, base=None, K=None, where=""):
    """Assert that ``got`` (one result, a float) meets THE ACCURACY BOUND.

    ``value, scale``: an oracle's output in nats (squared for js_distance and
    hellinger); ``dtype``: the computation dtype (float32 only if every array
    input is float32); ``measure``: the public function's name; ``alpha`` for
    Renyi; ``base`` as passed to the function; ``K`` the support length (for
    the entropy range).  Raises AssertionError with a report; returns the
    error ratio |got - value| / tolerance (0 for matching infinities)."""
    got = float(got)
    tag = f"{measure}{where}: got {got!r}"
    if math.isnan(got):
        raise AssertionError(f"{tag}: NaN (expected {mpmath.nstr(value, 17)})")
    lo, hi, exact = _range(measure, base, K)
    lo_ok = got >= lo if exact or lo == 0.0 else got >= np.nextafter(lo, -math.inf)
    hi_ok = got <= hi if exact or hi == 0.0 else got <= np.nextafter(hi, math.inf)
    if not (lo_ok and hi_ok):
        raise AssertionError(f"{tag} outside the range [{lo!r}, {hi!r}]")
    with mpmath.workdps(DPS):
        v, s = in_base(value, scale, base)
        if not mpmath.isfinite(v):
            want = math.inf if v > 0 else -math.inf
            if got != want:
                raise AssertionError(f"{tag}, expected {want!r}")
            return 0.0
        # the exact value clamped into the range (squared for js_distance, hellinger)
        sq = measure in SQUARED
        clo, chi = (lo * lo, hi * hi) if sq else (lo, hi)
        vc = min(max(v, mpmath.mpf(clo)), mpmath.mpf(chi))
        tol = tolerance(vc, s, dtype, measure=measure, alpha=alpha)
        if math.isinf(got):
            if abs(vc) - tol > _DBL_MAX or (abs(vc) + tol >= _DBL_MAX and (got > 0) == (vc > 0)):
                return 0.0
            raise AssertionError(
                f"{tag}, expected the finite {mpmath.nstr(vc, 17)} (bound {tol:.3g})"
            )
        if abs(vc) - tol > _DBL_MAX:
            raise AssertionError(f"{tag}, expected inf (exact {mpmath.nstr(vc, 17)} > DBL_MAX)")
        g = mpmath.mpf(got) ** 2 if sq else mpmath.mpf(got)
        err = abs(g - vc)
        ratio = float(err / tol) if tol else (0.0 if err == 0 else math.inf)
        if not err <= tol:
            what = "got**2" if sq else "got"
            raise AssertionError(
                f"{tag} ({what} {mpmath.nstr(g, 17)}), exact {mpmath.nstr(vc, 17)}, "
                f"error {mpmath.nstr(err, 3)} > bound {tol:.3g} "
                f"(scale {mpmath.nstr(s, 3)}, {np.dtype(dtype).name}"
                f"{'' if alpha is None else f', alpha={alpha!r}'}"
                f"{'' if base is None else f', base={base!r}'}; {ratio:.3g}x the bound)"
            )
        return ratio


# --------------------------------------------------------------------------
# pairwise: every pair of rows
# --------------------------------------------------------------------------


def _rows(x):
    """The rows of a 2-D array as lists of exact Python floats (float32 values
    converted exactly; any byte order or layout)."""
    a = np.asarray(x)
    if a.dtype.kind in "iub":
        a = a.astype(np.float64)
    return [r.tolist() for r in a.astype(np.float64)]


def pairwise_ref(P, Q, metric, *, alpha=None, logits=False, normalize=True):
    """The oracle of ``metric`` over every pair of rows: ``(values, scales)``,
    two lists of m lists of n mpmath numbers (nats; squared for js_distance
    and hellinger, as the one-pair oracles).  ``Q=None`` means ``Q = P``."""
    f = ORACLES[metric]
    rp = _rows(P)
    rq = rp if Q is None else _rows(Q)
    extra = () if alpha is None else (alpha,)
    values, scales = [], []
    for p in rp:
        vs, ss = [], []
        for q in rq:
            v, sc = f(p, q, *extra, logits=logits, normalize=normalize)
            vs.append(v)
            ss.append(sc)
        values.append(vs)
        scales.append(ss)
    return values, scales


def check_pairwise(
    got, P, Q, metric, *, alpha=None, base=None, logits=False, normalize=True, dtype=None
):
    """Assert THE ACCURACY BOUND for every entry of ``got`` = ``pairwise(P, Q,
    metric=metric, ...)`` (``Q=None``: P against itself).  ``dtype``: the
    computation dtype (default: float32 if every input is float32).  Returns
    the largest error / bound ratio."""
    got = np.asarray(got)
    qs = [] if Q is None else [np.asarray(Q)]
    if dtype is None:
        f32 = all(a.dtype.kind == "f" and a.dtype.itemsize == 4 for a in [np.asarray(P), *qs])
        dtype = np.float32 if f32 else np.float64
    values, scales = pairwise_ref(P, Q, metric, alpha=alpha, logits=logits, normalize=normalize)
    K = np.shape(P)[1]
    worst = 0.0
    for i, (vs, ss) in enumerate(zip(values, scales)):
        for j, (v, sc) in enumerate(zip(vs, ss)):
            r = check(
                got[i, j],
                v,
                sc,
                dtype,
                measure=metric,
                alpha=None if alpha is None else float(alpha),
                base=base,
                K=K,
                where=f" [{i}, {j}]",
            )
            worst = max(worst, r)
    return worst


def _normalized_rows(x, normalize):
    x = np.asarray(x).astype(np.float64)
    if not normalize or x.size == 0:
        return x
    # divided by the row's largest entry first: sums beyond DBL_MAX stay finite
    x = x / np.max(x, axis=1, keepdims=True)
    return x / x.sum(axis=1, keepdims=True)


def term_scale(metric, P, Q=None, *, normalize=True, base=None):
    """The sum of |terms| of every pair, in float64, as an (m, n) array (Q=None:
    Q = P), in the unit of ``base``: the scale of the pairwise shortcut bound.

    Terms of the normalized rows pn, qn (the values as given with
    normalize=False): ``pn log(pn/qn)`` (kl_divergence), ``-pn log qn``
    (cross_entropy), over pn > 0, +inf where pn > 0 = qn; ``0.5 (sqrt pn -
    sqrt qn)**2`` (hellinger: the scale of its square, unit-free)."""
    pn = _normalized_rows(P, normalize)[:, None, :]
    qn = _normalized_rows(P if Q is None else Q, normalize)[None, :, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric == "hellinger":
            return (0.5 * (np.sqrt(pn) - np.sqrt(qn)) ** 2).sum(axis=-1)
        if metric == "kl_divergence":
            t = np.where(pn > 0, pn * (np.log(pn) - np.log(qn)), 0.0)
        elif metric == "cross_entropy":
            t = np.where(pn > 0, -pn * np.log(qn), 0.0)
        else:
            raise ValueError(f"no shortcut scale for {metric!r}")
    s = np.abs(t).sum(axis=-1)
    s[np.any((pn > 0) & (qn == 0), axis=-1)] = np.inf
    return s if base is None else s / abs(math.log(base))


def check_shortcut(got, one_pair, scale, metric, *, bound, base=None, where=""):
    """Assert the pairwise shortcut bound entry by entry: ``got`` against the
    one-pair results ``one_pair`` (arrays of one shape), ``|got - one_pair|
    <= bound.per_scale * scale + bound.floor`` (a ``fdtest.tolerance.Bound``,
    ``shortcut_bound``; hellinger: ``|got - one_pair| (got + one_pair)``, the
    difference of the squares), +inf exactly where one_pair is +inf, never
    NaN, never negative (``base`` below 1: never positive, -inf for +inf).
    Returns the largest error / bound ratio."""
    sign = -1.0 if base is not None and base < 1 else 1.0
    got = sign * np.asarray(got, dtype=np.float64)
    one = sign * np.asarray(one_pair, dtype=np.float64)
    scale = np.broadcast_to(np.asarray(scale, dtype=np.float64), got.shape)
    with np.errstate(invalid="ignore", over="ignore"):
        finite = np.isfinite(got) & np.isfinite(one)
        err = np.where(finite, np.abs(got - one), 0.0)
        if metric == "hellinger":
            err = err * np.where(finite, got + one, 0.0)
        tol = bound.per_scale * scale + bound.floor
        bad_value = np.isnan(got) | (got < 0) | (np.isinf(got) != np.isinf(one))
        bad_value |= np.isinf(got) & (got != one)
        bad = bad_value | (finite & ~(err <= tol))
        ratio = np.where(finite & (err > 0), err / np.where(tol > 0, tol, 1.0), 0.0)
        ratio = np.where(finite & (err > 0) & (tol == 0), np.inf, ratio)
    problems = []
    for idx in zip(*np.nonzero(bad)):
        g, w = float(got[idx]), float(one[idx])
        tag = f"{metric}{where} {[int(i) for i in idx]}: got {g!r}, one-pair call {w!r}"
        if bad_value[idx]:
            problems.append(f"{tag}: NaN, negative, or +inf not matching")
        else:
            problems.append(
                f"{tag}: error {err[idx]:.3g} > {bound.per_scale:g} x sum|terms| "
                f"{scale[idx]:.3g} + {bound.floor:g} "
                f"({ratio[idx]:.3g}x the bound)"
            )
        if len(problems) >= 8:
            problems.append(f"... {int(bad.sum())} entries out of bound in all")
            break
    if problems:
        raise AssertionError("\n".join(problems))
    return float(ratio.max()) if ratio.size else 0.0
