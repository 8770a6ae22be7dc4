//! 用户管理: `/admin/users` (the people this administrator may see: everyone for a platform
//! admin, the people of their sites for a site admin; search, state filter, pages),
//! `/admin/users/new` (an account with a first password, typed or generated and shown once,
//! to be changed at the first sign-in, and a first grant), `/admin/users/{id}` (profile,
//! state, grants, and the account actions: state, a new password shown once, resetting the
//! authenticator, signing them out everywhere: [`super::user_account`]). Grants are in
//! [`super::user_grants`].
//!
//! Who may do what is the accounts module's [`delegation`]: every change goes through
//! [`govnode_accounts::UserStore`], which refuses what the rules refuse; these pages show the
//! refusal in Chinese. People who administer nothing get 403 on every page here.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::{Grant, NewUser, Refusal, Role, User, UserQuery, UserState, delegation};
use serde::{Deserialize, Serialize};

use super::names::Names;
use super::sign_in::status_of;
use super::staff::Staff;
use super::user_grants::{GrantFields, grant_choices};
use super::{now_ms, refused, render, see_other, shown};
use crate::AppState;
use crate::common::paging::pagination;
use crate::common::text::url_encode;

/// Users per page of the list.
const PER_PAGE: i64 = 20;

/// The 403 of someone who administers nothing, if they do not.
pub(super) fn not_admin(node: &AppState, staff: &Staff) -> Option<Response> {
    (!staff.may_manage_users()).then(|| {
        refused(
            StatusCode::FORBIDDEN,
            &staff.frame(&node.node),
            &Refusal::NotAnAdministrator.chinese(),
            "/admin/",
        )
    })
}

/// The notice a `?done=` names (fixed texts: nothing from the request is shown).
fn notice(done: &str) -> Option<String> {
    Some(
        match done {
            "created" => "已创建该人员的账号，其首次登录时须修改密码",
            "granted" => "已添加授权",
            "revoked" => "已撤销授权",
            "state" => "已更改账号状态",
            "totp" => "已重置身份验证器：该人员的会话已全部退出，下次登录时按要求重新设置",
            "signed-out" => "已退出该人员的全部会话",
            "profile" => "已保存基本信息",
            _ => return None,
        }
        .to_string(),
    )
}

/// `?done=` of a page answering a change.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
}

/// The list's query: every field optional and read leniently.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ListQuery {
    q: String,
    state: String,
    site: String,
    page: String,
}

