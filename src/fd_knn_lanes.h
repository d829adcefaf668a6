/* fastdiv: the k-nearest search of a batch of query points in a k-d tree
   (fd_knn.h), compiled once per instruction set: fd_knn.h includes this
   file with FD_KNN_ISA set (base, avx2, avx512), each under the matching
   `#pragma GCC target`, and fastdiv._knn calls the one of the current
   instruction set (fastdiv._rows.get_isa).

   A batch is up to FD_KNN_LANES query points that lie close together (a
   leaf of the query tree), their coordinates in lanes (coordinate c of
   query l at qv[c FD_KNN_LANES + l]).  The batch walks the tree once, depth
   first, the child nearer the batch first: a node's box is compared with
   every query of the batch at once (vectors across the lanes) and the walk
   enters it while it may hold a closer point for some query.  At a leaf,
   each query whose k-th distance its box may beat compares the leaf's
   points, vectors across the points (the leaf's copy in columns, lpts).

   The arithmetic is fd_pdist's and fd_box_min's, operation for operation
   (fastdiv._knn is compiled without floating-point contraction, so no
   instruction set fuses a product into a sum): every distance equals the
   scalar form's bit for bit, and the k-th distances are the same whatever
   the instruction set, the batch or the order of the walk. */

#define FD_KL_CAT2(a, b) a##_##b
#define FD_KL_CAT(a, b) FD_KL_CAT2(a, b)
#define FD_KL(name) FD_KL_CAT(name, FD_KNN_ISA)

/* Bit j of the result: lane j of *m is set (a comparison's mask; passed by
   address: a 64-byte vector by value changes the ABI below AVX-512). */
static inline __attribute__((always_inline)) unsigned FD_KL(fd_knn_bits)(const fd_kvl *m)
{
#if defined(__AVX512F__) && defined(__AVX512DQ__)
    return (unsigned)_mm512_movepi64_mask((__m512i)*m);
#elif defined(__AVX2__)
    __m256d h[2];
    memcpy(h, m, sizeof *m);
    return (unsigned)_mm256_movemask_pd(h[0]) | (unsigned)_mm256_movemask_pd(h[1]) << 4;
#elif defined(__SSE2__)
    __m128d h[4];
    memcpy(h, m, sizeof *m);
    return (unsigned)_mm_movemask_pd(h[0]) | (unsigned)_mm_movemask_pd(h[1]) << 2
        | (unsigned)_mm_movemask_pd(h[2]) << 4 | (unsigned)_mm_movemask_pd(h[3]) << 6;
#else
    int64_t v[8];
    unsigned r = 0;
    memcpy(v, m, sizeof v);
    for (int j = 0; j < 8; j++) r |= (unsigned)(v[j] & 1) << j;
    return r;
#endif
}

