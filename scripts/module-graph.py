#!/usr/bin/env python3
"""Module import graph of a Rust crate's src/ directory, failing on any cycle.

Builds the module tree from lib.rs/main.rs (following `mod x;` to x.rs or x/mod.rs, inline
`mod x { ... }` blocks and `#[path = "..."]`), then draws an edge A -> B whenever the code of
module A refers to an item of module B: through `use` declarations (grouped, `self`/`super`/
`crate`, renames, globs, `pub use` re-exports) or through paths written inline in code
(`crate::x::Item`, `super::f()`, `self::sub::g()`, `alias::Item` after `use crate::x as alias`).
A path resolves to the longest existing module prefix; a name reached through a re-export
resolves to the module that defines it when that can be found.

Comments and string/char literals are removed by a small tokenizer (a regex over raw text would
see `crate::x` inside a doc comment or a string). Items marked `#[cfg(test)]` (the `mod tests`
blocks) are skipped: test code may import anything.

Output: the sorted edges `a -> b` (collapsed with --depth N), then each strongly connected
component of more than one module (Tarjan) as a closed walk `cycle: a -> b -> ... -> a` visiting
every module of the component, with one example `file:line` per edge. Exit status 1 if there is
a cycle, 0 if none, 2 on a usage or input error. Python 3 standard library only.
"""

import argparse
import os
import sys
from collections import deque

ITEM_KEYWORDS = {"fn", "struct", "enum", "trait", "type", "const", "static", "union"}
PATH_KEYWORDS = {"crate", "self", "super"}


class Tok:
    __slots__ = ("kind", "text", "line")

    def __init__(self, kind, text, line):
        self.kind = kind  # "id", "p" (punctuation), "str" (string literal, text = value), "lit"
        self.text = text
        self.line = line

    def __repr__(self):
        return f"{self.kind}:{self.text}@{self.line}"


def is_id_start(c):
    return c == "_" or c.isalpha()


def is_id_char(c):
    return c == "_" or c.isalnum()


def tokenize(src):
    """Tokens of Rust source without comments; literals become single tokens."""
    toks = []
    i, n, line = 0, len(src), 1

    def skip_quoted(j, quote):
        # j is just after the opening quote; returns index after the closing quote.
        nonlocal line
        while j < n:
            c = src[j]
            if c == "\\":
                if j + 1 < n and src[j + 1] == "\n":
                    line += 1
                j += 2
                continue
            if c == "\n":
                line += 1
            if c == quote:
                return j + 1
            j += 1
        return n

    while i < n:
        c = src[i]
        if c == "\n":
            line += 1
            i += 1
            continue
        if c.isspace():
            i += 1
            continue
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if src.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if src.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif src.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    if src[j] == "\n":
                        line += 1
                    j += 1
            i = j
            continue
        # raw strings r"..", r#".."#, br"..", cr"..", and raw identifiers r#name
        m = i
        if src[m] in "bc" and m + 1 < n and src[m + 1] == "r":
            m += 1
        if src[m] == "r" and m + 1 < n and src[m + 1] in "#\"":
            j = m + 1
            hashes = 0
            while j < n and src[j] == "#":
                hashes, j = hashes + 1, j + 1
            if j < n and src[j] == '"':
                start_line = line
                close = '"' + "#" * hashes
                k = src.find(close, j + 1)
                k = n if k < 0 else k
                value = src[j + 1 : k]
                line += value.count("\n")
                toks.append(Tok("str", value, start_line))
                i = k + len(close)
                continue
            if hashes == 1 and m == i and j < n and is_id_start(src[j]):
                k = j
                while k < n and is_id_char(src[k]):
                    k += 1
                toks.append(Tok("id", src[j:k], line))
                i = k
                continue
        # strings "..", b"..", c".."
        if c == '"' or (c in "bc" and i + 1 < n and src[i + 1] == '"'):
            start_line = line
            j = i + 1 if c == '"' else i + 2
            k = skip_quoted(j, '"')
            toks.append(Tok("str", src[j : k - 1], start_line))
            i = k
            continue
        # char / byte literals vs lifetimes
        if c == "'" or (c == "b" and i + 1 < n and src[i + 1] == "'"):
            j = i + 1 if c == "'" else i + 2
            if j < n and src[j] == "\\":
                toks.append(Tok("lit", "'", line))
                i = skip_quoted(j, "'")
                continue
            if j + 1 < n and src[j + 1] == "'":
                toks.append(Tok("lit", "'", line))
                i = j + 2
                continue
            # a lifetime or label: 'a
            k = j
            while k < n and is_id_char(src[k]):
                k += 1
            toks.append(Tok("lit", "'" + src[j:k], line))
            i = max(k, i + 1)
            continue
        if is_id_start(c):
            j = i
            while j < n and is_id_char(src[j]):
                j += 1
            toks.append(Tok("id", src[i:j], line))
            i = j
            continue
        if c.isdigit():
            j = i
            while j < n and (is_id_char(src[j]) or (src[j] == "." and j + 1 < n and src[j + 1].isdigit())):
                j += 1
            toks.append(Tok("lit", src[i:j], line))
            i = j
            continue
        if src.startswith("::", i):
            toks.append(Tok("p", "::", line))
            i += 2
            continue
        toks.append(Tok("p", c, line))
        i += 1
    return toks


