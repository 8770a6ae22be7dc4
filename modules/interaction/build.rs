//! `sqlx::migrate!` embeds the files of `migrations/`; the compiler tracks those it has seen,
//! so a new migration would go unnoticed without this.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
