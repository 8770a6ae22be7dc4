//! The staff console (管理后台): server-rendered pages under `/admin/` on any host, apart
//! from the JSON API in [`crate::api`] (and from its OpenAPI document, like the site pages).
//!
//! - [`sign_in`]: the password, the second factor (a code, or enrolling an authenticator
//!   when the user's grants require one), signing out.
//! - [`oidc`]: single sign-on (一号登录) by the identity provider of `[auth.oidc]`.
//! - [`password`]: changing one's password (forced while an administrator's or an expired
//!   one is in force).
//! - [`account`]: the landing page, one's sessions and tokens.
//! - [`staff`]: who is asking (the session cookie) and the CSRF check of every form.
//!
//! Pages are rendered from typed templates (`admin/templates/`, auto-escaped), work without
//! JavaScript and are never cached. The session cookie and the CSRF header are named in
//! [`crate::common::session`]. The console issues add `admin/<area>.rs` per workflow.

mod account;
mod analytics;
mod analytics_chart;
mod analytics_csv;
mod analytics_monthly;
mod analytics_names;
mod analytics_page;
mod analytics_tables;
mod articles;
mod articles_editor;
mod articles_form;
mod articles_list;
mod articles_new;
mod articles_preview;
mod articles_uploads;
mod assets;
mod audit;
mod bodies;
mod calendar;
mod column_templates;
mod columns;
mod csv;
mod dashboard;
mod distribution;
mod federation;
mod import;
mod knowledge;
mod knowledge_letters;
mod knowledge_unanswered;
mod letters;
mod letters_actions;
mod letters_escalations;
mod letters_inbox;
mod letters_publication;
mod letters_stats;
mod letters_templates;
mod letters_ticket;
mod monitoring;
mod monitoring_csv;
mod monitoring_region;
mod monitoring_site;
mod monitoring_thresholds;
mod monitoring_words;
mod names;
pub mod nav;
mod notices;
mod oidc;
mod password;
mod review;
mod review_diff;
mod search;
mod search_analytics;
mod search_topics;
mod search_try;
mod sign_in;
mod sites;
mod sites_errors;
mod sites_footer;
mod staff;
mod surveys;
mod surveys_form;
mod surveys_page;
mod templates;
mod templates_diff;
mod user_account;
mod user_grants;
mod users;

use std::sync::LazyLock;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::Environment;
use serde::Serialize;

use crate::AppState;
use crate::common::session::append_cookie;

pub use federation::reason_label as rejection_reason;
pub use staff::{Pending, Staff};

