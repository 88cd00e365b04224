/* Chip descriptions: every preset, SANA-FE's format, derived figures, the
 * malformed-file corpus (mutations.txt and files.txt), allocation failures. */
#define _POSIX_C_SOURCE 200809L
#include "ax_test.h"

#include "ax_arch.h"
#include "ax_diag.h"
#include "ax_fs.h"
#include "ax_mem.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#define SRC AX_SOURCE_DIR

static ax_arch_t *load_ok(const char *path, struct ax_diag_list *diags)
{
    ax_arch_t *arch = NULL;
    ax_status st = ax_arch_load(path, &arch, diags);
    if (st != AX_OK) {
        fprintf(stderr, "  loading %s failed: %s\n", path, ax_status_str(st));
        ax_diag_print(diags, stderr);
    }
    CHECK(st == AX_OK && arch != NULL);
    return arch;
}

/* Every cost group of a preset must say where its numbers come from. */
static void check_provenance(const struct ax_system_desc *d)
{
    const struct ax_chip_desc *c = &d->chip;
    CHECK(d->n_sources > 0);
    for (int u = 0; u < AX_UNIT_COUNT; u++)
        CHECK(c->core.unit[u].prov.source != NULL);
    CHECK(c->core.dense.prov.source != NULL);
    CHECK(c->core.sram.prov.source != NULL);
    CHECK(c->router.prov.source != NULL);
    CHECK(c->static_prov.source != NULL);
    CHECK(c->sync.prov.source != NULL);
    CHECK(!c->dram.is_present || c->dram.prov.source != NULL);
    CHECK(!d->is_chips_open || d->interchip.prov.source != NULL);
}

static const struct ax_system_desc *preset(const char *name, ax_arch_t **arch)
{
    char path[512];
    snprintf(path, sizeof path, "%s/models/chips/%s.yaml", SRC, name);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    *arch = load_ok(path, &diags);
    /* A preset loads without a single warning: no unknown keys, no doubts. */
    CHECK(diags.n_warnings == 0 && diags.n_errors == 0);
    if (diags.n_warnings)
        ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    if (!*arch)
        return NULL;
    const struct ax_system_desc *d = ax_arch_desc(*arch);
    check_provenance(d);
    CHECK_STR(d->name, name);
    CHECK(d->format == AX_CHIP_FORMAT_AXON);
    return d;
}

static void test_preset_loihi1_fit(void)
{
    ax_arch_t *arch;
    const struct ax_system_desc *d = preset("loihi1-fit", &arch);
    if (!d)
        return;
    const struct ax_core_desc *c = &d->chip.core;
    CHECK(d->is_chips_open);
    CHECK(ax_arch_cores_per_chip(arch) == 128);
    CHECK(c->max_neurons == 1024);
    CHECK_NEAR(c->event[AX_EVENT_SYNAPSE_PROCESS_SPIKE].energy_j, 35.5e-12);
    CHECK_NEAR(c->event[AX_EVENT_SYNAPSE_PROCESS_SPIKE].latency_s, 3.8e-9);
    CHECK_NEAR(c->event[AX_EVENT_SOMA_SPIKE_OUT].energy_j, 69.3e-12);
    CHECK_NEAR(c->event[AX_EVENT_AXON_OUT_MESSAGE_OUT].energy_j, 111e-12);
    CHECK_NEAR(d->chip.router.hop[AX_DIR_NORTH].energy_j, 4.2e-12);
    CHECK_NEAR(d->chip.router.hop[AX_DIR_EAST].latency_s, 4.1e-9);
    CHECK(d->chip.sync.model == AX_SYNC_TABLE && d->chip.sync.n_table == 4);
    CHECK_NEAR(ax_arch_chip_static_power(arch), 0.104);
    CHECK(c->unit[AX_UNIT_SYNAPSE].prov.is_estimate == 0);
    CHECK(c->dense.prov.is_estimate == 1);
    ax_arch_free(arch);
}

