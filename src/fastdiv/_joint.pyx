# cython: language_level=3
"""The compiled entry point of the measures on joint tables
(fastdiv.joint_entropy, conditional_entropy, mutual_information).

``tables`` computes one measure for every table ``P[..., i, j]`` of a batch.
Kernel contract: the caller (``fastdiv._tables``) has validated the
arguments; the entries are checked here, fused into the first pass, and a bad
table gets a status code instead of a value.

Per table (I rows x J columns, S the total):

* pass 1 reads every cell once: row sums r_i, the column sums c_j, S and the
  entry check (the bit patterns ORed: a sign bit set is rescanned for an
  entry < 0, -0.0 being fine; a NaN or infinite entry makes its row's sum
  NaN or infinite, so the r_i tell it).
  The summation order depends only on the shape (never on threads):

  - a row is cut into chunks of ``CH`` columns; a chunk is summed in the
    package's order (the C core's row kernels ``tbl_*``: 16 lanes, column
    j into lane j % 16, each lane in order, the lanes by a fixed tree) and a
    row's chunks are combined by the package's pairwise sum;
  - the rows are cut into NB <= 64 blocks of G rows (G = 16, or I / 64 rounded
    up when I > 1024); a block's rows are added one by one into the block's
    own column vector, and the NB vectors are combined by a fixed pairwise
    tree; S is the pairwise sum of the r_i.

  Error bounds (u = 2^-53, rounding to nearest, relative to the exact sums
  of the non-negative entries): |r_i err| <= (ceil(min(J, CH)/16) + 4 +
  ceil(log2 ceil(J/CH))) u r_i, |c_j err| <= (G - 1 + ceil(log2 NB)) u c_j,
  |S err| <= (that of r + ceil(log2 I)) u S.  For 64 x 64 tables: 8 u,
  17 u and 14 u.  (tests/fdtest/tables_reference.py builds its bound on
  these.)

* pass 2 reads the table again (from cache for moderate sizes) and
  evaluates ONE logarithm per cell, in the C core's chunk kernels
  (``tbl_terms``, inlining its vectorized logs), of a quantity
  formed with few roundings, so that the value is accurate in a relative
  sense rather than by a difference of entropies
  (D = S, or 1 with normalize=False):

  - H(X, Y) = -(1/D) sum c log(c / D): the log of the quotient without
    forming it (the core's log-ratio: within an ulp even where c / D is near 1);
  - H(X | Y) = (1/D) sum c log(c_j / c), again by the log-ratio: every term
    is >= 0;
  - I(X; Y): with rho = c D / (r_i c_j) = (c u_i) v_j (u_i = 1/r_i and
    v_j = D/c_j precomputed: four roundings) and w = r_i c_j / D, the sum
    F = sum over every cell of w f(rho), f(rho) = rho log rho - (rho - 1),
    is D I(X;Y) + S - S^2/D (f(0) = 1: a zero cell adds w).  Every term is
    >= 0, so nothing cancels in the sum; f is evaluated from the rounded rho
    itself (rho - 1 is exact near 1), so the rounding of rho moves a term by
    about w log(rho) rho eta (|eta| <= 4u), a relative error of ~10 u /
    |rho - 1| where the term is w (rho - 1)^2 / 2: near-independent tables
    (I ~ 1e-12) keep ~9 digits, where log(rho) alone would be off by u
    absolute per cell.  F is also stationary in the marginals (its
    derivative in r_i is -1 + sum_j c_j / D = 0), so their rounding errors
    enter only squared.  log rho is the core's log of normal inputs
    (``fd_logn``): rho <= 2^900 on this path; a rho that is 0 (a zero cell)
    or subnormal gets a finite but inexact log, which rho multiplies: off by
    less than 2^-1012 times the cell's weight, far below the accuracy bound.

  Cells with c = 0 contribute 0 (H) or w (F), told from the cell, never from
  a log of 0.

* a table whose quotients could overflow or underflow (S outside [2^-120,
  2^900], a positive marginal below S 2^-900, or sums that overflow) takes
  ``slow_table``: scalar, with the entries scaled by a power of two for the
  sums and every log taken as ``log_quotient`` (exponents added exactly) or
  of a quotient formed from mantissas; no value is lost but terms below
  2^-1022 S, which are below the accuracy bound.

Threads: ``prange`` over tables (one table per thread); when the batch has
fewer than 2 tables per thread, the blocks of one table run in parallel
instead.  Either way each block's partials are the same and are combined in
the same order, so results are the same bits for any thread count.
"""

