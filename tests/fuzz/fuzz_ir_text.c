/* Fuzz target: the graph IR's text form (compiler/ir/ir_parse.c).
 *
 * A graph that parses is verified (compiler/ir/ir_verify.c) and printed; a
 * verified graph is parsed again from its print, which must succeed and print
 * the same text, since the text form round-trips (ax_ir.h). */
#include "fuzz_util.h"

#include "ax_ir.h"

/* The text ax_ir_print writes, in a fresh buffer (free with free). */
static char *print_graph(const struct ax_ir_graph *g, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        abort();
    ax_status st = ax_ir_print(g, f);
    fclose(f);
    if (st != AX_OK) {
        free(buf);
        return NULL;
    }
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_ir_graph g; /* ax_ir_parse initializes it */
    if (ax_ir_parse(&g, "fuzz.ir", text, size, &diags) == AX_OK) {
        ax_ir_print(&g, fuzz_sink());
        if (ax_ir_verify(&g, "fuzz.ir", &diags) == AX_OK) {
            size_t len = 0;
            char *again = print_graph(&g, &len);
            if (again) {
                struct ax_ir_graph g2;
                struct ax_diag_list diags2;
                ax_diag_list_init(&diags2);
                if (ax_ir_parse(&g2, "again.ir", again, len, &diags2) != AX_OK) {
                    ax_diag_print(&diags2, stderr);
                    abort(); /* a verified graph's print parses again */
                }
                size_t len2 = 0;
                char *twice = print_graph(&g2, &len2);
                if (!twice || len2 != len || memcmp(twice, again, len) != 0) {
                    fprintf(stderr, "printed:\n%s\nparsed and printed again:\n%s\n", again,
                            twice ? twice : "(nothing)");
                    abort(); /* ... to the same graph */
                }
                free(twice);
                ax_diag_list_free(&diags2);
                ax_ir_free(&g2);
                free(again);
            }
        }
    }
    ax_ir_free(&g);
    ax_diag_print(&diags, fuzz_sink());
    ax_diag_list_free(&diags);
    free(text);
    return 0;
}
