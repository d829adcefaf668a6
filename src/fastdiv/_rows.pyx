# cython: language_level=3
"""The row driver: turns an N-d batch of rows into calls of the C core's
block kernels (``fd_core.h``), as a measure's row of the table
``fd_measures`` (``fd_measures.c``) names them.  Declared in ``_rows.pxd``
for every Cython module of the package (``_divergence``, ``_tiles``; the
table, binning and neighbour kernels to come); this module is the one that
links the C core, so there is one kernel table and one current instruction
set (the others reach the core through ``kernels``, ``gather`` and
``pairwise_sum``).

* a row is cut into fixed blocks of ``FD_BLK`` elements; each kernel call
  returns one block's partial sums, and a row's partials are combined
  pairwise in block order.  Rows run in parallel (``prange`` over rows) or,
  when there are few long rows, the blocks of a row do.  Either way the same
  partials are combined in the same order, so results are bit-identical for
  every thread count;
* a row whose elements are not contiguous, native-endian and of the compute
  dtype is gathered one block at a time into a per-thread buffer: no input
  is ever copied whole or written to;
* the first pass over a row ("stats") sums it and checks it (non-negative,
  finite, sum rules) at no extra cost; a bad row gets a status code instead
  of a value.  For entropy, cross-entropy, KL and Hellinger the first pass
  also sums the terms on the inputs as they are and normalizes afterwards,
  which is exact algebra; where that would cancel (``onepass``) a second
  pass sums the terms of the normalized row.
"""

cimport numpy as cnp
from libc.stdlib cimport malloc, calloc, free
from libc.math cimport log, sqrt, fabs, isfinite, log1p, frexp, ldexp, INFINITY
from cython.parallel cimport prange, parallel

from _openmp cimport FD_HAVE_OPENMP, omp_get_thread_num
from _core cimport *

cnp.import_array()


# Rows up to this long are prefetched one row ahead (see prefetch_row).
cdef Py_ssize_t PREFETCH_MAX_K = 1 << 14
# The probability kernels take rows whose sums lie in [2^-LIM, 2^LIM]; the
# wide kernels take the rest (see fd_wide.h).
cdef double FAST_LIM64 = ldexp(1.0, 500)
cdef double FAST_LIM32 = ldexp(1.0, 60)
# A sum of finite entries that overflows is taken again with every entry
# scaled by 2^-OVF_SHIFT (exact, but for entries too small to matter).
cdef int OVF_SHIFT = 128
# A one-pass result is used when its normalization correction is at most this
# many times the result (see onepass).
cdef double ONEPASS_AMP = 16.0

cdef void row_ptrs(const Job *J, Py_ssize_t r, const char **rp) noexcept nogil:
    cdef Py_ssize_t off0 = 0, off1 = 0, idx
    cdef int d
    for d in range(J.nd - 1, -1, -1):
        idx = r % J.shape[d]
        r = r // J.shape[d]
        off0 += idx * J.a[0].st[d]
        off1 += idx * J.a[1].st[d]
    rp[0] = J.a[0].data + off0
    rp[1] = (J.a[1].data + off1) if J.nin == 2 else NULL


cdef void run_blocks(const Job *J, const char **rp, fd_blockfn fn, const fd_row *c,
                     const double *scl, Py_ssize_t b0, Py_ssize_t b1, char *buf,
                     double *parts) noexcept nogil:
    """Partials of blocks b0..b1-1 of one row into parts[slot * nb + block];
    input i is multiplied by the power of two scl[i] on the way in."""
    cdef Py_ssize_t b, n, j
    cdef int i
    cdef const void *ptr[2]
    cdef double acc[FD_MAXACC]
    cdef const char *src
    for b in range(b0, b1):
        n = J.K - b * FD_BLK
        if n > FD_BLK:
            n = FD_BLK
        ptr[1] = NULL
        for i in range(J.nin):
            src = rp[i] + b * FD_BLK * J.a[i].kstride
            if J.a[i].direct and scl[i] == 1.0:
                ptr[i] = src
            else:
                fd_gather(src, J.a[i].kstride, n, J.a[i].code, J.f64, buf + i * FD_BLK * 8,
                          scl[i])
                ptr[i] = buf + i * FD_BLK * 8
        for j in range(FD_MAXACC):
            acc[j] = 0.0
        fn(ptr[0], ptr[1], n, c, acc)
        for j in range(FD_MAXACC):
            parts[j * J.nb + b] = acc[j]


