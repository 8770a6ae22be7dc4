//! Grants (a role in a scope, optionally limited to columns) and [`Access`]: what a person
//! may do, the union of their grants.

use serde::{Deserialize, Serialize};

use crate::{AccountsError, Action, Principal, Role, Scope};

/// Columns one grant may be limited to, at most.
const MAX_COLUMNS: usize = 100;

/// One role in one scope. Editors and reviewers may be limited to some columns of their
/// site (`columns`: their ids; `None`: every column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// Where it applies.
    pub scope: Scope,
    /// The columns an editor or reviewer is limited to; `None`: the whole site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

/// A site or column id: `[a-z0-9][a-z0-9-]{0,39}` (as content validates them).
fn is_site_id(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 40
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// A body id: `<6-digit node>.<slug>`, e.g. `440000.hrss` (as interaction validates them).
fn is_body_id(s: &str) -> bool {
    let Some((node, slug)) = s.split_once('.') else {
        return false;
    };
    node.len() == 6
        && node.bytes().all(|b| b.is_ascii_digit())
        && !slug.is_empty()
        && slug.len() <= 40
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl Grant {
    /// A node-wide grant (platform-admin, auditor).
    pub fn node(role: Role) -> Grant {
        Grant {
            role,
            scope: Scope::Node,
            columns: None,
        }
    }

    /// A site grant (site-admin, editor, reviewer) on every column.
    pub fn site(role: Role, site: &str) -> Grant {
        Grant {
            role,
            scope: Scope::Site(site.to_string()),
            columns: None,
        }
    }

    /// A handler's grant for a government body.
    pub fn body(body: &str) -> Grant {
        Grant {
            role: Role::Handler,
            scope: Scope::Body(body.to_string()),
            columns: None,
        }
    }

    /// A reviewer's grant for a government body: approves the publication of its replies.
    pub fn body_reviewer(body: &str) -> Grant {
        Grant {
            role: Role::Reviewer,
            scope: Scope::Body(body.to_string()),
            columns: None,
        }
    }

    /// This grant limited to `columns`.
    pub fn in_columns(mut self, columns: &[&str]) -> Grant {
        self.columns = Some(columns.iter().map(|c| c.to_string()).collect());
        self
    }

    /// Checks the grant's shape: each role in its kind of scope, well-formed ids, columns
    /// only for editors and reviewers. Normalises the column list (sorted, no repeats).
    pub fn validate(&mut self) -> Result<(), AccountsError> {
        let bad = |en: String, zh: String| Err(AccountsError::invalid("scope", en, zh));
        let role = self.role;
        match (role, &self.scope) {
            (Role::PlatformAdmin | Role::Auditor, Scope::Node) => {}
            (Role::PlatformAdmin | Role::Auditor, _) => {
                return bad(
                    format!("a {role} grant is for the whole node"),
                    format!("{}的范围是整个节点", role.chinese()),
                );
            }
            (Role::SiteAdmin | Role::Editor | Role::Reviewer, Scope::Site(s)) => {
                if !is_site_id(s) {
                    return bad(
                        format!("`{s}` is not a site id"),
                        format!("“{s}”不是站点标识"),
                    );
                }
            }
            (Role::Reviewer, Scope::Body(b)) => {
                if !is_body_id(b) {
                    return bad(
                        format!("`{b}` is not a body id (like 440000.hrss)"),
                        format!("“{b}”不是单位标识（如 440000.hrss）"),
                    );
                }
                if self.columns.is_some() {
                    return Err(AccountsError::invalid(
                        "columns",
                        "a reviewer of a body is not limited to columns".to_string(),
                        "单位的信息审核员不限定栏目".to_string(),
                    ));
                }
            }
            (Role::SiteAdmin | Role::Editor | Role::Reviewer, _) => {
                return bad(
                    format!("a {role} grant needs a site"),
                    format!("{}须指定一个站点", role.chinese()),
                );
            }
            (Role::Handler, Scope::Body(b)) => {
                if !is_body_id(b) {
                    return bad(
                        format!("`{b}` is not a body id (like 440000.hrss)"),
                        format!("“{b}”不是单位标识（如 440000.hrss）"),
                    );
                }
            }
            (Role::Handler, _) => {
                return bad(
                    "a handler grant needs a body (like 440000.hrss)".into(),
                    "办理人员须指定一个单位（如 440000.hrss）".into(),
                );
            }
        }
        if let Some(columns) = &mut self.columns {
            if !matches!(role, Role::Editor | Role::Reviewer) {
                return Err(AccountsError::invalid(
                    "columns",
                    format!("only editor and reviewer grants are limited to columns, not {role}"),
                    format!(
                        "只有编辑和审核员的授权可以限定栏目，{}不可以",
                        role.chinese()
                    ),
                ));
            }
            columns.sort();
            columns.dedup();
            if columns.is_empty() || columns.len() > MAX_COLUMNS {
                return Err(AccountsError::invalid(
                    "columns",
                    format!("1 to {MAX_COLUMNS} columns, or none for the whole site"),
                    format!("限定栏目须为 1 至 {MAX_COLUMNS} 个，不限定则为整个站点"),
                ));
            }
            if let Some(c) = columns.iter().find(|c| !is_site_id(c)) {
                return Err(AccountsError::invalid(
                    "columns",
                    format!("`{c}` is not a column id"),
                    format!("“{c}”不是栏目标识"),
                ));
            }
        }
        Ok(())
    }

    /// Whether this grant allows `action` on `target` (a site; a body for
    /// [`Action::HandleTickets`] and [`Action::ReviewReplies`]; `None`: node-wide). A grant limited to columns allows
    /// per-column actions only through [`Grant::allows_in_column`].
    pub fn allows(&self, action: Action, target: Option<&str>) -> bool {
        if self.columns.is_some() && action.is_per_column() {
            return false;
        }
        self.allows_ignoring_columns(action, target)
    }

    /// Whether this grant allows `action` on an article of `column` of `site`.
    pub fn allows_in_column(&self, action: Action, site: &str, column: &str) -> bool {
        let in_columns = match &self.columns {
            None => true,
            Some(cols) => cols.iter().any(|c| c == column),
        };
        in_columns && self.allows_ignoring_columns(action, Some(site))
    }

    fn allows_ignoring_columns(&self, action: Action, target: Option<&str>) -> bool {
        match self.role {
            Role::PlatformAdmin => return true,
            Role::Auditor => {
                return matches!(action, Action::ReadAudit | Action::ReadStatistics);
            }
            // A handler's scope is a body, not a site: tickets are all it may touch.
            Role::Handler => {
                return action == Action::HandleTickets
                    && target.is_some_and(|b| self.scope.body() == Some(b));
            }
            // A reviewer of a body reviews the publication of its replies, and nothing else.
            Role::Reviewer if self.scope.body().is_some() => {
                return action == Action::ReviewReplies
                    && target.is_some_and(|b| self.scope.body() == Some(b));
            }
            _ => {}
        }
        if matches!(action, Action::HandleTickets | Action::ReviewReplies)
            || target.is_none_or(|s| self.scope.site() != Some(s))
        {
            return false;
        }
        match action {
            Action::ManagePlatform
            | Action::EditTemplates
            | Action::HandleTickets
            | Action::ReviewReplies => false,
            Action::ManageSite | Action::ReadAudit | Action::ReadStatistics => {
                self.role == Role::SiteAdmin
            }
            Action::Edit => matches!(self.role, Role::SiteAdmin | Role::Editor),
            Action::Review | Action::Withdraw => {
                matches!(self.role, Role::SiteAdmin | Role::Reviewer)
            }
            Action::Publish => true,
        }
    }

    /// Whether this grant includes everything `other` allows (a token's grant must be
    /// covered by its owner's): a platform admin covers all; a site admin covers the
    /// editors and reviewers of its site; otherwise the same role and scope, with the same
    /// or fewer columns.
    pub fn covers(&self, other: &Grant) -> bool {
        if self.role == Role::PlatformAdmin {
            return true;
        }
        if self.scope != other.scope {
            return false;
        }
        if self.role == Role::SiteAdmin {
            return matches!(other.role, Role::SiteAdmin | Role::Editor | Role::Reviewer);
        }
        if self.role != other.role {
            return false;
        }
        match (&self.columns, &other.columns) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(mine), Some(theirs)) => theirs.iter().all(|c| mine.contains(c)),
        }
    }

    /// The columns as stored: comma-separated, `None` for every column.
    pub(crate) fn columns_text(&self) -> Option<String> {
        self.columns.as_ref().map(|c| c.join(","))
    }

    /// A grant as stored: role name, scope id (`""` for the node), columns.
    pub(crate) fn from_stored(
        role: &str,
        scope_id: &str,
        columns: Option<String>,
    ) -> Result<Grant, AccountsError> {
        let role: Role = role.parse()?;
        let scope = Scope::of(role, (!scope_id.is_empty()).then(|| scope_id.to_string()));
        let columns = columns.map(|c| c.split(',').map(String::from).collect());
        Ok(Grant {
            role,
            scope,
            columns,
        })
    }

    /// A short description for audit records: `editor@gd[news,notice]`.
    pub(crate) fn summary(&self) -> String {
        let mut s = self.role.as_str().to_string();
        if !self.scope.id().is_empty() {
            s.push('@');
            s.push_str(self.scope.id());
        }
        if let Some(c) = &self.columns {
            s.push('[');
            s.push_str(&c.join(","));
            s.push(']');
        }
        s
    }
}

