/*
 * fd_emi.c -- the expected mutual information of adjusted mutual information
 * (fd_core.h): the hypergeometric expectation of a contingency cell's term.
 *
 * For class sizes a, b out of N samples, the count n of the cell they share
 * in a random labeling is hypergeometric,
 *     P(n) = C(a, n) C(N - a, b - n) / C(N, b),  lo0 <= n <= hi,
 *     lo0 = max(0, a + b - N),  hi = min(a, b),  mean mu = a b / N,
 * and the cell's part of the expected mutual information is
 *     V = sum_n P(n) (n / N) log(n / mu)                       (1)
 * (the n = 0 term is 0).  Summed as written, (1) cancels: its terms have
 * both signs, about sqrt(mu) times larger than V.  Since sum_n P(n) (n - mu)
 * = 0 exactly (the mean), we may subtract (n - mu) / N from every term:
 *     V = (mu / N) sum_n P(n) h(x_n),  x_n = n / mu - 1 = (N n - a b) / (a b),
 *     h(x) = (1 + x) log(1 + x) - x >= 0,                      (2)
 * a sum of non-negative terms (h(-1) = 1 is the n = 0 term), which rounding
 * cannot cancel.  h is evaluated without cancellation near 0 (h_of).
 *
 * The sum (2) starts at the mode n0 of P and walks out to each side with the
 * exact ratio of neighbours
 *     r(n) = P(n + 1) / P(n) = (a - n)(b - n) / ((n + 1)(N - a - b + n + 1)),
 * so that one logarithm of a probability is taken per pair (log P(n0), see
 * log_p), not one per term, and no table of log-factorials up to N is
 * needed.  Each side stops when what is left cannot matter (fd_emi_pair).
 *
 * Inputs are exact in double: every count is an integer below 2^53.
 */
#include <math.h>

#include "fd_core.h"

/* P is taken afresh from log_p every ANCHOR steps of a walk (fd_emi_pair). */
#define ANCHOR 64

/* log(2 pi) / 2 */
#define HALF_LOG_2PI 0.9189385332046728

/* The remainder of Stirling's series, s(m) = log m! - (m log m - m +
   log(2 pi m) / 2), for m = 1..31, each the double nearest the value
   computed with 50-digit mpmath:
       s = loggamma(m + 1) - m log(m) + m - log(2 pi m) / 2.
   Tabulated because the series below is not accurate enough for small m. */
#define STIRLING_TAB 32
static const double stirling_tab[STIRLING_TAB] = {
    0.0,                  /* 0: unused (a zero count has no factor at all) */
    0.08106146679532726,  /* 1 */
    0.0413406959554093,
    0.02767792568499834,
    0.020790672103765093,
    0.016644691189821193, /* 5 */
    0.013876128823070748,
    0.01189670994589177,
    0.010411265261972096,
    0.009255462182712733,
    0.00833056343336287,  /* 10 */
    0.007573675487951841,
    0.00694284010720953,
    0.006408994188004207,
    0.0059513701127588475,
    0.005554733551962801, /* 15 */
    0.0052076559196096404,
    0.004901395948434738,
    0.004629153749334028,
    0.004385560249232324,
    0.004166319691996922, /* 20 */
    0.00396795421864086,
    0.0037876180684444346,
    0.0036229602246830948,
    0.003472021382978767,
    0.003333155636728093, /* 25 */
    0.003204970228055038,
    0.0030862786826087773,
    0.002976063983550409,
    0.0028734493623524663,
    0.0027776749297526936, /* 30 */
    0.002688078828531143,
};

/* s(m) for m >= 1.  From m = 32 on, Stirling's series
       s(m) = 1/(12 m) - 1/(360 m^3) + 1/(1260 m^5) - 1/(1680 m^7) + 1/(1188 m^9) - ...
   whose error is at most the first omitted term, 691 / (360360 m^11) <=
   5.3e-20 for m >= 32: below the rounding of s itself (s <= 1/12 / m). */
static double stirling_rem(double m)
{
    if (m < STIRLING_TAB) return stirling_tab[(int)m];
    const double y = 1.0 / m, y2 = y * y;
    return y * (1.0 / 12 - y2 * (1.0 / 360 - y2 * (1.0 / 1260 - y2 * (1.0 / 1680
                                                                      - y2 * (1.0 / 1188)))));
}