def match_close(toks, i):
    """Index of the bracket closing the one at toks[i] (or len(toks))."""
    pairs = {"{": "}", "(": ")", "[": "]"}
    depth = 0
    for j in range(i, len(toks)):
        t = toks[j]
        if t.kind != "p":
            continue
        if t.text in pairs:
            depth += 1
        elif t.text in ("}", ")", "]"):
            depth -= 1
            if depth == 0:
                return j
    return len(toks)


def attr_is_test_only(attr):
    """True for #[cfg(test)] and #[cfg(all(test, ...))]; not for cfg(not(test)) or cfg(any(test, ..))."""
    words = [t.text for t in attr if t.kind == "id"]
    return bool(words) and words[0] == "cfg" and "test" in words and not {"not", "any"} & set(words)


def attr_path(attr):
    words = [t for t in attr if t.kind != "p" or t.text == "="]
    if len(words) >= 3 and words[0].kind == "id" and words[0].text == "path" and words[1].text == "=" and words[2].kind == "str":
        return words[2].text
    return None


class Module:
    def __init__(self, path, file, parent):
        self.path = path  # tuple of segments, ("crate", ...)
        self.file = file
        self.parent = parent
        self.children = {}  # name -> Module
        self.toks = []  # the module's own tokens, children's inline bodies excluded
        self.defs = set()  # names of items defined at the module's top level
        self.bindings = {}  # name -> (segments of the use path, line)
        self.globs = []  # (segments, line)
        self.uses = []  # (segments, line) of each use leaf, for edges

    @property
    def name(self):
        return "::".join(self.path)


