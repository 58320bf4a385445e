// The histograms of calibrated energies that the nuisance fit of the smooth refinement starts from
// (CalibrationRefinement's SmoothNuisanceFit.histograms): one pass over a group's events, per knot
// interval. Scalar and unfused on purpose: every energy, and so every bin, is the one the Swift
// definition gives to the last bit (a bin is a discrete decision; a rounding difference at an edge
// would move an event).

#include "LikelihoodKernels.h"

#include <math.h>

#pragma STDC FP_CONTRACT OFF

// exp(g_k)·exp(λΔ) as SmoothCellLikelihood.IntervalGains.gain computes it.
static inline double interval_gain(double base, double delta, double l) {
    double y = l * delta;
    if (fabs(y) > 0.01) return base * exp(y);
    double p = 1.0 / 24 + y * (1.0 / 120);
    p = 1.0 / 6 + y * p;
    p = 0.5 + y * p;
    p = 1 + y * p;
    return base * (1 + y * p);
}

void sdd_smooth_histogram(const sdd_smooth_group *g, const double *u, double lower, double width, double *counts,
                          ptrdiff_t bins) {
    const double *x = g->x;
    for (ptrdiff_t ri = 0; ri < g->run_count; ri++) {
        const int32_t *run = g->runs + ri * g->run_stride;
        ptrdiff_t k = run[0];
        double o0 = x[2 * k], d_o = x[2 * k + 2] - x[2 * k];
        double base = g->gain_base[k], delta = g->gain_delta[k];
        for (ptrdiff_t i = run[1]; i < run[2]; i++) {
            double l = g->lambda[i];
            double e = (o0 + l * d_o) + interval_gain(base, delta, l) * u[g->channel[i]];
            double b = floor((e - lower) / width);
            if (b >= 0 && b < (double)bins) counts[(ptrdiff_t)b] += 1;
        }
    }
}
