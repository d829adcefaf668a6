"""Fuzz harness for fastdiv: profiles, counters, the child-process worker, the
registry of targets, hypothesis strategies and the checks.

* **Profiles.**  ``FASTDIV_FUZZ=quick`` (default, CI) or ``FASTDIV_FUZZ=long``
  (25x the examples); ``fuzz_settings(n)`` gives hypothesis settings with
  ``n`` examples in the quick profile, derandomized, no database, no deadline.
* **Counters.**  ``COUNTS`` (a Counter): ``cases`` run, ``oracle`` results
  compared with an oracle, ``errors`` documented errors checked, ``threads``
  calls re-run with other thread counts or tilings, ``invariants`` checked
  (Renyi monotone in alpha), ``children`` processes started, ``failures``
  failed checks (hypothesis replays included).  ``WORST`` keeps the largest
  error / bound ratio per measure and dtype, to show how close results come.
* **Children.**  Every call runs in a child process (``fuzz_child.py``):
  one worker serves many cases over a pipe and is recycled every
  ``RECYCLE`` cases.  If it dies by a signal (or hangs), the case in flight
  and then the worker's earlier cases are re-run one by one, each in a fresh
  child, to find the one that crashes alone; the failure shows it as code.
* **Targets.**  ``REGISTRY`` lists what is fuzzed; adding a function of an
  existing family is one line, e.g.
  ``Target("kl_divergence", args=("p", "q"), keywords=EXACT_KW, oracle=reference.kl_divergence)``.
  A new family (joint tables, pairwise, histograms, k-NN) adds a ``Family``
  (strategies for valid and bad cases, and the comparison) to ``FAMILIES``.
  The families: "rows" (the exact measures), "elementwise"
  (self_information), "pairwise" (pairwise and nearest: every row of P
  against every row of Q), "discrete" (``fastdiv.discrete``, named by their
  attribute path, e.g. "discrete.mutual_information": labels of every dtype
  against a brute-force plug-in oracle with its own bound, see "the discrete
  family's oracle"), "tables" (joint_entropy, conditional_entropy,
  mutual_information of batches of joint tables, against
  ``fdtest.tables_reference`` and its bound), "hist" (``fastdiv.hist``'s
  histogram and histogram2d against NumPy's, bit for bit: see "the hist
  family"), "knn" (``fastdiv.knn``'s estimators, e.g. "knn.entropy", on
  samples with ties, copies and clusters, against the brute force of
  ``fdtest.knn_reference`` within 1e-12 of its scale: see "the knn family").
* **Checks.**  Results: ``reference.check`` row by row (the one accuracy
  bound), result type and shape, exact zeros where the contract says so,
  inputs unmodified, bit-identical with 1 and 2 threads (and on tiled
  batches and long rows) for a fraction of cases.  Bad input: a
  ``ValueError``/``TypeError`` whose message names the argument in quotes.
"""

import atexit
import collections
import contextlib
import dataclasses
import hashlib
import math
import os
import pickle
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from fdtest import hist_reference, knn_reference, reference, tables_reference
from fdtest.fuzz_child import LAYOUTS, SPECIALS, build_arg
from fdtest.measures import METRICS, SHORTCUT, SYMMETRIC
from fdtest.tolerance import monotone_slack, shortcut_bound

# --------------------------------------------------------------------------
# profiles and counters
# --------------------------------------------------------------------------

PROFILE = (os.environ.get("FASTDIV_FUZZ") or "quick").strip().lower()
if PROFILE not in ("quick", "long"):
    raise ValueError(f"FASTDIV_FUZZ must be 'quick' or 'long'; got {PROFILE!r}")
FACTOR = 1 if PROFILE == "quick" else 25
#: largest number of entries (rows x support) of one case compared with the oracle
BUDGET = 2500 if PROFILE == "quick" else 4000
#: largest support length drawn (beyond the 4096-entry block)
KMAX = 5000 if PROFILE == "quick" else 9000


def examples(n):
    """The number of hypothesis examples for ``n`` in the quick profile."""
    return n * FACTOR


def fuzz_settings(n, **kw):
    """Explicit, reproducible hypothesis settings with ``examples(n)`` examples."""
    return settings(
        max_examples=examples(n),
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        suppress_health_check=_SUPPRESS,
        **kw,
    )


_SUPPRESS = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.filter_too_much,
    HealthCheck.large_base_example,
]


COUNTS = collections.Counter()
COUNT_KEYS = ("cases", "oracle", "errors", "threads", "invariants", "children", "failures")


#: the largest |error| / bound seen per measure (and where): how close results come to the bound
WORST = {}


def counts_line(c=None):
    c = COUNTS if c is None else c
    return ", ".join(f"{k} {c[k]}" for k in COUNT_KEYS)


def worst_lines():
    lines = [f"  {m}: {r:.3g} of the bound ({where})" for m, (r, where) in sorted(WORST.items())]
    lines += [f"  discrete AMI not compared ({why}): {k}" for why, k in sorted(D_SKIPPED.items())]
    return lines


def _note_ratio(measure, ratio, where):
    if ratio > WORST.get(measure, (-1.0, ""))[0]:
        WORST[measure] = (ratio, where)


def thread_limit():
    """4 x the cores available to this process (the rule of issue 7, item 2)."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    return 4 * n


# --------------------------------------------------------------------------
# failures: one raise site per kind, so hypothesis reports each kind
# --------------------------------------------------------------------------


class FuzzFailure(AssertionError):
    pass


class CrashFailure(FuzzFailure):
    pass


class AccuracyFailure(FuzzFailure):
    pass


class ErrorFailure(FuzzFailure):
    pass


class ThreadFailure(FuzzFailure):
    pass


class ContractFailure(FuzzFailure):
    pass


def fail(kind, msg):
    COUNTS["failures"] += 1
    if kind == "crash":
        raise CrashFailure(msg)
    if kind == "accuracy":
        raise AccuracyFailure(msg)
    if kind == "error":
        raise ErrorFailure(msg)
    if kind == "threads":
        raise ThreadFailure(msg)
    raise ContractFailure(msg)


# --------------------------------------------------------------------------
# reproducers
# --------------------------------------------------------------------------

_REPRO_DIR = None


def _repro_dir():
    global _REPRO_DIR
    if _REPRO_DIR is None:
        _REPRO_DIR = tempfile.mkdtemp(prefix="fastdiv-fuzz-")
    return _REPRO_DIR


def _value_code(v):
    if isinstance(v, float):
        if math.isnan(v):
            return "float('nan')"
        if math.isinf(v):
            return "float('inf')" if v > 0 else "-float('inf')"
        return repr(v)
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**64:
        for b in (10, 2):
            k = round(math.log(abs(v), b))
            if b**k == abs(v):
                return f"{'-' if v < 0 else ''}{b}**{k}"
    if isinstance(v, np.generic):
        return f"np.{type(v).__name__}({v.item()!r})"
    return repr(v)


def _array_code(data):
    # (repr shows inf and nan as names Python does not know: saved instead)
    finite = data.dtype.kind not in "fc" or bool(np.all(np.isfinite(data)))
    if data.size <= 64 and finite:
        lst = data.astype(np.float64).tolist() if data.dtype.kind == "f" else data.tolist()
        return f"np.array({lst!r}, dtype={data.dtype.str!r})"
    digest = hashlib.sha1(data.dtype.str.encode() + repr(data.shape).encode() + data.tobytes())
    path = os.path.join(_repro_dir(), f"{digest.hexdigest()[:16]}.npy")
    if not os.path.exists(path):
        np.save(path, data)
    if data.dtype == object:  # (labels of any Python type: pickled)
        return f"np.load({path!r}, allow_pickle=True)"
    return f"np.load({path!r})"


def _arg_code(a):
    kind = a[0]
    if kind == "val":
        return _value_code(a[1])
    if kind == "special":
        r = repr(SPECIALS[a[1]]())
        if r.startswith(("[", "{", "b'")) and len(r) < 80:
            return r
        return f"build_arg(('special', {a[1]!r}))"
    if kind == "rng":
        _, seed, shape, dtype = a
        return f"(np.random.default_rng({seed}).random({shape!r}) + 0.01).astype({dtype!r})"
    if kind == "fn":
        return f"fastdiv.{a[1]}"
    if kind == "out":
        return f"build_arg({a!r})"
    _, data, layout, axis = a
    d = _array_code(data)
    m = f"np.moveaxis({d}, -1, {axis})" if axis not in (-1, data.ndim - 1) else d
    if layout in ("C", "view"):
        return m
    if layout == "F":
        return f"np.asfortranarray({m})"
    if layout == "list":
        return f"{m}.tolist()"
    return f"build_arg(('arr', {d}, {layout!r}, {axis}))"


def spec_code(spec):
    """A Python snippet that makes the call of ``spec`` (run it from tests/)."""
    lines = ["import numpy as np, fastdiv"]
    body, names = [], []
    for i, a in enumerate(spec.get("args", ())):
        code = _arg_code(a)
        if len(code) <= 60:
            names.append(code)
        else:
            body.append(f"a{i} = {code}")
            names.append(f"a{i}")
    kws = [f"{k}={_arg_code(v)}" for k, v in spec.get("kwargs", {}).items()]
    if any("build_arg(" in b for b in body + names + kws):
        lines.append(
            "from fdtest.fuzz_child import build_arg"
            "  # run from tests/: it rebuilds the memory layout"
        )
    if spec.get("isa"):
        lines.append(f"fastdiv._divergence.set_isa({spec['isa']!r})")
    call = f"fastdiv.{spec['fn']}({', '.join(names + kws)})"
    pre = spec.get("pre")
    lines += body
    if pre and pre[0] == "set":
        lines.append(f"fastdiv.set_num_threads({_value_code(pre[1])})")
        lines.append(call)
    elif pre and pre[0] == "ctx":
        lines.append(f"with fastdiv.num_threads({_value_code(pre[1])}):")
        lines.append(f"    {call}")
    else:
        lines.append(call)
    return "\n".join(lines)


# --------------------------------------------------------------------------
# the child-process worker
# --------------------------------------------------------------------------

#: tests/, the directory that holds the fdtest package (this file is tests/fdtest/fuzz.py)
TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# -c puts the working directory first on sys.path, where a source tree's fastdiv could
# shadow the installed one: the child replaces it with tests/ (for fdtest.fuzz_child).
_BOOT = f"import sys; sys.path[0] = {TESTS_DIR!r}; from fdtest import fuzz_child; fuzz_child.main()"
RECYCLE = 200
TIMEOUT = 120.0


class ChildDied(Exception):
    def __init__(self, how, spec, history, stderr):
        super().__init__(how)
        self.how, self.spec, self.history, self.stderr = how, spec, history, stderr


def _signame(rc):
    if rc is None:
        return "hung (killed after the timeout)"
    if rc < 0:
        try:
            return f"killed by {signal.Signals(-rc).name}"
        except ValueError:
            return f"killed by signal {-rc}"
    return f"exited with status {rc}"


class Worker:
    """One child process that runs specs in order (see fdtest.fuzz_child)."""

    def __init__(self, recycle=RECYCLE, timeout=TIMEOUT):
        self.recycle, self.timeout = recycle, timeout
        self.proc = None
        self.history = []

    def start(self):
        self.err = tempfile.TemporaryFile()  # noqa: SIM115 - kept open; closed in close()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.err,
            bufsize=0,
        )
        self.history = []
        COUNTS["children"] += 1

    def close(self):
        p, self.proc = self.proc, None
        if p is None:
            return
        try:
            if p.poll() is None:
                try:
                    p.stdin.write(struct.pack("<Q", len(pickle.dumps(None))) + pickle.dumps(None))
                    p.stdin.flush()
                except OSError:
                    pass
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        finally:
            for f in (p.stdin, p.stdout):
                with contextlib.suppress(OSError):
                    f.close()
            self.err.close()

    def _stderr(self):
        try:
            self.err.seek(0)
            return self.err.read().decode(errors="replace")[-3000:]
        except (OSError, ValueError):
            return ""

    def _read(self, n, deadline):
        fd = self.proc.stdout.fileno()
        data = b""
        while len(data) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                return None, "timeout"
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, n - len(data))
            if not chunk:
                return None, "eof"
            data += chunk
        return data, None

    def run(self, spec):
        """The outcome of ``spec``; raises ChildDied if the child dies or hangs."""
        if self.proc is None or self.proc.poll() is not None or len(self.history) >= self.recycle:
            self.close()
            self.start()
        payload = pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL)
        deadline = time.monotonic() + self.timeout
        try:
            self.proc.stdin.write(struct.pack("<Q", len(payload)) + payload)
            self.proc.stdin.flush()
            head, why = self._read(8, deadline)
            if head is not None:
                body, why = self._read(struct.unpack("<Q", head)[0], deadline)
        except (BrokenPipeError, ConnectionResetError):
            head, why = None, "eof"
        if head is None or body is None:
            if why == "timeout":
                self.proc.kill()
                self.proc.wait()
                how = None
            else:
                try:
                    how = self.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    how = self.proc.wait()
            history, err = self.history, self._stderr()
            self.close()
            raise ChildDied(how, spec, history, err)
        self.history.append(spec)
        return pickle.loads(body)


WORKER = Worker()


def shutdown():
    WORKER.close()


atexit.register(shutdown)


def _run_alone(spec, timeout):
    w = Worker(recycle=1, timeout=timeout)
    try:
        w.run(spec)
        return None
    except ChildDied as d:
        return d
    finally:
        w.close()


def locate_crash(died, timeout=TIMEOUT):
    """The first case of a dead child's batch that crashes on its own: the
    case in flight first, then the earlier ones in order.  (ChildDied, index)
    or (None, None) if none does."""
    batch = [died.spec] + list(died.history)
    for i, spec in enumerate(batch):
        d = _run_alone(spec, timeout)
        if d is not None:
            return d, i
    return None, None


def run_spec(spec, worker=None, timeout=None):
    """Run ``spec`` in the worker; a crash fails with the reproducer."""
    w = WORKER if worker is None else worker
    if timeout is not None:
        w.timeout = timeout
    try:
        return w.run(spec)
    except ChildDied as died:
        alone, i = locate_crash(died, timeout=w.timeout)
        n = 1 + len(died.history)
        if alone is not None:
            where = "the case in flight" if i == 0 else f"an earlier case ({i} of {n - 1})"
            msg = (
                f"child {_signame(died.how)} while running a batch of {n} cases; re-run one "
                f"by one, {where} {_signame(alone.how)} on its own:\n{spec_code(alone.spec)}\n"
                f"-- child stderr --\n{alone.stderr[-1500:]}"
            )
        else:
            path = os.path.join(_repro_dir(), "sequence.pkl")
            with open(path, "wb") as f:
                pickle.dump([*died.history, died.spec], f)
            msg = (
                f"child {_signame(died.how)} in a batch of {n} cases, but no case crashes on "
                f"its own (the sequence is saved in {path}); the case in flight:\n"
                f"{spec_code(died.spec)}\n-- child stderr --\n{died.stderr[-1500:]}"
            )
        fail("crash", msg)


# --------------------------------------------------------------------------
# the discrete family's oracle: plug-in measures by brute force
# --------------------------------------------------------------------------
#
# Independent of the package: the symbols are Python values counted with
# collections.Counter (the rows of a 2-D input as tuples), the logs are
# math.log of ratios of exact Python integers (one correct rounding) and the
# sums are math.fsum (exact).  -0.0 and 0.0 are one symbol, as 1 and 1.0 in
# an object array: equal values hash alike.
#
# THE BOUND.  A measure is built from sums ``(1/n) sum_cells c log(r)``, each
# with first-order error, fastdiv's and the oracle's together, of at most
# ``D_U (2 + (24 + log2 m) s)`` where ``s = (1/n) sum |c log r|`` and m is
# the number of cells: fastdiv rounds the ratio r once (products of counts
# are exact below 2^53), log adds an ulp (an absolute u(1 + |log r|)), the
# product with c one more, and its pairwise sum of m terms at most
# ``(16 + log2 m) u sum |t|`` (a 16-term base case, then halves); the oracle
# adds ``u(1 + 3 s)`` (one rounding of r, log, product; fsum is exact).  The
# piece bounds are doubled (the second-order terms) and added; a
# Miller-Madow term adds ``4 u |corr|``, the result ``4 u |v|`` (sums, the
# product with 1/log(base), whose own rounding is relative); the base
# scales the whole.  At n = 3000 this is about 6e-14 nats: tighter than the
# 1e-12 the API promises.

#: the unit roundoff of float64
D_U = 2.0**-53


def d_symbols(a):
    """The symbols of a label argument as hashable Python values, read as the
    package reads it (``np.asarray`` of a list; the rows of a 2-D input as
    tuples)."""
    a = a if isinstance(a, np.ndarray) else np.asarray(a)
    if a.ndim == 2:
        return [tuple(r) for r in a.tolist()]
    return a.tolist()


def _d_piece(terms, n, cells):
    """(value, bound) of ``sum(terms) / n`` (see THE BOUND)."""
    v = math.fsum(terms) / n
    s = math.fsum(abs(t) for t in terms) / n
    return v, 2.0 * D_U * (2.0 + (24.0 + math.log2(max(cells, 2))) * s)


def _d_entropy_piece(counter, n):
    return _d_piece([c * math.log(n / c) for c in counter.values()], n, len(counter))


def _d_mi_piece(cxy, cx, cy, n, weight=None):
    """I(X; Y) = (1/n) sum c log(s c / (a b)), s = n, or weight(x) (the
    conditional mutual information: x is a pair (x, z), weight its n_z)."""
    terms = []
    for (x, y), c in cxy.items():
        s = n if weight is None else weight(x)
        terms.append(c * math.log((s * c) / (cx[x] * cy[y])))
    return _d_piece(terms, n, len(cxy))


def _d_cond_piece(cxy, cy, n):
    """H(X | Y) = (1/n) sum c log(b / c), b the count of the cell's y."""
    return _d_piece([c * math.log(cy[y] / c) for (_, y), c in cxy.items()], n, len(cxy))


def _d_finish(value, bound, corr, base):
    """The value in the caller's base with its bound: ``corr`` (nats, exact
    rational, 0 without a correction) is added to the value."""
    v = value + corr
    b = bound + 4.0 * D_U * abs(corr) + 4.0 * D_U * abs(v)
    if base is None:
        return v, b
    lb = math.log(float(base))
    return v / lb, b / abs(lb) + 4.0 * D_U * abs(v / lb)


def _d_counts(xs, ys):
    n = len(xs)
    cx, cy = collections.Counter(xs), collections.Counter(ys)
    return n, cx, cy, collections.Counter(zip(xs, ys))


def _d_perfect(cx, cy, cxy):
    """Labelings equal up to renaming: every cell fills its row and column."""
    return len(cx) == len(cy) == len(cxy)


class DOracle:
    """The oracle's answer: ``value`` and ``bound`` (0: the value is exact and
    must come bit for bit, up to the sign of a zero); ``nonneg``: the
    contract keeps the result >= 0 in nats (no correction); ``skip``: why the
    value cannot be compared (an ill-conditioned AMI), or None."""

    def __init__(self, value, bound, nonneg=False, skip=None):
        self.value, self.bound, self.nonneg, self.skip = value, bound, nonneg, skip


def d_entropy(xs, *, base=None, correction=None):
    n, cx = len(xs), collections.Counter(xs)
    if len(cx) == 1:  # every term is n log(n / n) = 0 and so is the correction
        return DOracle(0.0, 0.0, True)
    v, b = _d_entropy_piece(cx, n)
    corr = (len(cx) - 1) / (2 * n) if correction else 0.0
    return DOracle(*_d_finish(v, b, corr, base), nonneg=not correction)


def d_joint_entropy(xs, ys, *, base=None, correction=None):
    n, _, _, cxy = _d_counts(xs, ys)
    if len(cxy) == 1:
        return DOracle(0.0, 0.0, True)
    v, b = _d_entropy_piece(cxy, n)
    corr = (len(cxy) - 1) / (2 * n) if correction else 0.0
    return DOracle(*_d_finish(v, b, corr, base), nonneg=not correction)


def d_conditional_entropy(xs, ys, *, base=None, correction=None):
    n, _, cy, cxy = _d_counts(xs, ys)
    corr = (len(cxy) - len(cy)) / (2 * n) if correction else 0.0
    # X a function of Y: every cell holds its whole column, log(b / c) = log 1
    if all(c == cy[y] for (_, y), c in cxy.items()) and not correction:
        return DOracle(0.0, 0.0, True)
    v, b = _d_cond_piece(cxy, cy, n)
    return DOracle(*_d_finish(v, b, corr, base), nonneg=not correction)


def _d_independent(cxy, cx, cy, n):
    """Exactly independent: n c == a b in every cell (each ratio is 1), and
    every pair of occupied values occupies a cell."""
    return len(cxy) == len(cx) * len(cy) and all(
        n * c == cx[x] * cy[y] for (x, y), c in cxy.items()
    )


def d_mutual_information(xs, ys, *, base=None, correction=None):
    n, cx, cy, cxy = _d_counts(xs, ys)
    if _d_independent(cxy, cx, cy, n) and not correction:
        return DOracle(0.0, 0.0, True)
    v, b = _d_mi_piece(cxy, cx, cy, n)
    corr = (len(cx) + len(cy) - len(cxy) - 1) / (2 * n) if correction else 0.0
    return DOracle(*_d_finish(v, b, corr, base), nonneg=not correction)


def d_variation_of_information(xs, ys, *, base=None, correction=None):
    n, cx, cy, cxy = _d_counts(xs, ys)
    if _d_perfect(cx, cy, cxy) and not correction:
        return DOracle(0.0, 0.0, True)
    v1, b1 = _d_cond_piece(cxy, cy, n)
    v2, b2 = _d_cond_piece(collections.Counter(zip(ys, xs)), cx, n)
    corr = (2 * len(cxy) - len(cx) - len(cy)) / (2 * n) if correction else 0.0
    return DOracle(*_d_finish(v1 + v2, b1 + b2, corr, base), nonneg=not correction)


def d_conditional_mutual_information(xs, ys, zs, *, base=None, correction=None):
    n = len(xs)
    cz = collections.Counter(zs)
    cxz, cyz = collections.Counter(zip(xs, zs)), collections.Counter(zip(ys, zs))
    # cells: ((x, z), (y, z)) with the counts n_xyz
    cells = collections.Counter(((x, z), (y, z)) for x, y, z in zip(xs, ys, zs))
    corr = (len(cxz) + len(cyz) - len(cells) - len(cz)) / (2 * n) if correction else 0.0
    if not correction and all(
        c * cz[u[1]] == cxz[u] * cyz[w] for (u, w), c in cells.items()
    ):  # every ratio n_xyz n_z / (n_xz n_yz) is 1
        return DOracle(0.0, 0.0, True)
    v, b = _d_mi_piece(cells, cxz, cyz, n, weight=lambda u: cz[u[1]])
    return DOracle(*_d_finish(v, b, corr, base), nonneg=not correction)


def _d_average(hx, hy, average):
    if average == "arithmetic":
        return (hx + hy) / 2.0
    if average == "geometric":
        return math.sqrt(hx * hy)
    return min(hx, hy) if average == "min" else max(hx, hy)


def _d_average_bound(hx, ex, hy, ey, average):
    """The first-order error of the average of hx +- ex and hy +- ey."""
    if average == "arithmetic":
        return (ex + ey) / 2.0 + D_U * (hx + hy)
    if average == "geometric":
        g = math.sqrt(hx * hy)
        if g == 0.0:
            return math.sqrt(ex * max(hy, ey)) + math.sqrt(ey * max(hx, ex))
        return 0.5 * g * (ex / hx + ey / hy) + 2.0 * D_U * g
    return max(ex, ey)


def _d_plugin(xs, ys):
    """Counts and the pieces of NMI and AMI: I, H(X), H(Y) with bounds."""
    n, cx, cy, cxy = _d_counts(xs, ys)
    return (
        n,
        cx,
        cy,
        cxy,
        _d_mi_piece(cxy, cx, cy, n),
        _d_entropy_piece(cx, n),
        _d_entropy_piece(cy, n),
    )


def d_normalized_mutual_information(xs, ys, average="arithmetic", *, base=None):
    n, cx, cy, cxy, (mi, e_mi), (hx, ex), (hy, ey) = _d_plugin(xs, ys)
    if _d_perfect(cx, cy, cxy):
        return DOracle(1.0, 0.0)
    if _d_independent(cxy, cx, cy, n):
        return DOracle(0.0, 0.0)
    norm = _d_average(hx, hy, average)
    en = _d_average_bound(hx, ex, hy, ey, average)
    v = min(max(mi / norm, 0.0), 1.0)
    return DOracle(v, (e_mi + v * en) / norm + 4.0 * D_U * v)  # (in [0, 1]: checked)


#: the most hypergeometric terms the exact expected mutual information sums
EMI_TERMS = 6000


def _d_sizes(counter):
    return collections.Counter(counter.values())  # class size -> how many classes


def _d_emi_ranges(sa, sb, n):
    return [(a, b, max(1, a + b - n), min(a, b)) for a in sa for b in sb]


def d_emi_exact(cx, cy, n):
    """E[I] under the hypergeometric model, in nats, and the sum of |terms|:
    every probability C(a, k) C(n - a, b - k) / C(n, b) is a ratio of exact
    integers (carried from k to k + 1 exactly), rounded once."""
    sa, sb = _d_sizes(cx), _d_sizes(cy)
    terms = []
    for a, b, lo, hi in _d_emi_ranges(sa, sb, n):
        w = sa[a] * sb[b]
        den = math.comb(n, b)
        ca, cb = math.comb(a, lo), math.comb(n - a, b - lo)
        for k in range(lo, hi + 1):
            p = (ca * cb) / den
            terms.append(w * (k / n) * math.log((n * k) / (a * b)) * p)
            if k < hi:
                ca = ca * (a - k) // (k + 1)
                cb = cb * (b - k) // (n - a - b + k + 1)
    return math.fsum(terms), math.fsum(abs(t) for t in terms)


def d_emi_terms(cx, cy, n):
    return sum((hi - lo + 1) for a, b, lo, hi in _d_emi_ranges(_d_sizes(cx), _d_sizes(cy), n))


def _d_emi_bound(n, s):
    """A bound on the error of an expected mutual information computed in
    float64 from log-probabilities (fastdiv's fd_emi.c: log P at the mode,
    then exact-ratio steps re-anchored every 64; scikit-learn's: nine lgamma
    per term): each probability carries a relative error of at most a few
    ulps of the log-factorials it comes from (magnitude up to lgamma(n + 1))
    plus a few ulps per step, and a sum over up to n terms one ulp per term,
    so at most (40 lgamma(n + 1) + 2 n + 16) u (s + 1), s the sum of |terms|
    (the ratio and log add 2u(1 + |log|) per unit of k / n, whose
    expectations sum to 1)."""
    return (40.0 * math.lgamma(n + 1.0) + 2.0 * n + 16.0) * D_U * (s + 1.0)


