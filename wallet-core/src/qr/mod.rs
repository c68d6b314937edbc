//! The show-certificate QR code as a codec both sides use: the compact, lossless `CW2:` (and
//! `CW1:`) transport of a presentation ([`transport`], docs/qr-format.md), drawing the symbol
//! ([`render`]), finding and reading it in a camera photo ([`scan`]), and the freshness protocol
//! a holder follows and a verifier checks ([`freshness`]: offline refreshing codes, challenges).
//! What a verifier *does* with a scanned code is in `crate::verifier`.

pub mod freshness;
pub mod render;
#[cfg(feature = "qr-scan")]
pub mod scan;
pub mod transport;
