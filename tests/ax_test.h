/* A minimal test harness: CHECK records a failure with its position and goes
 * on; AX_TEST_MAIN runs the listed tests and ends with the line
 * "N passed, N failed" that CI reads. */
#ifndef AX_TEST_H
#define AX_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ax_test_failures;
static int ax_test_checks;

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

static inline int ax_test_run(const struct ax_test_case *cases, size_t n)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        int before = ax_test_failures;
        cases[i].fn();
        if (ax_test_failures == before) {
            passed++;
            printf("ok      %s\n", cases[i].name);
        } else {
            failed++;
            printf("FAILED  %s\n", cases[i].name);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

#define AX_TEST_MAIN(...)                                                             \
    int main(void)                                                                    \
    {                                                                                 \
        static const struct ax_test_case cases[] = {__VA_ARGS__};                     \
        return ax_test_run(cases, sizeof cases / sizeof cases[0]);                    \
    }

#define T(fn) {#fn, fn}

#endif
