//! wallet-wasm: wallet-core's verifier — and a holder's presentation — in WebAssembly, for the
//! web verifier page (`web/verifier/`), browsers and WeChat mini-programs.
//!
//! A thin shell, like the CLI and the C FFI: each export reads its arguments, calls
//! wallet-core, and answers JSON bytes ([`envelope`]). The package's `wallet.js` (made by
//! `scripts/build-wasm.sh` around wasm-bindgen's output) turns those into JS values and
//! `WalletError`s. Inside the module there is no file, thread, clock or host randomness: time
//! is every call's `now`, randomness is the page's seed ([`random`]), the replay history goes
//! out as a snapshot the page keeps.
//!
//! Two modules are built from this crate (scripts/build-wasm.sh): the verifier (`verifier`
//! feature: [`verifier`], [`check`], [`holder`]) and the scanner (`scanner` feature:
//! [`scanner`]), which the page loads only where the browser has no `BarcodeDetector`. Apart,
//! the verifier stays small, and a trap in the QR decoder (WebAssembly cannot catch a panic)
//! can only end the scanner's instance, which the page makes anew, never the verifier's state.
//!
//! ```text
//!   camera frame (RGBA) ──scan_frame (wallet_scan)──▶ text ─┐
//!   page ──trust list, status lists──▶ WalletVerifier ◀─────┘ ──report──▶ VALID / INVALID
//! ```

#[cfg(feature = "verifier")]
pub mod check;
pub mod envelope;
#[cfg(feature = "verifier")]
pub mod holder;
pub mod random;
#[cfg(feature = "scanner")]
pub mod scanner;
#[cfg(feature = "verifier")]
pub mod verifier;

#[cfg(feature = "verifier")]
use wallet_core::keys::{Algorithm, KeyError, KeySigner, PublicKey};
use wasm_bindgen::prelude::*;

/// Mixes at least 32 random bytes from the page into the module's generator. Call once after
/// loading (`crypto.getRandomValues` in a browser, `wx.getRandomValues` in a mini-program).
#[wasm_bindgen]
pub fn seed_random(bytes: &[u8]) -> Vec<u8> {
    envelope::encode(random::seed(bytes).map(|()| serde_json::Map::new()))
}

/// `{"version", "crate"}`: the engine's version.
#[wasm_bindgen]
pub fn version() -> Vec<u8> {
    let mut answer = envelope::member("version", env!("CARGO_PKG_VERSION"));
    answer.insert("crate".into(), "wallet-wasm".into());
    envelope::encode(Ok(answer))
}

#[cfg(feature = "scanner")]
/// Finds the QR code in an RGBA frame: `{"found": false}` or `{"found": true, "text"}`.
#[wasm_bindgen]
pub fn scan_frame(rgba: &[u8], width: u32, height: u32) -> Vec<u8> {
    envelope::encode(scanner::scan_rgba(rgba, width, height).map(|text| {
        let mut answer = envelope::member("found", text.is_some());
        if let Some(text) = text {
            answer.insert("text".into(), text.into());
        }
        answer
    }))
}

#[cfg(feature = "verifier")]
/// [`check::verify_presentation_request`].
#[wasm_bindgen]
pub fn verify_presentation(request: &[u8]) -> Vec<u8> {
    envelope::encode(check::verify_presentation_request(request))
}

#[cfg(feature = "verifier")]
/// [`check::decode_payload`].
#[wasm_bindgen]
pub fn decode_payload(payload: &[u8]) -> Vec<u8> {
    envelope::encode(check::decode_payload(payload))
}

#[cfg(feature = "verifier")]
/// [`check::status_list_values`].
#[wasm_bindgen]
pub fn status_list_values(request: &[u8]) -> Vec<u8> {
    envelope::encode(check::status_list_values(request))
}

#[cfg(feature = "verifier")]
/// [`holder::present_request`] with the request's `holder_key`.
#[wasm_bindgen]
pub fn present(request: &[u8]) -> Vec<u8> {
    envelope::encode(holder::present_request(request, None))
}

