// Sweep grid: option parsing, validation and expansion into points (see sweep.h).
#include "sweep.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RB_SWEEP_MAX_INT (1 << 20)
#define RB_SWEEP_MAX_SPECS 65536  // each one builds its network graph

static const char *const level_names[RB_SWEEP_LEVEL_COUNT] = {"block", "network"};
// Own table (not topology.c's parser): the grid does not depend on hwloc.
static const char *const domain_names[RB_DOMAIN_COUNT] = {"core", "l3", "numa", "machine"};

const char *rb_sweep_level_name(rb_sweep_level l) {
  return (unsigned)l < RB_SWEEP_LEVEL_COUNT ? level_names[l] : "unknown";
}

static const char *domain_name(rb_domain_kind k) {
  return (unsigned)k < RB_DOMAIN_COUNT ? domain_names[k] : "unknown";
}

void rb_sweep_grid_defaults(rb_sweep_grid *g) {
  memset(g, 0, sizeof *g);
  g->families[0] = RB_FAMILY_RESNET, g->n_families = 1;
  g->depth.v[0] = 50, g->depth.n = 1;
  g->levels[0] = RB_SWEEP_NETWORK, g->n_levels = 1;
  g->isas[0] = RB_ISA_REF, g->n_isas = 1;
  g->domains[0] = RB_DOMAIN_CORE, g->n_domains = 1;
  g->batch = 1, g->res = 224;
}

// Splits value at commas into items (copied into buf); RB_ERR_INVALID_ARG on empty items.
static rb_status split_list(const char *opt, const char *value, char *buf, size_t len, char *items[],
                            int *n) {
  if (!value || !*value) return rb_fail(RB_ERR_INVALID_ARG, "--%s: empty list", opt);
  if (strlen(value) >= len) return rb_fail(RB_ERR_INVALID_ARG, "--%s: list '%s' is too long", opt, value);
  strcpy(buf, value);
  *n = 0;
  for (char *p = buf;;) {
    char *comma = strchr(p, ',');
    if (comma) *comma = '\0';
    if (!*p) return rb_fail(RB_ERR_INVALID_ARG, "--%s: empty item in '%s'", opt, value);
    if (*n == RB_SWEEP_MAX_VALUES)
      return rb_fail(RB_ERR_INVALID_ARG, "--%s: more than %d values in '%s'", opt, RB_SWEEP_MAX_VALUES, value);
    items[(*n)++] = p;
    if (!comma) break;
    p = comma + 1;
  }
  return RB_OK;
}

static rb_status parse_int(const char *opt, const char *s, int *out) {
  for (const char *c = s; *c; c++)
    if (*c < '0' || *c > '9')
      return rb_fail(RB_ERR_INVALID_ARG, "--%s: '%s' is not a positive integer", opt, s);
  errno = 0;
  const long v = strtol(s, NULL, 10);
  if (errno == ERANGE || v < 1 || v > RB_SWEEP_MAX_INT)
    return rb_fail(RB_ERR_INVALID_ARG, "--%s: %s is out of range (1..%d)", opt, s, RB_SWEEP_MAX_INT);
  *out = (int)v;
  return RB_OK;
}

// Parses a list of names from table[count] into indices; the error lists the valid names.
static rb_status parse_names(const char *opt, const char *value, const char *const *table, int count, int *out,
                             int *n) {
  char buf[512], *items[RB_SWEEP_MAX_VALUES];
  rb_status s = split_list(opt, value, buf, sizeof buf, items, n);
  if (s) return s;
  for (int i = 0; i < *n; i++) {
    int found = -1;
    for (int k = 0; k < count; k++)
      if (strcmp(items[i], table[k]) == 0) found = k;
    if (found < 0) {
      char valid[128] = "";
      for (int k = 0; k < count; k++)
        snprintf(valid + strlen(valid), sizeof valid - strlen(valid), "%s%s", k ? ", " : "", table[k]);
      return rb_fail(RB_ERR_INVALID_ARG, "--%s: unknown value '%s' (valid: %s)", opt, items[i], valid);
    }
    for (int j = 0; j < i; j++)
      if (out[j] == found) return rb_fail(RB_ERR_INVALID_ARG, "--%s: '%s' is listed twice", opt, items[i]);
    out[i] = found;
  }
  return RB_OK;
}

