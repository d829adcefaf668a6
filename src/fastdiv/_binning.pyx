# cython: language_level=3
"""The compiled entry points of the histograms (fastdiv.hist).

``fastdiv/hist.py`` validates the arguments, computes the edges with NumPy
(``numpy.histogram_bin_edges``, ``numpy.linspace``: the edges are NumPy's
own) and describes each axis (``Axis``): the range test, the fast path's
constants, and how NumPy places a value near a bin boundary.  Kernel
contract: arguments are clean; NaN or infinite samples or weights are found
here, fused into the pass, and reported through the return status.

Placing a value (the hot loop).  The C core's ``hist_codes`` (vectorized,
per instruction set) tests the range and forms the value's position in bins
``g = (v - first) scale`` with a multiplication; where g lies more than
``delta`` from every integer, the bin is ``floor(g)`` by NumPy's reading too
(``delta`` bounds how far NumPy's own index, and its rounded edges, can
stray from the exact position: ``hist.py`` derives it).  The other values
inside the range -- those within delta of a boundary, a few per million on
random data, every one on adversarial data -- are placed by ``place``:

* ``NUMPY_UNIFORM`` (``numpy.histogram`` with equal bins): NumPy's formula
  ``f = ((v - first) / denom) * n`` with the dtype of each of its steps
  (float32 steps are rounded to float32: the double result of one operation
  on float32 operands, rounded once more, is the float32 result), the index
  ``int(f)``, ``n`` taken down to ``n - 1``, then NumPy's two corrections
  against the edges.  The counts equal NumPy's bit for bit.
* ``EDGES`` (explicit edges, and every axis of ``numpy.histogram2d``): the
  last edge ``<= v`` (bin i holds ``e_i <= v < e_i+1``, the last bin also
  its right edge, as ``numpy.searchsorted`` counts): v's cell in a table
  of equal cells gives its bin with one compare against the cell's one edge,
  or a search up from the cell's first bin where the cell holds more
  (``fd_hist_bin``; the kernel places every value this way); a binary
  search where there is no table.

Counting.  Unweighted counts are integers: fixed chunks of samples, each
thread into its own table, the tables added in thread order (exact, so the
same for any thread count).  Weighted counts follow NumPy's order: the
samples in blocks of ``NP_BLOCK`` (NumPy's ``BLOCK``), each block's weights
added per bin in sample order, the block totals added in block order; the
blocks of a wave run in parallel.  A batch (``axis``) runs one slice per
thread, each slice as one histogram.  ``histogram2d``'s weights are added in
pair order on one thread, as NumPy adds them.
"""

cimport numpy as cnp
from cython.parallel cimport prange, parallel
from libc.stdint cimport int32_t, int64_t
from libc.stdlib cimport malloc, calloc, free
from libc.string cimport memset

from _openmp cimport omp_get_thread_num
from _typedefs cimport intp_t
from _core cimport fd_kernels, fd_hist_axis, fd_hist_bin, FD_CH, FD_HIST_SLOW, FD_HIST_OUT
from fastdiv._rows cimport kernels, gather, PARALLEL_MIN_WORK

import numpy as np

cnp.import_array()


cpdef enum Mode:
    NUMPY_UNIFORM = 0
    EDGES = 1

cdef enum:
    NP_BLOCK = 65536        # numpy.histogram's block of samples
    CHUNK = 65536           # samples per unit of parallel counting
    PAD = 8                 # int64 cells between per-thread tables (a cache line)
    WAVE = 8                # weighted blocks in flight per thread
    SUBTABLES = 4           # hist_count's tables per thread
    SUB_MAX = 1 << 16       # cells of a table kept four times, at most
    # slices a thread takes at a time (short slices one by one would spend
    # the call handing them out)
    ROWS_CHUNK = 16


cdef struct Axis:
    fd_hist_axis f          # the C core's: bins f.nb, edges f.e, range, fast path
    int mode
    # NUMPY_UNIFORM: d = v - f.first (float32 if r1), q = d / denom, then
    # q f.nb (float32 if r2)
    double denom
    int r1, r2