/// The console's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(|| async { see_other("/admin/") }))
        .route("/admin/", get(dashboard::home))
        .route("/static/admin/{file}", get(assets::asset))
        .route("/admin/federation", get(federation::page))
        .route("/admin/sign-in", get(sign_in::form).post(sign_in::submit))
        .route(
            "/admin/sign-in/code",
            get(sign_in::code_form).post(sign_in::code_submit),
        )
        .route(
            "/admin/sign-in/enrol",
            get(sign_in::enrol_form).post(sign_in::enrol_submit),
        )
        .route("/admin/sign-in/oidc", get(oidc::start))
        .route(oidc::CALLBACK, get(oidc::callback))
        .route("/admin/sign-out", post(sign_in::sign_out))
        .route(
            "/admin/password",
            get(password::form).post(password::submit),
        )
        .route("/admin/account", get(account::page))
        .route(
            "/admin/account/sign-out-others",
            post(account::sign_out_others),
        )
        .route(
            "/admin/account/tokens/{id}/revoke",
            post(account::revoke_token),
        )
        .route("/admin/account/tokens", post(account::create_token))
        .route(
            "/admin/account/recovery-codes",
            post(account::recovery_codes),
        )
        .route("/admin/account/totp-remove", post(account::totp_remove))
        .route("/admin/users", get(users::list))
        .route("/admin/users/new", get(users::new_form).post(users::create))
        .route("/admin/users/{id}", get(users::page))
        .route("/admin/users/{id}/state", post(user_account::set_state))
        .route("/admin/users/{id}/profile", post(user_account::profile))
        .route(
            "/admin/users/{id}/password",
            post(user_account::reset_password),
        )
        .route(
            "/admin/users/{id}/totp-reset",
            post(user_account::reset_totp),
        )
        .route("/admin/users/{id}/sign-out", post(user_account::sign_out))
        .route("/admin/users/{id}/grants", post(user_grants::add))
        .route("/admin/users/{id}/grants/revoke", post(user_grants::revoke))
        .merge(sites::routes())
        .merge(review::routes())
        .merge(audit::routes())
        .merge(distribution::routes())
        .merge(articles::routes())
        .merge(import::routes())
        .merge(bodies::routes())
        .merge(surveys::routes())
        .merge(letters::routes())
        .merge(letters_publication::routes())
        .merge(notices::routes())
        .merge(search::routes())
        .merge(knowledge::routes())
        .merge(monitoring::routes())
        .merge(analytics::routes())
        .merge(monitoring_thresholds::routes())
        .merge(monitoring_words::routes())
}

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in [
        ("base.html", include_str!("templates/base.html")),
        ("sign_in.html", include_str!("templates/sign_in.html")),
        ("code.html", include_str!("templates/code.html")),
        ("enrol.html", include_str!("templates/enrol.html")),
        ("recovery.html", include_str!("templates/recovery.html")),
        ("password.html", include_str!("templates/password.html")),
        ("account.html", include_str!("templates/account.html")),
        ("home.html", include_str!("templates/home.html")),
        ("federation.html", include_str!("templates/federation.html")),
        ("refused.html", include_str!("templates/refused.html")),
        (
            "grant_fields.html",
            include_str!("templates/grant_fields.html"),
        ),
        ("users.html", include_str!("templates/users.html")),
        ("user_new.html", include_str!("templates/user_new.html")),
        ("user.html", include_str!("templates/user.html")),
        ("once.html", include_str!("templates/once.html")),
        ("sites_list.html", include_str!("templates/sites_list.html")),
        ("sites_edit.html", include_str!("templates/sites_edit.html")),
        (
            "columns_list.html",
            include_str!("templates/columns_list.html"),
        ),
        (
            "columns_edit.html",
            include_str!("templates/columns_edit.html"),
        ),
        (
            "columns_templates.html",
            include_str!("templates/columns_templates.html"),
        ),
        (
            "columns_template_set.html",
            include_str!("templates/columns_template_set.html"),
        ),
        (
            "page_templates_list.html",
            include_str!("templates/page_templates_list.html"),
        ),
        (
            "page_templates_edit.html",
            include_str!("templates/page_templates_edit.html"),
        ),
        (
            "review_list.html",
            include_str!("templates/review_list.html"),
        ),
        ("audit.html", include_str!("templates/audit.html")),
        (
            "distribution.html",
            include_str!("templates/distribution.html"),
        ),
        (
            "review_page.html",
            include_str!("templates/review_page.html"),
        ),
        (
            "articles_list.html",
            include_str!("templates/articles_list.html"),
        ),
        (
            "articles_new.html",
            include_str!("templates/articles_new.html"),
        ),
        (
            "articles_edit.html",
            include_str!("templates/articles_edit.html"),
        ),
        ("import.html", include_str!("templates/import.html")),
        ("notices.html", include_str!("templates/notices.html")),
        (
            "letters_escalations.html",
            include_str!("templates/letters_escalations.html"),
        ),
        (
            "letters_stats.html",
            include_str!("templates/letters_stats.html"),
        ),
        ("bodies.html", include_str!("templates/bodies.html")),
        ("calendar.html", include_str!("templates/calendar.html")),
        ("monitoring.html", include_str!("templates/monitoring.html")),
        ("analytics.html", include_str!("templates/analytics.html")),
        (
            "analytics_report.html",
            include_str!("templates/analytics_report.html"),
        ),
        (
            "monitoring_site.html",
            include_str!("templates/monitoring_site.html"),
        ),
        (
            "monitoring_report.html",
            include_str!("templates/monitoring_report.html"),
        ),
        (
            "monitoring_region.html",
            include_str!("templates/monitoring_region.html"),
        ),
        (
            "monitoring_print.html",
            include_str!("templates/monitoring_print.html"),
        ),
        (
            "monitoring_thresholds.html",
            include_str!("templates/monitoring_thresholds.html"),
        ),
        (
            "monitoring_words.html",
            include_str!("templates/monitoring_words.html"),
        ),
        (
            "surveys_list.html",
            include_str!("templates/surveys_list.html"),
        ),
        (
            "surveys_edit.html",
            include_str!("templates/surveys_edit.html"),
        ),
        (
            "surveys_page.html",
            include_str!("templates/surveys_page.html"),
        ),
        (
            "import_done.html",
            include_str!("templates/import_done.html"),
        ),
        (
            "letters_inbox.html",
            include_str!("templates/letters_inbox.html"),
        ),
        (
            "letters_ticket.html",
            include_str!("templates/letters_ticket.html"),
        ),
        (
            "letters_templates.html",
            include_str!("templates/letters_templates.html"),
        ),
        (
            "letters_publication.html",
            include_str!("templates/letters_publication.html"),
        ),
        (
            "letters_publication_queue.html",
            include_str!("templates/letters_publication_queue.html"),
        ),
        (
            "letters_publication_case.html",
            include_str!("templates/letters_publication_case.html"),
        ),
        (
            "letters_publication_compare.html",
            include_str!("templates/letters_publication_compare.html"),
        ),
        (
            "search_tabs.html",
            include_str!("templates/search_tabs.html"),
        ),
        (
            "search_dictionary.html",
            include_str!("templates/search_dictionary.html"),
        ),
        (
            "search_synonym.html",
            include_str!("templates/search_synonym.html"),
        ),
        (
            "search_topics.html",
            include_str!("templates/search_topics.html"),
        ),
        (
            "search_analytics.html",
            include_str!("templates/search_analytics.html"),
        ),
        ("search_try.html", include_str!("templates/search_try.html")),
        ("knowledge.html", include_str!("templates/knowledge.html")),
        (
            "knowledge_letters.html",
            include_str!("templates/knowledge_letters.html"),
        ),
        (
            "knowledge_unanswered.html",
            include_str!("templates/knowledge_unanswered.html"),
        ),
    ] {
        env.add_template(name, source)
            .expect("the console's templates compile");
    }
    env
});

