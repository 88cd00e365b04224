/* The graph passes in order with the verifier between them (ax_pipeline.h). */
#include "ax_pipeline.h"

#include "ax_model.h"

#include <string.h>

static const struct {
    const char *name, *meaning;
} passes[AX_PASS_COUNT] = {
#define X(pass, name, meaning) {name, meaning},
#include "ax_pipeline.def"
#undef X
};

const char *ax_pass_str(enum ax_pass_id p) { return p < AX_PASS_COUNT ? passes[p].name : "?"; }
const char *ax_pass_meaning(enum ax_pass_id p) { return p < AX_PASS_COUNT ? passes[p].meaning : "?"; }

int ax_pass_parse(const char *s, enum ax_pass_id *out)
{
    for (int i = 0; i < AX_PASS_COUNT; i++)
        if (strcmp(s, passes[i].name) == 0) {
            *out = (enum ax_pass_id)i;
            return 0;
        }
    return -1;
}

static ax_status run_pass(enum ax_pass_id p, struct ax_ir_graph *g, const struct ax_model *m,
                          const struct ax_ref_options *o, struct ax_diag_list *diags)
{
    switch (p) {
    case AX_PASS_BUILD:     return ax_ir_build(g, m, diags);
    case AX_PASS_PRECISION: return ax_ref_apply_precision(g, o, m->dir, diags);
    default:                return AX_ERR_INTERNAL;
    }
}

ax_status ax_pipeline_run(struct ax_ir_graph *g, const struct ax_model *m,
                          const struct ax_ref_options *o, enum ax_pass_id last,
                          struct ax_diag_list *diags)
{
    ax_status st = AX_OK;
    for (int p = 0; p <= (int)last && p < AX_PASS_COUNT && st == AX_OK; p++) {
        st = run_pass((enum ax_pass_id)p, g, m, o, diags);
        if (st == AX_OK)
            st = ax_ir_verify(g, m->dir, diags);
        if (st != AX_OK)
            ax_diag_add(diags, AX_DIAG_NOTE, m->dir, 0, 0, "in the compiler's '%s' pass", passes[p].name);
    }
    return st;
}
