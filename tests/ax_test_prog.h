/* What the tests of programs (tests/isa/test_prog.c, tests/programs) share
 * beyond ax_test.h: a program's text form in memory. Kept out of ax_test.h,
 * which every test includes, because it needs ax_prog.h and the POSIX
 * open_memstream: the includer defines _POSIX_C_SOURCE 200809L before any
 * system header and includes ax_test.h first. */
#ifndef AX_TEST_PROG_H
#define AX_TEST_PROG_H

#include "ax_prog.h"

/* `p` printed in its text form (ax_prog_print) into a fresh NUL-terminated
 * buffer of *len bytes, freed with free(); NULL when the stream cannot be
 * opened. A print that fails is a failed check. */
static inline char *ax_test_print_prog(const struct ax_prog *p, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    CHECK(ax_prog_print(p, f) == AX_OK);
    fclose(f);
    return buf;
}

#endif
