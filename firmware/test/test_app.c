/* Tests of the application's protocol loop (firmware/src/app.c) against a scripted board.
 *
 *   gcc -O2 -std=c99 -ffp-contract=off -Wall -Wextra -Ifirmware/src \
 *       -Ifirmware/lib/microlm/src firmware/test/test_app.c firmware/lib/microlm/src/[a-z]*.c \
 *       -lm -o build/test_app
 *   build/test_app [MODEL.mlm]     # with a model, `gen` is checked too
 *
 * tests/test_app_c.py builds and runs it (with and without the shipped model) in `make test`.
 *
 * app.c is included, so its static line reader and UTF-8 check are tested directly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/app.c"

/* ---- the scripted board ---- */

static const uint8_t *in_p;
static size_t in_n;
static char out[1 << 16];
static size_t out_n;
static const uint8_t *part;
static size_t part_n;
static uint8_t test_arena[1 << 22] __attribute__((aligned(16)));
static uint64_t fake_clock;

void board_init(int argc, char **argv) {
    (void)argc, (void)argv;
}
void board_write(const uint8_t *buf, size_t n) {
    if (out_n + n < sizeof out) memcpy(out + out_n, buf, n), out_n += n;
}
int board_getc(void) {
    if (!in_n) return -1;
    in_n--;
    return *in_p++;
}
uint64_t board_clock(void) {
    return fake_clock += 7;
}
const char *board_clock_unit(void) {
    return "tick";
}
const char *board_name(void) {
    return "test";
}
const char *board_model_partition(const void **ptr, size_t *size) {
    *ptr = part;
    *size = part_n;
    return NULL;
}
static size_t arena_limit; /* nonzero: the board's arena is this small */

void board_arena(void **ptr, size_t *size) {
    *ptr = test_arena;
    *size = arena_limit ? arena_limit : sizeof test_arena;
}
size_t board_static_ram(void) {
    return 0;
}
void board_exit(int code) {
    exit(code);
}

/* ---- helpers ---- */

static int passed, failed;

#define CHECK(cond, ...)                                             \
    do {                                                             \
        if (cond) {                                                  \
            passed++;                                                \
        } else {                                                     \
            failed++;                                                \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);              \
            printf(__VA_ARGS__);                                     \
            printf("\n");                                            \
        }                                                            \
    } while (0)

/* Feed `n` bytes to the running app (booted already), return what it wrote. */
static const char *session(const void *bytes, size_t n) {
    in_p = bytes;
    in_n = n;
    out_n = 0;
    while (app_poll()) {
    }
    out[out_n] = 0;
    return out;
}

static void expect(const char *input, size_t n, const char *want) {
    const char *got = session(input, n);
    CHECK(!strcmp(got, want), "input %.40s...: got\n%s\nwant\n%s", input, got, want);
}
#define EXPECT(lit, want) expect(lit, sizeof lit - 1, want)

static int feed_line(line_reader *r, const char *s, size_t n) {
    line_reset(r);
    for (size_t i = 0; i < n; i++)
        if (line_feed(r, (uint8_t)s[i])) return (int)i;
    return -1;
}

static void test_line_reader(void) {
    static char buf[600];
    line_reader r;

    memset(buf, 'x', sizeof buf);
    buf[255] = '\n';
    CHECK(feed_line(&r, buf, 256) == 255 && r.len == 255 && !r.overflow, "255 bytes fit");
    buf[255] = '\r', buf[256] = '\n';
    CHECK(feed_line(&r, buf, 257) == 256 && r.len == 255 && !r.overflow, "255 + \\r fit");
    buf[255] = 'x', buf[256] = '\n';
    CHECK(feed_line(&r, buf, 257) == 256 && r.overflow, "256 bytes overflow");
    buf[256] = 'x', buf[599] = '\n';
    CHECK(feed_line(&r, buf, 600) == 599 && r.overflow, "599 bytes overflow");
    CHECK(feed_line(&r, "ping\r\n", 6) == 5 && r.len == 4 && !memcmp(r.buf, "ping", 4),
          "\\r\\n stripped");
    CHECK(feed_line(&r, "a\r\r\n", 4) == 3 && r.len == 2, "only one \\r stripped");
}

