//! The account actions of `/admin/users/{id}`: the profile, the state (启用, 锁定, 停用),
//! a new password (generated, shown once, to be changed at the next sign-in), resetting a
//! lost authenticator, and signing the person out everywhere. Each is the accounts
//! module's, which applies the delegation rules; a refusal is shown as it reads.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use govnode_accounts::{AccountsError, ProfileUpdate, UserState};
use serde::Deserialize;

use super::names::Names;
use super::sign_in::{CsrfForm, status_of};
use super::staff::Staff;
use super::users::{not_admin, password_once};
use super::{now_ms, refused, see_other};
use crate::AppState;

/// A state change's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct StateForm {
    csrf: String,
    state: String,
}

/// The refusal page of a change to user `id`'s account or grants, naming sites by name.
pub(super) async fn refusal(
    node: &AppState,
    staff: &Staff,
    id: i64,
    e: &AccountsError,
) -> Response {
    let names = Names::load(node, &[]).await;
    refused(
        status_of(e),
        &staff.frame(&node.node),
        &names.error(e),
        &format!("/admin/users/{id}"),
    )
}

/// `POST /admin/users/{id}/state`: 启用, 锁定 or 停用.
pub(super) async fn set_state(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<StateForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    if let Some(r) = not_admin(&node, &staff) {
        return r;
    }
    let result = match f.state.parse::<UserState>() {
        Ok(state) => {
            node.users
                .set_state(&staff.signed_in.access, id, state, now_ms())
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => see_other(&format!("/admin/users/{id}?done=state")),
        Err(e) => refusal(&node, &staff, id, &e).await,
    }
}

/// `POST /admin/users/{id}/password`: a generated password, shown once, to be changed at
/// the next sign-in; the person's sessions end.
pub(super) async fn reset_password(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    if let Some(r) = not_admin(&node, &staff) {
        return r;
    }
    let access = &staff.signed_in.access;
    let user = match node.users.get_for(access, id).await {
        Ok(u) => u,
        Err(e) => return refusal(&node, &staff, id, &e).await,
    };
    let password = node.users.policy().password.generate(&user.login);
    match node
        .users
        .reset_password(access, id, password.expose(), now_ms())
        .await
    {
        Ok(()) => password_once(&node, &staff, &user, password.expose(), false),
        Err(e) => refusal(&node, &staff, id, &e).await,
    }
}

/// `POST /admin/users/{id}/totp-reset`: removes their authenticator (a lost phone).
pub(super) async fn reset_totp(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    if let Some(r) = not_admin(&node, &staff) {
        return r;
    }
    match node
        .users
        .totp_reset(&staff.signed_in.access, id, now_ms())
        .await
    {
        Ok(()) => see_other(&format!("/admin/users/{id}?done=totp")),
        Err(e) => refusal(&node, &staff, id, &e).await,
    }
}

/// `POST /admin/users/{id}/sign-out`: ends every session of theirs.
pub(super) async fn sign_out(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    if let Some(r) = not_admin(&node, &staff) {
        return r;
    }
    match node
        .users
        .sign_out_everywhere(&staff.signed_in.access, id, now_ms())
        .await
    {
        Ok(_) => see_other(&format!("/admin/users/{id}?done=signed-out")),
        Err(e) => refusal(&node, &staff, id, &e).await,
    }
}

/// The profile form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ProfileForm {
    csrf: String,
    display_name: String,
    body: String,
    phone: String,
    email: String,
}

/// `POST /admin/users/{id}/profile`: name, body, phone and e-mail.
pub(super) async fn profile(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<ProfileForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    if let Some(r) = not_admin(&node, &staff) {
        return r;
    }
    let update = ProfileUpdate {
        display_name: Some(f.display_name),
        body: Some(f.body),
        phone: Some(f.phone),
        email: Some(f.email),
    };
    match node
        .users
        .update_profile(&staff.signed_in.access, id, &update, now_ms())
        .await
    {
        Ok(_) => see_other(&format!("/admin/users/{id}?done=profile")),
        Err(e) => refusal(&node, &staff, id, &e).await,
    }
}
