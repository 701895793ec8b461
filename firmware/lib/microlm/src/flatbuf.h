/* A minimal FlatBuffer reader that verifies as it reads.
 *
 * Why hand-written: flatcc's runtime is not available for the cross targets offline, and the
 * ~200 lines below, which read only what model.mlm uses, are smaller than vendoring it.
 *
 * Every access is checked against the buffer before anything is dereferenced: table and
 * vtable bounds, every uoffset, vector and string lengths (overflow-safe), the NUL after each
 * string, and the alignment of each scalar and vector element relative to the buffer start
 * (the caller makes the buffer start 4-aligned in memory, so 4-byte element pointers handed
 * out are safe to dereference). Failing checks return 0 and nothing is read past them.
 * Multi-byte structure fields are read byte by byte as little-endian; vector elements are
 * read in place, which assumes a little-endian target (all supported ones are).
 */
#ifndef MLM_FLATBUF_H
#define MLM_FLATBUF_H

#include <stdint.h>

typedef struct {
    const uint8_t *b;
    uint32_t n;
} fb_buf;

typedef struct {
    uint32_t pos;     /* table start (its soffset to the vtable) */
    uint32_t vt;      /* vtable start */
    uint16_t vt_size; /* vtable bytes */
    uint16_t size;    /* table inline bytes */
} fb_table;

typedef struct {
    uint32_t start;   /* offset of element 0 (0 with len 0 when the field is absent) */
    uint32_t len;     /* element count */
} fb_vec;

/* The root table, after checking the 4-byte file identifier. */
int fb_root(const fb_buf *f, const char ident[4], fb_table *root);

/* Scalars; an absent field yields def, as in FlatBuffers. */
int fb_u8(const fb_buf *f, const fb_table *t, int field, uint8_t def, uint8_t *out);
int fb_u32(const fb_buf *f, const fb_table *t, int field, uint32_t def, uint32_t *out);
int fb_f32(const fb_buf *f, const fb_table *t, int field, float def, float *out);

/* A sub-table field; *present = 0 when the field is absent. */
int fb_subtable(const fb_buf *f, const fb_table *t, int field, fb_table *out, int *present);

/* A vector field of elem_size-byte elements whose first element is align-aligned (align: a
 * power of two, elem_size or more, as with force_align). Absent: len 0. */
int fb_vector(const fb_buf *f, const fb_table *t, int field, uint32_t elem_size,
              uint32_t align, fb_vec *out);

/* A string field: like a byte vector, plus its NUL terminator. Absent: len 0. */
int fb_string(const fb_buf *f, const fb_table *t, int field, fb_vec *out);

/* Element i of a vector of tables (elem_size 4, verified by fb_vector). */
int fb_vector_table(const fb_buf *f, const fb_vec *v, uint32_t i, fb_table *out);

#endif
