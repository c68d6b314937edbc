// The npm package against the Rust results: every test vector of test-vectors/ through the
// package (the .wasm wasm-bindgen built, loaded as a browser or Node app loads it), and the
// web verifier's fixture, whose reports wallet-core's own verifier wrote (cases.json).
//
// Run by scripts/wasm-check.sh: PKG = the built package (default web/verifier/pkg),
// WEB_FIXTURE = the output of `cargo run -p wallet-wasm --example web_fixture`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const repo = resolve(fileURLToPath(import.meta.url), '../../../..');
const pkg = resolve(process.env.PKG ?? join(repo, 'web/verifier/pkg'));
const fixture = process.env.WEB_FIXTURE;
const w = await import(join(pkg, 'wallet.js'));
w.initSync(readFileSync(join(pkg, 'wallet_wasm_bg.wasm')), readFileSync(join(pkg, 'wallet_scan_bg.wasm')));

const json = (path) => JSON.parse(readFileSync(path, 'utf8'));
const folder = (name) =>
  readdirSync(join(repo, 'test-vectors', name))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, json(join(repo, 'test-vectors', name, f))]);

function credentialFolder(name) {
  let valid = 0;
  let invalid = 0;
  for (const [file, v] of folder(name)) {
    const got = w.verifyPresentation({
      presentation: v.presentation,
      issuer_iss: v.issuer_iss,
      issuer_jwk: v.issuer_jwk,
      now: v.now,
      aud: v.aud,
      nonce: v.nonce,
      policy: v.policy,
    });
    if (v.expected.valid) {
      valid++;
      assert.equal(got.valid, true, `${file}: refused with ${got.code}`);
      assert.deepEqual(got.claims, v.expected.claims, `${file}: claims`);
    } else {
      invalid++;
      assert.equal(got.valid, false, `${file}: accepted`);
      assert.equal(got.code, v.expected.error, `${file}: code`);
    }
  }
  console.log(`wasm: ${name}: ${valid} valid and ${invalid} invalid vectors, the Rust results`);
  return valid + invalid;
}

test('credential vectors (Ed25519)', () => {
  assert.ok(credentialFolder('credentials') >= 40);
});

test('algorithm vectors (P-256, SM2, GM profile)', () => {
  assert.ok(credentialFolder('algorithms') >= 47);
});

test('QR payload vectors decode to their presentations', () => {
  const { cases } = json(join(repo, 'test-vectors/qr/payloads.json'));
  for (const c of cases) assert.equal(w.decodePayload(c.payload), c.presentation);
  const bad = json(join(repo, 'test-vectors/qr/non-canonical.json')).cases;
  for (const c of bad) {
    assert.throws(() => w.decodePayload(c.payload), (e) => e instanceof w.WalletError && e.code === c.error, c.why);
  }
  console.log(`wasm: qr: ${cases.length} payloads decoded, ${bad.length} non-canonical refused with their codes`);
});

test('status list vectors (draft Appendix C)', () => {
  for (const [file, v] of folder('status-list')) {
    const expected = new Map();
    for (const [idx, value] of v.status) expected.set(idx, value);
    // A few indices the vector leaves at 0, beside every listed one.
    for (const idx of [2, 1000, v.size - 1]) if (!expected.has(idx)) expected.set(idx, 0);
    const got = w.statusListValues({ status_list: v.status_list, indices: [...expected.keys()] });
    assert.equal(got.bits, v.bits, file);
    assert.equal(got.size, v.size, file);
    assert.deepEqual(got.values, [...expected.values()], file);
  }
});

