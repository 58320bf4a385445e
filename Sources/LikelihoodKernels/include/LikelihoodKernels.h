#ifndef SDDCAL_LIKELIHOOD_KERNELS_H
#define SDDCAL_LIKELIHOOD_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// The implementations of the smooth likelihood's per-event loop, each one the same computation up
/// to rounding (fused multiply-adds, the order of the sums over events, log to ≤ 1 ulp).
typedef enum {
    SDD_SMOOTH_PORTABLE = 0,   ///< Plain C vectors of four doubles, any processor (SSE2 on x86-64).
    SDD_SMOOTH_AVX2_FMA = 1,   ///< x86-64 with AVX2 and FMA.
    SDD_SMOOTH_AVX512 = 2,     ///< x86-64 with AVX-512 (F, DQ, VL): the same four lanes, 32 registers.
} sdd_smooth_kernel;

/// The best kernel this processor runs.
sdd_smooth_kernel sdd_smooth_best_kernel(void);
/// The kernel in use (the best unless `sdd_smooth_use_kernel` chose another).
sdd_smooth_kernel sdd_smooth_current_kernel(void);
/// Makes the functions below use `kernel` (tests, benchmarks); one this processor lacks is replaced by
/// the best it has. Not thread-safe: call while no other thread runs these functions.
sdd_smooth_kernel sdd_smooth_use_kernel(sdd_smooth_kernel kernel);

/// A cubic Hermite table (CalibrationRefinement's HermiteTable): per interval i the coefficients
/// c0…c3 of c0 + c1·u + c2·u² + c3·u³ at `coefficients[4i…4i+3]`, u = (x − start)/step − i; outside
/// [start, end] the end node's value and slope continue linearly.
typedef struct {
    double start, step, inverse_step, end;
    double low_value, low_slope, high_value, high_slope;
    const double *coefficients;
    ptrdiff_t count;
} sdd_hermite_table;

/// One line group of one cell (CalibrationRefinement's SmoothCellEvents) at coefficients x.
typedef struct {
    /// Coefficients (o_0, g_0, o_1, g_1, …, q).
    const double *x;
    /// Per knot interval: exp(g_k) and g_{k+1} − g_k.
    const double *gain_base;
    const double *gain_delta;
    /// Per knot interval: the window edges' u and w (lower u, lower w, upper u, upper w).
    const double *edges;
    /// Per channel of the group's range: u, log u′, w, w′/u′.
    const double *terms;
    /// Per event: λ and channel offset.
    const double *lambda;
    const int32_t *channel;
    /// Runs of events in one interval: interval, first, end at runs[r·run_stride + 0, 1, 2].
    const int32_t *runs;
    ptrdiff_t run_count, run_stride;
    /// Every `stride`-th event (indices 0, stride, 2·stride, …).
    ptrdiff_t stride;
} sdd_smooth_group;

/// Sums of one group added by `sdd_smooth_evaluate`: per knot the 2×2 diagonal blocks (4 doubles per
/// knot), the blocks (k, k+1) (4 per knot), the border (2 per knot) and the gradient (2 per knot);
/// the loss, the curvature's gradient and its Hessian entry.
typedef struct {
    double *diagonal, *upper, *border, *gradient;
    double value, curvature_gradient, curvature_hessian;
} sdd_smooth_sums;

/// Which of a group's terms `sdd_smooth_evaluate` adds (SmoothCellLikelihood's two-stage estimate).
typedef enum {
    /// All of them.
    SDD_SMOOTH_ALL_TERMS = 0,
    /// The loss, the knots' gradient and blocks; not the border, the curvature's gradient or its
    /// Hessian entry (a group at a frozen curvature: it informs the knots only).
    SDD_SMOOTH_KNOT_TERMS = 1,
    /// The loss, the curvature's gradient and its Hessian entry only (a group at frozen knots: it
    /// informs the curvature only); the block, border and gradient pointers are not used.
    SDD_SMOOTH_CURVATURE_TERMS = 2,
} sdd_smooth_terms;

/// Adds the group's loss, gradient and Hessian (SmoothCellLikelihood.evaluate), those of `terms`, to
/// `sums`. Returns 0 when an event's window probability is not positive (the loss is then +∞), 1 otherwise.
int sdd_smooth_evaluate(const sdd_hermite_table *log_density, const sdd_hermite_table *cdf,
                        const sdd_smooth_group *group, sdd_smooth_terms terms, sdd_smooth_sums *sums);

/// The group's loss (SmoothCellLikelihood.value), added to `*value`. Returns 0 as above.
int sdd_smooth_value(const sdd_hermite_table *log_density, const sdd_hermite_table *cdf,
                     const sdd_smooth_group *group, double *value);

/// `iterations` EM updates of the fractions `fractions[j]` (j < components) of a binned mixture whose
/// components have the fixed bin probabilities q[j·stride + m] and the bins the counts counts[m]
/// (stride a multiple of 4; bins past the occupied ones padded with zero probabilities and counts):
/// π_j ← π_j·Σ_m q_jm·c_m/(Σ_i π_i q_im) / total, bins with a vanishing mixture adding nothing.
void sdd_mixture_em(const double *q, const double *counts, ptrdiff_t stride, ptrdiff_t components, double total,
                    int iterations, double *fractions);

/// Histogram of calibrated energies: counts[b] += 1 for every event of `group` (its stride ignored:
/// all events) with b = ⌊(E − lower)/width⌋ in [0, bins), E = o(λ) + exp(g(λ))·u[channel] in the
/// event's interval (u: per channel of the group's range). The arithmetic is SmoothNuisanceFit's,
/// unfused, so the bins are the same to the last bit.
void sdd_smooth_histogram(const sdd_smooth_group *group, const double *u, double lower, double width, double *counts,
                          ptrdiff_t bins);

/// out[i] = log(x[i]) for i < n by the kernels' vector logarithm (x > 0 normal; for tests).
void sdd_smooth_log(const double *x, double *out, ptrdiff_t n);

#endif
