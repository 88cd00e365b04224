/* Physical quantities with units, as chip descriptions write them.
 *
 * A quantity is a plain SI number ("23.6e-12", read in the base unit of its
 * kind) or a number followed by a unit ("23.6 pJ", "3.5 ns", "192 KiB",
 * "1 GHz", "104 mW"). Units are case-sensitive. A unit of the wrong kind
 * ("3.5 ns" where an energy belongs) is an error that names both kinds. */
#ifndef AX_QTY_H
#define AX_QTY_H

#include <stddef.h>

/* Columns: X(ENUM, "name for messages", "base unit", "example") */
#define AX_QTY_KINDS(X)                                        \
    X(ENERGY, "an energy", "J", "23.6 pJ")                     \
    X(TIME, "a time", "s", "3.5 ns")                           \
    X(FREQUENCY, "a frequency", "Hz", "1 GHz")                 \
    X(POWER, "a power", "W", "104 mW")                         \
    X(BYTES, "a size in bytes", "B", "192 KiB")                \
    X(BITS, "a width in bits", "bit", "32 bit")                \
    X(BANDWIDTH, "a bandwidth", "B/s", "25.6 GB/s")            \
    X(ENERGY_PER_BYTE, "an energy per byte", "J/B", "20 pJ/B")

enum ax_qty_kind {
#define X(e, name, unit, example) AX_QTY_##e,
    AX_QTY_KINDS(X)
#undef X
    AX_QTY_COUNT
};

/* Parses `text` as a quantity of `kind` into *out (in the base unit). Returns
 * 0 on success; otherwise -1 with a sentence in `err` saying what was wrong
 * and what was expected. Rejects NaN, infinities and hexadecimal numbers. */
int ax_qty_parse(const char *text, enum ax_qty_kind kind, double *out, char *err, size_t err_size);

/* "an energy", "a time", ...; "J", "s", ... */
const char *ax_qty_kind_str(enum ax_qty_kind kind);
const char *ax_qty_unit_str(enum ax_qty_kind kind);

/* Formats `value` of `kind` with an engineering prefix ("23.6 pJ",
 * "192 KiB" for whole binary multiples) into `buf`; returns buf. */
char *ax_qty_format(double value, enum ax_qty_kind kind, char *buf, size_t size);

#endif
