#!/usr/bin/env bash
# Batch benchmark, issuance then verification. Issuance: first the floor (wallet-core's `batch_floor` example: N holder-key
# decodes and Ed25519 signatures, nothing else, on all cores), then generates N driving-licence
# requests (default 1,000,000), runs `wallet issue-batch` on them with a status registry (release
# build, all cores) and prints wall time, rows/s and peak RSS (from /usr/bin/time -v), then each
# target of issue 19 as `met`/`MISSED` against the floor of the same run. Verification: 500 of the
# issued licences, shown by their holder as offline QR codes of 4 claims (scale_present), repeated
# into 40,000 `verify-batch` input lines; the floor (`verify_floor`: the batch equation over the
# same 80,000 signatures on all cores), then `wallet verify-batch` over the file with a signed
# trust list and the status cache (whole process: QR payload decoding included), its targets
# `met`/`MISSED` against that floor.
# Usage: scripts/bench-batch.sh [N]      (N >= 500)
set -euo pipefail
n="${1:-1000000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cargo build --release -q -p wallet-cli
cargo build --release -q -p wallet-core --example batch_floor --example verify_floor --example scale_present
bin="${CARGO_TARGET_DIR:-$root/target}/release/wallet"
floor_line="$("${CARGO_TARGET_DIR:-$root/target}/release/examples/batch_floor" "$n")"
echo "$floor_line"
floor_rate="$(sed -E 's/.* ([0-9]+)\/s$/\1/' <<<"$floor_line")"
dir="$(mktemp -d)"
trap '[ -n "${KEEP_BENCH_DIR:-}" ] || rm -rf "$dir"' EXIT

"$bin" key generate --out "$dir/agency.pem" >"$dir/agency.pub.jwk" 2>/dev/null
holder="$("$bin" key generate --out "$dir/holder.pem" 2>/dev/null)"
"$bin" status init --uri https://example.invalid/status/1 --out "$dir/status.registry" \
    --capacity 16777216 >/dev/null
# One realistic record (the catalogue's example driving licence) repeated N times; each line
# still gets its own salts, decoys, status index and signature.
line="{\"claims\":{\"name\":\"张三\",\"sex\":\"男\",\"nationality\":\"CHN\",\"birth_date\":\"1990-03-15\",\"address\":\"上海市浦东新区花木路1000弄10号1201室\",\"licence_number\":\"310115199003151239\",\"licence_class\":\"C1\",\"first_issue_date\":\"2012-08-20\",\"valid_from\":\"2018-08-20\",\"valid_until\":\"2028-08-20\"},\"holder_jwk\":$holder}"
awk -v n="$n" -v line="$line" 'BEGIN { for (i = 0; i < n; i++) print line }' > "$dir/in.jsonl"

echo "input: $n lines, $(du -h "$dir/in.jsonl" | cut -f1); cores: $(nproc)"
/usr/bin/time -v "$bin" issue-batch --issuer-key "$dir/agency.pem" --iss https://jtgl.sh.gov.cn/issuer \
    --type driving-licence --input "$dir/in.jsonl" --output "$dir/out.jsonl" \
    --status-registry "$dir/status.registry" 2> "$dir/time.txt" | tee "$dir/summary.txt"
wall="$(grep 'Elapsed (wall clock)' "$dir/time.txt" | awk '{print $NF}')"
rss_kb="$(grep 'Maximum resident set size' "$dir/time.txt" | awk '{print $NF}')"
secs="$(echo "$wall" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')"
issued="$(wc -l < "$dir/out.jsonl")"
echo "issued: $issued of $n"
echo "wall: ${secs} s"
echo "rows/s: $(awk -v n="$issued" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')"
echo "peak RSS: $((rss_kb / 1024)) MiB"
echo "output: $(du -h "$dir/out.jsonl" | cut -f1), issuance log: $(du -h "$dir/status.registry.issued.jsonl" | cut -f1)"
rate="$(awk -v n="$issued" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')"
# Issue 19's targets for `issue-batch` with a status registry and full durability.
verdict() { if [ "$1" = 1 ]; then echo "met   "; else echo "MISSED"; fi; }
echo "$(verdict "$(awk -v r="$rate" 'BEGIN { print (r >= 40000) }')") issue-batch >= 40,000 credentials/s: $rate /s"
echo "$(verdict "$(awk -v r="$rate" -v f="$floor_rate" 'BEGIN { print (r >= 0.75 * f) }')") issue-batch >= 0.75 x the batch floor ($floor_rate /s): $(awk -v r="$rate" -v f="$floor_rate" 'BEGIN { printf "%.2f", r / f }') x"
# 100 MB = 100,000,000 bytes; /usr/bin/time reports KiB.
echo "$(verdict "$(( rss_kb * 1024 <= 100000000 ))") peak RSS <= 100 MB: $(( rss_kb * 1024 / 1000000 )) MB"
if [ "$n" -eq 1000000 ]; then
  echo "$(verdict "$(awk -v s="$secs" 'BEGIN { print (s <= 25) }')") 1,000,000 licences <= 25 s: $secs s"
