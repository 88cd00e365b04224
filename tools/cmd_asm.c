/* axon asm FILE.s -o OUT.axb and axon disasm PROG.axb: the program
 * container's text form in both directions. */
#include "axon_cmd.h"

#include "ax_diag.h"
#include "ax_fs.h"
#include "ax_mem.h"
#include "ax_prog.h"
#include "ax_rebuild.h"

#include <stdio.h>
#include <string.h>

/* Assembler sources larger than this are not hand-written programs. */
enum { MAX_ASM_BYTES = 1 << 30 };

static int finish(struct ax_diag_list *diags, ax_status st, const char *cmd, const char *path)
{
    ax_diag_print(diags, stderr);
    ax_diag_list_free(diags);
    if (st != AX_OK)
        fprintf(stderr, "axon %s: %s: %s\n", cmd, path, ax_status_str(st));
    return st == AX_OK ? 0 : 1;
}

int ax_cmd_asm(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: axon asm FILE.s -o OUT.axb\n\n"
                   "Assembles a program's text form (docs/program.md) into the .axb container,\n"
                   "after the verifier accepts it and its header agrees with the chip\n"
                   "description it embeds. Disassembling the result with 'axon disasm' gives\n"
                   "text that assembles to the same bytes.\n");
            return 0;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "axon asm: unknown option '%s'\n", argv[i]);
            return 2;
        } else if (!in) {
            in = argv[i];
        } else {
            fprintf(stderr, "axon asm: one source at a time\n");
            return 2;
        }
    }
    if (!in || !out) {
        fprintf(stderr, "usage: axon asm FILE.s -o OUT.axb\n");
        return 2;
    }
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *text = NULL;
    size_t len;
    const struct ax_fs_role input = {in, "the source"}, output = {out, "-o"};
    ax_status st = ax_fs_check_outputs(&input, 1, &output, 1, &diags);
    if (st == AX_OK)
        st = ax_fs_read_file(in, MAX_ASM_BYTES, &text, &len, &diags);
    struct ax_prog p;
    ax_prog_init(&p, 0, 0);
    if (st == AX_OK) {
        st = ax_prog_parse(&p, in, text, len, &diags);
        ax_mem_free(text);
    }
    if (st == AX_OK)
        st = ax_rebuild_check_chip(&p, in, &diags);
    if (st == AX_OK)
        st = ax_prog_save(&p, out, &diags);
    ax_prog_free(&p);
    return finish(&diags, st, "asm", in);
}

int ax_cmd_disasm(int argc, char **argv)
{
    const char *in = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: axon disasm PROG.axb\n\n"
                   "Validates a program container and prints its text form on standard output.\n");
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "axon disasm: unknown option '%s'\n", argv[i]);
            return 2;
        } else if (!in) {
            in = argv[i];
        } else {
            fprintf(stderr, "axon disasm: one program at a time\n");
            return 2;
        }
    }
    if (!in) {
        fprintf(stderr, "usage: axon disasm PROG.axb\n");
        return 2;
    }
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_prog p;
    ax_status st = ax_prog_load(&p, in, &diags);
    if (st == AX_OK)
        st = ax_prog_print(&p, stdout);
    ax_prog_free(&p);
    return finish(&diags, st, "disasm", in);
}
