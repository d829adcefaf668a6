# Cython declarations of fastdiv's C core (src/fd_core.h: the block kernels,
# the table of measures, instruction-set dispatch, gathering, the summation
# order).  Every extension cimports this and links libfastdiv_core.
from _typedefs cimport intp_t
from libc.stdint cimport int32_t, int64_t

cdef extern from "fd_core.h" nogil:
    enum:
        FD_CH
        FD_BLK
        FD_MAXACC

    ctypedef struct fd_row:
        double a, Sp, Sq, r, cm, ck
        intp_t ahead_p, ahead_q
        double mp, mq, lp, lq
        int shift
        double fp, ep, fq, eq, wcm, kc, wa, alpha, M

    enum:  # enum fd_acc_slot
        FD_ACC_P, FD_ACC_P_BAD, FD_ACC_Q, FD_ACC_Q_BAD, FD_ACC_TERMS, FD_ACC_TERMS2

    ctypedef void (*fd_blockfn)(const void *p, const void *q, intp_t n,
                                const fd_row *c, double *acc) noexcept nogil

    enum:  # enum fd_kernel_id
        FD_K_STATS, FD_K_LSTATS
        FD_K_ENT1, FD_K_XENT1, FD_K_KL1, FD_K_HEL1
        FD_K_ENT, FD_K_XENT, FD_K_KL, FD_K_JS, FD_K_TV, FD_K_HEL
        FD_K_LENT, FD_K_LPAIR, FD_K_LJS, FD_K_LTV, FD_K_LHEL, FD_K_LPAIRW
        FD_K_WENT, FD_K_WXENT, FD_K_WKL, FD_K_WJS, FD_K_WTV, FD_K_WHEL
        FD_K_RENT, FD_K_RENTW, FD_K_RENT_MAX, FD_K_RENT_LSE, FD_K_RENT0, FD_K_PMAX
        FD_K_RDIV, FD_K_RDIVW, FD_K_RDIV_MAX, FD_K_RDIV_LSE, FD_K_RDIV0, FD_K_RDIVINF
        FD_NKERNEL
        FD_K_NONE

    ctypedef struct fd_kernels:
        fd_blockfn block[FD_NKERNEL]
        void (*vlog)(const void *x, intp_t n, void *out) noexcept nogil
        void (*vlogs)(const void *x, intp_t n, void *out) noexcept nogil
        void (*vlogratio)(const void *x, const void *y, intp_t n, void *out) noexcept nogil
        void (*vexp)(const void *x, intp_t n, void *out) noexcept nogil
        int (*neglog)(const void *x, intp_t n, double *out) noexcept nogil
        void (*dot_tile)(const double *A, intp_t lda, intp_t ma, const double *B, intp_t ldb,
                         intp_t nb, intp_t kp, double *C, intp_t ldc) noexcept nogil
        void (*tbl_sums)(const double *x, intp_t si, intp_t nr, intp_t n, double *col,
                         int first, double *out, int *bad) noexcept nogil
        void (*tbl_terms)(int measure, const double *x, intp_t si, intp_t nr, intp_t n,
                          const double *r, double d, const double *v, const double *cj,
                          const double *ahead, double *out) noexcept nogil
        int (*hist_codes)(const double *x, intp_t n, const fd_hist_axis *a,
                          int32_t *code) noexcept nogil
        int (*hist_count)(const double *x, intp_t n, const fd_hist_axis *a, int64_t *cnt,
                          intp_t ld, int32_t *slow, intp_t *nslow) noexcept nogil
        int (*hist_count2)(const double *x, const double *y, intp_t n, const fd_hist_axis *ax,
                           const fd_hist_axis *ay, int64_t *cnt, intp_t ld, int32_t *slow,
                           intp_t *nslow) noexcept nogil
    double FD_DOT_ERR(intp_t kp)

    ctypedef struct fd_hist_axis:
        double lo, hi
        double first, scale, delta
        int fast
        const double *e
        const int32_t *cbin
        const double *cedge
        intp_t nb, G
        double gscale

    enum:
        FD_HIST_SLOW, FD_HIST_OUT
    intp_t fd_hist_bin(const fd_hist_axis *a, double v)

    enum:  # enum fd_tbl_measure
        FD_TBL_JOINT, FD_TBL_COND, FD_TBL_MI

    enum:  # enum fd_measure_code
        FD_ENTROPY, FD_CROSS_ENTROPY, FD_KL, FD_JS, FD_JS_DISTANCE, FD_TV, FD_HELLINGER
        FD_RENYI_ENTROPY, FD_RENYI_DIVERGENCE
        FD_NMEASURE

    enum:  # enum fd_onepass_form
        FD_OP_NONE, FD_OP_LOG_SP, FD_OP_LOG_SQ, FD_OP_LOG_RATIO, FD_OP_HELLINGER

    enum:  # enum fd_finish
        FD_FIN_ENTROPY, FD_FIN_DIVERGENCE, FD_FIN_JS, FD_FIN_JS_DISTANCE, FD_FIN_TV
        FD_FIN_HELLINGER

    enum:  # enum fd_logit_form
        FD_LG_NONE, FD_LG_ENTROPY, FD_LG_CROSS_ENTROPY, FD_LG_KL, FD_LG_TERMS

    ctypedef struct fd_measure:
        const char *name
        int nin, onepass, onepass_form, terms, terms_scaled, wide, finish
        int logit_form, logit_terms, alpha_one
        int renyi, renyi_wide, renyi_max, renyi_lse, renyi_zero, renyi_inf

    const fd_measure fd_measures[]

    enum:
        FD_ISA_BASELINE, FD_ISA_AVX2, FD_ISA_AVX512, FD_NISA
    const char *const fd_isa_names[]
    int fd_isa_supported(int isa)
    int fd_set_isa(int isa)
    int fd_select_isa()
    int fd_get_isa()
    const fd_kernels *fd_get_kernels(int is_f64)

    double fd_pairwise(const double *a, intp_t n)
    void fd_prefetch(const char *p, intp_t nbytes)
    void fd_gather(const char *src, intp_t stride, intp_t n, int src_code,
                   int dst_f64, void *dst, double scale)
    double fd_log_quotient(double x, double y, double k)

    # discrete: the expected mutual information of AMI (fd_emi.c)
    double fd_emi_pair(long long a, long long b, long long N)
