//! The command line: init, serve, certify, install-cert, status, token, user, import, reindex, demo.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use govnode_topology::{NodeId, Tier};

use crate::config::Link;
use crate::enrol::{DEFAULT_P2P, parse_key, parse_link, parse_node_id, parse_tier};

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
        /// The node's tier (province, city or county), only where the tree differs from
        /// what the id implies.
        #[arg(long, value_parser = parse_tier)]
        tier: Option<Tier>,
        /// Address the federation sync protocol listens on (TCP).
        #[arg(long, value_name = "ADDR", default_value = DEFAULT_P2P)]
        p2p: SocketAddr,
        /// The province root's public key (64 hex digits, printed by the province's init).
        /// Default, for a node without --parent: its own new key (it is the province root).
        #[arg(long, value_name = "HEX", value_parser = parse_key)]
        root_key: Option<[u8; 32]>,
        /// The parent node and its sync address, e.g. 440000=10.0.0.1:7400.
        #[arg(long, value_name = "ID=ADDR", value_parser = parse_link)]
        parent: Option<Link>,
        /// An aerial root (a higher ancestor to sync with while the parent is down),
        /// e.g. 440000=10.0.0.1:7400. Repeatable.
        #[arg(long, value_name = "ID=ADDR", value_parser = parse_link)]
        aerial: Vec<Link>,
    },
    /// At a parent: certify a child node's public key, writing the chain file the child
    /// installs with `install-cert`.
    Certify {
        /// The parent's data dir (its key and installed chain sign the child's).
        #[arg(long)]
        data_dir: PathBuf,
        /// The child's node id.
        #[arg(long, value_parser = parse_node_id)]
        child_id: NodeId,
        /// The child's public key (64 hex digits, printed by its `govnode init`).
        #[arg(long, value_name = "HEX", value_parser = parse_key)]
        child_key: [u8; 32],
        /// The child's tier (default: from the topology, else implied by its id).
        #[arg(long, value_parser = parse_tier)]
        child_tier: Option<Tier>,
        /// Validity of the certificate in days.
        #[arg(long, default_value_t = 3650)]
        days: u32,
        /// The chain file to write (the child's certificate, then this node's chain).
        #[arg(long)]
        out: PathBuf,
    },
    /// Install the certificate chain the parent issued, after verifying it against the
    /// config's root key and this node's id and key.
    InstallCert {
        /// Data dir of this node.
        #[arg(long)]
        data_dir: PathBuf,
        /// The chain file from `govnode certify`.
        #[arg(long)]
        file: PathBuf,
    },
    /// Show a running node's federation status: peers, per-origin lag, rejected entries.
    Status {
        /// Data dir of the node (its http.listen is asked).
        #[arg(long, required_unless_present = "url", conflicts_with = "url")]
        data_dir: Option<PathBuf>,
        /// Base URL of the node, e.g. http://127.0.0.1:8080.
        #[arg(long)]
        url: Option<String>,
        /// Print the JSON as is.
        #[arg(long)]
        json: bool,
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
    /// Manage staff accounts: the first platform administrator, and recovery.
    User {
        /// User command.
        #[command(subcommand)]
        command: UserCommand,
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
    /// Start a demo tree in one process (province 440000, city 440100, counties 440103 and
    /// 440106), with sample sites and articles, in temporary data dirs; a console on stdin
    /// shows status, stops, starts and publishes.
    Demo {
        /// First HTTP port on 127.0.0.1; the four nodes take it and the next three (0 picks
        /// free ports).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Stop this node about 5 s after the demo is ready, e.g. 440106: its parent then
        /// serves its sites from replica.
        #[arg(long, value_name = "ID", value_parser = parse_node_id)]
        stop: Option<NodeId>,
        /// End the demo this many seconds after it is ready (for scripted runs).
        #[arg(long, value_name = "SECS")]
        exit_after: Option<u64>,
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
        /// platform-admin, site-admin, editor, reviewer or handler.
        #[arg(long)]
        role: String,
        /// Site the token is limited to (all roles but platform-admin); for a handler, the body id.
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

/// Staff account commands (run by the node's operator, who acts as a platform admin).
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account with one grant and an initial password, to be changed at the
    /// first sign-in: read from stdin with --password-stdin, else generated and printed once.
    Create {
        /// Data dir.
        #[arg(long)]
        data_dir: PathBuf,
        /// Login name: 3–40 of a-z, 0-9, `.`, `_`, `-`.
        #[arg(long)]
        login: String,
        /// Name shown, e.g. 张三.
        #[arg(long)]
        name: String,
        /// The government body they work for (free text).
        #[arg(long, default_value = "")]
        body: String,
        /// platform-admin, site-admin, editor, reviewer, handler or auditor.
        #[arg(long)]
        role: String,
        /// The site of a site role; for a handler, the body id (e.g. 440000.hrss).
        #[arg(long)]
        site: Option<String>,
        /// Read the initial password from the first line of stdin instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List staff accounts (never their passwords).
    List {
        /// Data dir.
        #[arg(long)]
        data_dir: PathBuf,
    },
    /// Set a new password (to be changed at the next sign-in) and end the user's sessions:
    /// read from stdin with --password-stdin, else generated and printed once.
    ResetPassword {
        /// Data dir.
        #[arg(long)]
        data_dir: PathBuf,
        /// Login name.
        #[arg(long)]
        login: String,
        /// Read the new password from the first line of stdin instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// The config file path for a data dir.
pub fn config_path(data_dir: &Path) -> PathBuf {
    data_dir.join(crate::config::CONFIG_FILE)
}
