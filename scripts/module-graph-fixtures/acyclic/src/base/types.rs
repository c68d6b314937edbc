//! Plain types; the literals below name upper modules and must not count.

/* block comment: crate::mid::g() /* nested: crate::top::run() */ still a comment: crate::extra::f */

// Callers start at crate::top::run(); this line comment must not count.
pub struct Id(pub u32);
pub struct Name;

pub fn describe<'a>(x: &'a str) -> (&'a str, char, &'static str, &'static str) {
    let quote = '"';
    let raw = r#"crate::top::App "and" super::super::mid"#;
    (x, quote, "crate::mid::g", raw)
}
