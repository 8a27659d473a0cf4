/* An unhandled fault: a store to an unmapped address ends the process with SIGSEGV (status
 * 139), after output flushed before it. */
#include <stdint.h>
#include <stdio.h>

int main(void) {
    printf("about to fault\n");
    fflush(stdout);
    volatile uintptr_t addr = 0x1000;
    *(volatile int *)addr = 1;
    printf("unreachable\n");
    return 0;
}
