/*
 * fd_kernels.h -- SIMD block kernels for fastdiv._divergence, with runtime
 * instruction-set dispatch.
 *
 * The kernels in fd_block_t.h are compiled three times on x86-64 with GCC:
 * for the x86-64 baseline (SSE2), for AVX2+FMA and for AVX-512, each under
 * `#pragma GCC target`; fd_select_isa() picks the best one the CPU (and OS)
 * supports at import, and fd_set_isa() lets tests force another.  Elsewhere
 * only the baseline is built.  No -march flag is needed, so one binary runs
 * on any x86-64.  Within one ISA the arithmetic is fixed by the source, so
 * results do not depend on the number of threads; FMA contraction may make
 * different ISAs differ in the last bits.
 */
#ifndef FD_KERNELS_H
#define FD_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include <math.h>
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif
typedef ptrdiff_t fd_intp;   /* == Py_ssize_t == npy_intp */
#include "fd_math.h"

#define FD_CH 256            /* chunk: terms buffered and summed pairwise */
#define FD_BLK 4096          /* block: the unit of work and of partials    */
#ifndef FD_AHEAD
#define FD_AHEAD 4096        /* prefetch distance of first passes, bytes */
#endif
#define FD_MAXACC 6          /* partial sums a block kernel returns */

typedef void (*fd_blockfn)(const void *p, const void *q, fd_intp n,
                           const double *prm, double *acc);

typedef struct {
    fd_blockfn stats, lstats, ent, xent, kl, js, tv, hel, lent, lpair,
               ljs, ltv, lhel, fent, fxent, fkl, fhel;
    void (*vlog)(const void *x, fd_intp n, void *out);
    void (*vlogs)(const void *x, fd_intp n, void *out);
    void (*vlogratio)(const void *x, const void *y, fd_intp n, void *out);
    void (*vexp)(const void *x, fd_intp n, void *out);
    int (*neglog)(const void *x, fd_intp n, double *out);
} fd_kernels;

/* ---- the one summation order of the package ------------------------------
   A chunk of m <= FD_CH values is summed in FD_LANES = 16 lanes: value i goes
   to lane i % 16, each lane adds its values in order, and the lanes are then
   combined by a fixed tree (lane j + lane j+8, then halving).  A block's
   chunks, and a row's blocks, are combined by fd_pairwise.  The order depends
   only on the length of the data, not on the instruction set (the lanes are
   GCC vector-extension types, which every ISA evaluates lane by lane in the
   same order) nor on the number of threads.  Each lane adds at most 16
   values, so the rounding error of a chunk is within ~20 eps of the sum of
   magnitudes, and the pairwise levels above add log2(chunks). */
#define FD_LANES 16
typedef double fd_v8d __attribute__((vector_size(64)));
typedef int64_t fd_v8l __attribute__((vector_size(64)));
typedef float fd_v8f __attribute__((vector_size(32)));

/* Pairwise (recursive halving) sum of a[0..n), n >= 0. */
static double fd_pairwise(const double *a, fd_intp n)
{
    if (n <= 0) return 0.0;
    if (n == 1) return a[0];
    if (n == 2) return a[0] + a[1];
    const fd_intp h = n / 2;
    return fd_pairwise(a, h) + fd_pairwise(a + h, n - h);
}

