//! Enrolment at the command line: `init` with federation links, `certify` at a parent,
//! `install-cert` at the child, and `status` of a running node. Errors are anyhow and name
//! the flag or file at fault; every function returns the text to print.

use govnode_federation::now_ms;
use std::path::Path;

use anyhow::Result;

use crate::cli::config_path;
use crate::config::Config;

mod certify;
mod init;
mod status;

pub use certify::{CertifyOptions, certify, install_cert};
pub use init::{DEFAULT_P2P, InitOptions, init, parse_key, parse_link, parse_node_id, parse_tier};
pub use status::{StatusTarget, base_url, fetch_status, render_status, status};

fn load_config(data_dir: &Path) -> Result<Config> {
    Ok(Config::load(&config_path(data_dir))?)
}
