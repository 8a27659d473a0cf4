#!/usr/bin/env bash
# Records the results of the Go standard library tests under qemu-riscv64, the reference
# emulator, into expected/<config>/<pkg>.txt (config: a NAME of toolchains.txt; pkg: the
# import path with '/' as '-').
#
#   tests/programs/go-std/gen-expected.sh [GUESTS_DIR] [FILTER...]
#
# GUESTS_DIR defaults to build/guests (run `make -C tests/programs go-std-full` first). A
# FILTER selects the runs whose "config/import-path" contains it (go1.23/time, go1.26-rva22/,
# math; one ending in `$` must equal it: go1.23/net$); without one, every package of every
# configuration is recorded. Each binary runs twice, like tests/go_std.rs runs it under
# rvrun: in $GOROOT/src/<pkg>, with an empty environment and `-test.short -test.v`, plus `-test.skip` for the tests of skips.txt, for at
# most GO_STD_QEMU_TIMEOUT seconds (default 1200). The file lists every `--- PASS/FAIL/SKIP`
# result (subtests included) and the exit status; a test counts as passed only when it passed
# in both runs (the others are reported). expected/<config>/GOVERSION records the Go release
# (first line of $GOROOT/VERSION) the binaries were built with. JOBS runs (default: the number
# of CPUs) go at once; each prints a line with its counts and QEMU's seconds (also recorded:
# tests/go_std.rs starts the longest runs first).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
guests=$(cd "${1:-$repo/build/guests}" && pwd)
shift || true
filters=("$@")
jobs=${JOBS:-$(nproc)}
export LC_ALL=C here guests
export GO_STD_QEMU_TIMEOUT=${GO_STD_QEMU_TIMEOUT:-1200}
command -v qemu-riscv64 >/dev/null || { echo "qemu-riscv64 not found (run toolchain/setup.sh)" >&2; exit 1; }

