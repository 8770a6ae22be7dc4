//! 网站标识与页脚: a site's footer items the national guidelines require (网站标识码, ICP
//! and public-security record numbers, the 党政机关网站标识, 承办单位, contact), edited on the
//! site's page by its administrators; the content module checks each item and replicates
//! the footer with the site.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::Action;
use govnode_content::SiteFooter;
use serde::Deserialize;

use super::sites::site_page_with;
use super::sites_errors::{chinese, status};
use super::staff::Staff;
use super::{refused, see_other};
use crate::AppState;
use crate::common::text::url_encode;

/// The footer form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct FooterForm {
    csrf: String,
    site_code: String,
    icp_record: String,
    police_record: String,
    conac_id: String,
    undertaker: String,
    phone: String,
    address: String,
    email: String,
}

impl FooterForm {
    fn footer(self) -> SiteFooter {
        SiteFooter {
            site_code: self.site_code,
            icp_record: self.icp_record,
            police_record: self.police_record,
            conac_id: self.conac_id,
            undertaker: self.undertaker,
            phone: self.phone,
            address: self.address,
            email: self.email,
        }
    }
}

/// `POST /admin/sites/{site}/footer`: every footer item at once (an empty one is removed).
pub(super) async fn save(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(f): Form<FooterForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let frame = staff.frame(&node.node);
    if !staff.signed_in.access.may(Action::ManageSite, Some(&id)) {
        return refused(
            StatusCode::FORBIDDEN,
            &frame,
            "您不是该站点的管理员，不能修改网站标识与页脚信息",
            "/admin/sites",
        );
    }
    let footer = f.footer();
    match node
        .content
        .set_footer(&staff.signed_in.user.login, &id, &footer)
        .await
    {
        Ok(_) => see_other(&format!(
            "/admin/sites/{}?done=footer#footer",
            url_encode(&id)
        )),
        Err(e) => {
            let msg = format!("未能保存页脚信息：{}", chinese(&e));
            let code = status(&e);
            site_page_with(
                &node,
                &staff,
                &id,
                code,
                None,
                Some(&footer),
                Some(msg),
                frame,
            )
            .await
        }
    }
}
