/* JSON files through jansson, with positions for diagnostics. */
#include "json_util.h"

#include "ax_fs.h"
#include "ax_mem.h"

#include <string.h>

uint32_t ax_json_pos(int jansson_pos)
{
    return jansson_pos > 0 ? (uint32_t)jansson_pos : 0;
}

const char *ax_json_type_str(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "real";
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
        return "null";
    }
    return "?";
}

/* Parses `text` (owned; freed on failure) into `doc`. */
static ax_status parse_owned(const char *path, char *text, size_t len, struct ax_json_doc *doc,
                             struct ax_diag_list *diags)
{
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, ax_json_pos(err.line), ax_json_pos(err.column),
                    "invalid JSON: %s", err.text);
        ax_mem_free(text);
        return AX_ERR_PARSE;
    }
    if (!json_is_object(root)) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 1, 1, "expected a JSON object, found %s",
                    ax_json_type_str(root));
        json_decref(root);
        ax_mem_free(text);
        return AX_ERR_PARSE;
    }
    doc->path = path;
    doc->text = text;
    doc->len = len;
    doc->root = root;
    return AX_OK;
}

ax_status ax_json_doc_load(const char *path, size_t max_bytes, struct ax_json_doc *doc,
                           struct ax_diag_list *diags)
{
    memset(doc, 0, sizeof *doc);
    char *text = NULL;
    size_t len = 0;
    ax_status st = ax_fs_read_file(path, max_bytes, &text, &len, diags);
    if (st != AX_OK)
        return st;
    return parse_owned(path, text, len, doc, diags);
}

ax_status ax_json_doc_parse(const char *path, const char *text, size_t len, struct ax_json_doc *doc,
                            struct ax_diag_list *diags)
{
    memset(doc, 0, sizeof *doc);
    char *copy = ax_mem_strndup(text, len);
    if (!copy)
        return AX_ERR_NOMEM;
    return parse_owned(path, copy, len, doc, diags);
}

void ax_json_doc_free(struct ax_json_doc *doc)
{
    json_decref(doc->root);
    ax_mem_free(doc->text);
    memset(doc, 0, sizeof *doc);
}

void ax_json_key_pos(const struct ax_json_doc *doc, const char *key, uint32_t *line, uint32_t *col)
{
    *line = 0;
    *col = 0;
    size_t klen = strlen(key);
    for (size_t i = 0; doc->text && i + klen + 2 <= doc->len; i++) {
        if (doc->text[i] != '"' || memcmp(doc->text + i + 1, key, klen) != 0 ||
            doc->text[i + 1 + klen] != '"')
            continue;
        size_t j = i + klen + 2;
        while (j < doc->len && strchr(" \t\r\n", doc->text[j]))
            j++;
        if (j >= doc->len || doc->text[j] != ':')
            continue;
        uint32_t l = 1, c = 1;
        for (size_t k = 0; k < i; k++) {
            if (doc->text[k] == '\n') {
                l++;
                c = 1;
            } else if (((unsigned char)doc->text[k] & 0xC0) != 0x80) {
                c++; /* count characters, not UTF-8 continuation bytes */
            }
        }
        *line = l;
        *col = c;
        return;
    }
}
