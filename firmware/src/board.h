/* The board interface: everything the application needs from a board, nothing more.
 *
 * One implementation per board family lives in firmware/ports/<family>/. The application
 * (app.c) knows nothing of registers or operating systems; the boards know nothing of
 * transformers or of the serial protocol.
 */
#ifndef BOARD_H
#define BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Bring up clocks, UART, timers. argc/argv are the host program's arguments on the POSIX
 * port (bare-metal startup passes 0/NULL). */
void board_init(int argc, char **argv);

/* Serial port. board_write blocks until the bytes are handed to the port; board_getc blocks
 * until a byte arrives and returns it (0..255). */
void board_write(const uint8_t *buf, size_t n);
int board_getc(void);

/* 64-bit clock in the board's own unit (board_clock_unit(): "instr", "cycles" or "us").
 * Only differences within a command are meaningful: a board may pause it while it waits
 * for input (QEMU does, so that an idle emulator sleeps). */
uint64_t board_clock(void);
const char *board_clock_unit(void);

/* Board id as in boards/<id>.json, e.g. "qemu-m4". */
const char *board_name(void);

/* Where the model blob lives (a flash partition, a file read into RAM). Returns NULL, or a
 * reason when the board already knows there is no usable partition (e.g. file missing);
 * the blob itself is verified by the engine. */
const char *board_model_partition(const void **ptr, size_t *size);

/* The static RAM the engine's run state is carved from (MLM_ARENA_SIZE bytes). */
void board_arena(void **ptr, size_t *size);

/* Total static RAM of the firmware in bytes (data + bss + stack), 0 when unknown. */
size_t board_static_ram(void);

/* End the program (emulators and host builds; real boards reset). For tests. */
void board_exit(int code);

#endif
