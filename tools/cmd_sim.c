/* axon sim PROG.axb and axon run MODEL --chip CHIP: simulate a compiled
 * program (or compile and simulate in one) and report sparsity, latency and
 * energy (docs/simulator.md, docs/report.md). */
#include "axon_cmd.h"

#include "ax_check.h"
#include "ax_diag.h"
#include "ax_exec.h"
#include "ax_fs.h"
#include "ax_mem.h"
#include "ax_prog.h"
#include "ax_ref.h"
#include "ax_report.h"
#include "ax_sim.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The options of a run, as parsed. */
struct run_args {
    const char *target;       /* PROG.axb or MODEL_DIR */
    const char *chip;
    const char *model;        /* sim: --model DIR, the model a program references */
    const char *prompt, *prompt_file;
    const char *token_ids;    /* sim: --token-ids 0,1,2, for a program that embeds no model */
    uint32_t n_random;
    int has_mode;
    struct ax_sim_options sim;
    struct ax_ref_options ref; /* precision and spiking options */
    struct ax_map_options map; /* run: --float-weights */
    const char *report, *csv, *html;
    const char *values;        /* sim: --values F, a program that embeds no model */
    int is_json, is_quiet;
};

static void usage(FILE *out, int is_run)
{
    if (is_run)
        fprintf(out, "usage: axon run MODEL_DIR --chip CHIP.yaml (--prompt TEXT | --prompt-file F |\n"
                     "                --tokens N) [options]\n"
                     "\n"
                     "Compiles the model for the chip and simulates it in one go.\n");
    else
        fprintf(out, "usage: axon sim PROG.axb (--prompt TEXT | --prompt-file F | --tokens N |\n"
                     "                --token-ids I,J,...) [options]\n"
                     "\n"
                     "Simulates a program written by `axon compile -o`: the simulator executes\n"
                     "its instructions on the chip it embeds. The program also embeds its model\n"
                     "(docs/program.md), from which axon checks that the program is the model's\n"
                     "and validates every token against the w8spike reference.\n"
                     "A program that embeds no model (one written by hand and assembled with\n"
                     "`axon asm`) runs on the chip it embeds with the weight data it carries\n"
                     "(.wdata lines), on the token ids --token-ids gives; nothing checks its\n"
                     "values against a reference.\n");
    fprintf(out,
            "Reports sparsity, latency and energy, every joule traced to event counts and\n"
            "the chip's costs (docs/simulator.md, docs/report.md).\n"
            "\n"
            "options:\n"
            "  --prompt TEXT        the text to run (functional mode)\n"
            "  --prompt-file F      the same from a file\n"
            "  --tokens N           N tokens (ids drawn from the vocabulary, seeded)\n"
            "  --context C          counting mode: the tokens follow C earlier ones (SWA\n"
            "                       window and GLA state filled)\n"
            "  --mode M             functional (real weights and values, validated against\n"
            "                       the w8spike reference) or counting (synthetic activations,\n"
            "                       for shape-only models); default: functional when the\n"
            "                       model has weights, else counting\n"
            "  --timing T           approx (per event, default) or analytic (closed form)\n"
            "  --engine E           native (default) or systemc (the same work timed on a\n"
            "                       SystemC kernel, in builds with SystemC)\n"
            "  --sync S             barrier (default: a barrier holds a core until every\n"
            "                       core it lists has reached it) or dataflow (until the\n"
            "                       cores that send it spikes of that phase have, one\n"
            "                       handshake each); the same values\n"
            "  --prefill N          the first N tokens stream through the chip as a pipeline\n"
            "                       (a core goes on with the next token once it has halted\n"
            "                       one), the rest one at a time; reported apart: time to\n"
            "                       first token, tokens per second, energy per token\n"
            "  --batch B            B sequences interleaved through the chip, each with its\n"
            "                       own state: the prompt cut into B equal parts, or --tokens\n"
            "                       N for each; a sequence's next token starts once its last\n"
            "                       has ended (docs/simulator.md, \"Batches\"); the program\n"
            "                       holds B states (`run` compiles it so, `compile --batch`)\n"
            "  --threads N          accepted; the timed run takes one thread (docs/simulator.md)\n"
            "  --seed S             seed of --tokens and of counting mode's draws (default 1)\n"
            "  --profile F          counting mode: draw each projection's counts from a\n"
            "                       sparsity profile written by --write-profile\n"
            "  --write-profile F    write this run's sparsity profile (axon-profile/1)\n"
            "  --report R.json      the JSON report (schema axon-report/1)\n"
            "  --csv DIR            CSV per layer, per core, per link and per step\n"
            "  --html R.html        a self-contained HTML report\n"
            "  --trace F            write the events the run executed (per core every\n"
            "                       instruction and its units' service, per message, per\n"
            "                       barrier) as Chrome trace-event JSON, for ui.perfetto.dev\n"
            "                       or chrome://tracing (docs/trace.md)\n"
            "  --trace-limit N      at most N trace events (default 1000000); the rest are\n"
            "                       counted and the file says how many were dropped\n"
            "  --json               print the JSON report on stdout instead of the summary\n"
            "  --quiet              no summary, no progress bar\n");
    if (!is_run)
        fprintf(out,
                "  --model DIR          the model, when the program references its weights\n"
                "                       instead of embedding them (checked by content hash)\n"
                "  --token-ids I,J,...  the token ids to run, for a program that embeds no\n"
                "                       model (what its `lookup` selects), at positions 0, 1, ...\n"
                "  --values F.json      a program that embeds no model, functional mode: write,\n"
                "                       for each token, what the executor ran (instructions,\n"
                "                       events, synaptic ops, messages) and the float32 words of\n"
                "                       every value buffer (schema axon-values/1)\n");
    if (is_run)
        fprintf(out,
                "  --chip CHIP.yaml     the chip description (required)\n"
                "  --spike MODE         released (default), paper or none\n"
                "  --encoding E         bitwise (default), ternary or binary\n"
                "  --k K                threshold V_th = mean|x| / K (default 3)\n"
                "  --steps T            a fixed number of spike steps; default adaptive\n"
                AX_CMD_FLOAT_WEIGHTS_HELP);
    fprintf(out,
            "  -h, --help\n"
            "\n"
            "example:\n"
            "  axon run models/nets/spikingbrain-tiny --chip models/chips/loihi2-like.yaml \\\n"
            "      --prompt-file tests/data/heldout.txt --report out/report.json --html out/report.html\n"
            "  axon run models/nets/spikingbrain-7b --chip models/chips/loihi2-like.yaml \\\n"
            "      --tokens 1 --context 4096 --mode counting\n");
}