cdef struct Src:
    const char *data
    int code                # bit 0: float64 (else float32); bit 1: byte-swapped
    int direct              # rows are native contiguous float64: read in place
    int nd                  # batch dimensions before the row
    Py_ssize_t shape[64]
    Py_ssize_t st[64]       # batch strides in bytes
    Py_ssize_t R, L         # rows, samples per row
    Py_ssize_t sL           # bytes between samples of a row


# ---- reading -------------------------------------------------------------------

cdef int init_src(Src *S, cnp.ndarray a) except -1:
    """S reads a (float32/float64, any strides and byte order) as rows along
    its last axis, in C order."""
    cdef int nd = cnp.PyArray_NDIM(a), d
    cdef cnp.npy_intp *strides = cnp.PyArray_STRIDES(a)
    dt = a.dtype
    if dt.kind != "f" or dt.itemsize not in (4, 8) or nd < 1 or nd > 65:
        raise TypeError("internal: histograms read float32/float64 arrays")
    S.data = <const char *>cnp.PyArray_DATA(a)
    S.code = (1 if dt.itemsize == 8 else 0) | ((0 if dt.isnative else 1) << 1)
    S.nd = nd - 1
    S.R = 1
    for d in range(nd - 1):
        S.shape[d] = a.shape[d]
        S.st[d] = strides[d]
        S.R *= a.shape[d]
    S.L = a.shape[nd - 1]
    S.sL = strides[nd - 1]
    S.direct = S.code == 1 and S.sL == 8
    return 0


cdef inline const char *row_ptr(const Src *S, Py_ssize_t r) noexcept nogil:
    cdef Py_ssize_t off = 0
    cdef int d
    for d in range(S.nd - 1, -1, -1):
        off += (r % S.shape[d]) * S.st[d]
        r = r // S.shape[d]
    return S.data + off


cdef inline const double *piece(const Src *S, Py_ssize_t r, Py_ssize_t j, Py_ssize_t m,
                                double *buf) noexcept nogil:
    """Samples j .. j+m-1 of row r as float64: in place or gathered into buf."""
    cdef const char *p = row_ptr(S, r) + j * S.sL
    if S.direct:
        return <const double *>p
    gather(p, S.sL, m, S.code, buf)
    return buf


# ---- placing one value exactly ---------------------------------------------------

cdef inline Py_ssize_t place(const Axis *A, double v) noexcept nogil:
    """The bin of v (inside the range) as NumPy places it (module docstring)."""
    cdef double d, q, f
    cdef Py_ssize_t k, lo, n, half
    cdef const double *e = A.f.e
    if A.mode == NUMPY_UNIFORM:
        d = v - A.f.first
        if A.r1:
            d = <double>(<float>d)
        q = d / A.denom
        if A.r2:
            q = <double>(<float>q)
        f = q * <double>A.f.nb
        if A.r2:
            f = <double>(<float>f)
        # int(f), kept inside [0, nb] (f is in it but for mixed-dtype ranges)
        k = <Py_ssize_t>f if f > 0.0 else 0
        if f >= <double>A.f.nb:
            k = A.f.nb
        if k == A.f.nb:
            k = A.f.nb - 1
        if v < e[k]:
            k -= 1
        if k != A.f.nb - 1 and v >= e[k + 1]:
            k += 1
        return 0 if k < 0 else k
    if A.f.cbin != NULL:
        return fd_hist_bin(&A.f, v)
    # the last edge <= v, by halving (e[0] <= v <= e[nb] here)
    lo = 0
    n = A.f.nb + 1
    while n > 1:
        half = n >> 1
        if e[lo + half] <= v:
            lo = lo + half
        n -= half
    return lo if lo < A.f.nb else A.f.nb - 1


# ---- counting ------------------------------------------------------------------

cdef int count_span(const Src *S, const Axis *A, const fd_kernels *K, Py_ssize_t i0,
                    Py_ssize_t i1, int64_t *tab, double *buf, int32_t *slow) noexcept nogil:
    """Add the samples of flat positions i0 .. i1-1 of S to tab: the tables
    of nb + 1 cells of ``hist_count`` (``sub_ld`` apart; cell nb a spill
    cell), to be added by ``merge_tables``.  Returns 1 if some sample is NaN or infinite."""
    cdef Py_ssize_t i = i0, r, j, m, t
    cdef intp_t ns
    cdef const double *x
    cdef int bad = 0
    while i < i1:
        r = i // S.L
        j = i - r * S.L
        m = S.L - j
        if m > FD_CH:
            m = FD_CH
        if m > i1 - i:
            m = i1 - i
        x = piece(S, r, j, m, buf)
        bad |= K.hist_count(x, m, &A.f, tab, sub_ld(A.f.nb + 1), slow, &ns)
        for t in range(ns):
            tab[place(A, x[slow[t]])] += 1
        i += m
    return bad


