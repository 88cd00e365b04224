/* Recording what a program was built from, and rebuilding it (ax_rebuild.h). */
#define _DEFAULT_SOURCE /* mkdtemp */
#include "ax_rebuild.h"

#include "ax_fs.h"
#include "ax_mem.h"
#include "ax_pipeline.h"
#include "ax_sha256.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Files a model directory holds besides its checkpoint, in the order they
 * are embedded. */
static const char *const model_files[] = {"config.json", "vocab.json", "merges.txt"};

/* dir + "/" + name into `out` (PATH_BYTES); -1 when it does not fit. */
enum { PATH_BYTES = 4096 };
static int join(char out[PATH_BYTES], const char *dir, const char *name)
{
    int n = snprintf(out, PATH_BYTES, "%s/%s", dir, name);
    return n < 0 || n >= PATH_BYTES ? -1 : 0;
}

/* Model files are read whole; a checkpoint larger than this is never
 * embedded, whatever the option says. */
#define MAX_FILE_BYTES ((size_t)1 << 32)

ax_status ax_mapped_open(struct ax_mapped *mp, const char *model_dir, const char *chip_path,
                         const struct ax_ref_options *ref, const struct ax_map_options *opt,
                         struct ax_diag_list *diags)
{
    memset(mp, 0, sizeof *mp);
    mp->ref = *ref;
    ax_status st = ax_arch_load(chip_path, &mp->arch, diags);
    if (st == AX_OK)
        st = ax_model_open(model_dir, &mp->model, diags);
    if (st == AX_OK)
        st = ax_pipeline_run(&mp->graph, mp->model, ref, AX_PASS_COUNT - 1, diags);
    mp->map_options = *opt;
    if (opt->float_weights == AX_MAP_FLOAT_AUTO) /* exact where there are values to check */
        mp->map_options.float_weights =
            mp->model && mp->model->weights ? AX_MAP_FLOAT_KEEP : AX_MAP_FLOAT_INT8;
    if (st == AX_OK)
        st = ax_map_build(&mp->graph, mp->arch, &mp->map_options, &mp->map, diags);
    return st;
}

/* Removes the files a rebuild wrote and their folders (nothing else is in
 * them: the folder was made empty by mkdtemp). */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[PATH_BYTES];
        if (join(path, dir, e->d_name) != 0)
            continue;
        struct stat s;
        if (lstat(path, &s) == 0 && S_ISDIR(s.st_mode))
            remove_tree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

void ax_mapped_close(struct ax_mapped *mp)
{
    ax_map_free(&mp->map);
    ax_ir_free(&mp->graph);
    ax_model_close(mp->model);
    ax_arch_free(mp->arch);
    if (mp->tmp_dir) {
        remove_tree(mp->tmp_dir);
        ax_mem_free(mp->tmp_dir);
    }
    memset(mp, 0, sizeof *mp);
}

/* ---- recording ----------------------------------------------------------------- */

/* The checkpoint files of a model directory, sorted by name: every
 * *.safetensors file and the index. NULL-terminated, in one allocation. */
static char **checkpoint_files(const char *dir, uint32_t *n_out)
{
    *n_out = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    uint32_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        int is_shard = len > 12 && strcmp(e->d_name + len - 12, ".safetensors") == 0;
        if (!is_shard && strcmp(e->d_name, "model.safetensors.index.json") != 0)
            continue;
        if (n + 1 >= cap) {
            cap = cap ? 2 * cap : 8;
            char **grown = ax_mem_realloc(names, cap * sizeof *names);
            if (!grown)
                break;
            names = grown;
        }
        names[n] = ax_mem_alloc(len + 1);
        if (!names[n])
            break;
        memcpy(names[n++], e->d_name, len + 1);
    }
    closedir(d);
    for (uint32_t i = 1; i < n; i++) /* insertion sort: a handful of shards */
        for (uint32_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    if (names)
        names[n] = NULL;
    *n_out = n;
    return names;
}

static void free_names(char **names, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        ax_mem_free(names[i]);
    ax_mem_free(names);
}

/* Reads dir/name whole; *data NULL (and AX_OK) when it does not exist and
 * `is_optional`. */
