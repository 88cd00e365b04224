/* Internal to the graph IR: the attribute table that the printer, the parser
 * and the verifier share. */
#ifndef AX_IR_INTERNAL_H
#define AX_IR_INTERNAL_H

#include "ax_ir.h"

#include <stddef.h>

enum ir_attr_type { IR_U32, IR_F64, IR_STR, IR_ENUM };

struct ir_attr_info {
    const char *key;
    enum ir_attr_type type;
    size_t offset;             /* of the field in struct ax_ir_node */
    const char *const *names;  /* IR_ENUM: the value names */
    uint32_t n_names;
};

extern const struct ir_attr_info ir_attrs[AX_IR_ATTR_COUNT];

/* The number of operands `op` takes; GLA's is checked by the verifier. */
uint32_t ir_op_n_inputs(enum ax_ir_op op);

#endif
