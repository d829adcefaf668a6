"""Bad input to ``fastdiv.discrete``: every documented message, pinned with an
anchored ``match=``, and the inputs unmodified after the error.

Where the design gives only part of a message (the TypeError of a
``correction`` that is not a str, an unknown keyword of ``pairwise``), the
test pins that part: the argument's name and the rule."""

import re

import numpy as np
import pytest

import fastdiv as fd
from fastdiv import discrete as D

MM = "miller-madow"
LIMIT = fd.thread_limit()

# name -> (function, number of label arguments: x, y, z in order)
FUNCS = {
    "contingency": (D.contingency, 2),
    "entropy": (D.entropy, 1),
    "joint_entropy": (D.joint_entropy, 2),
    "conditional_entropy": (D.conditional_entropy, 2),
    "mutual_information": (D.mutual_information, 2),
    "normalized_mutual_information": (D.normalized_mutual_information, 2),
    "adjusted_mutual_information": (D.adjusted_mutual_information, 2),
    "variation_of_information": (D.variation_of_information, 2),
    "conditional_mutual_information": (D.conditional_mutual_information, 3),
}
NAMES = "xyz"
TWO_OR_MORE = [k for k, (_, a) in FUNCS.items() if a >= 2]
WITH_BASE = [k for k in FUNCS if k != "contingency"]
WITH_CORRECTION = [
    "entropy",
    "joint_entropy",
    "conditional_entropy",
    "mutual_information",
    "variation_of_information",
    "conditional_mutual_information",
]
WITH_AVERAGE = ["normalized_mutual_information", "adjusted_mutual_information"]


def good(n=6, k=3, seed=0):
    return np.random.default_rng(seed).integers(0, k, n)


def raises(exc, pattern, f, *args, **kw):
    """f(*args, **kw) raises exc matching the anchored pattern, and leaves
    every array argument as it was."""
    copies = [a.copy() if isinstance(a, np.ndarray) else None for a in args]
    with pytest.raises(exc, match=pattern):
        f(*args, **kw)
    for a, c in zip(args, copies):
        if c is not None:
            assert a.dtype == c.dtype and a.shape == c.shape
            assert np.array_equal(a, c, equal_nan=a.dtype.kind in "fc"), "input modified"


# --------------------------------------------------------------------------
# lengths, empty, NaN, dimensions, unsortable labels
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", TWO_OR_MORE)
def test_lengths_differ(name):
    f, arity = FUNCS[name]
    for bad in range(1, arity):
        args = [good(7) for _ in range(arity)]
        args[bad] = good(5)
        who = NAMES[bad]
        raises(
            ValueError,
            rf"^'x' and '{who}' must have the same number of samples; got 7 and 5\.$",
            f,
            *args,
        )
    # 2-D symbols count rows
    args = [good(7) for _ in range(arity)]
    args[1] = np.zeros((4, 3))
    raises(
        ValueError, r"^'x' and 'y' must have the same number of samples; got 7 and 4\.$", f, *args
    )


@pytest.mark.parametrize("name", list(FUNCS))
def test_empty(name):
    f, arity = FUNCS[name]
    msg = r"^'x' must hold at least one sample; got an empty array\.$"
    raises(ValueError, msg, f, *[np.array([], dtype=np.int64) for _ in range(arity)])
    raises(ValueError, msg, f, *[[] for _ in range(arity)])
    raises(ValueError, msg, f, *[np.zeros((0, 2)) for _ in range(arity)])


@pytest.mark.parametrize("name", list(FUNCS))
def test_nan(name):
    f, arity = FUNCS[name]
    for which in range(arity):
        who = NAMES[which]
        for dtype in (np.float64, np.float32):
            args = [good(8).astype(np.float64) for _ in range(arity)]
            a = args[which].astype(dtype)
            a[[3, 5]] = np.nan  # the first NaN is reported
            args[which] = a
            raises(
                ValueError, rf"^'{who}' must not contain NaN; found one at sample 3\.$", f, *args
            )
        # a NaN in a row of 2-D symbols
        args = [good(8) for _ in range(arity)]
        rows = np.zeros((8, 3))
        rows[6, 2] = np.nan
        rows[7, 0] = np.nan
        args[which] = rows
        raises(ValueError, rf"^'{who}' must not contain NaN; found one at sample 6\.$", f, *args)


