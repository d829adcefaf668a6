"""Threads in ``fastdiv.knn``: every function takes a keyword-only
``n_threads=None``, and its results are bit-identical for n_threads = 1,
2, 4, -1 and None (the package setting, also set with
``fastdiv.num_threads``), on inputs large enough for the kernels to split
the work (20,000 points; the batched forms 4 sets of 5,000): both metrics,
both KSG algorithms, Ross's estimator, Frenzel-Pompe, KL of samples of
different sizes, the features, ``standardize``, ties (data on a grid) and
batches.  Each function releases the GIL while it works (a heartbeat thread
keeps ticking, ``fdtest.threads.call_beside_heartbeat``).  No test times
anything.
"""

import inspect
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import fastdiv as fd
from fastdiv import knn as K
from fdtest import knn_reference as R
from fdtest.threads import assert_identical, call_beside_heartbeat

N = 20_000
THREADS = [2, 4, -1, None]
FUNCTIONS = ["entropy", "mutual_information", "conditional_mutual_information",
             "kl_divergence", "mutual_information_features"]  # fmt: skip


@pytest.fixture(scope="module")
def big():
    rng = np.random.default_rng(23)
    x, y, z = R.dependent(rng, N, 2, 1, 2, r=0.8)
    q = rng.standard_normal((N - 4321, 2)) * 1.2 + 0.3
    lab = R.labels_for(rng, x, 5)
    X = np.column_stack([x, z, rng.standard_normal(N)])
    return dict(x=x, y=y, z=z, q=q, lab=lab, X=X, xg=np.round(x * 4) / 4, yg=np.round(y * 2) / 2)


def identical_for_all_counts(fn, what):
    ref = fn(1)
    assert np.all(np.isfinite(ref)), (what, ref)
    for n in THREADS:
        got = fn(n)
        assert type(got) is type(ref), (what, n, type(got), type(ref))
        assert_identical(got, ref, f"{what} n_threads={n}")
    with fd.num_threads(2):
        assert_identical(fn(None), ref, f"{what} num_threads(2)")
    return ref


@pytest.mark.parametrize("name", FUNCTIONS)
def test_n_threads_is_keyword_only(name):
    p = inspect.signature(getattr(K, name)).parameters["n_threads"]
    assert p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is None


