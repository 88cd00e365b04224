/* Byte and Qwen2 byte-level BPE tokenizers (see ax_tokenizer.h). */
#include "ax_tokenizer.h"

#include "ax_arena.h"
#include "ax_fs.h"
#include "ax_mem.h"
#include "json_util.h"

#include <string.h>

static const char *const kind_names[] = {"bytes", "bpe"};
_Static_assert(sizeof kind_names / sizeof kind_names[0] == AX_TOK_KIND_COUNT, "kind names");

/* The largest vocab.json and merges.txt accepted (Qwen2's: 2.8 MB, 1.7 MB). */
#define MAX_TOKENIZER_FILE ((size_t)256 * 1024 * 1024)

/* string -> id, open addressing; an empty slot has str == NULL */
struct str_slot {
    const char *str;
    uint32_t len;
    int32_t id;
};

/* (left id, right id) -> merge rank and merged id; an empty slot has rank UINT32_MAX */
struct pair_slot {
    uint64_t key;
    uint32_t rank;
    int32_t merged;
};

struct ax_tok {
    enum ax_tok_kind kind;
    uint32_t n_vocab;    /* largest id + 1 */
    const char **id_str; /* per id, NULL for ids the vocabulary skips (bpe) */
    uint32_t *id_len;
    struct str_slot *strs;
    uint32_t str_cap; /* a power of two */
    struct pair_slot *pairs;
    uint32_t pair_cap; /* a power of two */
    uint32_t n_merges;
    int32_t byte_id[256];  /* token of each single byte, -1 when absent */
    uint32_t byte_cp[256]; /* GPT-2 byte-to-unicode */
    int16_t cp_byte[512];  /* its inverse, -1 where undefined */
    struct ax_arena arena;
};

const char *ax_tok_kind_str(enum ax_tok_kind kind)
{
    return (unsigned)kind < AX_TOK_KIND_COUNT ? kind_names[kind] : "?";
}
enum ax_tok_kind ax_tok_kind(const struct ax_tok *tok)
{
    return tok->kind;
}
uint32_t ax_tok_vocab_size(const struct ax_tok *tok)
{
    return tok->n_vocab;
}
uint32_t ax_tok_n_merges(const struct ax_tok *tok)
{
    return tok->n_merges;
}

void ax_tok_free(struct ax_tok *tok)
{
    if (!tok)
        return;
    ax_mem_free(tok->strs);
    ax_mem_free(tok->pairs);
    ax_arena_free(&tok->arena);
    ax_mem_free(tok);
}

static struct ax_tok *new_tok(enum ax_tok_kind kind)
{
    struct ax_tok *tok = ax_mem_calloc(1, sizeof *tok);
    if (!tok)
        return NULL;
    tok->kind = kind;
    ax_arena_init(&tok->arena, 0);
    return tok;
}

ax_status ax_tok_new_bytes(struct ax_tok **out)
{
    *out = new_tok(AX_TOK_KIND_BYTES);
    if (!*out)
        return AX_ERR_NOMEM;
    (*out)->n_vocab = 256;
    return AX_OK;
}

/* ---- UTF-8 and character classes ----------------------------------------- */

/* Decodes one code point at s[pos]; an invalid sequence yields one byte with
 * code point UINT32_MAX (classified as punctuation). Returns its length. */
static size_t utf8_next(const unsigned char *s, size_t len, size_t pos, uint32_t *cp)
{
    unsigned char c = s[pos];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || pos + n > len) {
        *cp = UINT32_MAX;
        return 1;
    }
    if (n == 1) {
        *cp = c;
        return 1;
    }
    uint32_t v = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[pos + i] & 0xC0) != 0x80) {
            *cp = UINT32_MAX;
            return 1;
        }
        v = v << 6 | (s[pos + i] & 0x3F);
    }
    static const uint32_t min_of_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min_of_len[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = UINT32_MAX;
        return 1;
    }
    *cp = v;
    return n;
}

static size_t utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | cp >> 12);
    out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

struct cp_range {
    uint32_t lo, hi;
};

static int in_ranges(uint32_t cp, const struct cp_range *r, size_t n)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < r[mid].lo)
            hi = mid;
        else if (cp > r[mid].hi)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

#include "unicode_classes.h"

#define N_RANGES(r) (sizeof(r) / sizeof((r)[0]))

static int is_space(uint32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || (cp >= '\t' && cp <= '\r');
    return in_ranges(cp, space_ranges, N_RANGES(space_ranges));
}

static int is_number(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= '0' && cp <= '9';
    return in_ranges(cp, number_ranges, N_RANGES(number_ranges));
}

