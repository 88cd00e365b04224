/* Tokenizer tests: the byte tokenizer, Qwen2's pre-tokenizer splits, and
 * byte-level BPE on a small vocabulary and merge list written here, with
 * exact token ids and decode round trips. */
#include "model_test_util.h"

#include "ax_mem.h"
#include "ax_tokenizer.h"

/* ---- the pre-tokenizer --------------------------------------------------- */

/* Splits `text` and compares with the NULL-terminated `want` pieces. */
static int splits_as(const char *text, const char *const *want)
{
    size_t len = strlen(text), pos = 0, k = 0;
    int is_ok = 1;
    while (pos < len) {
        size_t end = ax_tok_pretoken_end(text, len, pos);
        if (end <= pos || end > len) {
            fprintf(stderr, "  no progress at %zu in \"%s\"\n", pos, text);
            return 0;
        }
        if (!want[k] || strlen(want[k]) != end - pos || memcmp(want[k], text + pos, end - pos)) {
            fprintf(stderr, "  \"%s\": piece %zu is \"%.*s\", expected \"%s\"\n", text, k,
                    (int)(end - pos), text + pos, want[k] ? want[k] : "(end)");
            is_ok = 0;
        }
        k++;
        pos = end;
    }
    if (want[k]) {
        fprintf(stderr, "  \"%s\": missing piece \"%s\"\n", text, want[k]);
        is_ok = 0;
    }
    return is_ok;
}

#define SPLITS(text, ...) CHECK(splits_as(text, (const char *const[]){__VA_ARGS__, NULL}))

static void test_pretokenizer(void)
{
    SPLITS("Hello world", "Hello", " world");
    SPLITS("don't", "don", "'t");
    SPLITS("I'M HERE'LL", "I", "'M", " HERE", "'LL");
    SPLITS("abc123def", "abc", "1", "2", "3", "def"); /* one digit at a time */
    SPLITS("2024 year", "2", "0", "2", "4", " year");
    SPLITS("hello  world", "hello", " ", " world"); /* \s+(?!\S) then " world" */
    SPLITS("end   ", "end", "   ");                 /* trailing spaces stay whole */
    SPLITS("x\r\n\r\ny", "x", "\r\n\r\n", "y");
    SPLITS("a \n b", "a", " \n", " b");               /* \s*[\r\n]+ */
    SPLITS("foo!!!\n\nbar", "foo", "!!!\n\n", "bar"); /* punctuation takes newlines */
    SPLITS("x ??y", "x", " ??", "y");
    SPLITS("$hello (world)", "$hello", " (", "world", ")"); /* one leading non-letter */
    SPLITS("\tfoo", "\tfoo");
    SPLITS("1 2", "1", " ", "2");
    SPLITS("naïve café", "naïve", " café");
    SPLITS("Привет мир", "Привет", " мир");
    SPLITS("中文，测试。", "中文", "，测试", "。");
    SPLITS("x\xe3\x80\x80y", "x", "\xe3\x80\x80y");     /* U+3000 is a space */
    SPLITS("\xd9\xa3\xd9\xa4", "\xd9\xa3", "\xd9\xa4"); /* Arabic-Indic digits */
    SPLITS("a\xffz", "a", "\xffz");                     /* invalid UTF-8: punctuation */
    SPLITS("'", "'");
    SPLITS("'sa", "'s", "a");
}

/* ---- byte-level BPE on a vocabulary written here ------------------------- */

/* GPT-2's byte-to-unicode table, computed independently of the library. */
static uint32_t byte_cp(unsigned b)
{
    if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE)
        return b;
    uint32_t n = 0;
    for (unsigned x = 0; x < b; x++)
        n += !((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || x >= 0xAE);
    return 256 + n;
}

/* Appends the byte-level form of bytes s[0..n) to the string buffer, JSON
 * escaped when `is_json`. */
static void put_byte_level(struct strbuf *b, const char *s, size_t n, int is_json)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = byte_cp((unsigned char)s[i]);
        if (cp < 0x80) {
            if (is_json && (cp == '"' || cp == '\\'))
                sb_printf(b, "\\%c", (char)cp);
            else
                sb_printf(b, "%c", (char)cp);
        } else {
            sb_printf(b, "%c%c", (char)(0xC0 | cp >> 6), (char)(0x80 | (cp & 0x3F)));
        }
    }
}

