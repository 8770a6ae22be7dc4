//! Pages outside the normal flow: one-key-shutdown maintenance, error pages, and the
//! node's portal on a host that names no site.

use axum::http::{StatusCode, header};
use axum::response::Response;
use minijinja::Value;

use super::pages::v;
use super::{PageError, PageRequest, html};
use crate::AppState;

/// The one-key-shutdown page (503).
pub async fn maintenance(req: &PageRequest) -> Response {
    let ctx = match req.common("网站维护中", None, Vec::new(), Vec::new()).await {
        Ok((mut ctx, _)) => {
            ctx.insert("nav", v(Vec::<()>::new()));
            let msg = if req.site.shutdown_message.is_empty() {
                "网站正在维护，请稍后访问。".to_string()
            } else {
                req.site.shutdown_message.clone()
            };
            ctx.insert("message", Value::from(msg));
            ctx
        }
        Err(_) => return plain_error(&req.node, StatusCode::SERVICE_UNAVAILABLE, "网站维护中"),
    };
    match req.render(StatusCode::SERVICE_UNAVAILABLE, "maintenance.html", ctx) {
        Ok(mut r) => {
            r.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from_static("3600"),
            );
            r
        }
        Err(_) => plain_error(&req.node, StatusCode::SERVICE_UNAVAILABLE, "网站维护中"),
    }
}

/// A page error, rendered in the site's look when possible.
pub async fn error_page(req: &PageRequest, e: PageError) -> Response {
    let (status, message) = match e {
        PageError::NotFound(m) if m.is_empty() => (StatusCode::NOT_FOUND, "页面不存在".to_string()),
        PageError::NotFound(m) => (StatusCode::NOT_FOUND, format!("页面不存在：{m}")),
        PageError::Gone(m) => (StatusCode::GONE, m),
        PageError::Internal(m) => {
            tracing::error!(site = %req.site.id, error = %m, "page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "服务器内部错误，请稍后再试。".to_string(),
            )
        }
    };
    if let Ok((mut ctx, _)) = req.common(&message, None, Vec::new(), Vec::new()).await {
        ctx.insert("status", Value::from(status.as_u16()));
        ctx.insert("message", Value::from(message.clone()));
        if let Ok(r) = req.render(status, "error.html", ctx) {
            return r;
        }
    }
    plain_error(&req.node, status, &message)
}

use crate::common::text::escape as escape_html;

/// A minimal page for errors outside any site.
pub fn plain_error(node: &AppState, status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{code} - {name}</title><link rel=\"stylesheet\" href=\"/static/site.css\"></head>\
         <body><main id=\"main\" class=\"wrap\"><h1>{code}</h1><p>{msg}</p><p><a href=\"/\">返回首页</a></p></main></body></html>\n",
        code = status.as_u16(),
        name = escape_html(&node.node.name),
        msg = escape_html(message)
    );
    html(status, body)
}

/// The node's portal on a host that names no site: the sites it hosts.
pub async fn portal(node: &AppState) -> Response {
    let sites = match node.content.sites().await {
        Ok(s) => s,
        Err(e) => return plain_error(node, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let name = escape_html(&node.node.name);
    let mut list = String::new();
    for s in &sites {
        let replica = if node.content.is_replica(s) {
            format!(
                " <span>（副本，原站点在节点 {}）</span>",
                escape_html(&s.origin)
            )
        } else {
            String::new()
        };
        list.push_str(&format!(
            "<li><a href=\"/sites/{}/\">{}</a> <span>{}</span>{replica}</li>",
            escape_html(&s.id),
            escape_html(&s.name),
            escape_html(&s.owner_body)
        ));
    }
    if sites.is_empty() {
        list.push_str("<li>本节点尚未创建站点。</li>");
    }
    html(
        StatusCode::OK,
        format!(
            "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{name}政府网站集约化平台</title><link rel=\"stylesheet\" href=\"/static/site.css\"></head><body>\
             <a class=\"skip-link\" href=\"#main\">跳到主要内容</a><header role=\"banner\" class=\"site-header\"><div class=\"wrap\"><p class=\"site-name\">{name}政府网站集约化平台</p></div></header>\
             <main id=\"main\" tabindex=\"-1\" class=\"wrap\"><h1>本平台承载的网站</h1><ul>{list}</ul><p><a href=\"/federation\">联邦状态</a></p></main>\
             <footer role=\"contentinfo\" class=\"site-footer\"><div class=\"wrap\"><p>节点 {id}</p></div></footer></body></html>\n",
            id = node.node.id
        ),
    )
}
