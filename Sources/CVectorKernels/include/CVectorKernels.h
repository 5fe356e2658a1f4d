#ifndef LARDER_CVECTORKERNELS_H
#define LARDER_CVECTORKERNELS_H

// Distance kernels compiled for AVX2 and FMA and for AVX-512, and a prefetch hint, for
// LarderVector and LarderHNSW. Swift SIMD code is compiled for the baseline
// x86-64 target (SSE2), so these kernels are selected at run time on CPUs
// that report the features. Callers fall back to the Swift kernels elsewhere.

#include <stddef.h>
#include <stdint.h>

/// Returns 1 when the CPU supports AVX2 and FMA and the kernels below use
/// them, 0 otherwise (other CPUs and architectures). Callers must not call
/// the `_avx2` kernels when this returns 0.
int larder_cpu_has_avx2_fma(void);

/// Returns the sum of a[i] * b[i] over `count` components.
float larder_dot_f32_avx2(const float *a, const float *b, size_t count);

/// Returns the sum of (a[i] - b[i])^2 over `count` components.
float larder_squared_l2_f32_avx2(const float *a, const float *b, size_t count);

/// Returns the sum of a[i] * codes[i] over `count` components: the inner
/// product of an fp32 query with int8 codes before the codes' scale applies.
float larder_dot_f32_i8_avx2(const float *a, const int8_t *codes, size_t count);

/// Returns 1 when the CPU supports AVX-512F, 0 otherwise. Callers must not
/// call the `_avx512` kernels when this returns 0. Each `_avx512` kernel
/// computes the same value as its `_avx2` counterpart, 16 components a step.
int larder_cpu_has_avx512f(void);

float larder_dot_f32_avx512(const float *a, const float *b, size_t count);
float larder_squared_l2_f32_avx512(const float *a, const float *b, size_t count);
float larder_dot_f32_i8_avx512(const float *a, const int8_t *codes, size_t count);

/// Hints the CPU to load the cache line holding `address` for reading.
/// It never faults, so any address may be given.
static inline void larder_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