fi

echo
echo "== verify-batch: 40,000 QR payloads (500 distinct licences, 4 claims shown), whole process"
# The issuance above leaves ~2.2 GB of dirty pages; flushed here, outside both timings, so that
# the kernel does not write them back while verify-batch is being timed.
sync
examples="${CARGO_TARGET_DIR:-$root/target}/release/examples"
iss=https://jtgl.sh.gov.cn/issuer
"$bin" key generate --out "$dir/root.pem" >"$dir/root.pub.jwk" 2>/dev/null
"$bin" trust init --out "$dir/tl.draft.json" >/dev/null 2>&1
"$bin" trust add-issuer --list "$dir/tl.draft.json" --iss "$iss" --name-zh 上海市公安局交通警察总队 \
    --name-en "Shanghai Traffic Police" --key "$dir/agency.pub.jwk" --types driving-licence \
    --not-before 2025-01-01 >/dev/null 2>&1
"$bin" trust sign --list "$dir/tl.draft.json" --root-key "$dir/root.pem" --out "$dir/trust-list.jwt" >/dev/null 2>&1
"$bin" status publish --status-registry "$dir/status.registry" --issuer-key "$dir/agency.pem" \
    --iss "$iss" --out "$dir/status.jwt" --valid-for 1d --ttl 1h >/dev/null 2>&1
mkdir -p "$dir/cache"
"$bin" status cache "$dir/status.jwt" --status-cache "$dir/cache" --trust-list "$dir/trust-list.jwt" \
    --trust-root "$dir/root.pub.jwk" >/dev/null 2>&1
head -n 500 "$dir/out.jsonl" | python3 -c '
import json, sys
for line in sys.stdin:
    record = json.loads(line)
    print(json.dumps({"id": record["id"], "credential": record["credential"], "holder_key": sys.argv[1]}))
' "$dir/holder.pem" >"$dir/sample.jsonl"
"$examples/scale_present" name,licence_class,birth_date,valid_until <"$dir/sample.jsonl" >"$dir/scans500.jsonl"
for _ in $(seq 80); do cat "$dir/scans500.jsonl"; done >"$dir/scans.jsonl"
vfloor_line="$("$examples/verify_floor" "$dir/scans.jsonl" "$dir/agency.pub.jwk")"
echo "$vfloor_line"
vfloor_rate="$(sed -E 's/.* ([0-9]+)\/s$/\1/' <<<"$vfloor_line")"
rc=0
/usr/bin/time -v "$bin" verify-batch --input "$dir/scans.jsonl" --out "$dir/results.jsonl" \
    --status-cache "$dir/cache" --trust-list "$dir/trust-list.jwt" --trust-root "$dir/root.pub.jwk" \
    2>"$dir/vtime.txt" >/dev/null || rc=$?
vwall="$(grep 'Elapsed (wall clock)' "$dir/vtime.txt" | awk '{print $NF}')"
vsecs="$(echo "$vwall" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')"
vtotal="$(wc -l <"$dir/results.jsonl")"
vvalid="$(grep -c '"valid":true' "$dir/results.jsonl" || true)"
echo "verify-batch: exit $rc, $vtotal results, $vvalid valid, wall ${vsecs} s, peak RSS $(( $(grep 'Maximum resident set size' "$dir/vtime.txt" | awk '{print $NF}') / 1024 )) MiB"
[ "$vvalid" -eq 40000 ] || { echo "verify-batch did not find all 40,000 valid" >&2; exit 1; }
vrate="$(awk -v n="$vtotal" -v s="$vsecs" 'BEGIN { printf "%.0f", n / s }')"
echo "$(verdict "$(awk -v r="$vrate" 'BEGIN { print (r >= 40000) }')") verify-batch >= 40,000 presentations/s: $vrate /s"
echo "$(verdict "$(awk -v r="$vrate" -v f="$vfloor_rate" 'BEGIN { print (r >= 0.8 * f) }')") verify-batch >= 0.8 x the batch-equation floor ($vfloor_rate /s): $(awk -v r="$vrate" -v f="$vfloor_rate" 'BEGIN { printf "%.2f", r / f }') x"
