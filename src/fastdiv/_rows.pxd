# The row driver (src/_rows.pyx): the Job that describes a call -- rows,
# inputs, the measure's descriptor, threads -- and the routines that run it
# on the C core's kernels.  Every Cython module of the package cimports it;
# only _rows links the core (one kernel table, one current instruction set).
from _core cimport (
    fd_row, fd_blockfn, fd_kernels, fd_measure, FD_BLK, FD_MAXACC, FD_FIN_ENTROPY,
    FD_FIN_DIVERGENCE, FD_FIN_JS, FD_FIN_JS_DISTANCE, FD_FIN_TV,
)
from libc.string cimport memset
from libc.math cimport sqrt
cimport numpy as cnp

cdef enum:
    # Row status: 0 is fine; otherwise ROW_STATUS_STRIDE * input + kind,
    # input 0 = p, 1 = q.
    ROW_NONFINITE = 1
    ROW_NEGATIVE = 2
    ROW_ZEROSUM = 3
    ROW_SUMOFF = 4
    ROW_STATUS_STRIDE = 8
    # Below this many elements in all, a call runs on one thread: starting a
    # team costs more than the work.
    PARALLEL_MIN_WORK = 1 << 15

cdef struct Arg:
    const char *data
    Py_ssize_t kstride      # bytes between elements along the support axis
    int code                # bit 0: float64 (else float32); bit 1: byte-swapped
    int direct              # the kernel may read the row in place
    Py_ssize_t st[64]       # batch strides in bytes

cdef struct Job:
    Arg a[2]
    int nin                 # 1 or 2 inputs
    int nd                  # batch dimensions
    Py_ssize_t shape[64]    # batch shape
    Py_ssize_t K, R, nb     # support length, rows, blocks per row
    int f64                 # compute dtype: float64 if any input is float64
    const fd_measure *d     # the measure's row of fd_measures
    int normalize, logits
    double tol[2]           # normalize=False tolerance per input
    double alpha, scale, logK
    double top              # log K in the caller's base, correctly rounded
    const fd_kernels *k     # the kernels of the compute dtype and current ISA
    char *bufs              # per-thread gather buffers, buf_bytes() each
    double *parts           # per-thread partials, FD_MAXACC * nb each, pstride apart
    # FD_MAXACC * nb plus at least 64 bytes of gap: threads never write to
    # one cache line
    Py_ssize_t pstride
    unsigned char *status   # per-row status (0: fine)


cdef inline void new_row(fd_row *c) noexcept nogil:
    """Zero the row constants, before a row sets the fields its kernels read."""
    memset(c, 0, sizeof(fd_row))


cdef inline Py_ssize_t parts_stride(Py_ssize_t nb) noexcept nogil:
    """Doubles between two threads' partials for rows of nb blocks:
    FD_MAXACC * nb plus at least 64 bytes of gap, so that threads never
    write to one cache line."""
    return (FD_MAXACC * nb + 8 + 15) // 16 * 16


cdef inline Py_ssize_t buf_bytes() noexcept nogil:
    """Bytes of one thread's gather buffer: a block of each input in float64."""
    return 2 * FD_BLK * 8


# a call: describe it, allocate, run, find the first bad row, free
cdef const fd_measure *measure_of(int code, double alpha) except NULL
cdef int init_job(Job *J, cnp.ndarray P, object Q) except -1
cdef void set_params(Job *J, const fd_measure *d, bint normalize, bint logits, double tolp,
                     double tolq, double alpha, double scale, double top) noexcept nogil
cdef int start_job(Job *J, int nthreads) except -1
cdef void end_job(Job *J) noexcept
cdef Py_ssize_t first_bad(const Job *J) noexcept
cdef void run_job(Job *J, int nt, double *out) noexcept nogil
cdef void run_neglog(Job *J, int nt, double *out) noexcept nogil

# one row, and its pieces
cdef int do_row(const Job *J, Py_ssize_t r, int tid, int nthreads, double *out) noexcept nogil
cdef int row_check(const Job *J, Py_ssize_t r, int tid, double *S, bint *fast) noexcept nogil
cdef int row_terms(const Job *J, const char **rp, const double *S, char *buf, double *parts,
                   int nthreads, double *out, Py_ssize_t r) noexcept nogil
cdef void row_ptrs(const Job *J, Py_ssize_t r, const char **rp) noexcept nogil
cdef void phase(const Job *J, const char **rp, fd_blockfn fn, const fd_row *c,
                const double *scl, unsigned maxmask, double *res, char *buf, double *parts,
                int nthreads) noexcept nogil

# the C core, for the other modules (which do not link it)
cdef const fd_kernels *kernels(int is_f64) noexcept nogil
cdef void gather(const char *src, Py_ssize_t stride, Py_ssize_t n, int src_code,
                 double *dst) noexcept nogil
cdef double pairwise_sum(const double *a, Py_ssize_t n) noexcept nogil
cdef double log_quotient(double x, double y, double k) noexcept nogil
cdef int isa_count() noexcept nogil
cdef const char *isa_name(int isa) noexcept nogil
cdef int isa_supported(int isa) noexcept nogil
cdef int set_isa(int isa) noexcept nogil
cdef int get_isa() noexcept nogil


# the value of a measure from its terms, shared by the drivers
cdef inline double clamp(double v, double lo, double hi) noexcept nogil:
    if v < lo:
        return lo
    if v > hi:
        return hi
    return v


cdef inline double entropy_out(const Job *J, double v) noexcept nogil:
    """An entropy v in nats, clamped to [0, log K], in the caller's base;
    kept within J.top, log_b K correctly rounded, which the product with
    1/log b can pass by an ulp (log 3 / log 2 > log2 3)."""
    v = clamp(v, 0.0, J.logK) * J.scale
    if J.scale > 0.0:
        return v if v < J.top else J.top
    return v if v > J.top else J.top


cdef inline double finish_terms(const Job *J, double acc) noexcept nogil:
    """The value of a measure from the sum of its terms (over normalized
    distributions), as its descriptor's ``finish`` says: clamped to the
    measure's range, in the caller's base (0.6931... is log 2, JS's bound).
    Inline here, so that _tiles finishes its pairs with this same code."""
    cdef int f = J.d.finish
    if f == FD_FIN_ENTROPY:
        return entropy_out(J, acc)
    if f == FD_FIN_DIVERGENCE:
        return (acc if acc > 0.0 else 0.0) * J.scale
    if f == FD_FIN_JS:
        return clamp(0.5 * acc, 0.0, 0.693147180559945309417232121458) * J.scale
    if f == FD_FIN_JS_DISTANCE:
        return sqrt(clamp(0.5 * acc, 0.0, 0.693147180559945309417232121458) * J.scale)
    if f == FD_FIN_TV:
        return clamp(0.5 * acc, 0.0, 1.0)
    return sqrt(clamp(0.5 * acc, 0.0, 1.0))   # FD_FIN_HELLINGER
