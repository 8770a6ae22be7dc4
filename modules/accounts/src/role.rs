//! Roles, scopes, actions, and the single-grant principal a command-line token carries.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::AccountsError;
use crate::grant::Grant;

/// A role, as the platform defines them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Runs the node: every site, site creation, templates, every account.
    PlatformAdmin,
    /// Runs one site: columns, shutdown, and everything editors and reviewers do there.
    SiteAdmin,
    /// Writes and submits articles on one site (optionally some columns only).
    Editor,
    /// Approves, rejects, publishes and withdraws articles on one site (optionally some
    /// columns only); scoped to a government body instead, reviews what of its replies
    /// to citizens is published (答复公开).
    Reviewer,
    /// Handles citizens' tickets for one government body (its scope is the body id).
    Handler,
    /// Reads the node's audit logs and statistics, and nothing else.
    Auditor,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] = [
        Role::PlatformAdmin,
        Role::SiteAdmin,
        Role::Editor,
        Role::Reviewer,
        Role::Handler,
        Role::Auditor,
    ];

    /// The role's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform-admin",
            Role::SiteAdmin => "site-admin",
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
            Role::Handler => "handler",
            Role::Auditor => "auditor",
        }
    }

    /// The role's name as staff read it.
    pub fn chinese(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "平台管理员",
            Role::SiteAdmin => "站点管理员",
            Role::Editor => "信息编辑",
            Role::Reviewer => "信息审核员",
            Role::Handler => "办理人员",
            Role::Auditor => "审计员",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = AccountsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| AccountsError::UnknownRole(s.to_string()))
    }
}

/// Something an admin route does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Create sites, stamp column template sets.
    ManagePlatform,
    /// Edit run-time templates (code-adjacent: platform admins only).
    EditTemplates,
    /// Columns, one-key shutdown, site settings.
    ManageSite,
    /// Create and revise articles, submit them, upload attachments.
    Edit,
    /// Approve or reject submitted articles.
    Review,
    /// Publish approved articles.
    Publish,
    /// Withdraw published articles.
    Withdraw,
    /// Read the audit log.
    ReadAudit,
    /// Read statistics (visits, searches, tickets).
    ReadStatistics,
    /// Accept, transfer, answer citizens' tickets of a body (the scope is the body id).
    HandleTickets,
    /// Approve, return or withdraw the publication of a body's replies (the scope is the
    /// body id): a reviewer of that body, or a platform admin; never a handler.
    ReviewReplies,
}

impl Action {
    /// Whether a grant limited to some columns allows this action only in those columns.
    pub fn is_per_column(self) -> bool {
        matches!(
            self,
            Action::Edit | Action::Review | Action::Publish | Action::Withdraw
        )
    }
}

/// What a role is limited to: the whole node, one site, or (for handlers) one body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    /// The whole node (platform admins, auditors).
    Node,
    /// One site, by id (site admins, editors, reviewers).
    Site(String),
    /// One government body, by id `<node>.<slug>` (handlers; reviewers of its replies).
    Body(String),
}

impl Scope {
    /// The scope a role stored with `scoped_to` (a token's or grant's site or body column) has:
    /// a handler's is a body; a reviewer's is a body when the id is one (`<node>.<slug>`:
    /// site ids never hold a '.'), else a site.
    pub fn of(role: Role, scoped_to: Option<String>) -> Scope {
        match (role, scoped_to) {
            (_, None) => Scope::Node,
            (Role::Handler, Some(body)) => Scope::Body(body),
            (Role::Reviewer, Some(body)) if body.contains('.') => Scope::Body(body),
            (_, Some(site)) => Scope::Site(site),
        }
    }

    /// The site, when scoped to one.
    pub fn site(&self) -> Option<&str> {
        match self {
            Scope::Site(s) => Some(s),
            _ => None,
        }
    }

    /// The body, when scoped to one.
    pub fn body(&self) -> Option<&str> {
        match self {
            Scope::Body(b) => Some(b),
            _ => None,
        }
    }

    /// The site or body id; `""` for the node (how grants store it).
    pub fn id(&self) -> &str {
        match self {
            Scope::Node => "",
            Scope::Site(s) | Scope::Body(s) => s,
        }
    }

    /// The scope as staff read it.
    pub fn chinese(&self) -> String {
        match self {
            Scope::Node => "本节点".into(),
            Scope::Site(s) => format!("站点 {s}"),
            Scope::Body(b) => format!("单位 {b}"),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Node => f.write_str("this node"),
            Scope::Site(s) => write!(f, "site `{s}`"),
            Scope::Body(b) => write!(f, "body `{b}`"),
        }
    }
}

