//! The console's navigation: one list, derived from the signed-in person's grants, so a
//! page nobody may use is never offered.

use govnode_accounts::{Access, Role};
use serde::Serialize;

/// One entry of the navigation.
#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    /// What it is called.
    pub name: &'static str,
    /// Where it goes.
    pub href: &'static str,
}

/// Whether `access` holds any of `roles` on a site or the node.
fn any(access: &Access, roles: &[Role]) -> bool {
    roles.iter().any(|r| access.holds_on_sites(*r))
}

/// The entries `access` may use, in reading order.
pub fn items(access: &Access) -> Vec<NavItem> {
    use Role::*;
    let admin = access.is_platform_admin() || !access.administered_sites().is_empty();
    let platform = access.is_platform_admin();
    let handler = access.holds_for_body(Handler) || platform;
    [
        ("工作台", "/admin/", true),
        (
            "信息管理",
            "/admin/articles",
            any(access, &[PlatformAdmin, SiteAdmin, Editor, Reviewer]),
        ),
        (
            "信息审核",
            "/admin/review",
            any(access, &[PlatformAdmin, SiteAdmin, Reviewer]),
        ),
        (
            "信息分发",
            "/admin/distribution",
            any(access, &[PlatformAdmin, SiteAdmin, Editor]),
        ),
        (
            "征集调查",
            "/admin/surveys",
            any(access, &[PlatformAdmin, SiteAdmin, Editor]),
        ),
        (
            "知识库",
            "/admin/knowledge",
            any(access, &[PlatformAdmin, SiteAdmin, Editor, Reviewer]),
        ),
        ("办件", "/admin/letters", handler),
        ("办件提醒", "/admin/notices", handler),
        (
            "答复公开审核",
            "/admin/letters/publication",
            platform || access.holds_for_body(Reviewer),
        ),
        (
            "办件统计",
            "/admin/letters/stats",
            handler || access.holds(Auditor),
        ),
        (
            "超期督办",
            "/admin/letters/escalations",
            handler || access.holds(Auditor),
        ),
        (
            "一网通管",
            "/admin/monitoring",
            admin || access.holds(Auditor),
        ),
        (
            "访问统计",
            "/admin/analytics",
            admin || access.holds(Auditor),
        ),
        ("站点与栏目", "/admin/sites", admin),
        ("页面模板", "/admin/templates", platform),
        ("单位与办件设置", "/admin/bodies", platform),
        ("节假日与办理时限", "/admin/calendar", platform),
        (
            "搜索管理",
            "/admin/search",
            platform || access.holds(Auditor),
        ),
        (
            "操作日志",
            "/admin/audit",
            any(access, &[PlatformAdmin, SiteAdmin, Auditor]),
        ),
        ("用户管理", "/admin/users", admin),
        (
            "节点与同步",
            "/admin/federation",
            any(access, &[PlatformAdmin, Auditor]),
        ),
        ("我的账号", "/admin/account", true),
    ]
    .into_iter()
    .filter(|(_, _, shown)| *shown)
    .map(|(name, href, _)| NavItem { name, href })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use govnode_accounts::Grant;

    fn names(access: &Access) -> Vec<&'static str> {
        items(access).into_iter().map(|i| i.name).collect()
    }

    #[test]
    fn each_role_is_offered_what_it_may_use() {
        let editor = Access::user(1, "li", vec![Grant::site(Role::Editor, "gd")]);
        assert_eq!(
            names(&editor),
            [
                "工作台",
                "信息管理",
                "信息分发",
                "征集调查",
                "知识库",
                "我的账号"
            ]
        );
        let auditor = Access::user(2, "zhao", vec![Grant::node(Role::Auditor)]);
        assert_eq!(
            names(&auditor),
            [
                "工作台",
                "办件统计",
                "超期督办",
                "一网通管",
                "访问统计",
                "搜索管理",
                "操作日志",
                "节点与同步",
                "我的账号"
            ]
        );
        let admin = Access::user(3, "wang", vec![Grant::node(Role::PlatformAdmin)]);
        assert_eq!(items(&admin).len(), 22);
        let handler = Access::user(4, "liu", vec![Grant::body("440000.gd")]);
        assert_eq!(
            names(&handler),
            [
                "工作台",
                "办件",
                "办件提醒",
                "办件统计",
                "超期督办",
                "我的账号"
            ]
        );
        // A site admin watches their sites (一网通管) among the rest.
        let site_admin = Access::user(6, "zhou", vec![Grant::site(Role::SiteAdmin, "gd")]);
        assert!(names(&site_admin).contains(&"一网通管"));
        assert!(names(&site_admin).contains(&"访问统计"));
        assert!(!names(&editor).contains(&"访问统计"));
        assert!(!names(&editor).contains(&"一网通管"));
        // A reviewer of a body's replies reviews no articles.
        let replies = Access::user(5, "chen", vec![Grant::body_reviewer("440000.gd")]);
        assert_eq!(names(&replies), ["工作台", "答复公开审核", "我的账号"]);
    }
}
