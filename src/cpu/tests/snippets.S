# Test programs for the CPU unit tests. `#! NAME` starts a snippet (linked at CODE = 0x10000,
# assembled for rv64gc, so the assembler compresses what it can); `#!pairs NAME` starts a table
# of `compressed | equivalent 32-bit instruction` lines. Regenerate fixtures.rs with
# `python3 gen_fixtures.py` after editing. The tests set s0 = DATA (0x20000, read-write) and
# sp = the top of the data area unless they say otherwise.

#! ALU_W
    li a0, 0x7fffffff
    addiw a1, a0, 1              # 0xffffffff80000000
    li a2, 0x123456789
    addw a3, a2, zero            # 0x23456789
    li t0, 0x80000000
    addw a4, t0, zero            # 0xffffffff80000000
    subw a5, zero, a0            # 0xffffffff80000001
    li t1, 33
    sllw a6, a0, t1              # shift by 1: 0xfffffffffffffffe
    srlw a7, a4, t1              # 0x40000000
    sraw s2, a4, t1              # 0xffffffffc0000000
    slliw s3, a0, 31             # 0xffffffff80000000
    srliw s4, a4, 31             # 1
    sraiw s5, a4, 31             # -1
    sext.w s6, a2                # 0x23456789
    li t2, -1
    srliw s7, t2, 0              # -1
    mulw s8, a0, a0              # 1
    ecall

#! ALU64
    li a0, -8
    srli a1, a0, 60              # 0xf
    srai a2, a0, 1               # -4
    slli a3, a0, 63              # 0
    li t0, 65
    sll a4, a0, t0               # -16
    srl a5, a0, t0               # 0x7ffffffffffffffc
    sra a6, a0, t0               # -4
    slt a7, a0, zero             # 1
    sltu s2, a0, zero            # 0
    slti s3, a0, -7              # 1
    sltiu s4, zero, -1           # 1
    sltiu s5, a0, -1             # 1
    xori s6, a0, -1              # 7
    ori s7, zero, -2048          # -2048
    andi s8, a0, 0x7ff           # 0x7f8
    lui s9, 0x80000              # 0xffffffff80000000
    sub s10, zero, a0            # 8
    and s11, a0, s6              # 0
    or t3, a0, s6                # -1
    xor t4, a0, s6               # -1
    slli t5, a0, 0               # -8 (shift by zero)
    ecall

#! AUIPC
    .option norvc
    auipc a0, 0                  # CODE
    auipc a1, 1                  # CODE + 4 + 0x1000
    auipc a2, 0xfffff            # CODE + 8 - 0x1000
    lui a3, 0xfffff              # -4096
    ecall

#! MULDIV
    li a0, -7
    li a1, 2
    li t0, 0
    li t1, -1
    li t2, 0x8000000000000000
    div s2, a0, a1               # -3
    rem s3, a0, a1               # -1
    divu s4, a0, a1              # 0x7ffffffffffffffc
    remu s5, a0, a1              # 1
    div s6, a0, t0               # -1
    divu s7, a0, t0              # all ones
    rem s8, a0, t0               # -7
    remu s9, a0, t0              # -7
    div s10, t2, t1              # INT64_MIN
    rem s11, t2, t1              # 0
    mulh t3, a0, a0              # 0
    mulh t4, t2, t2              # 0x4000000000000000
    mulhu t5, t1, t1             # 0xfffffffffffffffe
    mulhsu t6, t1, t1            # -1
    mulhsu a2, a1, t1            # 1
    mul a3, a0, a1               # -14
    mulh a4, a0, a1              # -1
    mulhu a5, a0, a1             # 1
    divu a6, t2, t1              # 0
    remu a7, t2, t1              # INT64_MIN
    ecall

#! MULDIVW
    li a0, -7
    li a1, 2
    li t2, 0xffffffff80000000
    li t1, -1
    li t3, 0x100000005
    divw s2, a0, a1              # -3
    remw s3, a0, a1              # -1
    divuw s4, a0, a1             # 0x7ffffffc
    remuw s5, a0, a1             # 1
    divw s6, t3, zero            # -1
    divuw s7, t3, zero           # -1
    remw s8, t3, zero            # 5
    remuw s9, a0, zero           # -7
    divw s10, t2, t1             # 0xffffffff80000000
    remw s11, t2, t1             # 0
    mulw t4, t3, a1              # 10
    divuw t5, t2, a1             # 0x40000000
    remw t6, a0, t3              # -2
    ecall

