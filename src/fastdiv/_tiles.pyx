# cython: language_level=3
"""Pairwise matrices and nearest rows: the compiled entry points of
``fastdiv.pairwise`` and ``fastdiv.nearest`` (``fastdiv._pairwise`` validates
and calls ``pairwise`` or ``nearest`` here once).

A call is a ``Pairs``: the rows of P and Q, the row driver's ``Job`` for one
pair (the measure's descriptor, keywords and kernels; ``_rows``), and what
one first pass over each row found (``row_check``: its status, its sum,
whether the probability kernels take it).  The m x n pairs are cut into
tiles of rows, which threads take in any order (``prange``, dynamic): a
pair's value depends only on its two rows, never on its tile, its thread or
the order, so results are bit-identical for any thread count.

A pair's value comes one of two ways.

* Directly, on the exact family's kernels: ``row_terms`` (the second pass of
  the one-pair function) with both rows' sums already known, or ``do_row``
  for logits, the Renyi divergence and rows outside the kernels' range.
  JS, total variation, Renyi and anything with logits are always computed
  so, and equal the one-pair functions bit for bit.
* By a shortcut through dot products, for KL, cross-entropy and Hellinger on
  probabilities (rows of up to SHORT_MAX_K entries).  Each row is prepared
  once (``prepare_rows``), not once per pair:
  A = p / Sp and B = log(q / Sq) (KL and cross-entropy: H(P, Q) = -A . B and
  KL = H(P, Q) - H(P), with H(P) of each row taken once), or A = sqrt(p / Sp)
  and B = sqrt(q / Sq) (Hellinger: sum (A - B)^2 = 2 - 2 A . B).  The dot
  products of a tile are one call of the core's ``dot_tile``.  The shortcut
  cancels (KL of near-identical rows, Hellinger of close ones), so each
  pair's rounding error is bounded from the dot product's (FD_DOT_ERR) and
  the prepared rows' (see ``shortcut``), and the value is used only when
  that bound is within SHORT_RTOL of the sum of |terms|; every other pair is
  computed directly.  Equal rows therefore give exactly 0, and no value is
  negative.
"""

cimport cython
cimport numpy as cnp
from libc.stdlib cimport malloc, calloc, free
from libc.string cimport memcpy, memset
from libc.math cimport sqrt, ldexp, isnan, INFINITY, NAN
from cython.parallel cimport prange, parallel

from _openmp cimport FD_HAVE_OPENMP, omp_get_thread_num
from _core cimport (
    fd_measure, FD_K_NONE, FD_K_KL, FD_K_XENT,
    FD_K_HEL, FD_JS, FD_JS_DISTANCE, FD_TV, FD_HELLINGER, FD_RENYI_DIVERGENCE, FD_DOT_ERR,
)
from fastdiv._rows cimport (
    Job, init_job, set_params, start_job, end_job, first_bad, measure_of, do_row, row_check,
    row_terms, finish_terms, buf_bytes, parts_stride, kernels, gather, pairwise_sum,
    PARALLEL_MIN_WORK,
)

cnp.import_array()


cdef enum:
    SHORT_NONE = 0          # every pair directly
    SHORT_LOG = 1           # KL, cross-entropy: A = pn, B = log qn
    SHORT_SQRT = 2          # Hellinger: A = sqrt pn, B = sqrt qn

# The shortcut's value is used when its error bound is at most this much of
# the sum of |terms| (the accuracy the one-pair functions keep, 1e-13, with
# a margin).
cdef double SHORT_RTOL = 8e-14
cdef double U = 1.1102230246251565e-16      # 2^-53, the unit roundoff
# Rows longer than this take no shortcut.
cdef Py_ssize_t SHORT_MAX_K = 2048
# B = ZERO_LOG stands for log 0 (q = 0).  A row of P takes part in the
# shortcut only if its nonzero pn are >= 2^-900, so a pn > 0 meeting a q = 0
# adds at least 2^100 to H(P, Q), whose finite values are below 2^10: a sum
# above HIT is +inf, exactly where the one-pair function gives +inf; and
# 0 * ZERO_LOG is 0, where log 0 would give NaN.
cdef double ZERO_LOG = -ldexp(1.0, 1000)
cdef double HIT = ldexp(1.0, 90)
cdef double TINY_P = ldexp(1.0, -900)
cdef double TINY_Q = ldexp(1.0, -1021)      # below: log(q / Sq) loses digits


