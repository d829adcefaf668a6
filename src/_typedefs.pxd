# Types shared by every Cython module of fastdiv: the index type of the C
# core and NumPy, and the fused element types the kernels take.
from numpy cimport npy_intp

# Indices, lengths and strides (fd_intp == Py_ssize_t == npy_intp).
ctypedef npy_intp intp_t

# The floating types read without copies (float32 is accumulated in float64).
ctypedef fused floating:
    float
    double

# Labels and counts of the discrete and binning families.
ctypedef fused label_t:
    signed char
    short
    int
    long long

ctypedef long long count_t
