/* Verifying FlatBuffer reader: see flatbuf.h. Layout reminders (FlatBuffers binary format):
 * - a table starts with an int32 soffset; its vtable is at table - soffset;
 * - a vtable is uint16 [vtable bytes, table bytes, field offsets...]; offset 0 = field absent;
 * - offset fields (tables, vectors, strings) hold a uint32 relative to their own position;
 * - a vector is a uint32 element count followed by the elements; a string also has a NUL.
 * All arithmetic below is arranged as "x <= n - y" after checking y <= n, so it cannot wrap. */
#include "flatbuf.h"

static uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static int table_at(const fb_buf *f, uint32_t pos, fb_table *t)
{
    if (pos % 4 != 0 || pos > f->n || f->n - pos < 4) return 0;
    uint32_t so = rd32(f->b + pos);  /* int32: vtable = pos - so */
    uint32_t vt;
    if ((so & 0x80000000u) == 0) {
        if (so > pos) return 0;
        vt = pos - so;
    } else {
        uint32_t back = 0u - so;     /* the magnitude, also for INT32_MIN */
        if (back > f->n - pos) return 0;
        vt = pos + back;
    }
    if (vt % 2 != 0 || vt > f->n || f->n - vt < 4) return 0;
    uint32_t vt_size = rd16(f->b + vt), size = rd16(f->b + vt + 2);
    if (vt_size < 4 || vt_size % 2 != 0 || vt_size > f->n - vt) return 0;
    if (size < 4 || size > f->n - pos) return 0;
    t->pos = pos;
    t->vt = vt;
    t->vt_size = (uint16_t)vt_size;
    t->size = (uint16_t)size;
    return 1;
}

/* Position of a field of `size` bytes aligned to `align`, or 0 when it is absent. */
static int field_pos(const fb_buf *f, const fb_table *t, int field, uint32_t size,
                     uint32_t align, uint32_t *pos)
{
    uint32_t slot = 4u + 2u * (uint32_t)field;
    uint32_t fo = slot + 2u <= t->vt_size ? rd16(f->b + t->vt + slot) : 0u;
    *pos = 0;
    if (fo == 0) return 1;
    if (fo > t->size || size > t->size - fo) return 0;
    if ((t->pos + fo) % align != 0) return 0;
    *pos = t->pos + fo;
    return 1;
}

/* Follow the uoffset stored at p (already inside the table) to its target. */
static int deref(const fb_buf *f, uint32_t p, uint32_t *target)
{
    uint32_t off = rd32(f->b + p);
    if (off == 0 || off >= 0x80000000u || off >= f->n - p) return 0;
    *target = p + off;
    return 1;
}

int fb_root(const fb_buf *f, const char ident[4], fb_table *root)
{
    if (f->n < 8) return 0;
    for (int i = 0; i < 4; i++)
        if (f->b[4 + i] != (uint8_t)ident[i]) return 0;
    uint32_t pos;
    return deref(f, 0, &pos) && table_at(f, pos, root);
}

int fb_u8(const fb_buf *f, const fb_table *t, int field, uint8_t def, uint8_t *out)
{
    uint32_t p;
    if (!field_pos(f, t, field, 1, 1, &p)) return 0;
    *out = p ? f->b[p] : def;
    return 1;
}

int fb_u32(const fb_buf *f, const fb_table *t, int field, uint32_t def, uint32_t *out)
{
    uint32_t p;
    if (!field_pos(f, t, field, 4, 4, &p)) return 0;
    *out = p ? rd32(f->b + p) : def;
    return 1;
}

int fb_f32(const fb_buf *f, const fb_table *t, int field, float def, float *out)
{
    uint32_t p;
    if (!field_pos(f, t, field, 4, 4, &p)) return 0;
    if (p == 0) {
        *out = def;
    } else {
        union { uint32_t u; float f; } bits;  /* type punning through a union is C99 */
        bits.u = rd32(f->b + p);
        *out = bits.f;
    }
    return 1;
}

int fb_subtable(const fb_buf *f, const fb_table *t, int field, fb_table *out, int *present)
{
    uint32_t p, target;
    *present = 0;
    if (!field_pos(f, t, field, 4, 4, &p)) return 0;
    if (p == 0) return 1;
    if (!deref(f, p, &target) || !table_at(f, target, out)) return 0;
    *present = 1;
    return 1;
}

int fb_vector(const fb_buf *f, const fb_table *t, int field, uint32_t elem_size,
              uint32_t align, fb_vec *out)
{
    uint32_t p, target;
    out->start = 0;
    out->len = 0;
    if (!field_pos(f, t, field, 4, 4, &p)) return 0;
    if (p == 0) return 1;
    if (!deref(f, p, &target)) return 0;
    if (target % 4 != 0 || f->n - target < 4) return 0;
    uint32_t len = rd32(f->b + target), start = target + 4;
    if (start % align != 0 || len > (f->n - start) / elem_size) return 0;
    out->start = start;
    out->len = len;
    return 1;
}

int fb_string(const fb_buf *f, const fb_table *t, int field, fb_vec *out)
{
    if (!fb_vector(f, t, field, 1, 1, out)) return 0;
    if (out->start == 0) return 1;
    /* the NUL after the bytes must be inside the buffer too */
    return out->len < f->n - out->start && f->b[out->start + out->len] == 0;
}

int fb_vector_table(const fb_buf *f, const fb_vec *v, uint32_t i, fb_table *out)
{
    uint32_t target;
    if (i >= v->len) return 0;
    return deref(f, v->start + 4u * i, &target) && table_at(f, target, out);
}