cdef struct Pairs:
    Job J                   # one pair (nd = 0, R = 1): measure, keywords, kernels
    const char *P0          # first rows of P and Q
    const char *Q0
    Py_ssize_t m, n, K
    Py_ssize_t pst, qst     # bytes between rows
    bint self_              # Q is P
    bint sym                # self_ and the metric is symmetric: (i, j) as (min, max)
    bint renyi              # the Renyi divergence (no shortcut, not even at order 1)
    bint terms              # row_terms computes the measure (not logits, not Renyi)
    double *Sp              # row sums, where fp / fq
    double *Sq
    unsigned char *fp       # the probability kernels take the row
    unsigned char *fq
    int short_              # SHORT_*
    bint kl                 # SHORT_LOG: the value is H(P, Q) - H(P) (else H(P, Q))
    double *A               # prepared rows, Kp apart, 64-byte aligned (tile_a: TI
    double *B               # rows per thread, the tile it works on)
    bint tile_a             # A prepared tile by tile (nearest: a tile of P once)
    const Job *JP           # the one-input job over P's rows (prepare_row)
    Py_ssize_t Kp
    double *hp              # KL: H(P) of each row, nats
    unsigned char *okp      # the row takes part in the shortcut
    unsigned char *okq
    double err              # the shortcut's error bound, units of U (see shortcut)
    Py_ssize_t TI, TJ       # tile rows of P and of Q
    int nt                  # threads
    char *bufs              # per-thread buffers of the direct path (Job layout)
    double *parts
    Py_ssize_t pstride
    double *tiles           # per-thread TI x TJ tile of values (nearest_rows)
    double *rowbuf          # per-thread scratch, rowstride doubles: a row (prepare_row)
    Py_ssize_t rowstride    # or TI counters (nearest_rows)


# ---- one pair --------------------------------------------------------------

cdef double pair_direct(const Pairs *T, Job *Jt, Py_ssize_t i, Py_ssize_t j,
                        int tid) noexcept nogil:
    """The value of pair (i, j) on the exact family's kernels; a symmetric
    metric over one matrix takes (min, max), so that both entries are one
    value."""
    cdef const char *rp[2]
    cdef double S[2]
    cdef double v = 0.0
    cdef Py_ssize_t t
    if T.sym and i > j:
        t = i
        i = j
        j = t
    rp[0] = T.P0 + i * T.pst
    rp[1] = T.Q0 + j * T.qst
    if T.terms and T.fp[i] and T.fq[j]:
        S[0] = T.Sp[i]
        S[1] = T.Sq[j]
        # row 1 of a one-row job: no prefetch hints
        row_terms(Jt, rp, S, T.bufs + tid * buf_bytes(), T.parts + tid * T.pstride, 1, &v, 1)
    else:
        Jt.a[0].data = rp[0]
        Jt.a[1].data = rp[1]
        do_row(Jt, 0, tid, 1, &v)
    return v


