//! The actions on a letter, posted from its page (`POST /admin/letters/{code}/<action>`):
//! 受理, 不予受理, 转办, 开始办理, 要求补充材料, 答复, 延期答复, 办结. Each checks the form's
//! CSRF token and that the person handles the letter's body, then asks the interaction
//! module, which decides what the state allows; a refusal re-renders the page with the
//! reason in Chinese and what was typed, a success redirects (303) with a notice.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_interaction::{HandlerAction, TicketRecord};

use super::letters::{
    OTHER_BODY, chinese, failed, forbidden, handler_scope, may_handle, not_found,
};
use super::letters_ticket::{Again, show};
use super::see_other;
use super::staff::Staff;
use crate::AppState;

type Fields = Form<Vec<(String, String)>>;

fn field(fields: &[(String, String)], name: &str) -> String {
    super::staff::form_field(fields, name).to_string()
}

/// The module's action from a form's fields.
fn action_of(action: &str, fields: &[(String, String)]) -> HandlerAction {
    let f = |name: &str| field(fields, name);
    match action {
        "accept" => HandlerAction::Accept,
        "refuse" => HandlerAction::Refuse {
            reason: f("reason"),
        },
        "transfer" => HandlerAction::Transfer {
            body: f("body"),
            reason: f("reason"),
        },
        "start" => HandlerAction::Start,
        "request_info" => HandlerAction::RequestInfo {
            question: f("question"),
        },
        "reply" => HandlerAction::Reply { text: f("text") },
        "extend" => HandlerAction::Extend {
            reason: f("reason"),
        },
        _ => HandlerAction::Close,
    }
}

/// Takes `action` on letter `code` for `staff`.
async fn act(
    node: AppState,
    staff: Staff,
    code: String,
    action: &'static str,
    fields: Vec<(String, String)>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &field(&fields, "csrf")) {
        return r;
    }
    if let Err(r) = handler_scope(&node, &staff) {
        return *r;
    }
    let frame = staff.frame(&node.node);
    let view = match node.interaction.handler_view(&code).await {
        Ok(Some(v)) => v,
        Ok(None) => return not_found(&frame, &code),
        Err(e) => return failed(&frame, "reading a letter", &e),
    };
    let access = &staff.signed_in.access;
    if !may_handle(access, &view.ticket.body_id) {
        return forbidden(&frame, OTHER_BODY);
    }
    let before: TicketRecord = view.ticket.clone();
    let again = |error: String| Again {
        action: action.to_string(),
        error,
        fields: fields
            .iter()
            .filter(|(k, _)| k != "csrf")
            .cloned()
            .collect::<BTreeMap<_, _>>(),
    };
    // 转办 goes only to a body of the directory, picked by name.
    if action == "transfer" {
        let to = field(&fields, "body");
        let known = node
            .interaction
            .bodies()
            .await
            .is_ok_and(|list| list.iter().any(|b| b.id == to));
        if !known {
            let text = if to.is_empty() {
                "请选择要转往的单位"
            } else {
                "请从单位目录中选择要转往的单位"
            };
            return show(
                &node,
                &staff,
                view,
                StatusCode::BAD_REQUEST,
                again(text.into()),
                None,
            )
            .await;
        }
    }
    let scope = Some(before.body_id.as_str());
    match node
        .interaction
        .act(&code, access.person(), scope, action_of(action, &fields))
        .await
    {
        // A letter transferred to another body is no longer this person's to show, unless
        // they handle that body too: back to the inbox then.
        Ok(after) if action == "transfer" && !may_handle(access, &after.ticket.body_id) => {
            see_other("/admin/letters?done=transfer")
        }
        Ok(_) => see_other(&format!("/admin/letters/{code}?done={action}")),
        Err(e) => {
            let (status, text) = chinese(action, &e, &before);
            show(&node, &staff, view, status, again(text), None).await
        }
    }
}

macro_rules! action_route {
    ($($name:ident => $code:literal),* $(,)?) => {$(
        #[doc = concat!("`POST /admin/letters/{code}/…`: ", $code, ".")]
        pub(super) async fn $name(
            State(node): State<AppState>,
            staff: Staff,
            Path(code): Path<String>,
            Form(fields): Fields,
        ) -> Response {
            act(node, staff, code, $code, fields).await
        }
    )*};
}

action_route! {
    accept => "accept",
    refuse => "refuse",
    transfer => "transfer",
    start => "start",
    request_info => "request_info",
    reply => "reply",
    extend => "extend",
    close => "close",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_become_the_module_actions() {
        let fields = vec![
            ("reason".to_string(), "不属本单位职责".to_string()),
            ("body".to_string(), "440000.czt".to_string()),
        ];
        assert!(
            matches!(action_of("transfer", &fields), HandlerAction::Transfer { body, reason } if body == "440000.czt" && reason == "不属本单位职责")
        );
        assert!(matches!(
            action_of("refuse", &fields),
            HandlerAction::Refuse { .. }
        ));
        assert!(matches!(action_of("close", &[]), HandlerAction::Close));
    }
}
