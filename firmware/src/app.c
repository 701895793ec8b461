/* The application: serial protocol version 1 (docs/protocol.md) on top of the engine.
 *
 * Reads one command line at a time from the board's UART, answers with lines whose first
 * character says what they are, and ends every command with exactly one `ok` or `e` line.
 * Whatever bytes arrive, the loop never blocks anywhere but in board_getc().
 */
#include <string.h>

#include "app.h"
#include "board.h"
#include "microlm.h"

#define PROTO_VERSION "1"
#define LINE_MAX 255            /* bytes before the '\n', a trailing '\r' not counted */

#ifndef MLM_APP_MAX_GEN
#define MLM_APP_MAX_GEN 1024    /* generated token ids kept to print the `a` line */
#endif

/* ---- output: a line is assembled in a small buffer and handed to the board in pieces ---- */

static uint8_t obuf[128];
static size_t olen;

static void out_flush(void) {
    if (olen) board_write(obuf, olen);
    olen = 0;
}

static void out_byte(uint8_t c) {
    if (olen == sizeof obuf) out_flush();
    obuf[olen++] = c;
}

static void out_str(const char *s) {
    while (*s) out_byte((uint8_t)*s++);
}

static void out_u64(uint64_t v) {
    char t[21];
    int i = 20;
    t[i] = 0;
    do {
        t[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v);
    out_str(t + i);
}

static void out_kv(const char *key, uint64_t v) {
    out_byte(' ');
    out_str(key);
    out_byte('=');
    out_u64(v);
}

/* Token and action bytes: printable ASCII as is, everything else (and '\\') as \xNN, so a
 * line never contains a control character and decodes unambiguously. */
static void out_esc(const uint8_t *b, size_t n) {
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        uint8_t c = b[i];
        if (c >= 0x20 && c <= 0x7e && c != '\\') {
            out_byte(c);
        } else {
            out_str("\\x");
            out_byte((uint8_t)hex[c >> 4]);
            out_byte((uint8_t)hex[c & 15]);
        }
    }
}

static void out_end(void) {
    out_byte('\n');
    out_flush();
}

static void out_line(const char *s) {
    out_str(s);
    out_end();
}

static void out_error(int code, const char *reason, const char *detail) {
    out_str("e ");
    out_u64((uint64_t)code);
    out_byte(' ');
    out_str(reason);
    if (detail) out_str(detail);
    out_end();
}

/* ---- line reader ---- */

typedef struct {
    uint8_t buf[LINE_MAX + 1];  /* room for a '\r' after LINE_MAX bytes */
    size_t len;
    int overflow;               /* the line ran past buf: discard up to the next '\n' */
} line_reader;

/* Feed one byte. Returns 1 when a line is complete: then r->buf[0..r->len) holds it without
 * its line end, and r->overflow says it was too long. The caller resets with line_reset. */
static int line_feed(line_reader *r, uint8_t c) {
    if (c == '\n') {
        if (!r->overflow && r->len && r->buf[r->len - 1] == '\r') r->len--;
        if (r->len > LINE_MAX) r->overflow = 1;
        return 1;
    }
    if (r->len < sizeof r->buf)
        r->buf[r->len++] = c;
    else
        r->overflow = 1;
    return 0;
}

static void line_reset(line_reader *r) {
    r->len = 0;
    r->overflow = 0;
}

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. */
static int utf8_valid(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t k;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0) {
            k = 1, cp = c & 0x1fu, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2, cp = c & 0x0fu, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3, cp = c & 0x07u, min = 0x10000;
        } else {
            return 0;
        }
        if (n - i <= k) return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + j] & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
        i += k + 1;
    }
    return 1;
}

/* ---- model ---- */

static mlm_model model;
static mlm_ctx ctx;
static const char *no_model;    /* why there is no usable model, NULL when there is one */

static void model_open(void) {
    const void *part = NULL;
    size_t part_size = 0;
    void *arena = NULL;
    size_t arena_size = 0;
    mlm_status st;

    no_model = board_model_partition(&part, &part_size);
    if (no_model) return;
    st = mlm_model_load(&model, part, part_size);
    if (st == MLM_OK) {
        board_arena(&arena, &arena_size);
        st = mlm_ctx_init(&ctx, &model, arena, arena_size);
    }
    if (st != MLM_OK) no_model = mlm_status_str(st);
}

