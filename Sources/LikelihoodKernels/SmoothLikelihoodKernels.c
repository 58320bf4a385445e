// The per-event loops of the smooth likelihood (CalibrationRefinement's SmoothCellLikelihood), four
// events at a time in C vectors, written once and compiled three times: for any processor, for
// x86-64 with AVX2 and FMA, and with AVX-512 (the same four lanes, but 32 registers hold every sum
// of the Hessian without spilling). The copy is chosen at run time, so builds need no CPU flags;
// Swift cannot choose instructions per function. The arithmetic per event is SmoothCellLikelihood's
// (see there for the formulas); what differs is rounding: fused multiply-adds in the x86 copies, the
// order of the sums over events (four lanes, added at the end of each knot interval) and a vector
// logarithm (fdlibm's method, ≤ 1 ulp, tested against libm).

#include "DoubleVector4.h"
#include "LikelihoodKernels.h"

#include <math.h>

// MARK: logarithm

// fdlibm's log: x = 2^k·m with m ∈ [√½, √2), f = m − 1, s = f/(2 + f),
// log(1 + f) = f − s·(f − R(s²)), R a minimax polynomial; ≤ 1 ulp. Inputs: positive normal numbers.
// The method and its coefficients (ln2_hi, ln2_lo, Lg1–Lg7) are fdlibm's e_log.c, whose notice is:
//   Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
//   Developed at SunPro, a Sun Microsystems, Inc. business.
//   Permission to use, copy, modify, and distribute this software is freely granted,
//   provided that this notice is preserved.
SDD_INLINE v4df log4(v4df x) {
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    const double lg1 = 6.666666666666735130e-01, lg2 = 3.999999999940941908e-01, lg3 = 2.857142874366239149e-01,
                 lg4 = 2.222219843214978396e-01, lg5 = 1.818357216161805012e-01, lg6 = 1.531383769920937332e-01,
                 lg7 = 1.479819860511658591e-01;
    v4di bits = (v4di)x;
    v4di e = ((bits >> 52) & 0x7ff) - 1023;
    v4df m = (v4df)((bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL);
    v4di big = m > splat(1.4142135623730951);
    m = select4(big, m * 0.5, m);
    e -= big;   // true lanes are −1
    v4df f = m - 1;
    v4df s = f / (2 + f);
    v4df z = s * s, w = z * z;
    v4df t1 = w * (lg2 + w * (lg4 + w * lg6));
    v4df t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)));
    v4df r = t2 + t1;
    v4df dk = __builtin_convertvector(__builtin_convertvector(e, v4si), v4df);
    return dk * ln2_hi - ((s * (f - r) - dk * ln2_lo) - f);
}

// MARK: tables, gains

typedef struct {
    v4df value, d1, d2;
} hermite4_result;

// The 4×4 transpose of four rows (the coefficients of four table intervals) into four columns.
SDD_INLINE void transpose4(v4df r0, v4df r1, v4df r2, v4df r3, v4df *c0, v4df *c1, v4df *c2, v4df *c3) {
    v4df t0 = __builtin_shufflevector(r0, r1, 0, 4, 2, 6), t1 = __builtin_shufflevector(r0, r1, 1, 5, 3, 7);
    v4df t2 = __builtin_shufflevector(r2, r3, 0, 4, 2, 6), t3 = __builtin_shufflevector(r2, r3, 1, 5, 3, 7);
    *c0 = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
    *c1 = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
    *c2 = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
    *c3 = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}

// HermiteTable.Kernel.evaluate in four lanes: value, first and second derivative.
SDD_INLINE hermite4_result hermite4(const sdd_hermite_table *t, v4df x) {
    v4df s = (x - t->start) / t->step;
    v4di low = ~(s >= splat(0)), high = s >= splat((double)t->count);
    v4df inside = select4(low | high, splat(0), s);
    v4si i = __builtin_convertvector(inside, v4si);
    v4df u = inside - __builtin_convertvector(i, v4df);
    const double *c = t->coefficients;
    v4df c0, c1, c2, c3;
    transpose4(load4(c + 4 * (ptrdiff_t)i[0]), load4(c + 4 * (ptrdiff_t)i[1]), load4(c + 4 * (ptrdiff_t)i[2]),
               load4(c + 4 * (ptrdiff_t)i[3]), &c0, &c1, &c2, &c3);
    double inv = t->inverse_step;
    hermite4_result r;
    r.value = c0 + u * (c1 + u * (c2 + u * c3));
    r.d1 = (c1 + u * (2 * c2 + 3 * u * c3)) * inv;
    r.d2 = (2 * c2 + 6 * u * c3) * inv * inv;
    if (any4(low | high)) {
        r.value = select4(low, t->low_value + t->low_slope * (x - t->start), r.value);
        r.d1 = select4(low, splat(t->low_slope), r.d1);
        r.d2 = select4(low, splat(0), r.d2);
        r.value = select4(high, t->high_value + t->high_slope * (x - t->end), r.value);
        r.d1 = select4(high, splat(t->high_slope), r.d1);
        r.d2 = select4(high, splat(0), r.d2);
    }
    return r;
}

