//! The demo's sample content: the province's three sites (the people's government, human
//! resources and social security, development and reform), one site each for Guangzhou,
//! Liwan and Tianhe, and realistic articles (notices, policy documents with document
//! numbers, guides, news) taken through the editorial workflow like any other.

use govnode_content::sanitize::BodyFormat;
use govnode_content::{ArticleInput, ColumnInput, SiteInput, Transition};

use crate::{Node, NodeError};

/// The editor every sample article is written by.
pub const EDITOR: &str = "张编辑";
/// The reviewer who approves and publishes them (four eyes: never the editor).
pub const REVIEWER: &str = "李审核";

/// One site of the demo.
#[derive(Debug, Clone, Copy)]
pub struct SiteSeed {
    /// The node that owns it.
    pub node: &'static str,
    /// Site id (also its path, `/sites/<id>/`, and host `<id>.localhost`).
    pub id: &'static str,
    /// Site name.
    pub name: &'static str,
    /// The body that runs it.
    pub owner: &'static str,
    /// Its organisation code (index numbers start with it).
    pub code: &'static str,
    /// A word its search page is shown with.
    pub query: &'static str,
}

/// Every site, province first.
pub const SITES: &[SiteSeed] = &[
    SiteSeed {
        node: "440000",
        id: "gd",
        name: "广东省人民政府",
        owner: "广东省人民政府办公厅",
        code: "006939748",
        query: "营商环境",
    },
    SiteSeed {
        node: "440000",
        id: "hrss",
        name: "广东省人力资源和社会保障厅",
        owner: "广东省人力资源和社会保障厅",
        code: "006940078",
        query: "社会保险",
    },
    SiteSeed {
        node: "440000",
        id: "drc",
        name: "广东省发展和改革委员会",
        owner: "广东省发展和改革委员会",
        code: "006939801",
        query: "民间投资",
    },
    SiteSeed {
        node: "440100",
        id: "gz",
        name: "广州市人民政府",
        owner: "广州市人民政府办公厅",
        code: "007502399",
        query: "人工智能",
    },
    SiteSeed {
        node: "440103",
        id: "liwan",
        name: "广州市荔湾区人民政府",
        owner: "广州市荔湾区人民政府办公室",
        code: "007504226",
        query: "老旧小区",
    },
    SiteSeed {
        node: "440106",
        id: "tianhe",
        name: "广州市天河区人民政府",
        owner: "广州市天河区人民政府办公室",
        code: "007505034",
        query: "垃圾分类",
    },
];

/// The sites a node owns.
pub fn sites_of(node: &str) -> impl Iterator<Item = &'static SiteSeed> + '_ {
    SITES.iter().filter(move |s| s.node == node)
}

/// The site a node's editors publish to from the console (its first).
pub fn main_site(node: &str) -> Option<&'static SiteSeed> {
    sites_of(node).next()
}

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

/// One sample article.
#[derive(Debug)]
pub struct Sample {
    /// Site id.
    pub site: &'static str,
    /// Column slug.
    pub column: &'static str,
    /// Title.
    pub title: &'static str,
    /// 发文字号, or empty.
    pub doc_number: &'static str,
    /// Theme classification code.
    pub theme: &'static str,
    /// Date of the document.
    pub date: &'static str,
    /// Markdown body.
    pub body: &'static str,
}