cdef inline Py_ssize_t sub_ld(Py_ssize_t cells) noexcept nogil:
    """Cells between hist_count's four tables: four tables of up to SUB_MAX
    cells, one (ld 0: the four are the same) beyond, whose memory would
    outweigh what four chains of increments save."""
    return cells if cells <= SUB_MAX else 0


cdef inline Py_ssize_t sub_len(Py_ssize_t cells) noexcept nogil:
    """Cells of one thread's tables (hist_count's), padded apart."""
    return (SUBTABLES if cells <= SUB_MAX else 1) * cells + PAD


cdef inline void merge_tables(const int64_t *tab, Py_ssize_t nb, int64_t *out) noexcept nogil:
    """out[k] += cell k of the tables of nb + 1 cells (integers: any order is
    exact)."""
    cdef Py_ssize_t k, s
    cdef Py_ssize_t ld = sub_ld(nb + 1)
    for s in range(SUBTABLES if ld else 1):
        for k in range(nb):
            out[k] += tab[s * ld + k]


cdef int wsum_span(const Src *S, const Src *W, const Axis *A, const fd_kernels *K,
                   Py_ssize_t i0, Py_ssize_t i1, double *part, double *buf, double *wbuf,
                   int32_t *codes) noexcept nogil:
    """part[k] = the sum, in sample order, of the weights of the samples of
    flat positions i0 .. i1-1 in bin k (part zeroed here).  Returns bit 0 if
    a sample is NaN or infinite, bit 1 if a weight is."""
    cdef Py_ssize_t i = i0, r, j, m, t
    cdef const double *x
    cdef const double *w
    cdef int bad = 0, wbad = 0
    cdef int32_t c
    memset(part, 0, A.f.nb * sizeof(double))
    while i < i1:
        r = i // S.L
        j = i - r * S.L
        m = S.L - j
        if m > FD_CH:
            m = FD_CH
        if m > i1 - i:
            m = i1 - i
        x = piece(S, r, j, m, buf)
        w = piece(W, r, j, m, wbuf)
        bad |= K.hist_codes(x, m, &A.f, codes)
        for t in range(m):
            wbad |= (w[t] - w[t]) != 0.0
            c = codes[t]
            if c >= 0:
                part[c] += w[t]
            elif c == FD_HIST_SLOW:
                part[place(A, x[t])] += w[t]
        i += m
    return bad | (wbad << 1)


# ---- the calls -------------------------------------------------------------------

cdef int init_axis(Axis *A, dict plan, const double *e) except -1:
    A.mode = plan["mode"]
    A.f.nb = plan["nb"]
    A.f.e = e
    A.f.lo = plan["lo"]
    A.f.hi = plan["hi"]
    A.f.first = plan["first"]
    A.f.scale = plan["scale"]
    A.f.delta = plan["delta"]
    A.f.fast = plan["fast"]
    A.denom = plan.get("denom", 1.0)
    A.r1 = plan.get("r1", 0)
    A.r2 = plan.get("r2", 0)
    cdef const int32_t[::1] cbin
    cdef const double[::1] cedge
    A.f.cbin = NULL
    A.f.cedge = NULL
    A.f.G = 0
    A.f.gscale = 0.0
    if plan.get("cbin") is not None:
        cbin = plan["cbin"]
        cedge = plan["cedge"]
        A.f.cbin = &cbin[0]
        A.f.cedge = &cedge[0]
        A.f.G = cbin.shape[0]
        A.f.gscale = plan["gscale"]
    return 0


cdef inline int threads_for(Py_ssize_t work, int nthreads) noexcept nogil:
    return nthreads if (nthreads > 1 and work >= PARALLEL_MIN_WORK) else 1


