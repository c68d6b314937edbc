#!/usr/bin/env bash
# Spark's overhead over the bare CLI (docs/scale.md): the same registry export of N driving
# licences (default 200,000) issued once by one `wallet issue-batch --jobs 2` with a status
# registry, and once by scale/spark/issue_job.py in 8 shards on local[2] (two tasks at a time,
# each issuing with one thread), no kill. Prints both wall times, rates and the ratio.
# Use a release build: WALLET=path (default: cargo build --release -p wallet-cli).
# Needs pyspark in scale/spark/.venv (scripts/spark-check.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
n="${1:-200000}"
if [ -z "${WALLET:-}" ]; then
  cargo build --release --quiet -p wallet-cli
  WALLET="${CARGO_TARGET_DIR:-target}/release/wallet"
fi
w=$(realpath "$WALLET")
py="$root/scale/spark/.venv/bin/python"
export PYSPARK_PYTHON="$py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p holders
"$w" key generate --out issuer.pem >/dev/null 2>&1
for k in $(seq 0 15); do "$w" key generate --out "holders/holder-$k.pem" >"holders/holder-$k.pub.jwk" 2>/dev/null; done
python3 "$root/scale/spark/make_registry.py" "$n" --holders holders --out registry.jsonl
echo "input: $n records, $(du -h registry.jsonl | cut -f1); cores: $(nproc); $("$w" --version 2>/dev/null || true)"

"$w" status init --uri https://ga.gov.cn/status/all --out all.registry >/dev/null 2>&1
t0=$(date +%s.%N)
"$w" issue-batch --issuer-key issuer.pem --iss https://ga.gov.cn/issuer --type driving-licence \
  --input registry.jsonl --out bare.jsonl --status-registry all.registry --jobs 2 --valid-for 1y >/dev/null 2>&1
t1=$(date +%s.%N)
"$py" "$root/scale/spark/issue_job.py" --master 'local[2]' --input registry.jsonl --work spark \
  --shards 8 --wallet "$w" --issuer-key issuer.pem --iss https://ga.gov.cn/issuer \
  --type driving-licence --status-base https://ga.gov.cn/status \
  --aggregation-uri https://ga.gov.cn/status/aggregation --valid-for 1y 2>/dev/null
t2=$(date +%s.%N)
issued_bare=$(wc -l <bare.jsonl)
issued_spark=$(cat spark/shards/*/credentials.jsonl | wc -l)
python3 - "$n" "$t0" "$t1" "$t2" "$issued_bare" "$issued_spark" <<'PY'
import sys
n, t0, t1, t2, ib, isp = int(sys.argv[1]), *map(float, sys.argv[2:5]), int(sys.argv[5]), int(sys.argv[6])
bare, spark = t1 - t0, t2 - t1
print(f"bare CLI (issue-batch --jobs 2): {ib} issued in {bare:.1f} s = {ib / bare:,.0f} /s")
print(f"Spark local[2], 8 shards (incl. JVM start, shuffle, publish): {isp} issued in {spark:.1f} s = {isp / spark:,.0f} /s")
print(f"Spark / bare = {spark / bare:.2f}x; Spark adds {spark - bare:.1f} s")
PY