static int is_letter(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    return in_ranges(cp, letter_ranges, N_RANGES(letter_ranges));
}

static int is_newline(uint32_t cp)
{
    return cp == '\r' || cp == '\n';
}

/* ---- the pre-tokenizer ---------------------------------------------------- */

static int lower_ascii(uint32_t cp)
{
    return cp >= 'A' && cp <= 'Z' ? (int)(cp + 32) : (int)cp;
}

/* Length of a contraction ('s 't 're 've 'm 'll 'd, any case) at pos, or 0. */
static size_t contraction_len(const unsigned char *s, size_t len, size_t pos)
{
    if (s[pos] != '\'' || pos + 1 >= len)
        return 0;
    int a = lower_ascii(s[pos + 1]);
    if (a == 's' || a == 't' || a == 'm' || a == 'd')
        return 2;
    if (pos + 2 >= len)
        return 0;
    int b = lower_ascii(s[pos + 2]);
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
        return 3;
    return 0;
}

/* End of the run of code points from `pos` that satisfy `pred`. */
static size_t run_end(const unsigned char *s, size_t len, size_t pos, int (*pred)(uint32_t))
{
    while (pos < len) {
        uint32_t cp;
        size_t n = utf8_next(s, len, pos, &cp);
        if (!pred(cp))
            break;
        pos += n;
    }
    return pos;
}

static int is_punct(uint32_t cp)
{
    return !is_space(cp) && !is_letter(cp) && !is_number(cp);
}

size_t ax_tok_pretoken_end(const char *text, size_t len, size_t pos)
{
    const unsigned char *s = (const unsigned char *)text;
    uint32_t c0, c1 = 0;
    size_t n0 = utf8_next(s, len, pos, &c0);
    size_t n1 = pos + n0 < len ? utf8_next(s, len, pos + n0, &c1) : 0;

    /* (?i:'s|'t|'re|'ve|'m|'ll|'d) */
    size_t k = contraction_len(s, len, pos);
    if (k)
        return pos + k;
    /* [^\r\n\p{L}\p{N}]?\p{L}+ */
    if (is_letter(c0))
        return run_end(s, len, pos + n0, is_letter);
    if (n1 && !is_newline(c0) && !is_number(c0) && is_letter(c1))
        return run_end(s, len, pos + n0, is_letter);
    /* \p{N}: one digit at a time */
    if (is_number(c0))
        return pos + n0;
    /* ' '?[^\s\p{L}\p{N}]+[\r\n]* */
    if (is_punct(c0))
        return run_end(s, len, run_end(s, len, pos, is_punct), is_newline);
    if (c0 == ' ' && n1 && is_punct(c1))
        return run_end(s, len, run_end(s, len, pos + 1, is_punct), is_newline);
    /* c0 is whitespace. \s*[\r\n]+ : up to the last newline of the run */
    size_t end = run_end(s, len, pos, is_space), last_nl = 0;
    for (size_t i = pos; i < end; i++) {
        if (s[i] == '\r' || s[i] == '\n')
            last_nl = i + 1;
    }
    if (last_nl)
        return last_nl;
    /* \s+(?!\S) : the run but its last character, unless it ends the text */
    if (end == len)
        return end;
    size_t last = pos, i = pos;
    while (i < end) {
        last = i;
        uint32_t cp;
        i += utf8_next(s, len, i, &cp);
    }
    if (last > pos)
        return last;
    /* \s+ */
    return end;
}

/* ---- hash tables ---------------------------------------------------------- */

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static uint32_t hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (uint32_t)x;
}

static uint32_t pow2_at_least(uint64_t n)
{
    uint32_t c = 16;
    while (c < n && c < (1u << 31))
        c <<= 1;
    return c;
}

/* The id of token string s[0..n), or -1. */
static int32_t find_str(const struct ax_tok *tok, const char *s, size_t n)
{
    if (!tok->str_cap)
        return -1;
    for (uint32_t i = hash_bytes(s, n) & (tok->str_cap - 1);; i = (i + 1) & (tok->str_cap - 1)) {
        const struct str_slot *e = &tok->strs[i];
        if (!e->str)
            return -1;
        if (e->len == n && memcmp(e->str, s, n) == 0)
            return e->id;
    }
}

static const struct pair_slot *find_pair(const struct ax_tok *tok, int32_t a, int32_t b)
{
    uint64_t key = (uint64_t)(uint32_t)a << 32 | (uint32_t)b;
    for (uint32_t i = hash_u64(key) & (tok->pair_cap - 1);; i = (i + 1) & (tok->pair_cap - 1)) {
        const struct pair_slot *e = &tok->pairs[i];
        if (e->rank == UINT32_MAX)
            return NULL;
        if (e->key == key)
            return e;
    }
}

