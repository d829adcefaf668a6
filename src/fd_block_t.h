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
 * Inputs are assumed clean (finite, non-negative) except in the stats and
 * one-pass kernels, whose job is also to report what is not.  Terms go into
 * a chunk buffer summed in the package's fixed order (16 lanes, then chunks
 * pairwise; see fd_kernels.h), so the result depends only on the data,
 * never on threads.
 */

#define FD_CAT_(a, b) a##_##b
#define FD_CAT(a, b) FD_CAT_(a, b)
#define FD_FN(name) FD_CAT(name, FD_S)

/* The lanes combined in the fixed order: t = (lanes j + lanes j+8) given,
   then ((t0 + t4) + (t2 + t6)) + ((t1 + t5) + (t3 + t7)), by shuffles. */
static inline __attribute__((always_inline))
double FD_FN(lanes)(const fd_v8d *tp)
{
    fd_v8d t = *tp;
#if defined(__clang__)
    t = t + __builtin_shufflevector(t, t, 4, 5, 6, 7, 4, 5, 6, 7);
    t = t + __builtin_shufflevector(t, t, 2, 3, 2, 3, 2, 3, 2, 3);
    t = t + __builtin_shufflevector(t, t, 1, 1, 1, 1, 1, 1, 1, 1);
#else
    const fd_v8l h4 = {4, 5, 6, 7, 4, 5, 6, 7}, h2 = {2, 3, 2, 3, 2, 3, 2, 3},
                 h1 = {1, 1, 1, 1, 1, 1, 1, 1};
    t = t + __builtin_shuffle(t, h4);
    t = t + __builtin_shuffle(t, h2);
    t = t + __builtin_shuffle(t, h1);
#endif
    return t[0];
}

/* x[0..8) as 8 double lanes (float widened exactly). */
static inline __attribute__((always_inline))
void FD_FN(ld8)(fd_v8d *u, const FD_T *x)
{
    if (sizeof(FD_T) == sizeof(double)) {
        memcpy(u, x, sizeof *u);
    } else {
#if defined(__AVX512F__)
        /* one vcvtps2pd; GCC 12 splits __builtin_convertvector in two */
        *u = (fd_v8d)_mm512_cvtps_pd(_mm256_loadu_ps((const float *)x));
#else
        fd_v8f f;
        memcpy(&f, x, sizeof f);
        *u = __builtin_convertvector(f, fd_v8d);
#endif
    }
}

/* x[0..c) as 8 double lanes, zeros in the lanes from c on (c <= 0: all
   zeros, x not read).  Masked loads under AVX-512. */
static inline __attribute__((always_inline))
void FD_FN(ld8t)(fd_v8d *u, const FD_T *x, fd_intp c)
{
    if (c >= 8) {
        FD_FN(ld8)(u, x);
        return;
    }
    if (c <= 0) {
        const fd_v8d z = {0};
        *u = z;
        return;
    }
#if defined(__AVX512F__)
    const __mmask8 k = (__mmask8)((1u << c) - 1u);
    if (sizeof(FD_T) == sizeof(double))
        *u = (fd_v8d)_mm512_maskz_loadu_pd(k, (const double *)x);
    else
        *u = (fd_v8d)_mm512_cvtps_pd(_mm256_maskz_loadu_ps(k, (const float *)x));
#else
    FD_T t[8];
    for (int j = 0; j < 8; j++) t[j] = (j < c) ? x[j] : (FD_T)0;
    FD_FN(ld8)(u, t);
#endif
}

static inline __attribute__((always_inline))
double FD_FN(minnorm)(void)
{
    return (sizeof(FD_T) == sizeof(double)) ? 0x1p-1022 : 0x1p-126;
}

/* Bits of the smallest normal FD_T as a double: a (widened) value x >= 0
   is below it -- zero or subnormal in FD_T -- iff bits(x) - lowb has its
   sign bit set, as has a negative x. */
