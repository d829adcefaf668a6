"""Hypothesis properties of ``pairwise`` over dtypes <f4 >f4 <f8 >f8, C /
Fortran / strided / reversed views and tiny sizes (up to 4 x 4 rows of 1..5
entries, zeros and subnormals included).

Exact: ranges (KL, cross-entropy >= 0; JS <= log 2; total variation and
Hellinger in [0, 1]), the mirror and zero diagonal of ``Q=None``, equal rows
give 0, nearest agrees with the matrix.  Up to rounding (dtype tolerances
``F64``/``F32`` of fdtest/tolerance.py, as the exact family's symmetry
properties): ``pairwise(P, Q).T`` against ``pairwise(Q, P)`` and
``pairwise(P, P)`` against its transpose for the symmetric metrics.
"""

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fastdiv as fd
from fdtest import tolerance as T
from fdtest.measures import METRICS, SYMMETRIC
from fdtest.tolerance import close

DTYPES = ["<f4", ">f4", "<f8", ">f8"]
LAYOUTS = ["C", "F", "strided", "reversed"]
LOG2 = math.log(2.0)
SETTINGS = settings(max_examples=60)


@dataclass
class Case:
    dtype: np.dtype
    layout: str
    P: np.ndarray  # float64, values representable in dtype
    Q: np.ndarray

    @property
    def tol(self):
        return T.for_dtype(self.dtype)

    def views(self):
        return materialize(self.P, self.dtype, self.layout), materialize(
            self.Q, self.dtype, self.layout
        )


def materialize(a, dtype, layout):
    if layout == "C":
        return np.ascontiguousarray(a.astype(dtype))
    if layout == "F":
        return np.asfortranarray(a.astype(dtype))
    if layout == "strided":
        buf = np.zeros((2 * a.shape[0] + 1, 3 * a.shape[1]), dtype=dtype)
        buf[1::2, ::3] = a
        return buf[1::2, ::3]
    if layout == "reversed":
        return np.ascontiguousarray(a[::-1, ::-1].astype(dtype))[::-1, ::-1]
    raise AssertionError(layout)


@st.composite
def cases(draw):
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    K = draw(st.integers(1, 5))
    width = 8 * dtype.itemsize
    elem = st.floats(0.0, 1e3, width=width, allow_subnormal=True)
    arrays = []
    for _ in range(2):
        m = draw(st.integers(1, 4))
        a = draw(hnp.arrays(np.float64, (m, K), elements=elem))
        j = draw(st.integers(0, K - 1))
        a[a.sum(axis=1) == 0, j] = 1.0  # every row has a positive sum
        arrays.append(a)
    P, Q = arrays
    if draw(st.booleans()):  # a row of P also in Q: exact zeros
        Q[draw(st.integers(0, len(Q) - 1))] = P[draw(st.integers(0, len(P) - 1))]
    return Case(dtype, draw(st.sampled_from(LAYOUTS)), P, Q)


def kwargs_for(metric):
    return {"alpha": 0.5} if metric == "renyi_divergence" else {}


def sqrt_close(a, b, tol):
    # a distance is compared through its square (sqrt is ill-conditioned at 0)
    return close(np.square(a), np.square(b), **tol)


@SETTINGS
@given(c=cases())
@example(c=Case(np.dtype("<f8"), "C", np.array([[1.0, 5e-324]]), np.array([[1.0, 0.0]])))
@example(c=Case(np.dtype("<f4"), "C", np.array([[3.0]]), np.array([[1e-45]])))
def test_ranges(c):
    P, Q = c.views()
    for Qarg in (Q, None):
        for metric in ["kl_divergence", "cross_entropy", "renyi_divergence"]:
            r = fd.pairwise(P, Qarg, metric=metric, **kwargs_for(metric))
            assert np.all(r >= 0), (metric, r)  # NaN fails this too
        js = fd.pairwise(P, Qarg, metric="js_divergence")
        assert np.all((js >= 0) & (js <= LOG2)), js
        js2 = fd.pairwise(P, Qarg, metric="js_divergence", base=2)
        assert np.all((js2 >= 0) & (js2 <= 1.0)), js2
        d = fd.pairwise(P, Qarg)
        assert np.all((d >= 0) & (d <= math.sqrt(LOG2))), d
        for metric in ["total_variation", "hellinger"]:
            r = fd.pairwise(P, Qarg, metric=metric)
            assert np.all((r >= 0) & (r <= 1)), (metric, r)


@SETTINGS
@given(c=cases())
def test_q_none_mirror_and_diagonal(c):
    P, _ = c.views()
    for metric in METRICS:
        r = fd.pairwise(P, metric=metric, **kwargs_for(metric))
        assert r.shape == (len(P), len(P)) and r.dtype == np.float64
        if metric in SYMMETRIC:
            assert np.array_equal(r, r.T), (metric, r)
        if metric != "cross_entropy":
            assert np.all(np.diag(r) == 0.0), (metric, np.diag(r))


@SETTINGS
@given(c=cases())
def test_symmetric_metrics_symmetric_in_p_and_q(c):
    P, Q = c.views()
    for metric in SYMMETRIC:
        pq = fd.pairwise(P, Q, metric=metric)
        qp = fd.pairwise(Q, P, metric=metric)
        pp = fd.pairwise(P, P, metric=metric)
        if metric in ("js_distance", "hellinger"):
            assert sqrt_close(pq.T, qp, c.tol), (metric, pq.T, qp)
            assert sqrt_close(pp.T, pp, c.tol), (metric, pp)
        else:
            assert close(pq.T, qp, **c.tol), (metric, pq.T, qp)
            assert close(pp.T, pp, **c.tol), (metric, pp)
        # Q=P: equal rows on the diagonal give exactly 0
        assert np.all(np.diag(pp) == 0.0), (metric, np.diag(pp))


@SETTINGS
@given(c=cases())
def test_equal_rows_give_zero(c):
    P, Q = c.views()
    eq = np.all(P[:, None, :] == Q[None, :, :], axis=-1)
    for metric in ["kl_divergence", "hellinger", "js_divergence", "total_variation"]:
        r = fd.pairwise(P, Q, metric=metric)
        assert np.all(r[eq] == 0.0), (metric, r, eq)


@SETTINGS
@given(c=cases(), k=st.integers(1, 4))
def test_nearest_agrees_with_the_matrix(c, k):
    P, Q = c.views()
    k = min(k, len(Q))
    for metric in ["js_distance", "kl_divergence", "hellinger"]:
        D = fd.pairwise(P, Q, metric=metric)
        idx, val = fd.nearest(P, Q, k=k, metric=metric)
        want = np.argsort(D, axis=1, kind="stable")[:, :k]
        assert np.array_equal(idx, want), (metric, D, idx)
        assert np.array_equal(val, np.take_along_axis(D, want, axis=1))


@SETTINGS
@given(c=cases())
def test_inputs_not_modified(c):
    P, Q = c.views()
    snap = [(a.tobytes(), a.strides) for a in (P, Q)]
    fd.pairwise(P, Q, metric="kl_divergence")
    fd.pairwise(P, metric="hellinger")
    fd.pairwise(P, Q, metric="renyi_divergence", alpha=2.0)
    if len(P) > 1:
        fd.nearest(P, k=1)
    assert [(a.tobytes(), a.strides) for a in (P, Q)] == snap
