#!/usr/bin/env bash
# Interoperability of ES256 and SM2 JWS signatures with OpenSSL 3 (an independent
# implementation), both ways:
#   1. OpenSSL reads our PKCS#8 PEM keys and verifies our JWS signatures
#      (`openssl pkeyutl -verify -rawin`, DER signatures; SM2 with SM3 and the distinguishing
#      ID 1234567812345678, which OpenSSL only uses when told with -pkeyopt distid:...);
#   2. we read OpenSSL-made keys (`openssl genpkey`) and verify JWS signed by OpenSSL.
# A negative control: an SM2 signature OpenSSL made without the distid option (another ID) is
# refused by us.
# Usage: scripts/openssl-interop.sh      (exit 0 only if every check behaves as stated)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cargo build -q -p wallet-core --example alg_interop
bin="${CARGO_TARGET_DIR:-$root/target}/debug/examples/alg_interop"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
echo "$(openssl version)"

for alg in es256 sm2; do
  case $alg in
    es256) digest=(-digest sha256); genkey=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256); name=ES256 ;;
    sm2) digest=(-digest sm3 -pkeyopt distid:1234567812345678); genkey=(-algorithm SM2); name=SM2 ;;
  esac
  d="$work/$alg"; mkdir -p "$d/ours" "$d/theirs"

  # 1. Ours, checked by OpenSSL.
  "$bin" sign "$alg" "$d/ours"
  openssl pkey -in "$d/ours/key.pem" -noout
  openssl pkey -in "$d/ours/key.pem" -pubout -out "$d/ours/pub.pem"
  printf '%s: OpenSSL verifies our JWS signature: ' "$name"
  openssl pkeyutl -verify -rawin -pubin -inkey "$d/ours/pub.pem" "${digest[@]}" \
    -sigfile "$d/ours/sig.der" -in "$d/ours/input"

  # 2. OpenSSL's, checked by us.
  openssl genpkey "${genkey[@]}" -out "$d/theirs/key.pem" 2>/dev/null
  header=$(printf '{"alg":"%s","typ":"JWT"}' "$name" | b64url)
  payload=$(printf '{"iss":"https://openssl.example","n":2}' | b64url)
  printf '%s.%s' "$header" "$payload" > "$d/theirs/input"
  openssl pkeyutl -sign -rawin -inkey "$d/theirs/key.pem" "${digest[@]}" \
    -in "$d/theirs/input" -out "$d/theirs/sig.der"
  printf '%s: we verify a JWS signed by OpenSSL: ' "$name"
  "$bin" verify "$d/theirs/key.pem" "$d/theirs/input" "$d/theirs/sig.der"
done

# Negative control: SM2 signed by OpenSSL with its default ID instead of 1234567812345678.
d="$work/sm2/theirs"
openssl pkeyutl -sign -rawin -inkey "$d/key.pem" -digest sm3 -in "$d/input" -out "$d/other-id.der"
printf 'SM2 signed by OpenSSL without distid (another ID): '
if "$bin" verify "$d/key.pem" "$d/input" "$d/other-id.der"; then
  echo "ERROR: accepted" >&2; exit 1
fi
echo "all interop checks passed"
