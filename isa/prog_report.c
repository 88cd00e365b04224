/* The summary of a program file (axon inspect PROG.axb). */
#include "ax_prog.h"

#include "ax_mem.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *meta(const struct ax_prog *p, const char *key)
{
    for (uint32_t i = 0; i < p->n_meta; i++)
        if (strcmp(p->meta[i].key, key) == 0)
            return p->meta[i].value;
    return NULL;
}

ax_status ax_prog_print_summary(const struct ax_prog *p, const char *path, FILE *out, int is_json)
{
    uint64_t *sram = ax_mem_calloc(p->n_cores ? p->n_cores : 1, sizeof *sram);
    if (!sram)
        return AX_ERR_NOMEM;
    uint64_t dram = 0, n_instr = 0, total = 0, lo = UINT64_MAX, hi = 0;
    uint32_t n_used = 0;
    uint8_t *used = ax_mem_calloc(p->n_cores ? p->n_cores : 1, 1);
    if (!used) {
        ax_mem_free(sram);
        return AX_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < p->n_weights; i++) {
        const struct ax_prog_weight *w = &p->weights[i];
        uint64_t bytes = ax_prog_weight_bytes(w->rows, w->cols);
        if (w->is_dram)
            dram += bytes;
        else
            sram[w->core] += bytes;
        used[w->core] = 1;
    }
    for (uint32_t i = 0; i < p->n_code; i++) {
        n_instr += p->code[i].n_instr;
        used[p->code[i].core] = 1;
    }
    for (uint32_t c = 0; c < p->n_cores; c++) {
        if (!used[c])
            continue;
        n_used++;
        total += sram[c];
        lo = sram[c] < lo ? sram[c] : lo;
        hi = sram[c] > hi ? sram[c] : hi;
    }
    ax_mem_free(sram);
    ax_mem_free(used);
    if (!n_used)
        lo = 0;
    const char *chips = meta(p, "chips_used"), *placed = meta(p, "traffic_hop_bytes"),
               *naive = meta(p, "traffic_hop_bytes_naive");
    double mean = n_used ? (double)total / n_used : 0.0;
    if (is_json) {
        json_t *o = json_pack("{s:s, s:s?, s:s?, s:I, s:I, s:I, s:{s:I, s:f, s:I}, s:I, s:I, s:I, s:I}",
                              "file", path, "model", meta(p, "model"), "chip", meta(p, "chip"),
                              "cores", (json_int_t)p->n_cores, "cores_used", (json_int_t)n_used,
                              "chips_used", (json_int_t)(chips ? strtoull(chips, NULL, 10) : 0),
                              "sram_bytes_per_core", "min", (json_int_t)lo, "mean", mean, "max",
                              (json_int_t)hi, "dram_bytes", (json_int_t)dram,
                              "instructions", (json_int_t)n_instr,
                              "weight_blocks", (json_int_t)p->n_weights,
                              "routes", (json_int_t)p->n_routes);
        if (!o)
            return AX_ERR_NOMEM;
        json_object_set_new(o, "traffic_hop_bytes", placed ? json_real(strtod(placed, NULL)) : json_null());
        json_object_set_new(o, "traffic_hop_bytes_naive",
                            naive ? json_real(strtod(naive, NULL)) : json_null());
        int rc = json_dumpf(o, out, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
        fputc('\n', out);
        json_decref(o);
        return rc == 0 ? AX_OK : AX_ERR_IO;
    }
    fprintf(out, "program     %s (model %s, chip %s)\n", path, meta(p, "model") ? meta(p, "model") : "?",
            meta(p, "chip") ? meta(p, "chip") : "?");
    fprintf(out, "cores       %u used of %u on %s chip%s\n", n_used, p->n_cores, chips ? chips : "?",
            chips && strcmp(chips, "1") == 0 ? "" : "s");
    fprintf(out, "SRAM/core   min %llu, mean %.0f, max %llu bytes (%u words a core)\n",
            (unsigned long long)lo, mean, (unsigned long long)hi, p->sram_words);
    fprintf(out, "DRAM        %llu bytes\n", (unsigned long long)dram);
    fprintf(out, "program     %llu instructions, %u weight blocks, %u routes\n",
            (unsigned long long)n_instr, p->n_weights, p->n_routes);
    if (placed && naive)
        fprintf(out, "traffic     %.4g hop-bytes per token placed, %.4g naive (estimates)\n",
                strtod(placed, NULL), strtod(naive, NULL));
    return ferror(out) ? AX_ERR_IO : AX_OK;
}
