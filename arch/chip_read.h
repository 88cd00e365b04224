/* Internal to the chip loaders: typed reads from an ax_yaml tree, each
 * reporting its own problems with the position of the offending value.
 *
 * Every rd_* function returns 1 when it stored a value, 0 when an optional
 * key is absent (nothing stored), and -1 after reporting an error. Loaders
 * keep going after errors so that one run shows every problem. */
#ifndef AX_CHIP_READ_H
#define AX_CHIP_READ_H

#include "ax_arch.h"
#include "ax_arena.h"
#include "ax_qty.h"
#include "ax_yaml.h"

struct ax_arch {
    struct ax_system_desc d;
    struct ax_arena arena; /* every string and table of d */
};

struct chip_reader {
    const char *path;
    struct ax_diag_list *diags;
    struct ax_arena *arena;
};

enum { RD_OPTIONAL = 0, RD_REQUIRED = 1 };

void rd_error(struct chip_reader *r, const struct ax_yaml_node *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void rd_warning(struct chip_reader *r, const struct ax_yaml_node *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The mapping under `key` of `map` (`where` names `map` in messages). */
int rd_map(struct chip_reader *r, struct ax_yaml_node *map, const char *where, const char *key,
           int required, struct ax_yaml_node **out);
/* A quantity of `kind` no smaller than `min` (greater than `min` when
 * `is_min_exclusive`). A scalar, or a mapping {value, source, estimate}. */
int rd_qty(struct chip_reader *r, struct ax_yaml_node *map, const char *where, const char *key,
           enum ax_qty_kind kind, int required, double min, int is_min_exclusive, double *out);
/* The same for a node already in hand. */
int rd_qty_node(struct chip_reader *r, struct ax_yaml_node *v, const char *where, const char *key,
                enum ax_qty_kind kind, double min, int is_min_exclusive, double *out);
/* A whole number in [min, max]. */
int rd_u32(struct chip_reader *r, struct ax_yaml_node *map, const char *where, const char *key,
           int required, uint32_t min, uint32_t max, uint32_t *out);
int rd_u32_node(struct chip_reader *r, struct ax_yaml_node *v, const char *where, const char *key,
                uint32_t min, uint32_t max, uint32_t *out);
/* A string scalar, copied into the reader's arena. */
int rd_str(struct chip_reader *r, struct ax_yaml_node *map, const char *where, const char *key,
           int required, const char **out);
/* true/false (also yes/no, on/off). */
int rd_bool(struct chip_reader *r, struct ax_yaml_node *map, const char *where, const char *key,
            int required, uint8_t *out);
/* `source:` and `estimate:` of a group of numbers. */
void rd_provenance(struct chip_reader *r, struct ax_yaml_node *map, const char *where,
                   struct ax_provenance *out);
/* Warns about every key of `map` no rd_* call asked for, suggesting the
 * closest expected key; `where` names the mapping. */
/* Warns about the one unexpected key `k`. */
void rd_unknown_key(struct chip_reader *r, struct ax_yaml_node *k, const char *where,
                    const char *const *expected, size_t n_expected);
void rd_unknown_keys(struct chip_reader *r, struct ax_yaml_node *map, const char *where,
                     const char *const *expected, size_t n_expected);

/* SANA-FE's hop keys: energy_north_hop, latency_north_hop, ... in ax_dir order. */
extern const char *const rd_hop_keys[2 * AX_DIR_COUNT];
/* The four directions' hop energies and latencies from `map`. */
void rd_hops(struct chip_reader *r, struct ax_yaml_node *map, const char *where, int required,
             struct ax_cost hop[AX_DIR_COUNT]);
/* A barrier table {tiles: latency, ...} with ascending tile counts into `s`
 * (model AX_SYNC_TABLE); `where` names it in messages. */
void rd_sync_table(struct chip_reader *r, struct ax_yaml_node *table, const char *where,
                   struct ax_sync_desc *s);

/* Loaders for the two formats; `root` is the document's top mapping. */
void ax_chip_load_native(struct chip_reader *r, struct ax_yaml_node *root, struct ax_system_desc *d);
void ax_chip_load_sanafe(struct chip_reader *r, struct ax_yaml_node *root, struct ax_system_desc *d);

#endif
