/* Traces in Chrome's trace-event JSON (trace.h, docs/trace.md): the text is
 * built in memory as the run records, then written atomically. */
#include "trace.h"

#include "ax_fs.h"
#include "ax_mem.h"
#include "ax_text.h"

#include <stdio.h>
#include <string.h>

/* Tracks per core: one per engine server, so a core's pipelined jobs never
 * overlap on one track (Chrome and Perfetto need a track's slices nested).
 * The program's run adds one more per core, its instructions, with a tid
 * after all the units' (cores x TRACKS_PER_CORE + core) and sorted first
 * among the core's tracks. */
enum { TRACKS_PER_CORE = 8 };
_Static_assert((int)ENG_SERVER_COUNT <= (int)TRACKS_PER_CORE, "a core's tracks hold its servers");

static const char *const server_name[ENG_SERVER_COUNT] = {"axon_in", "synapse", "sram", "dendrite",
                                                          "soma",    "dense",   "dram", "axon_out"};

/* The program's run: the instruction a core began last. */
struct pending {
    double start; /* its first issue */
    uint32_t token, pc, entry;
    enum ax_isa_op op;
    uint8_t is_open; /* begun, not ended */
};

struct ax_trace {
    struct ax_text_buf buf;
    uint64_t limit, n_events, n_dropped;
    uint32_t n_chips, cores_per_chip;
    uint8_t *is_track_named; /* [core * TRACKS_PER_CORE + server] */
    uint8_t *is_chip_named;  /* [chip], and [n_chips] for the barriers process */
    char **node_name; /* JSON-escaped, per graph node */
    uint32_t n_nodes;
    uint64_t n_msgs_seen;      /* messages recorded: the flow arrows' ids */
    uint32_t n_cores;          /* n_chips x cores_per_chip */
    struct pending *pend;      /* per core */
    uint32_t cur;              /* the core that began an instruction last, or UINT32_MAX */
    uint8_t *is_barrier_named; /* per barrier of the program */
    uint32_t n_barriers;
};

/* ---- names --------------------------------------------------------------------- */

/* `s` JSON-escaped into `out` (at most size - 1 bytes, NUL-terminated). */
static void escape(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (; *s && n + 7 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[n++] = '\\';
            out[n++] = (char)c;
        } else if (c < 0x20) {
            n += (size_t)snprintf(out + n, size - n, "\\u%04x", c);
        } else {
            out[n++] = (char)c;
        }
    }
    out[n] = 0;
}

/* The nodes' names, JSON-escaped. */
static ax_status name_nodes(struct ax_trace *t, const char *const *names, uint32_t n)
{
    t->n_nodes = n;
    t->node_name = ax_mem_calloc(n ? n : 1, sizeof *t->node_name);
    if (!t->node_name)
        return AX_ERR_NOMEM;
    for (uint32_t id = 0; id < n; id++) {
        char esc[700];
        escape(names[id], esc, sizeof esc);
        size_t len = strlen(esc) + 1;
        t->node_name[id] = ax_mem_alloc(len);
        if (!t->node_name[id])
            return AX_ERR_NOMEM;
        memcpy(t->node_name[id], esc, len);
    }
    return AX_OK;
}

/* ---- events -------------------------------------------------------------------- */

/* Room for one more event: 1 and the separator written, or 0 (counted as
 * dropped) once the limit is reached. */
static int event(struct ax_trace *t)
{
    if (t->n_events >= t->limit) {
        t->n_dropped++;
        return 0;
    }
    ax_text_printf(&t->buf, t->n_events ? ",\n" : "\n");
    t->n_events++;
    return 1;
}

static void name_process(struct ax_trace *t, uint32_t pid, const char *fmt, uint32_t n)
{
    if (t->is_chip_named[pid])
        return;
    t->is_chip_named[pid] = 1;
    char name[64];
    snprintf(name, sizeof name, fmt, n);
    if (event(t))
        ax_text_printf(
            &t->buf,
            "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%u,\"args\":{\"name\":\"%s\"}}", pid,
            name);
    if (event(t))
        ax_text_printf(&t->buf,
                       "{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":%u,"
                       "\"args\":{\"sort_index\":%u}}",
                       pid, pid);
}

/* Track `tid` of `core`, named "core N <what>" and sorted at `sort` among
 * its chip's tracks the first time it is used. Returns `tid` (its process
 * is the core's chip). */
