"""asv benchmarks for the exact measures on distributions (``fastdiv.*``).

Layout
------
* One class per measure.  Each is parametrised over dtype x shape x threads and
  has a ``time_measure`` / ``peakmem_measure`` pair on the same seeded inputs.
  Shapes are ``(rows, support)``; the support axis is the last one (the default
  ``axis=-1``).  ``(1, 1000)`` is a single row in a 2-D batch, ``(10_000, 1000)``
  many short rows, ``(100, 100_000)`` few long rows.
* ``KLDivergenceLogits`` / ``EntropyLogits``: the ``logits=True`` variants
  (inputs are standard-normal log-probabilities).
* ``PerCall``: one call on a 1-D pair of 1000 elements (call overhead:
  validation, dispatch, result boxing).
* ``NumericDrift``: ``track_`` benchmarks on fixed seeded inputs -- the value
  itself, its error against a float64 NumPy reference, and whether 1 and 2
  threads give bit-identical results -- so that asv flags numeric changes the
  same way it flags slowdowns.

Threads are set with ``fastdiv.set_num_threads`` in ``setup`` and restored in
``teardown``.  Inputs are strictly positive (``1 - U[0, 1)``), so no entry is
zero and KL / cross-entropy are finite.

``peakmem_`` reports the peak resident size of the benchmark process, which
includes the inputs built in ``setup`` (built in place, so no temporaries);
an increase means the call made a copy or a large temporary.
"""

import numpy as np

import fastdiv

SEED = 20240611

DTYPES = ["float32", "float64"]
SHAPES = [(1, 1000), (10_000, 1000), (100, 100_000)]
THREADS = [1, 2]


def positive_inputs(shape, dtype, n, seed=SEED):
    """``n`` arrays of ``shape``/``dtype`` with entries in (0, 1], built in place."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        a = rng.random(shape, dtype=np.dtype(dtype))
        np.subtract(1, a, out=a)  # (0, 1]: never exactly zero
        out.append(a)
    return out


def logit_inputs(shape, dtype, n, seed=SEED):
    """``n`` arrays of standard-normal logits."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape, dtype=np.dtype(dtype)) for _ in range(n)]


# name -> (number of distribution arguments, callable)
MEASURES = {
    "entropy": (1, lambda p: fastdiv.entropy(p)),
    "cross_entropy": (2, lambda p, q: fastdiv.cross_entropy(p, q)),
    "kl_divergence": (2, lambda p, q: fastdiv.kl_divergence(p, q)),
    "js_divergence": (2, lambda p, q: fastdiv.js_divergence(p, q)),
    "js_distance": (2, lambda p, q: fastdiv.js_distance(p, q)),
    "total_variation": (2, lambda p, q: fastdiv.total_variation(p, q)),
    "hellinger": (2, lambda p, q: fastdiv.hellinger(p, q)),
    "renyi_entropy": (1, lambda p: fastdiv.renyi_entropy(p, 2.0)),
    "renyi_divergence": (2, lambda p, q: fastdiv.renyi_divergence(p, q, 0.5)),
    "self_information": (1, lambda p: fastdiv.self_information(p)),
}


class _ThreadsMixin:
    def _set_threads(self, threads):
        self._saved_threads = fastdiv.get_num_threads()
        fastdiv.set_num_threads(threads)

    def teardown(self, *params):
        saved = getattr(self, "_saved_threads", None)
        if saved is not None:
            fastdiv.set_num_threads(saved)


class _Exact(_ThreadsMixin):
    """Base: ``measure`` names an entry of MEASURES; ``logits`` picks inputs."""

    measure = None
    logits = False

    params = [DTYPES, SHAPES, THREADS]
    param_names = ["dtype", "shape", "threads"]
    timeout = 300

    def setup(self, dtype, shape, threads):
        nargs, func = MEASURES[self.measure]
        if self.logits:
            self.args = logit_inputs(shape, dtype, nargs)
            kind = "kl_divergence" if nargs == 2 else "entropy"
            fn = getattr(fastdiv, kind)
            self.func = lambda *a: fn(*a, logits=True)
        else:
            self.args = positive_inputs(shape, dtype, nargs)
            self.func = func
        self._set_threads(threads)
        self.func(*self.args)  # first call outside the timing (lazy init, page-in)

    def time_measure(self, dtype, shape, threads):
        self.func(*self.args)

    def peakmem_measure(self, dtype, shape, threads):
        self.func(*self.args)


class Entropy(_Exact):
    measure = "entropy"


class CrossEntropy(_Exact):
    measure = "cross_entropy"


class KLDivergence(_Exact):
    measure = "kl_divergence"


class JSDivergence(_Exact):
    measure = "js_divergence"


class JSDistance(_Exact):
    measure = "js_distance"


class TotalVariation(_Exact):
    measure = "total_variation"


class Hellinger(_Exact):
    measure = "hellinger"


class RenyiEntropy(_Exact):
    """alpha = 2 (collision entropy)."""

    measure = "renyi_entropy"


class RenyiDivergence(_Exact):
    """alpha = 0.5."""

    measure = "renyi_divergence"


class SelfInformation(_Exact):
    """Elementwise -log p; the float64 output has the shape of the input."""

    measure = "self_information"


