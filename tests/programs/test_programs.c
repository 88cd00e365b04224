/* The hand-written programs of tests/programs (README.md there): every good
 * one parses (ax_prog_parse runs the verifier), agrees with the instruction
 * counts its comments state, and prints, parses again and encodes to the
 * same bytes; every malformed variant of bad.txt (a good program with a
 * small edit) is refused with a diagnostic that contains each piece its
 * `expect:` line lists (the core, the instruction index or the buffer). The
 * free SRAM the comments state is checked too, the header against the chip
 * the program embeds, and the example of docs/program.md parses. The good
 * programs are found by listing the folder and the variants by reading the
 * list, so a program or variant added there is tested without touching this
 * file. */
#define _POSIX_C_SOURCE 200809L
#include "ax_test.h"
#include "ax_test_prog.h"

#include "ax_arch.h"
#include "ax_diag.h"
#include "ax_fs.h"
#include "ax_isa.h"
#include "ax_mem.h"
#include "ax_prog.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdint.h>

#define DIR_GOOD AX_SOURCE_DIR "/tests/programs"
#define BAD_LIST DIR_GOOD "/bad.txt"
#define MAX_FILES 64
#define MAX_TEXT (1 << 22)

/* The names of the `.s` files of `dir`, sorted, into names[]; returns how
 * many (0 when the folder cannot be read: a check fails then). */
static int list_programs(const char *dir, char names[][256], int max)
{
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 3 || len >= 256 || strcmp(e->d_name + len - 2, ".s") != 0)
            continue;
        CHECK(n < max);
        if (n >= max)
            break;
        memcpy(names[n++], e->d_name, len + 1);
    }
    closedir(d);
    for (int i = 1; i < n; i++) /* insertion sort: a fixed order in the log */
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char t[256];
            memcpy(t, names[j], 256);
            memcpy(names[j], names[j - 1], 256);
            memcpy(names[j - 1], t, 256);
        }
    return n;
}

/* Parses `text` as the program at `path`; prints the diagnostics when it
 * fails and `is_expected_ok`. */
static ax_status parse_text(struct ax_prog *p, const char *path, const char *text, size_t len,
                            struct ax_diag_list *diags, int is_expected_ok)
{
    ax_prog_init(p, 0, 0);
    ax_status st = ax_prog_parse(p, path, text, len, diags);
    if (st != AX_OK && is_expected_ok) {
        fprintf(stderr, "%s: refused:\n", path);
        ax_diag_print(diags, stderr);
    }
    return st;
}

/* The comment block "# Instructions (N): mnem k, mnem k, ..." (continued on
 * lines starting "#   ") against the program's decoded instructions: the
 * total and each listed mnemonic's count must match, and every mnemonic
 * that occurs must be listed. */
static void check_stated_counts(const char *path, const char *text, const struct ax_prog *p)
{
    uint32_t actual[AX_ISA_OP_COUNT] = {0}, total = 0;
    for (uint32_t c = 0; c < p->n_code; c++)
        for (uint32_t i = 0; i < p->code[c].n_instr; i++) {
            struct ax_isa_instr in;
            if (ax_isa_decode(p->code[c].words[i], &in) == 0) {
                actual[in.op]++;
                total++;
            }
        }
    const char *at = strstr(text, "# Instructions (");
    CHECK(at != NULL);
    if (!at) {
        fprintf(stderr, "%s: no '# Instructions (N):' comment\n", path);
        return;
    }
    unsigned long stated_total = strtoul(at + strlen("# Instructions ("), NULL, 10);
    if (stated_total != total)
        fprintf(stderr, "%s: the comment states %lu instructions, the code has %u\n", path,
                stated_total, total);
    CHECK(stated_total == total);
    /* Gather the block's text: the first line after the colon, then every
     * continuation line. */
    char block[1024];
    size_t n = 0;
    const char *s = strchr(at, ':');
    while (s && n + 1 < sizeof block) {
        s++;
        while (*s && *s != '\n' && n + 1 < sizeof block)
            block[n++] = *s++;
        block[n++] = ' ';
        if (strncmp(s, "\n#   ", 5) != 0)
            break;
        s += 4;
    }
    block[n] = '\0';
    uint32_t stated[AX_ISA_OP_COUNT] = {0};
    int is_listed[AX_ISA_OP_COUNT] = {0};
    for (char *tok = strtok(block, ","); tok; tok = strtok(NULL, ",")) {
        char mnem[32];
        unsigned k;
        if (sscanf(tok, " %31s %u", mnem, &k) != 2)
            continue;
        int found = 0;
        for (int op = 0; op < AX_ISA_OP_COUNT; op++)
            if (strcmp(ax_isa_mnemonic((enum ax_isa_op)op), mnem) == 0) {
                stated[op] = k;
                is_listed[op] = 1;
                found = 1;
            }
        if (!found)
            fprintf(stderr, "%s: the comment counts '%s', which is no mnemonic\n", path, mnem);
        CHECK(found);
    }
    for (int op = 0; op < AX_ISA_OP_COUNT; op++) {
        int is_ok = (is_listed[op] || actual[op] == 0) && stated[op] == actual[op];
        if (!is_ok)
            fprintf(stderr, "%s: %s: the comment states %u, the code has %u\n", path,
                    ax_isa_mnemonic((enum ax_isa_op)op), stated[op], actual[op]);
        CHECK(is_ok);
    }
}