cdef Py_ssize_t shortcut_tile(const Pairs *T, Py_ssize_t i0, Py_ssize_t i1, Py_ssize_t j0,
                              Py_ssize_t j1, double *C, Py_ssize_t ldc) noexcept nogil:
    """The values of a tile's pairs from their dot products d = A_i . B_j in
    C (row i at C + (i - i0) ldc), in place; NaN where the shortcut's error
    bound is not within SHORT_RTOL of the pair's sum of |terms| (or a row
    cannot take part).  Returns how many are NaN.

    The dot product's error is at most FD_DOT_ERR(Kp) U sum |A_k B_k|.
    SHORT_LOG: A_k = fl(p a) is within U of pn relative, B_k = fl(log fl(q a))
    within U (1 + 2 |log qn|) of log qn (the package's log is within 1.5 ulp),
    so H(P, Q) = -d is within U ((FD_DOT_ERR + 3) H(P, Q) + 1); H(P) (a
    pairwise sum of K terms) within U ((3 + log2 K) H(P) + 1), which the same
    factor covers.  KL = H(P, Q) - H(P) (or H(P, Q) itself) is at most the
    sum of |terms|, so the value is used when the bound is within SHORT_RTOL
    of it; it is then positive.  SHORT_SQRT: A_k, B_k are within U relative
    (a product, then a square root), so d is within (FD_DOT_ERR + 2) U d; the
    sum of terms is Sp + Sq - 2 d (2 - 2 d for normalized rows), with the
    sums of the stats pass within FD_DOT_ERR U of theirs.  The values are
    finished by finish_terms, as the one-pair functions finish theirs."""
    cdef Py_ssize_t i, j
    cdef double ce, h, v, bound, d, sp, sq
    cdef double err = T.err, rtol = SHORT_RTOL
    cdef double inf_value = finish_terms(&T.J, INFINITY)
    cdef double *c
    cdef const unsigned char *okq = T.okq
    cdef bint normalize = T.J.normalize
    cdef Py_ssize_t refused = 0
    for i in range(i0, i1):
        c = C + (i - i0) * ldc
        if not T.okp[i]:
            for j in range(j0, j1):
                c[j - j0] = NAN
            refused += j1 - j0
            continue
        if T.short_ == SHORT_LOG:
            h = T.hp[i] if T.kl else 0.0
            for j in range(j0, j1):
                ce = -c[j - j0]
                v = ce - h
                bound = U * (err * (ce + h) + 4.0)
                if not okq[j]:
                    c[j - j0] = NAN
                    refused += 1
                elif ce >= HIT:
                    c[j - j0] = inf_value
                elif bound <= rtol * v:
                    c[j - j0] = finish_terms(&T.J, v)
                else:
                    c[j - j0] = NAN
                    refused += 1
        else:
            sp = T.Sp[i] if not normalize else 1.0
            for j in range(j0, j1):
                d = c[j - j0]
                sq = T.Sq[j] if not normalize else 1.0
                v = (sp + sq) - 2.0 * d
                bound = U * err * (2.0 * d + (0.0 if normalize else sp + sq))
                if okq[j] and bound <= rtol * v:
                    c[j - j0] = finish_terms(&T.J, v)
                else:
                    c[j - j0] = NAN
                    refused += 1
    return refused


# ---- prepared rows ---------------------------------------------------------

cdef void prepare_row(const Pairs *T, const Job *R, Py_ssize_t r, bint is_b, double S,
                      bint fast, double *dst, double *tmp, unsigned char *ok,
                      double *h) noexcept nogil:
    """Row r of input R (a one-input job over P or Q) as the shortcut takes
    it, into dst[0..Kp) (zero-padded): A (is_b = 0) or B, with ok[0] = 1 if
    the row can take part; for KL's A rows also h[0] = H(P) of the row."""
    cdef Py_ssize_t k, K = T.K
    cdef double a, x
    cdef unsigned char good = fast
    cdef const char *row = R.a[0].data + r * R.a[0].st[0]
    memset(dst, 0, T.Kp * sizeof(double))
    ok[0] = 0
    if not fast:
        return
    a = 1.0 / S if T.J.normalize else 1.0
    gather(row, R.a[0].kstride, K, R.a[0].code, dst)
    if T.short_ == SHORT_SQRT:
        for k in range(K):
            dst[k] = sqrt(dst[k] * a)
        ok[0] = 1
        return
    for k in range(K):
        x = dst[k]
        dst[k] = x * a
        if x > 0.0 and dst[k] < (TINY_Q if is_b else TINY_P):
            good = 0
    if is_b:
        kernels(1).vlog(dst, K, tmp)
        for k in range(K):
            dst[k] = tmp[k] if dst[k] > 0.0 else ZERO_LOG
    elif T.kl:
        kernels(1).vlog(dst, K, tmp)
        for k in range(K):
            tmp[k] = -dst[k] * tmp[k] if dst[k] > 0.0 else 0.0
        h[0] = pairwise_sum(tmp, K)
    ok[0] = good


