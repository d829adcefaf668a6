"""Hypothesis properties of the measures on joint tables over dtypes <f4 >f4
<f8 >f8 and C / Fortran / strided views; bit-identical results for 1, 2 and
4 threads (batches and one large table); the GIL released; inputs unmodified.

Exact statements of the contract (ranges, I(X;Y) = I(Y;X) to rounding and
>= 0, H(X|Y) >= 0) are asserted as such; identities that hold up to rounding
use the dtype tolerances of fdtest/tolerance.py.
"""

import math
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fastdiv as fd
from fastdiv import _divergence
from fdtest import tables_reference as R
from fdtest.threads import assert_identical, call_beside_heartbeat
from fdtest.tolerance import F64

DTYPES = ["<f4", ">f4", "<f8", ">f8"]
LAYOUTS = ["C", "F", "strided"]
MEASURES = ["joint_entropy", "conditional_entropy", "mutual_information"]


def view(t, dtype, layout):
    """t (float64, values representable in dtype) as dtype in layout."""
    a = t.astype(dtype)
    if layout == "F":
        return np.asfortranarray(a)
    if layout == "strided":
        s = np.zeros(a.shape[:-2] + (a.shape[-2] * 2, a.shape[-1] * 2), dtype=dtype)
        s[..., ::2, ::2] = a
        return s[..., ::2, ::2]
    return a


@st.composite
def tables(draw):
    ni = draw(st.integers(1, 6))
    nj = draw(st.integers(1, 6))
    batch = draw(st.sampled_from([(), (2,), (2, 1)]))
    cells = st.one_of(
        st.just(0.0),
        st.floats(1e-6, 1.0),
        st.sampled_from([1.0, 2.0, 5e-7, 1e-30, 1e30]),
    )
    flat = draw(
        st.lists(cells, min_size=ni * nj * math.prod(batch), max_size=ni * nj * math.prod(batch))
    )
    t = np.array(flat, dtype=np.float64).reshape(batch + (ni, nj))
    t[..., 0, 0] += 1.0  # every table has a positive sum
    dtype = draw(st.sampled_from(DTYPES))
    t = t.astype(dtype).astype(np.float64)  # values exact in dtype
    return t, dtype, draw(st.sampled_from(LAYOUTS))


@given(tables())
def test_ranges_and_symmetry(case):
    t, dtype, layout = case
    v = view(t, dtype, layout)
    ni, nj = t.shape[-2:]
    hxy = fd.joint_entropy(v)
    hc = fd.conditional_entropy(v)
    mi = fd.mutual_information(v)
    assert np.all((hxy >= 0) & (hxy <= math.log(ni * nj)))
    assert np.all((hc >= 0) & (hc <= math.log(ni)))
    assert np.all((mi >= 0) & (mi <= math.log(min(ni, nj))))
    # symmetric under transposition, up to rounding (the sums run in another order)
    mit = fd.mutual_information(np.swapaxes(v, -1, -2))
    np.testing.assert_allclose(mit, mi, **F64)
    # I <= min(H(X), H(Y)), the marginal entropies from the marginals (up to
    # the rounding of both sides)
    hx = fd.entropy(t.sum(-1))
    hy = fd.entropy(t.sum(-2))
    assert np.all(mi <= np.minimum(hx, hy) * (1 + 1e-12) + 1e-14)
    # H(X,Y) = H(X|Y) + H(Y) and I = H(X) + H(Y) - H(X,Y), up to rounding
    np.testing.assert_allclose(hc + hy, hxy, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(mi, hx + hy - hxy, rtol=1e-12, atol=1e-13)
    # the layout and dtype do not change the bits
    assert mi.tobytes() == fd.mutual_information(t).tobytes()


@given(tables(), st.randoms(use_true_random=False))
def test_invariant_to_permuting_rows_and_columns(case, r):
    t, dtype, layout = case
    ni, nj = t.shape[-2:]
    pi, pj = list(range(ni)), list(range(nj))
    r.shuffle(pi)
    r.shuffle(pj)
    u = t[..., pi, :][..., :, pj]
    for name in MEASURES:
        f = getattr(fd, name)
        np.testing.assert_allclose(f(view(u, dtype, layout)), f(view(t, dtype, layout)), **F64)


@given(tables())
def test_against_the_oracle(case):
    t, dtype, layout = case
    v = view(t, dtype, layout)
    for name in MEASURES:
        got = np.asarray(getattr(fd, name)(v)).reshape(-1)
        flat = t.reshape((-1,) + t.shape[-2:])
        for k in range(flat.shape[0]):
            value, scale = R.ORACLES[name](flat[k].tolist())
            R.check(got[k], value, scale, name, t.shape, where=f" table {k}")


# ---- threads ---------------------------------------------------------------------


def test_bit_identical_for_1_2_4_threads(rng):
    batch = rng.random((37, 20, 30))
    batch[batch < 0.3] = 0.0
    big = rng.random((1500, 700))  # one table: its row blocks run in parallel
    big[big < 0.5] = 0.0
    few = rng.random((3, 400, 300))  # fewer than 2 tables per thread
    for name in MEASURES:
        f = getattr(fd, name)
        for t in (batch, big, few):
            ref = f(t, n_threads=1)
            for n in (2, 4):
                assert_identical(f(t, n_threads=n), ref, f"{name} {t.shape} n_threads={n}")


def test_slow_path_threads_identical(rng):
    big = rng.random((1200, 40)) * 1e300  # the sum overflows: the slow path
    for name in MEASURES:
        f = getattr(fd, name)
        ref = f(big, n_threads=1)
        assert_identical(f(big, n_threads=2), ref, name)
        assert_identical(f(big, n_threads=4), ref, name)


def test_releases_the_gil(rng):
    # long enough (tens of ms) that a stall of the OS alone cannot pass for a held GIL
    t = rng.random((2000, 64, 64))
    for name in MEASURES:
        f = getattr(fd, name)
        got = call_beside_heartbeat(lambda f=f: f(t))
        assert got.shape == (2000,)


def test_inputs_unmodified(rng):
    t = rng.random((4, 30, 20))
    t[t < 0.2] = 0.0
    for v in (t, t.astype(">f4"), np.asfortranarray(t)):
        before = v.tobytes()
        for name in MEASURES:
            getattr(fd, name)(v)
        assert v.tobytes() == before
    bad = t.copy()
    bad[2, 3, 4] = -1.0
    before = bad.tobytes()
    for name in MEASURES:
        with pytest.raises(ValueError, match="non-negative"):
            getattr(fd, name)(bad)
    assert bad.tobytes() == before


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc")
@pytest.mark.skipif(not _divergence.openmp_info()[0], reason="a serial build")
def test_calls_with_two_threads_start_a_team():
    """In a fresh process (BLAS threads off, so that only OpenMP can start
    one), a call with n_threads=2 starts a second OS thread: the kernels'
    parallel regions are compiled in (a compiler pragma once turned them off
    for the whole module, and every result was still correct)."""
    code = (
        "import os, numpy as np, fastdiv as fd\n"
        "t = np.ones((64, 64, 64))\n"
        "n0 = len(os.listdir('/proc/self/task'))\n"
        "for name in ('joint_entropy', 'conditional_entropy', 'mutual_information'):\n"
        "    getattr(fd, name)(t, n_threads=2)\n"
        "    getattr(fd, name)(t[0], n_threads=2)\n"
        "print(n0, len(os.listdir('/proc/self/task')))\n"
    )
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="2", MKL_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=os.path.dirname(__file__),
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    before, after = map(int, out.stdout.split())
    assert after > before, (before, after)
