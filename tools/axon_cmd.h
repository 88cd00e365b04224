/* The commands of the `axon` driver, each a main()-like function that parses
 * its own options and returns a process exit code (0 success, 1 failure of
 * the work, 2 bad usage). */
#ifndef AX_CMD_H
#define AX_CMD_H

int ax_cmd_inspect(int argc, char **argv);
int ax_cmd_compile(int argc, char **argv);
int ax_cmd_map(int argc, char **argv);
int ax_cmd_asm(int argc, char **argv);
int ax_cmd_disasm(int argc, char **argv);
int ax_cmd_ref(int argc, char **argv);

struct ax_ref_options;
/* The options `ref` and `compile` share (cmd_ref.c): --precision, --spike,
 * --encoding, --k, --steps. If argv[*i] is one of them, reads its value
 * (advancing *i) and returns 1; returns 0 for other arguments and -1 after
 * printing a usage error prefixed with `cmd`. */
int ax_cmd_ref_option(int argc, char **argv, int *i, struct ax_ref_options *o, const char *cmd);
/* Checks the ranges of the options read; -1 after printing why. */
int ax_cmd_ref_check(const struct ax_ref_options *o, const char *cmd);

/* `axon inspect MODEL_DIR`: the model half of inspect (cmd_model.c). Prints
 * the summary on stdout (one JSON object when is_json) and diagnostics on
 * stderr; returns 0, or 1 with nothing on stdout. */
int ax_cmd_inspect_model(const char *dir, int is_json);

#endif
