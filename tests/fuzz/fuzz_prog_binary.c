/* Fuzz target: programs in the .axb container, version 2 (isa/prog.c).
 *
 * Every checksum of the input is recomputed first (ax_prog_reseal), so that
 * mutations reach the section readers and the verifier instead of stopping
 * at the CRC check; the checksums themselves are covered by the unit tests.
 * A program that decodes (and so has passed the verifier) is printed as
 * text, summarized as `axon inspect` does in both forms, and encoded again;
 * encoding what that encoding decodes to gives the same bytes, and so does
 * assembling its printed text. */
#include "prog_text_util.h"

/* Decodes `bytes` and encodes the result again: the same bytes come back. */
static void check_stable(const unsigned char *bytes, size_t len)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_prog p;
    unsigned char *again = NULL;
    size_t again_len = 0;
    if (ax_prog_decode(&p, "again.axb", bytes, len, &diags) != AX_OK ||
        ax_prog_encode(&p, &again, &again_len, &diags) != AX_OK || again_len != len ||
        memcmp(again, bytes, len) != 0) {
        ax_diag_print(&diags, stderr);
        abort(); /* an encoded program decodes and encodes to itself */
    }
    ax_mem_free(again);
    ax_prog_free(&p);
    ax_diag_list_free(&diags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *bytes = (unsigned char *)fuzz_text(data, size); /* a copy reseal may write */
    ax_prog_reseal(bytes, size);

    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_prog p;
    if (ax_prog_decode(&p, "fuzz.axb", bytes, size, &diags) == AX_OK) {
        ax_prog_print(&p, fuzz_sink());
        ax_prog_print_summary(&p, "fuzz.axb", fuzz_sink(), 0);
        ax_prog_print_summary(&p, "fuzz.axb", fuzz_sink(), 1);
        uint64_t min = 0, median = 0;
        (void)ax_prog_sram_free(&p, &min, &median);
        unsigned char *out = NULL;
        size_t out_len = 0;
        if (ax_prog_encode(&p, &out, &out_len, &diags) == AX_OK) {
            check_stable(out, out_len);
            fuzz_check_text_round_trip(&p, out, out_len);
            ax_mem_free(out);
        } else {
            ax_diag_print(&diags, stderr);
            abort(); /* a program that decoded (verified) encodes */
        }
    }
    ax_prog_free(&p);
    ax_diag_print(&diags, fuzz_sink());
    ax_diag_list_free(&diags);
    free(bytes);
    return 0;
}