static rb_status parse_ints(const char *opt, const char *value, rb_sweep_list *l) {
  char buf[512], *items[RB_SWEEP_MAX_VALUES];
  rb_sweep_list t = {.n = 0};
  rb_status s = split_list(opt, value, buf, sizeof buf, items, &t.n);
  if (s) return s;
  for (int i = 0; i < t.n; i++) {
    if ((s = parse_int(opt, items[i], &t.v[i]))) return s;
    for (int j = 0; j < i; j++)
      if (t.v[j] == t.v[i]) return rb_fail(RB_ERR_INVALID_ARG, "--%s: %d is listed twice", opt, t.v[i]);
  }
  *l = t;
  return RB_OK;
}

static rb_status parse_scalar(const char *opt, const char *value, int lo, int hi, int *out) {
  if (!value || !*value) return rb_fail(RB_ERR_INVALID_ARG, "--%s: empty value", opt);
  int v;
  // An out-of-range number names this option's own range, not the list limit parse_int checks.
  const rb_status s = parse_int(opt, value, &v);
  if (s != RB_OK && strspn(value, "0123456789") != strlen(value)) return s;
  if (s != RB_OK || v < lo || v > hi)
    return rb_fail(RB_ERR_INVALID_ARG, "--%s: %s is out of range (%d..%d)", opt, value, lo, hi);
  *out = v;
  return RB_OK;
}

// "1x64d,2x40d" -> cardinalities {1, 2} and widths {64, 40}; lists unchanged on failure.
static rb_status parse_cxw(const char *opt, const char *value, rb_sweep_list *card, rb_sweep_list *width) {
  char buf[512], *items[RB_SWEEP_MAX_VALUES];
  int n;
  rb_status s = split_list(opt, value, buf, sizeof buf, items, &n);
  if (s) return s;
  rb_sweep_list c = {.n = n}, w = {.n = n};
  for (int i = 0; i < n; i++) {
    char cs[16], ws[16];
    const char *x = strchr(items[i], 'x');
    const size_t cl = x ? (size_t)(x - items[i]) : 0, wl = x ? strcspn(x + 1, "d") : 0;
    if (!x || cl == 0 || cl >= sizeof cs || wl == 0 || wl >= sizeof ws ||
        (x[1 + wl] == 'd' ? x[2 + wl] : x[1 + wl]) != '\0')
      return rb_fail(RB_ERR_INVALID_ARG, "--%s: '%s' is not CARDINALITYxWIDTH (like 2x40d)", opt, items[i]);
    snprintf(cs, sizeof cs, "%.*s", (int)cl, items[i]);
    snprintf(ws, sizeof ws, "%.*s", (int)wl, x + 1);
    if ((s = parse_int(opt, cs, &c.v[i])) || (s = parse_int(opt, ws, &w.v[i]))) return s;
    for (int j = 0; j < i; j++)
      if (c.v[j] == c.v[i] && w.v[j] == w.v[i])
        return rb_fail(RB_ERR_INVALID_ARG, "--%s: '%s' is listed twice", opt, items[i]);
  }
  *card = c, *width = w;
  return RB_OK;
}