/* ---- per-element terms, conventions of fd_math.h --------------------- */
#define FD_DEFINE_TERMS(T, TS, ZERO, INF)                                     \
    /* -pn log pn with pn = p/S evaluated as w = p a, log(p / S) */           \
    FD_INLINE T fd_term_ent_##TS(T p, T w, T S)                               \
    {                                                                         \
        const T v = -w * fd_logratio_s_##TS(p, S);                            \
        return (p == ZERO) ? ZERO : v;                                        \
    }                                                                         \
    /* -p log p (one-pass kernels).  No mask for p == 0: fd_logs_* of 0 is  \
       finite (the decomposition of 0 is garbage but finite), so 0 results. */ \
    FD_INLINE T fd_term_ent1_##TS(T p)                                        \
    {                                                                         \
        return -p * fd_logs_##TS(p);                                          \
    }                                                                         \
    /* -pn log qn: w = pn = p a, qn = q / Sq.  Zeros are told from the      \
       inputs p and q, never from w, which may underflow. */                  \
    FD_INLINE T fd_term_xent_##TS(T p, T w, T q, T Sq)                        \
    {                                                                         \
        T v = -w * fd_logratio_s_##TS(q, Sq);                                 \
        v = (q == ZERO) ? INF : v;                                            \
        return (p == ZERO) ? ZERO : v;                                        \
    }                                                                         \
    /* -p log q (one-pass kernels): one select, +inf where q == 0 < p; p == 0 \
       gives 0 by itself as above. */                                         \
    FD_INLINE T fd_term_xent1_##TS(T p, T q)                                  \
    {                                                                         \
        const T v = -p * fd_logs_##TS(q);                                     \
        return ((q == ZERO) & (p != ZERO)) ? INF : v;                         \
    }                                                                         \
    /* The one-pass terms for chunks whose arguments of log are all normal \
       (no zero, subnormal or negative value: see FD_PASS): no scaling, no \
       select, the same bits. */                                             \
    FD_INLINE T fd_term_ent1n_##TS(T p)                                       \
    {                                                                         \
        return -p * fd_logn_##TS(p);                                          \
    }                                                                         \
    FD_INLINE T fd_term_xent1n_##TS(T p, T q)                                 \
    {                                                                         \
        return -p * fd_logn_##TS(q);                                          \
    }                                                                         \
    FD_INLINE T fd_term_kl1n_##TS(T p, T q)                                   \
    {                                                                         \
        return p * fd_logratio_n_##TS(p, q);                                  \
    }                                                                         \
    /* pn log(pn / qn): w = pn, x 2^k / q = pn / qn (x = p cm with cm in   \
       [1, 2): the power of two joins the logarithm's exponent instead of   \
       the product, which could underflow).  Zeros from p and q. */         \
    FD_INLINE T fd_term_kl_##TS(T p, T w, T x, T q, T k)                      \
    {                                                                         \
        T v = w * fd_logratio_sk_##TS(x, q, k);                               \
        v = (q == ZERO) ? INF : v;                                            \
        return (p == ZERO) ? ZERO : v;                                        \
    }                                                                         \
    /* p log(p / q) (one-pass kernels), as fd_term_xent1 */                  \
    FD_INLINE T fd_term_kl1_##TS(T p, T q)                                    \
    {                                                                         \
        const T v = p * fd_logratio_s_##TS(p, q);                             \
        return ((q == ZERO) & (p != ZERO)) ? INF : v;                         \
    }                                                                         \
    /* x log(2x / (x+y)) + y log(2y / (x+y)), each part >= -tiny */           \
    FD_INLINE T fd_term_js_##TS(T x, T y)                                     \
    {                                                                         \
        const T u = x + y;                                                    \
        T vx = x * fd_logratio_s_##TS(x + x, u);                                \
        T vy = y * fd_logratio_s_##TS(y + y, u);                                \
        vx = (x == ZERO) ? ZERO : vx;                                         \
        vy = (y == ZERO) ? ZERO : vy;                                         \
        return vx + vy;                                                       \
    }                                                                         \
    FD_INLINE T fd_term_tv_##TS(T x, T y)                                     \
    {                                                                         \
        return FD_FABS_##TS(x - y);                                           \
    }                                                                         \
    FD_INLINE T fd_term_hel_##TS(T x, T y)                                    \
    {                                                                         \
        const T d = FD_SQRT_##TS(x) - FD_SQRT_##TS(y);                        \
        return d * d;                                                         \
    }                                                                         \
    /* e^w x, 0 where e^w is 0 (w below the underflow threshold, or -inf  \
       from logits whose spread overflows; x may then be infinite) */       \
    FD_INLINE T fd_term_lmul_##TS(T w, T x)                                   \
    {                                                                         \
        const T e = fd_expneg_##TS(w);                                        \
        return (e == ZERO) ? ZERO : e * x;                                    \
    }

#define FD_SQRT_f64 sqrt
#define FD_FABS_f64 fabs
#define FD_FABS_f32 fabsf
#define FD_SQRT_f32 sqrtf
FD_DEFINE_TERMS(double, f64, 0.0, INFINITY)
FD_DEFINE_TERMS(float, f32, 0.0f, INFINITY)

