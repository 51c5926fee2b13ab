// Vector helpers and exp / sigmoid over GCC vector types, for the templates compiled once per
// vector width (kernels/eltwise_template.h). The includer defines
//   VM_VL    floats per vector (4, 8 or 16),
//   VM_VEC   a vector of VM_VL floats, VM_IVEC the int32 vector of the same size.
// Everything is static and always inlined, so no vector crosses a call.
//
// exp: Cody-Waite reduction x = n ln2 + r, |r| <= ln2/2, then Cephes' degree-7 polynomial for
// e^r (1 + r + r^2 P5(r); the coefficients are Cephes expf's), scaled by 2^n as two factors
// 2^(n/2) 2^(n - n/2) so that results down to the smallest subnormal round once. Measured
// against fp64 over every 4099th float (tests/test_eltwise.c): within RB_VEXP_MAX_ULP (table.h)
// ulps where the result is normal, and as many subnormal steps (2^-149) below;
// +-Inf, overflow to +Inf past ln(FLT_MAX), 0 below ln(2^-150), NaN in, NaN out.
// sigmoid(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0, e = exp(-|x|): no overflow, and
// the relative accuracy of sigmoid(-x) is that of exp (ref's formulation, kernels/ref/se.c).
#ifndef RESBENCH_VEC_MATH_H
#define RESBENCH_VEC_MATH_H

#include <string.h>

#pragma GCC diagnostic ignored "-Wpsabi"

#define VM_INLINE static inline __attribute__((always_inline))

VM_INLINE VM_VEC vm_load(const float *p) {
  VM_VEC v;
  memcpy(&v, p, sizeof v);
  return v;
}
VM_INLINE void vm_store(float *p, VM_VEC v) { memcpy(p, &v, sizeof v); }
// The first n < VM_VL lanes; the others are `fill`.
VM_INLINE VM_VEC vm_load_part(const float *p, int n, float fill) {
  float t[VM_VL];
  for (int i = 0; i < VM_VL; i++) t[i] = fill;
  memcpy(t, p, (size_t)n * sizeof(float));
  return vm_load(t);
}
VM_INLINE void vm_store_part(float *p, VM_VEC v, int n) {
  float t[VM_VL];
  vm_store(t, v);
  memcpy(p, t, (size_t)n * sizeof(float));
}
VM_INLINE VM_VEC vm_set1(float x) { return (VM_VEC){0} + x; }

// m ? a : b for a lane mask m (all ones or all zeros, from a vector comparison).
VM_INLINE VM_VEC vm_select(VM_IVEC m, VM_VEC a, VM_VEC b) {
  return (VM_VEC)(((VM_IVEC)a & m) | ((VM_IVEC)b & ~m));
}

// max(0, x) that passes NaN and -0 through, as ref's x < 0 ? 0 : x.
VM_INLINE VM_VEC vm_relu(VM_VEC v) { return (VM_VEC)((VM_IVEC)v & ~(v < 0)); }

// x > m || isnan(x) ? x : m: ref's NaN-propagating max (maxpool, softmax maxima).
VM_INLINE VM_VEC vm_max_nan(VM_VEC m, VM_VEC x) { return vm_select((x > m) | (x != x), x, m); }

// x > m ? x : m, NaN in x dropped (the max pool's fast path, where no input is NaN). One vmaxps on
// x86, whose MAXPS(a, b) is a > b ? a : b, and b when either is NaN; GCC makes the select of
// the vector types three instructions (a compare and two masked xors).
#if defined(__AVX512F__) && VM_VL == 16
#include <immintrin.h>
VM_INLINE VM_VEC vm_max_keep(VM_VEC m, VM_VEC x) { return (VM_VEC)_mm512_max_ps((__m512)x, (__m512)m); }
#elif defined(__AVX__) && VM_VL == 8
#include <immintrin.h>
VM_INLINE VM_VEC vm_max_keep(VM_VEC m, VM_VEC x) { return (VM_VEC)_mm256_max_ps((__m256)x, (__m256)m); }
#else
VM_INLINE VM_VEC vm_max_keep(VM_VEC m, VM_VEC x) { return vm_select(x > m, x, m); }
#endif

// Whether any lane of v is NaN or +-Inf (v - v is NaN exactly there).
VM_INLINE int vm_any_nonfinite(VM_VEC v) {
  const VM_VEC z = v - v;
  const VM_IVEC bad = z != z;
  int32_t t[VM_VL], any = 0;
  memcpy(t, &bad, sizeof t);
  for (int i = 0; i < VM_VL; i++) any |= t[i];
  return any != 0;
}

VM_INLINE float vm_hsum(VM_VEC v) {
  float t[VM_VL], s = 0.0f;
  vm_store(t, v);
  for (int i = 0; i < VM_VL; i++) s += t[i];
  return s;
}

VM_INLINE VM_VEC vm_exp(VM_VEC x) {
  const VM_IVEC nan = x != x;
  // Past 88.8 the result overflows to +Inf, below -104 it rounds to 0; the clamp keeps n in
  // [-150, 128] and the NaN lanes at 0 until the end (no float-to-int conversion of NaN).
  VM_VEC xc = vm_select(x > 88.8f, vm_set1(88.8f), x);
  xc = vm_select(xc < -104.0f, vm_set1(-104.0f), xc);
  xc = vm_select(nan, vm_set1(0.0f), xc);
  // n = round(x / ln2): adding 1.5 * 2^23 rounds to an integer (|x / ln2| < 2^22).
  const VM_VEC shifter = vm_set1(12582912.0f);
  const VM_VEC n = (xc * 1.44269504088896341f + shifter) - shifter;
  // r = x - n ln2, ln2 in two parts (Cody-Waite) so that n * ln2_hi is exact.
  VM_VEC r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  VM_VEC p = vm_set1(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  const VM_IVEC ni = __builtin_convertvector(n, VM_IVEC);
  const VM_IVEC n1 = ni >> 1, n2 = ni - n1;  // each in [-75, 64]: 2^n1 and 2^n2 are normal
  const VM_VEC s1 = (VM_VEC)((n1 + 127) << 23), s2 = (VM_VEC)((n2 + 127) << 23);
  return vm_select(nan, x, p * s1 * s2);
}

VM_INLINE VM_VEC vm_sigmoid(VM_VEC x) {
  const VM_VEC ax = (VM_VEC)((VM_IVEC)x & 0x7fffffff);
  const VM_VEC e = vm_exp(-ax);
  const VM_VEC s = 1.0f / (1.0f + e);
  return vm_select(x < 0, e * s, s);
}

#endif