cdef void phase(const Job *J, const char **rp, fd_blockfn fn, const fd_row *c,
                const double *scl, unsigned maxmask, double *res, char *buf, double *parts,
                int nthreads) noexcept nogil:
    """One pass over a row: block partials, then combined in a fixed order
    (pairwise sums; max for the slots in maxmask)."""
    cdef Py_ssize_t b
    cdef int j, tid
    cdef double m
    if J.nb == 1:               # one block: its partials are the results
        run_blocks(J, rp, fn, c, scl, 0, 1, buf, res)
        return
    if nthreads > 1 and J.nb > 1:
        with parallel(num_threads=nthreads):
            tid = omp_get_thread_num()
            for b in prange(J.nb, schedule="static"):
                run_blocks(J, rp, fn, c, scl, b, b + 1, J.bufs + tid * buf_bytes(), parts)
    else:
        run_blocks(J, rp, fn, c, scl, 0, J.nb, buf, parts)
    for j in range(FD_MAXACC):
        if maxmask & (1u << j):
            m = parts[j * J.nb]
            for b in range(1, J.nb):
                if parts[j * J.nb + b] > m:
                    m = parts[j * J.nb + b]
            res[j] = m
        else:
            res[j] = fd_pairwise(parts + j * J.nb, J.nb)


cdef inline int check_sum(const Job *J, double S, double neg, int ex, int i) noexcept nogil:
    """Status of input i from its sum S (times 2^ex, see resum_overflow)
    and its negative flag."""
    cdef int base = ROW_STATUS_STRIDE * i
    if not isfinite(S):
        return base + ROW_NONFINITE
    if neg > 0:
        return base + ROW_NEGATIVE
    if J.normalize:
        if S == 0:
            return base + ROW_ZEROSUM
    elif ex != 0 or fabs(S - 1.0) > J.tol[i]:
        return base + ROW_SUMOFF
    return 0


cdef void resum_overflow(const Job *J, const char **rp, char *buf, double *parts,
                         int nthreads, double *S, int *ex) noexcept nogil:
    """For each input whose sum S[i] is not finite: sum it again with its
    entries scaled by 2^-OVF_SHIFT.  Finite entries whose sum overflowed
    then give a finite S[i] (and ex[i] = OVF_SHIFT: the sum is S[i] 2^ex[i]);
    a NaN or infinite entry leaves S[i] non-finite."""
    cdef fd_row c
    cdef double scl[2]
    cdef double res[FD_MAXACC]
    cdef int i
    new_row(&c)
    for i in range(2):
        scl[i] = 1.0 if (i >= J.nin or isfinite(S[i])) else ldexp(1.0, -OVF_SHIFT)
    phase(J, rp, J.k.block[FD_K_STATS], &c, scl, 0, res, buf, parts, nthreads)
    for i in range(J.nin):
        if scl[i] != 1.0 and isfinite(res[FD_ACC_Q if i else FD_ACC_P]):
            S[i] = res[FD_ACC_Q if i else FD_ACC_P]
            ex[i] = OVF_SHIFT


cdef inline bint in_range(const Job *J, double S) noexcept nogil:
    """S lies in [2^-e, 2^e] (e = 500 for float64 kernels, 60 for float32),
    the range of sums the probability kernels take."""
    cdef double lim = FAST_LIM64 if J.f64 else FAST_LIM32
    return S * lim >= 1.0 and S <= lim


cdef double logit_mean_wide(const Job *J, const char **rp, char *buf, double *parts,
                            int nthreads, double mp, double mq, bint xent) noexcept nogil:
    """sum e^wp (-wq) / Sp (xent) or sum e^wp (wp - wq) / Sp of logits,
    times J.scale (the caller's base), in double without intermediate
    overflow (fd_kernels.template.c, lpairw): +-inf only where the value exceeds
    DBL_MAX."""
    cdef fd_row c
    cdef double res[FD_MAXACC]
    cdef double one[2]
    cdef int s = 1
    one[0] = one[1] = 1.0
    new_row(&c)
    while (<Py_ssize_t>1 << s) < J.K and s < 62:
        s += 1
    c.mp = mp
    c.mq = mq
    c.shift = s
    phase(J, rp, J.k.block[FD_K_LPAIRW], &c, one, 0, res, buf, parts, nthreads)
    return ldexp((res[2] if xent else res[3]) / res[0] * J.scale, s + 1)


