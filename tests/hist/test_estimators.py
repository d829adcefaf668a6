"""The plug-in estimates of ``fastdiv.hist`` (entropy, mutual_information,
kl_divergence, js_divergence) against values computed by hand from NumPy's
histograms.

What they are held to: the formulas of the spec, evaluated in 40-digit
mpmath on NumPy's counts and edges (``fdtest.hist_reference``), within its
bound (1e-13 of the sum of the moduli of the logs involved, plus 2e-15;
float32 edges: with exact or float32 widths); KL and JS also against SciPy
(``scipy.special.rel_entr`` summed with ``math.fsum``,
``scipy.spatial.distance.jensenshannon(p, q) ** 2``) within ``SCIPY_RTOL``
of the same scale, SciPy's own float64 rounding included.  The exact
statements of the spec are asserted as such: KL = +inf where q has an empty
bin that p does not, KL(x, x) = 0, JS in [0, log 2], MI >= 0 without a
correction, results are numpy.float64, other shapes are read flat (bit for
bit as the flat input), the inputs are never modified.
"""

import math

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.special import rel_entr

from fastdiv import hist as H
from fdtest import hist_reference as R

MM = R.MM
#: SciPy's float64 evaluation against fastdiv's, relative to the scale of
#: the logs (each side within ~1e-15 of it; SciPy's sqrt-then-square adds
#: an ulp): a wide margin that still catches a wrong term
SCIPY_RTOL = 1e-12
BASES = [None, 2, 10, 0.5, math.e]


def sample(seed, n=3000, dtype="<f8"):
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, n)
    x[::17] = 0.0
    return x.astype(dtype)


def pair(seed, n=3000, rho=0.6, dx="<f8", dy="<f8"):
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, n)
    y = rho * x + math.sqrt(1 - rho * rho) * rng.normal(0.0, 1.0, n)
    x[::19] = 0.5
    return x.astype(dx), y.astype(dy)


# --------------------------------------------------------------------------
# entropy
# --------------------------------------------------------------------------

ENTROPY_BINS = [1, 5, 10, 64, *R.RULES, "edges"]
EDGES = np.array([-4.0, -1.0, -0.3, 0.0, 0.1, 0.5, 2.0, 5.0])


def bins_of(b):
    return EDGES if isinstance(b, str) and b == "edges" else b


@pytest.mark.parametrize("bins", ENTROPY_BINS)
@pytest.mark.parametrize("dtype", ["<f8", ">f4"])
@pytest.mark.parametrize("rng_", [None, (-1.5, 2.0)])
def test_entropy(bins, dtype, rng_):
    x = sample(len(str(bins)), 3000, dtype)
    b = bins_of(bins)
    counts, edges = R.np_histogram(x, b, rng_)
    for base in BASES:
        for corr in (None, MM):
            got = H.entropy(x, b, rng_, base=base, correction=corr)
            R.check_entropy(got, counts, edges, f"{bins} {dtype} {base} {corr}", base=base,
                            correction=corr)  # fmt: skip


@pytest.mark.parametrize("value", [3.25, -1e-3, 1e6])
@pytest.mark.parametrize("bins", [1, 4, "auto", "fd"])
def test_entropy_one_value(value, bins):
    # NumPy's +-0.5: one occupied bin, of width 1 / nbins: H = log(1 / nbins)
    x = np.full(50, value)
    counts, edges = R.np_histogram(x, bins)
    got = H.entropy(x, bins)
    R.check_entropy(got, counts, edges, "one value")
    assert got == pytest.approx(math.log(1.0 / (len(edges) - 1)), rel=1e-14, abs=1e-15)
    assert H.entropy(x, bins, correction=MM) == got  # m = 1: no offset


def test_entropy_of_the_input_kinds():
    x = sample(1, 600)
    ref = H.entropy(x, 12)
    R.check_entropy(ref, *R.np_histogram(x, 12), "flat")
    # other shapes, layouts, lists: read flat, the same counts, the same value
    x2 = x.reshape(20, 30)
    for v in (x2, np.asfortranarray(x2).T.copy().T, x.astype(">f8"), x.tolist(), x[::-1]):
        assert H.entropy(v, 12) == ref
    xi = np.random.default_rng(1).integers(0, 30, 800)
    R.check_entropy(H.entropy(xi, 7), *R.np_histogram(xi, 7), "ints")
    assert H.entropy(xi, 7) == H.entropy(xi.astype(np.float64), 7)


def test_entropy_miller_madow_offset():
    x = sample(2, 1000)
    for bins in (5, 40, "auto"):
        counts, _ = R.np_histogram(x, bins)
        m, n = int(np.count_nonzero(counts)), int(counts.sum())
        for base in (None, 2):
            h = H.entropy(x, bins, base=base)
            hm = H.entropy(x, bins, base=base, correction=MM)
            off = (m - 1) / (2 * n) / (math.log(base) if base else 1.0)
            assert hm - h == pytest.approx(off, rel=1e-12, abs=1e-15)


