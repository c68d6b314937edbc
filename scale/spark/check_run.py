#!/usr/bin/env python3
"""Checks a finished run of issue_job.py (docs/scale.md) from its durable files, not from what
Spark reported: every registry record issued exactly once, every status index unique within its
shard — counting issuance-log entries and registry allocations across *all* task attempts, so a
retried task that issued a line twice would show, even though the deduplicated output would not.

    check_run.py issues WORK N AGGREGATION_URI [--kill-log FILE --killed-shard S]
        prints `spark: N lines, S shards, retried tasks: R, issued once: X, duplicate indices: D`
        and exits 1 if any record was not issued exactly once, or any check failed: each
        credential must carry its record's claims, its shard's list and index; each shard's
        Status List Token must name the aggregation, which must list every shard's list; the
        killed shard must have been retried and its retry must have resumed the killed batch.
    check_run.py sample WORK HOLDERS_DIR COUNT REVOKE OUT_SAMPLE OUT_REVOKE [--seed S]
        picks COUNT issued credentials across shards (with the holder key that can present
        each) and REVOKE of them to revoke.
    check_run.py verified RESULTS SAMPLE REVOKED
        checks `wallet verify-batch` results: exactly the revoked ones refused as
        status.revoked, all others valid.
"""

import base64
import collections
import json
import os
import random
import sys


def jsonl(path):
    """The JSON lines of a file; a line a killed writer left cut is skipped, as wallet does."""
    out, cut = [], 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.endswith("\n"):
                cut += 1
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                cut += 1
    return out, cut


def payload_of(credential: str) -> dict:
    part = credential.split("~", 1)[0].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def disclosed_claims(credential: str) -> dict:
    """The claims a credential carries: its payload's plain members and every disclosure's
    name and value (all disclosures are there: this is the issued credential)."""
    parts = credential.split("~")
    claims = dict(payload_of(credential))
    for d in parts[1:]:
        if d:
            salt_name_value = json.loads(base64.urlsafe_b64decode(d + "=" * (-len(d) % 4)))
            if len(salt_name_value) == 3:
                claims[salt_name_value[1]] = salt_name_value[2]
    return claims


def shards_of(work):
    base = os.path.join(work, "shards")
    return sorted(s for s in os.listdir(base) if os.path.isdir(os.path.join(base, s)))


def issues(work: str, n: int, aggregation_uri: str, kill_log: str | None,
           killed_shard: str | None) -> int:
    failures = []
    refs = collections.Counter()
    retried = 0
    dup_idx_total = 0
    shards = shards_of(work)
    allocated_total = wasted_total = log_total = 0
    uris_seen = []
    for s in shards:
        d = os.path.join(work, "shards", s)
        events, _ = jsonl(os.path.join(d, "attempts.log"))
        attempts = [e for e in events if e.get("event") == "started"]
        if len(attempts) > 1:
            retried += 1
        if s == killed_shard:
            resumed = [e for e in events if e.get("event") == "issued" and e.get("resumed")]
            if len(attempts) < 2 or not resumed or not resumed[0].get("resumed_after_line"):
                failures.append(f"shard {s}: killed, but no later attempt resumed its batch "
                                f"({len(attempts)} attempts, events {events})")
            else:
                print(f"  shard {s}: attempt {resumed[0]['attempt']} resumed the killed batch "
                      f"after line {resumed[0]['resumed_after_line']} and issued "
                      f"{resumed[0]['issued']} more ({resumed[0]['issued_total']} in all)")
        inputs, in_cut = jsonl(os.path.join(d, "input.jsonl"))
        if in_cut:
            failures.append(f"shard {s}: {in_cut} damaged input lines")
        if os.path.exists(os.path.join(d, "credentials.jsonl.partial")):
            failures.append(f"shard {s}: an unfinished batch is left (credentials.jsonl.partial)")
        out, cut = jsonl(os.path.join(d, "credentials.jsonl"))
        if cut:
            failures.append(f"shard {s}: {cut} damaged output lines")
        errs, _ = jsonl(os.path.join(d, "credentials.jsonl.errors.jsonl"))
        if errs:
            failures.append(f"shard {s}: {len(errs)} lines refused, e.g. {errs[0]}")
        uri = None
        out_ids, out_idx = set(), []
        for o in out:
            if o.get("shard") != s:
                failures.append(f"shard {s}: an output line names shard {o.get('shard')!r}")
                break
            record = inputs[o["line"] - 1]
            refs[record["ref"]] += 1
            carried = disclosed_claims(o["credential"])
            wrong = sorted(k for k, v in record["claims"].items() if carried.get(k) != v)
            if wrong:
                failures.append(f"shard {s}: credential {o['id']} (line {o['line']}) does not "
                                f"carry its record's {', '.join(wrong)}")
                break
            out_ids.add(o["id"])
            out_idx.append(o["status_idx"])
            st = payload_of(o["credential"])["status"]["status_list"]
            if st["idx"] != o["status_idx"] or not st["uri"].endswith("/" + s):
                failures.append(f"shard {s}: credential {o['id']} holds {st}, not its own index")
                break
            uri = st["uri"]
        if uri:
            uris_seen.append(uri)
        # The issuance log is appended by every attempt: it is the count across attempts.
        log, log_cut = jsonl(os.path.join(d, "status.registry.issued.jsonl"))
        log_total += len(log)
        log_ids = [e["id"] for e in log]
        log_idx = [e["idx"] for e in log]
        if len(log) != len(out) or set(log_ids) != out_ids or len(set(log_ids)) != len(log_ids):
            failures.append(f"shard {s}: issuance log has {len(log)} entries "
                            f"({len(set(log_ids))} distinct) for {len(out)} credentials")
        if any(e.get("shard") != s or e.get("uri") != uri for e in log):
            failures.append(f"shard {s}: a log entry names another shard or list")
        dups = len(log_idx) - len(set(log_idx))
        dup_idx_total += dups + (len(out_idx) - len(set(out_idx)))
        if sorted(log_idx) != sorted(out_idx):
            failures.append(f"shard {s}: the log's indices are not the output's")
        with open(os.path.join(d, "status.jwt"), encoding="utf-8") as f:
            token_list = payload_of(f.read().strip())["status_list"]
        if token_list.get("aggregation_uri") != aggregation_uri:
            failures.append(f"shard {s}: its Status List Token names the aggregation "
                            f"{token_list.get('aggregation_uri')!r}")
        with open(os.path.join(d, "status.registry"), encoding="utf-8") as f:
            registry = json.load(f)
        allocated = registry["allocated_count"]
        allocated_total += allocated
        wasted_total += allocated - len(out)
        if allocated < len(out):
            failures.append(f"shard {s}: registry allocated {allocated} < {len(out)} issued")
        print(f"  shard {s}: {len(attempts)} attempt(s), {len(inputs)} records, {len(out)} "
              f"issued, log {len(log)} entries ({log_cut} cut), {allocated} indices allocated")
    with open(os.path.join(work, "publish", "aggregation.json"), encoding="utf-8") as f:
        listed = json.load(f)["status_lists"]
    if sorted(listed) != sorted(uris_seen):
        failures.append(f"the aggregation lists {len(listed)} lists, the shards hold {len(uris_seen)}")
    missing = [r for r in range(n) if refs[r] == 0]
    twice = [r for r, c in refs.items() if c > 1]
    once = sum(1 for r in range(n) if refs[r] == 1)
    if missing:
        failures.append(f"{len(missing)} records never issued, e.g. ref {missing[0]}")
    if twice:
        failures.append(f"{len(twice)} records issued more than once, e.g. ref {twice[0]}")
    if kill_log:
        with open(kill_log, encoding="utf-8") as f:
            killed = f.read().strip()
        print("  " + killed)
        # ps shows a zombie's state as Z (Z+ in the foreground): dead, its parent not reaped.
        if not (killed.endswith("gone") or killed.rsplit(" ", 1)[-1].startswith("Z")):
            failures.append("the killed task's wallet process outlived it")
    if retried < 1:
        failures.append("no task was retried: the kill did not happen mid-partition")
    print(f"  issuance-log entries across all attempts: {log_total}; registry allocations: "
          f"{allocated_total} ({wasted_total} reserved in blocks and left unused: never handed out again)")
    print(f"spark: {n} lines, {len(shards)} shards, retried tasks: {retried}, "
          f"issued once: {once}, duplicate indices: {dup_idx_total}")
    for f in failures:
        print("FAILED: " + f)
    ok = not failures and once == n and dup_idx_total == 0 and log_total == n
    return 0 if ok else 1