static ax_status read_in_dir(const char *dir, const char *name, int is_optional, char **data,
                             size_t *len, struct ax_diag_list *diags)
{
    char path[PATH_BYTES];
    *data = NULL;
    *len = 0;
    if (join(path, dir, name) != 0) {
        ax_diag_add(diags, AX_DIAG_ERROR, dir, 0, 0, "the path of %s in this folder is too long",
                    name);
        return AX_ERR_IO;
    }
    if (is_optional && access(path, F_OK) != 0)
        return AX_OK;
    return ax_fs_read_file(path, MAX_FILE_BYTES, data, len, diags);
}

/* Embeds dir/name as "model/name", hashing it into `h` when given. */
static ax_status embed_model_file(struct ax_prog *p, const char *dir, const char *name,
                                  int is_optional, struct ax_sha256 *h, struct ax_diag_list *diags)
{
    char *data;
    size_t len;
    ax_status st = read_in_dir(dir, name, is_optional, &data, &len, diags);
    if (st != AX_OK || !data)
        return st;
    char key[512];
    snprintf(key, sizeof key, "model/%s", name);
    if (h)
        ax_sha256_update(h, data, len);
    st = ax_prog_add_file(p, key, data, len);
    ax_mem_free(data);
    return st;
}

/* The bytes of the checkpoint files, and their hash, without keeping them. */
static ax_status hash_checkpoint(const char *dir, char *const *names, uint32_t n, uint64_t *bytes,
                                 char hex[65], struct ax_diag_list *diags)
{
    struct ax_sha256 h;
    ax_sha256_init(&h);
    *bytes = 0;
    for (uint32_t i = 0; i < n; i++) {
        char *data;
        size_t len;
        ax_status st = read_in_dir(dir, names[i], 0, &data, &len, diags);
        if (st != AX_OK)
            return st;
        ax_sha256_update(&h, data, len);
        *bytes += len;
        ax_mem_free(data);
    }
    ax_sha256_final_hex(&h, hex);
    return AX_OK;
}

static ax_status record_weights(struct ax_prog *p, const char *dir, enum ax_embed_weights embed,
                                struct ax_diag_list *diags)
{
    uint32_t n;
    char **names = checkpoint_files(dir, &n);
    if (n == 0) {
        free_names(names, n);
        ax_status st = ax_prog_set_meta(p, "weights", "none");
        return st == AX_OK ? ax_prog_set_meta(p, "weights_sha256", "none") : st;
    }
    uint64_t bytes;
    char hex[65];
    ax_status st = hash_checkpoint(dir, names, n, &bytes, hex, diags);
    int is_embedded = embed == AX_EMBED_ALWAYS ||
                      (embed == AX_EMBED_AUTO && bytes < AX_REBUILD_EMBED_LIMIT);
    for (uint32_t i = 0; st == AX_OK && is_embedded && i < n; i++)
        st = embed_model_file(p, dir, names[i], 0, NULL, diags);
    if (st == AX_OK)
        st = ax_prog_set_meta(p, "weights", is_embedded ? "embedded" : "referenced");
    if (st == AX_OK)
        st = ax_prog_set_meta(p, "weights_sha256", hex);
    free_names(names, n);
    return st;
}

