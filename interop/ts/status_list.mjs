#!/usr/bin/env node
// Read our Status List Tokens with @sd-jwt/jwt-status-list 0.19.0 (the TypeScript peer).
//
// Usage: node interop/ts/status_list.mjs DIR
//
// DIR is written by `cargo run -p wallet-core --example gen_status_lists -- DIR`: one
// status-list-<bits>bit.jwt per bit size (1, 2, 4, 8) and expected.json with, per file, the
// list URI, its size and [index, status] pairs. For every file: the JWS signature is verified
// with node:crypto (Ed25519, the issuer_jwk of expected.json), the header typ must be
// statuslist+jwt and sub the expected URI, then the peer's getListFromStatusListJWT decodes the
// list (pako inflate, its own bit unpacking) and must read the expected status at every sampled
// index, with the expected bits per status and list length.
//
// Output: one line per file (`ok <file> (<n> indices)` or `FAIL <file>: reason`), then exactly
// `N passed, M failed`. Exit 1 if any file failed or none was found.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node interop/ts/status_list.mjs DIR');
  process.exit(2);
}

const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8'));
const issuerKey = crypto.createPublicKey({ key: expected.issuer_jwk, format: 'jwk' });

function decodePart(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

function check(file, want) {
  const token = fs.readFileSync(path.join(dir, file), 'utf8').trim();
  const [h, p, s] = token.split('.');
  const header = decodePart(h);
  const payload = decodePart(p);
  if (header.typ !== 'statuslist+jwt') throw new Error(`typ is ${header.typ}`);
  if (header.alg !== 'EdDSA') throw new Error(`alg is ${header.alg}`);
  const signed = crypto.verify(null, Buffer.from(`${h}.${p}`), issuerKey, Buffer.from(s, 'base64url'));
  if (!signed) throw new Error('Ed25519 signature does not verify');
  if (payload.sub !== want.uri) throw new Error(`sub is ${payload.sub}`);
  if (typeof payload.iat !== 'number') throw new Error('iat missing');

  const list = getListFromStatusListJWT(token);
  if (list.getBitsPerStatus() !== want.bits) {
    throw new Error(`bits ${list.getBitsPerStatus()} != ${want.bits}`);
  }
  if (list.statusList.length !== want.size) {
    throw new Error(`list length ${list.statusList.length} != ${want.size}`);
  }
  let nonZero = 0;
  for (const [idx, value] of want.statuses) {
    const got = list.getStatus(idx);
    if (got !== value) throw new Error(`index ${idx}: peer reads ${got}, expected ${value}`);
    if (value !== 0) nonZero += 1;
  }
  if (nonZero === 0) throw new Error('sample has no non-VALID status: nothing was tested');
  return want.statuses.length;
}

let passed = 0;
let failed = 0;
for (const [file, want] of Object.entries(expected.files)) {
  try {
    const n = check(file, want);
    console.log(`ok ${file} (${n} indices)`);
    passed += 1;
  } catch (e) {
    console.log(`FAIL ${file}: ${e.message}`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
