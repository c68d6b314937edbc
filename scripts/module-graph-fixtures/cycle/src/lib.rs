//! Fixture: three modules that import each other in a circle.
//! a -> b::leaf through the `pub use` re-export below, b::leaf -> b through `super::`,
//! b -> a through an inline `crate::a::` path.

pub mod a;
pub mod b;

pub use crate::b::leaf::Widget;
