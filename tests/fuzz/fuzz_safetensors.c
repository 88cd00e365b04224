/* Fuzz target: one safetensors file (compiler/frontend/safetensors.c).
 *
 * The input is the whole file: the 8-byte header length, the JSON header and
 * the data area. ax_st_open_file maps it from an in-memory file; a checkpoint
 * that opens is then used as the model front-end uses it: every tensor found
 * again by name, its shape formatted, and the first and last byte of its data
 * read (inside the mapping, as the bounds checks promise). */
#include "fuzz_util.h"

#include "ax_safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfile(data, size, path, sizeof path);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_st_checkpoint *ck = NULL;
    if (ax_st_open_file(path, &ck, &diags) == AX_OK && ck) {
        volatile unsigned sum = 0;
        for (uint32_t i = 0; i < ck->n_tensors; i++) {
            const struct ax_st_tensor *t = &ck->tensors[i];
            if (ax_st_find(ck, t->name) != t)
                abort(); /* names are unique and sorted: each finds itself */
            char shape[128];
            ax_st_format_shape(t->shape, t->n_dims, shape, sizeof shape);
            (void)ax_st_dtype_str(t->dtype);
            if (t->n_bytes > 0) {
                const unsigned char *bytes = t->data;
                sum += bytes[0] + bytes[t->n_bytes - 1];
            }
        }
        (void)sum;
    }
    ax_st_close(ck);
    ax_diag_print(&diags, fuzz_sink());
    ax_diag_list_free(&diags);
    close(fd);
    return 0;
}
