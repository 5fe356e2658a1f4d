#include "CVectorKernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define LARDER_AVX2 __attribute__((target("avx2,fma")))

int larder_cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

LARDER_AVX2 static float horizontal_sum(__m256 v) {
    __m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
    sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
    return _mm_cvtss_f32(sum);
}

LARDER_AVX2 float larder_dot_f32_avx2(const float *a, const float *b, size_t count) {
    __m256 sum0 = _mm256_setzero_ps();
    __m256 sum1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        sum0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), sum0);
        sum1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), sum1);
    }
    float total = horizontal_sum(_mm256_add_ps(sum0, sum1));
    for (; i < count; i++) total += a[i] * b[i];
    return total;
}

LARDER_AVX2 float larder_squared_l2_f32_avx2(const float *a, const float *b, size_t count) {
    __m256 sum0 = _mm256_setzero_ps();
    __m256 sum1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
        sum0 = _mm256_fmadd_ps(d0, d0, sum0);
        sum1 = _mm256_fmadd_ps(d1, d1, sum1);
    }
    float total = horizontal_sum(_mm256_add_ps(sum0, sum1));
    for (; i < count; i++) {
        float d = a[i] - b[i];
        total += d * d;
    }
    return total;
}

LARDER_AVX2 float larder_dot_f32_i8_avx2(const float *a, const int8_t *codes, size_t count) {
    __m256 sum0 = _mm256_setzero_ps();
    __m256 sum1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(codes + i));
        __m256 low = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes));
        __m256 high = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(bytes, 8)));
        sum0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), low, sum0);
        sum1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), high, sum1);
    }
    float total = horizontal_sum(_mm256_add_ps(sum0, sum1));
    for (; i < count; i++) total += a[i] * (float)codes[i];
    return total;
}

// MARK: AVX-512

#define LARDER_AVX512 __attribute__((target("avx512f")))

int larder_cpu_has_avx512f(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

LARDER_AVX512 float larder_dot_f32_avx512(const float *a, const float *b, size_t count) {
    __m512 sum0 = _mm512_setzero_ps();
    __m512 sum1 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= count; i += 32) {
        sum0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), sum0);
        sum1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), sum1);
    }
    if (i + 16 <= count) {
        sum0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), sum0);
        i += 16;
    }
    float total = _mm512_reduce_add_ps(_mm512_add_ps(sum0, sum1));
    for (; i < count; i++) total += a[i] * b[i];
    return total;
}

LARDER_AVX512 float larder_squared_l2_f32_avx512(const float *a, const float *b, size_t count) {
    __m512 sum0 = _mm512_setzero_ps();
    __m512 sum1 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= count; i += 32) {
        __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
        sum0 = _mm512_fmadd_ps(d0, d0, sum0);
        sum1 = _mm512_fmadd_ps(d1, d1, sum1);
    }
    if (i + 16 <= count) {
        __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        sum0 = _mm512_fmadd_ps(d0, d0, sum0);
        i += 16;
    }
    float total = _mm512_reduce_add_ps(_mm512_add_ps(sum0, sum1));
    for (; i < count; i++) {
        float d = a[i] - b[i];
        total += d * d;
    }
    return total;
}

LARDER_AVX512 float larder_dot_f32_i8_avx512(const float *a, const int8_t *codes, size_t count) {
    __m512 sum0 = _mm512_setzero_ps();
    __m512 sum1 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= count; i += 32) {
        __m512 low = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(codes + i))));
        __m512 high = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(codes + i + 16))));
        sum0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), low, sum0);
        sum1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), high, sum1);
    }
    if (i + 16 <= count) {
        __m512 low = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(codes + i))));
        sum0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), low, sum0);
        i += 16;
    }
    float total = _mm512_reduce_add_ps(_mm512_add_ps(sum0, sum1));
    for (; i < count; i++) total += a[i] * (float)codes[i];
    return total;
}

#else

// Other architectures: no AVX2. The kernels are plain loops so the symbols
// exist, but callers use the Swift SIMD kernels because the check returns 0.

int larder_cpu_has_avx2_fma(void) { return 0; }

float larder_dot_f32_avx2(const float *a, const float *b, size_t count) {
    float total = 0;
    for (size_t i = 0; i < count; i++) total += a[i] * b[i];
    return total;
}

float larder_squared_l2_f32_avx2(const float *a, const float *b, size_t count) {
    float total = 0;
    for (size_t i = 0; i < count; i++) {
        float d = a[i] - b[i];
        total += d * d;
    }
    return total;
}

float larder_dot_f32_i8_avx2(const float *a, const int8_t *codes, size_t count) {
    float total = 0;
    for (size_t i = 0; i < count; i++) total += a[i] * (float)codes[i];
    return total;
}

int larder_cpu_has_avx512f(void) { return 0; }

float larder_dot_f32_avx512(const float *a, const float *b, size_t count) {
    return larder_dot_f32_avx2(a, b, count);
}

float larder_squared_l2_f32_avx512(const float *a, const float *b, size_t count) {
    return larder_squared_l2_f32_avx2(a, b, count);
}

float larder_dot_f32_i8_avx512(const float *a, const int8_t *codes, size_t count) {
    return larder_dot_f32_i8_avx2(a, codes, count);
}

#endif
