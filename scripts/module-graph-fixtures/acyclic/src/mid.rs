//! Middle layer: grouped and nested uses, a rename, a glob.

use crate::{
    Label,
    base::{
        types::{Id, Name},
        util,
    },
};
use crate::base::util::*;
#[cfg(test)]
use crate::top::App;

pub fn g() -> Id {
    let _: Label = Name;
    util::f(Name)
}

#[cfg(test)]
fn fixture() -> App {
    crate::extra::f();
    App
}

#[cfg(test)]
mod tests {
    use crate::top::App;

    #[test]
    fn may_import_anything() {
        let _ = App;
        crate::extra::f();
    }
}
