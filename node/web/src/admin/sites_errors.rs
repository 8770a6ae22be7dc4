//! The content module's refusals of site, column and template changes, in Chinese: one
//! mapping, so every console page about sites, columns and templates says the same thing.

use axum::http::StatusCode;
use govnode_content::ContentError;

/// A field as staff read it (a site creation's `footer.<item>` as the item).
fn field_label(field: &str) -> &'static str {
    match field.strip_prefix("footer.").unwrap_or(field) {
        "id" => "站点标识",
        "name" => "名称",
        "hosts" => "域名",
        "owner_body" => "主办单位",
        "body_code" => "单位代码",
        "region" => "所在地区",
        "slug" => "栏目地址",
        "kind" => "栏目类型",
        "parent" => "上级栏目",
        "update_interval_days" => "更新周期",
        "position" => "排序",
        "slugs" => "栏目顺序",
        "columns" => "栏目",
        "message" => "维护公告",
        "source" => "模板内容",
        "site_code" => "网站标识码",
        "icp_record" => "ICP备案号",
        "police_record" => "公安机关备案号",
        "conac_id" => "党政机关网站标识编号",
        "undertaker" => "承办单位",
        "phone" => "联系电话",
        "address" => "联系地址",
        "email" => "联系邮箱",
        _ => "填写的内容",
    }
}

/// The number in the text after `marker` (e.g. "has 3 articles" → 3).
fn count_before(message: &str, noun: &str) -> Option<u64> {
    let at = message.find(noun)?;
    message[..at].split_whitespace().last()?.parse().ok()
}

/// The first `name` between backticks.
fn quoted(message: &str) -> &str {
    message.split('`').nth(1).unwrap_or("")
}

/// The Chinese text of `e`.
pub(super) fn chinese(e: &ContentError) -> String {
    match e {
        ContentError::Invalid { field, message } => {
            let label = field_label(field);
            if message.starts_with("模板 ") {
                // The template check speaks Chinese already, naming the line.
                message.clone()
            } else if message == "is required" {
                format!("请填写{label}")
            } else if message.starts_with("is ") && message.contains("at most") {
                let max = message.rsplit(' ').next().unwrap_or("");
                format!("{label}最多 {max} 个字")
            } else if message.contains("1–40 of a-z") {
                format!("{label}只能使用 1 至 40 位小写字母、数字和“-”，且不能以“-”开头")
            } else if message.starts_with('`') && message.contains("is not a") {
                // The footer's checks name the value and give an example after "e.g.".
                let example = message
                    .split("e.g. ")
                    .nth(1)
                    .map(|e| format!("，例如 {}", e.split(" or ").next().unwrap_or(e)))
                    .unwrap_or_default();
                format!("“{}”不是有效的{label}{example}", quoted(message))
            } else if message.contains("control character") {
                format!("{label}含有不可见的控制字符")
            } else if *field == "region" {
                "请从列表中选择所在地区".into()
            } else if *field == "hosts" {
                format!(
                    "“{}”不是有效的域名（小写字母、数字、“.”“-”“:”）",
                    quoted(message)
                )
            } else if *field == "update_interval_days" {
                "更新周期须为 1 至 3650 天（不填表示不要求）".into()
            } else if message.contains("cannot move under itself") {
                "不能把栏目移到它自己或它的子栏目之下".into()
            } else if message.contains("is archived") {
                "所选的上级栏目已撤销".into()
            } else if message.starts_with("no column") {
                "所选的上级栏目不存在".into()
            } else if message.contains("at most") && message.contains("columns") {
                "同一层级最多 100 个栏目，一个站点最多 1000 个栏目".into()
            } else if *field == "slugs" {
                "栏目顺序已被他人修改，请刷新页面后重试".into()
            } else {
                format!("{label}填写有误")
            }
        }
        ContentError::NotFound(what) if what.starts_with("column template set") => {
            "没有找到该栏目模板".into()
        }
        ContentError::NotFound(what) if what.starts_with("column") => "没有找到该栏目".into(),
        ContentError::NotFound(_) => "没有找到该站点（或该站点未在本节点提供服务）".into(),
        ContentError::Conflict(m) => {
            if let Some(n) = count_before(m, "article(s)") {
                format!(
                    "站点中还有 {n} 篇信息，不能归档（只能归档没有任何信息的空站点；如需停止访问，请使用一键关停）"
                )
            } else if m.starts_with("site") && m.ends_with("not serving") {
                "该站点当前未提供服务，不能归档".into()
            } else if m.starts_with("site") && m.ends_with("not archived") {
                "该站点未归档，无需恢复".into()
            } else if let Some(n) = count_before(m, "articles") {
                format!("栏目中还有 {n} 篇信息，不能撤销（只能撤销没有信息的空栏目）")
            } else if let Some(n) = count_before(m, "sub-columns") {
                format!("栏目下还有 {n} 个使用中的子栏目，请先撤销或移走子栏目")
            } else if m.contains("archived already") {
                "该栏目已撤销".into()
            } else if m.contains("is not archived") {
                "该栏目未撤销，无需恢复".into()
            } else if m.contains("parent of column") {
                "上级栏目已撤销，请先恢复上级栏目".into()
            } else if m.contains("is archived") {
                "该栏目已撤销，请先恢复再修改".into()
            } else if m.starts_with("host") {
                format!("域名“{}”已被其他站点使用", quoted(m))
            } else if m.starts_with("column") && m.contains("already exists") {
                format!("栏目地址“{}”已被本站点的其他栏目使用", quoted(m))
            } else if m.starts_with("site") && m.contains("already exists") {
                format!("站点标识“{}”已被使用", quoted(m))
            } else {
                "操作与当前状态冲突，请刷新页面后重试".into()
            }
        }
        ContentError::Refused(m) if m.contains("belongs to node") => {
            "该站点属于其他节点：只能在其所属节点修改，再同步到本节点".into()
        }
        ContentError::Refused(_) => "该操作不被允许".into(),
        ContentError::Template { name, message } => template_error(name, message),
        _ => "系统暂时无法处理，请稍后再试".into(),
    }
}