cdef int row_logits(const Job *J, const char **rp, char *buf, double *parts,
                    int nthreads, double *out) noexcept nogil:
    """The row's value from logits, in the form its descriptor names."""
    cdef fd_row rc
    new_row(&rc)
    cdef double res[FD_MAXACC]
    cdef double v, c, S, Sp, Sq
    cdef int form = J.d.logit_form
    cdef double one[2]
    one[0] = one[1] = 1.0
    # the maxima combine by max, the flags by sum
    phase(J, rp, J.k.block[FD_K_LSTATS], &rc, one, (1u << FD_ACC_P) | (1u << FD_ACC_Q), res,
          buf, parts, nthreads)
    if res[FD_ACC_P_BAD] > 0:
        return ROW_NONFINITE
    if J.nin == 2 and res[FD_ACC_Q_BAD] > 0:
        return ROW_STATUS_STRIDE + ROW_NONFINITE
    rc.mp = res[FD_ACC_P]
    rc.mq = res[FD_ACC_Q]
    if form == FD_LG_ENTROPY:
        phase(J, rp, J.k.block[FD_K_LENT], &rc, one, 0, res, buf, parts, nthreads)
        S = res[0]
        out[0] = finish_terms(J, log(S) + res[1] / S)
        return 0
    phase(J, rp, J.k.block[FD_K_LPAIR], &rc, one, 0, res, buf, parts, nthreads)
    Sp = res[0]
    Sq = res[1]
    if form == FD_LG_CROSS_ENTROPY or form == FD_LG_KL:
        v = (res[2] if form == FD_LG_CROSS_ENTROPY else res[3]) / Sp
        c = log(Sq) if form == FD_LG_CROSS_ENTROPY else log(Sq) - log(Sp)
        if isfinite(v):
            out[0] = finish_terms(J, v + c)
        else:
            # a term or its sum overflowed (float32 differences, spreads
            # beyond DBL_MAX): again in double, halved and scaled, and in
            # the caller's base, which overflows only where the value does
            # (a value past DBL_MAX in nats may fit in base 10)
            v = logit_mean_wide(J, rp, buf, parts, nthreads, rc.mp, rc.mq,
                                form == FD_LG_CROSS_ENTROPY)
            out[0] = v + c * J.scale
    else:
        # (FD_LG_TERMS) the maxima stay in rc: the kernels form (z - max) - log S
        rc.lp = log(Sp)
        rc.lq = log(Sq)
        phase(J, rp, J.k.block[J.d.logit_terms], &rc, one, 0, res, buf, parts, nthreads)
        out[0] = finish_terms(J, res[0])
    return 0


cdef void prefetch_row(const Job *J, Py_ssize_t r) noexcept nogil:
    """Hint the caches to fetch row r (when it exists, is read in place and
    is short enough to stay in cache until its turn)."""
    cdef const char *rp[2]
    cdef int i
    if r >= J.R or J.K > PREFETCH_MAX_K:
        return
    row_ptrs(J, r, rp)
    for i in range(J.nin):
        if J.a[i].direct:
            fd_prefetch(rp[i], J.K * J.a[i].kstride)


cdef void next_row_delta(const Job *J, Py_ssize_t r, const char **rp, fd_row *c) noexcept nogil:
    """c.ahead_p, c.ahead_q = bytes from each input's current row rp[i] to
    its row r, for the prefetch hints of the tv kernel (0 where there is no
    such row or the input is gathered)."""
    cdef const char *nx[2]
    c.ahead_p = c.ahead_q = 0
    if r >= J.R or J.K > PREFETCH_MAX_K:
        return
    row_ptrs(J, r, nx)
    if J.a[0].direct:
        c.ahead_p = nx[0] - rp[0]
    if J.nin == 2 and J.a[1].direct:
        c.ahead_q = nx[1] - rp[1]