#! LOADSTORE
    li s0, 0x20000
    li t0, 0x8899aabbccddeeff
    sd t0, 0(s0)
    lb a0, 0(s0)                 # -1
    lbu a1, 0(s0)                # 0xff
    lh a2, 0(s0)                 # 0xffffffffffffeeff
    lhu a3, 0(s0)                # 0xeeff
    lw a4, 4(s0)                 # 0xffffffff8899aabb
    lwu a5, 4(s0)                # 0x8899aabb
    ld a6, 0(s0)                 # t0
    lw a7, 1(s0)                 # misaligned: 0xffffffffbbccddee
    sd t0, 13(s0)                # misaligned store
    ld s2, 13(s0)                # t0
    sb t0, 32(s0)
    sh t0, 34(s0)
    sw t0, 36(s0)
    ld s3, 32(s0)                # 0xccddeeffeeff00ff
    li t1, 0x20ffd               # 8 bytes across a page boundary
    sd t0, 0(t1)
    ld s4, 0(t1)                 # t0
    lh s5, -1(s0)                # below DATA: faults (the test maps nothing there)
    ecall

#! X0
    li s0, 0x20000
    li t0, 9
    addi zero, zero, 5
    lui zero, 1
    ld zero, 0(s0)
    amoadd.d zero, t0, (s0)      # memory still updated
    csrrw zero, fflags, t0       # fflags = 9
    jal zero, 1f
1:  add a0, zero, zero           # 0
    addi a1, zero, 7             # 7
    .2byte 0x4015                # c.li x0, 5 (a HINT)
    mv a2, zero                  # 0
    ld a3, 0(s0)                 # 9
    frflags a4                   # 9
    ecall

#! BRANCHES
    li a0, 0
    li t0, -1
    li t1, 1
    blt t0, t1, 1f               # taken
    addi a0, a0, 1
1:  bltu t0, t1, 2f              # not taken
    addi a0, a0, 2
2:  bge t1, t0, 3f               # taken
    addi a0, a0, 4
3:  bgeu t1, t0, 4f              # not taken
    addi a0, a0, 8
4:  beq t0, t0, 5f               # taken
    addi a0, a0, 16
5:  bne t0, t0, 6f               # not taken
    addi a0, a0, 32
6:  jal ra, 7f
r1: addi a0, a0, 64              # a0 = 2 + 8 + 32 + 64 = 106
    j 8f
7:  la a1, r1
    sub a1, a1, ra               # 0 when ra was right
    ret
8:  la t2, 9f
    jalr t2, 0(t2)               # rd == rs1: jumps to 9, links 9
9:  la a2, 9b
    sub a2, a2, t2               # 0
    la t3, 10f + 1               # an odd target: jalr clears bit 0
    jalr zero, 0(t3)
    addi a0, a0, 128
10: la t4, 11f
    c.jalr t4                    # 2-byte jalr: links pc + 2
r2: j 12f
11: la a3, r2
    sub a3, a3, ra               # 0
    mv ra, t4
    la t5, 12f
    c.jr t5
    addi a0, a0, 256
12: ecall

#! COMPRESSED
    .option rvc
    mv ra, sp
    li s0, 0x20000
    c.li a0, -32
    c.addi a0, 31                # -1
    c.addiw a0, 1                # 0
    mv t0, a0                    # 0
    c.lui a1, 0xfffe1            # -31 << 12
    c.mv a2, a1
    c.add a2, a1
    mv t1, a2                    # -253952
    mv t2, sp
    c.addi16sp sp, -64
    c.addi4spn a3, sp, 16
    sub t2, a3, t2               # -48
    li a4, -1
    c.slli a4, 63
    mv t3, a4                    # INT64_MIN
    c.mv a5, a4
    c.srli a5, 62
    mv t4, a5                    # 2
    c.mv s1, a4
    c.srai s1, 62                # -2
    c.andi s1, 0x13
    mv t5, s1                    # 0x12
    li a0, 12
    li a1, 10
    c.sub a0, a1                 # 2
    c.xor a1, s1                 # 0x18
    mv t6, a0                    # 2
    mv s2, a1                    # 0x18
    c.sd a1, 8(s0)
    c.ld a2, 8(s0)
    mv s3, a2                    # 0x18
    li a3, -5
    c.sw a3, 16(s0)
    c.lw a4, 16(s0)
    mv s4, a4                    # -5
    c.swsp a0, 4(sp)
    c.lwsp s5, 4(sp)             # 2
    c.sdsp t3, 8(sp)
    c.ldsp s6, 8(sp)             # INT64_MIN
    li a5, 0x400921fb54442d18
    fmv.d.x fa0, a5
    c.fsd fa0, 24(s0)
    c.fld fa1, 24(s0)
    fmv.x.d s7, fa1              # pi
    c.fsdsp fa0, 32(sp)
    c.fldsp fa2, 32(sp)
    fmv.x.d s8, fa2              # pi
    li a0, 0x0f
    li a1, 0xf0
    c.or a0, a1
    c.and a1, s1
    mv s9, a0                    # 0xff
    mv s10, a1                   # 0x10
    li a2, 0x7fffffff
    li a3, 1
    c.addw a2, a3
    mv s11, a2                   # 0xffffffff80000000
    li a4, 5
    li a5, 7
    c.subw a4, a5
    mv a7, a4                    # -2
    c.addi16sp sp, 64
    sub a6, sp, ra               # 0
    ecall