/* The merges, in rank order, as raw bytes; merge r makes token 256 + r. */
static const char *const merges[][2] = {
    {" ", "t"},           /* 256 */
    {"h", "e"},           /* 257 */
    {" t", "he"},         /* 258 " the" */
    {"l", "l"},           /* 259 */
    {"e", "ll"},          /* 260 "ell" */
    {"h", "ell"},         /* 261 */
    {"hell", "o"},        /* 262 */
    {" ", "w"},           /* 263 */
    {"o", "r"},           /* 264 */
    {" w", "or"},         /* 265 */
    {"l", "d"},           /* 266 */
    {" wor", "ld"},       /* 267 " world" */
    {"\n", "\n"},         /* 268 */
    {" ", " "},           /* 269 */
    {"1", "2"},           /* 270: must never fire, digits are split */
    {"\xc3", "\xa9"},     /* 271 "é" */
    {"c", "a"},           /* 272 */
    {"ca", "f"},          /* 273 */
    {"caf", "\xc3\xa9"},  /* 274 "café" */
    {"'", "s"},           /* 275 */
    {"!", "!"},           /* 276 */
    {"\xe4", "\xb8"},     /* 277 */
    {"\xe4\xb8", "\xad"}, /* 278 "中" */
    {"H", "e"},           /* 279: lower rank than "e ll", so "Hello" never uses it */
    {"He", "ll"},         /* 280 */
    {"\"", "\\"},         /* 281: JSON-escaped in vocab.json */
};
#define N_MERGES (sizeof merges / sizeof merges[0])

/* Writes vocab.json and merges.txt for the table above into `dir`. */
static void write_bpe_files(const char *dir)
{
    struct strbuf v = {0}, m = {0};
    sb_printf(&v, "{");
    for (unsigned b = 0; b < 256; b++) {
        char c = (char)b;
        sb_printf(&v, "%s\n\"", b ? "," : "");
        put_byte_level(&v, &c, 1, 1);
        sb_printf(&v, "\": %u", b);
    }
    sb_printf(&m, "#version: 0.2\n");
    for (size_t r = 0; r < N_MERGES; r++) {
        char both[64];
        snprintf(both, sizeof both, "%s%s", merges[r][0], merges[r][1]);
        sb_printf(&v, ",\n\"");
        put_byte_level(&v, both, strlen(both), 1);
        sb_printf(&v, "\": %zu", 256 + r);
        put_byte_level(&m, merges[r][0], strlen(merges[r][0]), 0);
        sb_printf(&m, " ");
        put_byte_level(&m, merges[r][1], strlen(merges[r][1]), 0);
        sb_printf(&m, "\n");
    }
    sb_printf(&v, "\n}\n");
    write_text(dir, "vocab.json", v.s);
    write_text(dir, "merges.txt", m.s);
    free(v.s);
    free(m.s);
}

static struct ax_tok *load_test_bpe(const char *dir)
{
    char vp[1024], mp[1024];
    join(vp, sizeof vp, dir, "vocab.json");
    join(mp, sizeof mp, dir, "merges.txt");
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_tok *tok = NULL;
    if (ax_tok_load_bpe(vp, mp, &tok, &d) != AX_OK)
        dump_diags(&d);
    ax_diag_list_free(&d);
    return tok;
}

/* Encodes `text` and compares with want[0..n). */
static int encodes_as(const struct ax_tok *tok, const char *text, const int32_t *want, size_t n)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    int32_t *ids = NULL;
    size_t n_ids = 0;
    int is_ok = ax_tok_encode(tok, text, strlen(text), &ids, &n_ids, &d) == AX_OK && n_ids == n;
    for (size_t i = 0; is_ok && i < n; i++)
        is_ok = ids[i] == want[i];
    if (!is_ok) {
        fprintf(stderr, "  \"%s\" encodes as", text);
        for (size_t i = 0; i < n_ids; i++)
            fprintf(stderr, " %d", (int)ids[i]);
        fprintf(stderr, "\n");
    }
    ax_mem_free(ids);
    ax_diag_list_free(&d);
    return is_ok;
}

#define ENCODES(tok, text, ...)                                                                    \
    CHECK(encodes_as(tok, text, (const int32_t[]){__VA_ARGS__},                                    \
                     sizeof((const int32_t[]){__VA_ARGS__}) / sizeof(int32_t)))