#[derive(Serialize)]
struct UserRow {
    id: i64,
    login: String,
    display_name: String,
    body: String,
    state: &'static str,
    grants: String,
    last_sign_in: String,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn state_choices(selected: &str) -> Vec<Choice> {
    [UserState::Active, UserState::Locked, UserState::Disabled]
        .into_iter()
        .map(|s| Choice {
            value: s.as_str().into(),
            label: s.chinese().into(),
            selected: s.as_str() == selected,
        })
        .collect()
}

/// `GET /admin/users`.
pub(super) async fn list(
    State(node): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Some(r) = not_admin(&node, &staff) {
        return r;
    }
    let access = &staff.signed_in.access;
    let frame = staff.frame(&node.node);
    let names = Names::load(&node, &[]).await;
    let platform = access.is_platform_admin();
    // A site admin always looks at one of their sites (the first unless they chose).
    let mine: Vec<String> = access
        .administered_sites()
        .into_iter()
        .map(str::to_string)
        .collect();
    let site = match q.site.trim() {
        "" if platform => None,
        "" => mine.first().cloned(),
        s => Some(s.to_string()),
    };
    let state: Option<UserState> = q.state.parse().ok();
    let page = q.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let query = UserQuery {
        site: site.clone(),
        text: Some(q.q.trim().to_string()).filter(|t| !t.is_empty()),
        state,
        page: Some(page),
        per_page: Some(PER_PAGE),
    };
    let found = match node.users.list(access, &query).await {
        Ok(p) => p,
        Err(e) => return refused(status_of(&e), &frame, &names.error(&e), "/admin/users"),
    };
    let now = now_ms();
    let rows: Vec<UserRow> = found
        .users
        .iter()
        .map(|u| UserRow {
            id: u.id,
            login: u.login.clone(),
            display_name: u.display_name.clone(),
            body: u.body.clone(),
            state: u.state_at(now).chinese(),
            grants: u
                .grants
                .iter()
                .map(|g| names.grant(g))
                .collect::<Vec<_>>()
                .join("；"),
            last_sign_in: u.last_sign_in_ms.map_or_else(|| "从未登录".into(), shown),
        })
        .collect();
    let site_choices: Vec<Choice> = names
        .sites
        .iter()
        .filter(|(id, _)| platform || mine.contains(id))
        .map(|(id, name)| Choice {
            value: id.clone(),
            label: name.clone(),
            selected: site.as_deref() == Some(id.as_str()),
        })
        .collect();
    let (text, state_s, site_s) = (
        query.text.clone().unwrap_or_default(),
        state.map_or("", UserState::as_str),
        site.clone().unwrap_or_default(),
    );
    let url = |n: i64| {
        format!(
            "/admin/users?q={}&state={}&site={}&page={n}",
            url_encode(&text),
            state_s,
            url_encode(&site_s)
        )
    };
    let pages =
        serde_json::to_value(pagination(page, found.total, PER_PAGE, url)).unwrap_or_default();
    render(
        StatusCode::OK,
        "users.html",
        &frame,
        serde_json::json!({
            "users": rows, "total": found.total, "q": text, "states": state_choices(state_s),
            "sites": site_choices, "all_sites": platform, "pagination": pages,
        }),
    )
}

/// The new-account form's fields (a first grant among them).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NewUserForm {
    csrf: String,
    login: String,
    display_name: String,
    body: String,
    phone: String,
    email: String,
    /// `generate` (the default) or `set`.
    password_mode: String,
    password: String,
    #[serde(flatten)]
    grant: GrantFields,
}

/// `GET /admin/users/new`.
pub(super) async fn new_form(State(node): State<AppState>, staff: Staff) -> Response {
    if let Some(r) = not_admin(&node, &staff) {
        return r;
    }
    new_page(&node, &staff, StatusCode::OK, &NewUserForm::default(), None).await
}

async fn new_page(
    node: &AppState,
    staff: &Staff,
    status: StatusCode,
    f: &NewUserForm,
    error: Option<String>,
) -> Response {
    let names = Names::load(node, &[]).await;
    let choices = grant_choices(&staff.signed_in.access, &names, &f.grant);
    render(
        status,
        "user_new.html",
        &staff.frame(&node.node),
        serde_json::json!({
            "error": error, "login": f.login, "display_name": f.display_name, "body": f.body,
            "phone": f.phone, "email": f.email, "set_password": f.password_mode == "set",
            "grant": choices,
        }),
    )
}

/// `POST /admin/users/new`: the account, then its page (or, with a generated password,
/// the password shown once).
pub(super) async fn create(
    State(node): State<AppState>,
    staff: Staff,
    Form(f): Form<NewUserForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    if let Some(r) = not_admin(&node, &staff) {
        return r;
    }
    let grants: Vec<Grant> = match f.grant.grant() {
        Ok(g) => g.into_iter().collect(),
        Err(e) => {
            return new_page(&node, &staff, status_of(&e), &f, Some(e.chinese())).await;
        }
    };
    let new = NewUser {
        login: f.login.clone(),
        display_name: f.display_name.clone(),
        body: f.body.clone(),
        phone: f.phone.clone(),
        email: f.email.clone(),
    };
    let generated = (f.password_mode != "set").then(|| {
        node.users
            .policy()
            .password
            .generate(&f.login.trim().to_lowercase())
    });
    let password = generated
        .as_ref()
        .map_or(f.password.as_str(), |g| g.expose());
    let access = &staff.signed_in.access;
    match node
        .users
        .create(access, &new, password, &grants, now_ms())
        .await
    {
        Ok(user) => match generated {
            Some(secret) => password_once(&node, &staff, &user, secret.expose(), true),
            None => see_other(&format!("/admin/users/{}?done=created", user.id)),
        },
        Err(e) => {
            let names = Names::load(&node, &[]).await;
            new_page(&node, &staff, status_of(&e), &f, Some(names.error(&e))).await
        }
    }
}