static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || s[0] == '-' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Parses argv into *a; returns -1 (usage error printed), 0 to go on, 1 when
 * help was printed. */
static int parse_args(int argc, char **argv, int is_run, struct run_args *a)
{
    const char *cmd = is_run ? "axon run" : "axon sim";
    memset(a, 0, sizeof *a);
    ax_sim_options_default(&a->sim);
    ax_ref_options_default(&a->ref);
    ax_map_default_options(&a->map);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int has_value = i + 1 < argc;
        uint64_t v;
        if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
            usage(stdout, is_run);
            return 1;
        }
        if (is_run) {
            int r = ax_cmd_ref_option(argc, argv, &i, &a->ref, cmd);
            if (r == 0)
                r = ax_cmd_map_option(argc, argv, &i, &a->map, cmd);
            if (r < 0)
                return -1;
            if (r > 0)
                continue;
        }
        if (strcmp(s, "--json") == 0) {
            a->is_json = 1;
        } else if (strcmp(s, "--quiet") == 0) {
            a->is_quiet = 1;
        } else if (s[0] == '-' && s[1] && !has_value) {
            fprintf(stderr, "%s: %s needs a value (or is unknown)\n", cmd, s);
            return -1;
        } else if (is_run && strcmp(s, "--chip") == 0) {
            a->chip = argv[++i];
        } else if (!is_run && strcmp(s, "--model") == 0) {
            a->model = argv[++i];
        } else if (!is_run && strcmp(s, "--values") == 0) {
            a->values = argv[++i];
        } else if (!is_run && strcmp(s, "--token-ids") == 0) {
            a->token_ids = argv[++i];
        } else if (strcmp(s, "--prompt") == 0) {
            a->prompt = argv[++i];
        } else if (strcmp(s, "--prompt-file") == 0) {
            a->prompt_file = argv[++i];
        } else if (strcmp(s, "--tokens") == 0) {
            if (parse_u64(argv[++i], 1, AX_CMD_RUN_MAX_TOKENS, &v) != 0) {
                fprintf(stderr, "%s: --tokens %s: expected a whole number from 1 to %u\n", cmd,
                        argv[i], AX_CMD_RUN_MAX_TOKENS);
                return -1;
            }
            a->n_random = (uint32_t)v;
        } else if (strcmp(s, "--context") == 0) {
            if (parse_u64(argv[++i], 0, 1ull << 32, &a->sim.context) != 0) {
                fprintf(stderr, "%s: --context %s: expected a whole number from 0 to %llu\n", cmd,
                        argv[i], 1ull << 32);
                return -1;
            }
        } else if (strcmp(s, "--mode") == 0) {
            if (ax_sim_mode_parse(argv[++i], &a->sim.mode) != 0) {
                fprintf(stderr, "%s: --mode %s: expected functional or counting\n", cmd, argv[i]);
                return -1;
            }
            a->has_mode = 1;
        } else if (strcmp(s, "--timing") == 0) {
            if (ax_sim_timing_parse(argv[++i], &a->sim.timing) != 0) {
                fprintf(stderr, "%s: --timing %s: expected approx or analytic\n", cmd, argv[i]);
                return -1;
            }
        } else if (strcmp(s, "--engine") == 0) {
            if (ax_sim_engine_parse(argv[++i], &a->sim.engine) != 0) {
                fprintf(stderr, "%s: --engine %s: expected native or systemc\n", cmd, argv[i]);
                return -1;
            }
            if (a->sim.engine == AX_SIM_ENGINE_SYSTEMC && !ax_sim_has_systemc()) {
                fprintf(stderr, "%s: --engine systemc: this build has no SystemC (install "
                                "libsystemc-dev and build again)\n", cmd);
                return -1;
            }
        } else if (strcmp(s, "--sync") == 0) {
            if (ax_sim_sync_parse(argv[++i], &a->sim.sync) != 0) {
                fprintf(stderr, "%s: --sync %s: expected barrier or dataflow\n", cmd, argv[i]);
                return -1;
            }
        } else if (strcmp(s, "--prefill") == 0) {
            if (parse_u64(argv[++i], 1, UINT32_MAX, &v) != 0) {
                fprintf(stderr, "%s: --prefill %s: expected a number of tokens, at least 1\n", cmd,
                        argv[i]);
                return -1;
            }
            a->sim.prefill = (uint32_t)v;
        } else if (!is_run && strcmp(s, "--batch") == 0) {
            if (ax_map_batch_parse(argv[++i], &a->sim.batch) != 0) {
                fprintf(stderr, "%s: --batch %s: expected a number of sequences from 1 to %u\n",
                        cmd, argv[i], AX_PROG_BATCH_MAX);
                return -1;
            }
        } else if (strcmp(s, "--threads") == 0) {
            if (parse_u64(argv[++i], 1, 64, &v) != 0) {
                fprintf(stderr, "%s: --threads %s: expected a whole number from 1 to 64\n", cmd,
                        argv[i]);
                return -1;
            }
            a->sim.threads = (uint32_t)v;
        } else if (strcmp(s, "--seed") == 0) {
            if (parse_u64(argv[++i], 0, UINT32_MAX, &a->sim.seed) != 0) {
                fprintf(stderr, "%s: --seed %s: expected a whole number\n", cmd, argv[i]);
                return -1;
            }
        } else if (strcmp(s, "--work") == 0) {
            fprintf(stderr, "%s: --work is gone: the simulator always executes the program's "
                            "instructions (docs/simulator.md)\n", cmd);
            return -1;
        } else if (strcmp(s, "--profile") == 0) {
            a->sim.profile = argv[++i];
        } else if (strcmp(s, "--write-profile") == 0) {
            a->sim.profile_out = argv[++i];
        } else if (strcmp(s, "--report") == 0) {
            a->report = argv[++i];
        } else if (strcmp(s, "--csv") == 0) {
            a->csv = argv[++i];
        } else if (strcmp(s, "--html") == 0) {
            a->html = argv[++i];
        } else if (strcmp(s, "--trace") == 0) {
            a->sim.trace = argv[++i];
        } else if (strcmp(s, "--trace-limit") == 0) {
            if (parse_u64(argv[++i], 1, UINT64_MAX >> 1, &a->sim.trace_limit) != 0) {
                fprintf(stderr, "%s: --trace-limit %s: expected a whole number of at least 1\n",
                        cmd, argv[i]);
                return -1;
            }
        } else if (s[0] == '-') {
            fprintf(stderr, "%s: unknown option '%s'\n", cmd, s);
            return -1;
        } else if (!a->target) {
            a->target = s;
        } else {
            fprintf(stderr, "%s: one %s at a time\n", cmd, is_run ? "model" : "program");
            return -1;
        }
    }
    if (!a->target || (is_run && !a->chip)) {
        fprintf(stderr, "%s: missing %s\n", cmd,
                !a->target ? (is_run ? "the model directory" : "the program") : "--chip CHIP.yaml");
        return -1;
    }
    if (!!a->prompt + !!a->prompt_file + !!a->n_random + !!a->token_ids != 1) {
        fprintf(stderr, "%s: give exactly one of --prompt, --prompt-file, --tokens%s\n", cmd,
                is_run ? "" : ", --token-ids");
        return -1;
    }
    if (a->ref.precision != AX_REF_PRECISION_W8SPIKE) {
        fprintf(stderr, "%s: the simulator runs the spiking model: --precision w8spike only\n", cmd);
        return -1;
    }
    if (is_run && ax_cmd_ref_check(&a->ref, cmd) != 0)
        return -1;
    if (is_run) /* the program holds the batch's state, and runs it */
        a->sim.batch = a->map.batch;
    a->sim.progress = !a->is_quiet && isatty(2);
    return 0;
}