static void test_preset_loihi1_davies(void)
{
    ax_arch_t *arch;
    const struct ax_system_desc *d = preset("loihi1-davies", &arch);
    if (!d)
        return;
    const struct ax_core_desc *c = &d->chip.core;
    CHECK_NEAR(c->event[AX_EVENT_SYNAPSE_PROCESS_SPIKE].energy_j, 23.6e-12);
    CHECK_NEAR(c->event[AX_EVENT_SYNAPSE_PROCESS_SPIKE].latency_s, 3.5e-9);
    /* Active neuron update 81 pJ = access 52 + update 29. */
    CHECK_NEAR(c->event[AX_EVENT_SOMA_ACCESS_NEURON].energy_j +
                   c->event[AX_EVENT_SOMA_UPDATE_NEURON].energy_j, 81e-12);
    CHECK_NEAR(d->chip.router.hop[AX_DIR_SOUTH].energy_j, 4.0e-12);
    CHECK_NEAR(d->chip.router.local.energy_j, 1.7e-12);
    CHECK_NEAR(ax_arch_sync_latency(arch, 1), 113e-9);
    CHECK_NEAR(ax_arch_sync_latency(arch, 32), 465e-9);
    ax_arch_free(arch);
}

static void test_preset_loihi2_like(void)
{
    ax_arch_t *arch;
    const struct ax_system_desc *d = preset("loihi2-like", &arch);
    if (!d)
        return;
    const struct ax_core_desc *c = &d->chip.core;
    CHECK(ax_arch_cores_per_chip(arch) == 128);
    CHECK(c->max_neurons == 8192);
    CHECK_NEAR(c->sram.capacity_bytes, 192.0 * 1024);
    CHECK_NEAR(c->event[AX_EVENT_SYNAPSE_PROCESS_SPIKE].latency_s, 3.8e-9 / 5);
    CHECK(c->unit[AX_UNIT_SYNAPSE].prov.is_estimate);
    CHECK(d->chip.sync.model == AX_SYNC_FIXED);
    CHECK_NEAR(ax_arch_sync_latency(arch, 7), 200e-9);
    /* no published handshake cost: dataflow's handshakes cost 0, said so */
    CHECK(!d->chip.sync.is_handshake_known);
    CHECK(d->chip.sync.handshake_latency_s == 0 && d->chip.sync.handshake_energy_j == 0);
    /* 16.05 W over a 16-chip Loihi 2 board (docs/sources.md: loihi2-vpx-anomaly) */
    CHECK_NEAR(ax_arch_chip_static_power(arch), 1.0);
    CHECK(d->chip.static_prov.is_estimate);
    ax_arch_free(arch);
}

static void test_preset_truenorth(void)
{
    ax_arch_t *arch;
    const struct ax_system_desc *d = preset("truenorth", &arch);
    if (!d)
        return;
    CHECK(d->chip.mesh_width == 64 && d->chip.mesh_height == 64);
    CHECK(ax_arch_cores_per_chip(arch) == 4096);
    CHECK(d->chip.core.max_neurons == 256);
    CHECK_NEAR(d->chip.core.event[AX_EVENT_SYNAPSE_PROCESS_SPIKE].energy_j, 2.3e-12);
    CHECK_NEAR(d->chip.router.hop[AX_DIR_WEST].energy_j, 2.3e-12);
    CHECK_NEAR(ax_arch_chip_static_power(arch), 0.042);
    ax_arch_free(arch);
}

static void test_preset_generic_45nm(void)
{
    ax_arch_t *arch;
    const struct ax_system_desc *d = preset("generic-45nm", &arch);
    if (!d)
        return;
    const struct ax_core_desc *c = &d->chip.core;
    CHECK_NEAR(c->event[AX_EVENT_SYNAPSE_PROCESS_SPIKE].energy_j, 0.03e-12);
    CHECK_NEAR(c->dense_op[AX_DENSE_MAC].energy_j, 1.5e-12);
    CHECK(d->chip.dram.is_present);
    CHECK_NEAR(d->chip.dram.energy_per_byte_j, 1.3e-9 / 8);
    CHECK_NEAR(ax_arch_chip_static_power(arch), 0.0);
    ax_arch_free(arch);
}

