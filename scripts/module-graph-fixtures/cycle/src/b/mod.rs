//! Parent of `leaf`; calls back into `a`.

pub mod leaf;

pub fn shared() -> u32 {
    let _ = crate::a::helper();
    7
}
