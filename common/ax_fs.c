/* Bounded reads and atomic writes on POSIX files. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "ax_fs.h"

#include "ax_mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ax_fs_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The resolved absolute form of `path` in a fresh string (ax_mem_free), or
 * NULL: realpath of the path when it exists, else realpath of its folder
 * joined with its last part (an output not yet written). */
static char *resolve(const char *path)
{
    char *full = realpath(path, NULL);
    if (full) {
        char *copy = ax_mem_alloc(strlen(full) + 1);
        if (copy)
            strcpy(copy, full);
        free(full);
        return copy;
    }
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dir_len = slash ? (size_t)(slash - path) : 0;
    char *dir = ax_mem_calloc(dir_len + 2, 1);
    if (!dir)
        return NULL;
    if (!slash)
        strcpy(dir, ".");
    else if (dir_len == 0)
        strcpy(dir, "/");
    else
        memcpy(dir, path, dir_len); /* calloc'ed: NUL-terminated */
    char *parent = realpath(dir, NULL);
    ax_mem_free(dir);
    if (!parent)
        return NULL;
    size_t n = strlen(parent) + strlen(base) + 2;
    char *out = ax_mem_alloc(n);
    if (out)
        snprintf(out, n, "%s/%s", strcmp(parent, "/") == 0 ? "" : parent, base);
    free(parent);
    return out;
}

/* 1 if `a` and `b` are the same existing file (device and inode: hard links
 * too), or resolve to the same path. */
static int same_file(const char *a, const char *ra, const char *b, const char *rb)
{
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    return ra && rb && strcmp(ra, rb) == 0;
}

/* 1 if the resolved path `inner` lies below the resolved directory `dir`. */
static int is_inside(const char *inner, const char *dir)
{
    size_t n = strlen(dir);
    return inner && dir && strncmp(inner, dir, n) == 0 && (inner[n] == '/' || n == 1);
}

/* How output `o` clashes with role `r` (an input, or an earlier output),
 * or NULL when it does not. */
static const char *clash(const struct ax_fs_role *o, const char *ro, const struct ax_fs_role *r,
                         const char *rr, int is_input)
{
    if (same_file(o->path, ro, r->path, rr))
        return "is the same file as";
    if (is_input && ax_fs_is_dir(r->path) && is_inside(ro, rr))
        return "is inside";
    return NULL;
}

ax_status ax_fs_check_outputs(const struct ax_fs_role *inputs, size_t n_inputs,
                              const struct ax_fs_role *outputs, size_t n_outputs,
                              struct ax_diag_list *diags)
{
    ax_status st = AX_OK;
    for (size_t i = 0; i < n_outputs; i++) {
        const struct ax_fs_role *o = &outputs[i];
        if (!o->path)
            continue;
        char *ro = resolve(o->path);
        for (size_t j = 0; j < n_inputs + i; j++) {
            int is_input = j < n_inputs;
            const struct ax_fs_role *r = is_input ? &inputs[j] : &outputs[j - n_inputs];
            if (!r->path)
                continue;
            char *rr = resolve(r->path);
            const char *how = clash(o, ro, r, rr, is_input);
            if (how) {
                ax_diag_add(diags, AX_DIAG_ERROR, o->path, 0, 0,
                            "%s %s %s (%s), %s of this command; nothing was written: "
                            "give %s another path", o->what, how, r->path, r->what,
                            is_input ? "an input" : "another output", o->what);
                st = AX_ERR_USAGE;
            }
            ax_mem_free(rr);
        }
        ax_mem_free(ro);
    }
    return st;
}

ax_status ax_fs_read_file(const char *path, size_t max_bytes, char **out, size_t *out_len,
                          struct ax_diag_list *diags)
{
    *out = NULL;
    *out_len = 0;
    /* O_NONBLOCK: opening a FIFO nobody writes to would wait forever; the
     * file type is checked before anything is read. */
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        return AX_ERR_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0, "cannot read: %s",
                    S_ISDIR(st.st_mode)   ? "it is a directory, expected a file"
                    : S_ISFIFO(st.st_mode) ? "it is a FIFO (a named pipe), expected a regular file"
                                           : "not a regular file (a device or socket); expected a file");
        close(fd);
        return AX_ERR_IO;
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "file is %lld bytes; the limit for this kind of file is %zu bytes",
                    (long long)st.st_size, max_bytes);
        close(fd);
        return AX_ERR_LIMIT;
    }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    char *buf = ax_mem_alloc(cap);
    if (!buf) {
        close(fd);
        return AX_ERR_NOMEM;
    }
    for (;;) {
        if (len + 1 >= cap) {
            if (cap > max_bytes) {
                ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                            "file is larger than the limit of %zu bytes", max_bytes);
                ax_mem_free(buf);
                close(fd);
                return AX_ERR_LIMIT;
            }
            char *grown = ax_mem_realloc(buf, cap * 2);
            if (!grown) {
                ax_mem_free(buf);
                close(fd);
                return AX_ERR_NOMEM;
            }
            buf = grown;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0, "read failed: %s", strerror(errno));
            ax_mem_free(buf);
            close(fd);
            return AX_ERR_IO;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (len > max_bytes) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "file is larger than the limit of %zu bytes", max_bytes);
        ax_mem_free(buf);
        return AX_ERR_LIMIT;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return AX_OK;
}

ax_status ax_fs_write_atomic(const char *path, const void *data, size_t len,
                             struct ax_diag_list *diags)
{
    size_t n = strlen(path);
    char *tmp = ax_mem_alloc(n + 16);
    if (!tmp)
        return AX_ERR_NOMEM;
    snprintf(tmp, n + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0, "cannot create a temporary file beside it: %s",
                    strerror(errno));
        ax_mem_free(tmp);
        return AX_ERR_IO;
    }
    const char *p = data;
    size_t left = len;
    int err = 0;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            err = errno;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (!err && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && !err)
        err = errno;
    /* mkstemp creates 0600; a report is an ordinary file. */
    if (!err && chmod(tmp, 0644) != 0)
        err = errno;
    if (!err && rename(tmp, path) != 0)
        err = errno;
    if (err) {
        unlink(tmp);
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0, "cannot write: %s", strerror(err));
        ax_mem_free(tmp);
        return AX_ERR_IO;
    }
    ax_mem_free(tmp);
    return AX_OK;
}
