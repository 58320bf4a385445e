// Local maxima of a signal, the inner loop of `find_peaks`, written for the vector units.
//
// The signal is read 64 samples at a time into three bit words of neighbour comparisons,
// G[k] = x[k] > x[k+1], E[k] = x[k] == x[k+1], L[k] = x[k] < x[k+1]. With those words a sample i is
//   - a one-sample top or the left sample of a two-sample plateau (whose middle, rounded down, is i):
//     L[i-1] & (G[i] | (E[i] & G[i+1]))
//   - the start of a plateau of exactly three samples, whose middle is i + 1:
//     L[i-1] & E[i] & E[i+1] & G[i+2]
//   - the start of a plateau of four samples or more: L[i-1] & E[i] & E[i+1] & E[i+2], rare in
//     counts, walked to its end (a maximum only if it ends in a fall).
// The maxima found so become one bit word per chunk, compacted into indices without a jump on the
// data (noise makes every jump on the data a coin toss), which is where the speed comes from.

#include "PeakKernels.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SDD_HAVE_X86 1
#include <immintrin.h>
#endif

typedef struct {
    uint64_t g, e, l;
} comparison_words;

// Comparison words for positions k in [b, b + 64), zero for k > n - 2; `bad` collects
// non-finite samples among x[k] (the driver checks the last sample).
static inline __attribute__((always_inline))
comparison_words words_portable(const double *x, ptrdiff_t n, ptrdiff_t b, int *bad) {
    comparison_words w = {0, 0, 0};
    ptrdiff_t end = b + 64 < n - 1 ? b + 64 : n - 1;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (end - b == 64) {
        // Full chunk: comparisons into bytes (a loop compilers vectorise), then eight bytes of
        // 0/1 to eight bits by one multiplication each (byte k, the k-th sample, lands in bit k).
        uint8_t gt[64], lt[64];
        int nonfinite = 0;
        for (int k = 0; k < 64; k++) {
            double a = x[b + k], c = x[b + k + 1];
            gt[k] = a > c; lt[k] = a < c;
            nonfinite |= !(fabs(a) <= DBL_MAX);
        }
        for (int j = 0; j < 8; j++) {
            uint64_t gb, lb;
            __builtin_memcpy(&gb, gt + 8 * j, 8); __builtin_memcpy(&lb, lt + 8 * j, 8);
            w.g |= ((gb * 0x0102040810204080ull) >> 56) << (8 * j);
            w.l |= ((lb * 0x0102040810204080ull) >> 56) << (8 * j);
        }
        w.e = ~(w.g | w.l);
        *bad |= nonfinite;
        return w;
    }
#endif
    int nonfinite = 0;
    for (ptrdiff_t k = b; k < end; k++) {
        double a = x[k], c = x[k + 1];
        unsigned s = (unsigned)(k - b);
        w.g |= (uint64_t)(a > c) << s;
        w.e |= (uint64_t)(a == c) << s;
        w.l |= (uint64_t)(a < c) << s;
        nonfinite |= !(fabs(a) <= DBL_MAX);
    }
    *bad |= nonfinite;
    return w;
}

// Writes the positions of the set bits of `bits` (relative to `b`) at out + *count.
static inline __attribute__((always_inline))
void compact_portable(ptrdiff_t *out, ptrdiff_t *count, ptrdiff_t b, uint64_t bits) {
    ptrdiff_t c = *count;
    while (bits) {
        out[c++] = b + __builtin_ctzll(bits);
        bits &= bits - 1;
    }
    *count = c;
}

typedef comparison_words (*words_fn)(const double *, ptrdiff_t, ptrdiff_t, int *);
typedef void (*compact_fn)(ptrdiff_t *, ptrdiff_t *, ptrdiff_t, uint64_t);

// Chunks of the scan, 64 samples each, whose maxima words fit on the stack.
enum { STACK_CHUNKS = 1024 };

