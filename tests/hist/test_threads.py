"""Threads in ``fastdiv.hist``: every function takes a keyword-only
``n_threads=None``, and its results are bit-identical for n_threads = 1, 2,
4, -1 and None (the package setting, also set with ``fastdiv.num_threads``),
on inputs large enough for the kernels to start threads (300,000 samples,
past NumPy's and fastdiv's 65536-sample blocks): uniform bins, rules,
explicit edges, weights, density, the batched form, histogram2d and the
estimates.  Each function releases the GIL while it works (a heartbeat
thread keeps ticking, ``fdtest.threads.call_beside_heartbeat``).  No test
times anything.
"""

import inspect

import numpy as np
import pytest

import fastdiv as fd
from fastdiv import hist as H
from fdtest import hist_reference as R
from fdtest.threads import call_beside_heartbeat

N = 300_000
THREADS = [2, 4, -1, None]
FUNCTIONS = ["histogram", "histogram2d", "entropy", "mutual_information", "kl_divergence",
             "js_divergence"]  # fmt: skip


@pytest.fixture(scope="module")
def big():
    rng = np.random.default_rng(21)
    x = rng.normal(0.0, 1.0, N)
    y = 0.5 * x + rng.normal(0.0, 1.0, N)
    x[::7] = 0.0  # ties
    w = rng.random(N) + 0.1
    return x, y, w


def same(a, b, what):
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b), what
        for i, (u, v) in enumerate(zip(a, b)):
            R.assert_same(u, v, f"{what} [{i}]")
    else:
        assert type(a) is type(b), (what, type(a), type(b))
        R.assert_same(np.asarray(a), np.asarray(b), what)


def identical_for_all_counts(fn, what):
    ref = fn(1)
    for n in THREADS:
        same(fn(n), ref, f"{what} n_threads={n}")
    with fd.num_threads(2):
        same(fn(None), ref, f"{what} num_threads(2)")
    return ref


@pytest.mark.parametrize("name", FUNCTIONS)
def test_n_threads_is_keyword_only(name):
    p = inspect.signature(getattr(H, name)).parameters["n_threads"]
    assert p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is None


@pytest.mark.parametrize("bins", [10, 1000, "auto", "edges"])
@pytest.mark.parametrize("dtype", ["<f8", ">f4"])
@pytest.mark.parametrize("kw", ["plain", "range", "weights", "density"])
def test_histogram_identical(big, bins, dtype, kw):
    x, _, w = big
    x = x.astype(dtype)
    b = np.sort(np.unique(x[:200].astype(np.float64))) if bins == "edges" else bins
    args = {
        "plain": {},
        "range": {"range": (-1.0, 1.5)},
        "weights": {"weights": w},
        "density": {"density": True},
    }[kw]
    if kw == "weights" and isinstance(b, str):
        b = 50
    ref = identical_for_all_counts(lambda n: H.histogram(x, b, n_threads=n, **args), kw)
    if kw == "plain":  # and the threads changed nothing numpy would see
        R.assert_hist(ref, R.np_histogram(x, b))


@pytest.mark.parametrize("axis", [-1, 0])
@pytest.mark.parametrize("bins", [16, "sturges", "edges"])
@pytest.mark.parametrize("weighted", [False, True])
def test_batched_identical(big, axis, bins, weighted):
    x, _, w = big
    x2 = x.reshape(6, -1) if axis == -1 else x.reshape(-1, 6)
    w2 = w.reshape(x2.shape) if weighted else None
    b = np.linspace(-3.0, 3.0, 41) if bins == "edges" else bins
    if weighted and isinstance(b, str):
        b = 64
    identical_for_all_counts(
        lambda n: H.histogram(x2, b, axis=axis, weights=w2, n_threads=n), f"axis={axis}"
    )
    # few long slices and many short ones
    x3 = x.reshape(-1, 3)
    identical_for_all_counts(lambda n: H.histogram(x3, b, axis=-1, n_threads=n), "(n, 3)")


@pytest.mark.parametrize("bins", [10, [30, 7], "edges"])
@pytest.mark.parametrize("weighted", [False, True])
def test_histogram2d_identical(big, bins, weighted):
    x, y, w = big
    b = [np.linspace(-4.0, 4.0, 17), 9] if bins == "edges" else bins
    identical_for_all_counts(
        lambda n: H.histogram2d(x, y, b, weights=w if weighted else None, n_threads=n), "2d"
    )
    identical_for_all_counts(
        lambda n: H.histogram2d(x.astype(np.float32), y, b, density=True, n_threads=n), "2d f4"
    )


def test_estimates_identical(big):
    x, y, _ = big
    for bins in (10, 200):
        identical_for_all_counts(lambda n, b=bins: H.entropy(x, b, n_threads=n), "entropy")
        identical_for_all_counts(
            lambda n, b=bins: H.entropy(x, b, correction="miller-madow", base=2, n_threads=n),
            "entropy mm",
        )
        identical_for_all_counts(lambda n, b=bins: H.mutual_information(x, y, b, n_threads=n), "MI")
        identical_for_all_counts(lambda n, b=bins: H.kl_divergence(y, x, b, n_threads=n), "KL")
        identical_for_all_counts(lambda n, b=bins: H.js_divergence(x, y, b, n_threads=n), "JS")
    identical_for_all_counts(lambda n: H.entropy(x, "fd", n_threads=n), "entropy fd")
    identical_for_all_counts(lambda n: H.js_divergence(x, y, "auto", n_threads=n), "JS auto")


# --------------------------------------------------------------------------
# the GIL
# --------------------------------------------------------------------------

# long enough (tens of ms on one thread) that a stall of the OS alone cannot
# pass for a held GIL
GIL_N = 8_000_000


@pytest.fixture(scope="module")
def huge():
    rng = np.random.default_rng(22)
    return rng.random(GIL_N), rng.random(GIL_N)


@pytest.mark.parametrize(
    "name", ["uniform", "edges", "weights", "axis", "histogram2d", "entropy", "MI", "JS"]
)
def test_releases_the_gil(huge, name):
    x, y = huge
    edges = np.sort(np.random.default_rng(1).random(300))
    calls = {
        "uniform": lambda: H.histogram(x, 100, (0.0, 1.0)),
        "edges": lambda: H.histogram(x, edges),
        "weights": lambda: H.histogram(x, 100, (0.0, 1.0), weights=y),
        "axis": lambda: H.histogram(x.reshape(-1, 1000), 50, (0.0, 1.0), axis=0),
        "histogram2d": lambda: H.histogram2d(x, y, 64, [[0.0, 1.0], [0.0, 1.0]]),
        "entropy": lambda: H.entropy(x, 100, (0.0, 1.0)),
        "MI": lambda: H.mutual_information(x, y, 64, [[0.0, 1.0], [0.0, 1.0]]),
        "JS": lambda: H.js_divergence(x, y, 100, (0.0, 1.0)),
    }
    got = call_beside_heartbeat(calls[name])
    # and the call did its work
    if name in ("uniform", "edges"):
        assert int(got[0].sum()) == int(np.count_nonzero((x >= got[1][0]) & (x <= got[1][-1])))
    elif name == "weights":
        assert got[0].sum() == pytest.approx(y.sum(), rel=1e-9)
    elif name == "axis":
        assert got[0].shape == (50, 1000) and int(got[0].sum()) == GIL_N
    elif name == "histogram2d":
        assert got[0].sum() == GIL_N
    elif name == "entropy":  # at most log(1), the log of the span
        assert np.isfinite(got) and got <= 0.0
    else:
        assert np.isfinite(got) and got >= 0.0