def test_entropy_counts_only_samples_in_range():
    x = sample(3, 2000)
    rng_ = (0.0, 1.0)
    inside = x[(x >= 0.0) & (x <= 1.0)]
    # the edges and counts of the range are those of the samples inside it
    assert H.entropy(x, 8, rng_) == H.entropy(inside, 8, rng_)
    R.check_entropy(H.entropy(x, 8, rng_), *R.np_histogram(x, 8, rng_), "range")


# --------------------------------------------------------------------------
# mutual information
# --------------------------------------------------------------------------

MI_BINS = {
    "int": 10,
    "one": 1,
    "pair": [4, 9],
    "edges": EDGES,
    "edges-pair": [EDGES, np.array([-3.0, -0.5, 0.5, 3.0])],
    "int-edges": [6, EDGES],
}


@pytest.mark.parametrize("bins", list(MI_BINS))
@pytest.mark.parametrize("dtypes", [("<f8", "<f8"), ("<f4", ">f8")])
@pytest.mark.parametrize("rng_", [None, [[-1.0, 1.5], [-2.0, 2.0]]])
def test_mutual_information(bins, dtypes, rng_):
    x, y = pair(3, 4000, 0.6, *dtypes)
    b = MI_BINS[bins]
    counts = R.np_histogram2d(x, y, b, rng_)[0]
    for base in BASES:
        for corr in (None, MM):
            got = H.mutual_information(x, y, b, rng_, base=base, correction=corr)
            R.check(
                got,
                R.mutual_information(counts, base=base, correction=corr),
                f"{bins} {base} {corr}",
            )
            if corr is None:
                assert got * (1 if base is None or base > 1 else -1) >= 0.0


def test_mutual_information_never_negative():
    # near independence the plug-in value is tiny: clamped at 0, never below
    rng = np.random.default_rng(4)
    for seed in range(20):
        x, y = rng.random(200 + seed), rng.random(200 + seed)
        for bins in (1, 2, 3, [2, 5]):
            v = H.mutual_information(x, y, bins)
            assert v >= 0.0, (seed, bins, v)
            R.check(v, R.mutual_information(R.np_histogram2d(x, y, bins)[0]), "independent")


def test_mutual_information_exact_product_table():
    # counts [[1, 1], [1, 1]]: MI = 0; Miller-Madow adds (2 + 2 - 4 - 1) / 8 = -1/8
    x, y = np.array([0.0, 0.0, 1.0, 1.0]), np.array([0.0, 1.0, 0.0, 1.0])
    v = H.mutual_information(x, y, 2)
    assert 0.0 <= v <= R.FLOOR
    assert H.mutual_information(x, y, 2, correction=MM) == pytest.approx(-0.125, abs=R.FLOOR)


def test_mutual_information_of_a_function():
    # y maps bin k of x to bin 7 - k of y (the samples at the bins' centres):
    # MI = the entropy of the x counts
    k = np.random.default_rng(5).integers(0, 8, 5000)
    x = (k + 0.5) / 8
    y = 3.0 - 2.0 * x
    rng_ = [[0.0, 1.0], [1.0, 3.0]]
    counts = R.np_histogram2d(x, y, 8, rng_)[0]
    assert np.count_nonzero(counts) == 8
    got = H.mutual_information(x, y, 8, rng_)
    R.check(got, R.mutual_information(counts), "function")
    p = np.bincount(k) / k.size
    assert got == pytest.approx(-math.fsum((p * np.log(p)).tolist()), rel=1e-13)


def test_mutual_information_symmetric():
    x, y = pair(6, 3000, 0.4)
    for bins, rng_ in [
        (10, None),
        ([4, 9], None),
        ([EDGES, 6], None),
        ([7, 3], [[-1.0, 1.0], [-2.0, 0.5]]),
    ]:
        a = H.mutual_information(x, y, bins, rng_)
        sb = bins[::-1] if isinstance(bins, list) else bins
        sr = rng_[::-1] if rng_ is not None else None
        b = H.mutual_information(y, x, sb, sr)
        # two sums of the same terms in another order
        assert a == pytest.approx(b, rel=1e-13, abs=R.FLOOR), (bins, a, b)


def test_mutual_information_reads_flat():
    x, y = pair(7, 600)
    ref = H.mutual_information(x, y, 6)
    assert H.mutual_information(x.reshape(20, 30), y.reshape(20, 30), 6) == ref
    assert H.mutual_information(x.tolist(), y[::-1][::-1], 6) == ref


# --------------------------------------------------------------------------
# KL and JS
# --------------------------------------------------------------------------


def shared_counts(x, y, bins, rng_=None):
    """The counts of x and y on numpy.histogram_bin_edges of both (or the edges given)."""
    if isinstance(bins, np.ndarray):
        edges = bins
    else:
        edges = R.np_edges(np.concatenate([np.ravel(x), np.ravel(y)]), bins, rng_)
    return R.np_histogram(x, edges)[0], R.np_histogram(y, edges)[0]


