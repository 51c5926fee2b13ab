// The memory-bound kernels of the table (pools, the residual add, SE and its fused scale + add,
// the attention FCs, softmaxes and weighted sums), vectorized over channels: a template that each
// ISA's kernels/<isa>/eltwise.c includes once, after defining
//   VM_VL, VM_VEC, VM_IVEC  the vector (kernels/vec_math.h),
//   EW_SUFFIX               the suffix of the names (__avx2, __vec8, ...).
// It defines rb_eltwise_fill<EW_SUFFIX>(rb_kernels *), which points a table's members at them.
// The contracts are the table's (kernels/table.h); the semantics are ref's, NaN included.
// Channels past the last whole vector go through one partial vector (vm_load_part): no access
// passes the last channel. Each output element is computed by one thread in a fixed order, so
// results do not depend on the thread count. Sums run in ref's order (the pools are then
// bit-identical to ref; weighted sums differ where the ISA contracts a*b + s into an FMA), except
// the FC dot products, summed VM_VL lanes at a time, and the global pool of large maps, summed in
// 8 pixel ranges: each within ref's gamma(k) bound.
#include <math.h>
#include <stddef.h>

#include "pool_window.h"
#include "table.h"
#include "vec_math.h"

#define EW_CAT2(a, b) a##b
#define EW_CAT(a, b) EW_CAT2(a, b)
#define EW_NAME(f) EW_CAT(f, EW_SUFFIX)
#define EW_FN static
// Below this many floats a pass runs on one thread (a parallel region costs a few microseconds).
#define EW_PAR_MIN (1u << 15)

// ---- element-wise ------------------------------------------------------------------------------

EW_FN void ew_add(size_t count, const float *a, const float *b, int relu, float *out) {
  const size_t nvec = count / VM_VL;
  // Each element is read before it is written: out may alias a or b.
#pragma omp parallel for schedule(static) if (count >= EW_PAR_MIN)
  for (size_t v = 0; v < nvec; v++) {
    const size_t i = v * VM_VL;
    const VM_VEC s = vm_load(a + i) + vm_load(b + i);
    vm_store(out + i, relu ? vm_relu(s) : s);
  }
  const size_t i = nvec * VM_VL;
  const int rest = (int)(count - i);
  if (rest) {
    const VM_VEC s = vm_load_part(a + i, rest, 0.0f) + vm_load_part(b + i, rest, 0.0f);
    vm_store_part(out + i, relu ? vm_relu(s) : s, rest);
  }
}

// out = relu?(x * gate[n][c] + residual): the SE channel scale fused with the block's residual
// add and ReLU (residual NULL: the scale alone). One pass: x and residual read once, out written once.
EW_FN void ew_scale_add(int n, int hw, int c, const float *x, const float *gate, const float *residual, int relu,
                        float *out) {
  const int full = c - c % VM_VL, rest = c - full;
#pragma omp parallel for collapse(2) schedule(static) if ((size_t)n * hw * c >= EW_PAR_MIN)
  for (int i = 0; i < n; i++)
    for (int p = 0; p < hw; p++) {
      const float *g = gate + (size_t)i * c;
      const size_t o = ((size_t)i * hw + p) * c;
      for (int ch = 0; ch < full; ch += VM_VL) {
        VM_VEC s = vm_load(x + o + ch) * vm_load(g + ch);
        if (residual) s += vm_load(residual + o + ch);
        vm_store(out + o + ch, relu ? vm_relu(s) : s);
      }
      if (rest) {
        VM_VEC s = vm_load_part(x + o + full, rest, 0.0f) * vm_load_part(g + full, rest, 0.0f);
        if (residual) s += vm_load_part(residual + o + full, rest, 0.0f);
        vm_store_part(out + o + full, relu ? vm_relu(s) : s, rest);
      }
    }
}

EW_FN void ew_vexp(size_t count, const float *in, float *out) {
  size_t i = 0;
  for (; i + VM_VL <= count; i += VM_VL) vm_store(out + i, vm_exp(vm_load(in + i)));
  if (i < count) vm_store_part(out + i, vm_exp(vm_load_part(in + i, (int)(count - i), 0.0f)), (int)(count - i));
}

