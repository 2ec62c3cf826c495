#!/usr/bin/env bash
# The whole test suite, as README.md gives it and .ci/run runs it:
# formatting, vet, staticcheck, every test under the race detector
# (including the process-level tests in test/ that run real daemons on lo),
# then each fuzz target for a short while on top of its seed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-10s}

for tool in socat nc; do
  if ! command -v "$tool" >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq socat netcat-openbsd >/dev/null
    else
      echo "test/run.sh: the tests need socat and nc (Debian: apt-get install socat netcat-openbsd)" >&2
    fi
    break
  fi
done

echo "== gofmt"
unformatted=$(gofmt -l $(find . -name '*.go' -not -path './.git/*'))
if [ -n "$unformatted" ]; then echo "gofmt would change:"; echo "$unformatted"; exit 1; fi

echo "== go vet"
go vet ./...
go vet -tags diskd_testhooks ./...

echo "== staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

echo "== licences of the module graph"
bash test/licenses.sh >/dev/null || bash test/licenses.sh

echo "== go test -race"
go test -race -count=1 ./...

# The benchmarks (test/bench) with tiny sizes: checks that each completes,
# no timing assertions. The full run is DISKD_BENCH=full (docs/benchmarks.md).
echo "== benchmarks, short variant"
DISKD_BENCH=short go test -race -count=1 -v -run '^TestBench' ./test/bench
# The load benchmarks (scale, ingest, flood at the budget) once each, ingest
# at one small rate, the flood at a small budget.
DISKD_FLOOD=short DISKD_INGEST_RATES=2000 go test -count=1 -run '^$' -bench 'Scale|Ingest|FloodAtBudget' -benchtime 1x ./test/loadgen

bash test/fuzz.sh "$FUZZTIME"
echo "== all tests passed"
