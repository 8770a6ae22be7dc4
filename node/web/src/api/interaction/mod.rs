//! One-net interaction (一网通答) routes: citizens file and follow tickets, handlers work
//! their body's inbox, platform administrators keep the directory of bodies.

use axum::extract::DefaultBodyLimit;

use axum::http::header;
use axum::middleware::map_response;
use axum::response::Response;
use govnode_interaction::rules;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

mod citizens;
mod handlers;
mod publication;

use citizens::*;
use handlers::*;

pub(crate) use handlers::draft_from_ticket;

use crate::AppState;
use crate::common::error::ApiError;
use crate::common::extract::Caller;

/// Largest citizen attachment upload (5 MiB and the multipart framing).
const ATTACHMENT_LIMIT: usize = 6 << 20;

/// Tickets: the citizens' side (file, status, rating, information, replies, the Q&A
/// assistant) and the handlers' (inbox, ticket, actions, bodies, escalations, settings).
/// Every answer that shows a ticket is `no-store`.
#[allow(deprecated)] // `status`: the GET form of `track`, kept for existing clients
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(inbox).layer(map_response(no_store)))
        .routes(routes!(knowledge))
        .routes(routes!(attachment))
        .routes(routes!(ticket).layer(map_response(no_store)))
        .routes(routes!(act).layer(map_response(no_store)))
        .routes(routes!(put_body))
        .routes(routes!(escalations))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(file))
        .routes(routes!(upload).layer(DefaultBodyLimit::max(ATTACHMENT_LIMIT)))
        .routes(routes!(status, track).layer(map_response(no_store)))
        .routes(routes!(rate).layer(map_response(no_store)))
        .routes(routes!(info).layer(map_response(no_store)))
        .routes(routes!(bodies))
        .routes(routes!(replies))
        .routes(routes!(stats))
        .routes(routes!(qa))
        .routes(routes!(publication::publications).layer(map_response(no_store)))
        .routes(
            routes!(publication::publication, publication::propose).layer(map_response(no_store)),
        )
        .routes(routes!(publication::approve).layer(map_response(no_store)))
        .routes(routes!(publication::give_back).layer(map_response(no_store)))
        .routes(routes!(publication::withdraw).layer(map_response(no_store)))
}

/// A ticket as a citizen or a handler sees it (personal data, if masked, and the history):
/// never kept by a browser or a proxy.
async fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    resp
}

/// Whose tickets the caller may handle (see the interaction module's rules).
fn scope(caller: &Caller, body: Option<&str>) -> Result<Option<String>, ApiError> {
    Ok(rules::handled_body(&caller.0, body)?)
}
