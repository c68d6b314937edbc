//! Defines `Widget`; reaches its parent through `super::`.

pub struct Widget;

pub fn size() -> u32 {
    super::shared()
}
