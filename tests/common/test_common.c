/* Unit tests of common/ and of quantity parsing. */
#define _POSIX_C_SOURCE 200809L
#include "ax_test.h"

#include "ax_arena.h"
#include "ax_diag.h"
#include "ax_fs.h"
#include "ax_log.h"
#include "ax_mem.h"
#include "ax_qty.h"
#include "ax_sha256.h"
#include "ax_status.h"
#include "ax_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

static void test_status_strings(void)
{
    CHECK_STR(ax_status_str(AX_OK), "success");
    CHECK_STR(ax_status_str(AX_ERR_NOMEM), "out of memory");
    CHECK_STR(ax_status_str((ax_status)999), "unknown status");
    for (int s = 0; s < AX_STATUS_COUNT; s++)
        CHECK(strcmp(ax_status_str((ax_status)s), "unknown status") != 0);
}

static void test_arena(void)
{
    struct ax_arena a;
    ax_arena_init(&a, 64);
    char *p = ax_arena_alloc(&a, 10);
    char *q = ax_arena_alloc(&a, 1000); /* larger than a chunk */
    CHECK(p && q && p != q);
    CHECK(((uintptr_t)q % _Alignof(max_align_t)) == 0);
    memset(q, 7, 1000);
    char *s = ax_arena_strdup(&a, "hello");
    CHECK_STR(s, "hello");
    int *z = ax_arena_calloc(&a, 16, sizeof *z);
    int zero = 1;
    for (int i = 0; i < 16; i++)
        zero &= z[i] == 0;
    CHECK(zero);
    CHECK(ax_arena_calloc(&a, SIZE_MAX / 2, 4) == NULL);
    ax_arena_free(&a);
    CHECK(a.head == NULL);
}

static void test_diag_format(void)
{
    struct ax_diag_list l;
    ax_diag_list_init(&l);
    ax_diag_add(&l, AX_DIAG_ERROR, "chip.yaml", 3, 7, "bad %s", "thing");
    ax_diag_add(&l, AX_DIAG_WARNING, "chip.yaml", 0, 0, "whole file");
    CHECK(l.n_errors == 1 && l.n_warnings == 1 && l.n_items == 2);
    char buf[256];
    ax_diag_format(&l.items[0], buf, sizeof buf);
    CHECK_STR(buf, "chip.yaml:3:7: error: bad thing");
    ax_diag_format(&l.items[1], buf, sizeof buf);
    CHECK_STR(buf, "chip.yaml: warning: whole file");
    /* Printing orders by position; the list keeps the order of discovery. */
    ax_diag_add(&l, AX_DIAG_ERROR, "chip.yaml", 1, 2, "earlier");
    char *printed = NULL;
    size_t printed_len;
    FILE *f = open_memstream(&printed, &printed_len);
    ax_diag_print(&l, f);
    fclose(f);
    CHECK_STR(printed, "chip.yaml: warning: whole file\nchip.yaml:1:2: error: earlier\n"
                       "chip.yaml:3:7: error: bad thing\n");
    free(printed);
    CHECK_STR(l.items[2].message, "earlier");
    l.max_items = 3;
    ax_diag_add(&l, AX_DIAG_ERROR, "x", 1, 1, "dropped");
    CHECK(l.n_dropped == 1 && l.n_errors == 3);
    ax_diag_list_free(&l);
    CHECK(l.n_items == 0);
}

static void test_mem_hook(void)
{
    ax_test_allocs_left = 1;
    ax_mem_set_hook(ax_test_failing_alloc, NULL);
    void *a = ax_mem_alloc(16);
    void *b = ax_mem_alloc(16);
    ax_mem_set_hook(NULL, NULL);
    CHECK(a != NULL && b == NULL);
    ax_mem_free(a);
    CHECK(ax_mem_calloc(SIZE_MAX, 2) == NULL);
}

