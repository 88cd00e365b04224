/* The C half of axon::Chip: a program opened with its model on a chip and
 * simulated token by token (sc_chip.h). */
#include "sc_chip.h"

#include "ax_arch.h"
#include "ax_ir.h"
#include "ax_map.h"
#include "ax_mem.h"
#include "ax_model.h"
#include "ax_prog.h"
#include "ax_ref.h"
#include "ax_sim.h"
#include "ax_tokenizer.h"

#include <stdlib.h>
#include <string.h>

struct ax_sc_chip {
    ax_arch_t *arch;
    struct ax_model *model;
    struct ax_ir_graph graph;
    struct ax_map map;
    struct ax_ref_options ref;
    struct ax_sim_options sim;
    int32_t *tokens; /* the sequence so far */
    uint32_t n_tokens, cap_tokens;
};

/* Reads the model directory and spiking options the program records
 * (the keys `axon compile` writes, tools/cmd_sim.c). */
static ax_status read_build(const struct ax_prog *p, const char *path, struct ax_ref_options *ref,
                            const char **model_dir, struct ax_diag_list *diags)
{
    static const char *const keys[] = {"model_dir", "spike", "encoding", "k", "steps"};
    const char *v[sizeof keys / sizeof keys[0]];
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        v[i] = ax_prog_meta(p, keys[i]);
        if (!v[i]) {
            ax_diag_add(
                diags, AX_DIAG_ERROR, path, 0, 0,
                "the program does not record its '%s'; compile it again with this version of axon",
                keys[i]);
            return AX_ERR_INVALID;
        }
    }
    char *end_k, *end_steps;
    ref->spike.k = strtod(v[3], &end_k);
    ref->spike.steps = (uint32_t)strtoul(v[4], &end_steps, 10);
    if (ax_spike_mode_parse(v[1], &ref->spike.mode) != 0 ||
        ax_spike_encoding_parse(v[2], &ref->spike.encoding) != 0 || *end_k || *end_steps) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "its spiking options are not readable; compile it again");
        return AX_ERR_INVALID;
    }
    *model_dir = v[0];
    return AX_OK;
}

/* The program's weight placement must be the one the model and chip give
 * now, block for block (as `axon sim` checks). */
static ax_status same_placement(const struct ax_prog *file, const struct ax_prog *now,
                                const char *path, struct ax_diag_list *diags)
{
    int same = file->n_weights == now->n_weights && file->n_cores == now->n_cores;
    for (uint32_t i = 0; same && i < file->n_weights; i++) {
        const struct ax_prog_weight *x = &file->weights[i], *y = &now->weights[i];
        same = x->core == y->core && strcmp(x->tensor, y->tensor) == 0 && x->row0 == y->row0 &&
               x->rows == y->rows && x->col0 == y->col0 && x->cols == y->cols &&
               x->is_dram == y->is_dram;
    }
    if (same)
        return AX_OK;
    ax_diag_add(
        diags, AX_DIAG_ERROR, path, 0, 0,
        "its weight placement differs from what its model and this chip give (the program was "
        "compiled for another chip, or one of them changed since); compile it again");
    return AX_ERR_INVALID;
}

ax_status ax_sc_chip_open(const char *chip_path, const char *prog_path, ax_sc_chip_t **out,
                          struct ax_diag_list *diags)
{
    *out = NULL;
    ax_sc_chip_t *c = ax_mem_calloc(1, sizeof *c);
    if (!c)
        return AX_ERR_NOMEM;
    struct ax_prog file, now;
    ax_prog_init(&file, 0, 0);
    ax_prog_init(&now, 0, 0);
    ax_ref_options_default(&c->ref);
    ax_sim_options_default(&c->sim);
    const char *model_dir = NULL;
    ax_status st = ax_prog_load(&file, prog_path, diags);
    if (st == AX_OK)
        st = read_build(&file, prog_path, &c->ref, &model_dir, diags);
    if (st == AX_OK)
        st = ax_arch_load(chip_path, &c->arch, diags);
    if (st == AX_OK)
        st = ax_model_open(model_dir, &c->model, diags);
    if (st == AX_OK)
        st = ax_ir_build(&c->graph, c->model, diags);
    if (st == AX_OK)
        st = ax_ref_apply_precision(&c->graph, &c->ref, model_dir, diags);
    if (st == AX_OK) {
        struct ax_map_options mo;
        ax_map_default_options(&mo);
        st = ax_map_build(&c->graph, c->arch, &mo, &c->map, diags);
    }
    if (st == AX_OK)
        st = ax_map_emit(&c->map, &c->graph, c->arch, c->graph.name, &now, diags);
    if (st == AX_OK)
        st = same_placement(&file, &now, prog_path, diags);
    ax_prog_free(&file);
    ax_prog_free(&now);
    if (st != AX_OK) {
        ax_sc_chip_close(c);
        return st;
    }
    c->sim.mode = c->model->weights ? AX_SIM_FUNCTIONAL : AX_SIM_COUNTING;
    *out = c;
    return AX_OK;
}