cimport numpy as cnp
from libc.stdlib cimport malloc, calloc, free
from libc.math cimport log, fabs, ldexp, frexp, ilogb, isfinite, INFINITY
from cython.parallel cimport prange, parallel

from _openmp cimport FD_HAVE_OPENMP, omp_get_thread_num
from _core cimport fd_kernels, FD_TBL_JOINT, FD_TBL_COND, FD_TBL_MI
from fastdiv._rows cimport (
    kernels, gather, pairwise_sum, log_quotient, PARALLEL_MIN_WORK, ROW_NONFINITE,
    ROW_NEGATIVE, ROW_ZEROSUM, ROW_SUMOFF,
)

cnp.import_array()


# the core's numbers (fd_core.h), which its row kernel tbl_terms takes
cpdef enum Measure:
    JOINT_ENTROPY = FD_TBL_JOINT
    CONDITIONAL_ENTROPY = FD_TBL_COND
    MUTUAL_INFORMATION = FD_TBL_MI

# Table status: 0 is fine (the row driver's codes, input 0).
cpdef enum Status:
    NONFINITE = ROW_NONFINITE
    NEGATIVE = ROW_NEGATIVE
    ZEROSUM = ROW_ZEROSUM
    SUMOFF = ROW_SUMOFF

cdef enum:
    CH = 256            # columns per chunk: a chunk's buffers stay in L1
    MAX_BLOCKS = 64     # row blocks per table
    MIN_BLOCK = 16      # rows per block, at least
    NBUF = 4            # per-thread chunk buffers: gather, rho, log, fill
    TABLE_CHUNK = 16    # tables a thread takes at a time (one table per thread)

# The fast path's range (see the module docstring).
cdef double S_LO = ldexp(1.0, -120)
cdef double S_HI = ldexp(1.0, 900)
cdef double MARG_LO = ldexp(1.0, -900)
cdef double LN2 = 0.693147180559945309417232121458


cdef struct TJob:
    const char *data
    Py_ssize_t si, sj           # bytes between rows (i) / columns (j) of a table
    int nd                      # batch dimensions
    Py_ssize_t shape[64]        # batch shape
    Py_ssize_t bst[64]          # batch strides in bytes
    Py_ssize_t ntab, ni, nj     # tables, rows (I), columns (J)
    Py_ssize_t G, NB, NC        # rows per block, blocks, chunks per row
    int code                    # bit 0: float64 (else float32); bit 1: byte-swapped
    int direct                  # rows are read in place (native float64, contiguous)
    int measure
    int normalize
    double tol                  # normalize=False: |S - 1| <= tol
    double logK                 # the measure's largest value in nats
    double scale                # 1 / log(base)
    double top                  # logK in the caller's base, correctly rounded
    const fd_kernels *k         # the float64 kernels of the current ISA
    double *slots               # per-table scratch (see slot_len)
    Py_ssize_t slot_len
    double *thr                 # per-thread chunk buffers and chunk partials
    Py_ssize_t thr_len
    unsigned char *status


# ---- a slot: r[I] | rt[I] | v[J] | chk[NB] | col[NB * J] --------------------

cdef inline double *slot_r(const TJob *T, double *slot) noexcept nogil:
    return slot


cdef inline double *slot_rt(const TJob *T, double *slot) noexcept nogil:
    return slot + T.ni


cdef inline double *slot_v(const TJob *T, double *slot) noexcept nogil:
    return slot + 2 * T.ni


cdef inline double *slot_chk(const TJob *T, double *slot) noexcept nogil:
    return slot + 2 * T.ni + T.nj