def histogram(cnp.ndarray x, dict plan, const double[::1] edges, *, cnp.ndarray weights=None,
              bint batch=False, int nthreads=1):
    """Counts of ``x`` on one axis (``plan``: ``hist.py``'s description of
    it; ``edges``: its nb + 1 edges as float64).

    ``x``: float32/float64 of any strides, read as rows along its last axis.
    ``batch=False``: one histogram of every sample (C order) -> (nb,);
    ``batch=True``: one per row -> (rows, nb).  Without ``weights`` int64
    counts, with them (float32/float64, the shape of ``x``) float64 sums in
    NumPy's order.  Returns ``(counts, status)``: status bit 0 if a sample
    is NaN or infinite, bit 1 if a weight is.
    """
    cdef Src S, W
    cdef Axis A
    cdef const fd_kernels *K = kernels(1)
    cdef Py_ssize_t nb, N, rows, nblk, nch, b, b0, b1, k, r, t, tl
    cdef int nt, tid, bad = 0
    cdef int64_t[:, ::1] ci
    cdef double[:, ::1] cw
    cdef int64_t *tabs = NULL
    cdef double *bufs = NULL
    cdef int32_t *codes = NULL
    cdef double *parts = NULL
    cdef int *flags = NULL
    cdef bint weighted = weights is not None
    init_src(&S, x)
    init_axis(&A, plan, &edges[0])
    if weighted:
        init_src(&W, weights)
    nb = A.f.nb
    N = S.R * S.L
    rows = S.R if batch else 1
    nt = threads_for(N, nthreads)
    if batch and S.R < 2:
        nt = 1
    if weighted:
        out = np.zeros((rows, nb), dtype=np.float64)
        cw = out
    else:
        out = np.zeros((rows, nb), dtype=np.int64)
        ci = out
    # per thread: two sample buffers (x, weights) and the codes of a chunk
    bufs = <double *>malloc(nt * 2 * FD_CH * sizeof(double))
    codes = <int32_t *>malloc(nt * FD_CH * sizeof(int32_t))
    flags = <int *>calloc(WAVE * nt, sizeof(int))
    try:
        if bufs == NULL or codes == NULL or flags == NULL:
            raise MemoryError()
        if batch:
            # one slice per thread, each slice one histogram
            tl = sub_len(nb + 1)
            if weighted:
                parts = <double *>malloc(nt * (nb + PAD) * sizeof(double))
                if parts == NULL:
                    raise MemoryError()
            else:
                tabs = <int64_t *>malloc(nt * tl * sizeof(int64_t))
                if tabs == NULL:
                    raise MemoryError()
            with nogil, parallel(num_threads=nt):
                tid = omp_get_thread_num()
                for r in prange(S.R, schedule="dynamic", chunksize=ROWS_CHUNK):
                    if weighted:
                        flags[tid] |= slice_wsum(&S, &W, &A, K, r, &cw[r, 0],
                                                 parts + tid * (nb + PAD),
                                                 bufs + tid * 2 * FD_CH,
                                                 codes + tid * FD_CH)
                    else:
                        memset(tabs + tid * tl, 0, (tl - PAD) * sizeof(int64_t))
                        flags[tid] |= count_span(&S, &A, K, r * S.L, (r + 1) * S.L,
                                                 tabs + tid * tl, bufs + tid * 2 * FD_CH,
                                                 codes + tid * FD_CH)
                        merge_tables(tabs + tid * tl, nb, &ci[r, 0])
        elif not weighted:
            # fixed chunks, a table per thread, the tables added in order
            nch = (N + CHUNK - 1) // CHUNK
            tl = sub_len(nb + 1)
            tabs = <int64_t *>calloc(nt * tl, sizeof(int64_t))
            if tabs == NULL:
                raise MemoryError()
            with nogil, parallel(num_threads=nt):
                tid = omp_get_thread_num()
                for b in prange(nch, schedule="dynamic"):
                    b1 = (b + 1) * CHUNK
                    flags[tid] |= count_span(&S, &A, K, b * CHUNK, b1 if b1 < N else N,
                                             tabs + tid * tl, bufs + tid * 2 * FD_CH,
                                             codes + tid * FD_CH)
            for t in range(nt):
                merge_tables(tabs + t * tl, nb, &ci[0, 0])
        else:
            # NumPy's blocks: a wave of blocks in parallel, their sums added
            # to the counts in block order
            nblk = (N + NP_BLOCK - 1) // NP_BLOCK
            parts = <double *>malloc(WAVE * nt * (nb + PAD) * sizeof(double))
            if parts == NULL:
                raise MemoryError()
            b0 = 0
            while b0 < nblk:
                b1 = b0 + WAVE * nt
                if b1 > nblk:
                    b1 = nblk
                with nogil, parallel(num_threads=nt):
                    tid = omp_get_thread_num()
                    for b in prange(b0, b1, schedule="dynamic"):
                        flags[b - b0] |= wsum_span(
                            &S, &W, &A, K, b * NP_BLOCK,
                            (b + 1) * NP_BLOCK if (b + 1) * NP_BLOCK < N else N,
                            parts + (b - b0) * (nb + PAD), bufs + tid * 2 * FD_CH,
                            bufs + tid * 2 * FD_CH + FD_CH, codes + tid * FD_CH)
                for b in range(b0, b1):
                    for k in range(nb):
                        cw[0, k] += parts[(b - b0) * (nb + PAD) + k]
                b0 = b1
        for t in range(WAVE * nt):
            bad |= flags[t]
    finally:
        free(tabs)
        free(bufs)
        free(codes)
        free(parts)
        free(flags)
    return (out if batch else out[0]), bad


