/* The commands of the `axon` driver, each a main()-like function that parses
 * its own options and returns a process exit code (0 success, 1 failure of
 * the work, 2 bad usage). */
#ifndef AX_CMD_H
#define AX_CMD_H

int ax_cmd_inspect(int argc, char **argv);

#endif