cdef int onepass(const Job *J, const double *res, double *out) noexcept nogil:
    """The row's value from the sums of a one-pass kernel (slots
    fd_acc_slot: Sp, Sq, T and V), where that is as accurate as the
    two passes (normalize, then sum the terms); else 0 and nothing written.

    With pn = p / Sp and qn = q / Sq, normalizing afterwards is algebra:
      entropy        -sum pn log pn     = T / Sp + log Sp,     T = -sum p log p
      cross-entropy  -sum pn log qn     = T / Sp + log Sq,     T = -sum p log q
      KL             sum pn log(pn/qn)  = T / Sp + log(Sq/Sp), T = sum p log(p/q)
      Hellinger      sum (sqrt p - sqrt(q r))^2 = T - 2 e V + e^2 Sq,
                     r = Sp / Sq = (1 + e)^2                (then times 1/Sp).
    The rounding error of the raw terms and of the correction (log Sp,
    log Sq, log(Sq/Sp); the e parts) is ~eps times their magnitudes, which
    can exceed the result when they cancel: a row whose correction is
    larger than ONEPASS_AMP times its value (a peaked distribution of large
    counts; p and q on different scales, such as p = 2 q, whose exact 0 the
    two-pass kernels keep) goes the two-pass way.  Otherwise the error stays
    within ~2 * ONEPASS_AMP eps of the sum of |terms| (the bound the tests
    hold both paths to is 1e-13).  The caller passes only rows whose sums
    are in range (in_range)."""
    cdef int form = J.d.onepass_form
    cdef double Sp = res[FD_ACC_P], Sq = res[FD_ACC_Q], T = res[FD_ACC_TERMS], c, d, e, v
    if not J.normalize:
        Sp = Sq = 1.0           # what the two-pass kernels use: T is the value
    elif not in_range(J, Sp) or (J.nin == 2 and not in_range(J, Sq)):
        return 0
    if form == FD_OP_HELLINGER:
        d = (Sp - Sq) / Sq      # r - 1, exact difference for close sums
        e = d / (sqrt(1.0 + d) + 1.0) if fabs(d) < 0.5 else sqrt(Sp / Sq) - 1.0
        v = T - 2.0 * e * res[FD_ACC_TERMS2] + e * e * Sq
        if not (T + 2.0 * fabs(e) * sqrt(T * Sq) + e * e * Sq <= ONEPASS_AMP * v):
            return 0
        out[0] = finish_terms(J, v * (1.0 / Sp))
        return 1
    if form == FD_OP_LOG_SP:
        c = log(Sp)
    elif form == FD_OP_LOG_SQ:
        c = log(Sq)
    else:                       # FD_OP_LOG_RATIO
        d = (Sq - Sp) / Sp      # the difference is exact for close sums
        c = log1p(d) if fabs(d) < 0.5 else log(Sq / Sp)
    v = T / Sp + c
    if not (fabs(c) <= ONEPASS_AMP * v):
        return 0                # also v <= 0 (then c != 0) and v NaN
    if J.d.finish == FD_FIN_ENTROPY:
        out[0] = entropy_out(J, v)
        return 1
    out[0] = v * J.scale
    return 1


cdef void wide_row(const Job *J, const double *S, const int *ex, bint fast,
                   fd_row *c) noexcept nogil:
    """The wide kernels' row constants (fd_wide.h) from the sums
    S[i] 2^ex[i]; with normalize=False the sums are taken as 1, as by the
    probability kernels."""
    cdef int e[2]
    cdef double f[2]
    cdef int i
    new_row(c)
    for i in range(2):
        if J.normalize:
            f[i] = frexp(S[i], &e[i])
            e[i] += ex[i]
        else:
            f[i] = 0.5
            e[i] = 1
    c.fp = f[0]
    c.ep = e[0]
    c.fq = f[1]
    c.eq = e[1]
    c.wcm = f[1] / f[0]
    c.kc = e[1] - e[0]
    c.alpha = J.alpha
    if fast:
        c.wa = 1.0 / S[0] if J.normalize else 1.0


cdef double renyi_log_sum(const Job *J, const char **rp, char *buf, double *parts,
                          int nthreads, fd_row *c, fd_blockfn first, fd_blockfn tmax,
                          fd_blockfn lse, double mass) noexcept nogil:
    """L = log sum pn^a qn^(1-a) (entropy: log sum pn^a) for a finite order a
    other than 0 and 1 (fd_wide.h, FD_W_RENYI_TERMS): log1p of the first
    pass's sum pn expm1(e) while that is >= -1/2 (it stays accurate as
    a -> 1, where the direct sum cancels against 1); else the log of its
    direct sum of the terms, while that neither overflowed nor came near
    underflow (at >= 1e-200, terms that underflow change it by < 1e-89
    relative); else, in two more passes, a log-sum-exp shifted by the
    largest log-term M.  +inf where some p > 0 = q with a > 1 (M = +inf);
    -inf where no term is left (disjoint supports with a < 1).

    With normalize=False the kernels take p as given and ``mass`` is its sum
    (1 within the sum tolerance): L is then log(sum p^a q^(1-a) / mass), so
    that the measure tends to KL (Shannon) as a -> 1 instead of dividing the
    sum's rounding by a - 1 (the first pass sums p expm1(e) = p^a q^(1-a) -
    p).  With normalize=True mass is 1 and nothing changes."""
    cdef double res[FD_MAXACC]
    cdef double M
    cdef double one[2]
    one[0] = one[1] = 1.0
    phase(J, rp, first, c, one, 0, res, buf, parts, nthreads)
    if isfinite(res[0]) and res[0] >= -0.5:
        return log1p(res[0] / mass)
    if isfinite(res[1]) and res[1] >= 1e-200:
        return log(res[1]) - log(mass)
    phase(J, rp, tmax, c, one, 1, res, buf, parts, nthreads)
    M = res[0]
    if M == INFINITY or M == -INFINITY:
        return M
    c.M = M
    phase(J, rp, lse, c, one, 0, res, buf, parts, nthreads)
    return (M + log(res[0])) - log(mass)