static inline __attribute__((always_inline)) void FD_KL(fd_knn_batch)(
    const fd_tree *T, const double *Q, int nq, const double *qlo, const double *qhi, int k,
    double *work, double *out, const int euclid)
{
    const int d = T->d, ng = (nq + 7) / 8;
    const fd_kv zero = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    const fd_kvl nosign = {INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX,
                           INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX};
    double *qv = work, *bk = qv + d * FD_KNN_LANES, *best = bk + FD_KNN_LANES;
    unsigned live[FD_KNN_LANES / 8];
    fd_intp stack[FD_KNN_STACK];
    uint32_t smask[FD_KNN_STACK];
    /* the k-th distance so far of each query; -inf in the lanes past the
       batch, which no box or point can beat */
    for (int l = 0; l < 8 * ng; l++) {
        for (int c = 0; c < d; c++) qv[c * FD_KNN_LANES + l] = l < nq ? Q[l * d + c] : 0.0;
        bk[l] = l < nq ? INFINITY : -INFINITY;
    }
    for (int i = 0; i < nq * k; i++) best[i] = INFINITY;
    int sp = 1;
    stack[0] = 0;
    smask[0] = 0xffffffffu;
    while (sp > 0) {
        --sp;
        const fd_intp node = stack[sp];
        const uint32_t pmask = smask[sp];
        const double *lo = T->box + 2 * d * node, *hi = lo + d;
        /* the box's distance from each query, as fd_box_min forms it: the
           queries it may hold a closer point for */
        unsigned any = 0;
        for (int g = 0; g < ng; g++) {
            /* a query its parent's box could not help: nor can this box */
            live[g] = 0;
            if (!((pmask >> 8 * g) & 0xffu)) continue;
            fd_kv a = zero, q, b;
            for (int c = 0; c < d; c++) {
                memcpy(&q, qv + c * FD_KNN_LANES + 8 * g, sizeof q);
                fd_kv t = lo[c] - q;
                t = FD_KV_MAX(q - hi[c], t);
                t = (fd_kv)((t > zero) & (fd_kvl)t);
                a = euclid ? a + t * t : FD_KV_MAX(t, a);
            }
            memcpy(&b, bk + 8 * g, sizeof b);
            const fd_kvl closer = a < b;
            live[g] = FD_KL(fd_knn_bits)(&closer);
            any |= live[g] << 8 * g;
        }
        if (!any) continue;
        if (T->left[node] >= 0) {
            /* the child on the batch's side of the split last: popped first */
            const int c = T->sdim[node];
            const int below = 0.5 * qlo[c] + 0.5 * qhi[c] < T->split[node];
            stack[sp] = below ? T->right[node] : T->left[node];
            stack[sp + 1] = below ? T->left[node] : T->right[node];
            smask[sp] = smask[sp + 1] = any;
            sp += 2;
            continue;
        }
        /* a leaf: lnum of its points stored in lpts (one where all its
           points are one point, counted up to k times) */
        const double *P = T->lpts + T->loff[node];
        const fd_intp ns = T->lnum[node], m = T->end[node] - T->start[node];
        const int mult = ns == 1 && m > 1 ? (m < k ? (int)m : k) : 1;
        const int npg = (int)((ns + 7) / 8);
        for (int g = 0; g < ng; g++) {
            for (unsigned bits = live[g]; bits; bits &= bits - 1) {
                const int l = 8 * g + __builtin_ctz(bits);
                double *bl = best + l * k;
                for (int h = 0; h < npg; h++) {
                    fd_kv a = zero, p;
                    for (int c = 0; c < d; c++) {
                        memcpy(&p, P + (h * d + c) * 8, sizeof p);
                        const fd_kv t = p - qv[c * FD_KNN_LANES + l];
                        if (euclid)
                            a = a + t * t;
                        else
                            a = FD_KV_MAX((fd_kv)((fd_kvl)t & nosign), a);
                    }
                    const fd_kvl closer = (a > zero) & (a < bk[l]);
                    unsigned hit = FD_KL(fd_knn_bits)(&closer);
                    if (!hit) continue;
                    double dd[8];
                    memcpy(dd, &a, sizeof dd);
                    for (; hit; hit &= hit - 1) {
                        const double v = dd[__builtin_ctz(hit)];
                        for (int r = 0; r < mult && v < bl[k - 1]; r++) fd_knn_insert(bl, k, v);
                    }
                    bk[l] = bl[k - 1];
                }
            }
        }
    }
    for (int l = 0; l < nq; l++) out[l] = bk[l];
}

static void FD_KL(fd_knn_batch_e)(const fd_tree *T, const double *Q, int nq, const double *qlo,
                                  const double *qhi, int k, double *work, double *out)
{
    FD_KL(fd_knn_batch)(T, Q, nq, qlo, qhi, k, work, out, 1);
}

static void FD_KL(fd_knn_batch_c)(const fd_tree *T, const double *Q, int nq, const double *qlo,
                                  const double *qhi, int k, double *work, double *out)
{
    FD_KL(fd_knn_batch)(T, Q, nq, qlo, qhi, k, work, out, 0);
}

#undef FD_KL
#undef FD_KL_CAT
#undef FD_KL_CAT2