// The two passes, shared by both kernels (inlined into each, so the calls below become direct).
// Pass 1 turns the comparison words into a word of maxima per chunk; pass 2 writes their indices.
// Apart, each runs at its own pace instead of every chunk's compaction waiting for its comparisons.
static inline __attribute__((always_inline))
ptrdiff_t maxima_driver(const double *x, ptrdiff_t n, ptrdiff_t *out, int *all_finite,
                        words_fn words, compact_fn compact) {
    int bad = 0;
    if (n < 3) {
        for (ptrdiff_t k = 0; k < n; k++) bad |= !(fabs(x[k]) <= DBL_MAX);
        *all_finite = !bad;
        return 0;
    }
    ptrdiff_t chunks = (n - 2) / 64 + 1;   // positions 0 ... n - 2
    uint64_t stack_tops[STACK_CHUNKS + 1];
    uint64_t *tops = chunks < STACK_CHUNKS ? stack_tops : (uint64_t *)malloc(sizeof(uint64_t) * (size_t)(chunks + 1));
    if (!tops) abort();   // as Swift does when memory runs out
    for (ptrdiff_t c = 0; c <= chunks; c++) tops[c] = 0;

    uint64_t prev_l = 0;
    comparison_words w = words(x, n, 0, &bad);
    for (ptrdiff_t c = 0; c < chunks; c++) {
        ptrdiff_t b = 64 * c;
        comparison_words next = {0, 0, 0};
        if (b + 64 < n - 1) next = words(x, n, b + 64, &bad);
        uint64_t rise_before = (w.l << 1) | (prev_l >> 63);                              // L[i-1]
        uint64_t g1 = (w.g >> 1) | (next.g << 63), e1 = (w.e >> 1) | (next.e << 63);   // G[i+1], E[i+1]
        uint64_t g2 = (w.g >> 2) | (next.g << 62), e2 = (w.e >> 2) | (next.e << 62);   // G[i+2], E[i+2]
        uint64_t flat3 = rise_before & w.e & e1;        // a run of three or more equal samples starts at i
        uint64_t middle3 = flat3 & g2;                  // exactly three, then a fall: the maximum is i + 1
        uint64_t lng = flat3 & e2;                      // four or more
        tops[c] |= (rise_before & (w.g | (w.e & g1))) | (middle3 << 1);
        tops[c + 1] |= middle3 >> 63;
        // Rare in counts: walk the plateau; a maximum only if it ends in a fall, at its middle.
        while (lng) {
            unsigned s = (unsigned)__builtin_ctzll(lng);
            lng &= lng - 1;
            ptrdiff_t i = b + s, j = i + 4;   // x[i] == ... == x[i+3] is known
            double v = x[i];
            while (j < n && x[j] == v) j++;
            if (j < n && x[j] < v) {
                ptrdiff_t q = (i + j - 1) / 2;
                tops[q >> 6] |= 1ull << (q & 63);
            }
        }
        prev_l = w.l;
        w = next;
    }
    bad |= !(fabs(x[n - 1]) <= DBL_MAX);
    *all_finite = !bad;

    ptrdiff_t count = 0;
    for (ptrdiff_t c = 0; c < chunks; c++) compact(out, &count, 64 * c, tops[c]);
    if (tops != stack_tops) free(tops);
    return count;
}

static ptrdiff_t local_maxima_portable(const double *x, ptrdiff_t n, ptrdiff_t *peaks, int *all_finite) {
    return maxima_driver(x, n, peaks, all_finite, words_portable, compact_portable);
}

#ifdef SDD_HAVE_X86
#define SDD_AVX2 __attribute__((target("avx2,popcnt,bmi")))
// The fixed-count loops over a chunk's vectors are unrolled in full ("#pragma unroll"): release
// builds compile C at -O2, which leaves them rolled (-O3 unrolled them; 10-15 % on the scan).