/// What every console page shows around its content.
#[derive(Debug, Default, Serialize)]
pub struct Frame {
    /// The node's name.
    pub node_name: String,
    /// The signed-in person's login name (the header then offers signing out).
    pub person: Option<String>,
    /// The session's CSRF token for the page's forms.
    pub csrf: String,
    /// A notice shown at the top (role="status").
    pub notice: Option<String>,
    /// Whether the navigation offers 用户管理 (platform and site administrators).
    pub manage_users: bool,
    /// The navigation: what the person's grants let them use.
    pub nav: Vec<nav::NavItem>,
}

/// Renders template `name` with the frame and the page's own values, never cached.
pub(crate) fn render(
    status: StatusCode,
    name: &str,
    frame: &Frame,
    page: impl Serialize,
) -> Response {
    let ctx = minijinja::context! {
        ..minijinja::Value::from(minijinja::value::Serde(&page)),
        ..minijinja::Value::from(minijinja::value::Serde(frame))
    };
    let body = TEMPLATES.get_template(name).and_then(|t| t.render(ctx));
    match body {
        Ok(body) => no_store((status, axum::response::Html(body)).into_response()),
        Err(e) => {
            tracing::error!(template = name, error = %e, "console page failed to render");
            no_store(
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "系统暂时无法处理，请稍后再试",
                )
                    .into_response(),
            )
        }
    }
}

/// A console page is never stored by a browser or a proxy.
fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// `303 See Other` to `location` (after a form POST).
pub(crate) fn see_other(location: &str) -> Response {
    let mut resp = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    no_store(resp)
}

/// `303` to `location`, setting `cookie`.
pub(crate) fn see_other_with(location: &str, cookie: HeaderValue) -> Response {
    let mut resp = see_other(location);
    append_cookie(resp.headers_mut(), cookie);
    resp
}

/// Now, unix ms.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A time as staff read it (Beijing time, to the minute).
pub(crate) fn shown(ms: i64) -> String {
    govnode_topology::beijing::minute(ms)
}

/// A refusal as a page: the Chinese text and a way back.
pub(crate) fn refused(status: StatusCode, frame: &Frame, error: &str, back: &str) -> Response {
    render(
        status,
        "refused.html",
        frame,
        serde_json::json!({ "error": error, "back": back }),
    )
}