def scipy_kl(cx, cy):
    p, q = cx / cx.sum(), cy / cy.sum()
    return math.fsum(rel_entr(p, q).tolist())


def scipy_js(cx, cy):
    return float(jensenshannon(cx / cx.sum(), cy / cy.sum())) ** 2


DIV_BINS = [1, 10, 64, *R.RULES, "edges"]


@pytest.mark.parametrize("bins", DIV_BINS)
@pytest.mark.parametrize("rng_", [None, (-2.0, 2.5)])
@pytest.mark.parametrize("dtypes", [("<f8", "<f8"), ("<f4", ">f8")])
def test_kl_and_js(bins, rng_, dtypes):
    rng = np.random.default_rng(8)
    x = rng.normal(0.0, 1.0, 4000).astype(dtypes[0])
    y = rng.normal(0.2, 1.3, 2500).astype(dtypes[1])  # wider: q covers p's bins
    b = bins_of(bins)
    cx, cy = shared_counts(x, y, b, rng_)
    for base in BASES:
        scale = math.log(base) if base else 1.0
        kl = H.kl_divergence(x, y, b, rng_, base=base)
        want = R.kl_divergence(cx, cy, base=base)
        R.check(kl, want, f"KL {bins} {base}")
        if math.isfinite(want[0]):
            assert kl == pytest.approx(scipy_kl(cx, cy) / scale, rel=SCIPY_RTOL, abs=R.FLOOR)
        js = H.js_divergence(x, y, b, rng_, base=base)
        R.check(js, R.js_divergence(cx, cy, base=base), f"JS {bins} {base}")
        assert js == pytest.approx(scipy_js(cx, cy) / scale, rel=SCIPY_RTOL, abs=R.FLOOR)


def test_kl_infinite_where_q_has_an_empty_bin():
    x = np.random.default_rng(9).normal(0.0, 1.0, 1000)
    y = x[x < 0.5]  # y has nothing where x has samples above 0.5
    cx, cy = shared_counts(x, y, 10)
    assert np.any((cx > 0) & (cy == 0))
    assert H.kl_divergence(x, y, 10) == math.inf
    assert H.kl_divergence(x, y, 10, base=2) == math.inf
    # the other way round every bin of y is a bin of x: finite
    R.check(H.kl_divergence(y, x, 10), R.kl_divergence(cy, cx), "KL(y, x)")
    js = H.js_divergence(x, y, 10)
    assert math.isfinite(js) and 0.0 <= js <= math.log(2)
    R.check(js, R.js_divergence(cx, cy), "JS")


def test_same_sample_gives_zero():
    x = sample(10, 2000)
    for bins in (10, "auto", EDGES):
        assert H.kl_divergence(x, x, bins) == 0.0
        assert H.kl_divergence(x, x.copy(), bins, base=2) == 0.0
        assert 0.0 <= H.js_divergence(x, x, bins) <= R.FLOOR


def test_disjoint_samples():
    # no bin in common: JS = log 2 (its maximum), KL = inf
    x = np.linspace(0.0, 1.0, 100)
    y = np.linspace(2.0, 3.0, 70)
    assert H.kl_divergence(x, y, 6) == math.inf
    js = H.js_divergence(x, y, 6)
    assert js == pytest.approx(math.log(2), rel=1e-15) and js <= math.log(2)
    assert H.js_divergence(x, y, 6, base=2) == pytest.approx(1.0, rel=1e-15)


def test_js_symmetric():
    rng = np.random.default_rng(11)
    x, y = rng.normal(0, 1, 3000), rng.normal(0.5, 2, 1700)
    for bins in (10, "fd", EDGES):
        a, b = H.js_divergence(x, y, bins), H.js_divergence(y, x, bins)
        assert a == pytest.approx(b, rel=1e-14, abs=R.FLOOR)
        assert 0.0 <= a <= math.log(2)


def test_range_counts_only_samples_inside():
    rng = np.random.default_rng(12)
    x, y = rng.normal(0, 1, 3000), rng.normal(0.1, 1.2, 3000)
    rng_ = (-1.0, 1.0)
    cx, cy = shared_counts(x, y, 8, rng_)
    assert cx.sum() < x.size and cy.sum() < y.size
    R.check(H.kl_divergence(x, y, 8, rng_), R.kl_divergence(cx, cy), "KL range")
    R.check(H.js_divergence(x, y, 8, rng_), R.js_divergence(cx, cy), "JS range")


def test_inputs_unmodified():
    x, y = pair(13, 1000)
    e = EDGES.copy()
    before = [a.copy() for a in (x, y, e)]
    H.entropy(x, e, correction=MM)
    H.mutual_information(x, y, [e, 5], base=2)
    H.kl_divergence(x, y, e)
    H.js_divergence(x, y, "auto")
    for a, b in zip((x, y, e), before):
        R.assert_same(a, b, "input")
