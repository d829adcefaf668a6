/*
 * fd_block_t.h -- block kernels, instantiated per element type and ISA.
 *
 * Included by fd_kernels.h with these macros defined:
 *   FD_T    element type (double or float); terms are computed in FD_T and
 *           accumulated in double
 *   FD_S    name suffix, e.g. f64_avx2
 *   FD_LOG, FD_LOGRATIO, FD_EXPNEG, FD_SQRT   the FD_T primitives
 *
 * Kernel contract.  Every block kernel has the signature fd_blockfn:
 *     void k(const void *p,      IN  n elements of FD_T, contiguous, native
 *            const void *q,      IN  same, or NULL for one-input measures
 *            fd_intp n,         IN  1 <= n <= FD_BLK
 *            const double *prm,  IN  per-row constants (see each kernel)
 *            double *acc)        OUT the block's partial results
 * Inputs are assumed clean (finite, non-negative) except in the *stats
 * kernels, whose job is to report what is not.  Sums are pairwise: terms go
 * into a chunk buffer that is halved by vectorizable adds, so the result
 * depends only on the data and the fixed chunk size, never on threads.
 */

#define FD_CAT_(a, b) a##_##b
#define FD_CAT(a, b) FD_CAT_(a, b)
#define FD_FN(name) FD_CAT(name, FD_S)

/* Sum of the terms t[0..m) produced by EXPR(i) (which may use local
   variables), for the whole block, as a fixed pairwise tree. */
#define FD_BLOCK_SUM(OUT, EXPR)                                              \
    do {                                                                     \
        FD_T tf_[FD_CH];                                                     \
        double t_[FD_CH], parts_[FD_BLK / FD_CH];                            \
        fd_intp np_ = 0;                                                    \
        for (fd_intp o_ = 0; o_ < n; o_ += FD_CH) {                         \
            const fd_intp m_ = (n - o_ < FD_CH) ? n - o_ : FD_CH;           \
            if (sizeof(FD_T) == sizeof(double)) {                            \
                for (fd_intp i = o_; i < o_ + m_; i++) t_[i - o_] = (EXPR);  \
            } else {                                                         \
                for (fd_intp i = o_; i < o_ + m_; i++) tf_[i - o_] = (EXPR); \
                for (fd_intp j_ = 0; j_ < m_; j_++) t_[j_] = (double)tf_[j_]; \
            }                                                                \
            parts_[np_++] = fd_tree(t_, m_);                                 \
        }                                                                    \
        (OUT) = fd_pairwise(parts_, np_);                                    \
    } while (0)

/* ---- checks and normalizers (phase 1) ---------------------------------- */

/* acc[0] = sum p, acc[1] = 1 if some p < 0; acc[2], acc[3] the same for q
   (when q != NULL).  A NaN or infinity makes the sum non-finite. */
/* Sum of x[0..n) in exactly the order of FD_BLOCK_SUM (so the two agree
   bit for bit); *neg |= 1 if some x < 0.  The first halving of each full
   chunk reads x directly instead of a copy.  Used for float32, where it is
   faster; for float64 rows streamed from memory it measured slower than the
   copy of FD_BLOCK_SUM, so stats keeps that for float64. */
static double FD_FN(sum_check)(const FD_T *x, fd_intp n, int *neg)
{
    double t[FD_CH], parts[FD_BLK / FD_CH];
    fd_intp np_ = 0;
    int ng = 0;
    for (fd_intp o = 0; o < n; o += FD_CH) {
        const fd_intp m = (n - o < FD_CH) ? n - o : FD_CH;
        const FD_T *xc = x + o;
        if (m == FD_CH) {
            for (fd_intp i = 0; i < FD_CH / 2; i++) {
                t[i] = (double)xc[i] + (double)xc[i + FD_CH / 2];
                ng |= (xc[i] < 0) | (xc[i + FD_CH / 2] < 0);
            }
            parts[np_++] = fd_tree(t, FD_CH / 2);
        } else {
            for (fd_intp i = 0; i < m; i++) ng |= xc[i] < 0;
            for (fd_intp i = 0; i < m; i++) t[i] = (double)xc[i];
            parts[np_++] = fd_tree(t, m);
        }
    }
    *neg |= ng;
    return fd_pairwise(parts, np_);
}