/* Refuses a trace path that is something other than a regular file (a
 * directory, a device: a rename would replace it), and any output that
 * would overwrite one of the run's inputs (the program or model directory,
 * the model directory of `sim --model`, the chip, the prompt file, the
 * profile) or another of its outputs. Returns -1 with a message, else 0;
 * nothing has been written then. */
static int check_paths(const struct run_args *a, const char *cmd, struct ax_diag_list *diags)
{
    struct stat st;
    if (a->sim.trace && stat(a->sim.trace, &st) == 0 && !S_ISREG(st.st_mode)) {
        fprintf(stderr, "%s: --trace %s is not a regular file; give a file path\n", cmd,
                a->sim.trace);
        return -1;
    }
    const struct ax_fs_role inputs[] = {
        {a->target, a->chip ? "the model directory" : "the program"}, {a->model, "--model"},
        {a->chip, "--chip"}, {a->prompt_file, "--prompt-file"}, {a->sim.profile, "--profile"}};
    const struct ax_fs_role outputs[] = {{a->report, "--report"}, {a->values, "--values"},
                                         {a->csv, "--csv"},
                                         {a->html, "--html"}, {a->sim.profile_out, "--write-profile"},
                                         {a->sim.trace, "--trace"}};
    return ax_fs_check_outputs(inputs, sizeof inputs / sizeof inputs[0], outputs,
                               sizeof outputs / sizeof outputs[0], diags) == AX_OK ? 0 : -1;
}

