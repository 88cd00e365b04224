/* The program container (version 2): assembling, disassembling and
 * reassembling give the same bytes; every corruption of a valid file is
 * refused with a message; each rule of the verifier refuses a program that
 * breaks it (and only that rule is needed to refuse it), naming the core,
 * the instruction and the buffer. */
#define _POSIX_C_SOURCE 200809L
#include "ax_test.h"
#include "ax_test_prog.h"

#include "ax_diag.h"
#include "ax_fs.h"
#include "ax_isa.h"
#include "ax_mem.h"
#include "ax_prog.h"

#include <stdint.h>

#define SRC AX_SOURCE_DIR

/* Parses the NUL-terminated `text`, named `file` in diagnostics. */
static ax_status parse_text(struct ax_prog *p, const char *file, const char *text,
                            struct ax_diag_list *diags)
{
    return ax_prog_parse(p, file, text, strlen(text), diags);
}

/* Reads and parses the hand-written program (tests/isa/data/hand.s) into
 * `p`, which the caller frees with ax_prog_free whatever the result. Returns
 * 1, or 0 with the diagnostics printed and a failed check. */
static int parse_hand(struct ax_prog *p)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *text = NULL;
    size_t tlen = 0;
    ax_prog_init(p, 0, 0);
    ax_status st = ax_fs_read_file(SRC "/tests/isa/data/hand.s", 1 << 20, &text, &tlen, &diags);
    if (st == AX_OK)
        st = ax_prog_parse(p, "hand.s", text, tlen, &diags);
    if (st != AX_OK)
        ax_diag_print(&diags, stderr);
    CHECK(st == AX_OK);
    ax_mem_free(text);
    ax_diag_list_free(&diags);
    return st == AX_OK;
}

/* Assembles the hand-written program; the caller frees *bytes. */
static int assemble_hand(unsigned char **bytes, size_t *len)
{
    struct ax_prog p;
    if (!parse_hand(&p)) {
        ax_prog_free(&p);
        return 0;
    }
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_status st = ax_prog_encode(&p, bytes, len, &diags);
    if (st != AX_OK)
        ax_diag_print(&diags, stderr);
    CHECK(st == AX_OK);
    ax_prog_free(&p);
    ax_diag_list_free(&diags);
    return st == AX_OK;
}

/* Print, parse, encode: the same bytes; print again: the same text. */
static void check_text_round_trip(const struct ax_prog *p, const unsigned char *bytes, size_t len)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    size_t tlen = 0;
    char *text = ax_test_print_prog(p, &tlen);
    struct ax_prog again;
    ax_status st = text ? ax_prog_parse(&again, "again.s", text, tlen, &diags) : AX_ERR_NOMEM;
    CHECK(st == AX_OK);
    unsigned char *bytes2 = NULL;
    size_t len2 = 0;
    if (st == AX_OK)
        CHECK(ax_prog_encode(&again, &bytes2, &len2, &diags) == AX_OK);
    CHECK(len2 == len && bytes2 && memcmp(bytes, bytes2, len) == 0);
    size_t tlen3 = 0;
    char *text3 = st == AX_OK ? ax_test_print_prog(&again, &tlen3) : NULL;
    CHECK(text3 && tlen3 == tlen && strcmp(text, text3) == 0);
    if (diags.n_items)
        ax_diag_print(&diags, stderr);
    free(text);
    free(text3);
    ax_mem_free(bytes2);
    ax_prog_free(&again);
    ax_diag_list_free(&diags);
}

static void test_round_trip(void)
{
    unsigned char *bytes;
    size_t len;
    if (!assemble_hand(&bytes, &len))
        return;
    CHECK(len % 8 == 0 && memcmp(bytes, "AXONPRG", 8) == 0 && bytes[8] == 2);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_prog p;
    CHECK(ax_prog_decode(&p, "hand.axb", bytes, len, &diags) == AX_OK);
    CHECK(p.n_cores == 4 && p.sram_words == 16384 && p.cores_per_chip == 4 &&
          p.dram_bytes_per_chip == 0);
    CHECK(p.n_code == 3 && p.n_weights == 2 && p.n_routes == 3 && p.n_barriers == 1);
    CHECK(p.n_buffers == 12 && p.n_states == 1 && p.n_nodes == 4 && p.n_files == 2);
    CHECK(p.n_consts == 7 && p.consts[1] == 1e-6f && p.n_meta == 2 && p.n_opmap == 4);
    CHECK(p.weights[1].is_float && !p.weights[1].is_dram && p.weights[0].cols == 128);
    CHECK_STR(p.buffers[5].name, "q.acc0");
    CHECK(p.buffers[5].kind == AX_PROG_BUF_ACC && p.buffers[5].ref == AX_PROG_NONE);
    CHECK(p.buffers[11].kind == AX_PROG_BUF_STATE && p.states[0].buffer == 11);
    CHECK(p.routes[1].kind == AX_PROG_ROUTE_VALUES && p.routes[1].dst[0].addr == 260);
    CHECK(p.routes[0].kind == AX_PROG_ROUTE_SPIKES && p.routes[0].dst[0].addr == AX_PROG_NONE);
    CHECK(p.nodes[3].layer == -1);
    CHECK_STR(p.nodes[1].site, "layers.0.q_proj");
    const struct ax_prog_file *f = ax_prog_find_file(&p, "config.json");
    CHECK(f && f->size == 37 && memcmp(f->data, "{\"hidden_size\": 64", 18) == 0);
    struct ax_isa_instr in;
    CHECK(ax_isa_decode(p.code[0].words[2], &in) == 0 && in.op == AX_ISA_ENCODE && in.flags == 1);
    /* `scale q.acc0, q.w0+2048, q.acc0` on core 1 */
    CHECK(ax_isa_decode(p.code[1].words[4], &in) == 0 && in.op == AX_ISA_SCALE && in.a == 2112 &&
          in.b == 2048 && in.c == 2112);
    /* the disassembly names buffers */
    size_t tlen;
    char *text = ax_test_print_prog(&p, &tlen);
    CHECK(text && strstr(text, "    scale q.acc0, q.w0+2048, q.acc0\n"));
    CHECK(text && strstr(text, ".buffer core=1 addr=0 words=2112 kind=weights ref=0 node=3 "
                               "name=q.w0"));
    CHECK(text && strstr(text, ".route src=1 dst=0@260 values"));
    CHECK(text && strstr(text, ".data eyJoaWRkZW5fc2l6ZSI6IDY0LCAibnVtX2xheWVycyI6IDF9Cg==\n"));
    free(text);
    check_text_round_trip(&p, bytes, len);
    /* decode, encode: the same bytes */
    unsigned char *again = NULL;
    size_t again_len = 0;
    CHECK(ax_prog_encode(&p, &again, &again_len, &diags) == AX_OK);
    CHECK(again_len == len && again && memcmp(again, bytes, len) == 0);
    ax_mem_free(again);
    ax_prog_free(&p);
    ax_mem_free(bytes);
    ax_diag_list_free(&diags);
}

static void test_lookups(void)
{
    CHECK(ax_prog_weight_words(64, 128) == 2048 + 64);
    CHECK(ax_prog_weight_words(3, 129) == (3 * 129 + 3) / 4 + 3 * 2);
    CHECK(ax_prog_weight_bytes(64, 128) == (2048 + 64) * 4 + 64 * 4);
    enum ax_prog_buffer_kind k;
    for (int i = 0; i < AX_PROG_BUF_KIND_COUNT; i++)
        CHECK(ax_prog_buffer_kind_parse(ax_prog_buffer_kind_str((enum ax_prog_buffer_kind)i), &k) ==
                  0 && k == (enum ax_prog_buffer_kind)i);
    CHECK(ax_prog_buffer_kind_parse("frob", &k) == -1);
    CHECK_STR(ax_prog_buffer_kind_str(AX_PROG_BUF_STAGING), "staging");

    struct ax_prog p;
    if (!parse_hand(&p)) {
        ax_prog_free(&p);
        return;
    }
    const struct ax_prog_buffer *b = ax_prog_buffer_at(&p, 1, 2112 + 63);
    CHECK(b && strcmp(b->name, "q.acc0") == 0);
    CHECK(ax_prog_buffer_at(&p, 1, 2112 + 64) == NULL);
    CHECK(ax_prog_buffer_at(&p, 0, 129) == NULL); /* between vth and cnt */
    b = ax_prog_buffer_at(&p, 0, 0);
    CHECK(b && strcmp(b->name, "x") == 0);
    CHECK(ax_prog_buffer_at(&p, 3, 0) == NULL);
    /* free SRAM: core 0 uses 321 words, core 1 2176, core 2 2308 */
    uint64_t lo = 0, median = 0;
    CHECK(ax_prog_sram_free(&p, &lo, &median) == AX_OK);
    CHECK(lo == (16384 - 2308) * 4 && median == (16384 - 2176) * 4);
    /* files: added, found, replaced */
    CHECK(ax_prog_add_file(&p, "chip.yaml", "cores: 3\n", 9) == AX_OK);
    const struct ax_prog_file *f = ax_prog_find_file(&p, "chip.yaml");
    CHECK(f && f->size == 9 && memcmp(f->data, "cores: 3\n", 9) == 0);
    CHECK(ax_prog_add_file(&p, "chip.yaml", "x", 1) == AX_OK);
    f = ax_prog_find_file(&p, "chip.yaml");
    CHECK(p.n_files == 2 && f && f->size == 1);
    CHECK(ax_prog_find_file(&p, "missing") == NULL);
    ax_prog_free(&p);
}

