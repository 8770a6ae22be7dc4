//! The `user` commands: staff accounts made and recovered from the command line, by the
//! node's operator (who acts as a platform admin, named `command line` in the audit log).
//! Like tokens, they touch only the database, so they work while the node runs.

use anyhow::{Context, Result, bail};
use govnode_accounts::{Access, Grant, NewUser, PasswordPolicy, Role, UserQuery, UserStore};
use std::io::BufRead;

use crate::cli::UserCommand;
use crate::storage::Db;

/// The actor the audit log names for these commands.
const OPERATOR: &str = "command line";

/// Refuses a scope this node does not hold: a handler's is a government body of the
/// directory ("440000.hrss"), every other role's a site of this node.
pub async fn check_scope(db: &Db, role: Role, scope: &str, flag: &str) -> Result<()> {
    let (sql, what) = if role == Role::Handler {
        ("SELECT id FROM interaction_bodies WHERE id = $1", "body")
    } else {
        ("SELECT id FROM sites WHERE id = $1", "site")
    };
    let exists = sqlx::query(sql)
        .bind(scope)
        .fetch_optional(&db.read)
        .await?;
    if exists.is_none() {
        bail!(
            "{flag}: no {what} `{scope}` on this node{}",
            if role == Role::Handler {
                format!(
                    " (a handler's {flag} is a body id from GET /api/interaction/bodies, e.g. 440000.hrss)"
                )
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

/// The one grant `--role`/`--site` describe.
fn grant(role: Role, site: Option<&str>) -> Grant {
    match (role, site) {
        (Role::Handler, Some(body)) => Grant::body(body),
        (_, Some(site)) => Grant::site(role, site),
        (_, None) => Grant::node(role),
    }
}

/// A password the default policy accepts: 4 groups of 5 letters and digits (no look-alikes)
/// joined by `-`, about 110 bits.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    // Rejection sampling keeps every character equally likely.
    let limit = 256 - 256 % ALPHABET.len();
    loop {
        let mut chars = String::new();
        while chars.len() < 23 {
            if chars.len() % 6 == 5 {
                chars.push('-');
                continue;
            }
            let b = usize::from(rand::random::<u8>());
            if b < limit {
                chars.push(char::from(ALPHABET[b % ALPHABET.len()]));
            }
        }
        if PasswordPolicy::default().check("", &chars).is_ok() {
            return chars;
        }
    }
}

/// The password from stdin's first line, or a generated one (and whether it was generated).
fn password(from_stdin: bool) -> Result<(String, bool)> {
    if !from_stdin {
        return Ok((generate_password(), true));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    let line = line.trim_end_matches(['\r', '\n']).to_string();
    if line.is_empty() {
        bail!("--password-stdin: stdin gave no password");
    }
    Ok((line, false))
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Runs a `user` command, printing what it made; a generated password goes to stdout alone.
pub async fn run(command: UserCommand) -> Result<()> {
    let data_dir = match &command {
        UserCommand::Create { data_dir, .. }
        | UserCommand::List { data_dir }
        | UserCommand::ResetPassword { data_dir, .. } => data_dir.clone(),
    };
    let config = crate::Config::load(&crate::cli::config_path(&data_dir))?;
    let db = Db::open(&data_dir).await?;
    let users = UserStore::with_policy(db.read.clone(), db.write.clone(), config.auth.policy());
    let result = dispatch(command, &db, &users).await;
    db.close().await;
    result
}

async fn dispatch(command: UserCommand, db: &Db, users: &UserStore) -> Result<()> {
    let operator = Access::operator(OPERATOR);
    match command {
        UserCommand::Create {
            login,
            name,
            body,
            role,
            site,
            password_stdin,
            ..
        } => {
            let role: Role = role.parse()?;
            if let Some(s) = &site {
                check_scope(db, role, s, "--site").await?;
            }
            let grant = grant(role, site.as_deref());
            let (password, generated) = password(password_stdin)?;
            let new = NewUser {
                login,
                display_name: name,
                body,
                ..NewUser::default()
            };
            let user = users
                .create(&operator, &new, &password, &[grant], now_ms())
                .await?;
            eprintln!(
                "user {} ({}, {}) created with {}; the password must be changed at the first sign-in{}",
                user.id,
                user.login,
                user.display_name,
                grants_text(&user.grants),
                if generated { "; it is shown once:" } else { "" }
            );
            if generated {
                println!("{password}");
            }
        }
        UserCommand::List { .. } => {
            let mut page = 1;
            loop {
                let query = UserQuery {
                    page: Some(page),
                    per_page: Some(200),
                    ..UserQuery::default()
                };
                let found = users.list(&operator, &query).await?;
                for u in &found.users {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        u.id,
                        u.login,
                        u.state.as_str(),
                        grants_text(&u.grants),
                        u.display_name
                    );
                }
                if found.users.len() < 200 {
                    break;
                }
                page += 1;
            }
        }
        UserCommand::ResetPassword {
            login,
            password_stdin,
            ..
        } => {
            let Some(user) = users.by_login(&login).await? else {
                bail!("--login: no user `{}`", login.trim());
            };
            let (password, generated) = password(password_stdin)?;
            users
                .reset_password(&operator, user.id, &password, now_ms())
                .await?;
            eprintln!(
                "password of {} reset; their sessions ended; it must be changed at the next sign-in{}",
                user.login,
                if generated { "; it is shown once:" } else { "" }
            );
            if generated {
                println!("{password}");
            }
        }
    }
    Ok(())
}

/// Grants as `editor@gd, handler@440000.hrss`.
fn grants_text(grants: &[Grant]) -> String {
    if grants.is_empty() {
        return "no grants".into();
    }
    grants
        .iter()
        .map(|g| match g.scope.id() {
            "" => g.role.to_string(),
            scope => format!("{}@{scope}", g.role),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_pass_the_policy_and_differ() {
        let a = generate_password();
        let b = generate_password();
        assert_ne!(a, b);
        assert_eq!(a.len(), 23);
        assert!(PasswordPolicy::default().check("admin", &a).is_ok());
    }
}