/* The same Loihi numbers in SANA-FE's format and in axon's load alike. */
static void test_sanafe_matches_native(void)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_arch_t *sf = load_ok(SRC "/tests/chip/data/sanafe-loihi.yaml", &diags);
    /* Three synapse and two dendrite variants: two warnings, each naming the
     * unit axon uses. */
    CHECK(diags.n_warnings == 2);
    int saw_synapse = 0;
    for (uint32_t i = 0; i < diags.n_items; i++)
        saw_synapse |= strstr(diags.items[i].message, "'loihi_dense_synapse'") != NULL;
    CHECK(saw_synapse);
    ax_diag_list_free(&diags);
    ax_arch_t *native = load_ok(SRC "/models/chips/loihi1-fit.yaml", &diags);
    ax_diag_list_free(&diags);
    if (!sf || !native) {
        ax_arch_free(sf);
        ax_arch_free(native);
        return;
    }
    const struct ax_system_desc *a = ax_arch_desc(sf), *b = ax_arch_desc(native);
    CHECK(a->format == AX_CHIP_FORMAT_SANAFE);
    CHECK_STR(a->name, "loihi_chip");
    CHECK_STR(a->chip.core.unit[AX_UNIT_SOMA].name, "loihi_lif");
    CHECK(a->chip.mesh_width == b->chip.mesh_width && a->chip.mesh_height == b->chip.mesh_height);
    CHECK(a->chip.cores_per_tile == b->chip.cores_per_tile);
    CHECK(a->chip.core.max_neurons == b->chip.core.max_neurons);
    for (int e = 0; e < AX_EVENT_COUNT; e++) {
        CHECK_NEAR(a->chip.core.event[e].energy_j, b->chip.core.event[e].energy_j);
        CHECK_NEAR(a->chip.core.event[e].latency_s, b->chip.core.event[e].latency_s);
    }
    for (int dir = 0; dir < AX_DIR_COUNT; dir++) {
        CHECK_NEAR(a->chip.router.hop[dir].energy_j, b->chip.router.hop[dir].energy_j);
        CHECK_NEAR(a->chip.router.hop[dir].latency_s, b->chip.router.hop[dir].latency_s);
    }
    CHECK(a->chip.sync.n_table == b->chip.sync.n_table);
    for (uint32_t n = 1; n <= 40; n++)
        CHECK_NEAR(ax_arch_sync_latency(sf, n), ax_arch_sync_latency(native, n));
    CHECK(a->chip.router.buffer_packets == 16);
    CHECK(a->chip.core.sram.capacity_bytes == 0); /* not described */
    ax_arch_free(sf);
    ax_arch_free(native);
}

