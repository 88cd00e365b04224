/* The C half of axon::Chip: a program on its chip, simulated token by
 * token through a timed-run session (sc_chip.h). */
#include "sc_chip.h"

#include "ax_arch.h"
#include "ax_exec.h"
#include "ax_mem.h"
#include "ax_prog.h"
#include "ax_sim.h"

#include <stdio.h>
#include <string.h>

struct ax_sc_chip {
    struct ax_prog prog;
    ax_arch_t *arch;
    ax_sim_session_t *session;
    struct ax_exec_weights own; /* the program's own weights, when it carries them */
    int is_functional;
};

/* A chip description's geometry, as a program depends on it. */
struct geometry {
    uint32_t mesh_w, mesh_h, cores_per_tile;
    uint64_t sram_words, dram_bytes, max_chips; /* max_chips 0: open */
};

static struct geometry geometry_of(const ax_arch_t *arch)
{
    const struct ax_system_desc *sys = ax_arch_desc(arch);
    const struct ax_chip_desc *chip = &sys->chip;
    struct geometry g = {chip->mesh_width, chip->mesh_height, chip->cores_per_tile,
                         (uint64_t)(chip->core.sram.capacity_bytes / 4),
                         chip->dram.is_present ? (uint64_t)chip->dram.capacity_bytes : 0,
                         sys->n_chips ? sys->n_chips : sys->max_chips};
    return g;
}

/* Whether `arch` (named `name` in diagnostics) can run program `p`, whose
 * embedded chip is `own` (NULL: none): the program header's cores per chip,
 * SRAM and DRAM, its chips, and the embedded chip's mesh and tiles. */
static ax_status check_geometry(const struct ax_prog *p, const char *path, const ax_arch_t *arch,
                                const ax_arch_t *own, const char *name,
                                struct ax_diag_list *diags)
{
    struct geometry g = geometry_of(arch);
    uint64_t per_chip = (uint64_t)g.mesh_w * g.mesh_h * g.cores_per_tile;
    uint32_t before = diags->n_errors;
    if (p->cores_per_chip && p->cores_per_chip != per_chip)
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "the program was compiled for %u cores per chip; %s has %llu", p->cores_per_chip,
                    name, (unsigned long long)per_chip);
    if (p->sram_words != g.sram_words)
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "the program was compiled for %u SRAM words per core; %s has %llu",
                    p->sram_words, name, (unsigned long long)g.sram_words);
    if (p->dram_bytes_per_chip != g.dram_bytes)
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "the program was compiled for %llu DRAM bytes per chip; %s has %llu",
                    (unsigned long long)p->dram_bytes_per_chip, name,
                    (unsigned long long)g.dram_bytes);
    if (per_chip && g.max_chips && (p->n_cores + per_chip - 1) / per_chip > g.max_chips)
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "the program's %u cores make %llu chips; %s has at most %llu", p->n_cores,
                    (unsigned long long)((p->n_cores + per_chip - 1) / per_chip), name,
                    (unsigned long long)g.max_chips);
    if (own) {
        struct geometry o = geometry_of(own);
        if (o.mesh_w != g.mesh_w || o.mesh_h != g.mesh_h || o.cores_per_tile != g.cores_per_tile)
            ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                        "the program was placed on a mesh of %ux%u tiles of %u cores; %s has "
                        "%ux%u tiles of %u",
                        o.mesh_w, o.mesh_h, o.cores_per_tile, name, g.mesh_w, g.mesh_h,
                        g.cores_per_tile);
    }
    return diags->n_errors > before ? AX_ERR_INVALID : AX_OK;
}

ax_status ax_sc_chip_open(const char *prog_path, const char *chip_path,
                          const struct ax_exec_weights *weights, ax_sc_chip_t **out,
                          struct ax_diag_list *diags)
{
    *out = NULL;
    ax_sc_chip_t *c = ax_mem_calloc(1, sizeof *c);
    if (!c)
        return AX_ERR_NOMEM;
    ax_prog_init(&c->prog, 0, 0);
    ax_status st = ax_prog_load(&c->prog, prog_path, diags);
    ax_arch_t *own = NULL;
    if (st == AX_OK && (!chip_path || ax_prog_find_file(&c->prog, "chip.yaml")))
        st = ax_sim_program_chip(&c->prog, prog_path, &own, diags);
    if (st == AX_OK && chip_path)
        st = ax_arch_load(chip_path, &c->arch, diags);
    if (st == AX_OK && !chip_path) {
        c->arch = own;
        own = NULL;
    }
    if (st == AX_OK)
        st = check_geometry(&c->prog, prog_path, c->arch, own,
                            chip_path ? chip_path : "its embedded chip", diags);
    ax_arch_free(own);
    if (st == AX_OK && !weights && ax_prog_has_all_data(&c->prog)) {
        ax_exec_program_weights(&c->own);
        weights = &c->own;
    }
    struct ax_sim_options o;
    ax_sim_options_default(&o);
    o.mode = weights ? AX_SIM_FUNCTIONAL : AX_SIM_COUNTING;
    if (st == AX_OK)
        st = ax_sim_session_open(&c->prog, c->arch, weights, &o, NULL, &c->session, diags);
    if (st != AX_OK) {
        ax_sc_chip_close(c);
        return st;
    }
    c->is_functional = weights != NULL;
    *out = c;
    return AX_OK;
}

void ax_sc_chip_close(ax_sc_chip_t *c)
{
    if (!c)
        return;
    ax_sim_session_close(c->session);
    ax_arch_free(c->arch);
    ax_prog_free(&c->prog);
    ax_mem_free(c);
}

ax_status ax_sc_chip_token(ax_sc_chip_t *c, int32_t token, struct ax_sc_token *out,
                           struct ax_diag_list *diags)
{
    memset(out, 0, sizeof *out);
    struct ax_sim_token t;
    ax_status st = ax_sim_session_token(c->session, token, &t, diags);
    if (st != AX_OK)
        return st;
    out->index = t.index;
    out->cycles = t.cycles;
    out->seconds = t.seconds;
    out->dynamic_j = t.dynamic_j;
    out->static_j = t.static_j;
    return AX_OK;
}

const char *ax_sc_chip_name(const ax_sc_chip_t *c)
{
    return ax_arch_desc(c->arch)->name;
}
const char *ax_sc_chip_model(const ax_sc_chip_t *c)
{
    const char *m = ax_prog_meta(&c->prog, "model");
    return m ? m : "program";
}
uint32_t ax_sc_chip_cores_used(const ax_sc_chip_t *c)
{
    return c->prog.n_code;
}
double ax_sc_chip_clock_hz(const ax_sc_chip_t *c)
{
    return ax_arch_desc(c->arch)->chip.clock_hz;
}
int ax_sc_chip_is_functional(const ax_sc_chip_t *c)
{
    return c->is_functional;
}
