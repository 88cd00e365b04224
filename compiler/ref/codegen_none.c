/* Reference code generation in a build without LLVM: every entry point
 * says so (the rest of the reference works without it). */
#include "ref_internal.h"

#include <string.h>

static const char *const missing =
    "this build has no LLVM 19 (reference code generation); install llvm-19-dev and rebuild";

int ax_ref_has_llvm(void)
{
    return 0;
}

ax_status ax_ref_jit_compile(const struct ax_ref_plan *p, struct ax_ref_jit **out,
                             ax_ref_step_fn *step, struct ax_diag_list *diags)
{
    (void)p;
    *out = NULL;
    *step = NULL;
    ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "%s", missing);
    return AX_ERR_UNSUPPORTED;
}

void ax_ref_jit_free(struct ax_ref_jit *j)
{
    (void)j;
}

ax_status ax_ref_codegen_emit(const struct ax_ref_plan *p, enum ax_ref_emit what, FILE *out,
                              struct ax_diag_list *diags)
{
    (void)p;
    (void)what;
    (void)out;
    ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "%s", missing);
    return AX_ERR_UNSUPPORTED;
}

ax_status ax_ref_gpu_math_host(struct ax_ref_gpu_math *out, struct ax_diag_list *diags)
{
    memset(out, 0, sizeof *out);
    ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "%s", missing);
    return AX_ERR_UNSUPPORTED;
}