/* `axon inspect`: free SRAM and the table sizes, as JSON and as text. */
static void test_summary(void)
{
    struct ax_prog p;
    if (!parse_hand(&p)) {
        ax_prog_free(&p);
        return;
    }
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    CHECK(f && ax_prog_print_summary(&p, "hand.axb", f, 1) == AX_OK);
    fclose(f);
    CHECK(out && strstr(out, "\"sram_free_bytes_min\": 56304"));   /* (16384 - 2308) * 4 */
    CHECK(out && strstr(out, "\"sram_free_bytes_median\": 56832")); /* (16384 - 2176) * 4 */
    CHECK(out && strstr(out, "\"buffers\": 12") && strstr(out, "\"states\": 1") &&
          strstr(out, "\"barriers\": 1") && strstr(out, "\"cores_used\": 3") &&
          strstr(out, "\"instructions\": 24"));
    CHECK(out && strstr(out, "\"max\": 9232")); /* core 2: 2308 words */
    free(out);
    out = NULL;
    f = open_memstream(&out, &len);
    CHECK(f && ax_prog_print_summary(&p, "hand.axb", f, 0) == AX_OK);
    fclose(f);
    CHECK(out && strstr(out, "SRAM free   min 56304, median 56832 bytes a used core\n"));
    CHECK(out && strstr(out, "24 instructions, 2 weight blocks, 12 buffers, 1 states, 3 routes, "
                             "1 barriers\n"));
    free(out);
    ax_prog_free(&p);
}

/* `.file NAME from=PATH` reads PATH beside the text; disassembly prints it
 * as base64, which assembles to the same bytes. */
static void test_file_from(void)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_prog p;
    const char *text = ".axb 2\n.cores 1\n.sram_words 8\n.file \"chip.yaml\" from=\"tiny_chip.yaml\"\n";
    ax_status st = parse_text(&p, SRC "/tests/isa/data/from.s", text, &diags);
    CHECK(st == AX_OK);
    char *want;
    size_t want_len;
    CHECK(ax_fs_read_file(SRC "/tests/isa/data/tiny_chip.yaml", 1 << 20, &want, &want_len,
                          &diags) == AX_OK);
    const struct ax_prog_file *f = ax_prog_find_file(&p, "chip.yaml");
    CHECK(f && want && f->size == want_len && memcmp(f->data, want, want_len) == 0);
    unsigned char *bytes = NULL;
    size_t len = 0;
    CHECK(ax_prog_encode(&p, &bytes, &len, &diags) == AX_OK);
    if (bytes)
        check_text_round_trip(&p, bytes, len);
    ax_prog_free(&p);
    /* a missing file is refused at its line */
    ax_diag_list_free(&diags);
    ax_diag_list_init(&diags);
    text = ".axb 2\n.cores 1\n.sram_words 8\n.file \"chip.yaml\" from=\"missing.yaml\"\n";
    st = parse_text(&p, SRC "/tests/isa/data/from.s", text, &diags);
    CHECK(st != AX_OK && diags.n_items && diags.items[0].line == 4 &&
          strstr(diags.items[0].message, "cannot embed 'missing.yaml'"));
    if (diags.n_items)
        CHECK(strstr(diags.items[0].message, "tests/isa/data/missing.yaml") != NULL);
    ax_prog_free(&p);
    ax_mem_free(want);
    ax_mem_free(bytes);
    ax_diag_list_free(&diags);
}

/* Byte offsets of the format (docs/isa.md): the version at 8, n_cores at
 * 16, the file size at 24; the section table from 48, 24 bytes an entry
 * (kind, crc, offset, size); sections 0-based: 6 routes, 8 code, 11 files. */
enum {
    OFF_VERSION = 8,
    OFF_CORES = 16,
    OFF_SIZE = 24,
    OFF_TABLE = 48,
    ROUTES_SECTION = 6,
    CODE_SECTION = 8,
    FILES_SECTION = 11
};

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

static uint64_t section_offset(const unsigned char *b, int s)
{
    return u64_at(b + OFF_TABLE + s * 24 + 8);
}

/* 1 when one of the diagnostics contains `msg`. */
static int has_message(const struct ax_diag_list *diags, const char *msg)
{
    for (uint32_t i = 0; i < diags->n_items; i++)
        if (strstr(diags->items[i].message, msg))
            return 1;
    return 0;
}

/* Loads a damaged copy and expects failure with `msg` in a diagnostic. */
static void expect_refused(const char *what, const unsigned char *data, size_t len, const char *msg)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_prog p;
    ax_status st = ax_prog_decode(&p, "bad.axb", data, len, &diags);
    int ok = st != AX_OK && diags.n_items > 0 && has_message(&diags, msg);
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
    uint64_t code_off = section_offset(good, CODE_SECTION);

