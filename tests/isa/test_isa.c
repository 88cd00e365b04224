/* The instruction set: every op encodes and decodes, encodings are unique,
 * the text form round-trips, errors name the column, and docs/isa.md lists
 * exactly the table. */
#include "ax_test.h"

#include "ax_diag.h"
#include "ax_fs.h"
#include "ax_isa.h"
#include "ax_mem.h"

#include <stdint.h>

#define SRC AX_SOURCE_DIR

/* The largest value each operand slot of `fmt` holds (0: no such slot). */
static void operand_max(enum ax_isa_format fmt, uint64_t max[3])
{
    max[0] = max[1] = max[2] = 0;
    if (fmt == AX_ISA_FMT_I)
        max[0] = AX_ISA_MAX_IMM;
    if (fmt == AX_ISA_FMT_A)
        max[0] = max[1] = AX_ISA_MAX_A24;
    if (fmt == AX_ISA_FMT_B)
        max[0] = max[1] = max[2] = AX_ISA_MAX_B16;
}

static void test_encode_decode_every_op(void)
{
    for (int op = 0; op < AX_ISA_OP_COUNT; op++) {
        uint64_t max[3];
        operand_max(ax_isa_op_format((enum ax_isa_op)op), max);
        struct ax_isa_instr in = {(enum ax_isa_op)op, 0xa5, max[0], max[1], max[2]}, out;
        uint64_t word;
        CHECK(ax_isa_encode(&in, &word) == 0);
        CHECK(word >> 56 == (uint64_t)op);
        CHECK(ax_isa_decode(word, &out) == 0);
        CHECK(out.op == in.op && out.flags == in.flags && out.a == in.a && out.b == in.b &&
              out.c == in.c);
        /* One past the largest value of each operand does not fit. */
        for (int i = 0; i < 3; i++) {
            struct ax_isa_instr big = in;
            uint64_t *slot = i == 0 ? &big.a : i == 1 ? &big.b : &big.c;
            *slot = max[i] + 1;
            CHECK(ax_isa_encode(&big, &word) == -1);
        }
    }
}

static void test_decode_rejects(void)
{
    struct ax_isa_instr out;
    CHECK(ax_isa_decode((uint64_t)AX_ISA_OP_COUNT << 56, &out) == -1);
    CHECK(ax_isa_decode(UINT64_MAX, &out) == -1);
    CHECK(ax_isa_decode((uint64_t)AX_ISA_HALT << 56 | 1, &out) == -1); /* format N, payload set */
    CHECK(ax_isa_decode((uint64_t)AX_ISA_HALT << 56 | (uint64_t)7 << 48, &out) == 0);
}

/* Decoding is the inverse of encoding on every word that decodes: one
 * program, one encoding. A fixed-seed generator keeps the test repeatable. */
static void test_canonical_encoding(void)
{
    uint64_t x = 0x9e3779b97f4a7c15u;
    int n_decoded = 0;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t word = (x % AX_ISA_OP_COUNT) << 56 | (x & ((UINT64_C(1) << 56) - 1));
        if (i % 3 == 0) /* also words with few payload bits, for formats N */
            word &= ~AX_ISA_MAX_IMM;
        struct ax_isa_instr in;
        if (ax_isa_decode(word, &in) != 0)
            continue;
        n_decoded++;
        uint64_t again;
        CHECK(ax_isa_encode(&in, &again) == 0 && again == word);
    }
    CHECK(n_decoded > 100000);
}

static void test_text_round_trip(void)
{
    for (int op = 0; op < AX_ISA_OP_COUNT; op++) {
        uint64_t max[3];
        operand_max(ax_isa_op_format((enum ax_isa_op)op), max);
        struct ax_isa_instr in = {(enum ax_isa_op)op, (uint8_t)(op % 3 ? 0 : 5), max[0] / 3,
                                  max[1], max[2] / 7}, out;
        char text[128], err[160];
        size_t col;
        CHECK(ax_isa_format(&in, text, sizeof text) < sizeof text);
        int rc = ax_isa_parse(text, &out, err, sizeof err, &col);
        if (rc != 0)
            fprintf(stderr, "  '%s': %s\n", text, err);
        CHECK(rc == 0 && out.op == in.op && out.flags == in.flags && out.a == in.a &&
              out.b == in.b && out.c == in.c);
    }
    struct ax_isa_instr out;
    char err[160];
    size_t col;
    CHECK(ax_isa_parse("  synacc 0x10, 256", &out, err, sizeof err, &col) == 0);
    CHECK(out.op == AX_ISA_SYNACC && out.a == 16 && out.b == 256);
}

