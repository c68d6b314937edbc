// The web verifier page: scans a show-certificate (亮证) QR code with the camera, or takes it
// typed or pasted, verifies it offline with the WebAssembly verifier (./pkg/wallet.js) against
// the trust list and status lists kept in IndexedDB, and shows a large green or red result
// that a holder can read across a counter.
//
// Untrusted input — codes, files, downloads — reaches the page only through textContent and
// the verifier; nothing from them is ever parsed as HTML.
//
// Test hooks (web/tests/): body[data-ready], #result[data-valid][data-code][data-source]
// [data-scan-path][data-decode-ms][data-verify-ms][data-scan-ms][data-frame-size], #fields [data-path] rows
// with .label and .value, #reason-zh, #reason-en.

import * as wallet from './pkg/wallet.js';
import { reasonFor, setupReasonFor, UI, relativeTime, localTime } from './messages.js';
import { Store } from './store.js';

/** Time between two looks at the camera (a few scans a second; each wasm scan takes ~10 ms). */
const SCAN_INTERVAL_MS = 200;
/** Frames larger than this (longer side) are scaled down before the wasm scanner reads them. */
const MAX_FRAME_SIDE = 1024;
/** Frames in a row without the last code before the camera may report that code again. */
const SAME_CODE_RELEASE = 8;
/** Largest file or download the setup reads (a status list token may be up to 16 MiB). */
const MAX_SETUP_BYTES = 20 * 1024 * 1024;

const $ = (id) => document.getElementById(id);

const state = {
  lang: 'zh',
  phase: 'loading', // loading | scan | result
  store: null,
  verifier: null,
  root: null, // the pinned root key, a public JWK object
  trustList: null, // the trust list in use (compact JWS)
  trustInfo: null, // what loadTrustList answered for it
  trustProblem: null, // why the stored trust list could not be used, {code, detail}
  statusLists: {}, // uri → Status List Token, as stored
  statusInfo: {}, // uri → {uri, iat, exp, ttl} or {uri, problem}
  messages: [], // the setup panel's recent outcomes
  replacingRoot: false, // the administrator confirmed replacing the pinned root key
  offline: false, // the kiosk bundle could not be downloaded: the stored setup is in use
  scanMessage: 'scan.loading',
  camera: {
    stream: null,
    timer: null,
    detector: null, // a BarcodeDetector when the browser has one for QR codes
    ignoreText: null, // the last result's code, not reported again while it stays in view
    misses: 0,
    frames: 0,
  },
  current: null, // {report, source, text, timing}
};

const t = (key) => UI[state.lang][key] ?? UI.zh[key] ?? key;
const colon = () => (state.lang === 'zh' ? '：' : ': ');
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A failure of the page's own setup steps, with a code for messages.js. */
class SetupProblem extends Error {
  constructor(code, detail = '') {
    super(detail || code);
    this.code = code;
    this.detail = detail;
  }
}

function problemOf(error) {
  if (error instanceof wallet.WalletError || error instanceof SetupProblem) {
    return { code: error.code, detail: error.message === error.code ? '' : error.message };
  }
  return { code: 'setup.failed', detail: String(error?.message ?? error) };
}

// ---------------------------------------------------------------------------------------------
// Setup: root key, trust list, status lists, replay history.

/**
 * Says what a setup step did; `kind` is ok, warn or error. `subjectKey` names what `subject`
 * is (a UI string, shown in the language of the moment).
 */
function note(kind, code, detail = '', subject = '', subjectKey = '') {
  state.messages.unshift({ kind, code, detail, subject, subjectKey, at: nowSeconds() });
  state.messages.length = Math.min(state.messages.length, 6);
  renderSetup();
}

async function persist(key, value) {
  try {
    await state.store.set(key, value);
  } catch {
    note('warn', 'setup.storage');
  }
}

