//! The data-dir lock: one process owns a data dir at a time. `serve` holds it; offline
//! commands that write the index (import, reindex) refuse while it is held, naming the holder.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::Path;

use crate::NodeError;

/// The lock file's name inside the data dir.
pub const LOCK_FILE: &str = "govnode.lock";

/// A held data-dir lock; released on drop.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    /// Takes the lock, or explains who holds it.
    pub fn acquire(data_dir: &Path, holder: &str) -> Result<DataDirLock, NodeError> {
        let path = data_dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        match file.try_lock() {
            Ok(()) => {
                file.set_len(0)?;
                file.rewind()?;
                writeln!(file, "pid {} {holder}", std::process::id())?;
                file.sync_all()?;
                Ok(DataDirLock { _file: file })
            }
            Err(_) => {
                let mut who = String::new();
                let _ = file.read_to_string(&mut who);
                Err(NodeError::Locked(format!(
                    "data dir {} is in use ({}); stop that process first",
                    data_dir.display(),
                    who.trim()
                )))
            }
        }
    }
}
