/*
 * fd_math.h -- branch-free scalar primitives that GCC can vectorize.
 *
 * Every function here is `static inline` and free of branches and table
 * look-ups, and all but the full-range ones (the last group below) free of
 * library calls, so a loop calling them compiles to SIMD code under
 * -O3 -fno-math-errno -fno-trapping-math (never -ffast-math: NaN/inf
 * semantics are relied upon).  They are compiled once per instruction set by
 * fd_core.c (baseline x86-64, AVX2+FMA, AVX-512).
 *
 * Conventions (written once, here):
 *   fd_log_*(x)         natural log; x == 0 -> -inf, x == +inf -> +inf,
 *                       x < 0 or NaN -> NaN; subnormals handled exactly.
 *                       Error < 1 ulp (fdlibm/musl reduction, see tests).
 *   fd_logratio_s_*(x, y)
 *                       log(x / y) WITHOUT forming x / y, for 0 < x, y up
 *                       to 2^969 (double) or 2^102 (float), subnormals
 *                       included: relative accuracy ~1 ulp even when x / y
 *                       is close to 1.  The probability kernels' inputs are
 *                       bounded so (their rows' sums are in [2^-500, 2^500]
 *                       resp. [2^-60, 2^60]).  Callers mask x == 0, y == 0.
 *   fd_logratio_sk_*(x, y, k)
 *                       log(x 2^k / y) for an integral k, the same way:
 *                       2^k joins the exponent, x 2^k is never formed.
 *   fd_logs_*(x)        log x for 0 < x <= 2^969 (double) or 2^102 (float),
 *                       subnormals included, with no special cases: the
 *                       kernels' clean inputs (zeros masked by the caller).
 *   fd_logn_*(x), fd_logratio_n_*(x, y)
 *                       fd_logs_*, fd_logratio_s_* for normal arguments only
 *                       (no scaling step), bit for bit the same there.
 *   fd_expneg_*(x)      exp(x) for x <= 0, subnormal results included;
 *                       0 below -746 (double) / -104 (float), where the
 *                       true value rounds to 0.  exp(0) == 1 exactly.
 *   fd_logratio_wk_f64(x, y, k), fd_quot2_f64(x, f, e)
 *                       full range, for the scalar wide kernels: log(x 2^k
 *                       / y) and x / (f 2^e) for any finite x, y > 0.
 *
 * The polynomial coefficients are the published fdlibm (Sun Microsystems,
 * 1993) minimax values for log and exp; the reduction is the classic one
 * around sqrt(2)/2 that avoids a branch on the mantissa.
 */
#ifndef FD_MATH_H
#define FD_MATH_H

#include <stdint.h>
#include <string.h>
#include <math.h>

#if defined(__GNUC__)
#define FD_INLINE static inline __attribute__((always_inline))
#else
#define FD_INLINE static inline
#endif

