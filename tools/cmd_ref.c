/* axon ref MODEL: run the dense reference token by token (docs/reference.md)
 * on the CPU or an NVIDIA GPU and print next-token predictions, bits per
 * byte, the sparsity statistics and the speed; optionally dump every probe
 * for the PyTorch oracle, or write a GPU bundle for the standalone runner. */
#define _POSIX_C_SOURCE 200809L
#include "axon_cmd.h"

#include "ax_diag.h"
#include "ax_fs.h"
#include "ax_gpu.h"
#include "ax_mem.h"
#include "ax_model.h"
#include "ax_ref.h"
#include "ax_tokenizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROMPT_FILE_MAX ((size_t)64 << 20)

/* Reads a whole number in [lo, hi]; 0 on success. */
static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || s[0] == '-' || v < lo || v > hi)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int ax_cmd_ref_option(int argc, char **argv, int *i, struct ax_ref_options *o, const char *cmd)
{
    const char *opt = argv[*i];
    int is_known = strcmp(opt, "--precision") == 0 || strcmp(opt, "--spike") == 0 ||
                   strcmp(opt, "--encoding") == 0 || strcmp(opt, "--k") == 0 ||
                   strcmp(opt, "--steps") == 0;
    if (!is_known)
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "%s: %s needs a value\n", cmd, opt);
        return -1;
    }
    const char *v = argv[++*i];
    if (strcmp(opt, "--precision") == 0 && ax_ref_precision_parse(v, &o->precision) != 0) {
        fprintf(stderr, "%s: --precision %s: expected fp32 or w8spike\n", cmd, v);
        return -1;
    }
    if (strcmp(opt, "--spike") == 0 && ax_spike_mode_parse(v, &o->spike.mode) != 0) {
        fprintf(stderr, "%s: --spike %s: expected released, paper or none\n", cmd, v);
        return -1;
    }
    if (strcmp(opt, "--encoding") == 0 && ax_spike_encoding_parse(v, &o->spike.encoding) != 0) {
        fprintf(stderr, "%s: --encoding %s: expected bitwise, ternary or binary\n", cmd, v);
        return -1;
    }
    if (strcmp(opt, "--k") == 0) {
        char *end;
        o->spike.k = strtod(v, &end);
        if (!*v || *end) {
            fprintf(stderr, "%s: --k %s: expected a number\n", cmd, v);
            return -1;
        }
    }
    if (strcmp(opt, "--steps") == 0 && parse_u32(v, 1, AX_SPIKE_STEPS_MAX, &o->spike.steps) != 0) {
        fprintf(stderr, "%s: --steps %s: expected a whole number from 1 to %u\n", cmd, v,
                AX_SPIKE_STEPS_MAX);
        return -1;
    }
    return 1;
}

int ax_cmd_ref_check(const struct ax_ref_options *o, const char *cmd)
{
    char msg[160];
    if (ax_spike_options_check(&o->spike, msg, sizeof msg) != AX_OK) {
        fprintf(stderr, "%s: %s\n", cmd, msg);
        return -1;
    }
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axon ref MODEL_DIR (--prompt TEXT | --prompt-file FILE | --tokens N)\n"
            "                [--precision fp32|w8spike] [--device cpu|gpu|auto]\n"
            "                [--spike released|paper|none] [--encoding bitwise|ternary|binary]\n"
            "                [--k K] [--steps T] [--seed S] [--json] [--dump DIR]\n"
            "                [--export-gpu DIR]\n"
            "\n"
            "Runs the dense reference (docs/reference.md): the model's token step is\n"
            "generated through LLVM, compiled for this machine (or as PTX for an NVIDIA\n"
            "GPU) and run token by token.\n"
            "Prints the top-1 next-token prediction per position, bits per byte over the\n"
            "prompt (byte tokenizer), the spike sparsity (w8spike) and tokens per second.\n"
            "\n"
            "options:\n"
            "  --prompt TEXT        the text to run, tokenized with the model's tokenizer\n"
            "  --prompt-file FILE   the same from a file\n"
            "  --tokens N           N token ids drawn uniformly from the vocabulary (seeded)\n"
            "  --seed S             the seed of --tokens (default 1)\n"
            "  --precision P        fp32 (the float model) or w8spike (default)\n"
            "  --device D           cpu, gpu (an NVIDIA GPU through the CUDA driver) or auto\n"
            "                       (default: the GPU when one can run the model, else cpu)\n"
            "  --spike MODE         which projections spike: released (default), paper, none\n"
            "  --encoding E         spike encoding for event counts: bitwise (default),\n"
            "                       ternary, binary\n"
            "  --k K                threshold V_th = mean|x| / K (default 3)\n"
            "  --steps T            a fixed number of steps (counts saturate); default adaptive\n"
            "  --json               print one JSON object instead of text\n"
            "  --dump DIR           write every projection's inputs, counts, thresholds and\n"
            "                       outputs, every layer's output and the logits to DIR\n"
            "  --export-gpu DIR     run on the CPU and write a GPU bundle to DIR: the plan,\n"
            "                       PTX, weights, tokens and the CPU's results, for\n"
            "                       axon-gpu-runner on a machine with an NVIDIA GPU\n"
            "  -h, --help\n");
}