/* decode(encode(text)) == text, byte for byte. */
static int round_trips(const struct ax_tok *tok, const char *text, size_t len)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    int32_t *ids = NULL;
    size_t n_ids = 0;
    char *back = NULL;
    size_t back_len = 0;
    int is_ok = ax_tok_encode(tok, text, len, &ids, &n_ids, &d) == AX_OK &&
                ax_tok_decode(tok, ids, n_ids, &back, &back_len, &d) == AX_OK && back_len == len &&
                memcmp(back, text, len) == 0;
    ax_mem_free(ids);
    ax_mem_free(back);
    ax_diag_list_free(&d);
    return is_ok;
}

static void test_bpe(void)
{
    char *dir = scratch_dir("bpe");
    write_bpe_files(dir);
    struct ax_tok *tok = load_test_bpe(dir);
    CHECK(tok != NULL);
    if (!tok) {
        remove_dir(dir);
        return;
    }
    CHECK(ax_tok_kind(tok) == AX_TOK_KIND_BPE);
    CHECK(ax_tok_vocab_size(tok) == 256 + N_MERGES);
    CHECK(ax_tok_n_merges(tok) == N_MERGES);

    /* "Hello": "l l" then "e ll" win over "H e" (rank 279) -> H ell o */
    ENCODES(tok, "Hello", 'H', 260, 'o');
    ENCODES(tok, "hello", 257, 259, 'o'); /* "h e" (rank 1) before "l l" (rank 3) */
    ENCODES(tok, " world", 267);
    ENCODES(tok, "Hello world!! 123\n\n  the café's 中文", 'H', 260, 'o', 267, 276, ' ', '1', '2',
            '3', 268, ' ', 258, ' ', 274, 275, ' ', 278, 0xE6, 0x96, 0x87);
    ENCODES(tok, "a   ", 'a', 269, ' '); /* trailing spaces: one piece, merged in pairs */
    ENCODES(tok, "\tfoo", '\t', 'f', 'o', 'o');
    ENCODES(tok, "12", '1', '2'); /* the "1 2" merge never applies */
    ENCODES(tok, "\"\\", 281);

    const char *samples[] = {
        "Hello world!! 123\n\n  the café's 中文",
        "line one\r\nline two\n\n\ttabbed   \n",
        "naïve Привет 中文，测试。 ٣٤ x\xe3\x80\x80y",
        "",
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        CHECK(round_trips(tok, samples[i], strlen(samples[i])));
    /* every byte sequence round-trips, invalid UTF-8 included */
    char bytes[512];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof bytes; i++) {
        x = x * 1103515245u + 12345u;
        bytes[i] = (char)(x >> 16);
    }
    CHECK(round_trips(tok, bytes, sizeof bytes));

    struct ax_diag_list d;
    ax_diag_list_init(&d);
    char *text = NULL;
    size_t len = 0;
    int32_t bad[] = {5, 9999};
    CHECK(ax_tok_decode(tok, bad, 2, &text, &len, &d) == AX_ERR_INVALID && text == NULL);
    CHECK(has_diag(&d, AX_DIAG_ERROR, "token id 9999 is not in the vocabulary"));
    ax_diag_list_free(&d);
    ax_tok_free(tok);
    remove_dir(dir);
}

