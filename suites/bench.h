// The measurements behind `resbench bench` and `resbench sweep`: one convolution (ours and each
// peer, on the same data, in the same process and thread count) and one model graph (a whole
// network or one block), each timed as suites/timing.h does after pinning the domain's threads.
#ifndef RESBENCH_BENCH_H
#define RESBENCH_BENCH_H

#include <jansson.h>

#include "peak.h"
#include "peers/peer.h"
#include "resbench/conv.h"
#include "../kernels/table.h"
#include "resbench/forward.h"
#include "resbench/model.h"
#include "timing.h"
#include "topology.h"

#define RB_BENCH_MAX_PEERS 8  // peers one command runs beside us

// The domain to measure in: `kind`, narrowed to its first `threads` cores when threads > 0
// (RB_ERR_INVALID_ARG when the domain has fewer).
rb_status rb_bench_domain(const rb_topology *t, rb_domain_kind kind, int threads, rb_domain *d);

#define RB_BENCH_MAX_ROUNDS 64  // alternations of ours and the peers (rb_timing_opts.rounds)

typedef struct rb_bench_conv_result {
  rb_timing t;          // with rounds: those of the round whose median is the median of the rounds'
  double gflops;        // 2 x dense MACs / median time
  char kernel[64];      // our kernel's name, or the peer's implementation
  char path[16];        // ours: how it ran (rb_conv_plan_path: ref, gemm, igemm, ngconv, winograd)
  int rounds;           // timed rounds (ours and the peers alternated)
  double speedup;       // peers: the median over rounds of (the peer's median / ours), > 1: we are faster
  rb_conv_algo algo;    // what ran (never AUTO)
  int own_tile;         // peers: a Winograd whose tile the peer chose (algo is what was asked)
  double max_rel_diff;  // peers: max |peer - ours| / max |ours| over the output
  rb_status status;     // RB_ERR_UNSUPPORTED: the peer has no implementation for this shape
  char message[256];    // why, when status is not RB_OK
} rb_bench_conv_result;

// Times our convolution for d on table k and, for each of the npeers peers, the peer's on the same
// input, weights and bias (seeded), and checks the peer's output against ours. A peer that cannot
// run the shape gets status RB_ERR_UNSUPPORTED in its result; only our own failure is an error.
// For a Winograd algo the peer is asked for its Winograd first and, when it has none, its direct
// convolution (said in its message). With opts->rounds > 1 ours and the peers alternate that many
// times, each timed for min_seconds / rounds a round.
rb_status rb_bench_conv(const rb_kernels *k, const rb_conv_desc *d, rb_conv_algo algo, int threads,
                        const rb_peer *const *peers, int npeers, const rb_timing_opts *opts, rb_bench_conv_result *ours,
                        rb_bench_conv_result *peer_results);

// `bench model --profile`: after the timing, more forward passes with every layer timed
// (rb_model_forward_profile), and per graph layer the median over them.
typedef struct rb_bench_profile {
  int min_runs;              // in: profile max(min_runs, the timed runs) passes
  int runs;                  // out: how many were profiled
  double *layer_ms;          // out: [g->count] the medians (rb_bench_profile_free)
  rb_conv_algo *layer_algo;  // out: [g->count] what each convolution ran; RB_CONV_AUTO for other layers
  double *layer_bytes;       // out: [g->count] the activation bytes each moves (rb_model_layer_bytes)
} rb_bench_profile;
void rb_bench_profile_free(rb_bench_profile *p);

// Plans g on table k with seeded random weights (plan: rb_model_plan_opts's options, NULL for the
// defaults), runs a seeded input through it as opts say; then, when profile is not NULL, profiles it
// as above.
rb_status rb_bench_graph(const rb_graph *g, const rb_kernels *k, rb_conv_algo algo, const rb_plan_options *plan,
                         const rb_timing_opts *opts, rb_timing *t, rb_bench_profile *profile);

