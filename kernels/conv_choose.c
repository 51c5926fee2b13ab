// The one place that decides which convolution algorithm runs a layer: whether a requested
// algorithm can run it on a kernel table, and AUTO's rule (direct, F(2x2,3x3) or F(4x4,3x3)).
// Plans (conv_plan.c), the forward pass (blocks/) and the benchmarks all ask here.
#include <math.h>
#include <stdio.h>

#include "engine.h"
#include "table.h"
#include "winograd.h"

int rb_conv_algo_winograd_m(rb_conv_algo a) {
  return a == RB_CONV_WINOGRAD_F2 ? 2 : a == RB_CONV_WINOGRAD_F4 ? 4 : a == RB_CONV_WINOGRAD_F6 ? 6 : 0;
}

const char *rb_kernels_winograd_name(const rb_kernels *k, int m) {
  if (!k || (m != 2 && m != 4 && m != 6)) return NULL;
  if (k->engine && rb_wino_engine_has(k->engine, m)) return k->engine->wino[m / 2 - 1].name;
  return k->conv_winograd[m / 2 - 1] ? k->conv_winograd[m / 2 - 1]->name : NULL;
}

int rb_kernels_has_winograd(const rb_kernels *k, int m) { return rb_kernels_winograd_name(k, m) != NULL; }

// ---- the error bound ------------------------------------------------------------------------

// Largest relative error AUTO accepts, against the sum of |terms| of each output element.
#define AUTO_MAX_REL_ERR 1e-4

double rb_winograd_error_bound(int m, int cin_g) {
  // Measured worst max relative error (resbench check's Winograd study, fp64 oracle, 12 seeds x 5
  // ResNet-family 3x3 layers with 64..512 channels, or 32 groups of 4; ref and the SIMD tables):
  // F2 2.4e-7, F4 6.2e-6, F6 1.05e-5. The bounds are ~6x those (suites/winograd_tol.h checks the
  // kernels against the same numbers). They hold for groups of >= 4 channels: with fewer, an output's
  // 3x3 window sums few terms next to the tile it is computed from, and the error relative to it
  // has a heavy tail (4e-2 seen for F6 on 1-channel groups): no bound is claimed there (infinity).
  // Past the 512 channels of the study, the accumulation error grows as sqrt(channels) (random
  // rounding, Higham and Mary 2019).
  static const double measured_bound[3] = {1.5e-6, 4e-5, 6e-5};
  if ((m != 2 && m != 4 && m != 6) || cin_g < 4) return INFINITY;
  const double growth = cin_g > 512 ? sqrt(cin_g / 512.0) : 1.0;
  return measured_bound[m / 2 - 1] * growth;
}

// ---- AUTO's rule ----------------------------------------------------------------------------

// Winograd F(m) replaces 9 multiply-adds per output and input channel by (m+2)^2 / m^2 (F4: 2.25,
// 4x fewer; F2: 4, 2.25x fewer), and pays for it with the transforms: passes over memory of
// (m+2)^2 / m^2 floats per output pixel and channel, each way, whatever the group width. And each
// 3x3 filter becomes (m+2)^2 transformed weights (F4: 36 against 9), each used once per tile: on a
// small image with many channels they are streamed from L3 or memory for little work (ResNet-50's
// 512@7: 37.7 MB of F4 weights for 4 tiles, 9.4 MB of direct weights for 49 pixels).
// So, from the shape:
//   1. 3x3 stride 1 dilation 1, and the variant's error bound <= AUTO_MAX_REL_ERR;
//   2. at least AUTO_MIN_CIN_G channels a group, or 4 or 8 that the engine runs in one pass.
//      A group of c channels makes the products c multiply-adds per element of V and M: through
//      memory (transformed tiles written, read, written, read) that is memory-bound below ~32,
//      where our narrow-group direct kernel (9c multiply-adds per output from registers) wins. The
//      engine's one-pass kernel (rb_f32_wino_ng_fn) keeps V and M in registers instead: F4 is then
//      ~44 vector operations per output pixel and 4 channels (transforms 26, products 18) against
//      direct's 72 (9 x 4 broadcasts and multiply-adds). Measured, 1 thread, Xeon (SPR-class) KVM,
//      F4 one pass / direct: ResNeXt-50's 4 channels a group at 56x56 1.39x (AVX-512) and 1.26x
//      (AVX2), 8 at 28x28 1.74x and 1.21x; 16 at 14x14 0.71x and 1.12x (the AVX-512 direct c16
//      kernel broadcasts from memory, off the shuffle port: 16 stays direct). Through memory (no
//      one-pass kernel: ref) 0.63-1.19x; ResNeSt-50d's 32 and 64 channels a group 1.4-2.9x;
//   3. transformed weights that fit in L2, or at least AUTO_MIN_REUSE tiles (over the batch)
//      to use each of them (ResNet-50's 512@7: F4 0.68x and F2 1.10x on AVX-512; 256@14 F4 1.49x,
//      F2 2.19x);
//   F4 first (fewer multiplies), then F2, else direct. F6 never (its error; suites/winograd_tol.h).
// Measured on this project's CPUs: results/<machine>/winograd-*-1t.md.
#define AUTO_MIN_CIN_G 32
#define AUTO_L2_BYTES (512.0 * 1024)  // the smallest L2 a core seen here
#define AUTO_MIN_REUSE 32