def test_a_space_of_one_repeated_point():
    """A space whose points are all one point, large enough for the tree's
    parallel build (its root a leaf): the build's loop over the top levels
    once spun forever on a level without inner nodes.  In a child process
    with a timeout, so that a hang fails the test instead of stalling the
    suite."""
    code = textwrap.dedent(
        """
        import numpy as np
        from fastdiv import knn as K
        rng = np.random.default_rng(5)
        x = rng.standard_normal((20_000, 2))
        c = np.full((20_000, 2), 1e16)
        mi = lambda n: K.mutual_information(x, c, 3, n_threads=n)
        cmi = lambda n: K.conditional_mutual_information(x[:, :1], x[:, 1:], c, 3, n_threads=n)
        for f in (mi, cmi):
            a, b = f(1), f(2)
            assert np.isfinite(a) and a.tobytes() == b.tobytes(), (a, b)
        print("ok")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=os.path.dirname(__file__),  # (not the source tree: the fastdiv under test)
        timeout=300,
        check=False,
    )
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


@pytest.mark.parametrize("metric", R.METRICS)
@pytest.mark.parametrize("grid", [False, True])
def test_entropy(big, metric, grid):
    x = big["xg" if grid else "x"]
    identical_for_all_counts(lambda n: K.entropy(x, 3, metric=metric, n_threads=n), "entropy")


@pytest.mark.parametrize("algorithm", [1, 2])
@pytest.mark.parametrize("grid", [False, True])
def test_mutual_information(big, algorithm, grid):
    x, y = (big["xg"], big["yg"]) if grid else (big["x"], big["y"])
    identical_for_all_counts(
        lambda n: K.mutual_information(x, y, 3, algorithm=algorithm, n_threads=n), "MI"
    )


def test_mutual_information_standardized(big):
    x, z = big["x"] * [1.0, 100.0], big["z"]
    identical_for_all_counts(
        lambda n: K.mutual_information(x, z, 4, standardize=True, n_threads=n), "MI std"
    )


@pytest.mark.parametrize("grid", [False, True])
def test_ross(big, grid):
    x = big["xg" if grid else "x"]
    identical_for_all_counts(
        lambda n: K.mutual_information(x, big["lab"], 3, y_discrete=True, n_threads=n), "Ross"
    )


def test_conditional_mutual_information(big):
    x, y, z = big["x"], big["y"], big["z"]
    identical_for_all_counts(
        lambda n: K.conditional_mutual_information(x, y, z, 3, n_threads=n), "CMI"
    )
    identical_for_all_counts(
        lambda n: K.conditional_mutual_information(big["yg"], big["xg"], z, 2, n_threads=n),
        "CMI ties",
    )


@pytest.mark.parametrize("metric", R.METRICS)
@pytest.mark.parametrize("k", [1, 4])
def test_kl_divergence(big, metric, k):
    x, q = big["x"], big["q"]
    identical_for_all_counts(lambda n: K.kl_divergence(x, q, k, metric=metric, n_threads=n), "KL")
    identical_for_all_counts(
        lambda n: K.kl_divergence(q, x, k, metric=metric, standardize=True, n_threads=n),
        "KL std",
    )


@pytest.mark.parametrize("y_discrete", [False, True])
def test_features(big, y_discrete):
    y = big["lab"] if y_discrete else big["y"]
    X = big["X"]
    got = identical_for_all_counts(
        lambda n: K.mutual_information_features(X, y, 3, y_discrete=y_discrete, n_threads=n),
        "features",
    )
    assert got.shape == (big["X"].shape[1],)


def test_batches(big):
    x = big["x"].reshape(4, N // 4, 2)
    y = big["y"].reshape(4, N // 4, 1)
    z = big["z"].reshape(4, N // 4, 2)
    q = big["q"][: 4 * 3000].reshape(4, 3000, 2)
    identical_for_all_counts(lambda n: K.entropy(x, 2, n_threads=n), "batch entropy")
    identical_for_all_counts(
        lambda n: K.mutual_information(x, y, 3, algorithm=2, n_threads=n), "batch MI"
    )
    identical_for_all_counts(
        lambda n: K.conditional_mutual_information(x, y, z, 3, n_threads=n), "batch CMI"
    )
    identical_for_all_counts(lambda n: K.kl_divergence(x, q, 2, n_threads=n), "batch KL")


# --------------------------------------------------------------------------
# the GIL
# --------------------------------------------------------------------------

# long enough (a few hundred ms on one thread: 20,000 points for the joint
# searches of KSG and Frenzel-Pompe, more for the others) that a stall of
# the OS alone cannot pass for a held GIL
GIL_N = {"entropy": 200_000, "MI": 20_000, "MI2": 20_000, "Ross": 60_000, "CMI": 20_000,
         "KL": 100_000, "features": 60_000}  # fmt: skip


@pytest.fixture(scope="module")
def huge():
    rng = np.random.default_rng(24)
    n = max(GIL_N.values())
    x, y, z = R.dependent(rng, n, 3, 2, 1, r=0.8)
    q = rng.standard_normal((n // 2, 3)) + 0.5
    return x, y, z, q, R.labels_for(rng, x, 4)


@pytest.mark.parametrize("name", list(GIL_N))
def test_releases_the_gil(huge, name):
    m = GIL_N[name]
    x, y, z, q, lab = (a[:m] for a in huge)
    calls = {
        "entropy": lambda: K.entropy(x, 3),
        "MI": lambda: K.mutual_information(x, y, 3),
        "MI2": lambda: K.mutual_information(x, y, 3, algorithm=2),
        "Ross": lambda: K.mutual_information(x, lab, 3, y_discrete=True),
        "CMI": lambda: K.conditional_mutual_information(x, y, z, 3),
        "KL": lambda: K.kl_divergence(x, q, 1),
        "features": lambda: K.mutual_information_features(y, z[:, 0], 3),
    }
    got = call_beside_heartbeat(calls[name])
    # and the call did its work: a finite estimate (for the dependent
    # variables here, MI well above 0)
    assert np.all(np.isfinite(got))
    if name in ("MI", "MI2", "Ross", "features"):
        assert np.all(np.asarray(got) > 0.05), got