EW_FN void ew_sigmoid(size_t count, const float *in, float *out) {
  size_t i = 0;
  for (; i + VM_VL <= count; i += VM_VL) vm_store(out + i, vm_sigmoid(vm_load(in + i)));
  if (i < count)
    vm_store_part(out + i, vm_sigmoid(vm_load_part(in + i, (int)(count - i), 0.0f)), (int)(count - i));
}

// ---- pools -------------------------------------------------------------------------------------

enum { EW_POOL_VECS = 4 };  // channels summed together: 4 vectors of accumulators

// acc[v] += pixels [p0, p1) of channels [c0, c0 + cn), cn <= EW_POOL_VECS * VM_VL, in pixel order:
// the accumulate loop of both global pool paths (the large-map one carries acc across row chunks).
VM_INLINE void ew_sum_rows(const float *in, int c, int c0, int cn, int p0, int p1, VM_VEC *acc) {
  const int nv = (cn + VM_VL - 1) / VM_VL, last = cn - (nv - 1) * VM_VL;
  for (int p = p0; p < p1; p++) {
    const float *x = in + (size_t)p * c + c0;
    for (int v = 0; v < nv - 1; v++) acc[v] += vm_load(x + v * VM_VL);
    acc[nv - 1] += last == VM_VL ? vm_load(x + (nv - 1) * VM_VL) : vm_load_part(x + (nv - 1) * VM_VL, last, 0.0f);
  }
}

// Means of channels [c0, c0 + cn) of image i, cn <= EW_POOL_VECS * VM_VL, summed over p in order.
VM_INLINE void ew_pool_block(int hw, int c, const float *in, int c0, int cn, float *out) {
  VM_VEC acc[EW_POOL_VECS] = {{0}};
  const int nv = (cn + VM_VL - 1) / VM_VL, last = cn - (nv - 1) * VM_VL;
  ew_sum_rows(in, c, c0, cn, 0, hw, acc);
  const VM_VEC div = vm_set1((float)hw);  // divide, as ref: one rounding
  for (int v = 0; v < nv - 1; v++) vm_store(out + c0 + v * VM_VL, acc[v] / div);
  vm_store_part(out + c0 + (nv - 1) * VM_VL, acc[nv - 1] / div, last);
}

// Large maps are summed in EW_POOL_PARTS fixed pixel ranges, one per task, then the parts in
// order: each thread streams whole pixel rows (split by channels instead, two threads would read
// interleaved pieces of every row, and the prefetchers fetch each other's lines). The partition
// does not depend on the thread count, so neither does the result.
enum { EW_POOL_PARTS = 8, EW_POOL_PART_MIN_PIXELS = 256, EW_POOL_PART_MAX_FLOATS = 16384, EW_POOL_AHEAD = 4096 };

