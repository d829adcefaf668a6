# Declarations of the C block kernels (src/fd_kernels.h).  Their contract is
# written at the top of src/fd_block_t.h.
cdef extern from "fd_kernels.h" nogil:
    ctypedef Py_ssize_t fd_intp
    ctypedef void (*fd_blockfn)(const void *p, const void *q, fd_intp n,
                                const double *prm, double *acc) noexcept nogil
    ctypedef struct fd_kernels:
        fd_blockfn stats, lstats, ent, xent, kl, js, tv, hel, lent, lpair
        fd_blockfn ljs, ltv, lhel, fent, fxent, fkl, fhel
        void (*vlog)(const void *x, fd_intp n, void *out) noexcept nogil
        void (*vlogs)(const void *x, fd_intp n, void *out) noexcept nogil
        void (*vlogratio)(const void *x, const void *y, fd_intp n, void *out) noexcept nogil
        void (*vexp)(const void *x, fd_intp n, void *out) noexcept nogil
        int (*neglog)(const void *x, fd_intp n, double *out) noexcept nogil
    ctypedef struct fd_wide_kernels:
        fd_blockfn ent, xent, kl, js, tv, hel
        fd_blockfn rent, rentw, rent_max, rent_lse, rdiv, rdivw, rdiv_max, rdiv_lse
        fd_blockfn rent0, pmax, rdiv0, rdivinf, lpairw

    enum: FD_BLK
    enum: FD_MAXACC
    enum: FD_NISA
    const char *fd_isa_names[]
    enum: FD_W_FP, FD_W_EP, FD_W_FQ, FD_W_EQ, FD_W_CM, FD_W_ALPHA, FD_W_KC, FD_W_M, FD_W_A
    const fd_wide_kernels fd_wide_table[2]
    double fd_logratio_wk_f64(double x, double y, double kadd)
    int fd_isa_current
    int fd_isa_supported(int isa)
    int fd_set_isa(int isa)
    int fd_select_isa()
    const fd_kernels *fd_get_kernels(int is_f64)
    double fd_pairwise(const double *a, fd_intp n)
    void fd_prefetch(const char *p, fd_intp nbytes)
    void fd_gather(const char *src, fd_intp stride, fd_intp n, int src_code,
                   int dst_f64, void *dst, double scale)