rb_status rb_sweep_grid_set(rb_sweep_grid *g, const char *option, const char *value) {
  if (!g || !option || !value) return rb_fail(RB_ERR_NULL, "rb_sweep_grid_set: NULL argument");
  const char *opt = strncmp(option, "--", 2) == 0 ? option + 2 : option;
  static const char *const families[RB_FAMILY_COUNT] = {"resnet", "se", "sk", "resnest"};
  const char *isas[RB_ISA_COUNT];
  for (int i = 0; i < RB_ISA_COUNT; i++) isas[i] = rb_isa_name((rb_isa)i);
  int idx[RB_SWEEP_MAX_VALUES], n;
  rb_status s;
  const struct {
    const char *name;
    rb_sweep_list *list;
  } int_lists[] = {{"depth", &g->depth},   {"cardinality", &g->cardinality},   {"width", &g->width},
                   {"radix", &g->radix},   {"se-reduction", &g->se_reduction}, {"sk-paths", &g->sk_paths}};
  for (size_t i = 0; i < sizeof int_lists / sizeof int_lists[0]; i++)
    if (strcmp(opt, int_lists[i].name) == 0) return parse_ints(opt, value, int_lists[i].list);
  if (strcmp(opt, "family") == 0) {
    if ((s = parse_names(opt, value, families, RB_FAMILY_COUNT, idx, &n))) return s;
    for (int i = 0; i < n; i++) g->families[i] = (rb_family)idx[i];
    g->n_families = n;
  } else if (strcmp(opt, "level") == 0) {
    if ((s = parse_names(opt, value, level_names, RB_SWEEP_LEVEL_COUNT, idx, &n))) return s;
    for (int i = 0; i < n; i++) g->levels[i] = (rb_sweep_level)idx[i];
    g->n_levels = n;
  } else if (strcmp(opt, "isa") == 0) {
    if ((s = parse_names(opt, value, isas, RB_ISA_COUNT, idx, &n))) return s;
    for (int i = 0; i < n; i++) g->isas[i] = (rb_isa)idx[i];
    g->n_isas = n;
  } else if (strcmp(opt, "domains") == 0) {
    if ((s = parse_names(opt, value, domain_names, RB_DOMAIN_COUNT, idx, &n))) return s;
    for (int i = 0; i < n; i++) g->domains[i] = (rb_domain_kind)idx[i];
    g->n_domains = n;
  } else if (strcmp(opt, "cxw") == 0) {
    return parse_cxw(opt, value, &g->cxw_card, &g->cxw_width);
  } else if (strcmp(opt, "batch") == 0) {
    return parse_scalar(opt, value, 1, 4096, &g->batch);
  } else if (strcmp(opt, "res") == 0) {
    return parse_scalar(opt, value, RB_MODEL_MIN_RES, 4096, &g->res);
  } else {
    return rb_fail(RB_ERR_INVALID_ARG,
                   "unknown sweep option '%s' (valid: family, depth, cardinality, width, cxw, radix, se-reduction, "
                   "sk-paths, level, isa, domains, batch, res)",
                   option);
  }
  return RB_OK;
}

static int spec_equal(const rb_model_spec *a, const rb_model_spec *b) {
  return a->family == b->family && a->block == b->block && memcmp(a->layers, b->layers, sizeof a->layers) == 0 &&
         a->cardinality == b->cardinality && a->base_width == b->base_width && a->radix == b->radix &&
         a->se_reduction == b->se_reduction && a->sk_reduction == b->sk_reduction &&
         a->sk_divisor == b->sk_divisor && a->sk_paths == b->sk_paths && a->sk_split_input == b->sk_split_input &&
         a->stem == b->stem && a->stem_width == b->stem_width && a->avd == b->avd && a->avd_first == b->avd_first &&
         a->avg_down == b->avg_down && a->num_classes == b->num_classes && a->default_res == b->default_res;
}

static const char *registry_match(const rb_model_spec *s) {
  for (size_t i = 0; i < rb_model_registry_count(); i++) {
    rb_model_spec r;
    const char *name = rb_model_registry_name(i);
    if (rb_model_find(name, &r) == RB_OK && spec_equal(&r, s)) return name;
  }
  return NULL;
}

static const char *base_model(rb_family f, rb_block_type block) {
  switch (f) {
    case RB_FAMILY_SE: return "seresnet50";
    case RB_FAMILY_SK: return block == RB_BLOCK_BASIC ? "skresnet18" : "skresnext50_32x4d";
    case RB_FAMILY_RESNEST: return "resnest50d";
    default: return block == RB_BLOCK_BASIC ? "resnet18" : "resnet50";
  }
}

// timm make_divisible, as blocks/graph.c computes attention widths.
static int make_divisible(double v, int divisor, int min_value, double round_limit) {
  int r = (int)(v + divisor / 2.0) / divisor * divisor;
  if (r < min_value) r = min_value;
  if (r < round_limit * v) r += divisor;
  return r;
}

