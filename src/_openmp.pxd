# OpenMP shim: the package builds and runs without OpenMP (serial kernels).
# Kernels never call omp_set_num_threads; they pass num_threads= to prange,
# resolved by fastdiv._threads.
cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    #define FD_HAVE_OPENMP 1
    #define FD_OPENMP_VERSION _OPENMP
    #else
    #define FD_HAVE_OPENMP 0
    #define FD_OPENMP_VERSION 0
    static inline int omp_get_max_threads(void) { return 1; }
    static inline int omp_get_thread_num(void) { return 0; }
    #endif
    """
    int FD_HAVE_OPENMP
    int FD_OPENMP_VERSION
    int omp_get_max_threads() noexcept nogil
    int omp_get_thread_num() noexcept nogil
