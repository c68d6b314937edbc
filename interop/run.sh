#!/usr/bin/env bash
# Interoperability harness: our SD-JWT VC vectors against independent implementations, and
# theirs against us. See interop/README.md.
#
# Usage: interop/run.sh [VECTORS_DIR]     (VECTORS_DIR relative to the repository root,
#                                          default test-vectors/credentials)
#
# 1. sets up the peers, reusing what is already installed and complete:
#      interop/.venv         python3 venv with interop/python/requirements.txt (sd-jwt==0.10.4)
#      interop/node_modules  npm ci from interop/package-lock.json (@sd-jwt/* 0.19.0)
# 2. Python peer verifies every valid vector in VECTORS_DIR
# 3. TypeScript peer verifies every valid vector in VECTORS_DIR
# 4. Python peer issues credentials + presentations into a temporary directory (and
#    verifies them with itself and with the TypeScript peer)
# 5. our Rust verifier checks those: cargo run -p wallet-core --example check_vector
# Every step runs even if an earlier check step failed; the script exits 1 if any failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

vectors="${1:-test-vectors/credentials}"
source interop/setup.sh

# ------------------------------------------------------------------- the checks
failed=()
step() {
  local name="$1"; shift
  say "$name"
  echo "+ $*"
  if "$@"; then
    echo "--- $name: OK"
  else
    echo "--- $name: FAILED"
    failed+=("$name")
  fi
}

step "Python sd-jwt 0.10.4 verifies our vectors ($vectors)" \
  "$py" interop/python/verify_vectors.py "$vectors"
step "TypeScript @sd-jwt/sd-jwt-vc 0.19.0 verifies our vectors ($vectors)" \
  node interop/ts/verify_vectors.mjs "$vectors"

tmpdir="$(mktemp -d "${TMPDIR:-/tmp}/interop-python-issued.XXXXXX")"
trap 'rm -rf "$tmpdir"' EXIT
step "Python sd-jwt 0.10.4 issues credentials and presentations into $tmpdir" \
  "$py" interop/python/issue_credentials.py "$tmpdir"
step "TypeScript @sd-jwt/sd-jwt-vc 0.19.0 verifies the Python-issued presentations" \
  node interop/ts/verify_vectors.mjs "$tmpdir"
step "Rust wallet-core verifies the Python-issued presentations" \
  cargo run --quiet -p wallet-core --example check_vector -- "$tmpdir"

say "summary"
if ((${#failed[@]})); then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "all interop checks passed"
