/* SHA-256 (FIPS 180-4): the content hashes a program records for the model
 * and chip it was compiled from, so that a run can tell whether the files
 * it is given are the ones the program was built from. */
#ifndef AX_SHA256_H
#define AX_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct ax_sha256 {
    uint32_t h[8];
    uint64_t n_bytes;
    unsigned char block[64];
    uint32_t n_block; /* bytes waiting in `block` */
};

void ax_sha256_init(struct ax_sha256 *s);
void ax_sha256_update(struct ax_sha256 *s, const void *data, size_t len);
/* Writes the digest as 64 lowercase hexadecimal digits and a NUL into
 * `hex`; `s` must be initialized again before another use. */
void ax_sha256_final_hex(struct ax_sha256 *s, char hex[65]);
/* The digest of one buffer, as hexadecimal. */
void ax_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
