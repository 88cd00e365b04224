/* Traces: the events a simulated run executed, in Chrome's trace-event JSON
 * (docs/trace.md), for `--trace FILE`.
 *
 * The program's timed run (timed.c) opens a trace when the options name a
 * file, writes it when the run is done, and tells it, as it times them,
 * each instruction (begin and end), each service of an instruction's job
 * on a core's units, each message and each barrier's completion. Times are
 * the run's, in seconds from its start. Both engines issue the same calls
 * in the same order, so their traces are the same bytes. Nothing else reads a trace, so recording cannot change a report figure,
 * and a run without --trace pays one NULL check per hook.
 *
 * What the program's run records (docs/trace.md, the table):
 *   - per core, every instruction executed: one complete event ("ph":"X")
 *     named after its mnemonic on the core's `instructions` track, from
 *     when the core issued it (waits for messages or a barrier included) to
 *     when it ended, with node, pc and token in args;
 *   - per core and unit, every service an instruction's job received: one
 *     complete event on the track of that unit (pid = chip, tid = core x 8
 *     + unit), named after the node-table entry of the instruction, with
 *     instr, pc and token in args;
 *   - per message: its send on the source's axon_out track and its service
 *     on the destination's axon_in track (destination or source, bytes,
 *     packets, hops, departure and arrival in args), with a flow arrow
 *     ("s" to "f") from the send to the service;
 *   - per barrier completion: a slice on the barrier's track of the
 *     `barriers` process spanning the sync latency and ending when it
 *     completes.
 * Tracks are named lazily by metadata events the first time they are used.
 *
 * Order: events are appended in the order the run's one deciding thread
 * meets them, never in the order threads finish, so the bytes are the same
 * for any --threads.
 *
 * Bound: at most `limit` events are written; later ones are counted, and
 * the file ends with one more instant event saying how many were dropped. */
#ifndef AX_SIM_TRACE_H
#define AX_SIM_TRACE_H

#include "ax_diag.h"
#include "ax_isa.h"
#include "ax_prog.h"
#include "ax_status.h"
#include "engine.h"

#include <stdint.h>

struct ax_trace; /* opaque */

/* Opens an empty trace of the timed run of `p` (which must outlive it:
 * its node-table names are copied, its barriers counted) on `n_chips` chips
 * of `cores_per_chip` cores, holding at most `limit` events (0: the
 * default, AX_SIM_TRACE_LIMIT). On success *out is owned by the caller
 * (ax_trace_close). AX_ERR_NOMEM. */
ax_status ax_trace_open_program(struct ax_trace **out, const struct ax_prog *p, uint32_t n_chips,
                                uint32_t cores_per_chip, uint64_t limit);

/* Core `core` issued (or tried to issue) instruction `pc` of token
 * `token`, opcode `op`, which implements node-table entry `entry`
 * (UINT32_MAX: none), at `issue` seconds. An instruction that waits (a
 * psumrecv lacking messages, a barrier lacking cores) is issued again
 * later: its start stays the first issue. The services and messages
 * recorded until ax_trace_instr_end are this instruction's. */
void ax_trace_instr_begin(struct ax_trace *t, uint32_t token, uint32_t core, uint32_t pc,
                          enum ax_isa_op op, uint32_t entry, double issue);

/* The instruction begun last on its core ended at `end` seconds: its
 * event is written. */
void ax_trace_instr_end(struct ax_trace *t, double end);

/* The current instruction's job `j` went through `core`'s units, entering
 * server s at at[s] (read for each s with j->s[s] > 0, as eng_run_job_at
 * writes them). */
void ax_trace_service(struct ax_trace *t, uint32_t core, const struct eng_job *j, const double *at);

/* The current instruction sent `m` (m->work unused) over `hops` router
 * hops: it went through the source's axon_out from `out_start` to
 * `depart`, its last packet arrived at `arrive`, and the destination
 * served it on axon_in from `in_start` to `served`. */
void ax_trace_message(struct ax_trace *t, const struct eng_msg *m, uint32_t hops, double out_start,
                      double depart, double arrive, double in_start, double served);

/* Barrier `id` of the program completes for token `token`: its last core
 * arrived at `arrived`, it was ready (every spike event to its cores
 * served as well) at `ready`, and the sync latency `sync` over `n_chips`
 * chips follows; it completes at ready + sync. */
void ax_trace_barrier(struct ax_trace *t, uint32_t id, uint32_t token, double arrived, double ready,
                      double sync, uint32_t n_chips);

/* Frees `t` and what it holds (NULL: nothing), written or not. */
void ax_trace_close(struct ax_trace *t);

/* Finishes the trace of a run that took `seconds` and writes it to `path`
 * atomically; when events were dropped, adds the notice and a warning to
 * `diags`. AX_ERR_NOMEM, AX_ERR_IO. */
ax_status ax_trace_write(struct ax_trace *t, double seconds, const char *path,
                         struct ax_diag_list *diags);

#endif