EW_FN void ew_global_avgpool(int n, int hw, int c, const float *in, float *out) {
  const int blk = EW_POOL_VECS * VM_VL, nblk = (c + blk - 1) / blk;
  if (hw < EW_POOL_PARTS * EW_POOL_PART_MIN_PIXELS || (size_t)c * EW_POOL_PARTS > EW_POOL_PART_MAX_FLOATS) {
#pragma omp parallel for collapse(2) schedule(static) if ((size_t)n * hw * c >= EW_PAR_MIN)
    for (int i = 0; i < n; i++)
      for (int b = 0; b < nblk; b++) {
        const int c0 = b * blk, cn = c - c0 < blk ? c - c0 : blk;
        ew_pool_block(hw, c, in + (size_t)i * hw * c, c0, cn, out + (size_t)i * c);
      }
    return;
  }
  float part[EW_POOL_PART_MAX_FLOATS];  // [part][c]: each part's sums
  const int full = c - c % VM_VL, rest = c - full;
  for (int i = 0; i < n; i++) {
    const float *img = in + (size_t)i * hw * c;
#pragma omp parallel for schedule(static)
    for (int q = 0; q < EW_POOL_PARTS; q++) {
      const int p0 = (int)((long long)hw * q / EW_POOL_PARTS), p1 = (int)((long long)hw * (q + 1) / EW_POOL_PARTS);
      // Each pixel row whole, in address order, into the part's sums (c floats, in L1), with the
      // lines EW_POOL_AHEAD floats ahead prefetched: one sequential stream per thread. Swept in
      // blocks of channels instead, or without the prefetch, the pass ran at 70-80 % of the triad
      // (Xeon SPR-class, 2 threads, 440 MB), against 95 % so.
      float *dst = part + (size_t)q * c;
      for (int ch = 0; ch < c; ch++) dst[ch] = 0.0f;
      for (int p = p0; p < p1; p++) {
        const float *x = img + (size_t)p * c;
        for (int ch = 0; ch < full; ch += VM_VL) {
          __builtin_prefetch(x + ch + EW_POOL_AHEAD);  // never faults, even past the end
          vm_store(dst + ch, vm_load(dst + ch) + vm_load(x + ch));
        }
        if (rest) vm_store_part(dst + full, vm_load_part(dst + full, rest, 0.0f) + vm_load_part(x + full, rest, 0.0f), rest);
      }
    }
    for (int ch = 0; ch < c; ch++) {
      float s = part[ch];
      for (int q = 1; q < EW_POOL_PARTS; q++) s += part[(size_t)q * c + ch];
      out[(size_t)i * c + ch] = s / (float)hw;
    }
  }
}

// Channels a window sweep carries: up to 8 vectors of accumulators, 16 with 32 registers of 16
// lanes (AVX-512: ResNet's 256 channels in one sweep, each tap's row then read as one run of
// kw pixels, each input row a stream that only moves forward).
enum { EW_WINDOW_VECS = VM_VL >= 16 ? 16 : 8 };

// Channels [ch, ch + nv vectors) of one output pixel, nv <= EW_WINDOW_VECS a constant where it is
// called (the loops over v unroll, the accumulators stay in registers), the taps the outer loop.
VM_INLINE void ew_window_vecs(const rb_pool_desc *d, const float *img, int y0, int y1, int x0, int x1, int is_max,
                              VM_VEC vdiv, int ch, int nv, float *o) {
  const int c = d->c;
  VM_VEC acc[EW_WINDOW_VECS];
  _Pragma("GCC unroll 16") for (int v = 0; v < nv; v++) acc[v] = vm_set1(is_max ? -INFINITY : 0.0f);
  if (is_max) {
    // Fast path: one max a vector (vm_max_keep), and the inputs summed into four checks; a NaN or
    // an Inf (or an overflowing sum) makes them non-finite, and then the block is swept again with
    // ref's NaN-propagating max, which costs five instructions a vector (two compares).
    VM_VEC check[4] = {{0}};
    for (int iy = y0; iy < y1; iy++)
      for (int ix = x0; ix < x1; ix++) {
        const float *px = img + ((size_t)iy * d->w + ix) * c + ch;
        _Pragma("GCC unroll 16") for (int v = 0; v < nv; v++) {
          const VM_VEC x = vm_load(px + v * VM_VL);
          acc[v] = vm_max_keep(acc[v], x);
          check[v & 3] += x;
        }
      }
    if (vm_any_nonfinite((check[0] + check[1]) + (check[2] + check[3]))) {
      _Pragma("GCC unroll 16") for (int v = 0; v < nv; v++) acc[v] = vm_set1(-INFINITY);
      for (int iy = y0; iy < y1; iy++)
        for (int ix = x0; ix < x1; ix++) {
          const float *px = img + ((size_t)iy * d->w + ix) * c + ch;
          _Pragma("GCC unroll 16") for (int v = 0; v < nv; v++) acc[v] = vm_max_nan(acc[v], vm_load(px + v * VM_VL));
        }
    }
  } else {
    for (int iy = y0; iy < y1; iy++)
      for (int ix = x0; ix < x1; ix++) {
        const float *px = img + ((size_t)iy * d->w + ix) * c + ch;
        _Pragma("GCC unroll 16") for (int v = 0; v < nv; v++) acc[v] += vm_load(px + v * VM_VL);
      }
  }
  _Pragma("GCC unroll 16") for (int v = 0; v < nv; v++)
    vm_store(o + ch + v * VM_VL, is_max ? acc[v] : acc[v] / vdiv);  // divide, as ref: one rounding
}