static uint32_t core_track(struct ax_trace *t, uint32_t core, uint32_t tid, const char *what,
                           uint32_t sort)
{
    if (t->is_track_named[tid])
        return tid;
    t->is_track_named[tid] = 1;
    uint32_t chip = core / t->cores_per_chip;
    name_process(t, chip, "chip %u", chip);
    if (event(t))
        ax_text_printf(&t->buf,
                       "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,"
                       "\"args\":{\"name\":\"core %u %s\"}}",
                       chip, tid, core, what);
    if (event(t))
        ax_text_printf(&t->buf,
                       "{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,"
                       "\"args\":{\"sort_index\":%u}}",
                       chip, tid, sort);
    return tid;
}

/* The track of `core`'s `server`. */
static uint32_t track(struct ax_trace *t, uint32_t core, int server)
{
    return core_track(t, core, core * TRACKS_PER_CORE + (uint32_t)server, server_name[server],
                      core * (TRACKS_PER_CORE + 1) + 1 + (uint32_t)server);
}

/* The track of `core`'s instructions, sorted before the core's units. */
static uint32_t instr_track(struct ax_trace *t, uint32_t core)
{
    return core_track(t, core, t->n_cores * TRACKS_PER_CORE + core, "instructions",
                      core * (TRACKS_PER_CORE + 1));
}

/* ---- opening, closing ---------------------------------------------------------- */

/* An empty trace of a run whose nodes are called node_names[0 .. n_nodes)
 * (copied), on `n_chips` chips of `cores_per_chip` cores, holding at most
 * `limit` events. */
static ax_status trace_open(struct ax_trace **out, const char *const *node_names, uint32_t n_nodes,
                            uint32_t n_chips, uint32_t cores_per_chip, uint64_t limit)
{
    *out = NULL;
    struct ax_trace *t = ax_mem_calloc(1, sizeof *t);
    if (!t)
        return AX_ERR_NOMEM;
    t->limit = limit ? limit : 1;
    t->n_chips = n_chips;
    t->cores_per_chip = cores_per_chip ? cores_per_chip : 1;
    t->n_cores = n_chips * t->cores_per_chip;
    t->cur = UINT32_MAX;
    t->is_track_named = ax_mem_calloc((size_t)t->n_cores * (TRACKS_PER_CORE + 1) + 1, 1);
    t->is_chip_named = ax_mem_calloc((size_t)n_chips + 1, 1);
    ax_status st = t->is_track_named && t->is_chip_named ? name_nodes(t, node_names, n_nodes)
                                                           : AX_ERR_NOMEM;
    if (st != AX_OK) {
        ax_trace_close(t);
        return st;
    }
    ax_text_printf(&t->buf, "{\"traceEvents\":[");
    *out = t;
    return AX_OK;
}

void ax_trace_close(struct ax_trace *t)
{
    if (!t)
        return;
    for (uint32_t i = 0; t->node_name && i < t->n_nodes; i++)
        ax_mem_free(t->node_name[i]);
    ax_mem_free(t->node_name);
    ax_mem_free(t->is_track_named);
    ax_mem_free(t->is_chip_named);
    ax_mem_free(t->pend);
    ax_mem_free(t->is_barrier_named);
    ax_mem_free(t->buf.p);
    ax_mem_free(t);
}

/* ---- the program's timed run --------------------------------------------------- */

ax_status ax_trace_open_program(struct ax_trace **out, const struct ax_prog *p, uint32_t n_chips,
                                uint32_t cores_per_chip, uint64_t limit)
{
    *out = NULL;
    const char **names = ax_mem_calloc((size_t)p->n_nodes + 1, sizeof *names);
    if (!names)
        return AX_ERR_NOMEM;
    for (uint32_t e = 0; e < p->n_nodes; e++)
        names[e] = p->nodes[e].name ? p->nodes[e].name : "";
    struct ax_trace *t = NULL;
    ax_status st = trace_open(&t, names, p->n_nodes, n_chips, cores_per_chip,
                              limit ? limit : AX_SIM_TRACE_LIMIT);
    ax_mem_free(names);
    if (st != AX_OK)
        return st;
    t->n_barriers = p->n_barriers;
    t->pend = ax_mem_calloc((size_t)t->n_cores + 1, sizeof *t->pend);
    t->is_barrier_named = ax_mem_calloc((size_t)p->n_barriers + 1, 1);
    if (!t->pend || !t->is_barrier_named) {
        ax_trace_close(t);
        return AX_ERR_NOMEM;
    }
    *out = t;
    return AX_OK;
}

