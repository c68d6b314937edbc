#!/usr/bin/env bash
# CI smoke of the fuzz targets (called from .ci/run): builds them, rebuilds the seed corpora from
# test-vectors/ if missing, and runs every target for 60 seconds in a single process, one after
# the other. Fails if any target crashes (a panic, an overflow, a sanitizer report, a timeout or
# running out of memory). Campaigns and their figures: scripts/fuzz.sh, docs/security.md.
#
# The sanitizer-coverage flags are nightly-only; RUSTC_BOOTSTRAP=1 lets the stable toolchain
# accept them. FUZZ_SMOKE_SECONDS shortens the per-target time where 8 minutes is too much;
# FUZZ_SANITIZER=none skips AddressSanitizer (a faster build and about twice the executions, but
# memory errors in the unsafe code of dependencies go unseen).
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTC_BOOTSTRAP=1
export CARGO_TERM_COLOR=never
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
secs="${FUZZ_SMOKE_SECONDS:-60}"
san="${FUZZ_SANITIZER:-address}"
targets=(sdjwt_verify json_differential kb_jwt qr_transport trust_list status_list keys_import store_open qr_scan type_document)

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# Builds the targets and the seed builder (feature `seeds`) in one sanitised build.
cargo fuzz build -O -s "$san" --features seeds
"${CARGO_TARGET_DIR:-fuzz/target}/x86_64-unknown-linux-gnu/release/seeds" fuzz/corpus

failed=()
for t in "${targets[@]}"; do
  echo "--- fuzz smoke: $t (${secs} s)"
  log=$(mktemp)
  if cargo fuzz run -O -s "$san" --features seeds "$t" "fuzz/corpus/$t" -- \
      -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    grep -E 'stat::(number_of_executed_units|average_exec_per_sec)' "$log" | tr '\n' ' '; echo
  else
    failed+=("$t")
    grep -E -m20 'panicked at|ERROR: libFuzzer|SUMMARY|Test unit written' "$log" || tail -20 "$log"
  fi
  rm -f "$log"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz smoke: crashes in ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz smoke: ${#targets[@]} targets, ${secs} s each, no crash"
