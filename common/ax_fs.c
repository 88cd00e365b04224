/* Bounded reads and atomic writes on POSIX files. */
#define _POSIX_C_SOURCE 200809L
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

ax_status ax_fs_read_file(const char *path, size_t max_bytes, char **out, size_t *out_len,
                          struct ax_diag_list *diags)
{
    *out = NULL;
    *out_len = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        return AX_ERR_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0, "cannot read: %s",
                    S_ISDIR(st.st_mode) ? "it is a directory, expected a file" : strerror(errno));
        close(fd);
        return AX_ERR_IO;
    }
    if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max_bytes) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "file is %lld bytes; the limit for this kind of file is %zu bytes",
                    (long long)st.st_size, max_bytes);
        close(fd);
        return AX_ERR_LIMIT;
    }
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096, len = 0;
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
