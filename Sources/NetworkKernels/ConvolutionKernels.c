// The inner loops of the CNN's Conv1D layer, written once with vector types and compiled twice: for
// any processor, and for x86-64 with AVX2 and FMA (chosen at run time, so builds need no CPU flags).
// In the AVX2 copy `a + v * w` contracts to one fused multiply-add; the portable copy multiplies and
// adds (a fused call there would be a slow library routine).

#include "NetworkKernels.h"

#include "FloatVector8.h"

SDD_INLINE float sum8(v8sf v) {
    return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]));
}

SDD_INLINE void forward_sample_body(const float *xt, ptrdiff_t length, ptrdiff_t cin, ptrdiff_t kw, ptrdiff_t f,
                                    const float *w, const float *bias, float *out, ptrdiff_t out_length) {
    if (out_length < 8) {
        // Short outputs: plain sums.
        for (ptrdiff_t t = 0; t < out_length; t++)
            for (ptrdiff_t k = 0; k < f; k++) {
                float acc = bias[k];
                for (ptrdiff_t j = 0; j < kw; j++)
                    for (ptrdiff_t c = 0; c < cin; c++) acc += w[(j * cin + c) * f + k] * xt[c * length + t + j];
                out[t * f + k] = acc;
            }
        return;
    }
    ptrdiff_t t0 = 0;
    if (f == 5 && out_length >= 16) {
        // The paper's 5 filters, sixteen positions per pass: ten independent multiply-add chains
        // (enough to cover the FMA latency on two pipes) share each weight broadcast.
        for (; t0 < out_length; t0 += 16) {
            // Overlapping last block: recomputes a few positions identically.
            if (t0 + 16 > out_length) t0 = out_length - 16;
            v8sf a0 = splat8(bias[0]), a1 = splat8(bias[1]), a2 = splat8(bias[2]), a3 = splat8(bias[3]),
                 a4 = splat8(bias[4]);
            v8sf b0 = a0, b1 = a1, b2 = a2, b3 = a3, b4 = a4;
            for (ptrdiff_t c = 0; c < cin; c++) {
                const float *row = xt + c * length + t0;
                const float *wk = w + c * 5;
                for (ptrdiff_t j = 0; j < kw; j++) {
                    v8sf v = load8(row + j), u = load8(row + j + 8);
                    v8sf w0 = splat8(wk[0]), w1 = splat8(wk[1]), w2 = splat8(wk[2]), w3 = splat8(wk[3]),
                         w4 = splat8(wk[4]);
                    a0 = a0 + v * w0; b0 = b0 + u * w0;
                    a1 = a1 + v * w1; b1 = b1 + u * w1;
                    a2 = a2 + v * w2; b2 = b2 + u * w2;
                    a3 = a3 + v * w3; b3 = b3 + u * w3;
                    a4 = a4 + v * w4; b4 = b4 + u * w4;
                    wk += cin * 5;
                }
            }
            for (int i = 0; i < 8; i++) {
                float *o = out + (t0 + i) * 5;
                o[0] = a0[i]; o[1] = a1[i]; o[2] = a2[i]; o[3] = a3[i]; o[4] = a4[i];
                float *p = out + (t0 + 8 + i) * 5;
                p[0] = b0[i]; p[1] = b1[i]; p[2] = b2[i]; p[3] = b3[i]; p[4] = b4[i];
            }
        }
        return;
    }
    for (t0 = 0; t0 < out_length; t0 += 8) {
        // Overlapping last block: recomputes a few positions identically.
        if (t0 + 8 > out_length) t0 = out_length - 8;
        if (f == 5) {
            v8sf a0 = splat8(bias[0]), a1 = splat8(bias[1]), a2 = splat8(bias[2]), a3 = splat8(bias[3]),
                 a4 = splat8(bias[4]);
            for (ptrdiff_t c = 0; c < cin; c++) {
                const float *row = xt + c * length + t0;
                const float *wk = w + c * 5;
                for (ptrdiff_t j = 0; j < kw; j++) {
                    v8sf v = load8(row + j);
                    a0 = a0 + v * splat8(wk[0]);
                    a1 = a1 + v * splat8(wk[1]);
                    a2 = a2 + v * splat8(wk[2]);
                    a3 = a3 + v * splat8(wk[3]);
                    a4 = a4 + v * splat8(wk[4]);
                    wk += cin * 5;
                }
            }
            for (int i = 0; i < 8; i++) {
                float *o = out + (t0 + i) * 5;
                o[0] = a0[i]; o[1] = a1[i]; o[2] = a2[i]; o[3] = a3[i]; o[4] = a4[i];
            }
        } else {
            for (ptrdiff_t k = 0; k < f; k++) {
                v8sf acc = splat8(bias[k]);
                for (ptrdiff_t j = 0; j < kw; j++)
                    for (ptrdiff_t c = 0; c < cin; c++)
                        acc = acc + load8(xt + c * length + t0 + j) * splat8(w[(j * cin + c) * f + k]);
                for (int i = 0; i < 8; i++) out[(t0 + i) * f + k] = acc[i];
            }
        }
    }
}