#define FRESH() memcpy(b, good, len)
    FRESH();
    b[0] = 'X';
    expect_refused("magic", b, len, "bad magic");
    FRESH();
    b[OFF_VERSION] = 3;
    expect_refused("version", b, len, "version 3");
    FRESH();
    b[OFF_VERSION] = 1;
    ax_prog_reseal(b, len);
    expect_refused("version 1", b, len, "program format version 1 is no longer read: compile it "
                   "again with this axon (axon compile MODEL --chip CHIP -o PROG.axb)");
    expect_refused("version 1, short", b, 216, "compile it again");
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
    /* `thresh x, vth` is core 0's second instruction; make vth's address huge. */
    put_u32_at(b + code_off + 8 + 8 + 0, 0xffffff);
    ax_prog_reseal(b, len);
    expect_refused("address out of range", b, len, "core 0, instruction 1 (thresh): operand "
                   "'vth': address 16777215 is beyond the core's 16384 SRAM words");
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
    /* Hostile counts inside the sections: refused before anything is sized by them. */
    FRESH();
    put_u32_at(b + section_offset(b, ROUTES_SECTION) + 8, 0xffffffffu); /* route 0: n */
    ax_prog_reseal(b, len);
    expect_refused("route count", b, len, "section routes: record 0 at offset");
    FRESH();
    put_u32_at(b + code_off + 4, 0x20000000u); /* core 0: n_instr */
    ax_prog_reseal(b, len);
    expect_refused("instruction count", b, len, "section code: record 0");
    FRESH();
    put_u32_at(b + section_offset(b, FILES_SECTION) + 12, 0xffffffffu); /* file size, high word */
    ax_prog_reseal(b, len);
    expect_refused("file size", b, len, "section files: record 0");
    FRESH();
    put_u32_at(b + section_offset(b, FILES_SECTION) + 4, 7); /* the zero after the name */
    ax_prog_reseal(b, len);
    expect_refused("file zero field", b, len, "must be 0, not 7");
    FRESH();
    put_u32_at(b + section_offset(b, FILES_SECTION), 0x7fffffff); /* the name's string offset */
    ax_prog_reseal(b, len);
    expect_refused("string offset", b, len, "is outside the string table");
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
        {".cores 4\n", "1:1", "expected '.axb 2' first"},
        {".axb 3\n", "1:1", "version 3"},
        {".axb 1\n", "1:1", "program text version 1 is no longer read: compile it again"},
        {".axb 2\n.cores 1\n.sram_words 8\nhalt\n", "4:1", "outside a '.code CORE' block"},
        {".axb 2\n.cores 1\n.sram_words 8\n.code 0\n    synacc 0\n", "5:13", "expected ','"},
        {".axb 2\n.cores 1\n.sram_words 8\n.code 0\n    frob 1\n", "5:5", "unknown instruction"},
        {".axb 2\n.cores 1\n.sram_words 8\n.frob\n", "4:1", "unknown directive '.frob'"},
        {".axb 2\n.cores 1\n.sram_words 8\n.route src=0 dst=0,\n", "4:20",
         "dst: expected a whole number"},
        {".axb 2\n.cores 1\n.sram_words 8\n.route src=0 dst=0\n", "4:19",
         "expected 'spikes' or 'values'"},
        {".axb 2\n.cores 1\n.sram_words 8\n.buffer core=0 addr=0 words=8 kind=frob name=a\n", "4:36",
         "unknown buffer kind 'frob'"},
        {".axb 2\n.cores 1\n.sram_words 8\n.buffer core=0 addr=0 words=8 kind=acc name=9a\n", "4:45",
         "name: expected a name"},
        {".axb 2\n.cores 1\n.sram_words 8\n.code 0\n    setlen 4\n    vcopy a, b\n", "6:11",
         "no buffer 'a' on core 0; declare it with '.buffer core=0 ... name=a'"},
        {".axb 2\n.cores 1\n.sram_words 8\n.code 0\n    barrier b\n", "5:13",
         "takes a number, not a buffer name"},
        {".axb 2\n.cores 1\n.sram_words 8\n.code 0\n    vcopy a+, a\n", "5:13",
         "expected a number after 'a+'"},
        {".axb 2\n.cores 1\n.sram_words 8\n.file \"a\" size=4\n.data QUJD\n", "4:1",
         "size=4, but its .data lines hold 3 bytes"},
        {".axb 2\n.cores 1\n.sram_words 8\n.file \"a\" size=2\n.data QUJD\n", "5:7",
         "more bytes than the size=2"},
        {".axb 2\n.cores 1\n.sram_words 8\n.file \"a\" size=3\n.data QU*D\n", "5:7",
         "expected base64"},
        {".axb 2\n.cores 1\n.sram_words 8\n.file \"a\" size=99999\n", "4:1",
         "the rest of the text holds at most"},
        {".axb 2\n.cores 1\n.sram_words 8\n.data QUJD\n", "4:1", ".data outside a '.file"},
        {".axb 2\n.cores 1\n.sram_words 8\n.file \"a\" size=3\n.data QUJDQ\n", "5:11",
         "5 characters is not a whole number of groups"},
        {".axb 2\n.cores 1\n.sram_words 8\n.file \"a\" size=3\n.data QQ==QUJD\n", "5:11",
         "'=' padding only at the end"},
        {".axb 2\n.cores 1\n.sram_words 8\n.node 1 name=\"a\" op=\"b\" layer=x site=\"\"\n", "4:31",
         "layer: expected a whole number"},
        {".axb 2\n.cores 2\n.sram_words 8\n.code 1\n    halt\n.code 0\n    halt\n", "6:1",
         "cores must ascend"},
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

/* ---- the verifier: one case per rule ------------------------------------------- */

/* Two cores of 1024 words, no chip limits; each case adds its lines. */
#define HEAD ".axb 2\n.cores 2\n.sram_words 1024\n"
/* Two cores: core 0 sends 8 words of `v` to core 1's inbox `in`. */
#define SEND_BASE                                                                                 \
    HEAD ".buffer core=0 addr=0 words=8 kind=value name=v\n"                                      \
         ".buffer core=1 addr=0 words=8 kind=inbox name=in\n"                                     \
         ".route src=0 dst=1@0 values\n"
/* Core 0 encodes `x` and emits to core 1, which holds weight record 0. */
#define SPIKE_BASE                                                                                \
    HEAD ".weights core=1 tensor=\"w\" rows=0+4 cols=0+8 sram\n"                                  \
         ".buffer core=0 addr=0 words=8 kind=value name=x\n"                                      \
         ".buffer core=0 addr=8 words=1 kind=scalar name=vth\n"                                   \
         ".buffer core=0 addr=16 words=8 kind=counts name=cnt\n"                                  \
         ".buffer core=1 addr=0 words=12 kind=weights ref=0 name=w\n"                             \
         ".buffer core=1 addr=16 words=4 kind=acc name=acc\n"                                     \
         ".route src=0 dst=1 spikes\n"                                                            \
         ".const 3\n"