// As `words_avx512`, four samples per compare.
static inline __attribute__((always_inline)) SDD_AVX2
comparison_words words_avx2(const double *x, ptrdiff_t n, ptrdiff_t b, int *bad) {
    if (b + 64 > n - 1) return words_portable(x, n, b, bad);
    uint64_t g = 0, l = 0;
    __m256d t0 = _mm256_setzero_pd(), t1 = _mm256_setzero_pd();
#pragma unroll
    for (int j = 0; j < 16; j += 2) {
        __m256d a0 = _mm256_loadu_pd(x + b + 4 * j), c0 = _mm256_loadu_pd(x + b + 4 * j + 1);
        __m256d a1 = _mm256_loadu_pd(x + b + 4 * j + 4), c1 = _mm256_loadu_pd(x + b + 4 * j + 5);
        g |= (uint64_t)(_mm256_movemask_pd(_mm256_cmp_pd(a0, c0, _CMP_GT_OQ))
                        | (_mm256_movemask_pd(_mm256_cmp_pd(a1, c1, _CMP_GT_OQ)) << 4)) << (4 * j);
        l |= (uint64_t)(_mm256_movemask_pd(_mm256_cmp_pd(a0, c0, _CMP_LT_OQ))
                        | (_mm256_movemask_pd(_mm256_cmp_pd(a1, c1, _CMP_LT_OQ)) << 4)) << (4 * j);
        t0 = _mm256_add_pd(t0, _mm256_sub_pd(a0, a0));
        t1 = _mm256_add_pd(t1, _mm256_sub_pd(a1, a1));
    }
    t0 = _mm256_add_pd(t0, t1);
    *bad |= _mm256_movemask_pd(_mm256_cmp_pd(t0, t0, _CMP_UNORD_Q)) != 0;
    comparison_words w = {g, ~(g | l), l};
    return w;
}

// The set bits of every 4-bit pattern with at most two of them (maxima are two samples apart).
static const int64_t first_two_bits[16][2] = {
    {0, 0}, {0, 0}, {1, 0}, {0, 1}, {2, 0}, {0, 2}, {1, 2}, {0, 1},
    {3, 0}, {0, 3}, {1, 3}, {0, 1}, {2, 3}, {0, 2}, {1, 2}, {0, 1},
};

// Four positions per step: their (at most two) maxima from the table, stored as two lanes.
static inline __attribute__((always_inline)) SDD_AVX2
void compact_avx2(ptrdiff_t *out, ptrdiff_t *count, ptrdiff_t b, uint64_t bits) {
    __m128i base = _mm_set1_epi64x(b);
    const __m128i four = _mm_set1_epi64x(4);
    ptrdiff_t c = *count;
#pragma unroll
    for (int j = 0; j < 16; j++) {
        unsigned m = (unsigned)(bits >> (4 * j)) & 15u;
        __m128i v = _mm_add_epi64(base, _mm_loadu_si128((const __m128i *)first_two_bits[m]));
        _mm_storeu_si128((__m128i *)(out + c), v);
        c += __builtin_popcount(m);
        base = _mm_add_epi64(base, four);
    }
    *count = c;
}

static SDD_AVX2 ptrdiff_t local_maxima_avx2(const double *x, ptrdiff_t n, ptrdiff_t *peaks, int *all_finite) {
    return maxima_driver(x, n, peaks, all_finite, words_avx2, compact_avx2);
}

#define SDD_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,popcnt,bmi")))

// Full chunks by vector compares (two per eight samples; E is what is neither G nor L, the samples
// being finite when the result counts); the signal's last chunk by the portable loop. x − x is 0
// for a finite sample and NaN otherwise, and NaN survives the sums that check a chunk at once.
static inline __attribute__((always_inline)) SDD_AVX512
comparison_words words_avx512(const double *x, ptrdiff_t n, ptrdiff_t b, int *bad) {
    if (b + 64 > n - 1) return words_portable(x, n, b, bad);
    uint64_t g = 0, l = 0;
    __m512d d[8];
#pragma unroll
    for (int j = 0; j < 8; j++) {
        __m512d a = _mm512_loadu_pd(x + b + 8 * j), c = _mm512_loadu_pd(x + b + 8 * j + 1);
        g |= (uint64_t)_mm512_cmp_pd_mask(a, c, _CMP_GT_OQ) << (8 * j);
        l |= (uint64_t)_mm512_cmp_pd_mask(a, c, _CMP_LT_OQ) << (8 * j);
        d[j] = _mm512_sub_pd(a, a);
    }
    __m512d t = _mm512_add_pd(_mm512_add_pd(_mm512_add_pd(d[0], d[1]), _mm512_add_pd(d[2], d[3])),
                              _mm512_add_pd(_mm512_add_pd(d[4], d[5]), _mm512_add_pd(d[6], d[7])));
    *bad |= _mm512_cmp_pd_mask(t, t, _CMP_UNORD_Q) != 0;
    comparison_words w = {g, ~(g | l), l};
    return w;
}