// exp(g_k)·exp(λΔ): a degree-5 Taylor polynomial of exp(λΔ) where |λΔ| ≤ 0.01, exp elsewhere
// (SmoothCellLikelihood.IntervalGains.gain).
SDD_INLINE v4df gain4(double base, double delta, v4df l) {
    v4df y = l * delta;
    v4df p = 1.0 / 24 + y * (1.0 / 120);
    p = 1.0 / 6 + y * p;
    p = 0.5 + y * p;
    p = 1 + y * p;
    v4df g = base * (1 + y * p);
    v4di wide = (y > splat(0.01)) | (y < splat(-0.01));
    if (any4(wide)) {
        for (int j = 0; j < 4; j++)
            if (wide[j]) g[j] = base * exp(y[j]);
    }
    return g;
}

// MARK: per-event loops

// The events of one run visited by one vector step: indices i, i + st, i + 2·st, i + 3·st, those at
// or past `end` replaced by i (their contributions are then weighted by zero).
typedef struct {
    v4df lambda;
    v4df t0, t1, t2, t3;   // channel terms u, log u′, w, w′/u′
    v4df valid;            // 1 for events of the run, 0 for the padding
} events4;

SDD_INLINE events4 load_events(const sdd_smooth_group *g, ptrdiff_t i, ptrdiff_t st, ptrdiff_t end, int masked) {
    ptrdiff_t idx[4];
    events4 e;
    e.valid = splat(1);
    for (int j = 0; j < 4; j++) {
        ptrdiff_t k = i + j * st;
        if (masked && k >= end) { k = i; e.valid[j] = 0; }
        idx[j] = k;
    }
    if (!masked && st == 1) e.lambda = load4(g->lambda + i);
    else e.lambda = (v4df){g->lambda[idx[0]], g->lambda[idx[1]], g->lambda[idx[2]], g->lambda[idx[3]]};
    const double *tv = g->terms;
    transpose4(load4(tv + 4 * (ptrdiff_t)g->channel[idx[0]]), load4(tv + 4 * (ptrdiff_t)g->channel[idx[1]]),
               load4(tv + 4 * (ptrdiff_t)g->channel[idx[2]]), load4(tv + 4 * (ptrdiff_t)g->channel[idx[3]]),
               &e.t0, &e.t1, &e.t2, &e.t3);
    return e;
}

// Per-run coefficient lines and window edges.
typedef struct {
    double o0, d_o, g0, d_g, gain_base, gain_delta, lo_u, lo_w, hi_u, hi_w;
} run_terms;

SDD_INLINE run_terms make_run(const sdd_smooth_group *g, ptrdiff_t k) {
    const double *x = g->x;
    run_terms r;
    r.o0 = x[2 * k]; r.d_o = x[2 * k + 2] - x[2 * k];
    r.g0 = x[2 * k + 1]; r.d_g = x[2 * k + 3] - x[2 * k + 1];
    r.gain_base = g->gain_base[k]; r.gain_delta = g->gain_delta[k];
    r.lo_u = g->edges[4 * k]; r.lo_w = g->edges[4 * k + 1]; r.hi_u = g->edges[4 * k + 2]; r.hi_w = g->edges[4 * k + 3];
    return r;
}

// Sums of one run (interval) and of the group.
typedef struct {
    v4df hoo0, hog0, hgg0, hoo1, hog1, hgg1, hoou, hogu, hggu;   // w0²·block, w1²·block, w0w1·block
    v4df bo0, bg0, bo1, bg1;                                     // w0·(hoq, hgq), w1·(hoq, hgq)
    v4df ao0, ag0, ao1, ag1;                                     // w0·(ao, ag), w1·(ao, ag)
} run_sums;

