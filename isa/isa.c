/* The instruction table, the 64-bit encoding and the one-line text form. */
#include "ax_isa.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *mnemonic;
    enum ax_isa_format format;
    const char *operands, *kinds, *meaning;
} op_table[] = {
#define X(op, mnem, fmt, operands, kinds, meaning) {mnem, AX_ISA_FMT_##fmt, operands, kinds, meaning},
#include "ax_isa.def"
#undef X
};
_Static_assert(sizeof op_table / sizeof op_table[0] == AX_ISA_OP_COUNT, "isa table");
_Static_assert(AX_ISA_OP_COUNT <= 256, "opcodes must fit in 8 bits");

static const char *const format_names[] = {"N", "I", "A", "B"};
_Static_assert(sizeof format_names / sizeof format_names[0] == AX_ISA_FMT_COUNT, "format names");

const char *ax_isa_mnemonic(enum ax_isa_op op) { return op_table[op].mnemonic; }
enum ax_isa_format ax_isa_op_format(enum ax_isa_op op) { return op_table[op].format; }
const char *ax_isa_operands(enum ax_isa_op op) { return op_table[op].operands; }
const char *ax_isa_kinds(enum ax_isa_op op) { return op_table[op].kinds; }
const char *ax_isa_meaning(enum ax_isa_op op) { return op_table[op].meaning; }
const char *ax_isa_format_str(enum ax_isa_format fmt) { return format_names[fmt]; }

/* The number of operands of each format. */
static int n_operands(enum ax_isa_format fmt)
{
    static const int n[] = {0, 1, 2, 3};
    return n[fmt];
}

int ax_isa_n_operands(enum ax_isa_op op) { return n_operands(op_table[op].format); }

int ax_isa_kind_is_address(char k)
{
    return k != '\0' && strchr("RWMqsSxcgtVPFYATu", k) != NULL;
}

int ax_isa_encode(const struct ax_isa_instr *in, uint64_t *word)
{
    if ((unsigned)in->op >= AX_ISA_OP_COUNT)
        return -1;
    uint64_t payload = 0;
    switch (op_table[in->op].format) {
    case AX_ISA_FMT_N:
        if (in->a || in->b || in->c)
            return -1;
        break;
    case AX_ISA_FMT_I:
        if (in->a > AX_ISA_MAX_IMM || in->b || in->c)
            return -1;
        payload = in->a;
        break;
    case AX_ISA_FMT_A:
        if (in->a > AX_ISA_MAX_A24 || in->b > AX_ISA_MAX_A24 || in->c)
            return -1;
        payload = in->a << 24 | in->b;
        break;
    case AX_ISA_FMT_B:
        if (in->a > AX_ISA_MAX_B16 || in->b > AX_ISA_MAX_B16 || in->c > AX_ISA_MAX_B16)
            return -1;
        payload = in->a << 32 | in->b << 16 | in->c;
        break;
    case AX_ISA_FMT_COUNT:
        return -1;
    }
    *word = (uint64_t)in->op << 56 | (uint64_t)in->flags << 48 | payload;
    return 0;
}

int ax_isa_decode(uint64_t word, struct ax_isa_instr *out)
{
    unsigned op = (unsigned)(word >> 56);
    if (op >= AX_ISA_OP_COUNT)
        return -1;
    uint64_t payload = word & AX_ISA_MAX_IMM;
    struct ax_isa_instr in = {(enum ax_isa_op)op, (uint8_t)(word >> 48), 0, 0, 0};
    switch (op_table[op].format) {
    case AX_ISA_FMT_N:
        if (payload)
            return -1;
        break;
    case AX_ISA_FMT_I:
        in.a = payload;
        break;
    case AX_ISA_FMT_A:
        in.a = payload >> 24;
        in.b = payload & AX_ISA_MAX_A24;
        break;
    case AX_ISA_FMT_B:
        in.a = payload >> 32;
        in.b = payload >> 16 & AX_ISA_MAX_B16;
        in.c = payload & AX_ISA_MAX_B16;
        break;
    case AX_ISA_FMT_COUNT:
        return -1;
    }
    *out = in;
    return 0;
}