static inline __attribute__((always_inline))
int64_t FD_FN(lowb)(void)
{
    return (sizeof(FD_T) == sizeof(double)) ? 0x0010000000000000LL : 0x3810000000000000LL;
}

/* Add x[0..16) to the lanes a (values 0-7) and b (8-15); OR their bit
   patterns into *bits when bits is not NULL; when ahead, prefetch the input
   FD_AHEAD bytes on (first passes stream from memory: the hint keeps enough
   cache-line fetches in flight, which the hardware prefetcher alone did not
   on rows of a few KB). */
static inline __attribute__((always_inline))
void FD_FN(add16)(const FD_T *x, fd_v8d *a, fd_v8d *b, fd_v8l *bits, fd_v8l *low, int ahead)
{
    fd_v8d u, v;
    if (ahead) {
        __builtin_prefetch((const char *)x + FD_AHEAD, 0, 3);
        if (sizeof(FD_T) == sizeof(double)) __builtin_prefetch((const char *)x + FD_AHEAD + 64, 0, 3);
    }
    FD_FN(ld8)(&u, x);
    FD_FN(ld8)(&v, x + 8);
    *a += u;
    *b += v;
    if (bits) *bits |= (fd_v8l)u | (fd_v8l)v;
    if (low) *low |= ((fd_v8l)u - FD_FN(lowb)()) | ((fd_v8l)v - FD_FN(lowb)());
}

/* Sum of x[0..m), 1 <= m <= FD_CH, in the package's order (fd_kernels.h),
   in double; when neg is not NULL, *neg |= 1 if some x < 0.  The check ORs
   the bit patterns (one operation per vector) and rescans only when some
   sign bit is set, which -0.0 also sets.  When low is not NULL, *low |= 1
   if some x is not a normal positive number (zero, subnormal, negative). */
static inline __attribute__((always_inline))
double FD_FN(lsum)(const FD_T *x, fd_intp m, int *neg, int *low)
{
    fd_v8d a = {0}, b = {0};
    fd_v8l bits = {0}, lw = {0};
    /* bits are also kept for low: -0.0 passes the subtraction test below
       (its pattern minus lowb has no sign bit), its own sign bit flags it */
    fd_v8l *bp = (neg || low) ? &bits : NULL, *lp = low ? &lw : NULL;
    fd_intp i = 0;
    for (; i + FD_LANES <= m; i += FD_LANES) FD_FN(add16)(x + i, &a, &b, bp, lp, neg != NULL);
    if (i < m) {                        /* the tail, padded with zeros */
        fd_v8d u, v;
        FD_FN(ld8t)(&u, x + i, m - i);
        FD_FN(ld8t)(&v, x + i + 8, m - i - 8);
        a += u;
        b += v;
        if (bp) *bp |= (fd_v8l)u | (fd_v8l)v;
        if (low) {                      /* not the padding */
            int l = 0;
            for (fd_intp k = i; k < m; k++) l |= !(x[k] >= (FD_T)FD_FN(minnorm)());
            *low |= l;
        }
    }
    if (low) {
        int64_t g[8];
        lw |= bits;
        memcpy(g, &lw, sizeof g);
        *low |= (g[0] | g[1] | g[2] | g[3] | g[4] | g[5] | g[6] | g[7]) < 0;
    }
    if (neg) {
        int64_t g[8];
        memcpy(g, &bits, sizeof g);
        if ((g[0] | g[1] | g[2] | g[3] | g[4] | g[5] | g[6] | g[7]) < 0) {
            int ng = 0;
            for (fd_intp k = 0; k < m; k++) ng |= x[k] < 0;
            *neg |= ng;
        }
    }
    a += b;
    return FD_FN(lanes)(&a);
}

/* Prefetch hint for the m elements' worth of cache lines dp bytes on from a
   and dq bytes on from b. */