cdef inline double *slot_col(const TJob *T, double *slot) noexcept nogil:
    """The column sums of block b at slot_col + b J; after pass 1, the table's
    at slot_col."""
    return slot + 2 * T.ni + T.nj + T.NB


# ---- sums in the fixed order -------------------------------------------------

# ---- the row kernels ---------------------------------------------------------
# In the C core (fd_kernels.template.c: tbl_sums, tbl_terms), per instruction
# set like every kernel of the package, reached through the current ISA's
# table T.k: rows of one chunk each, each row's sum in the package's order
# (lsum); a block of in-place rows per call, or one gathered chunk.

cdef inline double chunks_total(const double *cp, Py_ssize_t nc) noexcept nogil:
    return cp[0] if nc == 1 else pairwise_sum(cp, nc)


# ---- reading the table -------------------------------------------------------

cdef inline const char *table_ptr(const TJob *T, Py_ssize_t t) noexcept nogil:
    cdef Py_ssize_t off = 0, idx
    cdef int d
    for d in range(T.nd - 1, -1, -1):
        idx = t % T.shape[d]
        t = t // T.shape[d]
        off += idx * T.bst[d]
    return T.data + off


cdef inline const double *chunk_of(const TJob *T, const char *rowp, Py_ssize_t j0,
                                   Py_ssize_t n, double *g, double sc) noexcept nogil:
    """Columns j0..j0+n-1 of a row as float64: in place when the rows are
    native contiguous float64 (and sc == 1), else gathered into g and
    multiplied by the power of two sc."""
    cdef const char *src = rowp + j0 * T.sj
    cdef Py_ssize_t j
    if T.direct and sc == 1.0:
        return <const double *>src
    gather(src, T.sj, n, T.code, g)
    if sc != 1.0:
        for j in range(n):
            g[j] = g[j] * sc
    return g


cdef inline bint in_place(const TJob *T, double sc) noexcept nogil:
    """Rows are read in place, a block of them per kernel call: native
    contiguous float64 rows of one chunk, no scaling."""
    return T.direct and T.NC == 1 and sc == 1.0 and T.si % 8 == 0


# ---- pass 1 ------------------------------------------------------------------

ctypedef void (*block_fn)(const TJob *T, const char *tp, Py_ssize_t b, double *slot,
                          double *thr, double x, const char *ahead) noexcept nogil


cdef void block_sums(const TJob *T, const char *tp, Py_ssize_t b, double *slot, double *thr,
                     double sc, const char *ahead) noexcept nogil:
    """Pass 1 over the rows of block b (entries times sc): r_i of its rows,
    the block's column sums, and its entry check into chk[b].  (ahead: the
    block functions' common signature; pass 1 takes no hint.)"""
    cdef double *r = slot_r(T, slot)
    cdef double *col = slot_col(T, slot) + b * T.nj
    cdef double *g = thr
    cdef double *cp = thr + NBUF * CH
    cdef Py_ssize_t i, c, j0, n
    cdef Py_ssize_t i0 = b * T.G
    cdef Py_ssize_t i1 = i0 + T.G if i0 + T.G < T.ni else T.ni
    cdef const double *x
    cdef int bad = 0
    if in_place(T, sc):         # the block's rows in one call
        T.k.tbl_sums(<const double *>(tp + i0 * T.si), T.si // 8, i1 - i0, T.nj, col, 1,
                     r + i0, &bad)
    else:
        for i in range(i0, i1):
            for c in range(T.NC):
                j0 = c * CH
                n = T.nj - j0 if T.nj - j0 < CH else CH
                x = chunk_of(T, tp + i * T.si, j0, n, g, sc)
                T.k.tbl_sums(x, 0, 1, n, col + j0, i == i0, cp + c, &bad)
            r[i] = chunks_total(cp, T.NC)
    slot_chk(T, slot)[b] = bad