SDD_INLINE void weight_gradient_sample_body(const float *xt, ptrdiff_t x_stride, ptrdiff_t cin, ptrdiff_t kw,
                                            ptrdiff_t f, const float *gt, ptrdiff_t g_stride, ptrdiff_t blocks,
                                            float *acc, float *bias_acc) {
    for (ptrdiff_t k = 0; k < f; k++) {
        v8sf s = load8(bias_acc + k * 8);
        for (ptrdiff_t b = 0; b < blocks; b++) s = s + load8(gt + k * g_stride + b * 8);
        store8(bias_acc + k * 8, s);
    }
    for (ptrdiff_t c = 0; c < cin; c++) {
        const float *xrow = xt + c * x_stride;
        ptrdiff_t j = 0;
        if (f == 5) {
            // Two kernel taps × the paper's 5 filters: ten lane-wise sums, each gradient row loaded
            // once for both taps.
            for (; j + 2 <= kw; j += 2) {
                float *a = acc + ((j * cin + c) * 5) * 8, *b = acc + (((j + 1) * cin + c) * 5) * 8;
                v8sf a0 = load8(a), a1 = load8(a + 8), a2 = load8(a + 16), a3 = load8(a + 24), a4 = load8(a + 32);
                v8sf b0 = load8(b), b1 = load8(b + 8), b2 = load8(b + 16), b3 = load8(b + 24), b4 = load8(b + 32);
                const float *x0 = xrow + j;
                for (ptrdiff_t t = 0; t < blocks * 8; t += 8) {
                    v8sf u = load8(x0 + t), v = load8(x0 + t + 1), g;
                    g = load8(gt + t);                a0 = a0 + u * g; b0 = b0 + v * g;
                    g = load8(gt + g_stride + t);     a1 = a1 + u * g; b1 = b1 + v * g;
                    g = load8(gt + 2 * g_stride + t); a2 = a2 + u * g; b2 = b2 + v * g;
                    g = load8(gt + 3 * g_stride + t); a3 = a3 + u * g; b3 = b3 + v * g;
                    g = load8(gt + 4 * g_stride + t); a4 = a4 + u * g; b4 = b4 + v * g;
                }
                store8(a, a0); store8(a + 8, a1); store8(a + 16, a2); store8(a + 24, a3); store8(a + 32, a4);
                store8(b, b0); store8(b + 8, b1); store8(b + 16, b2); store8(b + 24, b3); store8(b + 32, b4);
            }
        }
        for (; j < kw; j++)
            for (ptrdiff_t k = 0; k < f; k++) {
                float *a = acc + ((j * cin + c) * f + k) * 8;
                v8sf s = load8(a);
                for (ptrdiff_t t = 0; t < blocks * 8; t += 8) s = s + load8(xrow + j + t) * load8(gt + k * g_stride + t);
                store8(a, s);
            }
    }
}

SDD_INLINE float dot_body(const float *a, const float *b, ptrdiff_t n) {
    // Two accumulators: two independent chains instead of one latency-bound chain.
    v8sf acc = splat8(0), acc2 = splat8(0);
    ptrdiff_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc = acc + load8(a + i) * load8(b + i);
        acc2 = acc2 + load8(a + i + 8) * load8(b + i + 8);
    }
    for (; i + 8 <= n; i += 8) acc = acc + load8(a + i) * load8(b + i);
    float s = sum8(acc + acc2);
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

SDD_INLINE void axpy_body(float alpha, const float *x, float *y, ptrdiff_t n) {
    v8sf va = splat8(alpha);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v8sf v = load8(y + i) + va * load8(x + i);
        memcpy(y + i, &v, sizeof v);
    }
    for (; i < n; i++) y[i] += alpha * x[i];
}

static void forward_sample_portable(const float *xt, ptrdiff_t length, ptrdiff_t cin, ptrdiff_t kw, ptrdiff_t f,
                                    const float *w, const float *bias, float *out, ptrdiff_t out_length) {
    forward_sample_body(xt, length, cin, kw, f, w, bias, out, out_length);
}
static void weight_gradient_sample_portable(const float *xt, ptrdiff_t x_stride, ptrdiff_t cin, ptrdiff_t kw,
                                            ptrdiff_t f, const float *gt, ptrdiff_t g_stride, ptrdiff_t blocks,
                                            float *acc, float *bias_acc) {
    weight_gradient_sample_body(xt, x_stride, cin, kw, f, gt, g_stride, blocks, acc, bias_acc);
}
static float dot_portable(const float *a, const float *b, ptrdiff_t n) { return dot_body(a, b, n); }
static void axpy_portable(float alpha, const float *x, float *y, ptrdiff_t n) { axpy_body(alpha, x, y, n); }

