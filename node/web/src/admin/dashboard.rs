//! 工作台 (`/admin/`): who is signed in and what they hold, and short lists of their work:
//! my drafts, returned to me (已退回, with the reason), awaiting my review, scheduled
//! (定时发布), recently published, and the distribution inbox (待接收) of their sites.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::{Action, Grant, Role};
use govnode_content::{Article, State as ArticleState, WorkQuery};
use serde::Serialize;

use super::names::Names;
use super::review::{ArticleRow, ColumnNames, queue, queue_rows, scopes};
use super::staff::Staff;
use super::{render, shown};
use crate::AppState;

/// Rows each list shows at most.
const SHORT: i64 = 10;

/// One waiting distribution.
#[derive(Debug, Serialize)]
struct InboxRow {
    title: String,
    from: String,
    to: String,
    sent: String,
}

/// Rows of `list` with `who` and `when` per article.
async fn rows(
    node: &AppState,
    list: &[Article],
    who_when: impl Fn(&Article) -> (String, String),
) -> Vec<ArticleRow> {
    let refs: Vec<&Article> = list.iter().collect();
    let names = Names::load(node, &[]).await;
    let columns = ColumnNames::of(node, &refs).await;
    list.iter()
        .map(|a| {
            let (who, when) = who_when(a);
            ArticleRow::new(a, &names, &columns, who, when)
        })
        .collect()
}

/// Articles matching `q`, or none (logged) when they cannot be read.
async fn work(node: &AppState, q: WorkQuery) -> Vec<Article> {
    match node.content.work(&q).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "console: the dashboard's list failed");
            Vec::new()
        }
    }
}

/// The sites whose distribution inbox `staff` reads (editors and admins of the site).
async fn inbox_sites(node: &AppState, staff: &Staff) -> Vec<String> {
    let access = &staff.signed_in.access;
    let sites = match node.content.sites().await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "console: listing sites failed");
            return Vec::new();
        }
    };
    let me = node.node.id.to_string();
    sites
        .into_iter()
        .filter(|s| s.origin == me && access.may(Action::Edit, Some(&s.id)))
        .map(|s| s.id)
        .collect()
}

/// `GET /admin/`: the dashboard.
pub(super) async fn home(State(node): State<AppState>, staff: Staff) -> Response {
    let user = &staff.signed_in.user;
    let access = &staff.signed_in.access;
    let held: Vec<&Grant> = access.grants.iter().collect();
    let names = Names::load(&node, &held).await;
    let grants: Vec<String> = held.iter().map(|g| names.grant(g)).collect();
    let me = access.person().to_string();
    let writes =
        access.is_platform_admin() || access.holds(Role::SiteAdmin) || access.holds(Role::Editor);
    let reviews = access.is_platform_admin()
        || access.holds(Role::SiteAdmin)
        || access.holds_on_sites(Role::Reviewer);
    let mine = |states: Vec<ArticleState>| WorkQuery {
        author: Some(me.clone()),
        states,
        limit: SHORT,
        ..WorkQuery::default()
    };
    let site_scopes = scopes(access, &[Role::SiteAdmin, Role::Editor, Role::Reviewer]);
    let on_my_sites = |states: Vec<ArticleState>| WorkQuery {
        scopes: site_scopes.clone(),
        states,
        limit: SHORT,
        ..WorkQuery::default()
    };
    let (drafts, returned, scheduled, published) = if writes || reviews {
        (
            work(&node, mine(vec![ArticleState::Draft])).await,
            work(&node, mine(vec![ArticleState::Rejected])).await,
            work(&node, on_my_sites(vec![ArticleState::Scheduled])).await,
            work(&node, on_my_sites(vec![ArticleState::Published])).await,
        )
    } else {
        Default::default()
    };
    let awaiting = if reviews {
        queue(&node, access, vec![ArticleState::Submitted], SHORT)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut inbox = Vec::new();
    if writes {
        for site in inbox_sites(&node, &staff).await {
            match node.content.inbox(&site).await {
                Ok(items) => {
                    inbox.extend(items.into_iter().filter(|i| i.state == "pending").map(|i| {
                        InboxRow {
                            title: i.title,
                            from: i.from_site_name,
                            to: names.site(&site).to_string(),
                            sent: shown(i.sent_ms),
                        }
                    }))
                }
                Err(e) => tracing::warn!(site, error = %e, "console: reading an inbox failed"),
            }
        }
        inbox.truncate(SHORT as usize);
    }
    let none = |_: &Article| (String::new(), String::new());
    render(
        StatusCode::OK,
        "home.html",
        &staff.frame(&node.node),
        serde_json::json!({
            "login": user.login,
            "display_name": user.display_name,
            "body": user.body,
            "grants": grants,
            "manage_users": staff.may_manage_users(),
            "writes": writes,
            "reviews": reviews,
            "drafts": rows(&node, &drafts, none).await,
            "returned": rows(&node, &returned, none).await,
            "awaiting": queue_rows(&node, &awaiting).await,
            "scheduled": rows(&node, &scheduled, |a: &Article| (String::new(), a.scheduled_ms.map(shown).unwrap_or_default())).await,
            "published": rows(&node, &published, none).await,
            "inbox": inbox,
            "notice_counts": super::notices::counts(&node, &staff).await,
        }),
    )
}