def d_adjusted_mutual_information(xs, ys, average="arithmetic", *, base=None):
    """AMI = (I - E[I]) / (avg(H(X), H(Y)) - E[I]) with scikit-learn's guard
    on the denominator.  E[I] is exact (d_emi_exact) when it has at most
    EMI_TERMS terms; else the value is scikit-learn's
    adjusted_mutual_info_score, whose E[I] is lgamma-based too (the bound
    counts both, and scikit-learn's I and H: logs of counts and of n, an
    absolute u log n per unit of weight in a few terms)."""
    n, cx, cy, cxy, (mi, e_mi), (hx, ex), (hy, ey) = _d_plugin(xs, ys)
    if _d_perfect(cx, cy, cxy):
        return DOracle(1.0, 0.0)
    if len(cx) == n or len(cy) == n:
        # one labeling (only) with every sample in a class of its own: its MI
        # with any labeling is log n - H(other) = E[I], exactly 0 (documented)
        return DOracle(0.0, 0.0)
    mi = max(mi, 0.0)
    norm = _d_average(hx, hy, average)
    e_norm = _d_average_bound(hx, ex, hy, ey, average)
    v = None
    if d_emi_terms(cx, cy, n) <= EMI_TERMS:
        emi, s = d_emi_exact(cx, cy, n)
        e_emi = _d_emi_bound(n, s) + 4.0 * D_U * s
    elif len(cx) * len(cy) <= SKLEARN_CELLS:
        emi = d_emi_approx(cx, cy, n)  # only for the size of the denominator
        # the sum of |terms| is at most log n: |log(n k / (a b))| <= log n and
        # the k / n weighted by their probabilities sum to 1
        e_emi = 2.0 * _d_emi_bound(n, math.log(n))
        sk = 16.0 * D_U * (1.0 + math.log(n))
        e_mi, e_norm = e_mi + sk, e_norm + sk
        v = _d_sklearn_ami(xs, ys, average)
    else:
        return DOracle(math.nan, math.inf, skip="no oracle: too many classes for scikit-learn")
    d = norm - emi
    e_d = e_norm + e_emi
    eps = float(np.finfo(np.float64).eps)
    if abs(d) <= 2.0 * (e_d + eps):
        return DOracle(math.nan, math.inf, skip=f"ill-conditioned: avg - E[I] = {d!r} +- {e_d:.2g}")
    if v is None:
        v = (mi - emi) / (min(d, -eps) if d < 0 else max(d, eps))
    return DOracle(v, (e_mi + e_emi + abs(v) * e_d) / abs(d) + 4.0 * D_U * abs(v))


#: the most class pairs a value is compared with scikit-learn's for (its E[I]
#: loops over every pair of classes)
SKLEARN_CELLS = 40_000


def d_emi_approx(cx, cy, n):
    """E[I] from lgamma in float64 (vectorized): only the size of the AMI
    denominator, for the bound of a value compared with scikit-learn's."""
    from scipy.special import gammaln

    sa, sb = _d_sizes(cx), _d_sizes(cy)
    s = 0.0
    for a, b, lo, hi in _d_emi_ranges(sa, sb, n):
        k = np.arange(lo, hi + 1, dtype=np.float64)
        lp = (
            gammaln(a + 1.0)
            + gammaln(b + 1.0)
            + gammaln(n - a + 1.0)
            + gammaln(n - b + 1.0)
            - gammaln(n + 1.0)
            - gammaln(k + 1)
            - gammaln(a - k + 1)
            - gammaln(b - k + 1)
            - gammaln(n - a - b + k + 1)
        )
        s += sa[a] * sb[b] * float(np.sum(k / n * np.log(n * k / (a * b)) * np.exp(lp)))
    return s


def _d_sklearn_ami(xs, ys, average):
    from sklearn.metrics import adjusted_mutual_info_score

    def codes(v):
        index = {}
        return [index.setdefault(s, len(index)) for s in v]

    return float(adjusted_mutual_info_score(codes(xs), codes(ys), average_method=average))


def _d_key(s):
    """Sort key of a symbol: complex numbers by real, then imaginary part (as
    NumPy sorts them), tuples (rows) element by element."""
    if isinstance(s, complex):
        return (s.real, s.imag)
    if isinstance(s, tuple):
        return tuple(_d_key(e) for e in s)
    return s


def d_contingency(xs, ys):
    """The table as its shape and non-zero cells (i, j, count) in row-major
    order: rows and columns in the order of the sorted distinct symbols (rows
    of a 2-D input lexicographically)."""
    rx = {s: i for i, s in enumerate(sorted(set(xs), key=_d_key))}
    ry = {s: i for i, s in enumerate(sorted(set(ys), key=_d_key))}
    cells = sorted((rx[x], ry[y], c) for (x, y), c in collections.Counter(zip(xs, ys)).items())
    i, j, c = (np.array(v, dtype=np.int64) for v in zip(*cells))
    return (len(rx), len(ry)), i, j, c


def d_pairwise(X, Y=None, *, measure="mutual_information", **kw):
    """The one-pair oracles of every pair of columns of X and Y (None: X), as
    rows of DOracle."""
    X = np.asarray(X)
    xs = [d_symbols(X[:, i]) for i in range(X.shape[1])]
    if Y is None:
        ys = xs
    else:
        Y = np.asarray(Y)
        ys = [d_symbols(Y[:, j]) for j in range(Y.shape[1])]
    return [[D_ORACLES[measure](x, y, **kw) for y in ys] for x in xs]


#: the one-pair oracles by measure name (pairwise's measures among them)
D_ORACLES = {
    "entropy": d_entropy,
    "joint_entropy": d_joint_entropy,
    "conditional_entropy": d_conditional_entropy,
    "mutual_information": d_mutual_information,
    "normalized_mutual_information": d_normalized_mutual_information,
    "adjusted_mutual_information": d_adjusted_mutual_information,
    "variation_of_information": d_variation_of_information,
    "conditional_mutual_information": d_conditional_mutual_information,
}


# --------------------------------------------------------------------------
# the hist family's oracles: NumPy's histograms
# --------------------------------------------------------------------------


def h_histogram(x, bins=10, range=None, *, weights=None, density=False, n_threads=None):
    """numpy.histogram as fastdiv.hist.histogram documents it: NumPy's
    bool warning silenced; with weights, the counts as float64 (fastdiv's
    dtype; NumPy's take the weights' dtype)."""
    c, e = hist_reference.np_histogram(x, bins, range, weights=weights, density=density)
    return (c.astype(np.float64) if weights is not None else c), e


def h_histogram2d(x, y, bins=10, range=None, *, weights=None, density=False, n_threads=None):
    """numpy.histogram2d of the samples as fastdiv reads them (ints and bools
    as float64)."""
    x, y = (np.asarray(a) for a in (x, y))
    x, y = (a.astype(np.float64) if a.dtype.kind in "iub" else a for a in (x, y))
    return hist_reference.np_histogram2d(x, y, bins, range, weights=weights, density=density)


# --------------------------------------------------------------------------
# the knn family's oracles: fdtest.knn_reference's brute force, set by set
# --------------------------------------------------------------------------
#
# Each wrapper takes the arguments of its fastdiv.knn function (samples as
# fastdiv reads them: (n,), (n, d) or a (B, n, d) batch of any real dtype,
# labels of any dtype) and returns (values, scales, batch): the oracle's
# value and scale (``knn_reference``: the sum of the moduli of the
# constants and the mean of the moduli of the per-point terms) per set (per
# column for mutual_information_features), and whether fastdiv returns an
# array.  A ValueError of the oracle (too few distinct points, every class
# a singleton) becomes KnnRefused: fastdiv must refuse the case too.
#
# standardize=True: the spec fixes the map (zero mean and unit standard
# deviation, ddof=0, per column and per set; kl_divergence's samples pooled)
# but not the rounding of the mean and the deviation, and a last bit of
# difference there changes which distances of a grid of values tie, and so
# the counts.  k_standardized therefore standardizes exactly as fastdiv's
# statistics are computed (NumPy's mean and std of the float64 column, the
# sets' rows pooled in argument order, ``(v - mean) / std`` elementwise) and
# the oracle runs on those points with standardize=False.  knn_reference's
# own standardization (``a.mean(axis=0)``) is tested by tests/knn.


class KnnRefused(Exception):
    """knn_reference raised ValueError: the case is not valid."""


def _k_sets(a):
    """A sample argument as fastdiv reads it: float64 sets (B, n, d) (float32,
    ints and bools are exact in float64) and whether it was a batch."""
    x = np.asarray(a).astype(np.float64)
    if x.ndim == 1:
        return x[None, :, None], False
    if x.ndim == 2:
        return x[None], False
    return x, True


def k_standardized(*sets):
    """The (n_i, d) float64 sets standardized by their rows pooled (in order),
    column by column, as fastdiv computes it; a constant column (std 0) is
    only centred."""
    out = [np.empty(s.shape) for s in sets]
    for c in range(sets[0].shape[1]):
        col = np.concatenate([s[:, c] for s in sets])
        mu, sd = col.mean(), col.std()
        if not sd > 0.0 or np.all(col == col[0]):
            sd = 1.0
        for s, o in zip(sets, out):
            o[:, c] = (s[:, c] - mu) / sd
    return out


def _k_call(f, *args, **kw):
    try:
        return f(*args, scale=True, **kw)
    except ValueError as e:
        raise KnnRefused(str(e)) from None


def _k_result(pairs, batch):
    values = np.array([v for v, _ in pairs], dtype=np.float64)
    scales = np.array([s for _, s in pairs], dtype=np.float64)
    return values, scales, batch


def k_entropy(x, k=3, *, base=None, metric="euclidean", n_threads=None):
    xs, batch = _k_sets(x)
    out = [_k_call(knn_reference.entropy, a, k, base=base, metric=metric) for a in xs]
    return _k_result(out, batch)


def _k_labels(y, batch):
    """Labels as (B, n) (an object or NumPy array; fastdiv's np.unique decides
    the classes, as the oracle's)."""
    ya = np.asarray(y)
    return ya if batch else ya[None]


def k_mutual_information(
    x, y, k=3, *, base=None, algorithm=1, y_discrete=False, standardize=False, n_threads=None
):
    xs, batch = _k_sets(x)
    out = []
    if y_discrete:
        ys = _k_labels(y, batch)
        for a, lab in zip(xs, ys):
            a = k_standardized(a)[0] if standardize else a
            out.append(_k_call(knn_reference.mutual_information, a, lab, k, base=base,
                               y_discrete=True))  # fmt: skip
        return _k_result(out, batch)
    ys, _ = _k_sets(y)
    for a, b in zip(xs, ys):
        if standardize:
            a, b = k_standardized(a)[0], k_standardized(b)[0]
        out.append(
            _k_call(knn_reference.mutual_information, a, b, k, base=base, algorithm=int(algorithm))
        )
    return _k_result(out, batch)


def k_conditional_mutual_information(x, y, z, k=3, *, base=None, standardize=False, n_threads=None):
    (xs, batch), (ys, _), (zs, _) = _k_sets(x), _k_sets(y), _k_sets(z)
    out = []
    for a, b, c in zip(xs, ys, zs):
        if standardize:
            a, b, c = (k_standardized(v)[0] for v in (a, b, c))
        out.append(_k_call(knn_reference.conditional_mutual_information, a, b, c, k, base=base))
    return _k_result(out, batch)


def k_kl_divergence(x, y, k=1, *, base=None, metric="euclidean", standardize=False, n_threads=None):
    (xs, batch), (ys, _) = _k_sets(x), _k_sets(y)
    out = []
    for a, b in zip(xs, ys):
        if standardize:
            a, b = k_standardized(a, b)
        out.append(_k_call(knn_reference.kl_divergence, a, b, k, base=base, metric=metric))
    return _k_result(out, batch)


def k_mutual_information_features(
    X, y, k=3, *, base=None, algorithm=1, y_discrete=False, standardize=False, n_threads=None
):
    """One oracle call per column of X (knn_reference.mutual_information_features
    gives no scales)."""
    Xa = np.asarray(X).astype(np.float64)
    if y_discrete:
        yv = np.asarray(y)
    else:
        yv = _k_sets(y)[0][0]
        yv = k_standardized(yv)[0] if standardize else yv
    out = []
    for j in range(Xa.shape[1]):
        col = Xa[:, j : j + 1]
        col = k_standardized(col)[0] if standardize else col
        kw = {"y_discrete": True} if y_discrete else {"algorithm": int(algorithm)}
        out.append(_k_call(knn_reference.mutual_information, col, yv, k, base=base, **kw))
    return _k_result(out, True)


# --------------------------------------------------------------------------
# registry
# --------------------------------------------------------------------------

EXACT_KW = ("base", "axis", "keepdims", "normalize", "logits")
NOBASE_KW = ("axis", "keepdims", "normalize", "logits")
RENYI_KW = ("base", "axis", "keepdims", "normalize")
BASES = (None, None, 2, 10, 0.5)
BASES_ABOVE_1 = (None, None, 2, 10, math.e)
ALPHAS = (0.0, 0.5, 1 - 1e-9, 1.0, 2.0, 7.5, 1e3, 1e5, math.inf)
#: the keywords of pairwise and nearest the fuzzer varies (the measure's, by metric)
PAIRWISE_KW = ("metric", "base", "normalize", "logits", "alpha", "n_threads")
#: the keywords of the measures on joint tables
TABLE_KW = ("base", "normalize", "n_threads")


#: the keywords of fastdiv.discrete: contingency's, the measures' with and without a
#: correction, pairwise's
D_CT_KW = ("n_threads", "sparse")
D_KW = ("n_threads", "base", "correction")
D_AVG_KW = ("n_threads", "base", "average")
D_PW_KW = ("n_threads", "measure", "base", "average", "correction")
#: the keywords of fastdiv.hist's histograms
H_KW = ("weights", "density", "n_threads")
#: the keywords of fastdiv.knn's functions
K_ENTROPY_KW = ("base", "metric", "n_threads")
K_MI_KW = ("base", "algorithm", "y_discrete", "standardize", "n_threads")
K_CMI_KW = ("base", "standardize", "n_threads")
K_KL_KW = ("base", "metric", "standardize", "n_threads")


@dataclasses.dataclass(frozen=True)
class Target:
    """One public function under fuzz.

    name      attribute path in fastdiv ("kl_divergence"; later "hist.entropy")
    args      its positional parameters, in order ("p", "q", "alpha", ...)
    keywords  the keyword-only parameters the fuzzer varies
    oracle    reference oracle called per row as oracle(*row_args, **keywords), or None
              (then only errors, threads and invariants are checked)
    family    key of FAMILIES: how arguments are built and results compared
    errors    the documented exception types for bad input
    values    per-keyword valid values overriding the family's defaults
    invalid   per-keyword extra bad values (beyond the family's)
    """

    name: str
    args: tuple
    keywords: tuple = ()
    oracle: Callable | None = None
    family: str = "rows"
    errors: tuple = (ValueError, TypeError)
    values: tuple = ()
    invalid: tuple = ()

    def __str__(self):
        return self.name

    def value_choices(self, kw, default):
        return dict(self.values).get(kw, default)


REGISTRY = [
    Target("entropy", args=("p",), keywords=EXACT_KW, oracle=reference.entropy),
    Target("cross_entropy", args=("p", "q"), keywords=EXACT_KW, oracle=reference.cross_entropy),
    Target("kl_divergence", args=("p", "q"), keywords=EXACT_KW, oracle=reference.kl_divergence),
    Target("js_divergence", args=("p", "q"), keywords=EXACT_KW, oracle=reference.js_divergence),
    Target(
        "js_distance",
        args=("p", "q"),
        keywords=EXACT_KW,
        oracle=reference.js_distance,
        values=(("base", BASES_ABOVE_1),),
        invalid=(("base", (0.5, 0.1)),),
    ),
    Target(
        "total_variation", args=("p", "q"), keywords=NOBASE_KW, oracle=reference.total_variation
    ),
    Target("hellinger", args=("p", "q"), keywords=NOBASE_KW, oracle=reference.hellinger),
    Target("renyi_entropy", args=("p", "alpha"), keywords=RENYI_KW, oracle=reference.renyi_entropy),
    Target(
        "renyi_divergence",
        args=("p", "q", "alpha"),
        keywords=RENYI_KW,
        oracle=reference.renyi_divergence,
    ),
    Target(
        "self_information",
        args=("p",),
        keywords=("base",),
        oracle=reference.self_information,
        family="elementwise",
    ),
    Target(
        "pairwise",
        args=("P", "Q"),
        keywords=PAIRWISE_KW + ("out",),
        oracle=reference.pairwise_ref,
        family="pairwise",
    ),
    Target(
        "nearest",
        args=("P", "Q"),
        keywords=PAIRWISE_KW + ("k",),
        oracle=reference.pairwise_ref,
        family="pairwise",
    ),
    Target("discrete.contingency", ("x", "y"), D_CT_KW, d_contingency, "discrete"),
    Target("discrete.entropy", ("x",), D_KW, d_entropy, "discrete"),
    Target("discrete.joint_entropy", ("x", "y"), D_KW, d_joint_entropy, "discrete"),
    Target("discrete.conditional_entropy", ("x", "y"), D_KW, d_conditional_entropy, "discrete"),
    Target("discrete.mutual_information", ("x", "y"), D_KW, d_mutual_information, "discrete"),
    Target(
        "discrete.normalized_mutual_information",
        ("x", "y"),
        D_AVG_KW,
        d_normalized_mutual_information,
        "discrete",
    ),
    Target(
        "discrete.adjusted_mutual_information",
        ("x", "y"),
        D_AVG_KW,
        d_adjusted_mutual_information,
        "discrete",
    ),
    Target(
        "discrete.variation_of_information",
        ("x", "y"),
        D_KW,
        d_variation_of_information,
        "discrete",
    ),
    Target(
        "discrete.conditional_mutual_information",
        ("x", "y", "z"),
        D_KW,
        d_conditional_mutual_information,
        "discrete",
    ),
    Target("discrete.pairwise", ("X", "Y"), D_PW_KW, d_pairwise, "discrete"),
    Target("joint_entropy", ("pxy",), TABLE_KW, tables_reference.joint_entropy, "tables"),
    Target(
        "conditional_entropy", ("pxy",), TABLE_KW, tables_reference.conditional_entropy, "tables"
    ),
    Target("mutual_information", ("pxy",), TABLE_KW, tables_reference.mutual_information, "tables"),
    Target("hist.histogram", ("x", "bins", "range"), H_KW, h_histogram, "hist"),
    Target("hist.histogram2d", ("x", "y", "bins", "range"), H_KW, h_histogram2d, "hist"),
    Target("knn.entropy", ("x", "k"), K_ENTROPY_KW, k_entropy, "knn"),
    Target("knn.mutual_information", ("x", "y", "k"), K_MI_KW, k_mutual_information, "knn"),
    Target(
        "knn.conditional_mutual_information",
        ("x", "y", "z", "k"),
        K_CMI_KW,
        k_conditional_mutual_information,
        "knn",
    ),
    Target("knn.kl_divergence", ("x", "y", "k"), K_KL_KW, k_kl_divergence, "knn"),
    Target(
        "knn.mutual_information_features",
        ("X", "y", "k"),
        K_MI_KW,
        k_mutual_information_features,
        "knn",
    ),
]
BY_NAME = {t.name: t for t in REGISTRY}

ARRAY_PARAMS = ("p", "q")
DIVERGENCES = frozenset(
    {
        "kl_divergence",
        "js_divergence",
        "js_distance",
        "total_variation",
        "hellinger",
        "renyi_divergence",
    }
)


# --------------------------------------------------------------------------
# cases
# --------------------------------------------------------------------------


@dataclasses.dataclass
class Expect:
    """What a case must do: "valid" (a result, checked), "error" (one of
    ``types``, naming one of ``names``, or all of them if ``all_names``, and
    matching ``match`` if given) or "either"."""

    kind: str = "valid"
    types: tuple = ("ValueError", "TypeError")
    names: tuple = ()
    all_names: bool = False
    match: str = ""  # a regex the message must match too (re.search), if given


@dataclasses.dataclass
class Case:
    target: str
    spec: dict
    expect: Expect | None = None  # None: decided from the values (see classify)
    note: str = ""

    def __repr__(self):
        return f"Case({self.target}, {self.note})\n{spec_code(self.spec)}"


def arr(data, layout="C", axis=-1):
    return ("arr", data, layout, axis)


def val(x):
    return ("val", x)


# --------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------

F64MAX = float(np.finfo(np.float64).max)
F32MAX = float(np.finfo(np.float32).max)
DTYPES = ("<f8", "<f8", "<f8", ">f8", "<f4", "<f4", ">f4", "<i8", ">i4", "|u1", "|b1", "list")
FLOAT_INFO = {
    # (log10 of the smallest positive, log10 of the largest, largest, smallest normal)
    "f64": (-323.3, 308.25, F64MAX, 2.2250738585072014e-308),
    "f32": (-44.85, 38.53, F32MAX, float(np.finfo(np.float32).tiny)),
}
PROB_FAMILIES = (
    "uniform",
    "counts",
    "sparse",
    "onehot",
    "wide",
    "scaled",
    "mixed",
    "subnormal",
    "huge",
    "peaked",
    "lognormal",
)
LOGIT_FAMILIES = ("normal", "offset", "spread", "extremes", "constant")
OFFSETS = {
    "f64": (1e3, -1e3, 1e10, 1e17, -1e17, 1e100, 1e300, -1e300, 1.7e308, -1.7e308),
    "f32": (1e3, -1e3, 1e10, 1e17, -1e17, 1e30, 3e38, -3e38),
}
SCALES = {
    "f64": (-320, -300, -200, -100, -10, 0, 10, 100, 200, 300, 305),
    "f32": (-44, -40, -30, -10, 0, 10, 30, 37),
}
BOUNDARIES = (0, 1, 15, 16, 17, 255, 256, 257, 4095, 4096, 4097)


def dclass_of(dtype):
    if dtype == "list":
        return "f64"
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return "f32" if dt.itemsize == 4 else "f64"
    if dt.kind == "b":
        return "bool"
    return "u1" if dt.kind == "u" else "int"


def prob_values(rng, family, shape, dc):
    """Non-negative values of one family (float64, representable after the cast)."""
    lo, hi, big, tiny = FLOAT_INFO["f32" if dc == "f32" else "f64"]
    if family == "uniform":
        return rng.random(shape)
    if family == "counts":
        return rng.integers(0, 20, shape).astype(np.float64)
    if family == "sparse":
        return rng.random(shape) * (rng.random(shape) < 0.3)
    if family == "onehot":
        x = np.zeros(shape)
        if shape[-1]:
            idx = rng.integers(0, shape[-1], shape[:-1])
            np.put_along_axis(x, idx[..., None], 1.0, axis=-1)
        return x
    if family == "wide":
        return 10.0 ** rng.uniform(lo, hi, shape)
    if family == "scaled":
        s = 10.0 ** rng.choice(SCALES["f32" if dc == "f32" else "f64"], shape[:-1] + (1,))
        return rng.random(shape) * s
    if family == "mixed":
        e = 38 if dc == "f32" else 300
        return np.where(rng.random(shape) < 0.5, 10.0**-e, 10.0**e) * rng.uniform(0.5, 1, shape)
    if family == "subnormal":
        return rng.uniform(0, tiny, shape)
    if family == "huge":
        return rng.uniform(0.5, 1.0, shape) * big
    if family == "peaked":
        x = rng.random(shape) * 1e-20
        if shape[-1]:
            idx = rng.integers(0, shape[-1], shape[:-1])
            np.put_along_axis(x, idx[..., None], 1.0, axis=-1)
        return x
    if family == "lognormal":
        return np.minimum(rng.lognormal(0.0, 3.0, shape), big)
    raise AssertionError(family)


def logit_values(rng, family, shape, dc):
    big = F32MAX if dc == "f32" else F64MAX
    offs = OFFSETS["f32" if dc == "f32" else "f64"]
    if family == "normal":
        return rng.normal(0.0, rng.choice([1.0, 30.0, 1000.0]), shape)
    if family == "offset":
        c = rng.choice(offs, shape[:-1] + (1,))
        return np.clip(rng.normal(0.0, rng.choice([1.0, 30.0]), shape) + c, -big, big)
    if family == "spread":
        return rng.uniform(-1, 1, shape) * big
    if family == "extremes":
        return rng.choice([-big, big, 0.0, -0.0, -big / 1.7, big / 1.7, 1.0], shape)
    if family == "constant":
        return np.broadcast_to(rng.choice(offs + (0.0,), shape[:-1] + (1,)), shape).copy()
    raise AssertionError(family)


def int_values(rng, shape, dc, logits):
    if dc == "bool":
        return rng.random(shape) < 0.5
    hi = {"u1": 256, "int": int(rng.choice([2, 10, 1000, 2**31 - 1]))}[dc]
    if dc == "int" and rng.random() < 0.2:
        hi = 2**62
    if logits and dc == "int":
        return rng.integers(-hi, hi, shape)
    return rng.integers(0, hi, shape)


def cast(x, dtype):
    if dtype == "list":
        return np.asarray(x, dtype=np.float64)
    dt = np.dtype(dtype)
    if dt.kind == "f":
        big = float(np.finfo(dt).max)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            return np.clip(np.asarray(x, dtype=np.float64), -big, big).astype(dt)
    if dt.kind == "b":
        return np.asarray(x).astype(bool)
    info = np.iinfo(dt)
    with np.errstate(invalid="ignore"):
        return np.clip(np.nan_to_num(np.asarray(x, dtype=np.float64)), info.min, info.max).astype(
            dt
        )


def make_positive(x):
    """Give every row (last axis) a positive entry."""
    if x.shape[-1] == 0 or x.size == 0:
        return x
    bad = ~np.any(x > 0, axis=-1)
    if np.any(bad):
        x[bad, 0] = 1
    return x


# --------------------------------------------------------------------------
# strategies: the rows family
# --------------------------------------------------------------------------

K_SIZES = st.one_of(
    st.integers(1, 8),
    st.sampled_from((15, 16, 17, 255, 256, 257, 511, 4095, 4096, 4097)),
    st.integers(9, 300),
    st.integers(300, KMAX),
)