// ResNeSt channel counts per stage, as blocks/block_resnest.c computes them: the split-attention
// conv has cardinality * radix groups over gw channels, the attention FCs cardinality groups.
static rb_status check_resnest_widths(const rb_model_spec *s, const char *label) {
  for (int stage = 0; stage < 4; stage++) {
    const int planes = 64 << stage, gw = planes * s->base_width / 64 * s->cardinality;
    const int groups = s->cardinality * s->radix;
    if (gw % groups)
      return rb_fail(RB_ERR_INVALID_ARG,
                     "%s: width %d: stage %d's split-attention conv has %d channels, not divisible into "
                     "cardinality %d x radix %d = %d groups",
                     label, s->base_width, stage + 1, gw, s->cardinality, s->radix, groups);
    const int attn = make_divisible(gw * s->radix * 0.25, 8, 32, 0.9);
    if (attn % s->cardinality)
      return rb_fail(RB_ERR_INVALID_ARG,
                     "%s: width %d: stage %d's attention width %d is not divisible into cardinality %d groups",
                     label, s->base_width, stage + 1, attn, s->cardinality);
  }
  return RB_OK;
}

static void note(char *notes, size_t len, const char *fmt, const char *label, const char *why) {
  if (!notes || !len) return;
  const size_t used = strlen(notes);
  if (used + 1 < len) {
    snprintf(notes + used, len - used, fmt, label, why);
  }
}

typedef struct spec_point {
  rb_model_spec spec;
  const char *model;
  rb_family family;
  int depth, card, width, radix, se, paths;
  char label[64];  // the <spec> part of the key
  double params, macs;
  rb_shape block_in[4];
} spec_point;

static rb_status block_inputs(const rb_graph *gr, rb_shape in[4]) {
  for (int stage = 1; stage <= 4; stage++) {
    char prefix[24];
    const int len = snprintf(prefix, sizeof prefix, "layer%d.0.", stage);
    int found = 0;
    for (int i = 0; i < gr->count && !found; i++)
      if (strncmp(gr->layers[i].name, prefix, (size_t)len) == 0) {
        in[stage - 1] = gr->tensors[gr->layers[i].src[0]];
        found = 1;
      }
    if (!found) return rb_fail(RB_ERR_SHAPE, "sweep: the graph has no block %.*s", len - 1, prefix);
  }
  return RB_OK;
}

static void spec_label(spec_point *sp) {
  int o = snprintf(sp->label, sizeof sp->label, "%s-d%d-c%d", rb_family_name(sp->family), sp->depth, sp->card);
  if (sp->family == RB_FAMILY_RESNEST) o += snprintf(sp->label + o, sizeof sp->label - (size_t)o, "-r%d", sp->radix);
  o += snprintf(sp->label + o, sizeof sp->label - (size_t)o, "-w%d", sp->width);
  if (sp->family == RB_FAMILY_SE) snprintf(sp->label + o, sizeof sp->label - (size_t)o, "-s%d", sp->se);
  if (sp->family == RB_FAMILY_SK) snprintf(sp->label + o, sizeof sp->label - (size_t)o, "-p%d", sp->paths);
}

// Prefixes the last error with the point's label (copied first: rb_fail writes the same buffer).
static rb_status fail_at(rb_status s, const char *label) {
  char msg[512];
  snprintf(msg, sizeof msg, "%s", rb_last_error());
  return rb_fail(s, "%s: %s", label, msg);
}

