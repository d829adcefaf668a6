# cython: language_level=3
"""The compiled entry points of the discrete estimators (fastdiv.discrete).

The public functions (``fastdiv/discrete.py``) validate and factorize the
labels -- small integer ranges are read as they are, offset by their
smallest label; anything else becomes codes ``0..m-1`` -- and call one
entry point here per measure:

* ``pair_pieces`` counts the pairs of two coded variables into their
  contingency table and evaluates the pieces every measure of the pair is
  made of (entropies, I(X; Y), the conditional entropies, the expected
  mutual information); ``discrete.py`` forms the measure from them;
* ``pairwise_pieces`` does the same for every pair of columns of two coded
  matrices, one pair per thread;
* ``code_counts`` counts one variable (its entropy).

Counting (the hot loop).  A table of at most ``max(DENSE_MIN, n)`` cells is
counted directly: fixed chunks of samples, each thread into a table of its
own, the tables added afterwards; counts are integers, so the sum is exact
and the table does not depend on which thread counted which chunk.  A
larger table (large alphabets: 10^5 x 10^5 labels) is never allocated: the
pairs become int64 keys ``x m_y + y``, which are sorted, and the runs of
equal keys are the non-zero cells, in memory O(n).

Evaluation.  Every value is a sum over the non-zero cells (row-major,
whichever path counted them) of a count times the log of a ratio of
counts formed with one or two roundings (``n log(n N / (a b))`` for the
mutual information, ``n log(b / n)`` for H(X | Y), ...): no difference of
entropies, so a small value keeps its relative accuracy.  The terms are
sorted and summed pairwise (``fastdiv._rows.pairwise_sum``): the sum of the
multiset of terms, so values do not depend on the order of the cells (I(X;
Y) is I(Y; X) bit for bit, and renaming labels changes no bit).
"""

cimport numpy as cnp
from cython.parallel cimport prange, parallel
from libc.stdlib cimport malloc, calloc, free, qsort
from libc.string cimport memset
from libc.math cimport log

from _openmp cimport omp_get_thread_num
from _core cimport fd_emi_pair
from _typedefs cimport count_t, label_t
from fastdiv._rows cimport pairwise_sum

import numpy as np

cnp.import_array()

ctypedef unsigned long long u64

cdef enum:
    # samples per unit of parallel counting (a fixed chunk: the table does
    # not depend on the thread count anyway, but chunks keep threads apart)
    CHUNK = 1 << 15
    # a table of up to max(DENSE_MIN, n) cells is counted densely
    DENSE_MIN = 1 << 16
    # cells of padding between per-thread tables (one cache line)
    PAD = 8
    # samples counted per thread started by pairwise_pieces
    PAIR_WORK = 1 << 18

# What pair_pieces computes (bit flags).
cpdef enum Need:
    NEED_HX = 1          # H(X)
    NEED_HY = 2          # H(Y)
    NEED_HXY = 4         # H(X, Y)
    NEED_MI = 8          # I(X; Y)
    NEED_HXGY = 16       # H(X | Y)
    NEED_HYGX = 32       # H(Y | X)
    NEED_EMI = 64        # E[I(X; Y)] under the permutation model (AMI)


cdef struct Pieces:
    double hx, hy, hxy, mi, hxgy, hygx, emi     # nats
    double kx, ky, kxy      # occupied values and cells (Miller-Madow)


cdef inline Py_ssize_t dense_limit(Py_ssize_t n) noexcept nogil:
    return n if n > DENSE_MIN else DENSE_MIN


cdef inline Py_ssize_t code_of(label_t v, u64 lo) noexcept nogil:
    """v - lo for labels known to lie in [lo, lo + m): exact for every
    integer type, computed modulo 2^64 (the difference is small)."""
    return <Py_ssize_t>(<u64>v - lo)


# ---- counting ---------------------------------------------------------------