static int write_reports(const struct run_args *a, const struct ax_sim_result *r, const ax_arch_t *arch,
                         struct ax_diag_list *diags)
{
    ax_status st = AX_OK;
    if (a->report)
        st = ax_report_write_json(r, arch, a->report, diags);
    if (st == AX_OK && a->csv)
        st = ax_report_write_csv(r, arch, a->csv, diags);
    if (st == AX_OK && a->html)
        st = ax_report_write_html(r, arch, a->html, diags);
    if (st != AX_OK)
        return -1;
    if (a->is_json) {
        json_t *j = NULL;
        if (ax_report_json(r, arch, &j) != AX_OK)
            return -1;
        int bad = json_dumpf(j, stdout, JSON_INDENT(2)) != 0;
        json_decref(j);
        if (bad || fputc('\n', stdout) == EOF)
            return -1;
    } else if (!a->is_quiet) {
        ax_report_print_summary(r, arch, stdout);
    }
    return 0;
}

/* Functional mode's check of a program's timed run: each token's logits,
 * read from each core as it halts the token (ax_check_pieces: in a flight
 * the core goes on to the next token at once), beside the w8spike
 * reference's for the token's sequence once every core has halted it. A
 * token in flight is a `pending`; tokens of a sequence end in order. */
struct pending {
    uint32_t index, n_halted; /* NONE: a free place */
    float *logits;
    float pair[2];
    uint8_t has_pair;
};

struct logit_check {
    const struct ax_prog *p;
    ax_ref_session_t **ref; /* per sequence */
    uint32_t batch, per_seq;
    const int32_t *tokens; /* the sequences one after another */
    struct ax_check_piece *pieces;
    uint32_t n_pieces;
    struct pending *pend;
    uint32_t n_pend;
    uint32_t vocab;
    struct ax_sim_validation v;
};

/* The pending token `index`, taking a free place or a new one; NULL when
 * out of memory. */
static struct pending *pending_of(struct logit_check *c, uint32_t index)
{
    struct pending *free_at = NULL;
    for (uint32_t i = 0; i < c->n_pend; i++) {
        if (c->pend[i].index == index)
            return &c->pend[i];
        if (c->pend[i].index == UINT32_MAX && !free_at)
            free_at = &c->pend[i];
    }
    if (!free_at) {
        struct pending *g = ax_mem_realloc(c->pend, ((size_t)c->n_pend + 1) * sizeof *g);
        if (!g)
            return NULL;
        c->pend = g;
        free_at = &g[c->n_pend++];
        if (!(free_at->logits = ax_mem_alloc(((size_t)c->vocab + 1) * sizeof *free_at->logits))) {
            c->n_pend--;
            return NULL;
        }
    }
    free_at->index = index;
    free_at->n_halted = 0;
    free_at->has_pair = 0;
    return free_at;
}

/* Token `pd` has ended on every core: its sequence's reference takes it,
 * and its logits (and pair) are compared. */
