/* Traces: the events a simulated run executed, in Chrome's trace-event JSON
 * (docs/trace.md), for `--trace FILE`.
 *
 * Place in the pipeline: sim.c opens a trace when the options name a file,
 * tells it where each step starts and ends, and writes it when the run is
 * done; the native engine (engine.c) records what it times through
 * eng_state.trace. Nothing else reads it, so recording cannot change a
 * report figure, and a run without --trace pays one NULL check per round
 * and per job.
 *
 * What is recorded (all times from the engine, offset by the step's start
 * in the run):
 *   - per core and unit, every service a job received: one complete event
 *     ("ph":"X") on the track of that core's unit (pid = chip, tid = core x
 *     8 + unit), named after the graph node the step runs, with the kind of
 *     job (local work, a send, an arrival), token, node and round in args;
 *   - per message: its send on the source's axon_out track (destination,
 *     bytes, packets, hops, departure and arrival in args) and a flow arrow
 *     ("s" to "f") from that send to the arrival's axon_in service;
 *   - per step: a slice on the "steps" process spanning the step, with its
 *     barrier as a nested slice at its end.
 * Tracks are named lazily by metadata events the first time they are used.
 *
 * Order: events are appended in the order the engine's main thread meets
 * them (a round's local jobs in core order, its sends in send order, its
 * arrivals by destination core then time), never in the order threads
 * finish, so the bytes are the same for any --threads.
 *
 * Bound: at most `limit` events are written; later ones are counted, and
 * the file ends with one more instant event saying how many were dropped. */
#ifndef AX_SIM_TRACE_H
#define AX_SIM_TRACE_H

#include "ax_diag.h"
#include "ax_status.h"
#include "engine.h"

#include <stdint.h>

/* Per round, the times the engine records for the trace while it times the
 * round: indexed by message (send order) or by arrival (eng_round_run's
 * grouped order). Owned by the trace, valid until the next round. */
struct ax_trace_round {
    double *depart; /* [msg] when it left its source's axon_out */
    double *arrive; /* [msg] when its last packet reached its destination */
    double *at;     /* [arrival][ENG_SERVER_COUNT] when its job entered each server (approx) */
    double *ready0; /* [destination run] when the core was ready before its arrivals (analytic) */
    uint64_t msg_base; /* the run-wide number of the round's first message */
};

/* Opens an empty trace of a run whose nodes are called node_names[0 ..
 * n_nodes) (as a program's node table names them; copied), on `n_chips`
 * chips of `cores_per_chip` cores, holding at most `limit` events (>= 1).
 * On success *out is owned by the caller (ax_trace_close). AX_ERR_NOMEM. */
ax_status ax_trace_open(struct ax_trace **out, const char *const *node_names, uint32_t n_nodes,
                        uint32_t n_chips, uint32_t cores_per_chip, uint64_t limit);
void ax_trace_close(struct ax_trace *t);

/* A step of `node` begins at `t0` seconds into the run (spike_step: 1-based
 * virtual spike step, 0 for a dense or reduction step). */
void ax_trace_step_begin(struct ax_trace *t, double t0, uint32_t token, uint32_t node,
                         uint32_t spike_step);
/* The step's work ended `end` seconds after its start; its barrier took
 * `sync` seconds more. */
void ax_trace_step_end(struct ax_trace *t, double end, double sync);

/* A round of `n_msgs` messages begins: the arrays it records into, or NULL
 * when they cannot be allocated (AX_ERR_NOMEM for the caller). */
struct ax_trace_round *ax_trace_round_begin(struct ax_trace *t, uint64_t n_msgs);

/* A job on `core` whose service on server s began at at[s] (for each s with
 * j->s[s] > 0). `kind` is "local" or "recv"; for "recv", `from` is the
 * source core and `msg` the message's number in the round, or, when
 * `n_arrivals` > 1, the first of that many arrivals the job stands for
 * (the analytic model serves them as one). */
void ax_trace_job(struct ax_trace *t, uint32_t core, const char *kind, const struct eng_job *j,
                  const double *at, uint32_t from, uint64_t msg, uint64_t n_arrivals);

/* Message `msg` of the round (`m`) went through its source's axon_out from
 * `start` to `depart`, crossed `hops` router hops and arrived at `arrive`. */
void ax_trace_send(struct ax_trace *t, const struct eng_msg *m, uint64_t msg, double start,
                   double depart, double arrive, uint32_t hops);

/* The arrow of message `msg` of the round ends on `core`'s axon_in at `ts`
 * (inside the slice it binds to). */
void ax_trace_flow_end(struct ax_trace *t, uint32_t core, uint64_t msg, double ts);

/* Finishes the trace of a run that took `seconds` and writes it to `path`
 * atomically; when events were dropped, adds the notice and a warning to
 * `diags`. AX_ERR_NOMEM, AX_ERR_IO. */
ax_status ax_trace_write(struct ax_trace *t, double seconds, const char *path,
                         struct ax_diag_list *diags);

#endif
