"""The per-call ``n_threads=`` keyword and the one-step path for common calls.

``n_threads`` (every public function that computes): None uses the package
setting, -1 all cores, a positive integer that many; anything else is a
ValueError naming it; results never depend on it.  The one-step path
(``_divergence.simple``: a 1-D contiguous pair with the default keywords)
must give the general path's result bit for bit and leave every error to it.
"""

import inspect
import math
import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fastdiv as fd
from fastdiv._threads import resolve_threads
from fdtest.measures import ALL, ONE_ARG, call


def bits(x):
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64)).view(np.int64)


#: the functions over rows of 2-D arrays (every row of P against every row of Q)
MATRIX = ["pairwise", "nearest"]
#: the measures on joint tables (of ``p`` as a table; ``q`` unused)
TABLES = ["joint_entropy", "conditional_entropy", "mutual_information"]


def call_any(name, p, q=None, **kw):
    """``call`` for the measures; ``pairwise`` / ``nearest`` of the rows of
    ``p`` against the rows of ``q`` (1-D inputs: one row); nearest's result
    is its (indices, values) pair, as one float64 array; the table measures
    of ``p`` as a table (1-D: one row)."""
    if name in TABLES:
        return getattr(fd, name)(np.atleast_2d(p), **kw)
    if name not in MATRIX:
        return call(name, p, q, **kw)
    P, Q = np.atleast_2d(p), None if q is None else np.atleast_2d(q)
    r = getattr(fd, name)(P, Q, **kw)
    if name == "nearest":
        idx, val = r
        return np.concatenate([np.asarray(idx, dtype=np.float64), val], axis=1)
    return r


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(7)
    p = rng.random((64, 1500))  # 96,000 elements: past the one-thread size
    q = rng.random((64, 1500)) + 0.01
    p[:, ::7] = 0.0
    return p, q


@pytest.mark.parametrize("name", ALL + MATRIX + TABLES)
def test_n_threads_gives_identical_bits(name, batch):
    p, q = batch
    if name in MATRIX:
        p, q = p[:40], q[:30]  # 40 x 30 pairs of rows of 1500
    ref = call_any(name, p, q)
    for n in (1, 2, 3, -1, None):
        got = call_any(name, p, q, n_threads=n)
        assert np.array_equal(bits(got), bits(ref)), (name, n)


@pytest.mark.parametrize("name", ALL)
def test_n_threads_long_row_identical(name):
    rng = np.random.default_rng(3)
    p, q = rng.random(100_000), rng.random(100_000) + 0.01
    ref = call(name, p, q, n_threads=1)
    for n in (2, 4, -1):
        assert bits(call(name, p, q, n_threads=n)) == bits(ref), (name, n)


def test_self_information_n_threads(batch):
    p = batch[0] / batch[0].max()
    ref = fd.self_information(p)
    for n in (1, 2, -1):
        assert np.array_equal(bits(fd.self_information(p, n_threads=n)), bits(ref))


BAD = [0, -2, -100, 1.5, 2.0, "2", True, False, [2], 10**400, object()]


@pytest.mark.parametrize("value", BAD, ids=[repr(v)[:20] for v in BAD])
@pytest.mark.parametrize("name", ALL + ["self_information"] + MATRIX + TABLES)
def test_bad_n_threads_is_a_value_error(name, value):
    p = [0.25, 0.75]
    with pytest.raises(ValueError, match="'n_threads'") as e:
        call_any(name, p, [0.5, 0.5], n_threads=value)
    assert len(str(e.value)) < 200  # 10**400 is not echoed in full


@pytest.mark.parametrize("name", TABLES)
def test_tables_n_threads_one_large_table_identical(name):
    rng = np.random.default_rng(4)
    t = rng.random((2000, 300))  # one table: its row blocks run in parallel
    ref = call_any(name, t, n_threads=1)
    for n in (2, 3, -1, None):
        assert bits(call_any(name, t, n_threads=n)) == bits(ref), (name, n)