class Crate:
    def __init__(self, src_dir):
        self.src_dir = src_dir
        self.modules = {}
        self.errors = []
        root_file = None
        for cand in ("lib.rs", "main.rs"):
            p = os.path.join(src_dir, cand)
            if os.path.isfile(p):
                root_file = p
                break
        if root_file is None:
            raise SystemExit(f"module-graph: no lib.rs or main.rs in {src_dir}")
        self.root = self.load_file(("crate",), root_file, None, src_dir)

    def rel(self, path):
        return os.path.relpath(path, os.getcwd())

    def load_file(self, path, file, parent, child_dir):
        mod = Module(path, file, parent)
        self.modules[path] = mod
        with open(file, encoding="utf-8") as f:
            toks = tokenize(f.read())
        # an inner #![cfg(test)] makes the whole file test-only
        if len(toks) > 3 and toks[0].text == "#" and toks[1].text == "!":
            end = match_close(toks, 2)
            if attr_is_test_only(toks[3:end]):
                toks = []
        self.parse_body(mod, toks, 0, len(toks), child_dir)
        return mod

    def parse_body(self, mod, toks, i, end, child_dir):
        """Fill mod from toks[i:end]: child modules, own tokens, top-level definitions."""
        attrs = []
        depth = 0
        while i < end:
            t = toks[i]
            if t.kind == "p" and t.text == "#" and i + 1 < end:
                inner = toks[i + 1].text == "!"
                b = i + 2 if inner else i + 1
                if b < end and toks[b].text == "[":
                    close = match_close(toks, b)
                    if not inner and depth == 0:
                        attrs.append(toks[b + 1 : close])
                    i = close + 1
                    continue
            if depth == 0 and any(attr_is_test_only(a) for a in attrs):
                i = self.skip_item(toks, i, end)
                attrs = []
                continue
            # visibility
            j = i
            if t.kind == "id" and t.text == "pub":
                j += 1
                if j < end and toks[j].text == "(":
                    j = match_close(toks, j) + 1
            if depth == 0 and j + 1 < end and toks[j].text == "mod" and toks[j + 1].kind == "id":
                name = toks[j + 1].text
                custom = next((p for p in map(attr_path, attrs) if p), None)
                sub_dir = os.path.join(child_dir, name)
                if j + 2 < end and toks[j + 2].text == ";":
                    file = self.find_mod_file(child_dir, name, custom)
                    if file is None:
                        self.errors.append(f"{self.rel(mod.file)}:{toks[j].line}: no file for `mod {name};`")
                    else:
                        is_mod_rs = os.path.basename(file) == "mod.rs" or custom is not None
                        d = os.path.dirname(file) if is_mod_rs else sub_dir
                        mod.children[name] = self.load_file(mod.path + (name,), file, mod, d)
                    mod.defs.add(name)
                    i = j + 3
                elif j + 2 < end and toks[j + 2].text == "{":
                    close = match_close(toks, j + 2)
                    child = Module(mod.path + (name,), mod.file, mod)
                    self.modules[child.path] = child
                    mod.children[name] = child
                    mod.defs.add(name)
                    inline_dir = os.path.join(child_dir, custom) if custom else sub_dir
                    self.parse_body(child, toks, j + 3, close, inline_dir)
                    i = close + 1
                else:
                    mod.toks.append(t)
                    i += 1
                attrs = []
                continue
            if depth == 0 and t.kind == "id":
                k = j
                while k < end and toks[k].kind == "id" and toks[k].text in ("unsafe", "async", "extern", "default"):
                    k += 1
                    if k < end and toks[k].kind == "str":
                        k += 1
                if k + 1 < end and toks[k].text in ITEM_KEYWORDS and toks[k + 1].kind == "id":
                    mod.defs.add(toks[k + 1].text)
                elif t.text == "macro_rules" and i + 2 < end and toks[i + 1].text == "!":
                    mod.defs.add(toks[i + 2].text)
            if t.kind == "p":
                if t.text in "{([":
                    depth += 1
                elif t.text in "})]":
                    depth -= 1
            if depth == 0 and t.kind == "p" and t.text in (";", "}"):
                attrs = []
            mod.toks.append(t)
            i += 1

    @staticmethod
    def skip_item(toks, i, end):
        while i < end:
            t = toks[i]
            if t.kind == "p" and t.text == ";":
                return i + 1
            if t.kind == "p" and t.text in "{([":
                close = match_close(toks, i)
                if t.text == "{":
                    return close + 1
                i = close + 1
                continue
            i += 1
        return end

    @staticmethod
    def find_mod_file(child_dir, name, custom):
        if custom:
            p = os.path.normpath(os.path.join(child_dir if not custom.startswith("/") else "", custom))
            return p if os.path.isfile(p) else None
        for cand in (os.path.join(child_dir, name + ".rs"), os.path.join(child_dir, name, "mod.rs")):
            if os.path.isfile(cand):
                return cand
        return None


