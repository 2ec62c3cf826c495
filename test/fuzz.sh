#!/usr/bin/env bash
# Runs every fuzz target of the module for the given time (default 10s),
# on top of its seed corpus: bash test/fuzz.sh 1m
set -euo pipefail
cd "$(dirname "$0")/.."
time=${1:-10s}
echo "== fuzz, ${time} per target"
grep -rl --include='*_test.go' '^func Fuzz' . | sort | while read -r file; do
  pkg=./$(dirname "${file#./}")
  for target in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$file" | cut -d' ' -f2); do
    echo "-- $pkg $target"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$time" "$pkg"
  done
done
