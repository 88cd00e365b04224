/* Fuzz target: rebuilding the model and placement a program records
 * (mapping/rebuild.c, ax_rebuild_open), as `axon sim` does before it runs a
 * program in counting mode.
 *
 * The input is a program in the .axb container. Its checksums are
 * recomputed first (ax_prog_reseal, as in fuzz_prog_binary.c), so that
 * mutations reach the embedded files and the recorded options instead of
 * stopping at the CRC check. A program that decodes is rebuilt without
 * weights and without a model or chip given from outside: its embedded
 * chip.yaml and model/ files are written to a fresh folder under TMPDIR,
 * which start-up points at a private folder in the working directory, the
 * model is opened shape-only, its graph built and mapped, and the placement
 * compared with the program's. Everything is then freed, and the rebuild's
 * folder removed. */
#include "fuzz_util.h"

#include "ax_mem.h"
#include "ax_prog.h"
#include "ax_rebuild.h"

#include <sys/stat.h>

static char folder[64];

static void remove_folder(void)
{
    rmdir(folder); /* each rebuild removes its own folder inside */
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    strcpy(folder, "rebuild-XXXXXX");
    if (!mkdtemp(folder) || setenv("TMPDIR", folder, 1) != 0)
        abort();
    atexit(remove_folder);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *bytes = (unsigned char *)fuzz_text(data, size); /* a copy reseal may write */
    ax_prog_reseal(bytes, size);

    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_prog p;
    if (ax_prog_decode(&p, "fuzz.axb", bytes, size, &diags) == AX_OK) {
        struct ax_mapped mp;
        (void)ax_rebuild_open(&mp, &p, "fuzz.axb", NULL, NULL, 0, &diags);
        ax_mapped_close(&mp); /* frees what a failed rebuild left, too */
    }
    ax_prog_free(&p);
    ax_diag_print(&diags, fuzz_sink());
    ax_diag_list_free(&diags);
    free(bytes);
    return 0;
}
