//! Status lists at national scale (issue 22, point 4; docs/scale.md): what 1.4 billion
//! credentials with 1 % revoked cost as Token Status Lists, one list per issuance shard —
//! bytes an issuer publishes and a verifier downloads, how close that is to the information
//! content of the revocations, and how long building, publishing and refreshing take.
//!
//! Everything is measured on real lists, not derived from a formula: for every shard a 1-bit
//! [`StatusList`] of the shard capacity is built with exactly round(n × permille / 1000) of its
//! entries revoked, at indices drawn uniformly at random (a seeded ChaCha20 stream, so a run can
//! be repeated), then compressed through the project's own code path (`StatusList::compress` at
//! [`COMPRESSION_LEVEL`], what `wallet status publish` uses, and at level 9 for comparison) and
//! signed as a Status List Token with [`sign_status_list_token`] and an Ed25519 key. Only one
//! shard's list is in memory at a time (2 MiB for 16,777,216 entries), plus the first one, kept
//! for the refresh measurement.
//!
//! Run (under a minute in release on one core, most of it the level-9 comparison; arguments
//! optional, `_` separators accepted):
//!
//! ```sh
//! cargo run --release -p wallet-core --example national_status
//! cargo run --release -p wallet-core --example national_status -- TOTAL SHARD_CAPACITY REVOKED_PERMILLE SEED SHARD_RECORDS
//! ```
//!
//! Defaults: 1,400,000,000 credentials, lists of 16,777,216 entries (the capacity `wallet status
//! init` gives a registry by default), 10 ‰ revoked, seed 2026, and shards of 15,909,091
//! credentials (SHARD_RECORDS: 88 shards, within the size scale/spark/issue_job.py accepts for
//! a shard — each list keeps room for what four killed task attempts can waste, docs/scale.md
//! "Sizing").

// Measurement arithmetic on counts far below u64::MAX, and casts of small sizes; the no-panic
// lints need no exemption: errors are returned and reported.
#![allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore as _, SeedableRng as _};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use wallet_core::keys::SigningKey;
use wallet_core::status::{
    Bits, COMPRESSION_LEVEL, MEMO_MAX_LISTS, StatusList, StatusListClaims, StatusListJwt,
    StatusValue, sign_status_list_token,
};

const USAGE: &str =
    "usage: national_status [TOTAL [SHARD_CAPACITY [REVOKED_PERMILLE [SEED [SHARD_RECORDS]]]]]";
