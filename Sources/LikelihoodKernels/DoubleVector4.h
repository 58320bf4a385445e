// What the vector kernels of LikelihoodKernels share: the x86 target attributes their copies are
// compiled with, the 4-double vector types and their always-inlined helpers (no vector crosses a
// call, whatever the instruction set, so -Wpsabi's ABI warning does not apply).
#ifndef SDD_DOUBLE_VECTOR4_H
#define SDD_DOUBLE_VECTOR4_H

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SDD_HAVE_X86 1
#define SDD_AVX2_FMA __attribute__((target("avx2,fma")))
#define SDD_AVX512 __attribute__((target("avx2,fma,avx512f,avx512dq,avx512vl")))
#endif

#pragma STDC FP_CONTRACT ON
#pragma clang diagnostic ignored "-Wpsabi"

typedef double v4df __attribute__((vector_size(32)));
typedef int64_t v4di __attribute__((vector_size(32)));
typedef int32_t v4si __attribute__((vector_size(16)));

#define SDD_INLINE static inline __attribute__((always_inline))

SDD_INLINE v4df splat(double x) { return (v4df){x, x, x, x}; }
SDD_INLINE v4df select4(v4di mask, v4df a, v4df b) { return (v4df)(((v4di)a & mask) | ((v4di)b & ~mask)); }
SDD_INLINE int any4(v4di mask) { return (mask[0] | mask[1] | mask[2] | mask[3]) != 0; }
SDD_INLINE double sum4(v4df v) { return (v[0] + v[1]) + (v[2] + v[3]); }
SDD_INLINE v4df load4(const double *p) {
    v4df v;
    memcpy(&v, p, sizeof v);
    return v;
}

#endif
