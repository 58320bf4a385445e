#ifndef SDDCAL_PEAK_KERNELS_H
#define SDDCAL_PEAK_KERNELS_H

#include <stddef.h>

/// Local maxima of `x[0..<n]` with SciPy's `find_peaks` semantics: a sample, or a run of equal
/// samples (plateau), whose neighbours on both sides are strictly lower; first and last samples
/// never count. The middle index of each maximum (rounded down) is written to `peaks`, in
/// increasing order, and their number is returned.
///
/// `peaks` must hold at least `(n + 1) / 2 + 16` elements: maxima (and the candidates the kernel
/// writes before checking them) are at least two samples apart, and the vector path stores whole
/// vectors past the count. `*all_finite` is set to 1 when every sample is finite, else 0; the
/// maxima mean nothing then. Uses AVX-512 when the processor has it, else the portable kernel.
ptrdiff_t sdd_local_maxima(const double *x, ptrdiff_t n, ptrdiff_t *peaks, int *all_finite);

/// The portable kernel of `sdd_local_maxima` (no vector instructions), for tests and other CPUs.
ptrdiff_t sdd_local_maxima_portable(const double *x, ptrdiff_t n, ptrdiff_t *peaks, int *all_finite);

/// Whether `sdd_local_maxima` runs the AVX-512 kernel on this processor.
int sdd_local_maxima_is_vectorized(void);

/// First and last sample of each maximum's plateau, for `count` maxima found by `sdd_local_maxima`.
void sdd_plateau_edges(const double *x, const ptrdiff_t *peaks, ptrdiff_t count,
                       ptrdiff_t *left_edges, ptrdiff_t *right_edges);

#endif