@pytest.mark.parametrize("name", MATRIX)
def test_matrix_n_threads_above_thread_limit_rejected(name):
    P = [[0.25, 0.75], [0.5, 0.5]]
    with pytest.raises(ValueError, match=r"'n_threads'.*thread_limit"):
        getattr(fd, name)(P, n_threads=fd.thread_limit() + 1)
    getattr(fd, name)(P, n_threads=fd.thread_limit())


def test_n_threads_above_thread_limit_rejected():
    with pytest.raises(ValueError, match=r"'n_threads'.*thread_limit"):
        fd.entropy([1.0, 2.0], n_threads=fd.thread_limit() + 1)
    assert fd.entropy([1.0, 1.0], n_threads=fd.thread_limit()) == math.log(2)


# ---- fastdiv.discrete ----------------------------------------------------------

#: every function of fastdiv.discrete computes, and takes n_threads
DISCRETE = list(fd.discrete.__all__)


@pytest.fixture(scope="module")
def labels():
    """Labels past two of the counting chunks (32768 samples each), so that
    two threads count: small integer alphabets (read in place), strings
    (coded by sorting) and a large alphabet (cells from sorted keys)."""
    rng = np.random.default_rng(11)
    n = 100_000
    x = rng.integers(0, 5, n)
    y = np.where(rng.random(n) < 0.3, x, rng.integers(0, 4, n)).astype(np.int8)
    z = np.array(["a", "b", "c"])[rng.integers(0, 3, n)]
    wide = rng.integers(0, 10**12, n)
    return x, y, z, wide


def call_discrete(name, labels, **kw):
    x, y, z = labels[:3]
    f = getattr(fd.discrete, name)
    if name == "entropy":
        return f(x, **kw)
    if name == "conditional_mutual_information":
        return f(x, y, z, **kw)
    if name == "pairwise":
        X = np.stack([x, y, x % 3, (x + y) % 4], axis=1)[:20_000]
        return f(X, measure="adjusted_mutual_information", **kw)
    if name == "contingency":
        return f(x, z, **kw)
    return f(x, y, **kw)


@pytest.mark.parametrize("name", DISCRETE)
def test_discrete_functions_take_n_threads(name):
    p = inspect.signature(getattr(fd.discrete, name)).parameters["n_threads"]
    assert p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is None


@pytest.mark.parametrize("name", DISCRETE)
def test_discrete_n_threads_gives_identical_bits(name, labels):
    ref = call_discrete(name, labels, n_threads=1)
    for n in (2, 3, -1, None):
        got = call_discrete(name, labels, n_threads=n)
        assert type(got) is type(ref)
        assert np.array_equal(bits(got), bits(ref)), (name, n)


@pytest.mark.parametrize("kind", ["in place", "strings", "sorted keys"])
def test_discrete_counting_paths_identical_bits(kind, labels):
    """Each way of counting, 1 thread against 2 and 4."""
    x, y, z, wide = labels
    a, b = {"in place": (x, y), "strings": (z, x), "sorted keys": (wide, x)}[kind]
    for f in (fd.discrete.mutual_information, fd.discrete.variation_of_information):
        ref = f(a, b, n_threads=1)
        for n in (2, 4):
            assert bits(f(a, b, n_threads=n)) == bits(ref), (kind, f.__name__, n)
    ref = fd.discrete.contingency(a, b, sparse=True, n_threads=1)
    for n in (2, 4):
        got = fd.discrete.contingency(a, b, sparse=True, n_threads=n)
        assert all(np.array_equal(g, r) for g, r in zip(got, ref)), (kind, n)


@pytest.mark.parametrize("value", BAD, ids=[repr(v)[:20] for v in BAD])
@pytest.mark.parametrize("name", DISCRETE)
def test_discrete_bad_n_threads_is_a_value_error(name, value):
    small = (np.array([0, 1, 1]), np.array([1, 1, 0]), np.array([0, 0, 1]), np.array([5, 6, 7]))
    with pytest.raises(ValueError, match="'n_threads'") as e:
        call_discrete(name, small, n_threads=value)
    assert len(str(e.value)) < 200  # 10**400 is not echoed in full


# ---- fastdiv.hist ----------------------------------------------------------------