static inline __attribute__((always_inline))
void FD_FN(hint)(const FD_T *a, fd_intp dp, const FD_T *b, fd_intp dq, fd_intp m)
{
    for (fd_intp k = 0; k < m * (fd_intp)sizeof(FD_T); k += 64) {
        __builtin_prefetch((const char *)((uintptr_t)a + (uintptr_t)(dp + k)), 0, 3);
        __builtin_prefetch((const char *)((uintptr_t)b + (uintptr_t)(dq + k)), 0, 3);
    }
}

/* Sum over the block of the terms EXPR (a function of the element index i,
   evaluated in FD_T), chunk by chunk. */
#define FD_BLOCK_SUM(OUT, EXPR) FD_BLOCK_SUM_PRE(OUT, ;, EXPR)

/* The same, with the statement PRE run at the start of each chunk (the
   chunk is o_ .. o_ + m_). */
#define FD_BLOCK_SUM_PRE(OUT, PRE, EXPR)                                     \
    do {                                                                     \
        FD_T t_[FD_CH];                                                      \
        double parts_[FD_BLK / FD_CH];                                       \
        fd_intp np_ = 0;                                                    \
        for (fd_intp o_ = 0; o_ < n; o_ += FD_CH) {                         \
            const fd_intp m_ = (n - o_ < FD_CH) ? n - o_ : FD_CH;           \
            PRE                                                              \
            for (fd_intp i = o_; i < o_ + m_; i++) t_[i - o_] = (EXPR);      \
            parts_[np_++] = FD_FN(lsum)(t_, m_, NULL, NULL);                      \
        }                                                                    \
        (OUT) = fd_pairwise(parts_, np_);                                    \
    } while (0)

/* One pass over the block that sums and checks the NIN (1 or 2) inputs p
   and q -- acc[0] = sum p, acc[1] = 1 if some p < 0, acc[2], acc[3] the
   same for q; a NaN or infinity makes a sum non-finite -- and sums NT (0, 1
   or 2) kinds of terms into acc[4] and acc[5].  Each chunk is summed and
   checked first (from memory), then its terms are computed (from L1) by the
   statement FAST, or by SLOW where some x of the chunk in an input flagged
   by LOWP / LOWQ (0 or 1) is not a normal positive number; either sets
   t0_[j] (and t1_[j]) for element i = o_ + j and handles every normal x
   (SLOW also zeros and subnormals) with the same bits, so the choice never
   shows in a result.  The statements must not hold a top-level comma. */
#define FD_PASS(NIN, NT, LOWP, LOWQ, FAST, SLOW)                              \
    do {                                                                      \
        FD_T t0_[FD_CH], t1_[FD_CH];                                          \
        double sp_[FD_BLK / FD_CH], sq_[FD_BLK / FD_CH];                      \
        double s0_[FD_BLK / FD_CH], s1_[FD_BLK / FD_CH];                      \
        int ngp_ = 0, ngq_ = 0;                                               \
        fd_intp np_ = 0;                                                      \
        for (fd_intp o_ = 0; o_ < n; o_ += FD_CH) {                           \
            const fd_intp m_ = (n - o_ < FD_CH) ? n - o_ : FD_CH;             \
            int low_ = 0;                                                     \
            sp_[np_] = FD_FN(lsum)(p + o_, m_, &ngp_, (LOWP) ? &low_ : NULL);  \
            if ((NIN) > 1)                                                    \
                sq_[np_] = FD_FN(lsum)(q + o_, m_, &ngq_, (LOWQ) ? &low_ : NULL); \
            if ((NT) > 0) {                                                   \
                if (low_) {                                                   \
                    for (fd_intp j = 0; j < m_; j++) {                        \
                        const fd_intp i = o_ + j;                             \
                        (void)i;                                              \
                        SLOW                                                  \
                    }                                                         \
                } else {                                                      \
                    for (fd_intp j = 0; j < m_; j++) {                        \
                        const fd_intp i = o_ + j;                             \
                        (void)i;                                              \
                        FAST                                                  \
                    }                                                         \
                }                                                             \
                s0_[np_] = FD_FN(lsum)(t0_, m_, NULL, NULL);                  \
                if ((NT) > 1) s1_[np_] = FD_FN(lsum)(t1_, m_, NULL, NULL);    \
            }                                                                 \
            np_++;                                                            \
        }                                                                     \
        acc[0] = fd_pairwise(sp_, np_);                                       \
        acc[1] = ngp_;                                                        \
        if ((NIN) > 1) {                                                      \
            acc[2] = fd_pairwise(sq_, np_);                                   \
            acc[3] = ngq_;                                                    \
        }                                                                     \
        if ((NT) > 0) acc[4] = fd_pairwise(s0_, np_);                         \
        if ((NT) > 1) acc[5] = fd_pairwise(s1_, np_);                         \
    } while (0)