/** Checks that a value is a public JWK of a kind the verifier knows; answers the object. */
function publicJwk(value) {
  let jwk = value;
  if (typeof jwk === 'string') {
    try {
      jwk = JSON.parse(jwk);
    } catch {
      throw new SetupProblem('key.invalid_jwk');
    }
  }
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) throw new SetupProblem('key.invalid_jwk');
  // A private key has no business on a verifier: refuse it rather than store it.
  if ('d' in jwk) throw new SetupProblem('key.private_in_public');
  if (!['OKP', 'EC'].includes(jwk.kty) || typeof jwk.crv !== 'string' || typeof jwk.x !== 'string') {
    throw new SetupProblem('key.invalid_jwk');
  }
  if (jwk.kty === 'EC' && typeof jwk.y !== 'string') throw new SetupProblem('key.invalid_jwk');
  const kept = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  if (jwk.kty === 'EC') kept.y = jwk.y;
  return kept;
}

const sameKey = (a, b) => a && b && a.kty === b.kty && a.crv === b.crv && a.x === b.x && a.y === b.y;

/** The trust list's info under `root`, from a scratch device (the one in use is untouched). */
function probeTrustList(token, root) {
  const probe = new wallet.Verifier();
  try {
    return probe.loadTrustList({ trustList: token, rootJwk: root, now: nowSeconds() });
  } finally {
    probe.free();
  }
}

/** Uses a new trust list: it must verify under the pinned root and not be older than the last. */
async function useTrustList(token) {
  if (typeof token !== 'string' || token.trim() === '') throw new SetupProblem('trust.malformed');
  token = token.trim();
  if (!state.root) throw new SetupProblem('setup.no_root');
  const info = probeTrustList(token, state.root);
  const seen = (await state.store.get('trust_seen')) ?? {};
  if (typeof seen[info.list_id] === 'number' && info.seq < seen[info.list_id]) {
    throw new SetupProblem('trust.rollback', `seq ${info.seq} < ${seen[info.list_id]}`);
  }
  // A device that had a list keeps its replay history across the new one; a device without
  // one gets the stored history once the list is in. Status lists must be added again either
  // way: they are checked against the new list's keys.
  const fresh = state.trustInfo === null;
  state.trustInfo = state.verifier.loadTrustList({ trustList: token, rootJwk: state.root, now: nowSeconds() });
  state.trustList = token;
  state.trustProblem = null;
  seen[info.list_id] = Math.max(info.seq, seen[info.list_id] ?? 0);
  await persist('trust_seen', seen);
  await persist('trust_list', token);
  readdStatusLists();
  if (fresh) await restoreReplay();
  return state.trustInfo;
}

function readdStatusLists() {
  state.statusInfo = {};
  for (const [uri, token] of Object.entries(state.statusLists)) {
    try {
      state.statusInfo[uri] = state.verifier.addStatusList(token);
    } catch (e) {
      state.statusInfo[uri] = { uri, problem: problemOf(e) };
    }
  }
}

async function useStatusList(token) {
  if (typeof token !== 'string' || token.trim() === '') throw new SetupProblem('status.malformed');
  const info = state.verifier.addStatusList(token.trim());
  state.statusLists[info.uri] = token.trim();
  state.statusInfo[info.uri] = info;
  await persist('status_lists', state.statusLists);
  return info;
}

async function pinRoot(value) {
  const jwk = publicJwk(value);
  state.root = jwk;
  await persist('root_jwk', jwk);
  // The list in use must now verify under the new root, or it is dropped from the device.
  if (state.trustList) {
    try {
      await useTrustList(state.trustList);
    } catch (e) {
      // A fresh device, without the old list; the replay history stays in IndexedDB and comes
      // back with the next list that verifies.
      state.trustInfo = null;
      state.trustProblem = problemOf(e);
      state.verifier.free();
      state.verifier = new wallet.Verifier();
      state.statusInfo = {};
    }
  }
}