// One output pixel of a max (is_max) or average pool over all channels: blocks of 16 vectors
// (16-lane ISAs) or 8, then of 4, 2 and 1, each tap's channels one contiguous run
// (ew_window_vecs), then a partial vector. With the channels outer (a vector at a time through all
// taps), the reads jumped between pixels every 64 bytes, and the pools ran at 60-70 % of the triad
// (Xeon SPR-class, 2 threads, 550 MB), against 80-100 % so. 16 vectors against 8 on Zen 4 (2
// threads, tools/ab_pool.sh): 1.18-1.65x past the L3, 0.90-1.05x on one 3.2 MB image in it. The
// order over the taps is ref's. The max pool's fast path (ew_window_vecs) against ref's max on
// every tap, Zen 4, 2 threads: 1.2-1.4x past the L3 and 1.56x in it (AVX-512), 1.08x and 1.56x
// (AVX2); the average pools' loop without the max's select beside it 1.03-1.15x / 1.04-1.31x.
VM_INLINE void ew_pool_pixel(const rb_pool_desc *d, const float *img, int y0, int y1, int x0, int x1, int is_max,
                             float div, float *o) {
  const int c = d->c;
  const VM_VEC vdiv = vm_set1(div);
  int ch = 0;
  if (EW_WINDOW_VECS > 8)
    for (; ch + EW_WINDOW_VECS * VM_VL <= c; ch += EW_WINDOW_VECS * VM_VL)
      ew_window_vecs(d, img, y0, y1, x0, x1, is_max, vdiv, ch, EW_WINDOW_VECS, o);
  for (; ch + 8 * VM_VL <= c; ch += 8 * VM_VL) ew_window_vecs(d, img, y0, y1, x0, x1, is_max, vdiv, ch, 8, o);
  if (ch + 4 * VM_VL <= c) ew_window_vecs(d, img, y0, y1, x0, x1, is_max, vdiv, ch, 4, o), ch += 4 * VM_VL;
  if (ch + 2 * VM_VL <= c) ew_window_vecs(d, img, y0, y1, x0, x1, is_max, vdiv, ch, 2, o), ch += 2 * VM_VL;
  if (ch + VM_VL <= c) ew_window_vecs(d, img, y0, y1, x0, x1, is_max, vdiv, ch, 1, o), ch += VM_VL;
  if (ch < c) {  // the last channels, a partial vector
    const int cn = c - ch;
    VM_VEC acc = vm_set1(is_max ? -INFINITY : 0.0f);
    for (int iy = y0; iy < y1; iy++)
      for (int ix = x0; ix < x1; ix++) {
        const VM_VEC x = vm_load_part(img + ((size_t)iy * d->w + ix) * c + ch, cn, 0.0f);
        acc = is_max ? vm_max_nan(acc, x) : acc + x;
      }
    vm_store_part(o + ch, is_max ? acc : acc / vdiv, cn);
  }
}

VM_INLINE void ew_pool(const rb_pool_desc *d, const float *in, float *out, int is_max) {
  const int oh = rb_pool_out_h(d), ow = rb_pool_out_w(d), c = d->c;
#pragma omp parallel for collapse(2) schedule(static) if ((size_t)d->n * oh * ow * c >= (1u << 14))
  for (int i = 0; i < d->n; i++)
    for (int y = 0; y < oh; y++)
      for (int x = 0; x < ow; x++) {
        int y0, y1, x0, x1;
        const int ph = rb_pool_window(y, d->kh, d->stride_h, d->pad_h, d->h, &y0, &y1);
        const int pw = rb_pool_window(x, d->kw, d->stride_w, d->pad_w, d->w, &x0, &x1);
        const float div = (float)(d->count_include_pad ? ph * pw : (y1 - y0) * (x1 - x0));
        ew_pool_pixel(d, in + (size_t)i * d->h * d->w * c, y0, y1, x0, x1, is_max, div,
                      out + (((size_t)i * oh + y) * ow + x) * c);
      }
}

