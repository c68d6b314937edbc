#!/usr/bin/env bash
# Issue 22, national scale: sharded, resumable issuance on Apache Spark, run for real on this
# machine (docs/scale.md). Installs pyspark into scale/spark/.venv (Java 17 must be present),
# makes an agency key, a trust list and a synthetic registry export of N driving licences
# (default 200,000), then runs scale/spark/issue_job.py with master local[2,4] (two cores, up to
# four attempts per task: plain local[2] never retries) in 8 shards — and SIGKILLs the task of
# shard 0003 (its Python worker, and with it its `wallet issue-batch`) in the middle of its
# partition, so Spark re-runs that task and the retry resumes the shard's batch. Then, from the durable files of all attempts
# (scale/spark/check_run.py): every record issued exactly once, no status index twice in a shard;
# then 1,000 sampled credentials (10 of them revoked after issuance, their shards' lists
# republished) are presented by their holders and verified offline by `wallet verify-batch`
# with a status cache filled through the Status List Aggregation.
#
# Usage: scripts/spark-check.sh [N]      (WALLET=path overrides the debug build of wallet;
#                                         SPARK_CHECK_KEEP=DIR keeps the work directory)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
n="${1:-200000}"
shards=8
# 1,000 credentials are sampled, and the kill needs a shard of a few thousand records.
[ "$n" -ge 8000 ] || { echo "error: N must be at least 8000" >&2; exit 1; }
target="${CARGO_TARGET_DIR:-target}"
venv="$root/scale/spark/.venv"
if ! "$venv/bin/python" -c 'import pyspark' 2>/dev/null; then
  echo "== pyspark 4.3.0 into $venv"
  start_pip=$(date +%s)
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check pyspark==4.3.0
  echo "installed in $(( $(date +%s) - start_pip )) s"
fi
# Spark 4 runs on Java 17 or later.
java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' || true)
[ "${java_major:-0}" -ge 17 ] 2>/dev/null || { echo "error: Spark needs Java 17 or later (found: ${java_major:-none})" >&2; exit 1; }
# The executors' Python is the venv's (pyspark's workers import nothing else, but must run the
# same interpreter version as the driver).
export PYSPARK_PYTHON="$venv/bin/python"
# The test build (`cargo test --workspace`, which .ci/run has just run) holds both the wallet
# binary and the examples; building them with the same command compiles nothing again, where a
# `cargo build -p …` would resolve features differently and rebuild the crates.
cargo test --quiet --workspace --no-run
w=$(realpath "${WALLET:-$target/debug/wallet}")
present="$(realpath "$target/debug/examples/scale_present")"