/* ---- loading -------------------------------------------------------------- */

static void init_byte_map(struct ax_tok *tok)
{
    uint32_t n = 0;
    for (int i = 0; i < 512; i++)
        tok->cp_byte[i] = -1;
    for (uint32_t b = 0; b < 256; b++) {
        int is_printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
        tok->byte_cp[b] = is_printable ? b : 256 + n++;
        tok->cp_byte[tok->byte_cp[b]] = (int16_t)b;
    }
}

static ax_status load_vocab(struct ax_tok *tok, const struct ax_json_doc *doc,
                            struct ax_diag_list *diags)
{
    size_t n = json_object_size(doc->root);
    uint32_t n_errors = 0;
    const char *key;
    json_t *value;
    json_int_t max_id = -1;
    json_object_foreach(doc->root, key, value) {
        json_int_t id = json_is_integer(value) ? json_integer_value(value) : -1;
        if (id < 0 || id >= (1 << 24)) {
            uint32_t line, col;
            ax_json_key_pos(doc, key, &line, &col);
            ax_diag_add(diags, AX_DIAG_ERROR, doc->path, line, col,
                        "token '%s': the id must be an integer from 0 to 16777215", key);
            n_errors++;
            continue;
        }
        if (id > max_id)
            max_id = id;
    }
    if (n_errors)
        return AX_ERR_INVALID;
    tok->n_vocab = (uint32_t)(max_id + 1);
    tok->str_cap = pow2_at_least(2 * (uint64_t)n);
    tok->strs = ax_mem_calloc(tok->str_cap, sizeof *tok->strs);
    tok->id_str = ax_arena_calloc(&tok->arena, tok->n_vocab + 1, sizeof *tok->id_str);
    tok->id_len = ax_arena_calloc(&tok->arena, tok->n_vocab + 1, sizeof *tok->id_len);
    if (!tok->strs || !tok->id_str || !tok->id_len)
        return AX_ERR_NOMEM;
    json_object_foreach(doc->root, key, value) {
        int32_t id = (int32_t)json_integer_value(value);
        size_t len = strlen(key);
        const char *s = ax_arena_strndup(&tok->arena, key, len);
        if (!s)
            return AX_ERR_NOMEM;
        if (tok->id_str[id]) {
            uint32_t line, col;
            ax_json_key_pos(doc, key, &line, &col);
            ax_diag_add(diags, AX_DIAG_ERROR, doc->path, line, col,
                        "tokens '%s' and '%s' share the id %d", tok->id_str[id], key, (int)id);
            n_errors++;
            continue;
        }
        tok->id_str[id] = s;
        tok->id_len[id] = (uint32_t)len;
        uint32_t i = hash_bytes(s, len) & (tok->str_cap - 1);
        while (tok->strs[i].str)
            i = (i + 1) & (tok->str_cap - 1);
        tok->strs[i] = (struct str_slot){s, (uint32_t)len, id};
    }
    return n_errors ? AX_ERR_INVALID : AX_OK;
}

