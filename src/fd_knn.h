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
   skipped; +inf if fewer than k): depth first, the nearer child first, a
   subtree skipped once its box is no closer than the current k-th; a leaf
   of one point repeated (its box a point) is compared once.  best: k
   doubles. */
#define FD_KNN_POINT(NAME, DIM, EUCLID)                                                   \
    static double NAME(const fd_tree *T, const double *q, int k, double *best)            \
    {                                                                                     \
        const int d = (DIM);                                                              \
        fd_intp stack[FD_KNN_STACK];                                                      \
        double sdist[FD_KNN_STACK];                                                       \
        for (int j = 0; j < k; j++) best[j] = INFINITY;                                   \
        int sp = 1;                                                                       \
        stack[0] = 0;                                                                     \
        sdist[0] = 0.0;                                                                   \
        while (sp > 0) {                                                                  \
            sp--;                                                                         \
            const fd_intp node = stack[sp];                                               \
            const double bound = best[k - 1];                                             \
            if (sdist[sp] >= bound) continue;                                             \
            if (T->left[node] < 0) {                                                      \
                const fd_intp cs = T->start[node], ce = T->end[node];                     \
                const double *clo = T->box + 2 * d * node, *chi = clo + d;                \
                int czero = 1;                                                            \
                for (int c = 0; c < d; c++) czero &= clo[c] == chi[c];                    \
                const fd_intp nc = czero ? 1 : ce - cs;                                   \
                const int mult = czero ? (ce - cs < k ? (int)(ce - cs) : k) : 1;          \
                for (fd_intp j = 0; j < nc; j++) {                                        \
                    const double *cp = T->pts + (cs + j) * d;                             \
                    double dd = 0.0;                                                      \
                    for (int c = 0; c < d; c++) {                                         \
                        const double t = cp[c] - q[c];                                    \
                        if (EUCLID)                                                       \
                            dd += t * t;                                                  \
                        else                                                              \
                            dd = fabs(t) > dd ? fabs(t) : dd;                             \
                    }                                                                     \
                    if (dd > 0.0 && dd < best[k - 1])                                     \
                        for (int m = 0; m < mult && dd < best[k - 1]; m++)                \
                            fd_knn_insert(best, k, dd);                                   \
                }                                                                         \
                continue;                                                                 \
            }                                                                             \
            const fd_intp ch[2] = {T->left[node], T->right[node]};                        \
            double cd[2];                                                                 \
            for (int h = 0; h < 2; h++) {                                                 \
                const double *lo = T->box + 2 * d * ch[h], *hi = lo + d;                  \
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
                cd[h] = acc;                                                              \
            }                                                                             \
            const int near = cd[1] < cd[0];                                               \
            if (cd[1 - near] < bound) {                                                   \
                stack[sp] = ch[1 - near];                                                 \
                sdist[sp++] = cd[1 - near];                                               \
            }                                                                             \
            if (cd[near] < bound) {                                                       \
                stack[sp] = ch[near];                                                     \
                sdist[sp++] = cd[near];                                                   \
            }                                                                             \
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

typedef double (*fd_knn_fn)(const fd_tree *, const double *, int, double *);

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
