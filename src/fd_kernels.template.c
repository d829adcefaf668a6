/*
 * fd_kernels.template.c -- every block kernel of the exact measures, written
 * once and instantiated per element type and instruction set.
 *
 * fd_core.c includes this file six times, with these macros defined:
 *   FD_T    element type (double or float); terms are computed in FD_T and
 *           accumulated in double
 *   FD_TS   its name: f64 or f32 (picks the fd_math.h primitives)
 *   FD_ISA  the instruction set: base, avx2 or avx512 (fd_core.c compiles
 *           the include under the matching `#pragma GCC target`)
 * Every function is `static` and named FD_FN(name) = name_<TS>_<ISA>; the
 * file ends with the instantiation's kernel table, FD_FN(fd_kernels).
 *
 * Kernel contract (fd_blockfn, fd_core.h):
 *     void k(const void *p,      IN  n elements of FD_T, contiguous, native
 *            const void *q,      IN  same, or NULL for one-input measures
 *            fd_intp n,          IN  1 <= n <= FD_BLK
 *            const fd_row *c,    IN  the row's constants (each kernel says
 *                                    which fields it reads)
 *            double *acc)        OUT the block's partial results, in the
 *                                    slots each kernel documents
 * Inputs are assumed clean (finite, non-negative) except in the stats and
 * one-pass kernels, whose job is also to report what is not.  Terms go into
 * a chunk buffer summed in the package's fixed order (16 lanes, then chunks
 * pairwise; see fd_core.h), so the result depends only on the data, never
 * on threads.
 */

#define FD_CAT_(a, b) a##_##b
#define FD_CAT(a, b) FD_CAT_(a, b)
#define FD_FN(name) FD_CAT(FD_CAT(name, FD_TS), FD_ISA)
#define FD_LOG FD_CAT(fd_log, FD_TS)
#define FD_EXPNEG FD_CAT(fd_expneg, FD_TS)
#define FD_SQRTT FD_CAT(FD_SQRT, FD_TS)
#define FD_FABST FD_CAT(FD_FABS, FD_TS)
/* the double-precision chunk sum of this instruction set (f64 is
   instantiated first), for the kernels that sum double terms */
#define FD_LSUMD FD_CAT(FD_CAT(lsum, f64), FD_ISA)
#define FD_TERMD(name) FD_CAT(FD_CAT(name, f64), FD_ISA)

/* ---- per-element terms (conventions of fd_math.h) ---------------------- */
/* -pn log pn with pn = p/S evaluated as w = p a, log(p / S) */
FD_INLINE FD_T FD_FN(term_ent)(FD_T p, FD_T w, FD_T S)
{
    const FD_T v = -w * FD_CAT(fd_logratio_s, FD_TS)(p, S);
    return (p == (FD_T)0) ? (FD_T)0 : v;
}
/* -p log p (one-pass kernels).  No mask for p == 0: fd_logs_* of 0 is
   finite (the decomposition of 0 is garbage but finite), so 0 results. */
FD_INLINE FD_T FD_FN(term_ent1)(FD_T p)
{
    return -p * FD_CAT(fd_logs, FD_TS)(p);
}
/* -pn log qn: w = pn = p a, qn = q / Sq.  Zeros are told from the
   inputs p and q, never from w, which may underflow. */
FD_INLINE FD_T FD_FN(term_xent)(FD_T p, FD_T w, FD_T q, FD_T Sq)
{
    FD_T v = -w * FD_CAT(fd_logratio_s, FD_TS)(q, Sq);
    v = (q == (FD_T)0) ? (FD_T)INFINITY : v;
    return (p == (FD_T)0) ? (FD_T)0 : v;
}
/* -p log q (one-pass kernels): one select, +inf where q == 0 < p; p == 0
   gives 0 by itself as above. */
FD_INLINE FD_T FD_FN(term_xent1)(FD_T p, FD_T q)
{
    const FD_T v = -p * FD_CAT(fd_logs, FD_TS)(q);
    return ((q == (FD_T)0) & (p != (FD_T)0)) ? (FD_T)INFINITY : v;
}
/* The one-pass terms for chunks whose arguments of log are all normal
   (no zero, subnormal or negative value: see FD_PASS): no scaling, no
   select, the same bits. */
FD_INLINE FD_T FD_FN(term_ent1n)(FD_T p)
{
    return -p * FD_CAT(fd_logn, FD_TS)(p);
}
FD_INLINE FD_T FD_FN(term_xent1n)(FD_T p, FD_T q)
{
    return -p * FD_CAT(fd_logn, FD_TS)(q);
}
FD_INLINE FD_T FD_FN(term_kl1n)(FD_T p, FD_T q)
{
    return p * FD_CAT(fd_logratio_n, FD_TS)(p, q);
}
/* pn log(pn / qn): w = pn, x 2^k / q = pn / qn (x = p cm with cm in
   [1, 2): the power of two joins the logarithm's exponent instead of
   the product, which could underflow).  Zeros from p and q. */
FD_INLINE FD_T FD_FN(term_kl)(FD_T p, FD_T w, FD_T x, FD_T q, FD_T k)
{
    FD_T v = w * FD_CAT(fd_logratio_sk, FD_TS)(x, q, k);
    v = (q == (FD_T)0) ? (FD_T)INFINITY : v;
    return (p == (FD_T)0) ? (FD_T)0 : v;
}
/* p log(p / q) (one-pass kernels), as fd_term_xent1 */
FD_INLINE FD_T FD_FN(term_kl1)(FD_T p, FD_T q)
{
    const FD_T v = p * FD_CAT(fd_logratio_s, FD_TS)(p, q);
    return ((q == (FD_T)0) & (p != (FD_T)0)) ? (FD_T)INFINITY : v;
}
/* x log(2x / (x+y)) + y log(2y / (x+y)), each part >= -tiny */
FD_INLINE FD_T FD_FN(term_js)(FD_T x, FD_T y)
{
    const FD_T u = x + y;
    FD_T vx = x * FD_CAT(fd_logratio_s, FD_TS)(x + x, u);
    FD_T vy = y * FD_CAT(fd_logratio_s, FD_TS)(y + y, u);
    vx = (x == (FD_T)0) ? (FD_T)0 : vx;
    vy = (y == (FD_T)0) ? (FD_T)0 : vy;
    return vx + vy;
}
FD_INLINE FD_T FD_FN(term_tv)(FD_T x, FD_T y)
{
    return FD_FABST(x - y);
}
FD_INLINE FD_T FD_FN(term_hel)(FD_T x, FD_T y)
{
    const FD_T d = FD_SQRTT(x) - FD_SQRTT(y);
    return d * d;
}
/* e^w x, 0 where e^w is 0 (w below the underflow threshold, or -inf
   from logits whose spread overflows; x may then be infinite) */
FD_INLINE FD_T FD_FN(term_lmul)(FD_T w, FD_T x)
{
    const FD_T e = FD_CAT(fd_expneg, FD_TS)(w);
    return (e == (FD_T)0) ? (FD_T)0 : e * x;
}


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

