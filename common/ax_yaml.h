/* A YAML document as a tree with positions: the only door to libyaml.
 *
 * The chip loaders (native and SANA-FE formats) and, later, graph YAML read
 * their input through this tree, never through <yaml.h> (STYLE.md habit 10).
 * Building the tree already rejects what no axon file may contain: binary
 * data, several documents, aliases (they allow exponential expansion),
 * duplicate keys, nesting deeper than a limit and more nodes than a limit,
 * each with a file:line:col diagnostic. Every node lives in the tree's arena. */
#ifndef AX_YAML_H
#define AX_YAML_H

#include "ax_arena.h"
#include "ax_diag.h"
#include "ax_status.h"

#include <stddef.h>
#include <stdint.h>

enum ax_yaml_kind { AX_YAML_SCALAR, AX_YAML_MAP, AX_YAML_SEQ, AX_YAML_KIND_COUNT };

struct ax_yaml_node;

struct ax_yaml_pair {
    struct ax_yaml_node *key; /* always a scalar */
    struct ax_yaml_node *value;
};

struct ax_yaml_node {
    enum ax_yaml_kind kind;
    uint32_t line, col;  /* 1-based position of the node's first character */
    uint8_t is_quoted;   /* scalar written in quotes (so never a number or keyword) */
    uint8_t is_used;     /* set by readers; unused map keys draw a warning */
    const char *text;    /* scalar: NUL-terminated text */
    size_t len;          /* scalar: text length */
    struct ax_yaml_pair *pairs; /* map */
    struct ax_yaml_node **items; /* sequence */
    uint32_t n_children;
};

struct ax_yaml_doc {
    const char *path;           /* as given, for diagnostics */
    struct ax_yaml_node *root;  /* NULL for an empty document */
    struct ax_arena arena;
};

struct ax_yaml_limits {
    uint32_t max_depth;  /* nesting of maps and sequences */
    uint32_t max_nodes;
};

/* Parses `len` bytes of `text` (the file `path`) into `doc`. On failure
 * returns AX_ERR_PARSE or AX_ERR_LIMIT with diagnostics in `diags`, and `doc`
 * holds nothing that needs freeing beyond ax_yaml_doc_free. `limits` may be
 * NULL for the defaults (depth 64, one million nodes). */
ax_status ax_yaml_parse(struct ax_yaml_doc *doc, const char *path, const char *text, size_t len,
                        const struct ax_yaml_limits *limits, struct ax_diag_list *diags);

/* Frees every node of `doc`. */
void ax_yaml_doc_free(struct ax_yaml_doc *doc);

/* The value under `key` in the map `map`, marking the key used; NULL when the
 * key is absent or `map` is not a map. */
struct ax_yaml_node *ax_yaml_get(struct ax_yaml_node *map, const char *key);

/* "a mapping", "a sequence" or "a scalar", for messages. */
const char *ax_yaml_kind_str(enum ax_yaml_kind kind);

#endif