/* ---- instantiation ---------------------------------------------------- */
#define FD_T double
#define FD_TS f64
#define FD_LOG fd_log_f64
#define FD_EXPNEG fd_expneg_f64
#define FD_S f64_base
#include "fd_block_t.h"
#undef FD_S
#undef FD_T
#undef FD_TS
#undef FD_LOG
#undef FD_EXPNEG

#define FD_T float
#define FD_TS f32
#define FD_LOG fd_log_f32
#define FD_EXPNEG fd_expneg_f32
#define FD_S f32_base
#include "fd_block_t.h"
#undef FD_S
#undef FD_T
#undef FD_TS
#undef FD_LOG
#undef FD_EXPNEG

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) \
    && !defined(FD_NO_DISPATCH)
#define FD_HAVE_DISPATCH 1

#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define FD_T double
#define FD_TS f64
#define FD_LOG fd_log_f64
#define FD_EXPNEG fd_expneg_f64
#define FD_S f64_avx2
#include "fd_block_t.h"
#undef FD_S
#undef FD_T
#undef FD_TS
#undef FD_LOG
#undef FD_EXPNEG
#define FD_T float
#define FD_TS f32
#define FD_LOG fd_log_f32
#define FD_EXPNEG fd_expneg_f32
#define FD_S f32_avx2
#include "fd_block_t.h"
#undef FD_S
#undef FD_T
#undef FD_TS
#undef FD_LOG
#undef FD_EXPNEG
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma,avx512f,avx512dq,avx512vl,avx512bw,prefer-vector-width=512")
#define FD_T double
#define FD_TS f64
#define FD_LOG fd_log_f64
#define FD_EXPNEG fd_expneg_f64
#define FD_S f64_avx512
#include "fd_block_t.h"
#undef FD_S
#undef FD_T
#undef FD_TS
#undef FD_LOG
#undef FD_EXPNEG
#define FD_T float
#define FD_TS f32
#define FD_LOG fd_log_f32
#define FD_EXPNEG fd_expneg_f32
#define FD_S f32_avx512
#include "fd_block_t.h"
#undef FD_S
#undef FD_T
#undef FD_TS
#undef FD_LOG
#undef FD_EXPNEG
#pragma GCC pop_options
#endif

/* ---- dispatch ----------------------------------------------------------- */
enum { FD_ISA_BASELINE = 0, FD_ISA_AVX2 = 1, FD_ISA_AVX512 = 2, FD_NISA = 3 };
static const char *fd_isa_names[FD_NISA] = {"baseline", "avx2", "avx512"};

/* [isa][0] float32, [isa][1] float64 */
static const fd_kernels *fd_table[FD_NISA][2] = {
    {&fd_kernels_f32_base, &fd_kernels_f64_base},
#ifdef FD_HAVE_DISPATCH
    {&fd_kernels_f32_avx2, &fd_kernels_f64_avx2},
    {&fd_kernels_f32_avx512, &fd_kernels_f64_avx512},
#else
    {NULL, NULL},
    {NULL, NULL},
#endif
};

static int fd_isa_current = FD_ISA_BASELINE;

static int fd_isa_supported(int isa)
{
    if (isa == FD_ISA_BASELINE) return 1;
#ifdef FD_HAVE_DISPATCH
    __builtin_cpu_init();
    if (isa == FD_ISA_AVX2)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (isa == FD_ISA_AVX512)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
            && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
            && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
#endif
    return 0;
}

static int fd_set_isa(int isa)
{
    if (isa < 0 || isa >= FD_NISA || !fd_isa_supported(isa)) return -1;
    fd_isa_current = isa;
    return 0;
}

static int fd_select_isa(void)
{
    int best = FD_ISA_BASELINE;
    for (int i = 0; i < FD_NISA; i++)
        if (fd_isa_supported(i)) best = i;
    fd_isa_current = best;
    return best;
}

static inline const fd_kernels *fd_get_kernels(int is_f64)
{
    return fd_table[fd_isa_current][is_f64 ? 1 : 0];
}

/* Ask for n bytes at p to be brought into cache (a hint; no effect on
   results).  The row driver calls it for the next row while it computes on
   the current one, so that memory traffic overlaps arithmetic. */
