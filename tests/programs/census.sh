#!/usr/bin/env bash
# Syscall census of the Go standard library tests and the evm cases: runs them under
# `qemu-riscv64 -strace` (which, unlike rvrun, never stops at a call it lacks, so the census
# shows every call the suites make) and writes, per syscall, the calls made and the runs making
# them; ioctl, fcntl and prctl are split by command and setsockopt/getsockopt by level and
# option, as QEMU decodes them.
#
#   tests/programs/census.sh GUESTS_DIR OUTPUT [CONFIG...]
#
# CONFIG: go-std configurations of go-std/toolchains.txt (default: go1.23, every package; for
# a `quick` configuration, the packages of quick.txt); the evm cases always run. Each Go run
# is the one gen-expected.sh records (in $GOROOT/src/<pkg>, empty environment, -test.short,
# the skips); JOBS runs at once (default: the number of CPUs).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
guests=$(cd "${1:?usage: census.sh GUESTS_DIR OUTPUT [CONFIG...]}" && pwd)
output=$(realpath -m "${2:?usage: census.sh GUESTS_DIR OUTPUT [CONFIG...]}")
shift 2
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(go1.23)
jobs=${JOBS:-$(nproc)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C work

# count SUITE ID: reads a QEMU strace log on stdin, writes $work/counts/SUITE@ID (name count).
count() {
    mkdir -p "$work/counts"
    awk '
        # a line starts with the thread id; a call interrupted by another thread is split, so
        # only the "name(" part is used
        $2 ~ /^[a-z_0-9]+\(/ {
            name = $2; sub(/\(.*/, "", name)
            args = substr($0, index($0, "(") + 1)
            split(args, a, ",")
            if (name == "ioctl" || name == "fcntl") name = name " " a[2]
            else if (name == "prctl") name = name " " a[1]
            else if (name == "setsockopt" || name == "getsockopt") name = name " " a[2] " " a[3]
            sub(/\).*/, "", name)
            n[name]++
        }
        /Unknown syscall/ { n["unknown " $NF]++ }
        END { for (k in n) print k "\t" n[k] }' >"$work/counts/${1//\//+}@${2//\//-}"
}

# go_run CONFIG GOROOT PKG
go_run() {
    local config=$1 goroot=$2 pkg=$3 name=${3//\//-} skip log
    local bin=$guests/go-std/$config/$name.test
    [ -x "$bin" ] || { echo "$bin missing" >&2; return 0; }
    skip=$(awk -F'|' -v pkg="$pkg" '!/^#/ && NF >= 3 {
        p = $1; t = $2; gsub(/^[ \t]+|[ \t]+$/, "", p); gsub(/^[ \t]+|[ \t]+$/, "", t)
        if (p == pkg) print t }' "$here/go-std/skips.txt" | paste -sd'|')
    local args=(-test.short)
    [ -z "$skip" ] || args+=("-test.skip=^($skip)\$")
    log=$(mktemp -p "$work")
    (cd "$goroot/src/$pkg" && env -i timeout -k 10 1200 qemu-riscv64 -D "$log" -strace "$bin" "${args[@]}" \
        </dev/null >/dev/null 2>&1) || true
    count "go-std/$config" "$pkg" <"$log"
    rm -f "$log"
    echo "go-std/$config/$pkg"
}
export -f count go_run
export guests here

runs=$work/runs
for config in "${configs[@]}"; do
    line=$(awk -v c="$config" '!/^#/ && $1 == c' "$here/go-std/toolchains.txt")
    [ -n "$line" ] || { echo "no configuration $config in toolchains.txt" >&2; exit 1; }
    read -r _ version _ goroot quick <<<"$line"
    [[ "$goroot" == /* ]] || goroot="$repo/$goroot"
    awk '!/^#/ && NF { print $1 }' "$here/go-std/packages/$version.txt" | while read -r pkg; do
        if [ "$quick" = quick ] && ! grep -qx "$pkg" "$here/go-std/quick.txt"; then continue; fi
        echo "$config $goroot $pkg"
    done
done >"$runs"
xargs -P "$jobs" -L 1 bash -c 'go_run "$@"' _ <"$runs"

# the evm cases: arguments from evm/cases.json (`{OUT}`: a scratch directory), run in the evm
# directory
evm=$guests/evm
mkdir -p "$work/evm-out"
for name in $(python3 -c 'import json, sys; print(*(c["name"] for c in json.load(open(sys.argv[1]))))' "$here/evm/cases.json"); do
    python3 -c '
import json, sys
for c in json.load(open(sys.argv[1])):
    if c["name"] == sys.argv[2]:
        sys.stdout.write("".join(a.replace("{OUT}", sys.argv[3]) + "\0" for a in c["args"]))
' "$here/evm/cases.json" "$name" "$work/evm-out" >"$work/args"
    mapfile -d '' -t args <"$work/args"
    log=$(mktemp -p "$work")
    (cd "$evm" && env -i qemu-riscv64 -D "$log" -strace ./evm "${args[@]}" </dev/null >/dev/null 2>&1) || true
    count evm "$name" <"$log"
    rm -f "$log"
    echo "evm/$name"
done

# Aggregate: per syscall (and command), the calls and the runs per suite.
{
    echo "# Syscall census (tests/programs/census.sh, qemu-riscv64 -strace): per syscall (ioctl/fcntl by"
    echo "# command, prctl by option, set/getsockopt by level and option) the calls made and the"
    echo "# runs that made them, per suite. Suites: $(ls "$work/counts" | sed 's/@.*//; s/+/\//g' | sort | uniq -c |
        awk '{ printf "%s%s (%d runs)", sep, $2, $1; sep = ", " }')"
    echo "#"
    printf '# %-44s %12s  %s\n' "syscall" "calls" "runs per suite"
    for f in "$work"/counts/*; do
        suite=$(basename "$f"); suite=${suite%%@*}; suite=${suite//+//}
        awk -F'\t' -v s="$suite" '{ print $1 "\t" $2 "\t" s }' "$f"
    done | awk -F'\t' '
        { calls[$1] += $2; runs[$1 SUBSEP $3]++; suites[$3] = 1; names[$1] = 1 }
        END {
            for (n in names) {
                line = ""
                for (s in suites) if ((n SUBSEP s) in runs) line = line " " s "=" runs[n, s]
                printf "%-46s %12d %s\n", n, calls[n], line
            }
        }' | sort
} >"$output"
echo "census written to $output"
