/* What the executor tests share (tests/exec): a weight source that serves a
 * program's records from tensors the test defines by formula, as a
 * checkpoint would by name: code(j, i) and scale(j, g) over the whole tensor
 * (rows j, columns i, groups g of 128), or value(j, i) for a float tensor.
 * Include ax_test.h first. */
#ifndef EXEC_WEIGHTS_H
#define EXEC_WEIGHTS_H

#include "ax_exec.h"

#include <string.h>

struct test_tensor {
    const char *name;
    int (*code)(uint32_t j, uint32_t i);
    float (*scale)(uint32_t j, uint32_t g);
    float (*value)(uint32_t j, uint32_t i); /* a float tensor */
};

/* `user` is a NULL-terminated array of test_tensor (name NULL ends it). */
static ax_status test_fetch(void *user, const struct ax_prog *p, uint32_t id, int8_t *codes,
                            float *scales, float *values, struct ax_diag_list *diags)
{
    const struct ax_prog_weight *w = &p->weights[id];
    for (const struct test_tensor *t = user; t->name; t++) {
        if (strcmp(t->name, w->tensor) != 0)
            continue;
        uint32_t ng = (w->cols + 127) / 128;
        for (uint32_t j = 0; j < w->rows; j++) {
            for (uint32_t i = 0; i < w->cols; i++) {
                if (values)
                    values[(size_t)j * w->cols + i] = t->value(w->row0 + j, w->col0 + i);
                else
                    codes[(size_t)j * w->cols + i] = (int8_t)t->code(w->row0 + j, w->col0 + i);
            }
            for (uint32_t g = 0; scales && g < ng; g++)
                scales[(size_t)j * ng + g] = t->scale(w->row0 + j, w->col0 / 128 + g);
        }
        return AX_OK;
    }
    ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "no tensor %s in the test's table", w->tensor);
    return AX_ERR_INVALID;
}

/* The bits of a float, to compare exactly. */
static inline uint32_t test_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

#endif
