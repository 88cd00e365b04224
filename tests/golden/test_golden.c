/* Hand-computed systems: drives each case of tests/golden/systems/ through
 * the simulator, on the native engine and (where the build has it) the
 * SystemC engine, and compares its cycles, seconds, every ledger count and
 * the total energy with the figures worked out by hand in the case's
 * expect.txt.
 *
 * Kept only for tests/trace (the graph path's trace of link-contention);
 * the systems are pinned as programs (tests/golden/programs, the tests
 * golden.program.*), and this driver goes with the graph path.
 *
 * A case is data, not code, so that a later simulator (programs written by
 * hand, an executor) re-drives the same files and must get the same numbers:
 *
 *   case.txt     the chip file, the workload graph (axon-ir text), the
 *                activity (an axon-profile/1 file), the chips the workload
 *                occupies and where each weight block sits;
 *   expect.txt   `cycles N`, `seconds S`, `energy_j E` and `count ITEM N` for
 *                every ledger item that is not zero (an item not listed must
 *                be zero), with the derivation in its comments.
 *
 * case.txt, one directive per line ('#' starts a comment):
 *
 *   chip PATH                  relative to the case's folder (as every PATH)
 *   graph PATH                 axon-ir text
 *   activity PATH              axon-profile/1: each site's |s| histogram
 *   chips N                    chips the workload occupies
 *   grid W                     chips laid out W wide
 *   block NODE rows=R0+R cols=C0+C core=K [dram]
 *                              a block of node %NODE's weights on global
 *                              core K (streamed from DRAM with `dram`); the
 *                              first block of a node is its home
 *   tokens N                   tokens simulated (counting mode, seed 1)
 *   timing approx|analytic
 *
 * Today this builds the placement the simulator reads (struct ax_map) from
 * the block lines; the bytes of a block are the format's (ax_prog_weight_bytes:
 * int8 codes in whole words, a float32 scale per row and group of 128 inputs,
 * an int32 accumulator per row).
 *
 * usage: test_golden [--trace FILE] CASE_DIR...   exit 0 when every case
 * matches; --trace writes the native engine's trace of the (last) case to
 * FILE, for tests/trace to check against the hand-computed times. */
#include "ax_test.h"

#include "ax_arch.h"
#include "ax_diag.h"
#include "ax_fs.h"
#include "ax_ir.h"
#include "ax_map.h"
#include "ax_mem.h"
#include "ax_prog.h"
#include "ax_sim.h"
#include "ax_spike.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_BYTES = 1 << 20, MAX_BLOCKS = 64 };

struct golden_block {
    uint32_t node, row0, rows, col0, cols, core;
    int is_dram;
};

struct golden_case {
    char chip[512], graph[512], activity[512];
    uint32_t chips, grid, tokens;
    enum ax_sim_timing timing;
    struct golden_block blocks[MAX_BLOCKS];
    uint32_t n_blocks;
};

struct golden_expect {
    int has_cycles, has_seconds, has_energy;
    uint64_t cycles;
    double seconds, energy_j;
    int has_count[AX_LEDGER_COUNT];
    double count[AX_LEDGER_COUNT];
};

static int fail_at(const char *file, unsigned line, const char *what)
{
    fprintf(stderr, "%s:%u: %s\n", file, line, what);
    return -1;
}

/* Reads all of `path` (NUL-terminated; NULL after printing why). */
static char *read_text(const char *path)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *text = NULL;
    size_t len = 0;
    if (ax_fs_read_file(path, MAX_BYTES, &text, &len, &diags) != AX_OK) {
        ax_diag_print(&diags, stderr);
        text = NULL;
    }
    ax_diag_list_free(&diags);
    return text;
}

/* `rel` against the folder `dir`, unless it is absolute. */
static void join(char *out, size_t size, const char *dir, const char *rel)
{
    if (rel[0] == '/')
        snprintf(out, size, "%s", rel);
    else
        snprintf(out, size, "%s/%s", dir, rel);
}

/* The next line of `*p`, with its comment cut and surrounding space trimmed;
 * NULL at the end. Writes NULs into the buffer. */
