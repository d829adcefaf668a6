# cython: language_level=3
"""The compiled entry points of the exact measures on distributions.

The public functions live in ``fastdiv._exact``; they validate their
arguments, broadcast, move the support axis last and call ``measure`` (or
``neglog``, or ``simple`` for the common 1-D call) here exactly once.  These
describe the call as a ``Job`` and run it with the row driver (``_rows``),
which calls the block kernels of the C core (``fd_core.h``) that the
measure's row of the table ``fd_measures`` (``fd_measures.c``) names:

* a row is cut into fixed blocks of ``FD_BLK`` elements; each kernel call
  returns one block's partial sums, and a row's partials are combined
  pairwise in block order.  Rows run in parallel (``prange`` over rows) or,
  when there are few long rows, the blocks of a row do.  Either way the same
  partials are combined in the same order, so results are bit-identical for
  every thread count;
* a row whose elements are not contiguous, native-endian and of the compute
  dtype is gathered one block at a time into a per-thread buffer: no input
  is ever copied whole or written to;
* the first pass over a row ("stats") sums it and checks it (non-negative,
  finite, sum rules) at no extra cost; a bad row gets a status code instead
  of a value and ``measure`` reports the first bad row to the caller.  For
  entropy, cross-entropy, KL and Hellinger the first pass also sums the
  terms on the inputs as they are and normalizes afterwards, which is exact
  algebra; where that would cancel (``onepass``) a second pass sums the
  terms of the normalized row.
"""

cimport numpy as cnp
from libc.stdlib cimport malloc, free
from libc.math cimport log, INFINITY

from _openmp cimport FD_HAVE_OPENMP, FD_OPENMP_VERSION, omp_get_max_threads
from _core cimport (
    fd_kernels, fd_measure, FD_BLK, FD_ENTROPY, FD_CROSS_ENTROPY, FD_KL, FD_JS,
    FD_JS_DISTANCE, FD_TV, FD_HELLINGER, FD_RENYI_ENTROPY, FD_RENYI_DIVERGENCE,
)
from fastdiv._rows cimport (
    Job, init_job, set_params, start_job, end_job, first_bad, measure_of, run_job, run_neglog,
    do_row, buf_bytes, parts_stride, kernels, isa_count, isa_name, isa_supported,
    get_isa as rows_get_isa, set_isa as rows_set_isa, PARALLEL_MIN_WORK, ROW_NONFINITE,
    ROW_NEGATIVE, ROW_ZEROSUM, ROW_SUMOFF, ROW_STATUS_STRIDE,
)

import numpy as np

cnp.import_array()


# The measures' codes: rows of the C table fd_measures (fd_core.h).
cpdef enum Measure:
    ENTROPY = FD_ENTROPY
    CROSS_ENTROPY = FD_CROSS_ENTROPY
    KL = FD_KL
    JS = FD_JS
    JS_DISTANCE = FD_JS_DISTANCE
    TV = FD_TV
    HELLINGER = FD_HELLINGER
    RENYI_ENTROPY = FD_RENYI_ENTROPY
    RENYI_DIVERGENCE = FD_RENYI_DIVERGENCE

# Row status: 0 is fine; otherwise STATUS_STRIDE * input + kind, input 0 = p, 1 = q.
cpdef enum Status:
    NONFINITE = ROW_NONFINITE
    NEGATIVE = ROW_NEGATIVE
    ZEROSUM = ROW_ZEROSUM
    SUMOFF = ROW_SUMOFF
    STATUS_STRIDE = ROW_STATUS_STRIDE


def measure(int code, cnp.ndarray P, object Q, double[::1] out, *, bint normalize=True,
            bint logits=False, double tolp=0.0, double tolq=0.0, double alpha=1.0,
            double scale=1.0, double top=INFINITY, int nthreads=1):
    """Compute measure ``code`` for every row of ``P`` (and ``Q``) into ``out``.

    ``P`` and ``Q`` (``Q`` may be None) are float32/float64 arrays of one shape
    whose last axis is the support, any strides and byte order; ``out`` has
    one slot per row in C order.  Returns ``(row, status)`` of the first bad
    row, or ``(-1, 0)``.
    """
    cdef Job J
    cdef Py_ssize_t r, R
    cdef int nt
    cdef double *outp = &out[0] if out.shape[0] > 0 else NULL
    cdef const fd_measure *d = measure_of(code, alpha)
    if Q is None and d.nin == 2:
        raise TypeError("internal: this measure takes two inputs")
    init_job(&J, P, Q)
    R = J.R
    if out.shape[0] != R:
        raise ValueError("internal: bad output")
    set_params(&J, d, normalize, logits, tolp, tolq, alpha, scale, top)
    if R == 0:
        return (-1, 0)
    nt = start_job(&J, nthreads)
    try:
        with nogil:
            run_job(&J, nt, outp)
        r = first_bad(&J)
        return (r, J.status[r] if r >= 0 else 0)
    finally:
        end_job(&J)


