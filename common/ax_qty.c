/* Quantity parsing: a strict decimal number, then an optional unit looked up
 * in one table of (spelling, kind, factor). */
#include "ax_qty.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
#define X(e, name, unit, example) name,
    AX_QTY_KINDS(X)
#undef X
};
static const char *const kind_units[] = {
#define X(e, name, unit, example) unit,
    AX_QTY_KINDS(X)
#undef X
};
static const char *const kind_examples[] = {
#define X(e, name, unit, example) example,
    AX_QTY_KINDS(X)
#undef X
};

const char *ax_qty_kind_str(enum ax_qty_kind kind) { return kind_names[kind]; }
const char *ax_qty_unit_str(enum ax_qty_kind kind) { return kind_units[kind]; }

struct prefix {
    const char *s;
    double f;
};

/* SI prefixes; both "u" and the micro sign spell micro. */
static const struct prefix si_prefixes[] = {
    {"f", 1e-15}, {"p", 1e-12}, {"n", 1e-9}, {"u", 1e-6}, {"\xc2\xb5", 1e-6}, {"m", 1e-3},
    {"", 1.0},    {"k", 1e3},   {"M", 1e6},  {"G", 1e9},  {"T", 1e12},
};

/* Prefixes of data sizes: decimal (kB/KB, MB, ...) and binary (KiB, MiB, ...). */
static const struct prefix data_prefixes[] = {
    {"", 1.0},     {"k", 1e3},          {"K", 1e3},          {"M", 1e6},
    {"G", 1e9},    {"T", 1e12},         {"Ki", 1024.0},      {"Mi", 1048576.0},
    {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Splits `unit` into prefix + `base` from `prefixes`; returns the factor or 0. */
static double match_prefixed(const char *unit, const char *base, const struct prefix *prefixes,
                             size_t n_prefixes)
{
    size_t ul = strlen(unit), bl = strlen(base);
    if (ul < bl || strcmp(unit + ul - bl, base) != 0)
        return 0.0;
    for (size_t i = 0; i < n_prefixes; i++) {
        if (strlen(prefixes[i].s) == ul - bl && strncmp(unit, prefixes[i].s, ul - bl) == 0)
            return prefixes[i].f;
    }
    return 0.0;
}

/* A data amount in bytes: "B", "KiB", "bit", "Gbit", ... */
static double match_data(const char *unit)
{
    double f = match_prefixed(unit, "B", data_prefixes, N_OF(data_prefixes));
    if (f == 0.0)
        f = match_prefixed(unit, "bit", data_prefixes, N_OF(data_prefixes)) / 8.0;
    return f;
}

/* Finds the kind and factor of `unit`; returns 0 when the unit is unknown. */
static int lookup_unit(const char *unit, enum ax_qty_kind *kind, double *factor)
{
    static const struct {
        const char *base;
        enum ax_qty_kind kind;
    } si[] = {{"J", AX_QTY_ENERGY}, {"s", AX_QTY_TIME}, {"Hz", AX_QTY_FREQUENCY}, {"W", AX_QTY_POWER}};
    double f;
    for (size_t i = 0; i < N_OF(si); i++) {
        if ((f = match_prefixed(unit, si[i].base, si_prefixes, N_OF(si_prefixes))) != 0.0) {
            *kind = si[i].kind;
            *factor = f;
            return 1;
        }
    }
    if ((f = match_data(unit)) != 0.0) {
        *kind = AX_QTY_BYTES;
        *factor = f;
        return 1;
    }
    const char *slash = strchr(unit, '/');
    if (slash) {
        char num[32];
        size_t nl = (size_t)(slash - unit);
        if (nl >= sizeof num)
            return 0;
        memcpy(num, unit, nl);
        num[nl] = '\0';
        const char *den = slash + 1;
        double fn, fd;
        if (strcmp(den, "s") == 0 && (fn = match_data(num)) != 0.0) {
            *kind = AX_QTY_BANDWIDTH;
            *factor = fn;
            return 1;
        }
        if ((fn = match_prefixed(num, "J", si_prefixes, N_OF(si_prefixes))) != 0.0 &&
            (strcmp(den, "byte") == 0 ? (fd = 1.0) : (fd = match_data(den))) != 0.0) {
            *kind = AX_QTY_ENERGY_PER_BYTE;
            *factor = fn / fd;
            return 1;
        }
    }
    return 0;
}

/* Accepts [+-]digits[.digits][(e|E)[+-]digits] or [+-].digits...; returns the
 * length of the number, 0 if `s` does not start with one. */
static size_t scan_decimal(const char *s)
{
    size_t i = 0, digits = 0;
    if (s[i] == '+' || s[i] == '-')
        i++;
    while (isdigit((unsigned char)s[i]))
        i++, digits++;
    if (s[i] == '.') {
        i++;
        while (isdigit((unsigned char)s[i]))
            i++, digits++;
    }
    if (digits == 0)
        return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-')
            j++;
        if (!isdigit((unsigned char)s[j]))
            return i; /* "5e" : the 'e' belongs to what follows */
        while (isdigit((unsigned char)s[j]))
            j++;
        i = j;
    }
    return i;
}

int ax_qty_parse(const char *text, enum ax_qty_kind kind, double *out, char *err, size_t err_size)
{
    const char *s = text;
    while (isspace((unsigned char)*s))
        s++;
    size_t n = scan_decimal(s);
    if (n == 0) {
        snprintf(err, err_size, "'%s' is not a number; expected %s such as '%s' (or a plain "
                 "number in %s)", text, kind_names[kind], kind_examples[kind], kind_units[kind]);
        return -1;
    }
    char num[64];
    if (n >= sizeof num) {
        snprintf(err, err_size, "'%s' is too long to be a number", text);
        return -1;
    }
    memcpy(num, s, n);
    num[n] = '\0';
    double v = strtod(num, NULL);
    if (!isfinite(v)) {
        snprintf(err, err_size, "'%s' is out of range; expected a finite number", text);
        return -1;
    }
    s += n;
    while (*s == ' ' || *s == '\t')
        s++;
    char unit[32];
    size_t ul = strlen(s);
    while (ul > 0 && isspace((unsigned char)s[ul - 1]))
        ul--;
    if (ul >= sizeof unit) {
        snprintf(err, err_size, "'%s': unknown unit; expected %s such as '%s'", text,
                 kind_names[kind], kind_examples[kind]);
        return -1;
    }
    memcpy(unit, s, ul);
    unit[ul] = '\0';
    if (ul == 0) {
        *out = v;
        return 0;
    }
    enum ax_qty_kind found;
    double factor;
    if (!lookup_unit(unit, &found, &factor)) {
        snprintf(err, err_size, "'%s': unknown unit '%s'; expected %s such as '%s' (units are "
                 "case-sensitive)", text, unit, kind_names[kind], kind_examples[kind]);
        return -1;
    }
    /* Sizes may be given in bits and widths in bytes; energies per byte may be
     * given per byte with the unit spelled out. Everything else must match. */
    if (found == AX_QTY_BYTES && kind == AX_QTY_BITS) {
        *out = v * factor * 8.0;
        return 0;
    }
    if (found == AX_QTY_ENERGY && kind == AX_QTY_ENERGY_PER_BYTE) {
        *out = v * factor; /* the key already says "per byte" */
        return 0;
    }
    if (found != kind) {
        snprintf(err, err_size, "'%s' is %s, but %s is expected here (for example '%s')", text,
                 kind_names[found], kind_names[kind], kind_examples[kind]);
        return -1;
    }
    *out = v * factor;
    return 0;
}

char *ax_qty_format(double value, enum ax_qty_kind kind, char *buf, size_t size)
{
    if (kind == AX_QTY_BYTES) {
        /* Whole binary multiples as KiB, MiB, ...; anything else in decimal. */
        static const char *const bin[] = {"B", "KiB", "MiB", "GiB", "TiB"};
        static const char *const dec[] = {"B", "kB", "MB", "GB", "TB"};
        double v = value;
        int i = 0;
        int is_binary = value >= 1024.0 && fmod(value, 1024.0) == 0.0;
        while (is_binary && i < 4 && v >= 1024.0)
            v /= 1024.0, i++;
        if (is_binary || value < 1000.0) {
            snprintf(buf, size, "%.4g %s", v, bin[i]);
            return buf;
        }
        for (v = value, i = 0; i < 4 && v >= 1000.0; i++)
            v /= 1000.0;
        snprintf(buf, size, "%.4g %s", v, dec[i]);
        return buf;
    }
    if (kind == AX_QTY_BITS) {
        snprintf(buf, size, "%.6g bit", value);
        return buf;
    }
    static const char *const pre[] = {"f", "p", "n", "u", "m", "", "k", "M", "G", "T"};
    double a = fabs(value);
    int e = 5; /* index of "" */
    if (a != 0.0) {
        int k = (int)floor(log10(a) / 3.0);
        if (k < -5)
            k = -5;
        if (k > 4)
            k = 4;
        e = 5 + k;
    }
    double scaled = value / pow(10.0, 3.0 * (e - 5));
    snprintf(buf, size, "%.4g %s%s", scaled, pre[e], kind_units[kind]);
    return buf;
}
