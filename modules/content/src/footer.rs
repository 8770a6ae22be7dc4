//! The footer every government site must show (政府网站发展指引, 页面底部功能区): the
//! 党政机关网站标识, 主办单位 and 承办单位, contact, 网站标识码, ICP备案号, 公安机关备案号 and
//! the entry to the national 我为政府网站找错 platform. 主办单位 is the site's `owner_body`;
//! the rest is set per site here. An empty field is not set, and pages leave it out.

use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::record;
use crate::{Content, ContentError, Site};

/// Where the ICP record (ICP备案) is looked up: the Ministry of Industry and Information
/// Technology's filing system.
pub const ICP_LOOKUP_URL: &str = "https://beian.miit.gov.cn/";
/// The public security filing system's page for a record, followed by its 14 digits.
pub const POLICE_LOOKUP_URL: &str = "https://beian.mps.gov.cn/#/query/webSearch?code=";
/// The 党政机关网站标识 certificate page, followed by the site's id.
pub const CONAC_URL: &str = "https://bszs.conac.cn/sitename?method=show&id=";
/// The national 我为政府网站找错 platform, followed by the 网站标识码 (and `&url=` the page).
pub const ERROR_REPORT_URL: &str =
    "https://zfwzzc.www.gov.cn/check_web/errorInfo/jcInfoNew?siteCode=";

/// The image beside the 党政机关 badge in every footer, served from the node itself at
/// `/static/gov-mark.svg` (no page loads anything from another host).
pub const GOV_MARK_SVG: &str = include_str!("../static/gov-mark.svg");

/// Province abbreviations that open ICP and public security record numbers (粤ICP备…, 粤公网安备…).
const PROVINCES: &str =
    "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀贵黔云滇藏陕秦甘陇青宁新港澳台";

/// A site's footer items (all optional: '' is not set).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteFooter {
    /// 网站标识码: ten characters, a six-digit region code and four digits (`4400000114`),
    /// or `bm` and eight digits for a department (`bm09000013`).
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 10, pattern = r"^([0-9]{10}|bm[0-9]{8})?$")
    )]
    pub site_code: String,
    /// ICP备案号, e.g. `粤ICP备05070829号` or `京ICP备2023012345号-1`.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 40,
            pattern = r"^([京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀贵黔云滇藏陕秦甘陇青宁新港澳台]ICP备 *[0-9]{4,12}号(-[0-9]{1,3})?)?$"
        )
    )]
    pub icp_record: String,
    /// 公安机关备案号, e.g. `粤公网安备 44010402000195号` (a province abbreviation, 公网安备
    /// and fourteen digits).
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 40,
            pattern = r"^([京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀贵黔云滇藏陕秦甘陇青宁新港澳台]公网安备 *[0-9]{14}号(-[0-9]{1,3})?)?$"
        )
    )]
    pub police_record: String,
    /// The 党政机关网站标识 id the site's certificate page has (32 hexadecimal characters).
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 32, pattern = r"^([0-9a-fA-F]{32})?$")
    )]
    pub conac_id: String,
    /// 承办单位: the body that runs the site for its owner (主办单位).
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 100, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub undertaker: String,
    /// Contact telephone (联系电话), digits with spaces, `-`, `+`, `(`, `)`, `/`, `,` or `、`.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 60,
            pattern = r"^([0-9 ()/,、（）+-]*[0-9][0-9 ()/,、（）+-]*)?$"
        )
    )]
    pub phone: String,
    /// Contact postal address (联系地址).
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub address: String,
    /// Contact e-mail address (联系邮箱).
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 254,
            pattern = r"^([!-?A-~]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)?$"
        )
    )]
    pub email: String,
}

/// Field names as the site update names them, and as the site creation nests them.
const FIELDS: [(&str, &str); 8] = [
    ("site_code", "footer.site_code"),
    ("icp_record", "footer.icp_record"),
    ("police_record", "footer.police_record"),
    ("conac_id", "footer.conac_id"),
    ("undertaker", "footer.undertaker"),
    ("phone", "footer.phone"),
    ("address", "footer.address"),
    ("email", "footer.email"),
];