/* ---- checks and normalizers (phase 1) ---------------------------------- */

/* acc[0..3] as FD_PASS. */
static void FD_FN(stats)(const void *p_, const void *q_, fd_intp n,
                         const double *prm, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    (void)prm;
    if (q) FD_PASS(2, 0, 0, 0, ;, ;);
    else FD_PASS(1, 0, 0, 0, ;, ;);
}

/* ---- one-pass kernels ------------------------------------------------------
   The stats of FD_PASS and, in acc[4], the terms of a measure on the inputs
   as they are (not normalized); the row driver normalizes afterwards
   algebraically where that is as accurate as normalizing first (see
   row_probs in _divergence.pyx) and otherwise runs the two-pass kernels
   below. */

/* acc[4] = -sum p log p */
static void FD_FN(fent)(const void *p_, const void *q_, fd_intp n,
                        const double *prm, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = NULL;
    (void)prm; (void)q_;
    FD_PASS(1, 1, 1, 0, t0_[j] = FD_CAT(fd_term_ent1n, FD_TS)(p[i]);,
            t0_[j] = FD_CAT(fd_term_ent1, FD_TS)(p[i]););
}

/* acc[4] = -sum p log q */
static void FD_FN(fxent)(const void *p_, const void *q_, fd_intp n,
                         const double *prm, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    (void)prm;
    FD_PASS(2, 1, 0, 1, t0_[j] = FD_CAT(fd_term_xent1n, FD_TS)(p[i], q[i]);,
            t0_[j] = FD_CAT(fd_term_xent1, FD_TS)(p[i], q[i]););
}

/* acc[4] = sum p log(p / q) */
static void FD_FN(fkl)(const void *p_, const void *q_, fd_intp n,
                       const double *prm, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    (void)prm;
    FD_PASS(2, 1, 1, 1, t0_[j] = FD_CAT(fd_term_kl1n, FD_TS)(p[i], q[i]);,
            t0_[j] = FD_CAT(fd_term_kl1, FD_TS)(p[i], q[i]););
}

/* acc[4] = sum (sqrt p - sqrt q)^2, acc[5] = sum sqrt q (sqrt p - sqrt q):
   then sum (sqrt p - sqrt(q r))^2 = acc[4] - 2 e acc[5] + e^2 sum q exactly,
   with sqrt r = 1 + e. */
static void FD_FN(fhel)(const void *p_, const void *q_, fd_intp n,
                        const double *prm, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    (void)prm;
    /* no input flagged: one loop */
#define FD_HEL_TERMS {                                                        \
        const FD_T sq = FD_CAT(FD_SQRT, FD_TS)(q[i]);                         \
        const FD_T d = FD_CAT(FD_SQRT, FD_TS)(p[i]) - sq;                     \
        t0_[j] = d * d;                                                       \
        t1_[j] = sq * d;                                                      \
    }
    FD_PASS(2, 2, 0, 0, FD_HEL_TERMS, FD_HEL_TERMS);
