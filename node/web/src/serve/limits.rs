//! The limits the server loop enforces, and the open-file limit they are derived from.

use std::time::Duration;

use tracing::{info, warn};

/// Open files kept back from the derived connection limit for the database, the search index,
/// blobs and sync.
pub const FILE_RESERVE: u64 = 256;

/// The most connections a derived limit allows.
pub const MAX_DERIVED_CONNECTIONS: usize = 10_000;

/// Below this open-file limit the server warns at start.
pub const LOW_FILE_LIMIT: u64 = 4096;

/// What the connection limit is derived from when the open-file limit cannot be read.
pub(super) const ASSUMED_FILE_LIMIT: u64 = 1024;

/// The limits the server loop enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeLimits {
    /// Time a client has to send a whole request head. Default 10 s.
    pub header_read_timeout: Duration,
    /// Time a kept-alive connection may wait idle between requests. Default 60 s.
    pub idle_timeout: Duration,
    /// Concurrent connections per peer IP address. Default 64.
    pub max_connections_per_client: usize,
    /// Concurrent connections in all; `None`: derived from the open-file limit.
    pub max_connections: Option<usize>,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections_per_client: 64,
            max_connections: None,
        }
    }
}

/// The process's soft limit on open files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileLimit {
    /// This many.
    Known(u64),
    /// No limit.
    Unlimited,
    /// It could not be read (no `/proc/self/limits`).
    Unknown,
}

impl FileLimit {
    /// Reads the soft limit from `/proc/self/limits` (no unsafe code, no libc).
    pub fn of_this_process() -> FileLimit {
        match std::fs::read_to_string("/proc/self/limits") {
            Ok(text) => FileLimit::parse(&text),
            Err(_) => FileLimit::Unknown,
        }
    }

    /// The soft "Max open files" limit in the text of a `/proc/<pid>/limits` file.
    pub fn parse(limits: &str) -> FileLimit {
        let Some(line) = limits.lines().find(|l| l.starts_with("Max open files")) else {
            return FileLimit::Unknown;
        };
        match line["Max open files".len()..].split_whitespace().next() {
            Some("unlimited") => FileLimit::Unlimited,
            Some(n) => n.parse().map_or(FileLimit::Unknown, FileLimit::Known),
            None => FileLimit::Unknown,
        }
    }

    /// The connection limit this file limit allows: the limit less [`FILE_RESERVE`] (but never
    /// below a quarter of it), at most [`MAX_DERIVED_CONNECTIONS`]. An unknown limit is taken
    /// as 1,024, the usual default.
    pub fn connections(self) -> usize {
        match self {
            FileLimit::Unlimited => MAX_DERIVED_CONNECTIONS,
            FileLimit::Unknown => FileLimit::Known(ASSUMED_FILE_LIMIT).connections(),
            FileLimit::Known(n) => {
                let allowed = n.saturating_sub(FILE_RESERVE).max(n / 4).max(1);
                usize::try_from(allowed)
                    .unwrap_or(usize::MAX)
                    .min(MAX_DERIVED_CONNECTIONS)
            }
        }
    }
}

/// Logs the effective limits, and warns when the open-file limit is low.
pub(super) fn report_limits(limits: &ServeLimits, max_connections: usize, files: FileLimit) {
    let open_files = match files {
        FileLimit::Known(n) => n.to_string(),
        FileLimit::Unlimited => "unlimited".into(),
        FileLimit::Unknown => "unknown".into(),
    };
    info!(
        header_read_timeout_secs = limits.header_read_timeout.as_secs_f64(),
        idle_timeout_secs = limits.idle_timeout.as_secs_f64(),
        max_connections_per_client = limits.max_connections_per_client,
        max_connections,
        max_connections_from = if limits.max_connections.is_some() {
            "http.max_connections"
        } else {
            "the open-file limit"
        },
        open_files = %open_files,
        "HTTP limits"
    );
    const RAISE: &str = "raise the open-file limit: `ulimit -n 65536` in the shell that starts \
                         govnode, or `LimitNOFILE=65536` in the [Service] section of its systemd unit";
    match files {
        FileLimit::Known(n) if n < LOW_FILE_LIMIT && limits.max_connections.is_none() => warn!(
            "the open-file limit is {n}, below {LOW_FILE_LIMIT}: this node can hold only \
             {max_connections} HTTP connections at once; {RAISE}"
        ),
        FileLimit::Known(n) if n < LOW_FILE_LIMIT => {
            warn!("the open-file limit is {n}, below {LOW_FILE_LIMIT}; {RAISE}")
        }
        FileLimit::Unknown if limits.max_connections.is_none() => warn!(
            "the open-file limit could not be read; assuming {ASSUMED_FILE_LIMIT}: at most \
             {max_connections} HTTP connections at once (set http.max_connections to choose)"
        ),
        _ => {}
    }
    if let (Some(set), FileLimit::Known(n)) = (limits.max_connections, files)
        && set as u64 + FILE_RESERVE > n
    {
        warn!(
            "http.max_connections = {set} leaves fewer than {FILE_RESERVE} of the {n} open files \
             the process may hold for the database, the index and sync: lower it, or {RAISE}"
        );
    }
}
