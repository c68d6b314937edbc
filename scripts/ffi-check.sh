#!/usr/bin/env bash
# Checks of the C FFI (wallet-ffi) beyond `cargo test`, run by .ci/run:
#   1. the shared library exports only `wallet_` symbols, exactly the functions the header declares;
#   2. the C test program (wallet-ffi/tests/c/wallet_test.c) under AddressSanitizer + UBSan;
#   3. the same program under valgrind: zero errors, zero definite or indirect leaks;
#   4. the Java JNA client (wallet-ffi/tests/jna) for a holder and a verifier flow.
# The header drift check and the plain C test run inside `cargo test --workspace`.
# Installs what it needs (valgrind, libssl-dev, libjna-java) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cert-wallet-target}"
export CARGO_TERM_COLOR=never

need=()
command -v valgrind >/dev/null || need+=(valgrind)
[ -e /usr/include/openssl/evp.h ] || need+=(libssl-dev)
[ -e /usr/share/java/jna.jar ] || need+=(libjna-java)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

cargo build --quiet -p wallet-ffi
lib_dir="$CARGO_TARGET_DIR/debug"
lib="$lib_dir/libwallet_ffi.so"
data=wallet-ffi/tests/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== exported symbols (nm -D $lib)"
nm -D --defined-only "$lib" | awk '{print $NF}' | sort -u >"$tmp/exported"
if grep -v '^wallet_' "$tmp/exported"; then
  echo "error: the symbols above are exported without the wallet_ prefix" >&2
  exit 1
fi
grep -oE '\bwallet_[a-z0-9_]+\(' wallet-ffi/include/wallet.h | tr -d '(' | sort -u >"$tmp/declared"
if ! diff -u "$tmp/declared" "$tmp/exported"; then
  echo "error: exported functions differ from those declared in wallet-ffi/include/wallet.h" >&2
  exit 1
fi
echo "$(wc -l <"$tmp/exported") symbols exported, all wallet_-prefixed and declared in wallet.h"
# The static library carries Rust's own symbols too (a linker resolves them); check ours are there.
missing=$(nm --defined-only "$lib_dir/libwallet_ffi.a" 2>/dev/null | awk '$2 == "T" {print $3}' \
  | sort -u | comm -13 - "$tmp/declared")
if [ -n "$missing" ]; then
  echo "error: libwallet_ffi.a lacks: $missing" >&2
  exit 1
fi
echo "libwallet_ffi.a defines all of them"

cflags=(-std=c11 -g -Wall -Wextra -Werror -Wno-unused-parameter -I wallet-ffi/include)
link=(-L "$lib_dir" "-Wl,-rpath,$lib_dir" -lwallet_ffi -lcrypto -pthread)

echo "== C test under AddressSanitizer + UndefinedBehaviorSanitizer"
cc "${cflags[@]}" -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
  -fno-omit-frame-pointer wallet-ffi/tests/c/wallet_test.c -o "$tmp/wallet_test_asan" "${link[@]}"
mkdir "$tmp/asan"
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  env -u LD_LIBRARY_PATH "$tmp/wallet_test_asan" "$data" "$tmp/asan"

echo "== C test under valgrind"
cc "${cflags[@]}" -O0 wallet-ffi/tests/c/wallet_test.c -o "$tmp/wallet_test" "${link[@]}"
mkdir "$tmp/valgrind"
env -u LD_LIBRARY_PATH valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
  --error-exitcode=1 --log-file="$tmp/valgrind.log" \
  "$tmp/wallet_test" "$data" "$tmp/valgrind" || { cat "$tmp/valgrind.log"; exit 1; }
grep -E "ERROR SUMMARY|definitely lost|indirectly lost|in use at exit|All heap blocks" \
  "$tmp/valgrind.log" | sed 's/^==[0-9]*== */valgrind: /'

echo "== Java client through JNA"
mkdir "$tmp/jna" "$tmp/jna-work"
javac -d "$tmp/jna" -cp /usr/share/java/jna.jar wallet-ffi/tests/jna/WalletJna.java
java -cp "$tmp/jna:/usr/share/java/jna.jar" -Djna.library.path="$lib_dir" \
  WalletJna "$data" "$tmp/jna-work"

echo "ffi checks passed"