#undef FD_HEL_TERMS
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
    FD_BLOCK_SUM(acc[0], FD_CAT(fd_term_xent, FD_TS)(p[i], p[i] * a, q[i], Sq));
}

/* sum pn log(pn / qn), the ratio as log(p cm 2^ck / q) with Sq / Sp =
   cm 2^ck, cm = prm[2] in [1, 2), ck = prm[7]. */
static void FD_FN(kl)(const void *p_, const void *q_, fd_intp n,
                      const double *prm, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    const FD_T a = (FD_T)prm[0], cm = (FD_T)prm[2], ck = (FD_T)prm[7];
    FD_BLOCK_SUM(acc[0], FD_CAT(fd_term_kl, FD_TS)(p[i], p[i] * a, p[i] * cm, q[i], ck));
}

static void FD_FN(js)(const void *p_, const void *q_, fd_intp n,
                      const double *prm, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    const FD_T r = (FD_T)prm[6];
    FD_BLOCK_SUM(acc[0], FD_CAT(fd_term_js, FD_TS)(p[i], q[i] * r));
}

/* TV's terms are cheap and its second pass reads the row from cache, so the
   pass also asks for the data the next pass will read, prm[8] and prm[9]
   bytes on from p and q (0: no hint): the driver's distance to the next
   row. */
static void FD_FN(tv)(const void *p_, const void *q_, fd_intp n,
                      const double *prm, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    const FD_T r = (FD_T)prm[6];
    const fd_intp dp = (fd_intp)prm[8], dq = (fd_intp)prm[9];
    if (dp != 0 || dq != 0) {
        FD_BLOCK_SUM_PRE(acc[0], FD_FN(hint)(p + o_, dp, q + o_, dq, m_);,
                         FD_CAT(fd_term_tv, FD_TS)(p[i], q[i] * r));
    } else {
        FD_BLOCK_SUM(acc[0], FD_CAT(fd_term_tv, FD_TS)(p[i], q[i] * r));
    }
}

static void FD_FN(hel)(const void *p_, const void *q_, fd_intp n,
                       const double *prm, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    const FD_T r = (FD_T)prm[6];
    FD_BLOCK_SUM(acc[0], FD_CAT(fd_term_hel, FD_TS)(p[i], q[i] * r));
}

/* ---- terms, logits -------------------------------------------------------
   w = z - max, always formed first (softmax is shift-invariant: a large
   common offset must cancel exactly, and adding the log-sum-exp to the max
   instead would round it away).  w may be -inf where the spread of a row
   overflows; e^w is then 0 and fd_term_lmul keeps its products 0.
   lent: acc[0] = sum e^w, acc[1] = sum e^w (-w).
   lpair: acc[0] = Sp = sum e^wp, acc[1] = Sq = sum e^wq,
          acc[2] = sum e^wp (-wq), acc[3] = sum e^wp (wp - wq).
   prm[0] = max p, prm[1] = max q.                                         */

#define FD_LMUL FD_CAT(fd_term_lmul, FD_TS)

static void FD_FN(lent)(const void *p_, const void *q_, fd_intp n,
                        const double *prm, double *acc)
{
    const FD_T *z = (const FD_T *)p_;
    const FD_T m = (FD_T)prm[0];
    (void)q_;
    FD_BLOCK_SUM(acc[0], FD_EXPNEG(z[i] - m));
    FD_BLOCK_SUM(acc[1], FD_LMUL(z[i] - m, m - z[i]));
}

static void FD_FN(lpair)(const void *p_, const void *q_, fd_intp n,
                         const double *prm, double *acc)
{
    const FD_T *zp = (const FD_T *)p_, *zq = (const FD_T *)q_;
    const FD_T mp = (FD_T)prm[0], mq = (FD_T)prm[1];
    FD_BLOCK_SUM(acc[0], FD_EXPNEG(zp[i] - mp));
    FD_BLOCK_SUM(acc[1], FD_EXPNEG(zq[i] - mq));
    FD_BLOCK_SUM(acc[2], FD_LMUL(zp[i] - mp, mq - zq[i]));
    FD_BLOCK_SUM(acc[3], FD_LMUL(zp[i] - mp, (zp[i] - mp) - (zq[i] - mq)));
}