test('malformed calls are refused with stable codes, never a trap', () => {
  const v = new w.Verifier();
  assert.throws(() => v.verify('CW1:X', 1, 'zh'), { code: 'wasm.no_trust_list' });
  assert.throws(() => v.verify('CW1:X', 1, 'fr'), { code: 'wasm.invalid_argument' });
  assert.throws(() => v.loadTrustList({ trustList: 'x', rootJwk: '{', now: 1 }), { code: 'wasm.invalid_json' });
  assert.throws(() => w.seedRandom(new Uint8Array(8)), { code: 'wasm.invalid_argument' });
  assert.throws(() => w.present({ credential: 'x', disclose: ['a..b'], now: 1 }), { code: 'wasm.invalid_argument' });
  assert.equal(w.scanFrame(new Uint8Array(4 * 8 * 8).fill(255), 8, 8), null);
  assert.throws(() => w.scanFrame(new Uint8Array(3), 8, 8), { code: 'wasm.invalid_argument' });
  for (const junk of ['', 'CW1:', '~~~', 'a.b.c~', '\u0000'.repeat(5000)]) {
    assert.equal(w.verifyPresentation({ presentation: junk, issuer_iss: 'x', now: 1,
      issuer_jwk: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' } }).valid, false);
  }
  v.free();
});

// The Y plane of the first frame of a 4:2:0 Y4M video, as RGBA (what a canvas gives).
function y4mFrame(path) {
  const data = readFileSync(path);
  const header = data.subarray(0, data.indexOf(10)).toString();
  const width = Number(/ W(\d+)/.exec(header)[1]);
  const height = Number(/ H(\d+)/.exec(header)[1]);
  const start = data.indexOf(10, data.indexOf('FRAME', header.length)) + 1;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const y = data[start + i];
    rgba.set([y, y, y, 255], i * 4);
  }
  return { rgba, width, height };
}

test('web verifier fixture: the same reports as wallet-core, replay kept across a reload', { skip: !fixture && 'WEB_FIXTURE not set' }, () => {
  const { now, cases } = json(join(fixture, 'cases.json'));
  const bundle = json(join(fixture, 'setup/bundle.json'));
  const device = () => {
    const v = new w.Verifier();
    const info = v.loadTrustList({ trustList: bundle.trust_list, rootJwk: bundle.root_jwk, now });
    assert.equal(info.stale, false);
    for (const token of bundle.status_lists) assert.match(v.addStatusList(token).uri, /^https:/);
    return v;
  };
  w.seedRandom(new Uint8Array(32).fill(7));
  for (const [name, c] of Object.entries(cases)) {
    for (const lang of ['zh', 'en']) {
      const v = device();
      assert.deepEqual(v.verify(c.payload, now, lang), c[`report_${lang}`], `${name} (${lang})`);
      v.free();
    }
  }
  // The camera path: the fixture's video frame through the WASM scanner.
  const v = device();
  const frame = y4mFrame(join(fixture, 'camera/valid.y4m'));
  assert.deepEqual(v.verifyFrame(frame.rgba, frame.width, frame.height, now, 'zh'), cases.valid.report_zh);
  // Shown again: a replay, also to a device restored from the first one's snapshot.
  assert.equal(v.verify(cases.valid.payload, now, 'zh').code, 'qr.replay');
  const snapshot = v.replaySnapshot(now);
  const reloaded = device();
  assert.equal(reloaded.restoreReplay(snapshot, now), 1);
  assert.equal(reloaded.verify(cases.valid.payload, now, 'zh').code, 'qr.replay');
  assert.throws(() => reloaded.restoreReplay(snapshot.slice(0, -3), now), { code: 'qr.replay_cache_corrupt' });
  // Restoring an older (empty) history adds to the live one, never forgets a code accepted since.
  const empty = device();
  const before = empty.replaySnapshot(now);
  assert.equal(empty.verify(cases.valid.payload, now, 'zh').code, 'ok');
  assert.equal(empty.restoreReplay(before, now), 1);
  assert.equal(empty.verify(cases.valid.payload, now, 'zh').code, 'qr.replay');
  console.log(`wasm: web fixture: ${Object.keys(cases).length} codes × 2 languages, the reports wallet-core wrote`);

  // Per-scan time in Node's V8 (Chromium's engine), the frame_timing example's work.
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const scans = [];
  const verifies = [];
  for (let i = 0; i < 21; i++) {
    const fresh = device();
    let t = performance.now();
    const text = w.scanFrame(frame.rgba, frame.width, frame.height);
    scans.push(performance.now() - t);
    t = performance.now();
    assert.equal(fresh.verify(text, now, 'zh').valid, true);
    verifies.push(performance.now() - t);
    fresh.free();
  }
  const [s, vt] = [median(scans), median(verifies)];
  console.log(`wasm (node ${process.versions.node}): 640x480 frame scan ${s.toFixed(2)} ms + verify ${vt.toFixed(2)} ms = ${(s + vt).toFixed(2)} ms per scan (median of 21)`);
});

test('holder side: a presentation made in the module verifies, signed by a JWK or by a JS signer', { skip: !fixture && 'WEB_FIXTURE not set' }, () => {
  const { now } = json(join(fixture, 'cases.json'));
  const v = json(join(repo, 'test-vectors/credentials/valid-driving-licence.json'));
  w.seedRandom(new Uint8Array(32).fill(9));
  const made = w.present({ credential: v.issuance, disclose: ['name'], now: v.now, aud: v.aud, nonce: v.nonce, holder_key: v.holder_key });
  assert.match(made.payload, /^CW\d:/);
  assert.equal(w.decodePayload(made.payload), made.presentation);
  const checked = w.verifyPresentation({ presentation: made.presentation, issuer_iss: v.issuer_iss, issuer_jwk: v.issuer_jwk, now: v.now, aud: v.aud, nonce: v.nonce });
  assert.equal(checked.valid, true, checked.code);
  assert.equal(Object.hasOwn(checked.claims, 'name'), true);
  // A JS signer that signs with the same key through the module's own present (a stand-in for
  // WebCrypto): what matters is that the signature comes from the callback.
  let calls = 0;
  const signer = (input) => {
    calls++;
    assert.ok(input instanceof Uint8Array && input.length > 0);
    return new Uint8Array(64);
  };
  const zeroSigned = w.presentWithSigner({ credential: v.issuance, disclose: [], now: v.now, aud: v.aud, nonce: v.nonce, holder_jwk: v.holder_jwk, qr: false }, signer);
  assert.equal(calls, 1);
  const refused = w.verifyPresentation({ presentation: zeroSigned.presentation, issuer_iss: v.issuer_iss, issuer_jwk: v.issuer_jwk, now: v.now, aud: v.aud, nonce: v.nonce });
  assert.equal(refused.valid, false, 'a zero signature from the callback must not verify');
  assert.throws(() => w.presentWithSigner({ credential: v.issuance, disclose: [], now: v.now, aud: v.aud, nonce: v.nonce, holder_jwk: v.holder_jwk }, () => new Uint8Array(3)), { code: 'key.signer_failed' });
  assert.throws(() => w.presentWithSigner({ credential: v.issuance, disclose: [], now: v.now, aud: v.aud, nonce: v.nonce, holder_jwk: v.holder_jwk }, () => { throw new Error('user cancelled'); }), { code: 'key.signer_failed' });
  void now;
});

test('WeChat-like runtime: no TextDecoder, TextEncoder, fetch, crypto or WebAssembly; loaded through WXWebAssembly', { skip: !fixture && 'WEB_FIXTURE not set' }, () => {
  const child = spawnSync(process.execPath, [join(repo, 'wallet-wasm/js/test/wechat-sim.mjs'), pkg, fixture], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr + child.stdout);
  assert.match(child.stdout, /^wechat-sim: VALID ok, 4 labels, replay refused$/m);
  console.log(child.stdout.trim());
});