static ax_status check_ended(struct logit_check *c, struct pending *pd)
{
    uint32_t index = pd->index, seq = index % c->batch;
    int32_t token = c->tokens[seq * c->per_seq + index / c->batch];
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_status st = ax_ref_session_step(c->ref[seq], token, &diags);
    ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    pd->index = UINT32_MAX;
    if (st != AX_OK)
        return st;
    const float *want = ax_ref_session_logits(c->ref[seq]);
    char who[48] = "";
    if (c->batch > 1)
        snprintf(who, sizeof who, " of sequence %u", seq);
    uint64_t bad = 0;
    double rel =
        ax_check_compare_logits(pd->logits, c->n_pieces ? c->vocab : 0, want, c->vocab, &bad);
    if (rel > c->v.max_rel_err || rel != rel)
        c->v.max_rel_err = rel;
    if (bad && !c->v.n_mismatches)
        snprintf(c->v.first_mismatch, sizeof c->v.first_mismatch,
                 "token %u%s: %llu of %u logits differ from the reference's", index / c->batch, who,
                 (unsigned long long)bad, c->vocab);
    c->v.n_values_checked += c->vocab;
    c->v.n_mismatches += bad;
    if (pd->has_pair) { /* --logits argmax: the token id and its logit */
        uint32_t k = ax_check_argmax_of(want, c->vocab);
        int id_bad = pd->pair[1] != (float)k,
            value_bad = memcmp(&pd->pair[0], &want[k], sizeof *pd->pair) != 0;
        if ((id_bad || value_bad) && !c->v.n_mismatches)
            snprintf(c->v.first_mismatch, sizeof c->v.first_mismatch,
                     "token %u%s: the argmax is token %.0f (logit %.9g), the reference's %u "
                     "(%.9g)",
                     index / c->batch, who, (double)pd->pair[1], (double)pd->pair[0], k,
                     (double)want[k]);
        c->v.n_values_checked += 2;
        c->v.n_mismatches += (uint64_t)(id_bad + value_bad);
    }
    return AX_OK;
}

static ax_status check_halted(void *user, const struct ax_exec *ex, uint32_t core, uint32_t index)
{
    struct logit_check *c = user;
    struct pending *pd = pending_of(c, index);
    if (!pd)
        return AX_ERR_NOMEM;
    uint32_t lo = 0, hi = c->n_pieces; /* the core's first piece */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (c->pieces[mid].core < core)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (uint32_t i = lo; i < c->n_pieces && c->pieces[i].core == core; i++) {
        const struct ax_check_piece *pc = &c->pieces[i];
        uint32_t n = 0;
        const uint32_t *w = ax_exec_buffer(ex, core, pc->name, &n);
        if (!w || n < pc->words)
            continue;
        memcpy(pc->is_pair ? pd->pair : pd->logits + pc->at, w, (size_t)pc->words * sizeof(float));
        pd->has_pair |= pc->is_pair;
    }
    return ++pd->n_halted == c->p->n_code ? check_ended(c, pd) : AX_OK;
}

/* The timed run of the program (the one `sim` loaded, or
 * the one the mapping emits for `run`); functional mode on the model's
 * checkpoint, its logits checked against the reference. */
static ax_status simulate_program(struct run_args *a, struct ax_mapped *mp,
                                  const struct ax_prog *loaded, const int32_t *tokens,
                                  uint32_t n_tokens, struct ax_sim_result *r,
                                  struct ax_diag_list *diags)
{
    struct ax_prog emitted;
    ax_prog_init(&emitted, 0, 0);
    const struct ax_prog *p = loaded;
    ax_status st = AX_OK;
    if (!p) {
        st = ax_map_emit(&mp->map, &mp->graph, mp->arch, &mp->ref.spike, mp->graph.name,
                         &emitted, diags);
        p = &emitted;
    }
    int is_functional = a->sim.mode == AX_SIM_FUNCTIONAL;
    ax_check_weights_t *cw = NULL;
    struct ax_exec_weights src;
    struct logit_check chk;
    memset(&chk, 0, sizeof chk);
    chk.p = p;
    chk.v.reference = "w8spike";
    chk.batch = a->sim.batch > 1 ? a->sim.batch : 1;
    chk.per_seq = n_tokens / chk.batch;
    chk.tokens = tokens;
    struct ax_sim_observer obs = {NULL, check_halted, &chk};
    /* a program that carries its weights' numbers runs on them, and the
     * reference below checks them; else they come from the checkpoint */
    if (st == AX_OK && is_functional && p->n_weights && ax_prog_has_all_data(p))
        ax_exec_program_weights(&src);
    else if (st == AX_OK && is_functional)
        st = ax_check_weights_open(mp->model, &cw, &src, diags);
    if (st == AX_OK && is_functional && ax_ref_has_llvm()) {
        struct ax_ref_options ro = mp->ref;
        ro.precision = AX_REF_PRECISION_W8SPIKE;
        chk.ref = ax_mem_calloc(chk.batch, sizeof *chk.ref);
        st = chk.ref ? AX_OK : AX_ERR_NOMEM;
        for (uint32_t q = 0; q < chk.batch && st == AX_OK; q++) /* one a sequence */
            st = ax_ref_session_open(mp->model, &ro, &chk.ref[q], diags);
        chk.vocab = st == AX_OK ? ax_ref_session_vocab(chk.ref[0]) : 0;
        if (st == AX_OK)
            st = ax_check_pieces(p, chk.vocab, &chk.pieces, &chk.n_pieces);
        chk.v.is_done = st == AX_OK;
    }
    if (st == AX_OK)
        st = ax_sim_program(p, mp->arch, is_functional ? &src : NULL, tokens, n_tokens, &a->sim,
                            chk.v.is_done ? &obs : NULL, r, diags);
    if (st == AX_OK) /* the result names the model from the program, freed below for run */
        r->model_name = mp->graph.name;
    if (st == AX_OK && is_functional) {
        r->validation = chk.v;
        r->validation.is_bit_exact = chk.v.is_done && chk.v.n_mismatches == 0;
        r->params = (double)mp->model->counts.n_params;
    }
    for (uint32_t q = 0; chk.ref && q < chk.batch; q++)
        if (chk.ref[q])
            ax_ref_session_close(chk.ref[q]);
    ax_mem_free(chk.ref);
    for (uint32_t i = 0; i < chk.n_pend; i++)
        ax_mem_free(chk.pend[i].logits);
    ax_mem_free(chk.pend);
    ax_mem_free(chk.pieces);
    ax_check_weights_close(cw);
    ax_prog_free(&emitted);
    return st;
}