/// Who is calling with a command-line token: its name, its one role and scope. A user's
/// union of grants is an [`crate::Access`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// The person or system behind the token (the identity the four-eyes rule compares).
    pub name: String,
    /// The role.
    pub role: Role,
    /// What the role is limited to.
    pub scope: Scope,
}

impl Principal {
    /// Whether this principal may do `action` on `target`: a site, or a body for
    /// [`Action::HandleTickets`] (`None`: a platform-wide action).
    pub fn may(&self, action: Action, target: Option<&str>) -> bool {
        self.grant().allows(action, target)
    }

    /// The principal's role and scope as a grant (every column).
    pub fn grant(&self) -> Grant {
        Grant {
            role: self.role,
            scope: self.scope.clone(),
            columns: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(role: Role, site: Option<&str>) -> Principal {
        Principal {
            name: "x".into(),
            role,
            scope: Scope::of(role, site.map(String::from)),
        }
    }

    #[test]
    fn platform_admin_may_everything() {
        let admin = p(Role::PlatformAdmin, None);
        assert!(admin.may(Action::ManagePlatform, None));
        assert!(admin.may(Action::Review, Some("gz")));
    }

    #[test]
    fn site_roles_are_confined_to_their_site() {
        let editor = p(Role::Editor, Some("gd"));
        assert!(editor.may(Action::Edit, Some("gd")));
        assert!(!editor.may(Action::Edit, Some("gz")));
        assert!(!editor.may(Action::Review, Some("gd")));
        assert!(!editor.may(Action::ManagePlatform, None));
        let reviewer = p(Role::Reviewer, Some("gd"));
        assert!(reviewer.may(Action::Review, Some("gd")));
        assert!(!reviewer.may(Action::Edit, Some("gd")));
        assert!(!reviewer.may(Action::ManageSite, Some("gd")));
        let site_admin = p(Role::SiteAdmin, Some("gd"));
        assert!(site_admin.may(Action::ManageSite, Some("gd")));
        assert!(!site_admin.may(Action::EditTemplates, Some("gd")));
        assert!(!site_admin.may(Action::ManageSite, Some("gz")));
    }

    #[test]
    fn auditors_read_and_nothing_else() {
        let auditor = p(Role::Auditor, None);
        assert!(auditor.may(Action::ReadAudit, None));
        assert!(auditor.may(Action::ReadAudit, Some("gd")));
        assert!(auditor.may(Action::ReadStatistics, Some("gd")));
        for action in [
            Action::ManagePlatform,
            Action::EditTemplates,
            Action::ManageSite,
            Action::Edit,
            Action::Review,
            Action::Publish,
            Action::Withdraw,
            Action::HandleTickets,
            Action::ReviewReplies,
        ] {
            assert!(!auditor.may(action, Some("gd")), "{action:?}");
            assert!(!auditor.may(action, None), "{action:?}");
        }
    }

    #[test]
    fn a_reviewer_of_a_body_reviews_its_replies_only() {
        let reviewer = p(Role::Reviewer, Some("440000.hrss"));
        assert_eq!(reviewer.scope, Scope::Body("440000.hrss".into()));
        assert!(reviewer.may(Action::ReviewReplies, Some("440000.hrss")));
        assert!(!reviewer.may(Action::ReviewReplies, Some("440000.edu")));
        assert!(!reviewer.may(Action::ReviewReplies, None));
        assert!(!reviewer.may(Action::HandleTickets, Some("440000.hrss")));
        assert!(!reviewer.may(Action::Review, Some("440000.hrss")));
        assert!(!reviewer.may(Action::Publish, Some("440000.hrss")));
        // A site reviewer stays a site reviewer, and reviews no replies.
        let site_reviewer = p(Role::Reviewer, Some("gd"));
        assert_eq!(site_reviewer.scope, Scope::Site("gd".into()));
        assert!(!site_reviewer.may(Action::ReviewReplies, Some("gd")));
        // Handlers answer, but never approve their replies' publication.
        let handler = p(Role::Handler, Some("440000.hrss"));
        assert!(!handler.may(Action::ReviewReplies, Some("440000.hrss")));
        let admin = p(Role::PlatformAdmin, None);
        assert!(admin.may(Action::ReviewReplies, Some("440000.hrss")));
        let auditor = p(Role::Auditor, None);
        assert!(!auditor.may(Action::ReviewReplies, Some("440000.hrss")));
        let site_admin = p(Role::SiteAdmin, Some("gd"));
        assert!(!site_admin.may(Action::ReviewReplies, Some("gd")));
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
            assert!(!r.chinese().is_empty());
        }
        assert!("root".parse::<Role>().is_err());
    }
}