class KLDivergenceLogits(_Exact):
    measure = "kl_divergence"
    logits = True


class EntropyLogits(_Exact):
    measure = "entropy"
    logits = True


class PerCall:
    """One call on a 1-D pair of 1000 elements: the per-call overhead."""

    params = [list(MEASURES), DTYPES]
    param_names = ["measure", "dtype"]

    def setup(self, measure, dtype):
        nargs, self.func = MEASURES[measure]
        self.args = positive_inputs((1000,), dtype, nargs)
        self.func(*self.args)

    def time_call(self, measure, dtype):
        self.func(*self.args)


# --------------------------------------------------------------------------
# Numeric drift
# --------------------------------------------------------------------------


def _normalize(a):
    a = np.asarray(a, dtype=np.float64)
    return a / a.sum(axis=-1, keepdims=True)


def _softmax(x):
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _xlogy(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, x * np.log(y), 0.0)


def _js(p, q):
    m = 0.5 * (p + q)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(p > 0, p * np.log(p / m), 0.0)
        b = np.where(q > 0, q * np.log(q / m), 0.0)
    return np.maximum(0.5 * (a.sum(-1) + b.sum(-1)), 0.0)


# float64 NumPy references, straight from the definitions.
REFERENCES = {
    "entropy": lambda p: -_xlogy(_normalize(p), _normalize(p)).sum(-1),
    "cross_entropy": lambda p, q: -_xlogy(_normalize(p), _normalize(q)).sum(-1),
    "kl_divergence": lambda p, q: (
        _xlogy(_normalize(p), _normalize(p)) - _xlogy(_normalize(p), _normalize(q))
    ).sum(-1),
    "js_divergence": lambda p, q: _js(_normalize(p), _normalize(q)),
    "js_distance": lambda p, q: np.sqrt(_js(_normalize(p), _normalize(q))),
    "total_variation": lambda p, q: 0.5 * np.abs(_normalize(p) - _normalize(q)).sum(-1),
    "hellinger": lambda p, q: np.sqrt(
        0.5 * ((np.sqrt(_normalize(p)) - np.sqrt(_normalize(q))) ** 2).sum(-1)
    ),
    "renyi_entropy": lambda p: -np.log((_normalize(p) ** 2).sum(-1)),
    "renyi_divergence": lambda p, q: -2.0 * np.log(np.sqrt(_normalize(p) * _normalize(q)).sum(-1)),
    "self_information": lambda p: -np.log(np.asarray(p, dtype=np.float64)),
    "kl_divergence_logits": lambda x, y: (
        _xlogy(_softmax(x), _softmax(x)) - _xlogy(_softmax(x), _softmax(y))
    ).sum(-1),
    "entropy_logits": lambda x: -_xlogy(_softmax(x), _softmax(x)).sum(-1),
}

DRIFT_MEASURES = list(MEASURES) + ["kl_divergence_logits", "entropy_logits"]
# many short rows, and few long rows (split across threads inside a row)
DRIFT_SHAPES = [(2000, 1000), (4, 250_000)]


def _drift_case(name, shape, dtype):
    if name.endswith("_logits"):
        base = name[: -len("_logits")]
        nargs = MEASURES[base][0]
        fn = getattr(fastdiv, base)
        args = logit_inputs(shape, dtype, nargs, seed=SEED + 1)
        return args, (lambda *a: fn(*a, logits=True))
    nargs, func = MEASURES[name]
    return positive_inputs(shape, dtype, nargs, seed=SEED + 1), func


class NumericDrift(_ThreadsMixin):
    """Values on fixed seeded inputs; asv flags any change between commits.

    * ``track_value``: sum of the results over all rows (elements for
      ``self_information``), in nats.
    * ``track_max_rel_error``: largest relative error (vs max(|ref|, 1e-300))
      against a float64 NumPy evaluation of the definition on the same
      (upcast) inputs.  Expect ~1e-15..1e-13 for float64 inputs and ~1e-7..1e-5
      for float32 inputs (float32 terms, float64 accumulation).
    * ``track_thread_mismatch``: number of results that are not bit-identical
      between 1 and 2 threads.  Must be 0.
    """

    params = [DRIFT_MEASURES, DTYPES, DRIFT_SHAPES]
    param_names = ["measure", "dtype", "shape"]
    timeout = 300

    def setup(self, name, dtype, shape):
        self.args, self.func = _drift_case(name, shape, dtype)

    def track_value(self, name, dtype, shape):
        return float(np.sum(self.func(*self.args)))

    track_value.unit = "nats"

    def track_max_rel_error(self, name, dtype, shape):
        got = np.asarray(self.func(*self.args), dtype=np.float64)
        ref = np.asarray(REFERENCES[name](*self.args), dtype=np.float64)
        err = np.abs(got - ref) / np.maximum(np.abs(ref), 1e-300)
        return float(np.max(err))

    track_max_rel_error.unit = "relative error"

    def track_thread_mismatch(self, name, dtype, shape):
        self._set_threads(1)
        one = np.asarray(self.func(*self.args))
        fastdiv.set_num_threads(2)
        two = np.asarray(self.func(*self.args))
        return int(np.count_nonzero(one.view(np.uint64) != two.view(np.uint64)))

    track_thread_mismatch.unit = "mismatching results"
