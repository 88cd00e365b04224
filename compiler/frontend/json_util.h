/* Internal to compiler/: loading JSON files with jansson and reporting
 * problems with file:line:col. Only compiler/ includes <jansson.h>. */
#ifndef AX_JSON_UTIL_H
#define AX_JSON_UTIL_H

#include "ax_diag.h"
#include "ax_status.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* A parsed JSON document together with its text, so that later checks can
 * point at the line and column of a key. */
struct ax_json_doc {
    const char *path; /* as given; not owned */
    char *text;       /* owned, NUL-terminated */
    size_t len;
    json_t *root; /* owned reference; an object */
};

/* Reads `path` (at most `max_bytes`) and parses it as one JSON object.
 * Duplicate keys are errors. A parse error becomes "path:line:col: error: ...".
 * On failure nothing is owned and `doc` is zeroed. */
ax_status ax_json_doc_load(const char *path, size_t max_bytes, struct ax_json_doc *doc,
                           struct ax_diag_list *diags);
/* The same for `len` bytes of `text` (copied); `path` names it in diagnostics. */
ax_status ax_json_doc_parse(const char *path, const char *text, size_t len, struct ax_json_doc *doc,
                            struct ax_diag_list *diags);
void ax_json_doc_free(struct ax_json_doc *doc);

/* Finds the first `"key"` followed by a colon in the text and returns its
 * 1-based line and column through *line, *col (0, 0 when not found). The
 * search is textual: good for the flat files axon reads (config.json). */
void ax_json_key_pos(const struct ax_json_doc *doc, const char *key, uint32_t *line, uint32_t *col);

/* Converts jansson's error position (-1 or 0 for unknown) to a diagnostic's. */
uint32_t ax_json_pos(int jansson_pos);

/* "object", "array", "string", "integer", "real", "true", "false", "null". */
const char *ax_json_type_str(const json_t *v);

#endif
