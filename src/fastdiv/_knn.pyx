"""The neighbour searches of fastdiv.knn: k-d trees, sorted arrays, the estimates.

Points.  A sample set is read once, in place (float32 or float64, any
strides, either byte order; standardized on the fly where asked) into the
search structure's own array, in the structure's order: a k-d tree keeps
rows of the space's columns, a one-dimensional space its sorted values.
Distances are formed in float64 from coordinate differences, as the
Euclidean norm's square or the max-norm; the boxes of the tree's nodes are
the exact extremes of their points, so a box's distance never exceeds that
of a point inside (rounding is monotone), and pruning is exact.

Tree.  Balanced: a node of more than LEAF points splits at its median along
its widest coordinate (a three-way quickselect: equal values stay
together), its children numbered in preorder, so that the node numbers of a
subtree follow from its size alone (``nodes_for``) and the subtrees below
the top levels are built in parallel.  A node whose points are all one
point is a leaf however many it holds.

Grid.  KSG algorithm 1 on a pair of one-dimensional variables searches
the joint space on a grid of the ranks of its two sorted marginals (which
it sorts for its counts anyway): about n / GRID_FILL cells, each column a
run of consecutive x-ranks and each row of y-ranks, so that the cells
follow the data's density whatever its margins; a query grows a box of
cells from its own, one column or row at a time on its nearest side, until
no side is nearer than its k-th distance (``fd_knn.h``).  Built by a
counting sort per column, no tree.  Where a value repeats across more than
two columns or rows, where the points crowd a few cells, or once the
searches' work passes GRID_WORK per point, the joint tree takes the search
instead (the same distances either way).

Searches, threaded over the query points (dynamic chunks; each point's
result lands in its own slot, so nothing depends on the thread that
computed it):
* ``knn_all``: the k-th smallest POSITIVE distance (copies of the query, and
  the query itself, skipped), for batches of up to 32 neighbouring queries
  (a leaf of the query tree) at once: the batch walks the tree
  depth first, the child on its side first, each node's box compared with
  all its queries in vector lanes, a subtree skipped once no query's k-th
  distance could improve there; at a leaf, each query that may improve
  compares the leaf's points in vector lanes (the leaves' points are kept a
  second time in columns for this).  Compiled for each instruction set
  (``fd_knn_lanes.h``); the distances are the scalar ones bit for bit;
* ``count_in``: the points within a radius (strictly or inclusively),
  whole subtrees added where the box lies inside; on a sorted axis two
  galloping searches from the query's own position;
* ``ball``: the points at a positive distance up to a radius, with their
  distances in two marginal spaces (KSG algorithm 2).

Sums over points run in a fixed order (pairwise, by original row index):
the estimates are the same for any thread count.
"""

cimport cython
cimport numpy as cnp
from cython.parallel cimport prange, threadid
from libc.math cimport log, fabs, sqrt, INFINITY, isfinite, signbit
from libc.stdint cimport uint32_t, uint64_t, int64_t
from libc.stdlib cimport malloc, calloc, realloc, free, qsort
from libc.string cimport memcpy

from _typedefs cimport intp_t
from fastdiv._rows cimport get_isa

import numpy as np

cnp.import_array()

cdef extern from *:
    """
    #define fd_knn_prefetch(p) __builtin_prefetch((p), 0, 3)
    static inline uint64_t fd_bswap64(uint64_t u) { return __builtin_bswap64(u); }
    static inline uint32_t fd_bswap32(uint32_t u) { return __builtin_bswap32(u); }
    """
    uint64_t fd_bswap64(uint64_t u) noexcept nogil
    void fd_knn_prefetch(const void *p) noexcept nogil
    uint32_t fd_bswap32(uint32_t u) noexcept nogil


cpdef enum Metric:
    EUCLIDEAN = 0
    CHEBYSHEV = 1

# what a set's estimate reports besides its value (fastdiv.knn raises)
cpdef enum Status:
    OK = 0
    NOT_FINITE = 1          # a NaN or infinity in the variable `arg`
    FEW_DISTINCT = 2        # fewer than k + 1 distinct points in a space searched
    CLASS_FEW_DISTINCT = 3  # a class with fewer than k_c + 1 distinct points
    NO_CLASS = 4            # no class with two members (y_discrete)
    NO_MEMORY = 5

cdef enum:
    LEAF = 32               # points of a leaf, at most (<= FD_KNN_LANES: a leaf is a batch)
    STACK = 192             # depth-first stack (the tree is < 64 deep)
    PSUM_BLOCK = 128        # pairwise sums: plain sums below this
    CHUNK = 64              # query points a thread takes at a time
    # points of a call below which it runs on one thread (starting and
    # joining threads costs more than they save)
    PAR_MIN = 8192
    FILL_CHUNK = 16384      # rows a thread reads at a time
    PSI_TABLE = 4096        # psi(m) tabulated below this
    PREFETCH = 16           # points ahead whose radius a count fetches
    SAMPLE = 512            # select_rows' sample of a large range
    RUN_MAX = 32            # sort_values: longest run of equal prefixes sorted by insertion
    SAMPLE_GAP = 11         # about sqrt(SAMPLE) / 2: one standard deviation of its ranks
    GRID_FILL = 3           # points of a grid cell on average
    # the work (cells visited and points compared) of a grid's searches per
    # point beyond which the tree takes them (measured at 1e6 points: about
    # 7 ns a unit; a Gaussian pair takes 20, one of correlation 0.99 60).
    # Set when the tree's search cost about this many units (900 ns a
    # point); the batch search costs about 75 (whole KSG calls: r 0.6 grid
    # 0.56-0.75 s, tree 0.89-1.24 s; r 0.99 0.78-1.02 s both): data that
    # pass it midway cost at most about 2.7 times the tree's time.
    GRID_WORK = 128
    DECLINED = -1           # grid_init: the tree's searches suit these data better


# ---- reading samples ---------------------------------------------------------------

cdef struct Block:
    # columns of one variable of one set: value (i, c) at p + i rs + c cs
    const char *p
    intp_t rs, cs
    int cols
    int f32                 # float32, else float64
    int swap                # not in native byte order
    int arg                 # which argument (0 x, 1 y, 2 z): for the status
    const double *shift     # per column, or NULL: (v - shift) / scale
    const double *scale


cdef inline double read(const Block *b, intp_t i, int c) noexcept nogil:
    cdef const char *q = b.p + i * b.rs + c * b.cs
    cdef uint64_t u8
    cdef uint32_t u4
    cdef double v
    cdef float f
    if b.f32:
        memcpy(&u4, q, 4)
        if b.swap:
            u4 = fd_bswap32(u4)
        memcpy(&f, &u4, 4)
        v = f
    else:
        memcpy(&u8, q, 8)
        if b.swap:
            u8 = fd_bswap64(u8)
        memcpy(&v, &u8, 8)
    if b.shift != NULL:
        v = (v - b.shift[c]) / b.scale[c]
    return v


cdef struct Space:
    # the concatenated columns of up to three variables
    Block b[3]
    int nb
    int d


cdef int fill(const Space *S, const intp_t *rows, intp_t n, double *pts, int nt,
              int *bad) noexcept nogil:
    """pts[i d + c] = coordinate c of row rows[i] (or i), in chunks of rows
    in parallel; *bad = the argument of the first NaN or infinity in row
    order (-1 if none)."""
    cdef intp_t ch, nch = (n + FILL_CHUNK - 1) // FILL_CHUNK
    cdef int *first = <int *>malloc((nch + 1) * sizeof(int))
    bad[0] = -1
    if first == NULL:
        return NO_MEMORY
    for ch in prange(nch, num_threads=nt if n >= PAR_MIN else 1, schedule="static"):
        first[ch] = fill_rows(S, rows, ch * FILL_CHUNK,
                              n if (ch + 1) * FILL_CHUNK > n else (ch + 1) * FILL_CHUNK, pts)
    for ch in range(nch):
        if first[ch] >= 0:
            bad[0] = first[ch]
            break
    free(first)
    return OK


cdef int fill_rows(const Space *S, const intp_t *rows, intp_t i0, intp_t i1,
                   double *pts) noexcept nogil:
    """fill's rows i0 .. i1-1; returns the argument of their first NaN or
    infinity, or -1."""
    cdef intp_t i, r
    cdef int a, c, col, bad = -1
    cdef double v
    cdef int d = S.d
    for i in range(i0, i1):
        r = rows[i] if rows != NULL else i
        col = 0
        for a in range(S.nb):
            for c in range(S.b[a].cols):
                v = read(&S.b[a], r, c)
                if not isfinite(v) and bad < 0:
                    bad = S.b[a].arg
                pts[i * d + col] = v
                col += 1
    return bad


# ---- distances ---------------------------------------------------------------------

cdef inline double pdist(const double *a, const double *q, int d, int metric) noexcept nogil:
    return fd_pdist(a, q, d, metric == EUCLIDEAN)


cdef inline double box_min(const double *lo, const double *hi, const double *q, int d,
                           int metric) noexcept nogil:
    return fd_box_min(lo, hi, q, d, metric == EUCLIDEAN)


