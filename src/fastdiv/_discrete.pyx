# cython: language_level=3
"""The compiled entry points of the discrete estimators (fastdiv.discrete).

Labels are factorized to codes 0..m-1, counted into contingency tables
(int64, per-thread tables merged in a fixed order), and the measures are
evaluated from the counts; the expected mutual information of AMI comes
from the C core (fd_emi.c).
"""

cimport numpy as cnp
from libc.stdlib cimport malloc, free
from cython.parallel cimport prange, parallel

from _core cimport fd_emi_pair
from _openmp cimport omp_get_thread_num
from _typedefs cimport count_t
from fastdiv._rows cimport pairwise_sum

import numpy as np

cnp.import_array()


# ---- expected mutual information (AMI) ---------------------------------------
#
# EMI = sum over pairs of classes (one of each labeling) of fd_emi_pair, the
# hypergeometric expectation of that pair's cell term (fd_emi.c).  The value
# of a pair depends only on the two class sizes, and labelings have many
# classes of one size (random labelings, singletons), so the sum runs over
# the distinct sizes u_i of one labeling and v_j of the other, each pair
# weighted by its multiplicities: sum_i c_i sum_j d_j emi(u_i, v_j).
# The rows i run in parallel; row i's terms are summed pairwise in j order
# into parts[i] and the parts pairwise in i order, so the result does not
# depend on the number of threads.  The rows are those of the labeling with
# more distinct sizes (ties: the lexicographically smaller sizes, then
# multiplicities), and fd_emi_pair is symmetric bit for bit, so
# EMI(a, b) == EMI(b, a) exactly.

# Below this many pairs of distinct sizes, one thread (a pair costs about a
# microsecond, starting a team tens).
cdef Py_ssize_t EMI_PARALLEL_MIN_PAIRS = 512


cdef double emi_row(count_t u, const count_t *v, const cnp.intp_t *d, Py_ssize_t nv,
                    count_t N, double *buf) noexcept nogil:
    """sum_j d[j] emi(u, v[j]) over nv distinct sizes v (IN), with buf (OUT,
    scratch) of nv doubles."""
    cdef Py_ssize_t j
    for j in range(nv):
        buf[j] = <double>d[j] * fd_emi_pair(u, v[j], N)
    return pairwise_sum(buf, nv)


cdef tuple distinct_sizes(const count_t[::1] a):
    """The distinct class sizes of a, ascending, and how many classes have each."""
    u, c = np.unique(np.asarray(a), return_counts=True)
    return np.ascontiguousarray(u, dtype=np.int64), np.ascontiguousarray(c, dtype=np.intp)


def expected_mutual_information(const count_t[::1] a, const count_t[::1] b, int nthreads=1):
    """The expected mutual information, in nats, of two labelings of N
    samples with class sizes ``a`` and ``b`` (positive, equal sums N) under
    the hypergeometric model of adjusted mutual information (the caller
    checks the sizes).  Bit-identical for any ``nthreads``; symmetric in
    (a, b) and invariant to the order of the sizes, bit for bit."""
    cdef Py_ssize_t i, nu, nv
    cdef count_t N
    cdef int nt, tid
    cdef double *bufs
    cdef double total
    if a.shape[0] == 0 or b.shape[0] == 0:
        return 0.0
    u_, c_ = distinct_sizes(a)
    v_, d_ = distinct_sizes(b)
    if (-len(v_), v_.tolist(), d_.tolist()) < (-len(u_), u_.tolist(), c_.tolist()):
        u_, c_, v_, d_ = v_, d_, u_, c_
    cdef const count_t[::1] u = u_
    cdef const count_t[::1] v = v_
    cdef const cnp.intp_t[::1] c = c_
    cdef const cnp.intp_t[::1] d = d_
    cdef double[::1] parts = np.empty(u.shape[0])
    N = int(np.dot(u_, c_))
    nu = u.shape[0]
    nv = v.shape[0]
    nt = nthreads if nu * nv >= EMI_PARALLEL_MIN_PAIRS else 1
    if nt > nu:
        nt = <int>nu
    if nt < 1:
        nt = 1
    bufs = <double *>malloc(nt * nv * sizeof(double))
    if bufs == NULL:
        raise MemoryError()
    try:
        with nogil, parallel(num_threads=nt):
            tid = omp_get_thread_num()
            for i in prange(nu, schedule="dynamic"):
                parts[i] = <double>c[i] * emi_row(u[i], &v[0], &d[0], nv, N,
                                                  bufs + tid * nv)
        with nogil:
            total = pairwise_sum(&parts[0], nu)
    finally:
        free(bufs)
    return total