static void test_parse_errors(void)
{
    static const struct {
        const char *line;
        size_t col;
        const char *msg;
    } cases[] = {
        {"synac 1, 2", 0, "unknown instruction 'synac'"},
        {"synacc 1 2", 9, "expected ','"},
        {"synacc 1,", 9, "expected operand 'block,acc'"},
        {"synacc 1, 2, 3", 11, "unexpected text after the instruction"},
        {"vadd 1, 2, 65536", 0, "does not fit format B"},
        {"halt 3", 5, "unexpected text"},
        {"encode 1, 2, 3 .flags 256", 22, ".flags: expected a number from 1 to 255"},
        {"setlen -4", 7, "expected operand 'n'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ax_isa_instr out;
        char err[160] = "";
        size_t col = 999;
        int rc = ax_isa_parse(cases[i].line, &out, err, sizeof err, &col);
        int ok = rc == -1 && col == cases[i].col && strstr(err, cases[i].msg);
        CHECK(ok);
        if (!ok)
            fprintf(stderr, "  '%s': col %zu '%s'\n", cases[i].line, col, err);
    }
}

/* One instruction of each format as the exact word docs/isa.md's layout
 * gives, worked out by hand: opcode [63:56] (the row in the doc's table,
 * from 0), flags [55:48], payload [47:0] with I: imm [47:0]; A: a [47:24],
 * b [23:0]; B: a [47:32], b [31:16], c [15:0]. Every operand is distinct, so
 * an encoder and decoder that swapped or shifted a field together (every
 * round trip above still holds) fail here. */
static void test_golden_words(void)
{
    static const struct {
        const char *text;
        uint64_t word;
    } cases[] = {
        /* N, halt = row 1, flags 0x2a:
         *   1 << 56 | 0x2a << 48 = 0x0100000000000000 | 0x002a000000000000 */
        {"halt .flags 42", UINT64_C(0x012a000000000000)},
        /* I, setlen = row 3, imm 0x123456789abc in [47:0]:
         *   3 << 56 | 0x123456789abc = 0x0300000000000000 | 0x0000123456789abc */
        {"setlen 0x123456789abc", UINT64_C(0x0300123456789abc)},
        /* A, synacc = row 4, a = 0xabcdef in [47:24], b = 0x123456 in [23:0]:
         *   4 << 56 | 0xabcdef << 24 | 0x123456
         *   = 0x0400000000000000 | 0x0000abcdef000000 | 0x0000000000123456 */
        {"synacc 0xabcdef, 0x123456", UINT64_C(0x0400abcdef123456)},
        /* B, encode = row 7, flags 5, a = 0x1234 in [47:32], b = 0x5678 in
         * [31:16], c = 0x9abc in [15:0]:
         *   7 << 56 | 5 << 48 | 0x1234 << 32 | 0x5678 << 16 | 0x9abc
         *   = 0x0700000000000000 | 0x0005000000000000 | 0x0000123400000000
         *   | 0x0000000056780000 | 0x0000000000009abc */
        {"encode 0x1234, 0x5678, 0x9abc .flags 5", UINT64_C(0x0705123456789abc)},
        /* B, vadd = row 12, dst = 1, a = 2, b = 3: 12 << 56 | 1 << 32 | 2 << 16 | 3 */
        {"vadd 1, 2, 3", UINT64_C(0x0c00000100020003)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ax_isa_instr in, back;
        char err[160], text[128];
        size_t col;
        uint64_t word = 0;
        int ok = ax_isa_parse(cases[i].text, &in, err, sizeof err, &col) == 0 &&
                 ax_isa_encode(&in, &word) == 0 && word == cases[i].word;
        CHECK(ok);
        if (!ok)
            fprintf(stderr, "  '%s': 0x%016llx, want 0x%016llx\n", cases[i].text,
                    (unsigned long long)word, (unsigned long long)cases[i].word);
        /* and the decoder reads the same fields back from the word */
        CHECK(ax_isa_decode(cases[i].word, &back) == 0);
        CHECK(back.op == in.op && back.flags == in.flags && back.a == in.a && back.b == in.b &&
              back.c == in.c);
        ax_isa_format(&back, text, sizeof text);
        struct ax_isa_instr again;
        CHECK(ax_isa_parse(text, &again, err, sizeof err, &col) == 0 && again.a == in.a &&
              again.b == in.b && again.c == in.c);
    }
    /* the opcodes the words above use are those rows of the table */
    CHECK(AX_ISA_HALT == 1 && AX_ISA_SETLEN == 3 && AX_ISA_SYNACC == 4 && AX_ISA_ENCODE == 7 &&
          AX_ISA_VADD == 12);
}

/* The kinds column: one letter of the legend per operand, then '=' only
 * where a written operand may be one of the read ones. */
static void test_kinds(void)
{
    for (int op = 0; op < AX_ISA_OP_COUNT; op++) {
        const char *k = ax_isa_kinds((enum ax_isa_op)op);
        size_t n = strlen(k);
        int is_in_place = n > 0 && k[n - 1] == '=';
        CHECK((int)(n - (size_t)is_in_place) == ax_isa_n_operands((enum ax_isa_op)op));
        int n_written = 0, n_read = 0;
        for (size_t i = 0; i + (size_t)is_in_place < n; i++) {
            CHECK(strchr("nwriRWMqsSxcgtVPFYATu", k[i]) != NULL);
            CHECK(ax_isa_kind_is_address(k[i]) == (strchr("nwri", k[i]) == NULL));
            n_written += strchr("WMqSVT", k[i]) != NULL;
            n_read += strchr("RMscgtxPTu", k[i]) != NULL;
        }
        if (is_in_place)
            CHECK(n_written >= 1 && n_read >= 1);
    }
    CHECK_STR(ax_isa_kinds(AX_ISA_SCALE), "RgW=");
    CHECK(AX_ISA_LOOKUP == 31 && AX_ISA_RMSNORM == 32 && AX_ISA_ROPE == 33);
    CHECK(AX_ISA_KVPART == 34 && AX_ISA_KVMERGE == 35); /* appended: older opcodes keep theirs */
    CHECK(AX_ISA_RELAY == 36 && AX_ISA_KVFOLD == 37);
    CHECK(AX_ISA_ARGMAX == 38 && AX_ISA_ARGMERGE == 39);
    CHECK(AX_ISA_SUMACC == 40 && AX_ISA_THRESHOF == 41 && AX_ISA_RMSSCALE == 42);
    CHECK_STR(ax_isa_kinds(AX_ISA_SUMACC), "TR"); /* the total read and written */
    CHECK_STR(ax_isa_kinds(AX_ISA_RMSSCALE), "WRu=");
}

/* docs/isa.md has one table row per instruction, in table order, with the
 * same format, operands and kinds. */
static void test_doc_in_step(void)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *doc;
    size_t len;
    CHECK(ax_fs_read_file(SRC "/docs/isa.md", 1 << 20, &doc, &len, &diags) == AX_OK);
    ax_diag_list_free(&diags);
    if (!doc)
        return;
    int next = 0;
    for (char *line = strtok(doc, "\n"); line; line = strtok(NULL, "\n")) {
        char mnem[32], fmt[4], operands[64], kinds[32];
        if (sscanf(line, "| `%31[^`]` | %3s | %63[^|]| %31[^|]|", mnem, fmt, operands, kinds) != 4)
            continue;
        CHECK(next < AX_ISA_OP_COUNT);
        if (next >= AX_ISA_OP_COUNT)
            break;
        CHECK_STR(mnem, ax_isa_mnemonic((enum ax_isa_op)next));
        CHECK_STR(fmt, ax_isa_format_str(ax_isa_op_format((enum ax_isa_op)next)));
        /* "dst, a, b " in the doc is "dst,a,b" in the table; "–" is none. */
        char squeezed[64];
        size_t n = 0;
        for (const char *p = operands; *p && n + 1 < sizeof squeezed; p++)
            if (*p != ' ')
                squeezed[n++] = *p;
        squeezed[n] = '\0';
        CHECK_STR(strcmp(squeezed, "\xe2\x80\x93") == 0 ? "" : squeezed,
                  ax_isa_operands((enum ax_isa_op)next));
        /* "`WRR=` " in the doc is "WRR=" in the table */
        n = 0;
        for (const char *p = kinds; *p && n + 1 < sizeof squeezed; p++)
            if (*p != ' ' && *p != '`')
                squeezed[n++] = *p;
        squeezed[n] = '\0';
        CHECK_STR(strcmp(squeezed, "\xe2\x80\x93") == 0 ? "" : squeezed,
                  ax_isa_kinds((enum ax_isa_op)next));
        next++;
    }
    CHECK(next == AX_ISA_OP_COUNT);
    ax_mem_free(doc);
}

AX_TEST_MAIN(T(test_encode_decode_every_op), T(test_decode_rejects), T(test_canonical_encoding),
             T(test_text_round_trip), T(test_parse_errors), T(test_golden_words),
             T(test_kinds), T(test_doc_in_step))