/* The comment "# sram_free_bytes_min N, sram_free_bytes_median M" (what
 * `axon inspect --json` reports) against ax_prog_sram_free. */
static void check_stated_free(const char *path, const char *text, const struct ax_prog *p)
{
    const char *at = strstr(text, "# sram_free_bytes_min ");
    unsigned long long min = 0, median = 0;
    int n = at ? sscanf(at, "# sram_free_bytes_min %llu, sram_free_bytes_median %llu", &min,
                        &median)
               : 0;
    if (n != 2)
        fprintf(stderr, "%s: no '# sram_free_bytes_min N, sram_free_bytes_median M' comment\n",
                path);
    CHECK(n == 2);
    uint64_t got_min = 0, got_median = 0;
    CHECK(ax_prog_sram_free(p, &got_min, &got_median) == AX_OK);
    if (n == 2 && (got_min != min || got_median != median))
        fprintf(stderr, "%s: free SRAM min %llu, median %llu; the comment states %llu, %llu\n",
                path, (unsigned long long)got_min, (unsigned long long)got_median, min, median);
    CHECK(got_min == min && got_median == median);
}

/* The header against the chip description the program embeds (the verifier
 * does not read chip files): cores = chips x cores a chip, SRAM words =
 * sram.capacity / 4, DRAM bytes a chip = dram.capacity or 0. */
static void check_header_against_chip(const char *path, const struct ax_prog *p)
{
    const struct ax_prog_file *f = ax_prog_find_file(p, "chip.yaml");
    CHECK(f != NULL);
    if (!f)
        return;
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_arch_t *arch = NULL;
    ax_status st = ax_arch_load_text("chip.yaml", (const char *)f->data, (size_t)f->size, &arch,
                                     &diags);
    if (st != AX_OK)
        ax_diag_print(&diags, stderr);
    CHECK(st == AX_OK);
    if (st == AX_OK) {
        const struct ax_chip_desc *chip = &ax_arch_desc(arch)->chip;
        uint32_t per_chip = ax_arch_cores_per_chip(arch);
        uint64_t cores = (uint64_t)per_chip * ax_arch_n_chips(arch);
        uint64_t sram_words = (uint64_t)(chip->core.sram.capacity_bytes / 4);
        uint64_t dram = chip->dram.is_present ? (uint64_t)chip->dram.capacity_bytes : 0;
        int is_ok = p->n_cores == cores && p->sram_words == sram_words &&
                    p->cores_per_chip == per_chip && p->dram_bytes_per_chip == dram;
        if (!is_ok)
            fprintf(stderr,
                    "%s: header cores %u, sram_words %u, cores_per_chip %u, dram_bytes_per_chip "
                    "%llu; the embedded chip gives %llu, %llu, %u, %llu\n",
                    path, p->n_cores, p->sram_words, p->cores_per_chip,
                    (unsigned long long)p->dram_bytes_per_chip, (unsigned long long)cores,
                    (unsigned long long)sram_words, per_chip, (unsigned long long)dram);
        CHECK(is_ok);
    }
    ax_arch_free(arch);
    ax_diag_list_free(&diags);
}

/* Reads the program `name` of this folder into a fresh buffer *text (freed
 * with ax_mem_free) of *len bytes, and its path into path[size]; a status
 * other than AX_OK comes with a diagnostic in `diags` and a failed check. */
static ax_status read_program(const char *name, char *path, size_t size, char **text, size_t *len,
                              struct ax_diag_list *diags)
{
    snprintf(path, size, "%s/%s", DIR_GOOD, name);
    *text = NULL;
    *len = 0;
    ax_status st = ax_fs_read_file(path, MAX_TEXT, text, len, diags);
    CHECK(st == AX_OK);
    return st;
}