cdef void all_blocks(const TJob *T, block_fn fn, const char *tp, double *slot, double *thr,
                     int nthreads, double x, const char *ahead) noexcept nogil:
    """fn over every row block of a table: in parallel over the blocks (each
    thread with its own buffers; no hint then), or in order on one thread."""
    cdef Py_ssize_t b
    cdef int tid
    if nthreads > 1:
        with parallel(num_threads=nthreads):
            tid = omp_get_thread_num()
            for b in prange(T.NB, schedule="static"):
                fn(T, tp, b, slot, T.thr + tid * T.thr_len, x, NULL)
    else:
        for b in range(T.NB):
            fn(T, tp, b, slot, thr, x, ahead)


cdef double combine_sums(const TJob *T, double *slot) noexcept nogil:
    """The blocks' column vectors combined by a fixed pairwise tree into
    slot_col[0..J); returns S, the pairwise sum of the r_i."""
    cdef double *col = slot_col(T, slot)
    cdef double *a
    cdef const double *z
    cdef Py_ssize_t s = 1, b, j
    while s < T.NB:
        b = 0
        while b + s < T.NB:
            a = col + b * T.nj
            z = col + (b + s) * T.nj
            for j in range(T.nj):
                a[j] = a[j] + z[j]
            b += 2 * s
        s *= 2
    return pairwise_sum(slot_r(T, slot), T.ni)


cdef int classify_entries(const TJob *T, const char *tp, double *thr) noexcept nogil:
    """The status of a table whose entries pass 1 could not clear: NaN or
    infinity anywhere wins over a negative entry; 0 if neither (a row sum
    that overflowed)."""
    cdef Py_ssize_t i, c, j, j0, n
    cdef const double *x
    cdef int st = 0
    for i in range(T.ni):
        for c in range(T.NC):
            j0 = c * CH
            n = T.nj - j0 if T.nj - j0 < CH else CH
            x = chunk_of(T, tp + i * T.si, j0, n, thr, 1.0)
            for j in range(n):
                if not isfinite(x[j]):
                    return ROW_NONFINITE
                if x[j] < 0.0:
                    st = ROW_NEGATIVE
    return st


cdef int check_table(const TJob *T, const char *tp, double *slot, double *thr,
                     double S) noexcept nogil:
    """The table's status from pass 1: a negative entry was flagged per block;
    a NaN or infinite entry makes its row's sum NaN or infinite (as does a
    sum that overflows, which the entries then clear)."""
    cdef double k = 0.0
    cdef const double *r = slot_r(T, slot)
    cdef Py_ssize_t b, i
    cdef int st
    cdef double *chk = slot_chk(T, slot)
    for b in range(T.NB):
        k += chk[b]
    for i in range(T.ni):
        if not isfinite(r[i]):
            k = 1.0
    if k != 0.0:
        st = classify_entries(T, tp, thr)
        if st:
            return st
    if T.normalize:
        if S == 0.0:
            return ROW_ZEROSUM
    elif not fabs(S - 1.0) <= T.tol:
        return ROW_SUMOFF
    return 0


cdef bint fast_range(const TJob *T, double *slot, double S) noexcept nogil:
    """The fast path's quotients stay normal and finite (module docstring)."""
    cdef double lo = S * MARG_LO
    cdef double *r = slot_r(T, slot)
    cdef double *col = slot_col(T, slot)
    cdef Py_ssize_t i, j
    if not (S >= S_LO and S <= S_HI):
        return 0
    for i in range(T.ni):
        if r[i] > 0.0 and r[i] < lo:
            return 0
        if not isfinite(r[i]):
            return 0
    for j in range(T.nj):
        if col[j] > 0.0 and col[j] < lo:
            return 0
    return 1


# ---- pass 2, fast ------------------------------------------------------------