/* Parses --token-ids "I,J,..." into a fresh array (ax_mem_free); -1 with a
 * message. */
static int parse_token_ids(const char *s, const char *cmd, int32_t **ids, size_t *n_ids)
{
    size_t n = 1;
    for (const char *c = s; *c; c++)
        n += *c == ',';
    *ids = ax_mem_calloc(n, sizeof **ids);
    *n_ids = 0;
    if (!*ids)
        return -1;
    for (const char *c = s; *n_ids < n; c++) {
        char id[16];
        size_t len = strcspn(c, ",");
        uint64_t v;
        snprintf(id, sizeof id, "%.*s", (int)(len < 15 ? len : 15), c);
        if (len > 10 || parse_u64(id, 0, INT32_MAX, &v) != 0) {
            fprintf(stderr, "%s: --token-ids %s: expected token ids (whole numbers from 0 to %d) "
                    "separated by commas, e.g. 0,1\n", cmd, s, INT32_MAX);
            ax_mem_free(*ids);
            *ids = NULL;
            return -1;
        }
        (*ids)[(*n_ids)++] = (int32_t)v;
        c += len;
    }
    return 0;
}

struct values_out {
    const struct ax_prog *p;
    json_t *tokens;
};

/* --values: per token, the executor's counts and every value buffer's
 * words, as floats and as their bits (so that a check can be exact). */
static ax_status record_values(void *user, const struct ax_exec *ex, uint32_t index, int32_t token)
{
    struct values_out *vo = user;
    if (!ex) /* a prefill's token: only the last one's values are kept */
        return AX_OK;
    struct ax_exec_stats es;
    ax_exec_stats(ex, &es);
    json_t *t = json_object(), *bufs = json_array(), *stats = json_object();
    json_object_set_new(t, "index", json_integer(index));
    json_object_set_new(t, "token", json_integer(token));
    json_object_set_new(stats, "instructions", json_integer((json_int_t)es.n_instr));
    json_object_set_new(stats, "events", json_integer((json_int_t)es.n_events));
    json_object_set_new(stats, "synaptic_ops", json_integer((json_int_t)es.n_synops));
    json_object_set_new(stats, "messages", json_integer((json_int_t)es.n_messages));
    json_object_set_new(t, "executed", stats);
    for (uint32_t b = 0; b < vo->p->n_buffers; b++) {
        const struct ax_prog_buffer *pb = &vo->p->buffers[b];
        uint32_t n = 0;
        const uint32_t *w = pb->kind == AX_PROG_BUF_VALUE
                                ? ax_exec_buffer(ex, pb->core, pb->name, &n)
                                : NULL;
        if (!w)
            continue;
        json_t *o = json_object(), *f = json_array(), *bits = json_array();
        for (uint32_t i = 0; i < n; i++) {
            float v;
            char hex[16];
            memcpy(&v, &w[i], 4);
            snprintf(hex, sizeof hex, "0x%08x", w[i]);
            json_array_append_new(f, isfinite(v) ? json_real(v) : json_null());
            json_array_append_new(bits, json_string(hex));
        }
        json_object_set_new(o, "core", json_integer(pb->core));
        json_object_set_new(o, "name", json_string(pb->name));
        if (pb->node != AX_PROG_NONE)
            json_object_set_new(o, "node", json_integer(pb->node));
        json_object_set_new(o, "f32", f);
        json_object_set_new(o, "bits", bits);
        json_array_append_new(bufs, o);
    }
    json_object_set_new(t, "buffers", bufs);
    return json_array_append_new(vo->tokens, t) == 0 ? AX_OK : AX_ERR_NOMEM;
}

