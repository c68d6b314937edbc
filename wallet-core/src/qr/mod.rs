//! Show-certificate QR codes: the compact transport encoding, rendering and scanning, and the
//! freshness rules (refreshing offline codes, verifier challenges, replay detection, with the
//! replay history optionally kept in a file).

pub mod freshness;
pub mod render;
mod replay_file;
pub mod scan;
pub mod transport;
