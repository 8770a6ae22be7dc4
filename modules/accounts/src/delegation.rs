//! Who may manage whom: pure functions over the actor's [`Access`] and the target's grants.
//! [`crate::UserStore`] applies them to every change; the web layer may call them to decide
//! what to offer.
//!
//! - A platform admin manages every account and every grant (only their own account's
//!   state and deletion are refused: someone else must do that, so the node is never left
//!   without an administrator by mistake; the last platform-admin grant is kept too).
//! - A site admin manages the editor and reviewer grants of the sites they administer
//!   (invite, change, revoke), never their own grants, never site-admin, platform-admin,
//!   auditor or handler grants, nor a reviewer grant for a government body (答复公开: those
//!   are the platform admin's); and the accounts of people
//!   whose every grant is such a grant on their sites.
//! - Everybody edits their own profile and changes their own password.

use std::fmt;

use crate::{Access, Grant, Role};

/// Why a change is refused by the delegation rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The actor administers nothing.
    NotAnAdministrator,
    /// A site admin may not change their own grants.
    OwnGrants,
    /// Nobody disables, locks, deletes or resets their own account.
    OwnAccount,
    /// The grant is on a site (or body, or the node) the actor does not administer.
    OutsideOwnSites {
        /// The site or body id (`""`: the node).
        scope: String,
    },
    /// Site admins give editor and reviewer grants only.
    NotDelegable {
        /// The role asked for.
        role: Role,
    },
    /// The user holds grants beyond the actor's sites (or is a site admin): a platform
    /// admin manages them.
    UserOutsideOwnSites,
    /// A site admin's invitation gives at least one grant on their site.
    NoGrants,
    /// The last platform-admin grant of the node stays.
    LastPlatformAdmin,
    /// A token may not do more than its owner.
    WiderThanOwn {
        /// The grant asked for, as `role@scope[columns]`.
        grant: String,
    },
}

impl Refusal {
    /// The refusal in Chinese, naming the rule.
    pub fn chinese(&self) -> String {
        match self {
            Refusal::NotAnAdministrator => "只有平台管理员或站点管理员可以管理人员和授权".into(),
            Refusal::OwnGrants => "不能修改自己的授权，请联系平台管理员".into(),
            Refusal::OwnAccount => "不能停用、锁定、删除或重置自己的账号".into(),
            Refusal::OutsideOwnSites { scope } if scope.is_empty() => {
                "站点管理员只能管理本站点的授权，不能授予整个节点的权限".into()
            }
            Refusal::OutsideOwnSites { scope } => {
                format!("站点管理员只能管理本站点的授权，“{scope}”不是您管理的站点")
            }
            Refusal::NotDelegable { role } => format!(
                "站点管理员只能授予信息编辑和信息审核员，{}由平台管理员授予",
                role.chinese()
            ),
            Refusal::UserOutsideOwnSites => {
                "该人员在您管理的站点之外还有授权（或是站点管理员），请联系平台管理员".into()
            }
            Refusal::NoGrants => "邀请人员时须至少授予本站点的一项角色".into(),
            Refusal::LastPlatformAdmin => "不能撤销本节点最后一位平台管理员".into(),
            Refusal::WiderThanOwn { grant } => {
                format!("令牌的权限不能超出您本人的授权：{grant}")
            }
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotAnAdministrator => {
                f.write_str("only platform and site admins manage accounts and grants")
            }
            Refusal::OwnGrants => {
                f.write_str("you may not change your own grants: ask a platform admin")
            }
            Refusal::OwnAccount => {
                f.write_str("you may not disable, lock, delete or reset your own account")
            }
            Refusal::OutsideOwnSites { scope } if scope.is_empty() => f.write_str(
                "a site admin manages grants on their own sites only, not node-wide ones",
            ),
            Refusal::OutsideOwnSites { scope } => write!(
                f,
                "a site admin manages grants on their own sites only; you do not administer `{scope}`"
            ),
            Refusal::NotDelegable { role } => write!(
                f,
                "a site admin gives editor and reviewer grants only; {role} is given by a platform admin"
            ),
            Refusal::UserOutsideOwnSites => f.write_str(
                "this person holds grants beyond your sites (or is a site admin): ask a platform admin",
            ),
            Refusal::NoGrants => {
                f.write_str("an invitation gives at least one grant on your site")
            }
            Refusal::LastPlatformAdmin => {
                f.write_str("the node's last platform-admin grant may not be revoked")
            }
            Refusal::WiderThanOwn { grant } => {
                write!(f, "a token may not do more than its owner: {grant}")
            }
        }
    }
}

/// Whether a site admin may hand out `grant`: an editor or reviewer grant on a site the
/// actor administers.
fn site_admin_may_give(actor: &Access, grant: &Grant) -> Result<(), Refusal> {
    if !matches!(grant.role, Role::Editor | Role::Reviewer) {
        return Err(Refusal::NotDelegable { role: grant.role });
    }
    match grant.scope.site() {
        Some(site) if actor.administered_sites().contains(&site) => Ok(()),
        _ => Err(Refusal::OutsideOwnSites {
            scope: grant.scope.id().to_string(),
        }),
    }
}

