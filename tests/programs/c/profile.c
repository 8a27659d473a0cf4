/* A program with a known profile shape (tests/profile.rs): hot() runs the same loop as
 * cold() for three times as many iterations, and fib() recurses. */
#include <stdint.h>
#include <stdio.h>

#define COLD_ITERATIONS 100000

/* Each writes its own result so the two are not merged into one function. */
static volatile uint64_t hot_out, cold_out;
/* Read at run time so the trip counts are not constants the compiler could exploit. */
static volatile int iterations = COLD_ITERATIONS;

__attribute__((noinline)) static void hot(int n) {
    uint64_t x = 1;
    for (int i = 0; i < n; i++) x = x * 6364136223846793005ull + (uint64_t)i;
    hot_out = x;
}

__attribute__((noinline)) static void cold(int n) {
    uint64_t x = 1;
    for (int i = 0; i < n; i++) x = x * 6364136223846793005ull + (uint64_t)i;
    cold_out = x;
}

__attribute__((noinline)) static unsigned fib(unsigned n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(void) {
    int n = iterations;
    hot(3 * n);
    cold(n);
    printf("hot %llu cold %llu fib %u\n", (unsigned long long)hot_out,
           (unsigned long long)cold_out, fib(20));
    return 0;
}