cdef void count_pairs(const label_t[:] x, const label_t[:] y, Py_ssize_t start,
                      Py_ssize_t stop, u64 xlo, u64 ylo, Py_ssize_t my,
                      count_t *table) noexcept nogil:
    """Add the pairs start..stop into the dense table (row-major, my columns)."""
    cdef Py_ssize_t i
    for i in range(start, stop):
        table[code_of(x[i], xlo) * my + code_of(y[i], ylo)] += 1


cdef void count_one(const label_t[:] x, Py_ssize_t start, Py_ssize_t stop, u64 xlo,
                    count_t *table) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(start, stop):
        table[code_of(x[i], xlo)] += 1


cdef int table_threads(Py_ssize_t n, Py_ssize_t cells, int nthreads) noexcept nogil:
    """Threads worth starting to count n samples into a table of `cells`:
    at most one per chunk, and few enough that adding the per-thread tables
    costs less than the counting."""
    cdef Py_ssize_t nchunks = (n + CHUNK - 1) // CHUNK
    cdef int nt = nthreads
    if nt > nchunks:
        nt = <int>nchunks
    while nt > 1 and nt * (cells + PAD) > n:
        nt -= 1
    return nt if nt > 1 else 1


cdef int count_dense(const label_t[:] x, const label_t[:] y, u64 xlo, u64 ylo,
                     Py_ssize_t mx, Py_ssize_t my, bint one, int nthreads,
                     count_t *table) except -1:
    """The contingency table of (x - xlo, y - ylo) into `table` (mx * my
    cells, zeroed), or with `one` the counts of x alone (mx cells)."""
    cdef Py_ssize_t n = x.shape[0], cells = mx * (1 if one else my)
    cdef Py_ssize_t nchunks = (n + CHUNK - 1) // CHUNK, stride = cells + PAD
    cdef Py_ssize_t c, start, stop, i
    cdef int t, tid, nt = table_threads(n, cells, nthreads)
    cdef count_t *tabs
    if nt == 1:
        with nogil:
            if one:
                count_one(x, 0, n, xlo, table)
            else:
                count_pairs(x, y, 0, n, xlo, ylo, my, table)
        return 0
    tabs = <count_t *>calloc(nt * stride, sizeof(count_t))
    if tabs == NULL:
        raise MemoryError()
    with nogil, parallel(num_threads=nt):
        tid = omp_get_thread_num()
        for c in prange(nchunks, schedule="static"):
            start = c * CHUNK
            stop = start + CHUNK if start + CHUNK < n else n
            if one:
                count_one(x, start, stop, xlo, tabs + tid * stride)
            else:
                count_pairs(x, y, start, stop, xlo, ylo, my, tabs + tid * stride)
    with nogil:
        for t in range(nt):
            for i in range(cells):
                table[i] += tabs[t * stride + i]
    free(tabs)
    return 0


cdef Py_ssize_t dense_cells(const count_t *table, Py_ssize_t mx, Py_ssize_t my,
                            count_t *ci, count_t *cj, count_t *cn) noexcept nogil:
    """The non-zero cells of a dense table, row-major; returns their number."""
    cdef Py_ssize_t i, j, m = 0
    cdef count_t v
    for i in range(mx):
        for j in range(my):
            v = table[i * my + j]
            if v != 0:
                ci[m] = i
                cj[m] = j
                cn[m] = v
                m += 1
    return m


cdef Py_ssize_t key_cells(const count_t *keys, Py_ssize_t n, Py_ssize_t my, count_t *ci,
                          count_t *cj, count_t *cn) noexcept nogil:
    """The non-zero cells from sorted keys x my + y: one per run of equal
    keys, row-major; returns their number."""
    cdef Py_ssize_t i = 0, r, m = 0
    while i < n:
        r = i + 1
        while r < n and keys[r] == keys[i]:
            r += 1
        ci[m] = keys[i] // my
        cj[m] = keys[i] % my
        cn[m] = r - i
        m += 1
        i = r
    return m


cdef int compare_keys(const void *a, const void *b) noexcept nogil:
    cdef count_t x = (<const count_t *>a)[0], y = (<const count_t *>b)[0]
    return (x > y) - (x < y)