cdef int slice_wsum(const Src *S, const Src *W, const Axis *A, const fd_kernels *K,
                    Py_ssize_t r, double *outr, double *part, double *buf,
                    int32_t *codes) noexcept nogil:
    """Row r's weighted histogram into outr, NumPy's blocks in order."""
    cdef Py_ssize_t i0 = r * S.L, i1 = (r + 1) * S.L, b, e, k
    cdef int bad = 0
    b = i0
    while b < i1:
        e = b + NP_BLOCK if b + NP_BLOCK < i1 else i1
        bad |= wsum_span(S, W, A, K, b, e, part, buf, buf + FD_CH, codes)
        for k in range(A.f.nb):
            outr[k] += part[k]
        b = e
    return bad


def histogram2d(cnp.ndarray x, cnp.ndarray y, dict px, dict py, const double[::1] ex,
                const double[::1] ey, *, cnp.ndarray weights=None, int nthreads=1):
    """Counts of the pairs (x_i, y_i) (1-D, float32/float64, any strides) on
    the axes ``px``/``py`` (edges ``ex``/``ey`` as float64): (nx, ny) int64,
    or with ``weights`` float64 sums in pair order (NumPy's, one thread).
    Returns ``(counts, status)``: status bit 0 if x holds NaN or infinity,
    bit 1 if y does, bit 2 if the weights do."""
    cdef Src X, Y, W
    cdef Axis A, B
    cdef const fd_kernels *K = kernels(1)
    cdef Py_ssize_t nx, ny, ncell, N, nch, b, b1, t, tl
    cdef int nt, tid, bad = 0
    cdef int64_t *tabs = NULL
    cdef double *bufs = NULL
    cdef int32_t *codes = NULL
    cdef int *flags = NULL
    cdef int64_t[::1] ci
    cdef double[::1] cw
    cdef bint weighted = weights is not None
    init_src(&X, x)
    init_src(&Y, y)
    if weighted:
        init_src(&W, weights)
    init_axis(&A, px, &ex[0])
    init_axis(&B, py, &ey[0])
    nx = A.f.nb
    ny = B.f.nb
    ncell = nx * ny
    N = X.L
    nt = 1 if weighted else threads_for(N, nthreads)
    if weighted:
        out = np.zeros(ncell, dtype=np.float64)
        cw = out
    else:
        out = np.zeros(ncell, dtype=np.int64)
        ci = out
    bufs = <double *>malloc(nt * 3 * FD_CH * sizeof(double))
    codes = <int32_t *>malloc(nt * 2 * FD_CH * sizeof(int32_t))
    flags = <int *>calloc(nt, sizeof(int))
    try:
        if bufs == NULL or codes == NULL or flags == NULL:
            raise MemoryError()
        if not weighted:
            nch = (N + CHUNK - 1) // CHUNK
            tl = sub_len(ncell + 1)
            tabs = <int64_t *>calloc(nt * tl, sizeof(int64_t))
            if tabs == NULL:
                raise MemoryError()
            with nogil, parallel(num_threads=nt):
                tid = omp_get_thread_num()
                for b in prange(nch, schedule="dynamic"):
                    b1 = (b + 1) * CHUNK
                    flags[tid] |= count_pairs(&X, &Y, &A, &B, K, b * CHUNK,
                                              b1 if b1 < N else N, tabs + tid * tl,
                                              bufs + tid * 3 * FD_CH, codes + tid * 2 * FD_CH)
            for t in range(nt):
                merge_tables(tabs + t * tl, ncell, &ci[0])
        else:
            # numpy.histogram2d adds the weights per cell in pair order, in
            # one pass: so does this (on one thread), for NumPy's bits
            with nogil:
                flags[0] = wsum_pairs(&X, &Y, &W, &A, &B, K, 0, N, &cw[0], bufs, codes)
        for t in range(nt):
            bad |= flags[t]
    finally:
        free(tabs)
        free(bufs)
        free(codes)
        free(flags)
    return out.reshape(nx, ny), bad


