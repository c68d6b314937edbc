//! Helpers over `types`, reached through the parent.

use super::types::{self, Id};

pub fn f(_: types::Name) -> Id {
    Id(1)
}
