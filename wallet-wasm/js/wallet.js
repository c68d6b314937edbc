// The cert-wallet verifier as an ES module: wallet-core's verifier (and a holder's
// presentation) in WebAssembly, for browsers, Node and WeChat mini-programs.
//
// Every call of the module answers JSON bytes (wallet-wasm/src/envelope.rs); this file turns
// them into values, and a refusal of a malformed call into a thrown WalletError with a stable
// `code`. A refused *credential* is not an error: `verify` returns the report, `valid: false`.
// API reference: docs/web-verifier.md.
import './text.js';
import initGlue, * as glue from './wallet_wasm.js';
import initScanGlue, * as scanGlue from './wallet_scan.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A call the module refused: `code` is stable (docs/errors.md, docs/web-verifier.md). */
export class WalletError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'WalletError';
    this.code = code;
  }
}

function bytes(value) {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return encoder.encode(value);
  return encoder.encode(JSON.stringify(value));
}

function answer(raw) {
  const parsed = JSON.parse(decoder.decode(raw));
  if (!parsed.ok) throw new WalletError(parsed.code, parsed.message);
  delete parsed.ok;
  return parsed;
}

const LANGS = { en: 0, zh: 1 };
function lang(value) {
  const code = LANGS[value ?? 'zh'];
  if (code === undefined) throw new WalletError('wasm.invalid_argument', 'lang must be "zh" or "en"');
  return code;
}

// The scanner is a module of its own (wallet_scan): loaded only where the browser has no
// BarcodeDetector, and made anew if the decoder ever traps (WebAssembly cannot catch a panic),
// so that a hostile frame can never reach the verifier's state.
let scanner = null; // { glue, module } once loaded
let scannerReloads = 0;

const hasBarcodeDetector = () => typeof globalThis.BarcodeDetector === 'function';
const beside = (file) => new URL(file, import.meta.url);

async function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (typeof source === 'string' || source instanceof URL) source = await fetch(source);
  if (typeof Response === 'function' && source instanceof Response) {
    return WebAssembly.compile(await source.arrayBuffer());
  }
  return WebAssembly.compile(source);
}

/**
 * Loads the verifier module and, where the browser has no BarcodeDetector, the scanner module.
 * `source` / `scannerSource`: nothing (the .wasm files beside this one, fetched), a URL or path,
 * a Response, the bytes (Node: `fs.readFileSync`), or a compiled WebAssembly.Module.
 */
export async function init(source, scannerSource) {
  const loading = [source === undefined ? initGlue() : initGlue({ module_or_path: source })];
  if (scannerSource !== undefined || !hasBarcodeDetector()) loading.push(initScanner(scannerSource));
  await Promise.all(loading);
}

/** Loads the scanner module (see `init`); a second call does nothing. */
export async function initScanner(source) {
  if (scanner) return;
  const module = await compile(source ?? beside('wallet_scan_bg.wasm'));
  await initScanGlue({ module_or_path: module });
  scanner = { glue: scanGlue, module };
}

/** Loads the modules synchronously from their bytes or compiled modules (Node, workers). */
export function initSync(source, scannerSource) {
  glue.initSync({ module: source });
  if (scannerSource !== undefined && !scanner) {
    const module = scannerSource instanceof WebAssembly.Module ? scannerSource : new WebAssembly.Module(scannerSource);
    scanGlue.initSync({ module });
    scanner = { glue: scanGlue, module };
  }
}

// A trapped scanner instance is discarded: a fresh copy of the glue (a new module record) is
// instantiated from the compiled module, in the background; frames meanwhile find nothing.
function reloadScanner() {
  const { module } = scanner;
  scanner = null;
  scannerReloads++;
  import(`./wallet_scan.js?instance=${scannerReloads}`)
    .then(async (fresh) => {
      await fresh.default({ module_or_path: module });
      scanner = { glue: fresh, module };
    })
    .catch(() => {});
}

/** How many times the scanner module was made anew after a trap. */
export function scannerRestarts() {
  return scannerReloads;
}

/**
 * Loads the verifier module in a WeChat mini-program: `path` is the .wasm (or .wasm.br) inside
 * the code package, instantiated with `WXWebAssembly` (the mini-program cannot fetch it at run
 * time). Mini-programs scan with wx.scanCode or the camera component, so the scanner module is
 * not loaded there.
 */
