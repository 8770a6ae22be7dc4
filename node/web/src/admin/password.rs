//! `/admin/password`: changing one's own password. While an administrator's password (or
//! an expired one) is in force, every other console page and the API lead here first.
//! The change ends the person's other sessions and gives this one a new id.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::AccountsError;
use serde::{Deserialize, Serialize};

use super::sign_in::status_of;
use super::staff::Staff;
use super::{now_ms, refused, render, see_other_with};
use crate::AppState;
use crate::common::session::set_session;

/// The form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    confirm: String,
}

/// A problem tied to a field.
#[derive(Debug, Serialize)]
struct FieldError {
    field: &'static str,
    text: String,
}

/// `GET /admin/password`.
pub(super) async fn form(State(node): State<AppState>, staff: Staff) -> Response {
    page(&node, &staff, StatusCode::OK, Vec::new())
}

fn page(node: &AppState, staff: &Staff, status: StatusCode, errors: Vec<FieldError>) -> Response {
    let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
    render(
        status,
        "password.html",
        &staff.frame(&node.node),
        serde_json::json!({ "forced": staff.signed_in.must_change_password, "errors": errors, "fields": fields }),
    )
}

/// `POST /admin/password`.
pub(super) async fn submit(
    State(node): State<AppState>,
    staff: Staff,
    Form(f): Form<PasswordForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    if f.new != f.confirm {
        let e = FieldError {
            field: "confirm",
            text: "两次输入的新密码不一致".into(),
        };
        return page(&node, &staff, StatusCode::BAD_REQUEST, vec![e]);
    }
    let user = &staff.signed_in.user;
    let changed = node
        .users
        .change_password(
            user.id,
            &f.current,
            &f.new,
            Some(&staff.secret),
            &staff.address,
            now_ms(),
        )
        .await;
    match changed {
        Ok(Some(secret)) => {
            tracing::info!(login = %user.login, "staff password changed");
            see_other_with("/admin/", set_session(secret.expose(), node.secure_cookies))
        }
        // The session ended meanwhile: sign in again with the new password.
        Ok(None) => super::see_other("/admin/sign-in"),
        Err(e) => {
            let status = status_of(&e);
            let field = match &e {
                AccountsError::Password(_) => "new",
                AccountsError::Invalid { .. } | AccountsError::SignIn(_) => "current",
                _ => {
                    return refused(
                        status,
                        &staff.frame(&node.node),
                        &e.chinese(),
                        "/admin/password",
                    );
                }
            };
            let errors = vec![FieldError {
                field,
                text: e.chinese(),
            }];
            page(&node, &staff, status, errors)
        }
    }
}