cdef object FLOAT64 = np.float64


cdef inline int simple_code(object x, Py_ssize_t K) noexcept:
    """The Arg code (0 float32, 1 float64) of x when it is a 1-D, native,
    contiguous float32/float64 ndarray of length K (K < 0: any length), else -1."""
    cdef cnp.ndarray A
    cdef int t
    if type(x) is not cnp.ndarray:
        return -1
    A = <cnp.ndarray>x
    if cnp.PyArray_NDIM(A) != 1 or cnp.PyArray_ISBYTESWAPPED(A):
        return -1
    if K >= 0 and cnp.PyArray_DIMS(A)[0] != K:
        return -1
    t = cnp.PyArray_TYPE(A)
    if t == cnp.NPY_DOUBLE and cnp.PyArray_STRIDES(A)[0] == 8:
        return 1
    if t == cnp.NPY_FLOAT and cnp.PyArray_STRIDES(A)[0] == 4:
        return 0
    return -1


def simple(int code, object p, object q, double alpha, object base, object axis,
           object keepdims, object normalize, object logits, object n_threads):
    """The common call in one step: one distribution (or pair) as 1-D,
    native, contiguous float32/float64 arrays of one dtype, short enough for
    one thread, with the default keywords.  Returns the value as a NumPy
    float64, or None when the call is not of that kind or its row is bad;
    the caller then takes the general path (which validates everything and
    raises the error).  The value is the general path's, bit for bit: the
    same row routine on the same Job."""
    cdef Job J
    cdef const fd_measure *d
    cdef double v
    cdef int st, cp, cq, i
    cdef Py_ssize_t K
    if not (base is None and normalize is True and logits is False and keepdims is False
            and n_threads is None and type(axis) is int and (axis == -1 or axis == 0)):
        return None
    cp = simple_code(p, -1)
    if cp < 0:
        return None
    K = cnp.PyArray_DIMS(<cnp.ndarray>p)[0]
    d = measure_of(code, alpha)
    J.nin = d.nin
    if J.nin == 2:
        cq = simple_code(q, K)
        if cq != cp:
            return None
    if K < 1 or J.nin * K >= PARALLEL_MIN_WORK:
        return None
    J.nd = 0
    J.R = 1
    J.K = K
    J.nb = (K + FD_BLK - 1) // FD_BLK
    J.f64 = cp
    for i in range(2):
        x = p if i == 0 or J.nin == 1 else q
        J.a[i].data = <const char *>cnp.PyArray_DATA(<cnp.ndarray>x)
        J.a[i].kstride = 8 if cp else 4
        J.a[i].code = cp
        J.a[i].direct = 1
    J.k = kernels(J.f64)
    # the keywords' defaults, as the general path passes them for base=None
    set_params(&J, d, 1, 0, 0.0, 0.0, alpha, 1.0, log(<double>K) if J.nin == 1 else INFINITY)
    # one allocation: the partials, and a gather buffer (used only to sum
    # again a row whose sum overflows)
    J.pstride = parts_stride(J.nb)
    J.parts = <double *>malloc(J.pstride * sizeof(double) + buf_bytes())
    if J.parts == NULL:
        raise MemoryError()
    J.bufs = <char *>(J.parts + J.pstride)
    J.status = NULL
    with nogil:
        st = do_row(&J, 0, 0, 1, &v)
    free(J.parts)
    return None if st else FLOAT64(v)


