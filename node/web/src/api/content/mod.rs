//! The content service's admin API: sites, columns, column template sets, articles and
//! their workflow, templates and the audit log. Every route authenticates and checks the
//! role.

mod articles;
mod changes;
mod docx;
mod sites;
mod templates;

pub(crate) use articles::article_for;
use articles::*;
use changes::*;
use docx::*;
use sites::*;
use templates::*;

use axum::extract::{DefaultBodyLimit, State};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::AppState;

/// Sites, columns, column template sets, articles and their workflow, templates, audit.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_site, list_sites))
        .routes(routes!(update_site))
        .routes(routes!(shutdown_site))
        .routes(routes!(resume_site))
        .routes(routes!(refuse_site, lift_refusal))
        .routes(routes!(archive_site, restore_site))
        .routes(routes!(put_site_footer))
        .routes(routes!(create_column, list_columns))
        .routes(routes!(update_column))
        .routes(routes!(reorder_columns))
        .routes(routes!(archive_column))
        .routes(routes!(restore_column))
        .routes(routes!(create_article, list_articles))
        .routes(routes!(import_docx).layer(DefaultBodyLimit::max(docx::LIMIT)))
        .routes(routes!(list_templates))
        .routes(routes!(put_template, delete_template))
        .routes(routes!(put_template_set))
        .routes(routes!(apply_template_set))
        .routes(routes!(get_article, revise_article, patch_article))
        .routes(routes!(revisions))
        .routes(routes!(article_checks))
        .routes(routes!(transition))
        .routes(routes!(audit))
}

/// The state of handlers that combine services.
pub(super) type Node_ = State<AppState>;