ax_status ax_rebuild_record(struct ax_prog *p, const char *model_dir, const char *chip_path,
                            const struct ax_ref_options *ref, const struct ax_map_options *mo,
                            enum ax_embed_weights embed, const char *version,
                            struct ax_diag_list *diags)
{
    char *chip;
    size_t chip_len;
    ax_status st = ax_fs_read_file(chip_path, MAX_FILE_BYTES, &chip, &chip_len, diags);
    if (st != AX_OK)
        return st;
    char chip_hex[65], config_hex[65];
    ax_sha256_hex(chip, chip_len, chip_hex);
    st = ax_prog_add_file(p, "chip.yaml", chip, chip_len);
    ax_mem_free(chip);
    struct ax_sha256 config;
    ax_sha256_init(&config);
    for (size_t i = 0; st == AX_OK && i < sizeof model_files / sizeof model_files[0]; i++)
        st = embed_model_file(p, model_dir, model_files[i], i > 0, i == 0 ? &config : NULL, diags);
    ax_sha256_final_hex(&config, config_hex);
    if (st == AX_OK)
        st = record_weights(p, model_dir, embed, diags);
    char k[32], steps[16];
    snprintf(k, sizeof k, "%.17g", ref->spike.k);
    snprintf(steps, sizeof steps, "%u", ref->spike.steps);
    const char *const keys[] = {"model_sha256", "chip_sha256", "axon_version", "precision",
                                "spike",        "encoding",    "k",            "steps",
                                "float_weights"};
    const char *values[] = {config_hex, chip_hex, version, ax_ref_precision_str(ref->precision),
                            ax_spike_mode_str(ref->spike.mode),
                            ax_spike_encoding_str(ref->spike.encoding), k, steps,
                            ax_map_float_weights_str(mo->float_weights)};
    for (size_t i = 0; st == AX_OK && i < sizeof keys / sizeof keys[0]; i++)
        st = ax_prog_set_meta(p, keys[i], values[i]);
    return st;
}

/* ---- rebuilding ---------------------------------------------------------------- */

/* A recorded k: a whole decimal number, nothing after it. */
static int parse_recorded_k(const char *text, double *k)
{
    char *end;
    *k = strtod(text, &end);
    return !*text || *end ? -1 : 0;
}

/* Recorded steps: digits only (0 is adaptive), at most what --steps takes,
 * read without wrapping. */
static int parse_recorded_steps(const char *text, uint32_t *steps)
{
    uint64_t v = 0;
    if (!*text)
        return -1;
    for (const char *c = text; *c; c++) {
        if (*c < '0' || *c > '9' || v > AX_SPIKE_STEPS_MAX)
            return -1;
        v = v * 10 + (uint64_t)(*c - '0');
    }
    if (v > AX_SPIKE_STEPS_MAX)
        return -1;
    *steps = (uint32_t)v;
    return 0;
}

/* The spiking and mapping options a program records, held to the ranges of
 * the command line; AX_ERR_INVALID with a diagnostic naming the program and
 * the value when they are missing, unreadable or out of range. */