/// Every sample article, by site.
pub const SAMPLES: &[Sample] = &[
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
    Sample {
        site: "gz",
        column: "tzgg",
        title: "广州市人民政府办公厅关于做好2026年清明节期间祭扫安全工作的通知",
        doc_number: "穗府办函〔2026〕12号",
        theme: "01",
        date: "2026-03-20",
        body: "各区人民政府，市政府各部门、各直属机构：\n\n清明节将至，为确保群众文明、安全、有序祭扫，现就有关工作通知如下：\n\n一、各区要提前摸清祭扫人数和交通流量，制定疏导方案。\n\n二、倡导网上祭扫、家庭追思等文明祭扫方式。\n\n三、严格落实林区野外用火管理，严防森林火灾。",
    },
    Sample {
        site: "gz",
        column: "zcwj",
        title: "广州市促进人工智能产业高质量发展若干措施",
        doc_number: "穗府〔2026〕5号",
        theme: "08",
        date: "2026-02-28",
        body: "## 一、强化算力供给\n\n统筹建设公共算力平台，对中小企业使用公共算力给予补贴。\n\n## 二、支持场景开放\n\n每年发布政务、交通、医疗等领域应用场景清单，支持企业揭榜攻关。\n\n## 三、集聚创新人才\n\n对人工智能领域高层次人才在住房、子女入学等方面给予保障。",
    },
    Sample {
        site: "gz",
        column: "bszn",
        title: "广州市新生儿出生“一件事”联办指南",
        doc_number: "",
        theme: "12",
        date: "2026-01-15",
        body: "## 办理事项\n\n出生医学证明、预防接种证、户口登记、医保参保登记、社会保障卡申领，一次申请、并联办理。\n\n## 办理渠道\n\n“穗好办”App或各区政务服务中心综合窗口。\n\n## 办理时限\n\n材料齐全的，5个工作日内办结。",
    },
    Sample {
        site: "gz",
        column: "gzdt",
        title: "广州市召开2026年优化营商环境大会",
        doc_number: "",
        theme: "08",
        date: "2026-02-06",
        body: "2月6日，广州市召开2026年优化营商环境大会，部署营商环境改革8.0版重点任务，提出以“高效办成一件事”为牵引，持续提升企业和群众的获得感。",
    },
    Sample {
        site: "liwan",
        column: "tzgg",
        title: "荔湾区关于2026年春季学期义务教育学校插班生招生工作的通告",
        doc_number: "荔府通〔2026〕2号",
        theme: "09",
        date: "2026-01-10",
        body: "一、申请对象：符合我区义务教育阶段入学条件、需转入我区公办学校就读的适龄儿童少年。\n\n二、申请时间：2026年1月15日至1月25日。\n\n三、申请方式：登录荔湾区教育局网站在线提交申请，逾期不予受理。",
    },
    Sample {
        site: "liwan",
        column: "zcwj",
        title: "广州市荔湾区老旧小区改造实施方案（2026—2028年）",
        doc_number: "荔府办〔2026〕8号",
        theme: "05",
        date: "2026-03-05",
        body: "## 一、改造范围\n\n2000年底前建成、基础设施老化的住宅小区，优先改造西关历史文化街区内的小区。\n\n## 二、改造内容\n\n（一）水电气管网、消防设施、无障碍设施等基础类改造；\n\n（二）加装电梯、停车设施、养老托育等完善类改造。\n\n## 三、资金筹措\n\n采取政府补助、居民出资、社会资本参与相结合的方式。",
    },
    Sample {
        site: "liwan",
        column: "bszn",
        title: "荔湾区居住证办理指南",
        doc_number: "",
        theme: "12",
        date: "2026-02-01",
        body: "## 申领条件\n\n在本区居住半年以上，符合有合法稳定就业、合法稳定住所或连续就读条件之一。\n\n## 所需材料\n\n居民身份证、近期照片、居住证明材料。\n\n## 办理地点\n\n居住地所在街道来穗人员服务管理中心。",
    },
    Sample {
        site: "tianhe",
        column: "tzgg",
        title: "天河区关于开展2026年垃圾分类宣传周活动的通知",
        doc_number: "穗天府办函〔2026〕15号",
        theme: "05",
        date: "2026-03-12",
        body: "各街道办事处，区有关单位：\n\n为进一步提高居民垃圾分类知晓率和参与率，区政府决定于3月16日至22日开展垃圾分类宣传周活动，现将有关事项通知如下：\n\n一、各街道要组织社区开展入户宣传，做到宣传资料户户到。\n\n二、各学校要开展“小手拉大手”主题活动。\n\n三、活动情况请于3月25日前报区城市管理和综合执法局。",
    },
    Sample {
        site: "tianhe",
        column: "zcwj",
        title: "广州市天河区支持软件和信息服务业高质量发展若干措施",
        doc_number: "穗天府规〔2026〕1号",
        theme: "08",
        date: "2026-02-18",
        body: "## 第一条 适用范围\n\n在天河区注册并纳税的软件和信息服务业企业。\n\n## 第二条 落户奖励\n\n对新落户的重点企业，按其实缴注册资本给予一次性奖励，最高500万元。\n\n## 第三条 研发支持\n\n对企业年度研发投入增量部分给予不超过10%的补助。",
    },
    Sample {
        site: "tianhe",
        column: "bszn",
        title: "天河区个体工商户开业登记办事指南",
        doc_number: "",
        theme: "08",
        date: "2026-01-08",
        body: "## 办理材料\n\n1. 经营者身份证明；\n2. 经营场所使用证明。\n\n## 办理渠道\n\n广东政务服务网、“穗好办”App，或天河区政务服务中心市场监管窗口。\n\n## 办理时限\n\n材料齐全、符合法定形式的，当场办结。",
    },
    Sample {
        site: "tianhe",
        column: "gzdt",
        title: "天河区召开2026年重点项目建设推进会",
        doc_number: "",
        theme: "02",
        date: "2026-03-03",
        body: "3月3日，天河区召开重点项目建设推进会，通报全区120个重点项目建设情况，要求各单位倒排工期、挂图作战，推动项目早开工、早投产。",
    },
];

/// A published sample: site, article id, title.
#[derive(Debug, Clone)]
pub struct Published {
    /// Site id.
    pub site: &'static str,
    /// Article id (the same on every node that holds a replica).
    pub id: i64,
    /// Column slug.
    pub column: &'static str,
    /// Title.
    pub title: String,
}