static char *next_line(char **p)
{
    if (!**p)
        return NULL;
    char *line = *p, *end = strchr(line, '\n');
    if (end) {
        *end = 0;
        *p = end + 1;
    } else {
        *p = line + strlen(line);
    }
    char *hash = strchr(line, '#');
    if (hash)
        *hash = 0;
    while (*line == ' ' || *line == '\t')
        line++;
    size_t n = strlen(line);
    while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
        line[--n] = 0;
    return line;
}

/* The case's file `name`: its path into `path`, its text (NULL after
 * printing why). */
static char *read_case_file(const char *dir, const char *name, char *path, size_t size)
{
    join(path, size, dir, name);
    return read_text(path);
}

static int parse_case(const char *dir, struct golden_case *c)
{
    char path[512];
    char *text = read_case_file(dir, "case.txt", path, sizeof path);
    if (!text)
        return -1;
    memset(c, 0, sizeof *c);
    c->chips = c->grid = c->tokens = 1;
    c->timing = AX_SIM_TIMING_APPROX;
    int rc = 0;
    unsigned line_no = 0;
    char *p = text, *line;
    while (rc == 0 && (line = next_line(&p)) != NULL) {
        line_no++;
        char word[32], arg[400];
        if (!*line)
            continue;
        if (sscanf(line, "%31s %399s", word, arg) != 2) {
            rc = fail_at(path, line_no, "expected a directive and its argument");
        } else if (!strcmp(word, "chip")) {
            join(c->chip, sizeof c->chip, dir, arg);
        } else if (!strcmp(word, "graph")) {
            join(c->graph, sizeof c->graph, dir, arg);
        } else if (!strcmp(word, "activity")) {
            join(c->activity, sizeof c->activity, dir, arg);
        } else if (!strcmp(word, "chips")) {
            c->chips = (uint32_t)strtoul(arg, NULL, 10);
        } else if (!strcmp(word, "grid")) {
            c->grid = (uint32_t)strtoul(arg, NULL, 10);
        } else if (!strcmp(word, "tokens")) {
            c->tokens = (uint32_t)strtoul(arg, NULL, 10);
        } else if (!strcmp(word, "timing")) {
            if (ax_sim_timing_parse(arg, &c->timing) != 0)
                rc = fail_at(path, line_no, "timing is approx or analytic");
        } else if (!strcmp(word, "block")) {
            struct golden_block *b = &c->blocks[c->n_blocks];
            char flag[16] = "";
            int n = sscanf(line, "block %u rows=%u+%u cols=%u+%u core=%u %15s", &b->node, &b->row0,
                           &b->rows, &b->col0, &b->cols, &b->core, flag);
            if (c->n_blocks == MAX_BLOCKS || n < 6 || (n == 7 && strcmp(flag, "dram") != 0))
                rc = fail_at(path, line_no, "expected: block NODE rows=R0+R cols=C0+C core=K [dram]");
            b->is_dram = n == 7;
            c->n_blocks++;
        } else {
            rc = fail_at(path, line_no, "unknown directive");
        }
    }
    if (rc == 0 && (!c->chip[0] || !c->graph[0] || !c->activity[0] || !c->n_blocks))
        rc = fail_at(path, line_no, "a case needs chip, graph, activity and at least one block");
    ax_mem_free(text);
    return rc;
}

static int ledger_item(const char *name)
{
    for (int i = 0; i < AX_LEDGER_COUNT; i++)
        if (!strcmp(ax_ledger_item_name((enum ax_ledger_item)i), name))
            return i;
    return -1;
}

