#!/usr/bin/env bash
# Prints the median of every criterion benchmark of the last `cargo bench` run (criterion's
# "time:" line shows its slope or mean estimate; the performance targets are medians).
# Usage: scripts/bench-medians.sh [GROUP]   e.g. driving-licence-10-claims
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${CARGO_TARGET_DIR:-$root/target}/criterion"
python3 - "$dir" "${1:-}" <<'PY'
import json, pathlib, sys
base, group = pathlib.Path(sys.argv[1]), sys.argv[2]
for est in sorted(base.glob(f"{group or '*'}/*/new/estimates.json")):
    bench = json.loads((est.parent / "benchmark.json").read_text())
    median = json.loads(est.read_text())["median"]["point_estimate"] / 1000
    print(f"{bench['group_id']}/{bench['function_id']}: median {median:,.2f} µs")
PY