/* The name of node-table entry `e`, escaped. */
static const char *entry_name(const struct ax_trace *t, uint32_t e)
{
    return e < t->n_nodes ? t->node_name[e] : "(no node)";
}

/* Microseconds of the run from seconds of the run. */
static double run_us(double s)
{
    return s * 1e6;
}

/* The start of a complete event of the current instruction `q` on (pid,
 * tid), named after its node, up to and including the args' first members;
 * the caller closes it. */
static void unit_open(struct ax_trace *t, const struct pending *q, const char *cat, uint32_t pid,
                      uint32_t tid, double start, double end)
{
    ax_text_printf(&t->buf,
                   "{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"X\",\"pid\":%u,\"tid\":%u,"
                   "\"ts\":%.6f,\"dur\":%.6f,\"args\":{\"instr\":\"%s\",\"pc\":%u,\"token\":%u",
                   entry_name(t, q->entry), cat, pid, tid, run_us(start), run_us(end - start),
                   ax_isa_mnemonic(q->op), q->pc, q->token);
}

void ax_trace_instr_begin(struct ax_trace *t, uint32_t token, uint32_t core, uint32_t pc,
                          enum ax_isa_op op, uint32_t entry, double issue)
{
    t->cur = core < t->n_cores ? core : UINT32_MAX;
    if (t->cur == UINT32_MAX)
        return;
    struct pending *q = &t->pend[core];
    if (q->is_open && q->token == token && q->pc == pc)
        return; /* issued again after a wait: it started at its first issue */
    *q = (struct pending){issue, token, pc, entry, op, 1};
}

void ax_trace_instr_end(struct ax_trace *t, double end)
{
    if (t->cur == UINT32_MAX)
        return;
    uint32_t core = t->cur;
    struct pending *q = &t->pend[core];
    q->is_open = 0;
    uint32_t tid = instr_track(t, core);
    if (event(t))
        ax_text_printf(&t->buf,
                       "{\"name\":\"%s\",\"cat\":\"instr\",\"ph\":\"X\",\"pid\":%u,"
                       "\"tid\":%u,\"ts\":%.6f,\"dur\":%.6f,\"args\":{\"node\":\"%s\","
                       "\"pc\":%u,\"token\":%u,\"core\":%u}}",
                       ax_isa_mnemonic(q->op), core / t->cores_per_chip, tid, run_us(q->start),
                       run_us(end - q->start), entry_name(t, q->entry), q->pc, q->token, core);
}

void ax_trace_service(struct ax_trace *t, uint32_t core, const struct eng_job *j, const double *at)
{
    if (t->cur == UINT32_MAX || core >= t->n_cores)
        return;
    const struct pending *q = &t->pend[t->cur];
    for (int s = 0; s < ENG_SERVER_COUNT; s++) {
        if (j->s[s] <= 0)
            continue;
        uint32_t tid = track(t, core, s);
        if (!event(t))
            continue;
        unit_open(t, q, "exec", core / t->cores_per_chip, tid, at[s], at[s] + j->s[s]);
        ax_text_printf(&t->buf, "}}");
    }
}

/* One end of message `m` (number `id`): its slice on the (pid, tid) track
 * from `start` to `end`, naming the core at the other end as `peer_key`,
 * then the arrow's end there ("s" at the send, "f" at the service), in the
 * middle of the slice, where both viewers attach it. */
static void message_end(struct ax_trace *t, const struct pending *q, const char *cat,
                        uint32_t pid, uint32_t tid, double start, double end,
                        const char *peer_key, uint32_t peer, const struct eng_msg *m,
                        uint32_t hops, double depart, double arrive, unsigned long long id)
{
    int is_send = strcmp(cat, "send") == 0;
    if (event(t)) {
        unit_open(t, q, cat, pid, tid, start, end);
        ax_text_printf(&t->buf,
                       ",\"%s\":%u,\"bytes\":%u,\"packets\":%u,\"hops\":%u,\"depart_us\":%.6f,"
                       "\"arrive_us\":%.6f,\"msg\":%llu}}",
                       peer_key, peer, m->bytes, m->packets, hops, run_us(depart), run_us(arrive),
                       id);
    }
    if (event(t))
        ax_text_printf(&t->buf,
                       "{\"name\":\"msg\",\"cat\":\"msg\",\"ph\":\"%s\",\"id\":%llu,"
                       "\"pid\":%u,\"tid\":%u,\"ts\":%.6f}",
                       is_send ? "s" : "f\",\"bp\":\"e", id, pid, tid, run_us((start + end) / 2));
}

