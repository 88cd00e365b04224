/* safetensors checkpoints: memory-mapped, validated, never copied.
 *
 * Place in the pipeline: the checkpoint front-end. A model directory holds
 * either one `model.safetensors` or a sharded set named by
 * `model.safetensors.index.json` (`weight_map`: tensor -> shard file,
 * `metadata.total_size`). This module maps every file read-only, parses and
 * checks each JSON header, and offers the tensors as (name, dtype, shape,
 * pointer into the mapping). Tensor data is never read here; callers that
 * need values read them through `data` (not aligned in general: copy with
 * memcpy before use).
 *
 * File layout (safetensors):
 *
 *     +--------------+---------------------------+----------------------------+
 *     | u64 LE  N    | N bytes of JSON header    | data area (tensor bytes)   |
 *     +--------------+---------------------------+----------------------------+
 *     header: {"name": {"dtype": "BF16", "shape": [..], "data_offsets": [b, e]},
 *              ..., "__metadata__": {"key": "value", ...}}
 *     offsets are relative to the start of the data area, e is exclusive.
 *
 * Checks, each reported as a diagnostic naming the file (and the tensor):
 * file shorter than 8 bytes, header length past the end of the file or over
 * AX_ST_MAX_HEADER_BYTES, bad JSON (line and column inside the header),
 * malformed entries, unknown or unsupported dtypes, offsets outside the data
 * area, sizes that disagree with shape x dtype, overlapping tensors; for
 * sharded checkpoints also missing shards, tensors absent from the shard the
 * index names, and tensors held twice. Problems accumulate: one open reports
 * all it finds. */
#ifndef AX_SAFETENSORS_H
#define AX_SAFETENSORS_H

#include "ax_arena.h"
#include "ax_diag.h"
#include "ax_status.h"

#include <stddef.h>
#include <stdint.h>

/* The largest JSON header accepted (the safetensors library's own limit). */
#define AX_ST_MAX_HEADER_BYTES ((uint64_t)100 * 1000 * 1000)

enum ax_st_dtype {
#define X(name, size, meaning) AX_ST_DTYPE_##name,
#include "ax_dtype.def"
#undef X
    AX_ST_DTYPE_COUNT
};

struct ax_st_tensor {
    const char *name; /* owned by the checkpoint */
    enum ax_st_dtype dtype;
    uint32_t n_dims;
    const uint64_t *shape; /* n_dims entries, owned by the checkpoint */
    uint64_t n_bytes;      /* product(shape) * dtype size */
    uint64_t offset;       /* from the start of its shard's data area */
    const void *data;      /* inside the read-only mapping; may be unaligned */
    uint32_t shard;        /* index into ax_st_checkpoint.shards */
};

struct ax_st_shard {
    const char *path;
    uint64_t file_size;
    uint64_t header_len;      /* N in the layout above */
    const unsigned char *map; /* the whole file, read-only */
};

/* A checkpoint: read-only for its users, freed with ax_st_close(). */
struct ax_st_checkpoint {
    const char *path; /* the file opened: the .safetensors or the index.json */
    struct ax_st_shard *shards;
    uint32_t n_shards;
    struct ax_st_tensor *tensors; /* sorted by name */
    uint32_t n_tensors;
    uint64_t n_data_bytes; /* sum of the tensors' n_bytes */
    uint8_t is_sharded;    /* opened through an index.json */
    struct ax_arena arena; /* names, shapes, shard paths */
};

/* Opens one safetensors file. On success *out owns the mapping; on failure
 * *out is NULL, nothing stays open and `diags` says why. */
ax_status ax_st_open_file(const char *path, struct ax_st_checkpoint **out,
                          struct ax_diag_list *diags);

/* Opens a sharded checkpoint through its index.json; shard names are taken
 * relative to the index's directory and each shard is opened once. Tensors a
 * shard holds but the index does not list are warned about and left out. */
ax_status ax_st_open_index(const char *index_path, struct ax_st_checkpoint **out,
                           struct ax_diag_list *diags);

/* Opens the weights of a model directory: `model.safetensors.index.json` if
 * present, else `model.safetensors`. A directory with neither and no other
 * *.safetensors file has no weights: AX_OK with *out = NULL (a shape-only
 * model). Other *.safetensors files without an index are an error. */
ax_status ax_st_open_dir(const char *dir, struct ax_st_checkpoint **out,
                         struct ax_diag_list *diags);

/* Unmaps every shard and frees the checkpoint (NULL is fine). */
void ax_st_close(struct ax_st_checkpoint *ck);

/* The tensor called `name`, or NULL. */
const struct ax_st_tensor *ax_st_find(const struct ax_st_checkpoint *ck, const char *name);

/* "F32", "BF16", ...; "?" when out of range. */
const char *ax_st_dtype_str(enum ax_st_dtype dtype);
/* Bytes per element; 0 when out of range. */
uint32_t ax_st_dtype_size(enum ax_st_dtype dtype);

/* Writes a shape as "[3584, 128]" into buf (always NUL-terminated, truncated
 * to fit); returns buf. */
char *ax_st_format_shape(const uint64_t *shape, uint32_t n_dims, char *buf, size_t size);

#endif
