/*
 * fd_core.h -- the interface of fastdiv's C core (libfastdiv_core, a static
 * library built once by setup.py and linked into every extension).
 *
 * The core holds what every family of measures shares:
 *   - the block kernels of the exact measures (fd_kernels.template.c),
 *     compiled per element type and per instruction set, and the runtime
 *     choice of instruction set (fd_core.c);
 *   - the one summation order of the package (below);
 *   - the table of measures: one descriptor per measure naming its kernels
 *     and how its value is finished (fd_measures.c);
 *   - gathering of strided / byte-swapped input into native blocks.
 * The row drivers (Cython, src/_divergence.pyx) cut rows into blocks, call
 * the kernels through these tables, and combine the partials.
 *
 * The summation order.  A chunk of m <= FD_CH values is summed in 16 lanes:
 * value i goes to lane i % 16, each lane adds its values in order, and the
 * lanes are combined by a fixed tree.  A block's chunks, and a row's blocks,
 * are combined by fd_pairwise.  The order depends only on the length of the
 * data, not on the instruction set nor on the number of threads, so results
 * are bit-identical for any thread count.
 */
#ifndef FD_CORE_H
#define FD_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef ptrdiff_t fd_intp;   /* == Py_ssize_t == npy_intp */

#define FD_CH 256            /* chunk: terms buffered and summed in lanes */
#define FD_BLK 4096          /* block: the unit of work and of partials   */
#define FD_MAXACC 6          /* partial sums a block kernel returns       */

/* The constants of one row that the block kernels read; the row driver
   zeroes the struct and sets what the row's kernels need (each kernel's
   comment names its fields). */
typedef struct {
    /* probability kernels on normalized rows (all 1 with normalize=False):
       pn = p a, qn = a (q r) */
    double a;                /* 1 / Sp */
    double Sp, Sq;           /* the row sums */
    double r;                /* Sp / Sq */
    double cm, ck;           /* Sq / Sp = cm 2^ck, cm in [1, 2) */
    fd_intp ahead_p, ahead_q; /* bytes from this row to the next one this
                                 thread reads: TV's prefetch hints (0: none) */
    /* logits */
    double mp, mq;           /* the rows' largest logits */
    double lp, lq;           /* log sum e^(z - max) */
    int shift;               /* lpairw: sums scaled by 2^-shift */
    /* wide kernels (fd_wide.h): Sp = fp 2^ep, Sq = fq 2^eq */
    double fp, ep, fq, eq;
    double wcm, kc;          /* fq / fp, eq - ep */
    double wa;               /* 1 / Sp where Sp is in the probability
                                kernels' range (Renyi's fast weights) */
    double alpha;            /* Renyi order */
    double M;                /* Renyi log-sum-exp shift */
} fd_row;

/* The acc slots of a first pass over a row (FD_K_STATS, the one-pass
   kernels, and FD_K_LSTATS for logits, which puts each input's largest
   logit where its sum would be and flags non-finite entries).  The other
   kernels return their sums from slot 0 on, as each documents. */
enum fd_acc_slot {
    FD_ACC_P = 0,            /* sum p (logits: max p) */
    FD_ACC_P_BAD = 1,        /* 1 if some p < 0 (logits: not finite) */
    FD_ACC_Q = 2,            /* the same for q */
    FD_ACC_Q_BAD = 3,
    FD_ACC_TERMS = 4,        /* one-pass kernels: the sum of their terms */
    FD_ACC_TERMS2 = 5        /* and a second sum (Hellinger) */
};

/* A block kernel: the partials of one block of n <= FD_BLK elements of p
   (and q, or NULL) into acc[0..FD_MAXACC); see fd_kernels.template.c. */
/* One axis of a histogram, as the binning kernel hist_codes reads it
   (fastdiv._binning fills it): a value v is inside the range iff
   lo <= v <= hi; its position in bins is g = (v - first) scale, and where g
   lies more than delta from every integer (delta < g - floor(g) < 1 - delta)
   its bin is floor(g) by every reading of the edges (NumPy's formula with
   its corrections, or the edges themselves).  fast = 0: no value is placed
   by its position (non-uniform edges).  Explicit edges e[0..nb] may come
   with a cell table (cbin != NULL): a value inside whose cell index
   c = min(trunc((v - e[0]) gscale), G - 1) comes out lies in a window of
   cell c starting in bin cbin[c]; cedge[c] is the one interior edge inside
   the window (+inf if none: the bin is cbin[c] + (v >= cedge[c])) or NaN
   where it holds more (fd_hist_bin searches up from cbin[c]). */
