//! The demo's staff: on every node, one person per role, signing in to the console with a
//! password printed on the terminal (which they change at first sign-in, as anyone an
//! administrator creates must; administrators then set up an authenticator).

use govnode_accounts::{Access, Grant, NewUser, Role};

use crate::{Node, NodeError};

/// The demo's first password for everyone (meets the password policy; changed at first
/// sign-in).
pub const FIRST_PASSWORD: &str = "Demo-Mima-2026";

/// A member of staff the demo created.
pub struct Person {
    /// The role, for the label.
    pub role: Role,
    /// Login name.
    pub login: String,
}

/// Creates the node's staff: a platform admin, and for its main site `site` (run by the
/// body `body`, whose letters `desk` answers) a site admin, an editor, a reviewer and a
/// letter handler; and an auditor.
pub async fn create(
    node: &Node,
    site: &str,
    body: &str,
    desk: &str,
) -> Result<Vec<Person>, NodeError> {
    let people = [
        (
            Role::PlatformAdmin,
            "admin",
            "王平台",
            Grant::node(Role::PlatformAdmin),
        ),
        (
            Role::SiteAdmin,
            "site.admin",
            "李站点",
            Grant::site(Role::SiteAdmin, site),
        ),
        (
            Role::Editor,
            "editor",
            "张编辑",
            Grant::site(Role::Editor, site),
        ),
        (
            Role::Reviewer,
            "reviewer",
            "陈审核",
            Grant::site(Role::Reviewer, site),
        ),
        (Role::Handler, "handler", "刘办理", Grant::body(desk)),
        (
            Role::Auditor,
            "auditor",
            "赵审计",
            Grant::node(Role::Auditor),
        ),
    ];
    let now = chrono::Utc::now().timestamp_millis();
    let mut out = Vec::with_capacity(people.len());
    for (role, login, name, grant) in people {
        let new = NewUser {
            login: login.into(),
            display_name: name.into(),
            body: body.into(),
            ..NewUser::default()
        };
        node.app_state()
            .users
            .create(
                &Access::operator("demo"),
                &new,
                FIRST_PASSWORD,
                &[grant],
                now,
            )
            .await
            .map_err(|e| NodeError::Storage(format!("demo user {login}: {e}")))?;
        out.push(Person {
            role,
            login: login.into(),
        });
    }
    Ok(out)
}

/// The lines telling a newcomer how to sign in, labelled in Chinese.
pub fn sign_in_lines(console_url: &str, people: &[Person]) -> Vec<String> {
    let mut lines = vec![format!(
        "  控制台   {console_url}  （各角色初始密码 {FIRST_PASSWORD}，首次登录须修改；管理员还须设置身份验证器）"
    )];
    for p in people {
        lines.push(format!("    {:<8}登录名 {}", p.role.chinese(), p.login));
    }
    lines
}
