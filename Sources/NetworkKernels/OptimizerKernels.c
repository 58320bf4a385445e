// Adam's element-wise update, written once with vector types and compiled for any processor and for
// x86-64 with AVX2 + FMA (chosen at run time with the convolution loops' `sdd_vector_current_kernel`).

#include "NetworkKernels.h"

#include <math.h>
#include "FloatVector8.h"

// Lane-wise square root: one vsqrtps (a libm call per lane would keep errno semantics).
SDD_INLINE v8sf sqrt8(v8sf x) {
#if __has_builtin(__builtin_elementwise_sqrt)
    return __builtin_elementwise_sqrt(x);
#else
    v8sf r;
    for (int l = 0; l < 8; l++) r[l] = __builtin_sqrtf(x[l]);
    return r;
#endif
}

SDD_INLINE void adam_body(float *w, const float *g, float *m, float *v, ptrdiff_t n, float beta1, float beta2,
                          float step, float epsilon) {
    const v8sf b1 = splat8(beta1), c1 = splat8(1 - beta1), b2 = splat8(beta2), c2 = splat8(1 - beta2),
               lr = splat8(step), eps = splat8(epsilon);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v8sf gi = load8(g + i);
        v8sf mi = b1 * load8(m + i) + c1 * gi;
        v8sf vi = b2 * load8(v + i) + c2 * (gi * gi);
        store8(m + i, mi);
        store8(v + i, vi);
        store8(w + i, load8(w + i) - lr * mi / (sqrt8(vi) + eps));
    }
    for (; i < n; i++) {
        float gi = g[i];
        float mi = beta1 * m[i] + (1 - beta1) * gi;
        float vi = beta2 * v[i] + (1 - beta2) * (gi * gi);
        m[i] = mi;
        v[i] = vi;
        w[i] -= step * mi / (__builtin_sqrtf(vi) + epsilon);
    }
}

static void adam_portable(float *w, const float *g, float *m, float *v, ptrdiff_t n, float beta1, float beta2,
                          float step, float epsilon) {
    adam_body(w, g, m, v, n, beta1, beta2, step, epsilon);
}

#ifdef SDD_HAVE_X86
SDD_AVX2_FMA static void adam_avx2(float *w, const float *g, float *m, float *v, ptrdiff_t n, float beta1,
                                   float beta2, float step, float epsilon) {
    adam_body(w, g, m, v, n, beta1, beta2, step, epsilon);
}
#endif

void sdd_adam_update(float *w, const float *g, float *m, float *v, ptrdiff_t n, float beta1, float beta2,
                     float step, float epsilon) {
#ifdef SDD_HAVE_X86
    if (sdd_vector_current_kernel() == SDD_VECTOR_AVX2_FMA) {
        adam_avx2(w, g, m, v, n, beta1, beta2, step, epsilon);
        return;
    }
#endif
    adam_portable(w, g, m, v, n, beta1, beta2, step, epsilon);
}
