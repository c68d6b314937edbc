#!/usr/bin/env node
// Independent checks of our SM2 signatures and SM3 digests (issue 17, the GM profile).
//
// Usage: node interop/ts/gm_checks.mjs DIR     (DIR: the cases of examples/gm_interop.rs)
//
// 1. sm-crypto 0.5.8 (the npm package WeChat mini-programs use) verifies every SM2 signature in
//    DIR as a plain JWS, without any SD-JWT library: the issuer JWT when issuer_jwk is SM2, the
//    KB-JWT when holder_jwk is SM2, with doVerifySignature(signingInput, r||s hex, 04||x||y,
//    {der: false, hash: true, userId: '1234567812345678'}). Negative controls: the same call
//    with one signature bit flipped, one signing-input character changed, or another user ID
//    must return false (so a verifier that accepts everything cannot pass).
// 2. Every `_sd_alg: sm3` credential: each disclosure's SM3 digest (node:crypto) is in the
//    payload's `_sd`, and its SHA-256 digest is not; the KB-JWT sd_hash is SM3 over
//    `<jwt>~<disclosures>~`. @sd-jwt/sd-jwt-vc with the SM3 hasher verifies the presentation
//    (verify_vectors.mjs's checks) and, without its KB-JWT, the bare `<jwt>~<disclosures>~`
//    shows the disclosed claim. Negative controls: with one disclosure's value changed the KB
//    form is refused (sd_hash) and the bare form does not show that claim (0.19.0 ignores a
//    disclosure no digest references, README); with a SHA-256-only hasher the bare form shows
//    no disclosed claim at all (so the SM3 digests are what the library matched).
//
// Output: `ok <file>: …` / `FAIL <file>: reason`, then exactly `N passed, M failed`; exit 1 on
// any failure or when DIR holds no SM2 signature or no sm3 credential.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import smCrypto from 'sm-crypto';
import {
  SM2_USER_ID, hasher, keyVerifier, publicJwk, sm2PublicHex, verifyVector,
} from './verify_vectors.mjs';

const b64json = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
const sm3 = (s) => crypto.createHash('sm3').update(s, 'utf8').digest('base64url');
const sha256 = (s) => crypto.createHash('sha256').update(s, 'utf8').digest('base64url');

function smVerify(input, sigHex, jwk, userId = SM2_USER_ID) {
  return smCrypto.sm2.doVerifySignature(input, sigHex, sm2PublicHex(publicJwk(jwk, 'key')), {
    der: false, hash: true, userId,
  });
}

// A compact JWS checked by sm-crypto alone, with its three negative controls.
function checkSm2Jws(jws, jwk, what) {
  const [h, p, s] = jws.split('.');
  const header = b64json(h);
  if (header.alg !== 'SM2') throw new Error(`${what}: header alg ${header.alg}, expected SM2`);
  const input = `${h}.${p}`;
  const sig = Buffer.from(s, 'base64url');
  if (sig.length !== 64) throw new Error(`${what}: signature is ${sig.length} bytes, not r||s (64)`);
  if (!smVerify(input, sig.toString('hex'), jwk)) throw new Error(`${what}: sm-crypto does not verify it`);
  const flipped = Buffer.from(sig);
  flipped[40] ^= 0x01;
  if (smVerify(input, flipped.toString('hex'), jwk)) throw new Error(`${what}: control: flipped signature verified`);
  const changed = `${input.slice(0, -1)}${input.endsWith('A') ? 'B' : 'A'}`;
  if (smVerify(changed, sig.toString('hex'), jwk)) throw new Error(`${what}: control: changed input verified`);
  if (smVerify(input, sig.toString('hex'), jwk, '1234567812345679')) {
    throw new Error(`${what}: control: another user ID verified`);
  }
  return `${what} SM2 signature verified by sm-crypto (3 controls refused)`;
}