static inline void fd_prefetch(const char *p, fd_intp nbytes)
{
#if defined(__GNUC__)
    for (fd_intp i = 0; i < nbytes; i += 64) __builtin_prefetch(p + i, 0, 2);
#else
    (void)p; (void)nbytes;
#endif
}

/* ---- gather: any stride, byte order and float width to a native block --- */
/* code: bit 0 = float64 (else float32), bit 1 = byte-swapped. */
/* scale (a power of two, or 1) multiplies every value exactly. */
static void fd_gather(const char *src, fd_intp stride, fd_intp n,
                      int src_code, int dst_f64, void *dst, double scale)
{
    const int s64 = src_code & 1, swap = (src_code >> 1) & 1;
    for (fd_intp i = 0; i < n; i++) {
        const char *e = src + i * stride;
        double v;
        if (s64) {
            uint64_t u;
            memcpy(&u, e, 8);
            if (swap) u = __builtin_bswap64(u);
            v = fd_from64(u);
        } else {
            uint32_t u;
            memcpy(&u, e, 4);
            if (swap) u = __builtin_bswap32(u);
            v = (double)fd_from32(u);
        }
        v *= scale;
        if (dst_f64) ((double *)dst)[i] = v;
        else ((float *)dst)[i] = (float)v;
    }
}


/* ---- wide kernels (scalar double, any finite magnitudes) -----------------
   The probability kernels above need row sums in a bounded range (the driver
   keeps them in [2^-500, 2^500], float32 [2^-60, 2^60]); a row whose sum lies
   outside it (huge counts, all-subnormal rows, finite entries whose sum
   overflows) goes through these instead, and so does every Renyi measure.
   They read float32 or float64, compute in double, and never form pn = p / Sp
   where a small entry could underflow: each sum is given as S = f 2^e, f in
   [1/2, 1), and every logarithm of a normalized quantity is taken from the
   raw inputs with fd_logratio_w_f64 (exponents added exactly).  Weights pn
   are fd_quot2_f64(p, fp, ep) (they may underflow: they only scale terms).
   Zeros are told from the raw inputs.
   prm: see enum below.  Terms go into the package's summation order
   (FD_WIDE_SUMS: 16 lanes per chunk, chunks pairwise), so results do not
   depend on threads. */
#ifndef FD_WIDE_DEFINED
#define FD_WIDE_DEFINED
enum {
    FD_W_FP = 0, FD_W_EP = 1,       /* Sp = fp 2^ep */
    FD_W_FQ = 2, FD_W_EQ = 3,       /* Sq = fq 2^eq */
    FD_W_CM = 4,                    /* fq / fp, in (1/2, 2) */
    FD_W_ALPHA = 5,                 /* Renyi order */
    FD_W_KC = 6,                    /* eq - ep: Sq / Sp = cm 2^kc */
    FD_W_M = 7,                     /* log-sum-exp shift (rlse); the max
                                       logits of p and q (lpairw): 7, 8 */
    FD_W_A = 8                      /* 1/Sp where Sp is in the probability
                                       kernels' range (the fast Renyi weights) */
};

/* ACC0 (and ACC1 when NT == 2) = pairwise sums over a block of n elements,
   in the chunk order and lanes of FD_BLOCK_SUM; the body (the variadic
   argument) sets t0_[j] (and t1_[j]) for element i = o_ + j. */
#define FD_WIDE_SUMS(NT, ACC0, ACC1, ...)                                     \
    do {                                                                      \
        double t0_[FD_CH], t1_[FD_CH], p0_[FD_BLK / FD_CH], p1_[FD_BLK / FD_CH]; \
        fd_intp np_ = 0;                                                      \
        for (fd_intp o_ = 0; o_ < n; o_ += FD_CH) {                           \
            const fd_intp m_ = (n - o_ < FD_CH) ? n - o_ : FD_CH;             \
            for (fd_intp j = 0; j < m_; j++) {                                \
                const fd_intp i = o_ + j;                                     \
                __VA_ARGS__                                                   \
            }                                                                 \
            p0_[np_] = lsum_f64_base(t0_, m_, NULL, NULL);                    \
            if ((NT) > 1) p1_[np_] = lsum_f64_base(t1_, m_, NULL, NULL);      \
            np_++;                                                            \
        }                                                                     \
        (ACC0) = fd_pairwise(p0_, np_);                                       \
        if ((NT) > 1) (ACC1) = fd_pairwise(p1_, np_);                         \
    } while (0)

