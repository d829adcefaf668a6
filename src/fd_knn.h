/* fastdiv: the k-d tree of fastdiv._knn and its k-nearest search of a
   batch of queries (fd_knn_lanes.h, compiled for each instruction set), the
   grid of a pair of one-dimensional variables and its search, and the
   branch-free helpers of the tree's build and counts.

   A tree of n points of d coordinates (fastdiv._knn builds it): pts in tree
   order, node i holds the points [start[i], end[i]), its children
   left[i], right[i] (-1 at a leaf) and its box lo = box + 2 d i, hi = lo + d
   (the exact extremes of its points).  One dimension has no nodes: pts is
   sorted and the searches walk it (fastdiv._knn).

   Distances are in "pdist units": the squared Euclidean norm, or the
   max-norm.  Every bound below is formed from the same rounded differences
   as the points' distances, so a box never looks farther than a point in
   it: pruning is exact. */
#ifndef FD_KNN_H
#define FD_KNN_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

#include "fd_core.h"

typedef struct {
    fd_intp n;
    int d;
    int metric;             /* 0: Euclidean, 1: max-norm */
    double *pts;
    fd_intp *ids;           /* the row of each tree position */
    fd_intp *pos;           /* the tree position of each row */
    fd_intp nnode;
    fd_intp *start, *end, *left, *right;
    double *box;
    int *sdim;              /* an inner node: its split coordinate and value */
    double *split;          /* (left points <= split <= right points) */
    fd_intp nleaf, *leaves; /* the leaves reachable from the root, in order */
    /* the leaves' points again, in columns for the batch search: leaf i's
       lnum[i] points (one where all of them are one point) from
       lpts + loff[i], in groups of 8: coordinate c of point 8 g + j at
       [(g d + c) 8 + j], +inf past the last point */
    double *lpts;
    fd_intp *loff, *lnum;
} fd_tree;

#define FD_KNN_STACK 192

/* Insert dd into the ascending best[0..k) (dropping the last). */
static inline void fd_knn_insert(double *best, int k, double dd)
{
    int j = k - 1;
    while (j > 0 && best[j - 1] > dd) {
        best[j] = best[j - 1];
        j--;
    }
    best[j] = dd;
}

/* The distance of a and q in pdist units (euclid: the squared Euclidean
   norm, else the max-norm), the coordinates' differences in order. */
static inline double fd_pdist(const double *a, const double *q, int d, int euclid)
{
    double acc = 0.0;
    for (int c = 0; c < d; c++) {
        const double t = a[c] - q[c];
        if (euclid)
            acc += t * t;
        else
            acc = fabs(t) > acc ? fabs(t) : acc;
    }
    return acc;
}

/* The smallest distance from q to a point of the box [lo, hi] (pdist
   units): never more than a point's in it, rounding included. */
static inline double fd_box_min(const double *lo, const double *hi, const double *q, int d,
                                int euclid)
{
    double acc = 0.0;
    for (int c = 0; c < d; c++) {
        double g = lo[c] - q[c];
        const double g2 = q[c] - hi[c];
        g = g2 > g ? g2 : g;
        g = g > 0.0 ? g : 0.0;
        if (euclid)
            acc += g * g;
        else
            acc = g > acc ? g : acc;
    }
    return acc;
}

/* The k-nearest search of a batch of query points (fd_knn_lanes.h): for
   each of the nq <= FD_KNN_LANES points Q[0..nq) (d coordinates each,
   inside the box [qlo, qhi]), out[i] = the k-th smallest POSITIVE distance
   (pdist units) from Q[i] to T's points, copies of Q[i] skipped (+inf if
   fewer than k).  work: FD_KNN_WORK(d, k) doubles. */
#define FD_KNN_LANES 32
#define FD_KNN_WORK(d, k) (((d) + 1 + (k)) * FD_KNN_LANES)

/* 8 lanes of doubles and of their masks (GCC vector extensions: every
   instruction set evaluates them lane by lane, IEEE operation for
   operation) */
typedef double fd_kv __attribute__((vector_size(64)));
typedef int64_t fd_kvl __attribute__((vector_size(64)));

/* a > b ? a : b lane by lane (C's conditional, as fd_pdist and fd_box_min
   take their maxima; a GNU statement expression: a 64-byte vector passed
   to a function by value changes the ABI below AVX-512) */
#define FD_KV_MAX(a, b)                                                                  \
    ({                                                                                   \
        const fd_kv a_ = (a), b_ = (b);                                                  \
        const fd_kvl m_ = a_ > b_;                                                       \
        (fd_kv)((m_ & (fd_kvl)a_) | (~m_ & (fd_kvl)b_));                                 \
    })

typedef void (*fd_knn_batch_fn)(const fd_tree *T, const double *Q, int nq, const double *qlo,
                                const double *qhi, int k, double *work, double *out);