export async function initWeChat(path, wx = globalThis.WXWebAssembly) {
  if (!wx || typeof wx.instantiate !== 'function') {
    throw new WalletError('wasm.invalid_argument', 'WXWebAssembly is not available here');
  }
  // The glue instantiates through the global `WebAssembly`; for the duration of the load it is
  // a shim that hands the code-package path to WXWebAssembly.
  const had = Object.prototype.hasOwnProperty.call(globalThis, 'WebAssembly');
  const saved = globalThis.WebAssembly;
  globalThis.WebAssembly = {
    instantiate: (target, imports) => wx.instantiate(target.wxPath, imports),
    Instance: function WXInstance() {},
  };
  try {
    return await initGlue({ module_or_path: { wxPath: path } });
  } finally {
    if (had) globalThis.WebAssembly = saved;
    else delete globalThis.WebAssembly;
  }
}

/** Mixes ≥ 32 random bytes from the page into the module's generator (call once after init). */
export function seedRandom(random) {
  answer(glue.seed_random(random));
}

/** `{version, crate}`. */
export function version() {
  return answer(glue.version());
}

/**
 * The text of the QR code in an RGBA frame (a canvas's ImageData), or null. Needs the scanner
 * module (`init` loads it where there is no BarcodeDetector, or `initScanner`).
 */
export function scanFrame(rgba, width, height) {
  if (!scanner) {
    if (scannerReloads > 0) return null; // being made anew after a trap
    throw new WalletError('wasm.no_scanner', 'the scanner module is not loaded: call initScanner() first');
  }
  let raw;
  try {
    raw = scanner.glue.scan_frame(rgba, width, height);
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      reloadScanner();
      return null;
    }
    throw e;
  }
  const a = answer(raw);
  return a.found ? a.text : null;
}

/** One presentation against one issuer key (the test vectors' shape): `{valid, claims | code}`. */
export function verifyPresentation(request) {
  return answer(glue.verify_presentation(bytes(request)));
}

/** The presentation inside a CW1:/CW2: payload; throws its transport error code. */
export function decodePayload(payload) {
  return answer(glue.decode_payload(bytes(payload))).presentation;
}

/** Entries of an unsigned `status_list` object: `{bits, size, values}`. */
export function statusListValues(request) {
  return answer(glue.status_list_values(bytes(request)));
}

/** A presentation signed with `request.holder_key` (a private JWK): `{presentation, payload}`. */
export function present(request) {
  return answer(glue.present(bytes(request)));
}

/**
 * A presentation whose KB-JWT `signer(signingInput: Uint8Array) => Uint8Array(64)` signs under
 * the public key `request.holder_jwk`.
 */
export function presentWithSigner(request, signer) {
  return answer(glue.present_with_signer(bytes(request), signer));
}

/** A verifier device: trust list, status lists, replay history. */
export class Verifier {
  constructor() {
    this.inner = new glue.WalletVerifier();
  }

  /** `{trustList, rootJwk, options?, now}` → what the list says (list_id, seq, issuers, stale…). */
  loadTrustList({ trustList, rootJwk, options, now }) {
    const request = { trust_list: trustList, root_jwk: rootJwk, options: options ?? null, now };
    return answer(this.inner.load_trust_list(bytes(request))).trust_list;
  }

  /** Adds a Status List Token: `{uri, iat, exp, ttl}`. */
  addStatusList(token) {
    return answer(this.inner.add_status_list(bytes(token)));
  }

  /** The report of `wallet verify --json` for a scanned or pasted text. */
  verify(text, now, language) {
    return answer(this.inner.verify(bytes(text), now, lang(language))).report;
  }

  /**
   * The report for the QR code in an RGBA frame, or null when the frame holds none (the
   * scanner module reads the frame, this verifier checks the text).
   */
  verifyFrame(rgba, width, height, now, language) {
    const text = scanFrame(rgba, width, height);
    return text === null ? null : this.verify(text, now, language);
  }

  /** The replay history live at `now`, as text to keep (IndexedDB). */
  replaySnapshot(now) {
    return answer(this.inner.replay_snapshot(now)).snapshot;
  }

  /** Restores a kept history; returns how many codes it remembers. */
  restoreReplay(snapshot, now) {
    return answer(this.inner.restore_replay(bytes(snapshot), now)).entries;
  }

  /** A challenge payload (`CWC1:…`) for the holder to answer; needs the verifier_id option. */
  newChallenge(now, ttl) {
    return answer(this.inner.new_challenge(now, ttl)).payload;
  }

  /** Releases the module's memory for this device. */
  free() {
    this.inner.free();
  }
}
