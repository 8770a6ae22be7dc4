//! Content checks over articles: serious errors (misspelt names of national leaders and
//! institutions, outdated institution names, sensitive words) from shipped lists edited at
//! the province, likely typos as warnings, and links hidden by styling (暗链).

mod checker;
mod dark_links;
mod gate;
mod lists;
mod scan;
pub(crate) mod store;

pub use checker::{ContentChecker, ContentFinding};
pub use dark_links::{DarkLink, dark_links};
pub use gate::MonitoringGate;
pub use lists::{ListError, WordEntry, WordList, check_entry, parse, shipped};
pub use store::ListedWord;