#define FD_KNN_ISA base
#include "fd_knn_lanes.h"
#undef FD_KNN_ISA

#ifdef FD_HAVE_DISPATCH
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define FD_KNN_ISA avx2
#include "fd_knn_lanes.h"
#undef FD_KNN_ISA
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma,avx512f,avx512dq,avx512vl,avx512bw,prefer-vector-width=512")
#define FD_KNN_ISA avx512
#include "fd_knn_lanes.h"
#undef FD_KNN_ISA
#pragma GCC pop_options
#endif

/* The batch search of instruction set isa (FD_ISA_*, fd_core.h) and norm
   (metric 0: Euclidean, 1: max-norm). */
static inline fd_knn_batch_fn fd_knn_batch_for(int isa, int metric)
{
#ifdef FD_HAVE_DISPATCH
    if (isa == FD_ISA_AVX512) return metric == 0 ? fd_knn_batch_e_avx512 : fd_knn_batch_c_avx512;
    if (isa == FD_ISA_AVX2) return metric == 0 ? fd_knn_batch_e_avx2 : fd_knn_batch_c_avx2;
#endif
    (void)isa;
    return metric == 0 ? fd_knn_batch_e_base : fd_knn_batch_c_base;
}

/* A grid of a two-dimensional space whose coordinates are both sorted
   (fastdiv._knn builds it from the two one-dimensional marginals): G columns
   of consecutive x-ranks by G rows of consecutive y-ranks, the ranks split
   evenly, so that the cells follow the data's density whatever its margins.
   Points in cell order, column-major: cell (c, r) holds
   pts[2 start[c G + r] .. 2 start[c G + r + 1]) as (x, y) pairs; column c's
   x values lie in [clo[c], chi[c]], row r's y values in [rlo[r], rhi[r]]
   (their exact extremes, so that a gap to a column is never more than a
   distance to a point in it, rounding included: pruning is exact). */
typedef struct {
    fd_intp n;
    fd_intp G;
    double *pts;
    fd_intp *ids;           /* the row of each grid position */
    fd_intp *start;         /* G * G + 1 */
    double *clo, *chi, *rlo, *rhi;
} fd_grid;

/* The points [a, b) of the grid compared with q (the max-norm, as the
   tree's searches form it), each closer positive distance kept in best;
   *work grows by one cell and its points. */
static inline void fd_grid_scan(const fd_grid *g, const double *q, fd_intp a, fd_intp b, int k,
                                double *best, fd_intp *work)
{
    *work += b - a + 1;
    for (fd_intp j = a; j < b; j++) {
        const double dd = fd_pdist(g->pts + 2 * j, q, 2, 0);
        if (dd > 0.0 && dd < best[k - 1]) fd_knn_insert(best, k, dd);
    }
}

/* The k-th smallest POSITIVE max-norm distance from q, the point of cell
   (cq, rq), to the grid's points (+inf if fewer than k): a box of cells
   grown from q's cell one column or row at a time, on the side whose gap
   to q is smallest, until no gap is closer than the current k-th (every
   point outside the box lies beyond one of the gaps).  best: k doubles;
   *work grows by the cells visited and the points compared. */
static double fd_grid_kth(const fd_grid *g, const double *q, fd_intp cq, fd_intp rq, int k,
                          double *best, fd_intp *work)
{
    const fd_intp G = g->G, *st = g->start;
    for (int j = 0; j < k; j++) best[j] = INFINITY;
    fd_intp c0 = cq, c1 = cq, r0 = rq, r1 = rq;
    fd_grid_scan(g, q, st[cq * G + rq], st[cq * G + rq + 1], k, best, work);
    double gl = c0 > 0 ? q[0] - g->chi[c0 - 1] : INFINITY;
    double gr = c1 < G - 1 ? g->clo[c1 + 1] - q[0] : INFINITY;
    double gd = r0 > 0 ? q[1] - g->rhi[r0 - 1] : INFINITY;
    double gu = r1 < G - 1 ? g->rlo[r1 + 1] - q[1] : INFINITY;
    for (;;) {
        double m = gl;
        int side = 0;
        if (gr < m) { m = gr; side = 1; }
        if (gd < m) { m = gd; side = 2; }
        if (gu < m) { m = gu; side = 3; }
        if (m >= best[k - 1]) break;
        if (side == 0) {
            c0--;
            fd_grid_scan(g, q, st[c0 * G + r0], st[c0 * G + r1 + 1], k, best, work);
            gl = c0 > 0 ? q[0] - g->chi[c0 - 1] : INFINITY;
        } else if (side == 1) {
            c1++;
            fd_grid_scan(g, q, st[c1 * G + r0], st[c1 * G + r1 + 1], k, best, work);
            gr = c1 < G - 1 ? g->clo[c1 + 1] - q[0] : INFINITY;
        } else if (side == 2) {
            r0--;
            for (fd_intp c = c0; c <= c1; c++)
                fd_grid_scan(g, q, st[c * G + r0], st[c * G + r0 + 1], k, best, work);
            gd = r0 > 0 ? q[1] - g->rhi[r0 - 1] : INFINITY;
        } else {
            r1++;
            for (fd_intp c = c0; c <= c1; c++)
                fd_grid_scan(g, q, st[c * G + r1], st[c * G + r1 + 1], k, best, work);
            gu = r1 < G - 1 ? g->rlo[r1 + 1] - q[1] : INFINITY;
        }
    }
    return best[k - 1];
}