/* log pn = log(p / Sp), log qn, log(pn / qn) = log(p cm 2^kc / q), and the
   weights pn, qn, for inputs > 0. */
/* The row constants as named locals (w_), read once per block; Sp = fp 2^ep
   also decomposed as 2^kp mp with mp in [sqrt(1/2), sqrt(2)) (and Sq), so
   that a logarithm of x / Sp needs only the decomposition of x. */
typedef struct {
    double fp, ep, fq, eq, cm, am1, kc, M, a;
    double kp, mp, kq, mq;
} fd_wide_row;

FD_INLINE fd_wide_row fd_wide_row_of(const double *prm)
{
    fd_wide_row w = {prm[FD_W_FP], prm[FD_W_EP], prm[FD_W_FQ], prm[FD_W_EQ],
                     prm[FD_W_CM], prm[FD_W_ALPHA] - 1.0, prm[FD_W_KC], prm[FD_W_M],
                     prm[FD_W_A], 0.0, 1.0, 0.0, 1.0};
    w.kp = fd_decomp_f64(w.fp, &w.mp) + w.ep;
    w.kq = fd_decomp_f64(w.fq, &w.mq) + w.eq;
    return w;
}

/* log(x / S) for x > 0, given x = 2^kx mx (fd_decomp_f64) and S = 2^k m */
FD_INLINE double fd_w_logq(double kx, double mx, double k, double m)
{
    return fd_logratio_m_f64(kx - k, mx, m);
}

/* log(pn / qn) = log(x cm 2^kc / y) for x, y > 0, given x = 2^kx mx */
FD_INLINE double fd_w_logr(const fd_wide_row *w, double kx, double mx, double y)
{
    double my, mt;
    const double ky = fd_decomp_f64(y, &my);
    const double kt = fd_decompn_f64(mx * w->cm, &mt);
    return fd_logratio_m_f64(((kx - ky) + kt) + w->kc, mt, my);
}

/* log pn, log qn, log(pn / qn) and the weights pn, qn, for inputs > 0 */
FD_INLINE double fd_w_lpn(const fd_wide_row *w, double x)
{
    double mx;
    const double kx = fd_decomp_f64(x, &mx);
    return fd_w_logq(kx, mx, w->kp, w->mp);
}

FD_INLINE double fd_w_lqn(const fd_wide_row *w, double y)
{
    double my;
    const double ky = fd_decomp_f64(y, &my);
    return fd_w_logq(ky, my, w->kq, w->mq);
}

FD_INLINE double fd_w_lr(const fd_wide_row *w, double x, double y)
{
    double mx;
    const double kx = fd_decomp_f64(x, &mx);
    return fd_w_logr(w, kx, mx, y);
}

#define FD_W_LPN(x) fd_w_lpn(&w_, (x))
#define FD_W_LQN(y) fd_w_lqn(&w_, (y))
#define FD_W_LR(x, y) fd_w_lr(&w_, (x), (y))
#define FD_W_PN(x) fd_quot2_f64((x), w_.fp, w_.ep)
#define FD_W_QN(y) fd_quot2_f64((y), w_.fq, w_.eq)
/* pn where Sp is in the probability kernels' range: p (1/Sp) */
#define FD_W_PNA(x) ((x) * w_.a)

/* fd_NAME_TS: acc[0] = the sum over the block of the term EXPR, a function
   of x = p[i] and y = q[i] (y = 0 where HAVE_Q is 0: q may be NULL). */
#define FD_W_SUM_KERNEL(T, TS, NAME, HAVE_Q, EXPR)                            \
    static void fd_##NAME##_##TS(const void *p_, const void *q_, fd_intp n,   \
                                 const double *prm, double *acc)              \
    {                                                                         \
        const fd_wide_row w_ = fd_wide_row_of(prm);                           \
        const T *p = (const T *)p_, *q = (const T *)q_;                       \
        (void)q;                                                              \
        FD_WIDE_SUMS(1, acc[0], acc[1],                                       \
            const double x = p[i], y = (HAVE_Q) ? (double)q[i] : 0.0;         \
            double e_;  /* scratch for EXPR */                                \
            (void)y; (void)e_;                                                \
            t0_[j] = (EXPR););                                                \
    }