#: every function of fastdiv.hist computes, and takes n_threads
HIST = list(fd.hist.__all__)


@pytest.fixture(scope="module")
def samples():
    """Samples past several of the counting chunks (65536 each), so that two
    threads count, with weights."""
    rng = np.random.default_rng(12)
    n = 300_000
    x = rng.normal(size=n)
    return x, 0.6 * x + 0.8 * rng.normal(size=n), rng.random(n)


def call_hist(name, samples, **kw):
    x, y, w = samples
    f = getattr(fd.hist, name)
    if name == "histogram":
        # weights on NumPy's blocks, and a batch of slices
        return (f(x, 50, weights=w, **kw)[0], f(x.reshape(300, -1), 32, axis=1, **kw)[0])
    if name == "histogram2d":
        return f(x, y, [20, 30], **kw)[0]
    if name == "entropy":
        return f(x, "fd", **kw)
    return f(x, y, 40, **kw)


@pytest.mark.parametrize("name", HIST)
def test_hist_functions_take_n_threads(name):
    p = inspect.signature(getattr(fd.hist, name)).parameters["n_threads"]
    assert p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is None


@pytest.mark.parametrize("name", HIST)
def test_hist_n_threads_gives_identical_bits(name, samples):
    ref = call_hist(name, samples, n_threads=1)
    for n in (2, 3, -1, None):
        got = call_hist(name, samples, n_threads=n)
        if isinstance(ref, tuple):
            assert all(np.array_equal(g, r) for g, r in zip(got, ref)), (name, n)
        else:
            assert np.array_equal(bits(got), bits(ref)), (name, n)


@pytest.mark.parametrize("value", BAD, ids=[repr(v)[:20] for v in BAD])
@pytest.mark.parametrize("name", HIST)
def test_hist_bad_n_threads_is_a_value_error(name, value):
    small = (np.array([0.0, 1.0, 1.5]), np.array([1.0, 1.0, 0.0]), np.ones(3))
    with pytest.raises(ValueError, match="'n_threads'"):
        call_hist(name, small, n_threads=value)


# ---- fastdiv.knn ----------------------------------------------------------------

#: every function of fastdiv.knn computes, and takes n_threads
KNN = list(fd.knn.__all__)


@pytest.fixture(scope="module")
def knn_samples():
    """Samples past the one-thread threshold (8192 points), and a batch and
    columns for the set-parallel paths."""
    rng = np.random.default_rng(13)
    n = 20_000
    x = rng.normal(size=(n, 2))
    y = x[:, :1] * 0.6 + 0.8 * rng.normal(size=(n, 1))
    z = rng.normal(size=n)
    return x, y, z


def call_knn(name, samples, **kw):
    x, y, z = samples
    f = getattr(fd.knn, name)
    if name == "entropy":
        return (f(x, **kw), f(x.reshape(10, -1, 2), **kw))
    if name == "mutual_information":
        return (f(x, y, **kw), f(x, y, algorithm=2, **kw),
                f(x, (z > 0).astype(int), y_discrete=True, **kw))  # fmt: skip
    if name == "conditional_mutual_information":
        return f(x, y, z, **kw)
    if name == "kl_divergence":
        return f(x, x[::-1] * 1.1 + 0.2, **kw)
    return f(np.c_[x, z][:10_000], y[:10_000, 0], **kw)


@pytest.mark.parametrize("name", KNN)
def test_knn_functions_take_n_threads(name):
    p = inspect.signature(getattr(fd.knn, name)).parameters["n_threads"]
    assert p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is None


@pytest.mark.parametrize("name", KNN)
def test_knn_n_threads_gives_identical_bits(name, knn_samples):
    ref = call_knn(name, knn_samples, n_threads=1)
    ref = ref if isinstance(ref, tuple) else (ref,)
    for n in (2, 3, -1, None):
        got = call_knn(name, knn_samples, n_threads=n)
        got = got if isinstance(got, tuple) else (got,)
        assert all(np.array_equal(bits(g), bits(r)) for g, r in zip(got, ref)), (name, n)


