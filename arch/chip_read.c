/* Typed reads from a YAML tree for the chip loaders (see chip_read.h). */
#include "chip_read.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void vreport(struct chip_reader *r, enum ax_diag_severity sev, const struct ax_yaml_node *at,
                    const char *fmt, va_list ap)
{
    ax_diag_vadd(r->diags, sev, r->path, at ? at->line : 0, at ? at->col : 0, fmt, ap);
}

void rd_error(struct chip_reader *r, const struct ax_yaml_node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(r, AX_DIAG_ERROR, at, fmt, ap);
    va_end(ap);
}

void rd_warning(struct chip_reader *r, const struct ax_yaml_node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(r, AX_DIAG_WARNING, at, fmt, ap);
    va_end(ap);
}

/* The value under `key`, or NULL; reports a missing required key at `map`. */
static struct ax_yaml_node *lookup(struct chip_reader *r, struct ax_yaml_node *map,
                                   const char *where, const char *key, int required,
                                   const char *expected)
{
    struct ax_yaml_node *v = ax_yaml_get(map, key);
    if (!v && required)
        rd_error(r, map, "%s: missing required key '%s' (%s)", where, key, expected);
    return v;
}

static int is_null(const struct ax_yaml_node *v)
{
    return v->kind == AX_YAML_SCALAR && !v->is_quoted &&
           (v->len == 0 || strcmp(v->text, "~") == 0 || strcmp(v->text, "null") == 0);
}

int rd_map(struct chip_reader *r, struct ax_yaml_node *map, const char *where, const char *key,
           int required, struct ax_yaml_node **out)
{
    *out = NULL;
    struct ax_yaml_node *v = lookup(r, map, where, key, required, "a mapping");
    if (!v)
        return required ? -1 : 0;
    if (v->kind != AX_YAML_MAP) {
        rd_error(r, v, "%s.%s: expected a mapping of keys to values, found %s", where, key,
                 is_null(v) ? "nothing" : ax_yaml_kind_str(v->kind));
        return -1;
    }
    *out = v;
    return 1;
}

int rd_qty_node(struct chip_reader *r, struct ax_yaml_node *v, const char *where, const char *key,
                enum ax_qty_kind kind, double min, int is_min_exclusive, double *out)
{
    if (v->kind == AX_YAML_MAP) {
        /* {value: 23.6 pJ, source: "...", estimate: true}: the provenance of a
         * single value is accepted and checked; the group's provenance is
         * what the arch records. */
        struct ax_yaml_node *val = ax_yaml_get(v, "value");
        struct ax_provenance unused;
        rd_provenance(r, v, where, &unused);
        static const char *const keys[] = {"value", "source", "estimate"};
        rd_unknown_keys(r, v, key, keys, 3);
        if (!val) {
            rd_error(r, v, "%s.%s: a quantity written as a mapping needs 'value'", where, key);
            return -1;
        }
        v = val;
    }
    if (v->kind != AX_YAML_SCALAR || is_null(v)) {
        rd_error(r, v, "%s.%s: expected %s such as '%s', found %s", where, key,
                 ax_qty_kind_str(kind), kind == AX_QTY_ENERGY ? "23.6 pJ" : ax_qty_unit_str(kind),
                 is_null(v) ? "nothing" : ax_yaml_kind_str(v->kind));
        return -1;
    }
    char err[400];
    double x;
    if (ax_qty_parse(v->text, kind, &x, err, sizeof err) != 0) {
        rd_error(r, v, "%s.%s: %s", where, key, err);
        return -1;
    }
    if (is_min_exclusive ? !(x > min) : !(x >= min)) {
        char b1[48], b2[48];
        rd_error(r, v, "%s.%s: %s is out of range; expected a value %s %s", where, key,
                 ax_qty_format(x, kind, b1, sizeof b1), is_min_exclusive ? "greater than" : "of at least",
                 ax_qty_format(min, kind, b2, sizeof b2));
        return -1;
    }
    *out = x;
    return 1;
}