cdef void prepare_rows(Pairs *T, const Job *JP, const Job *JQ) noexcept nogil:
    """A from every row of P (unless tile_a: then each tile's, as it is
    taken), B from every row of Q (of P when Q is None; Hellinger's self
    comparison shares A)."""
    cdef Py_ssize_t r
    cdef int tid
    cdef double *tmp
    cdef bint par = T.nt > 1 and (T.m + T.n) * T.K >= PARALLEL_MIN_WORK
    with parallel(num_threads=T.nt if par else 1):
        tid = omp_get_thread_num()
        tmp = T.rowbuf + tid * T.rowstride
        if not T.tile_a:
            for r in prange(T.m, schedule="static"):
                prepare_row(T, JP, r, 0, T.Sp[r], T.fp[r], T.A + r * T.Kp, tmp, &T.okp[r],
                            &T.hp[r])
        if T.B != T.A:
            for r in prange(T.n, schedule="static"):
                prepare_row(T, JQ, r, 1, T.Sq[r], T.fq[r], T.B + r * T.Kp, tmp, &T.okq[r],
                            NULL)


# ---- tiles -----------------------------------------------------------------

cdef void tile_values(const Pairs *T, Job *Jt, Py_ssize_t i0, Py_ssize_t i1, Py_ssize_t j0,
                      Py_ssize_t j1, bint upper, int tid, double *C,
                      Py_ssize_t ldc) noexcept nogil:
    """The values of pairs i0 <= i < i1, j0 <= j < j1 into C[(i - i0) ldc +
    (j - j0)]; with upper, only those with j > i are values (the others
    hold anything)."""
    cdef Py_ssize_t i, j
    cdef double *c
    if T.short_ != SHORT_NONE:
        kernels(1).dot_tile(T.A + (tid * T.TI if T.tile_a else i0) * T.Kp, T.Kp, i1 - i0,
                            T.B + j0 * T.Kp, T.Kp, j1 - j0, T.Kp, C, ldc)
        if shortcut_tile(T, i0, i1, j0, j1, C, ldc) == 0:
            return              # every pair by the shortcut
    for i in range(i0, i1):
        c = C + (i - i0) * ldc
        for j in range(j0, j1):
            if upper and j <= i:
                continue
            if T.short_ == SHORT_NONE or isnan(c[j - j0]):
                c[j - j0] = pair_direct(T, Jt, i, j, tid)


cdef void matrix_tile(const Pairs *T, Py_ssize_t ti, Py_ssize_t tj, int tid,
                      double *out) noexcept nogil:
    """Tile (ti, tj) of the matrix, computed in place in out (m x n, C
    order); for a symmetric metric over one matrix, tiles with tj >= ti
    only, each then written mirrored (over the lower part of a diagonal
    tile, which the tile's dot products fill with anything), and the
    diagonal 0."""
    cdef Job Jt
    cdef Py_ssize_t i, j
    cdef Py_ssize_t i0 = ti * T.TI, j0 = tj * T.TJ
    cdef Py_ssize_t i1 = min(i0 + T.TI, T.m), j1 = min(j0 + T.TJ, T.n)
    memcpy(&Jt, &T.J, sizeof(Job))
    tile_values(T, &Jt, i0, i1, j0, j1, T.sym and ti == tj, tid, out + i0 * T.n + j0, T.n)
    if not T.sym:
        return
    for i in range(i0, i1):
        for j in range(max(j0, i), j1):
            if j == i:
                out[i * T.n + i] = 0.0
            else:
                out[j * T.n + i] = out[i * T.n + j]


cdef inline bint before(double v, Py_ssize_t j, double w, Py_ssize_t l) noexcept nogil:
    """(v, j) comes before (w, l): smaller value, then lower index."""
    return v < w or (v == w and j < l)


cdef void sift_down(double *hv, Py_ssize_t *hi, Py_ssize_t c, double v,
                    Py_ssize_t j) noexcept nogil:
    """Put (v, j) at the top of the max-heap hv/hi of c entries, replacing
    the top, and sift it down."""
    cdef Py_ssize_t s = 0, ch
    while True:
        ch = 2 * s + 1
        if ch >= c:
            break
        if ch + 1 < c and before(hv[ch], hi[ch], hv[ch + 1], hi[ch + 1]):
            ch += 1
        if not before(v, j, hv[ch], hi[ch]):
            break
        hv[s] = hv[ch]
        hi[s] = hi[ch]
        s = ch
    hv[s] = v
    hi[s] = j