# ---- evaluation -------------------------------------------------------------

cdef int compare_doubles(const void *a, const void *b) noexcept nogil:
    cdef double x = (<const double *>a)[0], y = (<const double *>b)[0]
    return (x > y) - (x < y)


cdef double sum_terms(double *t, Py_ssize_t n) noexcept nogil:
    """The pairwise sum of the terms t[0..n) taken in increasing order (t is
    sorted in place): the sum of a multiset of terms, whatever order the
    cells came in, so that I(X; Y) == I(Y; X) and every value is invariant
    to renaming the labels, bit for bit."""
    qsort(t, n, sizeof(double), compare_doubles)
    return pairwise_sum(t, n)


cdef double count_entropy(const count_t *c, Py_ssize_t m, count_t N,
                          double *buf) noexcept nogil:
    """H in nats of the counts c[0..m) out of N: (1/N) sum c log(N / c) over
    c > 0."""
    cdef Py_ssize_t i, t = 0
    cdef double dN = <double>N
    for i in range(m):
        if c[i] > 0:
            buf[t] = <double>c[i] * log(dN / <double>c[i])
            t += 1
    return sum_terms(buf, t) / dN


cdef void cell_pieces(int need, const count_t *ci, const count_t *cj, const count_t *cn,
                      Py_ssize_t m, const count_t *a, Py_ssize_t mx, const count_t *b,
                      Py_ssize_t my, const count_t *s, count_t N, double *buf,
                      Pieces *P) noexcept nogil:
    """The pieces `need` asks for, from the non-zero cells (ci, cj, cn)[0..m)
    of a table with marginals a[0..mx) and b[0..my) of N samples; buf holds
    max(m, mx, my) doubles.  I(X; Y) is sum n log(n s / (a b)) / N with
    s = N, or s[ci] when s is given (the conditional mutual information:
    rows are (x, z) pairs, s their count of z)."""
    cdef Py_ssize_t t
    cdef double dN = <double>N, sr
    memset(P, 0, sizeof(Pieces))
    P.kxy = <double>m
    for t in range(mx):
        P.kx += a[t] > 0
    for t in range(my):
        P.ky += b[t] > 0
    if need & NEED_HX:
        P.hx = count_entropy(a, mx, N, buf)
    if need & NEED_HY:
        P.hy = count_entropy(b, my, N, buf)
    if need & NEED_HXY:
        for t in range(m):
            buf[t] = <double>cn[t] * log(dN / <double>cn[t])
        P.hxy = sum_terms(buf, m) / dN
    if need & NEED_MI:
        # n s and a b are exact below 2^53: the ratio has one rounding
        for t in range(m):
            sr = dN if s == NULL else <double>s[ci[t]]
            buf[t] = <double>cn[t] * log(
                (<double>cn[t] * sr) / (<double>a[ci[t]] * <double>b[cj[t]]))
        P.mi = sum_terms(buf, m) / dN
    if need & NEED_HXGY:
        for t in range(m):
            buf[t] = <double>cn[t] * log(<double>b[cj[t]] / <double>cn[t])
        P.hxgy = sum_terms(buf, m) / dN
    if need & NEED_HYGX:
        for t in range(m):
            buf[t] = <double>cn[t] * log(<double>a[ci[t]] / <double>cn[t])
        P.hygx = sum_terms(buf, m) / dN


cdef void marginals(const count_t *ci, const count_t *cj, const count_t *cn, Py_ssize_t m,
                    count_t *a, Py_ssize_t mx, count_t *b, Py_ssize_t my) noexcept nogil:
    cdef Py_ssize_t t
    memset(a, 0, mx * sizeof(count_t))
    memset(b, 0, my * sizeof(count_t))
    for t in range(m):
        a[ci[t]] += cn[t]
        b[cj[t]] += cn[t]


