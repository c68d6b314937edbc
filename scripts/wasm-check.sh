#!/usr/bin/env bash
# The WebAssembly package against the Rust results (issue 20): builds it (scripts/build-wasm.sh:
# the verifier module within its size budget, the scanner module), writes a fresh web-verifier
# fixture with wallet-core, then runs the Node test (wallet-wasm/js/test/vectors.test.mjs):
# every test vector through the package, the fixture's reports compared with wallet-core's,
# the camera path, the replay history across a reload, the holder side, and a WeChat-like
# runtime without TextDecoder, fetch, crypto or WebAssembly.
#
# usage: scripts/wasm-check.sh [PKG_OUT]   (default web/verifier/pkg)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cert-wallet-target}"
pkg="${1:-web/verifier/pkg}"
bash scripts/build-wasm.sh "$pkg"
fixture=$(mktemp -d)
trap 'rm -rf "$fixture"' EXIT
cargo run --quiet -p wallet-wasm --example web_fixture -- "$fixture"
PKG="$pkg" WEB_FIXTURE="$fixture" node --test wallet-wasm/js/test/vectors.test.mjs
