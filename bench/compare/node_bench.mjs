#!/usr/bin/env node
// Times @sd-jwt/sd-jwt-vc 0.19.0 (with @sd-jwt/crypto-nodejs) on the same 10-claim driving
// licence. Usage: node bench/compare/node_bench.mjs CLAIMS.json [ROUNDS]
//
// CLAIMS.json is written by our compare_bench example. Ed25519 through node:crypto for the
// issuer and the holder; the holder presents every disclosable claim with a KB-JWT and the
// verifier checks both signatures, the disclosures, the nonce and the time claims. Prints one
// JSON object of medians (microseconds per call).

import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The packages live in interop/node_modules (installed by interop/setup.sh).
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../interop/package.json'));
const { digest, generateSalt } = require('@sd-jwt/crypto-nodejs');
const { SDJwtVcInstance } = require('@sd-jwt/sd-jwt-vc');

const NONCE = 'n-0S6_WzA2Mj';

function signerOf(privateKey) {
  return (data) => crypto.sign(null, Buffer.from(data, 'utf8'), privateKey).toString('base64url');
}
function verifierOf(publicKey) {
  return (data, sig) => crypto.verify(null, Buffer.from(data, 'utf8'), publicKey, Buffer.from(sig, 'base64url'));
}

async function medianUs(rounds, per, fn) {
  await fn();
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < per; i++) await fn();
    samples.push(Number(process.hrtime.bigint() - t) / per / 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const rounds = Number(process.argv[3] ?? 15);
const issuer = crypto.generateKeyPairSync('ed25519');
const holder = crypto.generateKeyPairSync('ed25519');
const holderJwk = holder.publicKey.export({ format: 'jwk' });
const issuerJwk = issuer.publicKey.export({ format: 'jwk' });
const kid = crypto.createHash('sha256')
  .update(JSON.stringify({ crv: issuerJwk.crv, kty: issuerJwk.kty, x: issuerJwk.x }))
  .digest('base64url');

const sdjwt = new SDJwtVcInstance({
  hasher: digest,
  saltGenerator: generateSalt,
  signer: signerOf(issuer.privateKey),
  signAlg: 'EdDSA',
  verifier: verifierOf(issuer.publicKey),
  kbSigner: signerOf(holder.privateKey),
  kbSignAlg: 'EdDSA',
  kbVerifier: verifierOf(holder.publicKey),
});

const payload = {
  iss: spec.iss, iat: spec.iat, exp: spec.exp, vct: spec.vct,
  cnf: { jwk: holderJwk },
  ...spec.claims,
};
const frame = { _sd: spec.disclosable };
const issue = () => sdjwt.issue(payload, frame, { header: { typ: 'dc+sd-jwt', kid } });
const credential = await issue();
const presentationFrame = Object.fromEntries(spec.disclosable.map((n) => [n, true]));
const present = () => sdjwt.present(credential, presentationFrame, {
  kb: { payload: { aud: spec.aud, nonce: NONCE, iat: spec.iat + 10 } },
});
const presentation = await present();
const verify = () => sdjwt.verify(presentation, { keyBindingNonce: NONCE, currentDate: spec.iat + 20 });
const result = await verify();
for (const n of spec.disclosable) {
  if (!(n in result.payload)) throw new Error(`verified payload lacks ${n}`);
}
if (!result.kb) throw new Error('key binding was not verified');

const results = { issue_us: [], present_us: [], verify_us: [] };
for (let r = 0; r < 3; r++) {
  results.issue_us.push(await medianUs(rounds, 20, issue));
  results.present_us.push(await medianUs(rounds, 20, present));
  results.verify_us.push(await medianUs(rounds, 20, verify));
}
const med = (v) => v.sort((a, b) => a - b)[1];
console.log(JSON.stringify({
  implementation: '@sd-jwt/sd-jwt-vc 0.19.0 (node ' + process.version + ')',
  presentation_bytes: presentation.length,
  issue_us: med(results.issue_us),
  present_us: med(results.present_us),
  verify_us: med(results.verify_us),
}));