static ax_status read_options(const struct ax_prog *p, const char *path,
                              struct ax_ref_options *ref, struct ax_map_options *mo,
                              struct ax_diag_list *diags)
{
    static const char *const keys[] = {"spike", "encoding", "k", "steps", "model", "weights",
                                       "precision", "float_weights"};
    const char *v[sizeof keys / sizeof keys[0]];
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        v[i] = ax_prog_meta(p, keys[i]);
        if (!v[i]) {
            ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                        "the program does not record its '%s'; compile it again with this "
                        "version of axon (axon compile MODEL --chip CHIP -o PROG.axb)", keys[i]);
            return AX_ERR_INVALID;
        }
    }
    ax_ref_options_default(ref);
    ax_map_default_options(mo);
    static const char *const names[] = {"spike",  "encoding",  "k", "steps", NULL, NULL,
                                        "precision", "float_weights"};
    int bad = -1;
    if (ax_spike_mode_parse(v[0], &ref->spike.mode) != 0)
        bad = 0;
    else if (ax_spike_encoding_parse(v[1], &ref->spike.encoding) != 0)
        bad = 1;
    else if (parse_recorded_k(v[2], &ref->spike.k) != 0)
        bad = 2;
    else if (parse_recorded_steps(v[3], &ref->spike.steps) != 0)
        bad = 3;
    else if (ax_ref_precision_parse(v[6], &ref->precision) != 0)
        bad = 6;
    else if (ax_map_float_weights_parse(v[7], &mo->float_weights) != 0)
        bad = 7;
    if (bad >= 0) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "recorded %s '%s' is not valid; compile it again (axon compile MODEL --chip "
                    "CHIP -o PROG.axb)", names[bad], v[bad]);
        return AX_ERR_INVALID;
    }
    /* a program from before reduction trees records no fan-in nor chunk: it
     * reduced flat, each block's rows at once; one from before relays
     * records none and relayed no spikes; one from before ring trees put
     * as many keys on a core as it held; one from before slots, one slot a
     * core; one from before --logits, every logit; one from before
     * --stream, its residual stream whole */
    const char *fanin = ax_prog_meta(p, "reduce_fanin"), *chunk = ax_prog_meta(p, "reduce_chunk");
    const char *relay = ax_prog_meta(p, "relay"), *ring = ax_prog_meta(p, "ring_keys");
    const char *spread = ax_prog_meta(p, "spread"), *logits = ax_prog_meta(p, "logits");
    const char *stream = ax_prog_meta(p, "stream");
    mo->reduce_fanin = mo->reduce_chunk = mo->relay = mo->ring_keys = mo->stream = 0;
    mo->spread = 1;
    mo->logits = AX_MAP_LOGITS_FULL;
    mo->batch = ax_prog_batch(p); /* the verifier refused a batch it is not */
    if ((fanin && ax_map_reduce_fanin_parse(fanin, &mo->reduce_fanin) != 0) ||
        (chunk && ax_map_reduce_chunk_parse(chunk, &mo->reduce_chunk) != 0) ||
        (relay && ax_map_relay_parse(relay, &mo->relay) != 0) ||
        (ring && ax_map_ring_keys_parse(ring, &mo->ring_keys) != 0) ||
        (spread && ax_map_spread_parse(spread, &mo->spread) != 0) ||
        (logits && ax_map_logits_parse(logits, &mo->logits) != 0) ||
        (stream && ax_map_stream_parse(stream, &mo->stream) != 0)) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "recorded reduce_fanin '%s', reduce_chunk '%s', relay '%s', ring_keys '%s', "
                    "spread '%s', logits '%s' or stream '%s' is not valid; compile it again (axon "
                    "compile MODEL --chip CHIP -o PROG.axb)",
                    fanin ? fanin : "", chunk ? chunk : "", relay ? relay : "", ring ? ring : "",
                    spread ? spread : "", logits ? logits : "", stream ? stream : "");
        return AX_ERR_INVALID;
    }
    /* the same ranges as the command line's --k and --steps */
    char msg[160];
    if (ax_spike_options_check(&ref->spike, msg, sizeof msg) != AX_OK) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "recorded spiking options: %s; compile it again (axon compile MODEL --chip "
                    "CHIP -o PROG.axb)", msg);
        return AX_ERR_INVALID;
    }
    return AX_OK;
}

/* Writes every embedded file whose name starts with `prefix` into `dir`,
 * named by the rest of its name ("model/config.json" -> dir/config.json). */
static ax_status extract(const struct ax_prog *p, const char *prefix, const char *dir,
                         struct ax_diag_list *diags)
{
    size_t n = strlen(prefix);
    for (uint32_t i = 0; i < p->n_files; i++) {
        const struct ax_prog_file *f = &p->files[i];
        if (strncmp(f->name, prefix, n) != 0 || !f->name[n] || strchr(f->name + n, '/') ||
            f->name[n] == '.')
            continue;
        char path[PATH_BYTES];
        if (join(path, dir, f->name + n) != 0) {
            ax_diag_add(diags, AX_DIAG_ERROR, dir, 0, 0,
                        "the path of the program's file %s is too long (set TMPDIR to a shorter "
                        "folder)", f->name);
            return AX_ERR_IO;
        }
        ax_status st = ax_fs_write_atomic(path, f->data, f->size, diags);
        if (st != AX_OK)
            return st;
    }
    return AX_OK;
}

/* Checks that `model_dir` is the model the program records: the same
 * config.json and checkpoint. */