/* h(x) = (1 + x) log(1 + x) - x for x >= -1, to a few ulps relative.
   For -1/2 < x < 1 the direct formula would cancel (h ~ x^2 / 2), so with
   s = x / (2 + x) (|s| < 1/3), log(1 + x) = 2 atanh s = 2 (s + s^3/3 + s^5/5 + ...)
   and 1 + x = (1 + s) / (1 - s) give the cancellation-free
       h = 2 / (1 - s) [s^2 + (1 + s) s^3 Q],  Q = 1/3 + s^2/5 + s^4/7 + ...
   Q is cut after s^30/33: the rest is at most (s^2)^16 / 35 / (1 - s^2) <
   1.8e-17, and the bracket is at least s^2 (1 - (4/3)(1/3)(0.36)) > 0.84 s^2,
   so the cut changes it by less than (4/3)(1/3) 1.8e-17 / 0.84 < 1e-17
   relative.  Outside, the direct formula loses at most 2 bits. */
static inline double h_of(double x)
{
    if (x > -0.5 && x < 1.0) {
        const double s = x / (2.0 + x), t = s * s;
        /* Q(t) = sum_k t^k / (2k + 3), k < 16, by Estrin's scheme (short
           dependency chains; all terms >= 0, so any order is accurate) */
        const double t2 = t * t, t4 = t2 * t2, t8 = t4 * t4;
        const double q01 = 1.0 / 3 + t * (1.0 / 5), q23 = 1.0 / 7 + t * (1.0 / 9);
        const double q45 = 1.0 / 11 + t * (1.0 / 13), q67 = 1.0 / 15 + t * (1.0 / 17);
        const double q89 = 1.0 / 19 + t * (1.0 / 21), qab = 1.0 / 23 + t * (1.0 / 25);
        const double qcd = 1.0 / 27 + t * (1.0 / 29), qef = 1.0 / 31 + t * (1.0 / 33);
        const double q = ((q01 + t2 * q23) + t4 * (q45 + t2 * q67))
                         + t8 * ((q89 + t2 * qab) + t4 * (qcd + t2 * qef));
        return 2.0 * (t + (1.0 + s) * s * t * q) / (1.0 - s);
    }
    if (x <= -1.0) return 1.0;   /* the empty cell: 0 log 0 + 1 */
    return (1.0 + x) * log1p(x) - x;
}

/* log P(n) of the hypergeometric (header) for 1 <= a, b <= N - 1, with
   e = N n - a b exactly.
   log P(n) = sum over the margins m of log m! - log N! - sum over the four
   cells c of the 2x2 table (n, a - n; b - n, N - a - b + n) of log c!.
   With log m! = m log m - m + g(m), g(m) = log(2 pi m) / 2 + s(m) (g(0) = 0),
   the -m cancel (cells and margins both sum to 2N), and the m log m parts
   are minus the table's N I(table), which is written as
       D = sum_cells mu_c h(x_c),  mu_c = (row margin)(column margin) / N,
       x_c = c / mu_c - 1 = +-e / ((row margin)(column margin))
   (the linear parts sum_c mu_c x_c = sum_c (c - mu_c) = 0 drop out): a sum
   of non-negative terms, small near the mode, with no large logarithms.
   What is left, sum +-g, is the count of 2 pi's, half the log of one ratio
   of products (all integers, 9 roundings at most), and the small
   remainders s.  So log P(n) has an absolute error of a few ulps of
   log(variance), ~1e-15, where the lgamma differences it replaces lose
   ulps of log N! (1e-8 at N = 1e7). */
static double log_p(double a, double b, double N, double n, double e)
{
    const double cell[4] = {n, a - n, b - n, N - a - b + n};
    const double rc[4] = {a * b, a * (N - b), b * (N - a), (N - a) * (N - b)};
    const double sg[4] = {1.0, -1.0, -1.0, 1.0};
    double num = a * (N - a) * (b * (N - b));
    double den = N;
    double srem = stirling_rem(a) + stirling_rem(N - a) + stirling_rem(b)
                  + stirling_rem(N - b) - stirling_rem(N);
    int k = 3;    /* 4 margins - N! */
    double D = 0.0;
    for (int c = 0; c < 4; c++) {
        D += (rc[c] / N) * h_of(sg[c] * e / rc[c]);
        if (cell[c] > 0.0) {
            den *= cell[c];
            srem -= stirling_rem(cell[c]);
            k--;
        }
    }
    return k * HALF_LOG_2PI + 0.5 * log(num / den) + srem - D;
}

