/* Fuzz target: the assembler text of programs (isa/prog_text.c).
 *
 * A program that parses is printed and encoded (which runs the verifier);
 * one that encodes decodes again and encodes to the same bytes, so the text
 * form and the container agree, and its printed text assembles to the same
 * bytes. `.file "x" from="path"` directives read files
 * relative to the working directory, as `axon asm` reads them beside the
 * source: the test runs the target with standard input from /dev/null, so that no
 * path can make it wait. */
#include "prog_text_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_prog p;
    if (ax_prog_parse(&p, "fuzz.s", text, size, &diags) == AX_OK) {
        ax_prog_print(&p, fuzz_sink());
        unsigned char *bytes = NULL;
        size_t len = 0;
        if (ax_prog_encode(&p, &bytes, &len, &diags) == AX_OK) {
            struct ax_prog q;
            unsigned char *again = NULL;
            size_t again_len = 0;
            if (ax_prog_decode(&q, "fuzz.axb", bytes, len, &diags) != AX_OK ||
                ax_prog_encode(&q, &again, &again_len, &diags) != AX_OK || again_len != len ||
                memcmp(again, bytes, len) != 0) {
                ax_diag_print(&diags, stderr);
                abort(); /* an assembled program decodes and encodes to itself */
            }
            ax_mem_free(again);
            ax_prog_free(&q);
            fuzz_check_text_round_trip(&p, bytes, len);
            ax_mem_free(bytes);
        }
    }
    ax_prog_free(&p);
    ax_diag_print(&diags, fuzz_sink());
    ax_diag_list_free(&diags);
    free(text);
    return 0;
}
