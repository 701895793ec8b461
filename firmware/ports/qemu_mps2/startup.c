/* Cortex-M startup for QEMU's mps2 boards: vector table and reset handler.
 * Symbols come from boards/ld/mps2_m4.ld. */
#include <stdint.h>

extern uint32_t __stack_top[], __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];

int main(int argc, char **argv);
void Reset_Handler(void);
void Fault_Handler(void);       /* board.c: report, then end the emulator */
void SysTick_Handler(void);     /* board.c: 64-bit clock */
void Uart0Rx_Handler(void);     /* board.c: wakes board_getc from WFI */

#define CPACR (*(volatile uint32_t *)0xE000ED88u)

void Reset_Handler(void) {
    uint32_t *src = __data_load, *dst = __data_start;

#if defined(__ARM_FP)
    /* CP10/CP11 full access before any floating-point instruction runs: without it the
     * first VFP instruction is a UsageFault. */
    CPACR |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    while (dst < __data_end) *dst++ = *src++;
    for (dst = __bss_start; dst < __bss_end;) *dst++ = 0;
    main(0, 0);
    for (;;) {
    }
}

#define NUM_IRQ 32  /* external interrupts of QEMU's mps2 NVIC */

typedef void (*vector)(void);

__attribute__((section(".isr_vector"), used))
const vector vectors[16 + NUM_IRQ] = {
    (vector)(uintptr_t)__stack_top,
    Reset_Handler,
    Fault_Handler,      /* NMI */
    Fault_Handler,      /* HardFault */
    Fault_Handler,      /* MemManage */
    Fault_Handler,      /* BusFault */
    Fault_Handler,      /* UsageFault */
    0, 0, 0, 0,
    Fault_Handler,      /* SVCall */
    Fault_Handler,      /* DebugMonitor */
    0,
    Fault_Handler,      /* PendSV */
    SysTick_Handler,
    /* external interrupts: IRQ 0 is UART0 RX on mps2-an385/an386; no other is enabled */
    [16] = Uart0Rx_Handler,
    [17 ... 16 + NUM_IRQ - 1] = Fault_Handler,
};