size_t ax_isa_format(const struct ax_isa_instr *in, char *buf, size_t size)
{
    const uint64_t ops[3] = {in->a, in->b, in->c};
    int n = snprintf(buf, size, "%s", op_table[in->op].mnemonic);
    size_t len = n > 0 ? (size_t)n : 0;
    for (int i = 0; i < n_operands(op_table[in->op].format); i++) {
        n = snprintf(buf + (len < size ? len : size), len < size ? size - len : 0, "%s%llu",
                     i ? ", " : " ", (unsigned long long)ops[i]);
        len += n > 0 ? (size_t)n : 0;
    }
    if (in->flags) {
        n = snprintf(buf + (len < size ? len : size), len < size ? size - len : 0, " .flags %u",
                     in->flags);
        len += n > 0 ? (size_t)n : 0;
    }
    return len;
}

/* Parses an unsigned decimal or 0x-hex number at *p; advances *p. */
static int parse_number(const char **p, uint64_t *out)
{
    if (!isdigit((unsigned char)**p))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(*p, &end, 0);
    if (errno == ERANGE || end == *p)
        return -1;
    *p = end;
    *out = v;
    return 0;
}

int ax_isa_parse(const char *line, struct ax_isa_instr *out, char *err, size_t err_size,
                 size_t *col)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *word = p;
    while (isalnum((unsigned char)*p))
        p++;
    size_t wl = (size_t)(p - word);
    int op = -1;
    for (int i = 0; i < AX_ISA_OP_COUNT; i++) {
        if (strlen(op_table[i].mnemonic) == wl && strncmp(word, op_table[i].mnemonic, wl) == 0)
            op = i;
    }
    *col = (size_t)(word - line);
    if (op < 0) {
        snprintf(err, err_size, "unknown instruction '%.*s'; docs/isa.md lists them", (int)wl, word);
        return -1;
    }
    struct ax_isa_instr in = {(enum ax_isa_op)op, 0, 0, 0, 0};
    uint64_t *ops[3] = {&in.a, &in.b, &in.c};
    int want = n_operands(op_table[op].format);
    for (int i = 0; i < want; i++) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (i > 0) {
            if (*p != ',') {
                *col = (size_t)(p - line);
                snprintf(err, err_size, "%s takes %d operands (%s); expected ','",
                         op_table[op].mnemonic, want, op_table[op].operands);
                return -1;
            }
            p++;
            while (*p == ' ' || *p == '\t')
                p++;
        }
        *col = (size_t)(p - line);
        if (parse_number(&p, ops[i]) != 0) {
            snprintf(err, err_size, "%s: expected operand '%s' as a number", op_table[op].mnemonic,
                     op_table[op].operands);
            return -1;
        }
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (strncmp(p, ".flags", 6) == 0) {
        p += 6;
        while (*p == ' ' || *p == '\t')
            p++;
        uint64_t f;
        *col = (size_t)(p - line);
        if (parse_number(&p, &f) != 0 || f > 255 || f == 0) {
            snprintf(err, err_size, ".flags: expected a number from 1 to 255");
            return -1;
        }
        in.flags = (uint8_t)f;
        while (*p == ' ' || *p == '\t')
            p++;
    }
    if (*p != '\0') {
        *col = (size_t)(p - line);
        snprintf(err, err_size, "unexpected text after the instruction; %s takes %d operand%s",
                 op_table[op].mnemonic, want, want == 1 ? "" : "s");
        return -1;
    }
    uint64_t word_out;
    if (ax_isa_encode(&in, &word_out) != 0) {
        *col = (size_t)(word - line);
        snprintf(err, err_size, "an operand does not fit format %s (I: 48 bits, A: 24 bits, B: 16 "
                 "bits each)", format_names[op_table[op].format]);
        return -1;
    }
    *out = in;
    return 0;
}