static void check_good(const char *name)
{
    char path[512];
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *text = NULL;
    size_t len = 0;
    ax_status st = read_program(name, path, sizeof path, &text, &len, &diags);
    struct ax_prog p, q;
    ax_prog_init(&q, 0, 0);
    if (st == AX_OK)
        st = parse_text(&p, path, text, len, &diags, 1);
    else
        ax_prog_init(&p, 0, 0);
    CHECK(st == AX_OK);
    if (st == AX_OK) {
        check_stated_counts(path, text, &p);
        check_stated_free(path, text, &p);
        check_header_against_chip(path, &p);
        /* print -> parse -> encode gives the bytes the source encodes to */
        unsigned char *a = NULL, *b = NULL;
        size_t alen = 0, blen = 0, plen = 0;
        CHECK(ax_prog_encode(&p, &a, &alen, &diags) == AX_OK);
        char *printed = ax_test_print_prog(&p, &plen);
        CHECK(printed != NULL);
        if (printed) {
            ax_prog_free(&q);
            CHECK(parse_text(&q, "printed.s", printed, plen, &diags, 1) == AX_OK);
            CHECK(ax_prog_encode(&q, &b, &blen, &diags) == AX_OK);
            CHECK(a && b && alen == blen && memcmp(a, b, alen) == 0);
            /* and the binary decodes to a program that prints the same text */
            struct ax_prog r;
            CHECK(ax_prog_decode(&r, "decoded.axb", a, alen, &diags) == AX_OK);
            size_t rlen = 0;
            char *reprinted = ax_test_print_prog(&r, &rlen);
            CHECK(reprinted && rlen == plen && memcmp(reprinted, printed, plen) == 0);
            free(reprinted);
            ax_prog_free(&r);
            free(printed);
        }
        ax_mem_free(a);
        ax_mem_free(b);
    }
    if (diags.n_errors)
        ax_diag_print(&diags, stderr);
    ax_prog_free(&p);
    ax_prog_free(&q);
    ax_mem_free(text);
    ax_diag_list_free(&diags);
}

/* ---- the malformed variants of bad.txt ---------------------------------------------- */

/* A variant of bad.txt as it is read: its keys so far (pointing into the
 * list's text) and its base's text with the edits so far applied. */
struct variant {
    int line;                    /* the line of its `id:` */
    int failures_before;         /* ax_test_failures when it started */
    const char *id, *base, *why; /* the values of those keys, NULL before them */
    char *expect;                /* the `expect:` value, cut into pieces at the end */
    const char *find;            /* a `find:` waiting for its `replace:`, or NULL */
    int n_edits;                 /* find/replace pairs so far */
    int is_defect;               /* the list is wrong here; the variant is not checked */
    char path[512];              /* the base's path: the name the text is parsed under */
    char *text;                  /* the edited text (ax_mem), NULL before `base:` */
    size_t len;                  /* its length */
};

/* Reports a defect of the list (not of the verifier) at `line`, as a failed
 * check; the variant being read is then not checked. */
static void list_defect(struct variant *v, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: %s%s", BAD_LIST, line, v->id ? v->id : "", v->id ? ": " : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    v->is_defect = 1;
    CHECK(0 && "a defect of bad.txt");
}

/* Turns the escapes of a find or replace value into their characters, in
 * place: \n a line break, \\ a backslash. Returns 0, or -1 when a backslash
 * starts no escape. */
static int unescape(char *s)
{
    char *out = s;
    for (; *s; s++) {
        if (*s != '\\') {
            *out++ = *s;
            continue;
        }
        s++;
        if (*s == 'n')
            *out++ = '\n';
        else if (*s == '\\')
            *out++ = '\\';
        else
            return -1;
    }
    *out = '\0';
    return 0;
}

/* Replaces the occurrence of `find` (non-empty) in v->text by `replace`
 * when there is exactly one; returns how many there are. */
static int apply_edit(struct variant *v, const char *find, const char *replace)
{
    size_t flen = strlen(find), rlen = strlen(replace);
    const char *at = NULL;
    int n = 0;
    for (const char *s = v->text; (s = strstr(s, find)) != NULL; s += flen) {
        if (n++ == 0)
            at = s;
    }
    if (n != 1)
        return n;
    size_t head = (size_t)(at - v->text), len = v->len - flen + rlen;
    char *out = ax_mem_alloc(len + 1);
    CHECK(out != NULL);
    if (!out)
        return n;
    memcpy(out, v->text, head);
    memcpy(out + head, replace, rlen);
    memcpy(out + head + rlen, at + flen, v->len - head - flen + 1); /* with the NUL */
    ax_mem_free(v->text);
    v->text = out;
    v->len = len;
    return n;
}