typedef struct {
    v4df value, gq, corner;
} group_sums;

// One vector step of SmoothCellLikelihood.evaluate; returns 0 when a window probability is not positive.
SDD_INLINE int evaluate_step(const sdd_hermite_table *phi_t, const sdd_hermite_table *cdf_t, const run_terms *rt,
                             const events4 *ev, run_sums *rs, group_sums *gs) {
    v4df l = ev->lambda;
    v4df o = rt->o0 + l * rt->d_o, g = rt->g0 + l * rt->d_g, G = gain4(rt->gain_base, rt->gain_delta, l);
    v4df el = o + G * rt->lo_u, eh = o + G * rt->hi_u;
    hermite4_result cl = hermite4(cdf_t, el), chh = hermite4(cdf_t, eh);
    v4df n = chh.value - cl.value;
    if (any4(~(n > splat(0)))) return 0;
    v4df su = ev->t0;
    hermite4_result p = hermite4(phi_t, o + G * su);
    v4df valid = ev->valid;
    gs->value += valid * (-p.value - g - ev->t1 + log4(n));

    // Line density term −φ(E) and Jacobian term −log E′.
    v4df gu = G * su, gw = G * ev->t2, r = ev->t3;
    v4df ao = -p.d1, ag = -p.d1 * gu - 1, aq = -p.d1 * gw - r;
    v4df hoo = -p.d2, hog = -p.d2 * gu, hoq = -p.d2 * gw;
    v4df hgg = -p.d2 * gu * gu - p.d1 * gu, hgq = -p.d2 * gu * gw - p.d1 * gw, hqq = -p.d2 * gw * gw + r * r;
    // Normalisation log N, N = F(E_hi) − F(E_lo).
    v4df inv = 1 / n;
    v4df uh = G * rt->hi_u, wh = G * rt->hi_w, ulo = G * rt->lo_u, wlo = G * rt->lo_w;
    v4df fh = chh.d1 * inv, fl = cl.d1 * inv, fph = chh.d2 * inv, fpl = cl.d2 * inv;
    v4df no = fh - fl, ng = fh * uh - fl * ulo, nq = fh * wh - fl * wlo;
    ao += no; ag += ng; aq += nq;
    hoo += fph - fpl - no * no;
    hog += fph * uh - fpl * ulo - no * ng;
    hoq += fph * wh - fpl * wlo - no * nq;
    hgg += fph * uh * uh - fpl * ulo * ulo + fh * uh - fl * ulo - ng * ng;
    hgq += fph * uh * wh - fpl * ulo * wlo + fh * wh - fl * wlo - ng * nq;
    hqq += fph * wh * wh - fpl * wlo * wlo - nq * nq;

    // Scatter to knots k (weight 1 − λ) and k + 1 (weight λ); padding lanes weigh zero.
    v4df w0 = (1 - l) * valid, w1 = l * valid;
    v4df w00 = w0 * w0, w11 = w1 * w1, w01 = w0 * w1;
    rs->hoo0 += w00 * hoo; rs->hog0 += w00 * hog; rs->hgg0 += w00 * hgg;
    rs->hoo1 += w11 * hoo; rs->hog1 += w11 * hog; rs->hgg1 += w11 * hgg;
    rs->hoou += w01 * hoo; rs->hogu += w01 * hog; rs->hggu += w01 * hgg;
    rs->bo0 += w0 * hoq; rs->bg0 += w0 * hgq; rs->bo1 += w1 * hoq; rs->bg1 += w1 * hgq;
    rs->ao0 += w0 * ao; rs->ag0 += w0 * ag; rs->ao1 += w1 * ao; rs->ag1 += w1 * ag;
    gs->gq += valid * aq;
    gs->corner += valid * hqq;
    return 1;
}

// Run ri as a pass over every st-th event visits it: its interval *k and its events *i, *i + st, …
// below *end; 0 when it visits none.
SDD_INLINE int visit_run(const sdd_smooth_group *g, ptrdiff_t ri, ptrdiff_t st, ptrdiff_t *k, ptrdiff_t *i, ptrdiff_t *end) {
    const int32_t *run = g->runs + ri * g->run_stride;
    ptrdiff_t first = run[1], r = first % st;
    *k = run[0];
    *i = r == 0 ? first : first + st - r;
    *end = run[2];
    return *i < *end;
}