EW_FN void ew_maxpool(const rb_pool_desc *d, const float *in, float *out) { ew_pool(d, in, out, 1); }
EW_FN void ew_avgpool(const rb_pool_desc *d, const float *in, float *out) { ew_pool(d, in, out, 0); }

// ---- attention -----------------------------------------------------------------------------

// sum_j w[j] x[j], j < k: four vector accumulators (four FMA chains), then the lanes.
VM_INLINE float ew_dot(int k, const float *w, const float *x) {
  VM_VEC a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
  int j = 0;
  for (; j + 4 * VM_VL <= k; j += 4 * VM_VL) {
    a0 += vm_load(w + j) * vm_load(x + j);
    a1 += vm_load(w + j + VM_VL) * vm_load(x + j + VM_VL);
    a2 += vm_load(w + j + 2 * VM_VL) * vm_load(x + j + 2 * VM_VL);
    a3 += vm_load(w + j + 3 * VM_VL) * vm_load(x + j + 3 * VM_VL);
  }
  for (; j + VM_VL <= k; j += VM_VL) a0 += vm_load(w + j) * vm_load(x + j);
  if (j < k) a1 += vm_load_part(w + j, k - j, 0.0f) * vm_load_part(x + j, k - j, 0.0f);
  return vm_hsum((a0 + a1) + (a2 + a3));
}

// One output a task, its weight row read whole: a thread's weights (which a batch-1 network
// streams from DRAM) in address order, one stream.
// Four rows interleaved (each x vector loaded once for four rows) left the prefetchers four
// streams of k floats each, too short to train on when k is small: on Zen 4 (2 threads, weights
// rotated past the L3) 128 -> 2048 ran at 10 GB/s against 30 so, 2048 -> 1000 at 30 against 37.
EW_FN void ew_fc(int n, int in_f, int out_f, int groups, const float *in, const float *w, const float *bias,
                 int relu, float *out) {
  const int ig = in_f / groups, og = out_f / groups;
#pragma omp parallel for collapse(3) schedule(static) if ((size_t)n * out_f * ig >= (1u << 16))
  for (int i = 0; i < n; i++)
    for (int g = 0; g < groups; g++)
      for (int r = 0; r < og; r++) {
        const int o = g * og + r;
        const float dot = ew_dot(ig, w + (size_t)o * ig, in + (size_t)i * in_f + (size_t)g * ig);
        const float v = bias ? dot + bias[o] : dot;
        out[(size_t)i * out_f + o] = relu && v < 0.0f ? 0.0f : v;
      }
}

EW_FN void ew_se(const rb_se_desc *d, const float *in, const float *w1, const float *b1, const float *w2,
                 const float *b2, float *workspace, float *out) {
  const int n = d->n, c = d->c, hw = d->h * d->w;
  float *gate = workspace, *hidden = workspace + (size_t)n * c;
  ew_global_avgpool(n, hw, c, in, gate);
  ew_fc(n, c, d->reduced, d->groups, gate, w1, b1, 1, hidden);
  ew_fc(n, d->reduced, c, d->groups, hidden, w2, b2, 0, gate);
  ew_sigmoid((size_t)n * c, gate, gate);
  ew_scale_add(n, hw, c, in, gate, NULL, 0, out);  // the squeeze is done: in may equal out
}

