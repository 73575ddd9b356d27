//! Rebuilds the server when a catalogue or a migration is added: fluent-templates and
//! `sqlx::migrate!` read those folders at compile time, and cargo only notices a
//! changed file it already knew, not a new one.
fn main() {
    println!("cargo:rerun-if-changed=i18n");
    println!("cargo:rerun-if-changed=../../migrations");
}