work="${SPARK_CHECK_KEEP:-$(mktemp -d)}"
mkdir -p "$work"
killer=
cleanup() {
  [ -z "$killer" ] || kill "$killer" 2>/dev/null || true
  [ -n "${SPARK_CHECK_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
ISS=https://ga.gov.cn/issuer
BASE=https://ga.gov.cn/status
AGG=$BASE/aggregation

echo "== keys, trust list, registry export of $n driving licences"
# The issuer key is a file mounted on each executor (here: this machine's only one); the job
# receives its path, never its bytes.
mkdir -p secrets holders
"$w" key generate --out secrets/issuer.pem >issuer.pub.jwk 2>/dev/null
"$w" key generate --out root.pem >root.pub.jwk 2>/dev/null
for k in $(seq 0 15); do "$w" key generate --out "holders/holder-$k.pem" >"holders/holder-$k.pub.jwk" 2>/dev/null; done
"$w" trust init --out tl.draft.json >/dev/null 2>&1
"$w" trust add-issuer --list tl.draft.json --iss "$ISS" --name-zh 公安部 --name-en "Ministry of Public Security" \
  --key issuer.pub.jwk --types driving-licence --not-before 2025-01-01 >/dev/null 2>&1
"$w" trust sign --list tl.draft.json --root-key root.pem --out trust-list.jwt >/dev/null 2>&1
python3 "$root/scale/spark/make_registry.py" "$n" --holders holders --out registry.jsonl
echo "registry.jsonl: $(wc -l <registry.jsonl) records, $(du -h registry.jsonl | cut -f1)"

echo "== Spark job: $n records in $shards shards, master local[2,4], shard 0003's task SIGKILLed mid-partition"
# The kill: once shard 0003's in-progress output holds a quarter of its records, SIGKILL the
# task's Python worker, the parent of its `wallet issue-batch` (what an OOM kill or a lost
# executor does to a task); the wallet process dies with it.
(
  partial="shards/0003/credentials.jsonl.partial"
  done_file="shards/0003/credentials.jsonl"
  want=$(( n / shards / 4 ))
  # Polls until the kill, or until shard 0003 finished without one (then the check fails: no
  # task was retried), at most ten minutes.
  for _ in $(seq 1 12000); do
    [ -f "$done_file" ] && break
    lines=$({ wc -l <"$partial"; } 2>/dev/null || echo 0)
    if [ "$lines" -ge "$want" ]; then
      pid=$(pgrep -f "^$w issue-batch .*shards/0003/input.jsonl" | head -1 || true)
      task=$([ -n "$pid" ] && ps -o ppid= -p "$pid" | tr -d ' ' || true)
      if [ -n "$task" ]; then
        lines=$({ wc -l <"$partial"; } 2>/dev/null || echo 0)
        kill -KILL "$task"
        # The task's `wallet` must die with it (issue_job.py sets PR_SET_PDEATHSIG): a
        # survivor would hold the batch's lock against the retry. Dead = gone or a zombie
        # (state Z); given up to ten seconds.
        state=
        for _ in $(seq 1 100); do
          state=$(ps -o stat= -p "$pid" 2>/dev/null | tr -d ' ' || true)
          case "$state" in ""|Z*) break ;; esac
          sleep 0.1
        done
        echo "killed: the Python task of shard 0003 (pid $task) by SIGKILL with $lines of $(( n / shards )) lines written; its wallet issue-batch (pid $pid): ${state:-gone}" >kill.log
        exit 0
      fi
    fi
    sleep 0.05
  done
  echo "killed: nothing (shard 0003 never reached $want lines while running)" >kill.log
) &
killer=$!
start_job=$(date +%s.%N)
"$venv/bin/python" "$root/scale/spark/issue_job.py" --master 'local[2,4]' --input registry.jsonl \
  --work . --shards "$shards" --wallet "$w" --issuer-key secrets/issuer.pem --iss "$ISS" \
  --type driving-licence --status-base "$BASE" --aggregation-uri "$AGG" --valid-for 1y \
  2>spark.err || { tail -40 spark.err >&2; echo "error: the Spark job failed" >&2; exit 1; }
end_job=$(date +%s.%N)
wait "$killer" || true
killer=
# Spark's own report of the failed attempt (its full log is spark.err in the work directory).
grep -E "Exception in task|worker exited unexpectedly" spark.err | sed -E 's/^[0-9\/]+ [0-9:]+ //' | cut -c1-160 || true
echo "spark job wall time: $(python3 -c "print(round($end_job - $start_job, 1))") s (JVM start, shuffle, $shards tasks, retry)"

echo "== every record issued exactly once, counted over all attempts"
python3 "$root/scale/spark/check_run.py" issues . "$n" "$AGG" --kill-log kill.log --killed-shard 0003

echo "== 1,000 sampled credentials verified offline through the Status List Aggregation"
python3 "$root/scale/spark/check_run.py" sample . "$work/holders" 1000 10 sample.jsonl revoke.txt
while read -r shard id; do
  "$w" status revoke --status-registry "shards/$shard/status.registry" --credential-id "$id" >/dev/null 2>&1
done <revoke.txt
for shard in $(cut -d' ' -f1 revoke.txt | sort -u); do
  "$w" status publish --status-registry "shards/$shard/status.registry" --issuer-key secrets/issuer.pem \
    --iss "$ISS" --out "publish/status/$shard.jwt" --aggregation-uri "$AGG" --valid-for 1d --ttl 1h >/dev/null 2>&1
done
mkdir -p cache
"$w" status cache publish/status/*.jwt --aggregation publish/aggregation.json --status-cache cache \
  --trust-list trust-list.jwt --trust-root root.pub.jwk 2>&1 | tail -1
echo "status cache: $(ls cache | wc -l) lists, $(du -sb cache | cut -f1) bytes"
"$present" <sample.jsonl >scans.jsonl
rc=0
"$w" verify-batch --input scans.jsonl --out results.jsonl --status-cache cache \
  --trust-list trust-list.jwt --trust-root root.pub.jwk >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || { echo "verify-batch exited $rc, expected 1 (some revoked)" >&2; exit 1; }
python3 "$root/scale/spark/check_run.py" verified results.jsonl sample.jsonl revoke.txt
