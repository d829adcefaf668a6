# Types shared by every Cython module of fastdiv: the index type of the C
# core and NumPy, and the fused element types the kernels take.
from numpy cimport npy_intp

# Indices, lengths and strides (fd_intp == Py_ssize_t == npy_intp).
ctypedef npy_intp intp_t

# The floating types read without copies (float32 is accumulated in float64).
ctypedef fused floating:
    float
    double

# Labels of the discrete family: every integer width, signed and unsigned
# (a label is read as its difference from the smallest label, in unsigned
# arithmetic, which is exact for every type).
ctypedef fused label_t:
    signed char
    short
    int
    long long
    unsigned char
    unsigned short
    unsigned int
    unsigned long long

ctypedef long long count_t
