// What every NetworkKernels file shares: the x86 target attributes its kernel copies are compiled
// with, the 8-float vector type and its always-inlined helpers (no vector crosses a call, whatever
// the instruction set, so -Wpsabi's ABI warning does not apply).
#ifndef SDD_FLOAT_VECTOR8_H
#define SDD_FLOAT_VECTOR8_H

#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SDD_HAVE_X86 1
#define SDD_AVX2_FMA __attribute__((target("avx2,fma")))
#endif

#pragma STDC FP_CONTRACT ON
#pragma clang diagnostic ignored "-Wpsabi"

typedef float v8sf __attribute__((vector_size(32)));

#define SDD_INLINE static inline __attribute__((always_inline))

SDD_INLINE v8sf load8(const float *p) {
    v8sf v;
    memcpy(&v, p, sizeof v);
    return v;
}

SDD_INLINE void store8(float *p, v8sf v) { memcpy(p, &v, sizeof v); }

SDD_INLINE v8sf splat8(float x) { return (v8sf){x, x, x, x, x, x, x, x}; }

#endif