/** A bundle `{root_jwk, trust_list, status_lists}`: all three, in that order. */
async function useBundle(text, subject) {
  let bundle;
  try {
    bundle = typeof text === 'string' ? JSON.parse(text) : text;
  } catch {
    throw new SetupProblem('setup.bad_bundle');
  }
  if (!bundle || typeof bundle !== 'object' || typeof bundle.trust_list !== 'string'
      || (bundle.status_lists !== undefined && !Array.isArray(bundle.status_lists))) {
    throw new SetupProblem('setup.bad_bundle');
  }
  const root = bundle.root_jwk === undefined ? null : publicJwk(bundle.root_jwk);
  if (!state.root) {
    if (!root) throw new SetupProblem('setup.no_root');
    // First use: the bundle's root is pinned once its trust list verifies under it.
    probeTrustList(bundle.trust_list.trim(), root);
    state.root = root;
    await persist('root_jwk', root);
  } else if (root && !sameKey(root, state.root)) {
    note('warn', 'setup.root_differs', '', subject);
  }
  await useTrustList(bundle.trust_list);
  note('ok', 'setup.loaded', '', `${state.trustInfo.list_id} #${state.trustInfo.seq}`, 'setup.trust');
  for (const token of bundle.status_lists ?? []) {
    try {
      const info = await useStatusList(token);
      note('ok', 'setup.loaded', '', info.uri, 'setup.status');
    } catch (e) {
      const p = problemOf(e);
      note('error', p.code, p.detail, subject);
    }
  }
}

