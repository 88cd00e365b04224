/* A minimal test harness: CHECK records a failure with its position and goes
 * on; AX_TEST_MAIN runs the listed tests and ends with the line
 * "N passed, N failed" that CI reads (", N skipped" added when a case was).
 * A case that cannot run in this build (an optional dependency or file is
 * missing) calls ax_test_skip() and returns: the other cases still run, and
 * the program then exits AX_TEST_SKIP_CODE, which CTest shows as skipped
 * (SKIP_RETURN_CODE 77 on the test), unless a case failed. */
#ifndef AX_TEST_H
#define AX_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ax_test_failures;
static int ax_test_checks;
static int ax_test_skips; /* cases skipped, by ax_test_skip or by a main that leaves them out */

/* The exit code of a test program in which a case was skipped: CTest's
 * SKIP_RETURN_CODE, the automake convention. */
#define AX_TEST_SKIP_CODE 77

#define CHECK(cond)                                                                   \
    do {                                                                              \
        ax_test_checks++;                                                             \
        if (!(cond)) {                                                                \
            ax_test_failures++;                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
        }                                                                             \
    } while (0)

#define CHECK_STR(a, b)                                                               \
    do {                                                                              \
        const char *ax_a_ = (a), *ax_b_ = (b);                                        \
        ax_test_checks++;                                                             \
        if (!ax_a_ || !ax_b_ || strcmp(ax_a_, ax_b_) != 0) {                          \
            ax_test_failures++;                                                       \
            fprintf(stderr, "%s:%d: check failed: %s == %s (\"%s\" vs \"%s\")\n",     \
                    __FILE__, __LINE__, #a, #b, ax_a_ ? ax_a_ : "(null)",            \
                    ax_b_ ? ax_b_ : "(null)");                                        \
        }                                                                             \
    } while (0)

/* Relative closeness for physical values written with units. */
#define CHECK_NEAR(a, b)                                                              \
    do {                                                                              \
        double ax_a_ = (a), ax_b_ = (b);                                              \
        ax_test_checks++;                                                             \
        if (!(fabs(ax_a_ - ax_b_) <= 1e-9 * fmax(fabs(ax_a_), fabs(ax_b_)))) {        \
            ax_test_failures++;                                                       \
            fprintf(stderr, "%s:%d: check failed: %s == %s (%.17g vs %.17g)\n",       \
                    __FILE__, __LINE__, #a, #b, ax_a_, ax_b_);                        \
        }                                                                             \
    } while (0)

/* An allocator for ax_mem_set_hook that fails once `ax_test_allocs_left`
 * allocations have succeeded (frees always succeed): allocation-failure
 * injection for robustness tests. */
static long ax_test_allocs_left;
static inline void *ax_test_failing_alloc(void *user, void *ptr, size_t size)
{
    (void)user;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (ax_test_allocs_left-- <= 0)
        return NULL;
    return realloc(ptr, size);
}

struct ax_test_case {
    const char *name;
    void (*fn)(void);
};

/* Marks the running case (or, from main, one left out) as skipped and says
 * why; a case returns right after. Call it at most once per case. */
static inline void ax_test_skip(const char *name, const char *why)
{
    ax_test_skips++;
    printf("skip    %s: %s\n", name, why);
}

/* Runs the cases; returns 1 when one failed, else AX_TEST_SKIP_CODE when one
 * was skipped (here or before, through ax_test_skip), else 0. */
static inline int ax_test_run(const struct ax_test_case *cases, size_t n)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        int before = ax_test_failures, skips_before = ax_test_skips;
        cases[i].fn();
        if (ax_test_failures != before) {
            failed++;
            printf("FAILED  %s\n", cases[i].name);
        } else if (ax_test_skips == skips_before) {
            passed++;
            printf("ok      %s\n", cases[i].name);
        }
    }
    if (ax_test_skips)
        printf("%d passed, %d failed, %d skipped\n", passed, failed, ax_test_skips);
    else
        printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : ax_test_skips ? AX_TEST_SKIP_CODE : 0;
}

#define AX_TEST_MAIN(...)                                                             \
    int main(void)                                                                    \
    {                                                                                 \
        static const struct ax_test_case cases[] = {__VA_ARGS__};                     \
        return ax_test_run(cases, sizeof cases / sizeof cases[0]);                    \
    }

#define T(fn) {#fn, fn}

#endif
