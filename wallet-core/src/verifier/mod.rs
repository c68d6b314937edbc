//! Protocol step 4, the verifier, fully offline: one presentation checked against a trust list
//! and cached status lists ([`verify_with_trust`], [`verify_presentation`]), a scanned code
//! checked with the freshness rules and a replay history ([`QrVerifier`], [`ReplayCache`]), many
//! codes at once with batched signature checks ([`verify_bulk_with_trust`]), the JSON report
//! every front end prints ([`report`]), the status-list cache ([`StatusCache`]) and a verifier
//! device that keeps all of it between scans ([`Verifier`]). Every failure is a
//! [`VerifyError`] whose code names the layer that refused.

pub(crate) mod bulk;
pub(crate) mod device;
pub(crate) mod error;
pub(crate) mod options;
pub(crate) mod replay_file;
pub mod report;
pub(crate) mod session;
pub(crate) mod status_cache;
pub(crate) mod verify;

pub use crate::format::keys::{AlgSet, AlgorithmPolicy};
pub use bulk::{BulkItem, CHUNK, verify_bulk, verify_bulk_with_trust};
pub use device::{Verifier, VerifierConfig};
pub use error::{FreshnessError, VerifyError};
pub use options::{OPTION_NAMES, OptionsError, VerifierOptions, default_config, parse_options};
pub use replay_file::{REPLAY_COMPACT_SLACK, ReplayCacheError};
pub use session::{
    DEFAULT_REPLAY_CAPACITY, QrVerifier, QrVerifierConfig, ReplayCache, ReplayEntry, ScanResult,
    replay_forget_after,
};
pub use status_cache::{
    AggregationResult, StatusCache, StatusListMemo, check_status, load_status_list,
};
pub use verify::{
    KeyBindingPolicy, KeyBindingReport, ReportClaim, TrustPolicy, TrustedReport,
    VerificationReport, VerifyPolicy, verify_presentation, verify_with_trust,
};