cdef Py_ssize_t distinct_sizes(const count_t *c, Py_ssize_t m, count_t *size,
                               count_t *mult) noexcept nogil:
    """The distinct positive values of c[0..m) in increasing order and how
    often each occurs (c is not modified; size holds m entries)."""
    cdef Py_ssize_t i, k = 0, r
    for i in range(m):
        if c[i] > 0:
            size[k] = c[i]
            k += 1
    qsort(size, k, sizeof(count_t), compare_keys)
    i = 0
    r = 0
    while i < k:
        mult[r] = 1
        size[r] = size[i]
        i += 1
        while i < k and size[i] == size[r]:
            mult[r] += 1
            i += 1
        r += 1
    return r


cdef tuple pieces_tuple(const Pieces *P):
    return (P.hx, P.hy, P.hxy, P.mi, P.hxgy, P.hygx, P.emi, P.kx, P.ky, P.kxy)


# ---- entry points -----------------------------------------------------------

def code_counts(const label_t[:] x, u64 xlo, Py_ssize_t mx, int nthreads):
    """The counts (int64, length mx) of the codes x - xlo."""
    counts = np.zeros(mx, dtype=np.int64)
    cdef count_t[::1] c = counts
    count_dense(x, x, xlo, 0, mx, 1, True, nthreads, &c[0])
    return counts


def entropy_of_counts(const count_t[::1] c):
    """(H in nats, occupied values) of the counts c."""
    cdef Py_ssize_t m = c.shape[0], i
    cdef count_t N = 0
    cdef double k = 0.0, h
    cdef double *buf = <double *>malloc((m + 1) * sizeof(double))
    if buf == NULL:
        raise MemoryError()
    with nogil:
        for i in range(m):
            N += c[i]
            k += c[i] > 0
        h = count_entropy(&c[0], m, N, buf)
    free(buf)
    return h, k


def pair_cells(const label_t[:] x, const label_t[:] y, u64 xlo, u64 ylo, Py_ssize_t mx,
               Py_ssize_t my, int nthreads):
    """The non-zero cells (ci, cj, cn) of the contingency table of the codes
    x - xlo and y - ylo, row-major, int64: counted densely, or from sorted
    keys when the table would exceed max(DENSE_MIN, n) cells."""
    cdef Py_ssize_t n = x.shape[0], m, i
    cdef count_t[::1] k, ci, cj, cn
    if mx * my <= dense_limit(n):
        table = np.zeros(mx * my, dtype=np.int64)
        k = table
        count_dense(x, y, xlo, ylo, mx, my, False, nthreads, &k[0])
        m = np.count_nonzero(table)        # n >= 1 sample: m >= 1
    else:
        table = np.empty(n, dtype=np.int64)     # the keys
        k = table
        with nogil:
            for i in range(n):
                k[i] = code_of(x[i], xlo) * my + code_of(y[i], ylo)
        table.sort()
        m = n                                   # at most n cells
    ci = np.empty(m, dtype=np.int64)
    cj = np.empty(m, dtype=np.int64)
    cn = np.empty(m, dtype=np.int64)
    with nogil:
        if mx * my <= dense_limit(n):
            dense_cells(&k[0], mx, my, &ci[0], &cj[0], &cn[0])
        else:
            m = key_cells(&k[0], n, my, &ci[0], &cj[0], &cn[0])
    cells = (np.asarray(ci), np.asarray(cj), np.asarray(cn))
    if m < ci.shape[0]:     # keys: keep only the cells, not n slots
        cells = tuple(c[:m].copy() for c in cells)
    return cells


