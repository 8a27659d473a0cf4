#!/usr/bin/env bash
# Builds the test binaries of one crates.io crate for riscv64gc-unknown-linux-musl.
#
#   build-crate.sh NAME VERSION OUT BUILD [OPTION...]
#
# Fetches NAME VERSION through cargo (into cargo's own registry cache), unpacks its published
# .crate into BUILD/crates/src/NAME-VERSION, and runs `cargo test --no-run --lib --tests`
# there, with std built from source (-Zbuild-std, panic unwinding: libtest catches panicking
# tests) in the shared target directory BUILD/crates/target. The test executables are copied
# to OUT/crates/NAME/: `lib` (the library's unit tests), `bin-X` (a binary's unit tests) and
# one per integration test, named after it. OPTIONs (crates.txt's last column):
#   features=A,B   passed to cargo as --features A,B
#   patch-self     the crate's dev-dependencies that depend on the crate itself get this copy
#                  (as its own repository's workspace does), not a second one from crates.io:
#                  e.g. tokio's tests use tokio-test's mocks with the tokio under test
#   empty-file=P   create the empty file P (relative to the crate) when the published crate
#                  lacks it: e.g. regex leaves its fuzz regression inputs (tests/fuzz/) out of
#                  the package, yet its integration tests declare `mod fuzz`
#   select=FILE    build only the test targets FILE lists (one a line, `lib` for the
#                  library's unit tests; crates.mk passes select/NAME.txt for `make test`
#                  when crates.txt gives the crate the option `select`)
#   bin=BIN        build that binary target (`cargo install` style: release profile) into
#                  OUT/crates/NAME/BIN instead of the tests, in BUILD/crates/target-NAME
#
# The crate's dependencies are pinned by the Cargo.lock it ships, or by locks/NAME.lock beside
# this script (used with --locked either way). Tests build with opt-level 1 and no debug info
# (debug assertions and overflow checks stay on, as in `cargo test`): unoptimised test
# binaries run several times more instructions. std itself is built without debug assertions,
# like the prebuilt std that `cargo test` links on hosts that have one.
set -euo pipefail

name=$1 version=$2 out=$3 build=$4
shift 4
features= bin= patch_self= select=
empty_files=()
for opt in "$@"; do
    case "$opt" in
        features=*) features=${opt#features=} ;;
        bin=*) bin=${opt#bin=} ;;
        patch-self) patch_self=1 ;;
        empty-file=*) empty_files+=("${opt#empty-file=}") ;;
        select=*) select=$(cd "$(dirname "${opt#select=}")" && pwd)/$(basename "${opt#select=}") ;;
        select) ;;  # crates.mk's marker: it passes select=FILE for `make test`
        *) echo "build-crate.sh: unknown option $opt" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
toolchain=$(cd "$here/../../../toolchain" && pwd)
target=riscv64gc-unknown-linux-musl
cargo_home=${CARGO_HOME:-$HOME/.cargo}
src=$build/crates/src/$name-$version
dest=$out/crates/$name

# 1. The published source, through cargo: a throwaway package depending on exactly it.
if [ ! -f "$src/.unpacked" ]; then
    fetch=$build/crates/fetch/$name-$version
    mkdir -p "$fetch/src"
    printf '[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n[workspace]\n[dependencies]\n%s = "=%s"\n' \
        "$name" "$version" >"$fetch/Cargo.toml"
    : >"$fetch/src/lib.rs"
    (cd "$fetch" && cargo fetch -q)
    crate=$(ls "$cargo_home"/registry/cache/*/"$name-$version.crate" | head -1)
    rm -rf "$src"
    mkdir -p "$build/crates/src"
    tar -xzf "$crate" -C "$build/crates/src"
    if [ -f "$here/locks/$name.lock" ]; then
        cp "$here/locks/$name.lock" "$src/Cargo.lock"
    fi
    for f in "${empty_files[@]}"; do
        [ -e "$src/$f" ] || : >"$src/$f"
    done
    [ -f "$src/Cargo.lock" ] || { echo "$name $version ships no Cargo.lock: add $here/locks/$name.lock" >&2; exit 1; }
    touch "$src/.unpacked"
fi

# 2. Build. The user's own RUSTFLAGS and build target must not leak in.
# A binary (release profile) shares no artifact with the tests: it gets its own target
# directory, so that it builds in parallel with them.
target_dir=$build/crates/target${bin:+-$name}
common=(--locked --config 'profile.dev.package.std.debug-assertions=false' -Zbuild-std=std,panic_unwind --target "$target" --target-dir "$target_dir"
    --message-format=json-render-diagnostics)
[ -z "$features" ] || common+=(--features "$features")
[ -z "$patch_self" ] || common+=(--config "patch.crates-io.$name.path=\".\"")
if [ -n "$bin" ]; then
    cmd=(cargo build --release --bin "$bin" "${common[@]}")
elif [ -n "$select" ]; then
    cmd=(cargo test --no-run "${common[@]}")
    while read -r t; do
        if [ "$t" = lib ]; then cmd+=(--lib); else cmd+=(--test "$t"); fi
    done < <(awk '!/^#/ && NF { print $1 }' "$select")
else
    cmd=(cargo test --no-run --lib --tests "${common[@]}")
fi
json=$(mktemp)
trap 'rm -f "$json"' EXIT
(cd "$src" && env -u CARGO_ENCODED_RUSTFLAGS -u CARGO_BUILD_TARGET -u RUSTC_WRAPPER \
    RUSTC_BOOTSTRAP=1 RUSTFLAGS= \
    CARGO_PROFILE_DEV_OPT_LEVEL=1 CARGO_PROFILE_DEV_DEBUG=0 \
    CARGO_PROFILE_TEST_OPT_LEVEL=1 CARGO_PROFILE_TEST_DEBUG=0 \
    CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_STRIP=false \
    CARGO_TARGET_RISCV64GC_UNKNOWN_LINUX_MUSL_LINKER="$toolchain/rust-linker" \
    CC_riscv64gc_unknown_linux_musl="$toolchain/rust-cc" \
    AR_riscv64gc_unknown_linux_musl="$toolchain/zigar" \
    "${cmd[@]}") >"$json"

# 3. Copy the executables out, named after their targets.
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
python3 - "$json" "$dest.tmp" "$name" <<'PY'
import json, shutil, sys
path, dest, crate = sys.argv[1:]
seen = {}
for line in open(path):
    m = json.loads(line)
    if m.get("reason") != "compiler-artifact" or not m.get("executable"):
        continue
    if not m["package_id"].startswith("path+"):  # a dependency from the registry
        continue
    kind = m["target"]["kind"][0]
    tname = m["target"]["name"]
    if not m["profile"]["test"]:
        out = tname                     # a binary target (BIN mode)
    elif kind == "lib":
        out = "lib"
    elif kind == "bin":
        out = "bin-" + tname
    else:
        out = tname
    if out in seen:
        sys.exit(f"two test executables named {out}: {seen[out]} and {m['executable']}")
    seen[out] = m["executable"]
    shutil.copy2(m["executable"], f"{dest}/{out}")
if not seen:
    sys.exit("cargo built no executable")
print(f"{crate}: {len(seen)} executables")
PY
rm -rf "$dest"
mv "$dest.tmp" "$dest"