typedef struct {
    double lo, hi;
    double first, scale, delta;
    int fast;
    const double *e;
    const int32_t *cbin;
    const double *cedge;
    fd_intp nb, G;
    double gscale;
} fd_hist_axis;

/* The bin of v from a bin k at or below it: the last edge e[b] <= v with
   b <= last, found by doubling steps up from k, then halving them (a few
   compares when the bin is near k, log2 of the distance otherwise). */
static inline fd_intp fd_hist_up(const double *e, fd_intp k, fd_intp last, double v)
{
    fd_intp step = 1;
    while (k + step <= last && e[k + step] <= v) {
        k += step;
        step <<= 1;
    }
    for (step >>= 1; step > 0; step >>= 1)
        if (k + step <= last && e[k + step] <= v) k += step;
    return k;
}

/* The bin of v (lo <= v <= hi) on explicit edges with a cell table. */
static inline fd_intp fd_hist_bin(const fd_hist_axis *a, double v)
{
    fd_intp c = (fd_intp)((v - a->e[0]) * a->gscale);
    c = c < a->G ? c : a->G - 1;
    const double ed = a->cedge[c];
    if (ed <= v) return a->cbin[c] + 1;
    if (ed == ed) return a->cbin[c];
    return fd_hist_up(a->e, a->cbin[c], a->nb - 1, v);
}

/* hist_codes' codes of the values it does not place */
enum { FD_HIST_SLOW = -1, FD_HIST_OUT = -2 };

typedef void (*fd_blockfn)(const void *p, const void *q, fd_intp n,
                           const fd_row *c, double *acc);

/* The block kernels, by name.  acc slots as documented at each kernel. */
enum fd_kernel_id {
    FD_K_STATS,              /* sums and checks (acc: Sp, neg p, Sq, neg q) */
    FD_K_LSTATS,             /* logits: max and non-finite flags */
    FD_K_ENT1, FD_K_XENT1, FD_K_KL1, FD_K_HEL1,   /* one-pass: stats + raw terms */
    FD_K_ENT, FD_K_XENT, FD_K_KL, FD_K_JS, FD_K_TV, FD_K_HEL,  /* normalized rows */
    FD_K_LENT, FD_K_LPAIR, FD_K_LJS, FD_K_LTV, FD_K_LHEL,      /* logits */
    FD_K_LPAIRW,             /* logits CE/KL whose terms overflow, in double */
    FD_K_WENT, FD_K_WXENT, FD_K_WKL, FD_K_WJS, FD_K_WTV, FD_K_WHEL,  /* wide rows */
    FD_K_RENT, FD_K_RENTW, FD_K_RENT_MAX, FD_K_RENT_LSE, FD_K_RENT0, FD_K_PMAX,
    FD_K_RDIV, FD_K_RDIVW, FD_K_RDIV_MAX, FD_K_RDIV_LSE, FD_K_RDIV0, FD_K_RDIVINF,
    FD_NKERNEL,
    FD_K_NONE = -1
};