@pytest.mark.parametrize("name", list(FUNCS))
def test_dimensions(name):
    f, arity = FUNCS[name]
    for which in range(arity):
        who = NAMES[which]
        for bad, ndim in ((np.array(3), 0), (np.zeros((6, 2, 2)), 3), (np.zeros((6, 1, 1, 1)), 4)):
            args = [good(6) for _ in range(arity)]
            args[which] = bad
            msg = (
                rf"^'{who}' must be a 1-D array of labels or a 2-D array whose rows are "
                rf"symbols; got {ndim} dimensions\.$"
            )
            raises(ValueError, msg, f, *args)
    args = [5] + [good(1) for _ in range(arity - 1)]  # a Python scalar is 0-d
    raises(ValueError, r"^'x' must be a 1-D array .* got 0 dimensions\.$", f, *args)


@pytest.mark.parametrize("name", list(FUNCS))
def test_labels_that_cannot_be_sorted(name):
    f, arity = FUNCS[name]
    for which in range(arity):
        who = NAMES[which]
        mixed = np.empty(6, dtype=object)
        mixed[:] = [1, "a", 2, "b", 1, 2.5]
        args = [good(6) for _ in range(arity)]
        args[which] = mixed
        raises(TypeError, rf"^'{who}' holds labels that cannot be sorted: .+", f, *args)
        # objects without an order at all
        args[which] = np.array([object() for _ in range(6)], dtype=object)
        raises(TypeError, rf"^'{who}' holds labels that cannot be sorted: .+", f, *args)


# --------------------------------------------------------------------------
# average, correction, base, n_threads
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", WITH_AVERAGE)
def test_average(name):
    f, _ = FUNCS[name]
    x, y = good(), good(seed=1)
    for bad in ("median", "Arithmetic", ""):
        msg = (
            r"^'average' must be one of 'arithmetic', 'geometric', 'min', 'max'; "
            rf"got {re.escape(repr(bad))}\.$"
        )
        raises(ValueError, msg, f, x, y, bad)
        raises(ValueError, msg, f, x, y, average=bad)
    for bad, tname in ((1, "int"), (None, "NoneType"), (b"min", "bytes")):
        raises(TypeError, rf"^'average' must be a str; got {tname}\.$", f, x, y, bad)


@pytest.mark.parametrize("name", WITH_CORRECTION)
def test_correction(name):
    f, arity = FUNCS[name]
    args = [good(seed=s) for s in range(arity)]
    for bad in ("Miller-Madow", "mm", "miller_madow", ""):
        msg = rf"^'correction' must be None or 'miller-madow'; got {re.escape(repr(bad))}\.$"
        raises(ValueError, msg, f, *args, correction=bad)
    # the design gives no text for this TypeError: pinned as the sibling
    # message of 'average' ("must be a str; got {type}")
    for bad, tname in ((1, "int"), (True, "bool"), (b"miller-madow", "bytes")):
        raises(
            TypeError,
            rf"^'correction' must be None or a str; got {tname}\.$",
            f,
            *args,
            correction=bad,
        )


@pytest.mark.parametrize("name", ["normalized_mutual_information", "adjusted_mutual_information"])
def test_no_correction_for_nmi_ami(name):
    f, _ = FUNCS[name]
    with pytest.raises(TypeError, match="correction"):
        f(good(), good(seed=1), correction=MM)


@pytest.mark.parametrize("name", WITH_BASE)
def test_base(name):
    f, arity = FUNCS[name]
    args = [good(seed=s) for s in range(arity)]
    for bad in (1, 1.0, 0, -2, float("inf"), float("nan")):
        shown = re.escape(repr(bad))
        msg = rf"^'base' must be a positive number other than 1 or None; got {shown}\.$"
        raises(ValueError, msg, f, *args, base=bad)
    for bad, tname in (("2", "str"), (True, "bool"), ([2], "list")):
        raises(
            TypeError, rf"^'base' must be a real number or None; got {tname}\.$", f, *args, base=bad
        )


@pytest.mark.parametrize("name", list(FUNCS))
def test_n_threads(name):
    f, arity = FUNCS[name]
    args = [good(seed=s) for s in range(arity)]
    for bad, shown in (
        (0, "0"),
        (-2, "-2"),
        (1.5, "1.5"),
        (True, "True"),
        (LIMIT + 1, str(LIMIT + 1)),
    ):
        msg = (
            r"^'n_threads' must be None, -1 \(all cores\) or an integer from 1 to "
            rf"{LIMIT} \(thread_limit\(\)\); got {re.escape(shown)}\.$"
        )
        raises(ValueError, msg, f, *args, n_threads=bad)