/* JS, TV and Hellinger terms over (pn, qn): bounded measures, where a
   weight that underflows loses less than its own size. */
#define FD_W_PAIRTERM(TERM, x, y)                                             \
    TERM(((x) == 0.0) ? 0.0 : FD_W_PN(x), ((y) == 0.0) ? 0.0 : FD_W_QN(y))

/* Renyi terms of element i for order a = prm[FD_W_ALPHA] (finite, not 0 or
   1), as log-domain quantities: t = log of pn^a qn^(1-a) (entropy: pn^a),
   e = (a - 1) log(pn / qn) (entropy: (a - 1) log pn), w = pn.  The first
   pass sums v = pn expm1(e) (accurate as a -> 1) and d = e^t (accurate far
   from 1); where d over- or underflows, a log-sum-exp of t shifted by max t
   takes two more passes.  p == 0: no term (t = -inf); q == 0 < p: t = e =
   +inf for a > 1 (the divergence is +inf), no term for a < 1.  Straight-line
   code, the zeros selected at the end (a zero's decomposition is garbage
   but finite).  fd_w_renyi_t gives t and e. */
FD_INLINE double fd_w_renyi_t(const fd_wide_row *w, int have_q, double x, double y,
                               double *e)
{
    double mx;
    const double kx = fd_decomp_f64(x, &mx);
    const double l = fd_w_logq(kx, mx, w->kp, w->mp);
    const double ev = w->am1 * (have_q ? fd_w_logr(w, kx, mx, y) : l);
    double t = l + ev;
    if (have_q) t = (y == 0.0) ? ((w->am1 > 0.0) ? INFINITY : -INFINITY) : t;
    *e = ev;
    return (x == 0.0) ? -INFINITY : t;
}

#define FD_W_RENYI_TERMS(HAVE_Q, PN, x, y, v, d)                              \
    do {                                                                      \
        double e_;                                                            \
        const double t_ = fd_w_renyi_t(&w_, (HAVE_Q), (x), (y), &e_);         \
        const double w_1 = PN(x);                                             \
        d = exp(t_);                                                          \
        /* expm1 overflows first; d - w is then exact enough */              \
        v = (e_ > 700.0) ? d - w_1 : w_1 * expm1(e_);                         \
        if (HAVE_Q) v = ((y) == 0.0) ? ((w_.am1 > 0.0) ? INFINITY : -w_1) : v; \
        v = ((x) == 0.0) ? 0.0 : v;                                           \
    } while (0)

/* The four Renyi kernels of one measure: NAME and NAME##w (first pass:
   acc[0] = sum v, acc[1] = sum d; the weights pn as p (1/Sp) for sums in
   the probability kernels' range, or as fd_quot2_f64 for any sum), NAME_max
   (acc[0] = max t) and NAME_lse (acc[0] = sum e^(t - M), M = prm[FD_W_M]). */
#define FD_DEFINE_RENYI_FIRST(T, TS, NAME, HAVE_Q, PN)                        \
    static void fd_##NAME##_##TS(const void *p_, const void *q_, fd_intp n,   \
                                 const double *prm, double *acc)              \
    {                                                                         \
        const fd_wide_row w_ = fd_wide_row_of(prm);                           \
        const T *p = (const T *)p_, *q = (const T *)q_;                       \
        (void)q;                                                              \
        FD_WIDE_SUMS(2, acc[0], acc[1],                                       \
            double v, d;                                                      \
            FD_W_RENYI_TERMS(HAVE_Q, PN, (double)p[i], (HAVE_Q) ? (double)q[i] : 0.0, v, d); \
            t0_[j] = v;                                                       \
            t1_[j] = d;);                                                     \
    }