FD_INLINE uint64_t fd_bits64(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
FD_INLINE double fd_from64(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }
FD_INLINE uint32_t fd_bits32(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
FD_INLINE float fd_from32(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }

/* ---------------------------------------------------------------- double */

#define FD_LG1 6.666666666666735130e-01
#define FD_LG2 3.999999999940941908e-01
#define FD_LG3 2.857142874366239149e-01
#define FD_LG4 2.222219843214978396e-01
#define FD_LG5 1.818357216161805012e-01
#define FD_LG6 1.531383769920937332e-01
#define FD_LG7 1.479819860511658591e-01
#define FD_LN2HI 6.93147180369123816490e-01
#define FD_LN2LO 1.90821492927058770002e-10
#define FD_SQRT2 1.41421356237309504880

/* x = 2^k * m with m in [sqrt(1/2), sqrt(2)); x > 0 finite (normal or
   subnormal).  k is returned as a double (exact) without an int64->double
   conversion, which AVX2 lacks: the biased exponent is planted in the
   mantissa of 2^52 and 2^52 subtracted.  fd_decompn_* take normal x only;
   fd_decomp_* first scale a subnormal x into the normal range. */
FD_INLINE double fd_decompn_f64(double x, double *m)
{
    const uint64_t t = fd_bits64(x) - 0x3fe6a09e667f3bcdULL;
    *m = fd_from64((t & 0x000fffffffffffffULL) + 0x3fe6a09e667f3bcdULL);
    const uint64_t kb = (t + 0x3ff0000000000000ULL) >> 52;   /* k + 1023 */
    return fd_from64(kb | 0x4330000000000000ULL) - (0x1p52 + 1023.0);
}

FD_INLINE double fd_decomp_f64(double x, double *m)
{
    const int sub = x < 0x1p-1022;
    return fd_decompn_f64(sub ? x * 0x1p54 : x, m) + (sub ? -54.0 : 0.0);
}

/* R(z) of fdlibm: log(1+f) = 2s + s*R(s^2), s = f / (2 + f). */
FD_INLINE double fd_logpoly_f64(double z)
{
    const double w = z * z;
    const double t1 = w * (FD_LG2 + w * (FD_LG4 + w * FD_LG6));
    const double t2 = z * (FD_LG1 + w * (FD_LG3 + w * (FD_LG5 + w * FD_LG7)));
    return t2 + t1;
}

FD_INLINE double fd_log_f64(double x)
{
    double m;
    const double k = fd_decomp_f64(x, &m);
    const double f = m - 1.0;
    const double hfsq = 0.5 * f * f;
    const double s = f / (2.0 + f);
    const double R = fd_logpoly_f64(s * s);
    double r = k * FD_LN2HI - ((hfsq - (s * (hfsq + R) + k * FD_LN2LO)) - f);
    r = (x == INFINITY) ? x : r;
    r = (x == 0.0) ? -INFINITY : r;
    r = (x < 0.0 || x != x) ? __builtin_nan("") : r;
    return r;
}

/* log(x / y) given both decompositions (k = kx - ky). */
FD_INLINE double fd_logratio_m_f64(double k, double mx, double my);

/* log(x 2^kadd / y) for 0 < x, y <= 2^969 (subnormals included) and an
   integral kadd: a ratio is unchanged by scaling both by 2^54, which makes
   every subnormal normal, so the per-element subnormal step of
   fd_decomp_f64 is not needed; kadd joins the exponent difference exactly,
   so x 2^kadd is never formed (it could underflow). */
FD_INLINE double fd_logratio_sk_f64(double x, double y, double kadd)
{
    double mx, my;
    const double k = fd_decompn_f64(x * 0x1p54, &mx) - fd_decompn_f64(y * 0x1p54, &my);
    return fd_logratio_m_f64(k + kadd, mx, my);
}

/* log(x / y) for 0 < x, y <= 2^969 (subnormals included). */
FD_INLINE double fd_logratio_s_f64(double x, double y)
{
    return fd_logratio_sk_f64(x, y, 0.0);
}

/* R of the logratio reduction, for z = s^2 <= 0.0403 (|s| <= 0.2004, wider
   than fdlibm's 0.1716 because the reduction below is cheaper and looser).
   Chebyshev interpolant of R(z)/z = 2 (atanh(s) - s) / s^3 on [0, 0.0403]
   with 8 terms, from mpmath (chebyfit(g, [0, 0.0403], 8)), coefficients
   rounded to double: |R - poly| <= 2^-59.2 over the interval. */
#define FD_LR1 0.6666666666666666
#define FD_LR2 0.4000000000000823
#define FD_LR3 0.2857142856714695
#define FD_LR4 0.22222223069772148
#define FD_LR5 0.18181735949669697
#define FD_LR6 0.1538893460259468
#define FD_LR7 0.13208398002781363
#define FD_LR8 0.13619066042830322

FD_INLINE double fd_lrpoly_f64(double z)
{
    const double w = z * z;
    const double t1 = w * (FD_LR2 + w * (FD_LR4 + w * (FD_LR6 + w * FD_LR8)));
    const double t2 = z * (FD_LR1 + w * (FD_LR3 + w * (FD_LR5 + w * FD_LR7)));
    return t2 + t1;
}

FD_INLINE double fd_logratio_m_f64(double k, double mx, double my)
{
    /* mx / my lies in (1/2, 2): scale my by 2^j, j in {-1, 0, 1}, the
       nearest integer to log2(mx / my) as read off the difference of the bit
       patterns (a piecewise-linear log2, off by < 0.0861), without compares:
       the ratio lands in [2^-0.5861, 2^0.5861] = [0.666, 1.502]. */
    const uint64_t u = (fd_bits64(mx) - fd_bits64(my) + 0x0018000000000000ULL) >> 52;
    my = fd_from64(fd_bits64(my) + (u << 52) - 0x0010000000000000ULL);   /* j = u - 1 */
    k += fd_from64(0x4330000000000000ULL + u) - (0x1p52 + 1.0);
    /* s = (r - 1) / (r + 1) with r = mx / my; mx - my is exact (Sterbenz). */
    const double s = (mx - my) / (mx + my);
    const double R = fd_lrpoly_f64(s * s);
    /* 2 s exactly, s R as a small correction (one rounding with FMA) */
    return k * FD_LN2HI + ((2.0 * s + s * R) + k * FD_LN2LO);
}

/* log x = k ln 2 + 2 atanh s, s = (m - 1) / (m + 1) with m - 1 exact: the
   reduction of fd_logratio_m_f64 with y = 1, which needs no adjustment. */
FD_INLINE double fd_log_km_f64(double k, double m)
{
    const double s = (m - 1.0) / (m + 1.0);
    const double R = fd_logpoly_f64(s * s);
    /* 2 s exactly, s R as a small correction (one rounding with FMA) */
    return k * FD_LN2HI + ((2.0 * s + s * R) + k * FD_LN2LO);
}

FD_INLINE double fd_logs_f64(double x)
{
    double m;
    const double k = fd_decompn_f64(x * 0x1p54, &m) - 54.0;
    return fd_log_km_f64(k, m);
}

/* fd_logs_f64 for normal x only (no scaling step), bit for bit the same. */
FD_INLINE double fd_logn_f64(double x)
{
    double m;
    const double k = fd_decompn_f64(x, &m);
    return fd_log_km_f64(k, m);
}

/* fd_logratio_s_f64 for normal x and y only, bit for bit the same. */
FD_INLINE double fd_logratio_n_f64(double x, double y)
{
    double mx, my;
    const double k = fd_decompn_f64(x, &mx) - fd_decompn_f64(y, &my);
    return fd_logratio_m_f64(k, mx, my);
}

/* ---- full range (the wide kernels: any finite positive inputs) ----------
   fd_logratio_wk_f64(x, y, kadd) = log(x 2^kadd / y) for finite x, y > 0
   of any magnitude, subnormals included, and an integral kadd: the
   exponents are added exactly, so nothing overflows or underflows however
   far apart x, y and 2^kadd are (the wide kernels of fd_wide.h build
   the same from decompositions they share).
   fd_quot2_f64(x, f, e) = x / (f 2^e) for finite x > 0, 1/2 <= f < 1 and
   an integral e: one rounding of the mantissa quotient, then an exact
   power of two (rounded once more only where the result is subnormal). */
FD_INLINE double fd_logratio_wk_f64(double x, double y, double kadd)
{
    double mx, my;
    const double k = fd_decomp_f64(x, &mx) - fd_decomp_f64(y, &my);
    return fd_logratio_m_f64(k + kadd, mx, my);
}

FD_INLINE double fd_quot2_f64(double x, double f, double e)
{
    double m;
    const double k = fd_decomp_f64(x, &m);
    return ldexp(m / f, (int)(k - e));
}

#define FD_EP1  1.66666666666666019037e-01
#define FD_EP2 -2.77777777770155933842e-03
#define FD_EP3  6.61375632143793436117e-05
#define FD_EP4 -1.65339022054652515390e-06
#define FD_EP5  4.13813679705723846039e-08
#define FD_INVLN2 1.44269504088896338700e+00

FD_INLINE double fd_expneg_f64(double x)
{
    const double t = x * FD_INVLN2 + 0x1.8p52;          /* round(x / ln 2) */
    const double n = t - 0x1.8p52;
    const double hi = x - n * FD_LN2HI;
    const double lo = n * FD_LN2LO;
    const double r = hi - lo;
    const double z = r * r;
    const double c = r - z * (FD_EP1 + z * (FD_EP2 + z * (FD_EP3 + z * (FD_EP4 + z * FD_EP5))));
    const double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    /* 2^n y, as 2^(n+54) y (always normal for n >= -1075) times 2^-54, so
       results in the subnormal range are rounded correctly too. */
    const uint64_t nb = fd_bits64(t) - 0x4338000000000000ULL + 54;
    const double res = fd_from64(fd_bits64(y) + (nb << 52)) * 0x1p-54;
    return (x < -746.0) ? 0.0 : res;
}

/* ----------------------------------------------------------------- float */

#define FD_LG1F 0.66666662693f
#define FD_LG2F 0.40000972152f
#define FD_LG3F 0.28498786688f
#define FD_LG4F 0.24279078841f
#define FD_LN2HIF 6.9313812256e-01f
#define FD_LN2LOF 9.0580006145e-06f
#define FD_SQRT2F 1.41421356f

FD_INLINE float fd_decompn_f32(float x, float *m)
{
    const uint32_t t = fd_bits32(x) - 0x3f3504f3u;
    *m = fd_from32((t & 0x007fffffu) + 0x3f3504f3u);
    return (float)((int32_t)t >> 23);
}

FD_INLINE float fd_decomp_f32(float x, float *m)
{
    const int sub = x < 0x1p-126f;
    return fd_decompn_f32(sub ? x * 0x1p25f : x, m) + (sub ? -25.0f : 0.0f);
}

FD_INLINE float fd_logpoly_f32(float z)
{
    const float w = z * z;
    return z * (FD_LG1F + w * FD_LG3F) + w * (FD_LG2F + w * FD_LG4F);
}

FD_INLINE float fd_log_f32(float x)
{
    float m;
    const float k = fd_decomp_f32(x, &m);
    const float f = m - 1.0f;
    const float hfsq = 0.5f * f * f;
    const float s = f / (2.0f + f);
    const float R = fd_logpoly_f32(s * s);
    float r = s * (hfsq + R) + k * FD_LN2LOF - hfsq + f + k * FD_LN2HIF;
    r = (x == INFINITY) ? x : r;
    r = (x == 0.0f) ? -INFINITY : r;
    r = (x < 0.0f || x != x) ? __builtin_nanf("") : r;
    return r;
}

FD_INLINE float fd_logratio_m_f32(float k, float mx, float my);

/* As fd_logratio_sk_f64 / fd_logratio_s_f64: for 0 < x, y <= 2^102. */
FD_INLINE float fd_logratio_sk_f32(float x, float y, float kadd)
{
    float mx, my;
    const float k = fd_decompn_f32(x * 0x1p25f, &mx) - fd_decompn_f32(y * 0x1p25f, &my);
    return fd_logratio_m_f32(k + kadd, mx, my);
}

FD_INLINE float fd_logratio_s_f32(float x, float y)
{
    return fd_logratio_sk_f32(x, y, 0.0f);
}

FD_INLINE float fd_logratio_m_f32(float k, float mx, float my)
{
    /* as fd_logratio_m_f64; fdlibm's float R is still within 2^-30 of the
       truth for |s| <= 0.2004 */
    const uint32_t u = (fd_bits32(mx) - fd_bits32(my) + 0x00c00000u) >> 23;
    my = fd_from32(fd_bits32(my) + (u << 23) - 0x00800000u);
    k += (float)(int32_t)u - 1.0f;
    const float s = (mx - my) / (mx + my);
    const float R = fd_logpoly_f32(s * s);
    return k * FD_LN2HIF + ((2.0f * s + s * R) + k * FD_LN2LOF);
}

FD_INLINE float fd_log_km_f32(float k, float m)
{
    const float s = (m - 1.0f) / (m + 1.0f);
    const float R = fd_logpoly_f32(s * s);
    return k * FD_LN2HIF + ((2.0f * s + s * R) + k * FD_LN2LOF);
}

FD_INLINE float fd_logs_f32(float x)
{
    float m;
    const float k = fd_decompn_f32(x * 0x1p25f, &m) - 25.0f;
    return fd_log_km_f32(k, m);
}

FD_INLINE float fd_logn_f32(float x)
{
    float m;
    const float k = fd_decompn_f32(x, &m);
    return fd_log_km_f32(k, m);
}

FD_INLINE float fd_logratio_n_f32(float x, float y)
{
    float mx, my;
    const float k = fd_decompn_f32(x, &mx) - fd_decompn_f32(y, &my);
    return fd_logratio_m_f32(k, mx, my);
}

#define FD_EP1F  1.6666625440e-01f
#define FD_EP2F -2.7667332906e-03f
#define FD_LN2HIEF 6.9314575195e-01f
#define FD_LN2LOEF 1.4286067653e-06f
#define FD_INVLN2F 1.4426950216e+00f

FD_INLINE float fd_expneg_f32(float x)
{
    const float t = x * FD_INVLN2F + 0x1.8p23f;
    const float n = t - 0x1.8p23f;
    const float hi = x - n * FD_LN2HIEF;
    const float lo = n * FD_LN2LOEF;
    const float r = hi - lo;
    const float z = r * r;
    const float c = r - z * (FD_EP1F + z * FD_EP2F);
    const float y = 1.0f - ((lo - (r * c) / (2.0f - c)) - hi);
    const uint32_t nb = fd_bits32(t) - 0x4b400000u + 25;
    const float res = fd_from32(fd_bits32(y) + (nb << 23)) * 0x1p-25f;
    return (x < -104.0f) ? 0.0f : res;
}

#endif /* FD_MATH_H */