async function fetchText(url) {
  let target;
  try {
    target = new URL(url, location.href);
  } catch {
    throw new SetupProblem('setup.download');
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new SetupProblem('setup.download');
  let response;
  try {
    response = await fetch(target, { cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new SetupProblem('setup.download');
  }
  if (!response.ok) throw new SetupProblem('setup.download', `HTTP ${response.status}`);
  if (Number(response.headers.get('content-length')) > MAX_SETUP_BYTES) throw new SetupProblem('setup.too_large');
  const text = await response.text();
  if (text.length > MAX_SETUP_BYTES) throw new SetupProblem('setup.too_large');
  return text;
}

async function readFile(file) {
  if (file.size > MAX_SETUP_BYTES) throw new SetupProblem('setup.too_large');
  return file.text();
}

/** Runs one setup action from the panel, reporting its outcome there. */
async function setupAction(subject, action) {
  try {
    await action();
  } catch (e) {
    const p = problemOf(e);
    note('error', p.code, p.detail, subject);
  }
  renderAll();
  if (ready() && !state.camera.stream && state.phase === 'scan') startCamera();
}

/** Restores what an earlier visit stored. */
async function restoreSetup() {
  const store = state.store;
  try {
    const root = await store.get('root_jwk');
    if (root) state.root = publicJwk(root);
    state.statusLists = (await store.get('status_lists')) ?? {};
    const token = await store.get('trust_list');
    if (token && state.root) {
      try {
        state.trustInfo = state.verifier.loadTrustList({ trustList: token, rootJwk: state.root, now: nowSeconds() });
        state.trustList = token;
      } catch (e) {
        // Kept, so a later bundle or file can replace it; the summary says what is wrong.
        state.trustList = token;
        state.trustProblem = problemOf(e);
      }
    }
    if (state.trustInfo) {
      readdStatusLists();
      await restoreReplay();
    }
  } catch (e) {
    const p = problemOf(e);
    note('error', p.code, p.detail);
  }
}

/**
 * Gives the device back the codes it accepted before the reload (replay protection); called
 * once the device has a trust list (the module keeps a history only on a device with one).
 */
async function restoreReplay() {
  if (!state.trustInfo) return;
  const snapshot = await state.store.get('replay');
  if (typeof snapshot !== 'string' || snapshot === '') return;
  try {
    state.verifier.restoreReplay(snapshot, nowSeconds());
  } catch (e) {
    // A damaged history is dropped (and said so): it only protects the last minute or two.
    const p = problemOf(e);
    note('warn', p.code, p.detail);
    await persist('replay', '');
  }
}

async function saveReplay() {
  try {
    const snapshot = state.verifier.replaySnapshot(nowSeconds());
    await persist('replay', snapshot);
  } catch {
    // No trust list: nothing was accepted, nothing to keep.
  }
}

const ready = () => state.trustInfo !== null;

// ---------------------------------------------------------------------------------------------
// Scanning.

const video = () => $('camera');
const canvas = document.createElement('canvas');
const context = canvas.getContext('2d', { willReadFrequently: true });

async function qrDetector() {
  if (!('BarcodeDetector' in window)) return null;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    return formats.includes('qr_code') ? new window.BarcodeDetector({ formats: ['qr_code'] }) : null;
  } catch {
    return null;
  }
}

async function startCamera() {
  if (state.camera.stream) return;
  if (!ready()) {
    setScanMessage('scan.not_ready');
    return;
  }
  if (!navigator.mediaDevices?.getUserMedia) {
    setScanMessage('scan.no_camera');
    return;
  }
  try {
    // The back camera on a phone or tablet; a counter webcam answers whatever it has.
    state.camera.stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
  } catch {
    state.camera.stream = null;
    setScanMessage('scan.no_camera');
    renderCameraButton();
    return;
  }
  const v = video();
  v.srcObject = state.camera.stream;
  try {
    await v.play();
  } catch {
    // Autoplay of a muted stream is allowed; a refusal only delays the first frame.
  }
  state.camera.detector = await qrDetector();
  if (!state.camera.detector && typeof wallet.initScanner === 'function') {
    // No BarcodeDetector for QR codes: the wasm scanner reads the frames (init loaded it
    // already unless the browser has a BarcodeDetector, one without QR support).
    try {
      await wallet.initScanner();
    } catch (e) {
      console.warn('scanner module:', problemOf(e).code);
    }
  }
  document.body.dataset.scanPath = state.camera.detector ? 'barcode-detector' : 'wasm';
  setScanMessage('scan.scanning');
  renderCameraButton();
  scheduleScan(0);
}

function stopCamera() {
  clearTimeout(state.camera.timer);
  state.camera.stream?.getTracks().forEach((track) => track.stop());
  state.camera.stream = null;
  video().srcObject = null;
  setScanMessage(ready() ? 'scan.hint' : 'scan.not_ready');
  renderCameraButton();
}

function scheduleScan(delay) {
  clearTimeout(state.camera.timer);
  // requestAnimationFrame: no scanning while the page is hidden, and never inside a layout.
  state.camera.timer = setTimeout(() => requestAnimationFrame(() => scanOnce()), delay);
}

/** The current camera image as RGBA pixels, scaled down to MAX_FRAME_SIDE; null before the first frame. */
function grabFrame() {
  const v = video();
  if (v.readyState < 2 || !v.videoWidth || !v.videoHeight) return null;
  const scale = Math.min(1, MAX_FRAME_SIDE / Math.max(v.videoWidth, v.videoHeight));
  const width = Math.round(v.videoWidth * scale);
  const height = Math.round(v.videoHeight * scale);
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  context.drawImage(v, 0, 0, width, height);
  return { width, height };
}

async function scanOnce() {
  const cam = state.camera;
  if (!cam.stream || state.phase !== 'scan') return;
  const started = performance.now();
  try {
    const frame = grabFrame();
    if (frame) {
      let text = null;
      let path;
      let grabMs;
      let decodeStart;
      if (cam.detector) {
        path = 'barcode-detector';
        decodeStart = performance.now();
        grabMs = decodeStart - started;
        const codes = await cam.detector.detect(canvas);
        text = codes.find((c) => c.format === 'qr_code')?.rawValue ?? null;
      } else {
        path = 'wasm';
        const pixels = context.getImageData(0, 0, frame.width, frame.height);
        decodeStart = performance.now();
        grabMs = decodeStart - started;
        try {
          text = wallet.scanFrame(pixels.data, frame.width, frame.height);
        } catch (e) {
          // One unreadable frame (e.g. a damaged code the decoder refuses) must not stop the
          // scanner; the next frame is looked at as usual.
          console.warn('frame not scanned:', problemOf(e).code);
          text = null;
        }
      }
      const decodeMs = performance.now() - decodeStart;
      cam.frames += 1;
      if (state.phase !== 'scan') return; // a pasted code was verified meanwhile
      if (text === null) {
        cam.misses += 1;
        if (cam.misses >= SAME_CODE_RELEASE) cam.ignoreText = null;
        setScanMessage('scan.scanning');
      } else if (text === cam.ignoreText) {
        // The code just shown is still in front of the camera: wait for the next one instead
        // of reporting it again (a second look would only say qr.replay).
        cam.misses = 0;
        setScanMessage('scan.same');
      } else {
        verifyText(text, 'camera', { path, grabMs, decodeMs, frames: cam.frames, size: frame });
        return;
      }
    }
  } catch (e) {
    console.warn('scan failed:', problemOf(e).code);
  }
  scheduleScan(Math.max(0, SCAN_INTERVAL_MS - (performance.now() - started)));
}

/** A report in the verifier's shape for a call the module refused (e.g. no trust list yet). */
function refusalReport(error) {
  const p = problemOf(error);
  return {
    valid: false, code: p.code, reason: p.detail, issuer: null, type: null, claims: [], status: null,
    checked_at: new Date().toISOString(),
  };
}

function verifyText(text, source, timing) {
  const t0 = performance.now();
  let report;
  try {
    report = state.verifier.verify(text, nowSeconds(), state.lang);
  } catch (e) {
    report = refusalReport(e);
  }
  const verifyMs = performance.now() - t0;
  state.current = { report, source, text, timing: { ...timing, verifyMs } };
  state.phase = 'result';
  state.camera.ignoreText = text;
  state.camera.misses = 0;
  saveReplay().then(renderSetup);
  renderAll();
  $('scan-next').focus();
}

function scanNext() {
  state.phase = 'scan';
  state.current = null;
  $('paste-input').value = '';
  $('paste-message').textContent = '';
  renderAll();
  if (state.camera.stream) {
    setScanMessage('scan.scanning');
    scheduleScan(SCAN_INTERVAL_MS);
  } else if (ready()) {
    startCamera();
  }
}

function verifyPasted(event) {
  event?.preventDefault();
  const text = $('paste-input').value.trim();
  if (text === '') {
    $('paste-message').textContent = t('paste.empty');
    return;
  }
  verifyText(text, 'paste', { path: 'paste' });
}

// ---------------------------------------------------------------------------------------------
// Rendering.

function setScanMessage(key) {
  if (state.scanMessage === key) return;
  state.scanMessage = key;
  $('scan-message').textContent = t(key);
  $('scan-message').dataset.key = key;
}

function renderCameraButton() {
  const button = $('camera-toggle');
  button.hidden = !ready() || !navigator.mediaDevices?.getUserMedia;
  button.textContent = t(state.camera.stream ? 'scan.stop' : 'scan.start');
}

function applyLanguage() {
  const lang = state.lang;
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.body.dataset.lang = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  $('lang-zh').setAttribute('aria-pressed', String(lang === 'zh'));
  $('lang-en').setAttribute('aria-pressed', String(lang === 'en'));
  $('scan-message').textContent = t(state.scanMessage);
}

function formatValue(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return t(value ? 'result.yes' : 'result.no');
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

function pick(zh, en, fallback) {
  const value = state.lang === 'zh' ? (zh ?? en) : (en ?? zh);
  return value ?? fallback ?? '';
}

function row(list, label, value, attrs = {}) {
  const item = document.createElement('div');
  item.className = 'row-item';
  for (const [k, v] of Object.entries(attrs)) item.dataset[k] = v;
  const dt = document.createElement('dt');
  dt.className = 'label';
  dt.textContent = label;
  const dd = document.createElement('dd');
  dd.className = 'value';
  dd.textContent = value;
  item.append(dt, dd);
  list.append(item);
}

function renderResult() {
  const section = $('result');
  const current = state.current;
  if (!current) {
    section.hidden = true;
    for (const key of Object.keys(section.dataset)) delete section.dataset[key];
    return;
  }
  const { report, source, timing } = current;
  const valid = report.valid === true;
  section.hidden = false;
  section.className = valid ? 'valid' : 'invalid';
  Object.assign(section.dataset, {
    valid: String(valid),
    code: String(report.code ?? ''),
    source,
    scanPath: timing.path,
  });
  // Milliseconds spent in the WebAssembly calls, for the tests' per-scan figures.
  if (timing.decodeMs !== undefined) section.dataset.decodeMs = timing.decodeMs.toFixed(1);
  if (timing.grabMs !== undefined) section.dataset.grabMs = timing.grabMs.toFixed(1);
  section.dataset.verifyMs = timing.verifyMs.toFixed(1);
  section.dataset.scanMs = ((timing.decodeMs ?? 0) + timing.verifyMs).toFixed(1);
  if (timing.frames !== undefined) section.dataset.frames = String(timing.frames);
  if (timing.size) section.dataset.frameSize = `${timing.size.width}x${timing.size.height}`;

  section.querySelector('.mark').textContent = valid ? '✓' : '✗';
  $('verdict-zh').textContent = valid ? '有效' : '无效';
  $('verdict-en').textContent = valid ? 'VALID' : 'INVALID';
  const reason = reasonFor(report.code);
  $('reason-zh').textContent = reason.zh;
  $('reason-en').textContent = reason.en;

  $('credential-type').textContent = report.type ? pick(report.type.name_zh, report.type.name_en, report.type.name) : '';
  $('credential-issuer').textContent = report.issuer
    ? `${t('result.issuer')}${colon()}${pick(report.issuer.name_zh, report.issuer.name_en, report.issuer.iss)}`
    : '';
  $('credential').hidden = !report.type && !report.issuer;

  const fields = $('fields');
  fields.replaceChildren();
  for (const claim of report.claims ?? []) {
    row(fields, pick(claim.label_zh, claim.label_en, claim.label ?? claim.path), formatValue(claim.value), {
      path: String(claim.path),
    });
  }
  fields.hidden = fields.childElementCount === 0;

  const meta = $('meta');
  meta.replaceChildren();
  if (report.status) {
    const key = `result.status.${report.status.value}`;
    row(meta, t('result.status'), UI[state.lang][key] ? t(key) : t('result.status.unknown'), { kind: 'status' });
  }
  const checked = Date.parse(report.checked_at);
  if (!Number.isNaN(checked)) {
    row(meta, t('result.checked'), `${localTime(Math.floor(checked / 1000))}:${String(new Date(checked).getSeconds()).padStart(2, '0')}`, { kind: 'checked' });
  }

  // The technical code, small, for a support call; the reason text is the verifier's own
  // (it never echoes the scanned bytes).
  const list = report.trust_list ? ` · ${report.trust_list.list_id} #${report.trust_list.seq}` : '';
  $('tech').textContent = `${report.code}${report.reason ? ` — ${report.reason}` : ''}${list}`;
}

function statusListState(info, now) {
  if (info.problem) return 'error';
  if ((info.exp && now > info.exp) || (info.ttl && now - info.iat > info.ttl)) return 'warn';
  return 'ok';
}

function renderSetup() {
  const now = nowSeconds();
  const lang = state.lang;

  // Root key.
  $('root-info').textContent = state.root
    ? `${t('setup.root.pinned')}${colon()}${state.root.kty} ${state.root.crv} ${state.root.x.slice(0, 16)}…`
    : t('setup.root.none');
  // The key form shows only while no key is pinned or after "replace" was confirmed.
  $('root-replace').hidden = !state.root || state.replacingRoot;
  $('root-form').hidden = Boolean(state.root) && !state.replacingRoot;

  // Trust list.
  const trust = $('trust-info');
  trust.replaceChildren();
  if (state.trustInfo) {
    const i = state.trustInfo;
    const stale = now > i.next_update;
    const lines = [
      `${t('setup.trust.id')}${colon()}${i.list_id} · ${t('setup.trust.seq')} ${i.seq}`,
      `${t('setup.trust.issued')}${colon()}${localTime(i.issued_at)} (${relativeTime(now - i.issued_at, lang)})`,
      `${t('setup.trust.next')}${colon()}${localTime(i.next_update)} (${relativeTime(now - i.next_update, lang)})${stale ? ` — ${t('setup.trust.stale')}` : ''}`,
      `${t('setup.trust.issuers')}${colon()}${i.issuers.map((s) => pick(s.name_zh, s.name_en, s.iss)).join('、')}`,
    ];
    for (const line of lines) {
      const p = document.createElement('p');
      p.textContent = line;
      trust.append(p);
    }
    trust.dataset.state = stale ? 'warn' : 'ok';
  } else {
    const p = document.createElement('p');
    const problem = state.trustProblem ? setupReasonFor(state.trustProblem.code)[lang] : t('setup.summary.none');
    p.textContent = problem;
    trust.append(p);
    trust.dataset.state = state.trustProblem ? 'error' : 'none';
  }

  // Status lists.
  const status = $('status-info');
  status.replaceChildren();
  const infos = Object.values(state.statusInfo);
  if (infos.length === 0) {
    const li = document.createElement('li');
    li.textContent = t('setup.status.none');
    status.append(li);
  }
  for (const info of infos) {
    const li = document.createElement('li');
    const s = statusListState(info, now);
    li.dataset.state = s;
    li.dataset.uri = info.uri;
    if (info.problem) {
      li.textContent = `${info.uri}${colon()}${setupReasonFor(info.problem.code)[lang]}`;
    } else {
      const expires = info.exp ? ` · ${t('setup.status.expires')} ${localTime(info.exp)}` : '';
      li.textContent = `${info.uri}${colon()}${t('setup.status.updated')} ${relativeTime(now - info.iat, lang)}${expires}${s === 'warn' ? ` — ${t('setup.status.old')}` : ''}`;
    }
    status.append(li);
  }

  let remembered = 0;
  try {
    // The snapshot is a header line and one line per remembered code (docs/qr-format.md §9).
    if (state.trustInfo) remembered = state.verifier.replaySnapshot(now).split('\n').filter((l) => l.trim() !== '').length - 1;
  } catch {
    // Nothing remembered without a trust list.
  }
  $('history-info').textContent = `${t('setup.history')}${colon()}${Math.max(0, remembered)} ${t('setup.history.entries')}`;

  // Recent outcomes.
  const messages = $('setup-messages');
  messages.replaceChildren();
  for (const m of state.messages) {
    const li = document.createElement('li');
    li.dataset.state = m.kind;
    li.dataset.code = m.code;
    const words = m.code === 'setup.loaded' ? t('setup.loaded') : setupReasonFor(m.code)[lang];
    const subject = m.subjectKey ? `${t(m.subjectKey)} ${m.subject}` : m.subject;
    li.textContent = [words, subject, m.detail].filter(Boolean).join(' — ');
    messages.append(li);
  }

  renderSummary(now);
}

/** The one line under the header: what the device verifies against, and whether it is current. */
function renderSummary(now) {
  const summary = $('setup-summary');
  const lang = state.lang;
  if (!state.trustInfo) {
    summary.textContent = state.trustProblem
      ? `${setupReasonFor(state.trustProblem.code)[lang]}`
      : t('setup.summary.none');
    summary.dataset.state = 'error';
    return;
  }
  const i = state.trustInfo;
  const infos = Object.values(state.statusInfo);
  const states = infos.map((info) => statusListState(info, now));
  const newest = infos.filter((info) => !info.problem).map((info) => info.iat);
  const trustStale = now > i.next_update;
  const parts = [
    `${t('setup.trust')} ${i.list_id} · ${t('setup.trust.seq')} ${i.seq}${trustStale ? ` (${t('setup.trust.stale')})` : ''}`,
    infos.length === 0
      ? t('setup.status.none')
      : `${t('setup.status')} ${infos.length} · ${t('setup.status.updated')} ${relativeTime(now - Math.min(...newest, now), lang)}`,
  ];
  if (state.offline) parts.push(t('setup.offline'));
  summary.textContent = parts.join('　|　');
  summary.dataset.state = trustStale || infos.length === 0 || states.includes('error') ? 'error'
    : states.includes('warn') ? 'warn' : 'ok';
}

function renderAll() {
  document.body.dataset.phase = state.phase;
  applyLanguage();
  $('scan-panel').hidden = state.phase === 'result';
  renderResult();
  renderCameraButton();
  renderSetup();
}

async function setLanguage(lang) {
  state.lang = lang;
  renderAll();
  await persist('lang', lang);
}

// ---------------------------------------------------------------------------------------------
// Wiring.

function bind() {
  $('lang-zh').addEventListener('click', () => setLanguage('zh'));
  $('lang-en').addEventListener('click', () => setLanguage('en'));
  $('scan-next').addEventListener('click', scanNext);
  $('paste-panel').addEventListener('submit', verifyPasted);
  // A keyboard-wedge scanner types the code and presses Enter: verify on Enter.
  $('paste-input').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) verifyPasted(event);
  });
  $('camera-toggle').addEventListener('click', () => (state.camera.stream ? stopCamera() : startCamera()));

  $('open-setup').addEventListener('click', () => {
    $('setup-panel').hidden = false;
    renderSetup();
  });
  $('close-setup').addEventListener('click', () => {
    $('setup-panel').hidden = true;
  });

  const onFile = (id, subject, use) => $(id).addEventListener('change', async (event) => {
    const files = [...event.target.files];
    event.target.value = '';
    for (const file of files) {
      await setupAction(file.name, async () => {
        await use(await readFile(file), file.name);
      });
    }
  });
  const onUrl = (formId, inputId, use) => $(formId).addEventListener('submit', async (event) => {
    event.preventDefault();
    const url = $(inputId).value.trim();
    if (!url) return;
    await setupAction(url, async () => {
      await use(await fetchText(url), url);
    });
  });

  const loadTrust = async (text, subject) => {
    const info = await useTrustList(text);
    note('ok', 'setup.loaded', '', `${subject} (${info.list_id} #${info.seq})`);
  };
  const loadStatus = async (text, subject) => {
    const info = await useStatusList(text);
    note('ok', 'setup.loaded', '', `${subject} (${info.uri})`);
  };
  onFile('bundle-file', 'bundle', useBundle);
  onUrl('bundle-url-form', 'bundle-url', useBundle);
  onFile('trust-file', 'trust', loadTrust);
  onUrl('trust-url-form', 'trust-url', loadTrust);
  onFile('status-file', 'status', loadStatus);
  onUrl('status-url-form', 'status-url', loadStatus);

  // The pinned root key is only ever replaced here, after the administrator confirms.
  $('root-replace').addEventListener('click', () => {
    if (window.confirm(t('setup.root.confirm'))) {
      state.replacingRoot = true;
      renderSetup();
      $('root-input').focus();
    }
  });
  $('root-file').addEventListener('change', async (event) => {
    const [file] = event.target.files;
    event.target.value = '';
    if (file) $('root-input').value = (await readFile(file).catch(() => '')).trim();
  });
  $('root-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    await setupAction('root', async () => {
      await pinRoot($('root-input').value);
      $('root-input').value = '';
      state.replacingRoot = false;
      note('ok', 'setup.loaded', '', '', 'setup.root');
    });
  });
}

