#!/usr/bin/env python3
"""National-scale issuance on Apache Spark (docs/scale.md): a registry export (JSON Lines, one
`{"claims", "holder_jwk"}` record per line) is cut into shards, and each shard is issued by
`wallet issue-batch --shard` on the executor that runs its task, into durable per-shard files:

    WORK/shards/<shard>/input.jsonl              the shard's records, written once, atomically
    WORK/shards/<shard>/status.registry          the shard's own status list (…/status/<shard>)
    WORK/shards/<shard>/status.registry.issued.jsonl   its issuance log (every attempt appends)
    WORK/shards/<shard>/credentials.jsonl        the shard's credentials (.partial while running)
    WORK/shards/<shard>/status.jwt               the shard's signed Status List Token
    WORK/shards/<shard>/attempts.log             a line when a task attempt starts, and one
                                                 when its issue-batch has finished

then the driver publishes one status list per shard and the Status List Aggregation:

    WORK/publish/status/<shard>.jwt  and  WORK/publish/aggregation.json

Why `mapPartitionsWithIndex` and files, not `RDD.pipe`: Spark discards the output of a failed
attempt and re-runs the whole partition. Credentials the killed attempt already issued are
issued, logged and hold status indices; they must not be issued again. So every attempt works
in the shard's durable directory, and a retry continues the interrupted batch with `--resume`
(which repairs a torn output line and logs what the kill left unlogged). The retry is therefore
idempotent because of the batch's durable log and job file — never because of derived salts or
indices: salts stay CSPRNG-random and indices are allocated at random from the shard's registry.

WORK must be one POSIX file system that every executor mounts at the same path (NFS, CephFS,
Lustre, GPFS): a retry may run on another executor, and what makes it safe — fsync, atomic
rename, the registry's lock file — must hold across them. An object store (S3, HDFS) is not
such a file system. `WORK/job.json` records the issuance the directory belongs to; a run with
another input or shard count in the same WORK is refused before Spark starts.

Partitioning is deterministic (record number modulo the shard count, sorted within the
partition), and the first attempt's `input.jsonl` is kept, so a retry issues exactly the same
records in the same order, which `--resume` checks (input size and hash).

The issuer key reaches executors as a deployment mounts it: `--issuer-key` is a path (a
Kubernetes secret volume or a file provisioned on every executor, mode 0600) or a PKCS#11 URI
(`pkcs11:token=…;object=…`, PIN from the executor's environment, docs/keys.md). The key's
bytes are never in the job's arguments, configuration or logs.

Usage (spark-submit, or plain python with the pip package):
    issue_job.py --input REGISTRY.jsonl --work DIR --shards N --wallet /path/to/wallet \\
        --issuer-key /secrets/issuer.pem --iss https://… --type driving-licence \\
        --status-base https://…/status --aggregation-uri https://…/status/aggregation \\
        [--master local[2,4]] [--capacity 16777216] [--valid-for 10y] [--now RFC3339]
"""

import argparse
import hashlib
import json
import os
import signal
import subprocess
import sys
import time


def fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def append_line(path: str, text: str) -> None:
    """One whole line, appended and made durable (attempt records survive a kill)."""
    with open(path, "a", encoding="utf-8") as f:
        f.write(text + "\n")
        f.flush()
        os.fsync(f.fileno())


def write_input_once(path: str, records, attempt: int) -> int:
    """Writes the shard's records to `path` atomically unless an earlier attempt already did;
    returns the number of records. The iterator is consumed either way (Spark expects it)."""
    if os.path.exists(path):
        for _ in records:
            pass
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    tmp = f"{path}.tmp-{attempt}-{os.getpid()}"
    n = 0
    with open(tmp, "w", encoding="utf-8") as f:
        for _, line in records:
            f.write(line.rstrip("\n") + "\n")
            n += 1
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_dir(os.path.dirname(path))
    return n


