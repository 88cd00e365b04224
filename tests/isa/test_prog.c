/* The program container: assembling, disassembling and reassembling give the
 * same bytes; every corruption of a valid file is refused with a message. */
#define _POSIX_C_SOURCE 200809L
#include "ax_test.h"

#include "ax_diag.h"
#include "ax_fs.h"
#include "ax_isa.h"
#include "ax_mem.h"
#include "ax_prog.h"

#include <stdint.h>

#define SRC AX_SOURCE_DIR

static char *print_to_string(const struct ax_prog *p, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    CHECK(ax_prog_print(p, f) == AX_OK);
    fclose(f);
    return buf;
}

/* Assembles the hand-written program; the caller frees *bytes. */
static int assemble_hand(unsigned char **bytes, size_t *len)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *text;
    size_t tlen;
    ax_status st = ax_fs_read_file(SRC "/tests/isa/data/hand.s", 1 << 20, &text, &tlen, &diags);
    struct ax_prog p;
    ax_prog_init(&p, 0, 0);
    if (st == AX_OK)
        st = ax_prog_parse(&p, "hand.s", text, tlen, &diags);
    if (st == AX_OK)
        st = ax_prog_encode(&p, bytes, len, &diags);
    if (st != AX_OK)
        ax_diag_print(&diags, stderr);
    CHECK(st == AX_OK);
    ax_mem_free(text);
    ax_prog_free(&p);
    ax_diag_list_free(&diags);
    return st == AX_OK;
}

static void test_round_trip(void)
{
    unsigned char *bytes;
    size_t len;
    if (!assemble_hand(&bytes, &len))
        return;
    CHECK(len % 8 == 0 && memcmp(bytes, "AXONPRG", 8) == 0);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_prog p;
    CHECK(ax_prog_decode(&p, "hand.axb", bytes, len, &diags) == AX_OK);
    CHECK(p.n_cores == 4 && p.n_code == 3 && p.n_weights == 2 && p.n_routes == 3);
    CHECK(p.n_consts == 3 && p.consts[1] == 0.0078125f && p.n_meta == 2 && p.n_opmap == 3);
    CHECK(p.weights[1].is_dram && p.weights[1].col0 == 128);
    CHECK(p.code[0].n_instr == 7 && p.routes[0].n_dst == 2 && p.routes[0].dst[1] == 2);
    struct ax_isa_instr in;
    CHECK(ax_isa_decode(p.code[0].words[2], &in) == 0 && in.op == AX_ISA_ENCODE && in.flags == 1);
    /* disassemble, reassemble: the same bytes */
    size_t tlen;
    char *text = print_to_string(&p, &tlen);
    struct ax_prog again;
    CHECK(text && ax_prog_parse(&again, "again.s", text, tlen, &diags) == AX_OK);
    unsigned char *bytes2 = NULL;
    size_t len2 = 0;
    CHECK(ax_prog_encode(&again, &bytes2, &len2, &diags) == AX_OK);
    CHECK(len2 == len && bytes2 && memcmp(bytes, bytes2, len) == 0);
    /* and printing the reassembled program gives the same text */
    size_t tlen3;
    char *text3 = print_to_string(&again, &tlen3);
    CHECK(text3 && tlen3 == tlen && strcmp(text, text3) == 0);
    if (diags.n_items)
        ax_diag_print(&diags, stderr);
    free(text);
    free(text3);
    ax_mem_free(bytes2);
    ax_prog_free(&again);
    ax_prog_free(&p);
    ax_mem_free(bytes);
    ax_diag_list_free(&diags);
}

/* Byte offsets of the format (ax_prog.h): the version at 8, n_cores at 16,
 * the file size at 24; the section table from 48, 24 bytes an entry (kind,
 * crc, offset, size); section 5 is the code. */
enum { OFF_VERSION = 8, OFF_CORES = 16, OFF_SIZE = 24, OFF_TABLE = 48, CODE_SECTION = 5 };

static uint64_t u64_at(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put_u32_at(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Loads a damaged copy and expects failure with `msg` in the first error. */
static void expect_refused(const char *what, const unsigned char *data, size_t len, const char *msg)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_prog p;
    ax_status st = ax_prog_decode(&p, "bad.axb", data, len, &diags);
    int ok = st != AX_OK && diags.n_items > 0 && strstr(diags.items[0].message, msg);
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "  %s: expected '%s', got status %s:\n", what, msg, ax_status_str(st));
        ax_diag_print(&diags, stderr);
    }
    ax_prog_free(&p);
    ax_diag_list_free(&diags);
}