cdef void block_terms(const TJob *T, const char *tp, Py_ssize_t b, double *slot, double *thr,
                      double D, const char *ahead) noexcept nogil:
    """Pass 2 over the rows of block b: each row's sum of terms into rt[i]
    (H(X,Y): sum c log(c/D); H(X|Y): sum c log(c_j/c); I: sum w f(rho)).
    With `ahead` (the next table this thread reads, contiguous rows), row i
    of it is fetched while row i of this one is computed: pass 2 is bound
    by its logs, pass 1 by memory, and the hint overlaps the two."""
    cdef double *r = slot_r(T, slot)
    cdef double *rt = slot_rt(T, slot)
    cdef const double *v = slot_v(T, slot)
    cdef const double *col = slot_col(T, slot)
    cdef double *g = thr
    cdef double *cp = thr + NBUF * CH
    cdef Py_ssize_t i, c, j0, n
    cdef Py_ssize_t i0 = b * T.G
    cdef Py_ssize_t i1 = i0 + T.G if i0 + T.G < T.ni else T.ni
    cdef const double *x
    cdef const double *nxt = NULL
    cdef int m = T.measure
    if in_place(T, 1.0):        # the block's rows in one call
        if ahead != NULL:
            nxt = <const double *>(ahead + i0 * T.si)
        T.k.tbl_terms(m, <const double *>(tp + i0 * T.si), T.si // 8, i1 - i0, T.nj,
                      r + i0, D, v, col, nxt, rt + i0)
    else:
        for i in range(i0, i1):
            for c in range(T.NC):
                j0 = c * CH
                n = T.nj - j0 if T.nj - j0 < CH else CH
                x = chunk_of(T, tp + i * T.si, j0, n, g, 1.0)
                if ahead != NULL:
                    nxt = <const double *>(ahead + i * T.si + j0 * 8)
                T.k.tbl_terms(m, x, 0, 1, n, r + i, D, v + j0, col + j0, nxt, cp + c)
            rt[i] = chunks_total(cp, T.NC)
    if m == MUTUAL_INFORMATION:
        for i in range(i0, i1):
            rt[i] = rt[i] * (r[i] / D)


# ---- the slow path -----------------------------------------------------------

cdef double table_max(const TJob *T, const char *tp, double *thr) noexcept nogil:
    cdef Py_ssize_t i, c, j, j0, n
    cdef const double *x
    cdef double M = 0.0
    for i in range(T.ni):
        for c in range(T.NC):
            j0 = c * CH
            n = T.nj - j0 if T.nj - j0 < CH else CH
            x = chunk_of(T, tp + i * T.si, j0, n, thr, 1.0)
            for j in range(n):
                if x[j] > M:
                    M = x[j]
    return M


cdef double slow_table(const TJob *T, const char *tp, double *slot, double *thr) noexcept nogil:
    """The value (in nats, unclamped) of a valid table outside the fast
    range: sums of the entries times 2^-e (e from the largest entry, so no
    sum overflows), terms from the raw entries with exponents kept apart."""
    cdef double *r = slot_r(T, slot)
    cdef double *rt = slot_rt(T, slot)
    cdef double *col = slot_col(T, slot)
    cdef double *g = thr
    cdef double *L = thr + 2 * CH
    cdef double *cp = thr + NBUF * CH
    cdef Py_ssize_t i, c, j, j0, n
    cdef const double *x
    cdef double M, sc, S, D, mD, mr, mc, mcj, q, rho, w, cs, F, t
    cdef int e, eD, er, ec, ecj, E
    cdef int m = T.measure
    M = table_max(T, tp, thr)
    e = ilogb(M)
    e = -1000 if e < -1000 else (1000 if e > 1000 else e)
    sc = ldexp(1.0, -e)
    all_blocks(T, block_sums, tp, slot, thr, 1, sc, NULL)
    S = combine_sums(T, slot)            # all three: the sums times 2^-e
    D = S if T.normalize else sc
    mD = frexp(D, &eD)
    for i in range(T.ni):
        if r[i] == 0.0:
            rt[i] = 0.0
            continue
        mr = frexp(r[i], &er)
        for c in range(T.NC):
            j0 = c * CH
            n = T.nj - j0 if T.nj - j0 < CH else CH
            x = chunk_of(T, tp + i * T.si, j0, n, g, 1.0)
            for j in range(n):
                cs = ldexp(x[j], -e)
                if m == MUTUAL_INFORMATION:
                    w = r[i] * (col[j0 + j] / D)
                    if cs == 0.0:
                        # zero, or below 2^-1074 of the largest entry: its
                        # c log(rho) - c is below the accuracy bound
                        t = w
                    else:
                        mc = frexp(x[j], &ec)
                        mcj = frexp(col[j0 + j], &ecj)
                        q = (mc * mD) / (mr * mcj)
                        E = ec - e + eD - er - ecj
                        t = -1.0
                        if -1000 < E < 1000:
                            rho = ldexp(q, E)
                            if 0.5 <= rho <= 2.0:
                                # c g(rho), g = log rho - (rho - 1)/rho: the
                                # rounded rho itself, as in the fast path
                                t = cs * (log(rho) - (rho - 1.0) / rho)
                        if t < 0.0:
                            t = cs * (log_quotient(mc * mD, mr * mcj, E) - 1.0) + w
                elif cs == 0.0:
                    t = 0.0
                elif m == JOINT_ENTROPY:
                    t = cs * log_quotient(D, x[j], e)          # log(D 2^e / c)
                else:
                    t = cs * log_quotient(col[j0 + j], x[j], e)  # log(c_j 2^e / c)
                L[j] = t
            cp[c] = pairwise_sum(L, n)
        rt[i] = chunks_total(cp, T.NC)
    F = pairwise_sum(rt, T.ni) / D
    if m == MUTUAL_INFORMATION and not T.normalize:
        F = F + (S / D) * (1.0 - S / D)
    return F


