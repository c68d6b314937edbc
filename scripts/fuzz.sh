#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ (cargo-fuzz layout) for a given time each, one after the
# other in a single process (the build machines have two cores), and prints per target the
# executions, executions per second, crashes and corpus size.
#
#   scripts/fuzz.sh TARGET SECONDS     one target
#   scripts/fuzz.sh all SECONDS        every target in turn
#   scripts/fuzz.sh list               the target names
#
# The targets are built with the sanitizer-coverage flags cargo-fuzz passes to rustc, which are
# nightly-only (-Z). On a stable toolchain this script sets RUSTC_BOOTSTRAP=1 so that stable rustc
# accepts them; no nightly toolchain is needed. Seed corpora are rebuilt from test-vectors/ into
# fuzz/corpus/<target>/ when missing (never committed); crashes land in fuzz/artifacts/<target>/.
# Exit status: 0 if no target crashed, 1 if one did, 2 on a usage or build error.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTC_BOOTSTRAP=1
export CARGO_TERM_COLOR=never
TARGETS=(sdjwt_verify json_differential kb_jwt qr_transport trust_list status_list keys_import store_open qr_scan)
LOG_DIR="${FUZZ_LOG_DIR:-/tmp/wallet-fuzz-logs}"
# At most two parallel compiler jobs: the build shares the machine with the fuzzer and others.
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"

usage() { echo "usage: $0 (TARGET|all) SECONDS | $0 list" >&2; exit 2; }
[ $# -ge 1 ] || usage
if [ "$1" = list ]; then printf '%s\n' "${TARGETS[@]}"; exit 0; fi
[ $# -eq 2 ] || usage
what=$1 secs=$2
[[ "$secs" =~ ^[0-9]+$ ]] || usage
if [ "$what" = all ]; then run=("${TARGETS[@]}")
elif printf '%s\n' "${TARGETS[@]}" | grep -qx "$what"; then run=("$what")
else echo "unknown target $what (see: $0 list)" >&2; exit 2; fi

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p "$LOG_DIR"

# Optimised, with debug assertions and overflow checks (cargo-fuzz's default with -O), under
# AddressSanitizer (its default sanitizer): the compression, image and QR libraries below the
# parsers contain unsafe code. FUZZ_SANITIZER=none trades that for speed. The seed builder is
# built in the same run (feature `seeds`; `run` below passes the same flags, so nothing is
# rebuilt between targets), with no second, unsanitised build of the dependencies.
san="${FUZZ_SANITIZER:-address}"
cargo fuzz build -O -s "$san" --features seeds >"$LOG_DIR/build.log" 2>&1 \
  || { tail -30 "$LOG_DIR/build.log"; exit 2; }
bin_dir="${CARGO_TARGET_DIR:-fuzz/target}/x86_64-unknown-linux-gnu/release"

for t in "${run[@]}"; do
  if [ ! -d "fuzz/corpus/$t" ] || [ -z "$(ls -A "fuzz/corpus/$t")" ]; then
    "$bin_dir/seeds" fuzz/corpus >/dev/null
    break
  fi
done

failed=0
printf '%-14s %12s %9s %8s %8s\n' target execs exec/s crashes corpus
for t in "${run[@]}"; do
  mkdir -p "fuzz/artifacts/$t"
  before=$(ls "fuzz/artifacts/$t" | wc -l)
  log="$LOG_DIR/$t.log"
  # One process, no fork/jobs; -timeout: one input over 10 s is a finding (a hang).
  set +e
  cargo fuzz run -O -s "$san" --features seeds "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 >"$log" 2>&1
  status=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(( $(ls "fuzz/artifacts/$t" | wc -l) - before ))
  corpus=$(ls "fuzz/corpus/$t" | wc -l)
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
  printf '%-14s %12s %9s %8s %8s\n' "$t" "${execs:-?}" "${rate:-?}" "$crashes" "$corpus"
  if [ "$crashes" -ne 0 ]; then
    failed=1
    echo "  $t crashed (exit $status): see $log and fuzz/artifacts/$t/" >&2
    grep -m5 -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$log" | sed 's/^/  /' >&2 || true
  fi
done
exit "$failed"
