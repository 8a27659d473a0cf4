#!/usr/bin/env bash
# Installs everything rvrun needs to build its riscv64 guest programs and to run the
# reference emulator, on a Debian 12 (bookworm) machine. Idempotent: a second run only
# checks. Everything comes from Debian's archive, PyPI, rustup's components or the Go module
# proxy (further Go releases).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.venv"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

have() { command -v "$1" >/dev/null 2>&1; }

need_apt=0
have qemu-riscv64 || need_apt=1
have riscv64-linux-gnu-gcc || need_apt=1
[ -x /usr/lib/go-1.23/bin/go ] || need_apt=1
# the Go std sources with their testdata (the std tests run in them) and the zone database
[ -f /usr/lib/go-1.23/src/compress/testdata/e.txt ] || need_apt=1
[ -f /usr/share/zoneinfo/America/New_York ] || need_apt=1
[ -f /usr/riscv64-linux-gnu/include/asm/unistd.h ] || need_apt=1
have file || need_apt=1
have make || need_apt=1

if [ "$need_apt" -eq 1 ]; then
    # bookworm-backports carries QEMU 10 and Go 1.23; use the archive the machine already uses.
    src=/etc/apt/sources.list.d/debian.sources
    uri=$(awk '/^URIs:/ {print $2; exit}' "$src" 2>/dev/null || true)
    [ -n "$uri" ] || uri=http://deb.debian.org/debian
    bp=/etc/apt/sources.list.d/rvrun-backports.sources
    if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" | $sudo tee "$bp" >/dev/null
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q
    $sudo apt-get install -y -q -t bookworm-backports qemu-user golang-1.23-go golang-1.23-src
    $sudo apt-get install -y -q gcc-riscv64-linux-gnu libc6-dev-riscv64-cross make file tzdata
fi

# zig (musl C compiler and the linker for Rust guests), in a project-local venv.
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import ziglang' >/dev/null 2>&1; then
    "$venv/bin/pip" install -q ziglang
fi

# rust-src lets cargo build std for riscv64gc-unknown-linux-musl.
if ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
    rustup component add rust-src
fi

# Further Go releases (tests/programs/go-std/toolchains.txt names them by GOROOT, e.g.
# toolchain/go/go1.26.8): the toolchain module golang.org/toolchain from the Go module proxy,
# which the go command checks against the checksum database (sum.golang.org), copied out of a
# throwaway module cache.
go_roots=$(awk '!/^#/ && NF >= 4 && $4 ~ /^toolchain\/go\/go[0-9.]+$/ { print $4 }' \
    "$here/../tests/programs/go-std/toolchains.txt" | sort -u)
for root in $go_roots; do
    dest="$here/../$root"
    [ -x "$dest/bin/go" ] && continue
    version=${root##*/}
    tmp=$(mktemp -d)
    (cd "$tmp" && env -i PATH="$PATH" HOME="$tmp" GOMODCACHE="$tmp/mod" GOPATH="$tmp/path" \
        GOCACHE="$tmp/cache" GOENV=off GOFLAGS= GOTOOLCHAIN="$version" \
        GOPROXY=https://proxy.golang.org GOSUMDB=sum.golang.org /usr/lib/go-1.23/bin/go version)
    mkdir -p "$(dirname "$dest")"
    cp -r "$tmp/mod/golang.org/toolchain@v0.0.1-$version.linux-$(dpkg --print-architecture)" "$dest.tmp"
    chmod -R u+w "$tmp" "$dest.tmp"
    rm -rf "$tmp"
    mv "$dest.tmp" "$dest"
done

echo "toolchain ready"
