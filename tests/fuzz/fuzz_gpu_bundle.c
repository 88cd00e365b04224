/* Fuzz target: GPU bundles, the bundle.txt that `axon ref --export-gpu`
 * writes (compiler/ref/gpu_bundle.c) and axon-gpu-runner reads.
 *
 * The only reader of the format is the runner's (tools/gpu_runner.c), which
 * shares no code with the axon libraries on purpose, so this file includes it
 * whole with its main renamed, and calls what `axon-gpu-runner --check` and
 * `--print` call: bundle_read, bundle_check_files, bundle_print,
 * bundle_free. The reader takes a folder: the input is written as bundle.txt
 * into a private folder made at start-up (in the working directory), which
 * also holds empty module.ptx, weights.bin and reference.bin, so that a
 * bundle declaring those files with 0 bytes passes the file checks. The
 * runner's messages go to /dev/null (its stderr is redirected in this file
 * only), so that a run does not print one line per input. */
#include "fuzz_util.h"

#include <sys/stat.h>

static FILE *runner_stderr;
#undef stderr
#define stderr runner_stderr
#define main gpu_runner_main
#include "gpu_runner.c"
#undef main
#undef stderr
#define stderr stderr

static char bundle_dir[64];

static void write_file(const char *name, const void *data, size_t size)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", bundle_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
}

static void remove_folder(void)
{
    static const char *const names[] = {"bundle.txt", "module.ptx", "weights.bin",
                                        "reference.bin"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", bundle_dir, names[i]);
        remove(path);
    }
    rmdir(bundle_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    runner_stderr = fuzz_sink();
    strcpy(bundle_dir, "gpu-bundle-XXXXXX");
    if (!mkdtemp(bundle_dir))
        abort();
    write_file("module.ptx", "", 0);
    write_file("weights.bin", "", 0);
    write_file("reference.bin", "", 0);
    atexit(remove_folder);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    write_file("bundle.txt", data, size);
    struct bundle b;
    if (bundle_read(bundle_dir, &b) == 0) {
        (void)bundle_check_files(&b);
        bundle_print(&b, fuzz_sink());
        char precision[32];
        option(&b, "precision", precision, sizeof precision);
    }
    bundle_free(&b);
    return 0;
}