def cell_values(int need, const count_t[::1] ci, const count_t[::1] cj,
                const count_t[::1] cn, Py_ssize_t mx, Py_ssize_t my, object s=None,
                int nthreads=1):
    """The pieces (hx, hy, hxy, mi, hxgy, hygx, emi, kx, ky, kxy) of the
    cells of a table (mx rows, my columns); `s` (int64, per row) replaces N
    in I's ratio (see cell_pieces)."""
    cdef Py_ssize_t m = ci.shape[0], i
    cdef count_t N = 0
    cdef Pieces P
    cdef const count_t[::1] sv
    cdef const count_t *sp = NULL
    a = np.empty(mx, dtype=np.int64)
    b = np.empty(my, dtype=np.int64)
    cdef count_t[::1] av = a, bv = b
    if s is not None:
        sv = s
        sp = &sv[0]
    cdef Py_ssize_t nbuf = max(m, mx, my) + 1
    cdef double *buf = <double *>malloc(nbuf * sizeof(double))
    if buf == NULL:
        raise MemoryError()
    try:
        with nogil:
            for i in range(m):
                N += cn[i]
            marginals(&ci[0], &cj[0], &cn[0], m, &av[0], mx, &bv[0], my)
            cell_pieces(need, &ci[0], &cj[0], &cn[0], m, &av[0], mx, &bv[0], my, sp, N,
                        buf, &P)
        if need & NEED_EMI:
            P.emi = emi_of(av, bv, nthreads)
    finally:
        free(buf)
    return pieces_tuple(&P)


cdef double emi_of(const count_t[::1] a, const count_t[::1] b, int nthreads) except? -1.0:
    """The expected mutual information of the class sizes a and b (zeros
    allowed and skipped), on up to nthreads threads."""
    cdef Py_ssize_t mx = a.shape[0], my = b.shape[0], m = max(mx, my)
    cdef double v
    cdef count_t *work = <count_t *>malloc((2 * (mx + my) + 1) * sizeof(count_t))
    cdef double *buf = <double *>malloc(((nthreads + 1) * m + 1) * sizeof(double))
    try:
        if work == NULL or buf == NULL:
            raise MemoryError()
        with nogil:
            v = emi_classes(&a[0], mx, &b[0], my, nthreads, work, buf)
    finally:
        free(work)
        free(buf)
    return v


cdef struct Scratch:
    # one thread's buffers for pairwise_pieces
    count_t *table      # a dense table, or the keys of a large one
    count_t *ci
    count_t *cj
    count_t *cn
    count_t *a
    count_t *b
    count_t *work       # distinct class sizes (EMI)
    double *buf


cdef void pair_of_columns(int need, const count_t *x, Py_ssize_t mx, const count_t *y,
                          Py_ssize_t my, Py_ssize_t n, Scratch *S,
                          Pieces *P) noexcept nogil:
    """The pieces of one pair of coded columns, on one thread: the same
    cells in the same order, and the same evaluation, as pair_cells and
    cell_values (so that pairwise entries equal the one-pair values)."""
    cdef Py_ssize_t i, m
    if mx * my <= dense_limit(n):
        memset(S.table, 0, mx * my * sizeof(count_t))
        for i in range(n):
            S.table[x[i] * my + y[i]] += 1
        m = dense_cells(S.table, mx, my, S.ci, S.cj, S.cn)
    else:
        for i in range(n):
            S.table[i] = x[i] * my + y[i]
        qsort(S.table, n, sizeof(count_t), compare_keys)
        m = key_cells(S.table, n, my, S.ci, S.cj, S.cn)
    marginals(S.ci, S.cj, S.cn, m, S.a, mx, S.b, my)
    cell_pieces(need, S.ci, S.cj, S.cn, m, S.a, mx, S.b, my, NULL, n, S.buf, P)
    if need & NEED_EMI:
        P.emi = emi_classes(S.a, mx, S.b, my, 1, S.work, S.buf)


