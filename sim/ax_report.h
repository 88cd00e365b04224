/* The report writers: a simulation's result as a terminal summary, a JSON
 * report, CSV tables and one self-contained HTML page (docs/report.md).
 *
 * Place in the pipeline: ax_sim_program (ax_sim.h) fills a struct ax_sim_result;
 * these functions only read it (and the chip description, for the sources
 * of the ledger's unit costs) and never change it. Every file goes through
 * ax_fs_write_atomic, so a reader never sees half a report and an existing
 * file is replaced only by a complete one.
 *
 * Two energy views stand side by side in every output: the hardware model
 * (the ledger, whose ten categories sum to its total) and the idealized
 * arithmetic of the SpikingBrain report (spikes x INT8 add against dense
 * MACs x FP16 or INT8 MAC). In counting mode every output says that the
 * activations are synthetic.
 *
 * `arch` may be NULL in every function: the ledger's sources are then
 * written as null. */
#ifndef AX_REPORT_H
#define AX_REPORT_H

#include "ax_diag.h"
#include "ax_sim.h"
#include "ax_status.h"

#include <stddef.h>
#include <stdio.h>

/* jansson's handle; the same typedef as <jansson.h>'s, which C11 allows to
 * repeat, so that this header does not pull jansson into its users. */
typedef struct json_t json_t;

/* The version of the JSON report's schema; a reader checks it first. */
#define AX_REPORT_SCHEMA "axon-report/1"

/* Builds the JSON report (schema AX_REPORT_SCHEMA, docs/report.md) into a
 * new object *out, owned by the caller (json_decref). Non-finite numbers
 * become null. Returns AX_OK, or AX_ERR_NOMEM with *out NULL. */
ax_status ax_report_json(const struct ax_sim_result *r, const ax_arch_t *arch, json_t **out);

/* Writes the JSON report to `path`: 2-space indent, keys in schema order, a
 * trailing newline, through a temporary file beside it and a rename.
 * Returns AX_OK, AX_ERR_NOMEM, or AX_ERR_IO with a diagnostic naming the
 * path (the old file, if any, is then untouched). */
ax_status ax_report_write_json(const struct ax_sim_result *r, const ax_arch_t *arch,
                               const char *path, struct ax_diag_list *diags);

/* Writes layers.csv, cores.csv, steps.csv and links.csv into `dir` (created,
 * with its parents, when missing), each with a header row and numbers in
 * the fewest digits (%.15g to %.17g) that read back exactly. Each file is
 * written atomically; returns at the first failure with AX_ERR_IO (and a diagnostic) or
 * AX_ERR_NOMEM, leaving files written before it in place. */
ax_status ax_report_write_csv(const struct ax_sim_result *r, const ax_arch_t *arch, const char *dir,
                              struct ax_diag_list *diags);

/* Prints the summary a person reads at a glance to `out`: what ran, the
 * synthetic-activation warning in counting mode, sparsity (beside the
 * published targets when synthetic), latency, the energy table by category
 * beside the idealized figures, and validation. Returns AX_OK, or AX_ERR_IO
 * when the stream reports an error. */
ax_status ax_report_print_summary(const struct ax_sim_result *r, const ax_arch_t *arch, FILE *out);

/* Writes one self-contained HTML page to `path` (atomically): the summary's
 * tables and six inline SVG charts (ids chart-firing, chart-histogram,
 * chart-energy, chart-noc, chart-latency, chart-occupancy); no scripts, no
 * external resources. Returns as ax_report_write_json does. */
ax_status ax_report_write_html(const struct ax_sim_result *r, const ax_arch_t *arch,
                               const char *path, struct ax_diag_list *diags);

/* The busy fraction of core `c` over the run: its busiest unit's busy time
 * divided by the run's seconds, clamped to [0, 1]; 0 when the run took no
 * time. The CSV, JSON and HTML reports all use this definition. */
double ax_report_core_occupancy(const struct ax_sim_result *r, const struct ax_sim_core *c);

/* Formats `value` with an SI prefix and `unit` ("23.6 pJ", "1.2 µs", "0 J",
 * "1.5 kJ"; 4 significant digits; "nan J" style for non-finite values) into
 * `buf` (always NUL-terminated) and returns buf. The prefixes run from f to
 * T; µ is written in UTF-8. */
char *ax_report_si(double value, const char *unit, char *buf, size_t size);

/* A batch's generation in one sentence (the summary's and the HTML's):
 * sequences, time per token of a sequence, tokens per second, energy per
 * token. */
void ax_report_batch_line(const struct ax_sim_result *r, char *buf, size_t size);

#endif