// One spec of the grid: builds, checks and costs it; *skip set (with a reason) for combinations
// the grid skips.
static rb_status make_spec(const rb_sweep_grid *g, spec_point *sp, const char **skip) {
  rb_block_type block;
  int layers[4];
  rb_status s = rb_model_layers_for_depth(sp->depth, &block, layers);
  if (s) return s;
  *skip = NULL;
  rb_model_spec *m = &sp->spec;
  if ((s = rb_model_find(base_model(sp->family, block), m))) return s;
  m->block = block;
  memcpy(m->layers, layers, sizeof layers);
  // Axes not given take the base value.
  sp->card = sp->card ? sp->card : m->cardinality;
  sp->width = sp->width ? sp->width : m->base_width;
  sp->radix = sp->radix ? sp->radix : m->radix;
  sp->se = sp->se ? sp->se : m->se_reduction;
  sp->paths = sp->paths ? sp->paths : m->sk_paths;
  spec_label(sp);
  if (block == RB_BLOCK_BASIC && sp->family == RB_FAMILY_RESNEST) {
    *skip = "ResNeSt has no basic-block variant";
    return RB_OK;
  }
  if (block == RB_BLOCK_BASIC && (sp->card != 1 || sp->width != 64)) {
    *skip = "basic blocks take cardinality 1 and width 64";
    return RB_OK;
  }
  m->cardinality = sp->card, m->base_width = sp->width, m->radix = sp->radix;
  m->se_reduction = sp->se, m->sk_paths = sp->paths;
  if (sp->family == RB_FAMILY_RESNEST) m->avd_first = sp->card > 1 || sp->radix != 2;
  if (rb_model_spec_check(m)) return fail_at(RB_ERR_INVALID_ARG, sp->label);  // a bad grid, whatever the field
  if (sp->family == RB_FAMILY_RESNEST && (s = check_resnest_widths(m, sp->label))) return s;
  sp->model = registry_match(m);
  rb_graph *gr;
  if ((s = rb_graph_build(m, g->batch, g->res, g->res, &gr))) return fail_at(s, sp->label);
  sp->params = gr->params, sp->macs = gr->macs;
  s = block_inputs(gr, sp->block_in);
  rb_graph_destroy(gr);
  return s;
}

static int family_requested(const rb_sweep_grid *g, rb_family f) {
  for (int i = 0; i < g->n_families; i++)
    if (g->families[i] == f) return 1;
  return 0;
}

static rb_status check_grid(const rb_sweep_grid *g) {
  if (g->n_families < 1 || g->depth.n < 1 || g->n_levels < 1 || g->n_isas < 1 || g->n_domains < 1)
    return rb_fail(RB_ERR_INVALID_ARG, "sweep: family, depth, level, isa and domains need at least one value");
  if (g->batch < 1 || g->batch > 4096)
    return rb_fail(RB_ERR_INVALID_ARG, "--batch: %d is out of range (1..4096)", g->batch);
  if (g->res < RB_MODEL_MIN_RES || g->res > 4096)
    return rb_fail(RB_ERR_INVALID_ARG, "--res: %d is out of range (%d..4096)", g->res, RB_MODEL_MIN_RES);
  if (g->cxw_card.n && (g->cardinality.n || g->width.n))
    return rb_fail(RB_ERR_INVALID_ARG, "--cxw gives cardinality x width pairs: use it or --cardinality/--width, not both");
  const struct {
    const char *opt;
    const rb_sweep_list *list;
    rb_family family;
  } only[] = {{"radix", &g->radix, RB_FAMILY_RESNEST},
              {"se-reduction", &g->se_reduction, RB_FAMILY_SE},
              {"sk-paths", &g->sk_paths, RB_FAMILY_SK}};
  for (size_t i = 0; i < sizeof only / sizeof only[0]; i++)
    if (only[i].list->n && !family_requested(g, only[i].family))
      return rb_fail(RB_ERR_INVALID_ARG, "--%s applies to %s only, which is not in --family", only[i].opt,
                     rb_family_name(only[i].family));
  return RB_OK;
}

// The values of an axis for a family: the list if given and the family uses it, else {0} (base).
static rb_sweep_list axis(const rb_sweep_list *l, int used) {
  rb_sweep_list base = {.v = {0}, .n = 1};
  return used && l->n ? *l : base;
}