wanted() {
    [ ${#filters[@]} -eq 0 ] && return 0
    local f
    for f in "${filters[@]}"; do
        if [[ "$f" == *'$' ]]; then [[ "$1" == "${f%'$'}" ]] && return 0
        elif [[ "$1" == *"$f"* ]]; then return 0; fi
    done
    return 1
}

# The -test.skip pattern for package $1 (empty when nothing is skipped).
skip_pattern() {
    local names
    names=$(awk -F'|' -v pkg="$1" '!/^#/ && NF >= 3 {
        p = $1; t = $2; gsub(/^[ \t]+|[ \t]+$/, "", p); gsub(/^[ \t]+|[ \t]+$/, "", t)
        if (p == pkg) print t }' "$here/skips.txt" | paste -sd'|')
    [ -z "$names" ] || printf '^(%s)$' "$names"
}

# Prints the sorted "RESULT name" lines of a test binary's -test.v output. Hexadecimal
# numbers in names (some subtests are named after pointers) become 0xADDR, as in
# tests/go_std.rs; a name reported more than once counts as passed only if it always passed.
results() {
    sed -n 's/^ *--- \(PASS\|FAIL\|SKIP\): \(.*\) ([0-9.]*s)$/\1 \2/p' "$1" |
        sed 's/0x[0-9a-fA-F]\+/0xADDR/g' |
        awk '{ n = substr($0, index($0, " ") + 1) }
             !(n in r) || r[n] == "PASS" { r[n] = $1 }
             END { for (n in r) print r[n], n }' | sort
}

# record CONFIG GOROOT PKG: runs one binary twice under QEMU and writes its expected file.
record() {
    local config=$1 goroot=$2 pkg=$3
    local name=${pkg//\//-}
    local bin=$guests/go-std/$config/$name.test
    local exp=$here/expected/$config/$name.txt
    [ -x "$bin" ] || { echo "$bin missing (make -C tests/programs go-std-full)" >&2; return 1; }
    local args=(-test.short -test.v) skip out=() statuses=() f run start secs
    skip=$(skip_pattern "$pkg")
    [ -z "$skip" ] || args+=("-test.skip=$skip")
    start=$(date +%s)
    for run in 1 2; do
        f=$(mktemp)
        set +e
        (cd "$goroot/src/$pkg" && env -i timeout -k 10 "$GO_STD_QEMU_TIMEOUT" qemu-riscv64 "$bin" "${args[@]}" </dev/null >"$f" 2>&1)
        statuses+=($?)
        set -e
        out+=("$f")
    done
    secs=$(( ($(date +%s) - start) / 2 ))
    local rc=0
    if [ "${statuses[0]}" != "${statuses[1]}" ]; then
        echo "$config/$pkg: exit status ${statuses[0]} then ${statuses[1]} under QEMU" >&2
        rc=1
    fi
    local a b
    a=$(results "${out[0]}")
    b=$(results "${out[1]}")
    if [ "$a" != "$b" ]; then
        echo "$config/$pkg: results differ between two QEMU runs (a test passing only once is not recorded as passed):" >&2
        diff <(echo "$a") <(echo "$b") | grep '^[<>]' | head -20 >&2 || true
    fi
    {
        echo "# qemu-riscv64 results: go-std/$config/$name.test ${args[*]} (in \$GOROOT/src/$pkg)"
        echo "# written by tests/programs/go-std/gen-expected.sh"
        echo "status ${statuses[0]}"
        # QEMU's wall seconds for one run: tests/go_std.rs starts the longest runs first
        echo "seconds $secs"
        # PASS only for a test that passed in both runs, FLAKY when it passed in one; other
        # results as in the first run that reported the test
        awk '{ n = substr($0, index($0, " ") + 1) }
             FNR == NR { r1[n] = $1; next }
             { r2[n] = $1 }
             END {
                 for (n in r1) all[n] = 1
                 for (n in r2) all[n] = 1
                 for (n in all) {
                     a = (n in r1) ? r1[n] : ""; b = (n in r2) ? r2[n] : ""
                     if (a == "PASS" && b == "PASS") r = "PASS"
                     else if (a == "PASS" || b == "PASS") r = "FLAKY"
                     else r = (a != "") ? a : b
                     print r, n
                 }
             }' <(echo "$a") <(echo "$b") | sort
    } >"$exp"
    printf '%-13s %-36s status %3s  pass %5d  fail %3d  skip %4d  %5d s\n' "$config" "$pkg" "${statuses[0]}" \
        "$(grep -c '^PASS ' "$exp" || true)" "$(grep -c '^FAIL ' "$exp" || true)" \
        "$(grep -c '^SKIP ' "$exp" || true)" "$secs"
    rm -f "${out[@]}"
    return $rc
}
export -f record results skip_pattern

runs=$(mktemp)
trap 'rm -f "$runs"' EXIT
while read -r config version _ goroot _; do
    [[ "$goroot" == /* ]] || goroot="$repo/$goroot"
    goversion=$(head -1 "$goroot/VERSION")
    dir=$here/expected/$config
    any=0
    while read -r pkg; do
        wanted "$config/$pkg" || continue
        any=1
        echo "$config $goroot $pkg" >>"$runs"
    done < <(awk '!/^#/ && NF { print $1 }' "$here/packages/$version.txt")
    [ "$any" -eq 1 ] || continue
    mkdir -p "$dir"
    if [ -f "$dir/GOVERSION" ] && [ "$(cat "$dir/GOVERSION")" != "$goversion" ] && [ ${#filters[@]} -ne 0 ]; then
        echo "expected/$config was recorded with $(cat "$dir/GOVERSION"), GOROOT has $goversion: record all of $config (filter $config/)" >&2
        exit 1
    fi
    echo "$goversion" >"$dir/GOVERSION"
done < <(awk '!/^#/ && NF >= 5' "$here/toolchains.txt")

failed=0
xargs -P "$jobs" -L 1 bash -c 'record "$@"' _ <"$runs" || failed=1
echo "$(wc -l <"$runs") package runs recorded"
exit $failed
