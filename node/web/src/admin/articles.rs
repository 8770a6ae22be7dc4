//! 信息管理: `/admin/articles` (the articles a person may see: the sites they hold a grant
//! on, a column-limited editor only their columns; by site, column, state and words of
//! the title, a page at a time), `/admin/articles/new` (site and column chosen by name
//! where the person may edit, then the editor creating a draft) and `/admin/articles/{id}`
//! (the editor: 保存草稿 saves only the fields that changed, 提交审核 submits; a state that
//! cannot be revised is shown read-only with why; the revision history). Uploads are in
//! [`super::articles_uploads`], previews in [`super::articles_preview`].

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::{Access, Action, Role, Scope};
use govnode_content::{Article, ContentError, SiteScope, State as ArticleState};

use super::staff::Staff;
use super::{Frame, refused};
use crate::AppState;

/// The routes of 信息管理.
pub(super) fn routes() -> axum::Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/articles", get(list))
        .route("/admin/articles/new", get(new_form).post(create))
        .route(
            "/admin/articles/preview",
            post(super::articles_preview::unsaved),
        )
        .route("/admin/articles/{id}", get(page).post(save))
        .route(
            "/admin/articles/{id}/preview",
            get(super::articles_preview::revision),
        )
        .route(
            "/admin/articles/{id}/uploads",
            // The handler counts the file against the library's own limit.
            post(super::articles_uploads::upload).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/admin/articles/{id}/attachments/remove",
            post(super::articles_uploads::remove),
        )
}

/// Articles per page of the list.
pub(super) const PER_PAGE: i64 = 20;

/// Where `access` may look: `None` for every site (a platform admin); else per site, every
/// column or only the columns its grants name.
pub(super) fn visible_scopes(access: &Access) -> Option<Vec<SiteScope>> {
    if access.is_platform_admin() {
        return None;
    }
    let mut by_site: BTreeMap<String, Option<Vec<String>>> = BTreeMap::new();
    for g in &access.grants {
        if !matches!(g.role, Role::SiteAdmin | Role::Editor | Role::Reviewer) {
            continue;
        }
        let Scope::Site(site) = &g.scope else {
            continue;
        };
        let entry = by_site
            .entry(site.clone())
            .or_insert_with(|| Some(Vec::new()));
        match (&g.columns, entry.as_mut()) {
            (None, _) => *entry = None,
            (Some(cols), Some(list)) => list.extend(cols.iter().cloned()),
            (Some(_), None) => {}
        }
    }
    Some(
        by_site
            .into_iter()
            .map(|(site, columns)| SiteScope { site, columns })
            .collect(),
    )
}

/// Whether `access` may see the articles of `column` of `site`.
pub(super) fn may_see(access: &Access, site: &str, column: &str) -> bool {
    match visible_scopes(access) {
        None => true,
        Some(scopes) => scopes.iter().any(|s| {
            s.site == site
                && s.columns
                    .as_ref()
                    .is_none_or(|cols| cols.iter().any(|c| c == column))
        }),
    }
}

/// Whether `access` may write in `column` of `site`.
pub(super) fn may_edit(access: &Access, site: &str, column: &str) -> bool {
    access.may_in_column(Action::Edit, site, column)
}

/// The one answer for an article that does not exist or that this person may not see.
pub(super) fn not_visible(frame: &Frame) -> Response {
    refused(
        StatusCode::NOT_FOUND,
        frame,
        "没有这篇信息，或您没有查看它的权限（它属于您未获授权的站点或栏目）",
        "/admin/articles",
    )
}

/// Article `id` if this person may see it, else the refusal page.
pub(super) async fn visible_article(
    node: &AppState,
    staff: &Staff,
    id: i64,
) -> Result<Article, Response> {
    let frame = staff.frame(&node.node);
    match node.content.article(id).await {
        Ok(a) if may_see(&staff.signed_in.access, &a.site, &a.column) => Ok(a),
        Ok(_) | Err(ContentError::NotFound(_)) => Err(not_visible(&frame)),
        Err(e) => Err(failed(&frame, &e)),
    }
}

/// A failure of the content module as a page.
pub(super) fn failed(frame: &Frame, e: &ContentError) -> Response {
    tracing::error!(error = %e, "console: articles");
    refused(
        StatusCode::INTERNAL_SERVER_ERROR,
        frame,
        "系统暂时无法处理，请稍后再试",
        "/admin/articles",
    )
}

/// A field of the editor as staff read it.
pub(super) fn field_label(field: &str) -> &'static str {
    match field {
        "title" => "标题",
        "subtitle" => "副标题",
        "body" => "正文",
        "summary" => "摘要",
        "author" => "作者",
        "issuing_body" => "发文机关",
        "doc_number" => "发文字号",
        "theme" => "主题分类",
        "doc_type" => "文档类型",
        "date" => "成文日期",
        "valid_from" => "实施日期",
        "valid_to" => "废止日期",
        "tags" => "标签",
        "column" => "栏目",
        f if f.starts_with("attachments") => "附件",
        _ => "表单",
    }
}

