//! Sites, bodies and columns by name, for what staff read about grants: 编辑（广东省人民政府，
//! 栏目 通知公告）, never a bare id where a name exists.

use std::collections::BTreeMap;

use govnode_accounts::{AccountsError, Grant, Refusal, Scope};

use crate::AppState;

/// The names of the node's sites and bodies (and of the columns of the sites asked for).
#[derive(Debug, Default)]
pub(super) struct Names {
    /// Site id → name, in the node's order.
    pub sites: Vec<(String, String)>,
    /// Body id → name.
    pub bodies: Vec<(String, String)>,
    /// (site, column slug) → name.
    columns: BTreeMap<(String, String), String>,
}

impl Names {
    /// The node's sites and bodies, with the columns of the sites `grants` are limited in.
    /// A list that cannot be read leaves ids shown (logged, never a failed page).
    pub async fn load(node: &AppState, grants: &[&Grant]) -> Names {
        let mut names = Names::default();
        match node.content.sites().await {
            Ok(sites) => names.sites = sites.into_iter().map(|s| (s.id, s.name)).collect(),
            Err(e) => tracing::warn!(error = %e, "console: listing sites for names failed"),
        }
        match node.interaction.bodies().await {
            Ok(bodies) => names.bodies = bodies.into_iter().map(|b| (b.id, b.name)).collect(),
            Err(e) => tracing::warn!(error = %e, "console: listing bodies for names failed"),
        }
        let mut limited: Vec<&str> = grants
            .iter()
            .filter(|g| g.columns.is_some())
            .filter_map(|g| g.scope.site())
            .collect();
        limited.sort_unstable();
        limited.dedup();
        for site in limited {
            match node.content.columns(site).await {
                Ok(columns) => names.columns.extend(
                    columns
                        .into_iter()
                        .map(|c| ((site.to_string(), c.slug), c.name)),
                ),
                Err(e) => tracing::warn!(site, error = %e, "console: listing columns failed"),
            }
        }
        names
    }

    /// Site `id`'s name, else its id.
    pub fn site<'a>(&'a self, id: &'a str) -> &'a str {
        self.sites
            .iter()
            .find(|(s, _)| s == id)
            .map_or(id, |(_, name)| name)
    }

    /// Body `id`'s name, else its id.
    pub fn body<'a>(&'a self, id: &'a str) -> &'a str {
        self.bodies
            .iter()
            .find(|(b, _)| b == id)
            .map_or(id, |(_, name)| name)
    }

    /// A scope as staff read it: 本节点, a site's or a body's name.
    pub fn scope(&self, scope: &Scope) -> String {
        match scope {
            Scope::Node => "本节点".into(),
            Scope::Site(s) => self.site(s).to_string(),
            Scope::Body(b) => self.body(b).to_string(),
        }
    }

    /// A grant as staff read it: 编辑（广东省人民政府，栏目 通知公告、工作动态）.
    pub fn grant(&self, g: &Grant) -> String {
        let mut s = format!("{}（{}", g.role.chinese(), self.scope(&g.scope));
        if let Some(columns) = &g.columns {
            let site = g.scope.id();
            let shown: Vec<&str> = columns
                .iter()
                .map(|c| {
                    self.columns
                        .get(&(site.to_string(), c.clone()))
                        .map_or(c.as_str(), String::as_str)
                })
                .collect();
            s.push_str("，栏目 ");
            s.push_str(&shown.join("、"));
        }
        s.push('）');
        s
    }

    /// A refusal's Chinese text, naming a site by its name rather than its id.
    pub fn error(&self, e: &AccountsError) -> String {
        match e {
            AccountsError::Refused(Refusal::OutsideOwnSites { scope }) if !scope.is_empty() => {
                let name = match self.sites.iter().find(|(s, _)| s == scope) {
                    Some((_, name)) => name.as_str(),
                    None => self.body(scope),
                };
                format!("站点管理员只能管理本站点的授权，“{name}”不是您管理的站点")
            }
            e => e.chinese(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use govnode_accounts::Role;

    #[test]
    fn grants_read_with_names() {
        let mut names = Names {
            sites: vec![("gd".into(), "广东省人民政府".into())],
            bodies: vec![("440000.hrss".into(), "广东省人力资源和社会保障厅".into())],
            ..Names::default()
        };
        names
            .columns
            .insert(("gd".into(), "tzgg".into()), "通知公告".into());
        let editor = Role::Editor.chinese();
        assert_eq!(
            names.grant(&Grant::site(Role::Editor, "gd").in_columns(&["tzgg", "x"])),
            format!("{editor}（广东省人民政府，栏目 通知公告、x）")
        );
        assert_eq!(
            names.grant(&Grant::body("440000.hrss")),
            "办理人员（广东省人力资源和社会保障厅）"
        );
        assert_eq!(
            names.grant(&Grant::node(Role::PlatformAdmin)),
            "平台管理员（本节点）"
        );
        assert_eq!(
            names.grant(&Grant::site(Role::Editor, "gz")),
            format!("{editor}（gz）")
        );
        let refusal = AccountsError::Refused(Refusal::OutsideOwnSites { scope: "gd".into() });
        assert!(
            names
                .error(&refusal)
                .contains("“广东省人民政府”不是您管理的站点")
        );
    }
}