void ax_sc_chip_close(ax_sc_chip_t *c)
{
    if (!c)
        return;
    ax_map_free(&c->map);
    ax_ir_free(&c->graph);
    ax_model_close(c->model);
    ax_arch_free(c->arch);
    ax_mem_free(c->tokens);
    ax_mem_free(c);
}

ax_status ax_sc_chip_token(ax_sc_chip_t *c, int32_t token, struct ax_sc_token *out,
                           struct ax_diag_list *diags)
{
    memset(out, 0, sizeof *out);
    if (c->sim.mode == AX_SIM_FUNCTIONAL &&
        (token < 0 || (uint32_t)token >= c->model->config.vocab_size)) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "token %d is outside the vocabulary (0 to %u)", token,
                    c->model->config.vocab_size - 1);
        return AX_ERR_INVALID;
    }
    if (c->n_tokens == c->cap_tokens) {
        uint32_t cap = c->cap_tokens ? 2 * c->cap_tokens : 64;
        int32_t *p = ax_mem_realloc(c->tokens, cap * sizeof *p);
        if (!p)
            return AX_ERR_NOMEM;
        c->tokens = p;
        c->cap_tokens = cap;
    }
    c->tokens[c->n_tokens] = token;
    /* functional: the whole sequence again (the simulator starts from an
     * empty state); counting: this token after the others as context */
    struct ax_sim_options o = c->sim;
    const int32_t *tokens = c->tokens;
    uint32_t n = c->n_tokens + 1;
    if (o.mode == AX_SIM_COUNTING) {
        o.context = c->n_tokens;
        tokens = &c->tokens[c->n_tokens];
        n = 1;
    }
    struct ax_sim_result r;
    ax_status st =
        ax_sim_run(&c->graph, &c->map, c->arch, c->model, &c->ref.spike, tokens, n, &o, &r, diags);
    if (st != AX_OK)
        return st;
    out->index = c->n_tokens;
    for (uint32_t i = 0; i < r.n_steps; i++) {
        const struct ax_sim_step *s = &r.steps[i];
        if (s->token != n - 1)
            continue;
        out->cycles += s->cycles;
        out->seconds += s->seconds;
        out->dynamic_j += s->energy_j;
    }
    if (r.seconds > 0)
        out->static_j = r.ledger.cat_j[AX_ENERGY_STATIC] * out->seconds / r.seconds;
    out->is_validated = r.validation.is_done && r.validation.is_bit_exact;
    ax_sim_result_free(&r);
    c->n_tokens++;
    return AX_OK;
}

ax_status ax_sc_chip_tokenize(const ax_sc_chip_t *c, const char *text, int32_t **ids,
                              uint64_t *n_ids, struct ax_diag_list *diags)
{
    *ids = NULL;
    *n_ids = 0;
    if (!c->model->tokenizer) {
        ax_diag_add(diags, AX_DIAG_ERROR, c->model->dir, 0, 0, "the model has no tokenizer");
        return AX_ERR_UNSUPPORTED;
    }
    size_t n = 0;
    ax_status st = ax_tok_encode(c->model->tokenizer, text, strlen(text), ids, &n, diags);
    *n_ids = n;
    return st;
}

const char *ax_sc_chip_name(const ax_sc_chip_t *c)
{
    return ax_arch_desc(c->arch)->name;
}
const char *ax_sc_chip_model(const ax_sc_chip_t *c)
{
    return c->graph.name;
}
uint32_t ax_sc_chip_cores_used(const ax_sc_chip_t *c)
{
    return c->map.n_cores_used;
}
double ax_sc_chip_clock_hz(const ax_sc_chip_t *c)
{
    return ax_arch_desc(c->arch)->chip.clock_hz;
}
int ax_sc_chip_is_functional(const ax_sc_chip_t *c)
{
    return c->sim.mode == AX_SIM_FUNCTIONAL;
}