rb_status rb_sweep_expand(const rb_sweep_grid *g, rb_sweep_point **points, int *count, char *notes, size_t len) {
  if (!g || !points || !count) return rb_fail(RB_ERR_NULL, "rb_sweep_expand: NULL argument");
  *points = NULL, *count = 0;
  if (notes && len) notes[0] = '\0';
  rb_status s = check_grid(g);
  if (s) return s;
  for (int i = 0; i < g->depth.n; i++)
    if ((s = rb_model_layers_for_depth(g->depth.v[i], NULL, NULL))) return s;

  // Specs first (validated, costed once), then the points.
  size_t max_specs = (size_t)g->n_families * (size_t)g->depth.n;
  const rb_sweep_list *axes[] = {&g->cardinality, &g->width, &g->radix, &g->se_reduction, &g->sk_paths};
  for (size_t i = 0; i < sizeof axes / sizeof axes[0]; i++) max_specs *= (size_t)(axes[i]->n ? axes[i]->n : 1);
  if (g->cxw_card.n) max_specs *= (size_t)g->cxw_card.n;
  if (max_specs > RB_SWEEP_MAX_SPECS)
    return rb_fail(RB_ERR_INVALID_ARG, "sweep: the grid has up to %zu model specs (more than %d)", max_specs,
                   RB_SWEEP_MAX_SPECS);
  char first_skip[160] = "";  // for the error when nothing remains (notes may be NULL)
  int skipped = 0;
  spec_point *specs = calloc(max_specs, sizeof *specs);
  if (!specs) return rb_fail(RB_ERR_NOMEM, "sweep: out of memory for %zu specs", max_specs);
  int n_specs = 0;
  for (int fi = 0; fi < g->n_families; fi++) {
    const rb_family f = g->families[fi];
    // (cardinality, width) pairs: the --cxw list, or every cardinality with every width.
    rb_sweep_list card = axis(&g->cardinality, 1), width = axis(&g->width, 1);
    int pair_c[RB_SWEEP_MAX_VALUES * RB_SWEEP_MAX_VALUES], pair_w[RB_SWEEP_MAX_VALUES * RB_SWEEP_MAX_VALUES], pairs = 0;
    if (g->cxw_card.n) {
      card = g->cxw_card, width = g->cxw_width;
      for (int i = 0; i < card.n; i++) pair_c[pairs] = card.v[i], pair_w[pairs++] = width.v[i];
    } else {
      for (int ci = 0; ci < card.n; ci++)
        for (int wi = 0; wi < width.n; wi++) pair_c[pairs] = card.v[ci], pair_w[pairs++] = width.v[wi];
    }
    const rb_sweep_list radix = axis(&g->radix, f == RB_FAMILY_RESNEST), se = axis(&g->se_reduction, f == RB_FAMILY_SE);
    const rb_sweep_list paths = axis(&g->sk_paths, f == RB_FAMILY_SK);
    for (int di = 0; di < g->depth.n; di++)
      for (int pi2 = 0; pi2 < pairs; pi2++)
          for (int ri = 0; ri < radix.n; ri++)
            for (int si = 0; si < se.n; si++)
              for (int pi = 0; pi < paths.n; pi++) {
                spec_point *sp = &specs[n_specs];
                *sp = (spec_point){.family = f, .depth = g->depth.v[di], .card = pair_c[pi2], .width = pair_w[pi2],
                                   .radix = radix.v[ri], .se = se.v[si], .paths = paths.v[pi]};
                const char *skip;
                if ((s = make_spec(g, sp, &skip))) {
                  free(specs);
                  return s;
                }
                if (skip) {
                  note(notes, len, "skipped %s: %s\n", sp->label, skip);
                  if (!skipped++) snprintf(first_skip, sizeof first_skip, "%s: %s", sp->label, skip);
                  continue;
                }
                n_specs++;
              }
  }
  if (n_specs == 0) {
    free(specs);
    return rb_fail(RB_ERR_INVALID_ARG, "sweep: no point remains: all %d combinations skipped (first: %s)", skipped,
                   first_skip);
  }

  const int per_level_blocks[RB_SWEEP_LEVEL_COUNT] = {4, 1};
  size_t total = 0;
  for (int li = 0; li < g->n_levels; li++) total += (size_t)per_level_blocks[g->levels[li]];
  total *= (size_t)n_specs * (size_t)g->n_isas * (size_t)g->n_domains;
  if (total > (size_t)1 << 24) {
    free(specs);
    return rb_fail(RB_ERR_INVALID_ARG, "sweep: the grid has %zu points (more than %d)", total, 1 << 24);
  }
  rb_sweep_point *pts = calloc(total, sizeof *pts);
  if (!pts) {
    free(specs);
    return rb_fail(RB_ERR_NOMEM, "sweep: out of memory for %zu points", total);
  }
  int n = 0;
  for (int i = 0; i < n_specs; i++) {
    const spec_point *sp = &specs[i];
    for (int li = 0; li < g->n_levels; li++) {
      const rb_sweep_level level = g->levels[li];
      for (int b = 0; b < per_level_blocks[level]; b++)
        for (int ii = 0; ii < g->n_isas; ii++)
          for (int di = 0; di < g->n_domains; di++) {
            rb_sweep_point *p = &pts[n++];
            p->spec = sp->spec, p->model = sp->model, p->family = sp->family, p->depth = sp->depth;
            p->cardinality = sp->card, p->width = sp->width, p->radix = sp->radix, p->se_reduction = sp->se;
            p->sk_paths = sp->paths, p->level = level, p->isa = g->isas[ii], p->domain = g->domains[di];
            p->batch = g->batch, p->res = g->res;
            char where[40] = "";
            if (level == RB_SWEEP_BLOCK) {
              p->stage = b + 1;
              snprintf(p->block, sizeof p->block, "layer%d.0", b + 1);
              snprintf(where, sizeof where, "/%s", p->block);
              p->block_in = sp->block_in[b];
              p->params = p->macs = -1;
            } else {
              p->params = sp->params, p->macs = sp->macs;
            }
            snprintf(p->key, sizeof p->key, "%s/%s%s/%s/%s/b%d-r%d", sp->label, rb_sweep_level_name(level), where,
                     rb_isa_name(p->isa), domain_name(p->domain), p->batch, p->res);
          }
    }
  }
  free(specs);
  *points = pts, *count = n;
  return RB_OK;
}

