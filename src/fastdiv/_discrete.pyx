# cython: language_level=3
"""The compiled entry points of the discrete estimators (fastdiv.discrete).

Labels are factorized to codes 0..m-1, counted into contingency tables
(int64, per-thread tables merged in a fixed order), and the measures are
evaluated from the counts; the expected mutual information of AMI comes
from the C core (fd_emi.c).
"""

cimport numpy as cnp
from libc.stdlib cimport malloc, free

from _core cimport fd_log_factorials, fd_emi_pair
from _typedefs cimport count_t

import numpy as np

cnp.import_array()


# ---- expected mutual information (AMI) ---------------------------------------

def expected_mutual_information(const count_t[::1] a, const count_t[::1] b, int nthreads=1):
    """The expected mutual information, in nats, of two labelings of N
    samples with class sizes ``a`` and ``b`` (positive, equal sums N) under
    the hypergeometric model of adjusted mutual information."""
    cdef Py_ssize_t i, j
    cdef count_t N = 0
    cdef double s = 0.0
    cdef double *lf
    for i in range(a.shape[0]):
        N += a[i]
    lf = <double *>malloc((N + 1) * sizeof(double))
    if lf == NULL:
        raise MemoryError()
    try:
        with nogil:
            fd_log_factorials(N, lf)
            for i in range(a.shape[0]):
                for j in range(b.shape[0]):
                    s += fd_emi_pair(a[i], b[j], N, lf)
    finally:
        free(lf)
    return s
