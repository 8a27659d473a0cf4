"""Random RV64GC instruction sequences for differential testing against qemu-riscv64.

usage: randgen.py SEED [COUNT] > prog.S

The program sets every register to an interesting value, runs COUNT random instructions
(integer, M, A, F, D, CSR, loads/stores into a buffer, short forward branches), then stores
x0..x31, f0..f31 and fcsr after the buffer and writes buffer + dump with write(2).
"""
import random, sys
seed = int(sys.argv[1]); n = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
R = random.Random(seed)
X = [f"x{i}" for i in range(32) if i != 27]          # x27 = buffer base, never written
XD = X                                                 # destinations (x0 included: sink)
F = [f"f{i}" for i in range(32)]
RMS = ["rne", "rtz", "rdn", "rup", "rmm", "dyn"]
def xr(): return R.choice(X)
def fr(): return R.choice(F)
def rm(): return R.choice(RMS)
def special64():
    c = R.random()
    if c < 0.3: return R.getrandbits(64)
    if c < 0.45:  # boxed single
        return 0xffffffff00000000 | special32()
    return R.choice([0, 1 << 63, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0x7ff4000000000000,
                     0x0000000000000001, 0x000fffffffffffff, 0x3ff0000000000000, 0xbff0000000000000, 0x43e0000000000000,
                     0xc3e0000000000000, 0x41dfffffffc00000, 0x41efffffffe00000, 0x3fe0000000000000, 0x4330000000000000,
                     R.getrandbits(64) & 0x800fffffffffffff | (R.randrange(0x3c0, 0x440) << 52)])
def special32():
    c = R.random()
    if c < 0.4: return R.getrandbits(32)
    return R.choice([0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00000, 1, 0x007fffff, 0x3f800000,
                     0xbf800000, 0x4f000000, 0xcf000000, 0x5f000000, 0x3f000000, 0x4b000000,
                     R.getrandbits(32) & 0x807fffff | (R.randrange(0x60, 0xa0) << 23)])
def int64():
    c = R.random()
    if c < 0.5: return R.getrandbits(64)
    return R.choice([0, 1, 2, 0xffffffffffffffff, 1 << 63, (1 << 63) - 1, 0x80000000, 0x7fffffff, 0xffffffff80000000,
                     0xffffffff, R.getrandbits(8), R.getrandbits(32), (R.getrandbits(32) << 32)])
out = []
e = out.append
e(".option nopic\n.text\n.globl _start\n_start:")
e("  la x27, buf")
e(f"  fsrmi {R.randrange(5)}")
for i in range(32):
    e(f"  li x5, {special64():#x}\n  fmv.d.x f{i}, x5")
for i in range(1, 32):
    if i != 27: e(f"  li x{i}, {int64():#x}")