static void FD_FN(stats)(const void *p_, const void *q_, fd_intp n,
                         const double *prm, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    int neg = 0;
    (void)prm;
    if (sizeof(FD_T) == 4) {
        acc[0] = FD_FN(sum_check)(p, n, &neg);
        acc[1] = neg;
        if (q) {
            neg = 0;
            acc[2] = FD_FN(sum_check)(q, n, &neg);
            acc[3] = neg;
        }
        return;
    }
    for (fd_intp i = 0; i < n; i++) neg |= p[i] < 0;
    FD_BLOCK_SUM(acc[0], p[i]);
    acc[1] = neg;
    if (q) {
        neg = 0;
        for (fd_intp i = 0; i < n; i++) neg |= q[i] < 0;
        FD_BLOCK_SUM(acc[2], q[i]);
        acc[3] = neg;
    }
}

/* logits: acc[0] = max p, acc[1] = 1 if some p is not finite; acc[2], acc[3]
   the same for q. */
static void FD_FN(lstats)(const void *p_, const void *q_, fd_intp n,
                          const double *prm, double *acc)
{
    const FD_T *x = (const FD_T *)p_;
    (void)prm;
    for (int s = 0; s < 2; s++) {
        if (s == 1) {
            if (!q_) break;
            x = (const FD_T *)q_;
        }
        int bad = 0;
        FD_T mx = x[0];
        for (fd_intp i = 0; i < n; i++) bad |= !(x[i] - x[i] == 0);
        for (fd_intp i = 0; i < n; i++) mx = (x[i] > mx) ? x[i] : mx;
        acc[2 * s] = (double)mx;
        acc[2 * s + 1] = bad;
    }
}

/* ---- terms (phase 2), probabilities -------------------------------------
   prm[0] = a = 1/Sp, prm[1] = b = 1/Sq, prm[2] = c = Sq/Sp, prm[3] = Sp,
   prm[4] = Sq, prm[6] = r = Sp/Sq (all 1 when normalize=False), so that
   pn = p a, qn = q b = a (q r).  JS, TV and Hellinger return their sums
   over (p, q r) and the caller multiplies by a: with p == q, r == 1 and
   every term is exactly 0 even where the compiler fuses p a - q b into an
   FMA (which would leave the rounding error of q b).                     */

/* -sum pn log pn, log pn evaluated as log(p / Sp). */
static void FD_FN(ent)(const void *p_, const void *q_, fd_intp n,
                       const double *prm, double *acc)
{
    const FD_T *p = (const FD_T *)p_;
    const FD_T a = (FD_T)prm[0], S = (FD_T)prm[3];
    (void)q_;
    FD_BLOCK_SUM(acc[0], FD_CAT(fd_term_ent, FD_TS)(p[i], p[i] * a, S));
}

/* -sum pn log qn; +inf where pn > 0 = qn. */
static void FD_FN(xent)(const void *p_, const void *q_, fd_intp n,
                        const double *prm, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    const FD_T a = (FD_T)prm[0], Sq = (FD_T)prm[4];
    FD_BLOCK_SUM(acc[0], FD_CAT(fd_term_xent, FD_TS)(p[i] * a, q[i], Sq));
}

/* sum pn log(pn / qn), the ratio as log(p c / q). */
static void FD_FN(kl)(const void *p_, const void *q_, fd_intp n,
                      const double *prm, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    const FD_T a = (FD_T)prm[0], c = (FD_T)prm[2];
    FD_BLOCK_SUM(acc[0], FD_CAT(fd_term_kl, FD_TS)(p[i] * a, p[i] * c, q[i]));
}

static void FD_FN(js)(const void *p_, const void *q_, fd_intp n,
                      const double *prm, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    const FD_T r = (FD_T)prm[6];
    FD_BLOCK_SUM(acc[0], FD_CAT(fd_term_js, FD_TS)(p[i], q[i] * r));
}

static void FD_FN(tv)(const void *p_, const void *q_, fd_intp n,
                      const double *prm, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    const FD_T r = (FD_T)prm[6];
    FD_BLOCK_SUM(acc[0], FD_CAT(fd_term_tv, FD_TS)(p[i], q[i] * r));
}

static void FD_FN(hel)(const void *p_, const void *q_, fd_intp n,
                       const double *prm, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    const FD_T r = (FD_T)prm[6];
    FD_BLOCK_SUM(acc[0], FD_CAT(fd_term_hel, FD_TS)(p[i], q[i] * r));
}

/* ---- terms, logits -------------------------------------------------------
   w = z - max.  lent: acc[0] = sum e^w, acc[1] = sum e^w (-w).
   lpair: acc[0] = Sp = sum e^wp, acc[1] = Sq = sum e^wq,
          acc[2] = sum e^wp (-wq), acc[3] = sum e^wp (wp - wq).
   prm[0] = max p, prm[1] = max q.                                         */

