/* Files: bounded whole-file reads and atomic writes.
 *
 * Every file a user gives axon is read through ax_fs_read_file, which refuses
 * directories, FIFOs, devices, files over a size limit and unreadable paths
 * with a diagnostic naming the file. Every report axon writes goes through
 * ax_fs_write_atomic,
 * so a reader never sees a half-written file and an existing file is replaced
 * only by a complete one. */
#ifndef AX_FS_H
#define AX_FS_H

#include "ax_diag.h"
#include "ax_status.h"

#include <stddef.h>

/* Reads all of `path` into a fresh NUL-terminated buffer (*out, owned by the
 * caller, freed with ax_mem_free) of *out_len bytes (the NUL not counted).
 * Fails with AX_ERR_IO (missing, unreadable, a directory, a FIFO or device:
 * anything but a regular file, refused without blocking) or AX_ERR_LIMIT
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

/* A path a command reads or writes, and how the command's user named it in
 * messages ("--chip", "-o", "the model directory"). A NULL path is skipped. */
struct ax_fs_role {
    const char *path;
    const char *what;
};

/* Refuses, before anything is written, an output that would overwrite what
 * the command reads or writes elsewhere: an output that resolves (through
 * links, "..", hard links) to an input file, lies inside an input directory
 * (a model directory: its config, checkpoint, tokenizer) or is the input
 * directory itself, or resolves to another output. Inputs must exist; an
 * output need not (its folder is resolved then). AX_ERR_USAGE with one
 * diagnostic per clash naming both paths, else AX_OK. */
ax_status ax_fs_check_outputs(const struct ax_fs_role *inputs, size_t n_inputs,
                              const struct ax_fs_role *outputs, size_t n_outputs,
                              struct ax_diag_list *diags);

#endif
