//! Uses `crate::Widget`, which lib.rs re-exports from `b::leaf`.

use crate::Widget;

pub fn helper() -> Widget {
    Widget
}
