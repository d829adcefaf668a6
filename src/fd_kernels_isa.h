/*
 * fd_kernels_isa.h -- the kernels of fd_kernels.template.c for both element
 * types under the instruction set FD_ISA, which fd_core.c defines (and
 * compiles under the matching `#pragma GCC target`) before including this.
 * float64 first: the float32 kernels that sum double terms use its chunk sum.
 */
#define FD_T double
#define FD_TS f64
#define FD_DOT 1             /* the float64 instantiation holds dot_tile */
#include "fd_kernels.template.c"
#undef FD_DOT
#undef FD_T
#undef FD_TS

#define FD_T float
#define FD_TS f32
#include "fd_kernels.template.c"
#undef FD_T
#undef FD_TS