fn invalid(k: usize, nested: bool, message: String) -> ContentError {
    let (flat, deep) = FIELDS[k];
    ContentError::Invalid {
        field: if nested { deep } else { flat },
        message,
    }
}

fn digits(s: &str, n: std::ops::RangeInclusive<usize>) -> bool {
    n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// `<province>` + `marker` + digits + 号, the digits returned.
fn record_digits<'a>(s: &'a str, marker: &str) -> Option<&'a str> {
    let first = s.chars().next()?;
    if !PROVINCES.contains(first) {
        return None;
    }
    let rest = s[first.len_utf8()..].strip_prefix(marker)?;
    let (number, tail) = rest.trim_start().split_once('号')?;
    Some(number)
        .filter(|_| tail.is_empty() || tail.strip_prefix('-').is_some_and(|t| digits(t, 1..=3)))
}

impl SiteFooter {
    /// The items trimmed.
    pub fn trimmed(&self) -> SiteFooter {
        let t = |s: &String| s.trim().to_string();
        SiteFooter {
            site_code: t(&self.site_code),
            icp_record: t(&self.icp_record),
            police_record: t(&self.police_record),
            conac_id: t(&self.conac_id),
            undertaker: t(&self.undertaker),
            phone: t(&self.phone),
            address: t(&self.address),
            email: t(&self.email),
        }
    }

    /// Checks every set item; errors name the field (`footer.<field>` when `nested`, as in
    /// a site creation).
    pub fn validate(&self, nested: bool) -> Result<(), ContentError> {
        let f = self.trimmed();
        let values = [
            &f.site_code,
            &f.icp_record,
            &f.police_record,
            &f.conac_id,
            &f.undertaker,
            &f.phone,
            &f.address,
            &f.email,
        ];
        let limits = [10, 40, 40, 32, 100, 60, 200, 254];
        for (k, v) in values.iter().enumerate() {
            let n = v.chars().count();
            if n > limits[k] {
                return Err(invalid(
                    k,
                    nested,
                    format!("is {n} characters; at most {}", limits[k]),
                ));
            }
            if v.chars().any(char::is_control) {
                return Err(invalid(k, nested, "contains a control character".into()));
            }
        }
        let code = &f.site_code;
        if !code.is_empty()
            && !digits(code, 10..=10)
            && !code.strip_prefix("bm").is_some_and(|d| digits(d, 8..=8))
        {
            return Err(invalid(
                0,
                nested,
                format!(
                    "`{code}` is not a 网站标识码: ten characters, a six-digit region code and four digits (4400000114) or bm and eight digits (bm09000013)"
                ),
            ));
        }
        let icp = &f.icp_record;
        if !icp.is_empty() && !record_digits(icp, "ICP备").is_some_and(|d| digits(d, 4..=12)) {
            return Err(invalid(
                1,
                nested,
                format!(
                    "`{icp}` is not an ICP备案号: a province abbreviation, ICP备, the number and 号, e.g. 粤ICP备05070829号 or 京ICP备2023012345号-1"
                ),
            ));
        }
        let police = &f.police_record;
        if !police.is_empty()
            && !record_digits(police, "公网安备").is_some_and(|d| digits(d, 14..=14))
        {
            return Err(invalid(
                2,
                nested,
                format!(
                    "`{police}` is not a 公安机关备案号: a province abbreviation, 公网安备, fourteen digits and 号, e.g. 粤公网安备 44010402000195号"
                ),
            ));
        }
        let conac = &f.conac_id;
        if !conac.is_empty() && (conac.len() != 32 || !conac.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(invalid(
                3,
                nested,
                format!(
                    "`{conac}` is not a 党政机关网站标识 id: 32 hexadecimal characters, as in the certificate page's address"
                ),
            ));
        }
        let phone = &f.phone;
        if !phone.is_empty()
            && (!phone.chars().any(|c| c.is_ascii_digit())
                || !phone
                    .chars()
                    .all(|c| c.is_ascii_digit() || " -+()/,、（）".contains(c)))
        {
            return Err(invalid(
                5,
                nested,
                format!(
                    "`{phone}` is not a telephone number: digits, with spaces, -, +, parentheses, / , or 、 between them"
                ),
            ));
        }
        let email = &f.email;
        if !email.is_empty() && !is_email(email) {
            return Err(invalid(
                7,
                nested,
                format!("`{email}` is not an e-mail address"),
            ));
        }
        Ok(())
    }