static ax_status load_merges(struct ax_tok *tok, const char *name, const char *text, size_t len,
                             struct ax_diag_list *diags)
{
    uint64_t n_lines = 1;
    for (size_t i = 0; i < len; i++)
        n_lines += text[i] == '\n';
    tok->pair_cap = pow2_at_least(2 * n_lines);
    tok->pairs = ax_mem_calloc(tok->pair_cap, sizeof *tok->pairs);
    if (!tok->pairs)
        return AX_ERR_NOMEM;
    for (uint32_t i = 0; i < tok->pair_cap; i++)
        tok->pairs[i].rank = UINT32_MAX;
    char *buf = NULL;
    size_t buf_cap = 0;
    uint32_t n_errors = 0, line = 0;
    for (size_t pos = 0; pos < len;) {
        const char *eol = memchr(text + pos, '\n', len - pos);
        size_t end = eol ? (size_t)(eol - text) : len, next = eol ? end + 1 : len;
        line++;
        size_t n = end - pos;
        if (n && text[pos + n - 1] == '\r')
            n--;
        const char *l = text + pos;
        pos = next;
        if (n == 0 || (line == 1 && n >= 8 && memcmp(l, "#version", 8) == 0))
            continue;
        const char *sp = memchr(l, ' ', n);
        if (!sp || sp == l || sp == l + n - 1 || memchr(sp + 1, ' ', (size_t)(l + n - sp - 1))) {
            ax_diag_add(diags, AX_DIAG_ERROR, name, line, 1,
                        "expected a merge 'LEFT RIGHT' (two tokens and one space)");
            n_errors++;
            continue;
        }
        size_t na = (size_t)(sp - l), nb = n - na - 1;
        if (na + nb + 1 > buf_cap) {
            buf_cap = 2 * (na + nb + 1);
            char *grown = ax_mem_realloc(buf, buf_cap);
            if (!grown) {
                ax_mem_free(buf);
                return AX_ERR_NOMEM;
            }
            buf = grown;
        }
        memcpy(buf, l, na);
        memcpy(buf + na, sp + 1, nb);
        int32_t a = find_str(tok, l, na), b = find_str(tok, sp + 1, nb);
        int32_t m = find_str(tok, buf, na + nb);
        if (a < 0 || b < 0 || m < 0) {
            ax_diag_add(diags, AX_DIAG_ERROR, name, line,
                        a < 0   ? 1
                        : b < 0 ? (uint32_t)na + 2
                                : 1,
                        "merge '%.*s': %s '%.*s' is not in the vocabulary", (int)n, l,
                        a < 0   ? "the token"
                        : b < 0 ? "the token"
                                : "the merged token",
                        a < 0   ? (int)na
                        : b < 0 ? (int)nb
                                : (int)(na + nb),
                        a < 0   ? l
                        : b < 0 ? sp + 1
                                : buf);
            n_errors++;
            continue;
        }
        uint64_t key = (uint64_t)(uint32_t)a << 32 | (uint32_t)b;
        uint32_t i = hash_u64(key) & (tok->pair_cap - 1);
        while (tok->pairs[i].rank != UINT32_MAX && tok->pairs[i].key != key)
            i = (i + 1) & (tok->pair_cap - 1);
        if (tok->pairs[i].rank == UINT32_MAX) /* a repeated merge keeps its first rank */
            tok->pairs[i] = (struct pair_slot){key, tok->n_merges++, m};
    }
    ax_mem_free(buf);
    return n_errors ? AX_ERR_INVALID : AX_OK;
}

ax_status ax_tok_parse_bpe(const char *vocab_name, const char *vocab_text, size_t vocab_len,
                           const char *merges_name, const char *merges_text, size_t merges_len,
                           struct ax_tok **out, struct ax_diag_list *diags)
{
    *out = NULL;
    struct ax_json_doc doc;
    ax_status st = ax_json_doc_parse(vocab_name, vocab_text, vocab_len, &doc, diags);
    if (st != AX_OK)
        return st;
    struct ax_tok *tok = new_tok(AX_TOK_KIND_BPE);
    if (!tok) {
        ax_json_doc_free(&doc);
        return AX_ERR_NOMEM;
    }
    init_byte_map(tok);
    st = load_vocab(tok, &doc, diags);
    ax_json_doc_free(&doc);
    if (st == AX_OK)
        st = load_merges(tok, merges_name, merges_text, merges_len, diags);
    if (st != AX_OK) {
        ax_tok_free(tok);
        return st;
    }
    for (int b = 0; b < 256; b++) {
        char sym[4];
        tok->byte_id[b] = find_str(tok, sym, utf8_put(tok->byte_cp[b], sym));
    }
    *out = tok;
    return AX_OK;
}

ax_status ax_tok_load_bpe(const char *vocab_path, const char *merges_path, struct ax_tok **out,
                          struct ax_diag_list *diags)
{
    *out = NULL;
    char *vocab = NULL, *merges = NULL;
    size_t vocab_len = 0, merges_len = 0;
    ax_status st = ax_fs_read_file(vocab_path, MAX_TOKENIZER_FILE, &vocab, &vocab_len, diags);
    if (st == AX_OK)
        st = ax_fs_read_file(merges_path, MAX_TOKENIZER_FILE, &merges, &merges_len, diags);
    if (st == AX_OK)
        st = ax_tok_parse_bpe(vocab_path, vocab, vocab_len, merges_path, merges, merges_len, out,
                              diags);
    ax_mem_free(vocab);
    ax_mem_free(merges);
    return st;
}

/* ---- encoding and decoding ------------------------------------------------ */

struct id_buf {
    int32_t *ids;
    size_t n, cap;
};

static int push_id(struct id_buf *b, int32_t id)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        int32_t *ids = ax_mem_realloc(b->ids, cap * sizeof *ids);
        if (!ids)
            return 0;
        b->ids = ids;
        b->cap = cap;
    }
    b->ids[b->n++] = id;
    return 1;
}

/* Byte-pair merges over the symbols sym[0..n): repeatedly merge every
 * occurrence of the adjacent pair with the lowest rank, left to right.
 * Returns the number of symbols left. */