static void test_utf8(void) {
    struct {
        const char *s;
        int ok;
    } cases[] = {
        {"plain ascii", 1},     {"caf\xc3\xa9", 1},         {"\xe6\x97\xa5\xe6\x9c\xac", 1},
        {"\xf0\x9f\x98\x80", 1}, {"caf\xc3", 0},            {"\xc3\x28", 0},
        {"\xc0\xaf", 0},        {"\xe0\x80\xaf", 0},        {"\xed\xa0\x80", 0},
        {"\xf4\x90\x80\x80", 0}, {"\xff", 0},               {"\x80", 0},
        {"\xf8\x88\x80\x80\x80", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].s;
        CHECK(utf8_valid((const uint8_t *)s, strlen(s)) == cases[i].ok, "utf8 case %u",
              (unsigned)i);
    }
}

static void test_commands_without_model(void) {
    static const uint8_t zeros[64];
    char big[700];

    part = zeros, part_n = sizeof zeros;
    in_n = 0, out_n = 0;
    app_boot();
    out[out_n] = 0;
    CHECK(!strncmp(out, "# microlm " MLM_VERSION " board=test\ne 10 no model: ", 34) &&
              strstr(out, "\n# ready\n"),
          "boot without model:\n%s", out);

    EXPECT("ping\n", "ok ping\n");
    EXPECT("ping\r\n", "ok ping\n");
    EXPECT("ping  \n", "ok ping\n");
    EXPECT("\n\r\n", "");
    EXPECT("pong\n", "e 1 unknown command\n");
    EXPECT("ping x\n", "e 1 unknown command\n");
    EXPECT(" ping\n", "e 1 unknown command\n");
    EXPECT("\x01\x02\x1b[A\n", "e 1 unknown command\n");
    EXPECT("gen\n", "e 4 empty prompt\n");
    EXPECT("gen   \n", "e 4 empty prompt\n");
    EXPECT("gen caf\xc3\n", "e 3 bad utf-8\n");
    EXPECT("\xff\xfe\n", "e 3 bad utf-8\n");
    EXPECT("info\n",
           "i proto=1 fw=" MLM_VERSION " board=test clock=tick\n"
           "i model=none arena_size=4194304\n"
           "ok info\n");
    CHECK(!strncmp(session("gen hi\n", 7), "e 10 no model: ", 15), "gen without model: %s",
          out);
    CHECK(!strncmp(session("grammar on\n", 11), "e 10 no model: ", 15),
          "grammar without model: %s", out);
    EXPECT("grammar\n", "e 1 unknown command\n");
    EXPECT("grammar maybe\n", "e 1 unknown command\n");
    CHECK(!strncmp(session("beam 4\n", 7), "e 10 no model: ", 15), "beam without model: %s", out);
    EXPECT("beam\n", "e 1 unknown command\n");
    EXPECT("beam 0\n", "e 1 unknown command\n");
    EXPECT("beam 9\n", "e 1 unknown command\n");
    EXPECT("beam 12\n", "e 1 unknown command\n");
    EXPECT("beam four\n", "e 1 unknown command\n");

    memset(big, 'y', sizeof big);
    big[sizeof big - 1] = '\n';
    expect(big, sizeof big, "e 2 line too long\n");
    /* too long, then more commands in the same burst: the rest of the line is discarded */
    memcpy(big + sizeof big - 11, "\nping\nping", 10);
    expect(big, sizeof big, "e 2 line too long\nok ping\nok ping\n");
    EXPECT("pi", "");   /* an unfinished line waits for its '\n' */
    EXPECT("ng\n", "ok ping\n");
}