# ---- one table ---------------------------------------------------------------

cdef inline double value_out(const TJob *T, double v) noexcept nogil:
    """v (nats) clamped to [0, logK], in the caller's base, within top."""
    if v < 0.0:
        v = 0.0
    if v > T.logK:
        v = T.logK
    v = v * T.scale
    # (written so that a NaN would pass through to the tests, never be hidden)
    if T.scale > 0.0:
        return T.top if v > T.top else v
    return T.top if v < T.top else v


cdef int do_table(const TJob *T, Py_ssize_t t, double *slot, double *thr, int nthreads,
                  double *out) noexcept nogil:
    cdef const char *tp = table_ptr(T, t)
    cdef const char *ahead
    cdef double S, D, F
    cdef double *v = slot_v(T, slot)
    cdef const double *col = slot_col(T, slot)
    cdef Py_ssize_t j
    cdef int st
    all_blocks(T, block_sums, tp, slot, thr, nthreads, 1.0, NULL)
    S = combine_sums(T, slot)
    st = check_table(T, tp, slot, thr, S)
    if st:
        return st
    if not fast_range(T, slot, S):
        out[t] = value_out(T, slow_table(T, tp, slot, thr))
        return 0
    D = S if T.normalize else 1.0
    if T.measure == MUTUAL_INFORMATION:
        for j in range(T.nj):
            v[j] = D / col[j] if col[j] > 0.0 else 0.0
    # the next table, which this thread reads next within its chunk of
    # tables (a hint only), when its rows are contiguous float64
    ahead = NULL
    if nthreads == 1 and T.direct and t + 1 < T.ntab:
        ahead = table_ptr(T, t + 1)
    all_blocks(T, block_terms, tp, slot, thr, nthreads, D, ahead)
    F = pairwise_sum(slot_rt(T, slot), T.ni)
    if T.measure == JOINT_ENTROPY:
        F = -F / D
    elif T.measure == CONDITIONAL_ENTROPY:
        F = F / D
    else:
        F = F / D
        if not T.normalize:
            F = F + S * (1.0 - S)
    out[t] = value_out(T, F)
    return 0


cdef void run_tables(TJob *T, int nt, bint per_table, double *out) noexcept nogil:
    cdef Py_ssize_t t
    cdef int tid
    if nt == 1:
        for t in range(T.ntab):
            T.status[t] = do_table(T, t, T.slots, T.thr, 1, out)
    elif per_table:
        with parallel(num_threads=nt):
            tid = omp_get_thread_num()
            # chunks of tables taken as threads come free: a thread held up
            # (a shared core) delays the call by a chunk, not by half of it
            for t in prange(T.ntab, schedule="dynamic", chunksize=TABLE_CHUNK):
                T.status[t] = do_table(T, t, T.slots + tid * T.slot_len,
                                       T.thr + tid * T.thr_len, 1, out)
    else:
        for t in range(T.ntab):
            T.status[t] = do_table(T, t, T.slots, T.thr, nt, out)


