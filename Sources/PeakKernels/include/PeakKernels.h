#ifndef SDDCAL_PEAK_KERNELS_H
#define SDDCAL_PEAK_KERNELS_H

#include <stddef.h>

/// The implementations of the local-maxima scan, each one the same computation.
typedef enum {
    SDD_MAXIMA_PORTABLE = 0,   ///< Plain C, any processor.
    SDD_MAXIMA_AVX2 = 1,       ///< x86-64 with AVX2: four-sample compares, table compaction.
    SDD_MAXIMA_AVX512 = 2,     ///< x86-64 with AVX-512 F/DQ/VL: eight-sample compares, compress.
} sdd_maxima_kernel;

/// Local maxima of `x[0..<n]` with SciPy's `find_peaks` semantics: a sample, or a run of equal
/// samples (plateau), whose neighbours on both sides are strictly lower; first and last samples
/// never count. The middle index of each maximum (rounded down) is written to `peaks`, in
/// increasing order, and their number is returned.
///
/// `peaks` must hold at least `(n + 1) / 2 + 16` elements: maxima are at least two samples apart,
/// and the vector kernels store whole vectors past the count. `*all_finite` is set to 1 when every
/// sample is finite, else 0; the maxima mean nothing then. Runs the best kernel this processor has.
ptrdiff_t sdd_local_maxima(const double *x, ptrdiff_t n, ptrdiff_t *peaks, int *all_finite);

/// `sdd_local_maxima` with a chosen kernel (for tests); a kernel this processor lacks is replaced
/// by the best one it has.
ptrdiff_t sdd_local_maxima_with(sdd_maxima_kernel kernel, const double *x, ptrdiff_t n, ptrdiff_t *peaks,
                                int *all_finite);

/// The best kernel this processor runs.
sdd_maxima_kernel sdd_local_maxima_best_kernel(void);

/// First and last sample of each maximum's plateau, for `count` maxima found by `sdd_local_maxima`.
void sdd_plateau_edges(const double *x, const ptrdiff_t *peaks, ptrdiff_t count,
                       ptrdiff_t *left_edges, ptrdiff_t *right_edges);

#endif
