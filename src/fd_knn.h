/* fastdiv: the k-d tree of fastdiv._knn and its k-nearest search, in C so that the search is compiled for each dimension up to
   FD_KNN_DMAX (its loops over coordinates unrolled) and each norm.

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
} fd_tree;

#define FD_KNN_DMAX 8
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

/* The k-th smallest POSITIVE distance from q to T's points (copies of q
   skipped; +inf if fewer than k): first among the points of the leaf
   `seed` (q's own leaf, where q is one of T's points, or -1), which gives a
   bound before the walk; then depth first: down the side of each split
   that holds q, the other side stacked with the distance to the split
   plane (a lower bound: |p_c - q_c| >= |split - q_c| for p beyond it, in
   rounded arithmetic too), a stacked subtree skipped when that bound or
   its box is no closer than the current k-th; a leaf of one point repeated
   (its box a point) is compared once.  best: k doubles. */
#define FD_KNN_SCAN(DIM, EUCLID, NODE)                                                    \
    do {                                                                                  \
        const fd_intp cs = T->start[NODE], ce = T->end[NODE];                             \
        const double *clo = T->box + 2 * d * (NODE), *chi = clo + d;                      \
        int czero = 1;                                                                    \
        for (int c = 0; c < d; c++) czero &= clo[c] == chi[c];                            \
        const fd_intp nc = czero ? 1 : ce - cs;                                           \
        const int mult = czero ? (ce - cs < k ? (int)(ce - cs) : k) : 1;                  \
        for (fd_intp j = 0; j < nc; j++) {                                                \
            const double *cp = T->pts + (cs + j) * d;                                     \
            double dd = 0.0;                                                              \
            for (int c = 0; c < d; c++) {                                                 \
                const double t = cp[c] - q[c];                                            \
                if (EUCLID)                                                               \
                    dd += t * t;                                                          \
                else                                                                      \
                    dd = fabs(t) > dd ? fabs(t) : dd;                                     \
            }                                                                             \
            if (dd > 0.0 && dd < best[k - 1])                                             \
                for (int m = 0; m < mult && dd < best[k - 1]; m++)                        \
                    fd_knn_insert(best, k, dd);                                           \
        }                                                                                 \
    } while (0)

#define FD_KNN_POINT(NAME, DIM, EUCLID)                                                   \
    static double NAME(const fd_tree *T, const double *q, int k, fd_intp seed,            \
                       double *best)                                                      \
    {                                                                                     \
        const int d = (DIM);                                                              \
        fd_intp stack[FD_KNN_STACK];                                                      \
        double sdist[FD_KNN_STACK];                                                       \
        for (int j = 0; j < k; j++) best[j] = INFINITY;                                   \
        if (seed >= 0) FD_KNN_SCAN(DIM, EUCLID, seed);                                    \
        int sp = 1;                                                                       \
        stack[0] = 0;                                                                     \
        sdist[0] = 0.0;                                                                   \
        while (sp > 0) {                                                                  \
            sp--;                                                                         \
            fd_intp node = stack[sp];                                                     \
            double lb = sdist[sp];                                                        \
            if (lb >= best[k - 1]) continue;                                              \
            /* the node's box: a closer bound than the split planes crossed */           \
            if (node != 0) {                                                              \
                const double *lo = T->box + 2 * d * node, *hi = lo + d;                   \
                double acc = 0.0;                                                         \
                for (int c = 0; c < d; c++) {                                             \
                    double g = lo[c] - q[c];                                              \
                    const double g2 = q[c] - hi[c];                                       \
                    g = g2 > g ? g2 : g;                                                  \
                    g = g > 0.0 ? g : 0.0;                                                \
                    if (EUCLID)                                                           \
                        acc += g * g;                                                     \
                    else                                                                  \
                        acc = g > acc ? g : acc;                                          \
                }                                                                         \
                if (acc >= best[k - 1]) continue;                                         \
                lb = acc > lb ? acc : lb;                                                 \
            }                                                                             \
            /* down the near side, each far child stacked with the bound of    */        \
            /* the split plane between it and q                                 */       \
            while (T->left[node] >= 0) {                                                  \
                const int c = T->sdim[node];                                              \
                const double t = q[c] - T->split[node];                                   \
                fd_intp nearc, farc;                                                      \
                double g;                                                                 \
                if (t < 0.0) {                                                            \
                    nearc = T->left[node];                                                \
                    farc = T->right[node];                                                \
                    g = -t;                                                               \
                } else {                                                                  \
                    nearc = T->right[node];                                               \
                    farc = T->left[node];                                                 \
                    g = t;                                                                \
                }                                                                         \
                if (EUCLID) g = g * g;                                                    \
                g = g > lb ? g : lb;                                                      \
                if (g < best[k - 1]) {                                                    \
                    stack[sp] = farc;                                                     \
                    sdist[sp++] = g;                                                      \
                }                                                                         \
                node = nearc;                                                             \
            }                                                                             \
            if (node != seed) FD_KNN_SCAN(DIM, EUCLID, node);                             \
        }                                                                                 \
        return best[k - 1];                                                               \
    }

FD_KNN_POINT(fd_knn_e2, 2, 1)
FD_KNN_POINT(fd_knn_e3, 3, 1)
FD_KNN_POINT(fd_knn_e4, 4, 1)
FD_KNN_POINT(fd_knn_e5, 5, 1)
FD_KNN_POINT(fd_knn_e6, 6, 1)
FD_KNN_POINT(fd_knn_e7, 7, 1)
FD_KNN_POINT(fd_knn_e8, 8, 1)
FD_KNN_POINT(fd_knn_en, T->d, 1)
FD_KNN_POINT(fd_knn_c2, 2, 0)
FD_KNN_POINT(fd_knn_c3, 3, 0)
FD_KNN_POINT(fd_knn_c4, 4, 0)
FD_KNN_POINT(fd_knn_c5, 5, 0)
FD_KNN_POINT(fd_knn_c6, 6, 0)
FD_KNN_POINT(fd_knn_c7, 7, 0)
FD_KNN_POINT(fd_knn_c8, 8, 0)
FD_KNN_POINT(fd_knn_cn, T->d, 0)

typedef double (*fd_knn_fn)(const fd_tree *, const double *, int, fd_intp, double *);

/* The search compiled for T's dimension and norm (d >= 2). */
static inline fd_knn_fn fd_knn_for(int d, int metric)
{
    static const fd_knn_fn e[] = {fd_knn_en, fd_knn_en, fd_knn_e2, fd_knn_e3, fd_knn_e4,
                                  fd_knn_e5, fd_knn_e6, fd_knn_e7, fd_knn_e8};
    static const fd_knn_fn c[] = {fd_knn_cn, fd_knn_cn, fd_knn_c2, fd_knn_c3, fd_knn_c4,
                                  fd_knn_c5, fd_knn_c6, fd_knn_c7, fd_knn_c8};
    const int i = d <= FD_KNN_DMAX ? d : 0;
    return metric == 0 ? e[i] : c[i];
}

#endif /* FD_KNN_H */
