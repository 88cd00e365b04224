/* axon compile MODEL --chip CHIP -o OUT.axb: build a model's graph IR, run
 * the passes, map it onto the chip and write the program (or print its text
 * with --emit asm); or axon compile MODEL --emit ir|llvm|ptx: print the
 * graph IR after any pass, or the reference code generated from it. */
#include "axon_cmd.h"

#include "ax_check.h"
#include "ax_diag.h"
#include "ax_fs.h"
#include "ax_ir.h"
#include "ax_map.h"
#include "ax_model.h"
#include "ax_pipeline.h"
#include "ax_prog.h"
#include "ax_ref.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axon compile MODEL_DIR --chip CHIP.yaml (-o OUT.axb | --emit asm)\n"
            "                    [spiking options]\n"
            "       axon compile MODEL_DIR --emit ir [--after build|precision]\n"
            "                    [--precision fp32|w8spike] [spiking options]\n"
            "       axon compile MODEL_DIR --emit llvm|ptx [--precision fp32|w8spike]\n"
            "                    [--spike released|paper|none] [--encoding E] [--k K] [--steps T]\n"
            "\n"
            "Reads a SpikingBrain model directory (config.json, and weights if present) and\n"
            "builds the graph IR of one token step. With --chip and -o it gives the graph\n"
            "its precision (w8spike by default), maps it onto the chip (docs/mapping.md) and\n"
            "writes the program (docs/program.md). The program embeds the chip\n"
            "description, the model's config.json and tokenizer, and its checkpoint when\n"
            "that keeps the program under 64 MiB (else weights are referenced by tensor\n"
            "name, and `axon sim` needs --model DIR). With --emit it prints on standard\n"
            "output:\n"
            "\n"
            "  --emit ir     the graph IR's text form (docs/ir.md) after the pass --after\n"
            "                names: build (the float graph; the default without --precision)\n"
            "                or precision (quant, spike and kv attributes set)\n"
            "  --emit asm    with --chip: the program's text form (docs/program.md), as\n"
            "                `axon disasm` prints it\n"
            "  --emit llvm   the reference's LLVM IR module for this machine, before\n"
            "                optimization (docs/reference.md); no weights needed\n"
            "  --emit ptx    the same lowering as PTX for sm_90, one kernel per phase\n"
            "\n"
            "options:\n"
            "  --chip FILE     the chip description to compile for\n"
            "  -o FILE         the program to write (atomically)\n"
            "  --embed-weights, --no-embed-weights\n"
            "                  put the checkpoint into the program, or reference it by\n"
            "                  tensor name (default: embed when under 64 MiB)\n"
            "  --after PASS    with --emit ir: stop after this pass (build, precision)\n"
            "  --precision P   fp32 or w8spike (the default for llvm and ptx)\n"
            "  --spike MODE    released (default), paper or none: which projections spike\n"
            "  --encoding E    bitwise (default), ternary or binary\n"
            "  --k K           threshold V_th = mean|x| / K (default 3)\n"
            "  --steps T       a fixed number of steps (counts saturate); default adaptive\n");
    fprintf(out, "  --batch B       the state of B sequences, a bank each, so that `axon sim\n"
                 "                  --batch B` runs B sequences interleaved (default "
                 "1)\n" AX_CMD_FLOAT_WEIGHTS_HELP "  -h, --help\n");
}

/* Model -> graph -> precision -> mapping -> program file. */
static int compile_program(const char *dir, const char *chip, const char *out,
                           const struct ax_ref_options *o, const struct ax_map_options *mo,
                           enum ax_embed_weights embed)
/* `out` NULL: print the program's text form on standard output instead. */
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_mapped mp;
    struct ax_prog prog;
    ax_prog_init(&prog, 0, 0);
    memset(&mp, 0, sizeof mp);
    const struct ax_fs_role inputs[] = {{dir, "the model directory"}, {chip, "--chip"}};
    const struct ax_fs_role output = {out, "-o"};
    ax_status st = ax_fs_check_outputs(inputs, 2, &output, 1, &diags);
    if (st == AX_OK)
        st = ax_mapped_open(&mp, dir, chip, o, mo, &diags);
    if (st == AX_OK)
        st = ax_map_emit(&mp.map, &mp.graph, mp.arch, &o->spike, mp.graph.name, &prog, &diags);
    if (st == AX_OK)
        st = ax_rebuild_record(&prog, dir, chip, o, &mp.map_options, embed, AX_VERSION, &diags);
    /* a program that embeds its checkpoint also carries every record's
     * codes and scales, so that it runs without the quantizer */
    const char *weights = ax_prog_meta(&prog, "weights");
    if (st == AX_OK && weights && strcmp(weights, "embedded") == 0)
        st = ax_check_embed_weights(&prog, mp.model, &diags);
    if (st == AX_OK)
        st = ax_rebuild_check_chip(&prog, "the emitted program", &diags);
    if (st == AX_OK)
        st = out ? ax_prog_save(&prog, out, &diags) : ax_prog_print(&prog, stdout);
    ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    if (st != AX_OK)
        fprintf(stderr, "axon compile: %s: %s\n", dir, ax_status_str(st));
    ax_prog_free(&prog);
    ax_mapped_close(&mp);
    return st == AX_OK ? 0 : 1;
}