@st.composite
def batch_shapes(draw, K, budget, empty=True):
    nb = draw(st.integers(0, 3))
    first = (1, 1, 2, 3, 4, 7, 16, 0) if empty else (1, 2, 3)
    shape = [draw(st.sampled_from(first if i == 0 else (1, 2, 3))) for i in range(nb)]
    rows = max(1, budget // max(K, 1))
    i = 0
    while math.prod(shape) > rows and i < len(shape):
        shape[i] = 1
        i += 1
    return tuple(shape)


def _overrides(rng, x, dc, logits):
    """Special values at boundary positions of the support (0, 15, 16, 255, 256, 4095, ...),
    in every row or in one row."""
    K = x.shape[-1]
    if not K or x.size == 0 or rng.random() < 0.5:
        return x
    if logits:
        big = F32MAX if dc == "f32" else F64MAX
        choices = (big, -big, 0.0, -0.0, big / 1.7, -big / 1.7)
    elif dc == "f32":
        choices = (0.0, -0.0, 1e-45, FLOAT_INFO["f32"][3], F32MAX, 1.0)
    else:
        choices = (0.0, -0.0, 5e-324, 2.2250738585072014e-308, 1e-300, 1e300, F64MAX, 1.0)
    pos = [b for b in BOUNDARIES if b < K] + [K - 1]
    flat = x.reshape(-1, K)
    for _ in range(rng.integers(1, 4)):
        p, v = pos[rng.integers(len(pos))], choices[rng.integers(len(choices))]
        if rng.random() < 0.5:
            flat[:, p] = v
        else:
            flat[rng.integers(flat.shape[0]), p] = v
    return x


def _row_values(rng, family, shape, dc, logits):
    """Values of one family, or of a family chosen per row ("mixed")."""
    fams = LOGIT_FAMILIES if logits else PROB_FAMILIES
    gen = logit_values if logits else prob_values
    if family != "mixed":
        return np.array(gen(rng, family, shape, dc), dtype=np.float64)
    x = np.empty(shape)
    flat = x.reshape(-1, shape[-1])
    for r in range(flat.shape[0]):
        flat[r] = gen(rng, fams[rng.integers(len(fams))], (1, shape[-1]), dc)[0]
    return x


def _values(rng, shape, dtype, logits, family):
    dc = dclass_of(dtype)
    if dc in ("int", "u1", "bool"):
        return int_values(rng, shape, dc, logits)
    x = _row_values(rng, family, shape, dc, logits)
    if not logits and x.size and rng.random() < 0.5:
        zero = rng.random(shape) < (0.05, 0.3, 0.9)[rng.integers(3)]
        x = np.where(zero, -0.0 if rng.random() < 0.5 else 0.0, x)
    return _overrides(rng, np.array(x, dtype=np.float64), dc, logits)


PROB_RELATIONS = (
    "independent",
    "equal",
    "scaled",
    "perturbed",
    "zero-where-p",
    "disjoint",
    "negzero",
)
LOGIT_RELATIONS = ("independent", "equal", "shift", "constant-pair", "reverse", "perturbed")


def _relate(rng, p, shape, qdtype, logits, relation, family):
    """q's values (float64) given p's (float64, cast values) and a relation
    ("mixed": a relation per row)."""
    dc = dclass_of(qdtype)
    K = shape[-1]
    if relation == "mixed":
        rels = LOGIT_RELATIONS if logits else PROB_RELATIONS
        q = np.empty(shape)
        qf, pf = q.reshape(-1, K), p.reshape(-1, K)
        for r in range(qf.shape[0]):
            qf[r] = _relate(
                rng, pf[r : r + 1], (1, K), qdtype, logits, rels[rng.integers(len(rels))], family
            )[0]
        return q
    if relation == "independent" or (dc in ("int", "u1", "bool") and relation != "equal"):
        return _values(rng, shape, qdtype, logits, family)
    if relation == "equal":
        return p.copy()
    if relation == "scaled":
        with np.errstate(over="ignore", under="ignore"):
            return np.minimum(p * (3.0, 0.1, 1e10, 1e-10, 2.0**-30)[rng.integers(5)], F64MAX)
    if relation == "perturbed":
        eps = 1e-4 if dc == "f32" else 1e-8
        with np.errstate(over="ignore"):
            q = p + eps * rng.normal(size=shape) if logits else p * (1 + eps * rng.random(shape))
        return np.clip(q, -F64MAX, F64MAX)
    if relation == "zero-where-p":
        q = _values(rng, shape, qdtype, logits, family)
        pos = [b for b in BOUNDARIES if b < K] + [K - 1]
        for b in pos if rng.random() < 0.5 else pos[:1]:
            q[..., b] = np.where(p[..., b] > 0, -0.0 if rng.random() < 0.5 else 0.0, q[..., b])
        return q
    if relation == "disjoint":
        q = _values(rng, shape, qdtype, logits, family)
        return np.where(p > 0, 0.0, q)
    if relation == "negzero":
        return np.where(p == 0, -0.0, p)
    if relation == "shift":
        big = F32MAX if dc == "f32" else F64MAX
        offs = OFFSETS["f32" if dc == "f32" else "f64"]
        with np.errstate(over="ignore"):
            return np.clip(p + offs[rng.integers(len(offs))], -big, big)
    if relation == "constant-pair":
        return logit_values(rng, "constant", shape, dc)
    if relation == "reverse":
        return p[..., ::-1].copy()
    raise AssertionError(relation)


def _layout(draw, dtype, nd, allow=LAYOUTS):
    if dtype == "list":
        return "list"
    ls = [x for x in allow if x != "list"] if nd else ["C", "list"]
    return draw(st.sampled_from(ls))


@st.composite
def rows_valid(draw, target, small=False, unnormalized=True):
    """A call of a rows target (one distribution per row along `axis`), valid
    but for normalize=False, where the sums of float32 values converted to
    float64 (lists) or of integers may be off; ``unnormalized=False`` keeps
    normalize=True, so that the call is valid."""
    kws = target.keywords
    logits = "logits" in kws and draw(st.sampled_from((False, False, True)))
    normalize = True
    if "normalize" in kws and not logits and unnormalized:
        normalize = draw(st.sampled_from((True, True, True, False)))
    K = draw(st.integers(1, 6)) if small else draw(K_SIZES)
    budget = 64 if small else BUDGET
    batch = draw(batch_shapes(K, budget, empty=not small))
    nb = len(batch)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    arrays = [a for a in target.args if a in ARRAY_PARAMS]
    dtypes = {a: draw(st.sampled_from(DTYPES)) for a in arrays}
    if len(arrays) == 2 and draw(st.booleans()):
        dtypes["q"] = dtypes["p"]
    # support axis: at negative position ax, with t batch dimensions after it
    t = draw(st.integers(0, nb)) if nb and draw(st.booleans()) else 0
    ax = -1 - t
    # which argument is reduced for broadcasting, and how
    full = dict.fromkeys(arrays, batch)
    if len(arrays) == 2 and nb and draw(st.booleans()):
        red = draw(st.sampled_from(arrays))
        d = draw(st.integers(0, nb - t))
        shp = list(batch[d:])
        for i in range(len(shp)):
            if draw(st.integers(0, 3)) == 0:
                shp[i] = 1
        full[red] = tuple(shp)
    fams = LOGIT_FAMILIES if logits else PROB_FAMILIES
    family = draw(st.sampled_from(("mixed",) * len(fams) + fams))
    p64 = _values(rng, batch + (K,), dtypes["p"], logits, family)
    vals = {"p": p64}
    note = [f"K={K}", f"batch={batch}", family]
    if "q" in arrays:
        rels = LOGIT_RELATIONS if logits else PROB_RELATIONS
        relation = draw(st.sampled_from(("mixed",) * len(rels) + rels))
        pc = cast(p64, dtypes["p"]).astype(np.float64)
        vals["q"] = _relate(rng, pc, batch + (K,), dtypes["q"], logits, relation, family)
        note.append(f"q {relation}")
    specs = []
    for a in target.args:
        if a in ARRAY_PARAMS:
            x = vals[a]
            shp = full[a]
            # reduce to the broadcast shape of this argument
            lead = len(batch) - len(shp)
            if lead:
                ok = all(n > 0 for n in x.shape[:lead])
                x = x[(0,) * lead] if ok else np.full(x.shape[lead:], 0.5)
            for i, n in enumerate(shp):
                if n == 1 and x.shape[i] != 1:
                    x = x[(slice(None),) * i + (slice(0, 1),)]
            if not normalize and not logits:
                x = _normalized(x)
            x = cast(x, dtypes[a])
            if not logits:
                x = make_positive(x)
            lay = _layout(draw, dtypes[a], len(shp))
            if lay == "bcast" and (len(shp) < 1 or shp[0] < 2):
                lay = "C"
            if lay == "list" and x.size == 0:  # a list cannot hold an empty shape
                lay = "C"
            specs.append(arr(np.ascontiguousarray(x), lay, ax))
            note.append(f"{a}:{dtypes[a]},{lay}")
        elif a == "alpha":
            alpha = draw(st.sampled_from(ALPHAS + (2, 0.25, 1 + 1e-9, 1e10)))
            specs.append(val(alpha))
            note.append(f"alpha={alpha!r}")
        else:
            raise AssertionError(a)
    kwargs = {}
    if "base" in kws:
        b = draw(st.sampled_from(target.value_choices("base", BASES)))
        if b is not None:
            kwargs["base"] = val(b)
    if "axis" in kws and (ax != -1 or draw(st.booleans())):
        kwargs["axis"] = val(ax if draw(st.booleans()) else nb + 1 + ax)
    if "keepdims" in kws and draw(st.integers(0, 4)) == 0:
        kwargs["keepdims"] = val(True)
    if "normalize" in kws and (not normalize or draw(st.integers(0, 4)) == 0):
        kwargs["normalize"] = val(
            normalize if draw(st.integers(0, 5)) != 0 else np.bool_(normalize)
        )
    if logits:
        kwargs["logits"] = val(True)
    spec = {"fn": target.name, "args": specs, "kwargs": kwargs}
    isa = draw(st.sampled_from((None, None, None) + ISAS))
    if isa:
        spec["isa"] = isa
    if draw(st.integers(0, 3)) == 0:
        spec["threads"] = {
            "arrays": [i for i, a in enumerate(target.args) if a in ARRAY_PARAMS],
            "axis": ax,
            "long": normalize,
        }
    return Case(target.name, spec, None, ", ".join(note + [f"seed={seed}"]))


def _normalized(x):
    """Rows divided by their sum, in float64, overflow-safe."""
    x = np.array(x, dtype=np.float64)
    m = np.max(np.abs(x), axis=-1, keepdims=True) if x.size else x
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.where(m > 0, x / np.where(m > 0, m, 1), x)
        s = y.sum(axis=-1, keepdims=True)
        return np.where(s > 0, y / np.where(s > 0, s, 1), y)


def _isas():
    try:
        from fastdiv import _divergence

        return tuple(_divergence.isa_available())
    except Exception:  # noqa: BLE001  # pragma: no cover - no ISA switch in this build
        return ()


ISAS = _isas()


# --------------------------------------------------------------------------
# strategies: bad input for the rows family
# --------------------------------------------------------------------------

TYPE_SPECIALS = (
    "object",
    "opaque",
    "dict",
    "set",
    "str_list",
    "bytes",
    "complex_list",
    "object_array",
    "datetime_array",
    "complex_array",
    "str_array",
    "mixed_list",
    "none_list",
)
SHAPE_SPECIALS = ("ragged", "ragged3", "deep65")
BAD_BASES_VALUE = (0, 0.0, 1, 1.0, -1, -2.5, math.nan, math.inf, -math.inf, 10**400, -(10**400))
BAD_BASES_TYPE = ("2", True, 2j, [2])
BAD_ALPHAS_VALUE = (-1, -1e-300, math.nan, -math.inf, 10**400, -(10**400))
BAD_ALPHAS_TYPE = (None, "2", 2j, [2], True)
BAD_FLAGS = (1, 0, "True", None, 1.0, np.int64(1))
V, T = ("ValueError",), ("TypeError",)
VT = ("ValueError", "TypeError")


def _with_arg(case, target, name, argspec):
    spec = dict(case.spec, args=list(case.spec["args"]), kwargs=dict(case.spec["kwargs"]))
    spec.pop("threads", None)
    if name in target.args:
        spec["args"][target.args.index(name)] = argspec
    else:
        spec["kwargs"][name] = argspec
    return spec


def _get_arr(case, target, name):
    return case.spec["args"][target.args.index(name)]


@st.composite
def rows_bad(draw, target):
    """One bad thing in an otherwise valid small call, and the documented error."""
    case = draw(rows_valid(target, small=True, unnormalized=False))
    arrays = [a for a in target.args if a in ARRAY_PARAMS]
    kw = case.spec["kwargs"]
    logits = bool(kw.get("logits", ("val", False))[1])
    kinds = ["none", "type", "shape", "nonfinite", "missing", "empty", "scalar"]
    if not logits:
        kinds += ["negative", "zerosum", "offsum"]
    if len(arrays) == 2:
        kinds += ["broadcast", "manydims"]
    kinds += [
        k
        for k in ("base", "alpha", "axis", "flag", "keyword")
        if k != "base" or "base" in target.keywords
    ]
    if "alpha" not in target.args:
        kinds.remove("alpha")
    kind = draw(st.sampled_from(kinds))
    a = draw(st.sampled_from(arrays))

    def out(spec, expect, what):
        return Case(target.name, spec, expect, f"{what}; from {case.note}")

    if kind == "none":
        return out(_with_arg(case, target, a, val(None)), Expect("error", T, (a,)), f"{a}=None")
    if kind == "type":
        s = draw(st.sampled_from(TYPE_SPECIALS))
        return out(_with_arg(case, target, a, ("special", s)), Expect("error", T, (a,)), f"{a}={s}")
    if kind == "shape":
        s = draw(st.sampled_from(SHAPE_SPECIALS))
        return out(
            _with_arg(case, target, a, ("special", s)), Expect("error", VT, (a,)), f"{a}={s}"
        )
    if kind == "missing":
        spec = dict(case.spec, args=case.spec["args"][: target.args.index(a)])
        spec.pop("threads", None)
        return out(spec, Expect("error", T, (a,)), f"{a} missing")
    if kind == "scalar":
        v = draw(st.sampled_from((0.7, 3, True, np.float32(0.25))))
        others = [b for b in arrays if b != a]
        if others:
            # broadcasts against the other argument: a valid call, checked like any other
            return out(_with_arg(case, target, a, val(v)), None, f"{a}={v!r} (scalar)")
        return out(
            _with_arg(case, target, a, val(v)), Expect("error", VT, (a, "axis")), f"{a}={v!r} (0-d)"
        )
    if kind in ("nonfinite", "negative", "zerosum", "offsum", "empty"):
        _, data, layout, ax = _get_arr(case, target, a)
        x = np.array(data, dtype=np.float64)
        if kind == "empty":
            spec = case.spec
            for b in arrays:
                _, d, _lay, axb = _get_arr(case, target, b)
                e = np.zeros(
                    d.shape[:-1] + (0,), dtype=d.dtype if d.dtype.kind == "f" else np.float64
                )
                spec = _with_arg(Case(case.target, spec), target, b, arr(e, "C", axb))
            return out(spec, Expect("error", V, tuple(arrays)), "empty support")
        flat = x.reshape(-1, x.shape[-1])
        r = draw(st.integers(0, flat.shape[0] - 1))
        c = draw(st.integers(0, flat.shape[1] - 1))
        if kind == "nonfinite":
            flat[r, c] = draw(st.sampled_from((math.nan, math.inf, -math.inf)))
        elif kind == "negative":
            tiny = (
                (1.0, 1e-45, 0.25)
                if dclass_of(data.dtype.str) == "f32"
                else (1.0, 1e-300, 5e-324, 0.25)
            )
            flat[r, c] = -draw(st.sampled_from(tiny))
        elif kind == "zerosum":
            flat[r, :] = 0.0
        else:  # offsum
            flat[r, :] = np.minimum(flat[r, :], 1e300) * 3.0 + 0.5
        dt = data.dtype if data.dtype.kind == "f" else np.float64
        # (a broadcast view would repeat the first row and hide the bad entry)
        with np.errstate(over="ignore"):
            x = x.astype(dt)
        spec = _with_arg(case, target, a, arr(x, "C" if layout == "bcast" else layout, ax))
        if kind == "offsum":
            # the values decide which argument is named (the other may be off too)
            spec["kwargs"]["normalize"] = val(False)
            return out(spec, None, f"sum off 1 in {a} with normalize=False")
        return out(spec, Expect("error", V, (a,)), f"{kind} in {a}")
    if kind == "broadcast":
        sp, sq = draw(
            st.sampled_from(
                (
                    ((3, 4), (2, 4)),
                    ((4,), (5,)),
                    ((2, 3, 4), (3, 2, 4)),
                    ((3, 4), (5,)),
                    ((4,), (3, 5)),
                )
            )
        )
        spec = _with_arg(case, target, "p", arr(np.full(sp, 0.25)))
        spec = _with_arg(Case(case.target, spec), target, "q", arr(np.full(sq, 0.2)))
        spec["kwargs"].pop("axis", None)
        spec["kwargs"].pop("keepdims", None)
        return out(spec, Expect("error", V, ("p", "q"), True), f"shapes {sp} and {sq}")
    if kind == "manydims":
        n1, n2 = draw(st.sampled_from(((40, 30), (33, 33), (64, 1), (50, 63))))
        spec = case.spec
        for b, n in zip(arrays, (n1, n2)):
            _, d, _lay, axb = _get_arr(case, target, b)
            row = (
                np.array(d.reshape(-1, d.shape[-1])[:1])
                if d.size
                else np.ones((1, max(1, d.shape[-1])))
            )
            nd = min(n, 63)
            spec = _with_arg(
                Case(case.target, spec),
                target,
                b,
                arr(row.reshape((1,) * nd + row.shape[-1:]), "C", -1),
            )
        spec["kwargs"].pop("axis", None)
        spec["kwargs"].pop("keepdims", None)
        # NumPy supports 64 dimensions: either a result or a ValueError naming p and q
        return out(spec, Expect("either", V, ("p", "q"), True), f"{n1} and {n2} dimensions")
    if kind == "base":
        bad = draw(
            st.sampled_from(BAD_BASES_VALUE + BAD_BASES_TYPE + dict(target.invalid).get("base", ()))
        )
        types = T if isinstance(bad, (bool, str, complex, list)) else V
        return out(
            _with_arg(case, target, "base", val(bad)),
            Expect("error", types, ("base",)),
            f"base={_value_code(bad)}",
        )
    if kind == "alpha":
        bad = draw(st.sampled_from(BAD_ALPHAS_VALUE + BAD_ALPHAS_TYPE))
        types = T if (bad is None or isinstance(bad, (bool, str, complex, list))) else V
        return out(
            _with_arg(case, target, "alpha", val(bad)),
            Expect("error", types, ("alpha",)),
            f"alpha={_value_code(bad)}",
        )
    if kind == "axis":
        nd = max(np.ndim(build_arg(_get_arr(case, target, b))) for b in arrays)
        bad = draw(st.sampled_from((nd, -nd - 1, 100, -100, 2**63, 1.0, "1", (0, 1), [1])))
        types = V if isinstance(bad, int) else T
        return out(
            _with_arg(case, target, "axis", val(bad)),
            Expect("error", types, ("axis",)),
            f"axis={bad!r}",
        )
    if kind == "flag":
        flag = draw(
            st.sampled_from(
                [k for k in ("normalize", "logits", "keepdims") if k in target.keywords]
            )
        )
        bad = draw(st.sampled_from(BAD_FLAGS))
        return out(
            _with_arg(case, target, flag, val(bad)), Expect("error", T, (flag,)), f"{flag}={bad!r}"
        )
    if kind == "keyword":
        k = draw(
            st.sampled_from(
                [
                    k
                    for k in ("base", "logits", "alpha", "normalise", "weights")
                    if k not in target.keywords and k not in target.args
                ]
            )
        )
        spec = dict(case.spec, kwargs=dict(case.spec["kwargs"], **{k: val(2.0)}))
        spec.pop("threads", None)
        return out(spec, Expect("error", T, (k,)), f"unexpected keyword {k}")
    raise AssertionError(kind)


# --------------------------------------------------------------------------
# strategies: the elementwise family (self_information)
# --------------------------------------------------------------------------


@st.composite
def elementwise_valid(draw, target):
    nd = draw(st.integers(0, 3))
    shape = tuple(draw(st.integers(0 if i else 1, 5)) for i in range(nd))
    if nd and draw(st.booleans()):
        shape = shape[:-1] + (draw(st.sampled_from((255, 256, 257, 4097))),)
    while math.prod(shape) > BUDGET:
        shape = shape[1:]
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    dtype = draw(st.sampled_from(("<f8", ">f8", "<f4", ">f4", "|u1", "|b1", "list")))
    dc = dclass_of(dtype)
    if dc in ("u1", "int"):
        x = rng.integers(0, 2, shape)
    elif dc == "bool":
        x = rng.random(shape) < 0.5
    else:
        lo = FLOAT_INFO["f32" if dc == "f32" else "f64"][0]
        x = np.where(rng.random(shape) < 0.5, rng.random(shape), 10.0 ** rng.uniform(lo, 0, shape))
        x = np.where(rng.random(shape) < 0.1, draw(st.sampled_from((0.0, -0.0, 1.0))), x)
    x = cast(x, dtype)
    lay = (
        "C"
        if nd == 0
        else _layout(
            draw,
            dtype,
            nd,
            ("C", "F", "view", "strided", "reversed", "unaligned", "readonly", "list"),
        )
    )
    kwargs = {}
    b = draw(st.sampled_from(BASES))
    if b is not None:
        kwargs["base"] = val(b)
    spec = {"fn": target.name, "args": [arr(np.ascontiguousarray(x), lay, -1)], "kwargs": kwargs}
    if draw(st.integers(0, 3)) == 0:
        spec["threads"] = {"arrays": [0], "axis": None}
    return Case(target.name, spec, None, f"shape={shape}, {dtype}, {lay}, seed={seed}")


@st.composite
def elementwise_bad(draw, target):
    case = draw(elementwise_valid(target))
    kind = draw(st.sampled_from(("none", "type", "shape", "range", "base", "keyword")))
    if kind == "none":
        return Case(
            target.name,
            _with_arg(case, target, "p", val(None)),
            Expect("error", T, ("p",)),
            "p=None",
        )
    if kind == "type":
        s = draw(st.sampled_from(TYPE_SPECIALS))
        return Case(
            target.name, _with_arg(case, target, "p", ("special", s)), Expect("error", T, ("p",)), s
        )
    if kind == "shape":
        s = draw(st.sampled_from(SHAPE_SPECIALS))
        return Case(
            target.name,
            _with_arg(case, target, "p", ("special", s)),
            Expect("error", VT, ("p",)),
            s,
        )
    if kind == "range":
        v = draw(st.sampled_from((1.5, -0.5, -1e-300, math.nan, math.inf, 1 + 2**-52)))
        x = np.array([0.5, v, 0.25])
        return Case(
            target.name,
            _with_arg(case, target, "p", arr(x)),
            Expect("error", V, ("p",)),
            f"entry {v!r}",
        )
    if kind == "base":
        bad = draw(st.sampled_from(BAD_BASES_VALUE + BAD_BASES_TYPE))
        types = T if isinstance(bad, (bool, str, complex, list)) else V
        return Case(
            target.name,
            _with_arg(case, target, "base", val(bad)),
            Expect("error", types, ("base",)),
            f"base={_value_code(bad)}",
        )
    spec = dict(case.spec, kwargs=dict(case.spec["kwargs"], axis=val(0)))
    return Case(target.name, spec, Expect("error", T, ("axis",)), "unexpected keyword axis")


# --------------------------------------------------------------------------
# evaluation
# --------------------------------------------------------------------------


def _is_f32_array(x):
    if not isinstance(x, (np.ndarray, np.generic)):
        return False
    return x.dtype.kind == "f" and x.dtype.itemsize == 4


def _logical(x):
    a = np.asarray(x)
    if a.dtype.kind in "iub":
        return a.astype(np.float64)
    return a.astype(np.float64)


def broadcast(arrays):
    """np.broadcast_arrays without its 32-dimension limit (np.broadcast_to has none)."""
    nd = max(a.ndim for a in arrays)
    shape = []
    for i in range(nd):
        sizes = {a.shape[i - nd + a.ndim] for a in arrays if i - nd + a.ndim >= 0} - {1}
        if len(sizes) > 1:
            raise ValueError(f"shapes {[a.shape for a in arrays]} do not broadcast")
        shape.append(sizes.pop() if sizes else 1)
    return [np.broadcast_to(a, tuple(shape)) for a in arrays]


def _kw(spec, name, default):
    v = spec.get("kwargs", {}).get(name)
    return default if v is None else build_arg(v)


def _name_re(name):
    return re.compile(r"""['"]""" + re.escape(name) + r"""['"]""")


def check_error(case, res, expect, target):
    """A raised exception against the documented one."""
    if res[0] != "raise":
        fail(
            "error",
            f"expected {'/'.join(expect.types)} naming "
            f"{' and '.join(expect.names) if expect.all_names else ' or '.join(expect.names)}, "
            f"got {res!r}\n{case!r}",
        )
    mro, msg = res[1], res[2]
    documented = {
        e.__name__ for e in (target.errors if target is not None else (ValueError, TypeError))
    }
    if not any(t in mro for t in expect.types) or not documented & set(mro):
        fail("error", f"expected {'/'.join(expect.types)}, got {mro[0]}: {msg}\n{case!r}")
    hits = [n for n in expect.names if _name_re(n).search(msg)]
    # (no names: the message need only match; the knn family's joint spaces)
    named = expect.names or not expect.match
    if named and (not hits or (expect.all_names and len(hits) != len(expect.names))):
        fail(
            "error",
            f"{mro[0]} message does not name "
            f"{' and '.join(expect.names) if expect.all_names else ' or '.join(expect.names)} "
            f"in quotes: {msg!r}\n{case!r}",
        )
    if expect.match and not re.search(expect.match, msg):
        fail("error", f"{mro[0]} message {msg!r} does not match {expect.match!r}\n{case!r}")
    COUNTS["errors"] += 1


def _common(case, out):
    if out["result"][0] in ("build-error", "unpicklable"):
        raise AssertionError(f"harness: {out['result']!r}\n{case!r}")
    if out["modified"]:
        fail("contract", f"input modified: {out['modified']}\n{case!r}")
    if out["threads"]:
        fail(
            "threads",
            "results differ with the thread count or the batch:\n  "
            + "\n  ".join(out["threads"][:5])
            + f"\n{case!r}",
        )
    COUNTS["threads"] += max(0, out.get("runs", 1) - 1)


def _fsum(row):
    try:
        return math.fsum(row.tolist())
    except OverflowError:  # the sum is beyond DBL_MAX
        return math.inf


def classify(target, case, arrays, logits, normalize):
    """The expectation of a case whose values decide it (see Expect)."""
    bad, either = [], []
    for name, x, orig in arrays:
        if x.shape[-1] == 0:
            bad.append(name)
            continue
        if not np.all(np.isfinite(x)) or (not logits and np.any(x < 0)):
            bad.append(name)
            continue
        if logits or x.size == 0:
            continue
        rows = x.reshape(-1, x.shape[-1])
        if normalize:
            if np.any(~np.any(rows > 0, axis=-1)):
                bad.append(name)
            continue
        K = x.shape[-1]
        eps = np.finfo(np.float32 if _is_f32_array(orig) else np.float64).eps
        tol = 64.0 * math.sqrt(K) * float(eps)
        dev = max(abs(_fsum(r) - 1.0) for r in rows)
        if dev > 2 * tol:
            bad.append(name)
        elif dev > tol / 2:
            either.append(name)
    if bad:
        return Expect("error", V, tuple(bad))
    if either:
        return Expect("either", V, tuple(either))
    return Expect("valid")


def evaluate_rows(target, case):
    COUNTS["cases"] += 1
    spec = case.spec
    out = run_spec(spec)
    res = out["result"]
    _common(case, out)
    expect = case.expect
    logits = bool(_kw(spec, "logits", False))
    normalize = bool(_kw(spec, "normalize", True))
    if expect is not None and expect.kind == "error":
        check_error(case, res, expect, target)
        return
    # the values decide: build the arguments as the child did
    args = [build_arg(a) for a in spec["args"]]
    names = target.args[: len(args)]
    arrays = [(n, x) for n, x in zip(names, args) if n in ARRAY_PARAMS]
    axis = _kw(spec, "axis", -1)
    keepdims = bool(_kw(spec, "keepdims", False))
    L = broadcast([_logical(x) for _, x in arrays])
    nd = L[0].ndim
    if not -nd <= axis < nd:  # e.g. a scalar took the place of the larger argument
        if expect is None:
            expect = Expect("error", VT, ("axis",))
        check_error(case, res, expect, target)
        return
    L = [np.moveaxis(x, axis, -1) for x in L]
    if expect is None:
        expect = classify(
            target, case, [(n, x, o) for (n, o), x in zip(arrays, L)], logits, normalize
        )
    if expect.kind == "error" or (expect.kind == "either" and res[0] == "raise"):
        check_error(case, res, expect, target)
        return
    if res[0] != "ok":
        fail("error", f"valid input raised {res[1][0]}: {res[2]}\n{case!r}")
    got = res[1]
    K = L[0].shape[-1]
    batch = L[0].shape[:-1]
    want_shape = batch
    if keepdims:
        want_shape = L[0].shape[: axis % nd] + (1,) + L[0].shape[axis % nd : -1]
    if nd == 1 and not keepdims:
        if type(got) is not np.float64:
            fail("contract", f"1-D input gave {type(got).__name__}, not numpy.float64\n{case!r}")
    elif not (isinstance(got, np.ndarray) and got.dtype == np.float64 and got.shape == want_shape):
        fail(
            "contract",
            f"result {type(got).__name__} {getattr(got, 'dtype', '')} "
            f"{getattr(got, 'shape', '')}, expected float64 {want_shape}\n{case!r}",
        )
    if target.oracle is None:
        return
    g = np.asarray(got, dtype=np.float64)
    if keepdims:
        g = np.moveaxis(g, axis % nd, -1)
    g = g.reshape(-1)
    rows = [x.reshape(-1, K) for x in L]
    dtype = np.float32 if all(_is_f32_array(x) for _, x in arrays) else np.float64
    scalars = [build_arg(a) for n, a in zip(names, spec["args"]) if n not in ARRAY_PARAMS]
    alpha = scalars[0] if scalars else None
    okw = {}
    if "logits" in target.keywords:
        okw["logits"] = logits
    if "normalize" in target.keywords:
        okw["normalize"] = normalize
    base = _kw(spec, "base", None)
    cache = {}
    problems = []
    for r in range(g.size):
        rr = [x[r] for x in rows]
        key = tuple(x.tobytes() for x in rr)
        if key not in cache:
            cache[key] = target.oracle(*[x.tolist() for x in rr], *scalars, **okw)
        value, scale = cache[key]
        where = f" row {r} of {g.size} (K={K})"
        try:
            ratio = reference.check(
                g[r],
                value,
                scale,
                dtype,
                measure=target.name,
                alpha=None if alpha is None else float(alpha),
                base=base,
                K=K,
                where=where,
            )
            _note_ratio(f"{target.name} {np.dtype(dtype).name}", ratio, f"{case.note}, row {r}")
        except AssertionError as e:
            problems.append(str(e))
        COUNTS["oracle"] += 1
        if target.name in DIVERGENCES and len(rr) == 2:
            same = np.array_equal(rr[0], rr[1])
            if logits and not same:
                same = bool(np.all(rr[0] == rr[0][0]) and np.all(rr[1] == rr[1][0]))
            if same and g[r] != 0.0:
                problems.append(f"{target.name}{where}: equal distributions give {g[r]!r}, not 0")
        if len(problems) >= 5:
            break
    if problems:
        fail("accuracy", "\n".join(problems) + f"\n{case!r}")


def evaluate_elementwise(target, case):
    COUNTS["cases"] += 1
    spec = case.spec
    out = run_spec(spec)
    res = out["result"]
    _common(case, out)
    if case.expect is not None:
        check_error(case, res, case.expect, target)
        return
    x = build_arg(spec["args"][0])
    L = _logical(x)
    if res[0] != "ok":
        fail("error", f"valid input raised {res[1][0]}: {res[2]}\n{case!r}")
    got = res[1]
    if L.ndim == 0:
        if type(got) is not np.float64:
            fail("contract", f"0-d input gave {type(got).__name__}\n{case!r}")
    elif not (isinstance(got, np.ndarray) and got.shape == L.shape and got.dtype == np.float64):
        fail("contract", f"result {got!r:.200}, expected float64 of shape {L.shape}\n{case!r}")
    if target.oracle is None:
        return
    base = _kw(spec, "base", None)
    g, flat = np.asarray(got).reshape(-1), L.reshape(-1)
    cache = {}
    problems = []
    for i in range(flat.size):
        v = float(flat[i])
        if v not in cache:
            cache[v] = target.oracle(v)
        try:
            ratio = reference.check(
                g[i],
                *cache[v],
                np.float64,
                measure=target.name,
                base=base,
                where=f" entry {i} ({v!r})",
            )
            _note_ratio(target.name, ratio, f"{case.note}, entry {i}")
        except AssertionError as e:
            problems.append(str(e))
        COUNTS["oracle"] += 1
        if len(problems) >= 5:
            break
    if problems:
        fail("accuracy", "\n".join(problems) + f"\n{case!r}")


# --------------------------------------------------------------------------
# the pairwise family: pairwise and nearest
# --------------------------------------------------------------------------

PW_METRICS = tuple(METRICS)
PW_NOBASE = ("total_variation", "hellinger")
PW_SYMMETRIC = tuple(SYMMETRIC)
#: may take the shortcut: within fdtest.tolerance.shortcut_bound of the one-pair call
PW_SHORTCUT = tuple(SHORTCUT)
#: entries (pairs x support) of one pairwise case compared with the 50-digit oracle
PW_BUDGET = BUDGET // 2
PW_LAYOUTS = ("C", "F", "view", "strided", "reversed", "unaligned", "readonly", "bcast", "list")
BAD_METRICS_VALUE = ("foo", "entropy", "renyi_entropy", "self_information", "KL", "")
BAD_METRICS_TYPE = (None, 1, b"kl_divergence", ("fn", "entropy"), ("fn", "self_information"))
BAD_N_THREADS = (0, -2, 1.5, "2", True, [2], 10**400)
BAD_K_TYPE = (1.5, "2", True, None, 2.0)


def _pw_check_entry(got, PL, QL, i, j, metric, alpha, kw, okw, dtype, where, cache=None):
    """reference.check of one entry ``got`` for the pair (PL[i], QL[j]) (the
    50-digit oracle of ``metric``, memoized in ``cache`` by the rows' bytes);
    returns the error ratio."""
    key = (PL[i].tobytes(), QL[j].tobytes())
    if cache is None or key not in cache:
        extra = (alpha,) if metric == "renyi_divergence" else ()
        oracle = reference.ORACLES[metric](PL[i].tolist(), QL[j].tolist(), *extra, **okw)
        if cache is None:
            cache = {}
        cache[key] = oracle
    value, scale = cache[key]
    return reference.check(
        got,
        value,
        scale,
        dtype,
        measure=metric,
        alpha=None if alpha is None else float(alpha),
        base=kw.get("base"),
        K=PL.shape[1],
        where=where,
    )


def _pw_finish(x, dtype, logits, normalize):
    if not normalize and not logits:
        x = _normalized(x)
    x = cast(x, dtype)
    if not logits:
        x = make_positive(x)
    return np.ascontiguousarray(x)


@st.composite
def pairwise_valid(draw, target, small=False, unnormalized=True):
    """A call of pairwise or nearest: P (m, K) against Q (n, K) or Q=None,
    valid but for normalize=False (sums of converted values may be off, as in
    the rows family; ``classify`` decides)."""
    nearest = target.name == "nearest"
    metric = draw(st.sampled_from(PW_METRICS))
    logits = metric != "renyi_divergence" and draw(st.sampled_from((False, False, True)))
    normalize = True
    if not logits and unnormalized:
        normalize = draw(st.sampled_from((True, True, True, False)))
    q_none = draw(st.integers(0, 2)) == 0
    large = not small and draw(st.integers(0, 3)) == 0
    if large:
        # many rows (several tiles; the oracle sees a sample of the pairs)
        K = draw(st.one_of(st.integers(1, 40), st.sampled_from((255, 256, 257))))
        m = draw(st.integers(8, 70))
        n = m if q_none else draw(st.integers(8, 70))
    else:
        K = draw(st.integers(1, 6)) if small else draw(K_SIZES)
        m = draw(st.sampled_from((0, 1, 2, 3, 4, 5, 7) if not small else (1, 2, 3)))
        n = m if q_none else draw(st.sampled_from((0, 1, 2, 3, 4, 6) if not small else (1, 2, 3)))
    if nearest:  # k >= 1 needs a row to find
        if q_none:
            m = n = max(m, 2)
        else:
            n = max(n, 1)
    budget = 64 if small else PW_BUDGET
    while not large and m * n * K > budget and max(m, n) > 1:
        m, n = max(1, m // 2), max(1, n // 2)
        if q_none:
            n = m = max(m, 2 if nearest else 1)
            if m * m * K > budget and m == 2:
                break
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    dtypes = {"P": draw(st.sampled_from(DTYPES))}
    dtypes["Q"] = dtypes["P"] if draw(st.booleans()) else draw(st.sampled_from(DTYPES))
    fams = LOGIT_FAMILIES if logits else PROB_FAMILIES
    family = draw(st.sampled_from(("mixed",) * len(fams) + fams))
    p64 = _values(rng, (m, K), dtypes["P"], logits, family)
    note = [metric, f"m={m}", f"K={K}", family] + (["large"] if large else [])
    data = {"P": _pw_finish(p64, dtypes["P"], logits, normalize)}
    if q_none:
        note.append("Q=None")
    else:
        rels = LOGIT_RELATIONS if logits else PROB_RELATIONS
        relation = draw(st.sampled_from(("mixed",) * len(rels) + rels))
        if m:
            pc = cast(p64, dtypes["P"]).astype(np.float64)[np.arange(n) % m]
            q64 = _relate(rng, pc, (n, K), dtypes["Q"], logits, relation, family)
        else:
            q64 = _values(rng, (n, K), dtypes["Q"], logits, family)
        data["Q"] = _pw_finish(q64, dtypes["Q"], logits, normalize)
        note.append(f"n={n}, Q {relation}")
    args = []
    for a in ("P", "Q"):
        if a not in data:
            args.append(val(None))
            continue
        x = data[a]
        lay = "list" if dtypes[a] == "list" else draw(st.sampled_from(PW_LAYOUTS[:-1]))
        if x.shape[0] == 0 or (lay == "bcast" and x.shape[0] < 2):
            lay = "C"  # a list cannot hold an empty (0, K) shape
        args.append(arr(x, lay, -1))
        note.append(f"{a}:{dtypes[a]},{lay}")
    kwargs = {}
    if metric != "js_distance" or draw(st.booleans()):  # js_distance: the default
        kwargs["metric"] = ("fn", metric) if draw(st.integers(0, 3)) == 0 else val(metric)
    if metric not in PW_NOBASE:
        bases = BASES_ABOVE_1 if metric == "js_distance" else BASES
        b = draw(st.sampled_from(bases))
        if b is not None:
            kwargs["base"] = val(b)
    if metric == "renyi_divergence":
        alpha = draw(st.sampled_from(ALPHAS + (2, 0.25)))
        kwargs["alpha"] = val(alpha)
        note.append(f"alpha={alpha!r}")
    if not normalize or draw(st.integers(0, 4)) == 0:
        kwargs["normalize"] = val(normalize)
    if logits:
        kwargs["logits"] = val(True)
    if draw(st.integers(0, 4)) == 0:
        kwargs["n_threads"] = val(draw(st.sampled_from((1, 2, -1, None))))
    if nearest:
        n_eff = n - 1 if q_none else n
        k = draw(st.sampled_from((1, 1, n_eff, min(2, n_eff), max(1, n_eff // 2))))
        if k != 1 or draw(st.booleans()):
            kwargs["k"] = val(k)
        note.append(f"k={k}")
    elif draw(st.integers(0, 4)) == 0:
        kwargs["out"] = ("out", (m, n), "<f8", "C")
    spec = {"fn": target.name, "args": args, "kwargs": kwargs}
    isa = draw(st.sampled_from((None, None, None) + ISAS))
    if isa:
        spec["isa"] = isa
    if "out" not in kwargs and draw(st.integers(0, 3)) == 0:
        # (with out= every run writes the same array: nothing to compare)
        spec["threads"] = {"arrays": [0, 1], "axis": None, "matrix": True}
    return Case(target.name, spec, None, ", ".join(note + [f"seed={seed}"]))


def _pw_metric(spec):
    """The metric name of a pairwise spec (given by name or as a function)."""
    m = spec["kwargs"].get("metric", val("js_distance"))
    return m[1]


@st.composite
def pairwise_bad(draw, target):
    """One bad thing in an otherwise valid small call, and the documented error."""
    nearest = target.name == "nearest"
    case = draw(pairwise_valid(target, small=True, unnormalized=False))
    spec0 = case.spec
    metric = _pw_metric(spec0)
    q_none = spec0["args"][1] == val(None)
    kinds = ["none", "type", "shape", "ndim", "columns", "nocolumns", "metric", "keyword"]
    kinds += ["n_threads", "nonfinite"]
    logits = bool(spec0["kwargs"].get("logits", val(False))[1])
    if not logits:
        kinds += ["negative", "zerosum", "offsum"]
    if metric == "renyi_divergence":
        kinds += ["alpha", "no-alpha"]
    if metric not in PW_NOBASE:
        kinds.append("base")
    kinds.append("flag")
    kinds.append("k" if nearest else "out")
    kind = draw(st.sampled_from(kinds))
    a = "P" if q_none else draw(st.sampled_from(("P", "Q")))
    ia = 0 if a == "P" else 1

    def spec_with(i=None, argspec=None, **kw):
        spec = dict(spec0, args=list(spec0["args"]), kwargs=dict(spec0["kwargs"]))
        spec.pop("threads", None)
        if i is not None:
            spec["args"][i] = argspec
        for k, v in kw.items():
            if v is None:
                spec["kwargs"].pop(k, None)
            else:
                spec["kwargs"][k] = v
        return spec

    def out(spec, expect, what):
        return Case(target.name, spec, expect, f"{what}; from {case.note}")

    if kind == "none":
        return out(spec_with(0, val(None)), Expect("error", T, ("P",)), "P=None")
    if kind == "type":
        s = draw(st.sampled_from(TYPE_SPECIALS))
        return out(spec_with(ia, ("special", s)), Expect("error", VT, (a,)), f"{a}={s}")
    if kind == "shape":
        s = draw(st.sampled_from(SHAPE_SPECIALS))
        return out(spec_with(ia, ("special", s)), Expect("error", VT, (a,)), f"{a}={s}")
    _, data, layout, _ax = spec0["args"][ia]
    K = data.shape[-1]
    if kind == "ndim":
        shape = draw(st.sampled_from(((K,), (2, 2, K), ())))
        x = np.full(shape, 0.5)
        return out(spec_with(ia, arr(x)), Expect("error", V, (a,)), f"{a} of shape {shape}")
    if kind == "columns":
        other = 1 - ia if not q_none else 1
        x = np.full((2, K + draw(st.integers(1, 3))), 0.25)
        return out(
            spec_with(other, arr(x)),
            Expect("error", V, ("P", "Q"), True),
            f"{'PQ'[other]} with {x.shape[1]} columns, not {K}",
        )
    if kind == "nocolumns":
        x = np.zeros((data.shape[0], 0))
        spec = spec_with(0, arr(x))
        if not q_none:
            spec["args"][1] = arr(np.zeros((2, 0)))
        return out(spec, Expect("error", V, ("P",)), "no columns")
    if kind == "metric":
        bad = draw(st.sampled_from(BAD_METRICS_VALUE + BAD_METRICS_TYPE))
        spec = spec_with(metric=bad if isinstance(bad, tuple) else val(bad))
        for kw in ("base", "alpha", "logits", "normalize"):
            spec["kwargs"].pop(kw, None)
        types = V if isinstance(bad, str) else T
        return out(spec, Expect("error", types, ("metric",)), f"metric={bad!r}")
    if kind == "keyword":
        takes = {"normalize", "logits", "base", "alpha"}
        if metric in PW_NOBASE:
            takes.discard("base")
        if metric == "renyi_divergence":
            takes.discard("logits")
        else:
            takes.discard("alpha")
        extra = [
            k for k in ("base", "logits", "alpha", "normalise", "axis", "weights") if k not in takes
        ]
        k = draw(st.sampled_from(extra))
        value = True if k == "logits" else 2.0
        return out(
            spec_with(**{k: val(value)}), Expect("error", T, (k,)), f"unexpected keyword {k}"
        )
    if kind == "no-alpha":
        return out(spec_with(alpha=None), Expect("error", T, ("alpha",)), "alpha missing")
    if kind == "n_threads":
        bad = draw(st.sampled_from(BAD_N_THREADS))
        return out(
            spec_with(n_threads=val(bad)),
            Expect("error", V, ("n_threads",)),
            f"n_threads={_value_code(bad)}",
        )
    if kind == "base":
        bad = draw(
            st.sampled_from(
                BAD_BASES_VALUE + BAD_BASES_TYPE + ((0.5, 0.1) if metric == "js_distance" else ())
            )
        )
        types = T if isinstance(bad, (bool, str, complex, list)) else V
        return out(spec_with(base=val(bad)), Expect("error", types, ("base",)), f"base={bad!r}")
    if kind == "alpha":
        bad = draw(st.sampled_from(BAD_ALPHAS_VALUE + BAD_ALPHAS_TYPE))
        types = T if (bad is None or isinstance(bad, (bool, str, complex, list))) else V
        return out(spec_with(alpha=val(bad)), Expect("error", types, ("alpha",)), f"alpha={bad!r}")
    if kind == "flag":
        flags = ["normalize"] + ([] if metric == "renyi_divergence" else ["logits"])
        flag = draw(st.sampled_from(flags))
        bad = draw(st.sampled_from(BAD_FLAGS))
        return out(spec_with(**{flag: val(bad)}), Expect("error", T, (flag,)), f"{flag}={bad!r}")
    m = spec0["args"][0][1].shape[0]
    if kind == "k":
        n = m - 1 if q_none else spec0["args"][1][1].shape[0]
        bad = draw(st.sampled_from(BAD_K_TYPE + (0, -1, n + 1, n + 100, 2**70)))
        types = V if isinstance(bad, int) and not isinstance(bad, bool) else T
        return out(spec_with(k=val(bad)), Expect("error", types, ("k",)), f"k={bad!r} (n={n})")
    if kind == "out":
        n = m if q_none else spec0["args"][1][1].shape[0]
        what = draw(st.sampled_from(("list", "dtype", "shape", "F", "strided", "readonly")))
        if what == "list":
            o, types = ("out", (m, n), "<f8", "list"), T
        elif what == "dtype":
            o, types = ("out", (m, n), draw(st.sampled_from(("<f4", "<i8", ">f8"))), "C"), T
            if o[2] == ">f8":
                types = VT  # a float64 of the other byte order: either kind of error
        elif what == "shape":
            o, types = ("out", (m + 1, n), "<f8", "C"), V
        else:
            if m < 2 or n < 2:  # a (1, n) or (m, 1) array is both C- and F-contiguous
                o, types = ("out", (n + 1, m + 2), "<f8", "C"), V
            else:
                o, types = ("out", (m, n), "<f8", what), V
        return out(spec_with(out=o), Expect("error", types, ("out",)), f"out {what} {o!r}")
    # entries: non-finite, negative, a zero row, a sum off 1 with normalize=False
    x = np.array(data, dtype=np.float64)
    r = draw(st.integers(0, x.shape[0] - 1))
    c = draw(st.integers(0, K - 1))
    if kind == "nonfinite":
        x[r, c] = draw(st.sampled_from((math.nan, math.inf, -math.inf)))
    elif kind == "negative":
        f32 = dclass_of(data.dtype.str) == "f32"
        x[r, c] = -draw(st.sampled_from((1.0, 1e-45, 0.25) if f32 else (1.0, 1e-300, 5e-324, 0.25)))
    elif kind == "zerosum":
        x[r, :] = 0.0
    else:  # offsum
        x[r, :] = np.minimum(x[r, :], 1e300) * 3.0 + 0.5
    dt = data.dtype if data.dtype.kind == "f" else np.float64
    with np.errstate(over="ignore"):
        x = x.astype(dt)
    spec = spec_with(ia, arr(x, "C" if layout in ("bcast", "list") else layout, -1))
    if kind == "offsum":
        spec["kwargs"]["normalize"] = val(False)
        return out(spec, None, f"sum off 1 in {a} row {r} with normalize=False")
    return out(spec, Expect("error", V, (a,)), f"{kind} in {a} row {r}")


def _measure_kwargs(spec):
    """The measure's own keywords of a pairwise spec, built (alpha apart)."""
    kw = {
        k: build_arg(v) for k, v in spec["kwargs"].items() if k in ("base", "normalize", "logits")
    }
    alpha = build_arg(spec["kwargs"]["alpha"]) if "alpha" in spec["kwargs"] else None
    return kw, alpha


def _pw_loop(P, Q, metric, kw, alpha, isa=None):
    """The one-pair results of every pair, from the exact family's broadcasting
    (each row pair of a batch is the one-pair call, bit for bit), in the child,
    on the instruction set of the pairwise call (ISAs may differ in the last
    bits)."""
    args = [
        arr(np.ascontiguousarray(P[:, None, :]), "C", -1),
        arr(np.ascontiguousarray((P if Q is None else Q)[None, :, :]), "C", -1),
    ]
    if metric == "renyi_divergence":
        args.append(val(alpha))
    spec = {"fn": metric, "args": args, "kwargs": {k: val(v) for k, v in kw.items()}}
    if isa:
        spec["isa"] = isa
    res = run_spec(spec)["result"]
    if res[0] != "ok":
        fail("contract", f"the one-pair calls raised {res!r} where pairwise did not")
    return np.asarray(res[1], dtype=np.float64).reshape(P.shape[0], -1)


def _bits64(x):
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64)).view(np.int64)


def evaluate_pairwise(target, case):
    COUNTS["cases"] += 1
    spec = case.spec
    out = run_spec(spec)
    res = out["result"]
    _common(case, out)
    expect = case.expect
    if expect is not None and expect.kind == "error":
        check_error(case, res, expect, target)
        return
    metric = _pw_metric(spec)
    kw, alpha = _measure_kwargs(spec)
    logits, normalize = bool(kw.get("logits", False)), bool(kw.get("normalize", True))
    P0 = build_arg(spec["args"][0])
    Q0 = build_arg(spec["args"][1])
    P = np.asarray(P0)
    Q = None if Q0 is None else np.asarray(Q0)
    PL = _logical(P)
    QL = PL if Q is None else _logical(Q)
    if expect is None:
        named = [("P", PL, P)] + ([] if Q is None else [("Q", QL, Q)])
        expect = classify(target, case, named, logits, normalize)
    if expect.kind == "error" or (expect.kind == "either" and res[0] == "raise"):
        check_error(case, res, expect, target)
        return
    if res[0] != "ok":
        fail("error", f"valid input raised {res[1][0]}: {res[2]}\n{case!r}")
    m, n, K = PL.shape[0], QL.shape[0], PL.shape[1]
    f32 = _is_f32_array(P) and (Q is None or _is_f32_array(Q))
    dtype = np.float32 if f32 else np.float64
    if target.name == "nearest":
        _evaluate_nearest(case, res[1], P, Q, PL, QL, metric, kw, alpha, dtype)
        return
    got = res[1]
    if not (
        isinstance(got, np.ndarray)
        and got.dtype == np.float64
        and got.shape == (m, n)
        and got.flags.c_contiguous
    ):
        fail(
            "contract",
            f"result {type(got).__name__} {getattr(got, 'dtype', '')} "
            f"{getattr(got, 'shape', '')}, expected a C-contiguous float64 ({m}, {n})\n{case!r}",
        )
    if not (m and n):
        return
    problems = []
    sym = Q is None and metric in PW_SYMMETRIC
    if sym:
        if not np.array_equal(_bits64(got), _bits64(got.T)):
            problems.append("Q=None: the matrix is not its exact mirror")
        if not np.all(np.diag(got) == 0.0):
            problems.append(f"Q=None: the diagonal is not 0: {np.diag(got)!r}")
    # the one-pair calls: bit-identical, or within the shortcut bound
    L = _pw_loop(P, Q, metric, kw, alpha, spec.get("isa"))
    sel = np.triu_indices(m, 1) if sym else (slice(None), slice(None))
    if metric in PW_SHORTCUT and not logits:
        scale = reference.term_scale(
            metric, PL, None if Q is None else QL, normalize=normalize, base=kw.get("base")
        )
        try:
            r = reference.check_shortcut(
                got[sel],
                L[sel],
                scale[sel],
                metric,
                bound=shortcut_bound(P, Q),
                base=kw.get("base"),
                where=" vs one-pair",
            )
            _note_ratio(f"pairwise shortcut {metric}", r, case.note)
        except AssertionError as e:
            problems.append(str(e))
    else:
        diff = np.argwhere(_bits64(got[sel]) != _bits64(L[sel]))
        if diff.size:
            g, w = np.asarray(got[sel]).ravel(), np.asarray(L[sel]).ravel()
            problems.append(
                f"{metric}: {len(diff)} entries not bit-identical to the one-pair calls "
                f"(got {g[:4]!r}, one-pair {w[:4]!r})"
            )
    # equal rows give exactly 0
    if metric != "cross_entropy" and not (metric == "renyi_divergence" and not normalize):
        eq = np.all(PL[:, None, :] == QL[None, :, :], axis=-1)
        if np.any(got[eq] != 0.0):
            problems.append(f"{metric}: equal rows give {got[eq][got[eq] != 0.0][:4]!r}, not 0")
    # the 50-digit oracle, pair by pair (a sample of the pairs of a large case)
    okw = {"logits": logits, "normalize": normalize}
    cache = {}
    pairs = [(i, j) for i in range(m) for j in range(n)]
    if len(pairs) * K > PW_BUDGET:
        step = -(-len(pairs) * K // PW_BUDGET)
        pairs = pairs[::step]
    for i, j in pairs:
        try:
            ratio = _pw_check_entry(
                got[i, j],
                PL,
                QL,
                i,
                j,
                metric,
                alpha,
                kw,
                okw,
                dtype,
                f" [{i}, {j}] (K={K})",
                cache,
            )
            _note_ratio(f"pairwise {metric} {np.dtype(dtype).name}", ratio, case.note)
        except AssertionError as e:
            problems.append(str(e))
        COUNTS["oracle"] += 1
        if len(problems) >= 5:
            break
    if problems:
        fail("accuracy", "\n".join(problems) + f"\n{case!r}")


def _evaluate_nearest(case, got, P, Q, PL, QL, metric, kw, alpha, dtype):
    """nearest against pairwise (brute force over the full matrix, computed in
    the child) and its values against the 50-digit oracle."""
    m = PL.shape[0]
    k = _kw(case.spec, "k", 1)
    ok = (
        isinstance(got, tuple)
        and len(got) == 2
        and all(isinstance(x, np.ndarray) and x.shape == (m, k) for x in got)
        and got[0].dtype == np.intp
        and got[1].dtype == np.float64
    )
    if not ok:
        fail(
            "contract",
            f"result {got!r:.300}, expected (intp, float64) arrays of ({m}, {k})\n{case!r}",
        )
    idx, vals = got
    dspec = dict(case.spec, fn="pairwise", kwargs=dict(case.spec["kwargs"]))
    dspec["kwargs"].pop("k", None)
    dspec.pop("threads", None)
    dres = run_spec(dspec)["result"]
    if dres[0] != "ok":
        fail("contract", f"pairwise raised {dres!r} where nearest did not\n{case!r}")
    D = dres[1]
    problems = []
    for i in range(m):
        cols = np.arange(D.shape[1])
        if Q is None:
            cols = cols[cols != i]
        want = cols[np.argsort(D[i, cols], kind="stable")[:k]]
        if not np.array_equal(idx[i], want):
            problems.append(
                f"row {i}: indices {idx[i].tolist()}, expected {want.tolist()} "
                f"(values {D[i, want].tolist()})"
            )
        elif not np.array_equal(_bits64(vals[i]), _bits64(D[i, want])):
            problems.append(f"row {i}: values {vals[i]!r} are not pairwise's {D[i, want]!r}")
        if len(problems) >= 5:
            break
    okw = {"logits": bool(kw.get("logits", False)), "normalize": bool(kw.get("normalize", True))}
    found = [(i, r) for i in range(m) for r in range(k)]
    K = PL.shape[1]
    if len(found) * K > PW_BUDGET:  # a sample of a large case
        found = found[:: -(-len(found) * K // PW_BUDGET)]
    for i, r in found:
        j = int(idx[i, r])
        try:
            _pw_check_entry(
                vals[i, r],
                PL,
                QL,
                i,
                j,
                metric,
                alpha,
                kw,
                okw,
                dtype,
                f" nearest [{i}, {r}] (row {j})",
            )
        except AssertionError as e:
            problems.append(str(e))
        COUNTS["oracle"] += 1
    if problems:
        fail("accuracy", "\n".join(problems[:5]) + f"\n{case!r}")


# --------------------------------------------------------------------------
# the discrete family: fastdiv.discrete (labels)
# --------------------------------------------------------------------------
#
# A case is drawn in two steps.  First abstract codes: each variable is a
# sequence of n codes in [0, k), related to the others (independent, equal,
# a function, noisy, exactly independent, constant, ...).  Then each
# variable is *realized* as labels of some dtype by a random injective map
# from codes to values (so equal codes are a relabeling), 1-D or 2-D (a
# code's digits spread over columns: the rows are the symbols), and laid
# out in memory (strided, reversed, read-only, unaligned, a list, ...).  The
# parent compares the result with the oracle of the arguments as the child
# built them.

#: label dtypes: integers of every width and both byte orders, bool, floats,
#: complex, fixed-width strings and bytes, objects of several kinds
D_INTS = ("|i1", "|u1", "<i2", ">i2", "<u2", "<i4", ">i4", "<u4", ">u4", "<i8", ">i8")
D_INTS += ("<u8", ">u8")
D_FLOATS = ("<f2", "<f4", ">f4", "<f8", ">f8")
D_DTYPES = D_INTS + D_INTS[-6:] + ("|b1",) + D_FLOATS + ("<c16", ">c8")
D_DTYPES += ("str", "bytes", "obj-int", "obj-num", "obj-str", "obj-tuple")
#: how integer labels spread over their dtype's range: "small" (a range of k,
#: read in place), "sparse" (within 2 n + 1024 of the smallest: in place,
#: with holes), "edge" (a range of exactly 2 n + 1024 or one more: either
#: side of the in-place limit), "wide" (anywhere in the dtype, its extremes
#: included: sorted)
D_INT_MODES = ("small", "small", "sparse", "edge", "wide", "wide")
D_LAYOUTS = ("C", "C", "F", "view", "strided", "reversed", "unaligned", "readonly", "bcast")
D_LAYOUTS += ("list",)
D_BASES = (None, None, None, 2, 10, 0.5, math.e, 1.5, 3, np.float32(2.0))
D_AVERAGES = ("arithmetic", "geometric", "min", "max")
D_MEASURES = (
    "mutual_information",
    "normalized_mutual_information",
    "adjusted_mutual_information",
    "variation_of_information",
    "conditional_entropy",
)
D_THREADS = (None, None, None, 1, 2, -1, np.int64(2))
#: samples of one case compared with the oracle (pairwise: pairs x samples)
D_BUDGET = 2000 if PROFILE == "quick" else 6000
#: the largest dense contingency table asked for (larger ones: sparse=True)
D_DENSE = 40_000
#: samples the thread checks tile the labels to: past two of the kernels'
#: 32768-sample counting chunks, so that two threads count
D_TILE = 70_000


def d_capacity(dtype):
    """How many distinct labels a dtype offers (as far as the fuzzer needs)."""
    if dtype == "|b1":
        return 2
    if dtype in D_INTS:
        return 2 ** (8 * np.dtype(dtype).itemsize)
    if dtype == "<f2":
        return 20_000
    return 10**9


def _d_pick(rng, values):
    """One of a list of Python ints (rng.choice would make them float64 beyond 2^63)."""
    return values[int(rng.integers(len(values)))]


def _d_int_values(rng, k, dtype, mode, n):
    """k distinct integers of dtype (Python ints) spread as ``mode`` says."""
    info = np.iinfo(np.dtype(dtype))
    lo_, hi_ = int(info.min), int(info.max)
    span = hi_ - lo_ + 1
    limit = 2 * n + 1024  # the package reads a range below this in place
    if mode in ("sparse", "edge") and span < limit + 2:
        mode = "small"  # 8-bit labels are always in place
    if mode == "small":
        lo = _d_pick(rng, [lo_, hi_ - k + 1, 0 if lo_ == 0 else -(k // 2), lo_ + 1])
        lo = min(max(lo, lo_), hi_ - k + 1)
        return [lo + int(i) for i in rng.permutation(k)]
    if mode in ("sparse", "edge"):
        width = limit - 1 if mode == "sparse" else limit - 1 + int(rng.integers(0, 2))
        width = min(width, span - 1)
        lo = _d_pick(
            rng, [lo_, hi_ - width, lo_ + int(rng.integers(0, 2**62)) * (span - width) // 2**62]
        )
        if k == 1:
            return [lo]
        inner = rng.choice(width - 1, size=min(k - 2, width - 1), replace=False) + 1
        vals = [lo, lo + width] + [lo + int(v) for v in inner]
        return [vals[i] for i in rng.permutation(len(vals))][:k] if k >= 2 else vals[:1]
    # wide: random over the dtype's range, with its extremes among them
    vals = {lo_, hi_} if k >= 2 else set()
    while len(vals) < k:
        vals.add(
            int(rng.integers(lo_, hi_, endpoint=True, dtype=np.dtype(dtype).newbyteorder("=")))
        )
    vals = list(vals)
    return [vals[i] for i in rng.permutation(len(vals))]


def _d_float_values(rng, k, dtype):
    """k distinct floats of dtype: small integers, or spread values with
    infinities, extremes and subnormals among them (0.0 is one of them more
    often than not: its samples get -0.0 at random later)."""
    dt = np.dtype(dtype)
    info = np.finfo(dt)
    if rng.random() < 0.5:
        cand = (np.arange(k) - k // 2).astype(np.float64)
    else:
        special = [0.0, np.inf, -np.inf, float(info.max), -float(info.max), float(info.tiny)]
        special += [float(info.smallest_subnormal), 1.0, -1.0, 0.5]
        cand = np.concatenate([special, rng.normal(0, 10.0 ** rng.integers(-3, 4), 2 * k + 8)])
    with np.errstate(over="ignore"):
        v = cand.astype(dt).astype(np.float64)
    out, seen = [], set()
    for x in v:  # distinct as labels: -0.0 is 0.0
        if x not in seen:
            seen.add(x)
            out.append(x)
    j = 0
    while len(out) < k:  # (float16 with many labels: integers, as far as they are distinct)
        x = float(dt.type(j))
        if x not in seen:
            seen.add(x)
            out.append(x)
        j = -j if j > 0 else 1 - j
    out = out[:k]
    return [out[i] for i in rng.permutation(k)]


_D_CHARS = "ab\u00e9\u0394z \U0001f600"


def _d_strings(rng, k):
    out, seen = [], set()
    while len(out) < k:
        s = "".join(rng.choice(list(_D_CHARS), size=int(rng.integers(0, 6))))
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


def d_values(rng, k, dtype, mode, n):
    """k distinct labels of ``dtype`` (a NumPy array of it, object arrays
    filled element by element)."""
    if dtype == "|b1":
        return np.array([False, True][:k] if rng.random() < 0.5 else [True, False][:k])
    if dtype in D_INTS:
        return np.array(_d_int_values(rng, k, dtype, mode, n), dtype=dtype)
    if dtype in D_FLOATS:
        return np.array(_d_float_values(rng, k, dtype), dtype=dtype)
    if dtype in ("<c16", ">c8"):
        re_ = _d_float_values(rng, k, "<f4")
        im = rng.permutation(re_)
        return np.array([complex(a, b) for a, b in zip(re_, im)], dtype=dtype)
    if dtype == "str":
        return np.array(_d_strings(rng, k))
    if dtype == "bytes":
        return np.array([s.encode() for s in _d_strings(rng, k)], dtype=bytes)
    out = np.empty(k, dtype=object)
    if dtype == "obj-int":  # beyond 64 bits too
        vals = set()
        while len(vals) < k:
            e = int(rng.choice([3, 20, 63, 64, 65, 100]))
            vals.add(
                int(rng.integers(-(2**20), 2**20)) * 2 ** max(0, e - 20) + int(rng.integers(2))
            )
        out[:] = list(vals)
    elif dtype == "obj-num":  # ints and floats (1 and 1.0 are one label)
        out[:] = [float(v) if rng.random() < 0.5 else v for v in range(-(k // 2), k - k // 2)]
    elif dtype == "obj-str":
        out[:] = _d_strings(rng, k)
    else:  # obj-tuple: pairs that sort (set one by one: NumPy would unpack them)
        for i in range(k):
            out[i] = (i // 3, "abc"[i % 3])
    return out[rng.permutation(k)]


def d_realize(rng, codes, k, dtype, mode, d):
    """Labels for ``codes`` (in [0, k)): 1-D (d = 0) or rows of d columns
    whose digits in radix r (r^d >= k) are each mapped to labels."""
    n = len(codes)
    if d == 0:
        vals = d_values(rng, k, dtype, mode, n)
        x = vals[codes]
        if x.dtype.kind in "fc" and x.size:
            # -0.0 at random where the label is 0.0: the same symbol
            z = (x == 0) & (rng.random(n) < 0.5)
            x[z] = -0.0 if x.dtype.kind == "f" else complex(-0.0, -0.0)
        if x.dtype == object and dtype == "obj-num" and n:
            # the label 0 as 0, 0.0 or -0.0 at random: one symbol
            z = np.flatnonzero(x == 0)
            x[z] = rng.choice(np.array([0, 0.0, -0.0], dtype=object), size=z.size)
        return x
    r = max(2, math.ceil(k ** (1.0 / d)) if k > 1 else 2)
    r = min(r, d_capacity(dtype))
    while r**d < k:
        r += 1
    cols = []
    c = np.asarray(codes)
    for _ in range(d):
        vals = d_values(rng, r, dtype, mode, n)
        cols.append(vals[c % r])
        c = c // r
    x = np.empty((n, d), dtype=cols[0].dtype)
    for j in range(d):
        x[:, j] = cols[j]
    return x


def _d_codes(rng, n, k, shape):
    """n codes in [0, k): "uniform", "skewed" (probabilities ~ 1/(i+1)^2) or
    a permutation (all distinct, k = n)."""
    if k == 1:
        return np.zeros(n, dtype=np.int64)
    if shape == "distinct":
        return rng.permutation(n) % k
    if shape == "skewed":
        p = 1.0 / np.arange(1, k + 1) ** 2
        return rng.choice(k, size=n, p=p / p.sum())
    return rng.integers(0, k, n)


D_RELATIONS = ("independent", "equal", "function", "noisy", "grid", "constant", "swapped")


def d_related(rng, x, kx, relation, n):
    """Codes of a second variable related to x, and its k."""
    if relation == "equal":  # a relabeling once realized
        return x.copy(), kx
    if relation == "function":  # a coarsening: H(Y | X) = 0
        ky = max(1, kx // int(rng.integers(1, 4)))
        g = rng.integers(0, ky, kx)
        return g[x], ky
    if relation == "noisy":
        y = x.copy()
        flip = rng.random(n) < rng.choice([0.01, 0.1, 0.5])
        y[flip] = rng.integers(0, kx, int(flip.sum()))
        return y, kx
    if relation == "constant":
        return np.zeros(n, dtype=np.int64), 1
    if relation == "swapped":  # the same labels, a few samples exchanged
        y = x.copy()
        i = rng.integers(0, n, size=(max(1, n // 50), 2))
        y[i[:, 0]], y[i[:, 1]] = y[i[:, 1]], y[i[:, 0]]
        return y, kx
    ky = int(rng.choice([1, 2, 3, 7, max(1, int(math.sqrt(n))), n]))
    return _d_codes(rng, n, ky, rng.choice(["uniform", "skewed"])), ky


def d_grid(rng, kx, ky):
    """Codes of two exactly independent variables: n_xy = u_x v_y."""
    u, v = rng.integers(1, 4, kx), rng.integers(1, 4, ky)
    pairs = [(i, j) for i in range(kx) for j in range(ky) for _ in range(u[i] * v[j])]
    pairs = np.array(pairs, dtype=np.int64)[rng.permutation(len(pairs))]
    return pairs[:, 0], pairs[:, 1]


D_N = st.one_of(
    st.integers(1, 8),
    st.integers(9, 200),
    st.integers(200, 3000),
)
D_K = ("one", "two", "few", "sqrt", "half", "all")


def _d_k(draw, n):
    how = draw(st.sampled_from(D_K))
    return {
        "one": 1,
        "two": min(2, n),
        "few": min(n, draw(st.integers(3, 12))),
        "sqrt": max(1, int(math.sqrt(n))),
        "half": max(1, n // 2),
        "all": n,
    }[how]


@st.composite
def d_label_arg(draw, rng, codes, k, note, name, n_limit=None):
    """An argspec of labels for ``codes``: dtype, 1-D or 2-D, layout."""
    ok = [t for t in D_DTYPES if d_capacity(t) >= k]
    dtype = draw(st.sampled_from(ok))
    d = 0
    if draw(st.integers(0, 3)) == 0 and dtype not in ("obj-tuple",):
        d = draw(st.integers(1, 3))
    mode = draw(st.sampled_from(D_INT_MODES))
    x = d_realize(rng, codes, k, dtype, mode, d)
    layouts = [lay for lay in D_LAYOUTS if not (lay == "unaligned" and x.dtype == object)]
    if d == 0 or x.shape[0] < 2:
        layouts = [lay for lay in layouts if lay not in ("bcast", "F")]
    lay = draw(st.sampled_from(layouts))
    note.append(f"{name}:{dtype}{'' if d == 0 else f'x{d}'},{mode},{lay}")
    return arr(x, lay, -1)


def _d_kwargs(draw, fn, kwargs, note):
    """The keywords of a one-pair function (or pairwise's measure), drawn."""
    if fn in ("normalized_mutual_information", "adjusted_mutual_information"):
        if draw(st.integers(0, 2)):
            kwargs["average"] = val(draw(st.sampled_from(D_AVERAGES)))
    elif fn != "contingency" and draw(st.booleans()):
        kwargs["correction"] = val(draw(st.sampled_from(("miller-madow", None))))
    if fn != "contingency":
        b = draw(st.sampled_from(D_BASES))
        if b is not None:
            kwargs["base"] = val(b)
    else:
        if draw(st.booleans()):
            kwargs["sparse"] = val(draw(st.sampled_from((True, False, np.True_))))
    t = draw(st.sampled_from(D_THREADS))
    if t is not None:
        kwargs["n_threads"] = val(t)
    note.extend(f"{k}={v[1]!r}" for k, v in kwargs.items())


def _d_fn(target):
    return target.name.split(".", 1)[1]


@st.composite
def discrete_valid(draw, target, small=False):
    """A valid call of a fastdiv.discrete target."""
    fn = _d_fn(target)
    if fn == "pairwise":
        return draw(_d_pairwise_valid(target, small))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    nargs = len(target.args)
    relation = draw(st.sampled_from(D_RELATIONS)) if nargs > 1 else "-"
    if relation == "grid":
        kx, ky = draw(st.integers(1, 6)), draw(st.integers(1, 6))
        x, y = d_grid(rng, kx, ky)
        n = len(x)
    else:
        n = draw(st.integers(1, 12)) if small else draw(D_N)
        kx = _d_k(draw, n)
        shape = draw(st.sampled_from(("uniform", "skewed", "distinct")))
        x = _d_codes(rng, n, kx, shape)
        if nargs > 1:
            y, ky = d_related(rng, x, kx, relation, n)
    codes = [(x, kx)] + ([(y, ky)] if nargs > 1 else [])
    note = [f"n={n}", f"{relation}"]
    if nargs > 2:  # z for I(X; Y | Z): independent, a function of x, or x itself
        zrel = draw(st.sampled_from(("independent", "function", "equal", "constant")))
        z, kz = d_related(rng, x, kx, zrel, n)
        if draw(st.booleans()):
            # x and y independent given z, exactly: a grid per value of z
            x, y, z, kx, ky, kz = _d_cond_grid(rng, draw(st.integers(1, 4)))
            n, zrel = len(x), "cond-grid"
        codes = [(x, kx), (y, ky), (z, kz)]
        note.append(f"z {zrel}")
    args = [draw(d_label_arg(rng, c, k, note, a)) for a, (c, k) in zip(target.args, codes)]
    kwargs = {}
    _d_kwargs(draw, fn, kwargs, note)
    if fn == "contingency" and kx * ky > D_DENSE:
        kwargs["sparse"] = val(True)  # (a dense table of millions of zeros says no more)
    if "average" in kwargs and draw(st.booleans()):  # positional
        args.append(kwargs.pop("average"))
    spec = {"fn": target.name, "args": args, "kwargs": kwargs}
    if draw(st.integers(0, 3)) == 0:
        tile = fn != "adjusted_mutual_information" or kx * (ky if nargs > 1 else 1) <= 100
        tile = tile and all(_d_cheap(a[1]) for a in args[:nargs])
        spec["threads"] = {"labels": list(range(nargs)), "tile": D_TILE if tile else 0}
    return Case(target.name, spec, None, ", ".join(note + [f"seed={seed}"]))


def _d_cheap(x):
    """Labels cheap to code when tiled to D_TILE samples (the thread checks):
    integers and bools (read in place or packed), 1-D floats; the threads
    count the codes, which are integers whatever the labels were."""
    return x.dtype.kind in "iub" or (x.ndim == 1 and x.dtype.kind == "f")


def _d_cond_grid(rng, kz):
    """x, y independent given z exactly: for each z a grid n_xy|z = u_x v_y."""
    xs, ys, zs = [], [], []
    kx, ky = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    for z in range(kz):
        x, y = d_grid(rng, kx, ky)
        xs.append(x)
        ys.append(y)
        zs.append(np.full(len(x), z))
    x, y, z = np.concatenate(xs), np.concatenate(ys), np.concatenate(zs)
    p = rng.permutation(len(x))
    return x[p], y[p], z[p], kx, ky, kz


@st.composite
def _d_pairwise_valid(draw, target, small):
    """pairwise(X, Y=None, measure=..., **kwargs): columns of one dtype,
    some related to others."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    fx = draw(st.integers(1, 3 if small else 5))
    y_none = draw(st.integers(0, 2)) == 0
    fy = fx if y_none else draw(st.integers(1, 3 if small else 5))
    n = draw(st.integers(1, 12)) if small else draw(D_N)
    n = max(1, min(n, D_BUDGET // (fx * fy)))
    measure = draw(st.sampled_from(D_MEASURES))
    note = [f"{measure}", f"n={n}", f"fx={fx}", "Y=None" if y_none else f"fy={fy}"]
    cols = []
    for _j in range(fx + (0 if y_none else fy)):
        rel = draw(st.sampled_from(("fresh",) + D_RELATIONS[:-2])) if cols else "fresh"
        if rel == "fresh" or rel == "grid":
            k = _d_k(draw, n)
            c = _d_codes(rng, n, k, draw(st.sampled_from(("uniform", "skewed", "distinct"))))
        else:
            base_c, base_k = cols[int(rng.integers(len(cols)))]
            c, k = d_related(rng, base_c, base_k, rel, n)
        cols.append((c, k))
    dtypes = [t for t in D_DTYPES if d_capacity(t) >= max(k for _, k in cols)]
    dtypes = [t for t in dtypes if t != "obj-tuple"]  # (a 2-D object array of tuples)
    args = []
    for name, part in (("X", cols[:fx]), ("Y", cols[fx:])):
        if not part:
            args.append(val(None))
            continue
        dtype = draw(st.sampled_from(dtypes))
        mode = draw(st.sampled_from(D_INT_MODES))
        real = [d_realize(rng, c, k, dtype, mode, 0) for c, k in part]
        X = np.empty((n, len(real)), dtype=real[0].dtype)
        for j, r in enumerate(real):
            X[:, j] = r
        layouts = [la for la in D_LAYOUTS if not (la == "unaligned" and X.dtype == object)]
        lay = draw(st.sampled_from(layouts if n > 1 else [la for la in layouts if la != "bcast"]))
        args.append(arr(X, lay, -1))
        note.append(f"{name}:{dtype},{mode},{lay}")
    kwargs = {}
    if measure != "mutual_information" or draw(st.booleans()):
        kwargs["measure"] = val(measure)
    _d_kwargs(draw, measure, kwargs, note)
    if y_none and draw(st.booleans()):
        args = args[:1]
    spec = {"fn": target.name, "args": args, "kwargs": kwargs}
    if draw(st.integers(0, 2)) == 0:
        # (not tiled: pairs, not samples, are what threads share here)
        spec["threads"] = {"labels": [0] if y_none else [0, 1], "tile": 0}
    return Case(target.name, spec, None, ", ".join(note + [f"seed={seed}"]))


# ---- bad input ----

D_BAD_CORRECTIONS_VALUE = ("mm", "Miller-Madow", "", "miller_madow", "none")
D_BAD_CORRECTIONS_TYPE = (1, True, b"miller-madow", ["miller-madow"], 0.0)
D_BAD_AVERAGES_VALUE = ("mean", "Arithmetic", "", "harmonic")
D_BAD_AVERAGES_TYPE = (None, 1, b"min", ("max",))
D_BAD_MEASURES_VALUE = ("MI", "entropy", "joint_entropy", "", "conditional_mutual_information")
D_BAD_MEASURES_TYPE = (None, 1, b"mutual_information")
#: labels that cannot be sorted (each list has two kinds that do not compare)
D_UNSORTABLE = ("int-str", "int-none", "int-complex", "objects")


def _d_unsortable(n, how, d):
    """n object labels (n >= 2) of which two cannot be compared; d > 0: rows
    of d columns whose first column mixes them."""
    x = np.empty(n, dtype=object)
    for i in range(n):
        if how == "int-str":
            x[i] = i if i % 2 == 0 else f"s{i}"
        elif how == "int-none":
            x[i] = None if i == n - 1 else i
        elif how == "int-complex":
            x[i] = complex(i, 1) if i % 2 else i
        else:
            x[i] = object()
    if not d:
        return x
    X = np.empty((n, d), dtype=object)
    X[:, 0] = x
    for j in range(1, d):
        X[:, j] = [j] * n
    return X


def _d_with_nan(data, rng):
    """A copy of labels with NaN at one or more samples (the data made float
    or object first if need be), and the first sample that has one."""
    n = data.shape[0]
    x = np.array(data)
    if x.dtype.kind not in "fcO":
        x = (np.arange(x.size).reshape(x.shape) % 5).astype(rng.choice(["<f8", ">f4", "<c16"]))
    rows = sorted({int(i) for i in rng.integers(0, n, int(rng.integers(1, 4)))})
    nan = complex(math.nan, 0.0) if x.dtype.kind == "c" else math.nan
    if x.dtype.kind == "c" and rng.random() < 0.5:
        nan = complex(0.0, math.nan)  # NaN in the imaginary part only
    for i in rows:
        if x.ndim == 1:
            x[i] = nan
        else:
            x[i, int(rng.integers(0, x.shape[1]))] = nan
    return x, rows[0]


def _d_nan_layout(layout, x):
    """The layout of labels with a NaN: not a broadcast view (it repeats the
    first row), objects not unaligned (impossible) nor a list (NumPy makes
    strings of a list of strings and NaN: 'nan' is a valid label)."""
    if layout == "bcast" or (x.dtype == object and layout in ("unaligned", "list")):
        return "C"
    return layout


def _d_spec_with(case, target, index=None, argspec=None, drop=(), **kw):
    spec = dict(case.spec, args=list(case.spec["args"]), kwargs=dict(case.spec["kwargs"]))
    spec.pop("threads", None)
    if index is not None:
        spec["args"][index] = argspec
    for k in drop:
        spec["kwargs"].pop(k, None)
    spec["kwargs"].update(kw)
    return spec


def _d_average_index(target, case):
    """Where ``average`` is in a case's call: ("arg", i), ("kw", None) or None."""
    nl = len(target.args)
    if len(case.spec["args"]) > nl:
        return ("arg", nl)
    return ("kw", None) if "average" in case.spec["kwargs"] else None


@st.composite
def discrete_bad(draw, target):
    """One bad thing in an otherwise valid small call, and the documented error."""
    fn = _d_fn(target)
    case = draw(discrete_valid(target, small=True))
    if fn == "pairwise":
        return draw(_d_pairwise_bad(target, case))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    names = target.args
    nl = len(names)
    n = case.spec["args"][0][1].shape[0]
    kinds = ["none", "empty", "nan", "ndim0", "ndim3", "ragged", "n_threads", "keyword"]
    kinds += ["unsortable"] if n >= 2 else []
    kinds += ["length"] if nl > 1 else []
    if fn == "contingency":
        kinds.append("sparse")
    else:
        kinds.append("base")
    if fn in ("normalized_mutual_information", "adjusted_mutual_information"):
        kinds.append("average")
    elif fn != "contingency":
        kinds.append("correction")
    kind = draw(st.sampled_from(kinds))
    a = draw(st.sampled_from(names))
    ia = names.index(a)

    def out(spec, expect, what):
        return Case(target.name, spec, expect, f"{what}; from {case.note}, seed={seed}")

    if kind == "none":
        return out(_d_spec_with(case, target, ia, val(None)), Expect("error", T, (a,)), f"{a}=None")
    if kind == "length":
        b = draw(st.sampled_from(names[1:]))
        m = draw(st.sampled_from([m for m in (n + 1, n - 1, n + 100, 2 * n) if m >= 1 and m != n]))
        both = ("x", "y") if b == "y" else ("x", "z")
        spec = _d_spec_with(case, target, names.index(b), arr(np.arange(m) % 3))
        return out(spec, Expect("error", V, both, True), f"{b} of {m} samples, not {n}")
    if kind == "empty":
        e = draw(st.sampled_from(("1d", "rows", "cols", "list")))
        x = {"1d": np.array([], dtype=np.int64), "rows": np.zeros((0, 2)), "cols": np.zeros((n, 0))}
        spec = _d_spec_with(case, target, ia, val([]) if e == "list" else arr(x[e]))
        return out(spec, Expect("error", V, (a,)), f"{a} empty ({e})")
    if kind == "nan":
        _, data, layout, ax = case.spec["args"][ia]
        x, first = _d_with_nan(data, rng)
        lay = _d_nan_layout(layout, x)
        spec = _d_spec_with(case, target, ia, arr(x, lay, ax))
        return out(
            spec,
            Expect(
                "error",
                V,
                (a,),
                match=rf"^'{a}' must not contain NaN; found one at sample {first}\.$",
            ),
            f"NaN in {a}, first at sample {first}",
        )
    if kind == "ndim0":
        v = draw(st.sampled_from((3, 2.5, "abc", np.int64(1), True, b"ab")))
        return out(_d_spec_with(case, target, ia, val(v)), Expect("error", V, (a,)), f"{a}={v!r}")
    if kind == "ndim3":
        x = np.zeros((n, 2, 2), dtype=draw(st.sampled_from(("<i8", "<f8", "<U2"))))
        return out(_d_spec_with(case, target, ia, arr(x)), Expect("error", V, (a,)), f"{a} 3-D")
    if kind == "ragged":
        r = draw(st.sampled_from(([[1, 2], [3]], [[0], [1, 2], 3], [["a", "b"], ["c"]])))
        return out(_d_spec_with(case, target, ia, val(r)), Expect("error", V, (a,)), f"{a}={r!r}")
    if kind == "unsortable":
        how = draw(st.sampled_from(D_UNSORTABLE))
        d = draw(st.sampled_from((0, 0, 1, 2)))
        x = _d_unsortable(n, how, d)
        lay = draw(st.sampled_from(("C", "strided", "reversed", "readonly")))
        spec = _d_spec_with(case, target, ia, arr(x, lay, -1))
        return out(spec, Expect("error", T, (a,)), f"{a} unsortable ({how}, d={d})")
    if kind == "n_threads":
        bad = draw(st.sampled_from(BAD_N_THREADS))
        spec = _d_spec_with(case, target, n_threads=val(bad))
        return out(spec, Expect("error", V, ("n_threads",)), f"n_threads={_value_code(bad)}")
    if kind == "keyword":
        takes = set(target.keywords) | set(names)
        extra = [
            k for k in ("correction", "average", "base", "sparse", "axis", "y") if k not in takes
        ]
        k = draw(st.sampled_from(extra + ["weights"]))
        spec = _d_spec_with(case, target, **{k: val(draw(st.sampled_from((2.0, None, "min"))))})
        return out(spec, Expect("error", T, (k,)), f"unexpected keyword {k}")
    if kind == "sparse":
        bad = draw(st.sampled_from(BAD_FLAGS))
        spec = _d_spec_with(case, target, sparse=val(bad))
        return out(spec, Expect("error", T, ("sparse",)), f"sparse={bad!r}")
    if kind == "base":
        bad = draw(st.sampled_from(BAD_BASES_VALUE + BAD_BASES_TYPE))
        types = T if isinstance(bad, (bool, str, complex, list)) else V
        spec = _d_spec_with(case, target, base=val(bad))
        return out(spec, Expect("error", types, ("base",)), f"base={_value_code(bad)}")
    if kind == "correction":
        bad = draw(st.sampled_from(D_BAD_CORRECTIONS_VALUE + D_BAD_CORRECTIONS_TYPE))
        types = V if isinstance(bad, str) else T
        spec = _d_spec_with(case, target, correction=val(bad))
        return out(spec, Expect("error", types, ("correction",)), f"correction={bad!r}")
    # average: where the case passes it (positional or keyword), or as a keyword
    bad = draw(st.sampled_from(D_BAD_AVERAGES_VALUE + D_BAD_AVERAGES_TYPE))
    types = V if isinstance(bad, str) else T
    where = _d_average_index(target, case)
    if where is not None and where[0] == "arg":
        spec = _d_spec_with(case, target, where[1], val(bad))
    else:
        spec = _d_spec_with(case, target, average=val(bad))
    return out(spec, Expect("error", types, ("average",)), f"average={bad!r}")


@st.composite
def _d_pairwise_bad(draw, target, case):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    spec0 = case.spec
    y_none = len(spec0["args"]) == 1 or spec0["args"][1] == val(None)
    measure = spec0["kwargs"].get("measure", val("mutual_information"))[1]
    nmi_ami = measure in ("normalized_mutual_information", "adjusted_mutual_information")
    n = spec0["args"][0][1].shape[0]
    kinds = ["none", "ndim", "nocolumns", "rows", "nan", "measure", "keyword", "base"]
    kinds += ["n_threads", "ragged", "norows"] + (["unsortable"] if n >= 2 else [])
    kinds.append("average" if nmi_ami else "correction")
    kind = draw(st.sampled_from(kinds))
    a = "X" if y_none else draw(st.sampled_from(("X", "Y")))
    ia = 0 if a == "X" else 1

    def out(spec, expect, what):
        return Case(target.name, spec, expect, f"{what}; from {case.note}, seed={seed}")

    def with_arg(i, argspec, **kw):
        spec = _d_spec_with(case, target, **kw)
        if i >= len(spec["args"]):
            spec["args"].append(val(None))
        spec["args"][i] = argspec
        return spec

    if kind == "none":
        spec = with_arg(0, val(None))
        return out(spec, Expect("error", T, ("X",)), "X=None")
    if kind == "ndim":
        shape = draw(st.sampled_from(((n,), (n, 2, 2), ())))
        x = np.zeros(shape, dtype=np.int64)
        return out(with_arg(ia, arr(x)), Expect("error", V, (a,)), f"{a} of shape {shape}")
    if kind == "nocolumns":
        return out(with_arg(ia, arr(np.zeros((n, 0)))), Expect("error", V, (a,)), f"{a} (n, 0)")
    if kind == "norows":
        x = np.zeros((0, 2), dtype=np.int64)
        spec = with_arg(0, arr(x))
        if not y_none:
            spec["args"][1] = arr(np.zeros((0, 3), dtype=np.int64))
        return out(spec, Expect("error", V, ("X",)), "no samples")
    if kind == "rows":
        m = draw(st.sampled_from([m for m in (n + 1, n - 1, 2 * n + 3) if m >= 1 and m != n]))
        spec = with_arg(1, arr(np.arange(m * 2).reshape(m, 2) % 3))
        return out(spec, Expect("error", V, ("X", "Y"), True), f"Y of {m} rows, X of {n}")
    if kind == "nan":
        _, data, layout, ax = spec0["args"][ia]
        x = np.array(data)
        if x.dtype.kind not in "fcO":
            x = (np.arange(x.size).reshape(x.shape) % 5).astype(rng.choice(["<f8", ">f4"]))
        cells = rng.integers(0, [x.shape[0], x.shape[1]], size=(int(rng.integers(1, 4)), 2))
        for i, j in cells:
            x[i, j] = math.nan
        # the columns are coded in order: the first column with a NaN names its first row
        j0 = int(cells[:, 1].min())
        first = int(cells[cells[:, 1] == j0, 0].min())
        lay = _d_nan_layout(layout, x)
        return out(
            with_arg(ia, arr(x, lay, ax)),
            Expect(
                "error",
                V,
                (a,),
                match=rf"^'{a}' must not contain NaN; found one at sample {first}\.$",
            ),
            f"NaN in {a}, first in column {j0} at sample {first}",
        )
    if kind == "unsortable":
        x = _d_unsortable(n, draw(st.sampled_from(D_UNSORTABLE)), 2)
        return out(with_arg(ia, arr(x)), Expect("error", T, (a,)), f"{a} unsortable")
    if kind == "ragged":
        r = draw(st.sampled_from(([[1, 2], [3]], [[0, 1], [1, 2], 3])))
        return out(with_arg(ia, val(r)), Expect("error", V, (a,)), f"{a}={r!r}")
    if kind == "measure":
        bad = draw(st.sampled_from(D_BAD_MEASURES_VALUE + D_BAD_MEASURES_TYPE))
        spec = _d_spec_with(case, target, drop=("average", "correction"), measure=val(bad))
        types = V if isinstance(bad, str) else T
        return out(spec, Expect("error", types, ("measure",)), f"measure={bad!r}")
    if kind == "keyword":
        extra = ["correction"] if nmi_ami else ["average"]
        k = draw(st.sampled_from(extra + ["sparse", "axis", "z"]))
        v = draw(st.sampled_from(("min", "miller-madow", None, 2.0)))
        return out(_d_spec_with(case, target, **{k: val(v)}), Expect("error", T, (k,)), f"{k}=")
    if kind == "base":
        bad = draw(st.sampled_from(BAD_BASES_VALUE + BAD_BASES_TYPE))
        types = T if isinstance(bad, (bool, str, complex, list)) else V
        spec = _d_spec_with(case, target, base=val(bad))
        return out(spec, Expect("error", types, ("base",)), f"base={_value_code(bad)}")
    if kind == "n_threads":
        bad = draw(st.sampled_from(BAD_N_THREADS))
        spec = _d_spec_with(case, target, n_threads=val(bad))
        return out(spec, Expect("error", V, ("n_threads",)), f"n_threads={_value_code(bad)}")
    if kind == "correction":
        bad = draw(st.sampled_from(D_BAD_CORRECTIONS_VALUE + D_BAD_CORRECTIONS_TYPE))
        types = V if isinstance(bad, str) else T
        spec = _d_spec_with(case, target, correction=val(bad))
        return out(spec, Expect("error", types, ("correction",)), f"correction={bad!r}")
    bad = draw(st.sampled_from(D_BAD_AVERAGES_VALUE + D_BAD_AVERAGES_TYPE))
    types = V if isinstance(bad, str) else T
    spec = _d_spec_with(case, target, average=val(bad))
    return out(spec, Expect("error", types, ("average",)), f"average={bad!r}")


# ---- evaluation ----

#: AMI values the oracle could not compare (ill-conditioned, or too many
#: classes for scikit-learn), by reason: shown, not silently dropped
D_SKIPPED = collections.Counter()


def _d_compare(fn, got, orc, base, where):
    """A problem with a float result against the oracle, or None."""
    if orc.skip is not None:
        D_SKIPPED[orc.skip.split(":")[0]] += 1
        return None if math.isfinite(got) else f"{fn}: {got!r} is not finite{where}"
    if math.isnan(got):
        return f"{fn}: NaN{where}"
    if orc.bound == 0.0:
        if got != orc.value:
            return f"{fn}: {got!r}, expected exactly {orc.value!r}{where}"
        return None
    err = abs(got - orc.value)
    _note_ratio(f"discrete.{fn}", err / orc.bound, where.strip())
    if not err <= orc.bound:
        return (
            f"{fn}: {got!r}, oracle {orc.value!r}: error {err:.3g} > bound {orc.bound:.3g} "
            f"({err / orc.bound:.3g} x){where}"
        )
    sign = -1.0 if base is not None and float(base) < 1.0 else 1.0
    if orc.nonneg and got * sign < 0.0:
        return f"{fn}: {got!r} is below 0 (in nats) without a correction{where}"
    if fn == "normalized_mutual_information" and not 0.0 <= got <= 1.0:
        return f"{fn}: {got!r} outside [0, 1]{where}"
    return None


def _d_oracle_kw(kwargs):
    return {k: v for k, v in kwargs.items() if k in ("base", "correction", "average")}


def evaluate_discrete(target, case):
    COUNTS["cases"] += 1
    spec = case.spec
    out = run_spec(spec)
    res = out["result"]
    _common(case, out)
    if case.expect is not None and case.expect.kind == "error":
        check_error(case, res, case.expect, target)
        return
    if res[0] != "ok":
        fail("error", f"valid input raised {res[1][0]}: {res[2]}\n{case!r}")
    fn = _d_fn(target)
    args = [build_arg(a) for a in spec["args"]]
    kwargs = {k: build_arg(v) for k, v in spec["kwargs"].items()}
    got = res[1]
    if fn == "pairwise":
        _d_check_pairwise(case, got, args, kwargs)
        return
    nl = len(target.args)
    syms = [d_symbols(a) for a in args[:nl]]
    if fn == "contingency":
        _d_check_contingency(case, got, syms, bool(kwargs.get("sparse", False)))
        return
    if type(got) is not np.float64:
        fail("contract", f"result {type(got).__name__}, not numpy.float64\n{case!r}")
    okw = _d_oracle_kw(kwargs)
    if len(args) > nl:
        okw["average"] = args[nl]
    orc = D_ORACLES[fn](*syms, **okw)
    COUNTS["oracle"] += 1
    problem = _d_compare(fn, float(got), orc, okw.get("base"), f" ({case.note})")
    if problem:
        fail("accuracy", f"{problem}\n{case!r}")


def _d_check_contingency(case, got, syms, sparse):
    shape, i, j, c = d_contingency(*syms)
    COUNTS["oracle"] += 1
    if sparse:
        ok = isinstance(got, tuple) and len(got) == 3
        ok = ok and all(
            isinstance(g, np.ndarray) and g.dtype == np.int64 and g.ndim == 1 for g in got
        )
        if not ok:
            fail("contract", f"sparse result {got!r:.300}: not 3 int64 arrays\n{case!r}")
        if not all(np.array_equal(g, w) for g, w in zip(got, (i, j, c))):
            fail("accuracy", f"cells {got!r:.400}, expected {(i, j, c)!r:.400}\n{case!r}")
        return
    if not (isinstance(got, np.ndarray) and got.dtype == np.int64 and got.shape == shape):
        fail(
            "contract",
            f"result {type(got).__name__} {getattr(got, 'dtype', '')} "
            f"{getattr(got, 'shape', '')}, expected int64 {shape}\n{case!r}",
        )
    t = np.zeros(shape, dtype=np.int64)
    t[i, j] = c
    if not np.array_equal(got, t):
        fail("accuracy", f"table\n{got!r:.600}\nexpected\n{t!r:.600}\n{case!r}")


def _d_check_pairwise(case, got, args, kwargs):
    X = np.asarray(args[0])
    Y = None if len(args) < 2 or args[1] is None else np.asarray(args[1])
    measure = kwargs.get("measure", "mutual_information")
    fx = X.shape[1]
    fy = fx if Y is None else Y.shape[1]
    if not (isinstance(got, np.ndarray) and got.dtype == np.float64 and got.shape == (fx, fy)):
        fail(
            "contract",
            f"result {type(got).__name__} {getattr(got, 'dtype', '')} "
            f"{getattr(got, 'shape', '')}, expected float64 ({fx}, {fy})\n{case!r}",
        )
    mkw = _d_oracle_kw(kwargs)
    problems = []
    # every entry is the one-pair function's value (computed in the child)
    lspec = {
        "fn": "!discrete_loop",
        "args": case.spec["args"],
        "kwargs": {"measure": val(measure), **{k: val(v) for k, v in mkw.items()}},
    }
    lres = run_spec(lspec)["result"]
    if lres[0] != "ok":
        fail("contract", f"the one-pair calls raised {lres!r} where pairwise did not\n{case!r}")
    L = lres[1]
    # one triangle computed and mirrored exactly; the symmetric measures are
    # symmetric bit for bit, so the mirror equals the one-pair calls too
    mirrored = Y is None and measure != "conditional_entropy"
    if mirrored and not np.array_equal(_bits64(got), _bits64(got.T)):
        problems.append("Y=None: the matrix is not its exact mirror")
    diff = np.argwhere(_bits64(got) != _bits64(L))
    if diff.size:
        problems.append(
            f"{measure}: {len(diff)} entries not bit-identical to the one-pair calls, first "
            f"{diff[0].tolist()} (got {got[tuple(diff[0])]!r}, one-pair {L[tuple(diff[0])]!r})"
        )
    # every entry against the oracle
    oracles = d_pairwise(X, Y, measure=measure, **mkw)
    for i in range(fx):
        for j in range(fy):
            orc = oracles[i][j]
            COUNTS["oracle"] += 1
            p = _d_compare(
                measure, float(got[i, j]), orc, mkw.get("base"), f" [{i}, {j}] ({case.note})"
            )
            if p:
                problems.append(p)
    if problems:
        fail("accuracy", "\n".join(problems[:5]) + f"\n{case!r}")


# --------------------------------------------------------------------------
# the tables family: joint_entropy, conditional_entropy, mutual_information
# --------------------------------------------------------------------------

#: largest number of cells of one case compared with the oracle (mpmath, ~3 logs a cell)
TB_BUDGET = 300 if PROFILE == "quick" else 1500
TB_FAMILIES = (
    "uniform",
    "counts",
    "sparse",
    "independent",
    "near-independent",
    "peaked",
    "diagonal",
    "scaled",
    "subnormal",
    "huge",
)
TB_DTYPES = ("<f8", "<f8", ">f8", "<f4", ">f4", "<i8", "|u1", "|b1", "list")
TB_ROWS = st.one_of(st.integers(1, 6), st.sampled_from((1, 16, 17, 33)))
TB_COLS = st.one_of(st.integers(1, 6), st.sampled_from((1, 8, 9, 255, 256, 257)))
TB_BATCHES = ((), (), (), (2,), (3,), (0,), (2, 1), (1, 0, 2))


def table_values(rng, family, shape, dc):
    """Non-negative tables of one family (float64, representable after the cast)."""
    ni, nj = shape[-2:]
    f32 = dc == "f32"
    if family == "uniform":
        x = rng.random(shape)
    elif family == "counts":
        x = rng.integers(0, 20, shape).astype(np.float64)
    elif family == "sparse":
        x = rng.random(shape) * (rng.random(shape) < 0.3)
    elif family == "independent":
        a, b = rng.integers(1, 9, shape[:-1] + (1,)), rng.integers(1, 9, shape[:-2] + (1, nj))
        x = (a * b / 64.0).astype(np.float64)  # dyadic: the products are exact
    elif family == "near-independent":
        a, b = rng.random(shape[:-1] + (1,)) + 0.5, rng.random(shape[:-2] + (1, nj)) + 0.5
        eps = 10.0 ** rng.uniform(-7, -2)
        x = a * b * (1 + eps * rng.standard_normal(shape))
    elif family == "peaked":
        x = 10.0 ** rng.uniform(-40 if f32 else -300, -5, shape)
        x[..., rng.integers(ni), rng.integers(nj)] = 1.0
    elif family == "diagonal":
        x = np.zeros(shape)
        n = min(ni, nj)
        x[..., np.arange(n), np.arange(n)] = rng.random(shape[:-2] + (n,)) + 0.1
    elif family == "scaled":
        e = rng.choice(SCALES["f32" if f32 else "f64"])
        x = rng.random(shape) * 10.0 ** float(e)
    elif family == "subnormal":
        x = rng.random(shape) * (1e-40 if f32 else 1e-310)
    else:  # huge: sums beyond the float range
        x = rng.random(shape) * (3e38 if f32 else 1.7e308)
    return x


def _tables_fill(x):
    """Give every table a positive entry (a zero table is a documented error)."""
    if x.size and x.ndim >= 2:
        flat = x.reshape((-1,) + x.shape[-2:])
        empty = ~np.any(flat > 0, axis=(-2, -1))
        flat[empty, 0, 0] = 1
    return x


@st.composite
def tables_valid(draw, target, batch=None):
    ni, nj = draw(TB_ROWS), draw(TB_COLS)
    if batch is None:
        batch = draw(st.sampled_from(TB_BATCHES))
    while math.prod(batch) * ni * nj > TB_BUDGET and batch:
        batch = batch[1:]
    while ni * nj > TB_BUDGET:
        nj = max(1, nj // 2)
    shape = tuple(batch) + (ni, nj)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    dtype = draw(st.sampled_from(TB_DTYPES))
    if dtype == "list" and 0 in batch:
        batch, shape = (), (ni, nj)  # a nested list of no tables has lost its table shape
    dc = dclass_of(dtype)
    family = draw(st.sampled_from(TB_FAMILIES))
    if dc in ("u1", "int"):
        x = rng.integers(0, 5, shape)
    elif dc == "bool":
        x = rng.random(shape) < 0.5
    else:
        x = table_values(rng, family, shape, dc)
    normalize = draw(st.sampled_from((True, True, True, False)))
    if not normalize and dc in ("f32", "f64"):
        with np.errstate(all="ignore"):
            x = x / np.sum(x, axis=(-2, -1), keepdims=True)
    x = cast(x, dtype)
    if dc in ("f32", "f64"):
        x = cast(np.nan_to_num(np.asarray(x, dtype=np.float64), nan=0.0), dtype)
    x = _tables_fill(np.asarray(x) if dtype != "list" else np.asarray(x, dtype=np.float64))
    layout = _layout(draw, dtype, 2, PW_LAYOUTS)
    kw = {}
    if not normalize:
        kw["normalize"] = val(False)
    b = draw(st.sampled_from(BASES))
    if b is not None:
        kw["base"] = val(b)
    if draw(st.integers(0, 5)) == 0:
        kw["n_threads"] = val(draw(st.sampled_from((1, 2, -1))))
    spec = {"fn": target.name, "args": [arr(np.ascontiguousarray(x), layout, -1)], "kwargs": kw}
    if draw(st.integers(0, 2)) == 0:
        spec["threads"] = {"arrays": [0], "axis": None}
    note = f"shape={shape}, {dtype}, {family}, {layout}, normalize={normalize}, seed={seed}"
    return Case(target.name, spec, None, note)


@st.composite
def tables_bad(draw, target):
    kinds = (
        "none", "type", "ndim", "empty", "entry", "zero", "sumoff", "base", "normalize",
        "n_threads", "keyword",
    )  # fmt: skip
    kind = draw(st.sampled_from(kinds))
    case = draw(tables_valid(target, batch=draw(st.sampled_from(((), (3,), (2, 2))))))
    spec = case.spec
    if kind == "none":
        return Case(
            target.name,
            _with_arg(case, target, "pxy", val(None)),
            Expect("error", T, ("pxy",)),
            kind,
        )
    if kind == "type":
        s = draw(st.sampled_from(TYPE_SPECIALS))
        return Case(
            target.name,
            _with_arg(case, target, "pxy", ("special", s)),
            Expect("error", T, ("pxy",)),
            s,
        )
    if kind == "ndim":
        x = np.full(draw(st.sampled_from(((), (1,), (5,)))), 0.5)
        return Case(
            target.name, _with_arg(case, target, "pxy", arr(x)), Expect("error", V, ("pxy",)), kind
        )
    if kind == "empty":
        shape = draw(st.sampled_from(((0, 3), (3, 0), (2, 0, 3), (0, 0))))
        return Case(
            target.name,
            _with_arg(case, target, "pxy", arr(np.ones(shape))),
            Expect("error", V, ("pxy",)),
            f"shape {shape}",
        )
    if kind in ("entry", "zero", "sumoff"):
        rng = np.random.default_rng(draw(st.integers(0, 2**16)))
        shape = draw(st.sampled_from(((3, 4), (2, 3, 4), (2, 2, 300))))
        x = rng.random(shape)
        t = tuple(int(rng.integers(n)) for n in shape[:-2])
        kw = dict(spec["kwargs"])
        kw.pop("normalize", None)
        dtype = draw(st.sampled_from(("<f8", ">f4")))
        if kind == "entry":
            tiny = (-1e-300, -5e-324) if dtype == "<f8" else (-1e-30, -1e-45)
            v = draw(st.sampled_from((math.nan, math.inf, -math.inf, -1.0) + tiny))
            x[t + (int(rng.integers(shape[-2])), int(rng.integers(shape[-1])))] = v
            note = f"entry {v!r} in table {t}"
        elif kind == "zero":
            x[t] = 0.0
            note = f"table {t} of zeros"
        else:
            x /= x.sum(axis=(-2, -1), keepdims=True)
            x[t] *= draw(st.sampled_from((1.5, 0.5, 1 + 1e-9, 1e308)))
            kw["normalize"] = val(False)
            note = f"table {t} off 1"
        with np.errstate(over="ignore"):
            xs = x.astype(dtype)
        spec = dict(
            spec, args=[arr(xs, draw(st.sampled_from(("C", "F", "strided"))), -1)], kwargs=kw
        )
        return Case(target.name, spec, Expect("error", V, ("pxy",)), note)
    if kind == "base":
        bad = draw(st.sampled_from(BAD_BASES_VALUE + BAD_BASES_TYPE))
        types = T if isinstance(bad, (bool, str, complex, list)) else V
        return Case(
            target.name,
            _with_arg(case, target, "base", val(bad)),
            Expect("error", types, ("base",)),
            f"base={_value_code(bad)}",
        )
    if kind == "normalize":
        bad = draw(st.sampled_from(BAD_FLAGS))
        return Case(
            target.name,
            _with_arg(case, target, "normalize", val(bad)),
            Expect("error", T, ("normalize",)),
            f"normalize={_value_code(bad)}",
        )
    if kind == "n_threads":
        bad = draw(st.sampled_from(BAD_N_THREADS))
        return Case(
            target.name,
            _with_arg(case, target, "n_threads", val(bad)),
            Expect("error", V, ("n_threads",)),
            f"n_threads={_value_code(bad)}",
        )
    spec = dict(spec, kwargs=dict(spec["kwargs"], axis=val(0)))
    return Case(target.name, spec, Expect("error", T, ("axis",)), "unexpected keyword axis")


def evaluate_tables(target, case):
    COUNTS["cases"] += 1
    spec = case.spec
    out = run_spec(spec)
    res = out["result"]
    _common(case, out)
    expect = case.expect
    if expect is not None and expect.kind == "error":
        check_error(case, res, expect, target)
        return
    x = build_arg(spec["args"][0])
    L = _logical(x)
    normalize = bool(_kw(spec, "normalize", True))
    base = _kw(spec, "base", None)
    ni, nj = L.shape[-2:]
    flat = L.reshape((-1, ni, nj))
    f32 = _is_f32_array(x)
    if not normalize:
        tol = 64.0 * math.sqrt(ni * nj) * float(np.finfo(np.float32 if f32 else np.float64).eps)
        dev = max((abs(_fsum(t.ravel()) - 1.0) for t in flat), default=0.0)
        if dev > 2 * tol:
            check_error(case, res, Expect("error", V, ("pxy",)), target)
            return
        if dev > tol / 2 and res[0] == "raise":
            check_error(case, res, Expect("either", V, ("pxy",)), target)
            return
    if res[0] != "ok":
        fail("error", f"valid input raised {res[1][0]}: {res[2]}\n{case!r}")
    got = res[1]
    if L.ndim == 2:
        if type(got) is not np.float64:
            fail("contract", f"a 2-D table gave {type(got).__name__}, not numpy.float64\n{case!r}")
    elif not (
        isinstance(got, np.ndarray) and got.dtype == np.float64 and got.shape == L.shape[:-2]
    ):
        fail("contract", f"result {got!r:.200}, expected float64 of shape {L.shape[:-2]}\n{case!r}")
    g = np.asarray(got, dtype=np.float64).reshape(-1)
    cache, problems = {}, []
    for k in range(flat.shape[0]):
        key = flat[k].tobytes()
        if key not in cache:
            cache[key] = target.oracle(flat[k].tolist(), normalize=normalize)
        value, scale = cache[key]
        try:
            ratio = tables_reference.check(
                g[k],
                value,
                scale,
                target.name,
                (ni, nj),
                normalize=normalize,
                base=base,
                where=f" table {k} of {g.size}",
            )
            _note_ratio(
                f"{target.name} {'float32' if f32 else 'float64'}", ratio, f"{case.note}, table {k}"
            )
        except AssertionError as e:
            problems.append(str(e))
        COUNTS["oracle"] += 1
        if len(problems) >= 5:
            break
    if problems:
        fail("accuracy", "\n".join(problems) + f"\n{case!r}")


# --------------------------------------------------------------------------
# the hist family: fastdiv.hist.histogram and histogram2d against NumPy
# --------------------------------------------------------------------------

# A case draws samples of a kind (normal at any scale, ties, a cluster of
# floats a few ulp apart at an offset, uniform, one value; some values then
# snapped onto the edges of their own histogram and onto the edges' float
# neighbours), casts them to a dtype (float32 / float64 of either byte
# order, ints, bools, a list), lays them out, and draws bins (an int, a rule
# name, an array of edges, repeated edges included), a range (None, Python
# floats, NumPy float64 or float32 scalars), and sometimes float64 weights or
# density=True.  The parent compares with NumPy (h_histogram,
# h_histogram2d): the edges bit for bit, of NumPy's dtype; the counts bit for
# bit, except with weights on explicit edges, in histogram2d, or in a
# density of weighted counts: within H_WEIGHTS_RTOL = 1e-12 relative (the
# spec: NumPy adds the weights in another order).  Where NumPy cannot make
# the edges (more bins than floats in the range) fastdiv must refuse with a
# ValueError naming 'bins', 'range' or 'x'.  Rules are not drawn for integer
# and bool samples (NumPy widens a rule's width to 1 for integers; fastdiv
# converts them to float64: tests/hist/test_histogram.py pins that case).

H_WEIGHTS_RTOL = 1e-12
H_DTYPES = ("<f8", "<f8", ">f8", "<f4", "<f4", ">f4", "<i8", ">i4", "|u1", "|b1", "list")
H_FLOATS = ("<f8", ">f8", "<f4", ">f4")
H_KINDS = ("normal", "ties", "cluster", "uniform", "single")
H_LAYOUTS = ("C", "view", "strided", "reversed", "unaligned", "readonly")
H_N = st.one_of(st.integers(1, 40), st.sampled_from((1, 2, 255, 1000, 65_537)))
H_TILE = 70_000
H_BAD_BINS = (0, -1, 1.5, True, "foo", "Auto", np.array([0.0, 2.0, 1.0]), np.array([0.5]),
              np.array([0.0, np.nan, 1.0]), np.array([0.0, 1.0, np.inf]),
              np.array([[0.0, 1.0], [2.0, 3.0]]))  # fmt: skip
H_BAD_RANGES = ((2.0, 1.0), (math.nan, 1.0), (0.0, math.inf), (-math.inf, 0.0), (1.0,),
                (0.0, 1.0, 2.0), 5.0)  # fmt: skip


def h_values(rng, kind, n, f32):
    """n float64 samples of a kind (exact in float32 where f32)."""
    if kind == "normal":
        x = rng.normal(rng.uniform(-5.0, 5.0), 10.0 ** rng.uniform(-3.0, 3.0), n)
    elif kind == "ties":
        x = rng.integers(-4, 5, n) * 0.25
    elif kind == "cluster":
        offsets = [1.0, 1e4, -3e5, 1e8] + ([] if f32 else [1e16, -7e15])
        ft = np.float32 if f32 else np.float64
        off = ft(offsets[int(rng.integers(len(offsets)))])
        x = (off + rng.integers(-40, 41, n).astype(ft) * np.spacing(off)).astype(np.float64)
    elif kind == "uniform":
        x = rng.random(n)
    else:
        x = np.full(n, (0.0, 3.25, -1e-3, 7e5)[int(rng.integers(4))])
    return x.astype(np.float32).astype(np.float64) if f32 else x


def h_snap(rng, x, bins, rng_):
    """x (a float array) with some values that are neither its min nor its
    max replaced by inner edges of its histogram or their float neighbours."""
    try:
        e = hist_reference.np_edges(x, bins, rng_)
    except (ValueError, TypeError):
        return x
    inner = e[1:-1].astype(x.dtype)
    if inner.size == 0 or x.size < 3:
        return x
    inf = np.array(np.inf, dtype=x.dtype)
    cand = np.concatenate([inner, np.nextafter(inner, inf), np.nextafter(inner, -inf)])
    if rng_ is None:
        cand = cand[(cand >= x.min()) & (cand <= x.max())]
    if cand.size == 0:
        return x
    y = x.copy()
    keep = {int(np.argmin(x)), int(np.argmax(x))}
    idx = np.array([i for i in range(x.size) if i not in keep])
    pick = rng.choice(idx, size=min(idx.size, int(rng.integers(1, 20))), replace=False)
    y[pick] = rng.choice(cand, size=pick.size)
    return y


def h_bins(draw, rng, xf, rules=True, pair=False):
    """An int, a rule name, or edges (np.ndarray, float64 or float32; at least
    3 of them where ``pair``: an array of 2 is read as two counts)."""
    kinds = ["int", "int", "edges", "repeated"] + (["rule"] if rules else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "int":
        return draw(st.one_of(st.integers(1, 20), st.sampled_from((1, 64, 255, 1000))))
    if kind == "rule":
        return draw(st.sampled_from(hist_reference.RULES))
    k = int(rng.integers(3 if pair else 2, 12))
    lo, hi = float(xf.min()), float(xf.max())
    pad = max(1.0, hi - lo)
    e = np.concatenate([rng.choice(xf, k), rng.uniform(lo - pad / 4, hi + pad / 4, 2)])
    if kind == "repeated":
        e = np.concatenate([e, e[: int(rng.integers(1, 3))]])
    e = np.sort(e)
    if draw(st.booleans()):
        e32 = e.astype(np.float32)
        if np.all(np.isfinite(e32)):
            e = np.sort(e32)
    return e


def h_range(draw, rng, xf, within=False, f4=True):
    """None, or a pair from the samples (and, unless within, values beyond
    them: a rule on a tiny cluster in a wide range would ask for ~1e14 bins),
    as Python floats, NumPy float64 or (if f4) float32 scalars."""
    kind = draw(st.sampled_from(("none", "none", "py", "f8") + (("f4",) if f4 else ())))
    if kind == "none":
        return None
    if not within:
        xf = np.concatenate([xf, [xf.min() - 1.0, xf.max() + 0.5]])
    lo, hi = np.sort(rng.choice(xf, 2))
    if kind == "f8":
        return (np.float64(lo), np.float64(hi))
    if kind == "f4":
        with np.errstate(over="ignore"):
            r = (np.float32(lo), np.float32(hi))
        return r if np.isfinite(r[0]) and np.isfinite(r[1]) else (float(lo), float(hi))
    return (float(lo), float(hi))


def h_sample(draw, rng, n, dtype, kind):
    """(the sample cast to dtype, as float64 for drawing bins and ranges)."""
    dc = dclass_of(dtype)
    if dc in ("int", "u1"):
        x = rng.integers(0, 100, n)
    elif dc == "bool":
        x = rng.random(n) < 0.4
    else:
        x = h_values(rng, kind, n, dc == "f32")
    x = cast(x, dtype)
    return x, np.asarray(x, dtype=np.float64)


@st.composite
def hist_valid(draw, target):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = draw(H_N)
    two = target.name == "hist.histogram2d"
    dtype = draw(st.sampled_from(H_DTYPES))
    kind = draw(st.sampled_from(H_KINDS))
    x, xf = h_sample(draw, rng, n, dtype, kind)
    floats = dclass_of(dtype) in ("f32", "f64")
    note = [f"n={n}", dtype, kind, f"seed={seed}"]
    kw = {}
    if two:
        dty = draw(st.sampled_from(H_DTYPES[:-1]))
        y, yf = h_sample(draw, rng, n, dty, draw(st.sampled_from(H_KINDS)))
        bx = h_bins(draw, rng, xf, rules=False, pair=True)
        by = h_bins(draw, rng, yf, rules=False, pair=True)
        bins = draw(st.sampled_from((bx, [bx, by])))
        rx = h_range(draw, rng, xf, f4=dclass_of(dtype) in ("f32", "f64"))
        ry = h_range(draw, rng, yf, f4=dclass_of(dty) in ("f32", "f64"))
        rng_ = None if rx is None or ry is None else [rx, ry]
        note.append(f"y {dty}")
        args = [arr(x, _layout(draw, dtype, 1, H_LAYOUTS)), arr(y, _layout(draw, dty, 1))]
        labels = [0, 1]
        # every sample inside (the spec leaves a 2-D density of nothing open)
        density_ok = rng_ is None and not any(
            isinstance(b, np.ndarray) for b in (bins if isinstance(bins, list) else [bins])
        )
    else:
        bins = h_bins(draw, rng, xf, rules=floats)
        rule = isinstance(bins, str)
        # float32 range scalars: not with a rule on float64 samples (rounded
        # to float32, the range can be far wider than a cluster: ~1e9 bins),
        # nor with ints and bools (NumPy's edges would be float32 for uint8
        # data, fastdiv reads them as float64: tests/hist pins that case)
        f4 = dclass_of(dtype) == "f32" or (floats and not rule)
        rng_ = h_range(draw, rng, xf, within=rule, f4=f4)
        if floats and draw(st.booleans()):
            x = h_snap(rng, x, bins, rng_)
            note.append("snapped")
        if dtype != "list" and n % 2 == 0 and draw(st.integers(0, 3)) == 0:
            x = x.reshape(2, -1)  # read flat
        layout = (
            _layout(draw, dtype, 1, H_LAYOUTS)
            if x.ndim == 1
            else draw(st.sampled_from(("C", "F", "strided", "reversed")))
        )
        args = [arr(np.ascontiguousarray(x), layout)]
        labels = [0]
        density_ok = True
    args += [val(bins), val(rng_)]
    note += [f"bins={bins!r:.80}", f"range={rng_!r}"]
    if not isinstance(bins, str) and draw(st.integers(0, 2)) == 0:
        w = rng.normal(1.0, 2.0, np.shape(x)) if not two else rng.random(n) + 0.5
        if not two and draw(st.booleans()):
            w = np.abs(w) + 0.1  # positive: the relative bound of explicit edges holds
        kw["weights"] = arr(w)
        note.append("weights")
    if density_ok and draw(st.integers(0, 3)) == 0:
        kw["density"] = val(True)
        note.append("density")
    if draw(st.integers(0, 5)) == 0:
        kw["n_threads"] = val(draw(st.sampled_from((1, 2, -1))))
    spec = {"fn": target.name, "args": args, "kwargs": kw}
    if draw(st.integers(0, 2)) == 0:
        # tiled: not with weights (their shape), nor a rule (other edges)
        tile = 0 if "weights" in kw or isinstance(bins, str) else H_TILE
        spec["threads"] = {"labels": labels, "tile": tile}
    return Case(target.name, spec, None, ", ".join(note))


@st.composite
def hist_bad(draw, target):
    two = target.name == "hist.histogram2d"
    kinds = ["none", "type", "nonfinite", "empty", "bins", "range", "weights", "n_threads"]
    kinds += ["length", "y-nonfinite"] if two else ["density-empty", "axis"]
    kind = draw(st.sampled_from(kinds))
    case = draw(hist_valid(target))
    spec = case.spec
    n = 50
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    good = rng.normal(0.0, 1.0, n)

    def with_(name, argspec, names, types=VT, note=kind):
        s = _with_arg(Case(target.name, spec), target, name, argspec)
        return Case(target.name, s, Expect("error", types, names), note)

    if kind in ("nonfinite", "y-nonfinite", "empty", "length", "weights", "density-empty"):
        # start from plain good samples: the error is the only one
        spec = {"fn": target.name, "args": [arr(good)] + ([arr(good[::-1].copy())] if two else [])
                + [val(10), val(None)], "kwargs": {}}  # fmt: skip
    if kind == "none":
        return with_("x", val(None), ("x", "y") if two else ("x",), T)
    if kind == "type":
        sp = draw(st.sampled_from(TYPE_SPECIALS))
        return with_("x", ("special", sp), ("x", "y") if two else ("x",), VT, sp)
    if kind in ("nonfinite", "y-nonfinite"):
        which = "y" if kind == "y-nonfinite" else "x"
        bad = good.copy()
        bad[int(rng.integers(n))] = draw(st.sampled_from((math.nan, math.inf, -math.inf)))
        bad = bad.astype(draw(st.sampled_from(H_FLOATS)))
        out = with_(
            which, arr(bad, draw(st.sampled_from(("C", "strided", "reversed")))), (which,), V
        )
        if draw(st.booleans()):  # also with a range that leaves the value out (NumPy drops NaN)
            rng_ = [(-1.0, 1.0), (-1.0, 1.0)] if two else (-1.0, 1.0)
            out.spec["args"][target.args.index("range")] = val(rng_)
        return out
    if kind == "empty":
        e = np.zeros(draw(st.sampled_from(((0,), (0, 3)))) if not two else (0,))
        if two:
            s = dict(spec, args=[arr(e), arr(e.copy()), val(10), val(None)])
            return Case(target.name, s, Expect("error", V, ("x", "y")), kind)
        return with_("x", arr(e), ("x",), V)
    if kind == "length":
        return with_("y", arr(good[: n - 1 - int(rng.integers(0, 5))]), ("y",), V)
    if kind == "bins":
        # (a 2 x 2 array is two pairs of edges to histogram2d, as to NumPy)
        bad = draw(st.sampled_from(H_BAD_BINS[:-1] if two else H_BAD_BINS))
        return with_("bins", val(bad), ("bins",), VT, f"bins={bad!r}")
    if kind == "range":
        bad = draw(st.sampled_from(H_BAD_RANGES))
        s = dict(spec, args=list(spec["args"]))
        s["args"][target.args.index("bins")] = val(7)
        s["args"][target.args.index("range")] = val([bad, (0.0, 1.0)] if two else bad)
        return Case(target.name, s, Expect("error", VT, ("range",)), f"range={bad!r}")
    if kind == "weights":
        if draw(st.booleans()):
            w = np.ones(n)
            w[int(rng.integers(n))] = draw(st.sampled_from((math.nan, math.inf, -math.inf)))
            note = "non-finite weights"
        else:
            w = np.ones(draw(st.sampled_from(((n - 1,), (n + 1,), (n, 1), (5, 10)))))
            note = f"weights of shape {w.shape}"
        s = dict(spec, kwargs=dict(spec["kwargs"], weights=arr(w)))
        return Case(target.name, s, Expect("error", V, ("weights",)), note)
    if kind == "n_threads":
        bad = draw(st.sampled_from(BAD_N_THREADS))
        s = dict(spec, kwargs=dict(spec["kwargs"], n_threads=val(bad)))
        s.pop("threads", None)
        return Case(target.name, s, Expect("error", V, ("n_threads",)), f"n_threads={bad!r:.30}")
    if kind == "density-empty":
        s = dict(spec, args=[arr(np.linspace(5.0, 6.0, n)), val(10), val((-1.0, 1.0))],
                 kwargs={"density": val(True)})  # fmt: skip
        return Case(target.name, s, Expect("error", V, ("x",)), kind)
    # axis out of range, or not an int
    bad = draw(st.sampled_from((1, -2, 1.5, "0")))
    s = dict(spec, args=[arr(good), val(10), val(None)], kwargs={"axis": val(bad)})
    types = V if isinstance(bad, int) else T
    return Case(target.name, s, Expect("error", types, ("axis",)), f"axis={bad!r}")


def evaluate_hist(target, case):
    COUNTS["cases"] += 1
    spec = case.spec
    out = run_spec(spec)
    res = out["result"]
    _common(case, out)
    if case.expect is not None and case.expect.kind == "error":
        check_error(case, res, case.expect, target)
        return
    args = [build_arg(a) for a in spec["args"]]
    kwargs = {k: build_arg(v) for k, v in spec["kwargs"].items()}
    try:
        with np.errstate(all="ignore"):
            want = target.oracle(*args, **kwargs)
    except ValueError:
        # NumPy cannot make these edges: fastdiv must refuse too
        check_error(case, res, Expect("error", V, ("bins", "range", "x")), target)
        return
    if kwargs.get("density"):
        plain = target.oracle(*args, weights=kwargs.get("weights"))[0]
        if plain.sum() == 0:  # NumPy's NaN: fastdiv raises (no sample in the range)
            check_error(case, res, Expect("error", V, ("x", "weights")), target)
            return
    if res[0] != "ok":
        fail("error", f"valid input raised {res[1][0]}: {res[2]}\n{case!r}")
    got = res[1]
    if not (isinstance(got, tuple) and len(got) == len(want)):
        fail("contract", f"result {got!r:.200}: expected a tuple of {len(want)}\n{case!r}")
    weighted = kwargs.get("weights") is not None
    bins = args[target.args.index("bins")]
    explicit = isinstance(bins, (np.ndarray, list))
    exact = not weighted or (
        target.name == "hist.histogram" and not explicit and not kwargs.get("density")
    )
    try:
        for i in range(1, len(want)):
            hist_reference.assert_same(got[i], want[i], f"edges {i}")
        if exact:
            hist_reference.assert_same(got[0], want[0], "counts")
        else:
            hist_reference.assert_close(got[0], want[0], H_WEIGHTS_RTOL, "counts")
    except AssertionError as e:
        fail("accuracy", f"{target.name} differs from NumPy: {e}\n{case!r}")
    COUNTS["oracle"] += 1


# --------------------------------------------------------------------------
# the knn family: fastdiv.knn against knn_reference's brute force
# --------------------------------------------------------------------------

# A case draws n (2..200: the oracle is O(n^2)), per sample argument a
# dimension (1..4; the joint spaces up to 12, past the k-d tree's unrolled
# 8), a kind of values (normal at any scale and offset, columns of other
# scales among them; ties: a grid of a few integers times a step, -0.0
# among them; dup: a few distinct rows repeated; cluster: values a few ulp
# apart at an offset) exact in a dtype (float32 / float64 of either byte
# order, ints and bools as integer grids, a list), a relation between the
# variables (a shared latent variable; copies of the first one's columns;
# the same rows repeated in every variable; kl_divergence: y holding copies
# of rows of x), sometimes a batch of 1..3 sets, a layout per argument.
# With y_discrete=True, y holds labels (ints, bools, floats, complex, str,
# bytes, objects) of classes of any size, singletons included.  k is drawn
# from 1..min(5, kmax), kmax the largest k the data allows (its searched
# spaces' distinct points, per class for Ross), often kmax itself.  The
# keywords: base, metric, algorithm, y_discrete, standardize, n_threads.
#
# THE TOLERANCE.  fastdiv and the oracle sum the same terms (digammas of the
# same integer counts, logs of the same distances: max-norms exactly,
# Euclidean norms to an ulp or two, their squares added in another order)
# in other orders and with other digamma routines, each term correct to a
# few ulp: the two differ by less than about (n + 16) 2^-52 times the
# oracle's scale (the sum of the moduli of the constants and the mean of the
# moduli of the per-point terms), 5e-14 of it for n <= 200.  K_RTOL = 1e-12
# of the scale is 20x that, and far below what one wrong neighbour count
# does: a count m off by one moves psi by 1/m >= 1/n and the mean by
# >= 1/n^2 >= 2.5e-5, while the scales here stay below ~1e3 (1e-9 at most):
# with ties and copies the counts must agree exactly (the spec's rule for
# copies: skipped as neighbours, counted inside a radius).  A case the oracle
# refuses (KnnRefused) must raise ValueError naming the argument, or the
# joint space ("the joint samples (x, y)").  A third of the cases re-run
# with n_threads=1 and 2 (bit for bit); unbatched ones (Ross only where
# every class keeps its k) also with every sample argument tiled to at least
# K_TILE points, past the kernels' one-thread limit (8192 points), with 1
# and 2 threads (bit for bit with each other).

K_RTOL = 1e-12
K_DTYPES = ("<f8", "<f8", ">f8", "<f4", "<f4", ">f4", "<i8", ">i4", "|u1", "|b1", "list")
K_FLOATS = ("<f8", ">f8", "<f4", ">f4")
K_KINDS = ("normal", "normal", "ties", "ties", "dup", "cluster")
K_LAYOUTS = ("C", "F", "view", "strided", "reversed", "unaligned", "readonly")
K_RELATIONS = ("latent", "latent", "copy", "rowdup")
K_N = st.one_of(
    st.integers(2, 40), st.integers(41, 200), st.sampled_from((2, 3, 12, 13, 64, 129, 200))
)
K_BASES = (None, None, None, 2, 10, 0.5, math.e, np.float32(2.0))
K_THREADS = (None, None, None, 1, 2, -1, np.int64(2))
K_LABEL_DTYPES = ("<i8", ">i4", "|i1", "|u1", "|b1", ">f8", "<f4", "<c16", "str", "bytes",
                  "obj-int", "obj-str", "obj-num")  # fmt: skip
K_LABEL_LAYOUTS = ("C", "strided", "reversed", "readonly", "list")
K_TILE = 9000
#: the fewest distinct points of a searched space tiled: the copies of a point tiled
#: are up to K_TILE / K_TILE_MIN, and KSG algorithm 2 walks every copy inside its
#: radius (some K_TILE^2 / distinct steps: a second with 5 distinct points)
K_TILE_MIN = 45
#: keywords a function does not take (bad input)
K_FOREIGN = {
    "entropy": ("standardize", "algorithm", "y_discrete", "axis"),
    "mutual_information": ("metric", "axis"),
    "conditional_mutual_information": ("metric", "algorithm", "y_discrete", "axis"),
    "kl_divergence": ("algorithm", "y_discrete", "axis"),
    "mutual_information_features": ("metric", "axis"),
}
K_BAD_METRICS_VALUE = ("foo", "Euclidean", "", "manhattan", "max")
K_BAD_METRICS_TYPE = (None, 1, b"euclidean")
K_BAD_ALGORITHMS_VALUE = (0, 3, -1, 2**64, np.int64(3))
K_BAD_ALGORITHMS_TYPE = (1.0, "1", True, None, np.float64(2.0), [1])
K_BAD_K_TYPE = BAD_K_TYPE + (np.float64(2.0), [2])
#: the joint spaces' errors name no one argument
K_JOINT = {
    "mutual_information": r"the joint samples \(x, y\) must hold at least k \+ 1",
    "conditional_mutual_information": r"the joint samples \(x, y, z\) must hold at least k \+ 1",
    "mutual_information_features": r"the joint samples \(X\[:, j\], y\) must hold at least k \+ 1",
}


def _k_fn(target):
    return target.name.split(".", 1)[1]


def _k_names(target):
    """The sample arguments (all but k)."""
    return [a for a in target.args if a != "k"]


def k_distinct(a):
    """The distinct rows of an (n, d) float64 array (-0.0 is 0.0)."""
    return int(np.unique(a + 0.0, axis=0).shape[0])


def k_variable(rng, kind, n, d, dc, s):
    """(n, d) float64 samples of a kind, exact in the dtype class dc (integer
    grids for ints and bools), depending on the latent s (n,) at random."""
    r = float(rng.choice([0.0, 0.6, 0.95]))
    if dc in ("int", "u1", "bool"):
        kind = "ties"
    if kind == "normal":
        scale = 10.0 ** rng.uniform(-3.0, 3.0)
        loc = rng.uniform(-5.0, 5.0) * 10.0 ** rng.uniform(-3.0, 4.0)
        cols = 10.0 ** rng.uniform(-1.5, 1.5, d) if rng.random() < 0.3 else 1.0
        x = loc + scale * cols * (r * s[:, None] + rng.standard_normal((n, d)))
    elif kind == "ties":
        width = int(rng.choice([1, 2, 4]))
        step = 1.0 if dc in ("int", "u1", "bool") else float(rng.choice([1.0, 0.25, 0.1, 3.0]))
        g = np.round(r * width * s[:, None] + rng.normal(0.0, width / 2, (n, d)))
        x = np.clip(g, -width, width) * step
        if dc == "u1":
            x = x + width
        elif dc == "bool":
            x = (x > 0).astype(np.float64)
    elif kind == "dup":
        n0 = int(rng.integers(2, max(2, n // 2) + 1))
        rows = rng.normal(rng.uniform(-3.0, 3.0), 10.0 ** rng.uniform(-2.0, 2.0), (n0, d))
        x = rows[rng.integers(0, n0, n)]
    else:  # cluster: a few ulp apart at an offset
        ft = np.float32 if dc == "f32" else np.float64
        offsets = [1.0, -1e4, 3e5, 1e8] + ([] if dc == "f32" else [1e16, -7e15])
        off = ft(offsets[int(rng.integers(len(offsets)))])
        x = (off + rng.integers(-20, 21, (n, d)).astype(ft) * np.spacing(off)).astype(np.float64)
    if dc == "f32":
        x = x.astype(np.float32).astype(np.float64)
    return x


def k_sets(rng, names, n, m, dims, dtypes, kinds, relation, B):
    """Per sample argument, its B sets (B, n, d) in float64, exact in its dtype
    (kl_divergence's y: m samples)."""
    out = {a: [] for a in names}
    for _ in range(B):
        s = rng.standard_normal(max(n, m))
        cur = {}
        for a in names:
            na = m if a == "y" and m else n
            cur[a] = k_variable(rng, kinds[a], na, dims[a], dclass_of(dtypes[a]), s[:na])
        first = cur[names[0]]
        if relation == "copy":
            for a in names[1:]:
                v = cur[a]
                if m:  # kl_divergence: y holds copies of rows of x
                    t = int(rng.integers(1, min(n, m) + 1))
                    v[rng.choice(m, t, replace=False)] = first[rng.choice(n, t, replace=False)]
                else:
                    c = min(dims[a], dims[names[0]])
                    v[:, :c] = first[:, :c]
                cur[a] = cast(v, dtypes[a]).astype(np.float64)
        elif relation == "rowdup":  # the same rows repeated in every variable
            n0 = int(rng.integers(2, max(2, n // 2) + 1))
            rows = rng.integers(0, n0, n)
            cur = {a: v[rows] for a, v in cur.items()}
        for a in names:
            out[a].append(cur[a])
    return {a: np.stack(v) for a, v in out.items()}


def k_label_codes(rng, x, n):
    """Class codes (n,) int64 depending on x (n, d): 1..6 classes of random
    sizes, often with singletons."""
    ncls = int(rng.integers(1, min(6, n) + 1))
    cuts = np.sort(rng.choice(np.arange(1, n), ncls - 1, replace=False))
    sizes = [int(v) for v in np.diff(np.concatenate([[0], cuts, [n]]))]
    if rng.random() < 0.3 and max(sizes) > 3:  # singletons
        big = int(np.argmax(sizes))
        extra = int(rng.integers(1, min(3, sizes[big] - 2) + 1))
        sizes[big] -= extra
        sizes += [1] * extra
    return knn_reference.labels_for(rng, x, len(sizes), sizes)


def k_ross_kmax(a, codes):
    """The largest k Ross allows on x (n, d) with these class codes (0: none):
    a class of N_c >= 2 samples needs min(k, N_c - 1) + 1 distinct points."""
    kmax = a.shape[0] - 1
    counts = np.bincount(codes)
    if np.all(counts < 2):
        return 0
    for c in np.flatnonzero(counts >= 2):
        dc = k_distinct(a[codes == c])
        if dc < counts[c]:
            kmax = min(kmax, dc - 1)
    return kmax


def _k_spaces(fn, sets, b, ydisc):
    """The spaces searched in set b (or column b of X for
    mutual_information_features), joined: (n, d) arrays, each needing k + 1
    distinct points (Ross: x, per class)."""
    if fn == "entropy":
        return [sets["x"][b]]
    if fn == "kl_divergence":
        return [sets["x"][b], sets["y"][b]]
    if fn == "mutual_information_features":
        cols = [sets["X"][0][:, j : j + 1] for j in range(sets["X"].shape[2])]
        return cols if ydisc else [np.c_[c, sets["y"][0]] for c in cols]
    if ydisc:
        return [sets["x"][b]]
    return [np.concatenate([sets[a][b] for a in sets], axis=1)]


@st.composite
def knn_valid(draw, target):
    fn = _k_fn(target)
    kws = target.keywords
    names = _k_names(target)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = draw(K_N)
    m = draw(K_N) if fn == "kl_divergence" else 0
    ydisc = "y_discrete" in kws and draw(st.integers(0, 2)) == 0
    batch = fn != "mutual_information_features" and draw(st.integers(0, 4)) == 0
    B = draw(st.integers(1, 3)) if batch else 1
    cont = [a for a in names if not (a == "y" and ydisc)]
    dims = {a: draw(st.integers(1, 4)) for a in cont}
    if fn == "kl_divergence":
        dims["y"] = dims["x"]
    dtypes = {a: draw(st.sampled_from(K_DTYPES)) for a in cont}
    kinds = {a: draw(st.sampled_from(K_KINDS)) for a in cont}
    relation = draw(st.sampled_from(K_RELATIONS[:2] if m else K_RELATIONS))
    sets = k_sets(rng, cont, n, m, dims, dtypes, kinds, relation, B)
    note = [f"n={n}"] + ([f"m={m}"] if m else []) + ([f"B={B}"] if batch else [])
    note += [f"{a}:{dims[a]}d,{dtypes[a]},{kinds[a]}" for a in cont]
    note += [f"relation={relation}"] if len(cont) > 1 else []
    if fn == "mutual_information_features" and draw(st.integers(0, 3)) == 0:
        j = int(rng.integers(dims["X"]))
        sets["X"][:, :, j] = sets["X"][0, 0, j]  # a constant column
        note.append(f"X[:, {j}] constant")
    # the labels, and the largest k the data allows
    kmax = (min(n, m) if m else n) - 1
    codes = None
    fewest = n  # the fewest distinct points of a space searched
    if ydisc:
        ldt = draw(st.sampled_from(K_LABEL_DTYPES))
        x0 = sets[names[0]]
        codes = np.stack([k_label_codes(rng, x0[b], n) for b in range(B)])
        if ldt == "|b1":
            codes = codes % 2
        ncls = int(codes.max()) + 1
        lab = d_values(rng, ncls, ldt, "small", n)[codes]
        note.append(f"y:labels {ldt}, sizes {np.bincount(codes[0]).tolist()}")
    for b in range(B):
        for sp in _k_spaces(fn, sets, b, ydisc):
            kmax = min(kmax, k_ross_kmax(sp, codes[b]) if ydisc else k_distinct(sp) - 1)
            fewest = min(fewest, k_distinct(sp))
    kcap = min(5, kmax)
    if kcap < 1:
        k = 1
        note.append("too few distinct points")
    else:
        k = draw(st.one_of(st.integers(1, kcap), st.just(kcap)))
    note.append(f"k={k} (kmax {kmax})")
    # the arguments
    args = []
    for a in names:
        if a == "y" and ydisc:
            lay = draw(st.sampled_from(K_LABEL_LAYOUTS))
            args.append(arr(np.ascontiguousarray(lab if batch else lab[0]), lay))
            note.append(f"y:{lay}")
            continue
        x = sets[a] if batch else sets[a][0]
        if x.ndim == 2 and x.shape[1] == 1 and a != "X" and draw(st.booleans()):
            x = x[:, 0]  # (n,)
        x = np.ascontiguousarray(cast(x, dtypes[a]))
        lay = _layout(draw, dtypes[a], 1, K_LAYOUTS + (("bcast",) if B > 1 else ()))
        args.append(arr(x, lay))
        note.append(f"{a}:{x.shape},{lay}")
    default = 1 if fn == "kl_divergence" else 3
    if k != default or draw(st.integers(0, 2)):
        args.append(val(np.int64(k) if draw(st.integers(0, 4)) == 0 else k))
    kwargs = {}
    if "base" in kws:
        b = draw(st.sampled_from(K_BASES))
        if b is not None:
            kwargs["base"] = val(b)
    if "metric" in kws and draw(st.integers(0, 3)):
        kwargs["metric"] = val(draw(st.sampled_from(("euclidean", "chebyshev"))))
    if "algorithm" in kws and draw(st.integers(0, 3)):
        kwargs["algorithm"] = val(draw(st.sampled_from((1, 2, 2, np.int64(2)))))
    if ydisc:
        kwargs["y_discrete"] = val(True if draw(st.integers(0, 4)) else np.True_)
    elif "y_discrete" in kws and draw(st.integers(0, 4)) == 0:
        kwargs["y_discrete"] = val(False)
    if "standardize" in kws and draw(st.integers(0, 2)):
        kwargs["standardize"] = val(draw(st.sampled_from((True, True, False))))
    t = draw(st.sampled_from(K_THREADS))
    if t is not None:
        kwargs["n_threads"] = val(t)
    note += [f"{key}={v[1]!r}" for key, v in kwargs.items()]
    spec = {"fn": target.name, "args": args, "kwargs": kwargs}
    if draw(st.integers(0, 2)) == 0:
        tile = not batch and kcap >= 1 and fewest >= K_TILE_MIN
        if tile and ydisc:
            # a singleton tiled is a class of copies: only where every class
            # has k + 1 distinct points
            tile = all(
                k_distinct(sp[codes[0] == c]) >= k + 1
                for sp in _k_spaces(fn, sets, 0, True)
                for c in range(int(codes[0].max()) + 1)
            )
        spec["threads"] = {"labels": list(range(len(names))), "tile": K_TILE if tile else 0}
    return Case(target.name, spec, None, ", ".join(note + [f"seed={seed}"]))


def k_plain(rng, target, ydisc, batch, n):
    """Plain valid samples for a bad case to spoil: {name: float64 normal
    samples (B, n, d) or (n, d), or labels of 3 classes}, and a k they allow."""
    fn = _k_fn(target)
    lead = (int(rng.integers(1, 4)),) if batch else ()
    data = {}
    for a in _k_names(target):
        if a == "y" and ydisc:
            data[a] = rng.integers(0, 3, lead + (n,))
        elif a == "X":
            data[a] = rng.standard_normal((n, int(rng.integers(1, 4))))
        elif a == "y" and fn == "kl_divergence":
            data[a] = rng.standard_normal(lead + (int(rng.integers(8, 41)), data["x"].shape[-1]))
        else:
            data[a] = rng.standard_normal(lead + (n, int(rng.integers(1, 3))))
    return data, 1 if fn == "kl_divergence" else 3


def _k_len(argspec):
    """The number of samples of a sample argument."""
    s = np.shape(build_arg(argspec))
    return s[1] if len(s) == 3 else s[0]


@st.composite
def knn_bad(draw, target):
    fn = _k_fn(target)
    kws = target.keywords
    names = _k_names(target)
    case = draw(knn_valid(target))
    kwargs = dict(case.spec["kwargs"])
    ydisc = "y_discrete" in kwargs and bool(kwargs["y_discrete"][1])
    batch = np.ndim(build_arg(case.spec["args"][0])) == 3
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(8, 40))
    kinds = ["none", "type", "nonfinite", "k-value", "k-type", "distinct", "ndim", "empty"]
    kinds += ["base", "n_threads", "keyword"]
    kinds += ["length"] if len(names) > 1 and fn != "kl_divergence" else []
    kinds += ["batch"] if len(names) > 1 and fn != "mutual_information_features" else []
    kinds += ["dim"] if fn == "kl_divergence" else []
    kinds += [kw for kw in ("metric", "algorithm") if kw in kws]
    kinds += ["flag"] if "standardize" in kws else []
    kinds += ["labels"] if ydisc else []
    kind = draw(st.sampled_from(kinds))
    cont = [a for a in names if not (a == "y" and ydisc)]
    which = draw(st.sampled_from(names))

    def out(spec, types, errnames, note, **kw):
        spec.pop("threads", None)
        return Case(target.name, spec, Expect("error", types, errnames, **kw), note)

    def plain(data, k, **kw):
        args = [arr(np.asarray(data[a])) for a in names] + [val(k)]
        return {"fn": target.name, "args": args, "kwargs": dict(kwargs, **kw)}

    def swap(name, argspec):
        return _with_arg(case, target, name, argspec)

    if kind == "none":
        return out(swap(which, val(None)), T, (which,), f"{which}=None")
    if kind == "type":
        sp = TYPE_SPECIALS + SHAPE_SPECIALS
        if which == "y" and ydisc:  # (labels of any dtype are valid: not 0-d or ragged ones)
            sp = ("object", "opaque", "dict", "set", "bytes") + SHAPE_SPECIALS
        s = draw(st.sampled_from(sp))
        return out(swap(which, ("special", s)), VT, (which,), f"{which}={s}")
    if kind == "nonfinite":
        data, k = k_plain(rng, target, ydisc, batch, n)
        which = draw(st.sampled_from(cont))
        x = data[which].copy()
        x.reshape(-1)[int(rng.integers(x.size))] = draw(
            st.sampled_from((math.nan, math.inf, -math.inf))
        )
        x = x.astype(draw(st.sampled_from(K_FLOATS)))
        s = plain(data, k)
        lay = draw(st.sampled_from(("C", "F", "strided", "reversed", "unaligned")))
        s["args"][names.index(which)] = arr(x, lay)
        return out(s, V, (which,), f"non-finite {which} ({x.dtype.str}, {lay})")
    if kind in ("k-value", "k-type"):
        s = dict(case.spec, args=list(case.spec["args"][: len(names)]))
        nmin = min(_k_len(a) for a, nm in zip(s["args"], names) if not (nm == "y" and ydisc))
        if kind == "k-value":
            bad = draw(st.sampled_from((0, -1, -(2**63), np.int64(0), nmin, nmin + 3, 2**64)))
            types = V
        else:
            bad = draw(st.sampled_from(K_BAD_K_TYPE))
            types = T
        s["args"].append(val(bad))
        return out(s, types, ("k",), f"k={_value_code(bad)} (n >= {nmin})")
    if kind == "distinct":
        return _k_bad_distinct(draw, rng, target, ydisc, batch, n, plain, out)
    if kind == "ndim":
        if which == "y" and ydisc:
            bads = [np.array(1), np.zeros((1, n, 1), dtype=np.int64)]
            bads.append(np.zeros(n) if batch else np.zeros((n, 2)))
        elif fn == "mutual_information_features":
            bads = [np.array(1.5), np.zeros((1, n, 1)), np.zeros((2, 3, 4, 1))]
            bads += [np.zeros(n)] if which == "X" else []
        else:
            bads = [np.array(1.5), np.zeros((2, 3, 4, 1)), np.zeros((1, 1, 1, 1, 1))]
        x = bads[draw(st.integers(0, len(bads) - 1))]
        # ("view": ascontiguousarray would make a 0-d array 1-d)
        return out(swap(which, arr(x, "view")), V, (which,), f"{which} of shape {x.shape}")
    if kind == "empty":
        shapes = [(0,), (0, 2), (n, 0), (0, n, 2), (2, 0, 1)]
        if which == "y" and ydisc:
            shapes = [(0,)]
        elif fn == "mutual_information_features" and which == "X":
            shapes = [(0, 2), (n, 0), (0, 0)]
        shp = draw(st.sampled_from(shapes))
        return out(swap(which, arr(np.zeros(shp))), V, (which,), f"{which} of shape {shp}")
    if kind == "base":
        bad = draw(st.sampled_from(BAD_BASES_VALUE + BAD_BASES_TYPE))
        types = V if bad in BAD_BASES_VALUE and not isinstance(bad, bool) else T
        return out(swap("base", val(bad)), types, ("base",), f"base={_value_code(bad)}")
    if kind == "n_threads":
        bad = draw(st.sampled_from(BAD_N_THREADS))
        return out(swap("n_threads", val(bad)), V, ("n_threads",), f"n_threads={bad!r:.30}")
    if kind == "keyword":
        kw = draw(st.sampled_from(K_FOREIGN[fn]))
        return out(swap(kw, val(True)), T, (kw,), f"unexpected keyword {kw}")
    if kind == "length":
        data, k = k_plain(rng, target, ydisc, batch, n)
        which = draw(st.sampled_from(names[1:]))
        n2 = n + draw(st.sampled_from((-3, -1, 1, 2)))
        y = data[which]
        ax = y.ndim - 1 if which == "y" and ydisc else y.ndim - 2
        y = np.take(y, np.arange(n2) % n, axis=ax)
        data[which] = y
        return out(plain(data, k), V, (which,), f"{which} of {n2} samples, not {n}")
    if kind == "batch":
        data, k = k_plain(rng, target, ydisc, draw(st.booleans()), n)
        x = data[which]
        lab = which == "y" and ydisc
        if x.ndim == (2 if lab else 3):  # a batch: one more set
            data[which] = np.concatenate([x, x[:1]])
            note = f"{which} of {x.shape[0] + 1} sets, the others {x.shape[0]}"
        else:
            data[which] = x[None]
            note = f"{which} a batch, the others not"
        return out(plain(data, k), V, tuple(names), note)
    if kind == "dim":
        data, k = k_plain(rng, target, ydisc, batch, n)
        y = data["y"]
        data["y"] = np.concatenate([y, y[..., :1] * 0.5], axis=-1)
        return out(plain(data, k), V, ("x", "y"), "y of another dimension")
    if kind == "metric":
        bad = draw(st.sampled_from(K_BAD_METRICS_VALUE + K_BAD_METRICS_TYPE + ("fn",)))
        spec = val(bad) if bad != "fn" else ("fn", "entropy")
        types = V if isinstance(bad, str) and bad != "fn" else T
        return out(swap("metric", spec), types, ("metric",), f"metric={bad!r}")
    if kind == "algorithm":
        bad = draw(st.sampled_from(K_BAD_ALGORITHMS_VALUE + K_BAD_ALGORITHMS_TYPE))
        types = V if any(bad is b for b in K_BAD_ALGORITHMS_VALUE) else T
        return out(swap("algorithm", val(bad)), types, ("algorithm",), f"algorithm={bad!r}")
    if kind == "flag":
        flag = draw(st.sampled_from([f for f in ("standardize", "y_discrete") if f in kws]))
        bad = draw(st.sampled_from(BAD_FLAGS))
        return out(swap(flag, val(bad)), T, (flag,), f"{flag}={_value_code(bad)}")
    # labels: NaN, unsortable, or the other number of dimensions
    data, k = k_plain(rng, target, ydisc, batch, n)
    sub = draw(st.sampled_from(("nan", "unsortable", "ndim")))
    y = data["y"]
    if sub == "nan":
        y = y.astype(draw(st.sampled_from(("<f8", ">f4", "<c16"))))
        y.reshape(-1)[int(rng.integers(y.size))] = math.nan
        types = V
    elif sub == "unsortable":
        how = draw(st.sampled_from(D_UNSORTABLE))
        y = np.stack([_d_unsortable(n, how, 0)] * (y.shape[0] if y.ndim == 2 else 1))
        y = y if batch else y[0]
        sub += f" ({how})"
        types = T
    else:
        y = y[0] if batch else np.stack([y, y], axis=1)
        types = V
    s = plain(data, k)
    s["args"][names.index("y")] = arr(y)
    return out(s, types, ("y",), f"labels: {sub}")


def _k_bad_distinct(draw, rng, target, ydisc, batch, n, plain, out):
    """Samples with too few distinct points in a searched space, in one set
    (or every column of X)."""
    fn = _k_fn(target)
    names = _k_names(target)
    data, _ = k_plain(rng, target, ydisc, batch, n)
    k = draw(st.integers(1, 5))
    D = draw(st.integers(1, k))  # distinct points: fewer than k + 1
    b = int(rng.integers(data[names[0]].shape[0])) if batch else None

    def few(a, rows):
        x = data[a] if b is None else data[a][b]
        x[...] = x[rows]  # (every row from the first D)
        return x

    rows = rng.integers(0, D, n)
    note = f"k={k}, {D} distinct points"
    if fn == "entropy":
        few("x", rows)
        return out(plain(data, k), V, ("x",), f"x: {note}")
    if fn == "kl_divergence":
        which = draw(st.sampled_from(("x", "y")))
        x = data[which] if b is None else data[which][b]
        few(which, rng.integers(0, D, x.shape[0]))
        return out(plain(data, k), V, (which,), f"{which}: {note}")
    first = names[0]
    if ydisc:
        lab = data["y"] if b is None else data["y"][b]
        if draw(st.booleans()):
            lab[...] = rng.permutation(n)
            return out(plain(data, k), V, ("y",), "every class a singleton")
        n0 = int(rng.integers(k + 1, n - 1))
        lab[...] = 1
        lab[:n0] = 0
        x = data[first] if b is None else data[first][b]
        x[:n0] = x[rng.integers(0, D, n0)]
        return out(plain(data, k), V, (first, "y"), f"class 0 of {n0}: {note}")
    for a in names:
        few(a, rows)
    return out(plain(data, k), V, (), f"joint: {note}", match=K_JOINT[fn])


def _k_refusal(target, kwargs):
    """What fastdiv must raise where the oracle refuses a case."""
    fn = _k_fn(target)
    ydisc = bool(kwargs.get("y_discrete", False))
    if fn in ("entropy", "kl_divergence") or ydisc:
        return Expect("error", V, ("x", "X", "y"))
    return Expect("error", V, (), match=K_JOINT[fn])


def evaluate_knn(target, case):
    COUNTS["cases"] += 1
    spec = case.spec
    out = run_spec(spec)
    res = out["result"]
    _common(case, out)
    if case.expect is not None and case.expect.kind == "error":
        check_error(case, res, case.expect, target)
        return
    args = [build_arg(a) for a in spec["args"]]
    kwargs = {k: build_arg(v) for k, v in spec["kwargs"].items()}
    try:
        want, scale, batch = target.oracle(*args, **kwargs)
    except KnnRefused:
        check_error(case, res, _k_refusal(target, kwargs), target)
        return
    if res[0] != "ok":
        fail("error", f"valid input raised {res[1][0]}: {res[2]}\n{case!r}")
    got = res[1]
    if batch:
        if not (
            isinstance(got, np.ndarray) and got.dtype == np.float64 and got.shape == want.shape
        ):
            fail(
                "contract", f"result {got!r:.200}, expected float64 of shape {want.shape}\n{case!r}"
            )
    elif type(got) is not np.float64:
        fail(
            "contract", f"result {got!r:.200} is {type(got).__name__}, not numpy.float64\n{case!r}"
        )
    g = np.asarray(got, dtype=np.float64).reshape(-1)
    tol = K_RTOL * scale
    err = np.abs(g - want)
    bad = np.flatnonzero(~(err <= tol))
    if bad.size:
        i = int(bad[0])
        fail(
            "accuracy",
            f"{target.name} differs from the oracle at {'set' if batch else 'the call'} {i}: "
            f"{g[i]!r} vs {want[i]!r} (|diff| {err[i]:.3g}, tolerance {tol[i]:.3g} = "
            f"{K_RTOL:g} x scale {scale[i]:.3g})\n{case!r}",
        )
    dt = "float32" if any(_is_f32_array(a) for a in args) else "float64"
    ratio = float(np.max(err / np.maximum(tol, 1e-300))) if g.size else 0.0
    _note_ratio(f"{target.name} {dt}", ratio, case.note[:160])
    COUNTS["oracle"] += g.size


@dataclasses.dataclass(frozen=True)
class Family:
    valid: Callable  # target -> strategy of valid Cases
    bad: Callable  # target -> strategy of bad-input Cases
    evaluate: Callable  # (target, case) -> None, raising on failure


FAMILIES = {
    "rows": Family(rows_valid, rows_bad, evaluate_rows),
    "elementwise": Family(elementwise_valid, elementwise_bad, evaluate_elementwise),
    "pairwise": Family(pairwise_valid, pairwise_bad, evaluate_pairwise),
    "discrete": Family(discrete_valid, discrete_bad, evaluate_discrete),
    "tables": Family(tables_valid, tables_bad, evaluate_tables),
    "hist": Family(hist_valid, hist_bad, evaluate_hist),
    "knn": Family(knn_valid, knn_bad, evaluate_knn),
}


def valid_cases(target):
    return FAMILIES[target.family].valid(target)


def bad_cases(target):
    return FAMILIES[target.family].bad(target)


def evaluate(target, case):
    FAMILIES[target.family].evaluate(target, case)


# --------------------------------------------------------------------------
# thread counts
# --------------------------------------------------------------------------


@st.composite
def thread_cases(draw):
    """set_num_threads / num_threads with n around and far beyond the limit,
    then a measure on a (64, 5000) batch (enough work for every thread)."""
    lim = thread_limit()
    n = draw(
        st.one_of(
            st.sampled_from(
                (
                    1,
                    2,
                    lim,
                    lim + 1,
                    100_000,
                    2**31 - 1,
                    2**31,
                    2**32 + 1,
                    2**63 - 1,
                    2**63,
                    2**64,
                    10**30,
                    0,
                    -1,
                    -(2**63),
                )
            ),
            st.integers(1, lim),
            st.integers(lim + 1, 2**70),
            st.sampled_from((2.0, "2", None, [2], np.float64(2.0))),
            st.sampled_from((np.int64(2), np.int32(lim), np.uint64(2**63))),
        )
    )
    mode = draw(st.sampled_from(("set", "ctx")))
    target = draw(st.sampled_from([t for t in REGISTRY if t.family == "rows"]))
    seed = draw(st.integers(0, 2**16))
    dtype = draw(st.sampled_from(("<f8", "<f4")))
    args, arrays = [], []
    for i, a in enumerate(target.args):
        if a in ARRAY_PARAMS:
            args.append(("rng", seed + i, (64, 5000), dtype))
            arrays.append(i)
        else:
            args.append(val(2.0))
    spec = {
        "fn": target.name,
        "args": args,
        "kwargs": {},
        "pre": (mode, n),
        "threads": {"arrays": arrays, "axis": -1, "long": False},
    }
    try:
        ok = 1 <= int(n) <= lim and not isinstance(n, (float, np.floating, str))
    except (TypeError, ValueError):
        ok = False
    if isinstance(n, (float, np.floating, str, list)) or n is None:
        expect = Expect("error", T, ("n",))
    elif ok:
        expect = Expect("valid")
    else:
        expect = Expect("error", V, ("n",))
    return Case(target.name, spec, expect, f"{mode} n={_value_code(n)}, limit {lim}")


def evaluate_threads(case):
    COUNTS["cases"] += 1
    out = run_spec(case.spec)
    if out["result"][0] != "ok":
        fail("threads", f"the measure failed after the thread setting: {out['result']!r}\n{case!r}")
    if case.expect.kind == "valid":
        if out["pre"][0] != "ok":
            fail("threads", f"a valid thread count was refused: {out['pre']!r}\n{case!r}")
    else:
        check_error(case, out["pre"], case.expect, None)
    _common(case, out)


# --------------------------------------------------------------------------
# invariants: Renyi monotone in alpha, exact logit shifts
# --------------------------------------------------------------------------

ALPHA_GRID = (0.0, 0.25, 0.5, 1 - 1e-9, 1.0, 1 + 1e-9, 2.0, 7.5, 1e3, 1e5, 1e10, math.inf)


@st.composite
def monotone_cases(draw, target):
    """A valid float64 Renyi case with normalize=True (alpha replaced later)."""
    case = draw(rows_valid(target))
    spec = dict(case.spec, args=list(case.spec["args"]), kwargs=dict(case.spec["kwargs"]))
    spec.pop("threads", None)
    spec["kwargs"].pop("normalize", None)
    for i, a in enumerate(spec["args"]):
        if a[0] == "arr":
            _, data, layout, ax = a
            x = np.asarray(data, dtype=np.float64)
            spec["args"][i] = arr(x, layout if layout != "list" else "C", ax)
    return Case(target.name, spec, None, case.note + ", float64, normalize=True")


def check_monotone(target, case):
    """Results over ALPHA_GRID: entropy non-increasing, divergence
    non-decreasing, within ``fdtest.tolerance.monotone_slack``."""
    ia = target.args.index("alpha")
    results = []
    for a in ALPHA_GRID:
        spec = dict(case.spec, args=list(case.spec["args"]))
        spec["args"][ia] = val(a)
        COUNTS["cases"] += 1
        out = run_spec(spec)
        if out["result"][0] != "ok":
            fail("error", f"alpha={a!r}: {out['result']!r}\n{case!r}")
        results.append(np.asarray(out["result"][1], dtype=np.float64).reshape(-1))
    sign = -1.0 if target.name == "renyi_entropy" else 1.0
    base = _kw(case.spec, "base", None)
    if base is not None and base < 1:
        sign = -sign
    for (a0, r0), (a1, r1) in zip(zip(ALPHA_GRID, results), zip(ALPHA_GRID[1:], results[1:])):
        for i in range(r0.size):
            x, y = r0[i], r1[i]
            COUNTS["invariants"] += 1
            if math.isnan(x) or math.isnan(y):
                fail("contract", f"NaN at alpha {a0!r}/{a1!r}, row {i}\n{case!r}")
            if x == y:
                continue
            if math.isinf(x) or math.isinf(y):
                ok = (y - x) * sign > 0
            else:
                ok = sign * (y - x) >= -monotone_slack(x, y)
            if not ok:
                fail(
                    "accuracy",
                    f"{target.name} not {'non-decreasing' if sign > 0 else 'non-increasing'}"
                    f" in alpha: row {i}: alpha={a0!r} gives {x!r}, alpha={a1!r} gives "
                    f"{y!r}\n{case!r}",
                )


@st.composite
def shift_cases(draw, target):
    """Logits shifted by an exactly representable constant c = +-2**e: z + c is
    exact, so every result must meet the bound against the oracle of z."""
    dtype = draw(st.sampled_from(("<f8", ">f8", "<f4")))
    f32 = dtype.endswith("f4")
    K = draw(st.one_of(st.integers(1, 8), st.sampled_from((16, 255, 256, 257, 4097))))
    rows = draw(st.integers(1, 3)) if K < 1000 else 1
    e = draw(
        st.sampled_from(
            (10, 30, 52, 53, 60, 100, 126) if f32 else (10, 30, 52, 60, 100, 300, 1000, 1023)
        )
    )
    mant = 23 if f32 else 52
    u = 2.0 ** (e - mant)  # ulp of 2**e
    spread = min(2.0 ** (mant - 2), max(1.0, draw(st.sampled_from((1.0, 8.0, 64.0))) / u))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    args, note = [], [f"K={K}", f"rows={rows}", dtype, f"seed={seed}"]
    for a in target.args:
        if a not in ARRAY_PARAMS:
            args.append(val(2.0))
            continue
        c = (-1.0 if draw(st.booleans()) else 1.0) * 2.0**e
        z = np.round(rng.uniform(-spread, spread, (rows, K))) * u
        zc = z + c
        assert np.all(zc - c == z) and np.all(np.isfinite(zc))
        x = zc.astype(dtype)
        assert np.all(x.astype(np.float64) == zc)
        args.append(arr(x, draw(st.sampled_from(("C", "reversed", "strided"))), -1))
        note.append(f"{a}: z + {'-' if c < 0 else ''}2**{e}")
    spec = {"fn": target.name, "args": args, "kwargs": {"logits": val(True)}}
    return Case(target.name, spec, None, ", ".join(note))