cdef int row_renyi(const Job *J, const char **rp, char *buf, double *parts, int nthreads,
                   double *out, const double *S, const int *ex, bint fast) noexcept nogil:
    """A Renyi measure of order alpha != 1 with the wide kernels its
    descriptor names (Renyi entropy: one input)."""
    cdef fd_row c
    cdef double res[FD_MAXACC]
    cdef double v, alpha = J.alpha
    cdef double scl[2]
    cdef const fd_measure *D = J.d
    cdef const fd_blockfn *k = J.k.block
    wide_row(J, S, ex, fast, &c)
    scl[0] = scl[1] = 1.0
    if D.nin == 1:
        if alpha == 0.0:
            phase(J, rp, k[D.renyi_zero], &c, scl, 0, res, buf, parts, nthreads)
            v = log(res[0])
        elif alpha == INFINITY:
            phase(J, rp, k[D.renyi_inf], &c, scl, 1, res, buf, parts, nthreads)
            v = -fd_log_quotient(res[0], c.fp, -c.ep)
        else:
            v = renyi_log_sum(J, rp, buf, parts, nthreads, &c,
                              k[D.renyi] if fast else k[D.renyi_wide],
                              k[D.renyi_max], k[D.renyi_lse],
                              1.0 if J.normalize else S[0]) / (1.0 - alpha)
        out[0] = entropy_out(J, v)
        return 0
    if alpha == 0.0:
        # sum of q where p > 0, over q as the stats pass summed it (scaled
        # alike where that sum overflowed), so that it is S[1] exactly when
        # the supports agree
        if ex[1]:
            scl[1] = ldexp(1.0, -ex[1])
        phase(J, rp, k[D.renyi_zero], &c, scl, 0, res, buf, parts, nthreads)
        # -log(sum / Sq): the quotient could underflow (tiny q where p > 0)
        if res[0] == 0.0:
            v = INFINITY
        else:
            v = fd_log_quotient(S[1] if J.normalize else 1.0, res[0], 0.0)
    elif alpha == INFINITY:
        phase(J, rp, k[D.renyi_inf], &c, scl, 1, res, buf, parts, nthreads)
        v = res[0]
    else:
        v = renyi_log_sum(J, rp, buf, parts, nthreads, &c,
                          k[D.renyi] if fast else k[D.renyi_wide],
                          k[D.renyi_max], k[D.renyi_lse],
                          1.0 if J.normalize else S[0]) / (alpha - 1.0)
    out[0] = (v if v > 0.0 else 0.0) * J.scale
    return 0


cdef int row_wide(const Job *J, const char **rp, char *buf, double *parts, int nthreads,
                  double *out, const double *S, const int *ex) noexcept nogil:
    """Entropy, cross-entropy, KL, JS, TV or Hellinger of a row whose sums
    are outside the probability kernels' range, with the wide kernels."""
    cdef fd_row c
    cdef double res[FD_MAXACC]
    cdef double one[2]
    one[0] = one[1] = 1.0
    wide_row(J, S, ex, 0, &c)
    phase(J, rp, J.k.block[J.d.wide], &c, one, 0, res, buf, parts, nthreads)
    out[0] = finish_terms(J, res[0])
    return 0