def neglog(cnp.ndarray P, double[::1] out, int nthreads=1):
    """out[...] = -log P elementwise (C order) for a float32/float64 ``P`` of
    any strides and byte order, ndim >= 1, non-empty.  Returns the first row
    (flat index over all axes but the last) holding an entry outside [0, 1],
    or -1."""
    cdef Job J
    cdef Py_ssize_t R
    cdef int nt
    cdef double *outp = &out[0] if out.shape[0] > 0 else NULL
    init_job(&J, P, None)
    R = J.R
    if out.shape[0] != R * J.K:
        raise ValueError("internal: bad output")
    if R == 0:
        return -1
    nt = start_job(&J, nthreads)
    try:
        with nogil:
            run_neglog(&J, nt, outp)
        return first_bad(&J)
    finally:
        end_job(&J)


# ---- configuration and test hooks -------------------------------------------

cdef extern from *:
    """
    #ifndef FD_DEBUG
    #define FD_DEBUG 0
    #endif
    """
    int FD_DEBUG        # built with FASTDIV_DEBUG=1 (setup.py)


def debug_build():
    """True for a FASTDIV_DEBUG=1 build: Cython's bounds, wraparound and
    initialization checks on, the C at -O1."""
    return bool(FD_DEBUG)


def openmp_info():
    """(built with OpenMP, OpenMP version date (0 if none), omp_get_max_threads())."""
    return bool(FD_HAVE_OPENMP), int(FD_OPENMP_VERSION), int(omp_get_max_threads())


def isa_available():
    """Names of the kernel instruction sets usable on this CPU, best last."""
    return [isa_name(i).decode() for i in range(isa_count()) if isa_supported(i)]


def get_isa():
    """Name of the instruction set the kernels currently run with."""
    return isa_name(rows_get_isa()).decode()


def set_isa(name):
    """Force the kernels onto instruction set ``name`` (for tests and
    benchmarks).  ``ValueError`` if unknown or not supported by this CPU."""
    cdef int i
    for i in range(isa_count()):
        if isa_name(i).decode() == name:
            if rows_set_isa(i) == 0:
                return
            raise ValueError(f"instruction set {name!r} is not supported by this CPU")
    raise ValueError(f"unknown instruction set {name!r}; expected one of "
                     f"{[isa_name(i).decode() for i in range(isa_count())]}")


def _elementwise(x, int which, y=None):
    cdef cnp.ndarray X = np.ascontiguousarray(x)
    cdef cnp.ndarray Y = X
    if X.ndim != 1 or X.dtype not in (np.float32, np.float64) or not X.dtype.isnative:
        raise TypeError("expected a 1-D native float32 or float64 array")
    if y is not None:
        Y = np.ascontiguousarray(y, dtype=X.dtype)
        if Y.shape[0] != X.shape[0] or Y.ndim != 1:
            raise ValueError("x and y differ in shape")
    cdef cnp.ndarray out = np.empty_like(X)
    cdef const fd_kernels *k = kernels(X.dtype == np.float64)
    cdef Py_ssize_t n = X.shape[0]
    cdef const void *src = cnp.PyArray_DATA(X)
    cdef const void *src2 = cnp.PyArray_DATA(Y)
    cdef void *dst = cnp.PyArray_DATA(out)
    with nogil:
        if which == 0:
            k.vlog(src, n, dst)
        elif which == 1:
            k.vexp(src, n, dst)
        elif which == 2:
            k.vlogs(src, n, dst)
        else:
            k.vlogratio(src, src2, n, dst)
    return out


def simd_log(x):
    """The package's vectorized natural log applied elementwise (test hook)."""
    return _elementwise(x, 0)


def simd_exp(x):
    """The package's vectorized exp, for x <= 0, applied elementwise (test hook)."""
    return _elementwise(x, 1)


def simd_logs(x):
    """The kernels' log of clean inputs, 0 < x <= 2^969 (float32: 2^102),
    elementwise (test hook)."""
    return _elementwise(x, 2)


def simd_logratio(x, y):
    """The kernels' log(x / y) for 0 < x, y <= 2^969 (float32: 2^102),
    elementwise, without forming x / y (test hook)."""
    return _elementwise(x, 3, y)


_env_isa = __import__("os").environ.get("FASTDIV_ISA")
if _env_isa:
    set_isa(_env_isa)


def omp_max_threads():
    """omp_get_max_threads() (1 without OpenMP)."""
    return omp_get_max_threads()