#! CBRANCH
    .option rvc
    li a0, 0
    li s1, 0
    c.beqz s1, 1f                # taken
    addi a0, a0, 1
1:  c.bnez s1, 2f                # not taken
    addi a0, a0, 2
2:  li s1, 3
    c.bnez s1, 3f                # taken
    addi a0, a0, 4
3:  c.beqz s1, 4f                # not taken
    addi a0, a0, 8
4:  c.j 5f
    addi a0, a0, 16
5:  ecall                        # a0 = 10

#! EBREAKS
    .option rvc
    c.ebreak
    .option norvc
    ebreak

#! CSR
    csrr a0, fcsr                # 0
    csrwi frm, 3
    csrr a1, frm                 # 3
    csrsi fflags, 0x5
    csrr a2, fcsr                # 0x65
    li t0, 0xfff
    csrrw a3, fcsr, t0           # 0x65; fcsr = 0xff
    csrr a4, fcsr                # 0xff
    csrr a5, fflags              # 0x1f
    csrr a6, frm                 # 7
    csrrc a7, fflags, t0         # 0x1f; fflags = 0
    csrr s2, fcsr                # 0xe0
    csrrs s3, frm, zero          # 7
    csrrci s4, frm, 0            # 7
    li t1, 2
    csrrc s5, frm, t1            # 7; frm = 5
    csrr t3, frm                 # 5
    csrrwi t4, fflags, 31        # 0; fflags = 0x1f
    csrrsi t5, frm, 2            # 5; frm = 7
    csrrci t6, fcsr, 0x1f        # 0xff; fflags = 0
    csrr s1, fcsr                # 0xe0
    rdinstret s6
    rdcycle s7                   # s6 + 1
    rdtime s8                    # s6 + 2
    csrrs s9, instret, zero      # s6 + 3
    csrrci s10, cycle, 0         # s6 + 4
    ecall                        # retired so far: s6 + 6

#! BITMANIP
    .option arch, +zba, +zbb, +zbs
    li a0, 0x0000ff0000800001
    li a1, -5
    li a2, 0x80000003
    clz s2, a0                   # 16
    ctz s3, a0                   # 0
    cpop s4, a0                  # 10
    clzw s5, a2                  # 0
    ctzw s6, zero                # 32
    cpopw s7, a1                 # 31
    orc.b s8, a0                 # 0x0000ff0000ff00ff
    rev8 s9, a0                  # 0x0100800000ff0000
    sext.b s10, a2               # 3
    sext.h s11, a1               # -5
    zext.h t3, a1                # 0xfffb
    sh3add t4, a2, a0            # 0x80000003 * 8 + a0
    sh2add.uw t5, a1, zero       # 0x3_ffff_ffec
    add.uw t6, a1, a0            # 0xfffffffb + a0
    slli.uw a3, a1, 63           # 1 << 63
    ror a4, a2, a1               # rotate right by 59 = left by 5
    rolw a5, a2, a1              # rotate the low word left by 27
    roriw a6, a2, 1              # 0xffffffffc0000001
    max a7, a1, a2               # 0x80000003
    minu s0, a1, a2              # 0x80000003
    bset s1, zero, a1            # bit 59
    bexti ra, a0, 23             # 1
    .word 0x0ec5d1b3             # czero.eqz gp, a1, a2: -5 (a2 != 0)
    .word 0x0ec5f233             # czero.nez tp, a1, a2: 0
    ecall

