/*
 * Harness of the ISA differential tester (tests/isa_diff.rs), run the same way under rvrun
 * and qemu-riscv64:  isa-harness BLOB
 *
 * BLOB is a file written by the tester. It is copied into an anonymous RWX mapping at the
 * fixed address BASE, so every pc-relative value (auipc, jal/jalr links) is the same under
 * both emulators. Its header (64-bit little-endian words):
 *     0  magic "RVISADIF"
 *     8  offset of the code entry point
 *    16  offset of the result region
 *    24  length of the result region
 *    32  (written here) the address the code jumps to when done
 * The code owns every register; when it returns to `done`, the harness writes the result
 * region (register dumps and scratch memory of every sequence) to stdout and exits 0. Any
 * failure of its own exits 1 (no libc: nothing but raw syscalls).
 *
 * Illegal instructions: a SIGILL handler (on its own stack, since sequences scramble sp)
 * skips the instruction and counts the trap in the running sequence's record, at
 * x31 + TRAPS (x31 always points at the sequence's scratch block; see isa_diff.rs).
 * The alternate stack sits at an address no generated value comes near: were sp inside it,
 * the kernel would consider the thread already on it and push the frame below sp.
 */
#define BASE  0x100000000
#define MAGIC 0x4649444153495652 /* "RVISADIF" */
#define TRAPS 776
#define UC_PC 176                /* ucontext.uc_mcontext.__gregs[0] */
#define ALTSTACK 0x777700000
#define ALTSTACK_SIZE 65536

    /* No gp is set up (no crt), so the linker must not relax lla into gp-relative adds. */
    .option norelax
    .text
    .globl _start
_start:
    ld a1, 16(sp)               /* argv[1] */
    beqz a1, fail
    li a0, -100                 /* openat(AT_FDCWD, argv[1], O_RDONLY) */
    li a2, 0
    li a3, 0
    li a7, 56
    ecall
    bltz a0, fail
    mv s0, a0
    li a1, 0                    /* size = lseek(fd, 0, SEEK_END) */
    li a2, 2
    li a7, 62
    ecall
    blez a0, fail
    mv s1, a0
    mv a0, s0                   /* lseek(fd, 0, SEEK_SET) */
    li a1, 0
    li a2, 0
    li a7, 62
    ecall
    bnez a0, fail
    li a0, BASE                 /* mmap(BASE, size, RWX, PRIVATE|ANONYMOUS|FIXED, -1, 0) */
    addi a1, s1, 2047
    addi a1, a1, 2047
    addi a1, a1, 1
    srli a1, a1, 12
    slli a1, a1, 12
    li a2, 7
    li a3, 0x32
    li a4, -1
    li a5, 0
    li a7, 222
    ecall
    li t0, BASE
    bne a0, t0, fail
    mv s2, t0                   /* read the whole file: s2 = cursor, s3 = end */
    add s3, t0, s1
1:  bgeu s2, s3, 2f
    mv a0, s0
    mv a1, s2
    sub a2, s3, s2
    li a7, 63
    ecall
    blez a0, fail
    add s2, s2, a0
    j 1b
2:  li a0, ALTSTACK            /* mmap(ALTSTACK, SIZE, RW, PRIVATE|ANONYMOUS|FIXED, -1, 0) */
    li a1, ALTSTACK_SIZE
    li a2, 3
    li a3, 0x32
    li a4, -1
    li a5, 0
    li a7, 222
    ecall
    li t0, ALTSTACK
    bne a0, t0, fail
    lla a0, altstack_desc      /* sigaltstack(&ss, NULL) */
    sd t0, 0(a0)
    li t0, ALTSTACK_SIZE
    sd t0, 16(a0)
    li a1, 0
    li a7, 132
    ecall
    bnez a0, fail
    li a0, 4                    /* rt_sigaction(SIGILL, &act, NULL, 8) */
    lla a1, sigill_act
    lla t0, on_sigill
    sd t0, 0(a1)
    li a2, 0
    li a3, 8
    li a7, 134
    ecall
    bnez a0, fail
    li s0, BASE
    ld t0, 0(s0)
    li t1, MAGIC
    bne t0, t1, fail
    lla t0, done
    sd t0, 32(s0)
    ld t0, 8(s0)
    add t0, t0, s0
    jr t0

done:
    li s0, BASE                 /* write(1, BASE + result offset, result length) */
    ld s1, 16(s0)
    add s1, s1, s0
    ld s2, 24(s0)
3:  beqz s2, 4f
    li a0, 1
    mv a1, s1
    mv a2, s2
    li a7, 64
    ecall
    blez a0, fail
    add s1, s1, a0
    sub s2, s2, a0
    j 3b
4:  li a0, 0
    li a7, 94
    ecall
fail:
    li a0, 1
    li a7, 94
    ecall

/* SIGILL handler (a2 = ucontext): resume after the instruction (2 or 4 bytes) and count. */
on_sigill:
    ld t0, UC_PC(a2)
    lhu t1, 0(t0)
    andi t1, t1, 3
    li t2, 3
    addi t0, t0, 2
    bne t1, t2, 1f
    addi t0, t0, 2
1:  sd t0, UC_PC(a2)
    ld t0, UC_PC + 8 * 31(a2)   /* the sequence's x31 */
    ld t1, TRAPS(t0)
    addi t1, t1, 1
    sd t1, TRAPS(t0)
    ret

    .data
    .balign 8
sigill_act:                     /* handler, SA_SIGINFO | SA_ONSTACK, empty mask */
    .dword 0, 0x08000004, 0
altstack_desc:                  /* ss_sp, ss_flags, ss_size */
    .dword 0, 0, 0