def sample(work, holders, count, revoke, out_sample, out_revoke, seed=22) -> int:
    pool = []
    for s in shards_of(work):
        d = os.path.join(work, "shards", s)
        inputs, _ = jsonl(os.path.join(d, "input.jsonl"))
        out, _ = jsonl(os.path.join(d, "credentials.jsonl"))
        for o in out:
            pool.append((s, o, inputs[o["line"] - 1]["ref"]))
    n_keys = sum(1 for f in os.listdir(holders) if f.endswith(".pem"))
    rng = random.Random(seed)
    picked = rng.sample(pool, count)
    with open(out_sample, "w", encoding="utf-8") as f:
        for s, o, ref in picked:
            f.write(json.dumps({"id": o["id"], "credential": o["credential"], "shard": s,
                                "holder_key": os.path.join(holders, f"holder-{ref % n_keys}.pem")})
                    + "\n")
    with open(out_revoke, "w", encoding="utf-8") as f:
        for s, o, _ in rng.sample(picked, revoke):
            f.write(f"{s} {o['id']}\n")
    print(f"sample: {count} credentials from {len({p[0] for p in picked})} shards, "
          f"{revoke} of them to revoke")
    return 0


def verified(results, sample_path, revoked_path) -> int:
    res, _ = jsonl(results)
    samp, _ = jsonl(sample_path)
    with open(revoked_path, encoding="utf-8") as f:
        revoked = {line.split()[1] for line in f if line.strip()}
    by_id = collections.Counter()
    bad = []
    ids = [r.get("id") for r in res]
    if len(set(ids)) != len(ids) or set(ids) != {x["id"] for x in samp}:
        bad.append(("the results are not one per sampled credential", len(ids), len(set(ids))))
    for r in res:
        by_id["valid" if r.get("valid") else r.get("code")] += 1
        expected_revoked = r.get("id") in revoked
        if r.get("valid") == expected_revoked or (expected_revoked and r.get("code") != "status.revoked"):
            bad.append((r.get("id"), r.get("valid"), r.get("code")))
    print(f"verified offline through the aggregation: {len(res)} of {len(samp)} sampled, "
          + ", ".join(f"{k}: {v}" for k, v in sorted(by_id.items())))
    for b in bad[:5]:
        print(f"FAILED: {b}")
    return 0 if not bad and len(res) == len(samp) else 1


def main() -> int:
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "issues":
        def opt(name):
            return args[args.index(name) + 1] if name in args else None
        return issues(args[0], int(args[1]), args[2], opt("--kill-log"), opt("--killed-shard"))
    if cmd == "sample":
        return sample(args[0], args[1], int(args[2]), int(args[3]), args[4], args[5])
    if cmd == "verified":
        return verified(*args[:3])
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