const DEFAULT_TOTAL: u64 = 1_400_000_000;
/// `wallet status init --capacity`'s default (wallet-cli/src/cli.rs): 2^24.
const DEFAULT_SHARD_CAPACITY: u64 = 16_777_216;
const DEFAULT_PERMILLE: u64 = 10;
const DEFAULT_SEED: u64 = 2026;
/// Credentials per shard: 1.4 billion in 88 shards. The Spark job refuses a shard larger than
/// its list less what four killed attempts can waste (16,455,680 at `--jobs 4`, docs/scale.md
/// "Sizing"), so 86 shards is the least; 88 leave headroom.
const DEFAULT_SHARD_RECORDS: u64 = 15_909_091;
/// 2026-01-01T00:00:00Z: fixed, so token sizes do not depend on the day of the run.
const IAT: i64 = 1_767_225_600;
const REFRESH_RUNS: u32 = 5;
/// Level 9: what draft-ietf-oauth-status-list §4.1 recommends, and what we do not publish at
/// (status.rs explains why); its size shows what level 6 leaves on the table.
const MAX_LEVEL: u32 = 9;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("national_status: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Positional argument `i` (after the program name), or `default` when absent.
fn arg(i: usize, default: u64, name: &str) -> Result<u64> {
    match std::env::args().nth(i) {
        None => Ok(default),
        Some(s) => s
            .replace('_', "")
            .parse()
            .map_err(|e| format!("{name} {s:?}: {e}").into()),
    }
}

/// A uniform integer below `bound` (> 0) by rejection sampling, like the registry's allocator:
/// `next_u64() % bound` alone would favour low indices.
fn uniform(rng: &mut ChaCha20Rng, bound: u64) -> u64 {
    // The largest multiple of `bound` that fits in a u64; draws at or above it are redrawn.
    let zone = u64::MAX - u64::MAX % bound;
    loop {
        let r = rng.next_u64();
        if r < zone {
            return r % bound;
        }
    }
}

/// round(n × permille / 1000), in u128 so that no argument can overflow it.
fn revoked_in(n: u64, permille: u64) -> u64 {
    ((u128::from(n) * u128::from(permille) + 500) / 1000) as u64
}

/// Sets `count` distinct entries among the first `capacity` of `list` from `from` to `to`,
/// chosen uniformly at random. The list itself is the "already chosen" bitmap, so memory stays
/// the list's 2 MiB; a redraw happens only on a hit, which at 1 % density is one draw in 100.
fn flip_random(
    list: &mut StatusList,
    capacity: u64,
    count: u64,
    from: StatusValue,
    to: StatusValue,
    rng: &mut ChaCha20Rng,
) -> Result<()> {
    let mut done = 0;
    while done < count {
        let idx = uniform(rng, capacity);
        if list.get(idx)? == from {
            list.set(idx, to)?;
            done += 1;
        }
    }
    Ok(())
}

/// One shard's list: `capacity` 1-bit entries, exactly `revoked` of them INVALID, a uniformly
/// random subset. The list always spans the whole capacity, as a registry's does (its list is
/// allocated at `capacity` and indices are handed out at random over all of it), so the last,
/// partially filled shard publishes a full-size list with its revocations spread over it.
fn build_shard(capacity: u64, revoked: u64, rng: &mut ChaCha20Rng) -> Result<StatusList> {
    if revoked <= capacity / 2 {
        let mut list = StatusList::new(Bits::One, capacity)?;
        flip_random(
            &mut list,
            capacity,
            revoked,
            StatusValue::VALID,
            StatusValue::INVALID,
            rng,
        )?;
        Ok(list)
    } else {
        // Above one half, rejection sampling would redraw more than it sets: start all revoked
        // and reinstate the complement instead (the same distribution of subsets).
        let len = usize::try_from(Bits::One.bytes_for(capacity))?;
        let mut list = StatusList::from_bytes(Bits::One, vec![0xff; len])?;
        // The padding bits of the last byte, past the capacity, are no credential's: VALID.
        for idx in capacity..list.len() {
            list.set(idx, StatusValue::VALID)?;
        }
        flip_random(
            &mut list,
            capacity,
            capacity - revoked,
            StatusValue::INVALID,
            StatusValue::VALID,
            rng,
        )?;
        Ok(list)
    }
}

/// Revoked entries of a 1-bit list (each set bit is one INVALID entry).
fn count_revoked(list: &StatusList) -> u64 {
    list.as_bytes()
        .iter()
        .map(|b| u64::from(b.count_ones()))
        .sum()
}

/// The claims a shard's token carries: one URI per shard, all named by one aggregation (§9).
fn claims(shard: u64, iat: i64) -> StatusListClaims {
    StatusListClaims {
        uri: format!("https://ga.example.cn/status/national/{shard}"),
        iss: Some("https://ga.example.cn".into()),
        iat,
        exp: Some(iat + 86_400),
        ttl: Some(3_600),
        aggregation_uri: Some("https://ga.example.cn/status/national/aggregation".into()),
    }
}

/// Binary entropy H(p) in bits: the least bits per credential any encoding of "which p of
/// them are revoked" can average, for revocations independent of each other.
fn entropy(p: f64) -> f64 {
    if p <= 0.0 || p >= 1.0 {
        return 0.0;
    }
    -p * p.log2() - (1.0 - p) * (1.0 - p).log2()
}

/// The median (upper middle for an even count); zero for none.
fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// Decimal megabytes (10^6), the unit the issue's 14.1 MB bound is in.
fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// Mean of `values` as a whole number, or "n/a" when there are none (no full shard).
fn mean(values: &[u64]) -> String {
    match values.len() {
        0 => "n/a".into(),
        n => (values.iter().sum::<u64>() / n as u64).to_string(),
    }
}

fn run() -> Result<()> {
    let started = Instant::now();
    let total = arg(1, DEFAULT_TOTAL, "TOTAL")?;
    let capacity = arg(2, DEFAULT_SHARD_CAPACITY, "SHARD_CAPACITY")?;
    let permille = arg(3, DEFAULT_PERMILLE, "REVOKED_PERMILLE")?;
    let seed = arg(4, DEFAULT_SEED, "SEED")?;
    let per_shard = arg(5, DEFAULT_SHARD_RECORDS.min(capacity), "SHARD_RECORDS")?;
    if total == 0 || capacity == 0 || permille > 1000 || per_shard == 0 || per_shard > capacity {
        return Err(
            "TOTAL and SHARD_CAPACITY must be positive, REVOKED_PERMILLE at most 1000, \
                    SHARD_RECORDS between 1 and SHARD_CAPACITY"
                .into(),
        );
    }
    let shards = total.div_ceil(per_shard);
    let last = total - per_shard * (shards - 1);
    let p = permille as f64 / 1000.0;
    let key = SigningKey::from_seed(&[22; 32]);
    let mut rng = ChaCha20Rng::seed_from_u64(seed);

    let mut revoked_total = 0u64;
    let (mut level6, mut level9, mut tokens) = (Vec::new(), Vec::new(), Vec::new());
    // Sizes of the full shards only: the "per full shard" figures.
    let (mut full6, mut full9) = (Vec::new(), Vec::new());
    let (mut pick_times, mut build_times, mut level9_times, mut sign_times) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut first: Option<StatusList> = None;
    for shard in 0..shards {
        let n = if shard + 1 == shards { last } else { per_shard };
        let revoked = revoked_in(n, permille);
        // Build + compress at the published level: what an issuer pays to produce a shard's
        // list from scratch (choosing the indices stands in for the registry's bookkeeping).
        let t = Instant::now();
        let list = build_shard(capacity, revoked, &mut rng)?;
        let picked = t.elapsed();
        let compressed = list.compress(COMPRESSION_LEVEL);
        build_times.push(t.elapsed());
        pick_times.push(picked);
        if count_revoked(&list) != revoked {
            return Err(format!("shard {shard}: revoked count is not {revoked}").into());
        }
        let t = Instant::now();
        let compressed9 = list.compress(MAX_LEVEL);
        level9_times.push(t.elapsed());
        // The token as published: compress (again, inside) + JSON + base64url + Ed25519.
        let t = Instant::now();
        let token = sign_status_list_token(&claims(shard, IAT), &list, &key)?;
        sign_times.push(t.elapsed());
        if shard == 0 {
            // What a verifier does with it: signature, then inflate; it must give the list back.
            let verified = StatusListJwt::parse(&token)?.verify(&key.verifying_key())?;
            if verified.list != list {
                return Err("shard 0: the token does not inflate to the list signed".into());
            }
        }
        let (c6, c9) = (compressed.len() as u64, compressed9.len() as u64);
        if n == per_shard {
            full6.push(c6);
            full9.push(c9);
        }
        level6.push(c6);
        level9.push(c9);
        tokens.push(token.len() as u64);
        revoked_total += revoked;
        if first.is_none() {
            first = Some(list);
        }
    }

    // Refresh: one more revocation in a full shard, then the token re-signed — what a
    // revocation costs before it can be published (the registry file's load and save, disk
    // I/O, are not in it).
    let mut list = first.ok_or("no shard was built")?;
    let mut refresh_times = Vec::new();
    // A shard already all revoked has nothing left to revoke (the draw would never end).
    let runs = if count_revoked(&list) + u64::from(REFRESH_RUNS) <= capacity {
        REFRESH_RUNS
    } else {
        0
    };
    for run in 1..=runs {
        let t = Instant::now();
        flip_random(
            &mut list,
            capacity,
            1,
            StatusValue::VALID,
            StatusValue::INVALID,
            &mut rng,
        )?;
        let token = sign_status_list_token(&claims(0, IAT + i64::from(run)), &list, &key)?;
        refresh_times.push(t.elapsed());
        std::hint::black_box(token);
    }

    let sum = |v: &[u64]| v.iter().sum::<u64>();
    let (total6, total9, total_tokens) = (sum(&level6), sum(&level9), sum(&tokens));
    // Unpadded base64url of the compressed list, the `lst` member: ceil(4 × len / 3) exactly.
    let lst_total: u64 = level6.iter().map(|c| (4 * c).div_ceil(3)).sum();
    let bound_bits = total as f64 * entropy(p);
    let bound_bytes = (bound_bits / 8.0).ceil() as u64;
    let bound_full = (per_shard as f64 * entropy(p) / 8.0).ceil() as u64;
    let ratio = |ours: u64| {
        if bound_bytes == 0 {
            "n/a".to_owned()
        } else {
            format!("{:.3}×", ours as f64 / bound_bytes as f64)
        }
    };
    let list_bytes = Bits::One.bytes_for(capacity);
    let build_all: Duration = build_times.iter().sum();

    println!(
        "national status: {total} credentials, {shards} shards of {per_shard} in lists of \
         {capacity} (last holds {last}), {}.{} % revoked ({revoked_total}), seed {seed}",
        permille / 10,
        permille % 10
    );
    println!(
        "compressed (zlib level {COMPRESSION_LEVEL}): {total6} bytes total ({}), {} per full shard; \
         level {MAX_LEVEL}: {total9} bytes total ({}), {} per full shard",
        mb(total6),
        mean(&full6),
        mb(total9),
        mean(&full9),
    );
    println!(
        "bound n*H(p): {bound_bytes} bytes total ({}), {bound_full} per full shard, H(p) = {:.5} \
         bits; ours / bound = {} (level {COMPRESSION_LEVEL}), {} (level {MAX_LEVEL})",
        mb(bound_bytes),
        entropy(p),
        ratio(total6),
        ratio(total9),
    );
    println!(
        "encoded: lst base64url {lst_total} bytes total ({}, = compressed × 4/3 rounded up); \
         signed tokens {total_tokens} bytes total ({}), {} per shard (mean)",
        mb(lst_total),
        mb(total_tokens),
        mean(&tokens),
    );
    println!(
        "build + compress all shards: {} ({} median per shard, of which {} choosing the revoked \
         indices)",
        secs(build_all),
        ms(median(&build_times)),
        ms(median(&pick_times)),
    );
    println!(
        "compress level {MAX_LEVEL} all shards: {} ({} median per shard)",
        secs(level9_times.iter().sum()),
        ms(median(&level9_times)),
    );
    println!(
        "sign all shard tokens (compress + sign): {} ({} median per shard)",
        secs(sign_times.iter().sum()),
        ms(median(&sign_times)),
    );
    println!(
        "refresh one shard (revoke + compress + sign): {} median of {runs}",
        ms(median(&refresh_times)),
    );
    println!(
        "verifier keeps: {} of tokens for all shards ({} bytes per shard mean), {} decompressed \
         per shard in memory ({list_bytes} bytes; {} if all {shards} were, its memo keeps at most \
         {MEMO_MAX_LISTS})",
        mb(total_tokens),
        mean(&tokens),
        mb(list_bytes),
        mb(list_bytes * shards),
    );
    println!("wall time: {}", secs(started.elapsed()));
    Ok(())
}
