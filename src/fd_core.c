/*
 * fd_core.c -- fastdiv's C core, compiled once into the static library
 * libfastdiv_core (setup.py) and linked into every extension; the interface
 * is fd_core.h.
 *
 * The block kernels of fd_kernels.template.c are instantiated here for
 * float64 and float32, and on x86-64 with GCC three times: for the x86-64
 * baseline (SSE2), for AVX2+FMA and for AVX-512, each under
 * `#pragma GCC target`.  fd_select_isa() picks the best one the CPU (and
 * OS) supports when an extension loads, and fd_set_isa() lets tests force
 * another.  Elsewhere only the baseline is built.  No -march flag is needed,
 * so one binary runs on any x86-64.  Within one ISA the arithmetic is fixed
 * by the source, so results do not depend on the number of threads; FMA
 * contraction may make different ISAs differ in the last bits.
 *
 * Each extension links its own copy of this library (static linking), so
 * each holds its own current instruction set; every copy selects the same
 * one at load (the same CPU, the same FASTDIV_ISA), and the test hook
 * fastdiv._config.set_isa sets it in every extension.
 */
#include <stdint.h>
#include <string.h>
#include <math.h>
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

#include "fd_core.h"
#include "fd_math.h"

#ifndef FD_AHEAD
#define FD_AHEAD 4096        /* prefetch distance of first passes, bytes */
#endif

/* The 16 lanes of the summation order (fd_core.h): GCC vector-extension
   types, which every ISA evaluates lane by lane in the same order. */
#define FD_LANES 16
typedef double fd_v8d __attribute__((vector_size(64)));
typedef int64_t fd_v8l __attribute__((vector_size(64)));
typedef float fd_v8f __attribute__((vector_size(32)));

/* the libm functions of each element type, for the template */
#define FD_SQRT_f64 sqrt
#define FD_FABS_f64 fabs
#define FD_SQRT_f32 sqrtf
#define FD_FABS_f32 fabsf

double fd_pairwise(const double *a, fd_intp n)
{
    if (n <= 0) return 0.0;
    if (n == 1) return a[0];
    if (n == 2) return a[0] + a[1];
    const fd_intp h = n / 2;
    return fd_pairwise(a, h) + fd_pairwise(a + h, n - h);
}

#include "fd_wide.h"

/* ---- instantiation: every instruction set, each for both element types
   (fd_kernels_isa.h) ------------------------------------------------------ */
#define FD_ISA base
#include "fd_kernels_isa.h"
#undef FD_ISA

#ifdef FD_HAVE_DISPATCH
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define FD_ISA avx2
#include "fd_kernels_isa.h"
#undef FD_ISA
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma,avx512f,avx512dq,avx512vl,avx512bw,prefer-vector-width=512")
#define FD_ISA avx512
#include "fd_kernels_isa.h"
#undef FD_ISA
#pragma GCC pop_options
#endif

/* ---- dispatch ----------------------------------------------------------- */
const char *const fd_isa_names[FD_NISA] = {"baseline", "avx2", "avx512"};

/* [isa][0] float32, [isa][1] float64 */
static const fd_kernels *const fd_table[FD_NISA][2] = {
    [FD_ISA_BASELINE] = {&fd_kernels_f32_base, &fd_kernels_f64_base},
#ifdef FD_HAVE_DISPATCH
    [FD_ISA_AVX2] = {&fd_kernels_f32_avx2, &fd_kernels_f64_avx2},
    [FD_ISA_AVX512] = {&fd_kernels_f32_avx512, &fd_kernels_f64_avx512},
#endif
};

static int fd_isa_current = FD_ISA_BASELINE;

int fd_isa_supported(int isa)
{
    if (isa == FD_ISA_BASELINE) return 1;
#ifdef FD_HAVE_DISPATCH
    __builtin_cpu_init();
    if (isa == FD_ISA_AVX2)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (isa == FD_ISA_AVX512)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
            && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
            && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
#endif
    return 0;
}

int fd_set_isa(int isa)
{
    if (isa < 0 || isa >= FD_NISA || !fd_isa_supported(isa)) return -1;
    fd_isa_current = isa;
    return 0;
}

int fd_select_isa(void)
{
    int best = FD_ISA_BASELINE;
    for (int i = 0; i < FD_NISA; i++)
        if (fd_isa_supported(i)) best = i;
    fd_isa_current = best;
    return best;
}

int fd_get_isa(void)
{
    return fd_isa_current;
}

const fd_kernels *fd_get_kernels(int is_f64)
{
    return fd_table[fd_isa_current][is_f64 ? 1 : 0];
}

void fd_prefetch(const char *p, fd_intp nbytes)
{
#if defined(__GNUC__)
    for (fd_intp i = 0; i < nbytes; i += 64) __builtin_prefetch(p + i, 0, 2);
#else
    (void)p; (void)nbytes;
#endif
}

double fd_log_quotient(double x, double y, double k)
{
    return fd_logratio_wk_f64(x, y, k);
}

/* ---- gather: any stride, byte order and float width to a native block --- */
void fd_gather(const char *src, fd_intp stride, fd_intp n, int src_code, int dst_f64,
               void *dst, double scale)
{
    const int s64 = src_code & 1, swap = (src_code >> 1) & 1;
    for (fd_intp i = 0; i < n; i++) {
        const char *e = src + i * stride;
        double v;
        if (s64) {
            uint64_t u;
            memcpy(&u, e, 8);
            if (swap) u = __builtin_bswap64(u);
            v = fd_from64(u);
        } else {
            uint32_t u;
            memcpy(&u, e, 4);
            if (swap) u = __builtin_bswap32(u);
            v = (double)fd_from32(u);
        }
        v *= scale;
        if (dst_f64) ((double *)dst)[i] = v;
        else ((float *)dst)[i] = (float)v;
    }
}
