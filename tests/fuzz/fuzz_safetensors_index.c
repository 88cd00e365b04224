/* Fuzz target: sharded checkpoints, model.safetensors.index.json
 * (compiler/frontend/safetensors.c, ax_st_open_index).
 *
 * The input is the index. It lies in a private folder made at start-up (in
 * the working directory) beside two small valid shards, which a valid index
 * names: shard-1.safetensors holds "a" (F32 [2]) and "b" (BF16 [3]),
 * shard-2.safetensors holds "c" (I8 [2, 2]). Shard names that leave the
 * folder are refused by the reader before any file is opened. A checkpoint
 * that opens has every tensor found again by its name. */
#include "fuzz_util.h"

#include "ax_safetensors.h"

#include <sys/stat.h>

static char folder[64];
static char index_path[128];

static void write_file(const char *name, const void *data, size_t size)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
}

/* A safetensors file of `header` (JSON) and `n_data` bytes of data. */
static void write_shard(const char *name, const char *header, size_t n_data)
{
    size_t n = strlen(header), len = 8 + n + n_data;
    unsigned char *bytes = calloc(1, len);
    if (!bytes)
        abort();
    for (int i = 0; i < 8; i++)
        bytes[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(bytes + 8, header, n);
    for (size_t i = 0; i < n_data; i++)
        bytes[8 + n + i] = (unsigned char)(i * 37 + 1);
    write_file(name, bytes, len);
    free(bytes);
}

static void remove_folder(void)
{
    static const char *const names[] = {"model.safetensors.index.json", "shard-1.safetensors",
                                        "shard-2.safetensors"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", folder, names[i]);
        remove(path);
    }
    rmdir(folder);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    strcpy(folder, "st-index-XXXXXX");
    if (!mkdtemp(folder))
        abort();
    snprintf(index_path, sizeof index_path, "%s/model.safetensors.index.json", folder);
    write_shard("shard-1.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[8,14]}}",
                14);
    write_shard("shard-2.safetensors",
                "{\"__metadata__\":{\"format\":\"pt\"},"
                "\"c\":{\"dtype\":\"I8\",\"shape\":[2,2],\"data_offsets\":[0,4]}}",
                4);
    atexit(remove_folder);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    write_file("model.safetensors.index.json", data, size);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_st_checkpoint *ck = NULL;
    if (ax_st_open_index(index_path, &ck, &diags) == AX_OK && ck) {
        for (uint32_t i = 0; i < ck->n_tensors; i++) {
            if (ax_st_find(ck, ck->tensors[i].name) != &ck->tensors[i])
                abort(); /* names are unique and sorted: each finds itself */
        }
    }
    ax_st_close(ck);
    ax_diag_print(&diags, fuzz_sink());
    ax_diag_list_free(&diags);
    return 0;
}