/* Sum of x[0..m), 1 <= m <= FD_CH, in the package's order (fd_core.h),
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
   and q -- the slots fd_acc_slot (fd_core.h): acc[FD_ACC_P] = sum p,
   acc[FD_ACC_P_BAD] = 1 if some p < 0, acc[FD_ACC_Q], acc[FD_ACC_Q_BAD] the
   same for q; a NaN or infinity makes a sum non-finite -- and sums NT (0, 1
   or 2) kinds of terms into acc[FD_ACC_TERMS] and acc[FD_ACC_TERMS2].  Each chunk is summed and
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
        acc[FD_ACC_P] = fd_pairwise(sp_, np_);                                \
        acc[FD_ACC_P_BAD] = ngp_;                                             \
        if ((NIN) > 1) {                                                      \
            acc[FD_ACC_Q] = fd_pairwise(sq_, np_);                            \
            acc[FD_ACC_Q_BAD] = ngq_;                                         \
        }                                                                     \
        if ((NT) > 0) acc[FD_ACC_TERMS] = fd_pairwise(s0_, np_);              \
        if ((NT) > 1) acc[FD_ACC_TERMS2] = fd_pairwise(s1_, np_);             \
    } while (0)

/* ---- checks and normalizers (phase 1) ---------------------------------- */

/* acc[0..3] as FD_PASS. */
static void FD_FN(stats)(const void *p_, const void *q_, fd_intp n,
                         const fd_row *c, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    (void)c;
    if (q) FD_PASS(2, 0, 0, 0, ;, ;);
    else FD_PASS(1, 0, 0, 0, ;, ;);
}

/* ---- one-pass kernels ------------------------------------------------------
   The stats of FD_PASS and, in acc[FD_ACC_TERMS], the terms of a measure on the inputs
   as they are (not normalized); the row driver normalizes afterwards
   algebraically where that is as accurate as normalizing first (see
   row_probs in _divergence.pyx) and otherwise runs the two-pass kernels
   below. */

/* acc[FD_ACC_TERMS] = -sum p log p */
static void FD_FN(fent)(const void *p_, const void *q_, fd_intp n,
                        const fd_row *c, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = NULL;
    (void)c; (void)q_;
    FD_PASS(1, 1, 1, 0, t0_[j] = FD_FN(term_ent1n)(p[i]);,
            t0_[j] = FD_FN(term_ent1)(p[i]););
}

/* acc[FD_ACC_TERMS] = -sum p log q */
static void FD_FN(fxent)(const void *p_, const void *q_, fd_intp n,
                         const fd_row *c, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    (void)c;
    FD_PASS(2, 1, 0, 1, t0_[j] = FD_FN(term_xent1n)(p[i], q[i]);,
            t0_[j] = FD_FN(term_xent1)(p[i], q[i]););
}

/* acc[FD_ACC_TERMS] = sum p log(p / q) */
static void FD_FN(fkl)(const void *p_, const void *q_, fd_intp n,
                       const fd_row *c, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    (void)c;
    FD_PASS(2, 1, 1, 1, t0_[j] = FD_FN(term_kl1n)(p[i], q[i]);,
            t0_[j] = FD_FN(term_kl1)(p[i], q[i]););
}

/* acc[FD_ACC_TERMS] = T = sum (sqrt p - sqrt q)^2, acc[FD_ACC_TERMS2] =
   V = sum sqrt q (sqrt p - sqrt q): then sum (sqrt p - sqrt(q r))^2 =
   T - 2 e V + e^2 sum q exactly,
   with sqrt r = 1 + e. */
static void FD_FN(fhel)(const void *p_, const void *q_, fd_intp n,
                        const fd_row *c, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    (void)c;
    /* no input flagged: one loop */
#define FD_HEL_TERMS {                                                        \
        const FD_T sq = FD_SQRTT(q[i]);                         \
        const FD_T d = FD_SQRTT(p[i]) - sq;                     \
        t0_[j] = d * d;                                                       \
        t1_[j] = sq * d;                                                      \
    }
    FD_PASS(2, 2, 0, 0, FD_HEL_TERMS, FD_HEL_TERMS);
#undef FD_HEL_TERMS
}

/* logits: acc[FD_ACC_P] = max p, acc[FD_ACC_P_BAD] = 1 if some p is not
   finite; acc[FD_ACC_Q], acc[FD_ACC_Q_BAD] the same for q. */
static void FD_FN(lstats)(const void *p_, const void *q_, fd_intp n,
                          const fd_row *c, double *acc)
{
    const FD_T *x = (const FD_T *)p_;
    (void)c;
    for (int s = 0; s < 2; s++) {
        if (s == 1) {
            if (!q_) break;
            x = (const FD_T *)q_;
        }
        int bad = 0;
        FD_T mx = x[0];
        for (fd_intp i = 0; i < n; i++) bad |= !(x[i] - x[i] == 0);
        for (fd_intp i = 0; i < n; i++) mx = (x[i] > mx) ? x[i] : mx;
        acc[s ? FD_ACC_Q : FD_ACC_P] = (double)mx;
        acc[s ? FD_ACC_Q_BAD : FD_ACC_P_BAD] = bad;
    }
}

/* ---- terms (phase 2), probabilities -------------------------------------
   c->a = 1/Sp, c->Sp, c->Sq, c->r = Sp/Sq, Sq/Sp = c->cm 2^c->ck (all 1
   when normalize=False), so that pn = p a, qn = a (q r).  JS, TV and Hellinger return their sums
   over (p, q r) and the caller multiplies by a: with p == q, r == 1 and
   every term is exactly 0 even where the compiler fuses p a - q b into an
   FMA (which would leave the rounding error of q b).                     */

/* -sum pn log pn, log pn evaluated as log(p / Sp). */
static void FD_FN(ent)(const void *p_, const void *q_, fd_intp n,
                       const fd_row *c, double *acc)
{
    const FD_T *p = (const FD_T *)p_;
    const FD_T a = (FD_T)c->a, S = (FD_T)c->Sp;
    (void)q_;
    FD_BLOCK_SUM(acc[0], FD_FN(term_ent)(p[i], p[i] * a, S));
}

/* -sum pn log qn; +inf where pn > 0 = qn. */
static void FD_FN(xent)(const void *p_, const void *q_, fd_intp n,
                        const fd_row *c, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    const FD_T a = (FD_T)c->a, Sq = (FD_T)c->Sq;
    FD_BLOCK_SUM(acc[0], FD_FN(term_xent)(p[i], p[i] * a, q[i], Sq));
}

/* sum pn log(pn / qn), the ratio as log(p cm 2^ck / q) with Sq / Sp =
   cm 2^ck, cm in [1, 2). */
static void FD_FN(kl)(const void *p_, const void *q_, fd_intp n,
                      const fd_row *c, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    const FD_T a = (FD_T)c->a, cm = (FD_T)c->cm, ck = (FD_T)c->ck;
    FD_BLOCK_SUM(acc[0], FD_FN(term_kl)(p[i], p[i] * a, p[i] * cm, q[i], ck));
}

static void FD_FN(js)(const void *p_, const void *q_, fd_intp n,
                      const fd_row *c, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    const FD_T r = (FD_T)c->r;
    FD_BLOCK_SUM(acc[0], FD_FN(term_js)(p[i], q[i] * r));
}

/* TV's terms are cheap and its second pass reads the row from cache, so the
   pass also asks for the data the next pass will read, c->ahead_p and
   c->ahead_q bytes on from p and q (0: no hint): the driver's distance to
   the next row. */
static void FD_FN(tv)(const void *p_, const void *q_, fd_intp n,
                      const fd_row *c, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    const FD_T r = (FD_T)c->r;
    const fd_intp dp = c->ahead_p, dq = c->ahead_q;
    if (dp != 0 || dq != 0) {
        FD_BLOCK_SUM_PRE(acc[0], FD_FN(hint)(p + o_, dp, q + o_, dq, m_);,
                         FD_FN(term_tv)(p[i], q[i] * r));
    } else {
        FD_BLOCK_SUM(acc[0], FD_FN(term_tv)(p[i], q[i] * r));
    }
}