/// Whether `actor` may give, change or revoke `grant` of user `target` (for a change,
/// both the grant as it was and as it becomes must pass).
pub fn may_change_grant(actor: &Access, target: i64, grant: &Grant) -> Result<(), Refusal> {
    if actor.is_platform_admin() {
        return Ok(());
    }
    if actor.administered_sites().is_empty() {
        return Err(Refusal::NotAnAdministrator);
    }
    if actor.user_id == Some(target) {
        return Err(Refusal::OwnGrants);
    }
    site_admin_may_give(actor, grant)
}

/// Whether `actor` may create an account with `grants` (a site admin's invitation gives
/// at least one grant, each on their sites).
pub fn may_invite(actor: &Access, grants: &[Grant]) -> Result<(), Refusal> {
    if actor.is_platform_admin() {
        return Ok(());
    }
    if actor.administered_sites().is_empty() {
        return Err(Refusal::NotAnAdministrator);
    }
    if grants.is_empty() {
        return Err(Refusal::NoGrants);
    }
    grants
        .iter()
        .try_for_each(|g| site_admin_may_give(actor, g))
}

/// Whether `actor` may manage the account of user `target` holding `target_grants`: set
/// its state, reset its password or second factor, edit its profile, delete it.
pub fn may_manage_account(
    actor: &Access,
    target: i64,
    target_grants: &[Grant],
) -> Result<(), Refusal> {
    if actor.user_id == Some(target) {
        return Err(Refusal::OwnAccount);
    }
    if actor.is_platform_admin() {
        return Ok(());
    }
    if actor.administered_sites().is_empty() {
        return Err(Refusal::NotAnAdministrator);
    }
    let confined = !target_grants.is_empty()
        && target_grants
            .iter()
            .all(|g| site_admin_may_give(actor, g).is_ok());
    if confined {
        Ok(())
    } else {
        Err(Refusal::UserOutsideOwnSites)
    }
}

/// Whether `actor` may edit the profile (names, body, phone, e-mail) of user `target`:
/// their own, or one whose account they manage.
pub fn may_edit_profile(
    actor: &Access,
    target: i64,
    target_grants: &[Grant],
) -> Result<(), Refusal> {
    if actor.user_id == Some(target) {
        return Ok(());
    }
    may_manage_account(actor, target, target_grants)
}

/// Whether `actor` may see user `target`'s account: their own; every account for platform
/// admins and auditors; for site admins, people with a grant on their sites.
pub fn may_view_user(actor: &Access, target: i64, target_grants: &[Grant]) -> bool {
    if actor.user_id == Some(target) || actor.is_platform_admin() || actor.holds(Role::Auditor) {
        return true;
    }
    let sites = actor.administered_sites();
    target_grants
        .iter()
        .any(|g| g.scope.site().is_some_and(|s| sites.contains(&s)))
}