/* The `i` line about the model and RAM, at boot and in `info`. */
static void model_line(void) {
    void *arena;
    size_t arena_size, ram = board_static_ram();
    board_arena(&arena, &arena_size);
    if (no_model) {
        out_str("i model=none");
    } else {
        const mlm_config *c = &model.cfg;
        out_str("i model=ok");
        out_kv("params", model.n_params);
        out_kv("dim", c->dim);
        out_kv("layers", c->n_layers);
        out_kv("heads", c->n_heads);
        out_kv("kv_heads", c->n_kv_heads);
        out_kv("vocab", c->vocab_size);
        out_kv("seq_len", c->seq_len);
        out_kv("model_bytes", model.blob_size);
        out_kv("arena_used", ctx.arena_used);
        out_str(" grammar=");
        out_str(model.grammar.n_states == 0 ? "none" : ctx.constrained ? "on" : "off");
        out_kv("beam", (uint64_t)ctx.beam_k);
    }
    out_kv("arena_size", arena_size);
    if (ram) out_kv("ram_static", ram);
    out_end();
}

/* ---- commands ---- */

static int word_is(const uint8_t *s, size_t n, const char *w) {
    return n == strlen(w) && memcmp(s, w, n) == 0;
}

static int all_spaces(const uint8_t *s, size_t n) {
    while (n--)
        if (*s++ != ' ') return 0;
    return 1;
}

static void cmd_info(void) {
    out_str("i proto=" PROTO_VERSION " fw=" MLM_VERSION " board=");
    out_str(board_name());
    out_str(" clock=");
    out_str(board_clock_unit());
    out_end();
    model_line();
    out_line("ok info");
}

/* `grammar on|off`: constrained decoding (docs/numerics.md) for the `gen` commands that follow;
 * on at boot when the model has a grammar. */
static void cmd_grammar(const uint8_t *arg, size_t n) {
    int on;
    while (n && arg[n - 1] == ' ') n--;
    if (word_is(arg, n, "on")) {
        on = 1;
    } else if (word_is(arg, n, "off")) {
        on = 0;
    } else {
        out_error(1, "unknown command", NULL);
        return;
    }
    if (no_model) {
        out_error(10, "no model: ", no_model);
        return;
    }
    if (mlm_set_grammar(&ctx, on) != MLM_OK) {  /* on, and the model has no grammar */
        out_error(6, "no grammar", NULL);
        return;
    }
    out_line("ok grammar");
}

/* `beam K`: decode the `gen` commands that follow by beam search with K lines (docs/numerics.md,
 * "Beam search"), K = 1..MLM_BEAM_MAX; 1 (greedy) at boot. Its state takes arena after the run
 * state: when the board's arena has too little, the answer says how much is missing. */
static void cmd_beam(const uint8_t *arg, size_t n) {
    while (n && arg[n - 1] == ' ') n--;
    if (n != 1 || arg[0] < '1' || arg[0] > '0' + MLM_BEAM_MAX) {
        out_error(1, "unknown command", NULL);
        return;
    }
    if (no_model) {
        out_error(10, "no model: ", no_model);
        return;
    }
    int k = arg[0] - '0';
    if (mlm_set_beam(&ctx, k) != MLM_OK) { /* MLM_E_ARENA: k is in range, the model loaded */
        size_t arena_size;
        void *arena;
        board_arena(&arena, &arena_size);
        out_str("e 7 no room: beam ");
        out_u64((uint64_t)k);
        out_str(" needs ");
        out_u64(ctx.run_bytes + mlm_beam_bytes(&model.cfg, k));
        out_str(" bytes of arena, the board has ");
        out_u64(arena_size);
        out_end();
        return;
    }
    out_line("ok beam");
}

typedef struct {
    uint64_t t0, t_first;
    int n;                      /* ids kept in gen_ids */
} gen_state;

static uint16_t gen_ids[MLM_APP_MAX_GEN];

