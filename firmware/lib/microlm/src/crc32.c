/* CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the same value as zlib's crc32():
 * mlm_crc32(0, data, n) == zlib.crc32(data), and calls chain like zlib's.
 *
 * Half-byte table: 16 entries (64 bytes of flash), two lookups per byte. About 4x faster than
 * the table-free bit loop, which matters when a multi-megabyte model is checked at boot on a
 * 25 MHz core, at a sixteenth of the usual 1 KB table. */
#include "microlm.h"

static const uint32_t crc_nibble[16] = {
    0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u,
    0x4db26158u, 0x5005713cu, 0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
    0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu,
};

uint32_t mlm_crc32(uint32_t crc, const void *data, size_t n)
{
    const uint8_t *p = (const uint8_t *)data;
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ crc_nibble[crc & 15u];
        crc = (crc >> 4) ^ crc_nibble[crc & 15u];
    }
    return ~crc;
}