int rd_qty(struct chip_reader *r, struct ax_yaml_node *map, const char *where, const char *key,
           enum ax_qty_kind kind, int required, double min, int is_min_exclusive, double *out)
{
    char expected[80];
    snprintf(expected, sizeof expected, "%s", ax_qty_kind_str(kind));
    struct ax_yaml_node *v = lookup(r, map, where, key, required, expected);
    if (!v)
        return required ? -1 : 0;
    return rd_qty_node(r, v, where, key, kind, min, is_min_exclusive, out);
}

int rd_u32_node(struct chip_reader *r, struct ax_yaml_node *v, const char *where, const char *key,
                uint32_t min, uint32_t max, uint32_t *out)
{
    if (v->kind != AX_YAML_SCALAR || is_null(v)) {
        rd_error(r, v, "%s.%s: expected a whole number, found %s", where, key,
                 is_null(v) ? "nothing" : ax_yaml_kind_str(v->kind));
        return -1;
    }
    const char *s = v->text;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE) {
        rd_error(r, v, "%s.%s: '%s' is not a whole number; expected a count from %u to %u", where,
                 key, s, min, max);
        return -1;
    }
    if (x < (long long)min || x > (long long)max) {
        rd_error(r, v, "%s.%s: %lld is out of range; expected a count from %u to %u", where, key,
                 x, min, max);
        return -1;
    }
    *out = (uint32_t)x;
    return 1;
}

int rd_u32(struct chip_reader *r, struct ax_yaml_node *map, const char *where, const char *key,
           int required, uint32_t min, uint32_t max, uint32_t *out)
{
    struct ax_yaml_node *v = lookup(r, map, where, key, required, "a whole number");
    if (!v)
        return required ? -1 : 0;
    return rd_u32_node(r, v, where, key, min, max, out);
}

int rd_str(struct chip_reader *r, struct ax_yaml_node *map, const char *where, const char *key,
           int required, const char **out)
{
    struct ax_yaml_node *v = lookup(r, map, where, key, required, "a string");
    if (!v)
        return required ? -1 : 0;
    if (v->kind != AX_YAML_SCALAR) {
        rd_error(r, v, "%s.%s: expected a string, found %s", where, key, ax_yaml_kind_str(v->kind));
        return -1;
    }
    /* A name is printed to terminals and reports: no NUL (it would cut the
     * name) and no control characters (an escape sequence would drive the
     * user's terminal); a description may break lines. */
    for (size_t i = 0; i < v->len; i++) {
        unsigned char c = (unsigned char)v->text[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
            rd_error(r, v, "%s.%s: holds the control character 0x%02x at byte %zu; write "
                     "printable text", where, key, c, i);
            return -1;
        }
    }
    const char *s = ax_arena_strdup(r->arena, v->text);
    if (!s) {
        rd_error(r, v, "out of memory");
        return -1;
    }
    *out = s;
    return 1;
}

int rd_bool(struct chip_reader *r, struct ax_yaml_node *map, const char *where, const char *key,
            int required, uint8_t *out)
{
    struct ax_yaml_node *v = lookup(r, map, where, key, required, "true or false");
    if (!v)
        return required ? -1 : 0;
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "on"};
    static const char *const no[] = {"false", "False", "FALSE", "no", "off"};
    if (v->kind == AX_YAML_SCALAR && !v->is_quoted) {
        for (size_t i = 0; i < 5; i++) {
            if (strcmp(v->text, yes[i]) == 0) {
                *out = 1;
                return 1;
            }
            if (strcmp(v->text, no[i]) == 0) {
                *out = 0;
                return 1;
            }
        }
    }
    rd_error(r, v, "%s.%s: expected true or false, found '%s'", where, key,
             v->kind == AX_YAML_SCALAR ? v->text : ax_yaml_kind_str(v->kind));
    return -1;
}