/* With a model: t lines, then a, s, ok; the a line is the t texts without the final \x0a. */
static void test_gen(const char *path) {
    static uint8_t blob[16 << 20] __attribute__((aligned(16)));
    char texts[8192] = "", *line, want_a[8192];
    int n_t = 0, gen = -1, seen_a = 0, seen_s = 0, seen_ok = 0;
    size_t len;
    FILE *f = fopen(path, "rb");

    if (!f) {
        printf("FAIL cannot open %s\n", path);
        failed++;
        return;
    }
    part = blob;
    part_n = fread(blob, 1, sizeof blob, f);
    fclose(f);
    out_n = 0;
    app_boot();
    out[out_n] = 0;
    CHECK(strstr(out, "\ni model=ok params=") != NULL, "boot with model:\n%s", out);

    session("gen turn on the kitchen lights\n", 31);
    for (line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == 't') {
            int idx, id, pos = 0;
            unsigned long long stamp;
            /* exactly one space before the text: a token's own leading space is its text */
            CHECK(sscanf(line, "t %d %d %llu%n", &idx, &id, &stamp, &pos) == 3 && pos &&
                      line[pos] == ' ' && idx == n_t,
                  "t line: %s", line);
            pos += line[pos] == ' ';
            if (strlen(texts) + strlen(line + pos) < sizeof texts) strcat(texts, line + pos);
            n_t++;
        } else if (line[0] == 'a') {
            seen_a = 1;
            len = strlen(texts);
            if (len >= 4 && !strcmp(texts + len - 4, "\\x0a")) texts[len - 4] = 0;
            snprintf(want_a, sizeof want_a, "a %s", texts);
            CHECK(!strcmp(line, want_a), "a line\n%s\nwant\n%s", line, want_a);
        } else if (line[0] == 's') {
            seen_s = 1;
            CHECK(sscanf(line, "s prompt=%*d gen=%d", &gen) == 1 && strstr(line, " unit=tick"),
                  "s line: %s", line);
        } else if (!strcmp(line, "ok gen")) {
            seen_ok = 1;
        } else {
            CHECK(0, "unexpected line: %s", line);
        }
    }
    CHECK(n_t > 0 && seen_a && seen_s && seen_ok && gen == n_t, "gen: %d t lines, s gen=%d",
          n_t, gen);
    memset(want_a, 'z', 255);   /* a 250-byte prompt: more than a small model's context */
    memcpy(want_a, "gen ", 4);
    want_a[254] = '\n';
    session(want_a, 255);
    CHECK(!strcmp(out, "e 5 prompt too long\n") || !strncmp(out, "t 0 ", 4),
          "long prompt: %.60s", out);
}

/* `grammar on|off` and the info key, for a model with a grammar or without one. */
static void test_grammar(void) {
    int has = strstr(session("info\n", 5), " grammar=on ") != NULL;
    CHECK(has || strstr(out, " grammar=none ") != NULL, "info grammar key:\n%s", out);
    EXPECT("grammar off\n", "ok grammar\n");
    CHECK(strstr(session("info\n", 5), has ? " grammar=off " : " grammar=none ") != NULL,
          "info after grammar off:\n%s", out);
    if (has) {
        EXPECT("grammar on  \n", "ok grammar\n");
        CHECK(strstr(session("info\n", 5), " grammar=on ") != NULL, "info:\n%s", out);
    } else {
        EXPECT("grammar on\n", "e 6 no grammar\n");
    }
    printf("grammar: model %s one\n", has ? "has" : "does not have");
}

/* `beam K`: the info key, `gen` still one t line per token and an a line, and the answer
 * when the arena is too small for the beam. */
static void test_beam(void) {
    size_t full;
    CHECK(strstr(session("info\n", 5), " beam=1 ") != NULL, "info beam key at boot:\n%s", out);
    EXPECT("beam 4 \n", "ok beam\n");
    CHECK(strstr(session("info\n", 5), " beam=4 ") != NULL, "info after beam 4:\n%s", out);
    session("gen heat up the powder room\n", 28);
    CHECK(strstr(out, "\na climate.warmer area=powder_room\n") != NULL &&
              strstr(out, "\nok gen\n") != NULL, "gen with beam 4:\n%s", out);
    EXPECT("beam 1\n", "ok beam\n");
    session("gen heat up the powder room\n", 28);
    CHECK(strstr(out, "\na climate.warmer area=room\n") != NULL, "gen greedy:\n%s", out);
    /* an arena that holds the run state but not 8 beams */
    full = ctx.run_bytes + mlm_beam_bytes(&model.cfg, 8);
    arena_limit = ctx.run_bytes + 64;
    model_open();
    session("beam 8\n", 7);
    char want[160];
    snprintf(want, sizeof want, "e 7 no room: beam 8 needs %lu bytes of arena, the board has %lu\n",
             (unsigned long)full, (unsigned long)arena_limit);
    CHECK(!strcmp(out, want), "beam without room:\n%s\nwant\n%s", out, want);
    CHECK(strstr(session("info\n", 5), " beam=1 ") != NULL, "info after e 7:\n%s", out);
    arena_limit = 0;
    model_open();
}

int main(int argc, char **argv) {
    test_line_reader();
    test_utf8();
    test_commands_without_model();
    if (argc > 1) test_gen(argv[1]), test_grammar(), test_beam();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