cdef void heap_offer(double *hv, Py_ssize_t *hi, Py_ssize_t c, Py_ssize_t k, double v,
                     Py_ssize_t j) noexcept nogil:
    """Offer (v, j) to the max-heap hv/hi of c <= k entries, the k best so
    far with the worst on top: added while c < k, else it replaces the top
    if it comes before it."""
    cdef Py_ssize_t s, p
    if c < k:
        s = c
        while s > 0:
            p = (s - 1) // 2
            if not before(hv[p], hi[p], v, j):
                break
            hv[s] = hv[p]
            hi[s] = hi[p]
            s = p
        hv[s] = v
        hi[s] = j
    elif before(v, j, hv[0], hi[0]):
        sift_down(hv, hi, k, v, j)


cdef void heap_sort(double *hv, Py_ssize_t *hi, Py_ssize_t k) noexcept nogil:
    """A full max-heap of k entries in ascending order (best first)."""
    cdef Py_ssize_t c, j
    cdef double v
    for c in range(k - 1, 0, -1):
        v = hv[c]
        j = hi[c]
        hv[c] = hv[0]
        hi[c] = hi[0]
        sift_down(hv, hi, c, v, j)


cdef void nearest_rows(const Pairs *T, Py_ssize_t ti, Py_ssize_t k, int tid, double *vals,
                       Py_ssize_t *idx) noexcept nogil:
    """The k nearest rows of Q for the rows of tile ti of P, over every tile
    of Q, into vals / idx (m x k): a heap per row, then sorted."""
    cdef Job Jt
    cdef Py_ssize_t i, j, tj, j0, j1
    cdef Py_ssize_t i0 = ti * T.TI
    cdef Py_ssize_t i1 = min(i0 + T.TI, T.m)
    cdef Py_ssize_t ntj = (T.n + T.TJ - 1) // T.TJ
    cdef double *C = T.tiles + tid * T.TI * T.TJ
    cdef double *tmp = T.rowbuf + tid * T.rowstride
    cdef Py_ssize_t *cnt = <Py_ssize_t *>tmp      # after prepare_row is done with tmp
    memcpy(&Jt, &T.J, sizeof(Job))
    if T.tile_a:
        for i in range(i0, i1):
            prepare_row(T, T.JP, i, 0, T.Sp[i], T.fp[i], T.A + (tid * T.TI + i - i0) * T.Kp,
                        tmp, &T.okp[i], &T.hp[i])
    for i in range(i1 - i0):
        cnt[i] = 0
    for tj in range(ntj):
        j0 = tj * T.TJ
        j1 = min(j0 + T.TJ, T.n)
        tile_values(T, &Jt, i0, i1, j0, j1, 0, tid, C, T.TJ)
        for i in range(i0, i1):
            for j in range(j0, j1):
                if T.self_ and j == i:
                    continue
                heap_offer(vals + i * k, idx + i * k, cnt[i - i0], k,
                           C[(i - i0) * T.TJ + (j - j0)], j)
                if cnt[i - i0] < k:
                    cnt[i - i0] += 1
    for i in range(i0, i1):
        heap_sort(vals + i * k, idx + i * k, k)


# ---- a call ----------------------------------------------------------------

cdef int open_rows(Job *R, cnp.ndarray X, const fd_measure *d, bint normalize, bint logits,
                   double tol, double alpha, int nthreads) except -1:
    """R: a one-input job over the rows of X (2-D) for their first pass
    (row_check), started; returns its thread count."""
    init_job(R, X, None)
    set_params(R, d, normalize, logits, tol, tol, alpha, 1.0, INFINITY)
    return start_job(R, nthreads)


cdef double *aligned(Py_ssize_t n, void **raw) noexcept nogil:
    """n doubles, 64-byte aligned; raw[0] is what to free."""
    cdef size_t p
    raw[0] = malloc(n * sizeof(double) + 64)
    if raw[0] == NULL:
        return NULL
    p = (<size_t>raw[0] + 63) & ~(<size_t>63)
    return <double *>p