/// The page showing a first or reset password once.
pub(super) fn password_once(
    node: &AppState,
    staff: &Staff,
    user: &User,
    password: &str,
    created: bool,
) -> Response {
    let lead = if created {
        format!("已为“{}”（{}）创建账号。", user.display_name, user.login)
    } else {
        format!(
            "已为“{}”（{}）设置新密码，其原有会话已全部退出。",
            user.display_name, user.login
        )
    };
    render(
        StatusCode::OK,
        "once.html",
        &staff.frame(&node.node),
        serde_json::json!({
            "title": if created { "账号已创建" } else { "密码已重置" },
            "lead": lead,
            "label": "初始密码",
            "secret": password,
            "warning": "该密码只显示这一次，请当面或通过安全渠道交给本人；本人首次登录时须修改密码。",
            "next": format!("/admin/users/{}", user.id),
            "next_text": "返回该人员页面",
        }),
    )
}

#[derive(Serialize)]
struct GrantRow {
    text: String,
    role: &'static str,
    scope: String,
    revocable: bool,
}

/// `GET /admin/users/{id}`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> Response {
    if let Some(r) = not_admin(&node, &staff) {
        return r;
    }
    let access = &staff.signed_in.access;
    let mut frame = staff.frame(&node.node);
    frame.notice = notice(&done.done);
    let user = match node.users.get_for(access, id).await {
        Ok(u) => u,
        Err(e) => return refused(status_of(&e), &frame, &e.chinese(), "/admin/users"),
    };
    let grants: Vec<&Grant> = user.grants.iter().collect();
    let names = Names::load(&node, &grants).await;
    let rows: Vec<GrantRow> = user
        .grants
        .iter()
        .map(|g| GrantRow {
            text: names.grant(g),
            role: g.role.as_str(),
            scope: g.scope.id().to_string(),
            revocable: delegation::may_change_grant(access, id, g).is_ok(),
        })
        .collect();
    // What this administrator may do here, as the rules say (the store checks again).
    let account_refusal = delegation::may_manage_account(access, id, &user.grants)
        .err()
        .map(|r| r.chinese());
    let profile_editable = delegation::may_edit_profile(access, id, &user.grants).is_ok();
    let grant_refusal = (!access.is_platform_admin() && access.user_id == Some(id))
        .then(|| Refusal::OwnGrants.chinese());
    let now = now_ms();
    let state = user.state_at(now);
    let states: Vec<Choice> = [
        (UserState::Active, "启用"),
        (UserState::Locked, "锁定"),
        (UserState::Disabled, "停用"),
    ]
    .into_iter()
    .filter(|(s, _)| *s != state)
    .map(|(s, label)| Choice {
        value: s.as_str().into(),
        label: label.into(),
        selected: false,
    })
    .collect();
    let choices = grant_choices(access, &names, &GrantFields::default());
    render(
        StatusCode::OK,
        "user.html",
        &frame,
        serde_json::json!({
            "id": user.id, "login": user.login, "display_name": user.display_name,
            "body": user.body, "phone": user.phone, "email": user.email,
            "state": state.chinese(),
            "locked_until": (state == UserState::Locked).then_some(user.locked_until_ms).flatten().map(shown),
            "must_change_password": user.must_change_password,
            "enrolled": user.second_factor_enrolled,
            "created": shown(user.created_ms),
            "last_sign_in": user.last_sign_in_ms.map_or_else(|| "从未登录".into(), shown),
            "grants": rows, "account_refusal": account_refusal, "grant_refusal": grant_refusal,
            "states": states, "grant": choices, "profile_editable": profile_editable,
        }),
    )
}

/// The roles an administrator may give: all for a platform admin, editor and reviewer for
/// a site admin.
pub(super) fn givable_roles(platform: bool) -> Vec<Role> {
    if platform {
        Role::ALL.to_vec()
    } else {
        vec![Role::Editor, Role::Reviewer]
    }
}
