"""The child side of the fuzz harness (see ``fuzz.py``): builds a call from a
picklable *spec*, runs it, and reports what happened.  Imports only NumPy
and fastdiv, so a child starts fast.

A spec is a dict::

    {"fn": "kl_divergence",        # attribute path in fastdiv; "!segv", "!abort", "!hang"
                                   # are harness self-tests
     "args": [argspec, ...],       # positional arguments
     "kwargs": {name: argspec},    # keyword arguments
     "pre": None | ("set", n) | ("ctx", n),   # thread setting applied around the call
     "isa": None | "avx2" | ...,   # kernel ISA for this call (fastdiv._divergence.set_isa)
     "threads": None | {"arrays": [i, ...], "axis": ax, "long": bool}}
                                   # also run with 1 and 2 threads, on the inputs tiled
                                   # into a large batch, and on the first row tiled along
                                   # the support ("long"): all must agree bit for bit

An argspec is ``("arr", data, layout, axis)`` (``data``: an ndarray whose last
axis is the support, already in its final dtype; ``layout``: one of LAYOUTS;
``axis``: where the support goes), ``("val", obj)`` (passed as is),
``("special", name)`` (an object built here: see SPECIALS),
``("rng", seed, shape, dtype)`` (uniform positive data made here, for big
inputs that need no oracle), ``("fn", name)`` (the public function
``fastdiv.<name>``, e.g. a ``metric``) or ``("out", shape, dtype, layout)``
(an output array filled with NaN: layout "C", "F", "strided", "readonly" or
"list").

``"threads": {"matrix": True, ...}`` (pairwise, nearest): 1 and 2 threads,
then sub-blocks of the rows (``P[a:b]`` against ``Q[c:d]``; nearest: rows of
``P`` searched alone) must give that block of the result bit for bit.

``"threads": {"labels": [i, ...], "tile": t}`` (fastdiv.discrete): the call
with ``n_threads=1`` and ``n_threads=2`` must give its bits; then the label
arguments ``i`` tiled along the samples to at least ``t`` of them (0: not
tiled) must give the same bits with 1 and 2 threads.

``"!discrete_loop"`` is the matrix of one-pair calls of a discrete measure
between the columns of ``X`` and ``Y`` (see ``discrete_loop``).

The protocol: 8-byte little-endian length + pickle, one spec in, one outcome
out, in order; ``None`` ends the child.  The child writes its answers to a
duplicate of fd 1 and points fd 1 at stderr, so that a stray print from C
cannot corrupt the stream.
"""

import copy
import os
import pickle
import struct
import sys

import numpy as np

LAYOUTS = ("C", "F", "view", "strided", "reversed", "unaligned", "readonly", "bcast", "list")


def _deep(depth):
    x = [0.5, 0.5]
    for _ in range(depth - 1):
        x = [x]
    return x


class _Opaque:
    """An object NumPy cannot turn into numbers."""

    def __repr__(self):
        return "_Opaque()"


SPECIALS = {
    "object": lambda: object(),
    "opaque": _Opaque,
    "dict": lambda: {"a": 0.5},
    "set": lambda: {0.5, 0.25},
    "ragged": lambda: [[0.5, 0.5], [1.0]],
    "ragged3": lambda: [[[0.5], [0.5, 0.5]], [[1.0]]],
    "deep65": lambda: _deep(65),
    "str_list": lambda: ["a", "b"],
    "bytes": lambda: b"\x00\x01",
    "complex_list": lambda: [0.5 + 0j, 0.5],
    "object_array": lambda: np.array([0.5, 0.5], dtype=object),
    "datetime_array": lambda: np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]"),
    "complex_array": lambda: np.array([[0.5, 0.5], [0.25, 0.75]], dtype=np.complex128),
    "str_array": lambda: np.array([["0.5", "0.5"]]),
    "mixed_list": lambda: [0.5, "0.5"],
    "none_list": lambda: [0.5, None],
}


def _moved(data, axis):
    return np.moveaxis(data, -1, axis) if data.ndim else data