int ax_cmd_compile(int argc, char **argv)
{
    const char *dir = NULL, *emit = NULL, *chip = NULL, *out = NULL, *after = NULL;
    struct ax_ref_options o;
    ax_ref_options_default(&o);
    int has_precision = 0;
    enum ax_embed_weights embed = AX_EMBED_AUTO;
    struct ax_map_options mo;
    ax_map_default_options(&mo);
    for (int i = 1; i < argc; i++) {
        has_precision |= strcmp(argv[i], "--precision") == 0;
        int r = ax_cmd_ref_option(argc, argv, &i, &o, "axon compile");
        if (r == 0)
            r = ax_cmd_map_option(argc, argv, &i, &mo, "axon compile");
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--emit") == 0 && i + 1 < argc) {
            emit = argv[++i];
        } else if (strcmp(argv[i], "--after") == 0 && i + 1 < argc) {
            after = argv[++i];
        } else if (strcmp(argv[i], "--chip") == 0 && i + 1 < argc) {
            chip = argv[++i];
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--embed-weights") == 0) {
            embed = AX_EMBED_ALWAYS;
        } else if (strcmp(argv[i], "--no-embed-weights") == 0) {
            embed = AX_EMBED_NEVER;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "axon compile: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (dir) {
            fprintf(stderr, "axon compile: one model at a time ('%s' and '%s' given)\n", dir,
                    argv[i]);
            return 2;
        } else {
            dir = argv[i];
        }
    }
    int is_asm = emit && strcmp(emit, "asm") == 0;
    if (dir && chip && ((out && !emit) || (is_asm && !out))) {
        if (after) {
            fprintf(stderr, "axon compile: --after goes with --emit ir\n");
            return 2;
        }
        if (ax_cmd_ref_check(&o, "axon compile") != 0)
            return 2;
        return compile_program(dir, chip, out, &o, &mo, embed);
    }
    if (is_asm) {
        fprintf(stderr, "axon compile: --emit asm needs --chip CHIP.yaml (and no -o)\n");
        return 2;
    }
    if (!dir || !emit || chip || out) {
        if (dir && (chip || out) && !emit)
            fprintf(stderr, "axon compile: --chip and -o go together\n");
        usage(stderr);
        return 2;
    }
    int is_ir = strcmp(emit, "ir") == 0;
    enum ax_pass_id last = has_precision || !is_ir ? AX_PASS_PRECISION : AX_PASS_BUILD;
    if (after && (!is_ir || ax_pass_parse(after, &last) != 0)) {
        fprintf(stderr, "axon compile: --after %s: expected --emit ir and a pass: build or precision\n",
                after);
        return 2;
    }
    enum ax_ref_emit what = AX_REF_EMIT_LLVM;
    if (strcmp(emit, "ptx") == 0) {
        what = AX_REF_EMIT_PTX;
    } else if (!is_ir && strcmp(emit, "llvm") != 0) {
        fprintf(stderr, "axon compile: --emit %s is not available; expected ir, asm, llvm or ptx\n",
                emit);
        return 2;
    }
    if (ax_cmd_ref_check(&o, "axon compile") != 0)
        return 2;
    if (!is_ir && !ax_ref_has_llvm()) {
        fprintf(stderr,
                "axon compile: --emit %s needs LLVM 19, which this build lacks "
                "(install llvm-19-dev and rebuild)\n",
                emit);
        return 1;
    }
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_model *m = NULL;
    ax_status st = ax_model_open(dir, &m, &diags);
    struct ax_ir_graph g = {0};
    if (st == AX_OK)
        st = ax_pipeline_run(&g, m, &o, last, &diags);
    if (st == AX_OK && is_ir)
        st = ax_ir_print(&g, stdout);
    else if (st == AX_OK)
        st = ax_ref_emit(&g, &o, m->weights, what, stdout, &diags);
    ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    if (st != AX_OK)
        fprintf(stderr, "axon compile: %s: %s\n", dir, ax_status_str(st));
    ax_ir_free(&g);
    ax_model_close(m);
    return st == AX_OK ? 0 : 1;
}