static void test_derived_figures(void)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_arch_t *arch = load_ok(SRC "/tests/chip/data/base.yaml", &diags);
    CHECK(diags.n_warnings == 0);
    ax_diag_list_free(&diags);
    if (!arch)
        return;
    const struct ax_system_desc *d = ax_arch_desc(arch);
    CHECK(!d->is_chips_open && d->n_chips == 4 && d->max_chips == 8);
    CHECK(ax_arch_n_chips(arch) == 4);
    CHECK(ax_arch_tiles_per_chip(arch) == 8);
    CHECK(ax_arch_cores_per_chip(arch) == 16);
    CHECK_NEAR(ax_arch_peak_sops(arch), 16.0 * 4 / 3.5e-9);
    CHECK_NEAR(ax_arch_chip_static_power(arch), 0.1 + 16 * 0.001);
    CHECK_NEAR(ax_arch_sync_latency(arch, 1), 113e-9);
    CHECK_NEAR(ax_arch_sync_latency(arch, 2), 300e-9);
    CHECK_NEAR(ax_arch_sync_latency(arch, 8), 300e-9);
    CHECK_NEAR(ax_arch_sync_latency(arch, 9), 465e-9);
    CHECK_NEAR(ax_arch_sync_latency(arch, 1000), 465e-9);
    /* Ops the dense unit does not list take the default. */
    CHECK_NEAR(d->chip.core.dense_op[AX_DENSE_ADD].energy_j, 1.5e-12);
    CHECK_NEAR(d->chip.core.dense_op[AX_DENSE_EXP].energy_j, 6e-12);
    CHECK(d->chip.core.dense.lanes == 8);
    CHECK(d->chip.core.unit[AX_UNIT_SYNAPSE].lanes == 4);
    CHECK(d->chip.core.unit[AX_UNIT_SOMA].lanes == 1);
    CHECK_STR(d->chip.core.unit[AX_UNIT_SYNAPSE].prov.source, "test synapse");
    CHECK(d->chip.core.unit[AX_UNIT_SYNAPSE].prov.is_estimate);
    CHECK_NEAR(d->chip.dram.bandwidth_bps, 10e9);
    CHECK_NEAR(d->interchip.energy_per_byte_j, 16e-12);
    ax_arch_free(arch);
}

/* Reads a whole text file of the source tree; NULL on failure. Not inlined:
 * at -O3, GCC 12 mistakes pointers into the result for pointers to the local
 * that received it (-Wdangling-pointer). */
__attribute__((noinline)) static char *slurp(const char *path, size_t *len)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *text = NULL;
    if (ax_fs_read_file(path, 1 << 20, &text, len, &diags) != AX_OK)
        ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    return text;
}

/* Splits `line` at " | " into at most `max` trimmed fields; returns the count. */
static int split_fields(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        fields[n++] = p;
        char *sep = strstr(p, " | ");
        if (!sep)
            break;
        *sep = '\0';
        p = sep + 3;
    }
    for (int i = 0; i < n; i++) {
        while (*fields[i] == ' ')
            fields[i]++;
        size_t l = strlen(fields[i]);
        while (l && (fields[i][l - 1] == ' ' || fields[i][l - 1] == '\n'))
            fields[i][--l] = '\0';
    }
    return n;
}

/* Replaces each two-character "\n" in `s` with a newline, in place. */
static void unescape_newlines(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (r[0] == '\\' && r[1] == 'n')
            *w++ = '\n', r++;
        else
            *w++ = *r;
    }
    *w = '\0';
}

/* Checks that loading failed with `want_msg` at `want_pos` ("line:col") as the
 * first error; with `is_only`, as the only error too. */
static void expect_error(const char *name, ax_status st, const struct ax_diag_list *diags,
                         const char *want_pos, const char *want_msg, int is_only)
{
    unsigned line = 0, col = 0;
    sscanf(want_pos, "%u:%u", &line, &col);
    const struct ax_diag *first = NULL;
    for (uint32_t i = 0; i < diags->n_items && !first; i++) {
        if (diags->items[i].severity == AX_DIAG_ERROR)
            first = &diags->items[i];
    }
    int ok = st != AX_OK && first && first->line == line && first->col == col &&
             strstr(first->message, want_msg) && (!is_only || diags->n_errors == 1);
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "  %s: expected the %serror %s '%s'; got status '%s' and:\n", name,
                is_only ? "only " : "first ", want_pos, want_msg, ax_status_str(st));
        ax_diag_print(diags, stderr);
    }
}