/// A refusal of an article change in Chinese, naming the field by its label.
pub(super) fn chinese_error(e: &ContentError) -> String {
    match e {
        ContentError::Invalid { field, message } => {
            let label = field_label(field);
            if message == "is required" {
                format!("请填写“{label}”")
            } else if message.contains("at most") || message.contains("characters") {
                format!("“{label}”太长，请删减后再保存")
            } else if *field == "valid_to" && message.contains("before") {
                "废止日期不能早于实施日期".to_string()
            } else if message.contains("date") {
                format!("“{label}”不是有效的日期")
            } else {
                format!("“{label}”填写有误，请检查后再保存")
            }
        }
        ContentError::Conflict(_) => {
            "这篇信息当前的状态不允许这样操作（可能刚被他人提交或审核），请刷新页面查看".into()
        }
        ContentError::Refused(_) => "您没有进行这项操作的权限".into(),
        ContentError::NotFound(_) => "没有这篇信息，或它已被删除".into(),
        ContentError::Library(_) => "上传的文件不符合要求（类型或大小）".into(),
        _ => "系统暂时无法处理，请稍后再试".into(),
    }
}

/// Why an article in `state` cannot be revised (None: it can).
pub(super) fn read_only_reason(state: ArticleState) -> Option<&'static str> {
    match state {
        ArticleState::Submitted => {
            Some("这篇信息已提交审核（待审核），审核完成前不能修改；如需修改，请联系审核人员退回。")
        }
        ArticleState::Approved => {
            Some("这篇信息已审核通过（已通过），等待发布，不能再修改；如需修改，请在发布后再修订。")
        }
        ArticleState::Scheduled => {
            Some("这篇信息已安排定时发布，不能修改；如需修改，请在发布后再修订。")
        }
        _ => None,
    }
}

pub(super) use super::articles_editor::*;
pub(super) use super::articles_form::*;
pub(super) use super::articles_list::*;
pub(super) use super::articles_new::*;

#[cfg(test)]
mod tests {
    use super::*;
    use govnode_accounts::Grant;
    use govnode_content::{ArticleDoc, ArticlePatch};

    #[test]
    fn who_sees_which_articles() {
        let editor = Access::user(1, "li", vec![Grant::site(Role::Editor, "gd")]);
        assert!(may_see(&editor, "gd", "news"));
        assert!(!may_see(&editor, "gz", "news"));
        let limited = Access::user(
            2,
            "wu",
            vec![Grant::site(Role::Editor, "gd").in_columns(&["notice"])],
        );
        assert!(may_see(&limited, "gd", "notice"));
        assert!(!may_see(&limited, "gd", "news"));
        assert!(may_edit(&limited, "gd", "notice"));
        assert!(!may_edit(&limited, "gd", "news"));
        // A reviewer of the whole site sees what a column grant on the same site does not.
        let both = Access::user(
            3,
            "he",
            vec![
                Grant::site(Role::Editor, "gd").in_columns(&["notice"]),
                Grant::site(Role::Reviewer, "gd"),
            ],
        );
        assert!(may_see(&both, "gd", "news"));
        assert!(!may_edit(&both, "gd", "news"));
        let auditor = Access::user(4, "zhao", vec![Grant::node(Role::Auditor)]);
        assert_eq!(visible_scopes(&auditor), Some(vec![]));
        let admin = Access::user(5, "wang", vec![Grant::node(Role::PlatformAdmin)]);
        assert!(may_see(&admin, "anything", "x"));
    }

    #[test]
    fn only_changed_fields_are_sent() {
        let doc = ArticleDoc {
            title: "旧标题".into(),
            subtitle: String::new(),
            body: "第一段\n\n| a | b |\n|---|---|\n| 1 | 2 |".into(),
            body_format: Default::default(),
            body_html: String::new(),
            summary: "摘要".into(),
            author: "李明".into(),
            issuing_body: "广东省人民政府办公厅".into(),
            doc_number: "粤府办〔2026〕3号".into(),
            theme: "08".into(),
            doc_type: "policy".into(),
            date: "2026-03-01".into(),
            valid_from: "2026-04-01".into(),
            valid_to: String::new(),
            attachments: vec![],
            tags: vec!["民营经济".into(), "营商环境".into()],
        };
        let mut form = Editable::of(&doc);
        // A browser posts CRLF; that is no change.
        form.body = form.body.replace('\n', "\r\n");
        assert!(is_empty(&form.patch(&doc)));
        form.title = "新标题".into();
        let p = form.patch(&doc);
        assert_eq!(p.title.as_deref(), Some("新标题"));
        assert!(is_empty(&ArticlePatch { title: None, ..p }));
        form.tags = "民营经济，营商环境、 新标签".into();
        assert_eq!(
            form.patch(&doc).tags,
            Some(vec!["民营经济".into(), "营商环境".into(), "新标签".into()])
        );
    }

    #[test]
    fn images_of_a_body() {
        let h = "a".repeat(64);
        let body = format!("文字 ![图一](/blobs/{h}) 再 ![图一](/blobs/{h}) ![x](/blobs/zz)");
        assert_eq!(body_images(&body), vec![("图一".to_string(), h)]);
    }
}