def load_libc():
    """libc, loaded in the task's process before it forks: the child runs `die_with_parent`
    between fork and exec, where loading a library (dlopen takes locks another thread of the
    worker may have held at the fork) could deadlock. Loaded on the executor, not at import:
    Spark pickles this module's functions with the globals they use, and a ctypes library
    cannot be pickled."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


PR_SET_PDEATHSIG = 1
# The indices `issue-batch` reserves in one block (wallet-core issuer::reservation): the first
# block, doubling up to the largest. An attempt that is killed wastes at most its last block.
FIRST_BLOCK = 1_024
MAX_BLOCK = 65_536


def read_ahead(jobs: int) -> int:
    """Most lines `issue-batch --jobs N` has read (and given indices) but not yet committed
    (wallet-cli/src/batch.rs): a commit group of COMMIT_CHUNKS (8) chunks, the job and result
    channels (2N chunks each), one chunk per worker and the reader's own, 512 lines a chunk."""
    return (8 + 5 * jobs + 1) * 512


def die_with_parent(prctl, parent: int) -> None:
    """In the child, before exec: ask Linux to SIGKILL it when the task's Python worker dies.
    A lost worker must not leave its `wallet` running: the retry's `--resume` would find the
    batch still locked by it and fail (on a cluster, losing the executor ends its processes).
    If the worker died before the request took effect, the child is already orphaned: exit."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(70)


def run(cmd, what: str, ok=(0,)) -> subprocess.CompletedProcess:
    # `prctl` is looked up here, in the parent: the child only calls it.
    parent, libc = os.getpid(), load_libc()
    prctl = libc.prctl if libc is not None else None
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       preexec_fn=(lambda: die_with_parent(prctl, parent)) if prctl else None)
    if p.returncode not in ok:
        # The message names the step and the exit status; wallet's stderr says why (it never
        # prints key material). A negative status is the signal that ended it (-9: SIGKILL).
        raise RuntimeError(f"{what} exited with {p.returncode}: {p.stderr.strip()[-2000:]}")
    return p


def count_lines(path: str) -> int:
    try:
        with open(path, "rb") as f:
            return sum(1 for line in f if line.strip())
    except FileNotFoundError:
        return 0


class ShardRefused(RuntimeError):
    """A shard that cannot succeed on any attempt (a list too small for it): every retry fails
    the same way, so Spark gives up after its attempts and the job fails with it."""


def issue_shard(cfg: dict, index: int, records):
    """The task of one partition: everything it writes is durable before it moves on, so any
    attempt may die at any point and the next one continues."""
    from pyspark import TaskContext

    ctx = TaskContext.get()
    attempt = ctx.attemptNumber() if ctx else 0
    shard = f"{index:04d}"
    d = os.path.join(cfg["work"], "shards", shard)
    os.makedirs(d, exist_ok=True)
    append_line(os.path.join(d, "attempts.log"),
                json.dumps({"event": "started", "attempt": attempt, "pid": os.getpid(),
                           "time": time.time()}))
    started = time.time()
    inp = os.path.join(d, "input.jsonl")
    lines = write_input_once(inp, records, attempt)

    # A killed attempt wastes the indices it had reserved and not used: the rest of its last
    # block (blocks double from FIRST_BLOCK, so at most lines + FIRST_BLOCK) and those of the
    # lines it had read but not yet committed (the batch's read-ahead). The list must hold the
    # records plus that for each attempt Spark may make, or a late retry would find it full.
    block = min(MAX_BLOCK, lines + FIRST_BLOCK) + min(lines, read_ahead(cfg["jobs"]))
    need = lines + cfg["max_attempts"] * block
    if need > cfg["capacity"]:
        raise ShardRefused(
            f"shard {shard}: {lines} records need a status list of at least {need} indices "
            f"({cfg['max_attempts']} attempts x {block} that a killed one can waste), not "
            f"{cfg['capacity']}: "
            "use more shards or a larger --capacity")

    wallet = cfg["wallet"]
    reg = os.path.join(d, "status.registry")
    if not os.path.exists(reg):
        # `status init` creates the registry atomically (whole or absent, never replaced):
        # a kill mid-way leaves no torn file for the retry to trip over.
        run([wallet, "status", "init", "--uri", f"{cfg['status_base'].rstrip('/')}/{shard}",
             "--out", reg, "--capacity", str(cfg["capacity"])], "status init")

    out = os.path.join(d, "credentials.jsonl")
    errors = out + ".errors.jsonl"
    summary = None
    if not os.path.exists(out):
        cmd = [wallet, "issue-batch", "--issuer-key", cfg["issuer_key"], "--iss", cfg["iss"],
               "--type", cfg["type"], "--input", inp, "--out", out, "--status-registry", reg,
               "--shard", shard, "--jobs", str(cfg["jobs"]), "--json"]
        if cfg.get("valid_for"):
            cmd += ["--valid-for", cfg["valid_for"]]
        if cfg.get("now"):
            cmd += ["--now", cfg["now"]]
        resume = os.path.exists(out + ".partial")
        if resume:
            cmd.append("--resume")
        # Exit 2 with a summary: the batch finished but refused some records (bad data); exit 2
        # with an error object: it could not run (a locked registry, a full list, …).
        p = run(cmd, f"issue-batch of shard {shard}", ok=(0, 2))
        try:
            summary = json.loads(p.stdout)
        except json.JSONDecodeError:
            raise RuntimeError(f"issue-batch of shard {shard} exited with {p.returncode} "
                               f"and no summary: {p.stderr.strip()[-2000:]}") from None
        if "error" in summary or not summary.get("complete"):
            raise RuntimeError(f"issue-batch of shard {shard} exited with {p.returncode}: "
                               f"{summary.get('error', summary)}")
        append_line(os.path.join(d, "attempts.log"), json.dumps({
            "event": "issued", "attempt": attempt, "pid": os.getpid(), "resumed": resume,
            "resumed_after_line": summary.get("resumed_after_line"),
            "issued": summary.get("issued"), "issued_total": summary.get("issued_total"),
            "failed_total": summary.get("failed_total")}))
    # Counted on every attempt, also when an earlier one finished the batch. Records refused as
    # invalid would be refused again by any retry, so the task does not fail (Spark would only
    # repeat it): the shard's list is published for the records it did issue, and the driver
    # reports the refused ones and exits 1 — the job does not pass for complete.
    refused = count_lines(errors)

    token = os.path.join(d, "status.jwt")
    publish = [wallet, "status", "publish", "--status-registry", reg, "--issuer-key",
               cfg["issuer_key"], "--iss", cfg["iss"], "--out", token,
               "--aggregation-uri", cfg["aggregation_uri"], "--valid-for", "1d", "--ttl", "1h"]
    if cfg.get("now"):
        publish += ["--now", cfg["now"]]
    run(publish, f"status publish of shard {shard}")
    yield {
        "shard": shard,
        "lines": lines,
        "attempt": attempt,
        "issued_total": summary["issued_total"] if summary else None,
        "refused": refused,
        "errors": errors if refused else None,
        "seconds": time.time() - started,
        "uri": f"{cfg['status_base'].rstrip('/')}/{shard}",
    }


def max_attempts(sc) -> int:
    """How many times Spark may run one task: `local[N,F]` gives F, a cluster
    spark.task.maxFailures (default 4); plain `local[N]` runs each task once."""
    master = sc.master
    if master == "local" or master.startswith("local["):
        inner = master[master.find("[") + 1:master.rfind("]")] if "[" in master else ""
        parts = inner.split(",")
        return int(parts[1]) if len(parts) == 2 and parts[1].strip().isdigit() else 1
    return int(sc.getConf().get("spark.task.maxFailures", "4"))


def guard_work(work: str, a) -> None:
    """WORK belongs to one issuance: its shard directories hold that run's inputs, registries
    and logs. A second run with another input or shard count in the same WORK would resume
    batches over different records (issue-batch refuses that, shard by shard, mid-job), so it
    is refused here, before Spark starts. Re-running the same job (after a failure) is allowed."""
    os.makedirs(work, exist_ok=True)
    st = os.stat(a.input)
    # The input's fingerprint: size, modification time and the SHA-256 of its first MiB (an
    # export corrected in place changes its time; hashing all of a national export would take
    # minutes).
    with open(a.input, "rb") as f:
        head = hashlib.sha256(f.read(1 << 20)).hexdigest()
    job = {"input": os.path.abspath(a.input), "input_size": st.st_size,
           "input_mtime_ns": st.st_mtime_ns, "input_head": head, "shards": a.shards,
           "iss": a.iss, "type": a.type, "status_base": a.status_base,
           "aggregation_uri": a.aggregation_uri, "capacity": a.capacity}
    path = os.path.join(work, "job.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            saved = json.load(f)
        differ = sorted(k for k in job if saved.get(k) != job[k])
        if differ:
            raise SystemExit(f"error: {work} holds another issuance ({', '.join(differ)} differ); "
                             "use a new --work directory")
        return
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(job, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(path + ".tmp", path)
    fsync_dir(work)


def main() -> int:
    p = argparse.ArgumentParser(description="national-scale issuance on Spark (docs/scale.md)")
    p.add_argument("--input", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--shards", type=int, required=True)
    p.add_argument("--wallet", required=True, help="the wallet binary on every executor")
    p.add_argument("--issuer-key", required=True, help="a path or pkcs11: URI, not the key")
    p.add_argument("--iss", required=True)
    p.add_argument("--type", required=True)
    p.add_argument("--status-base", required=True)
    p.add_argument("--aggregation-uri", required=True)
    p.add_argument("--capacity", type=int, default=16_777_216)
    p.add_argument("--valid-for")
    p.add_argument("--now")
    p.add_argument("--master", help="e.g. local[2,4] (plain local[N] never retries a task)")
    a = p.parse_args()

    work = os.path.abspath(a.work)
    guard_work(work, a)
    from pyspark.sql import SparkSession

    builder = (SparkSession.builder.appName("wallet-issue-shards")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               # A speculative copy of a task would run a second `issue-batch` on the same
               # shard directory (it would wait for the batch's lock and fail, but it is
               # wasted work and a misleading failure): one attempt of a shard at a time.
               .config("spark.speculation", "false"))
    if a.master:
        builder = builder.master(a.master)
    spark = builder.getOrCreate()
    sc = spark.sparkContext
    sc.setLogLevel("ERROR")
    # Each task issues with as many threads as it was given cores.
    task_cpus = int(sc.getConf().get("spark.task.cpus", "1"))
    cfg = {
        "work": work, "wallet": os.path.abspath(a.wallet), "issuer_key": a.issuer_key,
        "iss": a.iss, "type": a.type, "status_base": a.status_base,
        "aggregation_uri": a.aggregation_uri, "capacity": a.capacity, "jobs": task_cpus,
        "valid_for": a.valid_for, "now": a.now, "max_attempts": max_attempts(sc),
    }
    n = a.shards
    t0 = time.time()
    # Record number → shard (modulo), records sorted by number within a shard: the same
    # partition content and order on every attempt.
    records = sc.textFile(os.path.abspath(a.input)).zipWithIndex().map(lambda t: (t[1], t[0]))
    shards = records.repartitionAndSortWithinPartitions(
        numPartitions=n, partitionFunc=lambda k: k % n)
    results = shards.mapPartitionsWithIndex(lambda i, it: issue_shard(cfg, i, it)).collect()
    seconds = time.time() - t0
    spark.stop()

    results.sort(key=lambda r: r["shard"])
    pub = os.path.join(work, "publish")
    os.makedirs(os.path.join(pub, "status"), exist_ok=True)
    for r in results:
        with open(os.path.join(work, "shards", r["shard"], "status.jwt"), "rb") as f:
            token = f.read()
        dst = os.path.join(pub, "status", f"{r['shard']}.jwt")
        with open(dst + ".tmp", "wb") as f:
            f.write(token)
            f.flush()
            os.fsync(f.fileno())
        os.replace(dst + ".tmp", dst)
    aggregation = {"status_lists": [r["uri"] for r in results]}
    with open(os.path.join(pub, "aggregation.json.tmp"), "w", encoding="utf-8") as f:
        json.dump(aggregation, f, indent=1)
        f.write("\n")
    os.replace(os.path.join(pub, "aggregation.json.tmp"), os.path.join(pub, "aggregation.json"))
    summary = {"shards": len(results), "lines": sum(r["lines"] for r in results),
               "retried_tasks": sum(1 for r in results if r["attempt"] > 0),
               "seconds": round(seconds, 3), "results": results}
    with open(os.path.join(work, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    print(f"spark job: {summary['lines']} lines in {summary['shards']} shards, "
          f"{summary['retried_tasks']} task(s) finished on a retry, {seconds:.1f} s")
    refused = [r for r in results if r["refused"]]
    if refused:
        # Every shard's list is published (its credentials are issued and must be checkable);
        # the refused records are not issued. Correct them and issue them as a new job with its
        # own --status-base and --aggregation-uri: a new job's shard 0000 must not publish a
        # list under this job's …/0000 (docs/scale.md, "Refused records").
        for r in refused:
            print(f"error: shard {r['shard']}: {r['refused']} records refused, see {r['errors']}",
                  file=sys.stderr)
        print(f"error: {sum(r['refused'] for r in refused)} records were not issued",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
