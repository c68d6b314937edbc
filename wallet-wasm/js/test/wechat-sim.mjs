// A WeChat-mini-program-like runtime in Node, for vectors.test.mjs: the globals the
// mini-program runtime may lack are removed (TextDecoder, TextEncoder, fetch, crypto, URL,
// Response, Request, and WebAssembly itself), WXWebAssembly.instantiate(path, imports) is the
// only way to load the module, randomness comes from a stand-in for wx.getRandomValues. Then the
// package is loaded with initWeChat and verifies the fixture's valid code.
//
// usage: node wechat-sim.mjs PKG FIXTURE
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomFillSync } from 'node:crypto';

const [pkg, fixture] = process.argv.slice(2);
const RealWebAssembly = globalThis.WebAssembly;
for (const name of ['TextDecoder', 'TextEncoder', 'fetch', 'crypto', 'URL', 'Response', 'Request', 'WebAssembly']) {
  delete globalThis[name];
  if (name in globalThis) throw new Error(`cannot remove ${name}`);
}
// The mini-program's random source delivers an ArrayBuffer to a callback.
const wx = {
  getRandomValues: ({ length, success }) => success({ randomValues: randomFillSync(new Uint8Array(length)).buffer }),
};
globalThis.WXWebAssembly = {
  // Only a code-package path, as in the mini-program.
  instantiate(path, imports) {
    if (typeof path !== 'string') throw new TypeError('WXWebAssembly.instantiate takes a path');
    const bytes = readFileSync(join(pkg, path));
    // iOS: functions, memories and tables may be exported, globals not.
    const globals = RealWebAssembly.Module.exports(new RealWebAssembly.Module(bytes)).filter((e) => e.kind === 'global');
    if (globals.length > 0) throw new Error(`the module exports globals: ${globals.map((g) => g.name)}`);
    return RealWebAssembly.instantiate(bytes, imports);
  },
};

const w = await import(join(pkg, 'wallet.js'));
await w.initWeChat('wallet_wasm_bg.wasm');
if (typeof globalThis.WebAssembly !== 'undefined') throw new Error('the WebAssembly shim was left behind');
wx.getRandomValues({ length: 32, success: (r) => w.seedRandom(new Uint8Array(r.randomValues)) });
const { now, cases } = JSON.parse(readFileSync(join(fixture, 'cases.json'), 'utf8'));
const bundle = JSON.parse(readFileSync(join(fixture, 'setup/bundle.json'), 'utf8'));
const v = new w.Verifier();
v.loadTrustList({ trustList: bundle.trust_list, rootJwk: bundle.root_jwk, now });
for (const token of bundle.status_lists) v.addStatusList(token);
const report = v.verify(cases.valid.payload, now, 'zh');
if (JSON.stringify(report) !== JSON.stringify(cases.valid.report_zh)) {
  throw new Error(`report differs from wallet-core's: ${JSON.stringify(report)}`);
}
const again = v.verify(cases.valid.payload, now, 'zh');
if (again.code !== 'qr.replay') throw new Error(`second scan: ${again.code}`);
console.log(`wechat-sim: ${report.valid ? 'VALID' : 'INVALID'} ${report.code}, ${report.claims.length} labels, replay refused`);