void ax_trace_message(struct ax_trace *t, const struct eng_msg *m, uint32_t hops, double out_start,
                      double depart, double arrive, double in_start, double served)
{
    if (t->cur == UINT32_MAX || m->src >= t->n_cores || m->dst >= t->n_cores)
        return;
    const struct pending *q = &t->pend[t->cur];
    unsigned long long id = (unsigned long long)t->n_msgs_seen++;
    uint32_t out = track(t, m->src, ENG_AXON_OUT);
    message_end(t, q, "send", m->src / t->cores_per_chip, out, out_start, depart, "to", m->dst, m,
                hops, depart, arrive, id);
    uint32_t in = track(t, m->dst, ENG_AXON_IN);
    message_end(t, q, "recv", m->dst / t->cores_per_chip, in, in_start, served, "from", m->src, m,
                hops, depart, arrive, id);
}

void ax_trace_barrier(struct ax_trace *t, uint32_t id, uint32_t token, double arrived, double ready,
                      double sync, uint32_t n_chips)
{
    uint32_t pid = t->n_chips; /* the barriers process, after the chips */
    /* a tid no core's track has (the instructions' tracks end at
     * n_cores x (TRACKS_PER_CORE + 1)): a tid unique in the file reads the
     * same in a viewer that keys threads by tid alone */
    uint32_t tid = t->n_cores * (TRACKS_PER_CORE + 1) + id;
    name_process(t, pid, "barriers", 0);
    if (id < t->n_barriers && !t->is_barrier_named[id]) {
        t->is_barrier_named[id] = 1;
        if (event(t))
            ax_text_printf(&t->buf,
                           "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,"
                           "\"args\":{\"name\":\"barrier %u\"}}",
                           pid, tid, id);
        if (event(t))
            ax_text_printf(&t->buf,
                           "{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":%u,"
                           "\"tid\":%u,\"args\":{\"sort_index\":%u}}",
                           pid, tid, id);
    }
    if (event(t))
        ax_text_printf(&t->buf,
                       "{\"name\":\"barrier %u\",\"cat\":\"barrier\",\"ph\":\"X\",\"pid\":%u,"
                       "\"tid\":%u,\"ts\":%.6f,\"dur\":%.6f,\"args\":{\"barrier\":%u,"
                       "\"token\":%u,\"arrived_us\":%.6f,\"ready_us\":%.6f,\"done_us\":%.6f,"
                       "\"sync_us\":%.6f,\"chips\":%u}}",
                       id, pid, tid, run_us(ready), run_us(sync), id, token, run_us(arrived),
                       run_us(ready), run_us(ready + sync), run_us(sync), n_chips);
}

/* ---- both ------------------------------------------------------------------------ */

ax_status ax_trace_write(struct ax_trace *t, double seconds, const char *path,
                         struct ax_diag_list *diags)
{
    if (t->n_dropped) {
        /* the notice is past the limit by design: the file holds `limit`
         * events and then this one */
        ax_text_printf(
            &t->buf,
            ",\n{\"name\":\"trace limit reached: %llu events dropped\",\"cat\":\"trace\","
            "\"ph\":\"i\",\"s\":\"g\",\"pid\":0,\"tid\":0,\"ts\":%.6f,"
            "\"args\":{\"limit\":%llu,\"dropped\":%llu}}",
            (unsigned long long)t->n_dropped, seconds * 1e6, (unsigned long long)t->limit,
            (unsigned long long)t->n_dropped);
        ax_diag_add(diags, AX_DIAG_WARNING, path, 0, 0,
                    "the trace holds its limit of %llu events; %llu more were not recorded "
                    "(raise --trace-limit)",
                    (unsigned long long)t->limit, (unsigned long long)t->n_dropped);
    }
    ax_text_printf(&t->buf,
                   "\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{\"schema\":\"axon-trace/1\","
                   "\"events\":%llu,\"dropped\":%llu,\"limit\":%llu,\"seconds\":%.17g}}\n",
                   (unsigned long long)t->n_events, (unsigned long long)t->n_dropped,
                   (unsigned long long)t->limit, seconds);
    if (t->buf.is_oom)
        return AX_ERR_NOMEM;
    return ax_fs_write_atomic(path, t->buf.p, t->buf.len, diags);
}