@cython.auto_pickle(False)
cdef class _Call:
    """The resources of one call (freed when it goes)."""
    cdef Pairs T
    cdef Job JP, JQ
    cdef bint has_q
    cdef void *raw[2]

    def __cinit__(self):
        memset(&self.T, 0, sizeof(Pairs))
        memset(&self.JP, 0, sizeof(Job))
        memset(&self.JQ, 0, sizeof(Job))
        self.raw[0] = self.raw[1] = NULL

    def __dealloc__(self):
        end_job(&self.JP)
        end_job(&self.JQ)
        if self.T.Sq != self.T.Sp:
            free(self.T.Sq)
        if self.T.fq != self.T.fp:
            free(self.T.fq)
        free(self.T.Sp)
        free(self.T.fp)
        free(self.T.okp)
        free(self.T.okq)
        free(self.T.hp)
        free(self.T.bufs)
        free(self.T.parts)
        free(self.T.tiles)
        free(self.T.rowbuf)
        free(self.raw[0])
        free(self.raw[1])

    cdef object setup(self, int code, cnp.ndarray P, object Q, bint normalize, bint logits,
                      double tolp, double tolq, double alpha, double scale, int nthreads,
                      Py_ssize_t tile_rows, bint tile_a):
        """Check every row; returns (input, row, status) of the first bad row
        (input 0 = P, 1 = Q) or None, and then prepares the shortcut (with
        tile_a, P's rows only as nearest_rows takes their tiles)."""
        cdef Pairs *T = &self.T
        cdef const fd_measure *d = measure_of(code, alpha)
        cdef cnp.ndarray QA = P if Q is None else Q
        cdef Py_ssize_t tile
        cdef int nt
        T.self_ = Q is None
        T.m = P.shape[0]
        T.n = QA.shape[0]
        T.K = P.shape[1]
        T.pst = P.strides[0]
        T.qst = QA.strides[0]
        T.P0 = <const char *>cnp.PyArray_DATA(P)
        T.Q0 = <const char *>cnp.PyArray_DATA(QA)
        T.sym = T.self_ and (code == FD_JS or code == FD_JS_DISTANCE or code == FD_TV
                             or code == FD_HELLINGER)
        # the one-pair Job: rows 0 of P and Q as 1-D
        init_job(&T.J, P[0], QA[0])
        set_params(&T.J, d, normalize, logits, tolp, tolq, alpha, scale, INFINITY)
        # Renyi (of any order, 1 included) always goes the one-pair
        # function's way (do_row), so that it equals it bit for bit
        T.renyi = code == FD_RENYI_DIVERGENCE
        T.terms = not logits and not T.renyi and d.terms != FD_K_NONE
        # the first pass over every row: one-input jobs over P and Q
        nt = open_rows(&self.JP, P, d, normalize, logits, tolp, alpha, nthreads)
        if not T.self_:
            open_rows(&self.JQ, QA, d, normalize, logits, tolq, alpha, nthreads)
        # threads for the pairs: the work is m n K
        if not FD_HAVE_OPENMP or <double>T.m * T.n * T.K < PARALLEL_MIN_WORK:
            nt = 1
        else:
            nt = nthreads if nthreads > 1 else 1
        T.nt = nt
        T.Sp = <double *>malloc(T.m * sizeof(double))
        T.fp = <unsigned char *>calloc(T.m, 1)
        T.Sq = T.Sp if T.self_ else <double *>malloc(T.n * sizeof(double))
        T.fq = T.fp if T.self_ else <unsigned char *>calloc(T.n, 1)
        if T.Sp == NULL or T.fp == NULL or T.Sq == NULL or T.fq == NULL:
            raise MemoryError()
        err = self.check(&self.JP, T.Sp, T.fp, 0)
        if err is None and not T.self_:
            err = self.check(&self.JQ, T.Sq, T.fq, 1)
        if err is not None:
            return err
        # tiles: a tile of Q's rows within about 256 KiB (a core's L2 share)
        T.Kp = (T.K + 7) // 8 * 8
        tile = tile_rows if tile_rows > 0 else max(8, min(128, (32768 // T.Kp) // 8 * 8))
        # and small enough that every thread has tiles to take (few rows of
        # a costly measure, such as Renyi's, are still shared)
        while tile_rows <= 0 and tile > 8 and (<double>((T.m + tile - 1) // tile)
                                               * ((T.n + tile - 1) // tile) < 4 * nt):
            tile //= 2
        T.TI = tile
        T.TJ = tile
        # per-thread buffers of the direct path, as start_job makes them
        T.pstride = parts_stride(T.J.nb)
        T.rowstride = max(T.Kp, T.TI)
        T.bufs = <char *>malloc(nt * buf_bytes())
        T.parts = <double *>malloc(nt * T.pstride * sizeof(double))
        T.tiles = <double *>malloc(nt * T.TI * T.TJ * sizeof(double))
        T.rowbuf = <double *>malloc(nt * T.rowstride * sizeof(double))
        if T.bufs == NULL or T.parts == NULL or T.tiles == NULL or T.rowbuf == NULL:
            raise MemoryError()
        T.J.bufs = T.bufs
        T.J.parts = T.parts
        T.J.pstride = T.pstride
        # the shortcut, on probabilities, for rows short enough that its
        # bound (FD_DOT_ERR grows with Kp) usually holds and the prepared
        # rows stay small beside the inputs
        if logits or T.renyi or T.Kp > SHORT_MAX_K:
            pass
        elif d.terms == FD_K_KL or d.terms == FD_K_XENT:
            T.short_ = SHORT_LOG
            T.kl = d.terms == FD_K_KL
            T.err = FD_DOT_ERR(T.Kp) + 3.0
        elif d.terms == FD_K_HEL:
            T.short_ = SHORT_SQRT
            T.err = FD_DOT_ERR(T.Kp) + 2.0
        if T.short_ != SHORT_NONE:
            T.tile_a = tile_a and not (T.self_ and T.short_ == SHORT_SQRT)
            T.JP = &self.JP
            self.prepare()
        return None

    cdef object check(self, Job *R, double *S, unsigned char *fast, int which):
        cdef Py_ssize_t r
        cdef int tid
        cdef bint f
        cdef int nt = self.T.nt if R.R * R.K >= PARALLEL_MIN_WORK else 1
        with nogil, parallel(num_threads=nt):
            tid = omp_get_thread_num()
            for r in prange(R.R, schedule="static"):
                # assigned in the loop, f is private to each thread (Cython
                # shares a variable the loop only passes by address: two
                # threads' flags then raced, and a row could take the other
                # path of pair_direct, a last-bit difference between calls)
                f = False
                R.status[r] = row_check(R, r, tid, &S[r], &f)
                fast[r] = f
        r = first_bad(R)
        return None if r < 0 else (which, r, R.status[r])

    cdef void prepare(self) except *:
        cdef Pairs *T = &self.T
        T.okp = <unsigned char *>calloc(T.m, 1)
        T.okq = <unsigned char *>calloc(T.n, 1)
        T.hp = <double *>calloc(T.m, sizeof(double))
        T.A = aligned((T.nt * T.TI if T.tile_a else T.m) * T.Kp, &self.raw[0])
        if T.self_ and T.short_ == SHORT_SQRT:
            T.B = T.A
        else:
            T.B = aligned(T.n * T.Kp, &self.raw[1])
        if T.okp == NULL or T.okq == NULL or T.hp == NULL or T.A == NULL or T.B == NULL:
            raise MemoryError()
        with nogil:
            prepare_rows(T, &self.JP, &self.JP if T.self_ else &self.JQ)
        if T.B == T.A:
            memcpy(T.okq, T.okp, T.n)


def check_rows(int code, cnp.ndarray X, *, bint normalize=True, bint logits=False,
               double tol=0.0, double alpha=1.0, int nthreads=1):
    """Only the checks of the rows of ``X`` (2-D, at least one row and one
    column), as pairwise makes them: for a call whose other input has no
    rows, so that bad entries raise all the same.  Returns (0, row, status)
    of the first bad row, or None."""
    cdef _Call call = _Call()
    cdef Pairs *T = &call.T
    T.nt = open_rows(&call.JP, X, measure_of(code, alpha), normalize, logits, tol, alpha, nthreads)
    T.m = X.shape[0]
    T.Sp = <double *>malloc(T.m * sizeof(double))
    T.fp = <unsigned char *>calloc(T.m, 1)
    if T.Sp == NULL or T.fp == NULL:
        raise MemoryError()
    return call.check(&call.JP, T.Sp, T.fp, 0)


def pairwise(int code, cnp.ndarray P, object Q, double[:, ::1] out, *, bint normalize=True,
             bint logits=False, double tolp=0.0, double tolq=0.0, double alpha=1.0,
             double scale=1.0, int nthreads=1, Py_ssize_t tile_rows=0):
    """The (m, n) matrix of measure ``code`` between the rows of ``P`` and of
    ``Q`` (None: of P) into ``out``.  P and Q are 2-D float32/float64 arrays
    with the same, non-zero number of columns, at least one row each, any
    strides and byte order.  Returns (input, row, status) of the first bad
    row (input 0 = P, 1 = Q), or None.  ``tile_rows`` > 0 forces the tile
    size (a test hook: the values do not depend on it)."""
    cdef _Call call = _Call()
    cdef Pairs *T = &call.T
    cdef Py_ssize_t t, ti, tj, ntile, nti
    cdef Py_ssize_t *tl
    cdef int tid
    cdef double *outp = &out[0, 0]
    err = call.setup(code, P, Q, normalize, logits, tolp, tolq, alpha, scale, nthreads,
                     tile_rows, 0)
    if err is not None:
        return err
    if out.shape[0] != T.m or out.shape[1] != T.n:
        raise ValueError("internal: bad output")
    nti = (T.m + T.TI - 1) // T.TI
    ntj = (T.n + T.TJ - 1) // T.TJ
    # the tiles to compute, as (ti, tj) pairs: all, or tj >= ti
    ntile = nti * (nti + 1) // 2 if T.sym else nti * ntj
    tl = <Py_ssize_t *>malloc(2 * ntile * sizeof(Py_ssize_t))
    if tl == NULL:
        raise MemoryError()
    t = 0
    for ti in range(nti):
        for tj in range(ti if T.sym else 0, ntj):
            tl[2 * t] = ti
            tl[2 * t + 1] = tj
            t += 1
    try:
        with nogil, parallel(num_threads=T.nt):
            tid = omp_get_thread_num()
            for t in prange(ntile, schedule="dynamic"):
                matrix_tile(T, tl[2 * t], tl[2 * t + 1], tid, outp)
    finally:
        free(tl)
    return None


def nearest(int code, cnp.ndarray P, object Q, Py_ssize_t k, double[:, ::1] vals,
            cnp.intp_t[:, ::1] idx, *, bint normalize=True, bint logits=False, double tolp=0.0,
            double tolq=0.0, double alpha=1.0, double scale=1.0, int nthreads=1,
            Py_ssize_t tile_rows=0):
    """For every row of ``P``, the ``k`` rows of ``Q`` (None: the other rows
    of P) with the smallest values of measure ``code``, best first, ties to
    the lower index, into ``idx`` and ``vals`` (m x k); 1 <= k <= the
    candidates.  Inputs and return value as ``pairwise``."""
    cdef _Call call = _Call()
    cdef Pairs *T = &call.T
    cdef Py_ssize_t ti, nti
    cdef int tid
    err = call.setup(code, P, Q, normalize, logits, tolp, tolq, alpha, scale, nthreads,
                     tile_rows, 1)
    if err is not None:
        return err
    if (vals.shape[0] != T.m or idx.shape[0] != T.m or vals.shape[1] != k
            or idx.shape[1] != k or k < 1 or k > T.n - (1 if T.self_ else 0)):
        raise ValueError("internal: bad output")
    nti = (T.m + T.TI - 1) // T.TI
    with nogil, parallel(num_threads=T.nt):
        tid = omp_get_thread_num()
        for ti in prange(nti, schedule="dynamic"):
            nearest_rows(T, ti, k, tid, &vals[0, 0], <Py_ssize_t *>&idx[0, 0])
    return None