#define FD_DEFINE_RENYI(T, TS, NAME, HAVE_Q)                                  \
    FD_DEFINE_RENYI_FIRST(T, TS, NAME, HAVE_Q, FD_W_PNA)                      \
    FD_DEFINE_RENYI_FIRST(T, TS, NAME##w, HAVE_Q, FD_W_PN)                    \
    static void fd_##NAME##_max_##TS(const void *p_, const void *q_, fd_intp n, \
                                     const double *prm, double *acc)          \
    {                                                                         \
        const fd_wide_row w_ = fd_wide_row_of(prm);                           \
        const T *p = (const T *)p_, *q = (const T *)q_;                       \
        double mx = -INFINITY, e;                                             \
        (void)q;                                                              \
        for (fd_intp i = 0; i < n; i++) {                                     \
            const double t = fd_w_renyi_t(&w_, (HAVE_Q), (double)p[i],        \
                                          (HAVE_Q) ? (double)q[i] : 0.0, &e); \
            mx = (t > mx) ? t : mx;                                           \
        }                                                                     \
        acc[0] = mx;                                                          \
    }                                                                         \
    FD_W_SUM_KERNEL(T, TS, NAME##_lse, HAVE_Q,                                \
        exp(fd_w_renyi_t(&w_, (HAVE_Q), x, y, &e_) - w_.M))

/* Logits whose cross-entropy or KL terms e^wp (-wq), e^wp (wp - wq)
   overflow (in float32, or where a row's spread exceeds DBL_MAX although
   e^wp is tiny, or where K terms near DBL_MAX add up past it): the same
   terms in double, halved (0.5 z - 0.5 m cannot overflow) and scaled by
   2^-s, s = prm[FD_W_KC], so that no sum overflows unless its value does.
   acc[0] = Sp, acc[1] = Sq, acc[2] = 2^-s sum e^wp (-wq) / 2,
   acc[3] = 2^-s sum e^wp (wp - wq) / 2; prm[FD_W_M] = max p,
   prm[FD_W_A] = max q. */
#define FD_W_LPAIR(T, TS)                                                     \
    static void fd_lpairw_##TS(const void *p_, const void *q_, fd_intp n,     \
                               const double *prm, double *acc)                \
    {                                                                         \
        const T *zp = (const T *)p_, *zq = (const T *)q_;                     \
        const double mp = prm[FD_W_M], mq = prm[FD_W_A];                      \
        const double sc = ldexp(1.0, -(int)prm[FD_W_KC]);                     \
        double a0, a1, a2, a3;                                                \
        FD_WIDE_SUMS(2, a0, a1,                                               \
            t0_[j] = fd_expneg_f64((double)zp[i] - mp);                       \
            t1_[j] = fd_expneg_f64((double)zq[i] - mq););                     \
        FD_WIDE_SUMS(2, a2, a3,                                               \
            const double e = fd_expneg_f64((double)zp[i] - mp);               \
            const double hp = 0.5 * (double)zp[i] - 0.5 * mp;                 \
            const double hq = 0.5 * (double)zq[i] - 0.5 * mq;                 \
            t0_[j] = (e == 0.0) ? 0.0 : (e * sc) * (0.0 - hq);                \
            t1_[j] = (e == 0.0) ? 0.0 : (e * sc) * (hp - hq););               \
        acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;                   \
    }