// Sixteen positions per step: compress the selected indices (as 32-bit integers, n < 2³¹) into one
// vector, widen and store its first eight lanes, advance by the number selected. Eight lanes are
// enough: maxima are at least two samples apart, so sixteen positions hold at most eight.
static inline __attribute__((always_inline)) SDD_AVX512
void compact_avx512(ptrdiff_t *out, ptrdiff_t *count, ptrdiff_t b, uint64_t bits) {
    __m512i idx = _mm512_add_epi32(_mm512_set1_epi32((int)b),
                                   _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    const __m512i sixteen = _mm512_set1_epi32(16);
    ptrdiff_t c = *count;
#pragma unroll
    for (int j = 0; j < 4; j++) {
        __mmask16 m = (__mmask16)(bits >> (16 * j));
        __m512i v = _mm512_maskz_compress_epi32(m, idx);
        _mm512_storeu_si512((void *)(out + c), _mm512_cvtepu32_epi64(_mm512_castsi512_si256(v)));
        c += __builtin_popcount(m);
        idx = _mm512_add_epi32(idx, sixteen);
    }
    *count = c;
}

static SDD_AVX512 ptrdiff_t local_maxima_avx512(const double *x, ptrdiff_t n, ptrdiff_t *peaks, int *all_finite) {
    return maxima_driver(x, n, peaks, all_finite, words_avx512, compact_avx512);
}
#endif
sdd_maxima_kernel sdd_local_maxima_best_kernel(void) {
#ifdef SDD_HAVE_X86
    static int cached = -1;   // a benign race: every thread computes the same value
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
                 && __builtin_cpu_supports("avx512vl") ? SDD_MAXIMA_AVX512
               : __builtin_cpu_supports("avx2") ? SDD_MAXIMA_AVX2 : SDD_MAXIMA_PORTABLE;
    }
    return (sdd_maxima_kernel)cached;
#else
    return SDD_MAXIMA_PORTABLE;
#endif
}

ptrdiff_t sdd_local_maxima_with(sdd_maxima_kernel kernel, const double *x, ptrdiff_t n, ptrdiff_t *peaks,
                                int *all_finite) {
    if (kernel > sdd_local_maxima_best_kernel()) kernel = sdd_local_maxima_best_kernel();
#ifdef SDD_HAVE_X86
    if (n < INT32_MAX && kernel == SDD_MAXIMA_AVX512) return local_maxima_avx512(x, n, peaks, all_finite);
    if (kernel == SDD_MAXIMA_AVX2) return local_maxima_avx2(x, n, peaks, all_finite);
#endif
    return local_maxima_portable(x, n, peaks, all_finite);
}

ptrdiff_t sdd_local_maxima(const double *x, ptrdiff_t n, ptrdiff_t *peaks, int *all_finite) {
    return sdd_local_maxima_with(sdd_local_maxima_best_kernel(), x, n, peaks, all_finite);
}

void sdd_plateau_edges(const double *x, const ptrdiff_t *peaks, ptrdiff_t count,
                       ptrdiff_t *left_edges, ptrdiff_t *right_edges) {
    // A maximum's plateau is bounded by lower samples on both sides, so the walks stop inside x.
    // Plateaus of one to three samples (nearly all, in counts) need no loop and no jump.
    for (ptrdiff_t k = 0; k < count; k++) {
        ptrdiff_t p = peaks[k];
        double v = x[p];
        ptrdiff_t l = p - (x[p - 1] == v), r = p + (x[p + 1] == v);
        if (x[l - 1] == v || x[r + 1] == v) {
            while (x[l - 1] == v) l--;
            while (x[r + 1] == v) r++;
        }
        left_edges[k] = l;
        right_edges[k] = r;
    }
}
