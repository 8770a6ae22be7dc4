//! From a verified ID token to a user of this node: matched by the configured claim (the
//! login name), provisioned on first sign-in when configured (without grants, and without
//! a usable password), linked to the provider's `sub` so that another person carrying the
//! same login name later is refused, grants optionally mapped from a claim, and every
//! outcome audited.
//!
//! Mapped grants: the claim holds a list of strings (or one string, space-separated), each
//! `<role>` or `<role>@<scope>` as audit records write grants: `editor@gd`,
//! `reviewer@gd`, `handler@440000.hrss`, `auditor`. Grants so given are recorded as
//! granted by `sso` and replaced at each sign-in by what the claim says then; grants given
//! by this node's administrators are never touched. `platform-admin` is never taken from a
//! claim, and a value that is not a valid grant is ignored (and logged).

use serde_json::{Map, Value};
use sqlx::{AnyConnection, Row};

use super::{OidcError, OidcSettings};
use crate::audit::{self, Entry};
use crate::signin::{Authenticated, NextStep};
use crate::totp::SecondFactor;
use crate::users::{self, rows};
use crate::{AccountsError, Grant, Role, SignInRefusal, User, UserState, UserStore};

/// Who grants mapped from a claim are recorded as granted by.
const MAPPED_BY: &str = "sso";
/// The stored "hash" of a provisioned user: not a PHC string, so no password verifies.
const NO_PASSWORD: &str = "!sso-only";

/// A claim's string value.
fn claim<'c>(claims: &'c Map<String, Value>, name: &str) -> Option<&'c str> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The grants a claim value maps to (see the module's documentation).
pub(crate) fn mapped_grants(value: Option<&Value>) -> Vec<Grant> {
    let items: Vec<&str> = match value {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => s.split_whitespace().collect(),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for item in items {
        let (role, scope) = item.split_once('@').unwrap_or((item, ""));
        let grant = Grant::from_stored(role.trim(), scope.trim(), None).and_then(|mut g| {
            g.validate()?;
            Ok(g)
        });
        match grant {
            Ok(g) if g.role == Role::PlatformAdmin => {
                tracing::warn!(grant = %item, "platform-admin is never mapped from a claim");
            }
            Ok(g) => out.push(g),
            Err(e) => tracing::warn!(grant = %item, error = %e, "claim value is not a grant"),
        }
    }
    users::checked_grants(&out).unwrap_or_default()
}

/// An audit record of a single sign-on.
async fn record(
    conn: &mut AnyConnection,
    now_ms: i64,
    action: &'static str,
    user: Option<&User>,
    detail: String,
    client_ip: &str,
) -> Result<(), AccountsError> {
    let who = user.map_or("(sso)", |u| u.login.as_str());
    audit::record(
        conn,
        now_ms,
        Entry {
            actor: who,
            action,
            user_id: user.map(|u| u.id),
            login: user.map(|u| u.login.as_str()),
            after: Some(detail),
            client: Some(client_ip),
            ..Default::default()
        },
    )
    .await
}

/// Creates user `login` from the token's claims: active, no grant, no password.
async fn provision(
    conn: &mut AnyConnection,
    login: &str,
    claims: &Map<String, Value>,
    now_ms: i64,
) -> Result<i64, OidcError> {
    let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM retired_logins WHERE login = $1")
        .bind(login)
        .fetch_one(&mut *conn)
        .await
        .map_err(AccountsError::from)?;
    if used > 0 {
        return Err(AccountsError::LoginTaken(login.to_string()).into());
    }
    let display = claim(claims, "name")
        .and_then(|n| users::display_name(n).ok())
        .unwrap_or_else(|| login.to_string());
    let email = claim(claims, "email")
        .and_then(|e| users::email(e).ok())
        .unwrap_or_default();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (login, display_name, body, phone, email, state, password_hash, \
         must_change_password, password_changed_ms, created_ms) \
         VALUES ($1, $2, '', '', $3, 'active', $4, 0, $5, $5) RETURNING id",
    )
    .bind(login)
    .bind(&display)
    .bind(&email)
    .bind(NO_PASSWORD)
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await
    .map_err(AccountsError::from)?;
    audit::record(
        conn,
        now_ms,
        Entry {
            actor: MAPPED_BY,
            action: "user.provision",
            user_id: Some(id),
            login: Some(login),
            after: Some(format!("login={login} display_name={display} grants=")),
            ..Default::default()
        },
    )
    .await?;
    Ok(id)
}

