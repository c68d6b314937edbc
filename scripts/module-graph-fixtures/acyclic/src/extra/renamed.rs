//! Loaded through `#[path]`; uses the top layer.

pub fn f() {
    let _ = crate::top::run();
}