def parse_use_tree(toks, i, prefix, out):
    """Parse a use tree at toks[i]; append (segments, alias or None, is_glob, line) to out.

    Returns the index after the tree."""
    segs = list(prefix)
    line = toks[i].line if i < len(toks) else 0
    if i < len(toks) and toks[i].text == "::":  # leading `::` (extern crate path)
        segs.append("::")
        i += 1
    while i < len(toks):
        t = toks[i]
        if t.kind == "id":
            segs.append(t.text)
            line = t.line
            i += 1
            if i < len(toks) and toks[i].text == "::":
                i += 1
                continue
            alias = None
            if i + 1 < len(toks) and toks[i].text == "as":
                alias = toks[i + 1].text
                i += 2
            if segs and segs[-1] == "self" and len(segs) > 1:
                segs.pop()
            out.append((segs, alias, False, line))
            return i
        if t.kind == "p" and t.text == "*":
            out.append((segs, None, True, t.line))
            return i + 1
        if t.kind == "p" and t.text == "{":
            i += 1
            while i < len(toks) and toks[i].text != "}":
                if toks[i].text == ",":
                    i += 1
                    continue
                i = parse_use_tree(toks, i, segs, out)
            return i + 1
        return i + 1
    return i


class Graph:
    def __init__(self, crate):
        self.crate = crate
        self.edges = {}  # (from, to) -> "file:line" of the first example
        for mod in crate.modules.values():
            self.collect_uses(mod)
        for mod in crate.modules.values():
            self.collect_edges(mod)

    def collect_uses(self, mod):
        toks = mod.toks
        i = 0
        keep = []
        while i < len(toks):
            t = toks[i]
            if t.kind == "id" and t.text == "use" and (i == 0 or toks[i - 1].text != "::"):
                out = []
                j = parse_use_tree(toks, i + 1, [], out)
                while j < len(toks) and toks[j].text != ";":
                    j += 1
                for segs, alias, glob, line in out:
                    if glob:
                        mod.globs.append((segs, line))
                        mod.uses.append((segs, line, True))
                        continue
                    if not segs:
                        continue
                    name = alias or segs[-1]
                    if name != "_":
                        mod.bindings.setdefault(name, (segs, line))
                    mod.uses.append((segs, line, False))
                i = j + 1
                continue
            keep.append(t)
            i += 1
        mod.code = keep

    # --- resolution -------------------------------------------------------------------------

    def absolute(self, mod, segs, seen):
        """(start module, remaining segments) for a path written in mod, or None if external."""
        if not segs or segs[0] == "::":
            return None
        first = segs[0]
        if first == "crate":
            return self.crate.root, segs[1:]
        if first == "self":
            return mod, segs[1:]
        if first == "super":
            cur, k = mod, 0
            while k < len(segs) and segs[k] == "super":
                if cur.parent is None:
                    return None
                cur, k = cur.parent, k + 1
            return cur, segs[k:]
        if first in mod.children:
            return mod.children[first], segs[1:]
        if first in mod.bindings:
            target = self.resolve_binding(mod, first, seen)
            if target is None:
                return None
            start, rest = target
            return start, rest + segs[1:]
        return None

    def resolve_binding(self, mod, name, seen):
        key = (mod.path, name)
        if key in seen:
            return None
        seen = seen | {key}
        segs, _ = mod.bindings[name]
        return self.absolute(mod, segs, seen)

    def walk(self, start, rest, seen):
        """The module that holds the item named by rest, starting at module start."""
        cur = start
        for idx, seg in enumerate(rest):
            if seg in cur.children:
                cur = cur.children[seg]
                continue
            if seg in cur.defs:
                return cur
            if seg in cur.bindings:
                target = self.resolve_binding(cur, seg, seen)
                if target is None:
                    return cur
                return self.walk(target[0], target[1] + list(rest[idx + 1 :]), seen | {(cur.path, seg)})
            for gsegs, _ in cur.globs:
                g = self.absolute(cur, gsegs, seen)
                if g is None:
                    continue
                gmod = self.walk(g[0], g[1], seen)
                if gmod is not None and gmod is not cur and (seg in gmod.defs or seg in gmod.bindings or seg in gmod.children):
                    return self.walk(gmod, list(rest[idx:]), seen | {(cur.path, "*" + seg)})
            return cur
        return cur

    def resolve(self, mod, segs):
        a = self.absolute(mod, segs, frozenset())
        if a is None:
            return None
        return self.walk(a[0], a[1], frozenset())

    def add_edge(self, mod, target, line):
        if target is None or target is mod:
            return
        key = (mod.name, target.name)
        where = f"{self.crate.rel(mod.file)}:{line}"
        if key not in self.edges:
            self.edges[key] = where

    def collect_edges(self, mod):
        for segs, line, glob in mod.uses:
            a = self.absolute(mod, segs, frozenset())
            if a is None:
                continue
            target = self.walk(a[0], a[1], frozenset())
            if target is None:
                continue
            # `use crate::qr;` only brings a module's name into scope: the paths written through
            # that name are the edges.
            if not glob and self.is_module_path(a, target):
                continue
            self.add_edge(mod, target, line)
        code = mod.code
        i = 0
        while i < len(code):
            t = code[i]
            starts_path = (
                t.kind == "id"
                and i + 2 < len(code)
                and code[i + 1].text == "::"
                and code[i + 2].kind == "id"
                and (i == 0 or code[i - 1].text != "::")
            )
            if not starts_path:
                i += 1
                continue
            segs = [t.text]
            j = i + 1
            while j + 1 < len(code) and code[j].text == "::" and code[j + 1].kind == "id":
                segs.append(code[j + 1].text)
                j += 2
            self.add_edge(mod, self.resolve(mod, segs), t.line)
            i = j

    @staticmethod
    def is_module_path(a, target):
        """True when the path (start, rest) names the module target itself."""
        start, rest = a
        cur = start
        for seg in rest:
            if seg not in cur.children:
                return False
            cur = cur.children[seg]
        return cur is target