SDD_INLINE int evaluate_body(const sdd_hermite_table *phi_t, const sdd_hermite_table *cdf_t, const sdd_smooth_group *g,
                             sdd_smooth_terms terms, sdd_smooth_sums *out, ptrdiff_t st) {
    group_sums gs = {splat(0), splat(0), splat(0)};
    for (ptrdiff_t ri = 0; ri < g->run_count; ri++) {
        ptrdiff_t k, i, end;
        if (!visit_run(g, ri, st, &k, &i, &end)) continue;
        run_terms rt = make_run(g, k);
        run_sums rs;
        memset(&rs, 0, sizeof rs);
        for (; i + 3 * st < end; i += 4 * st) {
            events4 ev = load_events(g, i, st, end, 0);
            if (!evaluate_step(phi_t, cdf_t, &rt, &ev, &rs, &gs)) return 0;
        }
        if (i < end) {
            events4 ev = load_events(g, i, st, end, 1);
            if (!evaluate_step(phi_t, cdf_t, &rt, &ev, &rs, &gs)) return 0;
        }
        if (terms == SDD_SMOOTH_CURVATURE_TERMS) continue;
        double hog0 = sum4(rs.hog0), hog1 = sum4(rs.hog1), hogu = sum4(rs.hogu);
        double *d0 = out->diagonal + 4 * k, *d1 = out->diagonal + 4 * (k + 1), *up = out->upper + 4 * k;
        d0[0] += sum4(rs.hoo0); d0[1] += hog0; d0[2] += hog0; d0[3] += sum4(rs.hgg0);
        d1[0] += sum4(rs.hoo1); d1[1] += hog1; d1[2] += hog1; d1[3] += sum4(rs.hgg1);
        up[0] += sum4(rs.hoou); up[1] += hogu; up[2] += hogu; up[3] += sum4(rs.hggu);
        out->gradient[2 * k] += sum4(rs.ao0); out->gradient[2 * k + 1] += sum4(rs.ag0);
        out->gradient[2 * k + 2] += sum4(rs.ao1); out->gradient[2 * k + 3] += sum4(rs.ag1);
        if (terms == SDD_SMOOTH_KNOT_TERMS) continue;
        out->border[2 * k] += sum4(rs.bo0); out->border[2 * k + 1] += sum4(rs.bg0);
        out->border[2 * k + 2] += sum4(rs.bo1); out->border[2 * k + 3] += sum4(rs.bg1);
    }
    out->value += sum4(gs.value);
    if (terms != SDD_SMOOTH_KNOT_TERMS) {
        out->curvature_gradient += sum4(gs.gq);
        out->curvature_hessian += sum4(gs.corner);
    }
    return 1;
}

SDD_INLINE int value_body(const sdd_hermite_table *phi_t, const sdd_hermite_table *cdf_t, const sdd_smooth_group *g,
                          double *value, ptrdiff_t st) {
    v4df sum = splat(0);
    for (ptrdiff_t ri = 0; ri < g->run_count; ri++) {
        ptrdiff_t k, i, end;
        if (!visit_run(g, ri, st, &k, &i, &end)) continue;
        run_terms rt = make_run(g, k);
        for (; i < end; i += 4 * st) {
            int masked = i + 3 * st >= end;
            events4 ev = masked ? load_events(g, i, st, end, 1) : load_events(g, i, st, end, 0);
            v4df l = ev.lambda;
            v4df o = rt.o0 + l * rt.d_o, gg = rt.g0 + l * rt.d_g, G = gain4(rt.gain_base, rt.gain_delta, l);
            v4df n = hermite4(cdf_t, o + G * rt.hi_u).value - hermite4(cdf_t, o + G * rt.lo_u).value;
            if (any4(~(n > splat(0)))) return 0;
            sum += ev.valid * (-hermite4(phi_t, o + G * ev.t0).value - gg - ev.t1 + log4(n));
        }
    }
    *value += sum4(sum);
    return 1;
}

// MARK: copies per instruction set, dispatch

static int evaluate_portable(const sdd_hermite_table *a, const sdd_hermite_table *b, const sdd_smooth_group *g, sdd_smooth_terms t,
                           sdd_smooth_sums *s) {
    return g->stride == 1 ? evaluate_body(a, b, g, t, s, 1) : evaluate_body(a, b, g, t, s, g->stride);
}
static int value_portable(const sdd_hermite_table *a, const sdd_hermite_table *b, const sdd_smooth_group *g, double *v) {
    return g->stride == 1 ? value_body(a, b, g, v, 1) : value_body(a, b, g, v, g->stride);
}

