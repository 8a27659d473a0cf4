#!/usr/bin/env bash
# Writes packages/GO_VERSION.txt: every standard library package with test files that builds
# for linux/riscv64, as `go list std` sees it for the configuration lines of toolchains.txt
# with that GO_VERSION.
#
#   tests/programs/go-std/list-packages.sh GO_VERSION
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
version=${1:?usage: list-packages.sh GO_VERSION}
root=$(awk -v v="$version" '!/^#/ && NF >= 5 && $2 == v { print $4; exit }' "$here/toolchains.txt")
[ -n "$root" ] || { echo "toolchains.txt has no configuration with Go $version" >&2; exit 1; }
[[ "$root" == /* ]] || root="$repo/$root"
mkdir -p "$here/packages"
{
    echo "# Standard library packages of $version with tests, for linux/riscv64 (list-packages.sh)"
    env -i PATH="$PATH" HOME=/nonexistent GOENV=off GOFLAGS= GOTOOLCHAIN=local GOPROXY=off \
        GOCACHE=/nonexistent GOOS=linux GOARCH=riscv64 CGO_ENABLED=0 "$root/bin/go" list \
        -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' std | grep . | LC_ALL=C sort
} >"$here/packages/$version.txt.tmp"
mv "$here/packages/$version.txt.tmp" "$here/packages/$version.txt"
wc -l <"$here/packages/$version.txt"