/// What a person may do: the union of their grants, with their identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Access {
    /// The person: a user's login name (also when acting through one of their tokens), or
    /// a command-line token's name. The four-eyes rule and audit records use it.
    pub name: String,
    /// The user, when the person is a user of this node.
    pub user_id: Option<i64>,
    /// What they hold.
    pub grants: Vec<Grant>,
}

impl Access {
    /// A user's access: their login name and grants.
    pub fn user(user_id: i64, login: &str, grants: Vec<Grant>) -> Access {
        Access {
            name: login.to_string(),
            user_id: Some(user_id),
            grants,
        }
    }

    /// A node operator with no account (the command line, bootstrap): a platform admin.
    pub fn operator(name: &str) -> Access {
        Access {
            name: name.to_string(),
            user_id: None,
            grants: vec![Grant::node(Role::PlatformAdmin)],
        }
    }

    /// The person's identity (the four-eyes rule compares these, never tokens).
    pub fn person(&self) -> &str {
        &self.name
    }

    /// Whether any grant allows `action` on `target` (see [`Grant::allows`]: column-limited
    /// grants count for per-column actions only through [`Access::may_in_column`]).
    pub fn may(&self, action: Action, target: Option<&str>) -> bool {
        self.grants.iter().any(|g| g.allows(action, target))
    }

