#!/usr/bin/env bash
# Signature speed per key algorithm: wallet-core (examples/alg_speed.rs, release build) and
# OpenSSL's `openssl speed` for the same algorithms, in one run on one machine, so the two can be
# compared (docs/performance.md, "Key algorithms").
# Usage: scripts/alg-speed.sh [MILLISECONDS-PER-MEASUREMENT]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cargo build -q --release -p wallet-core --example alg_speed
bin="${CARGO_TARGET_DIR:-$root/target}/release/examples/alg_speed"
echo "== wallet-core (median µs per operation)"
"$bin" "${1:-1500}"
echo "== $(openssl version)"
openssl speed -seconds 3 ecdsap256 sm2 ed25519 2>/dev/null | grep -E "^ *(sign|[0-9]+ bits|256 bits|253 bits)|ecdsa|EdDSA|SM2" || true
