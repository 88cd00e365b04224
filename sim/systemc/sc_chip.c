/* The C half of axon::Chip: a program opened with its model on a chip and
 * simulated token by token (sc_chip.h). */
#include "sc_chip.h"

#include "ax_mem.h"
#include "ax_prog.h"
#include "ax_rebuild.h"
#include "ax_sim.h"
#include "ax_tokenizer.h"

#include <stdlib.h>
#include <string.h>

struct ax_sc_chip {
    struct ax_mapped mp; /* the program's model and placement, rebuilt */
    struct ax_sim_options sim;
    int32_t *tokens; /* the sequence so far */
    uint32_t n_tokens, cap_tokens;
};

ax_status ax_sc_chip_open(const char *chip_path, const char *prog_path, ax_sc_chip_t **out,
                          struct ax_diag_list *diags)
{
    *out = NULL;
    ax_sc_chip_t *c = ax_mem_calloc(1, sizeof *c);
    if (!c)
        return AX_ERR_NOMEM;
    struct ax_prog file;
    ax_sim_options_default(&c->sim);
    ax_status st = ax_prog_load(&file, prog_path, diags);
    if (st == AX_OK)
        st = ax_rebuild_open(&c->mp, &file, prog_path, NULL, chip_path, diags);
    ax_prog_free(&file);
    if (st != AX_OK) {
        ax_sc_chip_close(c);
        return st;
    }
    c->sim.mode = c->mp.model->weights ? AX_SIM_FUNCTIONAL : AX_SIM_COUNTING;
    *out = c;
    return AX_OK;
}

void ax_sc_chip_close(ax_sc_chip_t *c)
{
    if (!c)
        return;
    ax_mapped_close(&c->mp);
    ax_mem_free(c->tokens);
    ax_mem_free(c);
}

ax_status ax_sc_chip_token(ax_sc_chip_t *c, int32_t token, struct ax_sc_token *out,
                           struct ax_diag_list *diags)
{
    memset(out, 0, sizeof *out);
    if (c->sim.mode == AX_SIM_FUNCTIONAL &&
        (token < 0 || (uint32_t)token >= c->mp.model->config.vocab_size)) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "token %d is outside the vocabulary (0 to %u)", token,
                    c->mp.model->config.vocab_size - 1);
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
    ax_status st = ax_sim_run(&c->mp.graph, &c->mp.map, c->mp.arch, c->mp.model,
                              &c->mp.ref.spike, tokens, n, &o, &r, diags);
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
    if (!c->mp.model->tokenizer) {
        ax_diag_add(diags, AX_DIAG_ERROR, c->mp.model->dir, 0, 0, "the model has no tokenizer");
        return AX_ERR_UNSUPPORTED;
    }
    size_t n = 0;
    ax_status st = ax_tok_encode(c->mp.model->tokenizer, text, strlen(text), ids, &n, diags);
    *n_ids = n;
    return st;
}

const char *ax_sc_chip_name(const ax_sc_chip_t *c)
{
    return ax_arch_desc(c->mp.arch)->name;
}
const char *ax_sc_chip_model(const ax_sc_chip_t *c)
{
    return c->mp.graph.name;
}
uint32_t ax_sc_chip_cores_used(const ax_sc_chip_t *c)
{
    return c->mp.map.n_cores_used;
}
double ax_sc_chip_clock_hz(const ax_sc_chip_t *c)
{
    return ax_arch_desc(c->mp.arch)->chip.clock_hz;
}
int ax_sc_chip_is_functional(const ax_sc_chip_t *c)
{
    return c->sim.mode == AX_SIM_FUNCTIONAL;
}
