#!/usr/bin/env bash
# Regenerates tests/programs/expected/ from the reference emulator, qemu-riscv64.
#
#   tests/programs/gen-expected.sh [GUESTS_DIR] [CASE_NAME...]
#
# GUESTS_DIR defaults to build/guests (run `make programs` first). Without case names, every
# case in cases.txt is run and expected/ is rewritten from scratch; with names, only those.
# Each "qemu" case runs twice and must give the same result both times (a guest whose output
# varies under QEMU cannot have an expected output). The determinism-only cases are run once
# just to check they work under QEMU; nothing is recorded for them.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data=$here/data
expected=$here/expected
guests=$(cd "${1:-$here/../../build/guests}" && pwd)
shift || true
only=("$@")

export LC_ALL=C
ulimit -c 0 # the abort cases must not leave core files behind

# Splits $1 into the array TOKENS: blanks separate, double quotes group (see cases.txt).
tokenize() {
    TOKENS=()
    local s=$1 tok="" quoted=0 have=0 c i
    [ "$s" = "-" ] && return 0
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        if [ "$c" = '"' ]; then
            quoted=$((1 - quoted))
            have=1
        elif [ $quoted = 0 ] && { [ "$c" = " " ] || [ "$c" = $'\t' ]; }; then
            [ $have = 1 ] && TOKENS+=("$tok")
            tok=""
            have=0
        else
            tok+=$c
            have=1
        fi
    done
    [ $quoted = 0 ] || { echo "unbalanced quote in: $s" >&2; exit 1; }
    [ $have = 1 ] && TOKENS+=("$tok")
    return 0
}

trim() {
    local s=$1
    s=${s#"${s%%[![:space:]]*}"}
    s=${s%"${s##*[![:space:]]}"}
    printf '%s' "$s"
}

# Runs one case under QEMU; sets OUT_FILE (stdout) and STATUS.
run_qemu() {
    local prog=$1 args=$2 env=$3 mounts=$4 stdin=$5 tmpdir=$6
    local cmd=(env -i qemu-riscv64) a m host guest
    tokenize "$env"
    for a in ${TOKENS[@]+"${TOKENS[@]}"}; do cmd+=(-E "$a"); done
    cmd+=("$guests/$prog")
    tokenize "$mounts"
    local mount_list=(${TOKENS[@]+"${TOKENS[@]}"})
    tokenize "$args"
    for a in ${TOKENS[@]+"${TOKENS[@]}"}; do
        if [ "$a" = "{tmp}" ]; then
            a=$tmpdir
        else
            # QEMU sees the host file system: map guest mount paths back to the host.
            for m in ${mount_list[@]+"${mount_list[@]}"}; do
                host=${m%%:*}
                guest=${m#*:}
                guest=${guest%:ro}
                if [ "$a" = "$guest" ] || [ "${a#"$guest"/}" != "$a" ]; then
                    a=$data/$host${a#"$guest"}
                    break
                fi
            done
        fi
        cmd+=("$a")
    done
    local in=/dev/null
    [ "$stdin" = "-" ] || in=$data/$stdin
    OUT_FILE=$(mktemp)
    set +e
    # (the outer 2>/dev/null also silences bash's "Aborted" notice for the abort cases)
    (cd / && "${cmd[@]}" <"$in" >"$OUT_FILE") 2>/dev/null
    STATUS=$?
    set -e
}

wanted() {
    [ ${#only[@]} -eq 0 ] && return 0
    local n
    for n in "${only[@]}"; do [ "$n" = "$1" ] && return 0; done
    return 1
}

command -v qemu-riscv64 >/dev/null || { echo "qemu-riscv64 not found (run toolchain/setup.sh)" >&2; exit 1; }
mkdir -p "$expected"
if [ ${#only[@]} -eq 0 ]; then
    rm -f "$expected"/*.stdout "$expected"/*.status
fi

failed=0
count=0
declare -A seen=()
while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in '#'* | '') continue ;; esac
    IFS='|' read -r name check prog args env mounts stdin extra <<<"$line"
    name=$(trim "$name"); check=$(trim "$check"); prog=$(trim "$prog")
    args=$(trim "$args"); env=$(trim "$env"); mounts=$(trim "$mounts"); stdin=$(trim "$stdin")
    for v in args env mounts stdin; do [ -n "${!v}" ] || printf -v "$v" '%s' -; done
    if [ -n "$extra" ] || [ -z "$prog" ]; then
        echo "cases.txt: malformed line: $line" >&2
        exit 1
    fi
    [ -z "${seen[$name]:-}" ] || { echo "cases.txt: duplicate case $name" >&2; exit 1; }
    seen[$name]=1
    wanted "$name" || continue
    [ -x "$guests/$prog" ] || { echo "$name: $guests/$prog missing (make programs)" >&2; failed=1; continue; }
    count=$((count + 1))

    tmp1=$(mktemp -d); tmp2=$(mktemp -d)
    run_qemu "$prog" "$args" "$env" "$mounts" "$stdin" "$tmp1"
    out1=$OUT_FILE status1=$STATUS
    case "$check" in
    qemu)
        run_qemu "$prog" "$args" "$env" "$mounts" "$stdin" "$tmp2"
        out2=$OUT_FILE status2=$STATUS
        if ! cmp -s "$out1" "$out2" || [ "$status1" != "$status2" ]; then
            echo "$name: NOT DETERMINISTIC under QEMU (status $status1 vs $status2)" >&2
            diff "$out1" "$out2" | head -5 >&2 || true
            failed=1
        else
            cp "$out1" "$expected/$name.stdout"
            echo "$status1" >"$expected/$name.status"
            printf '%-24s status %-3s %8s bytes\n' "$name" "$status1" "$(wc -c <"$out1")"
        fi
        rm -f "$out2"
        ;;
    det | det-seed | det-epoch)
        if [ "$status1" != 0 ]; then
            echo "$name: exit status $status1 under QEMU, expected 0" >&2
            failed=1
        else
            printf '%-24s %s: runs under QEMU, nothing recorded\n' "$name" "$check"
        fi
        ;;
    *)
        echo "$name: unknown check '$check'" >&2
        exit 1
        ;;
    esac
    rm -f "$out1"
    rm -rf "$tmp1" "$tmp2"
done <"$here/cases.txt"

if [ ${#only[@]} -ne 0 ] && [ "$count" -ne ${#only[@]} ]; then
    echo "some requested cases were not found in cases.txt" >&2
    failed=1
fi
echo "$count cases run"
exit $failed