def collapse(name, depth):
    if depth is None:
        return name
    parts = name.split("::")
    return "::".join(parts[: depth + 1])


def tarjan(nodes, adj):
    index, low, on, stack, sccs = {}, {}, set(), [], []
    counter = [0]

    def strong(v):
        # iterative Tarjan to stay clear of the recursion limit
        work = [(v, iter(sorted(adj.get(v, ()))))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(adj.get(w, ())))))
                    advanced = True
                    break
                if w in on:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                sccs.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            strong(v)
    return sccs


def shortest_path(adj, src, dst, allowed):
    prev = {src: None}
    q = deque([src])
    while q:
        v = q.popleft()
        for w in sorted(adj.get(v, ())):
            if w in allowed and w not in prev:
                prev[w] = v
                if w == dst:
                    path = [w]
                    while prev[path[-1]] is not None:
                        path.append(prev[path[-1]])
                    return path[::-1]
                q.append(w)
    return None


def covering_walk(adj, comp):
    """A closed walk inside the component that visits each of its modules."""
    allowed = set(comp)
    start = comp[0]
    walk, seen = [start], {start}
    for target in comp[1:]:
        if target in seen:
            continue
        hop = shortest_path(adj, walk[-1], target, allowed)
        walk.extend(hop[1:])
        seen.update(hop)
    back = shortest_path(adj, walk[-1], start, allowed) if walk[-1] != start or len(walk) == 1 else [start]
    walk.extend(back[1:])
    return walk