cdef inline double box_max(const double *lo, const double *hi, const double *q, int d,
                           int metric) noexcept nogil:
    """The largest distance from q to a point of the box."""
    cdef double acc = 0.0, t, u
    cdef int c
    for c in range(d):
        t = fabs(q[c] - lo[c])
        u = fabs(hi[c] - q[c])
        if u > t:
            t = u
        if metric == EUCLIDEAN:
            acc += t * t
        elif t > acc:
            acc = t
    return acc


# ---- the tree ----------------------------------------------------------------------

cdef extern from "fd_knn.h" nogil:
    ctypedef struct fd_tree:
        intp_t n
        int d
        int metric
        double *pts             # n x d, tree order
        intp_t *ids             # the row of each tree position
        intp_t *pos             # the tree position of each row
        intp_t nnode
        intp_t *start           # node: its points [start, end)
        intp_t *end
        intp_t *left            # node: its children, or -1 (a leaf)
        intp_t *right
        double *box             # node: lo[0..d), hi[0..d)
        int *sdim               # inner node: split coordinate and value
        double *split
        intp_t nleaf            # the reachable leaves, in tree order
        intp_t *leaves
        double *lpts            # the leaves' points in columns (fd_knn.h)
        intp_t *loff
        intp_t *lnum
    enum:
        FD_KNN_LANES
    intp_t FD_KNN_WORK(int d, int k)
    ctypedef void (*fd_knn_batch_fn)(const fd_tree *T, const double *Q, int nq, const double *qlo,
                                     const double *qhi, int k, double *work,
                                     double *out) noexcept nogil
    fd_knn_batch_fn fd_knn_batch_for(int isa, int metric)
    double fd_pdist(const double *a, const double *q, int d, int euclid)
    double fd_box_min(const double *lo, const double *hi, const double *q, int d, int euclid)
    intp_t fd_count_sorted(const double *v, intp_t n, intp_t p, double r, int strict)
    intp_t fd_partition(double *P, intp_t *ids, int d, intp_t lo, intp_t hi, int dim, double pivot,
                        int strict)
    ctypedef struct fd_grid:
        intp_t n
        intp_t G
        double *pts             # n x 2, cell order
        intp_t *ids             # the row of each grid position
        intp_t *start           # cell c G + r: its points [start, next start)
        double *clo             # column c: its x values' extremes
        double *chi
        double *rlo             # row r: its y values' extremes
        double *rhi
    double fd_grid_kth(const fd_grid *g, const double *q, intp_t cq, intp_t rq, int k,
                       double *best, intp_t *work)
    intp_t fd_work_add(intp_t *total, intp_t w)
    intp_t fd_work_get(intp_t *total)


ctypedef fd_tree Tree
ctypedef fd_grid Grid


cdef void nodes_pair(intp_t m, intp_t *a, intp_t *b) noexcept nogil:
    """a = the nodes of a subtree of m points, b = of m + 1 (the halves of
    m and m + 1 are h = m // 2 and h + 1, so one recursion serves both)."""
    cdef intp_t h = m // 2, x, y
    if m + 1 <= LEAF:
        a[0] = 1
        b[0] = 1
        return
    nodes_pair(h, &x, &y)
    if m % 2 == 0:
        a[0] = 1 if m <= LEAF else 1 + 2 * x
        b[0] = 1 + x + y
    else:
        a[0] = 1 if m <= LEAF else 1 + x + y
        b[0] = 1 + 2 * y


cdef inline intp_t nodes_for(intp_t m) noexcept nogil:
    cdef intp_t a, b
    nodes_pair(m, &a, &b)
    return a


cdef inline void swap_rows(Tree *T, intp_t i, intp_t j) noexcept nogil:
    cdef int c
    cdef double t
    cdef intp_t s
    cdef double *a = T.pts + i * T.d
    cdef double *b = T.pts + j * T.d
    for c in range(T.d):
        t = a[c]
        a[c] = b[c]
        b[c] = t
    s = T.ids[i]
    T.ids[i] = T.ids[j]
    T.ids[j] = s


cdef inline intp_t partition(Tree *T, intp_t lo, intp_t hi, int dim, double pivot,
                             bint strict) noexcept nogil:
    """Rows [lo, hi) with value < pivot (strict) or <= pivot first; returns
    where the others start (fd_knn.h)."""
    return fd_partition(T.pts, T.ids, T.d, lo, hi, dim, pivot, strict)


cdef int cmp_double(const void *a, const void *b) noexcept nogil:
    cdef double x = (<const double *>a)[0], y = (<const double *>b)[0]
    return (x > y) - (x < y)


