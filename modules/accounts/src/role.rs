//! Roles and what each may do.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::AccountsError;

/// A role, as the platform defines them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Runs the node: every site, site creation, templates.
    PlatformAdmin,
    /// Runs one site: columns, shutdown, and everything editors and reviewers do there.
    SiteAdmin,
    /// Writes and submits articles on one site.
    Editor,
    /// Approves, rejects, publishes and withdraws articles on one site.
    Reviewer,
    /// Handles citizens' tickets for one government body (its scope is the body id).
    Handler,
}

impl Role {
    /// The role's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform-admin",
            Role::SiteAdmin => "site-admin",
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
            Role::Handler => "handler",
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
        Ok(match s {
            "platform-admin" => Role::PlatformAdmin,
            "site-admin" => Role::SiteAdmin,
            "editor" => Role::Editor,
            "reviewer" => Role::Reviewer,
            "handler" => Role::Handler,
            other => return Err(AccountsError::UnknownRole(other.to_string())),
        })
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
    /// Accept, transfer, answer citizens' tickets of a body (the scope is the body id).
    HandleTickets,
}

/// What a role is limited to: the whole node, one site, or (for handlers) one body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    /// The whole node (platform admins).
    Node,
    /// One site, by id (site admins, editors, reviewers).
    Site(String),
    /// One government body, by id `<node>.<slug>` (handlers).
    Body(String),
}

impl Scope {
    /// The scope a role stored with `scoped_to` (the token's site or body column) has.
    pub fn of(role: Role, scoped_to: Option<String>) -> Scope {
        match (role, scoped_to) {
            (_, None) => Scope::Node,
            (Role::Handler, Some(body)) => Scope::Body(body),
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
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::Node => f.write_str("this node"),
            Scope::Site(s) => write!(f, "site `{s}`"),
            Scope::Body(b) => write!(f, "body `{b}`"),
        }
    }
}

/// Who is calling: the token's name, role and scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// The person or system behind the token.
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
        if self.role == Role::PlatformAdmin {
            return true;
        }
        // A handler's scope is a body, not a site: tickets are all it may touch.
        if self.role == Role::Handler || action == Action::HandleTickets {
            return self.role == Role::Handler
                && action == Action::HandleTickets
                && target.is_some_and(|b| self.scope.body() == Some(b));
        }
        if target.is_none_or(|s| self.scope.site() != Some(s)) {
            return false;
        }
        match action {
            Action::ManagePlatform | Action::EditTemplates => false,
            Action::ManageSite | Action::ReadAudit => self.role == Role::SiteAdmin,
            Action::Edit => matches!(self.role, Role::SiteAdmin | Role::Editor),
            Action::Review | Action::Withdraw => {
                matches!(self.role, Role::SiteAdmin | Role::Reviewer)
            }
            Action::Publish => true,
            Action::HandleTickets => false,
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
    fn role_names_round_trip() {
        for r in [
            Role::PlatformAdmin,
            Role::SiteAdmin,
            Role::Editor,
            Role::Reviewer,
        ] {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("root".parse::<Role>().is_err());
    }
}