cdef int row_probs(const Job *J, const char **rp, char *buf, double *parts,
                   int nthreads, double *out, Py_ssize_t r) noexcept nogil:
    """The row's value from probabilities (or weights), by the kernels its
    descriptor names: one pass where that is exact, else two."""
    cdef fd_row rc
    new_row(&rc)
    cdef double res[FD_MAXACC]
    cdef double S[2]
    cdef int ex[2]
    cdef const fd_measure *D = J.d
    cdef int st
    cdef bint fast
    cdef double one[2]
    one[0] = one[1] = 1.0
    # The first pass sums and checks the row; for some measures it also sums
    # the terms on the raw inputs, and that may already give the value.
    phase(J, rp, J.k.block[D.onepass if D.onepass != FD_K_NONE else FD_K_STATS], &rc, one,
          0, res, buf, parts, nthreads)
    S[0] = res[FD_ACC_P]
    S[1] = res[FD_ACC_Q] if J.nin == 2 else 1.0
    ex[0] = ex[1] = 0
    if not (isfinite(S[0]) and isfinite(S[1])):
        resum_overflow(J, rp, buf, parts, nthreads, S, ex)
    st = check_sum(J, S[0], res[FD_ACC_P_BAD], ex[0], 0)
    if st == 0 and J.nin == 2:
        st = check_sum(J, S[1], res[FD_ACC_Q_BAD], ex[1], 1)
    if st:
        return st
    # The probability kernels take sums in range; the wide ones the rest.
    fast = ex[0] == 0 and ex[1] == 0 and in_range(J, S[0]) and in_range(J, S[1])
    if D.onepass != FD_K_NONE and fast and onepass(J, res, out):
        return 0
    if D.renyi != FD_K_NONE:      # Renyi of order != 1 (order 1 has KL's row)
        return row_renyi(J, rp, buf, parts, nthreads, out, S, ex, fast)
    if not fast:
        return row_wide(J, rp, buf, parts, nthreads, out, S, ex)
    return row_terms(J, rp, S, buf, parts, nthreads, out, r)


cdef int row_terms(const Job *J, const char **rp, const double *S, char *buf, double *parts,
                   int nthreads, double *out, Py_ssize_t r) noexcept nogil:
    """The second pass of row_probs: the measure's terms over the
    normalized rows whose sums S[0], S[1] the first pass found in range
    (in_range, no overflow), finished as the descriptor says.  r is the
    job's row, for the prefetch hints (none when r + 1 >= J.R)."""
    cdef fd_row rc
    cdef double res[FD_MAXACC]
    cdef double Sp, Sq, c, v
    cdef const fd_measure *D = J.d
    cdef int e
    cdef double one[2]
    one[0] = one[1] = 1.0
    new_row(&rc)
    if nthreads == 1:
        # this row is now in cache; while the next pass computes on it, let
        # the memory system fetch the row this thread takes next: TV's pass
        # interleaves the hints with its work, the others hint at once
        if D.terms == FD_K_TV:
            next_row_delta(J, r + 1, rp, &rc)
        else:
            prefetch_row(J, r + 1)
    if J.normalize:
        Sp = S[0]
        Sq = S[1]
        c = frexp(Sq / Sp, &e)
        rc.a = 1.0 / Sp
        rc.cm = 2.0 * c         # Sq / Sp = cm 2^ck, cm in [1, 2)
        rc.ck = e - 1
        rc.Sp = Sp
        rc.Sq = Sq
        rc.r = Sp / Sq
    else:
        rc.a = rc.cm = rc.Sp = rc.Sq = rc.r = 1.0
    phase(J, rp, J.k.block[D.terms], &rc, one, 0, res, buf, parts, nthreads)
    v = res[0]
    if D.terms_scaled:
        v = v * rc.a            # terms over (p, q r): times 1/Sp
    out[0] = finish_terms(J, v)
    return 0


cdef int row_check(const Job *J, Py_ssize_t r, int tid, double *S, bint *fast) noexcept nogil:
    """The first pass of a one-input job's row r, as row_probs (row_logits)
    takes it: the row's status (ROW_*, input 0), and its sum S with fast
    set when the probability kernels take it (in range, no overflow), so
    that row_terms can pair it with any other such row."""
    cdef const char *rp[2]
    cdef fd_row c
    cdef double res[FD_MAXACC]
    cdef double Ss[2]
    cdef int ex[2]
    cdef int st
    cdef char *buf = J.bufs + tid * buf_bytes()
    cdef double *parts = J.parts + tid * J.pstride
    cdef double one[2]
    one[0] = one[1] = 1.0
    new_row(&c)
    row_ptrs(J, r, rp)
    S[0] = 1.0
    fast[0] = 0
    if J.logits:
        phase(J, rp, J.k.block[FD_K_LSTATS], &c, one, (1u << FD_ACC_P) | (1u << FD_ACC_Q),
              res, buf, parts, 1)
        return ROW_NONFINITE if res[FD_ACC_P_BAD] > 0 else 0
    phase(J, rp, J.k.block[FD_K_STATS], &c, one, 0, res, buf, parts, 1)
    Ss[0] = res[FD_ACC_P]
    Ss[1] = 1.0
    ex[0] = ex[1] = 0
    if not isfinite(Ss[0]):
        resum_overflow(J, rp, buf, parts, 1, Ss, ex)
    st = check_sum(J, Ss[0], res[FD_ACC_P_BAD], ex[0], 0)
    S[0] = Ss[0]
    fast[0] = st == 0 and ex[0] == 0 and in_range(J, Ss[0])
    return st