/* JS, TV, Hellinger from logits: pn = exp((zp - max_p) - log Sp), prm[0] =
   max_p, prm[1] = max_q, prm[2] = log Sp, prm[3] = log Sq. */
#define FD_LPN(z, m, l) FD_EXPNEG(((z) - (m)) - (l))

static void FD_FN(ljs)(const void *p_, const void *q_, fd_intp n,
                       const double *prm, double *acc)
{
    const FD_T *zp = (const FD_T *)p_, *zq = (const FD_T *)q_;
    const FD_T mp = (FD_T)prm[0], mq = (FD_T)prm[1], lp = (FD_T)prm[2], lq = (FD_T)prm[3];
    FD_BLOCK_SUM(acc[0], FD_CAT(fd_term_js, FD_TS)(FD_LPN(zp[i], mp, lp), FD_LPN(zq[i], mq, lq)));
}

static void FD_FN(ltv)(const void *p_, const void *q_, fd_intp n,
                       const double *prm, double *acc)
{
    const FD_T *zp = (const FD_T *)p_, *zq = (const FD_T *)q_;
    const FD_T mp = (FD_T)prm[0], mq = (FD_T)prm[1], lp = (FD_T)prm[2], lq = (FD_T)prm[3];
    FD_BLOCK_SUM(acc[0], FD_CAT(fd_term_tv, FD_TS)(FD_LPN(zp[i], mp, lp), FD_LPN(zq[i], mq, lq)));
}

static void FD_FN(lhel)(const void *p_, const void *q_, fd_intp n,
                        const double *prm, double *acc)
{
    const FD_T *zp = (const FD_T *)p_, *zq = (const FD_T *)q_;
    const FD_T mp = (FD_T)prm[0], mq = (FD_T)prm[1], lp = (FD_T)prm[2], lq = (FD_T)prm[3];
    FD_BLOCK_SUM(acc[0], FD_CAT(fd_term_hel, FD_TS)(FD_LPN(zp[i], mp, lp), FD_LPN(zq[i], mq, lq)));
}
#undef FD_LPN
#undef FD_LMUL

/* ---- elementwise (test hooks and self-information) ---------------------- */

static void FD_FN(vlog)(const void *x_, fd_intp n, void *out_)
{
    const FD_T *x = (const FD_T *)x_;
    FD_T *out = (FD_T *)out_;
    for (fd_intp i = 0; i < n; i++) out[i] = FD_LOG(x[i]);
}

static void FD_FN(vlogs)(const void *x_, fd_intp n, void *out_)
{
    const FD_T *x = (const FD_T *)x_;
    FD_T *out = (FD_T *)out_;
    for (fd_intp i = 0; i < n; i++) out[i] = FD_CAT(fd_logs, FD_TS)(x[i]);
}

static void FD_FN(vlogratio)(const void *x_, const void *y_, fd_intp n, void *out_)
{
    const FD_T *x = (const FD_T *)x_, *y = (const FD_T *)y_;
    FD_T *out = (FD_T *)out_;
    for (fd_intp i = 0; i < n; i++) out[i] = FD_CAT(fd_logratio_s, FD_TS)(x[i], y[i]);
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
    FD_FN(ljs), FD_FN(ltv), FD_FN(lhel), FD_FN(fent), FD_FN(fxent),
    FD_FN(fkl), FD_FN(fhel), FD_FN(vlog), FD_FN(vlogs), FD_FN(vlogratio),
    FD_FN(vexp), FD_FN(neglog),
};

#undef FD_FN
#undef FD_CAT
#undef FD_CAT_