int ax_cmd_load_tokens(const struct ax_model *m, const char *prompt, const char *file,
                       uint32_t n_random, uint32_t seed, uint32_t max_tokens, int32_t **ids,
                       size_t *n_ids)
{
    *ids = NULL;
    *n_ids = 0;
    if (n_random) {
        int32_t *t = ax_mem_alloc((size_t)n_random * sizeof *t);
        if (!t)
            return -1;
        uint64_t x = 0x9e3779b97f4a7c15ull * (seed + 1ull); /* xorshift64* */
        for (uint32_t i = 0; i < n_random; i++) {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            t[i] = (int32_t)(((x * 0x2545f4914f6cdd1dull) >> 32) % m->config.vocab_size);
        }
        *ids = t;
        *n_ids = n_random;
        return 0;
    }
    if (!m->tokenizer) {
        fprintf(stderr, "axon: %s has no tokenizer; use --tokens N\n", m->dir);
        return -1;
    }
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *text = NULL;
    size_t len = 0;
    ax_status st = AX_OK;
    if (file)
        st = ax_fs_read_file(file, PROMPT_FILE_MAX, &text, &len, &diags);
    if (st == AX_OK)
        st = ax_tok_encode(m->tokenizer, file ? text : prompt, file ? len : strlen(prompt), ids,
                           n_ids, &diags);
    ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    ax_mem_free(text);
    if (st == AX_OK && *n_ids == 0) {
        fprintf(stderr, "axon: the prompt is empty\n");
        st = AX_ERR_USAGE;
    } else if (st == AX_OK && *n_ids > max_tokens) {
        fprintf(stderr, "axon: %s: the prompt is %zu tokens; the limit is %u, as for --tokens: "
                "give a shorter prompt\n", file ? file : "--prompt", *n_ids, max_tokens);
        ax_mem_free(*ids);
        *ids = NULL;
        st = AX_ERR_LIMIT;
    }
    return st == AX_OK ? 0 : -1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One byte as one printable character ('.' for the others). */
static char byte_char(int32_t id)
{
    return id >= 0x20 && id < 0x7f ? (char)id : '.';
}

/* The predictions, briefly: for the byte tokenizer the text and, under each
 * byte, the byte the model predicted there from the bytes before it (the
 * last column is its guess after the prompt); else `input>top-1` ids. At
 * most 72 positions. */
static void print_predictions(const struct ax_model *m, const struct ax_ref_run *run)
{
    uint64_t n = run->n_tokens < 72 ? run->n_tokens : 72;
    const char *more = n < run->n_tokens ? " ..." : "";
    if (m->tokenizer && ax_tok_kind(m->tokenizer) == AX_TOK_KIND_BYTES) {
        printf("text       |");
        for (uint64_t i = 0; i < n; i++)
            putchar(byte_char(run->tokens[i]));
        printf("|%s\npredicted  | ", more);
        for (uint64_t i = 0; i < n; i++)
            putchar(byte_char((int32_t)run->top1[i]));
        printf("%s\n", more);
        return;
    }
    printf("top-1      ");
    for (uint64_t i = 0; i < n && i < 16; i++)
        printf("%s%d>%u", i ? " " : "", run->tokens[i], run->top1[i]);
    printf("%s\n", run->n_tokens > 16 ? " ..." : "");
}

static void print_text(const struct ax_model *m, const ax_ref_session_t *s,
                       const struct ax_ref_run *run)
{
    const struct ax_ref_options *o = ax_ref_session_options(s);
    printf("model      %s\n", m->dir);
    printf("precision  %s", ax_ref_precision_str(o->precision));
    if (o->precision == AX_REF_PRECISION_W8SPIKE)
        printf(" (spike %s, encoding %s, k %g, steps %s)", ax_spike_mode_str(o->spike.mode),
               ax_spike_encoding_str(o->spike.encoding), o->spike.k,
               o->spike.steps ? "fixed" : "adaptive");
    const char *note = ax_ref_session_device_note(s);
    printf("\ndevice     %s%s%s%s\n", ax_ref_device_str(ax_ref_session_device(s)),
           note[0] ? " (" : "", note, note[0] ? ")" : "");
    printf("tokens     %llu\n", (unsigned long long)run->n_tokens);
    print_predictions(m, run);
    if (run->n_predicted) {
        double bits = run->bits_sum / (double)run->n_predicted;
        printf("%-10s %.4f over %llu predicted positions\n",
               run->is_bytes ? "bits/byte" : "bits/token", bits,
               (unsigned long long)run->n_predicted);
    }
    if (o->precision == AX_REF_PRECISION_W8SPIKE && o->spike.mode != AX_SPIKE_MODE_NONE) {
        struct ax_spike_summary t;
        ax_ref_session_sparsity(s, &t);
        printf("sparsity   zero %.4f, slot(T=3) %.4f, slot(T) %.4f, spikes/value %.4f, "
               "silent channels %.4f\n",
               t.zero_fraction, t.slot_sparsity_t3, t.slot_sparsity, t.spikes_per_element,
               t.silent_channels);
        printf("           spikes in 3 steps: 0: %.4f  1: %.4f  2: %.4f  3: %.4f\n",
               t.histogram_t3[0], t.histogram_t3[1], t.histogram_t3[2], t.histogram_t3[3]);
    }
    uint64_t outside = ax_ref_session_codes_outside_int8(s);
    if (outside)
        printf("weights    %llu codes outside int8 (kept as int16)\n", (unsigned long long)outside);
    printf("speed      %.1f tokens/s (compile %.2f s)\n",
           run->seconds > 0 ? (double)run->n_tokens / run->seconds : 0.0,
           ax_ref_session_compile_seconds(s));
}

int ax_cmd_ref(int argc, char **argv)
{
    const char *dir = NULL, *prompt = NULL, *prompt_file = NULL, *dump = NULL, *device = "auto";
    const char *export_gpu = NULL;
    uint32_t n_random = 0, seed = 1;
    int is_json = 0;
    struct ax_ref_options o;
    ax_ref_options_default(&o);
    for (int i = 1; i < argc; i++) {
        int r = ax_cmd_ref_option(argc, argv, &i, &o, "axon ref");
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--json") == 0) {
            is_json = 1;
        } else if (strcmp(a, "--prompt") == 0 && has_value) {
            prompt = argv[++i];
        } else if (strcmp(a, "--prompt-file") == 0 && has_value) {
            prompt_file = argv[++i];
        } else if (strcmp(a, "--dump") == 0 && has_value) {
            dump = argv[++i];
        } else if (strcmp(a, "--device") == 0 && has_value) {
            device = argv[++i];
        } else if (strcmp(a, "--export-gpu") == 0 && has_value) {
            export_gpu = argv[++i];
        } else if (strcmp(a, "--tokens") == 0 && has_value) {
            if (parse_u32(argv[++i], 1, AX_CMD_REF_MAX_TOKENS, &n_random) != 0) {
                fprintf(stderr, "axon ref: --tokens %s: expected a whole number from 1 to %u\n",
                        argv[i], AX_CMD_REF_MAX_TOKENS);
                return 2;
            }
        } else if (strcmp(a, "--seed") == 0 && has_value) {
            if (parse_u32(argv[++i], 0, UINT32_MAX, &seed) != 0) {
                fprintf(stderr, "axon ref: --seed %s: expected a whole number\n", argv[i]);
                return 2;
            }
        } else if (a[0] == '-') {
            fprintf(stderr, "axon ref: unknown option '%s' (or a missing value)\n", a);
            usage(stderr);
            return 2;
        } else if (dir) {
            fprintf(stderr, "axon ref: one model at a time ('%s' and '%s' given)\n", dir, a);
            return 2;
        } else {
            dir = a;
        }
    }
    if (!dir || (!!prompt + !!prompt_file + !!n_random) != 1) {
        if (dir)
            fprintf(stderr, "axon ref: give exactly one of --prompt, --prompt-file, --tokens\n");
        usage(stderr);
        return 2;
    }
    if (ax_cmd_ref_check(&o, "axon ref") != 0)
        return 2;
    enum ax_ref_device dev;
    if (ax_ref_device_parse(device, &dev) != 0) {
        fprintf(stderr, "axon ref: --device %s: expected cpu, gpu or auto\n", device);
        return 2;
    }
    if (export_gpu && dev == AX_REF_DEVICE_GPU) {
        fprintf(stderr, "axon ref: --export-gpu records the CPU's results: use --device cpu "
                        "(or auto)\n");
        return 2;
    }
    if (export_gpu)
        dev = AX_REF_DEVICE_CPU;

    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    const struct ax_fs_role inputs[] = {{dir, "the model directory"}, {prompt_file, "--prompt-file"}};
    const struct ax_fs_role outputs[] = {{dump, "--dump"}, {export_gpu, "--export-gpu"}};
    if (ax_fs_check_outputs(inputs, 2, outputs, 2, &diags) != AX_OK) {
        ax_diag_print(&diags, stderr);
        ax_diag_list_free(&diags);
        return 2;
    }
    if (dev == AX_REF_DEVICE_GPU) {
        /* before the model loads: no driver or no device is said at once, in one line */
        char desc[320];
        ax_status pst = ax_gpu_probe(desc, sizeof desc, &diags);
        if (pst != AX_OK) {
            fprintf(stderr, "axon ref: --device gpu: %s; use --device cpu\n",
                    diags.n_items ? diags.items[0].message : ax_status_str(pst));
            ax_diag_list_free(&diags);
            return 1;
        }
    }
    struct ax_model *m = NULL;
    ax_status st = ax_model_open(dir, &m, &diags);
    ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    if (st != AX_OK) {
        fprintf(stderr, "axon ref: %s: %s\n", dir, ax_status_str(st));
        return 1;
    }
    int32_t *tokens = NULL;
    size_t n_tokens = 0;
    if (ax_cmd_load_tokens(m, prompt, prompt_file, n_random, seed, AX_CMD_REF_MAX_TOKENS, &tokens,
                           &n_tokens) != 0) {
        ax_model_close(m);
        return 1;
    }
    ax_diag_list_init(&diags);
    ax_ref_session_t *s = NULL;
    struct ax_ref_dump *d = NULL;
    struct ax_gpu_bundle *bundle = NULL;
    uint32_t *top1 = ax_mem_calloc(n_tokens, sizeof *top1);
    st = top1 ? ax_ref_session_open_on(m, &o, dev, &s, &diags) : AX_ERR_NOMEM;
    if (st == AX_OK && dump)
        st = ax_ref_dump_new(s, &d);
    if (st == AX_OK && export_gpu)
        st = ax_gpu_bundle_new(s, &bundle, &diags);
    struct ax_ref_run run = {0};
    run.model = dir;
    run.tokens = tokens;
    run.top1 = top1;
    run.is_bytes = m->tokenizer && ax_tok_kind(m->tokenizer) == AX_TOK_KIND_BYTES;
    int is_tty = isatty(fileno(stderr));
    double t0 = now_seconds(), last = t0;
    for (size_t i = 0; st == AX_OK && i < n_tokens; i++) {
        double t = now_seconds();
        st = ax_ref_session_step(s, tokens[i], &diags);
        run.seconds += now_seconds() - t;
        if (st != AX_OK)
            break;
        const float *logits = ax_ref_session_logits(s);
        uint32_t vocab = ax_ref_session_vocab(s);
        top1[i] = ax_ref_argmax(logits, vocab);
        if (i + 1 < n_tokens) {
            run.bits_sum += ax_ref_bits(logits, vocab, (uint32_t)tokens[i + 1]);
            run.n_predicted++;
        }
        run.n_tokens = i + 1;
        if (d)
            st = ax_ref_session_sync_probes(s, &diags);
        if (d && st == AX_OK)
            st = ax_ref_dump_add(d, s, tokens[i]);
        if (bundle && st == AX_OK)
            st = ax_gpu_bundle_add(bundle, s, tokens[i]);
        if (now_seconds() - last >= 1.0) { /* a progress line for long runs */
            last = now_seconds();
            fprintf(stderr, "axon ref: %zu/%zu tokens, %.1f tokens/s%s", i + 1, n_tokens,
                    (double)(i + 1) / run.seconds, is_tty ? "\r" : "\n");
        }
    }
    if (is_tty && last != t0)
        fprintf(stderr, "\n");
    if (st == AX_OK && d)
        st = ax_ref_dump_write(d, s, dump, dir, &diags);
    if (st == AX_OK && bundle)
        st = ax_gpu_bundle_write(bundle, s, export_gpu, dir, &diags);
    ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    if (st == AX_OK) {
        if (is_json)
            st = ax_ref_report_json(s, &run, stdout);
        else
            print_text(m, s, &run);
    } else {
        fprintf(stderr, "axon ref: %s: %s\n", dir, ax_status_str(st));
    }
    ax_ref_dump_free(d);
    ax_gpu_bundle_free(bundle);
    ax_ref_session_close(s);
    ax_mem_free(top1);
    ax_mem_free(tokens);
    ax_model_close(m);
    return st == AX_OK ? 0 : 1;
}