cdef int do_row(const Job *J, Py_ssize_t r, int tid, int nthreads, double *out) noexcept nogil:
    cdef const char *rp[2]
    cdef char *buf = J.bufs + tid * buf_bytes()
    cdef double *parts = J.parts + tid * J.pstride
    row_ptrs(J, r, rp)
    if J.logits:
        return row_logits(J, rp, buf, parts, nthreads, out + r)
    return row_probs(J, rp, buf, parts, nthreads, out + r, r)


cdef int setup_arg(Job *J, int i, cnp.ndarray A) except -1:
    cdef int d, nd = cnp.PyArray_NDIM(A)
    cdef cnp.npy_intp *strides = cnp.PyArray_STRIDES(A)
    dt = A.dtype
    if dt.kind != "f" or dt.itemsize not in (4, 8):
        raise TypeError("internal: kernels take float32 or float64")
    J.a[i].data = <const char *>cnp.PyArray_DATA(A)
    J.a[i].kstride = strides[nd - 1]
    J.a[i].code = (1 if dt.itemsize == 8 else 0) | ((0 if dt.isnative else 1) << 1)
    for d in range(nd - 1):
        J.a[i].st[d] = strides[d]
    return 0


cdef int init_job(Job *J, cnp.ndarray P, object Q) except -1:
    """Rows, support, inputs and compute dtype of a call: P (and Q, or None)
    are float32/float64 arrays of one shape whose last axis is the support."""
    cdef cnp.ndarray QA
    cdef int d, i, nd = cnp.PyArray_NDIM(P)
    if nd < 1 or nd > 64:
        raise ValueError("internal: bad dimensions")
    J.nin = 1 if Q is None else 2
    J.nd = nd - 1
    J.R = 1
    for d in range(nd - 1):
        J.shape[d] = P.shape[d]
        J.R *= P.shape[d]
    J.K = P.shape[nd - 1]
    if J.K < 1:
        raise ValueError("internal: empty support")
    J.nb = (J.K + FD_BLK - 1) // FD_BLK
    setup_arg(J, 0, P)
    if J.nin == 2:
        QA = Q
        if cnp.PyArray_NDIM(QA) != nd:
            raise ValueError("internal: shapes differ")
        for d in range(nd):
            if cnp.PyArray_DIMS(QA)[d] != cnp.PyArray_DIMS(P)[d]:
                raise ValueError("internal: shapes differ")
        setup_arg(J, 1, QA)
    else:
        J.a[1] = J.a[0]
    J.f64 = (J.a[0].code & 1) | (J.a[1].code & 1)
    for i in range(2):
        J.a[i].direct = ((J.a[i].code & 1) == J.f64 and (J.a[i].code & 2) == 0
                         and J.a[i].kstride == (8 if J.f64 else 4))
    J.k = fd_get_kernels(J.f64)
    J.bufs = NULL
    J.parts = NULL
    J.status = NULL
    return 0


cdef void set_params(Job *J, const fd_measure *d, bint normalize, bint logits, double tolp,
                     double tolq, double alpha, double scale, double top) noexcept nogil:
    """The measure of a call and its keywords (init_job or the caller has set
    the rows): descriptor, normalize, logits, the normalize=False tolerances,
    alpha, 1 / log(base), and the largest entropy in that base (top)."""
    J.d = d
    J.normalize = normalize
    J.logits = logits
    J.tol[0] = tolp
    J.tol[1] = tolq
    J.alpha = alpha
    J.scale = scale
    J.logK = log(<double>J.K)
    J.top = top


cdef int start_job(Job *J, int nthreads) except -1:
    """Threads for this call (1 for small work or a serial build) and the
    per-thread buffers and per-row statuses; returns the thread count."""
    cdef int nt = nthreads if nthreads > 1 else 1
    if J.R * J.K < PARALLEL_MIN_WORK or not FD_HAVE_OPENMP:
        nt = 1
    J.bufs = <char *>malloc(nt * buf_bytes())
    J.pstride = parts_stride(J.nb)
    J.parts = <double *>malloc(nt * J.pstride * sizeof(double))
    J.status = <unsigned char *>calloc(J.R, 1)
    if J.bufs == NULL or J.parts == NULL or J.status == NULL:
        end_job(J)
        raise MemoryError()
    return nt


