#!/usr/bin/env bash
# Regenerates the qemu differential fixtures used by the CPU tests: random instruction
# programs (randgen.py) and a small freestanding C program (cmix.c), each as a flat binary
# linked at 0x10000 (link.ld) plus the bytes it writes when run under qemu-riscv64.
# Needs riscv64-linux-gnu-gcc and qemu-riscv64.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build() { # NAME SOURCE [GCC FLAGS...]
    local name=$1 src=$2
    shift 2
    riscv64-linux-gnu-gcc -march=rv64gc -mabi=lp64d -nostdlib -static -fno-pic -ffreestanding \
        -fno-builtin -fno-stack-protector -Wl,--no-warn-rwx-segments,--build-id=none -T link.ld "$@" -o "$tmp/$name.elf" "$src" -lgcc
    riscv64-linux-gnu-objcopy -O binary "$tmp/$name.elf" "$name.bin"
    qemu-riscv64 "$tmp/$name.elf" > "$name.expected"
}
for seed in 1 2 3; do
    python3 randgen.py "$seed" 2500 > "$tmp/rand$seed.S"
    build "rand$seed" "$tmp/rand$seed.S"
done
build cmix cmix.c -O2