static int on_token(void *user, int index, int token, const uint8_t *bytes, size_t n) {
    gen_state *g = user;
    uint64_t now = board_clock() - g->t0;
    if (index == 0) g->t_first = now;
    out_str("t ");
    out_u64((uint64_t)index);
    out_byte(' ');
    out_u64((uint64_t)token);
    out_byte(' ');
    out_u64(now);
    out_byte(' ');
    out_esc(bytes, n);
    out_end();
    if (g->n < MLM_APP_MAX_GEN) gen_ids[g->n++] = (uint16_t)token;
    return 0;
}

/* The action: the generated bytes without the final '\n', rebuilt from the kept ids. */
static void out_action(const gen_state *g) {
    size_t total = 0, left, n;
    const uint8_t *b;
    for (int i = 0; i < g->n; i++) {
        mlm_token_bytes(&model, gen_ids[i], &n);
        total += n;
    }
    left = total;
    for (int i = g->n - 1; i >= 0; i--) {   /* find the last non-empty token */
        b = mlm_token_bytes(&model, gen_ids[i], &n);
        if (n) {
            if (b[n - 1] == '\n') left--;
            break;
        }
    }
    out_str("a ");
    for (int i = 0; i < g->n && left; i++) {
        b = mlm_token_bytes(&model, gen_ids[i], &n);
        if (n > left) n = left;
        out_esc(b, n);
        left -= n;
    }
    out_end();
}

static void cmd_gen(const uint8_t *text, size_t len) {
    gen_state g = {0, 0, 0};
    mlm_gen_stats st = {0, 0, 0};
    mlm_status rc;
    uint64_t t_total;

    if (all_spaces(text, len)) {
        out_error(4, "empty prompt", NULL);
        return;
    }
    if (no_model) {
        out_error(10, "no model: ", no_model);
        return;
    }
    g.t0 = board_clock();
    rc = mlm_generate(&ctx, text, len, MLM_APP_MAX_GEN, on_token, &g, &st);
    t_total = board_clock() - g.t0;
    if (rc == MLM_E_PROMPT) {
        out_error(5, "prompt too long", NULL);
        return;
    }
    if (rc != MLM_OK) {     /* not expected after the checks above; still one final line */
        out_error(11, "engine: ", mlm_status_str(rc));
        return;
    }
    if (g.n == 0) g.t_first = t_total;
    out_action(&g);
    out_str("s");
    out_kv("prompt", (uint64_t)st.prompt_tokens);
    out_kv("gen", (uint64_t)st.gen_tokens);
    out_kv("t_first", g.t_first);
    out_kv("t_total", t_total);
    out_str(" unit=");
    out_str(board_clock_unit());
    out_end();
    out_line("ok gen");
}

static void handle_line(const line_reader *r) {
    const uint8_t *s = r->buf, *rest;
    size_t n = r->len, w, rest_n;

    if (r->overflow) {
        out_error(2, "line too long", NULL);
        return;
    }
    if (n == 0) return;     /* an empty line is no command: a person pressing Enter */
    if (!utf8_valid(s, n)) {
        out_error(3, "bad utf-8", NULL);
        return;
    }
    for (w = 0; w < n && s[w] != ' '; w++) {
    }
    rest = s + (w < n ? w + 1 : n);
    rest_n = w < n ? n - w - 1 : 0;

    if (word_is(s, w, "ping") && all_spaces(rest, rest_n)) {
        out_line("ok ping");
    } else if (word_is(s, w, "info") && all_spaces(rest, rest_n)) {
        cmd_info();
    } else if (word_is(s, w, "gen")) {
        cmd_gen(rest, rest_n);
    } else if (word_is(s, w, "grammar")) {
        cmd_grammar(rest, rest_n);
    } else if (word_is(s, w, "beam")) {
        cmd_beam(rest, rest_n);
    } else {
        out_error(1, "unknown command", NULL);
    }
}

/* ---- main loop ---- */

static line_reader reader;

void app_boot(void) {
    out_str("# microlm " MLM_VERSION " board=");
    out_str(board_name());
    out_end();
    model_open();
    if (no_model)
        out_error(10, "no model: ", no_model);
    else
        model_line();
    out_line("# ready");
}

int app_poll(void) {
    int c = board_getc();
    if (c < 0) return 0;
    if (line_feed(&reader, (uint8_t)c)) {
        handle_line(&reader);
        line_reset(&reader);
    }
    return 1;
}

void app_run(void) {
    app_boot();
    while (app_poll()) {
    }
}