async function checkSm3(vec) {
  const parts = vec.presentation.split('~');
  const kb = parts.pop();
  const [jwt, ...disclosures] = parts;
  const payload = b64json(jwt.split('.')[1]);
  if (payload._sd_alg !== 'sm3') throw new Error(`_sd_alg is ${payload._sd_alg}`);
  const sd = payload._sd ?? [];
  for (const d of disclosures) {
    if (!sd.includes(sm3(d))) throw new Error(`SM3 digest of disclosure ${d.slice(0, 20)}… is not in _sd`);
    if (sd.includes(sha256(d))) throw new Error('a SHA-256 digest is in _sd');
  }
  const sdHash = b64json(kb.split('.')[1]).sd_hash;
  if (sdHash !== sm3(`${parts.join('~')}~`)) throw new Error('KB-JWT sd_hash is not SM3 over <jwt>~<disclosures>~');
  await verifyVector(vec); // the untouched presentation verifies, KB-JWT included
  // Control: one disclosure's value changed (same salt and name), re-encoded.
  const [salt, name] = b64json(disclosures[0]);
  const forged = Buffer.from(JSON.stringify([salt, name, '篡改'])).toString('base64url');
  const tampered = { ...vec, presentation: vec.presentation.replace(disclosures[0], forged) };
  const refusal = async (f) => {
    try {
      await f();
    } catch (e) {
      return e?.message ?? String(e);
    }
    return null;
  };
  const withKb = await refusal(() => verifyVector(tampered));
  if (withKb === null) throw new Error('control: a tampered disclosure verified (with KB-JWT)');
  // Without the KB-JWT only the SM3 digests protect the disclosures.
  const bare = `${parts.join('~')}~`;
  const shown = async (h, text) => {
    const lib = new SDJwtVcInstance({ hasher: h, verifier: keyVerifier(vec.issuer_jwk) });
    return (await lib.verify(text, { currentDate: vec.now })).payload[name];
  };
  const expected = JSON.stringify(vec.expected.claims[name]);
  const good = await shown(hasher, bare);
  if (JSON.stringify(good) !== expected) throw new Error(`bare SD-JWT shows ${name} = ${JSON.stringify(good)}, expected ${expected}`);
  const forgedShown = await shown(hasher, bare.replace(disclosures[0], forged));
  if (forgedShown !== undefined) throw new Error(`control: a tampered disclosure shows ${name} = ${JSON.stringify(forgedShown)}`);
  const sha256Only = (data) => hasher(data, 'sha-256');
  const wrongHash = await shown(sha256Only, bare);
  if (wrongHash !== undefined) throw new Error(`control: a SHA-256 hasher still opened ${name}`);
  return `${disclosures.length} SM3 digests and the SM3 sd_hash match; @sd-jwt/sd-jwt-vc verifies it (with KB-JWT; bare: ${name} shown); controls: tampered disclosure refused with KB (${withKb}) and not shown bare, SHA-256 hasher opens nothing`;
}

async function main(argv) {
  if (argv.length !== 1) {
    console.error('usage: gm_checks.mjs DIR');
    return 2;
  }
  const dir = argv[0];
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f));
  let passed = 0;
  let failed = 0;
  let sm2Seen = 0;
  let sm3Seen = 0;
  for (const file of files) {
    const vec = JSON.parse(fs.readFileSync(file, 'utf8'));
    const parts = vec.presentation.split('~');
    const checks = [];
    if (vec.issuer_jwk?.crv === 'SM2') checks.push(() => checkSm2Jws(parts[0], vec.issuer_jwk, 'issuer JWT'));
    if (vec.holder_jwk?.crv === 'SM2') checks.push(() => checkSm2Jws(parts[parts.length - 1], vec.holder_jwk, 'KB-JWT'));
    const sm3Case = b64json(parts[0].split('.')[1])._sd_alg === 'sm3';
    if (sm3Case) checks.push(() => checkSm3(vec));
    if (!checks.length) {
      console.log(`skip ${file}: no SM2 key and no sm3 digests`);
      continue;
    }
    for (const check of checks) {
      try {
        console.log(`ok ${file}: ${await check()}`);
        passed++;
      } catch (e) {
        console.log(`FAIL ${file}: ${e?.message ?? e}`);
        failed++;
      }
    }
    sm2Seen += (vec.issuer_jwk?.crv === 'SM2') + (vec.holder_jwk?.crv === 'SM2');
    sm3Seen += sm3Case;
  }
  if (!sm2Seen || !sm3Seen) {
    console.log(`FAIL ${dir}: ${sm2Seen} SM2 signatures, ${sm3Seen} sm3 credentials (need both)`);
    failed++;
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