/* *s + *c += y, compensated (Neumaier): a wide distribution has ~10^4
   terms, whose plain sum would drift by ~sqrt(10^4) ulps. */
static inline void add(double *s, double *c, double y)
{
    const double t = *s + y;
    *c += fabs(*s) >= fabs(y) ? (*s - t) + y : (y - t) + *s;
    *s = t;
}

/* See the header and the top of this file.
 *
 * The stopping rule.  P is log-concave: r(n) decreases in n (its numerator
 * decreases, its denominator increases).  So beyond the last term n taken on
 * the right, P(n + k) <= P(n) r(n)^k, and on the left, with
 * q(n) = P(n - 1) / P(n) = 1 / r(n - 1), P(n - k) <= P(n) q(n)^k.  h is convex
 * with its minimum 0 at x = 0, so on the support h(x_n) <= H =
 * max(h(x_lo0), h(x_hi)).  Hence, once the ratio rho (r or q) is below 1,
 * everything not yet taken on that side sums to at most
 *     H P(n) (rho + rho^2 + ...) = H P(n) rho / (1 - rho),
 * and the side stops when that is at most 2^-60 of the sum S so far (S only
 * grows: all terms are >= 0).  The two sides together leave out at most
 * 2^-59 S, far below the rounding of the sum itself; rounding in rho, P(n)
 * and H changes the bound by a relative few ulps, which that margin covers.
 *
 * Each step rounds P twice (the ratio, whose factors are exact integers,
 * and the product), so k steps drift by ~sqrt(2k) ulps; a wide
 * distribution (N = 1e7, two large classes: thousands of steps) would lose
 * ~1e-14.  Every ANCHOR-th step therefore takes P afresh from log_p.
 */
double fd_emi_pair(long long a, long long b, long long N)
{
    if (a > b) {    /* symmetric in (a, b): the same arithmetic either way */
        long long t = a;
        a = b;
        b = t;
    }
    if (b >= N || a < 1) return 0.0;   /* one class takes all: n = a always */
    const long long lo0 = a + b - N > 0 ? a + b - N : 0, hi = a;
    long long n0;
    double e0;
    if (N <= 3037000499LL) {   /* N^2 < 2^63: exact in 64-bit integers */
        n0 = (a + 1) * (b + 1) / (N + 2);
        n0 = n0 < lo0 ? lo0 : n0 > hi ? hi : n0;
        e0 = (double)(n0 * N - a * b);
    } else {                   /* a near mode is enough (see the walk) */
        n0 = (long long)floor(((double)a + 1.0) * ((double)b + 1.0) / ((double)N + 2.0));
        n0 = n0 < lo0 ? lo0 : n0 > hi ? hi : n0;
        const double p = (double)a * (double)b, pe = fma((double)a, (double)b, -p);
        e0 = fma((double)n0, (double)N, -p) - pe;
    }
    const double A = (double)a, B = (double)b, dN = (double)N, C = dN - A - B;
    const double ab = A * B;
    const double H = fmax(h_of(((double)lo0 * dN - ab) / ab), h_of((dN * (double)hi - ab) / ab));
    const double tol = 0x1p-60;
    const double p0 = exp(log_p(A, B, dN, (double)n0, e0));
    double S = p0 * h_of(e0 / ab), Sc = 0.0;

    /* right of the mode */
    double p = p0, e = e0, n = (double)n0;
    const double dhi = (double)hi, dlo = (double)lo0;
    for (long long k = 1; n < dhi; k++) {
        const double r = ((A - n) * (B - n)) / ((n + 1.0) * (C + n + 1.0));
        if (r < 1.0 && H * p * r <= tol * S * (1.0 - r)) break;
        n += 1.0;
        e += dN;
        p = k % ANCHOR ? p * r : exp(log_p(A, B, dN, n, e));
        add(&S, &Sc, p * h_of(e / ab));
    }
    /* left of the mode */
    p = p0, e = e0, n = (double)n0;
    for (long long k = 1; n > dlo; k++) {
        const double q = (n * (C + n)) / ((A - n + 1.0) * (B - n + 1.0));
        if (q < 1.0 && H * p * q <= tol * S * (1.0 - q)) break;
        n -= 1.0;
        e -= dN;
        p = k % ANCHOR ? p * q : exp(log_p(A, B, dN, n, e));
        add(&S, &Sc, p * h_of(e / ab));
    }
    return (A / dN) * (B / dN) * (S + Sc);
}