static ax_status same_model(const struct ax_prog *p, const char *path, const char *model_dir,
                            struct ax_diag_list *diags)
{
    char *config;
    size_t len;
    ax_status st = read_in_dir(model_dir, "config.json", 0, &config, &len, diags);
    if (st != AX_OK)
        return st;
    char config_hex[65], weights_hex[65] = "none";
    ax_sha256_hex(config, len, config_hex);
    ax_mem_free(config);
    uint32_t n;
    char **names = checkpoint_files(model_dir, &n);
    uint64_t bytes;
    if (n > 0)
        st = hash_checkpoint(model_dir, names, n, &bytes, weights_hex, diags);
    free_names(names, n);
    if (st != AX_OK)
        return st;
    const char *want_config = ax_prog_meta(p, "model_sha256"),
               *want_weights = ax_prog_meta(p, "weights_sha256");
    if (!want_config || !want_weights || strcmp(want_config, config_hex) != 0 ||
        strcmp(want_weights, weights_hex) != 0) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "%s is not the model this program was compiled from (its config.json or "
                    "checkpoint differs: sha256 %.12s/%.12s, recorded %.12s/%.12s); give that "
                    "model, or compile again", model_dir, config_hex, weights_hex,
                    want_config ? want_config : "?", want_weights ? want_weights : "?");
        return AX_ERR_INVALID;
    }
    return AX_OK;
}

/* The program's weight records must be the ones the model and chip give now. */
static ax_status same_placement(const struct ax_prog *file, const struct ax_prog *now,
                                const char *path, struct ax_diag_list *diags)
{
    int same = file->n_weights == now->n_weights && file->n_cores == now->n_cores;
    for (uint32_t i = 0; same && i < file->n_weights; i++) {
        const struct ax_prog_weight *x = &file->weights[i], *y = &now->weights[i];
        same = x->core == y->core && strcmp(x->tensor, y->tensor) == 0 && x->row0 == y->row0 &&
               x->rows == y->rows && x->col0 == y->col0 && x->cols == y->cols &&
               x->is_dram == y->is_dram && x->is_float == y->is_float;
    }
    if (same)
        return AX_OK;
    ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                "its weight placement differs from what its model and chip give now (the program "
                "was compiled for another chip, or by another version of axon); compile it again");
    return AX_ERR_INVALID;
}

/* Makes the private folder the embedded files go to, and names in it the
 * chip file (`chip`) and the model's subfolder (`dir`, named as the model:
 * the graph takes its name from it). */
static ax_status make_tmp_dir(struct ax_mapped *mp, const char *model, char chip[PATH_BYTES],
                              char dir[PATH_BYTES], struct ax_diag_list *diags)
{
    const char *base = getenv("TMPDIR");
    char templ[PATH_BYTES];
    if (join(templ, base && base[0] ? base : "/tmp", "axon-program-XXXXXX") != 0 ||
        !mkdtemp(templ)) {
        ax_diag_add(diags, AX_DIAG_ERROR, base, 0, 0,
                    "cannot make a temporary folder for the program's files (set TMPDIR to a "
                    "writable folder)");
        return AX_ERR_IO;
    }
    size_t n = strlen(templ) + 1;
    mp->tmp_dir = ax_mem_alloc(n);
    if (!mp->tmp_dir) {
        rmdir(templ);
        return AX_ERR_NOMEM;
    }
    memcpy(mp->tmp_dir, templ, n);
    if (strchr(model, '/') || !model[0] || model[0] == '.' || join(dir, templ, model) != 0 ||
        join(chip, templ, "chip.yaml") != 0 || mkdir(dir, 0700) != 0) {
        ax_diag_add(diags, AX_DIAG_ERROR, templ, 0, 0,
                    "cannot make a folder for the model '%s' here", model);
        return AX_ERR_IO;
    }
    return AX_OK;
}