/* The quoted pieces of an `expect:` value, into pieces[] (pointers into
 * `expect`, whose closing quotes become NULs); returns how many, or -1 when
 * there are more than `max` or a quote is not closed. */
static int expected_pieces(char *expect, const char **pieces, int max)
{
    int n = 0;
    for (char *s = expect; (s = strchr(s, '"')) != NULL;) {
        char *end = strchr(s + 1, '"');
        if (!end || n == max)
            return -1;
        *end = '\0';
        pieces[n++] = s + 1;
        s = end + 1;
    }
    return n;
}

/* The edited text is refused, and one diagnostic contains every piece. */
static void check_refused(const struct variant *v, const char *const *pieces, int n_pieces)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_prog p;
    ax_status st = parse_text(&p, v->path, v->text, v->len, &diags, 0);
    if (st == AX_OK)
        fprintf(stderr, "%s:%d: %s: accepted, but it is malformed: %s\n", BAD_LIST, v->line, v->id,
                v->why);
    CHECK(st != AX_OK);
    CHECK(diags.n_errors > 0);
    int is_found = 0;
    for (uint32_t i = 0; i < diags.n_items && !is_found; i++) {
        char line[1024];
        ax_diag_format(&diags.items[i], line, sizeof line);
        int all = 1;
        for (int k = 0; k < n_pieces; k++)
            all &= strstr(line, pieces[k]) != NULL;
        is_found = all;
    }
    if (!is_found) {
        fprintf(stderr, "%s:%d: %s (%s edited): no diagnostic contains all of", BAD_LIST, v->line,
                v->id, v->base);
        for (int k = 0; k < n_pieces; k++)
            fprintf(stderr, " \"%s\"", pieces[k]);
        fprintf(stderr, "; the diagnostics were:\n");
        ax_diag_print(&diags, stderr);
    }
    CHECK(is_found);
    ax_prog_free(&p);
    ax_diag_list_free(&diags);
}

/* Ends the variant being read (if any): checks that the block is complete,
 * then, unless the list is wrong here, that its text is refused as
 * expected; prints its verdict and clears `v`. */
static void finish_variant(struct variant *v, int line)
{
    if (!v->id) {
        memset(v, 0, sizeof *v); /* a defect before the first id was reported already */
        return;
    }
    const char *pieces[8];
    int n_pieces = 0;
    if (!v->base)
        list_defect(v, v->line, "no 'base:' line");
    if (!v->why)
        list_defect(v, v->line, "no 'why:' line");
    if (v->find)
        list_defect(v, line, "'find:' without its 'replace:'");
    if (v->n_edits == 0)
        list_defect(v, v->line, "no find/replace pair");
    if (!v->expect)
        list_defect(v, v->line, "no 'expect:' line");
    else if ((n_pieces = expected_pieces(v->expect, pieces, 8)) <= 0)
        list_defect(v, v->line, "'expect:' needs 1 to 8 quoted pieces");
    if (!v->is_defect)
        check_refused(v, pieces, n_pieces);
    printf("  bad.txt: %-22s %s\n", v->id,
           v->is_defect                             ? "DEFECT of the list"
           : ax_test_failures == v->failures_before ? "refused as expected"
                                                    : "FAILED");
    ax_mem_free(v->text);
    memset(v, 0, sizeof *v);
}

/* Reads bad.txt (its format is in its opening comment), applies each
 * variant's edits to its base and checks that the result is refused with
 * the expected message. A find text that occurs other than once, a missing
 * or unknown key, or a repeated id is a defect of the list: a failure named
 * by the variant's id. */
