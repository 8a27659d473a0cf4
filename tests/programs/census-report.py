#!/usr/bin/env python3
"""Writes the syscall census of the suites (build/census.tsv, from `make census`) as the
Markdown table of docs/syscall-census.md: one row per syscall and sub-command, with calls and
outcomes, the calls rvrun answered as unsupported first.

    tests/programs/census-report.py build/census.tsv > table.md
"""
import sys


def main(path):
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, sub, calls, outcomes = line.rstrip("\n").split("\t")
            rows.append((name, sub, int(calls), outcomes))
    unsupported = [r for r in rows if "unsupported" in r[3]]
    names = sorted({r[0] for r in rows})
    print(f"{len(names)} syscalls, {len(rows)} (syscall, sub-command) rows, "
          f"{sum(r[2] for r in rows):,} calls; {len(unsupported)} rows answered as unsupported.\n")
    print("| syscall | sub-command | calls | outcomes |")
    print("|---|---|---:|---|")
    for name, sub, calls, outcomes in sorted(rows, key=lambda r: ("unsupported" not in r[3], r[0], r[1])):
        sub = sub.replace("|", "\\|")
        outcomes = outcomes.replace(",", ", ")
        print(f"| `{name}` | {sub} | {calls:,} | {outcomes} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/census.tsv")
