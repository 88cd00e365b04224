/* The summary of a program file (axon inspect PROG.axb): cores and chips
 * used, SRAM per core as the program's buffers take it, free SRAM, DRAM,
 * the sizes of its tables, and the traffic the compiler estimated. Works on
 * a validated program (buffers and code ascend by core); memory is sized by
 * the program's tables, not by n_cores. */
#include "ax_prog.h"

#include "ax_mem.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* What the summary reports. */
struct summary {
    uint32_t n_used;                  /* cores with a buffer or code */
    uint64_t sram_min, sram_max;      /* bytes of buffers per used core */
    double sram_mean;
    uint64_t free_min, free_median;   /* ax_prog_sram_free */
    uint64_t dram, n_instr;
};

/* Walks the cores that hold buffers and the cores that run code (both
 * ascend) together, counting each used core once with its buffer bytes. */
static void summarize_cores(const struct ax_prog *p, struct summary *s)
{
    uint32_t b = 0, k = 0;
    uint64_t total = 0;
    s->sram_min = UINT64_MAX;
    while (b < p->n_buffers || k < p->n_code) {
        uint32_t core = UINT32_MAX;
        if (b < p->n_buffers)
            core = p->buffers[b].core;
        if (k < p->n_code && p->code[k].core < core)
            core = p->code[k].core;
        uint64_t bytes = 0;
        for (; b < p->n_buffers && p->buffers[b].core == core; b++)
            bytes += (uint64_t)p->buffers[b].words * 4;
        for (; k < p->n_code && p->code[k].core == core; k++)
            s->n_instr += p->code[k].n_instr;
        s->n_used++;
        total += bytes;
        s->sram_min = bytes < s->sram_min ? bytes : s->sram_min;
        s->sram_max = bytes > s->sram_max ? bytes : s->sram_max;
    }
    if (!s->n_used)
        s->sram_min = 0;
    s->sram_mean = s->n_used ? (double)total / s->n_used : 0.0;
    for (uint32_t i = 0; i < p->n_weights; i++)
        if (p->weights[i].is_dram)
            s->dram += ax_prog_weight_bytes(p->weights[i].rows, p->weights[i].cols);
}

static ax_status print_json(const struct ax_prog *p, const struct summary *s, const char *path,
                            FILE *out)
{
    const char *chips = ax_prog_meta(p, "chips_used"), *placed = ax_prog_meta(p, "traffic_hop_bytes"),
               *naive = ax_prog_meta(p, "traffic_hop_bytes_naive");
    json_t *o = json_pack("{s:s, s:s?, s:s?, s:I, s:I, s:I, s:{s:I, s:f, s:I}, s:I, s:I, s:I, s:I}",
                          "file", path, "model", ax_prog_meta(p, "model"), "chip",
                          ax_prog_meta(p, "chip"), "cores", (json_int_t)p->n_cores, "cores_used",
                          (json_int_t)s->n_used, "chips_used",
                          (json_int_t)(chips ? strtoull(chips, NULL, 10) : 0),
                          "sram_bytes_per_core", "min", (json_int_t)s->sram_min, "mean",
                          s->sram_mean, "max", (json_int_t)s->sram_max,
                          "sram_free_bytes_min", (json_int_t)s->free_min,
                          "sram_free_bytes_median", (json_int_t)s->free_median,
                          "dram_bytes", (json_int_t)s->dram, "instructions",
                          (json_int_t)s->n_instr);
    if (!o)
        return AX_ERR_NOMEM;
    static const char *const counts[] = {"weight_blocks", "buffers", "states", "routes",
                                         "barriers", "nodes", "files"};
    const uint32_t n[] = {p->n_weights, p->n_buffers, p->n_states, p->n_routes,
                          p->n_barriers, p->n_nodes, p->n_files};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        json_object_set_new(o, counts[i], json_integer((json_int_t)n[i]));
    json_object_set_new(o, "batch", json_integer((json_int_t)ax_prog_batch(p)));
    json_object_set_new(o, "traffic_hop_bytes", placed ? json_real(strtod(placed, NULL)) : json_null());
    json_object_set_new(o, "traffic_hop_bytes_naive",
                        naive ? json_real(strtod(naive, NULL)) : json_null());
    int rc = json_dumpf(o, out, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
    fputc('\n', out);
    json_decref(o);
    return rc == 0 ? AX_OK : AX_ERR_IO;
}

static void print_text(const struct ax_prog *p, const struct summary *s, const char *path,
                       FILE *out)
{
    const char *model = ax_prog_meta(p, "model"), *chip = ax_prog_meta(p, "chip");
    const char *chips = ax_prog_meta(p, "chips_used"), *placed = ax_prog_meta(p, "traffic_hop_bytes"),
               *naive = ax_prog_meta(p, "traffic_hop_bytes_naive");
    fprintf(out, "program     %s (model %s, chip %s)\n", path, model ? model : "?", chip ? chip : "?");
    fprintf(out, "cores       %u used of %u on %s chip%s\n", s->n_used, p->n_cores,
            chips ? chips : "?", chips && strcmp(chips, "1") == 0 ? "" : "s");
    fprintf(out, "SRAM/core   min %llu, mean %.0f, max %llu bytes (%u words a core)\n",
            (unsigned long long)s->sram_min, s->sram_mean, (unsigned long long)s->sram_max,
            p->sram_words);
    fprintf(out, "SRAM free   min %llu, median %llu bytes a used core\n",
            (unsigned long long)s->free_min, (unsigned long long)s->free_median);
    fprintf(out, "DRAM        %llu bytes\n", (unsigned long long)s->dram);
    fprintf(out, "program     %llu instructions, %u weight blocks, %u buffers, %u states, "
            "%u routes, %u barriers\n", (unsigned long long)s->n_instr, p->n_weights,
            p->n_buffers, p->n_states, p->n_routes, p->n_barriers);
    if (ax_prog_batch(p) > 1)
        fprintf(out, "batch       the state of %u sequences, a bank each\n", ax_prog_batch(p));
    if (placed && naive)
        fprintf(out, "traffic     %.4g hop-bytes per token placed, %.4g naive (estimates)\n",
                strtod(placed, NULL), strtod(naive, NULL));
}

ax_status ax_prog_print_summary(const struct ax_prog *p, const char *path, FILE *out, int is_json)
{
    struct summary s;
    memset(&s, 0, sizeof s);
    summarize_cores(p, &s);
    ax_status st = ax_prog_sram_free(p, &s.free_min, &s.free_median);
    if (st != AX_OK)
        return st;
    if (is_json)
        return print_json(p, &s, path, out);
    print_text(p, &s, path, out);
    return ferror(out) ? AX_ERR_IO : AX_OK;
}
