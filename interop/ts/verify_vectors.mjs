#!/usr/bin/env node
// Verify SD-JWT VC test vectors with @sd-jwt/sd-jwt-vc 0.19.0 (the TypeScript peer).
//
// Usage: node interop/ts/verify_vectors.mjs DIR
//
// For every DIR/*.json whose expected.valid is true, `presentation` is verified with
// SDJwtVcInstance.verify (issuer signature with the vector's issuer_jwk through a verifier
// callback, key binding with the holder key from cnf.jwk, nonce = the vector's, current time =
// the vector's `now`), the KB-JWT aud/nonce are asserted to equal the vector's, and the
// verified claims are compared with expected.claims.
//
// Keys: Ed25519 (`EdDSA`) and P-256 (`ES256`, r||s) through node:crypto, SM2 (`SM2`, r||s, SM3
// with the distinguishing ID 1234567812345678) through the npm package sm-crypto. Digests:
// `_sd_alg` sha-256 through @sd-jwt/crypto-nodejs, sm3 through node:crypto's SM3 (OpenSSL's).
//
// Output: one line per file (`ok <file>`, `FAIL <file>: reason`, or `skip <file>: reason` for
// vectors expected to be invalid), then exactly `N passed, M failed`. Exit 1 if any vector
// failed or if no valid vector was found.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { digest } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import smCrypto from 'sm-crypto';

const ISSUER_TYP = 'dc+sd-jwt';
const B64URL = /^[A-Za-z0-9_-]*$/;
// GM/T 0009's default distinguishing identifier, the one our SM2 signatures use.
export const SM2_USER_ID = '1234567812345678';
// Public members and JWS alg per key type.
const KEY_KINDS = {
  'OKP/Ed25519': { members: ['kty', 'crv', 'x'], alg: 'EdDSA' },
  'EC/P-256': { members: ['kty', 'crv', 'x', 'y'], alg: 'ES256' },
  'EC/SM2': { members: ['kty', 'crv', 'x', 'y'], alg: 'SM2' },
};

class VectorFailure extends Error {
  constructor(message) {
    super(message);
    this.name = 'VectorFailure';
  }
}

function b64urlJson(segment) {
  if (!B64URL.test(segment)) throw new VectorFailure(`not base64url: ${segment.slice(0, 40)}`);
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

function keyKind(jwk, what) {
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) {
    throw new VectorFailure(`${what} is not a JSON object`);
  }
  if ('d' in jwk) throw new VectorFailure(`${what} contains a private key member 'd'`);
  const kind = KEY_KINDS[`${jwk.kty}/${jwk.crv}`];
  if (!kind || !kind.members.every((m) => typeof jwk[m] === 'string')) {
    throw new VectorFailure(`${what} is not an Ed25519, P-256 or SM2 public key: ${JSON.stringify(jwk)}`);
  }
  return kind;
}

export function publicJwk(jwk, what) {
  const { members } = keyKind(jwk, what);
  return Object.fromEntries(members.map((m) => [m, jwk[m]]));
}

export function jwsAlg(jwk) {
  return keyKind(jwk, 'key').alg;
}

// RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order, no spaces.
function thumbprint(jwk) {
  const canonical = JSON.stringify(Object.fromEntries(Object.keys(jwk).sort().map((k) => [k, jwk[k]])));
  return crypto.createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

// sm-crypto's form of an SM2 public key: uncompressed point, hex.
export function sm2PublicHex(jwk) {
  const hex = (c) => Buffer.from(c, 'base64url').toString('hex');
  return `04${hex(jwk.x)}${hex(jwk.y)}`;
}

// A verifier callback for the library: (data, sig) -> boolean, by the key's type.
// The library passes the ASCII signing input `header.payload` and the base64url signature;
// it never looks at the header `alg` itself (checked by the harness instead).
export function keyVerifier(jwk) {
  const pub = publicJwk(jwk, 'key');
  const alg = jwsAlg(pub);
  let check;
  if (alg === 'SM2') {
    // sm-crypto 0.5.8 doVerifySignature(msg, sigHex, publicKeyHex, {der, hash, userId}):
    // der: false = r||s as 128 hex digits; hash: true = sign SM3(Z_A || msg), Z_A from userId.
    const publicHex = sm2PublicHex(pub);
    check = (data, signature) => smCrypto.sm2.doVerifySignature(
      data, signature.toString('hex'), publicHex, { der: false, hash: true, userId: SM2_USER_ID },
    );
  } else {
    const key = crypto.createPublicKey({ key: pub, format: 'jwk' });
    check = alg === 'ES256'
      ? (data, signature) => crypto.verify('sha256', Buffer.from(data, 'utf8'), { key, dsaEncoding: 'ieee-p1363' }, signature)
      : (data, signature) => crypto.verify(null, Buffer.from(data, 'utf8'), key, signature);
  }
  return (data, sig) => {
    if (typeof sig !== 'string' || !B64URL.test(sig)) return false;
    const signature = Buffer.from(sig, 'base64url');
    if (signature.length !== 64) return false;
    return check(data, signature);
  };
}

// The library's hasher (data, alg) -> Uint8Array, called with the credential's `_sd_alg` for
// disclosure digests and for sd_hash. sm3: node:crypto (OpenSSL's SM3), strings as UTF-8.
export async function hasher(data, alg) {
  if (alg === 'sm3') {
    const input = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    return new Uint8Array(crypto.createHash('sm3').update(input).digest());
  }
  return digest(data, alg);
}

function jsonDiff(actual, expected, p = '$') {
  const show = (v) => JSON.stringify(v);
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${p}: got ${show(actual)}, expected an array`;
    if (actual.length !== expected.length) {
      return `${p}: array length ${actual.length}, expected ${expected.length}: got ${show(actual)}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const d = jsonDiff(actual[i], expected[i], `${p}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return `${p}: got ${show(actual)}, expected an object`;
    }
    const own = (o) => Object.keys(o);
    const missing = own(expected).filter((k) => !Object.hasOwn(actual, k)).sort();
    const extra = own(actual).filter((k) => !Object.hasOwn(expected, k)).sort();
    if (missing.length) return `${p}: missing member(s) ${show(missing)}`;
    if (extra.length) return `${p}: unexpected member(s) ${show(extra)}`;
    for (const k of own(expected)) {
      const d = jsonDiff(actual[k], expected[k], `${p}.${k}`);
      if (d) return d;
    }
    return null;
  }
  // undefined would mean a member holding `undefined`, which is not JSON.
  if (actual === undefined || actual !== expected) {
    return `${p}: got ${actual === undefined ? 'undefined' : show(actual)}, expected ${show(expected)}`;
  }
  return null;
}

function require(vec, key, type) {
  const v = vec[key];
  const ok = type === 'integer' ? Number.isInteger(v) : type === 'object'
    ? v !== null && typeof v === 'object' && !Array.isArray(v) : typeof v === type;
  if (!ok) throw new VectorFailure(`vector field '${key}' missing or of the wrong type`);
  return v;
}

export async function verifyVector(vec) {
  const presentation = require(vec, 'presentation', 'string');
  const issuerIss = require(vec, 'issuer_iss', 'string');
  const nonce = require(vec, 'nonce', 'string');
  const aud = require(vec, 'aud', 'string');
  const now = require(vec, 'now', 'integer');
  const expected = require(vec, 'expected', 'object');
  if (expected.claims === null || typeof expected.claims !== 'object') {
    throw new VectorFailure('expected.claims missing');
  }
  const issuerJwk = publicJwk(require(vec, 'issuer_jwk', 'object'), 'issuer_jwk');
  const holderJwk = publicJwk(require(vec, 'holder_jwk', 'object'), 'holder_jwk');

  const parts = presentation.split('~');
  if (parts.length < 2 || parts[parts.length - 1] === '') {
    throw new VectorFailure("presentation has no KB-JWT (last '~' segment is empty)");
  }

  // --- Harness checks: things @sd-jwt/sd-jwt-vc 0.19.0 does not check (see README) ---
  const header = b64urlJson(parts[0].split('.')[0]);
  if (header.typ !== ISSUER_TYP) {
    throw new VectorFailure(`harness: issuer JWT header typ is ${JSON.stringify(header.typ)}, expected "${ISSUER_TYP}"`);
  }
  if (header.alg !== jwsAlg(issuerJwk)) throw new VectorFailure(`harness: issuer JWT header alg is ${JSON.stringify(header.alg)}, not the issuer key's ${jwsAlg(issuerJwk)}`);
  if (header.kid !== thumbprint(issuerJwk)) {
    throw new VectorFailure(`harness: issuer JWT header kid ${JSON.stringify(header.kid)} is not the RFC 7638 thumbprint of issuer_jwk`);
  }
  const kbHeader = b64urlJson(parts[parts.length - 1].split('.')[0]);
  if (kbHeader.alg !== jwsAlg(holderJwk)) throw new VectorFailure(`harness: KB-JWT header alg is ${JSON.stringify(kbHeader.alg)}, not the holder key's ${jwsAlg(holderJwk)}`);

  const sdjwtvc = new SDJwtVcInstance({
    hasher, // (data, alg) -> Uint8Array; sha-256 or sm3 via node:crypto, strings hashed as UTF-8
    verifier: keyVerifier(issuerJwk),
    // kbVerifier gets the *disclosed* SD-JWT claims as its third argument.
    kbVerifier: (data, sig, payload) => {
      const jwk = payload?.cnf?.jwk;
      if (!jwk) throw new VectorFailure('no cnf.jwk in the SD-JWT payload');
      return keyVerifier(jwk)(data, sig);
    },
    // A `status.status_list` claim makes verify() fetch the list over the network; the vector
    // format carries no status list token, so such a vector cannot be checked here.
    statusListFetcher: async (uri) => {
      throw new VectorFailure(`credential has status.status_list (${uri}); the vector format has no status list token`);
    },
  });

  // Without keyBindingNonce the library silently skips key binding. currentDate (seconds) is
  // used for the issuer JWT's iat/nbf/exp checks (no skew); the KB-JWT iat is not checked.
  const result = await sdjwtvc.verify(presentation, { keyBindingNonce: nonce, currentDate: now });
  if (!result.kb) throw new VectorFailure('library returned no verified KB-JWT');
  // The library only checks that aud/iat are present (and nonce equal): check the values.
  if (result.kb.payload.aud !== aud) {
    throw new VectorFailure(`KB-JWT aud ${JSON.stringify(result.kb.payload.aud)} != ${JSON.stringify(aud)}`);
  }
  if (result.kb.payload.nonce !== nonce) throw new VectorFailure('KB-JWT nonce differs');
  if (!Number.isInteger(result.kb.payload.iat)) throw new VectorFailure('harness: KB-JWT iat is not an integer');

  const claims = result.payload;
  if (claims.iss !== issuerIss) {
    throw new VectorFailure(`payload iss ${JSON.stringify(claims.iss)} != issuer_iss ${JSON.stringify(issuerIss)}`);
  }
  const cnf = claims.cnf?.jwk;
  if (!cnf || jsonDiff(Object.fromEntries(Object.keys(holderJwk).map((k) => [k, cnf[k]])), holderJwk)) {
    throw new VectorFailure(`harness: cnf.jwk ${JSON.stringify(cnf)} is not the vector's holder_jwk`);
  }

  // result.payload is the processed payload: `_sd_alg` removed (top level), `_sd` removed at
  // every level, disclosed claims merged in, array elements {"...": d} replaced by their value
  // or dropped if undisclosed; plain claims (iss, iat, exp, vct, cnf, ...) are kept. That is
  // exactly the shape of expected.claims, so no normalisation is applied.
  const diff = jsonDiff(claims, expected.claims);
  if (diff) throw new VectorFailure(`claims differ: ${diff}`);
  return claims;
}

async function main(argv) {
  if (argv.length !== 1) {
    console.error('usage: verify_vectors.mjs DIR');
    return 2;
  }
  const dir = argv[0];
  let files = [];
  if (fs.existsSync(dir) && fs.statSync(dir).isDirectory()) {
    // Byte-wise sort, as Python's sorted() does for ASCII names.
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
      .map((f) => path.join(dir, f));
  } else {
    console.log(`FAIL ${dir}: not a directory`);
  }
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    let vec;
    try {
      vec = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (vec === null || typeof vec !== 'object' || typeof vec.expected?.valid !== 'boolean') {
        throw new VectorFailure('no boolean expected.valid');
      }
    } catch (e) {
      console.log(`FAIL ${file}: ${e.name}: ${e.message}`);
      failed++;
      continue;
    }
    if (!vec.expected.valid) {
      console.log(`skip ${file}: expected invalid (${vec.expected.error}), not a peer case`);
      continue;
    }
    try {
      await verifyVector(vec);
      console.log(`ok ${file}`);
      passed++;
    } catch (e) {
      console.log(`FAIL ${file}: ${e?.name ?? 'Error'}: ${e?.message ?? e}`);
      failed++;
    }
  }
  if (passed + failed === 0) console.log(`FAIL ${dir}: no valid test vectors found`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed || passed + failed === 0 ? 1 : 0;
}

// Run as a script (not when imported by sm2_jws.mjs for its helpers).
if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