def build_arg(spec):
    """The argument an argspec describes (see the module doc)."""
    kind = spec[0]
    if kind == "val":
        return spec[1]
    if kind == "special":
        return SPECIALS[spec[1]]()
    if kind == "rng":
        _, seed, shape, dtype = spec
        return (np.random.default_rng(seed).random(shape) + 0.01).astype(dtype)
    if kind == "fn":
        import fastdiv

        return getattr(fastdiv, spec[1])
    if kind == "out":
        return _out(*spec[1:])
    if kind != "arr":
        raise ValueError(f"bad argspec {spec!r}")
    _, data, layout, axis = spec
    m = _moved(data, axis)
    if layout == "C":
        return np.ascontiguousarray(m)
    if layout == "F":
        return np.asfortranarray(m)
    if layout == "view":
        return m
    if layout == "list":
        return m.tolist()
    if layout == "readonly":
        x = np.array(m, order="C")
        x.flags.writeable = False
        return x
    if layout == "strided":
        buf = np.zeros(tuple(2 * n + 1 for n in m.shape), dtype=m.dtype)
        sl = tuple(slice(1, None, 2) for _ in m.shape)
        buf[sl] = m
        return buf[sl]
    if layout == "reversed":
        rev = tuple(slice(None, None, -1) for _ in m.shape)
        return np.ascontiguousarray(m[rev])[rev]
    if layout == "unaligned":
        raw = bytearray(m.size * m.dtype.itemsize + 1)
        x = np.frombuffer(raw, dtype=m.dtype, count=m.size, offset=1).reshape(m.shape)
        x[...] = m
        return x
    if layout == "bcast":
        # the first batch dimension is a broadcast view of data[:1]
        if data.ndim < 2 or data.shape[0] == 0:
            return np.ascontiguousarray(m)
        small = np.ascontiguousarray(_moved(data[:1], axis))
        return np.broadcast_to(small, m.shape)
    raise ValueError(f"bad layout {layout!r}")


def _out(shape, dtype, layout):
    """An output array filled with NaN (see the module doc)."""
    x = np.full(shape, np.nan, dtype=dtype)
    if layout == "C":
        return x
    if layout == "F":
        return np.asfortranarray(x)
    if layout == "strided":
        return np.full(shape[:-1] + (2 * shape[-1],), np.nan, dtype=dtype)[..., ::2]
    if layout == "readonly":
        x.flags.writeable = False
        return x
    if layout == "list":
        return x.tolist()
    raise ValueError(f"bad out layout {layout!r}")


def build_call(spec):
    args = [build_arg(a) for a in spec.get("args", ())]
    kwargs = {k: build_arg(v) for k, v in spec.get("kwargs", {}).items()}
    return args, kwargs


def resolve(name):
    import fastdiv

    if name == "!segv":
        import ctypes

        return lambda *a, **k: ctypes.string_at(0)
    if name == "!abort":
        return lambda *a, **k: os.abort()
    if name == "!hang":
        import time

        return lambda *a, **k: time.sleep(3600)
    if name == "!discrete_loop":
        return discrete_loop
    f = fastdiv
    for part in name.split("."):
        if not hasattr(f, part):
            __import__(f"{f.__name__}.{part}")
        f = getattr(f, part)
    return f


def discrete_loop(X, Y=None, *, measure="mutual_information", **kw):
    """``[i, j] = fastdiv.discrete.<measure>(X[:, i], Y[:, j], **kw)`` (Y=None:
    X), one public call per pair: what ``discrete.pairwise`` must equal."""
    from fastdiv import discrete

    f = getattr(discrete, measure)
    X = np.asarray(X)
    Y = X if Y is None else np.asarray(Y)
    out = np.empty((X.shape[1], Y.shape[1]))
    for i in range(X.shape[1]):
        for j in range(Y.shape[1]):
            out[i, j] = f(X[:, i], Y[:, j], **kw)
    return out


def _root(x):
    while isinstance(getattr(x, "base", None), np.ndarray):
        x = x.base
    return x


def _snapshot(x):
    if isinstance(x, np.ndarray):
        r = _root(x)
        return ("nd", r, r.tobytes())
    if isinstance(x, list):
        return ("list", x, repr(copy.deepcopy(x)))
    return None


def _changed(snap):
    if snap is None:
        return False
    kind, obj, before = snap
    return (obj.tobytes() if kind == "nd" else repr(obj)) != before


def _exc(e):
    return ("raise", [c.__name__ for c in type(e).__mro__], str(e))


def _bits(x):
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64)).view(np.int64)


def _same(a, b):
    if isinstance(a, tuple) or isinstance(b, tuple):  # nearest: (indices, values)
        return (
            isinstance(a, tuple)
            and isinstance(b, tuple)
            and len(a) == len(b)
            and all(_same(x, y) for x, y in zip(a, b))
        )
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(_bits(a), _bits(b))


def _call(f, args, kwargs, n=None):
    import fastdiv

    try:
        if n is None:
            return ("ok", f(*args, **kwargs))
        with fastdiv.num_threads(n):
            return ("ok", f(*args, **kwargs))
    except Exception as e:  # noqa: BLE001 - reported to the parent
        return _exc(e)


