/* The commands of the `axon` driver, each a main()-like function that parses
 * its own options and returns a process exit code (0 success, 1 failure of
 * the work, 2 bad usage). */
#ifndef AX_CMD_H
#define AX_CMD_H

#include "ax_arch.h"
#include "ax_ir.h"
#include "ax_map.h"
#include "ax_model.h"
#include "ax_prog.h"
#include "ax_rebuild.h"

struct ax_ref_options;

int ax_cmd_inspect(int argc, char **argv);
int ax_cmd_compile(int argc, char **argv);
int ax_cmd_map(int argc, char **argv);

int ax_cmd_asm(int argc, char **argv);
int ax_cmd_disasm(int argc, char **argv);
int ax_cmd_ref(int argc, char **argv);

/* The options `ref` and `compile` share (cmd_ref.c): --precision, --spike,
 * --encoding, --k, --steps. If argv[*i] is one of them, reads its value
 * (advancing *i) and returns 1; returns 0 for other arguments and -1 after
 * printing a usage error prefixed with `cmd`. */
int ax_cmd_ref_option(int argc, char **argv, int *i, struct ax_ref_options *o, const char *cmd);
/* Checks the ranges of the options read; -1 after printing why. */
int ax_cmd_ref_check(const struct ax_ref_options *o, const char *cmd);

/* The mapping options `map`, `compile` and `run` share (cmd_map.c):
 * --float-weights keep|int8|auto, --reduce-fanin N, --reduce-chunk N, --relay on|off,
 * --ring-keys N, --spread K, --logits full|argmax and --stream cut|whole.
 * Returns as
 * ax_cmd_ref_option does. */
int ax_cmd_map_option(int argc, char **argv, int *i, struct ax_map_options *o, const char *cmd);
#define AX_CMD_FLOAT_WEIGHTS_HELP                                                                  \
    "  --float-weights W    keep: the matrices the model keeps in float32 (embedding,\n"           \
    "                       lm_head, gk_proj.1, released down_proj) stay float32, so the\n"        \
    "                       program computes exactly the reference; int8: stored as int8\n"        \
    "                       codes and group scales, 4x less memory and traffic; auto\n"            \
    "                       (default): keep for a model with weights, int8 for a\n"                \
    "                       shape-only one (docs/mapping.md)\n"                                    \
    "  --reduce-fanin N     the partial sums of a projection's blocks that share rows\n"           \
    "                       add up along trees of fan-in N (default 2); 0: flat, each\n"           \
    "                       block sends its own to the value (docs/mapping.md)\n"                  \
    "  --reduce-chunk N     a tree forwards partial sums in chunks, as many as it has\n"           \
    "                       levels and of at most N rows (default 256), so that its\n"             \
    "                       levels overlap; 0: a block's rows at once\n"                           \
    "  --relay on|off       on (default): an input many cores need reaches them along\n"           \
    "                       relay trees, the cores that hold it passing it on; off: its\n"         \
    "                       core sends it to each\n"                                               \
    "  --ring-keys N        a sliding window's keys on one core: at most N (default\n"             \
    "                       128), its cores' partial attentions combined along a\n"                \
    "                       tree; 0: as many as a core holds\n"                                    \
    "  --spread K           each core holds K slices of the model, far apart in it:\n"             \
    "                       blocks of 1/K of a core, so a matrix's work spreads over\n"            \
    "                       K times as many cores (default 2; 1 with --batch)\n"                   \
    "  --logits full|argmax full (default): every logit of every token, in lm_head's\n"            \
    "                       value; argmax: the largest and its token id, each row\n"               \
    "                       range's core taking its own and a tree the largest, as a\n"            \
    "                       chip generating text would (docs/mapping.md)\n"                        \
    "  --stream cut|whole   cut (default): the residual stream (the adds, the\n"                   \
    "                       RMSNorms, the projections the adds read) lies in row\n"                \
    "                       shards over several cores, which add, normalize, encode\n"             \
    "                       and emit their rows at once; whole: each of its values on\n"           \
    "                       one core (docs/mapping.md)\n"

/* The most tokens `axon run` and `axon sim` take, from --tokens or a prompt. */
#define AX_CMD_RUN_MAX_TOKENS (1u << 20)
/* The most tokens `axon ref` takes. */
#define AX_CMD_REF_MAX_TOKENS 100000000u

/* The token ids of a run (cmd_ref.c): exactly one of the prompt text, the
 * prompt file or n_random ids drawn from the vocabulary with `seed`; a
 * prompt of more than `max_tokens` tokens is refused, as --tokens is.
 * Returns 0, or -1 after printing why. *ids is freed with ax_mem_free. */
int ax_cmd_load_tokens(const struct ax_model *m, const char *prompt, const char *file,
                       uint32_t n_random, uint32_t seed, uint32_t max_tokens, int32_t **ids,
                       size_t *n_ids);
int ax_cmd_sim(int argc, char **argv);
int ax_cmd_run(int argc, char **argv);

/* `axon inspect MODEL_DIR`: the model half of inspect (cmd_model.c). Prints
 * the summary on stdout (one JSON object when is_json) and diagnostics on
 * stderr; returns 0, or 1 with nothing on stdout. */
int ax_cmd_inspect_model(const char *dir, int is_json);

#endif
