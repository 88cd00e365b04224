/* The mapping summary, as text or JSON. */
#include "ax_map.h"

#include <jansson.h>

ax_status ax_map_print_summary(const struct ax_map *m, const ax_arch_t *arch, FILE *out,
                               int is_json)
{
    const struct ax_system_desc *sys = ax_arch_desc(arch);
    uint32_t n_dram = 0;
    for (uint32_t i = 0; i < m->n_blocks; i++)
        n_dram += m->blocks[i].is_dram;
    double mean = m->n_cores_used ? (double)m->sram_bytes_used / m->n_cores_used : 0.0;
    double ratio = m->traffic_hop_bytes_naive > 0 ? m->traffic_hop_bytes / m->traffic_hop_bytes_naive
                                                  : 1.0;
    if (is_json) {
        json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:f, s:I}, s:I, s:I, s:I, s:f, s:f}",
                              "chip", sys->name ? sys->name : "", "chips_used", (json_int_t)m->n_chips,
                              "cores_used", (json_int_t)m->n_cores_used,
                              "cores_per_chip", (json_int_t)m->cores_per_chip,
                              "objects", (json_int_t)m->n_objects, "blocks", (json_int_t)m->n_blocks,
                              "sram_bytes_per_core", "min", (json_int_t)(m->n_cores_used ? m->sram_min : 0),
                              "mean", mean, "max", (json_int_t)m->sram_max,
                              "sram_bytes", (json_int_t)m->sram_bytes_used,
                              "dram_bytes", (json_int_t)m->dram_bytes,
                              "staging_bytes_per_core", (json_int_t)m->staging_bytes,
                              "traffic_hop_bytes", m->traffic_hop_bytes,
                              "traffic_hop_bytes_naive", m->traffic_hop_bytes_naive);
        if (!o)
            return AX_ERR_NOMEM;
        int rc = json_dumpf(o, out, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
        fputc('\n', out);
        json_decref(o);
        return rc == 0 ? AX_OK : AX_ERR_IO;
    }
    fprintf(out, "chip        %s (%s)\n", sys->name ? sys->name : "", sys->path);
    fprintf(out, "chips       %u%s (%u cores each)\n", m->n_chips,
            sys->is_chips_open ? ", chosen for the model" : ", fixed by the system", m->cores_per_chip);
    fprintf(out, "cores       %u used of %u\n", m->n_cores_used, m->n_chips * m->cores_per_chip);
    fprintf(out, "blocks      %u from %u matrix, state and value objects (%u streamed from DRAM)\n",
            m->n_blocks, m->n_objects, n_dram);
    fprintf(out, "SRAM/core   min %llu, mean %.0f, max %llu bytes (capacity %.0f)\n",
            (unsigned long long)(m->n_cores_used ? m->sram_min : 0), mean,
            (unsigned long long)m->sram_max, sys->chip.core.sram.capacity_bytes);
    fprintf(out, "DRAM        %llu bytes streamed per token", (unsigned long long)m->dram_bytes);
    if (m->staging_bytes)
        fprintf(out, ", into a %llu-byte staging buffer on every core",
                (unsigned long long)m->staging_bytes);
    fputc('\n', out);
    fprintf(out, "traffic     %.4g hop-bytes per token placed, %.4g naive row-major (%.1f%%)\n",
            m->traffic_hop_bytes, m->traffic_hop_bytes_naive, 100.0 * ratio);
    return ferror(out) ? AX_ERR_IO : AX_OK;
}
