#ifndef SDDCAL_NETWORK_KERNELS_H
#define SDDCAL_NETWORK_KERNELS_H

#include <stddef.h>

/// The implementations of the convolution loops, each one the same computation (up to the rounding
/// of fused multiply-adds).
typedef enum {
    SDD_VECTOR_PORTABLE = 0,   ///< Plain C vectors, any processor (SSE2 on x86-64, NEON on arm64).
    SDD_VECTOR_AVX2_FMA = 1,   ///< x86-64 with AVX2 and FMA: eight floats per instruction, fused.
} sdd_vector_kernel;

/// The best kernel this processor runs.
sdd_vector_kernel sdd_vector_best_kernel(void);

/// The kernel the functions below use: the best one unless `sdd_vector_use_kernel` chose another.
sdd_vector_kernel sdd_vector_current_kernel(void);

/// Makes the functions below use `kernel` (for tests and benchmarks); a kernel this processor lacks
/// is replaced by the best one it has. Returns the kernel now in use. Not thread-safe: call while no
/// other thread runs these functions.
sdd_vector_kernel sdd_vector_use_kernel(sdd_vector_kernel kernel);

/// One sample of a stride-1 `valid` convolution: out[t·f + k] = bias[k] + Σ_{j<kw, c<cin}
/// w[(j·cin + c)·f + k]·xt[c·length + t + j] for t < out_length, with `xt` the sample in
/// channel-major order (`cin` rows, `length` apart, each at least out_length + kw − 1 long).
void sdd_conv1d_forward_sample(const float *xt, ptrdiff_t length, ptrdiff_t cin, ptrdiff_t kw, ptrdiff_t f,
                               const float *w, const float *bias, float *out, ptrdiff_t out_length);

/// One sample's share of a stride-1 convolution's weight and bias gradients, as lane-wise partial sums
/// (add the 8 lanes of each at the end): for t < 8·blocks, lane t mod 8,
///     acc[((j·cin + c)·f + k)·8 + lane] += xt[c·x_stride + t + j]·gt[k·g_stride + t]
///     bias_acc[k·8 + lane] += gt[k·g_stride + t]
/// with `xt` the input in channel-major order and `gt` the output gradient in filter-major order.
/// Positions past the real outputs must have gt = 0 (and finite xt, up to 8·blocks + kw − 1 per row).
void sdd_conv1d_weight_gradient_sample(const float *xt, ptrdiff_t x_stride, ptrdiff_t cin, ptrdiff_t kw,
                                        ptrdiff_t f, const float *gt, ptrdiff_t g_stride, ptrdiff_t blocks,
                                        float *acc, float *bias_acc);

/// Adam's update of n weights from their gradients g and moments m, v (updated in place):
///     m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²,  w ← w − step·m / (√v + epsilon)
/// with the bias corrections folded into `step` and `epsilon` by the caller.
void sdd_adam_update(float *w, const float *g, float *m, float *v, ptrdiff_t n, float beta1, float beta2,
                     float step, float epsilon);

/// Σ a[i]·b[i] for i < n.
float sdd_dot(const float *a, const float *b, ptrdiff_t n);

/// y[i] += alpha·x[i] for i < n.
void sdd_axpy(float alpha, const float *x, float *y, ptrdiff_t n);

#endif
