// The EM updates of a binned mixture's fractions (CalibrationRefinement's SmoothNuisanceFit), four
// bins per vector, compiled for any processor, AVX2 + FMA and AVX-512 (chosen at run time with the
// smooth likelihood's kernels). Per iteration one pass over the bins: the mixture at each bin
// (components in order), counts/mixture, and every component's sum, so that the sums' additions are
// independent chains instead of one long chain per component.

#include "DoubleVector4.h"
#include "LikelihoodKernels.h"

SDD_INLINE void em_body(const double *q, const double *counts, ptrdiff_t stride, ptrdiff_t nc, double n, int iterations,
                        double *pi) {
    v4df acc[nc];
    double next[nc];
    for (int it = 0; it < iterations; it++) {
        for (ptrdiff_t j = 0; j < nc; j++) acc[j] = splat(0);
        for (ptrdiff_t m = 0; m < stride; m += 4) {
            v4df mix = {0, 0, 0, 0};
            for (ptrdiff_t j = 0; j < nc; j++) mix += pi[j] * load4(q + j * stride + m);
            // counts/mixture where the mixture is positive (bins where it vanished, and the padding, add nothing).
            v4di positive = mix > splat(0);
            v4df safe = select4(positive, mix, splat(1));
            v4df ratio = (v4df)((v4di)(load4(counts + m) / safe) & positive);
            for (ptrdiff_t j = 0; j < nc; j++) acc[j] += load4(q + j * stride + m) * ratio;
        }
        for (ptrdiff_t j = 0; j < nc; j++) next[j] = pi[j] * sum4(acc[j]) / n;
        memcpy(pi, next, sizeof(double) * (size_t)nc);
    }
}

static void em_portable(const double *q, const double *c, ptrdiff_t s, ptrdiff_t nc, double n, int it, double *pi) {
    em_body(q, c, s, nc, n, it, pi);
}
#ifdef SDD_HAVE_X86
SDD_AVX2_FMA static void em_avx2(const double *q, const double *c, ptrdiff_t s, ptrdiff_t nc, double n, int it, double *pi) {
    em_body(q, c, s, nc, n, it, pi);
}
SDD_AVX512 static void em_avx512(const double *q, const double *c, ptrdiff_t s, ptrdiff_t nc, double n, int it, double *pi) {
    em_body(q, c, s, nc, n, it, pi);
}
#endif

void sdd_mixture_em(const double *q, const double *counts, ptrdiff_t stride, ptrdiff_t components, double total,
                    int iterations, double *fractions) {
    if (components <= 0) return;
    switch (sdd_smooth_current_kernel()) {
#ifdef SDD_HAVE_X86
    case SDD_SMOOTH_AVX512: em_avx512(q, counts, stride, components, total, iterations, fractions); return;
    case SDD_SMOOTH_AVX2_FMA: em_avx2(q, counts, stride, components, total, iterations, fractions); return;
#endif
    default: em_portable(q, counts, stride, components, total, iterations, fractions); return;
    }
}
