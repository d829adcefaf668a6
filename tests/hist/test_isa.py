"""The binning kernels of every instruction set the machine runs (the C
core's per-ISA kernels: ``hist_count``, ``hist_count2``, ``hist_codes``)
against NumPy, bit for bit: values on the edges and their neighbours,
uniform bins, explicit edges through the lookup table and by halving,
batches, weights and 2-D."""

import numpy as np
import pytest

from fastdiv import _divergence as _dv
from fastdiv import hist


def data(dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=20_011) * 2
    e = np.histogram_bin_edges(x, 37, (-3.0, 4.5))
    x = np.concatenate([x, e, np.nextafter(e, np.inf), np.nextafter(e, -np.inf)])
    rng.shuffle(x)
    return x.astype(dtype)


@pytest.mark.parametrize("isa", _dv.isa_available())
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_isa_counts_as_numpy(isa, dtype, isa_state):
    _dv.set_isa(isa)
    assert _dv.get_isa() == isa
    x = data(dtype)
    w = np.random.default_rng(1).random(x.size)
    edges = np.sort(np.random.default_rng(2).normal(size=41))  # the lookup table
    spread = np.geomspace(1e-4, 1e4, 30)  # too spread for the table: halving
    for args, kw in [
        ((37, (-3.0, 4.5)), {}),
        ((37,), {}),
        (("fd",), {}),
        ((edges,), {}),
        ((spread,), {}),
        ((37, (-3.0, 4.5)), {"weights": w}),
    ]:
        got = hist.histogram(x, *args, **kw)
        want = np.histogram(x, *args, **kw)
        assert np.array_equal(got[0], want[0]), (isa, args)
        assert np.array_equal(got[1], want[1]), (isa, args)
    X = x[: 200 * 100].reshape(200, 100)
    got = hist.histogram(X, 16, (-2.0, 2.0), axis=1)[0]
    want = np.stack([np.histogram(r, 16, (-2.0, 2.0))[0] for r in X])
    assert np.array_equal(got, want), isa
    y = data(dtype, seed=3)[: x.size]
    for b in (23, [edges, 9], [5, spread]):
        got = hist.histogram2d(x, y, b)
        want = np.histogram2d(x, y, b)
        assert np.array_equal(got[0], want[0]), (isa, b)