rb_status rb_sweep_point_network_cost(const rb_sweep_point *p, double *params, double *macs) {
  if (!p || !params || !macs) return rb_fail(RB_ERR_NULL, "rb_sweep_point_network_cost: NULL argument");
  rb_graph *gr;
  rb_status s = rb_graph_build(&p->spec, p->batch, p->res, p->res, &gr);
  if (s) return s;
  *params = gr->params, *macs = gr->macs;
  rb_graph_destroy(gr);
  return RB_OK;
}

static json_t *int_list_json(const rb_sweep_list *l) {
  if (!l->n) return json_null();
  json_t *a = json_array();
  for (int i = 0; i < l->n; i++) json_array_append_new(a, json_integer(l->v[i]));
  return a;
}

json_t *rb_sweep_grid_json(const rb_sweep_grid *g) {
  if (!g) return NULL;
  json_t *o = json_object(), *a;
  a = json_array();
  for (int i = 0; i < g->n_families; i++) json_array_append_new(a, json_string(rb_family_name(g->families[i])));
  json_object_set_new(o, "family", a);
  json_object_set_new(o, "depth", int_list_json(&g->depth));
  json_object_set_new(o, "cardinality", int_list_json(&g->cardinality));
  json_object_set_new(o, "width", int_list_json(&g->width));
  if (g->cxw_card.n) {  // only when given, so grids of earlier sweeps still compare equal
    a = json_array();
    for (int i = 0; i < g->cxw_card.n; i++) {
      char pair[32];
      snprintf(pair, sizeof pair, "%dx%dd", g->cxw_card.v[i], g->cxw_width.v[i]);
      json_array_append_new(a, json_string(pair));
    }
    json_object_set_new(o, "cxw", a);
  }
  json_object_set_new(o, "radix", int_list_json(&g->radix));
  json_object_set_new(o, "se_reduction", int_list_json(&g->se_reduction));
  json_object_set_new(o, "sk_paths", int_list_json(&g->sk_paths));
  a = json_array();
  for (int i = 0; i < g->n_levels; i++) json_array_append_new(a, json_string(rb_sweep_level_name(g->levels[i])));
  json_object_set_new(o, "level", a);
  a = json_array();
  for (int i = 0; i < g->n_isas; i++) json_array_append_new(a, json_string(rb_isa_name(g->isas[i])));
  json_object_set_new(o, "isa", a);
  a = json_array();
  for (int i = 0; i < g->n_domains; i++) json_array_append_new(a, json_string(domain_name(g->domains[i])));
  json_object_set_new(o, "domains", a);
  json_object_set_new(o, "batch", json_integer(g->batch));
  json_object_set_new(o, "res", json_integer(g->res));
  return o;
}