static void test_qty_ok(void)
{
    struct {
        const char *text;
        enum ax_qty_kind kind;
        double want;
    } cases[] = {
        {"23.6e-12", AX_QTY_ENERGY, 23.6e-12},  {"23.6 pJ", AX_QTY_ENERGY, 23.6e-12},
        {"23.6pJ", AX_QTY_ENERGY, 23.6e-12},    {"3.5 ns", AX_QTY_TIME, 3.5e-9},
        {"0.6 us", AX_QTY_TIME, 0.6e-6},        {"0.6 \xc2\xb5s", AX_QTY_TIME, 0.6e-6},
        {"192 KiB", AX_QTY_BYTES, 196608},      {"192 KB", AX_QTY_BYTES, 192000},
        {"1 GHz", AX_QTY_FREQUENCY, 1e9},       {"104 mW", AX_QTY_POWER, 0.104},
        {"32 bit", AX_QTY_BITS, 32},            {"4 B", AX_QTY_BITS, 32},
        {"25.6 GB/s", AX_QTY_BANDWIDTH, 25.6e9}, {"8 Gbit/s", AX_QTY_BANDWIDTH, 1e9},
        {"20 pJ/B", AX_QTY_ENERGY_PER_BYTE, 20e-12}, {"20 pJ", AX_QTY_ENERGY_PER_BYTE, 20e-12},
        {"2.5 pJ/bit", AX_QTY_ENERGY_PER_BYTE, 20e-12}, {" 5 ", AX_QTY_TIME, 5},
        {"-1", AX_QTY_ENERGY, -1},              {"1.5 MiB", AX_QTY_BYTES, 1572864},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double v = -12345;
        char err[256];
        int rc = ax_qty_parse(cases[i].text, cases[i].kind, &v, err, sizeof err);
        if (rc != 0)
            fprintf(stderr, "  '%s': %s\n", cases[i].text, err);
        CHECK(rc == 0);
        CHECK_NEAR(v, cases[i].want);
    }
}

static void test_qty_errors(void)
{
    struct {
        const char *text;
        enum ax_qty_kind kind;
        const char *msg;
    } cases[] = {
        {"3.5 ns", AX_QTY_ENERGY, "is a time, but an energy is expected"},
        {"23.6 pj", AX_QTY_ENERGY, "unknown unit 'pj'"},
        {"abc", AX_QTY_TIME, "is not a number"},
        {"nan", AX_QTY_ENERGY, "is not a number"},
        {"inf", AX_QTY_ENERGY, "is not a number"},
        {"0x10", AX_QTY_BYTES, "unknown unit 'x10'"},
        {"1e999", AX_QTY_ENERGY, "out of range"},
        {"104 mW", AX_QTY_ENERGY, "is a power"},
        {"1 GHz", AX_QTY_BYTES, "is a frequency"},
        {"", AX_QTY_ENERGY, "is not a number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double v = 0;
        char err[256] = "";
        CHECK(ax_qty_parse(cases[i].text, cases[i].kind, &v, err, sizeof err) == -1);
        if (!strstr(err, cases[i].msg))
            fprintf(stderr, "  '%s': got \"%s\", want \"%s\"\n", cases[i].text, err, cases[i].msg);
        CHECK(strstr(err, cases[i].msg) != NULL);
    }
}

static void test_qty_format(void)
{
    char b[64];
    CHECK_STR(ax_qty_format(23.6e-12, AX_QTY_ENERGY, b, sizeof b), "23.6 pJ");
    CHECK_STR(ax_qty_format(196608, AX_QTY_BYTES, b, sizeof b), "192 KiB");
    CHECK_STR(ax_qty_format(0.104, AX_QTY_POWER, b, sizeof b), "104 mW");
    CHECK_STR(ax_qty_format(0, AX_QTY_TIME, b, sizeof b), "0 s");
}

static void test_fs_atomic(void)
{
    char dir[] = "/tmp/ax_test_fsXXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/report.json", dir);
    struct ax_diag_list l;
    ax_diag_list_init(&l);
    CHECK(ax_fs_write_atomic(path, "first", 5, &l) == AX_OK);
    CHECK(ax_fs_write_atomic(path, "second!", 7, &l) == AX_OK);
    char *text;
    size_t len;
    CHECK(ax_fs_read_file(path, 100, &text, &len, &l) == AX_OK);
    CHECK(len == 7 && strcmp(text, "second!") == 0);
    ax_mem_free(text);
    CHECK(ax_fs_read_file(path, 3, &text, &len, &l) == AX_ERR_LIMIT);
    CHECK(ax_fs_read_file(dir, 100, &text, &len, &l) == AX_ERR_IO);
    char missing[160];
    snprintf(missing, sizeof missing, "%s/nope/report.json", dir);
    CHECK(ax_fs_write_atomic(missing, "x", 1, &l) == AX_ERR_IO);
    CHECK(l.n_errors == 3);
    unlink(path);
    rmdir(dir);
    ax_diag_list_free(&l);
}