#! ILLEGAL_WORDS
    .option norvc
    .option arch, +q, +zfh, +zicbom, +zicboz
    csrr a0, mstatus
    csrr a0, 0x004
    csrw cycle, a0
    csrs instret, a0
    csrrwi a0, time, 0
    csrrsi a0, cycle, 1
    csrr a0, 0x015               # seed
    csrr a0, 0xc80               # cycleh (RV32 only)
    csrr a0, 0xc03               # hpmcounter3
    wfi
    mret
    sfence.vma
    fadd.q f0, f1, f2
    fadd.h f0, f1, f2
    fmv.x.h a0, f1
    .word 0x0ac59533             # clmul a0, a1, a2 (Zbc)
    .word 0x08c5c533             # pack a0, a1, a2 (Zbkb)
    .word 0x6875d513             # brev8 a0, a1 (Zbkb)
    .word 0x6985d513             # rev8 a0, a1 with the RV32 encoding
    .word 0x0805c533             # zext.h a0, a1 with the RV32 encoding (OP, not OP-32)
    .word 0x6035951b             # clzw-like OP-IMM-32 with rs2 = 3 (reserved)
    .word 0x6075951b             # sext.b-like OP-IMM-32 (no such W op)
    .word 0x08c5c53b             # zext.h (OP-32) with rs2 != 0: packw (Zbkb)
    .word 0xf0180053             # fli.s f0, 1.0 (Zfa)
    .word 0x0ec5e533             # czero with funct3 6 (reserved)
    cbo.zero (a0)
    .word 0x1015b52f             # lr.d with rs2 != 0
    .word 0x00005053             # fadd.s with rm = 5 (reserved)
    .word 0
    .word 0xffffffff

#! FP
    li s0, 0x20000
    li t0, 0x3fc00000            # 1.5f
    fmv.w.x ft0, t0
    fmv.x.d a0, ft0              # 0xffffffff3fc00000 (boxed)
    fadd.s ft1, ft0, ft0
    fmv.x.w a1, ft1              # 0x40400000 (3.0f)
    li t1, 0xbf800000            # -1.0f
    fmv.w.x ft2, t1
    fmv.x.w a2, ft2              # 0xffffffffbf800000 (sign-extended)
    fmv.d.x ft3, t0              # not NaN-boxed
    fadd.s ft4, ft3, ft0         # reads as canonical NaN
    fmv.x.d a3, ft4              # 0xffffffff7fc00000
    fsflags zero
    fcvt.s.w ft5, zero           # 0.0
    fdiv.s ft6, ft0, ft5         # +inf, DZ
    frflags a4                   # 8
    fclass.s a5, ft6             # 0x80
    li t2, 0x400921fb54442d18    # pi
    fmv.d.x fa0, t2
    fcvt.w.d a6, fa0             # 3, NX
    fcvt.w.d a7, fa0, rup        # 4, NX
    frflags s2                   # 9
    fsw ft0, 0(s0)
    flw fa1, 0(s0)
    fmv.x.d s3, fa1              # 0xffffffff3fc00000
    fsd fa0, 8(s0)
    fld fa2, 8(s0)
    fmv.x.d s4, fa2              # pi
    fcvt.d.s fa3, ft0
    fmv.x.d s5, fa3              # 1.5 = 0x3ff8000000000000
    fmadd.d fa4, fa0, fa3, fa3
    fmv.x.d s6, fa4              # fma(pi, 1.5, 1.5)
    fsgnjn.d fa5, fa0, fa0
    fmv.x.d s7, fa5              # -pi
    flt.d s8, fa5, fa0           # 1
    fsflags zero
    feq.s s9, ft4, ft4           # 0, quiet NaN: no flag
    frflags t3                   # 0
    fle.s s10, ft4, ft4          # 0, NV
    frflags s11                  # 0x10
    fsw ft3, 16(s0)              # stores the raw low 32 bits
    lwu t4, 16(s0)               # 0x3fc00000
    fcvt.s.d ft7, fa0            # (float)pi, NX
    fmv.x.w t5, ft7              # 0x40490fdb
    fcvt.lu.s t6, ft2            # -1.0 -> 0, NV
    ecall