static size_t bpe_merge(const struct ax_tok *tok, int32_t *sym, size_t n)
{
    for (;;) {
        uint32_t best = UINT32_MAX;
        for (size_t i = 0; i + 1 < n; i++) {
            const struct pair_slot *p = find_pair(tok, sym[i], sym[i + 1]);
            if (p && p->rank < best)
                best = p->rank;
        }
        if (best == UINT32_MAX)
            return n;
        size_t w = 0;
        for (size_t i = 0; i < n; i++) {
            const struct pair_slot *p = i + 1 < n ? find_pair(tok, sym[i], sym[i + 1]) : NULL;
            if (p && p->rank == best) {
                sym[w++] = p->merged;
                i++;
            } else {
                sym[w++] = sym[i];
            }
        }
        n = w;
    }
}

ax_status ax_tok_encode(const struct ax_tok *tok, const char *text, size_t len, int32_t **ids,
                        size_t *n_ids, struct ax_diag_list *diags)
{
    *ids = NULL;
    *n_ids = 0;
    struct id_buf out = {0};
    if (tok->kind == AX_TOK_KIND_BYTES) {
        for (size_t i = 0; i < len; i++) {
            if (!push_id(&out, (unsigned char)text[i])) {
                ax_mem_free(out.ids);
                return AX_ERR_NOMEM;
            }
        }
        *ids = out.ids ? out.ids : ax_mem_alloc(1);
        *n_ids = out.n;
        return *ids ? AX_OK : AX_ERR_NOMEM;
    }
    int32_t *sym = ax_mem_calloc(len ? len : 1, sizeof *sym);
    if (!sym)
        return AX_ERR_NOMEM;
    ax_status st = AX_OK;
    for (size_t pos = 0; pos < len && st == AX_OK;) {
        size_t end = ax_tok_pretoken_end(text, len, pos);
        size_t n = 0;
        for (size_t i = pos; i < end; i++) {
            int32_t id = tok->byte_id[(unsigned char)text[i]];
            if (id < 0) {
                ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                            "the vocabulary has no token for byte 0x%02X", (unsigned char)text[i]);
                st = AX_ERR_UNSUPPORTED;
                break;
            }
            sym[n++] = id;
        }
        n = st == AX_OK ? bpe_merge(tok, sym, n) : 0;
        for (size_t i = 0; i < n; i++) {
            if (!push_id(&out, sym[i])) {
                st = AX_ERR_NOMEM;
                break;
            }
        }
        pos = end;
    }
    ax_mem_free(sym);
    if (st == AX_OK && !out.ids)
        out.ids = ax_mem_alloc(1);
    if (st == AX_OK && !out.ids)
        st = AX_ERR_NOMEM;
    if (st != AX_OK) {
        ax_mem_free(out.ids);
        return st;
    }
    *ids = out.ids;
    *n_ids = out.n;
    return AX_OK;
}

ax_status ax_tok_decode(const struct ax_tok *tok, const int32_t *ids, size_t n_ids, char **text,
                        size_t *len, struct ax_diag_list *diags)
{
    *text = NULL;
    *len = 0;
    size_t cap = 1;
    for (size_t i = 0; i < n_ids; i++) {
        if (ids[i] < 0 || (uint32_t)ids[i] >= tok->n_vocab ||
            (tok->kind == AX_TOK_KIND_BPE && !tok->id_str[ids[i]])) {
            ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "token id %d is not in the vocabulary",
                        (int)ids[i]);
            return AX_ERR_INVALID;
        }
        cap += tok->kind == AX_TOK_KIND_BYTES ? 1 : tok->id_len[ids[i]];
    }
    char *out = ax_mem_alloc(cap);
    if (!out)
        return AX_ERR_NOMEM;
    size_t w = 0;
    for (size_t i = 0; i < n_ids; i++) {
        if (tok->kind == AX_TOK_KIND_BYTES) {
            out[w++] = (char)ids[i];
            continue;
        }
        const unsigned char *s = (const unsigned char *)tok->id_str[ids[i]];
        size_t n = tok->id_len[ids[i]];
        for (size_t p = 0; p < n;) {
            uint32_t cp;
            p += utf8_next(s, n, p, &cp);
            if (cp >= 512 || tok->cp_byte[cp] < 0) {
                ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                            "token %d ('%s') is not a byte-level token", (int)ids[i],
                            tok->id_str[ids[i]]);
                ax_mem_free(out);
                return AX_ERR_INVALID;
            }
            out[w++] = (char)tok->cp_byte[cp];
        }
    }
    out[w] = '\0';
    *text = out;
    *len = w;
    return AX_OK;
}