static void test_corruptions(void)
{
    unsigned char *good;
    size_t len;
    if (!assemble_hand(&good, &len))
        return;
    unsigned char *b = malloc(len);
    const unsigned char *code_entry = good + OFF_TABLE + CODE_SECTION * 24;
    uint64_t code_off = u64_at(code_entry + 8);

#define FRESH() memcpy(b, good, len)
    FRESH();
    b[0] = 'X';
    expect_refused("magic", b, len, "bad magic");
    FRESH();
    b[OFF_VERSION] = 2;
    expect_refused("version", b, len, "version 2");
    expect_refused("truncated", good, len - 8, "truncated or padded");
    expect_refused("tiny", good, 20, "truncated: 20 bytes");
    expect_refused("empty", good, 0, "bad magic");
    FRESH();
    b[code_off + 12] ^= 1; /* a bit of the first instruction word */
    expect_refused("section checksum", b, len, "section code checksum mismatch");
    FRESH();
    b[OFF_CORES] = 9;
    expect_refused("header checksum", b, len, "header checksum mismatch");
    /* Content problems behind valid checksums. */
    FRESH();
    put_u32_at(b + OFF_CORES, 2); /* core 2's code now lies beyond the cores */
    ax_prog_reseal(b, len);
    expect_refused("core out of range", b, len, "out of range (2 cores)");
    FRESH();
    /* `thresh 0, 256` is core 0's second instruction; make its address huge. */
    put_u32_at(b + code_off + 8 + 8 + 0, 0xffffff);
    ax_prog_reseal(b, len);
    expect_refused("address out of range", b, len, "beyond the core's 49152 SRAM words");
    FRESH();
    b[code_off + 8 + 7] = 0xee; /* an opcode that does not exist */
    ax_prog_reseal(b, len);
    expect_refused("unknown opcode", b, len, "is not a valid instruction");
    FRESH();
    put_u32_at(b + OFF_TABLE + CODE_SECTION * 24 + 16, 0x7fffffff); /* code size beyond the file */
    ax_prog_reseal(b, len);
    expect_refused("section bounds", b, len, "lies outside the file");
    FRESH();
    put_u32_at(b + OFF_SIZE, (uint32_t)len + 8);
    expect_refused("size field", b, len, "truncated or padded");
#undef FRESH
    free(b);
    ax_mem_free(good);
}

static void test_text_errors(void)
{
    static const struct {
        const char *text, *pos, *msg;
    } cases[] = {
        {"", "0:0", "empty program"},
        {".cores 4\n", "1:1", "expected '.axb 1' first"},
        {".axb 2\n", "1:1", "version 2"},
        {".axb 1\n.cores 1\n.sram_words 8\nhalt\n", "4:1", "outside a '.code CORE' block"},
        {".axb 1\n.cores 1\n.sram_words 8\n.code 0\n    synacc 0\n", "5:13", "expected ','"},
        {".axb 1\n.cores 1\n.sram_words 8\n.code 0\n    frob 1\n", "5:5", "unknown instruction"},
        {".axb 1\n.cores 1\n.sram_words 8\n.frob\n", "4:1", "unknown directive '.frob'"},
        {".axb 1\n.cores 1\n.sram_words 8\n.route src=0 dst=0,\n", "4:20", "dst: expected a whole number"},
        {".axb 1\n.cores 2\n.sram_words 8\n.code 0\n    vadd 9, 0, 0\n", "0:0", "address 9 of 'dst' is beyond"},
        {".axb 1\n.cores 2\n.sram_words 8\n.code 0\n    synacc 0, 0\n", "0:0", "weight block 0 does not exist"},
        {".axb 1\n.cores 2\n.sram_words 8\n.code 1\n    halt\n.code 0\n    halt\n", "0:0", "cores must ascend"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ax_diag_list diags;
        ax_diag_list_init(&diags);
        struct ax_prog p;
        const char *t = cases[i].text;
        ax_status st = ax_prog_parse(&p, "bad.s", t, strlen(t), &diags);
        unsigned line = 0, col = 0;
        sscanf(cases[i].pos, "%u:%u", &line, &col);
        int ok = st != AX_OK && diags.n_items > 0 && diags.items[0].line == line &&
                 diags.items[0].col == col && strstr(diags.items[0].message, cases[i].msg);
        CHECK(ok);
        if (!ok) {
            fprintf(stderr, "  case %zu: expected %s '%s'; got:\n", i, cases[i].pos, cases[i].msg);
            ax_diag_print(&diags, stderr);
        }
        ax_prog_free(&p);
        ax_diag_list_free(&diags);
    }
}

/* Thousands of random damages (byte changes, with and without fixing the
 * checksums, and truncations) are refused or read cleanly, never crash; the
 * sanitizer build watches the reads. */
static void test_random_damage(void)
{
    unsigned char *good;
    size_t len;
    if (!assemble_hand(&good, &len))
        return;
    unsigned char *b = malloc(len);
    uint64_t x = 0x2545f4914f6cdd1du;
    int n_refused = 0, n_read = 0;
    for (int i = 0; i < 4000; i++) {
        memcpy(b, good, len);
        int n_changes = 1 + i % 4;
        for (int k = 0; k < n_changes; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            b[x % len] = (unsigned char)(x >> 32);
        }
        if (i % 2)
            ax_prog_reseal(b, len);
        size_t n = i % 7 == 0 ? (size_t)(x >> 40) % len : len;
        struct ax_diag_list diags;
        ax_diag_list_init(&diags);
        struct ax_prog p;
        ax_status st = ax_prog_decode(&p, "damaged.axb", b, n, &diags);
        if (st == AX_OK)
            n_read++;
        else
            n_refused += diags.n_errors > 0;
        ax_prog_free(&p);
        ax_diag_list_free(&diags);
    }
    /* Every refusal says why; most damage is caught. */
    CHECK(n_refused + n_read == 4000);
    CHECK(n_refused > 3000);
    free(b);
    ax_mem_free(good);
}

AX_TEST_MAIN(T(test_round_trip), T(test_corruptions), T(test_text_errors), T(test_random_damage))
