#!/usr/bin/env bash
# Builds the WebAssembly verifier and serves the web verifier page (web/verifier/) on
# http://127.0.0.1:PORT (default 8080) — the README's third command. A service worker needs
# http(s) or localhost, so the page is served rather than opened as a file; after the first load
# it works offline.
#
# --demo also writes a demo setup (a trust list, its pinned root, a status list) and show-
# certificate codes into web/verifier/demo/ and prints the page address that loads it; the
# codes' freshness window is 90 s, so run it again for fresh ones.
#
# usage: scripts/web-verifier.sh [--demo] [PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cert-wallet-target}"
demo=false
if [ "${1:-}" = "--demo" ]; then demo=true; shift; fi
port="${1:-8080}"
bash scripts/build-wasm.sh web/verifier/pkg
url="http://127.0.0.1:$port/"
if $demo; then
  rm -rf web/verifier/demo
  cargo run --quiet -p wallet-wasm --example web_fixture -- web/verifier/demo
  url="${url}?bundle=demo/setup/bundle.json"
  echo "demo codes: web/verifier/demo/camera/*.png (show them to the camera) and the payloads in web/verifier/demo/cases.json (paste them)"
fi
echo "web verifier: $url  (Ctrl-C stops the server)"
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory web/verifier
