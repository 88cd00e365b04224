/* Files: bounded whole-file reads and atomic writes.
 *
 * Every file a user gives axon is read through ax_fs_read_file, which refuses
 * directories, files over a size limit and unreadable paths with a diagnostic
 * naming the file. Every report axon writes goes through ax_fs_write_atomic,
 * so a reader never sees a half-written file and an existing file is replaced
 * only by a complete one. */
#ifndef AX_FS_H
#define AX_FS_H

#include "ax_diag.h"
#include "ax_status.h"

#include <stddef.h>

/* Reads all of `path` into a fresh NUL-terminated buffer (*out, owned by the
 * caller, freed with ax_mem_free) of *out_len bytes (the NUL not counted).
 * Fails with AX_ERR_IO (missing, unreadable, a directory) or AX_ERR_LIMIT
 * (larger than `max_bytes`), each with a diagnostic in `diags`. */
ax_status ax_fs_read_file(const char *path, size_t max_bytes, char **out, size_t *out_len,
                          struct ax_diag_list *diags);

/* Writes `len` bytes to `path` through a temporary file in the same folder and
 * a rename. On failure the old file, if any, is untouched and the temporary is
 * removed; the diagnostic names the path and the reason. */
ax_status ax_fs_write_atomic(const char *path, const void *data, size_t len,
                             struct ax_diag_list *diags);

/* 1 if `path` names a directory, 0 otherwise (including when it does not exist). */
int ax_fs_is_dir(const char *path);

#endif
