//! Top layer: a renamed module import, a path through a crate-root re-export, an inline module.

use crate::mid as m;

pub struct App;

pub fn run() -> u32 {
    let _ = m::g();
    crate::Id(2).0
}

mod inner {
    use super::App;

    pub fn make() -> App {
        App
    }
}
