//! Show-certificate QR codes: the compact transport encoding, rendering and scanning, and the
//! freshness rules (refreshing offline codes, verifier challenges, replay detection).

pub mod freshness;
pub mod render;
pub mod scan;
pub mod transport;