cdef void select_rows(Tree *T, intp_t lo, intp_t hi, intp_t kth, int dim) noexcept nogil:
    """Rows [lo, hi) reordered so that row kth holds the value of its rank
    along dim, smaller values before it, larger after.  A large range is
    first cut by two pivots that a sorted sample places just below and
    above kth's rank (Floyd and Rivest): one pass below the first, one over
    the rest, and the search goes on in the thin middle; then partitions
    around a median of three, the values equal to it set apart in a second
    pass where kth is not below them (so that equal values end the search)."""
    cdef intp_t lt, le, mid, m, i, r, gap
    cdef double a, b, c, pivot, p1, p2
    cdef int d = T.d
    cdef double *P = T.pts
    cdef double sample[SAMPLE]
    while hi - lo > 8 * SAMPLE:
        m = hi - lo
        for i in range(SAMPLE):
            sample[i] = P[(lo + (i * m) // SAMPLE) * d + dim]
        qsort(sample, SAMPLE, sizeof(double), cmp_double)
        r = ((kth - lo) * SAMPLE) // m
        gap = 3 * SAMPLE_GAP
        p1 = sample[r - gap if r >= gap else 0]
        p2 = sample[r + gap if r + gap < SAMPLE else SAMPLE - 1]
        lt = partition(T, lo, hi, dim, p1, True)
        if kth < lt:
            hi = lt
            continue
        le = partition(T, lt, hi, dim, p2, False)
        if kth >= le:
            lo = le
            continue
        lo = lt
        hi = le
        break
    while hi - lo > 1:
        mid = lo + (hi - lo) // 2
        a = P[lo * d + dim]
        b = P[mid * d + dim]
        c = P[(hi - 1) * d + dim]
        if (a <= b) == (b <= c):
            pivot = b
        elif (b <= a) == (a <= c):
            pivot = a
        else:
            pivot = c
        lt = partition(T, lo, hi, dim, pivot, True)
        if kth < lt:
            hi = lt
            continue
        le = partition(T, lt, hi, dim, pivot, False)
        if kth < le:
            return
        lo = le


cdef void sort_leaf(Tree *T, intp_t s, intp_t e) noexcept nogil:
    """Insertion sort of a one-dimensional leaf (the whole array ends sorted)."""
    cdef intp_t i, j
    for i in range(s + 1, e):
        j = i
        while j > s and T.pts[j - 1] > T.pts[j]:
            swap_rows(T, j - 1, j)
            j -= 1


cdef void build_node(Tree *T, intp_t node, intp_t s, intp_t e) noexcept nogil:
    cdef int d = T.d, c, dim
    cdef intp_t i, mid
    cdef double *lo = T.box + node * 2 * d
    cdef double *hi = lo + d
    cdef double v, spread, best
    T.start[node] = s
    T.end[node] = e
    for c in range(d):
        lo[c] = T.pts[s * d + c]
        hi[c] = lo[c]
    for i in range(s + 1, e):
        for c in range(d):
            v = T.pts[i * d + c]
            lo[c] = v if v < lo[c] else lo[c]
            hi[c] = v if v > hi[c] else hi[c]
    dim = 0
    best = -1.0
    for c in range(d):
        spread = hi[c] - lo[c]
        if spread > best:
            best = spread
            dim = c
    if e - s <= LEAF or best == 0.0:
        T.left[node] = -1
        T.right[node] = -1
        if d == 1:
            sort_leaf(T, s, e)
        return
    mid = s + (e - s) // 2
    select_rows(T, s, e, mid, dim)
    T.sdim[node] = dim
    T.split[node] = T.pts[mid * d + dim]
    T.left[node] = node + 1
    T.right[node] = node + 1 + nodes_for(mid - s)


cdef void build_sub(Tree *T, intp_t node, intp_t s, intp_t e) noexcept nogil:
    build_node(T, node, s, e)
    if T.left[node] >= 0:
        build_sub(T, T.left[node], s, s + (e - s) // 2)
        build_sub(T, T.right[node], s + (e - s) // 2, e)


cdef int tree_init(Tree *T, const Space *S, const intp_t *rows, intp_t n, intp_t ntotal,
                   int metric, int nthreads, int *bad) noexcept nogil:
    """Read the points (rows[0..n), or rows 0..n-1 where rows is NULL; the
    set has ntotal rows) and build T; returns Status."""
    cdef intp_t i, t, ntask = 0, nt, m
    cdef intp_t task_node[32]
    cdef intp_t task_s[32]
    cdef intp_t task_e[32]
    cdef intp_t qn[32]
    cdef intp_t qs[32]
    cdef intp_t qe[32]
    cdef intp_t nq, node
    cdef int big
    T.n = n
    T.d = S.d
    T.metric = metric
    # one dimension: a sorted array, no nodes (searches walk it)
    T.nnode = nodes_for(n) if S.d > 1 else 1
    T.pts = <double *>malloc(n * S.d * sizeof(double) + 8)
    T.ids = <intp_t *>malloc(n * sizeof(intp_t) + 8)
    T.pos = <intp_t *>malloc(ntotal * sizeof(intp_t) + 8)
    T.start = <intp_t *>malloc(T.nnode * sizeof(intp_t))
    T.end = <intp_t *>malloc(T.nnode * sizeof(intp_t))
    T.left = <intp_t *>malloc(T.nnode * sizeof(intp_t))
    T.right = <intp_t *>malloc(T.nnode * sizeof(intp_t))
    T.box = <double *>malloc(T.nnode * 2 * S.d * sizeof(double))
    T.sdim = <int *>malloc(T.nnode * sizeof(int))
    T.split = <double *>malloc(T.nnode * sizeof(double))
    if (T.pts == NULL or T.ids == NULL or T.pos == NULL or T.start == NULL or T.end == NULL
            or T.left == NULL or T.right == NULL or T.box == NULL or T.sdim == NULL
            or T.split == NULL):
        return NO_MEMORY
    if fill(S, rows, n, T.pts, nthreads, bad) != OK:
        return NO_MEMORY
    if bad[0] >= 0:
        return NOT_FINITE
    for i in range(n):
        T.ids[i] = rows[i] if rows != NULL else i
    if S.d == 1:
        if sort_values(T) != OK:
            return NO_MEMORY
        for i in range(n):
            T.pos[T.ids[i]] = i
        return OK
    # the top levels a level at a time (the nodes of a level in parallel),
    # down to a few subtrees per thread, then those subtrees in parallel
    # (their node numbers follow from their sizes); a level of leaves only
    # (points all one point) ends it
    nq = 1
    qn[0] = 0
    qs[0] = 0
    qe[0] = n
    while nthreads > 1 and 0 < nq < 4 * nthreads and nq <= 8:
        big = 1
        for t in range(nq):
            big &= qe[t] - qs[t] >= 4096
        if not big:
            break
        for t in prange(nq, num_threads=nthreads if nq > 1 else 1, schedule="dynamic",
                        chunksize=1):
            build_node(T, qn[t], qs[t], qe[t])
        ntask = 0
        for t in range(nq):
            node = qn[t]
            if T.left[node] >= 0:  # (a leaf is done)
                m = qs[t] + (qe[t] - qs[t]) // 2
                task_node[ntask] = T.left[node]
                task_s[ntask] = qs[t]
                task_e[ntask] = m
                task_node[ntask + 1] = T.right[node]
                task_s[ntask + 1] = m
                task_e[ntask + 1] = qe[t]
                ntask += 2
        for t in range(ntask):
            qn[t] = task_node[t]
            qs[t] = task_s[t]
            qe[t] = task_e[t]
        nq = ntask
    nt = nthreads if nq > 1 else 1
    for t in prange(nq, num_threads=nt, schedule="dynamic", chunksize=1):
        build_sub(T, qn[t], qs[t], qe[t])
    for i in range(n):
        T.pos[T.ids[i]] = i
    return leaf_columns(T, nthreads)


cdef int leaf_columns(Tree *T, int nthreads) noexcept nogil:
    """T.leaves, the reachable leaves in tree order (the batches of the
    searches), and T.lpts: each leaf's points again, in columns of groups of
    8 (padded with +inf), for the batch search (fd_knn.h); a leaf whose
    points are all one point keeps one."""
    cdef intp_t node, total = 0, s, m, g, j, i, lf
    cdef int d = T.d, c, zero
    cdef const double *lo
    T.leaves = <intp_t *>malloc(T.nnode * sizeof(intp_t))
    T.loff = <intp_t *>malloc(T.nnode * sizeof(intp_t))
    T.lnum = <intp_t *>malloc(T.nnode * sizeof(intp_t))
    if T.leaves == NULL or T.loff == NULL or T.lnum == NULL:
        return NO_MEMORY
    T.nleaf = collect_leaves(T, T.leaves)
    for lf in range(T.nleaf):
        node = T.leaves[lf]
        lo = T.box + 2 * d * node
        zero = 1
        for c in range(d):
            zero = zero and lo[c] == lo[d + c]
        T.loff[node] = total
        T.lnum[node] = 1 if zero else T.end[node] - T.start[node]
        total += (T.lnum[node] + 7) // 8 * 8 * d
    T.lpts = <double *>malloc(total * sizeof(double) + 8)
    if T.lpts == NULL:
        return NO_MEMORY
    for lf in prange(T.nleaf, num_threads=threads_for(T.n, nthreads), schedule="static"):
        node = T.leaves[lf]
        s = T.start[node]
        m = T.lnum[node]
        for g in range((m + 7) // 8):
            for c in range(d):
                for j in range(8):
                    i = 8 * g + j
                    T.lpts[T.loff[node] + (g * d + c) * 8 + j] = (
                        T.pts[(s + i) * d + c] if i < m else INFINITY)
    return OK


cdef intp_t collect_leaves(const Tree *T, intp_t *leaves) noexcept nogil:
    """The leaves of T (those reachable from the root), in tree order."""
    cdef intp_t stack[STACK]
    cdef int sp = 1
    cdef intp_t node, nl = 0
    stack[0] = 0
    while sp > 0:
        sp -= 1
        node = stack[sp]
        if T.left[node] < 0:
            leaves[nl] = node
            nl += 1
        else:
            stack[sp] = T.right[node]
            stack[sp + 1] = T.left[node]
            sp += 2
    return nl


cdef inline uint64_t order_key(double v) noexcept nogil:
    """The bits of v as an unsigned integer in the order of the values
    (negative values reversed below the positive ones; -0.0 just below
    0.0, which compare equal and may lie in either order)."""
    cdef uint64_t u
    memcpy(&u, &v, 8)
    return ~u if (u >> 63) else (u | (<uint64_t>1 << 63))


cdef int sort_values(Tree *T) noexcept nogil:
    """T.pts (one column) and T.ids sorted by value: a least-significant-
    digit radix sort on the top 33 bits of the values' order keys (three
    passes of 11 bits; a pass where every key has one digit is skipped),
    then one insertion pass that orders the values those bits leave tied
    (neighbours within about 1e-6 relative: short runs, few moves)."""
    cdef intp_t n = T.n, i, j, total, c, sid
    cdef int p
    cdef double v
    cdef uint32_t *key = <uint32_t *>malloc(n * sizeof(uint32_t) + 8)
    cdef uint32_t *key2 = <uint32_t *>malloc(n * sizeof(uint32_t) + 8)
    cdef intp_t *id2 = <intp_t *>malloc(n * sizeof(intp_t) + 8)
    cdef double *val2 = <double *>malloc(n * sizeof(double) + 8)
    cdef intp_t *hist = <intp_t *>calloc(3 * 2048, sizeof(intp_t))
    cdef uint32_t *kt
    cdef intp_t *it
    cdef double *vt
    cdef intp_t *h
    cdef int rc = OK
    if key == NULL or key2 == NULL or id2 == NULL or val2 == NULL or hist == NULL:
        rc = NO_MEMORY
    else:
        for i in range(n):
            # bits 31..63 of the order key, as 33 bits: the low 32 of them in
            # key, the top one folded into the third digit below
            key[i] = <uint32_t>(order_key(T.pts[i]) >> 31)
        for i in range(n):
            for p in range(3):
                hist[p * 2048 + digit(key[i], T.pts[i], p)] += 1
        for p in range(3):
            h = hist + p * 2048
            if h[digit(key[0], T.pts[0], p)] == n:
                continue
            total = 0
            for c in range(2048):
                total += h[c]
                h[c] = total - h[c]
            for i in range(n):
                c = digit(key[i], T.pts[i], p)
                key2[h[c]] = key[i]
                id2[h[c]] = T.ids[i]
                val2[h[c]] = T.pts[i]
                h[c] += 1
            kt = key
            key = key2
            key2 = kt
            it = T.ids
            T.ids = id2
            id2 = it
            vt = T.pts
            T.pts = val2
            val2 = vt
        # runs of equal keys: long ones (values within ~1e-6 relative of each
        # other by the thousand) take the whole sort, short ones an
        # insertion pass
        j = 0
        for i in range(1, n):
            if key[i] == key[j] and digit(key[i], T.pts[i], 2) == digit(key[j], T.pts[j], 2):
                if i - j > RUN_MAX:
                    rc = -1
                    break
            else:
                j = i
    if rc == OK:
        for i in range(1, n):
            v = T.pts[i]
            if v >= T.pts[i - 1]:
                continue
            sid = T.ids[i]
            j = i
            while j > 0 and T.pts[j - 1] > v:
                T.pts[j] = T.pts[j - 1]
                T.ids[j] = T.ids[j - 1]
                j -= 1
            T.pts[j] = v
            T.ids[j] = sid
    free(key)
    free(key2)
    free(id2)
    free(val2)
    free(hist)
    if rc == -1:
        return sort_values64(T)
    return rc


cdef inline intp_t digit(uint32_t key, double v, int p) noexcept nogil:
    """Digit p (11 bits) of the 33-bit prefix of v's order key, whose low 32
    bits are key: the third digit takes the top bit from v's sign."""
    if p < 2:
        return (key >> (11 * p)) & 2047
    return ((key >> 22) & 1023) | ((0 if signbit(v) else 1) << 10)


cdef int sort_values64(Tree *T) noexcept nogil:
    """T.pts (one column) and T.ids sorted by value: a least-significant-
    digit radix sort of the whole order keys, 11 bits a pass, the passes
    where every key has one digit skipped (sort_values' fallback)."""
    cdef intp_t n = T.n, i, total, c
    cdef int p, sh
    cdef uint64_t *key = <uint64_t *>malloc(n * sizeof(uint64_t) + 8)
    cdef uint64_t *key2 = <uint64_t *>malloc(n * sizeof(uint64_t) + 8)
    cdef intp_t *id2 = <intp_t *>malloc(n * sizeof(intp_t) + 8)
    cdef intp_t *hist = <intp_t *>calloc(6 * 2048, sizeof(intp_t))
    cdef uint64_t *kt
    cdef intp_t *it
    cdef intp_t *h
    cdef int rc = OK
    if key == NULL or key2 == NULL or id2 == NULL or hist == NULL:
        rc = NO_MEMORY
    else:
        for i in range(n):
            key[i] = order_key(T.pts[i])
            for p in range(6):
                hist[p * 2048 + ((key[i] >> (11 * p)) & 2047)] += 1
        for p in range(6):
            h = hist + p * 2048
            sh = 11 * p
            if h[(key[0] >> sh) & 2047] == n:
                continue
            total = 0
            for c in range(2048):
                total += h[c]
                h[c] = total - h[c]
            for i in range(n):
                c = (key[i] >> sh) & 2047
                key2[h[c]] = key[i]
                id2[h[c]] = T.ids[i]
                h[c] += 1
            kt = key
            key = key2
            key2 = kt
            it = T.ids
            T.ids = id2
            id2 = it
        # the values back from their keys
        for i in range(n):
            key2[i] = key[i] ^ (<uint64_t>1 << 63) if (key[i] >> 63) else ~key[i]
            memcpy(&T.pts[i], &key2[i], 8)
    free(key)
    free(key2)
    free(id2)
    free(hist)
    return rc


cdef double kth_sorted(const Tree *T, double x, intp_t p, int k) noexcept nogil:
    """The k-th smallest positive distance from x to the sorted values,
    p an index with v[p] <= x < v[p + 1] or v[p] == x (-1 below them all):
    two fronts walk out from x, its copies skipped (pdist's units)."""
    cdef const double *v = T.pts
    cdef intp_t left = p, r = p + 1, n = T.n
    cdef int found = 0
    cdef double dl, dr, last = 0.0
    while left >= 0 and v[left] == x:
        left -= 1
    while r < n and v[r] == x:
        r += 1
    while found < k:
        dl = x - v[left] if left >= 0 else INFINITY
        dr = v[r] - x if r < n else INFINITY
        if dl <= dr:
            last = dl
            left -= 1
        else:
            last = dr
            r += 1
        found += 1
    return last * last if T.metric == EUCLIDEAN else last


cdef intp_t below(const Tree *T, double x) noexcept nogil:
    """The last index with v <= x (-1 if none) of a sorted tree."""
    cdef intp_t lo = -1, hi = T.n, mid
    while hi - lo > 1:
        mid = lo + (hi - lo) // 2
        if T.pts[mid] <= x:
            lo = mid
        else:
            hi = mid
    return lo


cdef void tree_null(Tree *T) noexcept nogil:
    T.pts = NULL
    T.ids = NULL
    T.pos = NULL
    T.start = NULL
    T.end = NULL
    T.left = NULL
    T.right = NULL
    T.box = NULL
    T.sdim = NULL
    T.split = NULL
    T.leaves = NULL
    T.lpts = NULL
    T.loff = NULL
    T.lnum = NULL


cdef void tree_free(Tree *T) noexcept nogil:
    free(T.pts)
    free(T.ids)
    free(T.pos)
    free(T.start)
    free(T.end)
    free(T.left)
    free(T.right)
    free(T.box)
    free(T.sdim)
    free(T.split)
    free(T.leaves)
    free(T.lpts)
    free(T.loff)
    free(T.lnum)
    tree_null(T)


cdef int distinct_at_least(const double *pts, intp_t n, int d, intp_t need) noexcept nogil:
    """1 if the n points pts (d coordinates each) hold at least `need`
    distinct points (each point is compared with the <= need distinct ones
    seen before it; a tree's or a grid's order puts copies side by side)."""
    cdef intp_t i, j, have = 0
    cdef int c, same
    cdef intp_t *seen = <intp_t *>malloc((need + 1) * sizeof(intp_t))
    if seen == NULL:
        return -1
    for i in range(n):
        same = 0
        for j in range(have):
            same = 1
            for c in range(d):
                if pts[seen[j] * d + c] != pts[i * d + c]:
                    same = 0
                    break
            if same:
                break
        if not same:
            seen[have] = i
            have += 1
            if have >= need:
                break
    free(seen)
    return have >= need


# ---- searches ----------------------------------------------------------------------

cdef int knn_all(const Tree *Q, const Tree *T, int k, int nt, double *out) noexcept nogil:
    """out[p] = the k-th smallest positive distance from Q's point p to T's
    points (pdist's units), for every tree position p of Q (Q may be T): a
    leaf of Q at a time (at most LEAF <= FD_KNN_LANES neighbouring queries;
    a leaf of one repeated point in slices of FD_KNN_LANES), each slice
    walking T once (fd_knn.h), or along the sorted values in one
    dimension."""
    cdef intp_t p, lf, node, s, e
    cdef int tid
    cdef double *work
    cdef intp_t wsize = FD_KNN_WORK(T.d, k)
    cdef fd_knn_batch_fn search
    if Q.d == 1:
        for p in prange(Q.n, num_threads=nt, schedule="dynamic", chunksize=256):
            if Q == T:
                out[p] = kth_sorted(T, Q.pts[p], p, k)
            else:
                out[p] = kth_sorted(T, Q.pts[p], below(T, Q.pts[p]), k)
        return OK
    work = <double *>malloc(nt * wsize * sizeof(double))
    if work == NULL:
        return NO_MEMORY
    search = fd_knn_batch_for(get_isa(), T.metric)
    for lf in prange(Q.nleaf, num_threads=nt, schedule="dynamic", chunksize=4):
        tid = threadid()
        node = Q.leaves[lf]
        s = Q.start[node]
        while s < Q.end[node]:
            e = s + FD_KNN_LANES if Q.end[node] - s > FD_KNN_LANES else Q.end[node]
            search(T, Q.pts + s * Q.d, e - s, Q.box + 2 * Q.d * node, Q.box + 2 * Q.d * node + Q.d,
                   k, work + tid * wsize, out + s)
            s = e
    free(work)
    return OK


# ---- the grid of a pair of one-dimensional variables ----------------------------------

cdef void grid_null(Grid *g) noexcept nogil:
    g.pts = NULL
    g.ids = NULL
    g.start = NULL
    g.clo = NULL            # one block: clo, chi, rlo, rhi


cdef void grid_free(Grid *g) noexcept nogil:
    free(g.pts)
    free(g.ids)
    free(g.start)
    free(g.clo)
    grid_null(g)


cdef intp_t longest_run(const Tree *T) noexcept nogil:
    """The most copies of one value in a sorted tree."""
    cdef intp_t i, j = 0, most = 1
    for i in range(1, T.n):
        if T.pts[i] != T.pts[j]:
            j = i
        elif i - j + 1 > most:
            most = i - j + 1
    return most


cdef int grid_init(Grid *g, const Tree *TX, const Tree *TY, int nt) noexcept nogil:
    """g = the grid (fd_knn.h) of the points (x, y) of the sorted trees TX
    and TY (one dimension each, the same rows): column c holds the x-ranks
    [ceil(c n / G), ceil((c + 1) n / G)), row r the y-ranks alike, G^2 about
    n / GRID_FILL cells.  Returns DECLINED where the tree's searches suit the
    data better: a value repeated across more than two columns or rows (a
    box would grow across them at no distance), or points whose own cells
    hold more than GRID_WORK on average (sum of the cells' squared counts /
    n: a near-function of one variable crowds the cells along a curve)."""
    cdef intp_t n = TX.n, G, c, r, p, j, i, ps, pe, s, t, crowd = 0
    cdef intp_t *cnt
    cdef intp_t *rowof = NULL
    cdef intp_t *crowds = NULL
    G = <intp_t>sqrt(<double>n / GRID_FILL)
    G = 1 if G < 1 else (n if G > n else G)
    if longest_run(TX) > n // G or longest_run(TY) > n // G:
        return DECLINED
    g.n = n
    g.G = G
    g.pts = <double *>malloc(2 * n * sizeof(double) + 8)
    g.ids = <intp_t *>malloc(n * sizeof(intp_t) + 8)
    g.start = <intp_t *>malloc((G * G + 1) * sizeof(intp_t))
    g.clo = <double *>malloc(4 * G * sizeof(double))
    rowof = <intp_t *>malloc(n * sizeof(intp_t) + 8)
    crowds = <intp_t *>malloc(G * sizeof(intp_t))
    if (g.pts == NULL or g.ids == NULL or g.start == NULL or g.clo == NULL or rowof == NULL
            or crowds == NULL):
        free(rowof)
        free(crowds)
        return NO_MEMORY
    g.chi = g.clo + G
    g.rlo = g.chi + G
    g.rhi = g.rlo + G
    # the row of the point at each x-rank
    for p in prange(n, num_threads=nt, schedule="static"):
        rowof[p] = TY.pos[TX.ids[p]] * G // n
    # each column a counting sort of its points by row (its cells' starts
    # counted in place, then moved one cell on as the points are placed)
    for c in prange(G, num_threads=nt, schedule="dynamic", chunksize=8):
        ps = (c * n + G - 1) // G
        pe = ((c + 1) * n + G - 1) // G
        cnt = g.start + c * G
        for r in range(G):
            cnt[r] = 0
        for p in range(ps, pe):
            cnt[rowof[p]] += 1
        crowds[c] = 0
        s = ps
        for r in range(G):
            t = cnt[r]
            crowds[c] += t * t
            cnt[r] = s
            s = s + t
        for p in range(ps, pe):
            r = rowof[p]
            j = cnt[r]
            cnt[r] = j + 1
            i = TX.ids[p]
            g.pts[2 * j] = TX.pts[p]
            g.pts[2 * j + 1] = TY.pts[TY.pos[i]]
            g.ids[j] = i
        for r in range(G - 1, 0, -1):
            cnt[r] = cnt[r - 1]
        cnt[0] = ps
        g.clo[c] = TX.pts[ps]
        g.chi[c] = TX.pts[pe - 1]
    g.start[G * G] = n
    for r in range(G):
        g.rlo[r] = TY.pts[(r * n + G - 1) // G]
        g.rhi[r] = TY.pts[((r + 1) * n + G - 1) // G - 1]
    for c in range(G):
        crowd += crowds[c]
    free(rowof)
    free(crowds)
    if crowd > <intp_t>GRID_WORK * n:
        return DECLINED
    return OK


cdef int grid_radii(const Grid *g, int k, int nt, double *radius) noexcept nogil:
    """radius[row] = the k-th positive max-norm distance of each point of g
    to the others, the queries in cell order; DECLINED once the
    searches' work (cells visited and points compared) passes GRID_WORK per
    point: data whose boxes grow across many cells (a cluster far narrower
    than the others in one variable spreads over columns at no distance),
    which the tree searches in n log n (the same distances either way)."""
    cdef intp_t G = g.G, c, r, j, w
    cdef intp_t total = 0
    cdef intp_t budget = <intp_t>GRID_WORK * g.n
    cdef int tid
    cdef double *best = <double *>malloc(nt * k * sizeof(double))
    if best == NULL:
        return NO_MEMORY
    for c in prange(G, num_threads=nt, schedule="dynamic", chunksize=4):
        tid = threadid()
        if fd_work_get(&total) > budget:
            continue
        w = 0
        for r in range(G):
            for j in range(g.start[c * G + r], g.start[c * G + r + 1]):
                radius[g.ids[j]] = fd_grid_kth(g, g.pts + 2 * j, c, r, k, best + tid * k, &w)
        fd_work_add(&total, w)
    free(best)
    return DECLINED if fd_work_get(&total) > budget else OK


cdef intp_t count_in(const Tree *T, const double *q, double r, int strict) noexcept nogil:
    """The points of T within r of q (strictly: < r), q's copies included."""
    cdef intp_t stack[STACK]
    cdef int sp = 1, d = T.d, metric = T.metric
    cdef intp_t node, i, cnt = 0
    cdef double md, dd
    cdef double *lo
    stack[0] = 0
    while sp > 0:
        sp -= 1
        node = stack[sp]
        lo = T.box + node * 2 * d
        md = box_min(lo, lo + d, q, d, metric)
        if (md >= r) if strict else (md > r):
            continue
        md = box_max(lo, lo + d, q, d, metric)
        if (md < r) if strict else (md <= r):
            cnt += T.end[node] - T.start[node]
            continue
        if T.left[node] < 0:
            for i in range(T.start[node], T.end[node]):
                dd = pdist(T.pts + i * d, q, d, metric)
                if (dd < r) if strict else (dd <= r):
                    cnt += 1
            continue
        stack[sp] = T.left[node]
        stack[sp + 1] = T.right[node]
        sp += 2
    return cnt


cdef struct Ball:
    double *dx              # the two marginal distances of each point found
    double *dy
    double *dj              # and its joint distance
    intp_t *cnt             # how many points: a leaf of one point repeated is one entry
    intp_t n, cap


cdef int ball(const Tree *T, const double *q, double r, int dx, Ball *B) noexcept nogil:
    """B = the points at a positive joint (max-norm) distance <= r from q,
    with their max-norm distances in columns [0, dx) and [dx, d)."""
    cdef intp_t stack[STACK]
    cdef int sp = 1, d = T.d, c, same
    cdef intp_t node, i
    cdef double md, a, b, t
    cdef double *lo
    cdef const double *p
    B.n = 0
    stack[0] = 0
    while sp > 0:
        sp -= 1
        node = stack[sp]
        lo = T.box + node * 2 * d
        if box_min(lo, lo + d, q, d, CHEBYSHEV) > r:
            continue
        if T.left[node] >= 0:
            stack[sp] = T.left[node]
            stack[sp + 1] = T.right[node]
            sp += 2
            continue
        # a leaf of one point repeated: one entry for all its copies
        same = 1
        for c in range(d):
            if lo[c] != lo[d + c]:
                same = 0
        for i in range(T.start[node], T.start[node] + 1 if same else T.end[node]):
            p = T.pts + i * d
            a = 0.0
            b = 0.0
            for c in range(dx):
                t = fabs(p[c] - q[c])
                if t > a:
                    a = t
            for c in range(dx, d):
                t = fabs(p[c] - q[c])
                if t > b:
                    b = t
            md = a if a > b else b
            if md > 0.0 and md <= r:
                if B.n == B.cap:
                    B.cap = 2 * B.cap + 16
                    B.dx = <double *>realloc(B.dx, B.cap * sizeof(double))
                    B.dy = <double *>realloc(B.dy, B.cap * sizeof(double))
                    B.dj = <double *>realloc(B.dj, B.cap * sizeof(double))
                    B.cnt = <intp_t *>realloc(B.cnt, B.cap * sizeof(intp_t))
                    if B.dx == NULL or B.dy == NULL or B.dj == NULL or B.cnt == NULL:
                        return NO_MEMORY
                B.dx[B.n] = a
                B.dy[B.n] = b
                B.dj[B.n] = md
                B.cnt[B.n] = T.end[node] - T.start[node] if same else 1
                B.n += 1
    return OK


cdef double marginal_radius(const Ball *B, const double *dm, double eps, int k) noexcept nogil:
    """KSG algorithm 2's radius in one marginal: the largest marginal
    distance among the k neighbours, those tied at the k-th joint distance
    eps taken smallest marginal distance first."""
    cdef intp_t i, inner = 0
    cdef double m = 0.0, t
    cdef int need
    for i in range(B.n):
        if B.dj[i] < eps:
            inner += B.cnt[i]
            if dm[i] > m:
                m = dm[i]
    need = k - <int>inner
    if need <= 0:
        return m
    # the need-th smallest marginal distance among the ties (few: a scan
    # per rank)
    cdef double last = -1.0
    cdef intp_t taken = 0, eq
    while taken < need:
        t = INFINITY
        for i in range(B.n):
            if B.dj[i] == eps and dm[i] > last and dm[i] < t:
                t = dm[i]
        eq = 0
        for i in range(B.n):
            if B.dj[i] == eps and dm[i] == t:
                eq += B.cnt[i]
        taken += eq
        last = t
    return last if last > m else m


# ---- sums and the digamma function ---------------------------------------------------

cdef double psum(const double *a, intp_t n) noexcept nogil:
    """Pairwise sum in a fixed order."""
    cdef double s = 0.0
    cdef intp_t i, h
    if n <= PSUM_BLOCK:
        for i in range(n):
            s += a[i]
        return s
    h = n // 2
    return psum(a, h) + psum(a + h, n - h)


cdef double PSI_SMALL[PSI_TABLE]


cdef inline double psi(intp_t m) noexcept nogil:
    """The digamma function at a positive integer (a table below PSI_TABLE)."""
    return PSI_SMALL[m] if m < PSI_TABLE else psi_series(m)


cdef double psi_series(intp_t m) noexcept nogil:
    """The digamma function at an integer m >= 16 by its asymptotic series
    (error < 1e-16 relative)."""
    cdef double x, inv, inv2
    x = <double>m
    inv = 1.0 / x
    inv2 = inv * inv
    return (log(x) - 0.5 * inv
            - inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (
                1.0 / 240 - inv2 * (1.0 / 132))))))


def _init_psi():
    from fractions import Fraction
    euler = 0.57721566490153286060651209008240243
    h = Fraction(0)
    PSI_SMALL[0] = -INFINITY
    for m in range(1, 16):
        # psi(m) = -gamma + H(m - 1), the harmonic number exact
        PSI_SMALL[m] = float(Fraction(-euler) + h)
        h += Fraction(1, m)
    for m in range(16, PSI_TABLE):
        PSI_SMALL[m] = psi_series(m)


_init_psi()


def digamma(intp_t m):
    """psi(m) for an integer m >= 1 (tested against SciPy)."""
    return psi(m)


# ---- the estimates, one sample set each ----------------------------------------------

cdef Ball *balls_new(int nthreads) noexcept nogil:
    """A ball (KSG algorithm 2's neighbours) per thread, empty."""
    return <Ball *>calloc(nthreads, sizeof(Ball))


cdef void balls_free(Ball *w, int nthreads) noexcept nogil:
    cdef int t
    if w == NULL:
        return
    for t in range(nthreads):
        free(w[t].dx)
        free(w[t].dy)
        free(w[t].dj)
        free(w[t].cnt)
    free(w)


cdef double log_ball(int d, int metric) noexcept nogil:
    """log of the volume of the unit ball."""
    if metric == CHEBYSHEV:
        return d * log(2.0)
    return 0.5 * d * log(3.141592653589793) - lgamma(0.5 * d + 1.0)


cdef extern from "math.h" nogil:
    double lgamma(double x)


cdef inline double log_dist(double r, int metric) noexcept nogil:
    """log of a distance given in pdist's units."""
    return 0.5 * log(r) if metric == EUCLIDEAN else log(r)


cdef int entropy_set(const Space *S, intp_t n, int k, int metric, int nt, double *out,
                     int *bad) noexcept nogil:
    cdef Tree T
    cdef intp_t p
    cdef int st
    cdef double *terms = NULL
    cdef double *eps = NULL
    tree_null(&T)
    st = tree_init(&T, S, NULL, n, n, metric, nt, bad)
    if st == OK and distinct_at_least(T.pts, T.n, T.d, k + 1) != 1:
        st = FEW_DISTINCT
        bad[0] = S.b[0].arg
    if st == OK:
        terms = <double *>malloc(n * sizeof(double))
        eps = <double *>malloc(n * sizeof(double))
        if terms == NULL or eps == NULL:
            st = NO_MEMORY
    if st == OK:
        st = knn_all(&T, &T, k, nt, eps)
    if st == OK:
        for p in prange(n, num_threads=nt, schedule="static"):
            terms[p] = log_dist(eps[p], metric)
        out[0] = psi(n) - psi(k) + log_ball(S.d, metric) + S.d * (psum(terms, n) / n)
    free(eps)
    free(terms)
    tree_free(&T)
    return st


cdef int psi_of_counts(const Tree *M, const double *radius, int strict, int plus, int nt,
                       double *total) noexcept nogil:
    """*total = sum over M's points of psi(c + plus), c the other points of M
    within radius[row] of the point (strictly: <), in M's own order (its
    searches touch neighbouring memory one point after the other)."""
    cdef intp_t p, c, n = M.n
    cdef double *vals = <double *>malloc((n + 1) * sizeof(double))
    if vals == NULL:
        return NO_MEMORY
    if M.d == 1:
        for p in prange(n, num_threads=nt, schedule="static"):
            # the radii are in row order: fetch ahead, the search waits on it
            if p + PREFETCH < n:
                fd_knn_prefetch(&radius[M.ids[p + PREFETCH]])
            c = fd_count_sorted(M.pts, n, p, radius[M.ids[p]], strict) - 1
            vals[p] = psi(c + plus)
    else:
        for p in prange(n, num_threads=nt, schedule="dynamic", chunksize=CHUNK):
            c = count_in(M, M.pts + p * M.d, radius[M.ids[p]], strict) - 1
            vals[p] = psi(c + plus)
    total[0] = psum(vals, n)
    free(vals)
    return OK


cdef int joint_radii(const Space *J, intp_t n, int k, int nt, Tree *T, double *radius,
                     int *bad) noexcept nogil:
    """T = the joint space's tree (max-norm), radius[row] = each point's
    k-th positive distance in it."""
    cdef intp_t p
    cdef double *r
    cdef int st = tree_init(T, J, NULL, n, n, CHEBYSHEV, nt, bad)
    if st == OK and distinct_at_least(T.pts, T.n, T.d, k + 1) != 1:
        st = FEW_DISTINCT
        bad[0] = -1
    if st != OK:
        return st
    r = <double *>malloc(n * sizeof(double))
    if r == NULL:
        return NO_MEMORY
    st = knn_all(T, T, k, nt, r)
    for p in prange(n, num_threads=nt, schedule="static"):
        radius[T.ids[p]] = r[p]
    free(r)
    return st


cdef int pair_init(Tree *TA, const Space *A, intp_t na, Tree *TB, const Space *B, intp_t nb,
                   int metric, int nt, int *bad) noexcept nogil:
    """The structures TA of A (na points) and, unless TB is NULL, TB of B
    (nb points), on two threads at once where there are two (a sort, or a
    tree's build, is mostly one thread's work)."""
    cdef int st[2]
    cdef int bd[2]
    cdef int j
    if TB == NULL or nt < 2:
        st[0] = tree_init(TA, A, NULL, na, na, metric, nt, bad)
        if st[0] != OK or TB == NULL:
            return st[0]
        return tree_init(TB, B, NULL, nb, nb, metric, nt, bad)
    for j in prange(2, num_threads=2, schedule="static", chunksize=1):
        bd[j] = -1
        if j == 0:
            st[0] = tree_init(TA, A, NULL, na, na, metric, 1, &bd[0])
        else:
            st[1] = tree_init(TB, B, NULL, nb, nb, metric, 1, &bd[1])
    for j in range(2):
        if st[j] != OK:
            bad[0] = bd[j]
            return st[j]
    return OK


cdef int ksg_set(const Space *J, const Space *X, const Space *Y, const Tree *shared_y,
                 intp_t n, int k, int algorithm, int nt, double *out, int *bad) noexcept nogil:
    """KSG on the joint space J = [X | Y]; shared_y: Y's structure, built
    once for many X (mutual_information_features), or NULL.  The sums of
    psi over the marginal counts run in each marginal's own order."""
    cdef Tree T, TX, TY
    cdef Grid g
    cdef const Tree *ty
    cdef intp_t p, i
    cdef int st, tid, dx = X.d, plus, strict, use_grid
    cdef double sx = 0.0, sy = 0.0
    cdef double *radius = NULL
    cdef double *rx = NULL
    cdef double *ry = NULL
    cdef Ball *w = NULL
    tree_null(&T)
    tree_null(&TX)
    tree_null(&TY)
    grid_null(&g)
    radius = <double *>malloc((n + 1) * sizeof(double))
    st = OK if radius != NULL else NO_MEMORY
    # a pair of one-dimensional variables: the joint radii on a grid of the
    # sorted marginals' ranks (KSG algorithm 2 walks the joint tree)
    use_grid = algorithm == 1 and J.d == 2
    if st == OK and not use_grid:
        st = joint_radii(J, n, k, nt, &T, radius, bad)
    ty = shared_y if shared_y != NULL else &TY
    if st == OK:
        st = pair_init(&TX, X, n, &TY if shared_y == NULL else NULL, Y, n, CHEBYSHEV, nt, bad)
    if st == OK and use_grid:
        st = grid_init(&g, &TX, ty, nt)
        if st == OK and distinct_at_least(g.pts, n, 2, k + 1) != 1:
            st = FEW_DISTINCT
            bad[0] = -1
        if st == OK:
            st = grid_radii(&g, k, nt, radius)
        grid_free(&g)
        if st == DECLINED:
            st = joint_radii(J, n, k, nt, &T, radius, bad)
    rx = radius
    ry = radius
    plus = 1
    strict = 1
    if st == OK and algorithm == 2:
        # each marginal's own radius: the largest marginal distance among
        # the k neighbours (found again, with their marginal distances)
        plus = 0
        strict = 0
        rx = <double *>malloc((n + 1) * sizeof(double))
        ry = <double *>malloc((n + 1) * sizeof(double))
        w = balls_new(nt)
        if rx == NULL or ry == NULL or w == NULL:
            st = NO_MEMORY
        else:
            for p in prange(n, num_threads=nt, schedule="dynamic", chunksize=CHUNK):
                tid = threadid()
                i = T.ids[p]
                if ball(&T, T.pts + p * T.d, radius[i], dx, &w[tid]) != OK:
                    rx[i] = -1.0
                    continue
                rx[i] = marginal_radius(&w[tid], w[tid].dx, radius[i], k)
                ry[i] = marginal_radius(&w[tid], w[tid].dy, radius[i], k)
            for i in range(n):
                if rx[i] < 0.0:
                    st = NO_MEMORY
    if st == OK:
        st = psi_of_counts(&TX, rx, strict, plus, nt, &sx)
    if st == OK:
        st = psi_of_counts(ty, ry, strict, plus, nt, &sy)
    if st == OK:
        out[0] = psi(k) + psi(n) - (sx + sy) / n
        if algorithm == 2:
            out[0] -= 1.0 / k
    if rx != radius:
        free(rx)
        free(ry)
    free(radius)
    balls_free(w, nt)
    tree_free(&T)
    tree_free(&TX)
    tree_free(&TY)
    return st


cdef int cmi_set(const Space *J, const Space *XZ, const Space *ZY, const Space *Z, intp_t n,
                 int k, int nt, double *out, int *bad) noexcept nogil:
    """Frenzel-Pompe on J = [X | Z | Y] (the columns of (x, z) and (z, y)
    in that order in their own trees)."""
    cdef Tree T, M
    cdef int st, j
    cdef double s[3]
    cdef const Space *marg[3]
    cdef double *radius = <double *>malloc((n + 1) * sizeof(double))
    marg[0] = XZ
    marg[1] = ZY
    marg[2] = Z
    tree_null(&T)
    st = joint_radii(J, n, k, nt, &T, radius, bad) if radius != NULL else NO_MEMORY
    tree_free(&T)
    for j in range(3):
        if st != OK:
            break
        tree_null(&M)
        st = tree_init(&M, marg[j], NULL, n, n, CHEBYSHEV, nt, bad)
        if st == OK:
            st = psi_of_counts(&M, radius, 1, 1, nt, &s[j])
        tree_free(&M)
    if st == OK:
        out[0] = psi(k) - (s[0] + s[1] - s[2]) / n
    free(radius)
    return st


cdef int kl_set(const Space *X, const Space *Y, intp_t n, intp_t m, int k, int metric, int nt,
                double *out, int *bad) noexcept nogil:
    cdef Tree TX, TY
    cdef intp_t p
    cdef int st
    cdef double *terms = NULL
    cdef double *rho = NULL
    cdef double *nu = NULL
    tree_null(&TX)
    tree_null(&TY)
    st = pair_init(&TX, X, n, &TY, Y, m, metric, nt, bad)
    if st == OK and distinct_at_least(TX.pts, TX.n, TX.d, k + 1) != 1:
        st = FEW_DISTINCT
        bad[0] = X.b[0].arg
    if st == OK and distinct_at_least(TY.pts, TY.n, TY.d, k + 1) != 1:
        st = FEW_DISTINCT
        bad[0] = Y.b[0].arg
    if st == OK:
        terms = <double *>malloc(n * sizeof(double))
        rho = <double *>malloc(n * sizeof(double))
        nu = <double *>malloc(n * sizeof(double))
        if terms == NULL or rho == NULL or nu == NULL:
            st = NO_MEMORY
    if st == OK:
        st = knn_all(&TX, &TX, k, nt, rho)
    if st == OK:
        st = knn_all(&TX, &TY, k, nt, nu)
    if st == OK:
        for p in prange(n, num_threads=nt, schedule="static"):
            terms[p] = log_dist(nu[p] / rho[p], metric)
        out[0] = X.d * (psum(terms, n) / n) + log(<double>m / <double>(n - 1))
    free(terms)
    free(rho)
    free(nu)
    tree_free(&TX)
    tree_free(&TY)
    return st


cdef int all_finite(const Space *S, intp_t n, int *bad) noexcept nogil:
    cdef intp_t i
    cdef int a, c
    for a in range(S.nb):
        for i in range(n):
            for c in range(S.b[a].cols):
                if not isfinite(read(&S.b[a], i, c)):
                    bad[0] = S.b[a].arg
                    return NOT_FINITE
    return OK


cdef int ross_set(const Space *X, const int64_t *codes, intp_t n, intp_t ncls, int k, int nt,
                  double *out, int *bad) noexcept nogil:
    """Ross's estimate: class c of size N_c >= 2 searched within itself for
    its k_c = min(k, N_c - 1)-th neighbours, m_i counted among every kept
    point (inclusive)."""
    cdef Tree TA
    cdef intp_t i, c, N, size
    cdef int st, kc
    cdef double sm = 0.0
    cdef int *cls_status = NULL
    cdef intp_t *sizes = NULL
    cdef intp_t *off = NULL
    cdef intp_t *cur = NULL
    cdef intp_t *rows = NULL
    cdef double *eps = NULL
    cdef double *terms = NULL
    tree_null(&TA)
    st = all_finite(X, n, bad)
    if st != OK:
        return st
    sizes = <intp_t *>calloc(ncls + 1, sizeof(intp_t))
    off = <intp_t *>malloc((ncls + 1) * sizeof(intp_t))
    cur = <intp_t *>malloc((ncls + 1) * sizeof(intp_t))
    rows = <intp_t *>malloc((n + 1) * sizeof(intp_t))
    eps = <double *>malloc((n + 1) * sizeof(double))
    terms = <double *>calloc(n + 1, sizeof(double))
    cls_status = <int *>calloc(ncls + 1, sizeof(int))
    if (sizes == NULL or off == NULL or cur == NULL or rows == NULL or eps == NULL
            or terms == NULL or cls_status == NULL):
        st = NO_MEMORY
    if st == OK:
        for i in range(n):
            sizes[codes[i]] += 1
        off[0] = 0
        for c in range(ncls):
            off[c + 1] = off[c] + (sizes[c] if sizes[c] > 1 else 0)
            cur[c] = off[c]
        N = off[ncls]
        if N == 0:
            st = NO_CLASS
    if st == OK:
        for i in range(n):
            c = codes[i]
            if sizes[c] > 1:
                rows[cur[c]] = i
                cur[c] += 1
        # each class on one thread: its tree, its points' k_c-th distances
        for c in prange(ncls, num_threads=nt, schedule="dynamic", chunksize=1):
            if sizes[c] > 1:
                cls_status[c] = class_radii(X, rows + off[c], sizes[c], n, k, eps)
        for c in range(ncls):
            if cls_status[c] != OK:
                st = cls_status[c]
                break
    if st == OK:
        st = tree_init(&TA, X, rows, N, n, CHEBYSHEV, nt, bad)
    if st == OK:
        st = psi_of_counts(&TA, eps, 0, 0, nt, &sm)
    if st == OK:
        for i in range(n):
            size = sizes[codes[i]]
            if size > 1:
                kc = <int>(size - 1 if size - 1 < k else k)
                terms[i] = psi(kc) - psi(size)
        out[0] = psi(N) + (psum(terms, n) - sm) / N
    free(sizes)
    free(off)
    free(cur)
    free(rows)
    free(eps)
    free(terms)
    free(cls_status)
    tree_free(&TA)
    return st


cdef int class_radii(const Space *X, const intp_t *rows, intp_t size, intp_t n, int k,
                     double *eps) noexcept nogil:
    """eps[row] = the k_c-th positive distance within one class (one thread)."""
    cdef Tree T
    cdef intp_t p
    cdef int kc = <int>(size - 1 if size - 1 < k else k), st, bad
    cdef double *r = <double *>malloc(size * sizeof(double))
    tree_null(&T)
    st = tree_init(&T, X, rows, size, n, CHEBYSHEV, 1, &bad) if r != NULL else NO_MEMORY
    if st == OK and distinct_at_least(T.pts, T.n, T.d, kc + 1) != 1:
        st = CLASS_FEW_DISTINCT
    if st == OK:
        st = knn_all(&T, &T, kc, 1, r)
    if st == OK:
        for p in range(size):
            eps[T.ids[p]] = r[p]
    free(r)
    tree_free(&T)
    return st


# ---- the calls -----------------------------------------------------------------------

cdef int set_block(Block *blk, cnp.ndarray a, intp_t b, int arg, object stats) except -1:
    """blk = set b of a (B, n, cols) float32/float64 array; stats = None or
    (shift, scale), each (B, cols) float64 C-contiguous."""
    cdef cnp.ndarray shift, scale
    blk.p = <const char *>cnp.PyArray_DATA(a) + b * a.strides[0]
    blk.rs = a.strides[1]
    blk.cs = a.strides[2]
    blk.cols = <int>a.shape[2]
    blk.f32 = a.dtype.itemsize == 4
    blk.swap = not a.dtype.isnative
    blk.arg = arg
    blk.shift = NULL
    blk.scale = NULL
    if stats is not None:
        shift, scale = stats
        blk.shift = <const double *>cnp.PyArray_DATA(shift) + b * blk.cols
        blk.scale = <const double *>cnp.PyArray_DATA(scale) + b * blk.cols
    return 0


cdef int set_space(Space *S, tuple parts, intp_t b) except -1:
    """S = the concatenation of parts ((array, arg, stats), ...) in set b."""
    cdef int j
    S.nb = len(parts)
    S.d = 0
    for j in range(S.nb):
        a, arg, stats = parts[j]
        set_block(&S.b[j], a, b, arg, stats)
        S.d += S.b[j].cols
    return 0


@cython.auto_pickle(False)
cdef class _Spaces:
    """The spaces of every set of a call (set b's space r at r B + b)."""
    cdef Space *s
    cdef intp_t B, R

    def __cinit__(self, list roles, intp_t B):
        cdef intp_t r, b
        self.B = B
        self.R = len(roles)
        self.s = <Space *>calloc(max(self.R * B, 1), sizeof(Space))
        if self.s == NULL:
            raise MemoryError()
        for r in range(self.R):
            for b in range(B):
                set_space(&self.s[r * B + b], roles[r], b)

    def __dealloc__(self):
        free(self.s)

    cdef inline const Space *at(self, intp_t r, intp_t b) noexcept nogil:
        return &self.s[r * self.B + b]


def _results(intp_t B):
    return np.empty(B), np.zeros(B, dtype=np.int32), np.full(B, -1, dtype=np.int32)


cdef inline int threads_for(intp_t points, int nthreads) noexcept nogil:
    return nthreads if points >= PAR_MIN else 1


def entropy(tuple x, intp_t n, int k, int metric, int nthreads):
    """Kozachenko-Leonenko for every set of x = (array (B, n, d), arg,
    stats): (values, status, bad argument)."""
    cdef intp_t B = x[0].shape[0], b
    cdef _Spaces S = _Spaces([(x,)], B)
    values, status, bad = _results(B)
    cdef double[::1] v = values
    cdef int[::1] st = status, bd = bad
    nthreads = threads_for(B * n, nthreads)
    with nogil:
        if B == 1:
            st[0] = entropy_set(S.at(0, 0), n, k, metric, nthreads, &v[0], &bd[0])
        else:
            for b in prange(B, num_threads=nthreads, schedule="dynamic", chunksize=1):
                st[b] = entropy_set(S.at(0, b), n, k, metric, 1, &v[b], &bd[b])
    return values, status, bad


def _kth(x, y, int k, int metric, int nthreads):
    """Test hook: the k-th smallest positive distance (pdist units: the
    squared Euclidean norm, or the max-norm) from each row of x (n, d
    float64) to the rows of y (or of x, where y is None), in x's row order,
    as the estimators' searches find it."""
    cdef cnp.ndarray a = np.ascontiguousarray(x, dtype=np.float64)[None]
    cdef cnp.ndarray c = a if y is None else np.ascontiguousarray(y, dtype=np.float64)[None]
    cdef _Spaces S = _Spaces([((a, 0, None),), ((c, 1, None),)], 1)
    cdef intp_t n = a.shape[1], m = c.shape[1], p
    out = np.empty(n)
    cdef double[::1] o = out
    cdef double *r = <double *>malloc(n * sizeof(double) + 8)
    cdef Tree TQ, TT
    cdef int st, bad = -1
    cdef bint cross = y is not None
    tree_null(&TQ)
    tree_null(&TT)
    with nogil:
        st = NO_MEMORY if r == NULL else tree_init(&TQ, S.at(0, 0), NULL, n, n, metric, nthreads,
                                                   &bad)
        if st == OK and cross:
            st = tree_init(&TT, S.at(1, 0), NULL, m, m, metric, nthreads, &bad)
        if st == OK:
            st = knn_all(&TQ, &TT if cross else &TQ, k, nthreads, r)
        if st == OK:
            for p in range(n):
                o[TQ.ids[p]] = r[p]
    free(r)
    tree_free(&TQ)
    tree_free(&TT)
    if st != OK:
        raise ValueError(f"status {st}")
    return out


def ksg(tuple x, tuple y, intp_t n, int k, int algorithm, int nthreads):
    """KSG for every set of the pair (x, y)."""
    cdef intp_t B = x[0].shape[0], b
    cdef _Spaces S = _Spaces([(x, y), (x,), (y,)], B)
    values, status, bad = _results(B)
    cdef double[::1] v = values
    cdef int[::1] st = status, bd = bad
    nthreads = threads_for(B * n, nthreads)
    with nogil:
        if B == 1:
            st[0] = ksg_set(S.at(0, 0), S.at(1, 0), S.at(2, 0), NULL, n, k, algorithm,
                            nthreads, &v[0], &bd[0])
        else:
            for b in prange(B, num_threads=nthreads, schedule="dynamic", chunksize=1):
                st[b] = ksg_set(S.at(0, b), S.at(1, b), S.at(2, b), NULL, n, k, algorithm, 1,
                                &v[b], &bd[b])
    return values, status, bad


def cmi(tuple x, tuple y, tuple z, intp_t n, int k, int nthreads):
    """Frenzel-Pompe for every set of (x, y, z)."""
    cdef intp_t B = x[0].shape[0], b
    cdef _Spaces S = _Spaces([(x, z, y), (x, z), (z, y), (z,)], B)
    values, status, bad = _results(B)
    cdef double[::1] v = values
    cdef int[::1] st = status, bd = bad
    nthreads = threads_for(B * n, nthreads)
    with nogil:
        if B == 1:
            st[0] = cmi_set(S.at(0, 0), S.at(1, 0), S.at(2, 0), S.at(3, 0), n, k, nthreads,
                            &v[0], &bd[0])
        else:
            for b in prange(B, num_threads=nthreads, schedule="dynamic", chunksize=1):
                st[b] = cmi_set(S.at(0, b), S.at(1, b), S.at(2, b), S.at(3, b), n, k, 1,
                                &v[b], &bd[b])
    return values, status, bad


def kl(tuple x, tuple y, intp_t n, intp_t m, int k, int metric, int nthreads):
    """Wang-Kulkarni-Verdu for every set of (x, y)."""
    cdef intp_t B = x[0].shape[0], b
    cdef _Spaces S = _Spaces([(x,), (y,)], B)
    values, status, bad = _results(B)
    cdef double[::1] v = values
    cdef int[::1] st = status, bd = bad
    nthreads = threads_for(B * n, nthreads)
    with nogil:
        if B == 1:
            st[0] = kl_set(S.at(0, 0), S.at(1, 0), n, m, k, metric, nthreads, &v[0], &bd[0])
        else:
            for b in prange(B, num_threads=nthreads, schedule="dynamic", chunksize=1):
                st[b] = kl_set(S.at(0, b), S.at(1, b), n, m, k, metric, 1, &v[b], &bd[b])
    return values, status, bad


def ross(tuple x, const int64_t[:, ::1] codes, intp_t ncls, intp_t n, int k, int nthreads):
    """Ross for every set of x against its class codes (B, n) in [0, ncls)."""
    cdef intp_t B = x[0].shape[0], b
    cdef _Spaces S = _Spaces([(x,)], B)
    values, status, bad = _results(B)
    cdef double[::1] v = values
    cdef int[::1] st = status, bd = bad
    nthreads = threads_for(B * n, nthreads)
    with nogil:
        if B == 1:
            st[0] = ross_set(S.at(0, 0), &codes[0, 0], n, ncls, k, nthreads, &v[0], &bd[0])
        else:
            for b in prange(B, num_threads=nthreads, schedule="dynamic", chunksize=1):
                st[b] = ross_set(S.at(0, b), &codes[b, 0], n, ncls, k, 1, &v[b], &bd[b])
    return values, status, bad


def ksg_columns(tuple X, tuple y, intp_t n, int k, int algorithm, int nthreads):
    """KSG of every column of X = (array (m, n, 1): column j as set j, arg,
    stats) against the one y (array (1, n, dy)): y's structure built once,
    the columns in parallel, each exactly as ``ksg`` computes it alone."""
    cdef intp_t m = X[0].shape[0], j
    cdef _Spaces SX = _Spaces([(X,)], m)
    cdef _Spaces SY = _Spaces([(y,)], 1)
    cdef Space *J = <Space *>calloc(max(m, 1), sizeof(Space))
    cdef Tree TY
    cdef int st0, bad0 = -1
    if J == NULL:
        raise MemoryError()
    for j in range(m):
        J[j].nb = 2
        J[j].b[0] = SX.at(0, j).b[0]
        J[j].b[1] = SY.at(0, 0).b[0]
        J[j].d = J[j].b[0].cols + J[j].b[1].cols
    values, status, bad = _results(m)
    cdef double[::1] v = values
    cdef int[::1] st = status, bd = bad
    nthreads = threads_for(m * n, nthreads)
    tree_null(&TY)
    with nogil:
        st0 = tree_init(&TY, SY.at(0, 0), NULL, n, n, CHEBYSHEV, nthreads, &bad0)
        if st0 == OK:
            for j in prange(m, num_threads=nthreads, schedule="dynamic", chunksize=1):
                st[j] = ksg_set(&J[j], SX.at(0, j), SY.at(0, 0), &TY, n, k, algorithm, 1,
                                &v[j], &bd[j])
        tree_free(&TY)
    free(J)
    if st0 != OK:
        status[:] = st0
        bad[:] = bad0
    return values, status, bad


def ross_columns(tuple X, const int64_t[:, ::1] codes, intp_t ncls, intp_t n, int k,
                 int nthreads):
    """Ross of every column of X (as ksg_columns) against one labelling."""
    cdef intp_t m = X[0].shape[0], j
    cdef _Spaces SX = _Spaces([(X,)], m)
    values, status, bad = _results(m)
    cdef double[::1] v = values
    cdef int[::1] st = status, bd = bad
    nthreads = threads_for(m * n, nthreads)
    with nogil:
        for j in prange(m, num_threads=nthreads, schedule="dynamic", chunksize=1):
            st[j] = ross_set(SX.at(0, j), &codes[0, 0], n, ncls, k, 1, &v[j], &bd[j])
    return values, status, bad