def test_keyword_only():
    x, y = good(), good(seed=1)
    with pytest.raises(TypeError):
        D.entropy(x, 2)
    with pytest.raises(TypeError):
        D.mutual_information(x, y, 2)
    with pytest.raises(TypeError):
        D.normalized_mutual_information(x, y, "max", 2)
    with pytest.raises(TypeError):
        D.contingency(x, y, True)


# --------------------------------------------------------------------------
# pairwise
# --------------------------------------------------------------------------

MEASURE_MSG = (
    r"^'measure' must be one of 'mutual_information', 'normalized_mutual_information', "
    r"'adjusted_mutual_information', 'variation_of_information', 'conditional_entropy'; "
)


def test_pairwise_measure():
    X = good(12).reshape(6, 2)
    for bad in ("entropy", "mi", "MUTUAL_INFORMATION", "conditional_mutual_information"):
        raises(
            ValueError, MEASURE_MSG + rf"got {re.escape(repr(bad))}\.$", D.pairwise, X, measure=bad
        )


def test_pairwise_shapes():
    X = good(12).reshape(6, 2)
    raises(
        ValueError,
        r"^'X' must be a 2-D array \(n_samples, n_features\); got 1 dimensions\.$",
        D.pairwise,
        good(6),
    )
    raises(
        ValueError,
        r"^'X' must be a 2-D array \(n_samples, n_features\); got 3 dimensions\.$",
        D.pairwise,
        np.zeros((6, 2, 1)),
    )
    raises(
        ValueError,
        r"^'Y' must be a 2-D array \(n_samples, n_features\); got 1 dimensions\.$",
        D.pairwise,
        X,
        good(6),
    )
    raises(
        ValueError,
        r"^'X' must have at least one column; got shape \(6, 0\)\.$",
        D.pairwise,
        np.zeros((6, 0)),
    )
    raises(
        ValueError,
        r"^'Y' must have at least one column; got shape \(6, 0\)\.$",
        D.pairwise,
        X,
        np.zeros((6, 0)),
    )
    raises(
        ValueError,
        r"^'X' and 'Y' must have the same number of samples; got 6 and 5\.$",
        D.pairwise,
        X,
        good(10).reshape(5, 2),
    )


def test_pairwise_keywords():
    X = good(12).reshape(6, 2)
    # keywords of another measure, or of none: a TypeError naming the keyword
    bad = [
        ("mutual_information", {"average": "max"}, "average"),
        ("normalized_mutual_information", {"correction": MM}, "correction"),
        ("adjusted_mutual_information", {"correction": None}, "correction"),
        ("conditional_entropy", {"average": "min"}, "average"),
        ("mutual_information", {"alpha": 2}, "alpha"),
        ("variation_of_information", {"axis": 0}, "axis"),
    ]
    for measure, kw, key in bad:
        with pytest.raises(TypeError, match=rf"'?{key}'?"):
            D.pairwise(X, measure=measure, **kw)
    # and the keywords are validated as in the one-pair functions
    raises(
        ValueError,
        r"^'average' must be one of 'arithmetic', 'geometric', 'min', 'max'; got 'mean'\.$",
        D.pairwise,
        X,
        measure="normalized_mutual_information",
        average="mean",
    )
    raises(
        ValueError,
        r"^'correction' must be None or 'miller-madow'; got 'MM'\.$",
        D.pairwise,
        X,
        measure="conditional_entropy",
        correction="MM",
    )
    raises(
        ValueError,
        r"^'base' must be a positive number other than 1 or None; got 1\.$",
        D.pairwise,
        X,
        base=1,
    )
    raises(ValueError, r"^'n_threads' must be None", D.pairwise, X, n_threads=0)


def test_pairwise_nan():
    X = good(12).reshape(6, 2).astype(np.float64)
    X[4, 1] = np.nan
    with pytest.raises(ValueError, match=r"^'X' must not contain NaN"):
        D.pairwise(X)
    with pytest.raises(ValueError, match=r"^'Y' must not contain NaN"):
        D.pairwise(np.zeros((6, 1)), X)