def tables(int measure, cnp.ndarray P, double[::1] out, *, bint normalize=True, double tol=0.0,
           double logk=INFINITY, double scale=1.0, double top=INFINITY, int nthreads=1):
    """Measure ``measure`` of every table ``P[..., i, j]`` into ``out``.

    ``P``: a float32/float64 array of any strides and byte order with
    ndim >= 2 and non-empty last two axes; ``out`` one slot per table in C
    order.  ``logk`` is the measure's largest value in nats, ``top`` the same
    in the caller's base (correctly rounded), ``scale`` 1 / log(base).
    Returns ``(table, status)`` of the first bad table, or ``(-1, 0)``.
    """
    cdef TJob T
    cdef int d, nd = cnp.PyArray_NDIM(P)
    cdef int nt, nslots
    cdef bint per_table
    cdef cnp.npy_intp *strides = cnp.PyArray_STRIDES(P)
    cdef Py_ssize_t t
    cdef double *outp = &out[0] if out.shape[0] > 0 else NULL
    if measure < 0 or measure > 2:
        raise ValueError(f"internal: unknown measure {measure}")
    dt = P.dtype
    if dt.kind != "f" or dt.itemsize not in (4, 8) or nd < 2 or nd > 64:
        raise TypeError("internal: tables take float32/float64 arrays of ndim >= 2")
    T.data = <const char *>cnp.PyArray_DATA(P)
    T.nd = nd - 2
    T.ntab = 1
    for d in range(nd - 2):
        T.shape[d] = P.shape[d]
        T.bst[d] = strides[d]
        T.ntab *= P.shape[d]
    T.ni = P.shape[nd - 2]
    T.nj = P.shape[nd - 1]
    T.si = strides[nd - 2]
    T.sj = strides[nd - 1]
    if T.ni < 1 or T.nj < 1:
        raise ValueError("internal: empty table")
    if out.shape[0] != T.ntab:
        raise ValueError("internal: bad output")
    T.code = (1 if dt.itemsize == 8 else 0) | ((0 if dt.isnative else 1) << 1)
    T.direct = T.code == 1 and T.sj == 8
    T.G = MIN_BLOCK
    if T.ni > MIN_BLOCK * MAX_BLOCKS:
        T.G = (T.ni + MAX_BLOCKS - 1) // MAX_BLOCKS
    T.NB = (T.ni + T.G - 1) // T.G
    T.NC = (T.nj + CH - 1) // CH
    T.measure = measure
    T.normalize = normalize
    T.tol = tol
    T.logK = logk
    T.scale = scale
    T.top = top
    T.k = kernels(1)
    if T.ntab == 0:
        return (-1, 0)
    nt = nthreads if nthreads > 1 else 1
    if T.ntab * T.ni * T.nj < PARALLEL_MIN_WORK or not FD_HAVE_OPENMP:
        nt = 1
    per_table = T.ntab >= 2 * nt or T.NB == 1
    nslots = nt if (nt > 1 and per_table) else 1
    T.slot_len = 2 * T.ni + T.nj + T.NB + T.NB * T.nj
    # chunk buffers and chunk partials, plus 64 bytes: threads never write to
    # one cache line
    T.thr_len = NBUF * CH + T.NC + 8
    T.slots = <double *>malloc(nslots * T.slot_len * sizeof(double))
    T.thr = <double *>malloc(nt * T.thr_len * sizeof(double))
    T.status = <unsigned char *>calloc(T.ntab, 1)
    try:
        if T.slots == NULL or T.thr == NULL or T.status == NULL:
            raise MemoryError()
        with nogil:
            run_tables(&T, nt, per_table, outp)
        for t in range(T.ntab):
            if T.status[t]:
                return (t, T.status[t])
        return (-1, 0)
    finally:
        free(T.slots)
        free(T.thr)
        free(T.status)