void rd_provenance(struct chip_reader *r, struct ax_yaml_node *map, const char *where,
                   struct ax_provenance *out)
{
    out->source = NULL;
    out->is_estimate = 0;
    rd_str(r, map, where, "source", RD_OPTIONAL, &out->source);
    rd_bool(r, map, where, "estimate", RD_OPTIONAL, &out->is_estimate);
}

/* Levenshtein distance, bounded to short keys. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return (size_t)-1;
    size_t prev[64], cur[64];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
    }
    return prev[lb];
}

void rd_unknown_key(struct chip_reader *r, struct ax_yaml_node *k, const char *where,
                    const char *const *expected, size_t n_expected)
{
    const char *best = NULL;
    size_t best_d = 4; /* suggest only near misses */
    for (size_t e = 0; e < n_expected; e++) {
        size_t d = edit_distance(k->text, expected[e]);
        if (d < best_d)
            best = expected[e], best_d = d;
    }
    if (best)
        rd_warning(r, k, "%s: unknown key '%s' ignored; did you mean '%s'?", where, k->text, best);
    else
        rd_warning(r, k, "%s: unknown key '%s' ignored", where, k->text);
    k->is_used = 1;
}

void rd_unknown_keys(struct chip_reader *r, struct ax_yaml_node *map, const char *where,
                     const char *const *expected, size_t n_expected)
{
    if (!map || map->kind != AX_YAML_MAP)
        return;
    for (uint32_t i = 0; i < map->n_children; i++) {
        if (!map->pairs[i].key->is_used)
            rd_unknown_key(r, map->pairs[i].key, where, expected, n_expected);
    }
}

const char *const rd_hop_keys[2 * AX_DIR_COUNT] = {
    "energy_north_hop", "latency_north_hop", "energy_east_hop", "latency_east_hop",
    "energy_south_hop", "latency_south_hop", "energy_west_hop", "latency_west_hop"};

void rd_hops(struct chip_reader *r, struct ax_yaml_node *map, const char *where, int required,
             struct ax_cost hop[AX_DIR_COUNT])
{
    for (int d = 0; d < AX_DIR_COUNT; d++) {
        rd_qty(r, map, where, rd_hop_keys[2 * d], AX_QTY_ENERGY, required, 0.0, 0, &hop[d].energy_j);
        rd_qty(r, map, where, rd_hop_keys[2 * d + 1], AX_QTY_TIME, required, 0.0, 0,
               &hop[d].latency_s);
    }
}

void rd_sync_table(struct chip_reader *r, struct ax_yaml_node *table, const char *where,
                   struct ax_sync_desc *s)
{
    s->model = AX_SYNC_TABLE;
    if (table->kind != AX_YAML_MAP || table->n_children == 0) {
        rd_error(r, table, "%s: the table model needs a mapping from number of tiles to latency, "
                 "such as {1: 113 ns, 32: 465 ns}", where);
        return;
    }
    s->table = ax_arena_calloc(r->arena, table->n_children, sizeof *s->table);
    if (!s->table) {
        rd_error(r, table, "out of memory");
        return;
    }
    for (uint32_t i = 0; i < table->n_children; i++) {
        struct ax_sync_table_entry *e = &s->table[s->n_table];
        struct ax_yaml_node *key = table->pairs[i].key;
        key->is_used = 1;
        if (rd_u32_node(r, key, where, "key", 1, 1u << 30, &e->n_tiles) <= 0 ||
            rd_qty_node(r, table->pairs[i].value, where, key->text, AX_QTY_TIME, 0.0, 0,
                        &e->latency_s) <= 0)
            continue;
        if (s->n_table > 0 && e->n_tiles <= s->table[s->n_table - 1].n_tiles) {
            rd_error(r, key, "%s: tile counts must ascend; %u follows %u", where, e->n_tiles,
                     s->table[s->n_table - 1].n_tiles);
            continue;
        }
        s->n_table++;
    }
}