/// Replaces user `user`'s grants granted by `sso` with `wanted` (a grant an administrator
/// gave stays as it is).
async fn sync_mapped(
    conn: &mut AnyConnection,
    user: &User,
    wanted: &[Grant],
    now_ms: i64,
) -> Result<(), AccountsError> {
    let before: Vec<String> = sqlx::query(
        "SELECT role, scope_id FROM user_grants WHERE user_id = $1 AND granted_by = $2 \
         ORDER BY role, scope_id",
    )
    .bind(user.id)
    .bind(MAPPED_BY)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let (role, scope): (String, String) = (r.try_get("role")?, r.try_get("scope_id")?);
        Ok(Grant::from_stored(&role, &scope, None)?.summary())
    })
    .collect::<Result<_, AccountsError>>()?;
    sqlx::query("DELETE FROM user_grants WHERE user_id = $1 AND granted_by = $2")
        .bind(user.id)
        .bind(MAPPED_BY)
        .execute(&mut *conn)
        .await?;
    for g in wanted {
        sqlx::query(
            "INSERT INTO user_grants (user_id, role, scope_id, columns, granted_by, granted_ms) \
             VALUES ($1, $2, $3, NULL, $4, $5) ON CONFLICT (user_id, role, scope_id) DO NOTHING",
        )
        .bind(user.id)
        .bind(g.role.as_str())
        .bind(g.scope.id())
        .bind(MAPPED_BY)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    }
    let mut after: Vec<String> = wanted.iter().map(Grant::summary).collect();
    after.sort();
    if after != before {
        audit::record(
            conn,
            now_ms,
            Entry {
                actor: MAPPED_BY,
                action: "grant.mapped",
                user_id: Some(user.id),
                login: Some(&user.login),
                before: Some(before.join(",")),
                after: Some(after.join(",")),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}

impl UserStore {
    /// The user a verified ID token of `issuer` signs in (see the module's documentation):
    /// the proof [`crate::SessionStore::create`] takes, with the second factor still to
    /// come for those whose grants require it. Refused, and audited, for an unknown user
    /// (unless provisioned), a user linked to another person, a disabled or locked
    /// account, and a user without any grant.
    pub(crate) async fn authenticate_oidc(
        &self,
        settings: &OidcSettings,
        claims: &Map<String, Value>,
        client_ip: &str,
        now_ms: i64,
    ) -> Result<Authenticated, OidcError> {
        let subject = claim(claims, "sub").ok_or_else(|| OidcError::MissingClaim("sub".into()))?;
        let value = claim(claims, &settings.match_claim)
            .ok_or_else(|| OidcError::MissingClaim(settings.match_claim.clone()))?;
        let mut tx = self.write.begin().await.map_err(AccountsError::from)?;
        let Ok(login) = users::validate_login(&value.to_lowercase()) else {
            record(
                &mut tx,
                now_ms,
                "sign_in.sso.refused",
                None,
                "claim is not a login name".into(),
                client_ip,
            )
            .await?;
            tx.commit().await.map_err(AccountsError::from)?;
            return Err(OidcError::BadLogin);
        };
        let user = match rows::load_by_login(&mut tx, &login).await? {
            Some(u) => u,
            None if settings.provision => {
                let id = provision(&mut tx, &login, claims, now_ms).await?;
                Self::target(&mut tx, id).await?
            }
            None => {
                let detail = format!("no user `{login}`, provisioning off");
                record(
                    &mut tx,
                    now_ms,
                    "sign_in.sso.unknown",
                    None,
                    detail,
                    client_ip,
                )
                .await?;
                tx.commit().await.map_err(AccountsError::from)?;
                return Err(OidcError::UnknownUser);
            }
        };
        let linked: Option<String> = sqlx::query_scalar(
            "SELECT subject FROM oidc_identities WHERE issuer = $1 AND user_id = $2",
        )
        .bind(&settings.issuer)
        .bind(user.id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(AccountsError::from)?;
        match linked {
            Some(s) if s == subject => {}
            Some(_) => {
                let detail = "linked to another subject".to_string();
                record(
                    &mut tx,
                    now_ms,
                    "sign_in.sso.refused",
                    Some(&user),
                    detail,
                    client_ip,
                )
                .await?;
                tx.commit().await.map_err(AccountsError::from)?;
                return Err(OidcError::LinkedToAnother);
            }
            None => {
                // The subject's link to another user (whose login name it carried before) moves.
                for sql in [
                    "DELETE FROM oidc_identities WHERE issuer = $1 AND subject = $2",
                    "INSERT INTO oidc_identities (issuer, subject, user_id, linked_ms) \
                     VALUES ($1, $2, $3, $4)",
                ] {
                    sqlx::query(sql)
                        .bind(&settings.issuer)
                        .bind(subject)
                        .bind(user.id)
                        .bind(now_ms)
                        .execute(&mut *tx)
                        .await
                        .map_err(AccountsError::from)?;
                }
            }
        }
        if let Some(name) = &settings.grants_claim {
            sync_mapped(&mut tx, &user, &mapped_grants(claims.get(name)), now_ms).await?;
        }
        let mut user = Self::target(&mut tx, user.id).await?;
        let refusal = match (user.state_at(now_ms), user.locked_until_ms) {
            (UserState::Active, _) => None,
            (UserState::Disabled, _) => Some(SignInRefusal::Disabled),
            (UserState::Locked, Some(until)) => Some(SignInRefusal::Locked { until_ms: until }),
            (UserState::Locked, None) => Some(SignInRefusal::LockedByAdministrator),
        };
        if let Some(refusal) = refusal {
            let detail = format!("state={}", user.state);
            record(
                &mut tx,
                now_ms,
                "sign_in.sso.refused",
                Some(&user),
                detail,
                client_ip,
            )
            .await?;
            tx.commit().await.map_err(AccountsError::from)?;
            return Err(OidcError::Account(refusal));
        }
        if user.grants.is_empty() {
            let detail = "no grant".to_string();
            record(
                &mut tx,
                now_ms,
                "sign_in.sso.no_grants",
                Some(&user),
                detail,
                client_ip,
            )
            .await?;
            tx.commit().await.map_err(AccountsError::from)?;
            return Err(OidcError::NoGrants(user.login));
        }
        sqlx::query(
            "UPDATE users SET last_sign_in_ms = $1, state = 'active', locked_until_ms = NULL \
             WHERE id = $2",
        )
        .bind(now_ms)
        .bind(user.id)
        .execute(&mut *tx)
        .await
        .map_err(AccountsError::from)?;
        let next: NextStep = SecondFactor::of(&user).next_step();
        let detail = format!("issuer={} next: {next:?}", settings.issuer);
        record(
            &mut tx,
            now_ms,
            "sign_in.sso",
            Some(&user),
            detail,
            client_ip,
        )
        .await?;
        tx.commit().await.map_err(AccountsError::from)?;
        user.last_sign_in_ms = Some(now_ms);
        user.state = UserState::Active;
        user.locked_until_ms = None;
        Ok(Authenticated {
            // The password played no part: its change is asked when it is next used.
            must_change_password: false,
            single_sign_on: true,
            next,
            user,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_map_from_a_list_or_a_string() {
        let list = serde_json::json!([
            "editor@gd",
            "auditor",
            "platform-admin",
            "nonsense@x",
            "editor@gd"
        ]);
        let got: Vec<String> = mapped_grants(Some(&list))
            .iter()
            .map(Grant::summary)
            .collect();
        // A repeated grant counts once (the last wins).
        assert_eq!(got, ["auditor", "editor@gd"]);
        let text = serde_json::json!("reviewer@gd handler@440000.hrss reviewer@440000.hrss");
        let got: Vec<String> = mapped_grants(Some(&text))
            .iter()
            .map(Grant::summary)
            .collect();
        assert_eq!(
            got,
            ["reviewer@gd", "handler@440000.hrss", "reviewer@440000.hrss"]
        );
        assert_eq!(
            mapped_grants(Some(&text))[2],
            Grant::body_reviewer("440000.hrss")
        );
        assert!(mapped_grants(None).is_empty());
        assert!(mapped_grants(Some(&serde_json::json!(7))).is_empty());
    }
}
