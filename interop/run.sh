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
venv="interop/.venv"
py="$venv/bin/python"

say() { printf '\n==> %s\n' "$*"; }

# ---------------------------------------------------------------- Python peer (venv)
say "Python peer: $venv (interop/python/requirements.txt)"
req="interop/python/requirements.txt"
req_sum="$(sha256sum "$req" | cut -d' ' -f1)"
stamp="$venv/.interop-requirements.sha256"
if [[ -x "$py" ]] && [[ -f "$stamp" ]] && [[ "$(cat "$stamp")" == "$req_sum" ]] \
    && "$py" -c 'import sd_jwt.verifier, jwcrypto.jwk' 2>/dev/null; then
  echo "reusing existing venv"
else
  if [[ ! -x "$py" ]]; then
    echo "+ python3 -m venv $venv"
    python3 -m venv "$venv"
  fi
  echo "+ $venv/bin/pip install -r $req"
  "$py" -m pip install --disable-pip-version-check --quiet -r "$req"
  echo "$req_sum" > "$stamp"
fi
sd_jwt_version="$("$py" -c 'import importlib.metadata as m; print(m.version("sd-jwt"))')"
[[ "$sd_jwt_version" == "0.10.4" ]] || { echo "sd-jwt in $venv is $sd_jwt_version, not 0.10.4" >&2; exit 1; }
echo "sd-jwt $sd_jwt_version, jwcrypto $("$py" -c 'import importlib.metadata as m; print(m.version("jwcrypto"))')"

# ---------------------------------------------------------- TypeScript peer (npm)
say "TypeScript peer: interop/node_modules (interop/package-lock.json)"
lock_sum="$(sha256sum interop/package.json interop/package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)"
nm_stamp="interop/node_modules/.interop-lock.sha256"
if [[ -f "$nm_stamp" ]] && [[ "$(cat "$nm_stamp")" == "$lock_sum" ]] \
    && (cd interop && npm ls --all >/dev/null 2>&1); then
  echo "reusing existing node_modules"
else
  if [[ -f interop/package-lock.json ]]; then
    echo "+ (cd interop && npm ci)"
    (cd interop && npm ci --no-audit --no-fund)
  else
    echo "+ (cd interop && npm install)"
    (cd interop && npm install --no-audit --no-fund)
    lock_sum="$(sha256sum interop/package.json interop/package-lock.json | sha256sum | cut -d' ' -f1)"
  fi
  echo "$lock_sum" > "$nm_stamp"
fi
(cd interop && npm ls @sd-jwt/sd-jwt-vc @sd-jwt/crypto-nodejs @sd-jwt/jwt-status-list)

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