// Softmax over `parts` values at stride xs for cn <= VM_VL consecutive lanes, into y at stride ys:
// ref's three passes (maximum, exponentials and their sum, division), the exponentials kept in y.
VM_INLINE void ew_softmax_lanes(int parts, const float *x, size_t xs, float *y, size_t ys, int cn) {
  VM_VEC m = vm_load_part(x, cn, 0.0f);
  for (int r = 1; r < parts; r++) m = vm_max_nan(m, vm_load_part(x + r * xs, cn, 0.0f));
  VM_VEC s = {0};
  for (int r = 0; r < parts; r++) {
    const VM_VEC e = vm_exp(vm_load_part(x + r * xs, cn, 0.0f) - m);  // <= 1: no overflow
    vm_store_part(y + r * ys, e, cn);
    s += e;
  }
  for (int r = 0; r < parts; r++) vm_store_part(y + r * ys, vm_load_part(y + r * ys, cn, 0.0f) / s, cn);
}

EW_FN void ew_radix_softmax(int n, int cardinality, int radix, int channels, const float *in, float *out) {
  const int rest = channels / cardinality;
  const size_t row = (size_t)radix * channels;
  for (int i = 0; i < n; i++) {
    const float *x = in + i * row;
    float *y = out + i * row;
    if (radix == 1) {  // rSoftMax skips the view: a plain sigmoid
      ew_sigmoid((size_t)channels, x, y);
      continue;
    }
    // Element (g, r, j) of x.view(card, radix, rest) moves to (r, g, j).
    for (int g = 0; g < cardinality; g++)
      for (int j = 0; j < rest; j += VM_VL)
        ew_softmax_lanes(radix, x + (size_t)g * radix * rest + j, (size_t)rest, y + (size_t)g * rest + j,
                         (size_t)channels, rest - j < VM_VL ? rest - j : VM_VL);
  }
}

// Inputs of at least this many floats stream from beyond L2: the split sum then prefetches the
// input row EW_SPLIT_AHEAD pixels on, a line at a time (the hardware prefetchers keep radix
// interleaved streams too little ahead: 62-64 % of the triad on Zen 3, 2 threads, 36 GB/s, 87-88 %
// so, bench passes, two runs each side; in L2 the prefetches only cost: 83-95 % -> 49 % of the
// in-L2 triad when a prefetch rode on every vector of every size).
enum { EW_SPLIT_PREFETCH_MIN = 1u << 20, EW_SPLIT_AHEAD = 4 };

EW_FN void ew_split_sum(int n, int hw, int radix, int channels, const float *x, const float *att, float *out) {
  const size_t row = (size_t)radix * channels;
  const int prefetch = (size_t)n * hw * row >= EW_SPLIT_PREFETCH_MIN;
#pragma omp parallel for collapse(2) schedule(static) if ((size_t)n * hw * row >= EW_PAR_MIN)
  for (int i = 0; i < n; i++)
    for (int p = 0; p < hw; p++) {
      const float *xp = x + ((size_t)i * hw + p) * row, *a = att + (size_t)i * row;
      float *o = out + ((size_t)i * hw + p) * channels;
      if (prefetch && p + EW_SPLIT_AHEAD < hw)
        for (size_t f = 0; f < row; f += 16) __builtin_prefetch(xp + EW_SPLIT_AHEAD * row + f);
      // Whole vectors in a loop of their own: with the tail's test inside it, the pass ran at 65-70 %
      // of the triad (Xeon SPR-class, 2 threads), against 85-95 % so.
      int c = 0;
      for (; c + VM_VL <= channels; c += VM_VL) {
        VM_VEC s = vm_load(a + c) * vm_load(xp + c);
        for (int r = 1; r < radix; r++) s += vm_load(a + (size_t)r * channels + c) * vm_load(xp + (size_t)r * channels + c);
        vm_store(o + c, s);
      }
      if (c < channels) {
        const int cn = channels - c;
        VM_VEC s = vm_load_part(a + c, cn, 0.0f) * vm_load_part(xp + c, cn, 0.0f);
        for (int r = 1; r < radix; r++) {
          const size_t off = (size_t)r * channels + c;
          s += vm_load_part(a + off, cn, 0.0f) * vm_load_part(xp + off, cn, 0.0f);
        }
        vm_store_part(o + c, s, cn);
      }
    }
}

