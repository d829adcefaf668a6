/*
 * fd_wide.h -- the row constants and helpers of the wide kernels
 * (fd_kernels.template.c), which take rows whose sums lie outside the
 * probability kernels' range (huge counts, all-subnormal rows, finite entries
 * whose sum overflows) and every Renyi measure.  Each sum is given as
 * S = f 2^e, f in [1/2, 1), and every logarithm of a normalized quantity is
 * taken from the raw inputs with exponents added exactly
 * (fd_logratio_m_f64), so no entry underflows.  Weights pn are
 * fd_quot2_f64(p, fp, ep) (they may underflow: they only scale terms).
 * Private to the core (included by fd_core.c once, before the kernels).
 */
#ifndef FD_WIDE_H
#define FD_WIDE_H

#include "fd_core.h"
#include "fd_math.h"

/* ACC0 (and ACC1 when NT == 2) = pairwise sums over a block of n elements,
   in the chunk order and lanes of FD_BLOCK_SUM; the body (the variadic
   argument) sets t0_[j] (and t1_[j]) for element i = o_ + j. */
#define FD_WIDE_SUMS(LSUM, NT, ACC0, ACC1, ...)                                     \
    do {                                                                      \
        double t0_[FD_CH], t1_[FD_CH], p0_[FD_BLK / FD_CH], p1_[FD_BLK / FD_CH]; \
        fd_intp np_ = 0;                                                      \
        for (fd_intp o_ = 0; o_ < n; o_ += FD_CH) {                           \
            const fd_intp m_ = (n - o_ < FD_CH) ? n - o_ : FD_CH;             \
            for (fd_intp j = 0; j < m_; j++) {                                \
                const fd_intp i = o_ + j;                                     \
                __VA_ARGS__                                                   \
            }                                                                 \
            p0_[np_] = LSUM(t0_, m_, NULL, NULL);                    \
            if ((NT) > 1) p1_[np_] = LSUM(t1_, m_, NULL, NULL);      \
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

FD_INLINE fd_wide_row fd_wide_row_of(const fd_row *c)
{
    fd_wide_row w = {c->fp, c->ep, c->fq, c->eq, c->wcm, c->alpha - 1.0, c->kc, c->M,
                     c->wa, 0.0, 1.0, 0.0, 1.0};
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

/* TERM over (pn, qn), the zeros told from the raw inputs */
#define FD_W_PAIRTERM(TERM, x, y)                                             \
    TERM(((x) == 0.0) ? 0.0 : FD_W_PN(x), ((y) == 0.0) ? 0.0 : FD_W_QN(y))

/* Renyi terms of element i for order a = c->alpha (finite, not 0 or
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

#endif /* FD_WIDE_H */