static void test_bpe_load_errors(void)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_tok *tok = NULL;
    static const char vocab[] = "{\"a\": 0, \"b\": 1, \"ab\": 2}";

    CHECK(ax_tok_parse_bpe("vocab.json", "{\"a\": 0,\n \"b\": }", 16, "merges.txt", "", 0, &tok,
                           &d) == AX_ERR_PARSE);
    CHECK(tok == NULL && has_diag(&d, AX_DIAG_ERROR, "vocab.json:2:"));

    CHECK(ax_tok_parse_bpe("vocab.json", "{\"a\": 0,\n \"b\": -3}", 18, "merges.txt", "", 0, &tok,
                           &d) == AX_ERR_INVALID);
    CHECK(has_diag(&d, AX_DIAG_ERROR, "vocab.json:2:2: error: token 'b': the id must be"));

    const char *m1 = "#version: 0.2\na b\na c\n";
    CHECK(ax_tok_parse_bpe("vocab.json", vocab, strlen(vocab), "merges.txt", m1, strlen(m1), &tok,
                           &d) == AX_ERR_INVALID);
    CHECK(has_diag(&d, AX_DIAG_ERROR, "merges.txt:3:3: error: merge 'a c': the token 'c' is not"));

    const char *m2 = "a b\nab\n";
    CHECK(ax_tok_parse_bpe("vocab.json", vocab, strlen(vocab), "merges.txt", m2, strlen(m2), &tok,
                           &d) == AX_ERR_INVALID);
    CHECK(has_diag(&d, AX_DIAG_ERROR, "merges.txt:2:1: error: expected a merge 'LEFT RIGHT'"));

    static const char shared[] = "{\"a\": 0, \"b\": 0}";
    CHECK(ax_tok_parse_bpe("vocab.json", shared, strlen(shared), "merges.txt", "", 0, &tok, &d) ==
          AX_ERR_INVALID);
    CHECK(has_diag(&d, AX_DIAG_ERROR, "share the id 0"));

    /* a vocabulary without byte tokens cannot encode arbitrary text */
    CHECK(ax_tok_parse_bpe("vocab.json", vocab, strlen(vocab), "merges.txt", "a b\n", 4, &tok,
                           &d) == AX_OK);
    int32_t *ids = NULL;
    size_t n = 0;
    CHECK(ax_tok_encode(tok, "ab", 2, &ids, &n, &d) == AX_OK && n == 1 && ids[0] == 2);
    ax_mem_free(ids);
    CHECK(ax_tok_encode(tok, "abz", 3, &ids, &n, &d) == AX_ERR_UNSUPPORTED && ids == NULL);
    CHECK(has_diag(&d, AX_DIAG_ERROR, "no token for byte 0x7A"));
    ax_tok_free(tok);
    ax_diag_list_free(&d);
}

/* Loading and encoding fail cleanly wherever memory runs out. */
static void test_bpe_allocation_failures(void)
{
    char *dir = scratch_dir("bpeoom");
    write_bpe_files(dir);
    char vp[1024], mp[1024];
    join(vp, sizeof vp, dir, "vocab.json");
    join(mp, sizeof mp, dir, "merges.txt");
    static const char text[] = "Hello world!! 123\n\n  the café's 中文";
    int is_done = 0;
    for (long k = 0; k < 100000 && !is_done; k++) {
        struct ax_diag_list d;
        ax_diag_list_init(&d);
        struct ax_tok *tok = NULL;
        int32_t *ids = NULL;
        size_t n = 0;
        ax_test_allocs_left = k;
        ax_mem_set_hook(ax_test_failing_alloc, NULL);
        ax_status st = ax_tok_load_bpe(vp, mp, &tok, &d);
        if (st == AX_OK)
            st = ax_tok_encode(tok, text, strlen(text), &ids, &n, &d);
        ax_mem_set_hook(NULL, NULL);
        if (st == AX_OK)
            is_done = 1;
        else
            CHECK(st == AX_ERR_NOMEM && ids == NULL);
        ax_mem_free(ids);
        ax_tok_free(tok);
        ax_diag_list_free(&d);
    }
    CHECK(is_done);
    remove_dir(dir);
}

static void test_bytes(void)
{
    struct ax_tok *tok = NULL;
    CHECK(ax_tok_new_bytes(&tok) == AX_OK);
    CHECK(ax_tok_kind(tok) == AX_TOK_KIND_BYTES && ax_tok_vocab_size(tok) == 256);
    ENCODES(tok, "Hi\n\xc3\xa9", 'H', 'i', '\n', 0xC3, 0xA9);
    CHECK(round_trips(tok, "any\0bytes\xff", 10));
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    char *text = NULL;
    size_t len = 0;
    int32_t bad = 256;
    CHECK(ax_tok_decode(tok, &bad, 1, &text, &len, &d) == AX_ERR_INVALID);
    CHECK(has_diag(&d, AX_DIAG_ERROR, "token id 256 is not in the vocabulary"));
    ax_diag_list_free(&d);
    ax_tok_free(tok);
}

AX_TEST_MAIN(T(test_pretokenizer), T(test_bpe), T(test_bpe_load_errors),
             T(test_bpe_allocation_failures), T(test_bytes))