@pytest.mark.parametrize("value", BAD, ids=[repr(v)[:20] for v in BAD])
@pytest.mark.parametrize("name", KNN)
def test_knn_bad_n_threads_is_a_value_error(name, value):
    rng = np.random.default_rng(0)
    small = (rng.normal(size=(20, 2)), rng.normal(size=(20, 1)), rng.normal(size=20))
    with pytest.raises(ValueError, match="'n_threads'"):
        call_knn(name, small, n_threads=value)


def test_resolve_threads_order(thread_state):
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert resolve_threads(-1) == cores
    assert resolve_threads(None) == fd.get_num_threads()
    with fd.num_threads(1):
        assert resolve_threads(None) == 1
        assert resolve_threads(2) == 2  # the call's own value wins
        assert resolve_threads(np.int64(3)) == 3
    fd.set_num_threads(2)
    assert resolve_threads(None) == 2
    assert resolve_threads(1) == 1


# ---- the one-step path ---------------------------------------------------------


def _general(name, p, q, **kw):
    """The same call through the general path: a batch of one row."""
    return call(name, p[np.newaxis], None if q is None else q[np.newaxis], **kw)[0]


finite = st.floats(0.0, 1e300, allow_subnormal=True)
values = st.one_of(finite, st.sampled_from([0.0, 5e-324, 1e-310, 1.0, 1e308, 3.0]))


@given(
    st.lists(st.tuples(values, values), min_size=1, max_size=300),
    st.sampled_from(ALL),
    st.sampled_from(["f8", "f4"]),
    st.sampled_from([0.5, 2.0, 1.0, 0.0, math.inf]),
)
def test_one_step_path_matches_general_path(pairs, name, dtype, alpha):
    with np.errstate(over="ignore"):  # float32: large values become inf
        p = np.array([a for a, _ in pairs], dtype=dtype)
        q = np.array([b for _, b in pairs], dtype=dtype)
    kw = {"alpha": alpha} if name.startswith("renyi") else {}
    try:
        want = _general(name, p, q, **kw)
    except ValueError as e:
        with pytest.raises(ValueError) as got:
            call(name, p, q, **kw)
        assert str(got.value).split(";")[0] == str(e).split(" in row 0")[0].split(";")[0]
        return
    got = call(name, p, q, **kw)
    assert type(got) is np.float64
    assert bits(got) == bits(want), (name, got, want)


@pytest.mark.parametrize("name", ALL)
def test_one_step_path_errors_match_general_path(name):
    cases = [
        ([0.5, -0.1], [0.5, 0.5], "'p' must be non-negative"),
        ([0.5, np.nan], [0.5, 0.5], "'p' must be finite"),
        ([0.0, 0.0], [0.5, 0.5], "'p' must have a positive sum"),
    ]
    if name not in ONE_ARG:
        cases.append(([0.5, 0.5], [0.0, np.inf], "'q' must be finite"))
    for p, q, message in cases:
        with pytest.raises(ValueError, match=message):
            call(name, np.array(p), np.array(q))


def test_one_step_path_declines_other_calls():
    """Every keyword other than the default, and every non-simple input,
    still works (through the general path)."""
    p = np.array([0.2, 0.3, 0.5])
    q = np.array([0.3, 0.3, 0.4])
    ref = fd.kl_divergence(p, q)
    assert fd.kl_divergence(p, q, axis=0) == ref
    assert fd.kl_divergence(p, q, axis=np.int64(-1)) == ref
    assert fd.kl_divergence(list(p), q) == ref
    assert fd.kl_divergence(p, q, keepdims=True).shape == (1,)
    assert fd.kl_divergence(p, q, base=math.e) == pytest.approx(ref, rel=1e-15)
    assert fd.kl_divergence(p.astype(">f8"), q) == ref
    assert fd.kl_divergence(np.repeat(p, 2)[::2], q) == ref
    assert fd.kl_divergence(p.astype(np.float32), q) == pytest.approx(ref, rel=1e-6)
    assert fd.kl_divergence(p, q, normalize=np.True_) == ref
    assert fd.kl_divergence(p, q, n_threads=1) == ref
    with pytest.raises(TypeError, match="'q'"):
        fd.kl_divergence(p, None)
