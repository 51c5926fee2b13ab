// `resbench info`: the machine (hwloc topology, CPU model, ISAs) and, per measurement domain,
// its pinned threads and measured peaks (FP32 FMA GFLOP/s, STREAM triad GB/s).
#include <getopt.h>
#include <hwloc.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "peak.h"
#include "record.h"
#include "resbench/probe.h"
#include "resbench/fileio.h"
#include "topology.h"

#define MIB (1024.0 * 1024.0)

static const char *plural(int n, const char *one, const char *many) { return n == 1 ? one : many; }

static json_t *json_isas(void) {
  json_t *o = json_object();
  for (int i = 0; i < RB_ISA_COUNT; i++) {
    const rb_isa isa = (rb_isa)i;
    const rb_fma_probe *probe;
    json_t *e = json_pack("{s:b, s:b}", "cpu", rb_cpu_supports(isa), "kernels", rb_isa_available(isa));
    if (!rb_isa_available(isa)) json_object_set_new(e, "reason", json_string(rb_isa_unavailable_reason(isa)));
    json_object_set_new(e, "fma_probe", rb_fma_probe_get(isa, &probe) == RB_OK ? json_string(probe->name) : json_null());
    json_object_set_new(o, rb_isa_name(isa), e);
  }
  return o;
}

static void print_isas(void) {
  printf("%-12s", "ISAs");
  for (int i = 0; i < RB_ISA_COUNT; i++) {
    const rb_isa isa = (rb_isa)i;
    printf("%s%s: %s", i ? "; " : "", rb_isa_name(isa),
           rb_isa_available(isa) ? "kernels yes" : rb_cpu_supports(isa) ? "CPU yes, kernels not in this build" : "no");
  }
  printf("\n%-12s", "FMA probes");
  int n = 0;
  for (int i = 0; i < RB_ISA_COUNT; i++) {
    const rb_fma_probe *probe;
    if (rb_fma_probe_get((rb_isa)i, &probe) == RB_OK)
      printf("%s%s (%s)", n++ ? "; " : "", probe->name, probe->chains);
  }
  printf("\n");
}