    /// Whether any grant allows `action` on an article of `column` of `site`.
    pub fn may_in_column(&self, action: Action, site: &str, column: &str) -> bool {
        self.grants
            .iter()
            .any(|g| g.allows_in_column(action, site, column))
    }

    /// Whether the person holds `role` in any scope.
    pub fn holds(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Whether any grant gives `role` on a site or the node, not for a body (a reviewer of
    /// a body's replies reviews no articles).
    pub fn holds_on_sites(&self, role: Role) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && g.scope.body().is_none())
    }

    /// Whether any grant gives `role` for a government body (handlers, reviewers of replies).
    pub fn holds_for_body(&self, role: Role) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && g.scope.body().is_some())
    }

    /// Whether the person is a platform admin.
    pub fn is_platform_admin(&self) -> bool {
        self.holds(Role::PlatformAdmin)
    }

    /// The sites the person administers (site-admin grants).
    pub fn administered_sites(&self) -> Vec<&str> {
        self.grants
            .iter()
            .filter(|g| g.role == Role::SiteAdmin)
            .filter_map(|g| g.scope.site())
            .collect()
    }

    /// Whether some grant of the person covers `grant` (see [`Grant::covers`]).
    pub fn covers(&self, grant: &Grant) -> bool {
        self.grants.iter().any(|g| g.covers(grant))
    }
}

