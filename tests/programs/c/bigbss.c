/* A program with a 1.5 GiB zero-initialised array: it must start at once and cost the host
 * only the pages it touches. It touches a few bytes spread over the array, checks that the
 * untouched ones read as zero, and prints a checksum. */
#include <stdio.h>

/* Not static and accessed through a volatile pointer, so the compiler keeps all of it. */
char big[1536u << 20];

int main(void) {
    volatile char *b = big;
    unsigned long n = sizeof big, sum = 0;
    for (unsigned long i = 0; i < n; i += n / 8)
        b[i] = (char)(i >> 20);
    b[n - 1] = 7;
    for (unsigned long i = 0; i < n; i += n / 8)
        sum += (unsigned char)b[i] + (unsigned char)b[i + 1];
    sum += (unsigned char)b[n - 1] + (unsigned char)b[n / 3 + 5];
    printf("bss: %lu MiB, checksum %lu\n", n >> 20, sum);
    return 0;
}