#ifdef SDD_HAVE_X86
SDD_AVX2_FMA static int evaluate_avx2(const sdd_hermite_table *a, const sdd_hermite_table *b, const sdd_smooth_group *g, sdd_smooth_terms t,
                       sdd_smooth_sums *s) {
    return g->stride == 1 ? evaluate_body(a, b, g, t, s, 1) : evaluate_body(a, b, g, t, s, g->stride);
}
SDD_AVX2_FMA static int value_avx2(const sdd_hermite_table *a, const sdd_hermite_table *b, const sdd_smooth_group *g, double *v) {
    return g->stride == 1 ? value_body(a, b, g, v, 1) : value_body(a, b, g, v, g->stride);
}
SDD_AVX512 static int evaluate_avx512(const sdd_hermite_table *a, const sdd_hermite_table *b, const sdd_smooth_group *g, sdd_smooth_terms t,
                         sdd_smooth_sums *s) {
    return g->stride == 1 ? evaluate_body(a, b, g, t, s, 1) : evaluate_body(a, b, g, t, s, g->stride);
}
SDD_AVX512 static int value_avx512(const sdd_hermite_table *a, const sdd_hermite_table *b, const sdd_smooth_group *g, double *v) {
    return g->stride == 1 ? value_body(a, b, g, v, 1) : value_body(a, b, g, v, g->stride);
}
#endif

sdd_smooth_kernel sdd_smooth_best_kernel(void) {
#ifdef SDD_HAVE_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return SDD_SMOOTH_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SDD_SMOOTH_AVX2_FMA;
#endif
    return SDD_SMOOTH_PORTABLE;
}

// -1 until first use, then the kernel in use (atomic: cells are refined on several threads).
static int current = -1;

sdd_smooth_kernel sdd_smooth_current_kernel(void) {
    int k = __atomic_load_n(&current, __ATOMIC_RELAXED);
    if (k < 0) {
        k = sdd_smooth_best_kernel();
        __atomic_store_n(&current, k, __ATOMIC_RELAXED);
    }
    return (sdd_smooth_kernel)k;
}

sdd_smooth_kernel sdd_smooth_use_kernel(sdd_smooth_kernel kernel) {
    sdd_smooth_kernel best = sdd_smooth_best_kernel();
    sdd_smooth_kernel k = kernel;
    if (k == SDD_SMOOTH_AVX512 && best != SDD_SMOOTH_AVX512) k = best;
    if (k == SDD_SMOOTH_AVX2_FMA && best == SDD_SMOOTH_PORTABLE) k = best;
    __atomic_store_n(&current, (int)k, __ATOMIC_RELAXED);
    return k;
}

int sdd_smooth_evaluate(const sdd_hermite_table *log_density, const sdd_hermite_table *cdf, const sdd_smooth_group *group,
                        sdd_smooth_terms terms, sdd_smooth_sums *sums) {
    switch (sdd_smooth_current_kernel()) {
#ifdef SDD_HAVE_X86
    case SDD_SMOOTH_AVX512: return evaluate_avx512(log_density, cdf, group, terms, sums);
    case SDD_SMOOTH_AVX2_FMA: return evaluate_avx2(log_density, cdf, group, terms, sums);
#endif
    default: return evaluate_portable(log_density, cdf, group, terms, sums);
    }
}

int sdd_smooth_value(const sdd_hermite_table *log_density, const sdd_hermite_table *cdf, const sdd_smooth_group *group,
                     double *value) {
    switch (sdd_smooth_current_kernel()) {
#ifdef SDD_HAVE_X86
    case SDD_SMOOTH_AVX512: return value_avx512(log_density, cdf, group, value);
    case SDD_SMOOTH_AVX2_FMA: return value_avx2(log_density, cdf, group, value);
#endif
    default: return value_portable(log_density, cdf, group, value);
    }
}

void sdd_smooth_log(const double *x, double *out, ptrdiff_t n) {
    ptrdiff_t i = 0;
    for (; i + 4 <= n; i += 4) {
        v4df r = log4(load4(x + i));
        memcpy(out + i, &r, sizeof r);
    }
    for (; i < n; i++) {
        v4df r = log4(splat(x[i]));
        out[i] = r[0];
    }
}
