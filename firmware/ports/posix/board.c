/* board.h for the host: the firmware as a program whose serial port is a pseudo-terminal.
 *
 *   program --model FILE [--pty-link PATH] [--stdio]
 *
 * Prints `pty=/dev/pts/N` on stdout once the pty is ready, then serves the protocol on it
 * (with --stdio: on stdin/stdout instead, for pipes and tests). The model file is read into
 * a static buffer, the host counterpart of a flash partition.
 */
#define _XOPEN_SOURCE 600   /* posix_openpt, grantpt, ptsname; c99 hides them otherwise */
#define _DEFAULT_SOURCE     /* cfmakeraw */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "board.h"

#ifndef MLM_BOARD
#define MLM_BOARD "native"
#endif
#ifndef MLM_ARENA_SIZE
#define MLM_ARENA_SIZE (8u * 1024u * 1024u)
#endif
#ifndef MLM_PARTITION_SIZE
#define MLM_PARTITION_SIZE (16u * 1024u * 1024u)
#endif
#define WRITE_CHUNK 1024        /* bigger writes to a pty can be lost */
#define WRITE_STALL_MS 5000     /* nobody reading that long: drop output rather than hang */

static uint8_t partition[MLM_PARTITION_SIZE] __attribute__((aligned(16)));
static size_t partition_used;
static char partition_error[160];
static uint8_t arena[MLM_ARENA_SIZE] __attribute__((aligned(16)));

static int in_fd = -1, out_fd = -1;
static int slave_fd = -1;       /* kept open: a host closing its end must not hang us up */
static const char *pty_link;

static void usage(const char *prog) {
    fprintf(stderr, "usage: %s --model FILE [--pty-link PATH] [--stdio]\n", prog);
    exit(2);
}

/* Reads the model file. Any failure is kept as the reason for `e 10 no model: ...`, so the
 * device still starts and answers like a board with an empty partition. */
static void load_model(const char *path) {
    FILE *f;
    size_t n;

    if (!path) {
        snprintf(partition_error, sizeof partition_error, "no --model given");
        return;
    }
    f = fopen(path, "rb");
    if (!f) {
        snprintf(partition_error, sizeof partition_error, "cannot open %s: %s", path,
                 strerror(errno));
        return;
    }
    n = fread(partition, 1, sizeof partition, f);
    if (ferror(f)) {
        snprintf(partition_error, sizeof partition_error, "cannot read %s", path);
    } else if (n == sizeof partition && fgetc(f) != EOF) {
        snprintf(partition_error, sizeof partition_error,
                 "%s is larger than the %u byte partition", path, (unsigned)sizeof partition);
    } else {
        partition_used = n;
    }
    fclose(f);
}

static void remove_link(void) {
    if (pty_link) unlink(pty_link);
}

static void on_signal(int sig) {
    remove_link();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void open_pty(void) {
    struct termios t;
    const char *name;
    int m = posix_openpt(O_RDWR | O_NOCTTY);

    if (m < 0 || grantpt(m) || unlockpt(m) || !(name = ptsname(m))) {
        perror("pty");
        exit(1);
    }
    slave_fd = open(name, O_RDWR | O_NOCTTY);
    if (slave_fd < 0) {
        perror(name);
        exit(1);
    }
    /* Raw: no echo, no CR/LF translation, bytes pass as they are (hosts such as pyserial set
     * raw mode again when they open the port, terminal programs too). */
    if (tcgetattr(slave_fd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(slave_fd, TCSANOW, &t);
    }
    /* Non-blocking master: a write nobody reads for WRITE_STALL_MS is dropped instead of
     * blocking the firmware forever (like a UART without flow control, but patient). */
    fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
    in_fd = out_fd = m;
    if (pty_link) {
        unlink(pty_link);
        if (symlink(name, pty_link)) {
            perror(pty_link);
            exit(1);
        }
        atexit(remove_link);
        signal(SIGTERM, on_signal);
        signal(SIGINT, on_signal);
        signal(SIGHUP, on_signal);
    }
    printf("pty=%s\n", name);
    fflush(stdout);
}

void board_init(int argc, char **argv) {
    const char *model = NULL;
    int use_stdio = 0;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--model") && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(argv[i], "--pty-link") && i + 1 < argc)
            pty_link = argv[++i];
        else if (!strcmp(argv[i], "--stdio"))
            use_stdio = 1;
        else
            usage(argv[0]);
    }
    signal(SIGPIPE, SIG_IGN);   /* a closed stdout pipe is an error return, not death */
    load_model(model);
    if (use_stdio) {
        in_fd = 0;
        out_fd = 1;
    } else {
        open_pty();
    }
}

void board_write(const uint8_t *buf, size_t n) {
    static int stalled;     /* the last write timed out: nobody reads, don't wait again */
    while (n) {
        size_t k = n < WRITE_CHUNK ? n : WRITE_CHUNK;
        ssize_t w = write(out_fd, buf, k);
        if (w > 0) {
            buf += w;
            n -= (size_t)w;
            stalled = 0;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && errno == EAGAIN) {
            struct pollfd p = {out_fd, POLLOUT, 0};
            if (stalled || poll(&p, 1, WRITE_STALL_MS) <= 0) {
                stalled = 1;
                return;
            }
        } else {
            return;     /* the port is gone (stdout closed): output has nowhere to go */
        }
    }
}

static uint8_t ibuf[256];
static size_t ipos, ilen;

int board_getc(void) {
    while (ipos == ilen) {
        ssize_t r = read(in_fd, ibuf, sizeof ibuf);
        if (r > 0) {
            ipos = 0;
            ilen = (size_t)r;
        } else if (r < 0 && errno == EAGAIN) {
            struct pollfd p = {in_fd, POLLIN, 0};
            poll(&p, 1, -1);
        } else if (r == 0 || errno != EINTR) {
            return -1;  /* end of input: only a pipe (--stdio) ends, a pty never does */
        }
    }
    return ibuf[ipos++];
}

uint64_t board_clock(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

const char *board_clock_unit(void) {
    return "us";
}

const char *board_name(void) {
    return MLM_BOARD;
}

const char *board_model_partition(const void **ptr, size_t *size) {
    *ptr = partition;
    *size = partition_used;
    return partition_error[0] ? partition_error : NULL;
}

void board_arena(void **ptr, size_t *size) {
    *ptr = arena;
    *size = sizeof arena;
}

size_t board_static_ram(void) {
    return 0;   /* a host process: not meaningful */
}

void board_exit(int code) {
    exit(code);
}
