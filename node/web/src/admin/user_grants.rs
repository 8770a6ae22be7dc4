//! A person's grants on `/admin/users/{id}`: giving one (`…/grants`, also the first grant of
//! `/admin/users/new`) and revoking one (`…/grants/revoke`). The store applies the
//! delegation rules: a site admin gives editor and reviewer grants on their own sites only,
//! and never changes their own; the refusal is shown as it reads.

use std::str::FromStr;

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use govnode_accounts::{Access, AccountsError, Grant, Role, Scope};
use serde::{Deserialize, Serialize};

use super::names::Names;
use super::staff::Staff;
use super::user_account::refusal;
use super::users::{givable_roles, not_admin};
use super::{now_ms, refused, see_other};
use crate::AppState;

/// A grant's fields in a form: the role, the site (site roles), the body (handlers, and
/// reviewers of a body's replies when no site is chosen), and
/// the columns an editor or reviewer is limited to (ids separated by commas or spaces).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct GrantFields {
    role: String,
    site: String,
    #[serde(rename = "grant_body")]
    body: String,
    columns: String,
}

impl GrantFields {
    /// The grant the fields describe; `None` when no role is chosen.
    pub fn grant(&self) -> Result<Option<Grant>, AccountsError> {
        let role = self.role.trim();
        if role.is_empty() {
            return Ok(None);
        }
        let role = Role::from_str(role)?;
        let scope = match role {
            Role::PlatformAdmin | Role::Auditor => Scope::Node,
            Role::Handler => Scope::Body(self.body.trim().to_string()),
            // A reviewer of a body (答复公开) when a body and no site is chosen.
            Role::Reviewer if self.site.trim().is_empty() && !self.body.trim().is_empty() => {
                Scope::Body(self.body.trim().to_string())
            }
            Role::SiteAdmin | Role::Editor | Role::Reviewer => {
                Scope::Site(self.site.trim().to_string())
            }
        };
        let columns: Vec<String> = self
            .columns
            .split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        let mut grant = Grant {
            role,
            scope,
            columns: (!columns.is_empty()).then_some(columns),
        };
        grant.validate()?;
        Ok(Some(grant))
    }
}

#[derive(Serialize)]
struct Pick {
    value: String,
    label: String,
    selected: bool,
}

/// The choices of a grant form for `actor`: the roles they may give (Chinese names), the
/// sites (their own for a site admin) and bodies (platform admins only), by name.
pub(super) fn grant_choices(actor: &Access, names: &Names, f: &GrantFields) -> serde_json::Value {
    let platform = actor.is_platform_admin();
    let roles: Vec<Pick> = givable_roles(platform)
        .into_iter()
        .map(|r| Pick {
            value: r.as_str().into(),
            label: r.chinese().into(),
            selected: f.role == r.as_str(),
        })
        .collect();
    let mine = actor.administered_sites();
    let sites: Vec<Pick> = names
        .sites
        .iter()
        .filter(|(id, _)| platform || mine.contains(&id.as_str()))
        .map(|(id, name)| Pick {
            value: id.clone(),
            label: name.clone(),
            selected: &f.site == id,
        })
        .collect();
    let bodies: Vec<Pick> = if platform {
        names
            .bodies
            .iter()
            .map(|(id, name)| Pick {
                value: id.clone(),
                label: name.clone(),
                selected: &f.body == id,
            })
            .collect()
    } else {
        Vec::new()
    };
    serde_json::json!({ "roles": roles, "sites": sites, "bodies": bodies, "columns": f.columns })
}

/// The add-grant form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AddForm {
    csrf: String,
    #[serde(flatten)]
    grant: GrantFields,
}

/// The revoke form: which grant.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RevokeForm {
    csrf: String,
    role: String,
    scope: String,
}

/// `POST /admin/users/{id}/grants`: gives a grant (or changes the columns of one held).
pub(super) async fn add(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<AddForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    if let Some(r) = not_admin(&node, &staff) {
        return r;
    }
    let grant = match f.grant.grant() {
        Ok(Some(g)) => g,
        Ok(None) => {
            return refused(
                axum::http::StatusCode::BAD_REQUEST,
                &staff.frame(&node.node),
                "请选择要授予的角色",
                &format!("/admin/users/{id}"),
            );
        }
        Err(e) => return refusal(&node, &staff, id, &e).await,
    };
    match node
        .users
        .grant(&staff.signed_in.access, id, &grant, now_ms())
        .await
    {
        Ok(_) => see_other(&format!("/admin/users/{id}?done=granted")),
        Err(e) => refusal(&node, &staff, id, &e).await,
    }
}

/// `POST /admin/users/{id}/grants/revoke`.
pub(super) async fn revoke(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<RevokeForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    if let Some(r) = not_admin(&node, &staff) {
        return r;
    }
    let role = match Role::from_str(f.role.trim()) {
        Ok(r) => r,
        Err(e) => return refusal(&node, &staff, id, &e).await,
    };
    let scoped = Some(f.scope.trim().to_string()).filter(|s| !s.is_empty());
    let scope = Scope::of(role, scoped);
    match node
        .users
        .revoke_grant(&staff.signed_in.access, id, role, &scope, now_ms())
        .await
    {
        Ok(_) => see_other(&format!("/admin/users/{id}?done=revoked")),
        Err(e) => refusal(&node, &staff, id, &e).await,
    }
}