/* The kernels of one element type and instruction set. */
typedef struct {
    fd_blockfn block[FD_NKERNEL];
    /* elementwise: the package's log, log of clean inputs, log-ratio, exp
       (test hooks), and -log for self_information (returns 1 if some x is
       outside [0, 1]) */
    void (*vlog)(const void *x, fd_intp n, void *out);
    void (*vlogs)(const void *x, fd_intp n, void *out);
    void (*vlogratio)(const void *x, const void *y, fd_intp n, void *out);
    void (*vexp)(const void *x, fd_intp n, void *out);
    int (*neglog)(const void *x, fd_intp n, double *out);
    /* C[i ldc + j] = sum_k A[i lda + k] B[j ldb + k], i < ma, j < nb, over
       kp elements: the dot products of pairwise matrices, in float64 in
       both tables (fd_kernels.template.c, dot_tile; error <= FD_DOT_ERR) */
    void (*dot_tile)(const double *A, fd_intp lda, fd_intp ma, const double *B,
                     fd_intp ldb, fd_intp nb, fd_intp kp, double *C, fd_intp ldc);
    /* the row kernels of joint tables (fastdiv._joint), float64 only (the
       float32 table holds the same ones): nr rows of n <= FD_CH columns, si
       elements apart; pass 1's sums and check, pass 2's terms for measure
       FD_TBL_* (fd_kernels.template.c) */
    void (*tbl_sums)(const double *x, fd_intp si, fd_intp nr, fd_intp n, double *col,
                     int first, double *out, int *bad);
    void (*tbl_terms)(int measure, const double *x, fd_intp si, fd_intp nr, fd_intp n,
                      const double *r, double d, const double *v, const double *cj,
                      const double *ahead, double *out);
    /* the codes of n <= FD_CH values on one histogram axis (fd_hist_axis);
       returns 1 if some value is NaN or infinite (fd_kernels.template.c) */
    int (*hist_codes)(const double *x, fd_intp n, const fd_hist_axis *a, int32_t *code);
    /* count n <= FD_CH values of one axis of nb bins into four tables ld
       apart (cell nb of each a spill cell), the values it does not place
       listed in slow[0..*nslow); returns 1 if some value is NaN or
       infinite */
    int (*hist_count)(const double *x, fd_intp n, const fd_hist_axis *a, int64_t *cnt,
                      fd_intp ld, int32_t *slow, fd_intp *nslow);
    /* the same for n pairs on two axes, into cells kx ny + ky (cell nx ny
       the spill cell); bit 0 / bit 1 of the result: x / y not finite */
    int (*hist_count2)(const double *x, const double *y, fd_intp n, const fd_hist_axis *ax,
                       const fd_hist_axis *ay, int64_t *cnt, fd_intp ld, int32_t *slow,
                       fd_intp *nslow);
} fd_kernels;

/* The bound on dot_tile's rounding error, in units of u = 2^-53 times
   sum |a_k b_k|, for rows of kp elements. */
#define FD_DOT_ERR(kp) (11.0 + (double)(((kp) + 63) / 64))

/* The measures of the joint-table kernels (tbl_terms), as fastdiv._joint
   numbers them. */
enum fd_tbl_measure { FD_TBL_JOINT = 0, FD_TBL_COND = 1, FD_TBL_MI = 2 };

/* ---- the measures ---------------------------------------------------------- */

enum fd_measure_code {
    FD_ENTROPY, FD_CROSS_ENTROPY, FD_KL, FD_JS, FD_JS_DISTANCE, FD_TV, FD_HELLINGER,
    FD_RENYI_ENTROPY, FD_RENYI_DIVERGENCE,
    FD_NMEASURE
};

/* How a one-pass sum T over the raw rows becomes the value (the rows
   normalized afterwards, exactly; see onepass in _divergence.pyx). */
enum fd_onepass_form {
    FD_OP_NONE,              /* no one-pass kernel */
    FD_OP_LOG_SP,            /* T / Sp + log Sp         (entropy) */
    FD_OP_LOG_SQ,            /* T / Sp + log Sq         (cross-entropy) */
    FD_OP_LOG_RATIO,         /* T / Sp + log(Sq / Sp)   (KL) */
    FD_OP_HELLINGER          /* (T - 2 e V + e^2 Sq) / Sp, sqrt(Sp / Sq) = 1 + e */
};

/* How a sum of terms over normalized distributions becomes the value. */
enum fd_finish {
    FD_FIN_ENTROPY,          /* clamped to [0, log K], in the caller's base */
    FD_FIN_DIVERGENCE,       /* >= 0, in the caller's base */
    FD_FIN_JS,               /* half the sum, in [0, log 2] */
    FD_FIN_JS_DISTANCE,      /* its square root */
    FD_FIN_TV,               /* half the sum, in [0, 1] */
    FD_FIN_HELLINGER         /* sqrt of half the sum, in [0, 1] */
};

