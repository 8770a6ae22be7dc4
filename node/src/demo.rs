//! `govnode demo`: a province node with three sites, a shared column template set, and
//! sample articles that went through review, in a temporary data dir.

use std::path::Path;
use std::sync::Arc;

use govnode_accounts::Role;
use govnode_content::sanitize::BodyFormat;
use govnode_content::{ArticleInput, ColumnInput, SiteInput, Transition};

use crate::{Config, Node, NodeError};

const EDITOR: &str = "张编辑";
const REVIEWER: &str = "李审核";

fn column(slug: &str, name: &str, kind: &str, days: i64, position: i64) -> ColumnInput {
    ColumnInput {
        slug: slug.into(),
        name: name.into(),
        kind: kind.into(),
        parent: None,
        update_interval_days: Some(days),
        position,
    }
}

struct Sample {
    site: &'static str,
    column: &'static str,
    title: &'static str,
    doc_number: &'static str,
    theme: &'static str,
    date: &'static str,
    body: &'static str,
}

const SAMPLES: &[Sample] = &[
    Sample {
        site: "gd",
        column: "tzgg",
        title: "广东省人民政府关于做好2026年元旦春节期间有关工作的通知",
        doc_number: "粤府函〔2026〕1号",
        theme: "01",
        date: "2026-01-05",
        body: "各地级以上市人民政府，省政府各部门、各直属机构：\n\n元旦春节将至，为确保全省人民群众度过欢乐祥和的节日，现就有关工作通知如下：\n\n一、切实保障节日市场供应，稳定重要民生商品价格。\n\n二、扎实做好困难群众帮扶救助，及时足额发放各类救助金。\n\n三、全面加强安全生产和消防安全工作，严防重特大事故发生。",
    },
    Sample {
        site: "gd",
        column: "zcwj",
        title: "广东省进一步优化营商环境若干措施",
        doc_number: "粤府〔2026〕3号",
        theme: "08",
        date: "2026-02-10",
        body: "## 一、总体要求\n\n以市场主体需求为导向，深化“放管服”改革，打造市场化、法治化、国际化一流营商环境。\n\n## 二、主要措施\n\n（一）推进企业开办“一网通办”，企业设立登记、公章刻制、申领发票一日办结。\n\n（二）全面推行证明事项告知承诺制，减少群众办事提交材料。\n\n（三）建立涉企政策“免申即享”机制，政策资金直达企业。",
    },
    Sample {
        site: "gd",
        column: "zcjd",
        title: "图解：《广东省进一步优化营商环境若干措施》",
        doc_number: "",
        theme: "08",
        date: "2026-02-12",
        body: "**开办企业更快了**：企业设立登记、公章刻制、申领发票、社保登记一日办结，全程网上办理。\n\n**办事材料更少了**：证明事项实行告知承诺制。\n\n**政策兑现更易了**：符合条件的企业无需申请即可享受政策。",
    },
    Sample {
        site: "gd",
        column: "gzdt",
        title: "全省政府网站集约化平台建设推进会在广州召开",
        doc_number: "",
        theme: "01",
        date: "2026-03-02",
        body: "3月2日，全省政府网站集约化平台建设推进会在广州召开。会议要求，各地各部门要按照“省级统建、分级部署”的思路，统一技术平台、统一信息资源库、统一搜索、统一互动交流，推动政府网站从“信息发布”向“服务供给”转变。",
    },
    Sample {
        site: "hrss",
        column: "bszn",
        title: "灵活就业人员参加企业职工基本养老保险办事指南",
        doc_number: "",
        theme: "14",
        date: "2026-01-20",
        body: "## 办理对象\n\n具有本省户籍、年满16周岁的灵活就业人员。\n\n## 办理材料\n\n1. 居民身份证或社会保障卡；\n2. 《社会保险参保登记表》。\n\n## 办理渠道\n\n可通过广东政务服务网、“粤省事”小程序或社保经办窗口办理，即时办结。\n\n## 咨询电话\n\n12333",
    },
    Sample {
        site: "hrss",
        column: "zcwj",
        title: "广东省人力资源和社会保障厅关于调整2026年度社会保险缴费基数的通知",
        doc_number: "粤人社规〔2026〕2号",
        theme: "14",
        date: "2026-03-15",
        body: "各地级以上市人力资源社会保障局：\n\n根据国家有关规定，现将2026年度社会保险缴费基数有关事项通知如下：\n\n一、职工基本养老保险缴费基数下限为全省全口径城镇单位就业人员月平均工资的60%，上限为300%。\n\n二、本通知自2026年7月1日起执行。",
    },
    Sample {
        site: "hrss",
        column: "gzdt",
        title: "省人社厅开展2026年春风行动专项招聘活动",
        doc_number: "",
        theme: "14",
        date: "2026-02-20",
        body: "为促进农民工等重点群体就业，省人社厅在全省组织开展春风行动，举办线上线下招聘会300余场，提供就业岗位50万个。",
    },
    Sample {
        site: "drc",
        column: "zcwj",
        title: "广东省发展和改革委员会关于进一步做好民间投资工作的通知",
        doc_number: "粤发改投资〔2026〕15号",
        theme: "02",
        date: "2026-03-01",
        body: "各地级以上市发展改革局：\n\n为进一步激发民间投资活力，现就有关事项通知如下：\n\n一、建立向民间资本推介项目长效机制。\n\n二、支持民间资本参与重大项目建设。\n\n三、优化民间投资项目审批服务。",
    },
    Sample {
        site: "drc",
        column: "gzdt",
        title: "省发展改革委召开重点项目建设调度会",
        doc_number: "",
        theme: "02",
        date: "2026-03-10",
        body: "会议通报了一季度全省重点项目建设进展情况，要求加快推进项目开工，确保完成年度投资计划。",
    },
];