static const struct {
    const char *what, *text, *msg; /* msg: NULL when the program is valid */
} verifier_cases[] = {
    /* 3. buffers */
    {"overlapping buffers",
     HEAD ".buffer core=0 addr=0 words=8 kind=scratch name=a\n"
          ".buffer core=0 addr=4 words=8 kind=scratch name=b\n",
     "buffers 'a' (words 0..7) and 'b' (words 4..11) on core 0 overlap"},
    {"buffers out of order",
     HEAD ".buffer core=0 addr=8 words=8 kind=scratch name=a\n"
          ".buffer core=0 addr=0 words=8 kind=scratch name=b\n",
     "buffers must ascend by core, then address"},
    {"buffer past SRAM",
     HEAD ".buffer core=0 addr=1020 words=8 kind=scratch name=a\n",
     "buffer 'a' (core 0, words 1020..1027) runs past the core's SRAM (1024 words)"},
    {"weights beyond a core's SRAM",
     HEAD ".weights core=0 tensor=\"big\" rows=0+64 cols=0+128 sram\n"
          ".buffer core=0 addr=0 words=2112 kind=weights ref=0 name=w\n",
     "buffer 'w' (core 0, words 0..2111) runs past the core's SRAM (1024 words): weights and "
     "state per core must fit within its SRAM"},
    {"duplicate names",
     HEAD ".buffer core=0 addr=0 words=8 kind=scratch name=a\n"
          ".buffer core=0 addr=8 words=8 kind=scratch name=a\n",
     "core 0 has two buffers named 'a'"},
    {"the same name on two cores",
     HEAD ".buffer core=0 addr=0 words=8 kind=scratch name=a\n"
          ".buffer core=1 addr=0 words=8 kind=scratch name=a\n",
     NULL},
    {"weights buffer of the wrong size",
     HEAD ".weights core=0 tensor=\"w\" rows=0+4 cols=0+8 sram\n"
          ".buffer core=0 addr=0 words=8 kind=weights ref=0 name=w\n",
     "buffer 'w' (core 0): holds weight record 0 (4 x 8) in 12 words (codes and scales), not 8"},
    {"weights buffer naming a record of another core",
     HEAD ".weights core=1 tensor=\"w\" rows=0+4 cols=0+8 sram\n"
          ".buffer core=0 addr=0 words=12 kind=weights ref=0 name=w\n",
     "kind weights needs ref = an SRAM weight record on core 0; ref 0 is not one"},
    {"weights buffer of a float record of the wrong size",
     HEAD ".weights core=0 tensor=\"w\" rows=0+4 cols=0+8 sram float\n"
          ".buffer core=0 addr=0 words=12 kind=weights ref=0 name=w\n",
     "buffer 'w' (core 0): holds weight record 0 (4 x 8) in 32 words (float32 values), not 12"},
    {"param buffer of the wrong size",
     HEAD ".weights core=0 tensor=\"n\" rows=0+1 cols=0+8 sram float\n"
          ".buffer core=0 addr=0 words=4 kind=param ref=0 name=n\n",
     "holds float weight record 0 (1 x 8) in 8 words, not 4"},
    {"const buffer past the consts",
     HEAD ".const 1\n.buffer core=0 addr=0 words=4 kind=const ref=0 name=t\n",
     "buffer 't' (core 0): constants 0..3 are not all in the consts table (1 constants)"},
    {"scratch buffer with a ref",
     HEAD ".buffer core=0 addr=0 words=4 kind=scratch ref=3 name=s\n",
     "kind scratch takes no ref (ref 3)"},
    {"counts buffer of a shard: ref is its first column",
     HEAD ".buffer core=0 addr=0 words=4 kind=counts ref=16777212 name=c\n", NULL},
    {"counts buffer whose columns pass 2^24",
     HEAD ".buffer core=0 addr=0 words=4 kind=counts ref=16777213 name=c\n",
     "buffer 'c' (core 0): its events would name columns 16777213..16777216, past 16777215"},
    {"node not in the node table",
     HEAD ".buffer core=0 addr=0 words=4 kind=scratch node=9 name=s\n"
          ".node 1 name=\"a\" op=\"input\" layer=-1 site=\"\"\n",
     "buffer 's' (core 0): node 9 is not in the node table"},
    /* 4. every weight reference resolves */
    {"SRAM record without a weights buffer",
     HEAD ".weights core=0 tensor=\"w\" rows=0+4 cols=0+8 sram\n",
     "weight record 0 ('w', core 0) has 0 weights buffers; an SRAM record has exactly one"},
    {"DRAM record no dma names",
     ".axb 2\n.cores 2\n.sram_words 1024\n.cores_per_chip 2\n.dram_bytes_per_chip 100000\n"
     ".weights core=0 tensor=\"w\" rows=0+4 cols=0+8 dram\n",
     "weight record 0 ('w', core 0) is in DRAM, but no dma names it"},
    {"DRAM record streamed by dma",
     ".axb 2\n.cores 2\n.sram_words 1024\n.cores_per_chip 2\n.dram_bytes_per_chip 100000\n"
     ".weights core=0 tensor=\"w\" rows=0+4 cols=0+8 dram\n"
     ".buffer core=0 addr=0 words=12 kind=staging name=st\n"
     ".buffer core=0 addr=16 words=8 kind=value name=x\n"
     ".buffer core=0 addr=24 words=4 kind=value name=y\n"
     ".code 0\n    dma st, 0\n    setlen 4\n    vdot y, st, x\n    halt\n",
     NULL},
    {"staging buffer too small for the dma",
     ".axb 2\n.cores 2\n.sram_words 1024\n.cores_per_chip 2\n.dram_bytes_per_chip 100000\n"
     ".weights core=0 tensor=\"w\" rows=0+4 cols=0+8 dram\n"
     ".buffer core=0 addr=0 words=10 kind=staging name=st\n"
     ".code 0\n    dma st, 0\n    halt\n",
     "core 0, instruction 0 (dma): buffer 'st' (10 words) is too small for weight record 0 (4 x "
     "8: 12 words)"},
    /* 2. DRAM per chip */
    {"DRAM over capacity",
     ".axb 2\n.cores 2\n.sram_words 1024\n.cores_per_chip 2\n.dram_bytes_per_chip 1000\n"
     ".weights core=0 tensor=\"w\" rows=0+64 cols=0+128 dram\n"
     ".buffer core=0 addr=0 words=1000 kind=staging name=st\n"
     ".code 0\n    dma st, 0\n    halt\n",
     "chip 0: its 1 DRAM weight records take 8704 bytes, more than its DRAM (1000 bytes"},
    {"DRAM on a chip without DRAM",
     ".axb 2\n.cores 2\n.sram_words 1024\n.cores_per_chip 2\n.dram_bytes_per_chip 0\n"
     ".weights core=1 tensor=\"w\" rows=0+4 cols=0+8 dram\n",
     "weight record 0 ('w', core 1) is in DRAM, but the chip has no DRAM"},
    /* 5. states */
    {"state too large for its buffer",
     HEAD ".buffer core=0 addr=0 words=8 kind=state ref=0 name=s\n"
          ".state core=0 kind=gla rows=0+2 row_bytes=32 buffer=0\n",
     "state 0 (core 0): 2 rows of 32 bytes (16 words) for each of 1 sequence do not fit buffer "
     "'s' (8 words)"},
    {"state of a batch too large for its buffer",
     HEAD ".meta \"batch\" \"3\"\n"
          ".buffer core=0 addr=0 words=44 kind=state ref=0 name=s\n"
          ".state core=0 kind=gla rows=0+2 row_bytes=30 buffer=0\n",
     "state 0 (core 0): 2 rows of 30 bytes (15 words) for each of 3 sequences do not fit buffer "
     "'s' (44 words)"},
    {"glacol rows across two heads",
     HEAD ".buffer core=0 addr=0 words=8 kind=state ref=0 name=s\n"
          ".state core=0 kind=glacol rows=1+2 row_bytes=8 buffer=0\n",
     "state 0 (core 0): glacol rows 1..2 of 8 bytes are neither whole heads nor columns of one "
     "head (d = row_bytes / 4)"},
    {"batch not a number",
     HEAD ".meta \"batch\" \"2x\"\n",
     "meta 'batch' is '2x': expected the number of sequences the state holds, a whole number "
     "from 1 to 4096"},
    {"batch of none",
     HEAD ".meta \"batch\" \"0\"\n", "meta 'batch' is '0'"},
    {"batch too large",
     HEAD ".meta \"batch\" \"4097\"\n", "meta 'batch' is '4097'"},
    {"state naming a buffer that is not a state buffer",
     HEAD ".buffer core=0 addr=0 words=8 kind=scratch name=s\n"
          ".state core=0 kind=kv rows=0+1 row_bytes=4 buffer=0\n",
     "state 0 (core 0): buffer 0 is not a state buffer on core 0"},
    /* 6. routes */
    {"route to a core that does not exist",
     HEAD ".route src=0 dst=5 spikes\n", "route 0: destination core 5 does not exist (2 cores)"},
    {"value route to no buffer",
     HEAD ".route src=0 dst=1@12 values\n",
     "route 0 (values): destination address 12 is in no buffer of core 1"},
    {"spike route with an address",
     HEAD ".buffer core=1 addr=0 words=8 kind=inbox name=in\n.route src=0 dst=1@0 spikes\n",
     "route 0 (spikes): destination core 1 has an address (0)"},
    {"route destinations out of order",
     HEAD ".route src=0 dst=1,0 spikes\n", "destination core 0 follows core 1"},
    /* 7. barriers */
    {"barrier listing a core twice",
     HEAD ".barrier cores=1,1\n", "barrier 0: core 1 follows core 1"},
    /* 8. code: addresses and extents */
    {"vector past its buffer",
     HEAD ".buffer core=0 addr=0 words=8 kind=value name=a\n"
          ".buffer core=0 addr=8 words=16 kind=scratch name=b\n"
          ".code 0\n    setlen 16\n    vcopy b, a\n    halt\n",
     "core 0, instruction 1 (vcopy): operand 'src': vector of 16 words from word 0 runs past the "
     "end of buffer 'a' (words 0..7)"},
    {"vector past SRAM",
     HEAD ".buffer core=0 addr=0 words=16 kind=scratch name=b\n"
          ".buffer core=0 addr=1016 words=8 kind=value name=a\n"
          ".code 0\n    setlen 16\n    vcopy b, a\n    halt\n",
     "core 0, instruction 1 (vcopy): operand 'src': vector of 16 words from word 1016 runs past "
     "the end of buffer 'a' (words 1016..1023) and past the core's SRAM (1024 words)"},
    {"address in no buffer",
     HEAD ".buffer core=0 addr=0 words=8 kind=value name=a\n"
          ".code 0\n    setlen 4\n    vcopy 100, a\n    halt\n",
     "core 0, instruction 1 (vcopy): operand 'dst': address 100 is in no buffer of core 0"},
    {"vector op before setlen",
     HEAD ".buffer core=0 addr=0 words=8 kind=value name=a\n"
          ".buffer core=0 addr=8 words=8 kind=value name=b\n"
          ".code 0\n    vcopy b, a\n    halt\n",
     "core 0, instruction 0 (vcopy): operand 'dst': vector op before setlen (len is 0)"},
    {"argmax without room for its pair",
     HEAD ".buffer core=0 addr=0 words=8 kind=acc name=a\n"
          ".code 0\n    setlen 8\n    argmax a, 0\n    halt\n",
     "core 0, instruction 1 (argmax): operand 'vec': vector of 10 words from word 0 runs past the "
     "end of buffer 'a' (words 0..7)"},
    {"argmax indexes past float32's integers",
     HEAD ".buffer core=0 addr=0 words=8 kind=acc name=a\n"
          ".code 0\n    setlen 6\n    argmax a, 16777211\n    halt\n",
     "core 0, instruction 1 (argmax): base 16777211 + len 6 is past 16777216"},
    {"argmerge of no pair",
     HEAD ".buffer core=0 addr=0 words=8 kind=acc name=a\n"
          ".code 0\n    argmerge a, 0\n    halt\n",
     "core 0, instruction 0 (argmerge): n is 0: argmerge merges at least one pair"},
    {"argmerge past its buffer",
     HEAD ".buffer core=0 addr=0 words=8 kind=acc name=a\n"
          ".code 0\n    argmerge a+2, 4\n    halt\n",
     "core 0, instruction 0 (argmerge): operand 'pairs': vector of 8 words from word 2 runs past "
     "the end of buffer 'a' (words 0..7)"},
    {"aliasing refused",
     HEAD ".buffer core=0 addr=0 words=64 kind=scratch name=a\n"
          ".code 0\n    setlen 8\n    vmac a, a+4, a+16\n    halt\n",
     "core 0, instruction 1 (vmac): written operand 'dst' (words 0..7 of 'a') overlaps read "
     "operand 'a' (words 4..11 of 'a'); this op does not work in place"},
    {"in place, but not the same words",
     HEAD ".buffer core=0 addr=0 words=64 kind=scratch name=a\n"
          ".code 0\n    setlen 8\n    vadd a, a+4, a+16\n    halt\n",
     "core 0, instruction 1 (vadd): written operand 'dst' (words 0..7 of 'a') overlaps read "
     "operand 'a' (words 4..11 of 'a'); in place the two must be the same words"},
    {"a copy onto itself is not in place",
     HEAD ".buffer core=0 addr=0 words=64 kind=scratch name=a\n"
          ".code 0\n    setlen 8\n    vcopy a, a\n    halt\n",
     "core 0, instruction 1 (vcopy): written operand 'dst' (words 0..7 of 'a') overlaps read "
     "operand 'src'"},
    {"in place allowed",
     HEAD ".buffer core=0 addr=0 words=64 kind=scratch name=a\n"
          ".code 0\n    setlen 8\n    vadd a, a, a+8\n    vsilu a+16, a+16\n    halt\n",
     NULL},
    {"dense weights not at their first word",
     HEAD ".weights core=0 tensor=\"w\" rows=0+4 cols=0+8 sram\n"
          ".buffer core=0 addr=0 words=12 kind=weights ref=0 name=w\n"
          ".buffer core=0 addr=16 words=8 kind=value name=x\n"
          ".buffer core=0 addr=24 words=4 kind=value name=y\n"
          ".code 0\n    setlen 4\n    vdot y, w+1, x\n    halt\n",
     "core 0, instruction 1 (vdot): operand 'w': address 1 is inside buffer 'w' (words 0..11); it "
     "must be the buffer's first word"},
    {"dense input shorter than the block's columns",
     HEAD ".weights core=0 tensor=\"w\" rows=0+4 cols=0+8 sram\n"
          ".buffer core=0 addr=0 words=12 kind=weights ref=0 name=w\n"
          ".buffer core=0 addr=16 words=4 kind=value name=x\n"
          ".buffer core=0 addr=24 words=4 kind=value name=y\n"
          ".code 0\n    setlen 4\n    vdot y, w, x\n    halt\n",
     "core 0, instruction 1 (vdot): operand 'x': vector of 8 words from word 16 runs past the end "
     "of buffer 'x' (words 16..19)"},
    {"dense product over fewer rows than the block has",
     HEAD ".weights core=0 tensor=\"w\" rows=0+4 cols=0+8 sram\n"
          ".buffer core=0 addr=0 words=12 kind=weights ref=0 name=w\n"
          ".buffer core=0 addr=16 words=8 kind=value name=x\n"
          ".buffer core=0 addr=24 words=4 kind=value name=y\n"
          ".code 0\n    setlen 2\n    vdot y, w, x\n    halt\n",
     "core 0, instruction 1 (vdot): len is 2, but weight record 0 ('w') has 4 rows; set len to the "
     "block's rows first"},
    {"table operand of the wrong kind",
     HEAD ".buffer core=0 addr=0 words=8 kind=scratch name=a\n"
          ".buffer core=0 addr=8 words=8 kind=scratch name=t\n"
          ".code 0\n    setlen 8\n    rope a, a, t\n    halt\n",
     "core 0, instruction 1 (rope): operand 'table': buffer 't' is a scratch buffer; it must be a "
     "state or const buffer"},
    {"dense product from a staging buffer no dma has filled",
     ".axb 2\n.cores 2\n.sram_words 1024\n.cores_per_chip 2\n.dram_bytes_per_chip 100000\n"
     ".weights core=0 tensor=\"w\" rows=0+4 cols=0+8 dram\n"
     ".buffer core=0 addr=0 words=12 kind=staging name=st\n"
     ".buffer core=0 addr=16 words=8 kind=value name=x\n"
     ".buffer core=0 addr=24 words=4 kind=value name=y\n"
     ".code 0\n    setlen 4\n    vdot y, st, x\n    dma st, 0\n    halt\n",
     "core 0, instruction 1 (vdot): operand 'x': the weight block in buffer 'st' is not known here"},
    /* 8. code: records, routes, barriers, flags */
    {"embedding lookup",
     HEAD ".weights core=0 tensor=\"emb\" rows=0+16 cols=0+8 sram\n"
          ".buffer core=0 addr=0 words=48 kind=weights ref=0 name=emb\n"
          ".buffer core=1 addr=0 words=8 kind=value name=h\n"
          ".route src=0 dst=1@0 values\n"
          ".code 0\n    lookup 0, 0\n    halt\n"
          ".code 1\n    setlen 8\n    psumrecv h, 1\n    halt\n",
     NULL},
    {"embedding lookup of float values",
     HEAD ".weights core=0 tensor=\"emb\" rows=0+16 cols=0+8 sram float\n"
          ".buffer core=0 addr=0 words=128 kind=weights ref=0 name=emb\n"
          ".buffer core=1 addr=0 words=8 kind=value name=h\n"
          ".route src=0 dst=1@0 values\n"
          ".code 0\n    lookup 0, 0\n    halt\n"
          ".code 1\n    setlen 8\n    psumrecv h, 1\n    halt\n",
     NULL},
    {"synacc of a float record",
     HEAD ".weights core=1 tensor=\"w\" rows=0+4 cols=0+8 sram float\n"
          ".buffer core=1 addr=0 words=32 kind=weights ref=0 name=w\n"
          ".buffer core=1 addr=32 words=4 kind=acc name=acc\n"
          ".code 1\n    setlen 4\n    synacc 0, acc\n    halt\n",
     "core 1, instruction 1 (synacc): weight record 0 ('w') holds float values; synacc needs a "
     "quantized record"},
    {"lookup larger than the receiving buffer",
     HEAD ".weights core=0 tensor=\"emb\" rows=0+16 cols=0+8 sram\n"
          ".buffer core=0 addr=0 words=48 kind=weights ref=0 name=emb\n"
          ".buffer core=1 addr=0 words=4 kind=value name=h\n"
          ".route src=0 dst=1@0 values\n"
          ".code 0\n    lookup 0, 0\n    halt\n",
     "core 0, instruction 0 (lookup): sends 8 words to core 1 word 0, past the end of buffer 'h'"},
    {"synacc of a record on another core",
     SPIKE_BASE ".code 0\n    setlen 4\n    synacc 0, x\n    halt\n",
     "core 0, instruction 1 (synacc): weight record 0 ('w') is on core 1, not this core"},
    {"emit on a values route",
     SEND_BASE ".code 0\n    setlen 8\n    emit v, 0\n    halt\n"
               ".code 1\n    setlen 8\n    psumrecv in, 1\n    halt\n",
     "core 0, instruction 1 (emit): route 0 carries values; emit needs a spikes route"},
    {"psumsend on another core's route",
     SEND_BASE ".code 1\n    setlen 8\n    psumsend in, 0\n    halt\n",
     "core 1, instruction 1 (psumsend): route 0 starts at core 0, not this core"},
    {"barrier that does not list the core",
     HEAD ".barrier cores=1\n.code 0\n    barrier 0\n    halt\n.code 1\n    barrier 0\n",
     "core 0, instruction 0 (barrier): barrier 0 does not list core 0"},
    {"barrier ids descending",
     HEAD ".barrier cores=0\n.barrier cores=0\n.code 0\n    barrier 1\n    barrier 0\n    halt\n",
     "core 0, instruction 1 (barrier): barrier 0 follows barrier 1"},
    {"encode flags",
     SPIKE_BASE ".code 0\n    setlen 8\n    thresh x, vth\n    encode x, vth, cnt .flags 3\n",
     "core 0, instruction 2 (encode): flags 0x03: encoding 3 does not exist"},
    {"running totals",
     HEAD ".const 3\n.buffer core=0 addr=0 words=8 kind=value name=x\n"
          ".buffer core=0 addr=8 words=3 kind=value name=tot\n"
          ".buffer core=0 addr=12 words=1 kind=scalar name=vth\n"
          ".code 0\n    setlen 8\n    sumacc tot, x .flags 3\n    sumacc tot, x .flags 1\n"
          "    threshof vth, tot\n    rmsscale x, x, tot\n    halt\n",
     NULL},
    {"sumacc flag bit 2",
     HEAD ".buffer core=0 addr=0 words=8 kind=value name=x\n"
          ".buffer core=0 addr=8 words=3 kind=value name=tot\n"
          ".code 0\n    setlen 8\n    sumacc tot, x .flags 4\n    halt\n",
     "core 0, instruction 1 (sumacc): flags 0x04: only bits 0 (squares) and 1 (start) exist"},
    {"threshof whose total runs past its buffer",
     HEAD ".const 3\n.buffer core=0 addr=0 words=2 kind=value name=tot\n"
          ".buffer core=0 addr=2 words=1 kind=scalar name=vth\n"
          ".code 0\n    threshof vth, tot\n    halt\n",
     "core 0, instruction 0 (threshof): operand 'tot': vector of 3 words from word 0 runs past the "
     "end of buffer 'tot' (words 0..1)"},
    {"sumacc over its own total",
     HEAD ".buffer core=0 addr=0 words=8 kind=value name=x\n"
          ".code 0\n    setlen 4\n    sumacc x+2, x .flags 2\n    halt\n",
     "core 0, instruction 1 (sumacc): written operand 'tot' (words 2..4 of 'x') overlaps read "
     "operand 'src' (words 0..3 of 'x')"},
    {"rmsscale eps beyond the consts",
     HEAD ".buffer core=0 addr=0 words=8 kind=value name=x\n"
          ".buffer core=0 addr=8 words=3 kind=value name=tot\n"
          ".code 0\n    setlen 8\n    rmsscale x, x, tot .flags 1\n    halt\n",
     "core 0, instruction 1 (rmsscale): flags 1 name constant 1, but the consts table has 0"},
    {"rmsnorm eps beyond the consts",
     HEAD ".buffer core=0 addr=0 words=8 kind=scratch name=a\n"
          ".buffer core=0 addr=8 words=8 kind=scratch name=b\n"
          ".code 0\n    setlen 8\n    rmsnorm a, b, b .flags 2\n    halt\n",
     "core 0, instruction 1 (rmsnorm): flags 2 name constant 2, but the consts table has 0"},
    /* 9. barriers in code */
    {"barrier listed but missing in code",
     HEAD ".barrier cores=0,1\n.code 0\n    barrier 0\n    halt\n.code 1\n    halt\n",
     "barrier 0 lists core 1, but core 1's code has no 'barrier 0'"},
    /* 10. waits */
    {"psumrecv no send feeds",
     HEAD ".buffer core=1 addr=0 words=8 kind=inbox name=in\n"
          ".code 1\n    setlen 8\n    psumrecv in, 1\n    halt\n",
     "core 1, instruction 1 (psumrecv): no send feeds buffer 'in' at word 0"},
    {"psumrecv waits for more than is sent",
     SEND_BASE ".code 0\n    setlen 8\n    psumsend v, 0\n    halt\n"
               ".code 1\n    setlen 8\n    psumrecv in, 2\n    halt\n",
     "core 1, instruction 1 (psumrecv): the receives at word 0 of buffer 'in' wait for 2 messages "
     "in all, but only 1 sends can reach it"},
    {"a send larger than the receiving buffer",
     HEAD ".buffer core=0 addr=0 words=16 kind=value name=v\n"
          ".buffer core=1 addr=0 words=8 kind=inbox name=in\n"
          ".route src=0 dst=1@0 values\n"
          ".code 0\n    setlen 16\n    psumsend v, 0\n    halt\n"
          ".code 1\n    setlen 8\n    psumrecv in, 1\n    halt\n",
     "core 0, instruction 1 (psumsend): sends 16 words to core 1 word 0, past the end of buffer "
     "'in' there (words 0..7)"},
    {"a psumsend nobody receives",
     SEND_BASE ".code 0\n    setlen 8\n    psumsend v, 0\n    psumsend v, 0\n    halt\n"
               ".code 1\n    setlen 8\n    psumrecv in, 1\n    halt\n",
     "core 1, instruction 1 (psumrecv): 2 messages arrive at word 0 of buffer 'in', but the "
     "receives there take only 1: every psumsend must be received"},
    {"a send where no psumrecv waits",
     SEND_BASE ".code 0\n    setlen 8\n    psumsend v, 0\n    halt\n"
               ".code 1\n    halt\n",
     "core 0, instruction 1 (psumsend): sends to core 1 word 0, where no psumrecv waits"},
    {"a receive before the barrier its sender passes only after it",
     SEND_BASE ".barrier cores=0,1\n"
               ".code 0\n    setlen 8\n    barrier 0\n    psumsend v, 0\n    halt\n"
               ".code 1\n    setlen 8\n    psumrecv in, 1\n    barrier 0\n    halt\n",
     "core 1, instruction 1 (psumrecv): waits forever for its messages to buffer 'in': in this "
     "order their senders are themselves waiting (2 cores in all never reach their end)"},
    {"send and receive",
     SEND_BASE ".code 0\n    setlen 8\n    psumsend v, 0\n    halt\n"
               ".code 1\n    setlen 8\n    psumrecv in, 1\n    halt\n",
     NULL},
    {"send and receive a copy",
     SEND_BASE ".code 0\n    setlen 8\n    psumsend v, 0\n    halt\n"
               ".code 1\n    setlen 8\n    psumrecv in, 1 .flags 1\n    halt\n",
     NULL},
    {"a copy of two messages",
     SEND_BASE ".code 0\n    setlen 8\n    psumsend v, 0\n    psumsend v, 0\n    halt\n"
               ".code 1\n    setlen 8\n    psumrecv in, 2 .flags 1\n    halt\n",
     "core 1, instruction 1 (psumrecv): flags bit 0 (copy) takes one message, which replaces dst; "
     "count is 2"},
    {"psumrecv flag bit 1",
     SEND_BASE ".code 0\n    setlen 8\n    psumsend v, 0\n    halt\n"
               ".code 1\n    setlen 8\n    psumrecv in, 1 .flags 2\n    halt\n",
     "core 1, instruction 1 (psumrecv): flags 0x02: only bit 0 (copy) exists"},
    {"synacc without a barrier after the emit",
     SPIKE_BASE ".code 0\n    setlen 8\n    thresh x, vth\n    encode x, vth, cnt\n"
                "    emit cnt, 0\n    halt\n"
                ".code 1\n    setlen 4\n    acczero acc\n    synacc 0, acc\n    halt\n",
     "core 1, instruction 2 (synacc): spike events are not complete here: core 0 (instruction 3, "
     "emit) sends spikes to core 1"},
    {"synacc with the barrier before the emit",
     SPIKE_BASE ".barrier cores=0,1\n"
                ".code 0\n    setlen 8\n    thresh x, vth\n    barrier 0\n"
                "    encode x, vth, cnt\n    emit cnt, 0\n    halt\n"
                ".code 1\n    barrier 0\n    setlen 4\n    acczero acc\n    synacc 0, acc\n",
     "core 1, instruction 3 (synacc): spike events are not complete here"},
    {"synacc with no spike route to its core",
     HEAD ".weights core=1 tensor=\"w\" rows=0+4 cols=0+8 sram\n"
          ".buffer core=1 addr=0 words=12 kind=weights ref=0 name=w\n"
          ".buffer core=1 addr=16 words=4 kind=acc name=acc\n"
          ".code 1\n    setlen 4\n    synacc 0, acc\n    halt\n",
     "core 1, instruction 1 (synacc): no spike route reaches core 1"},
    {"spikes, barrier, synacc",
     SPIKE_BASE ".barrier cores=0,1\n"
                ".code 0\n    setlen 8\n    thresh x, vth\n    encode x, vth, cnt\n"
                "    emit cnt, 0\n    barrier 0\n    halt\n"
                ".code 1\n    barrier 0\n    setlen 4\n    acczero acc\n    synacc 0, acc\n"
                "    halt\n",
     NULL},
    /* 11. opmap, nodes, files */
    {"opmap past the code",
     HEAD ".code 0\n    halt\n.opmap core=0 first=0 count=2 node=1\n",
     "opmap entry 0: instructions 0..1 of core 0 do not exist (it has 1)"},
    {"nodes out of order",
     HEAD ".node 2 name=\"a\" op=\"x\" layer=0 site=\"\"\n.node 1 name=\"b\" op=\"x\" layer=0 "
          "site=\"\"\n",
     "node table: node 1 follows node 2"},
    {"two files of one name",
     HEAD ".file \"a\" size=1\n.data QQ==\n.file \"a\" size=1\n.data QQ==\n",
     "two embedded files are named 'a'"},
};