/// Creates, reviews and publishes one article (editor writes and submits, reviewer
/// approves and publishes).
pub async fn publish(node: &Node, site: &str, input: &ArticleInput) -> Result<i64, NodeError> {
    let c = &node.content;
    let a = c.create_article(EDITOR, site, input).await?;
    c.transition(EDITOR, a.id, Transition::Submit, None, None)
        .await?;
    c.transition(REVIEWER, a.id, Transition::Approve, None, None)
        .await?;
    c.transition(REVIEWER, a.id, Transition::Publish, None, None)
        .await?;
    Ok(a.id)
}

/// Fills a fresh node with its sites, columns and published articles (and, at the
/// province, one draft waiting for review). Returns what it published.
pub async fn seed(node: &Node) -> Result<Vec<Published>, NodeError> {
    let c = &node.content;
    let me = node.config.node.id.to_string();
    let mine: Vec<&SiteSeed> = sites_of(&me).collect();
    for s in &mine {
        let input = SiteInput {
            id: s.id.into(),
            name: s.name.into(),
            hosts: vec![format!("{}.localhost", s.id)],
            owner_body: s.owner.into(),
            body_code: s.code.into(),
            region: me.clone(),
            footer: Default::default(),
        };
        c.create_site("demo", &input).await?;
        // The body running the site answers letters (一网通答) addressed to it.
        node.interaction
            .put_body(s.id, s.owner, "")
            .await
            .map_err(|e| NodeError::Storage(e.to_string()))?;
    }
    // The main site's office is the node's letters desk: a letter whose writer does not
    // know which body should answer goes there and is passed on (转办).
    if let Some(main) = mine.first() {
        node.interaction
            .set_desk(
                govnode_interaction::NODE_DEFAULT,
                &format!("{me}.{}", main.id),
            )
            .await
            .map_err(|e| NodeError::Storage(e.to_string()))?;
    }
    if me == "440000" {
        // Hainan's "1+N": fixed columns on every provincial site, stamped from one set.
        let fixed = vec![
            column("gzdt", "工作动态", "news", 7, 1),
            column("tzgg", "通知公告", "notice", 14, 2),
            column("zcwj", "政策文件", "policy", 30, 3),
            column("zcjd", "政策解读", "interpretation", 30, 4),
        ];
        c.put_template_set("demo", "province-dept", "省直部门基本栏目", &fixed)
            .await?;
        for s in &mine {
            c.apply_template_set("demo", "province-dept", s.id).await?;
        }
        c.create_column("demo", "hrss", &column("bszn", "办事指南", "guide", 90, 5))
            .await?;
    } else {
        for s in &mine {
            for col in [
                column("gzdt", "工作动态", "news", 7, 1),
                column("tzgg", "通知公告", "notice", 14, 2),
                column("zcwj", "政策文件", "policy", 30, 3),
                column("bszn", "办事指南", "guide", 90, 4),
            ] {
                c.create_column("demo", s.id, &col).await?;
            }
        }
    }
    let mut out = Vec::new();
    for s in SAMPLES
        .iter()
        .filter(|s| mine.iter().any(|m| m.id == s.site))
    {
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
        let id = publish(node, s.site, &input).await?;
        out.push(Published {
            site: s.site,
            id,
            column: s.column,
            title: s.title.into(),
        });
    }
    if me == "440000" {
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
    }
    // A citizen's letter waiting in the main site's body's inbox, for its handler.
    if let Some(main) = mine.first() {
        let letter = govnode_interaction::Filing {
            kind: "consultation".into(),
            body: format!("{me}.{}", main.id),
            subject: "灵活就业人员如何办理社保参保登记".into(),
            content: "我是自由职业者，想咨询灵活就业人员参加职工养老保险需要准备哪些材料，可以在网上办理吗？".into(),
            name: "陈先生".into(),
            phone: "13800138000".into(),
            id_number: String::new(),
            email: String::new(),
            consent_public: true,
            attachments: Vec::new(),
        };
        node.interaction
            .file(main.id, letter, "127.0.0.1", Vec::new())
            .await
            .map_err(|e| NodeError::Storage(format!("demo letter: {e}")))?;
    }
    node.sync_search().await?;
    Ok(out)
}

/// An article published from the console: a short news item with the given title.
pub fn console_article(node_name: &str, title: &str) -> ArticleInput {
    let today = govnode_topology::beijing::today()
        .format("%Y-%m-%d")
        .to_string();
    ArticleInput {
        column: Some("gzdt".into()),
        title: title.into(),
        body: format!(
            "{today}，{node_name}发布本条信息。本文由演示控制台的 `publish` 命令提交，经编辑提交、审核通过后发布，并同步到上级节点。"
        ),
        body_format: BodyFormat::Markdown,
        date: today,
        ..ArticleInput::default()
    }
}
