/* board.h for QEMU's mps2 boards (an385 Cortex-M3, an386 Cortex-M4F).
 *
 * UART: CMSDK APB UART0 at 0x40004000, polled for TX; RX raises IRQ 0 only to wake WFI.
 * Clock: SysTick on the 25 MHz core clock with a 64-bit overflow count. Under
 * `-icount shift=0` one instruction is 1 ns of virtual time, so one tick is exactly 40
 * instructions and stamps are reproducible from run to run (unit "instr").
 * Model partition: 0x100000..0x3FFFFF of code RAM, filled by `-device loader`.
 */
#include <stdint.h>

#include "board.h"

#ifndef MLM_BOARD
#define MLM_BOARD "qemu-mps2"
#endif
#ifndef MLM_ARENA_SIZE
#define MLM_ARENA_SIZE (1024u * 1024u)
#endif
/* Instructions per SysTick tick, as a fraction (mps2: 25 MHz core clock -> 40/1). */
#ifndef MLM_INSTR_PER_TICK_NUM
#define MLM_INSTR_PER_TICK_NUM 40u
#define MLM_INSTR_PER_TICK_DEN 1u
#endif

#define REG(a) (*(volatile uint32_t *)(a))

#define UART0 0x40004000u
#define UART_DATA REG(UART0 + 0x00)
#define UART_STATE REG(UART0 + 0x04)      /* bit 0 TX full, bit 1 RX full */
#define UART_CTRL REG(UART0 + 0x08)       /* bit 0 TX en, 1 RX en, 3 RX int en */
#define UART_INTCLR REG(UART0 + 0x0C)     /* write 1: clear (bit 1 RX) */
#define UART_BAUDDIV REG(UART0 + 0x10)

#define SYST_CSR REG(0xE000E010u)         /* bit 0 enable, 1 tick interrupt, 2 core clock */
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define NVIC_ISER0 REG(0xE000E100u)

#define SYST_RUN 7u                       /* enabled, interrupt, core clock */

extern uint8_t __model_start[], __model_end[], __ram_start[], __bss_end[];

static volatile uint32_t systick_wraps;

static uint8_t arena[MLM_ARENA_SIZE] __attribute__((aligned(16)));

void SysTick_Handler(void) {
    systick_wraps++;
}

void Uart0Rx_Handler(void) {
    UART_INTCLR = 2u;   /* the byte stays in DATA for board_getc */
}

void board_init(int argc, char **argv) {
    (void)argc, (void)argv;
    UART_BAUDDIV = 25000000u / 115200u;
    UART_CTRL = 1u | 2u | 8u;   /* TX must be enabled, or the first byte written hangs */
    NVIC_ISER0 = 1u << 0;
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = SYST_RUN;
}

void board_write(const uint8_t *buf, size_t n) {
    while (n--) {
        while (UART_STATE & 1u) {
        }
        UART_DATA = *buf++;
    }
}

int board_getc(void) {
    for (;;) {
        /* Interrupts masked between the check and WFI, so a byte arriving in between still
         * ends the WFI (a pending interrupt wakes it even when masked). */
        __asm__ volatile("cpsid i" ::: "memory");
        if (UART_STATE & 2u) {
            __asm__ volatile("cpsie i" ::: "memory");
            return (int)(UART_DATA & 0xFFu);
        }
        /* SysTick pauses while we wait: with `-icount sleep=off` a running timer would make
         * QEMU warp from tick to tick at full host CPU instead of sleeping. So the clock
         * counts only instructions run, which is also what stamps mean. */
        SYST_CSR = 0;
        __asm__ volatile("dsb\n\twfi" ::: "memory");
        SYST_CSR = SYST_RUN;
        __asm__ volatile("cpsie i" ::: "memory");
    }
}

uint64_t board_clock(void) {
    uint32_t hi, v;
    do {    /* a wrap between the two reads is seen as a changed count: read again */
        hi = systick_wraps;
        v = SYST_CVR;
    } while (hi != systick_wraps);
    uint64_t ticks = ((uint64_t)hi << 24) | (0xFFFFFFu - (v & 0xFFFFFFu));
    return ticks * MLM_INSTR_PER_TICK_NUM / MLM_INSTR_PER_TICK_DEN;
}

const char *board_clock_unit(void) {
    return "instr";
}

const char *board_name(void) {
    return MLM_BOARD;
}

const char *board_model_partition(const void **ptr, size_t *size) {
    *ptr = __model_start;
    *size = (size_t)(__model_end - __model_start);
    return 0;
}

void board_arena(void **ptr, size_t *size) {
    *ptr = arena;
    *size = sizeof arena;
}

size_t board_static_ram(void) {
    return (size_t)(__bss_end - __ram_start);   /* stack + .data + .bss, arena included */
}

void board_exit(int code) {
    /* Semihosting SYS_EXIT_EXTENDED: QEMU (-semihosting-config enable=on) exits with code. */
    static uint32_t block[2];
    block[0] = 0x20026u;    /* ADP_Stopped_ApplicationExit */
    block[1] = (uint32_t)code;
    register uint32_t r0 __asm__("r0") = 0x20u;
    register uint32_t *r1 __asm__("r1") = block;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    for (;;) {
        __asm__ volatile("wfi");
    }
}

void Fault_Handler(void) {
    static const uint8_t msg[] = "# fault\n";
    static int faulted;
    if (!faulted) {     /* without semihosting, the bkpt in board_exit faults again */
        faulted = 1;
        board_write(msg, sizeof msg - 1);
        board_exit(3);
    }
    for (;;) {
    }
}