/* `sim` of a program that embeds no model (written by hand, `axon asm`):
 * the timed run on the chip the program embeds, functional mode from the
 * weight data it carries, on --token-ids; no reference to check it
 * against, and the report says so. Returns the exit code. */
static int simulate_bare(struct run_args *a, const struct ax_prog *p, const char *path,
                         const char *cmd, struct ax_diag_list *diags)
{
    const char *refused = a->model        ? "--model: the program embeds no model to replace"
                          : a->prompt || a->prompt_file
                              ? "--prompt: the program embeds no tokenizer; give --token-ids"
                          : a->sim.profile || a->sim.profile_out
                              ? "--profile and --write-profile need the model's spike sites"
                              : NULL;
    if (refused) {
        fprintf(stderr, "%s: %s embeds no model (config.json): %s\n", cmd, path, refused);
        return 1;
    }
    if (a->values && a->has_mode && a->sim.mode == AX_SIM_COUNTING) {
        fprintf(stderr, "%s: --values writes what functional mode computes; counting mode "
                "computes no values\n", cmd);
        return 1;
    }
    int has_data = ax_prog_has_all_data(p);
    if (!a->has_mode)
        a->sim.mode = has_data ? AX_SIM_FUNCTIONAL : AX_SIM_COUNTING;
    int is_functional = a->sim.mode == AX_SIM_FUNCTIONAL;
    if (is_functional && !has_data) {
        uint32_t i = 0;
        while (p->weights[i].data)
            i++;
        fprintf(stderr, "%s: %s embeds no model and weight record %u ('%s') carries no data: "
                "give every record its numbers (.wdata lines, docs/program.md) or use --mode "
                "counting\n", cmd, path, i, p->weights[i].tensor);
        return 1;
    }
    if (is_functional && !a->token_ids) {
        fprintf(stderr, "%s: %s embeds no model, so no vocabulary to draw tokens from: give "
                "--token-ids I,J,...\n", cmd, path);
        return 1;
    }
    int rc = 1;
    int32_t *tokens = NULL;
    size_t n_tokens = a->n_random;
    ax_arch_t *arch = NULL;
    struct ax_sim_result r;
    memset(&r, 0, sizeof r);
    struct ax_exec_weights src;
    ax_exec_program_weights(&src);
    if (a->token_ids && parse_token_ids(a->token_ids, cmd, &tokens, &n_tokens) != 0)
        goto done;
    ax_status st = ax_sim_program_chip(p, path, &arch, diags);
    struct values_out vo = {p, json_array()};
    struct ax_sim_observer obs = {record_values, NULL, &vo};
    if (st == AX_OK)
        st = ax_sim_program(p, arch, is_functional ? &src : NULL, tokens, (uint32_t)n_tokens,
                            &a->sim, a->values ? &obs : NULL, &r, diags);
    if (st == AX_OK && a->values) {
        json_t *j = json_pack("{s:s, s:O}", "schema", "axon-values/1", "tokens", vo.tokens);
        char *text = j ? json_dumps(j, JSON_INDENT(1)) : NULL;
        st = text ? ax_fs_write_atomic(a->values, text, strlen(text), diags) : AX_ERR_NOMEM;
        free(text);
        json_decref(j);
    }
    json_decref(vo.tokens);
    if (st == AX_OK) {
        r.validation.why_not = "the program embeds no model";
        ax_diag_print(diags, stderr);
        ax_diag_list_free(diags);
        ax_diag_list_init(diags);
        rc = write_reports(a, &r, arch, diags) == 0 ? 0 : 1;
    } else {
        ax_diag_print(diags, stderr);
        ax_diag_list_free(diags);
        ax_diag_list_init(diags);
        fprintf(stderr, "%s: %s: %s\n", cmd, path, ax_status_str(st));
    }
done:
    ax_sim_result_free(&r);
    ax_arch_free(arch);
    ax_mem_free(tokens);
    return rc;
}

/* Loads, maps, simulates and reports. `prog_path` is the program of `sim`
 * (NULL for `run`). */
