/*
 * A program whose profile is known exactly (tests/profile.rs): every function retires a
 * fixed number of its own instructions per call.
 *
 *   _start    5   calls work, exits
 *   work      13 + 6*ROUNDS
 *   hot       66 per call (ROUNDS calls): three times cold
 *   cold      22 per call (ROUNDS calls)
 *   rec       DEPTH nested frames: 9 in each outer one, 7 in the innermost
 *   via_tail  5, then jumps (tail) to callee, which returns straight to work
 *   callee    10
 *
 * `call` and `tail` are two instructions each (auipc + jalr: no linker relaxation).
 */
#define ROUNDS 100
#define DEPTH 5

    .option norelax
    .text

    .globl _start
    .type _start, @function
_start:
    call work
    li a0, 0
    li a7, 93                   /* exit(0) */
    ecall
    .size _start, .-_start

    .type work, @function
work:
    addi sp, sp, -16
    sd ra, 8(sp)
    sd s0, 0(sp)
    li s0, ROUNDS
1:  call hot
    call cold
    addi s0, s0, -1
    bnez s0, 1b
    li a0, DEPTH
    call rec
    call via_tail
    ld s0, 0(sp)
    ld ra, 8(sp)
    addi sp, sp, 16
    ret
    .size work, .-work

    .type hot, @function
hot:
    li t1, 32
1:  addi t1, t1, -1
    bnez t1, 1b
    ret
    .size hot, .-hot

    .type cold, @function
cold:
    li t1, 10
1:  addi t1, t1, -1
    bnez t1, 1b
    ret
    .size cold, .-cold

    /* rec(n): calls itself until n reaches 1. */
    .type rec, @function
rec:
    addi sp, sp, -16
    sd ra, 8(sp)
    addi a0, a0, -1
    beqz a0, 1f
    call rec
1:  ld ra, 8(sp)
    addi sp, sp, 16
    ret
    .size rec, .-rec

    .type via_tail, @function
via_tail:
    li t2, 1
    li t2, 2
    li t2, 3
    tail callee
    .size via_tail, .-via_tail

    .type callee, @function
callee:
    li t1, 4
1:  addi t1, t1, -1
    bnez t1, 1b
    ret
    .size callee, .-callee
