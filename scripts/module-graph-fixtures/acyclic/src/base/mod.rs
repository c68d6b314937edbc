//! Lowest layer. Mentions crate::top::App only in this comment.

pub mod types;
pub mod util;

pub use self::types::Id as BaseId;