cdef void end_job(Job *J) noexcept:
    free(J.bufs)
    free(J.parts)
    free(J.status)
    J.bufs = NULL
    J.parts = NULL
    J.status = NULL


cdef Py_ssize_t first_bad(const Job *J) noexcept:
    cdef Py_ssize_t r
    for r in range(J.R):
        if J.status[r]:
            return r
    return -1


cdef const fd_measure *measure_of(int code, double alpha) except NULL:
    """The row of fd_measures that computes measure ``code`` at order alpha
    (a Renyi measure of order 1 is Shannon's: its ``alpha_one`` row)."""
    cdef const fd_measure *d
    if code < 0 or code >= FD_NMEASURE:
        raise ValueError(f"internal: unknown measure code {code}")
    d = &fd_measures[code]
    if d.renyi != FD_K_NONE and alpha == 1.0:
        d = &fd_measures[d.alpha_one]
    return d


cdef void run_job(Job *J, int nt, double *out) noexcept nogil:
    """Every row of the job into out[r] and J.status[r], on nt threads."""
    cdef Py_ssize_t r
    cdef int tid
    if nt == 1:
        for r in range(J.R):
            J.status[r] = do_row(J, r, 0, 1, out)
    elif J.R >= 2 * nt or J.nb == 1:
        with parallel(num_threads=nt):
            tid = omp_get_thread_num()
            for r in prange(J.R, schedule="static"):
                J.status[r] = do_row(J, r, tid, 1, out)
    else:
        for r in range(J.R):
            J.status[r] = do_row(J, r, 0, nt, out)


cdef int neglog_row(const Job *J, Py_ssize_t r, char *buf, double *out) noexcept nogil:
    """-log of row r into out[r * K:(r + 1) * K]; 1 if an entry is outside [0, 1].
    (A function of its own so that every thread has its own row pointers.)"""
    cdef const char *rp[2]
    cdef const char *src
    cdef const void *ptr
    cdef Py_ssize_t b, n
    cdef int bad = 0
    row_ptrs(J, r, rp)
    for b in range(J.nb):
        n = J.K - b * FD_BLK
        if n > FD_BLK:
            n = FD_BLK
        src = rp[0] + b * FD_BLK * J.a[0].kstride
        if J.a[0].direct:
            ptr = src
        else:
            fd_gather(src, J.a[0].kstride, n, J.a[0].code, J.f64, buf, 1.0)
            ptr = buf
        bad |= J.k.neglog(ptr, n, out + r * J.K + b * FD_BLK)
    return bad


cdef void run_neglog(Job *J, int nt, double *out) noexcept nogil:
    """-log of every row into out, the statuses into J.status, on nt threads."""
    cdef Py_ssize_t r
    cdef int tid
    if nt == 1 or J.R < 2:      # rows are the only unit of parallel work here
        for r in range(J.R):
            J.status[r] = neglog_row(J, r, J.bufs, out)
    else:
        with parallel(num_threads=nt):
            tid = omp_get_thread_num()
            for r in prange(J.R, schedule="static"):
                J.status[r] = neglog_row(J, r, J.bufs + tid * buf_bytes(), out)


# ---- the C core, for the other modules (which do not link it) ---------------

cdef const fd_kernels *kernels(int is_f64) noexcept nogil:
    return fd_get_kernels(is_f64)


cdef void gather(const char *src, Py_ssize_t stride, Py_ssize_t n, int src_code,
                 double *dst) noexcept nogil:
    """n elements of any stride, width and byte order (an Arg's code) into
    float64 dst."""
    fd_gather(src, stride, n, src_code, 1, dst, 1.0)


cdef double pairwise_sum(const double *a, Py_ssize_t n) noexcept nogil:
    """The package's pairwise sum of a[0..n)."""
    return fd_pairwise(a, n)


cdef double log_quotient(double x, double y, double k) noexcept nogil:
    """log(x 2^k / y) for any finite x, y > 0 and integral k, without
    forming the quotient (nothing overflows or underflows)."""
    return fd_log_quotient(x, y, k)


cdef int isa_count() noexcept nogil:
    return FD_NISA


cdef const char *isa_name(int isa) noexcept nogil:
    return fd_isa_names[isa]


cdef int isa_supported(int isa) noexcept nogil:
    return fd_isa_supported(isa)


cdef int set_isa(int isa) noexcept nogil:
    return fd_set_isa(isa)


cdef int get_isa() noexcept nogil:
    return fd_get_isa()


fd_select_isa()
