#!/usr/bin/env bash
# Issue 17 interop: independent implementations check our ES256, SM2 and SM3 output.
# See interop/README.md, "Issue 17: ES256, SM2 and the GM profile".
#
# Usage: interop/gm.sh
#
# 1. sets up the peers (interop/setup.sh: the venv, node_modules with sm-crypto 0.5.8)
# 2. writes the cases with `cargo run -p wallet-core --example gm_interop -- DIR` (GM profile
#    SM2 + sm3, ES256 + ES256 key binding, sm3 with Ed25519 and ES256 keys), each verified by
#    wallet-core first
# 3. Python sd-jwt 0.10.4 verifies the ES256 case (ES256 key binding, expected claims)
# 4. Python sd-jwt 0.10.4 refuses the sm3 cases with an exception, never a payload
# 5. @sd-jwt/sd-jwt-vc 0.19.0 (SM3 from node:crypto, SM2 from sm-crypto) verifies every case
# 6. sm-crypto verifies our SM2 signatures as plain JWS; SM3 digests and sd_hash recomputed
# Every check runs even if an earlier one failed and prints its duration; exit 1 if any failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
source interop/setup.sh
(cd interop && npm ls sm-crypto)

cases="$(mktemp -d "${TMPDIR:-/tmp}/interop-gm.XXXXXX")"
trap 'rm -rf "$cases"' EXIT
say "wallet-core writes the issue 17 cases into $cases"
t0=$(date +%s%N)
cargo run --quiet -p wallet-core --example gm_interop -- "$cases"
echo "(cases written in $(( ($(date +%s%N) - t0) / 1000000 )) ms, build included)"

failed=()
step() {
  local name="$1"; shift
  say "$name"
  echo "+ $*"
  local t0 t1
  t0=$(date +%s%N)
  if "$@"; then
    t1=$(date +%s%N)
    echo "--- $name: OK ($(( (t1 - t0) / 1000000 )) ms)"
  else
    t1=$(date +%s%N)
    echo "--- $name: FAILED ($(( (t1 - t0) / 1000000 )) ms)"
    failed+=("$name")
  fi
}

step "Python sd-jwt 0.10.4 verifies our ES256 credential with ES256 key binding" \
  "$py" interop/python/verify_vectors.py "$cases"
step "Python sd-jwt 0.10.4 refuses Ed25519/ES256 credentials with _sd_alg sm3 (exception, no payload)" \
  "$py" interop/python/refuse_sm3.py "$cases"
step "TypeScript @sd-jwt/sd-jwt-vc 0.19.0 (SM3: node:crypto, SM2: sm-crypto) verifies every case" \
  node interop/ts/verify_vectors.mjs "$cases"
step "sm-crypto 0.5.8 verifies our SM2 JWS signatures; SM3 digests and sd_hash recomputed" \
  node interop/ts/gm_checks.mjs "$cases"

say "summary"
if ((${#failed[@]})); then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "all issue 17 interop checks passed"