ops3 = "add sub sll slt sltu xor srl sra or and addw subw sllw srlw sraw mul mulh mulhsu mulhu div divu rem remu mulw divw divuw remw remuw".split()
opsi = "addi slti sltiu xori ori andi addiw".split()
amos = "amoswap amoadd amoxor amoand amoor amomin amomax amominu amomaxu".split()
for k in range(n):
    c = R.randrange(100)
    if c < 25: e(f"  {R.choice(ops3)} {xr()}, {xr()}, {xr()}")
    elif c < 33: e(f"  {R.choice(opsi)} {xr()}, {xr()}, {R.randrange(-2048, 2048)}")
    elif c < 37: e(f"  {R.choice(['slli','srli','srai'])} {xr()}, {xr()}, {R.randrange(64)}")
    elif c < 39: e(f"  {R.choice(['slliw','srliw','sraiw'])} {xr()}, {xr()}, {R.randrange(32)}")
    elif c < 40: e(f"  {R.choice(['lui','auipc'])} {xr()}, {R.randrange(1 << 20)}")
    elif c < 46: e(f"  {R.choice('lb lh lw ld lbu lhu lwu'.split())} {xr()}, {R.randrange(0, 2040)}(x27)")
    elif c < 50: e(f"  {R.choice('sb sh sw sd'.split())} {xr()}, {R.randrange(0, 2040)}(x27)")
    elif c < 53:
        w = R.choice("wd"); off = R.randrange(0, 2040) & ~(3 if w == "w" else 7)
        e(f"  addi x31, x27, {off}\n  {R.choice(amos)}.{w} {xr()}, {xr()}, (x31)")
    elif c < 54:
        w = R.choice("wd"); off = R.randrange(0, 2040) & ~(3 if w == "w" else 7); off2 = off if R.random() < 0.7 else (off + 8) % 2040 & ~7
        e(f"  addi x31, x27, {off}\n  lr.{w} {xr()}, (x31)\n  addi x30, x27, {off2}\n  sc.{w} {xr()}, {xr()}, (x30)")
    elif c < 57:
        b = R.choice("beq bne blt bge bltu bgeu".split())
        e(f"  {b} {xr()}, {xr()}, 1f\n  addi {xr()}, {xr()}, {R.randrange(-2048, 2048)}\n1:")
    elif c < 58: e(f"  jal {xr()}, 1f\n  addi {xr()}, {xr()}, 1\n1:")
    elif c < 66:
        p = R.choice("sd"); op = R.choice("fadd fsub fmul fdiv".split())
        e(f"  {op}.{p} {fr()}, {fr()}, {fr()}, {rm()}")
    elif c < 67: e(f"  fsqrt.{R.choice('sd')} {fr()}, {fr()}, {rm()}")
    elif c < 70: e(f"  {R.choice('fmadd fmsub fnmsub fnmadd'.split())}.{R.choice('sd')} {fr()}, {fr()}, {fr()}, {fr()}, {rm()}")
    elif c < 73: e(f"  {R.choice('fmin fmax fsgnj fsgnjn fsgnjx'.split())}.{R.choice('sd')} {fr()}, {fr()}, {fr()}")
    elif c < 76: e(f"  {R.choice('feq flt fle'.split())}.{R.choice('sd')} {xr()}, {fr()}, {fr()}")
    elif c < 77: e(f"  fclass.{R.choice('sd')} {xr()}, {fr()}")
    elif c < 82: e(f"  fcvt.{R.choice(['w','wu','l','lu'])}.{R.choice('sd')} {xr()}, {fr()}, {rm()}")
    elif c < 86:
        p = R.choice('sd'); t = R.choice(['w','wu','l','lu'])
        exact = p == 'd' and t in ('w', 'wu')
        e(f"  fcvt.{p}.{t} {fr()}, {xr()}" + ("" if exact else f", {rm()}"))
    elif c < 88:
        if R.random() < 0.5: e(f"  fcvt.s.d {fr()}, {fr()}, {rm()}")
        else: e(f"  fcvt.d.s {fr()}, {fr()}")
    elif c < 91: e(f"  {R.choice(['fmv.x.w','fmv.x.d'])} {xr()}, {fr()}")
    elif c < 93: e(f"  {R.choice(['fmv.w.x','fmv.d.x'])} {fr()}, {xr()}")
    elif c < 96:
        if R.random() < 0.5: e(f"  {R.choice(['flw','fld'])} {fr()}, {R.randrange(0, 2040)}(x27)")
        else: e(f"  {R.choice(['fsw','fsd'])} {fr()}, {R.randrange(0, 2040)}(x27)")
    elif c < 97: e(f"  {R.choice(['csrrw','csrrs','csrrc'])} {xr()}, fflags, {xr()}")
    elif c < 98: e(f"  {R.choice(['csrrs','csrrc'])} {xr()}, {R.choice(['frm','fcsr','fflags'])}, x0")
    elif c < 99: e(f"  csrrwi {xr()}, {R.choice(['frm','fcsr'])}, {R.randrange(5)}")
    else: e(f"  {R.choice(['csrrsi','csrrci'])} {xr()}, fflags, {R.randrange(32)}")
# dump
e("  la x27, dump")
for i in range(32): e(f"  sd x{i}, {8*i}(x27)")
for i in range(32): e(f"  fsd f{i}, {256+8*i}(x27)")
e("  frcsr x5\n  sd x5, 512(x27)")
e("  li a0, 1\n  la a1, buf\n  li a2, 4096+520\n  li a7, 64\n  ecall\n  li a0, 0\n  li a7, 93\n  ecall")
e(".data\n.balign 16\nbuf:")
for i in range(0, 4096, 8): e(f"  .dword {int64():#x}")
e("dump:\n  .zero 520")
print("\n".join(out))