static void test_bad_variants(void)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *list = NULL;
    size_t list_len = 0;
    ax_status st = ax_fs_read_file(BAD_LIST, MAX_TEXT, &list, &list_len, &diags);
    if (st != AX_OK)
        ax_diag_print(&diags, stderr);
    CHECK(st == AX_OK);
    ax_diag_list_free(&diags);
    if (st != AX_OK)
        return;
    struct variant v;
    memset(&v, 0, sizeof v);
    const char *ids[MAX_FILES];
    int n_variants = 0, line = 0;
    for (char *s = list, *next; s; s = next) {
        line++;
        next = strchr(s, '\n');
        if (next)
            *next++ = '\0';
        if (*s == '\0' || *s == '#')
            continue;
        char *val = strchr(s, ':');
        if (!val) {
            list_defect(&v, line, "expected 'key: value'");
            continue;
        }
        *val++ = '\0';
        if (*val == ' ')
            val++;
        const char *key = s;
        if (strcmp(key, "id") == 0) {
            finish_variant(&v, line);
            v.line = line;
            v.id = val;
            v.failures_before = ax_test_failures;
            if (*val == '\0' || strspn(val, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789._-") != strlen(val))
                list_defect(&v, line, "an id is letters, digits, '.', '_' and '-'");
            for (int i = 0; i < n_variants && i < MAX_FILES; i++)
                if (strcmp(ids[i], val) == 0)
                    list_defect(&v, line, "the id is given twice");
            CHECK(n_variants < MAX_FILES);
            if (n_variants < MAX_FILES)
                ids[n_variants] = val;
            n_variants++;
        } else if (!v.id) {
            list_defect(&v, line, "'%s:' before the first 'id:'", key);
        } else if (v.expect) {
            list_defect(&v, line, "'%s:' after the block's 'expect:'", key);
        } else if (strcmp(key, "base") == 0) {
            if (v.base) {
                list_defect(&v, line, "two 'base:' lines");
                continue;
            }
            v.base = val;
            ax_diag_list_init(&diags);
            if (read_program(val, v.path, sizeof v.path, &v.text, &v.len, &diags) != AX_OK) {
                ax_diag_print(&diags, stderr);
                list_defect(&v, line, "cannot read its base '%s'", val);
            }
            ax_diag_list_free(&diags);
        } else if (strcmp(key, "why") == 0) {
            v.why = val;
        } else if (strcmp(key, "find") == 0) {
            if (v.find)
                list_defect(&v, line, "two 'find:' lines without a 'replace:'");
            else if (unescape(val) != 0 || *val == '\0')
                list_defect(&v, line, "an empty 'find:', or a '\\' that is not \\n or \\\\");
            else
                v.find = val;
        } else if (strcmp(key, "replace") == 0) {
            if (!v.find) {
                list_defect(&v, line, "'replace:' without a 'find:'");
                continue;
            }
            const char *find = v.find;
            v.find = NULL;
            v.n_edits++;
            if (unescape(val) != 0)
                list_defect(&v, line, "a '\\' that is not \\n or \\\\");
            else if (strcmp(val, find) == 0)
                list_defect(&v, line, "replace equals find");
            else if (!v.text)
                list_defect(&v, line, "an edit without a base to apply it to");
            else {
                int n = apply_edit(&v, find, val);
                if (n != 1)
                    list_defect(&v, line, "find text %d occurs %d times in %s, not once", v.n_edits,
                                n, v.base);
            }
        } else if (strcmp(key, "expect") == 0) {
            v.expect = val;
        } else {
            list_defect(&v, line, "unknown key '%s' (id, base, why, find, replace, expect)", key);
        }
    }
    finish_variant(&v, line);
    CHECK(n_variants >= 5);
    ax_mem_free(list);
}

/* The example of docs/program.md ("A complete small program") is a valid
 * program: the page's reader can start from it. It is parsed as if it were
 * a file of this folder, where its `.file ... from=` path resolves. */
static void test_doc_example(void)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *doc = NULL;
    size_t len = 0;
    ax_status st = ax_fs_read_file(AX_SOURCE_DIR "/docs/program.md", MAX_TEXT, &doc, &len, &diags);
    CHECK(st == AX_OK);
    const char *head = st == AX_OK ? strstr(doc, "### A complete small program") : NULL;
    const char *start = head ? strstr(head, "```\n") : NULL;
    const char *end = start ? strstr(start + 4, "\n```") : NULL;
    CHECK(start && end);
    if (start && end) {
        struct ax_prog p;
        start += 4;
        st = parse_text(&p, DIR_GOOD "/doc-example.s", start, (size_t)(end - start) + 1, &diags, 1);
        CHECK(st == AX_OK);
        ax_prog_free(&p);
    }
    ax_mem_free(doc);
    ax_diag_list_free(&diags);
}

static char good[MAX_FILES][256];

static void test_good_programs(void)
{
    int n = list_programs(DIR_GOOD, good, MAX_FILES);
    CHECK(n >= 3);
    for (int i = 0; i < n; i++) {
        int before = ax_test_failures;
        check_good(good[i]);
        printf("  %-28s %s\n", good[i], ax_test_failures == before ? "ok" : "FAILED");
    }
}

AX_TEST_MAIN(T(test_good_programs), T(test_bad_variants), T(test_doc_example))