def pairwise_pieces(int need, const count_t[::1, :] X, const count_t[::1] mX,
                    const count_t[::1, :] Y, const count_t[::1] mY, bint triangle,
                    int nthreads):
    """The pieces (fx, fy, 10) of every pair of columns of the codes X and Y
    (Fortran order: each column contiguous, codes in [0, m)); with
    `triangle` (X is Y) only the pairs i <= j are computed."""
    cdef Py_ssize_t n = X.shape[0], fx = X.shape[1], fy = Y.shape[1]
    cdef Py_ssize_t npairs, p, i, j, t, mmax = 1, tbl
    cdef int tid, nt
    cdef Scratch *S
    out = np.zeros((fx, fy, 10), dtype=np.float64)
    cdef double[:, :, ::1] o = out
    for i in range(fx):
        mmax = max(mmax, mX[i])
    for j in range(fy):
        mmax = max(mmax, mY[j])
    # pairs in row-major order (the upper triangle for `triangle`)
    if triangle:
        pairs = np.stack(np.triu_indices(fx), axis=1).astype(np.int64)
    else:
        pairs = np.stack(np.indices((fx, fy)).reshape(2, -1), axis=1).astype(np.int64)
    cdef const count_t[:, ::1] pr = pairs
    npairs = pairs.shape[0]
    # a thread per PAIR_WORK samples counted at most (starting threads costs
    # more than counting a few pairs), and never more threads than pairs
    nt = nthreads
    if nt > npairs * n // PAIR_WORK:
        nt = <int>(npairs * n // PAIR_WORK)
    if nt < 1:
        nt = 1
    tbl = max(dense_limit(n), n)
    S = <Scratch *>calloc(nt, sizeof(Scratch))
    if S == NULL:
        raise MemoryError()
    try:
        for t in range(nt):
            S[t].table = <count_t *>malloc(tbl * sizeof(count_t))
            S[t].ci = <count_t *>malloc((n + 1) * sizeof(count_t))
            S[t].cj = <count_t *>malloc((n + 1) * sizeof(count_t))
            S[t].cn = <count_t *>malloc((n + 1) * sizeof(count_t))
            S[t].a = <count_t *>malloc((mmax + 1) * sizeof(count_t))
            S[t].b = <count_t *>malloc((mmax + 1) * sizeof(count_t))
            S[t].work = <count_t *>malloc((4 * mmax + 1) * sizeof(count_t))
            S[t].buf = <double *>malloc((n + 2 * mmax + 1) * sizeof(double))
            if (S[t].table == NULL or S[t].ci == NULL or S[t].cj == NULL or S[t].cn == NULL
                    or S[t].a == NULL or S[t].b == NULL or S[t].work == NULL
                    or S[t].buf == NULL):
                raise MemoryError()
        with nogil, parallel(num_threads=nt):
            tid = omp_get_thread_num()
            for p in prange(npairs, schedule="dynamic"):
                pair_into(need, X, mX, Y, mY, pr[p, 0], pr[p, 1], n, &S[tid], o)
    finally:
        for t in range(nt):
            free(S[t].table)
            free(S[t].ci)
            free(S[t].cj)
            free(S[t].cn)
            free(S[t].a)
            free(S[t].b)
            free(S[t].work)
            free(S[t].buf)
        free(S)
    return out


cdef void pair_into(int need, const count_t[::1, :] X, const count_t[::1] mX,
                    const count_t[::1, :] Y, const count_t[::1] mY, Py_ssize_t i,
                    Py_ssize_t j, Py_ssize_t n, Scratch *S,
                    double[:, :, ::1] o) noexcept nogil:
    cdef Pieces P
    pair_of_columns(need, &X[0, i], mX[i], &Y[0, j], mY[j], n, S, &P)
    o[i, j, 0] = P.hx
    o[i, j, 1] = P.hy
    o[i, j, 2] = P.hxy
    o[i, j, 3] = P.mi
    o[i, j, 4] = P.hxgy
    o[i, j, 5] = P.hygx
    o[i, j, 6] = P.emi
    o[i, j, 7] = P.kx
    o[i, j, 8] = P.ky
    o[i, j, 9] = P.kxy


# ---- expected mutual information (AMI) ---------------------------------------
#
# EMI = sum over pairs of classes (one of each labeling) of fd_emi_pair, the
# hypergeometric expectation of that pair's cell term (fd_emi.c).  The value
# of a pair depends only on the two class sizes, and labelings have many
# classes of one size (random labelings, singletons), so the sum runs over
# the distinct sizes u_i of one labeling and v_j of the other, each pair
# weighted by its multiplicities: sum_i c_i sum_j d_j emi(u_i, v_j).
# The rows i run in parallel; row i's terms are summed pairwise in j order
# into parts[i] and the parts pairwise in i order, so the result does not
# depend on the number of threads.  The rows are those of the labeling with
# more distinct sizes (ties: the lexicographically smaller sizes, then
# multiplicities), and fd_emi_pair is symmetric bit for bit, so
# EMI(a, b) == EMI(b, a) exactly.

# Below this many pairs of distinct sizes, one thread (a pair costs about a
# microsecond, starting a team tens).
cdef enum:
    EMI_PARALLEL_MIN_PAIRS = 512


cdef double emi_row(count_t u, const count_t *v, const count_t *d, Py_ssize_t nv,
                    count_t N, double *buf) noexcept nogil:
    """sum_j d[j] emi(u, v[j]) over nv distinct sizes v (IN), with buf (OUT,
    scratch) of nv doubles."""
    cdef Py_ssize_t j
    for j in range(nv):
        buf[j] = <double>d[j] * fd_emi_pair(u, v[j], N)
    return pairwise_sum(buf, nv)


cdef bint sizes_first(const count_t *u, const count_t *c, Py_ssize_t nu, const count_t *v,
                      const count_t *d, Py_ssize_t nv) noexcept nogil:
    """Whether the labeling (u, c) gives the rows: the one with more distinct
    sizes; ties by the sizes, then the multiplicities, lexicographically."""
    cdef Py_ssize_t i
    if nu != nv:
        return nu > nv
    for i in range(nu):
        if u[i] != v[i]:
            return u[i] < v[i]
    for i in range(nu):
        if c[i] != d[i]:
            return c[i] < d[i]
    return True


cdef double emi_classes(const count_t *a, Py_ssize_t ma, const count_t *b, Py_ssize_t mb,
                        int nthreads, count_t *work, double *buf) noexcept nogil:
    """The EMI of the class sizes a[0..ma) and b[0..mb) (zeros skipped), on
    up to nthreads threads.  work holds 2 (ma + mb) counts; buf
    (nthreads + 1) max(ma, mb) doubles."""
    cdef count_t *u = work
    cdef count_t *c = work + ma
    cdef count_t *v = work + 2 * ma
    cdef count_t *d = work + 2 * ma + mb
    cdef count_t *tmp
    cdef Py_ssize_t nu = distinct_sizes(a, ma, u, c), nv = distinct_sizes(b, mb, v, d)
    cdef Py_ssize_t i, k, m = max(ma, mb)
    cdef count_t N = 0
    cdef double *parts = buf
    cdef double *rows = buf + m
    cdef int nt = nthreads, tid
    if nu == 0 or nv == 0:
        return 0.0
    if not sizes_first(u, c, nu, v, d, nv):
        tmp = u
        u = v
        v = tmp
        tmp = c
        c = d
        d = tmp
        k = nu
        nu = nv
        nv = k
    for i in range(nu):
        N += u[i] * c[i]
    if nu * nv < EMI_PARALLEL_MIN_PAIRS:
        nt = 1
    if nt > nu:
        nt = <int>nu
    if nt <= 1:
        for i in range(nu):
            parts[i] = <double>c[i] * emi_row(u[i], v, d, nv, N, rows)
    else:
        with parallel(num_threads=nt):
            tid = omp_get_thread_num()
            for i in prange(nu, schedule="dynamic"):
                parts[i] = <double>c[i] * emi_row(u[i], v, d, nv, N, rows + tid * m)
    return pairwise_sum(parts, nu)


def expected_mutual_information(const count_t[::1] a, const count_t[::1] b, int nthreads=1):
    """The expected mutual information, in nats, of two labelings of N
    samples with class sizes ``a`` and ``b`` (positive, equal sums N) under
    the hypergeometric model of adjusted mutual information (the caller
    checks the sizes).  Bit-identical for any ``nthreads``; symmetric in
    (a, b) and invariant to the order of the sizes, bit for bit."""
    if a.shape[0] == 0 or b.shape[0] == 0:
        return 0.0
    return emi_of(a, b, nthreads)