/// Fills a fresh node with the demo's sites, columns and published articles.
pub async fn seed(node: &Node) -> Result<(), NodeError> {
    let c = &node.content;
    let sites = [
        (
            "gd",
            "广东省人民政府",
            "广东省人民政府办公厅",
            "006939748",
            &["gd.localhost"][..],
        ),
        (
            "hrss",
            "广东省人力资源和社会保障厅",
            "广东省人力资源和社会保障厅",
            "006940078",
            &["hrss.localhost"][..],
        ),
        (
            "drc",
            "广东省发展和改革委员会",
            "广东省发展和改革委员会",
            "006939801",
            &["drc.localhost"][..],
        ),
    ];
    for (id, name, owner, code, hosts) in sites {
        let input = SiteInput {
            id: id.into(),
            name: name.into(),
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
            owner_body: owner.into(),
            body_code: code.into(),
            region: node.config.node.id.to_string(),
        };
        c.create_site("demo", &input).await?;
    }
    // Hainan's "1+N": fixed columns on every site, stamped from one set.
    let fixed = vec![
        column("gzdt", "工作动态", "news", 7, 1),
        column("tzgg", "通知公告", "notice", 14, 2),
        column("zcwj", "政策文件", "policy", 30, 3),
        column("zcjd", "政策解读", "interpretation", 30, 4),
    ];
    c.put_template_set("demo", "province-dept", "省直部门基本栏目", &fixed)
        .await?;
    for site in ["gd", "hrss", "drc"] {
        c.apply_template_set("demo", "province-dept", site).await?;
    }
    c.create_column("demo", "hrss", &column("bszn", "办事指南", "guide", 90, 5))
        .await?;
    for s in SAMPLES {
        let input = ArticleInput {
            column: Some(s.column.into()),
            title: s.title.into(),
            body: s.body.into(),
            body_format: BodyFormat::Markdown,
            issuing_body: c.site(s.site).await?.owner_body,
            doc_number: s.doc_number.into(),
            theme: s.theme.into(),
            date: s.date.into(),
            ..ArticleInput::default()
        };
        let a = c.create_article(EDITOR, s.site, &input).await?;
        c.transition(EDITOR, a.id, Transition::Submit, None, None)
            .await?;
        c.transition(REVIEWER, a.id, Transition::Approve, None, None)
            .await?;
        c.transition(REVIEWER, a.id, Transition::Publish, None, None)
            .await?;
    }
    // One draft waiting for review, so the workflow has something to show.
    let draft = ArticleInput {
        column: Some("gzdt".into()),
        title: "（待审）全省政务新媒体检查情况通报".into(),
        body: "草稿：尚未审核，不会出现在网站、搜索和订阅中。".into(),
        ..ArticleInput::default()
    };
    let a = c.create_article(EDITOR, "gd", &draft).await?;
    c.transition(EDITOR, a.id, Transition::Submit, None, None)
        .await?;
    node.sync_search().await?;
    Ok(())
}

/// Runs the demo until Ctrl-C.
pub async fn run(port: u16, data_dir: &Path) -> Result<(), NodeError> {
    let mut config = Config::new(
        "440000"
            .parse()
            .map_err(|e| NodeError::Config(format!("{e}")))?,
        "广东省",
    );
    config.http.listen = ([127, 0, 0, 1], port).into();
    std::fs::write(
        crate::cli::config_path(data_dir),
        config.to_commented_toml(),
    )?;
    let node: Arc<Node> = Node::open(config, data_dir).await?;
    seed(&node).await?;
    let (admin, _) = node
        .tokens
        .create("平台管理员", Role::PlatformAdmin, None)
        .await
        .map_err(|e| NodeError::Storage(e.to_string()))?;
    let (editor, _) = node
        .tokens
        .create(EDITOR, Role::Editor, Some("gd"))
        .await
        .map_err(|e| NodeError::Storage(e.to_string()))?;
    let (reviewer, _) = node
        .tokens
        .create(REVIEWER, Role::Reviewer, Some("gd"))
        .await
        .map_err(|e| NodeError::Storage(e.to_string()))?;
    let listener = tokio::net::TcpListener::bind(node.config.http.listen).await?;
    let addr = listener.local_addr()?;
    println!(
        "govnode demo: province node 440000 广东省, data dir {}",
        data_dir.display()
    );
    println!();
    println!("  portal            http://{addr}/");
    for (id, name) in [
        ("gd", "广东省人民政府"),
        ("hrss", "广东省人力资源和社会保障厅"),
        ("drc", "广东省发展和改革委员会"),
    ] {
        println!(
            "  {name:<14} http://{addr}/sites/{id}/   (or http://{id}.localhost:{}/)",
            addr.port()
        );
    }
    println!("  search            http://{addr}/sites/gd/search?q=营商环境");
    println!("  search API        http://{addr}/api/search?q=社会保险");
    println!("  RSS               http://{addr}/sites/gd/feed.rss");
    println!("  OpenAPI           http://{addr}/api/openapi.json");
    println!("  metrics           http://{addr}/metrics");
    println!();
    println!("  platform-admin token: {admin}");
    println!("  editor token (gd):    {editor}");
    println!("  reviewer token (gd):  {reviewer}");
    println!();
    println!("  try: curl -H 'Authorization: Bearer {admin}' http://{addr}/api/admin/audit");
    println!("  Ctrl-C stops the demo and deletes its data dir.");
    crate::run(node, listener, crate::node::shutdown_signal()).await
}
