/* Fuzz target: byte-level BPE tokenizer files (compiler/frontend/tokenizer.c).
 *
 * The input holds both files, split at its first NUL byte: vocab.json before
 * it, merges.txt after it (an input without a NUL is a vocab.json and an
 * empty merges.txt). A tokenizer that loads encodes a fixed mixed-script
 * text and the start of the input itself, and decodes what it encoded; the
 * pre-tokenizer alone also walks the whole input. */
#include "fuzz_util.h"

#include "ax_mem.h"
#include "ax_tokenizer.h"

/* Encodes and decodes `len` bytes of `text`; a byte without a token is a clean
 * refusal, as the header promises. */
static void round_trip(const struct ax_tok *tok, const char *text, size_t len,
                       struct ax_diag_list *diags)
{
    int32_t *ids = NULL;
    size_t n_ids = 0;
    if (ax_tok_encode(tok, text, len, &ids, &n_ids, diags) == AX_OK) {
        char *back = NULL;
        size_t back_len = 0;
        if (ax_tok_decode(tok, ids, n_ids, &back, &back_len, diags) == AX_OK)
            ax_mem_free(back);
    }
    ax_mem_free(ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t vocab_len = nul ? (size_t)(nul - data) : size;
    size_t merges_len = nul ? size - vocab_len - 1 : 0;
    char *vocab = fuzz_text(data, vocab_len);
    char *merges = fuzz_text(nul ? nul + 1 : data, merges_len);

    for (size_t pos = 0; pos < size;) {
        size_t end = ax_tok_pretoken_end((const char *)data, size, pos);
        if (end <= pos || end > size)
            abort(); /* each piece is non-empty and inside the text */
        pos = end;
    }

    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_tok *tok = NULL;
    if (ax_tok_parse_bpe("vocab.json", vocab, vocab_len, "merges.txt", merges, merges_len, &tok,
                         &diags) == AX_OK) {
        (void)ax_tok_vocab_size(tok);
        (void)ax_tok_n_merges(tok);
        static const char sample[] = "Hello, world! 123 héllo мир 你好 🙂\n\tdon't  stop";
        round_trip(tok, sample, sizeof sample - 1, &diags);
        round_trip(tok, (const char *)data, size < 256 ? size : 256, &diags);
        int32_t few[] = {0, 1, 255, 256, (int32_t)ax_tok_vocab_size(tok) - 1};
        char *text = NULL;
        size_t len = 0;
        if (ax_tok_decode(tok, few, sizeof few / sizeof few[0], &text, &len, &diags) == AX_OK)
            ax_mem_free(text);
        ax_tok_free(tok);
    }
    ax_diag_print(&diags, fuzz_sink());
    ax_diag_list_free(&diags);
    free(merges);
    free(vocab);
    return 0;
}