static int n_logged;
static void count_sink(void *user, enum ax_log_level level, const char *msg)
{
    (void)user;
    (void)level;
    (void)msg;
    n_logged++;
}

static void test_log_levels(void)
{
    ax_log_set_sink(count_sink, NULL);
    ax_log_set_level(AX_LOG_LEVEL_WARN);
    AX_LOG_INFO("dropped");
    AX_LOG_WARN("kept");
    AX_LOG_ERROR("kept");
    ax_log_set_sink(NULL, NULL);
    CHECK(n_logged == 2);
    enum ax_log_level lv;
    CHECK(ax_log_parse_level("debug", &lv) == 0 && lv == AX_LOG_LEVEL_DEBUG);
    CHECK(ax_log_parse_level("loud", &lv) == -1);
}

static void test_quoted_strings(void)
{
    char *printed = NULL;
    size_t len;
    FILE *f = open_memstream(&printed, &len);
    ax_text_write_quoted(f, "a \"b\" \\c");
    fclose(f);
    CHECK_STR(printed, "\"a \\\"b\\\" \\\\c\"");
    struct ax_arena arena;
    ax_arena_init(&arena, 0);
    const char *p = printed, *out = NULL;
    CHECK(ax_text_read_quoted(&p, printed + len, &arena, &out) == NULL);
    CHECK_STR(out, "a \"b\" \\c");
    CHECK(p == printed + len);
    const char *bad = "\"open", *q = bad;
    CHECK(strstr(ax_text_read_quoted(&q, bad + strlen(bad), &arena, &out), "unterminated") && q == bad);
    q = "plain";
    CHECK(ax_text_read_quoted(&q, q + 5, &arena, &out) != NULL);
    /* line breaks are escaped, so a string stays on its line (a name with a
     * line feed, decoded from a program, printed and assembled again) */
    free(printed);
    f = open_memstream(&printed, &len);
    ax_text_write_quoted(f, "a\nb\r\\n");
    fclose(f);
    CHECK_STR(printed, "\"a\\nb\\r\\\\n\"");
    p = printed;
    CHECK(ax_text_read_quoted(&p, printed + len, &arena, &out) == NULL);
    CHECK_STR(out, "a\nb\r\\n");
    ax_arena_free(&arena);
    free(printed);
}

/* The FIPS 180-4 examples, and a message fed in uneven pieces that cross
 * the 64-byte blocks and the padding boundary. */
static void test_sha256(void)
{
    char hex[65];
    ax_sha256_hex("", 0, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ax_sha256_hex("abc", 3, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    ax_sha256_hex(two, strlen(two), hex);
    CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    struct ax_sha256 s;
    ax_sha256_init(&s);
    for (size_t at = 0, step = 1; at < strlen(two); at += step, step = step % 7 + 1)
        ax_sha256_update(&s, two + at, at + step <= strlen(two) ? step : strlen(two) - at);
    char pieces[65];
    ax_sha256_final_hex(&s, pieces);
    CHECK_STR(pieces, hex);
}

AX_TEST_MAIN(T(test_status_strings), T(test_sha256), T(test_quoted_strings), T(test_arena), T(test_diag_format), T(test_mem_hook),
             T(test_qty_ok), T(test_qty_errors), T(test_qty_format), T(test_fs_atomic),
             T(test_log_levels))
