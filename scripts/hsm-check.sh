#!/usr/bin/env bash
# Issuer keys in a PKCS#11 token, end to end against SoftHSM2 (docs/keys.md): a token in a
# temporary directory; Ed25519 and P-256 keys generated inside it (non-extractable, checked);
# a trust list signed by a token root key; credentials issued and batch-issued with token keys;
# a status list published with one; presentations of both verified; the error codes of a wrong
# PIN, a missing token or key, an existing key name and SM2; and the batch rate with a token key
# against a key file in the same run. Needs `wallet` built (WALLET=path, default: cargo's debug
# binary under CARGO_TARGET_DIR) and softhsm2 (installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
w="${WALLET:-$target/debug/wallet}"
[ -x "$w" ] || cargo build --quiet -p wallet-cli
w=$(realpath "$w")
command -v softhsm2-util >/dev/null || { apt-get update -qq && apt-get install -y -qq softhsm2; }
module=""
for candidate in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so; do
  [ -e "$candidate" ] && { module=$candidate; break; }
done
[ -n "$module" ] || { echo "error: libsofthsm2.so not found" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$tmp" >"$tmp/softhsm2.conf"
export SOFTHSM2_CONF="$tmp/softhsm2.conf"
softhsm2-util --init-token --free --label cn-wallet-hsm --pin 246810 --so-pin 13579135 >/dev/null
export WALLET_PKCS11_MODULE="$module" WALLET_PKCS11_PIN=246810
cd "$tmp"
T0=2026-01-01T00:00:00Z
T1=2026-01-02T00:00:00Z
tok="pkcs11:token=cn-wallet-hsm"

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_code() { # expect_code CODE command...: exit 2 and the code in the message
  local want=$1; shift
  local out rc=0
  out=$("$@" 2>&1) || rc=$?
  [ "$rc" = 2 ] && grep -q "($want)" <<<"$out" || fail "expected $want (exit 2), got exit $rc: $out"
  echo "refused as expected: $want"
}

echo "== keys generated inside the token"
"$w" key generate --pkcs11 "$tok;object=root" --alg ed25519 >root.pub.jwk
"$w" key generate --pkcs11 "$tok;object=agency-ed25519" --alg ed25519 >agency-ed.pub.jwk
"$w" key generate --pkcs11 "$tok;object=agency-p256" --alg p256 >agency-p256.pub.jwk
grep -q '"crv":"P-256"' agency-p256.pub.jwk && grep -q '"crv":"Ed25519"' agency-ed.pub.jwk || fail "public JWKs"
for k in root agency-ed25519 agency-p256; do
  custody=$("$w" key public --json "$tok;object=$k")
  grep -q '"extractable": *false' <<<"$custody" && grep -q '"sensitive": *true' <<<"$custody" \
    && grep -q '"never_extractable": *true' <<<"$custody" && grep -q '"value_readable": *false' <<<"$custody" \
    || fail "$k custody: $custody"
  echo "$k: not extractable, sensitive, never extractable, value not readable"
done

echo "== error codes"
expect_code hsm.key_exists "$w" key generate --pkcs11 "$tok;object=agency-p256" --alg p256
expect_code hsm.mechanism_not_supported "$w" key generate --pkcs11 "$tok;object=sm2" --alg sm2
expect_code hsm.object_not_found "$w" key public "$tok;object=nobody"
expect_code hsm.token_not_found "$w" key public "pkcs11:token=no-such-token;object=root"
expect_code hsm.uri "$w" key public "$tok;object=root?pin-value=246810"
WALLET_PKCS11_PIN=000000 expect_code hsm.wrong_pin "$w" key public "$tok;object=root"
WALLET_PKCS11_MODULE=/nonexistent/libpkcs11.so expect_code hsm.module "$w" key public "$tok;object=root"

echo "== trust list signed by the token's root key"
"$w" trust init --out tl.draft.json >/dev/null 2>&1
"$w" trust add-issuer --list tl.draft.json --iss https://ga.sh.gov.cn --name-zh 上海市公安局 \
  --name-en "Shanghai PSB" --key agency-ed.pub.jwk --types driving-licence --not-before 2025-01-01 2>/dev/null
"$w" trust add-issuer --list tl.draft.json --iss https://jtgl.sh.gov.cn --name-zh 上海市交通委 \
  --name-en "Shanghai Transport" --key agency-p256.pub.jwk --types driving-licence --not-before 2025-01-01 2>/dev/null
"$w" trust sign --list tl.draft.json --root-key "$tok;object=root" --out trust-list.jwt --now "$T0"

echo "== issue, batch-issue and publish with token keys"
"$w" status init --uri https://ga.sh.gov.cn/status/1 --out ed.registry --capacity 65536 >/dev/null 2>&1
"$w" status init --uri https://jtgl.sh.gov.cn/status/1 --out p256.registry --capacity 65536 >/dev/null 2>&1
export WALLET_PASSPHRASE=hsm-check-passphrase
"$w" holder init --store store >/dev/null 2>&1
"$w" holder new-key --store store >holder.pub.jwk 2>/dev/null
claims='{"name": "张三", "sex": "男", "nationality": "CHN", "birth_date": "1990-03-15", "address": "上海市浦东新区花木路1000弄10号1201室", "licence_number": "310115199003151239", "licence_class": "C1", "first_issue_date": "2012-08-20", "valid_from": "2018-08-20", "valid_until": "2028-08-20"}'
echo "$claims" >claims.json
"$w" issue --issuer-key "$tok;object=agency-ed25519" --iss https://ga.sh.gov.cn --type driving-licence \
  --claims claims.json --holder-jwk holder.pub.jwk --status-registry ed.registry --now "$T0" --out ed.sd-jwt
n=${HSM_BATCH_LINES:-4000}
holder=$(cat holder.pub.jwk)
python3 - "$n" "$holder" <<'PY' >batch.jsonl
import json, sys
n, holder = int(sys.argv[1]), json.loads(sys.argv[2])
claims = json.load(open("claims.json"))
for _ in range(n):
    print(json.dumps({"claims": claims, "holder_jwk": holder}, ensure_ascii=False))
PY
"$w" key generate --out file-key.pem --alg p256 >/dev/null 2>&1
rate() { # rate OUT KEY: issue-batch of batch.jsonl, prints credentials/s
  local start end
  start=$(date +%s.%N)
  "$w" issue-batch --issuer-key "$2" --iss https://jtgl.sh.gov.cn --type driving-licence \
    --input batch.jsonl --output "$1" --no-status --now "$T0" --jobs 2 2>/dev/null
  end=$(date +%s.%N)
  [ "$(wc -l <"$1")" = "$n" ] || fail "$1 has $(wc -l <"$1") lines, expected $n"
  python3 -c "print(f'{$n / ($end - $start):.0f}')"
}
# The Ed25519 token key batch-issues too (a quarter of the lines).
head -n $((n / 4)) batch.jsonl >quarter.jsonl
"$w" issue-batch --issuer-key "$tok;object=agency-ed25519" --iss https://ga.sh.gov.cn --type driving-licence \
  --input quarter.jsonl --output ed-batch.jsonl --status-registry ed.registry --now "$T0" --jobs 2 2>/dev/null
[ "$(wc -l <ed-batch.jsonl)" = $((n / 4)) ] || fail "ed-batch.jsonl"
hsm_rate=$(rate hsm-batch.jsonl "$tok;object=agency-p256")
file_rate=$(rate file-batch.jsonl file-key.pem)
echo "issue-batch, $n P-256 licences, 2 jobs: token key $hsm_rate /s, key file $file_rate /s (same run)"
"$w" status publish --status-registry ed.registry --issuer-key "$tok;object=agency-ed25519" \
  --iss https://ga.sh.gov.cn --out status-list.jwt --now "$T0" 2>/dev/null
"$w" status cache status-list.jwt --status-cache cache --trust-list trust-list.jwt \
  --trust-root root.pub.jwk --now "$T0" >/dev/null 2>&1

echo "== the token removed mid-batch: the batch stops at the first unsigned line, resumes once it is back"
m=$((n * 4))
for _ in 1 2 3 4; do cat batch.jsonl; done >long.jsonl
batch() { "$w" issue-batch --issuer-key "$tok;object=agency-p256" --iss https://jtgl.sh.gov.cn \
  --type driving-licence --input long.jsonl --output long-out.jsonl --no-status --now "$T0" --jobs 2 "$@"; }
rc=0
batch 2>removed.log &
pid=$!
# Pull the token once part of the batch is durable.
for _ in $(seq 1 600); do
  [ "$(cat long-out.jsonl.partial 2>/dev/null | wc -l)" -ge $((n / 2)) ] && break
  sleep 0.05
done
mv tokens tokens.away
wait "$pid" || rc=$?
mv tokens.away tokens
[ "$rc" = 2 ] && grep -q "hsm.token_removed" removed.log || fail "removal: exit $rc: $(cat removed.log)"
grep -o "the signer failed at line [0-9]*" removed.log || fail "no stopping line in: $(cat removed.log)"
batch --resume 2>resumed.log || fail "resume: $(cat resumed.log)"
python3 - "$m" <<'PY' || fail "resumed output"
import json, sys
m = int(sys.argv[1])
lines = [json.loads(l)["line"] for l in open("long-out.jsonl")]
assert lines == list(range(1, m + 1)), (len(lines), len(set(lines)))
print(f"resumed: {len(lines)} lines, each issued once, in order")
PY

echo "== verified: a token-signed credential of each algorithm, under the token-signed trust list"
python3 -c "import json; print(json.loads(open('hsm-batch.jsonl').readline())['credential'])" >p256.sd-jwt
python3 -c "import json; print(json.loads(open('ed-batch.jsonl').readline())['credential'])" >ed-batch.sd-jwt
"$w" holder import --store store ed.sd-jwt --trust-list trust-list.jwt --trust-root root.pub.jwk --now "$T0" >/dev/null
"$w" holder import --store store p256.sd-jwt --trust-list trust-list.jwt --trust-root root.pub.jwk --now "$T0" >/dev/null
"$w" holder import --store store ed-batch.sd-jwt --trust-list trust-list.jwt --trust-root root.pub.jwk --now "$T0" >/dev/null
ids=($("$w" holder list --store store --json | python3 -c 'import json,sys; print(" ".join(c["id"] for c in json.load(sys.stdin)["credentials"]))'))
[ "${#ids[@]}" = 3 ] || fail "store holds ${#ids[@]} credentials"
verified=0
for id in "${ids[@]}"; do
  payload=$("$w" present --store store --credential "$id" --disclose name,licence_class --now "$T1")
  out=$("$w" verify --payload "$payload" --trust-list trust-list.jwt --trust-root root.pub.jwk \
    --status-cache cache --allow-no-status --now "$T1" 2>/dev/null) || fail "verify $id: $out"
  grep -q "^VALID" <<<"$out" || fail "verify $id: $out"
  verified=$((verified + 1))
done
echo "hsm check: 3 token keys, 7 refusals with their codes, 1 token removal resumed, $verified token-signed credentials verified, 0 failed"