static rb_conv_algo auto_rule(const rb_kernels *k, const rb_conv_desc *d, char *why, size_t len) {
  const int cin_g = d->cin / d->groups;
  if (rb_winograd_supports(d) != RB_OK) {
    snprintf(why, len, "direct: Winograd needs 3x3 stride 1 dilation 1");
    return RB_CONV_DIRECT;
  }
  const int one_pass = (cin_g == 4 || cin_g == 8) && k->engine && rb_wino_engine_one_pass(k->engine, d, 4);
  if (cin_g < AUTO_MIN_CIN_G && !one_pass) {
    snprintf(why, len,
             "direct: %d channels a group (< %d, and not 4 or 8 in one pass): the transforms cost more than the "
             "products save", cin_g, AUTO_MIN_CIN_G);
    return RB_CONV_DIRECT;
  }
  const int oh = rb_conv_out_h(d), ow = rb_conv_out_w(d);
  static const int order[2] = {4, 2};
  int o = snprintf(why, len, "direct:");
  for (int i = 0; i < 2; i++) {
    const int m = order[i], a = m + 2;
    const double tiles = (double)d->n * ((oh + m - 1) / m) * ((ow + m - 1) / m);
    const double u_bytes = (double)a * a * cin_g * d->cout * sizeof(float);
    const double bound = rb_winograd_error_bound(m, cin_g);
    const char *no = !rb_kernels_has_winograd(k, m)               ? "not on this ISA"
                     : bound > AUTO_MAX_REL_ERR                    ? "error bound above 1e-4"
                     : u_bytes > AUTO_L2_BYTES && tiles < AUTO_MIN_REUSE ? "too few tiles for its weights"
                                                                        : NULL;
    if (!no) {
      snprintf(why, len, "winograd_f%d: %d channels a group%s, %.0f tiles, %.1f MB of transformed weights, error "
               "bound %.1e", m, cin_g, one_pass ? " in one pass" : "", tiles, u_bytes / 1e6, bound);
      return m == 4 ? RB_CONV_WINOGRAD_F4 : RB_CONV_WINOGRAD_F2;
    }
    if (o > 0 && (size_t)o < len)
      o += snprintf(why + o, len - (size_t)o, " F%d: %s (%.0f tiles, %.1f MB)%s", m, no, tiles, u_bytes / 1e6,
                    i == 0 ? ";" : "");
  }
  return RB_CONV_DIRECT;
}

// ---- requests -------------------------------------------------------------------------------

static rb_status check_request(const rb_kernels *k, const rb_conv_desc *d, rb_conv_algo a) {
  const int m = rb_conv_algo_winograd_m(a);
  if (m) {
    rb_status s = rb_winograd_supports(d);
    if (s != RB_OK) return s;
    if (!rb_kernels_has_winograd(k, m))
      return rb_fail(RB_ERR_UNSUPPORTED, "ISA '%s' has no %s convolution kernel", k->isa_name, rb_conv_algo_name(a));
    return RB_OK;
  }
  if (a >= RB_CONV_DIRECT_GEMM && !k->engine)
    return rb_fail(RB_ERR_UNSUPPORTED, "ISA '%s' has no SIMD engine: %s needs one (use direct)", k->isa_name,
                   rb_conv_algo_name(a));
  if (!k->engine && !k->conv_direct)
    return rb_fail(RB_ERR_UNSUPPORTED, "ISA '%s' has no direct convolution kernel", k->isa_name);
  return RB_OK;
}

static rb_status choose(const rb_kernels *k, const rb_conv_desc *d, rb_conv_algo requested, int fallback,
                        rb_conv_algo *chosen, char *why, size_t len) {
  if (!k || !chosen) return rb_fail(RB_ERR_NULL, "rb_conv_algo_choose: NULL argument");
  rb_status s = rb_conv_desc_check(d);  // names a NULL descriptor
  if (s != RB_OK) return s;
  if ((unsigned)requested > RB_CONV_DIRECT_ROWS)
    return rb_fail(RB_ERR_INVALID_ARG, "convolution algorithm %d out of range", (int)requested);
  char none[8];
  if (!why) why = none, len = sizeof none;
  rb_conv_algo a = requested;
  if (a == RB_CONV_AUTO) {
    a = auto_rule(k, d, why, len);
  } else if (fallback && rb_conv_algo_winograd_m(a) && rb_winograd_supports(d) != RB_OK) {
    snprintf(why, len, "direct: Winograd needs 3x3 stride 1 dilation 1");
    a = RB_CONV_DIRECT;
  } else {
    snprintf(why, len, "%s: requested", rb_conv_algo_name(a));
  }
  if ((s = check_request(k, d, a)) != RB_OK) return s;
  *chosen = a;
  return RB_OK;
}

rb_status rb_conv_algo_choose(const rb_kernels *k, const rb_conv_desc *d, rb_conv_algo requested,
                              rb_conv_algo *chosen) {
  return choose(k, d, requested, 0, chosen, NULL, 0);
}

rb_status rb_conv_algo_for_layer(const rb_kernels *k, const rb_conv_desc *d, rb_conv_algo requested,
                                 rb_conv_algo *chosen) {
  return choose(k, d, requested, 1, chosen, NULL, 0);
}

rb_status rb_conv_algo_explain(const rb_kernels *k, const rb_conv_desc *d, rb_conv_algo requested,
                               rb_conv_algo *chosen, char *why, size_t len) {
  if (!why || !len) return rb_fail(RB_ERR_NULL, "rb_conv_algo_explain: NULL buffer");
  return choose(k, d, requested, 0, chosen, why, len);
}