static void test_mutation_corpus(void)
{
    size_t base_len, list_len;
    char *base = slurp(SRC "/tests/chip/data/base.yaml", &base_len);
    char *list = slurp(SRC "/tests/chip/mutations.txt", &list_len);
    CHECK(base && list);
    if (!base || !list) {
        ax_mem_free(base);
        ax_mem_free(list);
        return;
    }
    int n_cases = 0;
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *f[5];
        int nf = split_fields(line, f, 5);
        CHECK(nf == 5);
        if (nf != 5)
            continue;
        unescape_newlines(f[1]);
        unescape_newlines(f[2]);
        if (strcmp(f[2], "\"\"") == 0)
            f[2][0] = '\0';
        char *at = strstr(base, f[1]);
        /* The text to replace must occur exactly once, or the case tests nothing. */
        CHECK(at != NULL && strstr(at + 1, f[1]) == NULL);
        if (!at)
            continue;
        size_t find_len = strlen(f[1]), rep_len = strlen(f[2]);
        size_t len = base_len - find_len + rep_len;
        char *text = malloc(len + 1);
        memcpy(text, base, (size_t)(at - base));
        memcpy(text + (at - base), f[2], rep_len);
        strcpy(text + (at - base) + rep_len, at + find_len);
        char name[128];
        snprintf(name, sizeof name, "%s.yaml", f[0]);
        struct ax_diag_list diags;
        ax_diag_list_init(&diags);
        ax_arch_t *arch = NULL;
        ax_status st = ax_arch_load_text(name, text, len, &arch, &diags);
        expect_error(name, st, &diags, f[3], f[4], 1);
        CHECK(arch == NULL);
        ax_arch_free(arch);
        ax_diag_list_free(&diags);
        free(text);
        n_cases++;
    }
    CHECK(n_cases >= 25);
    ax_mem_free(base);
    ax_mem_free(list);
}

static void test_file_corpus(void)
{
    size_t list_len;
    char *list = slurp(SRC "/tests/chip/files.txt", &list_len);
    CHECK(list != NULL);
    if (!list)
        return;
    int n_cases = 0;
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *f[3];
        CHECK(split_fields(line, f, 3) == 3);
        char path[512];
        snprintf(path, sizeof path, "%s/tests/chip/%s", SRC, f[0]);
        struct ax_diag_list diags;
        ax_diag_list_init(&diags);
        ax_arch_t *arch = NULL;
        ax_status st = ax_arch_load(path, &arch, &diags);
        expect_error(f[0], st, &diags, f[1], f[2], 0);
        CHECK(arch == NULL);
        /* Every error names the file. */
        for (uint32_t i = 0; i < diags.n_items; i++)
            CHECK(diags.items[i].file && strcmp(diags.items[i].file, path) == 0);
        ax_diag_list_free(&diags);
        n_cases++;
    }
    CHECK(n_cases >= 15);
    ax_mem_free(list);
}

static void test_unknown_keys_warn(void)
{
    size_t len;
    char *base = slurp(SRC "/tests/chip/data/base.yaml", &len);
    if (!base)
        return;
    /* An unknown top-level key and a near miss inside the synapse unit. */
    char *text = malloc(len + 64);
    char *at = strstr(base, "      lanes: 4\n");
    CHECK(at != NULL);
    if (!at) {
        free(text);
        ax_mem_free(base);
        return;
    }
    size_t head = (size_t)(at - base);
    memcpy(text, base, head);
    strcpy(text + head, "      lane: 2\n");
    strcat(text, at);
    strcat(text, "colour: blue\n");
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_arch_t *arch = NULL;
    ax_status st = ax_arch_load_text("warn.yaml", text, strlen(text), &arch, &diags);
    CHECK(st == AX_OK && arch);
    CHECK(diags.n_errors == 0 && diags.n_warnings == 2);
    int saw_lane = 0, saw_colour = 0;
    for (uint32_t i = 0; i < diags.n_items; i++) {
        const struct ax_diag *d = &diags.items[i];
        if (strstr(d->message, "unknown key 'lane' ignored; did you mean 'lanes'?"))
            saw_lane = d->line == 42 && d->col == 7;
        if (strstr(d->message, "unknown key 'colour' ignored"))
            saw_colour = d->col == 1;
    }
    CHECK(saw_lane && saw_colour);
    ax_arch_free(arch);
    ax_diag_list_free(&diags);
    free(text);
    ax_mem_free(base);
}