static int parse_expect(const char *dir, struct golden_expect *e)
{
    char path[512];
    char *text = read_case_file(dir, "expect.txt", path, sizeof path);
    if (!text)
        return -1;
    memset(e, 0, sizeof *e);
    int rc = 0;
    unsigned line_no = 0;
    char *p = text, *line;
    while (rc == 0 && (line = next_line(&p)) != NULL) {
        line_no++;
        char word[32], name[64];
        double v;
        if (!*line)
            continue;
        if (sscanf(line, "count %63s %lf", name, &v) == 2) {
            int i = ledger_item(name);
            if (i < 0)
                rc = fail_at(path, line_no, "no ledger item of that name (sim/ax_ledger.def)");
            else if (e->has_count[i])
                rc = fail_at(path, line_no, "ledger item listed twice");
            else {
                e->has_count[i] = 1;
                e->count[i] = v;
            }
        } else if (sscanf(line, "%31s %lf", word, &v) != 2) {
            rc = fail_at(path, line_no, "expected: cycles N, seconds S, energy_j E or count ITEM N");
        } else if (!strcmp(word, "cycles")) {
            e->has_cycles = 1;
            e->cycles = (uint64_t)v;
        } else if (!strcmp(word, "seconds")) {
            e->has_seconds = 1;
            e->seconds = v;
        } else if (!strcmp(word, "energy_j")) {
            e->has_energy = 1;
            e->energy_j = v;
        } else {
            rc = fail_at(path, line_no, "expected: cycles N, seconds S, energy_j E or count ITEM N");
        }
    }
    if (rc == 0 && !(e->has_cycles && e->has_seconds && e->has_energy))
        rc = fail_at(path, line_no, "expect.txt needs cycles, seconds and energy_j");
    ax_mem_free(text);
    return rc;
}

/* The placement the case's block lines describe, as the simulator reads it:
 * one weight object per node with blocks, in node order. */
static int build_map(const struct golden_case *c, const struct ax_ir_graph *g, const ax_arch_t *arch,
                     struct ax_map *m)
{
    memset(m, 0, sizeof *m);
    m->objects = ax_mem_calloc(c->n_blocks, sizeof *m->objects);
    m->blocks = ax_mem_calloc(c->n_blocks, sizeof *m->blocks);
    if (!m->objects || !m->blocks)
        return -1;
    m->n_chips = c->chips;
    m->chip_grid_w = c->grid;
    m->cores_per_chip = ax_arch_cores_per_chip(arch);
    uint8_t used[4096] = {0};
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        const struct ax_ir_node *n = &g->nodes[id];
        uint32_t first = m->n_blocks;
        for (uint32_t i = 0; i < c->n_blocks; i++) {
            const struct golden_block *b = &c->blocks[i];
            if (b->node != id)
                continue;
            if (b->core >= c->chips * m->cores_per_chip || b->core >= sizeof used) {
                fprintf(stderr, "block of node %u: core %u is outside the %u chips\n", id, b->core,
                        c->chips);
                return -1;
            }
            used[b->core] = 1;
            m->blocks[m->n_blocks++] = (struct ax_map_block){
                m->n_objects, b->row0, b->rows, b->col0, b->cols,
                ax_prog_weight_bytes(b->rows, b->cols), b->core, (uint8_t)b->is_dram};
        }
        if (first == m->n_blocks)
            continue;
        uint32_t rows = n->op == AX_IR_EMBEDDING ? n->vocab : n->out;
        uint32_t cols = n->op == AX_IR_EMBEDDING ? n->dim : n->in;
        /* no VALUE objects (node_value stays NULL): partial sums go to the
         * first block's core, and the simulator runs each op without weights
         * where its first operand lives, as the hand-computed figures assume */
        m->objects[m->n_objects++] = (struct ax_map_object){
            .kind = AX_MAP_WEIGHTS, .node = id, .name = n->weight, .rows = rows, .cols = cols,
            .is_spiking = (uint8_t)(n->spike == AX_IR_SPIKE_SPIKE), .producer = UINT32_MAX,
            .dest = UINT32_MAX, .first_block = first, .n_blocks = m->n_blocks - first,
            .home = m->blocks[first].core};
    }
    for (uint32_t k = 0; k < sizeof used; k++)
        m->n_cores_used += used[k];
    return 0;
}

static int close_to(double got, double want)
{
    return fabs(got - want) <= 1e-9 * fmax(fabs(got), fabs(want));
}