/// Whether a token with `grants` may be given to `owner`: at least one grant, each covered
/// by one of the owner's ([`Grant::covers`]).
pub fn may_give_token(owner: &Access, grants: &[Grant]) -> Result<(), Refusal> {
    if grants.is_empty() {
        return Err(Refusal::NoGrants);
    }
    match grants.iter().find(|g| !owner.covers(g)) {
        Some(g) => Err(Refusal::WiderThanOwn { grant: g.summary() }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site_admin(id: i64, site: &str) -> Access {
        Access::user(id, "admin", vec![Grant::site(Role::SiteAdmin, site)])
    }

    #[test]
    fn platform_admins_manage_everyone() {
        let root = Access::user(1, "root", vec![Grant::node(Role::PlatformAdmin)]);
        for g in [
            Grant::node(Role::PlatformAdmin),
            Grant::node(Role::Auditor),
            Grant::site(Role::SiteAdmin, "gz"),
            Grant::body("440000.hrss"),
            Grant::body_reviewer("440000.hrss"),
        ] {
            assert_eq!(may_change_grant(&root, 2, &g), Ok(()));
        }
        assert_eq!(may_manage_account(&root, 2, &[]), Ok(()));
        assert_eq!(may_manage_account(&root, 1, &[]), Err(Refusal::OwnAccount));
        assert!(may_view_user(&root, 9, &[]));
        assert_eq!(may_invite(&root, &[]), Ok(()));
    }

    #[test]
    fn site_admins_delegate_on_their_site_only() {
        let a = site_admin(5, "gd");
        assert_eq!(
            may_change_grant(&a, 6, &Grant::site(Role::Editor, "gd")),
            Ok(())
        );
        assert_eq!(
            may_change_grant(&a, 6, &Grant::site(Role::Reviewer, "gd").in_columns(&["x"])),
            Ok(())
        );
        assert_eq!(
            may_change_grant(&a, 6, &Grant::site(Role::Editor, "gz")),
            Err(Refusal::OutsideOwnSites { scope: "gz".into() })
        );
        // A body's reviewer is the platform admin's to give.
        assert_eq!(
            may_change_grant(&a, 6, &Grant::body_reviewer("440000.hrss")),
            Err(Refusal::OutsideOwnSites {
                scope: "440000.hrss".into()
            })
        );
        assert_eq!(
            may_change_grant(&a, 6, &Grant::site(Role::SiteAdmin, "gd")),
            Err(Refusal::NotDelegable {
                role: Role::SiteAdmin
            })
        );
        assert_eq!(
            may_change_grant(&a, 6, &Grant::node(Role::PlatformAdmin)),
            Err(Refusal::NotDelegable {
                role: Role::PlatformAdmin
            })
        );
        assert_eq!(
            may_change_grant(&a, 6, &Grant::body("440000.hrss")),
            Err(Refusal::NotDelegable {
                role: Role::Handler
            })
        );
    }

    #[test]
    fn site_admins_never_touch_their_own_grants() {
        let a = site_admin(5, "gd");
        assert_eq!(
            may_change_grant(&a, 5, &Grant::site(Role::Editor, "gd")),
            Err(Refusal::OwnGrants)
        );
        assert_eq!(
            may_manage_account(&a, 5, &[Grant::site(Role::SiteAdmin, "gd")]),
            Err(Refusal::OwnAccount)
        );
        assert_eq!(may_edit_profile(&a, 5, &[]), Ok(()));
    }

    #[test]
    fn site_admins_manage_accounts_confined_to_their_sites() {
        let a = site_admin(5, "gd");
        let editor_here = [Grant::site(Role::Editor, "gd")];
        assert_eq!(may_manage_account(&a, 6, &editor_here), Ok(()));
        let also_elsewhere = [
            Grant::site(Role::Editor, "gd"),
            Grant::site(Role::Editor, "gz"),
        ];
        assert_eq!(
            may_manage_account(&a, 6, &also_elsewhere),
            Err(Refusal::UserOutsideOwnSites)
        );
        assert_eq!(
            may_manage_account(&a, 6, &[Grant::site(Role::SiteAdmin, "gd")]),
            Err(Refusal::UserOutsideOwnSites)
        );
        assert_eq!(
            may_manage_account(&a, 6, &[]),
            Err(Refusal::UserOutsideOwnSites)
        );
        assert!(may_view_user(&a, 6, &also_elsewhere));
        assert!(!may_view_user(&a, 6, &[Grant::site(Role::Editor, "gz")]));
    }

    #[test]
    fn invitations() {
        let a = site_admin(5, "gd");
        assert_eq!(may_invite(&a, &[]), Err(Refusal::NoGrants));
        assert_eq!(may_invite(&a, &[Grant::site(Role::Editor, "gd")]), Ok(()));
        assert!(may_invite(&a, &[Grant::site(Role::Editor, "gz")]).is_err());
        let editor = Access::user(7, "e", vec![Grant::site(Role::Editor, "gd")]);
        assert_eq!(
            may_invite(&editor, &[Grant::site(Role::Editor, "gd")]),
            Err(Refusal::NotAnAdministrator)
        );
        assert_eq!(
            may_change_grant(&editor, 8, &Grant::site(Role::Editor, "gd")),
            Err(Refusal::NotAnAdministrator)
        );
    }

    #[test]
    fn tokens_are_no_wider_than_their_owner() {
        let a = site_admin(5, "gd");
        assert_eq!(
            may_give_token(&a, &[Grant::site(Role::Editor, "gd")]),
            Ok(())
        );
        assert_eq!(
            may_give_token(&a, &[Grant::site(Role::Editor, "gz")]),
            Err(Refusal::WiderThanOwn {
                grant: "editor@gz".into()
            })
        );
        assert_eq!(may_give_token(&a, &[]), Err(Refusal::NoGrants));
    }

    #[test]
    fn every_refusal_reads_in_both_languages() {
        for r in [
            Refusal::NotAnAdministrator,
            Refusal::OwnGrants,
            Refusal::OwnAccount,
            Refusal::OutsideOwnSites { scope: "gz".into() },
            Refusal::OutsideOwnSites { scope: "".into() },
            Refusal::NotDelegable {
                role: Role::Auditor,
            },
            Refusal::UserOutsideOwnSites,
            Refusal::NoGrants,
            Refusal::LastPlatformAdmin,
            Refusal::WiderThanOwn {
                grant: "editor@gz".into(),
            },
        ] {
            assert!(!r.to_string().is_empty());
            assert!(r.chinese().chars().any(|c| c > '\u{2e80}'), "{r:?}");
        }
    }
}