    /// The 党政机关网站标识 certificate page, when the id is set.
    pub fn conac_url(&self) -> Option<String> {
        let id = self.conac_id.trim();
        (!id.is_empty()).then(|| format!("{CONAC_URL}{id}"))
    }

    /// The public security record's lookup page, when the record is set.
    pub fn police_url(&self) -> Option<String> {
        let number = record_digits(self.police_record.trim(), "公网安备")?;
        Some(format!("{POLICE_LOOKUP_URL}{number}"))
    }

    /// The 我为政府网站找错 entry for `page` (an absolute URL, percent-encoded by the caller),
    /// when the 网站标识码 is set.
    pub fn error_report_url(&self, page_encoded: &str) -> Option<String> {
        let code = self.site_code.trim();
        (!code.is_empty()).then(|| format!("{ERROR_REPORT_URL}{code}&url={page_encoded}"))
    }
}

/// A plain address: one `@`, a local part and a dotted domain, visible ASCII only.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && s.bytes().all(|b| b.is_ascii_graphic())
        && !domain.contains('@')
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// The footer of a `sites` row (columns site_code, icp_record, police_record, conac_id,
/// undertaker, contact_phone, contact_address, contact_email).
pub(crate) fn footer_from_row(r: &AnyRow) -> Result<SiteFooter, ContentError> {
    Ok(SiteFooter {
        site_code: r.try_get("site_code")?,
        icp_record: r.try_get("icp_record")?,
        police_record: r.try_get("police_record")?,
        conac_id: r.try_get("conac_id")?,
        undertaker: r.try_get("undertaker")?,
        phone: r.try_get("contact_phone")?,
        address: r.try_get("contact_address")?,
        email: r.try_get("contact_email")?,
    })
}

/// Stores a (validated) footer on a site row inside the caller's transaction.
pub(crate) async fn store_footer(
    conn: &mut sqlx::AnyConnection,
    site: &str,
    footer: &SiteFooter,
) -> Result<u64, ContentError> {
    let f = footer.trimmed();
    let done = sqlx::query(
        "UPDATE sites SET site_code = $1, icp_record = $2, police_record = $3, conac_id = $4, undertaker = $5, \
         contact_phone = $6, contact_address = $7, contact_email = $8 WHERE id = $9",
    )
    .bind(&f.site_code)
    .bind(&f.icp_record)
    .bind(&f.police_record)
    .bind(&f.conac_id)
    .bind(&f.undertaker)
    .bind(&f.phone)
    .bind(&f.address)
    .bind(&f.email)
    .bind(site)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

impl Content {
    /// Replaces a site's footer items (an empty item is removed) and records the site's
    /// entry, so replicas show the new footer. Only the node that owns the site sets it.
    pub async fn set_footer(
        &self,
        actor: &str,
        site: &str,
        footer: &SiteFooter,
    ) -> Result<Site, ContentError> {
        footer.validate(false)?;
        let current = self.site(site).await?;
        if self.is_replica(&current) {
            return Err(ContentError::Conflict(format!(
                "site `{site}` is a replica of node {}'s site; its footer is set there",
                current.origin
            )));
        }
        let mut tx = self.write.begin().await?;
        if store_footer(&mut tx, site, footer).await? == 0 {
            return Err(ContentError::NotFound(format!("site `{site}`")));
        }
        let detail = serde_json::to_string(&footer.trimmed()).unwrap_or_default();
        record(
            &mut tx,
            actor,
            "footer",
            Some(site),
            ("site", site),
            &detail,
        )
        .await?;
        // The footer travels with the site: replicas up and down the tree show it too.
        self.emit_site(&mut tx, site).await?;
        tx.commit().await?;
        self.announce();
        self.site(site).await
    }
}

#[cfg(test)]
mod tests;