/* tests/chip/data/base.yaml with its router's `buffer: 16` line replaced
 * by `lines` (a new string, NULL after a failed check). */
static char *base_router_with(const char *lines)
{
    size_t len;
    char *base = slurp(SRC "/tests/chip/data/base.yaml", &len);
    static const char line[] = "      buffer: 16\n";
    char *at = base ? strstr(base, line) : NULL;
    CHECK(at != NULL);
    char *text = at ? malloc(len + strlen(lines) + 1) : NULL;
    if (text) {
        size_t head = (size_t)(at - base);
        memcpy(text, base, head);
        strcpy(text + head, lines);
        strcat(text, at + sizeof line - 1);
    }
    ax_mem_free(base);
    return text;
}

/* Loads `text` as a chip: AX_OK expected; the warnings it gave in *warnings
 * and the first one's message in `first` (at most `size` bytes). */
static ax_arch_t *load_router(const char *text, uint32_t *warnings, char *first, size_t size)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_arch_t *arch = NULL;
    CHECK(ax_arch_load_text("router.yaml", text, strlen(text), &arch, &diags) == AX_OK);
    CHECK(diags.n_errors == 0);
    *warnings = diags.n_warnings;
    snprintf(first, size, "%s", diags.n_items ? diags.items[0].message : "");
    ax_diag_list_free(&diags);
    return arch;
}

/* `router.buffer` is optional and not modelled (docs/chip-format.md): without
 * it the file loads with no problem and the default of 16 packets; a value
 * given is stored as written. */
static void test_buffer_optional(void)
{
    for (int with = 0; with < 2; with++) {
        char *text = base_router_with(with ? "      buffer: 4\n" : "");
        if (!text)
            break;
        uint32_t warnings;
        char first[256];
        ax_arch_t *arch = load_router(text, &warnings, first, sizeof first);
        CHECK(warnings == 0);
        if (arch)
            CHECK(ax_arch_desc(arch)->chip.router.buffer_packets == (with ? 4u : 16u));
        ax_arch_free(arch);
        free(text);
    }
}

/* `router.multicast` (docs/chip-format.md): off by default; on, with the
 * copy's costs read as written; the costs without it are a warning, since
 * nothing would use them. */
static void test_multicast_keys(void)
{
    static const char *const adds[] = {
        "      buffer: 16\n",
        "      buffer: 16\n      multicast: true\n      energy_copy: 2.5 pJ\n"
        "      latency_copy: 1.5 ns\n",
        "      buffer: 16\n      energy_copy: 2.5 pJ\n",
    };
    for (int i = 0; i < 3; i++) {
        char *text = base_router_with(adds[i]);
        if (!text)
            break;
        uint32_t warnings;
        char first[256];
        ax_arch_t *arch = load_router(text, &warnings, first, sizeof first);
        CHECK(warnings == (i == 2 ? 1u : 0u));
        if (i == 2)
            CHECK(strstr(first, "only with 'multicast: true'") != NULL);
        if (arch) {
            const struct ax_router_desc *r = &ax_arch_desc(arch)->chip.router;
            CHECK(r->is_multicast == (i == 1));
            CHECK(fabs(r->copy.energy_j - (i == 0 ? 0.0 : 2.5e-12)) < 1e-24);
            CHECK(fabs(r->copy.latency_s - (i == 1 ? 1.5e-9 : 0.0)) < 1e-21);
        }
        ax_arch_free(arch);
        free(text);
    }
}