ax_status ax_rebuild_open(struct ax_mapped *mp, const struct ax_prog *p, const char *path,
                          const char *model_dir, const char *chip_path, int needs_weights,
                          struct ax_diag_list *diags)
{
    memset(mp, 0, sizeof *mp);
    struct ax_ref_options ref;
    struct ax_map_options mo;
    ax_status st = read_options(p, path, &ref, &mo, diags);
    if (st != AX_OK)
        return st;
    const char *model = ax_prog_meta(p, "model");
    if (!model_dir && needs_weights && strcmp(ax_prog_meta(p, "weights"), "referenced") == 0) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "the program references the weights of %s without embedding them: give the "
                    "model's folder with --model DIR (or compile with --embed-weights; counting "
                    "mode, --mode counting, needs no weights)", model);
        return AX_ERR_INVALID;
    }
    if (!chip_path && !ax_prog_find_file(p, "chip.yaml")) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "the program does not embed its chip description; compile it again");
        return AX_ERR_INVALID;
    }
    if (model_dir)
        st = same_model(p, path, model_dir, diags);
    char chip[PATH_BYTES], dir[PATH_BYTES];
    if (st == AX_OK)
        st = make_tmp_dir(mp, model, chip, dir, diags);
    if (st == AX_OK && !chip_path) {
        const struct ax_prog_file *f = ax_prog_find_file(p, "chip.yaml");
        st = ax_fs_write_atomic(chip, f->data, f->size, diags);
    }
    if (st == AX_OK && !model_dir)
        st = extract(p, "model/", dir, diags);
    char *tmp = mp->tmp_dir;
    mp->tmp_dir = NULL; /* ax_mapped_open starts afresh */
    if (st == AX_OK)
        st = ax_mapped_open(mp, model_dir ? model_dir : dir, chip_path ? chip_path : chip, &ref,
                            &mo, diags);
    mp->tmp_dir = tmp;
    struct ax_prog now;
    ax_prog_init(&now, 0, 0);
    if (st == AX_OK)
        st = ax_map_emit(&mp->map, &mp->graph, mp->arch, &mp->ref.spike, mp->graph.name, &now,
                         diags);
    if (st == AX_OK)
        st = same_placement(p, &now, path, diags);
    ax_prog_free(&now);
    return st;
}

/* ---- the header against the embedded chip ---------------------------------------- */

static void mismatch(struct ax_diag_list *diags, const char *path, const char *what,
                     uint64_t program, uint64_t chip)
{
    ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                "the program says %s is %llu, its embedded chip description %llu; make the "
                "header (.%s) agree with the chip", what, (unsigned long long)program,
                (unsigned long long)chip, what);
}

ax_status ax_rebuild_check_chip(const struct ax_prog *p, const char *path,
                                struct ax_diag_list *diags)
{
    const struct ax_prog_file *f = ax_prog_find_file(p, "chip.yaml");
    if (!f) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "the program embeds no chip description: add `.file \"chip.yaml\" "
                    "from=\"CHIP.yaml\"` (docs/program.md)");
        return AX_ERR_INVALID;
    }
    char name[PATH_BYTES + 16];
    snprintf(name, sizeof name, "%.4095s (chip.yaml)", path);
    ax_arch_t *arch;
    ax_status st = ax_arch_load_text(name, (const char *)f->data, f->size, &arch, diags);
    if (st != AX_OK)
        return st;
    const struct ax_system_desc *sys = ax_arch_desc(arch);
    const struct ax_chip_desc *chip = &sys->chip;
    uint64_t per_chip = (uint64_t)chip->mesh_width * chip->mesh_height * chip->cores_per_tile;
    uint64_t words = (uint64_t)(chip->core.sram.capacity_bytes / 4);
    uint64_t dram = chip->dram.is_present ? (uint64_t)chip->dram.capacity_bytes : 0;
    uint64_t max_chips = sys->n_chips ? sys->n_chips : sys->max_chips;
    uint32_t before = diags->n_errors;
    if (p->cores_per_chip != per_chip)
        mismatch(diags, path, "cores_per_chip", p->cores_per_chip, per_chip);
    if (p->sram_words != words)
        mismatch(diags, path, "sram_words", p->sram_words, words);
    if (p->dram_bytes_per_chip != dram)
        mismatch(diags, path, "dram_bytes_per_chip", p->dram_bytes_per_chip, dram);
    if (per_chip && p->n_cores % per_chip != 0)
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "%u cores is not a whole number of chips of %llu cores", p->n_cores,
                    (unsigned long long)per_chip);
    else if (per_chip && max_chips && p->n_cores / per_chip > max_chips)
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "%u cores make %llu chips; the system has at most %llu", p->n_cores,
                    (unsigned long long)(p->n_cores / per_chip), (unsigned long long)max_chips);
    else if (p->n_cores > AX_ARCH_MAX_CORES) /* what a chip description may declare */
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "%u cores: axon maps at most %u cores in a system; give .cores at most that",
                    p->n_cores, AX_ARCH_MAX_CORES);
    ax_arch_free(arch);
    return diags->n_errors > before ? AX_ERR_INVALID : AX_OK;
}
