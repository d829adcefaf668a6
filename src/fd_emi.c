/*
 * fd_emi.c -- the expected mutual information of adjusted mutual information
 * (fd_core.h): the hypergeometric expectation of a contingency cell's term.
 */
#include <math.h>

#include "fd_core.h"

void fd_log_factorials(long long N, double *lf)
{
    lf[0] = 0.0;
    for (long long n = 1; n <= N; n++)
        lf[n] = lgamma((double)n + 1.0);
}

double fd_emi_pair(long long a, long long b, long long N, const double *lf)
{
    long long lo = a + b - N > 1 ? a + b - N : 1;
    long long hi = a < b ? a : b;
    double s = 0.0;
    for (long long n = lo; n <= hi; n++) {
        double lp = lf[a] + lf[b] + lf[N - a] + lf[N - b] - lf[N] - lf[n] - lf[a - n]
                    - lf[b - n] - lf[N - a - b + n];
        s += ((double)n / (double)N) * log((double)N * (double)n / ((double)a * (double)b))
             * exp(lp);
    }
    return s;
}
