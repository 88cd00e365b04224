/* axon map MODEL_DIR --chip CHIP.yaml [--json]: partition a model's weights
 * and state into core-sized blocks, place them, and report what it takes. */
#include "axon_cmd.h"

#include "ax_arch.h"
#include "ax_diag.h"
#include "ax_ir.h"
#include "ax_map.h"
#include "ax_model.h"
#include "ax_pipeline.h"
#include "ax_ref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axon map MODEL_DIR --chip CHIP.yaml [--json] [--seed N]\n"
            "                [--float-weights keep|int8] [--reduce-fanin N] [--reduce-chunk N]\n"
            "                [--relay on|off] [--ring-keys N] [--spread K]\n"
            "                [--logits full|argmax] [--batch B] [--stream cut|whole]\n"
            "\n"
            "Gives the model the w8spike precision (released spiking), then partitions\n"
            "every weight matrix (int8 codes and float32 scales per group of 128 inputs,\n"
            "or float32 values where the model keeps them; int32 accumulators) and the\n"
            "attention state into blocks that fit a\n"
            "core's SRAM and neuron limits, places them on as many chips as the model needs\n"
            "(or the system allows, streaming the rest from DRAM), and prints cores and\n"
            "chips used, SRAM per core, DRAM bytes, and the estimated traffic per token in\n"
            "hop-bytes beside a naive row-major placement (docs/mapping.md).\n"
            "\n"
            "options:\n"
            "  --chip FILE   the chip description (required)\n"
            "  --json        print one JSON object\n"
            "  --seed N      seed of the placement's annealing (default "
            "1)\n" AX_CMD_FLOAT_WEIGHTS_HELP);
}

int ax_cmd_map_option(int argc, char **argv, int *i, struct ax_map_options *o, const char *cmd)
{
    const char *value = *i + 1 < argc ? argv[*i + 1] : "(missing)";
    if (strcmp(argv[*i], "--float-weights") == 0) {
        if (*i + 1 >= argc || ax_map_float_weights_parse(value, &o->float_weights) != 0) {
            fprintf(stderr, "%s: --float-weights %s: expected keep, int8 or auto\n", cmd, value);
            return -1;
        }
    } else if (strcmp(argv[*i], "--reduce-fanin") == 0) {
        if (*i + 1 >= argc || ax_map_reduce_fanin_parse(value, &o->reduce_fanin) != 0) {
            fprintf(stderr, "%s: --reduce-fanin %s: expected 0 (flat) or a fan-in from 2 to %u\n",
                    cmd, value, AX_MAP_REDUCE_FANIN_MAX);
            return -1;
        }
    } else if (strcmp(argv[*i], "--reduce-chunk") == 0) {
        if (*i + 1 >= argc || ax_map_reduce_chunk_parse(value, &o->reduce_chunk) != 0) {
            fprintf(stderr, "%s: --reduce-chunk %s: expected 0 (a block's rows at once) or a "
                    "number of rows from 1 to %u\n", cmd, value, AX_MAP_REDUCE_CHUNK_MAX);
            return -1;
        }
    } else if (strcmp(argv[*i], "--ring-keys") == 0) {
        if (*i + 1 >= argc || ax_map_ring_keys_parse(value, &o->ring_keys) != 0) {
            fprintf(stderr, "%s: --ring-keys %s: expected 0 (as many as a core holds) or a number "
                    "of keys from 1 to %u\n", cmd, value, AX_MAP_RING_KEYS_MAX);
            return -1;
        }
    } else if (strcmp(argv[*i], "--spread") == 0) {
        if (*i + 1 >= argc || ax_map_spread_parse(value, &o->spread) != 0) {
            fprintf(stderr, "%s: --spread %s: expected a number of slots a core from 1 to %u\n",
                    cmd, value, AX_MAP_SPREAD_MAX);
            return -1;
        }
    } else if (strcmp(argv[*i], "--batch") == 0) {
        if (*i + 1 >= argc || ax_map_batch_parse(value, &o->batch) != 0) {
            fprintf(stderr, "%s: --batch %s: expected a number of sequences from 1 to %u\n", cmd,
                    value, AX_PROG_BATCH_MAX);
            return -1;
        }
    } else if (strcmp(argv[*i], "--logits") == 0) {
        if (*i + 1 >= argc || ax_map_logits_parse(value, &o->logits) != 0) {
            fprintf(stderr, "%s: --logits %s: expected full or argmax\n", cmd, value);
            return -1;
        }
    } else if (strcmp(argv[*i], "--relay") == 0) {
        if (*i + 1 >= argc || ax_map_relay_parse(value, &o->relay) != 0) {
            fprintf(stderr, "%s: --relay %s: expected on or off\n", cmd, value);
            return -1;
        }
    } else if (strcmp(argv[*i], "--stream") == 0) {
        if (*i + 1 >= argc || ax_map_stream_parse(value, &o->stream) != 0) {
            fprintf(stderr, "%s: --stream %s: expected cut or whole\n", cmd, value);
            return -1;
        }
    } else {
        return 0;
    }
    (*i)++;
    return 1;
}

int ax_cmd_map(int argc, char **argv)
{
    const char *dir = NULL, *chip = NULL;
    int is_json = 0;
    struct ax_map_options opt;
    ax_map_default_options(&opt);
    for (int i = 1; i < argc; i++) {
        int r = ax_cmd_map_option(argc, argv, &i, &opt, "axon map");
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--chip") == 0 && i + 1 < argc) {
            chip = argv[++i];
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            char *end;
            opt.seed = strtoull(argv[++i], &end, 10);
            if (*end || !opt.seed) {
                fprintf(stderr, "axon map: --seed needs a positive whole number\n");
                return 2;
            }
        } else if (strcmp(argv[i], "--json") == 0) {
            is_json = 1;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "axon map: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!dir) {
            dir = argv[i];
        } else {
            fprintf(stderr, "axon map: one model at a time\n");
            return 2;
        }
    }
    if (!dir || !chip) {
        usage(stderr);
        return 2;
    }
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_ref_options precision; /* w8spike, released: as compile */
    ax_ref_options_default(&precision);
    struct ax_mapped mp;
    ax_status st = ax_mapped_open(&mp, dir, chip, &precision, &opt, &diags);
    ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    if (st == AX_OK)
        st = ax_map_print_summary(&mp.map, mp.arch, stdout, is_json);
    else
        fprintf(stderr, "axon map: %s\n", ax_status_str(st));
    ax_mapped_close(&mp);
    return st == AX_OK ? 0 : 1;
}
