/* axon: the command-line driver. It parses the command name and global
 * options, then hands over to one command; all real work lives in the
 * libraries. Only this file and the command files turn statuses into exit
 * codes. */
#include "axon_cmd.h"

#include "ax_log.h"

#include <stdio.h>
#include <string.h>

#ifndef AX_VERSION
#define AX_VERSION "unknown"
#endif

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

/* Only commands that work are listed. */
static const struct command commands[] = {
    {"inspect", ax_cmd_inspect, "summarize a chip or a model (CHIP.yaml | MODEL_DIR)"},
    {"map", ax_cmd_map, "partition and place a model on a chip (MODEL_DIR --chip CHIP.yaml)"},
    {"asm", ax_cmd_asm, "assemble a program's text form (FILE.s -o OUT.axb)"},
    {"disasm", ax_cmd_disasm, "print a program's text form (PROG.axb)"},
    {"compile", ax_cmd_compile, "print the graph IR or reference code (MODEL_DIR --emit ir|llvm|ptx)"},
    {"ref", ax_cmd_ref, "run the dense reference token by token (MODEL_DIR --prompt TEXT)"},
    {"run", ax_cmd_run, "compile and simulate: sparsity, latency, energy (MODEL_DIR --chip CHIP.yaml)"},
    {"sim", ax_cmd_sim, "simulate a compiled program (PROG.axb --prompt TEXT | --tokens N)"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axon [--log-level LEVEL] COMMAND [ARGS]\n"
            "\n"
            "axon compiles SpikingBrain models into event-driven spike programs for a\n"
            "neuromorphic chip and simulates them to report sparsity, latency and energy.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n"
            "options:\n"
            "  -h, --help           show this help; 'axon COMMAND --help' for a command\n"
            "  --version            print the version\n"
            "  --log-level LEVEL    error, warn (default), info or debug\n"
            "\n"
            "examples:\n"
            "  axon inspect models/chips/loihi2-like.yaml\n"
            "  axon inspect models/chips/truenorth.yaml --json\n"
            "  axon inspect models/nets/spikingbrain-7b\n"
            "  axon inspect models/nets/spikingbrain-76b --json\n"
            "  axon compile models/nets/spikingbrain-7b --emit llvm --precision w8spike\n"
            "  axon ref models/nets/spikingbrain-tiny --prompt 'Hello, world' --json\n"
            "  axon run models/nets/spikingbrain-tiny --chip models/chips/loihi2-like.yaml \\\n"
            "      --prompt-file tests/data/heldout.txt --html report.html\n");
}

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("axon %s\n", AX_VERSION);
            return 0;
        }
        if (strcmp(argv[i], "--log-level") == 0 && i + 1 < argc) {
            enum ax_log_level level;
            if (ax_log_parse_level(argv[++i], &level) != 0) {
                fprintf(stderr, "axon: unknown log level '%s'; expected error, warn, info or debug\n",
                        argv[i]);
                return 2;
            }
            ax_log_set_level(level);
            continue;
        }
        fprintf(stderr, "axon: unknown option '%s'; see 'axon --help'\n", argv[i]);
        return 2;
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
        if (strcmp(argv[i], commands[c].name) == 0)
            return commands[c].run(argc - i, argv + i);
    }
    fprintf(stderr, "axon: unknown command '%s'; see 'axon --help' for the commands\n", argv[i]);
    return 2;
}