static void FD_FN(hel)(const void *p_, const void *q_, fd_intp n,
                       const fd_row *c, double *acc)
{
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    const FD_T r = (FD_T)c->r;
    FD_BLOCK_SUM(acc[0], FD_FN(term_hel)(p[i], q[i] * r));
}

/* ---- terms, logits -------------------------------------------------------
   w = z - max, always formed first (softmax is shift-invariant: a large
   common offset must cancel exactly, and adding the log-sum-exp to the max
   instead would round it away).  w may be -inf where the spread of a row
   overflows; e^w is then 0 and fd_term_lmul keeps its products 0.
   lent: acc[0] = sum e^w, acc[1] = sum e^w (-w).
   lpair: acc[0] = Sp = sum e^wp, acc[1] = Sq = sum e^wq,
          acc[2] = sum e^wp (-wq), acc[3] = sum e^wp (wp - wq).
   c->mp = max p, c->mq = max q.                                           */

#define FD_LMUL FD_FN(term_lmul)

static void FD_FN(lent)(const void *p_, const void *q_, fd_intp n,
                        const fd_row *c, double *acc)
{
    const FD_T *z = (const FD_T *)p_;
    const FD_T m = (FD_T)c->mp;
    (void)q_;
    FD_BLOCK_SUM(acc[0], FD_EXPNEG(z[i] - m));
    FD_BLOCK_SUM(acc[1], FD_LMUL(z[i] - m, m - z[i]));
}

static void FD_FN(lpair)(const void *p_, const void *q_, fd_intp n,
                         const fd_row *c, double *acc)
{
    const FD_T *zp = (const FD_T *)p_, *zq = (const FD_T *)q_;
    const FD_T mp = (FD_T)c->mp, mq = (FD_T)c->mq;
    FD_BLOCK_SUM(acc[0], FD_EXPNEG(zp[i] - mp));
    FD_BLOCK_SUM(acc[1], FD_EXPNEG(zq[i] - mq));
    FD_BLOCK_SUM(acc[2], FD_LMUL(zp[i] - mp, mq - zq[i]));
    FD_BLOCK_SUM(acc[3], FD_LMUL(zp[i] - mp, (zp[i] - mp) - (zq[i] - mq)));
}

/* JS, TV, Hellinger from logits: pn = exp((zp - c->mp) - c->lp), c->lp =
   log Sp (and q alike). */
#define FD_LPN(z, m, l) FD_EXPNEG(((z) - (m)) - (l))

static void FD_FN(ljs)(const void *p_, const void *q_, fd_intp n,
                       const fd_row *c, double *acc)
{
    const FD_T *zp = (const FD_T *)p_, *zq = (const FD_T *)q_;
    const FD_T mp = (FD_T)c->mp, mq = (FD_T)c->mq, lp = (FD_T)c->lp, lq = (FD_T)c->lq;
    FD_BLOCK_SUM(acc[0], FD_FN(term_js)(FD_LPN(zp[i], mp, lp), FD_LPN(zq[i], mq, lq)));
}

static void FD_FN(ltv)(const void *p_, const void *q_, fd_intp n,
                       const fd_row *c, double *acc)
{
    const FD_T *zp = (const FD_T *)p_, *zq = (const FD_T *)q_;
    const FD_T mp = (FD_T)c->mp, mq = (FD_T)c->mq, lp = (FD_T)c->lp, lq = (FD_T)c->lq;
    FD_BLOCK_SUM(acc[0], FD_FN(term_tv)(FD_LPN(zp[i], mp, lp), FD_LPN(zq[i], mq, lq)));
}