impl From<Principal> for Access {
    fn from(p: Principal) -> Access {
        Access {
            grants: vec![p.grant()],
            name: p.name,
            user_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_are_checked_for_shape() {
        let mut ok = [
            Grant::node(Role::PlatformAdmin),
            Grant::node(Role::Auditor),
            Grant::site(Role::Editor, "gd").in_columns(&["news", "notice", "news"]),
            Grant::body("440000.hrss"),
            Grant::body_reviewer("440000.hrss"),
        ];
        for g in &mut ok {
            g.validate().unwrap();
        }
        assert_eq!(ok[2].columns.as_deref().unwrap(), ["news", "notice"]);
        for mut bad in [
            Grant::node(Role::Editor),
            Grant::site(Role::PlatformAdmin, "gd"),
            Grant::site(Role::Auditor, "gd"),
            Grant::site(Role::Handler, "gd"),
            Grant::site(Role::Editor, "GD!"),
            Grant::body("hrss"),
            Grant::site(Role::SiteAdmin, "gd").in_columns(&["news"]),
            Grant::site(Role::Editor, "gd").in_columns(&[]),
            Grant::site(Role::Editor, "gd").in_columns(&["Bad Column"]),
            Grant::body_reviewer("hrss.x.y"),
            Grant::body_reviewer("440000.hrss").in_columns(&["news"]),
        ] {
            let err = bad.validate().unwrap_err();
            assert!(!err.chinese().is_empty(), "{bad:?}");
        }
    }

    #[test]
    fn access_is_the_union_of_grants() {
        let a = Access::user(
            1,
            "wang",
            vec![
                Grant::site(Role::Editor, "gd"),
                Grant::site(Role::Reviewer, "gz"),
            ],
        );
        assert!(a.may(Action::Edit, Some("gd")));
        assert!(a.may(Action::Review, Some("gz")));
        assert!(!a.may(Action::Review, Some("gd")));
        assert!(!a.may(Action::Edit, Some("gz")));
        assert_eq!(a.person(), "wang");
    }

    #[test]
    fn column_limited_grants_fail_closed_without_a_column() {
        let a = Access::user(
            1,
            "li",
            vec![Grant::site(Role::Editor, "gd").in_columns(&["news"])],
        );
        assert!(!a.may(Action::Edit, Some("gd")));
        assert!(a.may_in_column(Action::Edit, "gd", "news"));
        assert!(!a.may_in_column(Action::Edit, "gd", "notice"));
        assert!(!a.may_in_column(Action::Edit, "gz", "news"));
    }

    #[test]
    fn covering() {
        let admin = Grant::site(Role::SiteAdmin, "gd");
        assert!(admin.covers(&Grant::site(Role::Editor, "gd").in_columns(&["a"])));
        assert!(!admin.covers(&Grant::site(Role::Editor, "gz")));
        assert!(!admin.covers(&Grant::node(Role::Auditor)));
        let limited = Grant::site(Role::Editor, "gd").in_columns(&["a", "b"]);
        assert!(limited.covers(&Grant::site(Role::Editor, "gd").in_columns(&["a"])));
        assert!(!limited.covers(&Grant::site(Role::Editor, "gd")));
        assert!(!limited.covers(&Grant::site(Role::Editor, "gd").in_columns(&["c"])));
        assert!(!limited.covers(&Grant::site(Role::Reviewer, "gd").in_columns(&["a"])));
        assert!(Grant::node(Role::PlatformAdmin).covers(&Grant::body("440000.hrss")));
    }

    #[test]
    fn stored_form_round_trips() {
        for g in [
            Grant::node(Role::PlatformAdmin),
            Grant::site(Role::Reviewer, "gd").in_columns(&["a", "b"]),
            Grant::body("440000.hrss"),
            Grant::body_reviewer("440000.hrss"),
        ] {
            let back = Grant::from_stored(g.role.as_str(), g.scope.id(), g.columns_text()).unwrap();
            assert_eq!(back, g);
        }
        // As an OIDC claim or an audit record writes it.
        let mut g = Grant::from_stored("reviewer", "440000.hrss", None).unwrap();
        g.validate().unwrap();
        assert_eq!(g, Grant::body_reviewer("440000.hrss"));
        assert_eq!(g.summary(), "reviewer@440000.hrss");
    }

    #[test]
    fn a_body_reviewer_is_covered_by_the_same_grant_only() {
        let r = Grant::body_reviewer("440000.hrss");
        assert!(r.covers(&Grant::body_reviewer("440000.hrss")));
        assert!(!r.covers(&Grant::body_reviewer("440000.edu")));
        assert!(!r.covers(&Grant::body("440000.hrss")));
        assert!(!Grant::body("440000.hrss").covers(&r));
        assert!(!Grant::site(Role::Reviewer, "gd").covers(&r));
        let a = Access::user(1, "zhao", vec![r, Grant::site(Role::Reviewer, "gd")]);
        assert!(a.may(Action::ReviewReplies, Some("440000.hrss")));
        assert!(a.may(Action::Review, Some("gd")));
        assert!(!a.may(Action::Review, Some("440000.hrss")));
        assert!(!a.may(Action::ReviewReplies, Some("gd")));
    }
}