/* A total of the grid searches' work shared by the threads (relaxed
   atomics: it only decides when to hand the search to the tree). */
static inline fd_intp fd_work_add(fd_intp *total, fd_intp w)
{
    return __atomic_add_fetch(total, w, __ATOMIC_RELAXED);
}

static inline fd_intp fd_work_get(fd_intp *total)
{
    return __atomic_load_n(total, __ATOMIC_RELAXED);
}

/* Rows [lo, hi) of a tree's points (d columns, with their ids) whose
   coordinate `dim` is < pivot (strict) or <= pivot, moved first; returns
   where the others start.  No branch on the values (a partition's compares
   are coin flips to a branch predictor): each row swaps with the boundary
   row, which moves on where the row belongs. */
#define FD_PARTITION(NAME, DIM)                                                           \
    static fd_intp NAME(double *P, fd_intp *ids, int dd, fd_intp lo, fd_intp hi, int dim, \
                        double pivot, int strict)                                         \
    {                                                                                     \
        const int d = (DIM);                                                              \
        fd_intp b = lo;                                                                   \
        (void)dd;                                                                         \
        for (fd_intp i = lo; i < hi; i++) {                                               \
            const double t = P[i * d + dim];                                              \
            const int left = strict ? t < pivot : t <= pivot;                             \
            for (int c = 0; c < d; c++) {                                                 \
                const double u = P[b * d + c];                                            \
                P[b * d + c] = P[i * d + c];                                              \
                P[i * d + c] = u;                                                         \
            }                                                                             \
            const fd_intp s = ids[b];                                                     \
            ids[b] = ids[i];                                                              \
            ids[i] = s;                                                                   \
            b += left;                                                                    \
        }                                                                                 \
        return b;                                                                         \
    }

FD_PARTITION(fd_partition_2, 2)
FD_PARTITION(fd_partition_3, 3)
FD_PARTITION(fd_partition_4, 4)
FD_PARTITION(fd_partition_n, dd)

static inline fd_intp fd_partition(double *P, fd_intp *ids, int d, fd_intp lo, fd_intp hi,
                                   int dim, double pivot, int strict)
{
    switch (d) {
    case 2: return fd_partition_2(P, ids, d, lo, hi, dim, pivot, strict);
    case 3: return fd_partition_3(P, ids, d, lo, hi, dim, pivot, strict);
    case 4: return fd_partition_4(P, ids, d, lo, hi, dim, pivot, strict);
    default: return fd_partition_n(P, ids, d, lo, hi, dim, pivot, strict);
    }
}

/* The values of the sorted v[0..n) within r of v[p] (strictly: < r), v[p]
   and its copies included, each distance formed as the searches form it
   (|v_j - v_p|): two searches out from p, each doubling its step while
   inside, then halving it without branches on the values (the halving's
   compares are coin flips to a branch predictor). */
static inline fd_intp fd_count_sorted(const double *v, fd_intp n, fd_intp p, double r,
                                      int strict)
{
    const double x = v[p];
#define FD_WITHIN(t) (strict ? (t) < r : (t) <= r)
    /* up: base is the last index known inside; the first outside is in
       (base, base + len] */
    fd_intp step = 1;
    while (p + step < n && FD_WITHIN(v[p + step] - x)) step *= 2;
    fd_intp base = p + step / 2;
    fd_intp len = (p + step < n ? p + step : n) - base;
    while (len > 1) {
        const fd_intp half = len / 2;
        base = FD_WITHIN(v[base + half] - x) ? base + half : base;
        len -= half;
    }
    const fd_intp up = base + 1;
    /* down, mirrored: base the first index known inside */
    step = 1;
    while (p - step >= 0 && FD_WITHIN(x - v[p - step])) step *= 2;
    base = p - step / 2;
    len = base - (p - step >= 0 ? p - step : -1);
    while (len > 1) {
        const fd_intp half = len / 2;
        base = FD_WITHIN(x - v[base - half]) ? base - half : base;
        len -= half;
    }
#undef FD_WITHIN
    return up - base;
}

#endif /* FD_KNN_H */