/* How logits are evaluated. */
enum fd_logit_form {
    FD_LG_NONE,              /* no logits form (Renyi) */
    FD_LG_ENTROPY,           /* lent: log S + sum e^w (-w) / S */
    FD_LG_CROSS_ENTROPY,     /* lpair: sum e^wp (-wq) / Sp + log Sq */
    FD_LG_KL,                /* lpair: sum e^wp (wp - wq) / Sp + log(Sq / Sp) */
    FD_LG_TERMS              /* the kernel `logit_terms` over softmax rows */
};

/* One measure: a row of the table fd_measures. */
typedef struct {
    const char *name;        /* the public function */
    int nin;                 /* 1 or 2 inputs */
    int onepass;             /* kernel of the first pass, or FD_K_NONE (stats) */
    int onepass_form;        /* enum fd_onepass_form */
    int terms;               /* terms over normalized rows (two passes) */
    int terms_scaled;        /* 1: those terms are over (p, q r): times 1 / Sp */
    int wide;                /* terms of rows outside the kernels' range */
    int finish;              /* enum fd_finish */
    int logit_form;          /* enum fd_logit_form */
    int logit_terms;         /* kernel for FD_LG_TERMS */
    int alpha_one;           /* Renyi: the measure it is at alpha = 1; else itself */
    /* Renyi of order other than 1 (FD_K_NONE elsewhere): the first pass
       with weights p / Sp (sums in range) and with any sums, the max and
       log-sum-exp passes, and the orders 0 and inf */
    int renyi, renyi_wide, renyi_max, renyi_lse, renyi_zero, renyi_inf;
} fd_measure;

extern const fd_measure fd_measures[FD_NMEASURE];

/* ---- instruction sets ------------------------------------------------------ */

enum { FD_ISA_BASELINE = 0, FD_ISA_AVX2 = 1, FD_ISA_AVX512 = 2, FD_NISA = 3 };

/* Where the kernels are also built for AVX2 and AVX-512 (under `#pragma GCC
   target`): GCC on x86-64.  Elsewhere only the baseline exists. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) \
    && !defined(FD_NO_DISPATCH)
#define FD_HAVE_DISPATCH 1
#endif
extern const char *const fd_isa_names[FD_NISA];

int fd_isa_supported(int isa);       /* 1 if this CPU (and OS) runs it */
int fd_set_isa(int isa);             /* 0, or -1 if unknown or unsupported */
int fd_select_isa(void);             /* the best supported; returns it */
int fd_get_isa(void);
/* the kernels of the current instruction set for float64 (else float32) */
const fd_kernels *fd_get_kernels(int is_f64);

/* ---- shared helpers -------------------------------------------------------- */

/* Pairwise (recursive halving) sum of a[0..n), n >= 0. */
double fd_pairwise(const double *a, fd_intp n);

/* Ask for n bytes at p to be brought into cache (a hint). */
void fd_prefetch(const char *p, fd_intp nbytes);

/* n elements from src (stride bytes apart; code bit 0 = float64 else
   float32, bit 1 = byte-swapped), times the power of two `scale`, into dst
   as float64 (dst_f64) or float32. */
void fd_gather(const char *src, fd_intp stride, fd_intp n, int src_code,
               int dst_f64, void *dst, double scale);

/* log(x 2^k / y) for any finite x, y > 0 and integral k, without forming
   the quotient. */
double fd_log_quotient(double x, double y, double k);

/* ---- discrete: the expected mutual information of AMI (fd_emi.c) ----------- */

/* The expected value, over random labelings with class sizes a and b out of
   N samples (the hypergeometric model of adjusted mutual information), of
   the cell's term (n / N) log(N n / (a b)) over the support of its count n
   (0 log 0 = 0), in nats: the part of the expected mutual information of
   one pair of classes.  0 <= a, b <= N < 2^53 (a or b of 0 or N gives 0);
   symmetric in (a, b), bit for bit.  A walk out from the mode of n, no
   table: O(sqrt(a b / N) + 1) operations, relative error ~1e-15. */
double fd_emi_pair(long long a, long long b, long long N);

#ifdef __cplusplus
}
#endif

#endif /* FD_CORE_H */