static void test_verifier(void)
{
    for (size_t i = 0; i < sizeof verifier_cases / sizeof verifier_cases[0]; i++) {
        struct ax_diag_list diags;
        ax_diag_list_init(&diags);
        struct ax_prog p;
        ax_status st = parse_text(&p, "case.s", verifier_cases[i].text, &diags);
        const char *msg = verifier_cases[i].msg;
        int ok = msg ? st == AX_ERR_INVALID && has_message(&diags, msg) : st == AX_OK;
        CHECK(ok);
        if (!ok) {
            fprintf(stderr, "  %s: expected %s%s%s, got %s:\n", verifier_cases[i].what,
                    msg ? "'" : "", msg ? msg : "a valid program", msg ? "'" : "",
                    ax_status_str(st));
            ax_diag_print(&diags, stderr);
        }
        ax_prog_free(&p);
        ax_diag_list_free(&diags);
    }
}

/* The verifier's refusals of assembled text carry the line and column of
 * the record or instruction they are about. */
static void test_verifier_positions(void)
{
    static const struct {
        const char *text, *pos, *msg;
    } cases[] = {
        {HEAD ".buffer core=0 addr=0 words=8 kind=scratch name=a\n"
              ".buffer core=0 addr=4 words=8 kind=scratch name=b\n",
         "5:1", "on core 0 overlap"},
        {HEAD ".buffer core=0 addr=0 words=8 kind=value name=a\n"
              ".buffer core=0 addr=8 words=16 kind=scratch name=b\n"
              ".code 0\n    setlen 16\n    vcopy b, a\n    halt\n",
         "8:5", "core 0, instruction 1 (vcopy): operand 'src'"},
        {HEAD ".route src=0 dst=5 spikes\n", "4:1", "route 0: destination core 5"},
        {HEAD ".barrier cores=0,1\n.code 0\n    barrier 0\n    halt\n.code 1\n    halt\n",
         "4:1", "barrier 0 lists core 1"},
        {HEAD ".buffer core=1 addr=0 words=8 kind=inbox name=in\n"
              ".code 1\n  setlen 8\n  psumrecv in, 1\n  halt\n",
         "7:3", "core 1, instruction 1 (psumrecv): no send feeds buffer 'in'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ax_diag_list diags;
        ax_diag_list_init(&diags);
        struct ax_prog p;
        ax_status st = parse_text(&p, "case.s", cases[i].text, &diags);
        unsigned line = 0, col = 0;
        sscanf(cases[i].pos, "%u:%u", &line, &col);
        int ok = st == AX_ERR_INVALID && diags.n_items > 0 && diags.items[0].line == line &&
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

/* A program in memory with a buffer out of place, checked without text. */
static void test_verifier_in_memory(void)
{
    struct ax_prog p;
    ax_prog_init(&p, 1, 64);
    struct ax_prog_buffer bufs[1] = {{0, 0, 8, AX_PROG_BUF_KIND_COUNT, AX_PROG_NONE, AX_PROG_NONE,
                                      "a"}};
    p.buffers = bufs;
    p.n_buffers = 1;
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    CHECK(ax_prog_validate(&p, "mem", &diags) == AX_ERR_INVALID &&
          has_message(&diags, "buffer 0 ('a'): unknown kind 11"));
    bufs[0].kind = AX_PROG_BUF_SCRATCH;
    bufs[0].name = "has space";
    CHECK(ax_prog_validate(&p, "mem", &diags) == AX_ERR_INVALID &&
          has_message(&diags, "buffer 0: name 'has space' is not valid"));
    p.buffers = NULL;
    p.n_buffers = 0;
    ax_prog_free(&p);
    ax_diag_list_free(&diags);
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

/* Random damage to the text (characters changed, lines cut) is refused
 * with a position or read cleanly, never crashes. */
static void test_random_text_damage(void)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *good;
    size_t len;
    CHECK(ax_fs_read_file(SRC "/tests/isa/data/hand.s", 1 << 20, &good, &len, &diags) == AX_OK);
    ax_diag_list_free(&diags);
    if (!good)
        return;
    static const char alphabet[] = " \t\n#.,+=@\"0123456789axyzq_-";
    char *b = malloc(len + 1);
    uint64_t x = 0x9e3779b97f4a7c15u;
    int n_refused = 0;
    for (int i = 0; i < 3000; i++) {
        memcpy(b, good, len + 1);
        for (int k = 0; k < 1 + i % 3; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            b[x % len] = alphabet[(x >> 32) % (sizeof alphabet - 1)];
        }
        size_t n = i % 5 == 0 ? (size_t)(x >> 40) % len : len;
        struct ax_prog p;
        ax_diag_list_init(&diags);
        ax_status st = ax_prog_parse(&p, "damaged.s", b, n, &diags);
        n_refused += st != AX_OK && diags.n_errors > 0;
        CHECK(st == AX_OK || diags.n_errors > 0);
        ax_prog_free(&p);
        ax_diag_list_free(&diags);
    }
    CHECK(n_refused > 1000);
    free(b);
    ax_mem_free(good);
}

/* The shape of a large program: many cores, each a block that receives a
 * vector, multiplies it and sends the result to a reducer, with names and
 * routes. Checks it in about linear time (a quadratic check would take
 * minutes here), and that encoding and decoding it agree. */
static void test_large_program(void)
{
    enum { N_CORES = 20000 };
    struct ax_prog p;
    ax_prog_init(&p, N_CORES + 1, 4096);
    p.n_weights = N_CORES;
    p.n_buffers = 3 * N_CORES + 1;
    p.n_routes = N_CORES + 1;
    p.n_code = N_CORES + 1;
    p.weights = ax_arena_calloc(&p.arena, p.n_weights, sizeof *p.weights);
    p.buffers = ax_arena_calloc(&p.arena, p.n_buffers, sizeof *p.buffers);
    p.routes = ax_arena_calloc(&p.arena, p.n_routes, sizeof *p.routes);
    p.code = ax_arena_calloc(&p.arena, p.n_code, sizeof *p.code);
    struct ax_prog_dest *fan = ax_arena_calloc(&p.arena, N_CORES, sizeof *fan);
    uint64_t *words = ax_arena_calloc(&p.arena, 8 * (size_t)p.n_code, sizeof *words);
    CHECK(p.weights && p.buffers && p.routes && p.code && fan && words);
    if (!p.weights || !p.buffers || !p.routes || !p.code || !fan || !words)
        return;
    struct ax_isa_instr in;
    /* core 0: sends x to every block, receives one result per block */
    p.buffers[0] = (struct ax_prog_buffer){0, 0, 64, AX_PROG_BUF_VALUE, AX_PROG_NONE, AX_PROG_NONE,
                                           "x"};
    for (uint32_t c = 1; c <= N_CORES; c++) {
        fan[c - 1] = (struct ax_prog_dest){c, 0};
        p.weights[c - 1] = (struct ax_prog_weight){c, "w", 0, 64, 0, 64, 0, 0, NULL};
        struct ax_prog_buffer *b = &p.buffers[3 * c - 2];
        b[0] = (struct ax_prog_buffer){c, 0, 64, AX_PROG_BUF_INBOX, AX_PROG_NONE, AX_PROG_NONE, "in"};
        b[1] = (struct ax_prog_buffer){c, 64, 1088, AX_PROG_BUF_WEIGHTS, AX_PROG_NONE, c - 1, "w"};
        b[2] = (struct ax_prog_buffer){c, 1152, 64, AX_PROG_BUF_ACC, AX_PROG_NONE, AX_PROG_NONE,
                                       "acc"};
        p.routes[c] = (struct ax_prog_route){c, AX_PROG_ROUTE_VALUES, 1, NULL};
        p.routes[c].dst = ax_arena_calloc(&p.arena, 1, sizeof *p.routes[c].dst);
        p.routes[c].dst[0] = (struct ax_prog_dest){0, 0};
        uint64_t *w = words + 8 * (size_t)c;
        struct ax_isa_instr prog[] = {{AX_ISA_SETLEN, 0, 64, 0, 0},
                                      {AX_ISA_PSUMRECV, 0, 0, 1, 0},
                                      {AX_ISA_VDOT, 0, 1152, 64, 0},
                                      {AX_ISA_PSUMSEND, 0, 1152, c, 0},
                                      {AX_ISA_HALT, 0, 0, 0, 0}};
        for (int j = 0; j < 5; j++)
            ax_isa_encode(&prog[j], &w[j]);
        p.code[c] = (struct ax_prog_code){c, 5, w};
    }
    p.routes[0] = (struct ax_prog_route){0, AX_PROG_ROUTE_VALUES, N_CORES, fan};
    struct ax_isa_instr prog0[] = {{AX_ISA_SETLEN, 0, 64, 0, 0},
                                   {AX_ISA_PSUMSEND, 0, 0, 0, 0},
                                   {AX_ISA_PSUMRECV, 0, 0, N_CORES, 0},
                                   {AX_ISA_HALT, 0, 0, 0, 0}};
    for (int j = 0; j < 4; j++)
        ax_isa_encode(&prog0[j], &words[j]);
    p.code[0] = (struct ax_prog_code){0, 4, words};
    (void)in;
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_status st = ax_prog_validate(&p, "large", &diags);
    CHECK(st == AX_OK);
    if (st != AX_OK)
        ax_diag_print(&diags, stderr);
    unsigned char *bytes = NULL;
    size_t len = 0;
    CHECK(ax_prog_encode(&p, &bytes, &len, &diags) == AX_OK);
    struct ax_prog back;
    CHECK(bytes && ax_prog_decode(&back, "large.axb", bytes, len, &diags) == AX_OK);
    CHECK(back.n_buffers == p.n_buffers && back.routes[0].n_dst == N_CORES);
    uint64_t lo, median;
    CHECK(ax_prog_sram_free(&back, &lo, &median) == AX_OK);
    CHECK(lo == (4096 - 1216) * 4 && median == (4096 - 1216) * 4);
    ax_prog_free(&back);
    ax_mem_free(bytes);
    ax_prog_free(&p);
    ax_diag_list_free(&diags);
}

/* Weight data (the wdata section, `.wdata` lines): tests/programs/dram-stream.s
 * carries the numbers its comments state; they survive encoding, decoding
 * and printing byte for byte, and each damage to the section is refused. */
static void test_weight_data(void)
{
    const char *path = SRC "/tests/programs/dram-stream.s";
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *text = NULL;
    size_t tlen = 0;
    struct ax_prog p;
    ax_prog_init(&p, 0, 0);
    ax_status st = ax_fs_read_file(path, 1 << 20, &text, &tlen, &diags);
    if (st == AX_OK)
        st = ax_prog_parse(&p, path, text, tlen, &diags);
    CHECK(st == AX_OK);
    ax_mem_free(text);
    if (st != AX_OK) {
        ax_diag_print(&diags, stderr);
        ax_diag_list_free(&diags);
        ax_prog_free(&p);
        return;
    }
    /* proj.weight (record 1): row j every code j + 1, scale 2^-7 */
    CHECK(p.n_weights == 2 && ax_prog_has_all_data(&p));
    int8_t codes[4 * 128];
    float scales[4];
    ax_prog_record_unpack(&p.weights[1], p.weights[1].data, codes, scales, NULL);
    CHECK(codes[0] == 1 && codes[127] == 1 && codes[128] == 2 && codes[511] == 4);
    CHECK(scales[0] == 0x1p-7f && scales[3] == 0x1p-7f);
    uint32_t packed[132];
    ax_prog_record_pack(&p.weights[1], codes, scales, NULL, packed);
    CHECK(memcmp(packed, p.weights[1].data, sizeof packed) == 0);

    unsigned char *good = NULL;
    size_t len = 0;
    CHECK(ax_prog_encode(&p, &good, &len, &diags) == AX_OK);
    if (!good) {
        ax_diag_print(&diags, stderr);
        ax_diag_list_free(&diags);
        ax_prog_free(&p);
        return;
    }
    check_text_round_trip(&p, good, len);
    enum { WDATA_SECTION = 12 };
    CHECK(u64_at(good + 12) % (1ull << 32) == 13); /* sections: the 13th is wdata */
    struct ax_prog q;
    CHECK(ax_prog_decode(&q, "data.axb", good, len, &diags) == AX_OK);
    CHECK(q.n_weights == 2 && q.weights[1].data &&
          memcmp(q.weights[1].data, p.weights[1].data, sizeof packed) == 0);
    ax_prog_free(&q);

    /* without data: the 12 sections of a program that never had any */
    p.weights[0].data = p.weights[1].data = NULL;
    unsigned char *bare = NULL;
    size_t bare_len = 0;
    CHECK(ax_prog_encode(&p, &bare, &bare_len, &diags) == AX_OK);
    CHECK(bare && u64_at(bare + 12) % (1ull << 32) == 12 && bare_len < len);
    ax_mem_free(bare);

    unsigned char *b = malloc(len);
    uint64_t off = section_offset(good, WDATA_SECTION);
    /* the first record is weight 0's (132 words), the second weight 1's */
    uint64_t second = off + 16 + 132 * 4;
    memcpy(b, good, len);
    put_u32_at(b + off + 8, 131);
    ax_prog_reseal(b, len);
    expect_refused("record words", b, len, "takes 132 words, not 131");
    memcpy(b, good, len);
    put_u32_at(b + second, 0);
    ax_prog_reseal(b, len);
    expect_refused("order", b, len, "in ascending order, each once");
    memcpy(b, good, len);
    put_u32_at(b + off + 4, 1);
    ax_prog_reseal(b, len);
    expect_refused("reserved", b, len, "reserved field and padding must be 0");
    memcpy(b, good, len);
    put_u32_at(b + second + 16 + 128 * 4, 0x7fc00000); /* weight 1's first scale: NaN */
    ax_prog_reseal(b, len);
    expect_refused("NaN scale", b, len, "scale 0 of its data is not finite");
    memcpy(b, good, len);
    put_u32_at(b + off + 8, 0x7fffffff); /* more words than the section holds */
    ax_prog_reseal(b, len);
    expect_refused("huge record", b, len, "is truncated");
    free(b);
    ax_mem_free(good);
    ax_prog_free(&p);

    /* text: a float record takes values=, a quantized one codes= and scales= */
    static const char *const bad[][2] = {
        {".axb 2\n.cores 1\n.sram_words 64\n"
         ".weights core=0 tensor=\"n\" rows=0+1 cols=0+4 sram float\n"
         ".wdata 0 row=0 codes=1\n",
         "expected 'values='"},
        {".axb 2\n.cores 1\n.sram_words 64\n"
         ".weights core=0 tensor=\"w\" rows=0+2 cols=0+4 sram\n"
         ".wdata 0 row=1 codes=1 scales=1\n",
         "the next from row 0"},
        {".axb 2\n.cores 1\n.sram_words 64\n"
         ".weights core=0 tensor=\"w\" rows=0+1 cols=0+4 sram\n"
         ".wdata 0 row=0 codes=1,2,3,4,5 scales=1\n",
         "more than 4 numbers"},
        {".axb 2\n.cores 1\n.sram_words 64\n"
         ".weights core=0 tensor=\"w\" rows=0+1 cols=0+4 sram\n"
         ".wdata 0 row=0 codes=1 scales=inf\n",
         "expected a finite number"},
        {".axb 2\n.cores 1\n.sram_words 64\n"
         ".weights core=0 tensor=\"w\" rows=0+100000 cols=0+100000 sram\n"
         ".wdata 0 row=0+100000 codes=1 scales=1\n",
         "the text form carries at most"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ax_diag_list d;
        ax_diag_list_init(&d);
        struct ax_prog r;
        ax_status rs = parse_text(&r, "bad.s", bad[i][0], &d);
        int ok = rs != AX_OK && has_message(&d, bad[i][1]);
        CHECK(ok);
        if (!ok) {
            fprintf(stderr, "  text %zu: expected '%s':\n", i, bad[i][1]);
            ax_diag_print(&d, stderr);
        }
        ax_prog_free(&r);
        ax_diag_list_free(&d);
    }
    ax_diag_list_free(&diags);
}

AX_TEST_MAIN(T(test_round_trip), T(test_weight_data), T(test_lookups), T(test_summary), T(test_file_from), T(test_corruptions),
             T(test_text_errors), T(test_verifier), T(test_verifier_positions),
             T(test_verifier_in_memory),
             T(test_random_damage), T(test_random_text_damage),
             T(test_large_program))