def _thread_checks(f, args, kwargs, t, base):
    """1 vs 2 threads on the call, on a tiled batch and on one long row."""
    if t.get("labels") is not None:
        return _label_thread_checks(f, args, kwargs, t, base)
    problems, runs = [], 0
    r1, r2 = _call(f, args, kwargs, 1), _call(f, args, kwargs, 2)
    runs += 2
    for tag, r in (("1 thread", r1), ("2 threads", r2)):
        if r[0] != "ok" or not _same(r[1], base):
            problems.append(f"{tag} differs from the default: {r!r} vs {base!r}")
    if t.get("matrix"):
        more, n = _block_checks(f, args, kwargs, base)
        return problems + more, runs + n
    ax = t["axis"]
    arrays = t["arrays"]
    if ax is None:  # no support axis (elementwise): the thread counts only
        return problems, runs
    try:
        logical = [np.moveaxis(np.asarray(args[i]), ax, -1) for i in arrays]
        logical = np.broadcast_arrays(*logical)
    except Exception as e:  # noqa: BLE001
        return problems + [f"could not tile: {e!r}"], runs
    K = logical[0].shape[-1]
    R = logical[0].size // max(K, 1)
    kw = dict(kwargs, axis=-1, keepdims=False)
    if R and K:
        reps = max(2, -(-40_000 // (R * K)))
        tiled = list(args)
        for i, a in zip(arrays, logical):
            tiled[i] = np.ascontiguousarray(np.tile(a.reshape(1, R, K), (reps, 1, 1)))
        flat = np.asarray(base, dtype=np.float64).reshape(-1)
        for n in (1, 2):
            r = _call(f, tiled, kw, n)
            runs += 1
            if r[0] != "ok":
                problems.append(f"tiled batch ({reps} x {R} rows), {n} threads: {r!r}")
                continue
            got = np.asarray(r[1]).reshape(reps, R)
            bad = [j for j in range(reps) if not _same(got[j], flat)]
            if bad:
                k = int(np.flatnonzero(_bits(got[bad[0]]) != _bits(flat))[0])
                problems.append(
                    f"tiled batch ({reps} x {R} rows), {n} threads: copy {bad[0]} row {k} "
                    f"gives {got[bad[0]][k]!r}, the call gave {flat[k]!r}"
                )
    if t.get("long") and R and K:
        reps = max(2, -(-40_000 // K))
        longa = list(args)
        for i, a in zip(arrays, logical):
            longa[i] = np.ascontiguousarray(np.tile(a.reshape(R, K)[0], reps))
        rr = [_call(f, longa, kw, n) for n in (1, 2)]
        runs += 2
        if rr[0][0] != rr[1][0] or (rr[0][0] == "ok" and not _same(rr[0][1], rr[1][1])):
            problems.append(
                f"one row of {reps * K} entries: 1 thread {rr[0]!r}, 2 threads {rr[1]!r}"
            )
    return problems, runs


def _label_thread_checks(f, args, kwargs, t, base):
    """fastdiv.discrete: n_threads=1 and 2 give the call's bits; the labels
    tiled past the kernels' counting chunks (one pass of a fixed chunk per
    thread), with 1 and 2 threads, give the same bits as each other (the
    plug-in values of a tiled sample are the same numbers, but not
    necessarily the same bits, as the call's)."""
    problems, runs = [], 0
    for n in (1, 2):
        r = _call(f, args, dict(kwargs, n_threads=n))
        runs += 1
        if r[0] != "ok" or not _same(r[1], base):
            problems.append(f"n_threads={n} differs from the call: {r!r:.300} vs {base!r:.300}")
    if not t.get("tile"):
        return problems, runs
    tiled = list(args)
    for i in t["labels"]:
        a = np.asarray(args[i])
        reps = -(-t["tile"] // a.shape[0])
        tiled[i] = np.tile(a, (reps,) + (1,) * (a.ndim - 1))
    rr = [_call(f, tiled, dict(kwargs, n_threads=n)) for n in (1, 2)]
    runs += 2
    if rr[0][0] != "ok" or rr[1][0] != "ok" or not _same(rr[0][1], rr[1][1]):
        problems.append(
            f"labels tiled to {tiled[t['labels'][0]].shape[0]} samples: 1 thread "
            f"{rr[0]!r:.300}, 2 threads {rr[1]!r:.300}"
        )
    return problems, runs


def _block_checks(f, args, kwargs, base):
    """pairwise: each block P[a:b] x Q[c:d] computed alone equals that block of
    the result; nearest: each half of the rows of P searched alone.  Q=None
    has no blocks (one triangle is computed)."""
    problems, runs = [], 0
    if len(args) < 2 or args[1] is None:
        return problems, runs
    P, Q = np.asarray(args[0]), np.asarray(args[1])
    m, n = P.shape[0], Q.shape[0]
    kw = {k: v for k, v in kwargs.items() if k != "out"}
    rows = [(0, m // 2), (m // 2, m)]
    if isinstance(base, tuple):  # nearest
        blocks = [(a, b, 0, n) for a, b in rows if b > a]
    else:
        blocks = [(a, b, c, d) for a, b in rows for c, d in [(0, n // 2), (n // 2, n)]]
        blocks = [blk for blk in blocks if blk[1] > blk[0] and blk[3] > blk[2]]
    for i, (a, b, c, d) in enumerate(blocks):
        r = _call(f, [P[a:b], Q[c:d]], kw, 1 + i % 2)
        runs += 1
        if isinstance(base, tuple):
            want = (base[0][a:b], base[1][a:b])
        else:
            want = np.asarray(base)[a:b, c:d]
        if r[0] != "ok" or not _same(r[1], want):
            problems.append(
                f"block P[{a}:{b}] x Q[{c}:{d}]: {r!r:.300}, the call gave {want!r:.300}"
            )
    return problems, runs


def execute(spec):
    """Run one spec; returns the outcome dict (see fdtest.fuzz.run_spec)."""
    import fastdiv

    out = {"pre": None, "result": None, "threads": None, "modified": [], "runs": 0}
    isa_prev = None
    if spec.get("isa"):
        from fastdiv import _divergence

        isa_prev = _divergence.get_isa()
        _divergence.set_isa(spec["isa"])
    threads_prev = fastdiv.get_num_threads()
    try:
        try:
            f = resolve(spec["fn"])
            args, kwargs = build_call(spec)
        except Exception as e:  # noqa: BLE001
            out["result"] = ("build-error", repr(e))
            return out
        snaps = [(f"args[{i}]", _snapshot(a)) for i, a in enumerate(args)]
        # (out= is written by design)
        snaps += [(f"kwargs[{k!r}]", _snapshot(v)) for k, v in kwargs.items() if k != "out"]
        pre = spec.get("pre")
        if pre is None:
            out["result"] = _call(f, args, kwargs)
        elif pre[0] == "set":
            try:
                fastdiv.set_num_threads(pre[1])
                out["pre"] = ("ok", fastdiv.get_num_threads())
            except Exception as e:  # noqa: BLE001
                out["pre"] = _exc(e)
            out["result"] = _call(f, args, kwargs)
        elif pre[0] == "ctx":
            entered = False
            try:
                with fastdiv.num_threads(pre[1]):
                    entered = True
                    out["pre"] = ("ok", fastdiv.get_num_threads())
                    out["result"] = _call(f, args, kwargs)
            except Exception as e:
                if entered:
                    raise
                out["pre"] = _exc(e)
                out["result"] = _call(f, args, kwargs)
        else:
            raise ValueError(f"bad pre {pre!r}")
        out["runs"] = 1
        t = spec.get("threads")
        if t is not None and out["result"][0] == "ok":
            fastdiv.set_num_threads(threads_prev)
            out["threads"], runs = _thread_checks(f, args, kwargs, t, out["result"][1])
            out["runs"] += runs
        out["modified"] = [name for name, s in snaps if _changed(s)]
        return out
    finally:
        if fastdiv.get_num_threads() != threads_prev:
            fastdiv.set_num_threads(threads_prev)
        if isa_prev is not None:
            from fastdiv import _divergence

            _divergence.set_isa(isa_prev)


def _read_exact(f, n):
    data = b""
    while len(data) < n:
        chunk = f.read(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def main():
    out_fd = os.dup(1)
    os.dup2(2, 1)  # stray prints go to stderr, not into the protocol
    sys.stdout = sys.stderr
    inp = os.fdopen(0, "rb", buffering=0)
    out = os.fdopen(out_fd, "wb", buffering=0)
    import fastdiv  # noqa: F401 - import before the first spec

    while True:
        head = _read_exact(inp, 8)
        if head is None:
            return
        spec = pickle.loads(_read_exact(inp, struct.unpack("<Q", head)[0]))
        if spec is None:
            return
        outcome = execute(spec)
        try:
            payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:  # noqa: BLE001 - e.g. a result that cannot be pickled
            payload = pickle.dumps(
                {
                    "pre": None,
                    "result": ("unpicklable", repr(e)),
                    "threads": None,
                    "modified": [],
                    "runs": 0,
                }
            )
        out.write(struct.pack("<Q", len(payload)) + payload)


if __name__ == "__main__":
    main()