int rb_cmd_info(int argc, char **argv) {
  static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                       {"quick", no_argument, NULL, 'q'},
                                       {"no-peak", no_argument, NULL, 'P'},
                                       {"domains", required_argument, NULL, 'd'},
                                       {"xml", required_argument, NULL, 'x'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
  int json = 0, quick = 0, no_peak = 0, c;
  const char *domains = "core,l3,numa,machine", *xml = NULL;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
      case 'j': json = 1; break;
      case 'q': quick = 1; break;
      case 'P': no_peak = 1; break;
      case 'd': domains = optarg; break;
      case 'x': xml = optarg; break;
      case 'h':
        puts("usage: resbench info [--json] [--quick] [--no-peak] [--domains core,l3,numa,machine] [--xml FILE]");
        return 0;
      default: fputs("resbench info: see 'resbench help'\n", stderr); return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "resbench info: unexpected argument '%s'\n", argv[optind]);
    return 2;
  }
  rb_domain_kind kinds[RB_DOMAIN_COUNT];
  int nkinds;
  if (rb_domain_list_parse(domains, kinds, &nkinds) != RB_OK) {
    fprintf(stderr, "resbench info: --domains: %s\n", rb_last_error());
    return 2;
  }
  if (xml && !*xml) {
    fputs("resbench info: --xml needs a file name\n", stderr);
    return 2;
  }
  if (xml && rb_file_check_output(xml) != RB_OK) {  // a device node or FIFO is refused, never replaced
    fprintf(stderr, "resbench info: --xml: %s\n", rb_last_error());
    return 2;
  }
  rb_topology *t;
  if (rb_topology_load(&t) != RB_OK) {
    fprintf(stderr, "resbench info: %s\n", rb_last_error());
    return 1;
  }
  int rc = 0;
  if (xml && rb_topology_save_xml(t, xml) != RB_OK) {
    fprintf(stderr, "resbench info: --xml: %s\n", rb_last_error());
    rb_topology_destroy(t);
    return 1;
  }
  const rb_topology_counts n = rb_topology_get_counts(t);
  const int this_system = rb_topology_is_this_system(t), measure = this_system && !no_peak;
  const rb_fma_probe *probe = rb_fma_probe_best();
  rb_domain *d = malloc(sizeof *d);  // 4 KiB of PU list: not on the stack
  if (!d) {
    rb_topology_destroy(t);
    fputs("resbench info: out of memory\n", stderr);
    return 1;
  }

  json_t *out = NULL, *jdomains = NULL;
  if (json) {
    jdomains = json_array();
    out = json_pack("{s:s, s:s, s:b, s:{s:i, s:i, s:i, s:I, s:i, s:i, s:I}, s:o, s:s, s:{s:s, s:s, s:i}}",
                    "cpu_model", rb_topology_cpu_model(t), "hwloc", HWLOC_VERSION, "this_system", this_system, "topology",
                    "packages", n.packages, "numa_nodes", n.numa_nodes, "l3_domains", n.l3_domains, "l3_bytes",
                    (json_int_t)n.l3_bytes, "cores", n.cores, "pus", n.pus, "memory_bytes",
                    (json_int_t)rb_topology_memory_bytes(t), "isa", json_isas(), "cpu_simd",
                    rb_cpu_simd_features(), "fma_probe", "isa", rb_isa_name(probe->isa), "kernel", probe->name,
                    "lanes", probe->lanes);
    if (xml) json_object_set_new(out, "xml", json_string(xml));
  } else {
    printf("%-12s%s\n", "CPU", *rb_topology_cpu_model(t) ? rb_topology_cpu_model(t) : "(unknown)");
    printf("%-12s%d %s, %d NUMA %s, %d L3 %s", "topology", n.packages, plural(n.packages, "package", "packages"),
           n.numa_nodes, plural(n.numa_nodes, "node", "nodes"), n.l3_domains,
           plural(n.l3_domains, "domain", "domains"));
    if (n.l3_domains) printf(" (%.0f MiB each)", (double)n.l3_bytes / MIB);
    printf(", %d %s, %d %s%s\n", n.cores, plural(n.cores, "core", "cores"), n.pus, plural(n.pus, "PU", "PUs"),
           this_system ? "" : " (not this machine: HWLOC_SYNTHETIC / HWLOC_XMLFILE)");
    print_isas();
    printf("%-12s%s\n", "CPU SIMD", *rb_cpu_simd_features() ? rb_cpu_simd_features() : "(none known)");
    printf("%-12s%s: %s (%s), the widest: the peak every %% of peak is against\n", "peak FMA", rb_isa_name(probe->isa),
           probe->name, probe->chains);
    if (xml) printf("%-12s%s\n", "hwloc XML", xml);
    printf("\n%-8s %7s %12s %15s %11s %8s  %-24s %s\n", "domain", "threads", "FMA GFLOP/s", "runs min-max", "triad GB/s",
           "seconds", "per-ISA probes GFLOP/s", "pinned PUs");
  }
  size_t array_bytes = 0;
  for (int i = 0; i < nkinds && rc == 0; i++) {
    if (rb_topology_domain(t, kinds[i], d) != RB_OK) {
      fprintf(stderr, "resbench info: %s\n", rb_last_error());
      rc = 1;
      break;
    }
    rb_peak p = {0};
    if (measure && rb_peak_measure(t, d, quick, ~0u, &p) != RB_OK) {
      fprintf(stderr, "resbench info: domain %s: %s\n", d->name, rb_last_error());
      rc = 1;
      break;
    }
    array_bytes = p.stream_array_bytes;
    char pus[8192];
    rb_domain_pus_text(d, pus, sizeof pus);
    if (json) {
      json_t *e = json_pack("{s:s, s:i, s:o}", "domain", d->name, "threads", d->threads, "pus", rb_domain_pus_json(d));
      if (measure) {
        json_t *peak = rb_peak_json(d, &p);  // the same keys as a result document's peaks
        json_object_update_new(e, json_pack("{s:I, s:f}", "stream_array_bytes", (json_int_t)p.stream_array_bytes,
                                            "seconds", p.seconds));
        json_object_update(e, peak);
        json_decref(peak);
      } else {
        json_object_set_new(e, "measured", json_false());
      }
      json_array_append_new(jdomains, e);
    } else {
      // Without L3 objects the l3 domain falls back to the whole machine: say so.
      const char *note = d->kind == RB_DOMAIN_L3 && n.l3_domains == 0 ? " (no L3: the machine)" : "";
      if (measure) {
        char spread[32], per_isa[128] = "";
        snprintf(spread, sizeof spread, "%.1f-%.1f", p.fma_min_gflops, p.fma_gflops);
        for (int k = 0; k < RB_ISA_COUNT; k++)
          if (p.isa_gflops[k] > 0)
            snprintf(per_isa + strlen(per_isa), sizeof per_isa - strlen(per_isa), "%s%s %.1f", per_isa[0] ? ", " : "",
                     rb_isa_name((rb_isa)k), p.isa_gflops[k]);
        printf("%-8s %7d %12.1f %15s %11.1f %8.2f  %-24s %s%s\n", d->name, d->threads, p.fma_gflops, spread,
               p.stream_gbs, p.seconds, per_isa, pus, note);
      } else {
        printf("%-8s %7d %12s %15s %11s %8s  %-24s %s%s\n", d->name, d->threads, "not measured", "-", "-", "-", "-",
               pus, note);
      }
    }
    fflush(stdout);
  }
  if (json) {
    json_object_set_new(out, "domains", jdomains);
    json_object_set_new(out, "quick", json_boolean(quick));
    if (rc == 0) {
      char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
      if (text) puts(text);
      free(text);
    }
    json_decref(out);
  } else if (rc == 0) {
    if (measure)
      printf("\nFMA: FP32, 2 FLOP per FMA, all threads at once, after %.1f s of warm load, best of %d runs (their range "
             "beside it);\nper-ISA probes: each ISA's own FMA probe, best run; triad: a = b + s*c over 3 arrays of "
             "%.0f MiB,\n3 x 4 bytes per element (write-allocate traffic not counted, as STREAM), best of %d "
             "passes.%s\n",
             quick ? 0.05 : 1.0, quick ? 2 : 5, (double)array_bytes / MIB, quick ? 3 : 10, quick ? " Quick mode: rough figures." : "");
    else if (no_peak)
      printf("\nPeaks not measured (--no-peak).\n");
    else
      printf("\nPeaks not measured: threads can be pinned only on this machine's own topology.\n");
  }
  free(d);
  rb_topology_destroy(t);
  return rc;
}
