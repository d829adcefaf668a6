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
    /* -pn log qn: w = pn, qn = q / Sq */                                     \
    FD_INLINE T fd_term_xent_##TS(T w, T q, T Sq)                             \
    {                                                                         \
        T v = -w * fd_logratio_s_##TS(q, Sq);                                 \
        v = (q == ZERO) ? INF : v;                                            \
        return (w == ZERO) ? ZERO : v;                                        \
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
    /* pn log(pn / qn): w = pn, x / q = pn / qn */                            \
    FD_INLINE T fd_term_kl_##TS(T w, T x, T q)                                \
    {                                                                         \
        T v = w * fd_logratio_s_##TS(x, q);                                     \
        v = (q == ZERO) ? INF : v;                                            \
        return (w == ZERO || x == ZERO) ? ZERO : v;                           \
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
    /* e^w (-w) for w <= 0 */                                                 \
    FD_INLINE T fd_term_lent_##TS(T w)                                        \
    {                                                                         \
        return fd_expneg_##TS(w) * (ZERO - w);                                \
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


/* ---- Renyi kernels (scalar: they call libm expm1/exp) -------------------
   prm as for the probability kernels, prm[5] = alpha.  rent and rdiv return
   acc[0] = sum pn^alpha - 1 written as sum pn expm1((alpha-1) log pn), which
   stays accurate as alpha -> 1, and acc[1] = sum pn^alpha directly, which is
   accurate when that sum is far below 1 (where acc[0] cancels); the driver
   uses the first while it is >= -1/2 and the second otherwise. */
#ifndef FD_RENYI_DEFINED
#define FD_RENYI_DEFINED
/* acc[0] and acc[1] = two pairwise sums over a block of n elements, in the
   chunk order and lanes of FD_BLOCK_SUM; the body (the variadic argument) sets
   t0_[i] and t1_[i] for element o_ + i. */
#define FD_CHUNK_SUMS2(ACC0, ACC1, ...)                                       \
    do {                                                                      \
        double t0_[FD_CH], t1_[FD_CH], p0_[FD_BLK / FD_CH], p1_[FD_BLK / FD_CH]; \
        fd_intp np_ = 0;                                                      \
        for (fd_intp o_ = 0; o_ < n; o_ += FD_CH) {                           \
            const fd_intp m_ = (n - o_ < FD_CH) ? n - o_ : FD_CH;             \
            for (fd_intp i = 0; i < m_; i++) { __VA_ARGS__ }                  \
            p0_[np_] = lsum_f64_base(t0_, m_, NULL, NULL);                          \
            p1_[np_++] = lsum_f64_base(t1_, m_, NULL, NULL);                        \
        }                                                                     \
        (ACC0) = fd_pairwise(p0_, np_);                                       \
        (ACC1) = fd_pairwise(p1_, np_);                                       \
    } while (0)

#define FD_DEFINE_RENYI(T, TS)                                                \
    static void fd_rent_##TS(const void *p_, const void *q_, fd_intp n,       \
                             const double *prm, double *acc)                  \
    {                                                                         \
        const T *p = (const T *)p_;                                           \
        const double a = prm[0], S = prm[3], am1 = prm[5] - 1.0;              \
        (void)q_;                                                             \
        FD_CHUNK_SUMS2(acc[0], acc[1],                                        \
            const double x = (double)p[o_ + i], w = x * a;                    \
            const double l = fd_logratio_f64(x, S), e = am1 * l;              \
            const double d = exp(e + l);                  /* pn^alpha */      \
            const double v = (e > 700.0) ? d - w : w * expm1(e);              \
            t0_[i] = (x == 0.0) ? 0.0 : v;                                    \
            t1_[i] = (x == 0.0) ? 0.0 : d;);                                  \
    }                                                                         \
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
    static void fd_rdiv_##TS(const void *p_, const void *q_, fd_intp n,       \
                             const double *prm, double *acc)                  \
    {                                                                         \
        const T *p = (const T *)p_, *q = (const T *)q_;                       \
        const double a = prm[0], c = prm[2], S = prm[3], am1 = prm[5] - 1.0;  \
        FD_CHUNK_SUMS2(acc[0], acc[1],                                        \
            const double x = (double)p[o_ + i], y = (double)q[o_ + i];        \
            const double w = x * a;                                           \
            double v, d;                                                      \
            if (x == 0.0) v = d = 0.0;                                        \
            else if (y == 0.0) {                                              \
                v = (am1 > 0.0) ? INFINITY : -w;                              \
                d = (am1 > 0.0) ? INFINITY : 0.0;                             \
            } else {                                                          \
                const double e = am1 * fd_logratio_f64(x * c, y);             \
                d = exp(e + fd_logratio_f64(x, S));    /* pn (pn/qn)^(a-1) */ \
                v = (e > 700.0) ? d - w : w * expm1(e);                       \
            }                                                                 \
            t0_[i] = v;                                                       \
            t1_[i] = d;);                                                     \
    }                                                                         \
    /* acc[0] = sum of q where p > 0 (alpha = 0), in the same pairwise     \
       order as the stats pass, so that it equals Sq when p > 0 wherever   \
       q > 0 (then the divergence is exactly 0) */                          \
    static void fd_rdiv0_##TS(const void *p_, const void *q_, fd_intp n,      \
                              const double *prm, double *acc)                 \
    {                                                                         \
        const T *p = (const T *)p_, *q = (const T *)q_;                       \
        (void)prm;                                                            \
        FD_CHUNK_SUMS2(acc[0], acc[1],                                        \
            t0_[i] = (p[o_ + i] > 0) ? (double)q[o_ + i] : 0.0;               \
            t1_[i] = 0.0;);                                                   \
    }                                                                         \
    /* acc[0] = max over p > 0 of log(pn / qn) (alpha = inf) */               \
    static void fd_rdivinf_##TS(const void *p_, const void *q_, fd_intp n,    \
                                const double *prm, double *acc)               \
    {                                                                         \
        const T *p = (const T *)p_, *q = (const T *)q_;                       \
        const double c = prm[2];                                              \
        double mx = -INFINITY;                                                \
        for (fd_intp i = 0; i < n; i++) {                                     \
            const double x = (double)p[i], y = (double)q[i];                  \
            double v = (y == 0.0) ? INFINITY : fd_logratio_f64(x * c, y);     \
            v = (x == 0.0) ? -INFINITY : v;                                   \
            mx = (v > mx) ? v : mx;                                           \
        }                                                                     \
        acc[0] = mx;                                                          \
    }

FD_DEFINE_RENYI(double, f64)
FD_DEFINE_RENYI(float, f32)

typedef struct {
    fd_blockfn rent, rent0, pmax, rdiv, rdiv0, rdivinf;
} fd_renyi_kernels;

static const fd_renyi_kernels fd_renyi_table[2] = {
    {fd_rent_f32, fd_rent0_f32, fd_pmax_f32, fd_rdiv_f32, fd_rdiv0_f32, fd_rdivinf_f32},
    {fd_rent_f64, fd_rent0_f64, fd_pmax_f64, fd_rdiv_f64, fd_rdiv0_f64, fd_rdivinf_f64},
};
#endif

#endif /* FD_KERNELS_H */
