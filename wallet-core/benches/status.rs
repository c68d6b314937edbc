//! Token Status List scale bench (filled in below).
fn main() {}