static void FD_FN(lent)(const void *p_, const void *q_, fd_intp n,
                        const double *prm, double *acc)
{
    const FD_T *z = (const FD_T *)p_;
    const FD_T m = (FD_T)prm[0];
    (void)q_;
    FD_BLOCK_SUM(acc[0], FD_EXPNEG(z[i] - m));
    FD_BLOCK_SUM(acc[1], FD_CAT(fd_term_lent, FD_TS)(z[i] - m));
}

static void FD_FN(lpair)(const void *p_, const void *q_, fd_intp n,
                         const double *prm, double *acc)
{
    const FD_T *zp = (const FD_T *)p_, *zq = (const FD_T *)q_;
    const FD_T mp = (FD_T)prm[0], mq = (FD_T)prm[1];
    FD_BLOCK_SUM(acc[0], FD_EXPNEG(zp[i] - mp));
    FD_BLOCK_SUM(acc[1], FD_EXPNEG(zq[i] - mq));
    FD_BLOCK_SUM(acc[2], FD_EXPNEG(zp[i] - mp) * (mq - zq[i]));
    FD_BLOCK_SUM(acc[3], FD_EXPNEG(zp[i] - mp) * ((zp[i] - mp) - (zq[i] - mq)));
}

/* JS, TV, Hellinger from logits: pn = exp(zp - lse_p), prm[0] = lse_p,
   prm[1] = lse_q. */
static void FD_FN(ljs)(const void *p_, const void *q_, fd_intp n,
                       const double *prm, double *acc)
{
    const FD_T *zp = (const FD_T *)p_, *zq = (const FD_T *)q_;
    const FD_T cp = (FD_T)prm[0], cq = (FD_T)prm[1];
    FD_BLOCK_SUM(acc[0], FD_CAT(fd_term_js, FD_TS)(FD_EXPNEG(zp[i] - cp), FD_EXPNEG(zq[i] - cq)));
}

static void FD_FN(ltv)(const void *p_, const void *q_, fd_intp n,
                       const double *prm, double *acc)
{
    const FD_T *zp = (const FD_T *)p_, *zq = (const FD_T *)q_;
    const FD_T cp = (FD_T)prm[0], cq = (FD_T)prm[1];
    FD_BLOCK_SUM(acc[0], FD_CAT(fd_term_tv, FD_TS)(FD_EXPNEG(zp[i] - cp), FD_EXPNEG(zq[i] - cq)));
}

static void FD_FN(lhel)(const void *p_, const void *q_, fd_intp n,
                        const double *prm, double *acc)
{
    const FD_T *zp = (const FD_T *)p_, *zq = (const FD_T *)q_;
    const FD_T cp = (FD_T)prm[0], cq = (FD_T)prm[1];
    FD_BLOCK_SUM(acc[0], FD_CAT(fd_term_hel, FD_TS)(FD_EXPNEG(zp[i] - cp), FD_EXPNEG(zq[i] - cq)));
}

/* ---- elementwise (test hooks and self-information) ---------------------- */

static void FD_FN(vlog)(const void *x_, fd_intp n, void *out_)
{
    const FD_T *x = (const FD_T *)x_;
    FD_T *out = (FD_T *)out_;
    for (fd_intp i = 0; i < n; i++) out[i] = FD_LOG(x[i]);
}

static void FD_FN(vexp)(const void *x_, fd_intp n, void *out_)
{
    const FD_T *x = (const FD_T *)x_;
    FD_T *out = (FD_T *)out_;
    for (fd_intp i = 0; i < n; i++) out[i] = FD_EXPNEG(x[i]);
}

/* out[i] = -log x[i] in double precision, for x in [0, 1] (0 -> +inf);
   returns 1 if some x is outside [0, 1] or NaN. */
static int FD_FN(neglog)(const void *x_, fd_intp n, double *out)
{
    const FD_T *x = (const FD_T *)x_;
    int bad = 0;
    for (fd_intp i = 0; i < n; i++) bad |= !(x[i] >= 0 && x[i] <= 1);
    for (fd_intp i = 0; i < n; i++) {
        const double v = 0.0 - fd_log_f64((double)x[i]);
        out[i] = (v < 0.0) ? 0.0 : v;
    }
    return bad;
}

static const fd_kernels FD_FN(fd_kernels) = {
    FD_FN(stats), FD_FN(lstats), FD_FN(ent), FD_FN(xent), FD_FN(kl),
    FD_FN(js), FD_FN(tv), FD_FN(hel), FD_FN(lent), FD_FN(lpair),
    FD_FN(ljs), FD_FN(ltv), FD_FN(lhel), FD_FN(vlog), FD_FN(vexp),
    FD_FN(neglog),
};

#undef FD_FN
#undef FD_CAT
#undef FD_CAT_