def read_layers(path):
    """Layer file: one `MODULE RANK` per line (`#` comments); an import must go from a higher rank
    to a strictly lower one, compared between the top-level modules (`--depth 1`)."""
    ranks = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if len(words) != 2 or not words[1].lstrip("-").isdigit():
                raise SystemExit(f"module-graph: {path}:{n}: expected `MODULE RANK`")
            ranks[words[0]] = int(words[1])
    return ranks


def layer_violations(graph, ranks):
    """Depth-1 edges that do not go strictly down the ranks, or touch an unranked module."""
    bad = []
    seen = set()
    for (a, b), where in sorted(graph.edges.items()):
        ca, cb = collapse(a, 1), collapse(b, 1)
        if ca == cb or (ca, cb) in seen:
            continue
        seen.add((ca, cb))
        ra, rb = ranks.get(ca), ranks.get(cb)
        if ra is None or rb is None:
            missing = ca if ra is None else cb
            bad.append(f"layer: {missing} has no rank in the layer file ({ca} -> {cb}, {where})")
        elif ra <= rb:
            bad.append(f"layer: {ca} (rank {ra}) -> {cb} (rank {rb}) goes up or sideways ({where})")
    return bad


def run(src_dir, depth, out, ranks=None):
    crate = Crate(src_dir)
    graph = Graph(crate)
    for err in crate.errors:
        print(f"warning: {err}", file=sys.stderr)
    edges = {}
    for (a, b), where in graph.edges.items():
        ca, cb = collapse(a, depth), collapse(b, depth)
        if ca != cb and (ca, cb) not in edges:
            edges[(ca, cb)] = where
    # keep the lexically first example per collapsed edge, so the output is stable
    for (a, b), where in sorted(graph.edges.items()):
        ca, cb = collapse(a, depth), collapse(b, depth)
        if ca != cb:
            edges[(ca, cb)] = min(edges[(ca, cb)], where, key=example_key)
    adj = {}
    for a, b in edges:
        adj.setdefault(a, set()).add(b)
    nodes = {collapse(m.name, depth) for m in crate.modules.values()}
    print(f"# module graph of {crate.rel(src_dir)}: {len(nodes)} modules, {len(edges)} edges", file=out)
    for a, b in sorted(edges):
        print(f"{a} -> {b}", file=out)
    cycles = [c for c in tarjan(nodes, adj) if len(c) > 1]
    cycles.sort(key=lambda c: (-len(c), c))
    for comp in cycles:
        walk = covering_walk(adj, comp)
        print(f"cycle ({len(comp)} modules): " + " -> ".join(walk), file=out)
        for a, b in zip(walk, walk[1:]):
            print(f"    {a} -> {b}  ({edges[(a, b)]})", file=out)
    print(f"# {len(cycles)} cycle(s) in {crate.rel(src_dir)}", file=out)
    violations = layer_violations(graph, ranks) if ranks is not None else []
    for v in violations:
        print(v, file=out)
    if ranks is not None:
        print(f"# {len(violations)} layer violation(s) in {crate.rel(src_dir)}", file=out)
    return 1 if cycles or violations else 0


def example_key(where):
    file, _, line = where.rpartition(":")
    return (file, int(line))


def main():
    ap = argparse.ArgumentParser(description="Module import graph of a Rust crate; exit 1 on a cycle.")
    ap.add_argument("--root", default="wallet-core/src", help="the crate's src directory (default wallet-core/src)")
    ap.add_argument("--depth", type=int, default=None, help="collapse module paths to N segments below crate")
    ap.add_argument("--layers", default=None, help="file of `MODULE RANK` lines: imports must go down the ranks")
    args = ap.parse_args()
    if args.depth is not None and args.depth < 1:
        ap.error("--depth must be at least 1")
    if not os.path.isdir(args.root):
        print(f"module-graph: {args.root} is not a directory", file=sys.stderr)
        return 2
    ranks = read_layers(args.layers) if args.layers else None
    return run(args.root, args.depth, sys.stdout, ranks)


if __name__ == "__main__":
    sys.exit(main())