function registerServiceWorker() {
  // Offline after the first visit; a service worker only exists on http(s).
  if ('serviceWorker' in navigator && /^https?:$/.test(location.protocol)) {
    navigator.serviceWorker.register('./sw.js').catch((e) => console.warn('service worker:', e?.message));
  }
}

async function main() {
  bind();
  state.store = await Store.open();
  if (!state.store.persistent) note('warn', 'setup.storage');
  const lang = await state.store.get('lang').catch(() => null);
  if (lang === 'zh' || lang === 'en') state.lang = lang;
  applyLanguage();

  try {
    // Loads the verifier, and the QR scanner module where the browser has no BarcodeDetector.
    await wallet.init();
    wallet.seedRandom(crypto.getRandomValues(new Uint8Array(32)));
  } catch (e) {
    const p = problemOf(e);
    note('error', p.code, p.detail);
    $('scan-message').textContent = `${setupReasonFor(p.code)[state.lang]} (${p.code})`;
    document.body.dataset.ready = 'error';
    return;
  }
  state.verifier = new wallet.Verifier();
  await restoreSetup();

  // Kiosk deployment: the page's address names the bundle to load (and refresh) at start.
  const bundle = new URLSearchParams(location.search).get('bundle');
  if (bundle) {
    await setupAction(bundle, async () => {
      try {
        await useBundle(await fetchText(bundle), bundle);
      } catch (e) {
        if (e instanceof SetupProblem && e.code === 'setup.download' && ready()) {
          state.offline = true;
          note('warn', 'setup.offline', '', bundle);
          return;
        }
        throw e;
      }
    });
  }

  state.phase = 'scan';
  state.scanMessage = ready() ? 'scan.hint' : 'scan.not_ready';
  renderAll();
  if (!ready()) $('setup-panel').hidden = false;
  registerServiceWorker();
  // Ages in the setup panel and summary move on by themselves.
  setInterval(renderSetup, 30_000);
  document.body.dataset.ready = 'true';
  if (ready()) await startCamera();
}

main().catch((e) => {
  console.error(e);
  document.body.dataset.ready = 'error';
});
