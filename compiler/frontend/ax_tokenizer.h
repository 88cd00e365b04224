/* Tokenizers: text <-> token ids for the models axon runs.
 *
 * Place in the pipeline: the front-end's input side; functional runs turn a
 * prompt into token ids here. Two kinds:
 *
 *   bytes  token = byte value (axon's small trained models; 256 tokens).
 *   bpe    Qwen2's byte-level BPE (SpikingBrain's tokenizer), read from
 *          vocab.json (token string -> id) and merges.txt (one merge "A B"
 *          per line, highest priority first, an optional "#version" line).
 *
 * Byte-level BPE encodes in three steps: (1) split the text with Qwen2's
 * pre-tokenizer pattern
 *     (?i:'s|'t|'re|'ve|'m|'ll|'d) | [^\r\n\p{L}\p{N}]?\p{L}+ | \p{N}
 *     | ' '?[^\s\p{L}\p{N}]+[\r\n]* | \s*[\r\n]+ | \s+(?!\S) | \s+
 * (contractions, letter runs with one optional leading non-letter, ONE digit
 * at a time, punctuation runs, newline runs, spaces); (2) map every byte of
 * a piece to one character with GPT-2's byte-to-unicode table; (3) merge
 * adjacent symbols by merge rank until no merge applies. \p{L}, \p{N} and
 * \s follow Unicode's classes through generated range tables
 * (unicode_classes.h); an invalid UTF-8 byte counts as punctuation. Text is
 * taken as given: no NFC normalization and no special-token matching. */
#ifndef AX_TOKENIZER_H
#define AX_TOKENIZER_H

#include "ax_diag.h"
#include "ax_status.h"

#include <stddef.h>
#include <stdint.h>

enum ax_tok_kind {
    AX_TOK_KIND_BYTES, /* token = byte value */
    AX_TOK_KIND_BPE,   /* Qwen2 byte-level BPE */
    AX_TOK_KIND_COUNT
};

struct ax_tok;

/* The byte tokenizer. Fails only for lack of memory. */
ax_status ax_tok_new_bytes(struct ax_tok **out);

/* Reads a byte-level BPE tokenizer from vocab.json and merges.txt. Problems
 * (bad JSON, ids that are not non-negative integers, a merge whose parts or
 * result are not in the vocabulary) are reported with file:line:col. */
ax_status ax_tok_load_bpe(const char *vocab_path, const char *merges_path, struct ax_tok **out,
                          struct ax_diag_list *diags);

/* The same from text in memory; the names are used in diagnostics. */
ax_status ax_tok_parse_bpe(const char *vocab_name, const char *vocab_text, size_t vocab_len,
                           const char *merges_name, const char *merges_text, size_t merges_len,
                           struct ax_tok **out, struct ax_diag_list *diags);

void ax_tok_free(struct ax_tok *tok);

enum ax_tok_kind ax_tok_kind(const struct ax_tok *tok);
const char *ax_tok_kind_str(enum ax_tok_kind kind);
/* Number of token ids: the largest id plus one. */
uint32_t ax_tok_vocab_size(const struct ax_tok *tok);
/* Number of merges (0 for the byte tokenizer). */
uint32_t ax_tok_n_merges(const struct ax_tok *tok);

/* Encodes `len` bytes of `text` into a fresh array *ids of *n_ids ids (owned
 * by the caller, freed with ax_mem_free). Fails with AX_ERR_UNSUPPORTED when
 * a byte has no token in the vocabulary. */
ax_status ax_tok_encode(const struct ax_tok *tok, const char *text, size_t len, int32_t **ids,
                        size_t *n_ids, struct ax_diag_list *diags);

/* Decodes ids into fresh bytes *text (NUL-terminated, *len bytes without the
 * NUL; owned by the caller). Fails with AX_ERR_INVALID for unknown ids. */
ax_status ax_tok_decode(const struct ax_tok *tok, const int32_t *ids, size_t n_ids, char **text,
                        size_t *len, struct ax_diag_list *diags);

/* Splits text into pre-tokenizer pieces: returns the end (exclusive) of the
 * piece starting at `pos` (< len). Exposed for tests. */
size_t ax_tok_pretoken_end(const char *text, size_t len, size_t pos);

#endif
