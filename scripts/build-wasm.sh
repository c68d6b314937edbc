#!/usr/bin/env bash
# Builds the WebAssembly verifier package: wallet-wasm for wasm32-unknown-unknown (profile
# `wasm`: size first), wasm-bindgen's ES-module glue, and our wrapper (wallet-wasm/js/), into
# OUT (default web/verifier/pkg, which the web verifier page loads; also an npm package:
# `npm pack OUT`). Prints the .wasm size and fails above the budget in docs/web-verifier.md.
#
# Installs what it needs: the wasm32 target (rustup) and the wasm-bindgen CLI at exactly the
# version of the wasm-bindgen crate in Cargo.lock (`cargo install`; a different version writes
# glue the module does not match). Not wasm-pack: its npm package downloads binaries.
#
# usage: scripts/build-wasm.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-web/verifier/pkg}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cert-wallet-target}"
# gzip budget of the verifier module, bytes (docs/web-verifier.md, "Size").
budget=$((400 * 1024))

version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$version" ] || { echo "build-wasm: no wasm-bindgen in Cargo.lock" >&2; exit 1; }
root="$HOME/.cache/wasm-bindgen-cli-$version"
bindgen="$root/bin/wasm-bindgen"
if ! "$bindgen" --version 2>/dev/null | grep -qx "wasm-bindgen $version"; then
  echo "build-wasm: installing wasm-bindgen-cli $version into $root"
  # Not --locked: the CLI's own lock file names a yanked webpki-roots release.
  cargo install --quiet wasm-bindgen-cli --version "$version" --root "$root"
fi
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

mkdir -p "$out"
# Two modules from one crate: the verifier (budgeted) and the scanner, which a page loads only
# where the browser has no BarcodeDetector.
for module in verifier:wallet_wasm scanner:wallet_scan; do
  feature=${module%%:*} name=${module##*:}
  cargo build --quiet -p wallet-wasm --no-default-features --features "$feature" \
    --target wasm32-unknown-unknown --profile wasm
  "$bindgen" --target web --out-dir "$out" --out-name "$name" \
    --remove-name-section --remove-producers-section \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm/wallet_wasm.wasm"
  # WeChat's WXWebAssembly on iOS cannot export globals; the glue uses none of them.
  node wallet-wasm/js/strip-global-exports.mjs "$out/${name}_bg.wasm"
done
cp wallet-wasm/js/wallet.js wallet-wasm/js/wallet.d.ts wallet-wasm/js/text.js wallet-wasm/js/README.md "$out/"
crate_version=$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)
sed "s/\"version\": \"0.0.0\"/\"version\": \"$crate_version\"/" wallet-wasm/js/package.json > "$out/package.json"

size() { echo "$(stat -c %s "$1") bytes, $(gzip -9c "$1" | wc -c) gzip -9"; }
gz=$(gzip -9c "$out/wallet_wasm_bg.wasm" | wc -c)
echo "wasm: verifier $out/wallet_wasm_bg.wasm $(size "$out/wallet_wasm_bg.wasm") (budget $budget): $([ "$gz" -le "$budget" ] && echo within || echo OVER)"
echo "wasm: scanner $out/wallet_scan_bg.wasm $(size "$out/wallet_scan_bg.wasm") (loaded only without BarcodeDetector)"
[ "$gz" -le "$budget" ]
