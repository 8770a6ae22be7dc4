//! The command line: init, serve, token, import, reindex, demo.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

/// govnode: the node of a federated government website platform. The same binary runs at
/// province, city and county; each node hosts its sites, resource library and search.
#[derive(Debug, Parser)]
#[command(name = "govnode", version, about, long_about = None)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a node: writes a commented config (govnode.toml) and the node key into DIR.
    Init {
        /// Data dir to create (must not already hold a node).
        #[arg(long)]
        data_dir: PathBuf,
        /// GB/T 2260 region code of the node, e.g. 440000.
        #[arg(long)]
        node_id: String,
        /// Display name, e.g. 广东省.
        #[arg(long)]
        name: String,
        /// HTTP listen address to write into the config.
        #[arg(long)]
        http: Option<SocketAddr>,
    },
    /// Run the node until Ctrl-C or SIGTERM.
    Serve {
        /// Data dir (its govnode.toml is read unless --config is given).
        #[arg(long, required_unless_present = "config")]
        data_dir: Option<PathBuf>,
        /// Config file; the data dir defaults to the file's directory.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Override the listen address.
        #[arg(long)]
        http: Option<SocketAddr>,
    },
    /// Manage API tokens.
    Token {
        /// Token command.
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Import a JSONL corpus into a column, publishing each document (resumable).
    Import {
        /// Data dir (the node must not be running).
        #[arg(long)]
        data_dir: PathBuf,
        /// Site id.
        #[arg(long)]
        site: String,
        /// Column slug.
        #[arg(long)]
        column: String,
        /// One document per article (第N条) of a regulation, linked to its parent.
        #[arg(long)]
        split_articles: bool,
        /// Documents per transaction.
        #[arg(long, default_value_t = 500)]
        batch_size: usize,
        /// Hide the progress bar.
        #[arg(long)]
        quiet: bool,
        /// The JSONL file.
        file: PathBuf,
    },
    /// Rebuild the search index from the database (the node must not be running).
    Reindex {
        /// Data dir.
        #[arg(long)]
        data_dir: PathBuf,
    },
    /// Start a demo node with three sites and sample articles in a temporary data dir.
    Demo {
        /// HTTP port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 8080)]
        port: u16,
    },
}

/// Token commands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; it is printed once and stored hashed.
    Create {
        /// Data dir.
        #[arg(long)]
        data_dir: PathBuf,
        /// platform-admin, site-admin, editor or reviewer.
        #[arg(long)]
        role: String,
        /// Site the token is limited to (all roles but platform-admin).
        #[arg(long)]
        site: Option<String>,
        /// The person or system using it (the audit log and four-eyes rule use it).
        #[arg(long)]
        name: String,
    },
    /// List tokens (never their secrets).
    List {
        /// Data dir.
        #[arg(long)]
        data_dir: PathBuf,
    },
    /// Revoke a token by id.
    Revoke {
        /// Data dir.
        #[arg(long)]
        data_dir: PathBuf,
        /// Token id (from `token list`).
        #[arg(long)]
        id: i64,
    },
}

/// The config file path for a data dir.
pub fn config_path(data_dir: &Path) -> PathBuf {
    data_dir.join(crate::config::CONFIG_FILE)
}