static int simulate(struct run_args *a, const char *prog_path, const char *cmd)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_mapped mp;
    struct ax_prog file;
    ax_prog_init(&file, 0, 0);
    int32_t *tokens = NULL;
    size_t n_tokens = 0;
    struct ax_sim_result r;
    memset(&r, 0, sizeof r);
    memset(&mp, 0, sizeof mp);
    int rc = 1;
    ax_status st = AX_OK;
    if (check_paths(a, cmd, &diags) != 0)
        goto done;
    if (prog_path) {
        st = ax_prog_load(&file, prog_path, &diags);
        if (st == AX_OK && !ax_prog_find_file(&file, "model/config.json")) {
            rc = simulate_bare(a, &file, prog_path, cmd, &diags);
            st = AX_OK;
            goto done;
        }
        if (st == AX_OK && (a->token_ids || a->values)) {
            fprintf(stderr, "%s: %s goes with a program that embeds no model; this one embeds "
                    "its model%s\n", cmd, a->token_ids ? "--token-ids" : "--values",
                    a->token_ids ? ": give --prompt, --prompt-file or --tokens" : "");
            goto done;
        }
        if (st == AX_OK)
            st = ax_rebuild_open(&mp, &file, prog_path, a->model, NULL,
                                 !(a->has_mode && a->sim.mode == AX_SIM_COUNTING), &diags);
    } else {
        st = ax_mapped_open(&mp, a->target, a->chip, &a->ref, &a->map, &diags);
    }
    if (st != AX_OK)
        goto done;
    if (mp.ref.precision != AX_REF_PRECISION_W8SPIKE) {
        fprintf(stderr, "%s: %s was compiled with --precision %s; the simulator runs the spiking "
                "model: compile it with --precision w8spike\n", cmd, a->target,
                ax_ref_precision_str(mp.ref.precision));
        goto done;
    }
    if (!a->has_mode)
        a->sim.mode = mp.model->weights ? AX_SIM_FUNCTIONAL : AX_SIM_COUNTING;
    if (a->sim.mode == AX_SIM_COUNTING && !a->n_random) {
        fprintf(stderr, "%s: counting mode runs synthetic activations: give --tokens N, not a prompt\n", cmd);
        goto done;
    }
    if (a->sim.mode == AX_SIM_FUNCTIONAL && !mp.model->weights) {
        fprintf(stderr, "%s: %s is shape-only (no weights): use --mode counting\n", cmd, a->target);
        goto done;
    }
    /* a batch: --tokens N for each sequence, or the prompt cut into equal parts */
    uint32_t batch = a->sim.batch > 1 ? a->sim.batch : 1;
    if ((uint64_t)a->n_random * batch > AX_CMD_RUN_MAX_TOKENS) {
        fprintf(stderr,
                "%s: --tokens %u for each of --batch %u sequences: at most %u tokens in "
                "all\n",
                cmd, a->n_random, batch, AX_CMD_RUN_MAX_TOKENS);
        goto done;
    }
    if (a->sim.mode == AX_SIM_FUNCTIONAL || a->prompt || a->prompt_file) {
        if (ax_cmd_load_tokens(mp.model, a->prompt, a->prompt_file, a->n_random * batch,
                               (uint32_t)a->sim.seed, AX_CMD_RUN_MAX_TOKENS, &tokens,
                               &n_tokens) != 0)
            goto done;
    } else {
        n_tokens = (size_t)a->n_random * batch;
    }
    if (n_tokens < batch) {
        fprintf(stderr,
                "%s: --batch %u: the prompt has %zu token%s, fewer than one for each "
                "sequence\n",
                cmd, batch, n_tokens, n_tokens == 1 ? "" : "s");
        goto done;
    }
    if (n_tokens % batch != 0) {
        fprintf(stderr,
                "%s: --batch %u: the prompt's %zu tokens make %u sequences of %zu; its "
                "last %zu are not run\n",
                cmd, batch, n_tokens, batch, n_tokens / batch, n_tokens % batch);
        n_tokens -= n_tokens % batch;
    }
    st = simulate_program(a, &mp, prog_path ? &file : NULL, tokens, (uint32_t)n_tokens, &r,
                          &diags);
    if (st != AX_OK)
        goto done;
    ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    ax_diag_list_init(&diags);
    if (write_reports(a, &r, mp.arch, &diags) == 0)
        rc = 0;
done:
    ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    if (rc != 0 && st != AX_OK)
        fprintf(stderr, "%s: %s\n", cmd, ax_status_str(st));
    ax_sim_result_free(&r);
    ax_mem_free(tokens);
    ax_prog_free(&file);
    ax_mapped_close(&mp);
    return rc;
}

int ax_cmd_run(int argc, char **argv)
{
    struct run_args a;
    int r = parse_args(argc, argv, 1, &a);
    if (r != 0)
        return r < 0 ? 2 : 0;
    return simulate(&a, NULL, "axon run");
}

int ax_cmd_sim(int argc, char **argv)
{
    struct run_args a;
    int r = parse_args(argc, argv, 0, &a);
    if (r != 0)
        return r < 0 ? 2 : 0;
    const char *prog = a.target;
    return simulate(&a, prog, "axon sim");
}
