//! The govnode binary: parses the command line and runs it. Errors end here, as anyhow.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Parser;
use govnode::cli::{Cli, Command, TokenCommand, config_path};
use govnode::config::Config;
use govnode::enrol::{self, CertifyOptions, InitOptions, StatusTarget};
use govnode::import::{ImportOptions, import_file};
use govnode::lock::DataDirLock;
use govnode::{Node, NodeError};
use govnode_accounts::{Role, TokenStore};

fn init_tracing(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn load(data_dir: &std::path::Path) -> Result<Config> {
    Ok(Config::load(&config_path(data_dir))?)
}

#[tokio::main]
async fn main() -> Result<()> {
    govnode::install_tls_provider();
    let cli = Cli::parse();
    match cli.command {
        Command::Init {
            data_dir,
            node_id,
            name,
            http,
            tier,
            p2p,
            root_key,
            parent,
            aerial,
        } => {
            let node_id = node_id.parse().with_context(|| "--node-id".to_string())?;
            print!(
                "{}",
                enrol::init(&InitOptions {
                    data_dir,
                    node_id,
                    name,
                    http,
                    tier,
                    p2p,
                    root_key,
                    parent,
                    aerial,
                })?
            );
        }
        Command::Certify {
            data_dir,
            child_id,
            child_key,
            child_tier,
            days,
            out,
        } => {
            print!(
                "{}",
                enrol::certify(&CertifyOptions {
                    data_dir,
                    child_id,
                    child_key,
                    child_tier,
                    days,
                    out,
                })?
            );
        }
        Command::InstallCert { data_dir, file } => {
            print!("{}", enrol::install_cert(&data_dir, &file)?);
        }
        Command::Status {
            data_dir,
            url,
            json,
        } => {
            let target = match (data_dir, url) {
                (_, Some(u)) => StatusTarget::Url(u),
                (Some(d), None) => StatusTarget::DataDir(d),
                (None, None) => bail!("give --data-dir or --url"),
            };
            print!("{}", enrol::status(&target, json).await?);
        }
        Command::Serve {
            data_dir,
            config,
            http,
        } => {
            let (data_dir, config_file) = match (data_dir, config) {
                (Some(d), Some(c)) => (d, c),
                (Some(d), None) => {
                    let c = config_path(&d);
                    (d, c)
                }
                (None, Some(c)) => (
                    c.parent()
                        .map(PathBuf::from)
                        .unwrap_or_else(|| PathBuf::from(".")),
                    c,
                ),
                (None, None) => bail!("give --data-dir or --config"),
            };
            let mut config = Config::load(&config_file)?;
            if let Some(addr) = http {
                config.http.listen = addr;
            }
            init_tracing(&config.log.filter);
            let _lock = DataDirLock::acquire(
                &data_dir,
                &format!("govnode serve on {}", config.http.listen),
            )?;
            let listener = tokio::net::TcpListener::bind(config.http.listen)
                .await
                .with_context(|| format!("binding {}", config.http.listen))?;
            let node = Node::open(config, &data_dir).await?;
            govnode::run(node, listener, govnode::node::shutdown_signal()).await?;
        }
        Command::Token { command } => token(command).await?,
        Command::User { command } => govnode::staff::run(command).await?,
        Command::Import {
            data_dir,
            site,
            column,
            split_articles,
            batch_size,
            quiet,
            file,
        } => {
            let config = load(&data_dir)?;
            init_tracing("warn");
            let _lock = DataDirLock::acquire(&data_dir, "govnode import").map_err(|e| match e {
                NodeError::Locked(m) => anyhow::anyhow!(
                    "{m}; imports run offline: stop the node, import, start it again"
                ),
                other => other.into(),
            })?;
            let node = Node::open(config, &data_dir).await?;
            let opts = ImportOptions {
                site: &site,
                column: &column,
                split: split_articles,
                batch_size,
                progress: !quiet,
            };
            let shown = file.display().to_string();
            let report = import_file(&node, &file, &opts, |line, msg| {
                eprintln!("{shown}:{line}: {msg} (skipped)")
            })
            .await?;
            node.close().await;
            println!(
                "{}: {} lines, {} documents imported, {} already present, {} bad lines skipped",
                shown, report.lines, report.imported, report.skipped, report.bad_lines
            );
        }
        Command::Reindex { data_dir } => {
            let config = load(&data_dir)?;
            init_tracing("warn");
            let _lock = DataDirLock::acquire(&data_dir, "govnode reindex")?;
            let node = Node::open(config, &data_dir).await?;
            let n = node.reindex().await?;
            node.close().await;
            println!("search index rebuilt: {n} documents");
        }
        Command::Demo {
            port,
            stop,
            exit_after,
        } => {
            // Four nodes log into one terminal: warnings only, so the console stays readable.
            init_tracing("warn");
            let dir = tempfile::Builder::new().prefix("govnode-demo-").tempdir()?;
            let opts = govnode::demo::DemoOptions {
                port,
                stop,
                exit_after,
            };
            govnode::demo::run(&opts, dir.path()).await?;
        }
    }
    Ok(())
}

async fn token(command: TokenCommand) -> Result<()> {
    // Tokens touch only the database, which SQLite lets a second process write safely,
    // so they can be managed while the node runs.
    let data_dir = match &command {
        TokenCommand::Create { data_dir, .. }
        | TokenCommand::List { data_dir }
        | TokenCommand::Revoke { data_dir, .. } => data_dir.clone(),
    };
    load(&data_dir)?;
    let db = govnode::storage::Db::open(&data_dir).await?;
    let tokens = TokenStore::new(db.read.clone(), db.write.clone());
    match command {
        TokenCommand::Create {
            role, site, name, ..
        } => {
            let role: Role = role.parse()?;
            if let Some(s) = &site {
                govnode::staff::check_scope(&db, role, s, "--site").await?;
            }
            let (secret, summary) = tokens.create(&name, role, site.as_deref()).await?;
            eprintln!(
                "token {} for {} ({}{}) created; it is shown once:",
                summary.id,
                summary.name,
                summary.role,
                summary
                    .site
                    .map(|s| format!(", site {s}"))
                    .unwrap_or_default()
            );
            println!("{secret}");
        }
        TokenCommand::List { .. } => {
            for t in tokens.list().await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    t.id,
                    t.role,
                    t.site.unwrap_or_else(|| "*".into()),
                    t.name
                );
            }
        }
        TokenCommand::Revoke { id, .. } => {
            if !tokens.revoke(id).await? {
                bail!("--id: no active token {id}");
            }
            println!("token {id} revoked");
        }
    }
    db.close().await;
    Ok(())
}