#! FRM_DYNAMIC
    fsrmi 2                      # rdn
    li t0, 0x400921fb54442d18
    fmv.d.x fa0, t0
    fneg.d fa0, fa0
    fcvt.w.d a0, fa0             # dynamic rdn: -4
    fcvt.w.d a1, fa0, rtz        # -3
    fsrmi 5                      # invalid frm
    fcvt.w.d a2, fa0, rtz        # static: still fine, -3
    fcvt.w.d a3, fa0             # illegal now
    ecall

#! LRSC
    li s0, 0x20000
    li t0, 5
    sd t0, 0(s0)
    lr.d a0, (s0)                # 5
    addi t1, a0, 1
    sc.d a1, t1, (s0)            # 0: stored 6
    sc.d a2, t1, (s0)            # 1: reservation gone
    lr.w a3, (s0)                # 6
    addi t2, s0, 8
    sc.w a4, t0, (t2)            # 1: other address; clears the reservation
    sc.w a5, t0, (s0)            # 1
    ld a6, 0(s0)                 # 6
    lr.w a7, (s0)
    ecall                        # the kernel entry drops the reservation
    sc.w s2, t0, (s0)            # 1
    ld s3, 0(s0)                 # 6
    ecall

#! AMO
    li s0, 0x20000
    li t0, 0x80000000
    sw t0, 0(s0)
    li t1, 1
    amoadd.w a0, t1, (s0)        # 0xffffffff80000000; mem 0x80000001
    lw a1, 0(s0)                 # 0xffffffff80000001
    amoswap.w a2, t1, (s0)       # 0xffffffff80000001; mem 1
    li t2, -2
    amomin.w a3, t2, (s0)        # 1; mem -2
    amomax.w a4, t1, (s0)        # -2; mem 1
    amominu.w a5, t2, (s0)       # 1; mem 1
    amomaxu.w a6, t2, (s0)       # 1; mem 0xfffffffe
    amoxor.w a7, t1, (s0)        # -2; mem 0xffffffff
    amoand.w s2, t2, (s0)        # -1; mem 0xfffffffe
    amoor.w.aqrl s3, t1, (s0)    # -2; mem 0xffffffff
    lwu s4, 0(s0)                # 0xffffffff
    li t3, 10
    sd t3, 8(s0)
    addi s1, s0, 8
    amoadd.d s5, t3, (s1)        # 10; mem 20
    amoswap.d s6, t2, (s1)       # 20; mem -2
    amomin.d s7, t1, (s1)        # -2; mem -2
    amomaxu.d s8, t1, (s1)       # -2; mem -2
    amominu.d s9, t1, (s1)       # -2; mem 1
    amomax.d s10, t2, (s1)       # 1; mem 1
    amoxor.d.aq s11, t3, (s1)    # 1; mem 11
    amoand.d t4, t1, (s1)        # 11; mem 1
    amoor.d.rl t5, t2, (s1)      # 1; mem -1
    ld t6, 0(s1)                 # -1
    amoadd.w a0, a0, (s0)        # rd == rs2: old value wins (-1)
    ecall

#! SMC_SAME_BLOCK
    .option norvc
    la t0, 1f
    li t1, 0x02a00513            # addi a0, zero, 42
    li a0, 0
    sw t1, 0(t0)                 # patches the next instruction of this very block
1:  addi a0, zero, 1             # 42 once patched
    ecall

#! SMC_LOOP
    .option norvc
    la t0, 2f
    li t1, 0x02a00513            # addi a0, zero, 42
    li s1, 0
    li s2, 0
1:  jal ra, 2f
    add s1, s1, a0               # 1 + 42 = 43
    sw t1, 0(t0)                 # patch the (cached) function after the first call
    addi s2, s2, 1
    li t3, 2
    blt s2, t3, 1b
    ecall
2:  addi a0, zero, 1
    ret

#! FENCE_I
    .option norvc
    la t0, 2f
    li t1, 0x02a00513            # addi a0, zero, 42
    jal ra, 2f
    mv s1, a0                    # 1
    sw t1, 0(t0)
    fence.i
    jal ra, 2f
    mv s2, a0                    # 42
    fence
    fence rw, rw
    fence.tso
    .option arch, +zihintpause, +zicbop
    pause
    prefetch.r 64(s0)
    prefetch.w 0(s0)
    prefetch.i 32(s0)
    ecall
2:  addi a0, zero, 1
    ret

#! LOOP
    li a0, 0
    li a1, 1000
    li a2, 0
1:  addi a0, a0, 1
    add a2, a2, a0
    andi a3, a2, 7
    beqz a3, 2f
    xor a4, a4, a2
