/* The text form of a program, for the program targets' round-trip checks. */
#ifndef AX_FUZZ_PROG_TEXT_UTIL_H
#define AX_FUZZ_PROG_TEXT_UTIL_H

#include "fuzz_util.h"

#include "ax_mem.h"
#include "ax_prog.h"

/* The text ax_prog_print writes, in a fresh buffer (free with free). */
static inline char *fuzz_print_prog(const struct ax_prog *p, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        abort();
    ax_status st = ax_prog_print(p, f);
    fclose(f);
    if (st != AX_OK) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* `bytes` is the encoding of `p`: its printed text assembles to the same
 * bytes (the text form round-trips, ax_prog.h). */
static inline void fuzz_check_text_round_trip(const struct ax_prog *p, const unsigned char *bytes,
                                              size_t len)
{
    size_t text_len = 0;
    char *text = fuzz_print_prog(p, &text_len);
    if (!text)
        return; /* out of memory */
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_prog q;
    unsigned char *again = NULL;
    size_t again_len = 0;
    if (ax_prog_parse(&q, "printed.s", text, text_len, &diags) != AX_OK ||
        ax_prog_encode(&q, &again, &again_len, &diags) != AX_OK || again_len != len ||
        memcmp(again, bytes, len) != 0) {
        ax_diag_print(&diags, stderr);
        fprintf(stderr, "printed text (%zu bytes; assembled: %zu bytes, the original %zu):\n%s\n",
                text_len, again_len, len, text);
        abort(); /* the printed text assembles to the same program */
    }
    ax_mem_free(again);
    ax_prog_free(&q);
    ax_diag_list_free(&diags);
    free(text);
}

#endif