static void test_missing_and_huge_files(void)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_arch_t *arch = NULL;
    CHECK(ax_arch_load("/nonexistent/chip.yaml", &arch, &diags) == AX_ERR_IO);
    CHECK(diags.n_items == 1 && strstr(diags.items[0].message, "cannot open"));
    CHECK(ax_arch_load(SRC "/models/chips", &arch, &diags) == AX_ERR_IO);

    char path[] = "/tmp/ax_huge_chipXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    static char block[1 << 16];
    memset(block, '#', sizeof block);
    for (int i = 0; i < 80; i++) /* 5 MiB of comment */
        CHECK(write(fd, block, sizeof block) == (ssize_t)sizeof block);
    close(fd);
    CHECK(ax_arch_load(path, &arch, &diags) == AX_ERR_LIMIT);
    CHECK(strstr(diags.items[diags.n_items - 1].message, "limit") != NULL);
    unlink(path);
    CHECK(arch == NULL);
    ax_diag_list_free(&diags);
}

/* Loading fails cleanly (no crash, no leak under the sanitizers) whichever
 * allocation fails, and succeeds once none does. */
static void test_allocation_failures(void)
{
    size_t len;
    char *text = slurp(SRC "/tests/chip/data/base.yaml", &len);
    if (!text)
        return;
    int n_failures = 0, succeeded = 0;
    for (long budget = 0; budget < 100000 && !succeeded; budget++) {
        struct ax_diag_list diags;
        ax_diag_list_init(&diags);
        ax_arch_t *arch = NULL;
        ax_test_allocs_left = budget;
        ax_mem_set_hook(ax_test_failing_alloc, NULL);
        ax_status st = ax_arch_load_text("base.yaml", text, len, &arch, &diags);
        ax_mem_set_hook(NULL, NULL);
        if (st == AX_OK) {
            succeeded = 1;
            CHECK(arch != NULL);
        } else {
            n_failures++;
            CHECK(arch == NULL);
        }
        ax_arch_free(arch);
        ax_diag_list_free(&diags);
    }
    CHECK(succeeded);
    CHECK(n_failures > 5);
    ax_mem_free(text);
}

/* Random damage to a valid description (changed, deleted and inserted
 * bytes) loads or fails with a diagnostic, never crashes (the sanitizer
 * build watches). */
static void test_random_damage(void)
{
    size_t len;
    char *base = slurp(SRC "/tests/chip/data/base.yaml", &len);
    if (!base)
        return;
    char *text = malloc(len + 16);
    uint64_t x = 0x9e3779b97f4a7c15u;
    int n_failed = 0, n_loaded = 0, n_silent = 0;
    static const char alphabet[] = " :-{}[],\n\t#&*!|>'\"0123456789.eaGkpnsuJWB";
    for (int i = 0; i < 1500; i++) {
        memcpy(text, base, len + 1);
        size_t n = len;
        for (int k = 0; k < 1 + i % 3; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            size_t at = x % n;
            char c = alphabet[(x >> 32) % (sizeof alphabet - 1)];
            if (k % 3 == 0)
                text[at] = c;
            else if (k % 3 == 1 && n > 1)
                memmove(text + at, text + at + 1, n-- - at);
            else
                memmove(text + at + 1, text + at, n++ - at + 1), text[at] = c;
        }
        struct ax_diag_list diags;
        ax_diag_list_init(&diags);
        ax_arch_t *arch = NULL;
        ax_status st = ax_arch_load_text("damaged.yaml", text, n, &arch, &diags);
        if (st == AX_OK)
            n_loaded++;
        else
            n_failed++, n_silent += diags.n_errors == 0;
        ax_arch_free(arch);
        ax_diag_list_free(&diags);
    }
    CHECK(n_silent == 0);
    CHECK(n_failed > 300 && n_loaded > 0);
    free(text);
    ax_mem_free(base);
}

AX_TEST_MAIN(T(test_preset_loihi1_fit), T(test_random_damage), T(test_preset_loihi1_davies), T(test_preset_loihi2_like),
             T(test_preset_truenorth), T(test_preset_generic_45nm), T(test_sanafe_matches_native),
             T(test_derived_figures), T(test_mutation_corpus), T(test_file_corpus),
             T(test_unknown_keys_warn), T(test_buffer_optional), T(test_multicast_keys), T(test_missing_and_huge_files),
             T(test_allocation_failures))
