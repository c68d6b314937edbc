#!/usr/bin/env bash
# Module import graphs of the workspace's crates; exits 1 on a module cycle.
#   scripts/module-graph.sh               the gate CI runs: wallet-core, wallet-cli and wallet-ffi,
#     each failing on any cycle
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
  for root in wallet-core/src wallet-cli/src wallet-ffi/src; do
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

echo "module-graph self-test: cycle rejected, acyclic accepted"
