// Types of wallet.js, the cert-wallet verifier package (docs/web-verifier.md).

/** A call the module refused; `code` is stable. */
export class WalletError extends Error {
  readonly code: string;
}

export type Lang = 'zh' | 'en';
export type Jwk = Record<string, unknown>;
export type WasmSource = string | URL | Response | BufferSource | WebAssembly.Module;

export function init(source?: WasmSource, scannerSource?: WasmSource): Promise<void>;
export function initScanner(source?: WasmSource): Promise<void>;
export function initSync(source: BufferSource | WebAssembly.Module, scannerSource?: BufferSource | WebAssembly.Module): void;
export function initWeChat(path: string, wx?: unknown): Promise<unknown>;
export function scannerRestarts(): number;
export function seedRandom(random: Uint8Array): void;
export function version(): { version: string; crate: string };
export function scanFrame(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): string | null;

export interface PresentationRequest {
  presentation: string;
  issuer_iss: string;
  issuer_jwk: Jwk | string;
  now: number;
  aud?: string;
  nonce?: string;
  policy?: { key_binding?: 'required' | 'if_present'; check_nonce?: boolean; max_age?: number; clock_skew?: number };
}
export function verifyPresentation(request: PresentationRequest):
  { valid: true; claims: Record<string, unknown> } | { valid: false; code: string };
export function decodePayload(payload: string): string;
export function statusListValues(request: { status_list: { bits: number; lst: string }; indices: number[] }):
  { bits: number; size: number; values: number[] };

export interface PresentRequest {
  credential: string;
  disclose: string[];
  now: number;
  challenge?: string;
  aud?: string;
  nonce?: string;
  qr?: boolean;
  holder_key?: Jwk | string;
  holder_jwk?: Jwk | string;
}
export function present(request: PresentRequest): { presentation: string; payload?: string };
export function presentWithSigner(request: PresentRequest, signer: (signingInput: Uint8Array) => Uint8Array):
  { presentation: string; payload?: string };

/** The report `wallet verify --json` prints (docs/cli.md). */
export interface Report {
  valid: boolean;
  code: string;
  reason?: string;
  issuer: { iss: string; name_zh: string | null; name_en: string | null; kid: string } | null;
  vct: string | null;
  type: { name: string; name_zh: string | null; name_en: string | null } | null;
  claims: { path: string; label: string; label_zh: string | null; label_en: string | null; value: unknown }[];
  status: { uri: string; idx: number; value: string | null; unknown_reason: string | null; refresh_due: boolean | null } | null;
  expires_at?: string;
  trust_list?: { list_id: string; seq: number; stale: boolean };
  checked_at: string;
}

export interface VerifierOptions {
  max_age?: number;
  clock_skew?: number;
  replay_capacity?: number;
  accept_offline?: boolean;
  verifier_id?: string;
  accept_unknown_status?: boolean;
  require_status?: boolean;
  allow_stale_trust_list?: boolean;
  algs?: string[];
}

export interface TrustListInfo {
  list_id: string;
  seq: number;
  issued_at: number;
  next_update: number;
  stale: boolean;
  issued_at_text: string;
  next_update_text: string;
  issuers: { iss: string; name_zh: string; name_en: string; vct: string[] }[];
}

export class Verifier {
  constructor();
  loadTrustList(args: { trustList: string; rootJwk: Jwk | string; options?: VerifierOptions | null; now: number }): TrustListInfo;
  addStatusList(token: string): { uri: string; iat: number; exp: number | null; ttl: number | null };
  verify(text: string, now: number, lang?: Lang): Report;
  verifyFrame(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, now: number, lang?: Lang): Report | null;
  replaySnapshot(now: number): string;
  restoreReplay(snapshot: string, now: number): number;
  newChallenge(now: number, ttl: number): string;
  free(): void;
}