2:  bne a0, a1, 1b
    ecall

#! JLOOP
    li a0, 0
    li a1, 300
1:  addi a0, a0, 1
    rdinstret a2                 # counts every pass exactly
    beq a0, a1, 2f
    j 1b                         # a jal back to its own block
2:  ecall

#! BENCH
    li a0, 0
    li a1, 50000000
    li a2, 0
    li a3, 0
1:  addi a0, a0, 1
    add a2, a2, a0
    xor a3, a3, a2
    slli a4, a3, 3
    srli a5, a4, 7
    add a3, a3, a5
    bne a0, a1, 1b
    ecall

#! BENCH_LONG
    li a0, 0
    li a1, 50000000
    li a2, 0
    li a3, 0
1:
    addi a0, a0, 1
    add a2, a2, a0
    xor a3, a3, a2
    slli a4, a3, 3
    srli a5, a4, 7
    add a3, a3, a5
    addi a0, a0, 1
    add a2, a2, a0
    xor a3, a3, a2
    slli a4, a3, 3
    srli a5, a4, 7
    add a3, a3, a5
    addi a0, a0, 1
    add a2, a2, a0
    xor a3, a3, a2
    slli a4, a3, 3
    srli a5, a4, 7
    add a3, a3, a5
    addi a0, a0, 1
    add a2, a2, a0
    xor a3, a3, a2
    slli a4, a3, 3
    srli a5, a4, 7
    add a3, a3, a5
    bltu a0, a1, 1b
    ecall

#! BENCH_MEM
    li a0, 0
    li a1, 20000000
    li s0, 0x20000
    li a2, 0
1:  andi a3, a0, 0x3f8
    add a4, s0, a3
    ld a5, 0(a4)
    add a5, a5, a0
    sd a5, 0(a4)
    addi a0, a0, 1
    add a2, a2, a5
    bne a0, a1, 1b
    ecall

