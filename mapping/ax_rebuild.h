/* What a program was built from: recorded in the program, and rebuilt from
 * it.
 *
 * Place in the pipeline: after code emission (recording) and before the
 * simulator (rebuilding). Until the simulator executes a program's words,
 * `axon sim` and the SystemC Chip rebuild the graph and the placement a
 * program was compiled from and check that the placement is the program's.
 * Everything that takes lives in the program itself, so a program can be
 * moved to another machine and run there:
 *
 *   files   "chip.yaml" (the chip description, byte for byte) and, under
 *           "model/", the model directory's config.json, vocab.json and
 *           merges.txt, and its checkpoint (model.safetensors, or the index
 *           and its shards) when the weights are embedded;
 *   meta    provenance: "model" (the model's name), "model_sha256" (of its
 *           config.json), "weights" (embedded, referenced or none),
 *           "weights_sha256" (of the checkpoint files in name order),
 *           "chip", "chip_sha256", "axon_version", and the options the
 *           graph was given: "precision", "spike", "encoding", "k", "steps".
 *
 * No path of the machine a program was compiled on is recorded. */
#ifndef AX_REBUILD_H
#define AX_REBUILD_H

#include "ax_arch.h"
#include "ax_diag.h"
#include "ax_ir.h"
#include "ax_map.h"
#include "ax_model.h"
#include "ax_prog.h"
#include "ax_ref.h"
#include "ax_status.h"

/* Whether the checkpoint goes into the program: always, never (it is then
 * referenced by tensor name, and a run names the model directory), or when
 * the program stays under AX_REBUILD_EMBED_LIMIT bytes (the default). */
enum ax_embed_weights { AX_EMBED_AUTO, AX_EMBED_ALWAYS, AX_EMBED_NEVER };
#define AX_REBUILD_EMBED_LIMIT ((uint64_t)64 << 20)

/* A model mapped onto a chip: what `map` reports, `compile` emits and a
 * rebuilt program simulates. */
struct ax_mapped {
    ax_arch_t *arch;
    struct ax_model *model;
    struct ax_ir_graph graph;
    struct ax_map map;
    struct ax_ref_options ref; /* precision and spiking options */
    struct ax_map_options map_options; /* as mapped: float_weights never auto */
    char *tmp_dir;             /* where a rebuild wrote the program's files; removed on close */
};

/* Loads the chip and the model, builds the graph, gives it `ref`'s
 * precision and maps it. On failure whatever was opened is left for
 * ax_mapped_close. */
ax_status ax_mapped_open(struct ax_mapped *mp, const char *model_dir, const char *chip_path,
                         const struct ax_ref_options *ref, const struct ax_map_options *opt,
                         struct ax_diag_list *diags);
void ax_mapped_close(struct ax_mapped *mp);

/* Embeds into `p` the chip file, the model's files (the checkpoint as
 * `embed` says) and the provenance above, with the spiking options `ref`
 * and the mapping option `mo` chose. `version` is axon's. Fails with a
 * diagnostic naming the file that cannot be read, or with AX_ERR_LIMIT when
 * AX_EMBED_ALWAYS would make the program larger than the format holds. */
ax_status ax_rebuild_record(struct ax_prog *p, const char *model_dir, const char *chip_path,
                            const struct ax_ref_options *ref, const struct ax_map_options *mo,
                            enum ax_embed_weights embed, const char *version,
                            struct ax_diag_list *diags);

/* Rebuilds the model and placement of program `p` (read from `path`, which
 * names it in messages): its embedded files are written to a private
 * temporary directory and opened from there. `model_dir` (or NULL) replaces
 * the embedded model, and must be the one recorded (same config.json and
 * checkpoint hashes); it is required when the program references its
 * weights and `needs_weights` is set (a functional run); otherwise the
 * embedded config gives a shape-only model. `chip_path` (or NULL) replaces
 * the embedded chip. The placement must come out as the program's, record
 * for record. */
ax_status ax_rebuild_open(struct ax_mapped *mp, const struct ax_prog *p, const char *path,
                          const char *model_dir, const char *chip_path, int needs_weights,
                          struct ax_diag_list *diags);

/* Checks a program's header against the chip description it embeds (what
 * `axon asm` runs after the verifier): the program must embed "chip.yaml",
 * and its cores per chip, SRAM words per core, DRAM bytes per chip and
 * number of cores (whole chips, within the system's count) must be the
 * chip's. `path` names the program in messages. */
ax_status ax_rebuild_check_chip(const struct ax_prog *p, const char *path,
                                struct ax_diag_list *diags);

#endif
