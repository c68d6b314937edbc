#!/usr/bin/env bash
# Real-browser check of the web verifier page (web/verifier/): builds the WebAssembly package,
# makes fresh test codes (wallet-wasm's web_fixture example: valid, revoked, stale, tampered,
# with the Rust verifier's report for each), serves the page and the fixture on 127.0.0.1 and
# runs headless Chromium once per camera video (web/tests/verifier.test.mjs). Every screen is
# read back from the DOM and compared with the Rust report; a screenshot of each is kept.
#
# Installs what it needs and lacks: Debian's chromium and, when no font covers Chinese,
# fonts-noto-cjk (apt-get), and web/tests' pinned playwright-core (npm ci; it downloads no
# browser). The codes' key binding is valid for 60 s (+30 s skew), so the fixture is made
# right before the browser runs.
#
# usage: scripts/web-check.sh [OUTDIR]   screenshots go to OUTDIR, else $WEB_CHECK_OUT, else a
#                                        new directory under /tmp (printed at the end)
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s%3N)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cert-wallet-target}"
chromium=${CHROMIUM:-/usr/bin/chromium}

apt_install() {
  echo "web-check: installing $* (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "$@" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$@" >/dev/null; }
}
[ -x "$chromium" ] || apt_install chromium
# Without a CJK font Chromium draws the Chinese text as boxes, and the screenshots say nothing.
[ -n "$(fc-list :lang=zh 2>/dev/null)" ] || apt_install fonts-noto-cjk

bash scripts/build-wasm.sh
(cd web/tests && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

work=$(mktemp -d /tmp/web-check-fixture.XXXXXX)
trap 'rm -rf "$work"' EXIT
out=${1:-${WEB_CHECK_OUT:-$(mktemp -d /tmp/web-check.XXXXXX)}}
mkdir -p "$out"

cargo build --quiet -p wallet-wasm --example web_fixture
cargo run --quiet -p wallet-wasm --example web_fixture -- "$work"

WEB_CHECK_STARTED=$started node web/tests/verifier.test.mjs --fixture "$work" --out "$out" --chromium "$chromium"
