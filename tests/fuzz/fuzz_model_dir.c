/* Fuzz target: a whole model directory (compiler/frontend/model.c,
 * ax_model_open): config.json, the checkpoint (one file, or an index and
 * its shards) validated against it, and the tokenizer.
 *
 * The input holds the directory's files as records. A record starts with a
 * line "@@ NAME" at the start of the input or right after a line feed; its
 * content is everything up to the line feed before the next record's "@@ "
 * (or to the end). NAME must be one of `names` below; a record of another
 * name is skipped, and of two records of one name the later wins. A file
 * without a record is absent, so one input can be a shape-only model, a
 * checkpoint without a config, a sharded checkpoint, or a model with a
 * byte-level BPE tokenizer:
 *
 *   @@ config.json
 *   {"model_type": "gla_swa", ...}
 *   @@ model.safetensors
 *   <8-byte header length><JSON header><data>
 *
 * The files go into a private folder made once at start-up (in the working
 * directory); each input removes the previous input's files first. A model
 * that opens is used as `axon inspect` uses it: its summary printed as text
 * and as JSON, and a few bytes encoded and decoded again when it has a
 * tokenizer. Everything is then freed. */
#include "fuzz_util.h"

#include "ax_mem.h"
#include "ax_model.h"
#include "ax_tokenizer.h"

#include <sys/stat.h>

static const char *const names[] = {
    "config.json",
    "model.safetensors",
    "model.safetensors.index.json",
    "model-00001-of-00002.safetensors",
    "model-00002-of-00002.safetensors",
    "vocab.json",
    "merges.txt",
};
#define N_NAMES (sizeof names / sizeof names[0])

static char folder[64];

static void path_of(char *path, size_t size, const char *name)
{
    snprintf(path, size, "%s/%s", folder, name);
}

static void remove_files(void)
{
    for (size_t i = 0; i < N_NAMES; i++) {
        char path[128];
        path_of(path, sizeof path, names[i]);
        remove(path);
    }
}

static void remove_folder(void)
{
    remove_files();
    rmdir(folder);
}

static void write_file(const char *name, const uint8_t *data, size_t size)
{
    char path[128];
    path_of(path, sizeof path, name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    strcpy(folder, "model-dir-XXXXXX");
    if (!mkdtemp(folder))
        abort();
    atexit(remove_folder);
    return 0;
}

/* The offset of the next record's "@@ " at or after `from`: at the start of
 * the input or after a line feed; `size` when there is none. */
static size_t next_record(const uint8_t *data, size_t size, size_t from)
{
    for (size_t i = from; i + 3 <= size; i++) {
        if ((i == 0 || data[i - 1] == '\n') && memcmp(data + i, "@@ ", 3) == 0)
            return i;
    }
    return size;
}

/* Splits the input into records and writes the files they name. */
static void write_records(const uint8_t *data, size_t size)
{
    size_t at = next_record(data, size, 0);
    while (at < size) {
        const uint8_t *name = data + at + 3;
        const uint8_t *eol = memchr(name, '\n', size - (at + 3));
        size_t name_len = eol ? (size_t)(eol - name) : size - (at + 3);
        size_t body = eol ? (size_t)(eol - data) + 1 : size;
        size_t next = next_record(data, size, body);
        /* the line feed before the next "@@ " ends the line, not the content */
        size_t end = next < size ? next - 1 : size;
        if (end < body)
            end = body;
        for (size_t i = 0; i < N_NAMES; i++) {
            if (strlen(names[i]) == name_len && memcmp(names[i], name, name_len) == 0)
                write_file(names[i], data + body, end - body);
        }
        at = next;
    }
}

/* What a caller does with a tokenizer: a few bytes there and back (the
 * tokenizer's own target, fuzz_tokenizer.c, fuzzes the round trip). */
static void use_tokenizer(const struct ax_tok *tok, struct ax_diag_list *diags)
{
    static const char text[] = "Hi, \xc3\xa9t\xc3\xa9 2024!";
    int32_t *ids = NULL;
    size_t n_ids = 0;
    if (ax_tok_encode(tok, text, sizeof text - 1, &ids, &n_ids, diags) == AX_OK) {
        char *back = NULL;
        size_t len = 0;
        if (ax_tok_decode(tok, ids, n_ids, &back, &len, diags) == AX_OK)
            ax_mem_free(back);
    }
    ax_mem_free(ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    remove_files();
    write_records(data, size);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_model *m = NULL;
    if (ax_model_open(folder, &m, &diags) == AX_OK) {
        if (ax_model_print_summary(m, fuzz_sink(), 0) != AX_OK ||
            ax_model_print_summary(m, fuzz_sink(), 1) != AX_OK)
            abort(); /* an opened model can be summarized */
        if (m->tokenizer)
            use_tokenizer(m->tokenizer, &diags);
    }
    ax_model_close(m);
    ax_diag_print(&diags, fuzz_sink());
    ax_diag_list_free(&diags);
    return 0;
}