#define FD_DEFINE_WIDE(T, TS)                                                 \
    FD_W_LPAIR(T, TS)                                                         \
    /* -sum pn log pn, -sum pn log qn, sum pn log(pn / qn) */                 \
    FD_W_SUM_KERNEL(T, TS, went, 0,                                           \
        (x == 0.0) ? 0.0 : -FD_W_PN(x) * FD_W_LPN(x))                         \
    FD_W_SUM_KERNEL(T, TS, wxent, 1,                                          \
        (x == 0.0) ? 0.0 : (y == 0.0) ? INFINITY : -FD_W_PN(x) * FD_W_LQN(y)) \
    FD_W_SUM_KERNEL(T, TS, wkl, 1,                                            \
        (x == 0.0) ? 0.0 : (y == 0.0) ? INFINITY : FD_W_PN(x) * FD_W_LR(x, y)) \
    FD_W_SUM_KERNEL(T, TS, wjs, 1, FD_W_PAIRTERM(fd_term_js_f64, x, y))       \
    FD_W_SUM_KERNEL(T, TS, wtv, 1, FD_W_PAIRTERM(fd_term_tv_f64, x, y))       \
    FD_W_SUM_KERNEL(T, TS, whel, 1, FD_W_PAIRTERM(fd_term_hel_f64, x, y))     \
    /* acc[0] = number of p > 0 (alpha = 0) */                                \
    static void fd_rent0_##TS(const void *p_, const void *q_, fd_intp n,      \
                              const double *prm, double *acc)                 \
    {                                                                         \
        const T *p = (const T *)p_;                                           \
        fd_intp c = 0;                                                        \
        (void)q_; (void)prm;                                                  \
        for (fd_intp i = 0; i < n; i++) c += p[i] > 0;                        \
        acc[0] = (double)c;                                                   \
    }                                                                         \
    /* acc[0] = max p (alpha = inf) */                                        \
    static void fd_pmax_##TS(const void *p_, const void *q_, fd_intp n,       \
                             const double *prm, double *acc)                  \
    {                                                                         \
        const T *p = (const T *)p_;                                           \
        T mx = p[0];                                                          \
        (void)q_; (void)prm;                                                  \
        for (fd_intp i = 0; i < n; i++) mx = (p[i] > mx) ? p[i] : mx;         \
        acc[0] = (double)mx;                                                  \
    }                                                                         \
    /* sum of q where p > 0 (alpha = 0), in the same pairwise order as the \
       stats pass, so that it equals Sq when p > 0 wherever q > 0 (then    \
       the divergence is exactly 0) */                                      \
    FD_W_SUM_KERNEL(T, TS, rdiv0, 1, (x > 0.0) ? y : 0.0)                     \
    /* acc[0] = max over p > 0 of log(pn / qn) (alpha = inf) */               \
    static void fd_rdivinf_##TS(const void *p_, const void *q_, fd_intp n,    \
                                const double *prm, double *acc)               \
    {                                                                         \
        const fd_wide_row w_ = fd_wide_row_of(prm);                           \
        const T *p = (const T *)p_, *q = (const T *)q_;                       \
        double mx = -INFINITY;                                                \
        for (fd_intp i = 0; i < n; i++) {                                     \
            const double x = p[i], y = q[i];                                  \
            const double v = (x == 0.0) ? -INFINITY                           \
                           : (y == 0.0) ? INFINITY : FD_W_LR(x, y);           \
            mx = (v > mx) ? v : mx;                                           \
        }                                                                     \
        acc[0] = mx;                                                          \
    }

FD_DEFINE_WIDE(double, f64)
FD_DEFINE_WIDE(float, f32)
FD_DEFINE_RENYI(double, f64, rent, 0)
FD_DEFINE_RENYI(float, f32, rent, 0)
FD_DEFINE_RENYI(double, f64, rdiv, 1)
FD_DEFINE_RENYI(float, f32, rdiv, 1)

typedef struct {
    fd_blockfn ent, xent, kl, js, tv, hel;
    fd_blockfn rent, rentw, rent_max, rent_lse, rdiv, rdivw, rdiv_max, rdiv_lse;
    fd_blockfn rent0, pmax, rdiv0, rdivinf, lpairw;
} fd_wide_kernels;

static const fd_wide_kernels fd_wide_table[2] = {
    {fd_went_f32, fd_wxent_f32, fd_wkl_f32, fd_wjs_f32, fd_wtv_f32, fd_whel_f32,
     fd_rent_f32, fd_rentw_f32, fd_rent_max_f32, fd_rent_lse_f32, fd_rdiv_f32,
     fd_rdivw_f32, fd_rdiv_max_f32, fd_rdiv_lse_f32, fd_rent0_f32, fd_pmax_f32, fd_rdiv0_f32, fd_rdivinf_f32,
     fd_lpairw_f32},
    {fd_went_f64, fd_wxent_f64, fd_wkl_f64, fd_wjs_f64, fd_wtv_f64, fd_whel_f64,
     fd_rent_f64, fd_rentw_f64, fd_rent_max_f64, fd_rent_lse_f64, fd_rdiv_f64,
     fd_rdivw_f64, fd_rdiv_max_f64, fd_rdiv_lse_f64, fd_rent0_f64, fd_pmax_f64, fd_rdiv0_f64, fd_rdivinf_f64,
     fd_lpairw_f64},
};
#endif

#endif /* FD_KERNELS_H */