cdef int count_pairs(const Src *X, const Src *Y, const Axis *A, const Axis *B,
                     const fd_kernels *K, Py_ssize_t i0, Py_ssize_t i1, int64_t *tab,
                     double *buf, int32_t *slow) noexcept nogil:
    """The pairs i0 .. i1-1 (1-D sources) into tab: the tables of nx ny + 1
    cells of ``hist_count2`` (``sub_ld`` apart), added by ``merge_tables``.  Returns
    bit 0: x not finite, bit 1: y."""
    cdef Py_ssize_t i = i0, m, t, s
    cdef intp_t ns
    cdef const double *xv
    cdef const double *yv
    cdef int bad = 0
    while i < i1:
        m = i1 - i if i1 - i < FD_CH else FD_CH
        xv = piece(X, 0, i, m, buf)
        yv = piece(Y, 0, i, m, buf + FD_CH)
        bad |= K.hist_count2(xv, yv, m, &A.f, &B.f, tab, sub_ld(A.f.nb * B.f.nb + 1), slow, &ns)
        for t in range(ns):
            s = slow[t]
            tab[place(A, xv[s]) * B.f.nb + place(B, yv[s])] += 1
        i += m
    return bad


cdef int wsum_pairs(const Src *X, const Src *Y, const Src *W, const Axis *A, const Axis *B,
                    const fd_kernels *K, Py_ssize_t i0, Py_ssize_t i1, double *part, double *buf,
                    int32_t *codes) noexcept nogil:
    """The weights of the pairs i0 .. i1-1 (1-D sources) added into part per
    cell, in pair order (part zeroed here).  Returns bit 0: x not finite,
    bit 1: y, bit 2: a weight."""
    cdef Py_ssize_t i = i0, m, t, kx, ky
    cdef const double *xv
    cdef const double *yv
    cdef const double *wv
    cdef int32_t *cx = codes
    cdef int32_t *cy = codes + FD_CH
    cdef int bad = 0, wbad = 0
    cdef Py_ssize_t ny = B.f.nb
    memset(part, 0, A.f.nb * B.f.nb * sizeof(double))
    while i < i1:
        m = i1 - i if i1 - i < FD_CH else FD_CH
        xv = piece(X, 0, i, m, buf)
        yv = piece(Y, 0, i, m, buf + FD_CH)
        wv = piece(W, 0, i, m, buf + 2 * FD_CH)
        bad |= K.hist_codes(xv, m, &A.f, cx)
        bad |= K.hist_codes(yv, m, &B.f, cy) << 1
        for t in range(m):
            wbad |= (wv[t] - wv[t]) != 0.0
            if cx[t] == FD_HIST_OUT or cy[t] == FD_HIST_OUT:
                continue
            kx = cx[t] if cx[t] >= 0 else place(A, xv[t])
            ky = cy[t] if cy[t] >= 0 else place(B, yv[t])
            part[kx * ny + ky] += wv[t]
        i += m
    return bad | (wbad << 2)