#ifdef SDD_HAVE_X86
SDD_AVX2_FMA static void forward_sample_avx2(const float *xt, ptrdiff_t length, ptrdiff_t cin, ptrdiff_t kw,
                                             ptrdiff_t f, const float *w, const float *bias, float *out,
                                             ptrdiff_t out_length) {
    forward_sample_body(xt, length, cin, kw, f, w, bias, out, out_length);
}
SDD_AVX2_FMA static void weight_gradient_sample_avx2(const float *xt, ptrdiff_t x_stride, ptrdiff_t cin,
                                                     ptrdiff_t kw, ptrdiff_t f, const float *gt, ptrdiff_t g_stride,
                                                     ptrdiff_t blocks, float *acc, float *bias_acc) {
    weight_gradient_sample_body(xt, x_stride, cin, kw, f, gt, g_stride, blocks, acc, bias_acc);
}
SDD_AVX2_FMA static float dot_avx2(const float *a, const float *b, ptrdiff_t n) { return dot_body(a, b, n); }
SDD_AVX2_FMA static void axpy_avx2(float alpha, const float *x, float *y, ptrdiff_t n) { axpy_body(alpha, x, y, n); }
#endif

sdd_vector_kernel sdd_vector_best_kernel(void) {
#ifdef SDD_HAVE_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? SDD_VECTOR_AVX2_FMA
                                                                           : SDD_VECTOR_PORTABLE;
#else
    return SDD_VECTOR_PORTABLE;
#endif
}

// -1 until first use, then the kernel in use (atomic: the layers call from several threads).
static int current = -1;

sdd_vector_kernel sdd_vector_current_kernel(void) {
    int k = __atomic_load_n(&current, __ATOMIC_RELAXED);
    if (k < 0) {
        k = sdd_vector_best_kernel();
        __atomic_store_n(&current, k, __ATOMIC_RELAXED);
    }
    return (sdd_vector_kernel)k;
}

sdd_vector_kernel sdd_vector_use_kernel(sdd_vector_kernel kernel) {
    int k = kernel > sdd_vector_best_kernel() ? sdd_vector_best_kernel() : kernel;
    __atomic_store_n(&current, k, __ATOMIC_RELAXED);
    return (sdd_vector_kernel)k;
}

void sdd_conv1d_forward_sample(const float *xt, ptrdiff_t length, ptrdiff_t cin, ptrdiff_t kw, ptrdiff_t f,
                               const float *w, const float *bias, float *out, ptrdiff_t out_length) {
#ifdef SDD_HAVE_X86
    if (sdd_vector_current_kernel() == SDD_VECTOR_AVX2_FMA) {
        forward_sample_avx2(xt, length, cin, kw, f, w, bias, out, out_length);
        return;
    }
#endif
    forward_sample_portable(xt, length, cin, kw, f, w, bias, out, out_length);
}

void sdd_conv1d_weight_gradient_sample(const float *xt, ptrdiff_t x_stride, ptrdiff_t cin, ptrdiff_t kw,
                                        ptrdiff_t f, const float *gt, ptrdiff_t g_stride, ptrdiff_t blocks,
                                        float *acc, float *bias_acc) {
#ifdef SDD_HAVE_X86
    if (sdd_vector_current_kernel() == SDD_VECTOR_AVX2_FMA) {
        weight_gradient_sample_avx2(xt, x_stride, cin, kw, f, gt, g_stride, blocks, acc, bias_acc);
        return;
    }
#endif
    weight_gradient_sample_portable(xt, x_stride, cin, kw, f, gt, g_stride, blocks, acc, bias_acc);
}

float sdd_dot(const float *a, const float *b, ptrdiff_t n) {
#ifdef SDD_HAVE_X86
    if (sdd_vector_current_kernel() == SDD_VECTOR_AVX2_FMA) return dot_avx2(a, b, n);
#endif
    return dot_portable(a, b, n);
}

void sdd_axpy(float alpha, const float *x, float *y, ptrdiff_t n) {
#ifdef SDD_HAVE_X86
    if (sdd_vector_current_kernel() == SDD_VECTOR_AVX2_FMA) {
        axpy_avx2(alpha, x, y, n);
        return;
    }
#endif
    axpy_portable(alpha, x, y, n);
}