#!pairs C_PAIRS
c.addi4spn a0, sp, 4          | addi a0, sp, 4
c.addi4spn s1, sp, 1020       | addi s1, sp, 1020
c.fld fs0, 0(a5)              | fld fs0, 0(a5)
c.fld fa5, 248(s0)            | fld fa5, 248(s0)
c.lw a0, 0(s1)                | lw a0, 0(s1)
c.lw a5, 124(a4)              | lw a5, 124(a4)
c.lw s0, 4(a0)                | lw s0, 4(a0)
c.lw s0, 64(a0)               | lw s0, 64(a0)
c.ld a1, 248(a2)              | ld a1, 248(a2)
c.ld a1, 8(a2)                | ld a1, 8(a2)
c.ld a1, 64(a2)               | ld a1, 64(a2)
c.fsd fs1, 8(a3)              | fsd fs1, 8(a3)
c.fsd fa5, 192(s0)            | fsd fa5, 192(s0)
c.sw a0, 0(s1)                | sw a0, 0(s1)
c.sw a5, 124(a4)              | sw a5, 124(a4)
c.sw a1, 68(a3)               | sw a1, 68(a3)
c.sd a1, 248(a2)              | sd a1, 248(a2)
c.sd s0, 16(s1)               | sd s0, 16(s1)
c.nop                         | addi zero, zero, 0
c.addi a0, 1                  | addi a0, a0, 1
c.addi t6, -32                | addi t6, t6, -32
c.addi sp, 31                 | addi sp, sp, 31
c.addiw a0, -1                | addiw a0, a0, -1
c.addiw t1, 31                | addiw t1, t1, 31
c.addiw s11, 0                | addiw s11, s11, 0
c.li a0, 0                    | addi a0, zero, 0
c.li ra, -32                  | addi ra, zero, -32
c.li t6, 31                   | addi t6, zero, 31
c.addi16sp sp, 16             | addi sp, sp, 16
c.addi16sp sp, -512           | addi sp, sp, -512
c.addi16sp sp, 496            | addi sp, sp, 496
c.addi16sp sp, 32             | addi sp, sp, 32
c.addi16sp sp, 64             | addi sp, sp, 64
c.addi16sp sp, 128            | addi sp, sp, 128
c.addi16sp sp, 256            | addi sp, sp, 256
c.lui a0, 1                   | lui a0, 1
c.lui t6, 31                  | lui t6, 31
c.lui ra, 0xfffe0             | lui ra, 0xfffe0
c.lui s1, 0xfffff             | lui s1, 0xfffff
c.srli a0, 1                  | srli a0, a0, 1
c.srli s1, 63                 | srli s1, s1, 63
c.srli a5, 32                 | srli a5, a5, 32
c.srai a0, 1                  | srai a0, a0, 1
c.srai s0, 63                 | srai s0, s0, 63
c.andi a0, -1                 | andi a0, a0, -1
c.andi a5, 31                 | andi a5, a5, 31
c.andi s1, -32                | andi s1, s1, -32
c.sub a0, a1                  | sub a0, a0, a1
c.xor s0, a5                  | xor s0, s0, a5
c.or a3, a4                   | or a3, a3, a4
c.and a2, s1                  | and a2, a2, s1
c.subw a0, a1                 | subw a0, a0, a1
c.addw a5, s0                 | addw a5, a5, s0
c.j .+2                       | jal zero, .+2
c.j .-2048                    | jal zero, .-2048
c.j .+2046                    | jal zero, .+2046
c.j .+16                      | jal zero, .+16
c.j .+1024                    | jal zero, .+1024
c.j .-4                       | jal zero, .-4
c.j .+64                      | jal zero, .+64
c.j .+128                     | jal zero, .+128
c.j .+32                      | jal zero, .+32
c.j .+512                     | jal zero, .+512
c.j .+256                     | jal zero, .+256
c.beqz a0, .+2                | beq a0, zero, .+2
c.beqz s1, .-256              | beq s1, zero, .-256
c.beqz a5, .+254              | beq a5, zero, .+254
c.beqz s0, .+8                | beq s0, zero, .+8
c.bnez a0, .+32               | bne a0, zero, .+32
c.bnez a4, .-2                | bne a4, zero, .-2
c.bnez a4, .+64               | bne a4, zero, .+64
c.bnez a4, .+128              | bne a4, zero, .+128
c.slli a0, 1                  | slli a0, a0, 1
c.slli t6, 63                 | slli t6, t6, 63
c.slli ra, 32                 | slli ra, ra, 32
c.fldsp fs0, 0(sp)            | fld fs0, 0(sp)
c.fldsp ft11, 504(sp)         | fld ft11, 504(sp)
c.fldsp fa0, 8(sp)            | fld fa0, 8(sp)
c.fldsp fa0, 32(sp)           | fld fa0, 32(sp)
c.fldsp fa0, 64(sp)           | fld fa0, 64(sp)
c.lwsp ra, 0(sp)              | lw ra, 0(sp)
c.lwsp t6, 252(sp)            | lw t6, 252(sp)
c.lwsp a0, 4(sp)              | lw a0, 4(sp)
c.lwsp a0, 32(sp)             | lw a0, 32(sp)
c.lwsp a0, 64(sp)             | lw a0, 64(sp)
c.ldsp ra, 504(sp)            | ld ra, 504(sp)
c.ldsp s0, 8(sp)              | ld s0, 8(sp)
c.ldsp s0, 32(sp)             | ld s0, 32(sp)
c.ldsp s0, 64(sp)             | ld s0, 64(sp)
c.jr ra                       | jalr zero, 0(ra)
c.jr t6                       | jalr zero, 0(t6)
c.mv a0, a1                   | add a0, zero, a1
c.mv t6, ra                   | add t6, zero, ra
c.ebreak                      | ebreak
c.jalr a0                     | jalr ra, 0(a0)
c.jalr ra                     | jalr ra, 0(ra)
c.add a0, a1                  | add a0, a0, a1
c.add t6, t6                  | add t6, t6, t6
c.fsdsp fs0, 0(sp)            | fsd fs0, 0(sp)
c.fsdsp ft11, 504(sp)         | fsd ft11, 504(sp)
c.fsdsp fa0, 8(sp)            | fsd fa0, 8(sp)
c.fsdsp fa0, 64(sp)           | fsd fa0, 64(sp)
c.swsp ra, 0(sp)              | sw ra, 0(sp)
c.swsp t6, 252(sp)            | sw t6, 252(sp)
c.swsp a0, 4(sp)              | sw a0, 4(sp)
c.swsp a0, 64(sp)             | sw a0, 64(sp)
c.sdsp ra, 504(sp)            | sd ra, 504(sp)
c.sdsp s0, 8(sp)              | sd s0, 8(sp)
c.sdsp s0, 64(sp)             | sd s0, 64(sp)