/// A template's refusal: the safety check's messages are Chinese already (第 N 行); a
/// compile error (`line N: …`) is named by its line.
fn template_error(name: &str, message: &str) -> String {
    if message.contains('第') {
        return message.to_string();
    }
    let line = message
        .strip_prefix("line ")
        .and_then(|r| r.split(':').next())
        .and_then(|n| n.trim().parse::<u64>().ok());
    let detail = message.split_once(": ").map_or(message, |(_, d)| d);
    match line {
        Some(n) => format!("模板 {name} 第 {n} 行有语法错误，无法编译（编译器提示：{detail}）"),
        None => format!("模板 {name} 无法编译（编译器提示：{detail}）"),
    }
}

/// The status a refusal answers with.
pub(super) fn status(e: &ContentError) -> StatusCode {
    match e {
        ContentError::Invalid { .. } | ContentError::Template { .. } => StatusCode::BAD_REQUEST,
        ContentError::NotFound(_) => StatusCode::NOT_FOUND,
        ContentError::Conflict(_) => StatusCode::CONFLICT,
        ContentError::Refused(_) => StatusCode::FORBIDDEN,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_read_in_chinese() {
        let c = |m: &str| chinese(&ContentError::Conflict(m.into()));
        assert_eq!(
            c("column `a` has 3 articles: only an empty column can be archived"),
            "栏目中还有 3 篇信息，不能撤销（只能撤销没有信息的空栏目）"
        );
        assert!(
            c("column `a` has 2 sub-columns in use: archive or move them first").contains("2 个")
        );
        assert!(c("host `a.gov.cn` already belongs to another site").contains("“a.gov.cn”"));
        assert!(
            c("site `gd` holds 4 article(s): only an empty site can be archived; shut it down instead")
                .starts_with("站点中还有 4 篇信息，不能归档")
        );
        assert_eq!(
            c("site `gd` is serving, not archived"),
            "该站点未归档，无需恢复"
        );
        let t = chinese(&ContentError::Template {
            name: "home.html".into(),
            message: "line 3: syntax error: unexpected end".into(),
        });
        assert!(t.contains("第 3 行"), "{t}");
        let i = chinese(&ContentError::Invalid {
            field: "name",
            message: "is required".into(),
        });
        assert_eq!(i, "请填写名称");
    }
}