static void FD_FN(lhel)(const void *p_, const void *q_, fd_intp n,
                        const fd_row *c, double *acc)
{
    const FD_T *zp = (const FD_T *)p_, *zq = (const FD_T *)q_;
    const FD_T mp = (FD_T)c->mp, mq = (FD_T)c->mq, lp = (FD_T)c->lp, lq = (FD_T)c->lq;
    FD_BLOCK_SUM(acc[0], FD_FN(term_hel)(FD_LPN(zp[i], mp, lp), FD_LPN(zq[i], mq, lq)));
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

/* ---- wide kernels (scalar double, any finite magnitudes) -----------------
   For rows whose sums lie outside the probability kernels' range, and for
   every Renyi measure; see fd_wide.h for the row constants and helpers.
   They read FD_T, compute in double, and never form pn = p / Sp where a
   small entry could underflow.  Zeros are told from the raw inputs. */

/* acc[0] = the sum over the block of the term EXPR, a function of x = p[i]
   and y = q[i] (y = 0 where HAVE_Q is 0: q may be NULL). */
#define FD_W_SUM_KERNEL(NAME, HAVE_Q, EXPR)                                   \
    static void FD_FN(NAME)(const void *p_, const void *q_, fd_intp n,        \
                            const fd_row *c, double *acc)                     \
    {                                                                         \
        const fd_wide_row w_ = fd_wide_row_of(c);                             \
        const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;              \
        (void)q; (void)w_;                                                    \
        FD_WIDE_SUMS(FD_LSUMD, 1, acc[0], acc[1],                             \
            const double x = p[i], y = (HAVE_Q) ? (double)q[i] : 0.0;         \
            double e_;  /* scratch for EXPR */                                \
            (void)y; (void)e_;                                                \
            t0_[j] = (EXPR););                                                \
    }

/* -sum pn log pn, -sum pn log qn, sum pn log(pn / qn) */
FD_W_SUM_KERNEL(went, 0, (x == 0.0) ? 0.0 : -FD_W_PN(x) * FD_W_LPN(x))
FD_W_SUM_KERNEL(wxent, 1, (x == 0.0) ? 0.0 : (y == 0.0) ? INFINITY : -FD_W_PN(x) * FD_W_LQN(y))
FD_W_SUM_KERNEL(wkl, 1, (x == 0.0) ? 0.0 : (y == 0.0) ? INFINITY : FD_W_PN(x) * FD_W_LR(x, y))
/* JS, TV and Hellinger terms over (pn, qn): bounded measures, where a
   weight that underflows loses less than its own size. */
FD_W_SUM_KERNEL(wjs, 1, FD_W_PAIRTERM(FD_TERMD(term_js), x, y))
FD_W_SUM_KERNEL(wtv, 1, FD_W_PAIRTERM(FD_TERMD(term_tv), x, y))
FD_W_SUM_KERNEL(whel, 1, FD_W_PAIRTERM(FD_TERMD(term_hel), x, y))
/* sum of q where p > 0 (alpha = 0), in the same pairwise order as the
   stats pass, so that it equals Sq when p > 0 wherever q > 0 (then the
   divergence is exactly 0) */
FD_W_SUM_KERNEL(rdiv0, 1, (x > 0.0) ? y : 0.0)

/* acc[0] = number of p > 0 (Renyi entropy, alpha = 0) */
static void FD_FN(rent0)(const void *p_, const void *q_, fd_intp n, const fd_row *c,
                         double *acc)
{
    const FD_T *p = (const FD_T *)p_;
    fd_intp k = 0;
    (void)q_; (void)c;
    for (fd_intp i = 0; i < n; i++) k += p[i] > 0;
    acc[0] = (double)k;
}

/* acc[0] = max p (Renyi entropy, alpha = inf) */
static void FD_FN(pmax)(const void *p_, const void *q_, fd_intp n, const fd_row *c,
                        double *acc)
{
    const FD_T *p = (const FD_T *)p_;
    FD_T mx = p[0];
    (void)q_; (void)c;
    for (fd_intp i = 0; i < n; i++) mx = (p[i] > mx) ? p[i] : mx;
    acc[0] = (double)mx;
}

/* acc[0] = max over p > 0 of log(pn / qn) (Renyi divergence, alpha = inf) */
static void FD_FN(rdivinf)(const void *p_, const void *q_, fd_intp n, const fd_row *c,
                           double *acc)
{
    const fd_wide_row w_ = fd_wide_row_of(c);
    const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;
    double mx = -INFINITY;
    for (fd_intp i = 0; i < n; i++) {
        const double x = p[i], y = q[i];
        const double v = (x == 0.0) ? -INFINITY : (y == 0.0) ? INFINITY : FD_W_LR(x, y);
        mx = (v > mx) ? v : mx;
    }
    acc[0] = mx;
}

/* Logits whose cross-entropy or KL terms e^wp (-wq), e^wp (wp - wq)
   overflow (in float32, or where a row's spread exceeds DBL_MAX although
   e^wp is tiny, or where K terms near DBL_MAX add up past it): the same
   terms in double, halved (0.5 z - 0.5 m cannot overflow) and scaled by
   2^-c->shift, so that no sum overflows unless its value does.
   acc[0] = Sp, acc[1] = Sq, acc[2] = 2^-shift sum e^wp (-wq) / 2,
   acc[3] = 2^-shift sum e^wp (wp - wq) / 2; c->mp, c->mq the maxima. */
static void FD_FN(lpairw)(const void *p_, const void *q_, fd_intp n, const fd_row *c,
                          double *acc)
{
    const FD_T *zp = (const FD_T *)p_, *zq = (const FD_T *)q_;
    const double mp = c->mp, mq = c->mq;
    const double sc = ldexp(1.0, -c->shift);
    double a0, a1, a2, a3;
    FD_WIDE_SUMS(FD_LSUMD, 2, a0, a1,
        t0_[j] = fd_expneg_f64((double)zp[i] - mp);
        t1_[j] = fd_expneg_f64((double)zq[i] - mq););
    FD_WIDE_SUMS(FD_LSUMD, 2, a2, a3,
        const double e = fd_expneg_f64((double)zp[i] - mp);
        const double hp = 0.5 * (double)zp[i] - 0.5 * mp;
        const double hq = 0.5 * (double)zq[i] - 0.5 * mq;
        t0_[j] = (e == 0.0) ? 0.0 : (e * sc) * (0.0 - hq);
        t1_[j] = (e == 0.0) ? 0.0 : (e * sc) * (hp - hq););
    acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;
}

/* ---- Renyi (orders other than 0, 1 and inf) --------------------------------
   The four kernels of each measure (fd_wide.h, FD_W_RENYI_TERMS): NAME and
   NAME##w (first pass: acc[0] = sum v, acc[1] = sum d; the weights pn as
   p (1/Sp) for sums in the probability kernels' range, or as fd_quot2_f64
   for any sum), NAME_max (acc[0] = max t) and NAME_lse (acc[0] =
   sum e^(t - M), M = c->M). */
#define FD_RENYI_FIRST(NAME, HAVE_Q, PN)                                      \
    static void FD_FN(NAME)(const void *p_, const void *q_, fd_intp n,        \
                            const fd_row *c, double *acc)                     \
    {                                                                         \
        const fd_wide_row w_ = fd_wide_row_of(c);                             \
        const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;              \
        (void)q;                                                              \
        FD_WIDE_SUMS(FD_LSUMD, 2, acc[0], acc[1],                             \
            double v, d;                                                      \
            FD_W_RENYI_TERMS(HAVE_Q, PN, (double)p[i], (HAVE_Q) ? (double)q[i] : 0.0, v, d); \
            t0_[j] = v;                                                       \
            t1_[j] = d;);                                                     \
    }

#define FD_RENYI_MAX(NAME, HAVE_Q)                                            \
    static void FD_FN(NAME)(const void *p_, const void *q_, fd_intp n,        \
                            const fd_row *c, double *acc)                     \
    {                                                                         \
        const fd_wide_row w_ = fd_wide_row_of(c);                             \
        const FD_T *p = (const FD_T *)p_, *q = (const FD_T *)q_;              \
        double mx = -INFINITY, e;                                             \
        (void)q;                                                              \
        for (fd_intp i = 0; i < n; i++) {                                     \
            const double t = fd_w_renyi_t(&w_, (HAVE_Q), (double)p[i],        \
                                          (HAVE_Q) ? (double)q[i] : 0.0, &e); \
            mx = (t > mx) ? t : mx;                                           \
        }                                                                     \
        acc[0] = mx;                                                          \
    }

FD_RENYI_FIRST(rent, 0, FD_W_PNA)
FD_RENYI_FIRST(rentw, 0, FD_W_PN)
FD_RENYI_MAX(rent_max, 0)
FD_W_SUM_KERNEL(rent_lse, 0, exp(fd_w_renyi_t(&w_, 0, x, y, &e_) - w_.M))
FD_RENYI_FIRST(rdiv, 1, FD_W_PNA)
FD_RENYI_FIRST(rdivw, 1, FD_W_PN)
FD_RENYI_MAX(rdiv_max, 1)
FD_W_SUM_KERNEL(rdiv_lse, 1, exp(fd_w_renyi_t(&w_, 1, x, y, &e_) - w_.M))

#undef FD_W_SUM_KERNEL
#undef FD_RENYI_FIRST
#undef FD_RENYI_MAX

/* ---- dot products of row pairs (pairwise matrices) ------------------------
   C[i ldc + j] = sum_k A[i lda + k] B[j ldb + k] for i < ma, j < nb, over
   kp elements, in float64 (compiled once per instruction set, in the f64
   instantiation; the f32 table points here too).  A, B: 64-byte aligned
   rows, lda, ldb and kp multiples of 8 (rows zero-padded).

   The summation order of one pair depends only on kp: each chunk of 64
   products is summed in 8 lanes (lane l takes k = l mod 8, in order) from
   zero, the chunks' lanes are added lane by lane in chunk order, and the
   lanes are combined by fd_lanes' tree.  A pair's value is therefore the
   same wherever it sits in a tile, whatever the tile sizes and threads,
   and dot(a, b) == dot(b, a).  Its error is at most
   (8 + kp / 64 + 3) u sum |a_k b_k| (u = 2^-53): FD_DOT_ERR below, the bound
   the callers (fastdiv._tiles) check their shortcuts against.

   The register tile is FD_DOT_MR rows of A by FD_DOT_NR rows of B, sized
   per instruction set so that the sums stay in registers (each v8d is one
   zmm, two ymm or four xmm registers). */
#ifdef FD_DOT
#if defined(__AVX512F__)
#define FD_DOT_MR 4
#define FD_DOT_NR 4
#elif defined(__AVX2__)
#define FD_DOT_MR 2
#define FD_DOT_NR 2
#else
#define FD_DOT_MR 1
#define FD_DOT_NR 2
#endif

static inline __attribute__((always_inline))
void FD_FN(dot_block)(const double *A, fd_intp lda, const double *B, fd_intp ldb,
                      fd_intp kp, double *C, fd_intp ldc, const int mr, const int nr)
{
    fd_v8d tot[FD_DOT_MR][FD_DOT_NR];
    for (int r = 0; r < mr; r++)
        for (int c = 0; c < nr; c++) tot[r][c] = (fd_v8d){0};
    for (fd_intp k0 = 0; k0 < kp; k0 += 64) {
        const fd_intp k1 = (k0 + 64 < kp) ? k0 + 64 : kp;
        fd_v8d acc[FD_DOT_MR][FD_DOT_NR];
        for (int r = 0; r < mr; r++)
            for (int c = 0; c < nr; c++) acc[r][c] = (fd_v8d){0};
        for (fd_intp k = k0; k < k1; k += 8) {
            fd_v8d a[FD_DOT_MR], b[FD_DOT_NR];
            for (int r = 0; r < mr; r++) a[r] = *(const fd_v8d *)(A + r * lda + k);
            for (int c = 0; c < nr; c++) b[c] = *(const fd_v8d *)(B + c * ldb + k);
            for (int r = 0; r < mr; r++)
                for (int c = 0; c < nr; c++) acc[r][c] += a[r] * b[c];
        }
        for (int r = 0; r < mr; r++)
            for (int c = 0; c < nr; c++) tot[r][c] += acc[r][c];
    }
    for (int r = 0; r < mr; r++)
        for (int c = 0; c < nr; c++) C[r * ldc + c] = FD_FN(lanes)(&tot[r][c]);
}

static void FD_FN(dot_tile)(const double *A, fd_intp lda, fd_intp ma, const double *B,
                            fd_intp ldb, fd_intp nb, fd_intp kp, double *C, fd_intp ldc)
{
    fd_intp i = 0;
    for (; i + FD_DOT_MR <= ma; i += FD_DOT_MR) {
        fd_intp j = 0;
        for (; j + FD_DOT_NR <= nb; j += FD_DOT_NR)
            FD_FN(dot_block)(A + i * lda, lda, B + j * ldb, ldb, kp, C + i * ldc + j, ldc,
                             FD_DOT_MR, FD_DOT_NR);
        for (; j < nb; j++)
            FD_FN(dot_block)(A + i * lda, lda, B + j * ldb, ldb, kp, C + i * ldc + j, ldc,
                             FD_DOT_MR, 1);
    }
    for (; i < ma; i++) {
        fd_intp j = 0;
        for (; j + FD_DOT_NR <= nb; j += FD_DOT_NR)
            FD_FN(dot_block)(A + i * lda, lda, B + j * ldb, ldb, kp, C + i * ldc + j, ldc, 1,
                             FD_DOT_NR);
        for (; j < nb; j++)
            FD_FN(dot_block)(A + i * lda, lda, B + j * ldb, ldb, kp, C + i * ldc + j, ldc, 1, 1);
    }
}
#undef FD_DOT_MR
#undef FD_DOT_NR

/* ---- joint tables (fastdiv._joint), float64 only --------------------------
   nr rows of n <= FD_CH native float64 columns, row i at x + i si; each
   row's sum in the package's order (lsum).  A block of rows per call, so
   that the logs of one row overlap the next row's (and the lane sums of
   each row) instead of draining at a call boundary.  See
   src/fastdiv/_joint.pyx for the measures. */

/* Pass 1: out[i] = sum of row i; col[j] = x[0][j] (first) or col[j] +
   x[0][j], then + x[1][j], ... in row order; *bad |= 1 if some entry is
   negative (-0.0 is not; lsum's check, with its prefetch).  A NaN or
   infinite entry is not flagged here: it makes its row's sum NaN or
   infinite, which the caller checks. */
static void FD_TERMD(tbl_sums)(const double *x, fd_intp si, fd_intp nr, fd_intp n,
                               double *col, int first, double *out, int *bad)
{
    for (fd_intp i = 0; i < nr; i++, x += si) {
        out[i] = FD_LSUMD(x, n, bad, NULL);
        if (first && i == 0)
            memcpy(col, x, (size_t)n * sizeof(double));
        else
            for (fd_intp j = 0; j < n; j++) col[j] += x[j];
    }
}

/* Pass 2: out[i] = the sum of row i's terms, for measure
   FD_TBL_JOINT: x log(x / d); FD_TBL_COND: x log(cj / x), the log-ratio
   without the quotient, finite at 0, so a zero x adds 0;
   FD_TBL_MI: cj f(rho), rho = (x u_i) v with u_i = 1 / r[i], f(rho) =
   rho log rho - (rho - 1), the log of clean inputs (finite at rho = 0,
   where the term is cj); a row with r[i] = 0 is empty: 0.
   With ahead (not NULL), the same rows of the table read next are hinted
   into cache (pass 1 is bound by memory, pass 2 by its logs). */
static void FD_TERMD(tbl_terms)(int measure, const double *x, fd_intp si, fd_intp nr,
                                fd_intp n, const double *r, double d, const double *v,
                                const double *cj, const double *ahead, double *out)
{
    double t[FD_CH];
    for (fd_intp i = 0; i < nr; i++, x += si) {
        if (ahead != NULL) {
            for (fd_intp k = 0; k < n; k += 8) __builtin_prefetch(ahead + i * si + k, 0, 3);
        }
        if (measure == FD_TBL_MI) {
            if (r[i] == 0.0) {
                out[i] = 0.0;
                continue;
            }
            const double ui = 1.0 / r[i];
            for (fd_intp j = 0; j < n; j++) {
                const double rho = (x[j] * ui) * v[j];
                t[j] = cj[j] * (rho * fd_logn_f64(rho) - (rho - 1.0));
            }
        } else if (measure == FD_TBL_JOINT) {
            for (fd_intp j = 0; j < n; j++) t[j] = x[j] * fd_logratio_s_f64(x[j], d);
        } else {
            for (fd_intp j = 0; j < n; j++) t[j] = x[j] * fd_logratio_s_f64(cj[j], x[j]);
        }
        out[i] = FD_LSUMD(t, n, NULL, NULL);
    }
}
/* ---- histogram binning (fastdiv._binning), float64 ------------------------
   The codes of n <= FD_CH values on one axis (fd_core.h, fd_hist_axis):
   code[j] = the bin of x[j] where its position alone places it, else
   FD_HIST_SLOW (inside the range, near a bin boundary: the caller places it
   exactly) or FD_HIST_OUT (outside the range, or NaN).  Returns 1 if some
   x[j] is NaN or infinite (x - x is then not 0).  Eight values at a time
   in vector types, with masks instead of branches; g is formed from 0
   outside the range (a value far outside would not convert to int32), and
   its truncation k is its floor inside (g > -1 there), so g - k is its
   fraction. */
typedef int32_t fd_v8i __attribute__((vector_size(32)));

static inline __attribute__((always_inline))
int FD_TERMD(hist_code1)(double v, const fd_hist_axis *a, int32_t *code)
{
    const int in = (v >= a->lo) & (v <= a->hi);
    const double g = in ? (v - a->first) * a->scale : 0.0;
    const int32_t k = (int32_t)g;
    const double fr = g - (double)k;
    const int sure = a->fast & in & (fr > a->delta) & (fr < 1.0 - a->delta) & (k < a->nb);
    *code = sure ? k : (in ? FD_HIST_SLOW : FD_HIST_OUT);
    return (v - v) != 0.0;
}

/* The codes of x[0..8) (see hist_codes) as lanes: k where sure, else
   `other` where in, else -2 (other = -1: FD_HIST_SLOW; nb: the spill cell);
   *slow = the lanes inside the range but not sure; *bad |= NaN/inf lanes. */
static inline __attribute__((always_inline))
void FD_TERMD(hist_lanes)(const double *x, const fd_hist_axis *a, int32_t other, fd_v8i *code,
                          fd_v8l *slow, fd_v8l *bad)
{
    fd_v8d v;
    memcpy(&v, x, sizeof v);
    const double f = a->first, s = a->scale, d0 = a->delta, d1 = 1.0 - a->delta;
    const fd_v8d lo = {a->lo, a->lo, a->lo, a->lo, a->lo, a->lo, a->lo, a->lo};
    const fd_v8d hi = {a->hi, a->hi, a->hi, a->hi, a->hi, a->hi, a->hi, a->hi};
    const fd_v8d first = {f, f, f, f, f, f, f, f}, scale = {s, s, s, s, s, s, s, s};
    const fd_v8d lo_fr = {d0, d0, d0, d0, d0, d0, d0, d0};
    const fd_v8d hi_fr = {d1, d1, d1, d1, d1, d1, d1, d1};
    const fd_v8d zero = {0};
    const int64_t fm = -(int64_t)a->fast;
    const fd_v8l fast = {fm, fm, fm, fm, fm, fm, fm, fm};
    const fd_v8i out = {FD_HIST_OUT, FD_HIST_OUT, FD_HIST_OUT, FD_HIST_OUT,
                        FD_HIST_OUT, FD_HIST_OUT, FD_HIST_OUT, FD_HIST_OUT};
    const fd_v8i oth = {other, other, other, other, other, other, other, other};
    const fd_v8l in = (v >= lo) & (v <= hi);
    const fd_v8d g = (fd_v8d)((fd_v8l)((v - first) * scale) & in);
    const fd_v8i k = __builtin_convertvector(g, fd_v8i);
    const fd_v8d fr = g - __builtin_convertvector(k, fd_v8d);
    const int32_t nb = (int32_t)a->nb;
    const fd_v8i nbv = {nb, nb, nb, nb, nb, nb, nb, nb};
    /* k < nb always holds where the margin is right; the test keeps a
       wrong margin from ever dropping a value into the spill cell */
    const fd_v8l sure64 = in & fast & (fr > lo_fr) & (fr < hi_fr) &
                          __builtin_convertvector(k < nbv, fd_v8l);
    const fd_v8i sure = __builtin_convertvector(sure64, fd_v8i);
    const fd_v8i in32 = __builtin_convertvector(in, fd_v8i);
    *slow = in & ~sure64;
    *bad |= (v - v) != zero;
    *code = (k & sure) | (~sure & ((oth & in32) | (out & ~in32)));
}

static inline __attribute__((always_inline))
int FD_TERMD(any8)(fd_v8l m)
{
    int b = 0;
    for (int l = 0; l < 8; l++) b |= m[l] != 0;
    return b;
}

static int FD_TERMD(hist_codes)(const double *x, fd_intp n, const fd_hist_axis *a,
                                int32_t *code)
{
    fd_v8l bad = {0}, slow;
    fd_intp j = 0;
    for (; j + 8 <= n; j += 8) {
        fd_v8i c;
        FD_TERMD(hist_lanes)(x + j, a, FD_HIST_SLOW, &c, &slow, &bad);
        memcpy(code + j, &c, sizeof c);
    }
    int b = FD_TERMD(any8)(bad);
    for (; j < n; j++) b |= FD_TERMD(hist_code1)(x[j], a, code + j);
    return b;
}

/* cnt[code[t]]++ for t < n, code t into table t % 4 (tables ld apart), so
   that a run of one cell is four chains of increments, not one. */
static inline __attribute__((always_inline))
void FD_TERMD(hist_incr)(const int32_t *code, fd_intp n, int64_t *cnt, fd_intp ld)
{
    fd_intp t = 0;
    for (; t + 4 <= n; t += 4) {
        cnt[code[t]]++;
        cnt[ld + code[t + 1]]++;
        cnt[2 * ld + code[t + 2]]++;
        cnt[3 * ld + code[t + 3]]++;
    }
    for (; t < n; t++) cnt[code[t]]++;
}

#if defined(__AVX512F__) && defined(__AVX512VL__)
/* hist_lanes in AVX-512 masks: the same decisions (hist_code1's) in half
   the operations, the masks never widened to vectors.  *k: the truncated
   positions; returns the lanes placed by position; *in: inside the range;
   *nan accumulates v - v (NaN from a NaN or infinite v). */
static inline __attribute__((always_inline))
__mmask8 FD_TERMD(hist_sure512)(const double *x, const fd_hist_axis *a, __m256i *k,
                                __mmask8 *in, __m512d *nan)
{
    const __m512d v = _mm512_loadu_pd(x);
    const __mmask8 i = _mm512_cmp_pd_mask(v, _mm512_set1_pd(a->lo), _CMP_GE_OQ) &
                       _mm512_cmp_pd_mask(v, _mm512_set1_pd(a->hi), _CMP_LE_OQ);
    const __m512d g =
        _mm512_maskz_mul_pd(i, _mm512_sub_pd(v, _mm512_set1_pd(a->first)), _mm512_set1_pd(a->scale));
    const __m256i kk = _mm512_cvttpd_epi32(g);
    const __m512d fr = _mm512_sub_pd(g, _mm512_cvtepi32_pd(kk));
    const __mmask8 sure = i & (__mmask8)(a->fast ? 0xFF : 0) &
                          _mm512_cmp_pd_mask(fr, _mm512_set1_pd(a->delta), _CMP_GT_OQ) &
                          _mm512_cmp_pd_mask(fr, _mm512_set1_pd(1.0 - a->delta), _CMP_LT_OQ) &
                          _mm256_cmplt_epi32_mask(kk, _mm256_set1_epi32((int32_t)a->nb));
    *k = kk;
    *in = i;
    *nan = _mm512_add_pd(*nan, _mm512_sub_pd(v, v));
    return sure;
}

static inline __attribute__((always_inline))
int FD_TERMD(hist_nan512)(__m512d nan)
{
    return _mm512_cmp_pd_mask(nan, nan, _CMP_UNORD_Q) != 0;
}
#endif

/* Count x[0..n) (n <= FD_CH) on one axis of nb = a->nb bins: the values placed by
   their position into four tables ld cells apart (ld >= nb + 1; ld = 0 makes
   them one), value t into table t % 4, so that a run of one bin is not one
   chain of increments; cell nb of each table takes what is not counted
   there; the others inside the range appended to slow[] by index (*nslow
   of them: the caller places them exactly; none with a cell table and no
   fast path: every value is placed here).  Returns 1 if some value is NaN or
   infinite. */
static int FD_TERMD(hist_count)(const double *x, fd_intp n, const fd_hist_axis *a,
                                int64_t *cnt, fd_intp ld, int32_t *slow, fd_intp *nslow)
{
    const fd_intp nb = a->nb;
    int32_t code[FD_CH];
    if (a->cbin != NULL && !a->fast) {
        /* explicit edges with a cell table: a value's cell, then its cell's
           start bin and edge (two gathers that wait on nothing but the
           cell), one compare; a lane of a crowded cell (NaN edge) searched
           up from its start bin, one by one (they are rare) */
        const double e0 = a->e[0], gs = a->gscale;
        const int32_t G1 = (int32_t)a->G - 1, spill = (int32_t)nb;
        const int32_t *cbin = a->cbin;
        const double *cedge = a->cedge;
        fd_intp j = 0;
        int b;
#if defined(__AVX512F__) && defined(__AVX512VL__)
        {
            const __m512d lo8 = _mm512_set1_pd(a->lo), hi8 = _mm512_set1_pd(a->hi);
            const __m512d e08 = _mm512_set1_pd(e0), gs8 = _mm512_set1_pd(gs);
            const __m256i one8 = _mm256_set1_epi32(1);
            const __m256i g18 = _mm256_set1_epi32(G1), spill8 = _mm256_set1_epi32(spill);
            __m512d nan = _mm512_setzero_pd();
            for (; j + 8 <= n; j += 8) {
                __builtin_prefetch((const char *)(x + j) + FD_AHEAD, 0, 3);
                const __m512d v = _mm512_loadu_pd(x + j);
                const __mmask8 in = _mm512_cmp_pd_mask(v, lo8, _CMP_GE_OQ) &
                                    _mm512_cmp_pd_mask(v, hi8, _CMP_LE_OQ);
                /* g >= 0 inside the range, 0 outside: a valid cell either way */
                const __m512d g = _mm512_maskz_mul_pd(in, _mm512_sub_pd(v, e08), gs8);
                const __m256i c = _mm256_min_epi32(_mm512_cvttpd_epi32(g), g18);
                __m256i k = _mm256_i32gather_epi32((const int *)cbin, c, 4);
                const __m512d ed = _mm512_i32gather_pd(c, cedge, 8);
                k = _mm256_mask_add_epi32(k, _mm512_cmp_pd_mask(ed, v, _CMP_LE_OQ), k, one8);
                _mm256_storeu_si256((__m256i *)(code + j), _mm256_mask_blend_epi32(in, spill8, k));
                const __mmask8 crowded = in & _mm512_cmp_pd_mask(ed, ed, _CMP_UNORD_Q);
                for (unsigned m = crowded; m; m &= m - 1) {
                    const fd_intp t = j + __builtin_ctz(m);
                    code[t] = (int32_t)fd_hist_up(a->e, code[t], nb - 1, x[t]);
                }
                nan = _mm512_add_pd(nan, _mm512_sub_pd(v, v));
            }
            b = FD_TERMD(hist_nan512)(nan);
        }
#else
        {
            int32_t cell[FD_CH];
            const fd_v8d lo = {a->lo, a->lo, a->lo, a->lo, a->lo, a->lo, a->lo, a->lo};
            const fd_v8d hi = {a->hi, a->hi, a->hi, a->hi, a->hi, a->hi, a->hi, a->hi};
            const fd_v8d e0v = {e0, e0, e0, e0, e0, e0, e0, e0}, gsv = {gs, gs, gs, gs, gs, gs, gs, gs};
            const fd_v8d zd = {0};
            const fd_v8i g1 = {G1, G1, G1, G1, G1, G1, G1, G1};
            const fd_v8i sp = {spill, spill, spill, spill, spill, spill, spill, spill};
            fd_v8l bad = {0};
            const fd_intp n8 = n - n % 8;
            for (; j < n8; j += 8) {
                fd_v8d v;
                __builtin_prefetch((const char *)(x + j) + FD_AHEAD, 0, 3);
                memcpy(&v, x + j, sizeof v);
                const fd_v8l in = (v >= lo) & (v <= hi);
                const fd_v8d g = (fd_v8d)((fd_v8l)((v - e0v) * gsv) & in);
                fd_v8i c = __builtin_convertvector(g, fd_v8i);
                const fd_v8i over = c > g1;
                c = (c & ~over) | (g1 & over);
                memcpy(cell + j, &c, sizeof c);
                bad |= (v - v) != zd;
            }
            b = FD_TERMD(any8)(bad);
            for (fd_intp t = 0; t < n8; t++) {
                const int32_t c = cell[t];
                const double ed = cedge[c];
                code[t] = cbin[c] + (ed <= x[t]);
                if (ed != ed) code[t] = (int32_t)fd_hist_up(a->e, cbin[c], nb - 1, x[t]);
            }
            for (fd_intp t = 0; t < n8; t += 8) {
                fd_v8d v;
                fd_v8i c;
                memcpy(&v, x + t, sizeof v);
                memcpy(&c, code + t, sizeof c);
                const fd_v8i in = __builtin_convertvector((v >= lo) & (v <= hi), fd_v8i);
                c = (c & in) | (sp & ~in);
                memcpy(code + t, &c, sizeof c);
            }
        }
#endif
        for (; j < n; j++) {
            const double v = x[j];
            const int in = (v >= a->lo) & (v <= a->hi);
            code[j] = in ? (int32_t)fd_hist_bin(a, v) : spill;
            b |= (v - v) != 0.0;
        }
        FD_TERMD(hist_incr)(code, n, cnt, ld);
        *nslow = 0;
        return b;
    }
    fd_intp j = 0, ns = 0;
    int b, some_slow;
    /* the codes, eight at a time (the spill cell for what is not counted
       here), then the increments: a store and scalar loads are cheaper
       than taking the lanes out of a vector one by one */
#if defined(__AVX512F__) && defined(__AVX512VL__)
    {
        const __m256i spill = _mm256_set1_epi32((int32_t)nb);
        __m512d nan = _mm512_setzero_pd();
        __mmask8 anyslow = 0;
        for (; j + 8 <= n; j += 8) {
            __m256i k;
            __mmask8 in;
            /* samples stream from memory: keep fetches in flight (as lsum) */
            __builtin_prefetch((const char *)(x + j) + FD_AHEAD, 0, 3);
            const __mmask8 sure = FD_TERMD(hist_sure512)(x + j, a, &k, &in, &nan);
            _mm256_storeu_si256((__m256i *)(code + j), _mm256_mask_blend_epi32(sure, spill, k));
            anyslow |= in & (__mmask8)~sure;
        }
        b = FD_TERMD(hist_nan512)(nan);
        some_slow = anyslow != 0;
    }
#else
    {
        fd_v8l bad = {0}, sl, anyslow = {0};
        const fd_v8i nbv = {(int32_t)nb, (int32_t)nb, (int32_t)nb, (int32_t)nb,
                            (int32_t)nb, (int32_t)nb, (int32_t)nb, (int32_t)nb};
        const fd_v8i zero = {0};
        for (; j + 8 <= n; j += 8) {
            fd_v8i c;
            __builtin_prefetch((const char *)(x + j) + FD_AHEAD, 0, 3);
            FD_TERMD(hist_lanes)(x + j, a, (int32_t)nb, &c, &sl, &bad);
            const fd_v8i neg = c < zero;    /* outside the range */
            c = (c & ~neg) | (nbv & neg);
            memcpy(code + j, &c, sizeof c);
            anyslow |= sl;
        }
        b = FD_TERMD(any8)(bad);
        some_slow = FD_TERMD(any8)(anyslow);
    }
#endif
    const fd_intp jv = j;
    for (; j < n; j++) {
        int32_t c;
        b |= FD_TERMD(hist_code1)(x[j], a, &c);
        if (c == FD_HIST_SLOW) slow[ns++] = (int32_t)j;
        code[j] = c >= 0 ? c : (int32_t)nb;
    }
    /* values near a boundary are rare: find them again, one by one, only
       in a chunk that has some (hist_code1 decides as the lanes do) */
    if (some_slow) {
        for (fd_intp t = 0; t < jv; t++) {
            int32_t c;
            FD_TERMD(hist_code1)(x[t], a, &c);
            if (c == FD_HIST_SLOW) slow[ns++] = (int32_t)t;
        }
    }
    FD_TERMD(hist_incr)(code, n, cnt, ld);
    *nslow = ns;
    return b;
}

/* The pairs (x[j], y[j]), j < n <= FD_CH, on two axes of nx = ax->nb and
   ny = ay->nb bins: where both positions place their values, cell
   kx ny + ky of one of four tables ld cells apart (ld >= nx ny + 1, or 0:
   one table) is incremented (cell nx ny of each a spill cell); the other
   pairs with both values inside the ranges are listed in slow[] (*nslow of
   them).  Returns bit 0 if some x is NaN or
   infinite, bit 1 if some y is. */
static int FD_TERMD(hist_count2)(const double *x, const double *y, fd_intp n,
                                 const fd_hist_axis *ax, const fd_hist_axis *ay, int64_t *cnt,
                                 fd_intp ld, int32_t *slow, fd_intp *nslow)
{
    const fd_intp nx = ax->nb, ny = ay->nb;
    int32_t code[FD_CH];
    fd_intp j = 0, ns = 0;
    const int32_t spill = (int32_t)(nx * ny), nyi = (int32_t)ny;
    int b;
#if defined(__AVX512F__) && defined(__AVX512VL__)
    {
        const __m256i spv = _mm256_set1_epi32(spill), nyw = _mm256_set1_epi32(nyi);
        __m512d nanx = _mm512_setzero_pd(), nany = _mm512_setzero_pd();
        for (; j + 8 <= n; j += 8) {
            __m256i kx, ky;
            __mmask8 inx, iny;
            __builtin_prefetch((const char *)(x + j) + FD_AHEAD, 0, 3);
            __builtin_prefetch((const char *)(y + j) + FD_AHEAD, 0, 3);
            const __mmask8 both = FD_TERMD(hist_sure512)(x + j, ax, &kx, &inx, &nanx) &
                                  FD_TERMD(hist_sure512)(y + j, ay, &ky, &iny, &nany);
            const __m256i cell = _mm256_add_epi32(_mm256_mullo_epi32(kx, nyw), ky);
            _mm256_storeu_si256((__m256i *)(code + j), _mm256_mask_blend_epi32(both, spv, cell));
            /* slow: both inside, one of them not placed (rare) */
            const unsigned sl = (unsigned)(inx & iny & (__mmask8)~both);
            for (unsigned m = sl; m; m &= m - 1) slow[ns++] = (int32_t)(j + __builtin_ctz(m));
        }
        b = FD_TERMD(hist_nan512)(nanx) | (FD_TERMD(hist_nan512)(nany) << 1);
    }
#else
    fd_v8l badx = {0}, bady = {0}, slx, sly;
    const fd_v8i sp = {spill, spill, spill, spill, spill, spill, spill, spill};
    const fd_v8i nyv = {nyi, nyi, nyi, nyi, nyi, nyi, nyi, nyi};
    const fd_v8i zero = {0};
    for (; j + 8 <= n; j += 8) {
        fd_v8i cx, cy;
        __builtin_prefetch((const char *)(x + j) + FD_AHEAD, 0, 3);
        __builtin_prefetch((const char *)(y + j) + FD_AHEAD, 0, 3);
        FD_TERMD(hist_lanes)(x + j, ax, -1, &cx, &slx, &badx);
        FD_TERMD(hist_lanes)(y + j, ay, -1, &cy, &sly, &bady);
        /* both placed: the cell; else the spill cell */
        const fd_v8i both = (cx >= zero) & (cy >= zero);
        const fd_v8i c = ((cx * nyv + cy) & both) | (sp & ~both);
        memcpy(code + j, &c, sizeof c);
        /* slow: both inside, one of them not placed */
        for (int l = 0; l < 8; l++)
            if ((cx[l] != FD_HIST_OUT) & (cy[l] != FD_HIST_OUT) & !both[l])
                slow[ns++] = (int32_t)(j + l);
    }
    b = FD_TERMD(any8)(badx) | (FD_TERMD(any8)(bady) << 1);
#endif
    for (; j < n; j++) {
        int32_t cx, cy;
        b |= FD_TERMD(hist_code1)(x[j], ax, &cx);
        b |= FD_TERMD(hist_code1)(y[j], ay, &cy) << 1;
        if (cx >= 0 && cy >= 0)
            code[j] = cx * nyi + cy;
        else {
            code[j] = spill;
            if (cx != FD_HIST_OUT && cy != FD_HIST_OUT) slow[ns++] = (int32_t)j;
        }
    }
    FD_TERMD(hist_incr)(code, n, cnt, ld);
    *nslow = ns;
    return b;
}
#endif /* FD_DOT */

/* ---- this instantiation's table -------------------------------------------- */
static const fd_kernels FD_FN(fd_kernels) = {
    .block = {
        [FD_K_STATS] = FD_FN(stats),
        [FD_K_LSTATS] = FD_FN(lstats),
        [FD_K_ENT1] = FD_FN(fent),
        [FD_K_XENT1] = FD_FN(fxent),
        [FD_K_KL1] = FD_FN(fkl),
        [FD_K_HEL1] = FD_FN(fhel),
        [FD_K_ENT] = FD_FN(ent),
        [FD_K_XENT] = FD_FN(xent),
        [FD_K_KL] = FD_FN(kl),
        [FD_K_JS] = FD_FN(js),
        [FD_K_TV] = FD_FN(tv),
        [FD_K_HEL] = FD_FN(hel),
        [FD_K_LENT] = FD_FN(lent),
        [FD_K_LPAIR] = FD_FN(lpair),
        [FD_K_LJS] = FD_FN(ljs),
        [FD_K_LTV] = FD_FN(ltv),
        [FD_K_LHEL] = FD_FN(lhel),
        [FD_K_LPAIRW] = FD_FN(lpairw),
        [FD_K_WENT] = FD_FN(went),
        [FD_K_WXENT] = FD_FN(wxent),
        [FD_K_WKL] = FD_FN(wkl),
        [FD_K_WJS] = FD_FN(wjs),
        [FD_K_WTV] = FD_FN(wtv),
        [FD_K_WHEL] = FD_FN(whel),
        [FD_K_RENT] = FD_FN(rent),
        [FD_K_RENTW] = FD_FN(rentw),
        [FD_K_RENT_MAX] = FD_FN(rent_max),
        [FD_K_RENT_LSE] = FD_FN(rent_lse),
        [FD_K_RENT0] = FD_FN(rent0),
        [FD_K_PMAX] = FD_FN(pmax),
        [FD_K_RDIV] = FD_FN(rdiv),
        [FD_K_RDIVW] = FD_FN(rdivw),
        [FD_K_RDIV_MAX] = FD_FN(rdiv_max),
        [FD_K_RDIV_LSE] = FD_FN(rdiv_lse),
        [FD_K_RDIV0] = FD_FN(rdiv0),
        [FD_K_RDIVINF] = FD_FN(rdivinf),
    },
    .vlog = FD_FN(vlog),
    .vlogs = FD_FN(vlogs),
    .vlogratio = FD_FN(vlogratio),
    .vexp = FD_FN(vexp),
    .neglog = FD_FN(neglog),
    .dot_tile = FD_TERMD(dot_tile),
    .tbl_sums = FD_TERMD(tbl_sums),
    .tbl_terms = FD_TERMD(tbl_terms),
    .hist_codes = FD_TERMD(hist_codes),
    .hist_count = FD_TERMD(hist_count),
    .hist_count2 = FD_TERMD(hist_count2),
};

#undef FD_FN
#undef FD_CAT
#undef FD_CAT_
#undef FD_LOG
#undef FD_EXPNEG
#undef FD_SQRTT
#undef FD_FABST
#undef FD_LSUMD
#undef FD_TERMD
