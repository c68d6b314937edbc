#!/usr/bin/env bash
# Module import graphs of the workspace's crates; exits 1 on a module cycle.
#   scripts/module-graph.sh               the gate CI runs: wallet-core, wallet-cli, wallet-ffi and wallet-wasm,
#     each failing on any cycle, and wallet-core also on an import that does not go down the
#     layers of scripts/module-graph-layers.txt
#   scripts/module-graph.sh OPTIONS       one crate: options go to scripts/module-graph.py
#     (--root DIR, --depth N); see its docstring
#   scripts/module-graph.sh --self-test   checks the checker on scripts/module-graph-fixtures:
#     `cycle` must be rejected (exit 1) and `acyclic` accepted (exit 0) with exactly the edges in
#     acyclic/expected-edges.txt (its comments, strings and #[cfg(test)] code would close a cycle
#     if they were read as imports).
set -euo pipefail
cd "$(dirname "$0")/.."
checker=scripts/module-graph.py
fixtures=scripts/module-graph-fixtures

if [ $# -eq 0 ]; then
  rc=0
  python3 "$checker" --root wallet-core/src --layers scripts/module-graph-layers.txt \
    | grep -E '^cycle \(|^layer: |^# ' || rc=1
  for root in wallet-cli/src wallet-ffi/src wallet-wasm/src; do
    python3 "$checker" --root "$root" | grep -E '^cycle \(|^# ' || rc=1
  done
  exit "$rc"
fi
if [ "$1" != "--self-test" ]; then
  exec python3 "$checker" "$@"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "module-graph self-test: $*" >&2; exit 1; }

rc=0
python3 "$checker" --root "$fixtures/cycle/src" >"$tmp/cycle.out" || rc=$?
[ "$rc" -eq 1 ] || { cat "$tmp/cycle.out" >&2; fail "cycle fixture: exit $rc, expected 1"; }
grep -qx 'cycle (3 modules): crate::a -> crate::b::leaf -> crate::b -> crate::a' "$tmp/cycle.out" \
  || { cat "$tmp/cycle.out" >&2; fail "cycle fixture: the a -> b::leaf -> b -> a cycle is not reported"; }

rc=0
python3 "$checker" --root "$fixtures/acyclic/src" >"$tmp/acyclic.out" || rc=$?
[ "$rc" -eq 0 ] || { cat "$tmp/acyclic.out" >&2; fail "acyclic fixture: exit $rc, expected 0"; }
grep -v '^#' "$tmp/acyclic.out" | diff -u "$fixtures/acyclic/expected-edges.txt" - >&2 \
  || fail "acyclic fixture: edges differ from expected-edges.txt"

# Layers: the acyclic fixture ranked as it is built passes; ranked with `mid` above `top` (so
# top -> mid goes up), or with a module left unranked, it fails.
printf 'crate::base 0\ncrate::mid 1\ncrate::top 2\ncrate::extra 3\ncrate 9\n' >"$tmp/layers-ok"
python3 "$checker" --root "$fixtures/acyclic/src" --layers "$tmp/layers-ok" >/dev/null \
  || fail "acyclic fixture: correct layers refused"
printf 'crate::base 0\ncrate::mid 2\ncrate::top 1\ncrate::extra 3\ncrate 9\n' >"$tmp/layers-up"
rc=0
python3 "$checker" --root "$fixtures/acyclic/src" --layers "$tmp/layers-up" >"$tmp/up.out" || rc=$?
[ "$rc" -eq 1 ] && grep -q '^layer: crate::top (rank 1) -> crate::mid (rank 2) goes up' "$tmp/up.out" \
  || { cat "$tmp/up.out" >&2; fail "acyclic fixture: an upward import was not refused"; }
printf 'crate::base 0\ncrate::mid 1\ncrate::top 2\ncrate 9\n' >"$tmp/layers-missing"
rc=0
python3 "$checker" --root "$fixtures/acyclic/src" --layers "$tmp/layers-missing" >/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "acyclic fixture: an unranked module was not refused"

echo "module-graph self-test: cycle rejected, acyclic accepted, upward and unranked imports refused"