EW_FN void ew_sk_select(int n, int hw, int paths, int channels, const float *const *branches, const float *logits,
                        float *workspace, float *out) {
  const size_t row = (size_t)paths * channels;
  for (int i = 0; i < n; i++)
    for (int c = 0; c < channels; c += VM_VL)
      ew_softmax_lanes(paths, logits + i * row + c, (size_t)channels, workspace + i * row + c, (size_t)channels,
                       channels - c < VM_VL ? channels - c : VM_VL);
#pragma omp parallel for collapse(2) schedule(static) if ((size_t)n * hw * row >= EW_PAR_MIN)
  for (int i = 0; i < n; i++)
    for (int q = 0; q < hw; q++) {
      const size_t o = ((size_t)i * hw + q) * channels;
      const float *a = workspace + i * row;
      int c = 0;
      for (; c + VM_VL <= channels; c += VM_VL) {  // whole vectors apart from the tail, as the split sum
        VM_VEC s = vm_load(a + c) * vm_load(branches[0] + o + c);
        for (int p = 1; p < paths; p++) s += vm_load(a + (size_t)p * channels + c) * vm_load(branches[p] + o + c);
        vm_store(out + o + c, s);
      }
      if (c < channels) {
        const int cn = channels - c;
        VM_VEC s = vm_load_part(a + c, cn, 0.0f) * vm_load_part(branches[0] + o + c, cn, 0.0f);
        for (int p = 1; p < paths; p++)
          s += vm_load_part(a + (size_t)p * channels + c, cn, 0.0f) * vm_load_part(branches[p] + o + c, cn, 0.0f);
        vm_store_part(out + o + c, s, cn);
      }
    }
}

// The engine's colsum (kernels/ukernel.h): four vectors of columns at a time, summed down the rows.
void EW_NAME(rb_f32_colsum)(float *dst, const float *src, size_t stride, size_t rows, int n);
void EW_NAME(rb_f32_colsum)(float *dst, const float *src, size_t stride, size_t rows, int n) {
  int j = 0;
  for (; j + 4 * VM_VL <= n; j += 4 * VM_VL) {
    VM_VEC a0 = vm_load(dst + j), a1 = vm_load(dst + j + VM_VL), a2 = vm_load(dst + j + 2 * VM_VL),
           a3 = vm_load(dst + j + 3 * VM_VL);
    for (size_t m = 0; m < rows; m++) {
      const float *r = src + m * stride + j;
      a0 += vm_load(r), a1 += vm_load(r + VM_VL), a2 += vm_load(r + 2 * VM_VL), a3 += vm_load(r + 3 * VM_VL);
    }
    vm_store(dst + j, a0), vm_store(dst + j + VM_VL, a1), vm_store(dst + j + 2 * VM_VL, a2);
    vm_store(dst + j + 3 * VM_VL, a3);
  }
  for (; j < n; j += VM_VL) {
    const int cn = n - j < VM_VL ? n - j : VM_VL;
    VM_VEC a = vm_load_part(dst + j, cn, 0.0f);
    for (size_t m = 0; m < rows; m++) a += vm_load_part(src + m * stride + j, cn, 0.0f);
    vm_store_part(dst + j, a, cn);
  }
}

void EW_NAME(rb_eltwise_fill)(rb_kernels *t);
void EW_NAME(rb_eltwise_fill)(rb_kernels *t) {
  t->se = ew_se;
  t->global_avgpool = ew_global_avgpool;
  t->fc = ew_fc;
  t->radix_softmax = ew_radix_softmax;
  t->split_sum = ew_split_sum;
  t->sk_select = ew_sk_select;
  t->maxpool = ew_maxpool;
  t->avgpool = ew_avgpool;
  t->add = ew_add;
  t->scale_add = ew_scale_add;
  t->vexp = ew_vexp;
  t->sigmoid = ew_sigmoid;
}