// Two forward passes against each other in one process (bench model --versus): graphs ga and gb
// (the same graph with other plan options or another algorithm, or another model), each planned as
// rb_bench_graph does with its own algorithm (algo_a, algo_b) and options, and
// alternated in opts->rounds rounds (at least 2; min_seconds split among them), A and B each going
// first in turn. ratio: the median over rounds of A's median time / B's; a, b: the round nearest
// each side's median.
typedef struct rb_bench_versus {
  rb_timing a, b;
  double ratio, ratio_min, ratio_max;
  int rounds;
} rb_bench_versus;
rb_status rb_bench_graph_versus(const rb_graph *ga, const rb_plan_options *pa, rb_conv_algo algo_a,
                                const rb_graph *gb, const rb_plan_options *pb, rb_conv_algo algo_b,
                                const rb_kernels *k, const rb_timing_opts *opts, rb_bench_versus *v);

// The kinds a profile sums its layers into, in the order its table and JSON list them. The names are
// stable (tools compare runs by them): conv_direct, conv_winograd, attn_se, attn_split, attn_sk,
// pool_max, pool_avg, pool_global, add_relu, fc, other.
typedef enum rb_profile_kind {
  RB_PROF_CONV_DIRECT = 0,
  RB_PROF_CONV_WINOGRAD,
  RB_PROF_ATTN_SE,
  RB_PROF_ATTN_SPLIT,
  RB_PROF_ATTN_SK,
  RB_PROF_POOL_MAX,
  RB_PROF_POOL_AVG,
  RB_PROF_POOL_GLOBAL,
  RB_PROF_ADD_RELU,
  RB_PROF_FC,
  RB_PROF_OTHER,  // channel slices (SK split input)
  RB_PROF_KIND_COUNT
} rb_profile_kind;
const char *rb_profile_kind_name(rb_profile_kind k);
// algo: what the layer ran (rb_model_layer_algo), for a convolution.
rb_profile_kind rb_profile_kind_of(const rb_layer *l, rb_conv_algo algo);
// The "profile" object of a bench model point: runs, the sum of the layer medians, per kind (layers,
// ms, pct, bytes, flops) and per layer in graph order (name, kind, ms, pct, bytes, flops). flops:
// 2 x the layer's dense multiply-adds (direct-equivalent for Winograd); bytes: p->layer_bytes.
json_t *rb_bench_profile_json(const rb_graph *g, const rb_bench_profile *p);
// Prints that object: the table by kind (beside forward_ms, the whole pass), then the `top` slowest layers.
void rb_bench_profile_print(const json_t *profile, double forward_ms, int top);

// Adds the timing keys <prefix>median_ms, _min_ms, _max_ms, _mean_ms and <prefix>runs to o.
void rb_timing_json(json_t *o, const char *prefix, const rb_timing *t);
// Adds the peak a measurement is compared with: peak_gflops, peak_isa and peak_pct (the CPU's
// widest FMA), isa_peak_gflops and isa_peak_pct (the probe of the kernel table's own ISA); null
// figures when the peak was not measured (--no-peak).
void rb_bench_peak_json(json_t *point, const rb_peak *peak, rb_isa isa, double gflops);
// Adds a measurement of g on ISA isa to point (params, macs, flops, timing keys, images_per_s,
// gflops, the peak keys) and returns its GFLOP/s (2 x dense MACs / median).
double rb_bench_graph_json(json_t *point, const rb_graph *g, const rb_timing *t, const rb_peak *peak, rb_isa isa);

// The unique convolutions of a graph with how often each occurs (for per-layer peer comparisons).
typedef struct rb_conv_use {
  rb_conv_desc d;
  int count;
  char first_layer[RB_KEY_LEN];
} rb_conv_use;
rb_status rb_graph_conv_uses(const rb_graph *g, rb_conv_use **uses, int *count);

// Our convolutions and each peer's, layer by layer over the unique conv shapes of g (each timed
// once, weighted by how often it occurs). Adds to point: conv_median_ms, conv_gflops, peers_scope,
// and per peer <peer>_median_ms, <peer>_gflops, <peer>_speedup, or <peer>_error naming the first
// layer it cannot run. progress: a counter on stderr.
rb_status rb_bench_graph_peers(const rb_graph *g, const rb_kernels *k, rb_conv_algo algo, int threads,
                               const rb_peer *const *peers, int npeers, const rb_timing_opts *opts, json_t *point,
                               int progress);

// Splits a comma-separated peer list ("onednn,libxsmm"); "none" or "" gives no peers.
rb_status rb_bench_peers_parse(const char *csv, const rb_peer **peers, int max, int *count);

#endif