/* Compares one run's figures with the expectation; prints what differs. */
static int matches(const char *dir, const char *engine, const struct ax_sim_result *r,
                   const struct golden_expect *e)
{
    int ok = 1;
    if (r->cycles != e->cycles) {
        fprintf(stderr, "%s (%s): cycles %llu, expected %llu\n", dir, engine,
                (unsigned long long)r->cycles, (unsigned long long)e->cycles);
        ok = 0;
    }
    if (!close_to(r->seconds, e->seconds)) {
        fprintf(stderr, "%s (%s): seconds %.17g, expected %.17g\n", dir, engine, r->seconds, e->seconds);
        ok = 0;
    }
    for (int i = 0; i < AX_LEDGER_COUNT; i++) {
        double got = r->ledger.line[i].count, want = e->has_count[i] ? e->count[i] : 0;
        /* static chip-seconds follow from the seconds checked above */
        if (i == AX_LEDGER_STATIC_CHIP && !e->has_count[i])
            want = r->chips_used * e->seconds;
        if (!close_to(got, want)) {
            fprintf(stderr, "%s (%s): count %s %.17g, expected %.17g\n", dir, engine,
                    ax_ledger_item_name((enum ax_ledger_item)i), got, want);
            ok = 0;
        }
    }
    if (!close_to(r->ledger.total_j, e->energy_j)) {
        fprintf(stderr, "%s (%s): energy_j %.17g, expected %.17g\n", dir, engine, r->ledger.total_j,
                e->energy_j);
        ok = 0;
    }
    printf("%s %s (%s engine): %llu cycles, %.6g J\n", ok ? "ok" : "FAILED", dir, engine,
           (unsigned long long)r->cycles, r->ledger.total_j);
    return ok;
}

/* Runs a case on the native engine, and on the SystemC engine where this
 * build has it (one SystemC run per process: each case is its own test). */
static void run_case(const char *dir, const char *trace)
{
    struct golden_case c;
    struct golden_expect e;
    CHECK(parse_case(dir, &c) == 0);
    CHECK(parse_expect(dir, &e) == 0);
    if (ax_test_failures)
        return;
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_arch_t *arch = NULL;
    struct ax_ir_graph g;
    memset(&g, 0, sizeof g); /* ax_ir_parse initializes it; ax_ir_free takes it zeroed */
    struct ax_map map;
    memset(&map, 0, sizeof map);
    char *ir = read_text(c.graph);
    int ok = ir && ax_arch_load(c.chip, &arch, &diags) == AX_OK &&
             ax_ir_parse(&g, c.graph, ir, strlen(ir), &diags) == AX_OK &&
             ax_ir_verify(&g, c.graph, &diags) == AX_OK && build_map(&c, &g, arch, &map) == 0;
    CHECK(ok);
    int n_engines = ax_sim_has_systemc() ? 2 : 1;
    for (int k = 0; ok && k < n_engines; k++) {
        struct ax_spike_options spike;
        ax_spike_options_default(&spike);
        struct ax_sim_options o;
        ax_sim_options_default(&o);
        o.mode = AX_SIM_COUNTING;
        o.timing = c.timing;
        o.engine = k == 0 ? AX_SIM_ENGINE_NATIVE : AX_SIM_ENGINE_SYSTEMC;
        o.seed = 1;
        o.profile = c.activity;
        if (o.engine == AX_SIM_ENGINE_NATIVE)
            o.trace = trace;
        struct ax_sim_result r;
        ax_status st = ax_sim_run(&g, &map, arch, NULL, &spike, NULL, c.tokens, &o, &r, &diags);
        CHECK(st == AX_OK);
        if (st == AX_OK) {
            CHECK(matches(dir, ax_sim_engine_str(o.engine), &r, &e));
            ax_sim_result_free(&r);
        }
    }
    ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    ax_mem_free(map.objects);
    ax_mem_free(map.blocks);
    ax_mem_free(ir);
    ax_ir_free(&g);
    if (arch)
        ax_arch_free(arch);
}

int main(int argc, char **argv)
{
    int first = 1;
    const char *trace = NULL;
    if (argc > 2 && !strcmp(argv[1], "--trace")) {
        trace = argv[2];
        first = 3;
    }
    if (argc <= first) {
        fprintf(stderr, "usage: test_golden [--trace FILE] CASE_DIR...\n");
        return 2;
    }
    for (int i = first; i < argc; i++)
        run_case(argv[i], trace);
    printf("%d passed, %d failed\n", ax_test_checks - ax_test_failures, ax_test_failures);
    return ax_test_failures ? 1 : 0;
}