#[cfg(feature = "verifier")]
/// [`holder::present_request`] with the KB-JWT signed by `signer`, a JS function that takes
/// the signing input (`Uint8Array`) and returns the 64-byte signature (`Uint8Array`, r‖s for
/// P-256 and SM2) under the public key `holder_jwk` of the request.
#[wasm_bindgen]
pub fn present_with_signer(request: &[u8], signer: &js_sys::Function) -> Vec<u8> {
    let answer = envelope::request(request, "present's request")
        .and_then(|r| envelope::jwk_member(&r, "holder_jwk"))
        .and_then(|jwk| PublicKey::from_jwk(&jwk).map_err(|e| envelope::ApiError::core(&e)))
        .and_then(|public| {
            let signer = JsSigner {
                public,
                callback: signer,
            };
            holder::present_request(request, Some(&signer))
        });
    envelope::encode(answer)
}

/// A KB-JWT signer in JS: the page's own key store (WebCrypto, a hardware key).
#[cfg(feature = "verifier")]
struct JsSigner<'a> {
    public: PublicKey,
    callback: &'a js_sys::Function,
}

#[cfg(feature = "verifier")]
impl KeySigner for JsSigner<'_> {
    fn key_algorithm(&self) -> Algorithm {
        self.public.algorithm()
    }

    fn public(&self) -> PublicKey {
        self.public.clone()
    }

    fn sign_message(&self, message: &[u8]) -> Result<[u8; 64], KeyError> {
        let input = js_sys::Uint8Array::from(message);
        let output = self
            .callback
            .call1(&JsValue::NULL, &input)
            .map_err(|_| KeyError::SignerFailed("the signer callback threw".into()))?
            .dyn_into::<js_sys::Uint8Array>()
            .map_err(|_| {
                KeyError::SignerFailed("the signer callback did not return a Uint8Array".into())
            })?;
        let mut signature = [0u8; 64];
        if output.length() != 64 {
            return Err(KeyError::SignerFailed(
                "the signer callback did not return 64 bytes".into(),
            ));
        }
        output.copy_to(&mut signature);
        Ok(signature)
    }
}

/// A verifier device for the page ([`verifier::Device`]): create it empty, load a trust list,
/// add status lists, verify scans.
#[cfg(feature = "verifier")]
#[wasm_bindgen]
#[derive(Debug, Default)]
pub struct WalletVerifier {
    device: verifier::Device,
}

#[cfg(feature = "verifier")]
#[wasm_bindgen]
impl WalletVerifier {
    /// An empty device.
    #[wasm_bindgen(constructor)]
    pub fn new() -> WalletVerifier {
        WalletVerifier::default()
    }

    /// [`verifier::Device::load_trust_list`].
    pub fn load_trust_list(&mut self, request: &[u8]) -> Vec<u8> {
        envelope::encode(self.device.load_trust_list(request))
    }

    /// [`verifier::Device::add_status_list`].
    pub fn add_status_list(&mut self, token: &[u8]) -> Vec<u8> {
        envelope::encode(self.device.add_status_list(token))
    }

    /// [`verifier::Device::verify`].
    pub fn verify(&mut self, payload: &[u8], now: f64, lang: u32) -> Vec<u8> {
        envelope::encode(self.device.verify(payload, now, lang))
    }

    /// [`verifier::Device::replay_snapshot`].
    pub fn replay_snapshot(&mut self, now: f64) -> Vec<u8> {
        envelope::encode(self.device.replay_snapshot(now))
    }

    /// [`verifier::Device::restore_replay`].
    pub fn restore_replay(&mut self, snapshot: &[u8], now: f64) -> Vec<u8> {
        envelope::encode(self.device.restore_replay(snapshot, now))
    }

    /// [`verifier::Device::new_challenge`].
    pub fn new_challenge(&mut self, now: f64, ttl: u32) -> Vec<u8> {
        envelope::encode(self.device.new_challenge(now, ttl))
    }
}
