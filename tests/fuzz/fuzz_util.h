/* What the libFuzzer targets of tests/fuzz/ share.
 *
 * Each target is one LLVMFuzzerTestOneInput that hands the fuzzer's bytes to
 * one loader's public entry, exercises what a caller would do next with the
 * result (print it, re-encode it, look things up), and frees everything: the
 * build runs with LeakSanitizer, so a leak on any path fails the target.
 *
 * Loaders that take text in memory get a NUL-terminated copy, as
 * ax_fs_read_file gives them. Loaders that only take a path get an
 * anonymous in-memory file (memfd) named through /proc/self/fd, so nothing
 * is written to disk and nothing outlives the process. */
#ifndef AX_FUZZ_UTIL_H
#define AX_FUZZ_UTIL_H

#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fresh NUL-terminated copy of the input (the caller frees it with free). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

/* A sink for printers: /dev/null, opened once and kept for the process. */
static inline FILE *fuzz_sink(void)
{
    static FILE *sink;
    if (!sink && !(sink = fopen("/dev/null", "w")))
        abort();
    return sink;
}

/* An in-memory file holding the input. Writes its path ("/proc/self/fd/N")
 * into `path` and returns the descriptor, to be closed with close(). */
static inline int fuzz_memfile(const uint8_t *data, size_t size, char *path, size_t path_size)
{
    int fd = memfd_create("fuzz-input", 0);
    if (fd < 0)
        abort();
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0)
            abort();
        done += (size_t)n;
    }
    snprintf(path, path_size, "/proc/self/fd/%d", fd);
    return fd;
}

#endif
