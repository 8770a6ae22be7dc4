//! Shared test data: realistic Chinese government documents.
#![allow(dead_code)]

use govnode_search::{Change, Document, SearchIndex, SearchQuery, SearchResults};

/// 2024-03-01 00:00:00 +08:00.
pub const MARCH_2024: i64 = 1_709_222_400;

/// A document with the given key, type and texts; other fields get plausible defaults.
pub fn doc(key: &str, doc_type: &str, title: &str, body: &str) -> Document {
    Document {
        key: key.to_owned(),
        title: title.to_owned(),
        subtitle: String::new(),
        body_text: body.to_owned(),
        summary: String::new(),
        site: "gd".to_owned(),
        site_name: "广东省人民政府".to_owned(),
        origin: "440000".to_owned(),
        doc_type: doc_type.to_owned(),
        column: "政策文件".to_owned(),
        issuing_body: "广东省人民政府".to_owned(),
        doc_number: String::new(),
        index_number: String::new(),
        tags: Vec::new(),
        url: format!("https://www.gd.gov.cn/doc/{key}.html"),
        published: MARCH_2024,
    }
}

/// 中华人民共和国社会保险法 (excerpt).
pub fn social_insurance_law() -> Document {
    let mut d = doc(
        "100000:1",
        "policy",
        "中华人民共和国社会保险法",
        "第一条 为了规范社会保险关系，维护公民参加社会保险和享受社会保险待遇的合法权益，\
         使公民共享发展成果，促进社会和谐稳定，根据宪法，制定本法。\
         第二条 国家建立基本养老保险、基本医疗保险、工伤保险、失业保险、生育保险等社会保险制度，\
         保障公民在年老、疾病、工伤、失业、生育等情况下依法从国家和社会获得物质帮助的权利。\
         第三条 社会保险制度坚持广覆盖、保基本、多层次、可持续的方针，社会保险水平应当与经济社会发展水平相适应。",
    );
    d.site = "gov".to_owned();
    d.site_name = "中国政府网".to_owned();
    d.origin = "100000".to_owned();
    d.issuing_body = "全国人民代表大会常务委员会".to_owned();
    d.column = "法律法规".to_owned();
    d.published = MARCH_2024 - 86_400 * 365;
    d
}

/// A provincial notice on employment, with a document number and index number.
pub fn employment_notice() -> Document {
    let mut d = doc(
        "440000:12",
        "notice",
        "广东省人民政府关于印发广东省进一步稳定和扩大就业若干政策措施的通知",
        "各地级以上市人民政府，省政府各部门、各直属机构：\
         现将《广东省进一步稳定和扩大就业若干政策》印发给你们，请认真贯彻执行。\
         执行中遇到的问题，请径向省人力资源社会保障厅反映。\
         一、支持企业吸纳就业。对招用高校毕业生的小微企业，按规定给予一次性吸纳就业补贴。\
         二、加大创业担保贷款支持力度，个人创业担保贷款最高额度为30万元。",
    );
    d.doc_number = "粤府〔2024〕12号".to_owned();
    d.index_number = "11440000006935240K/2024-00123".to_owned();
    d.tags = vec!["就业".to_owned(), "稳岗".to_owned()];
    d.published = MARCH_2024;
    d
}

/// A policy interpretation about the social security card.
pub fn card_interpretation() -> Document {
    let mut d = doc(
        "440300:7",
        "interpretation",
        "一图读懂：社保卡跨省通办",
        "群众可通过国家社会保险公共服务平台办理社保卡申领、补换、挂失等业务，\
         实现跨省通办。缴纳社会保险费的参保人员均可申领。",
    );
    d.site = "sz".to_owned();
    d.site_name = "深圳市人民政府".to_owned();
    d.origin = "440300".to_owned();
    d.summary = "社保卡跨省通办政策解读".to_owned();
    d.published = MARCH_2024 + 86_400;
    d
}

/// A service guide on pension insurance for flexible workers.
pub fn pension_guide() -> Document {
    let mut d = doc(
        "440000:30",
        "guide",
        "灵活就业人员参加职工基本养老保险办事指南",
        "办理对象：本省户籍的灵活就业人员。办理材料：居民身份证或社会保障卡。\
         办理流程：登录广东政务服务网，选择“灵活就业人员参保登记”，填写信息后提交。",
    );
    d.column = "办事指南".to_owned();
    d.published = MARCH_2024 + 2 * 86_400;
    d
}

/// A news item from the Shenzhen site about the business environment.
pub fn business_news() -> Document {
    let mut d = doc(
        "440300:99",
        "news",
        "深圳持续优化营商环境",
        "近日，深圳市出台优化营商环境改革措施，进一步压缩企业开办时间，\
         推动COVID-19疫情后经济恢复。",
    );
    d.site = "sz".to_owned();
    d.site_name = "深圳市人民政府".to_owned();
    d.origin = "440300".to_owned();
    d.published = MARCH_2024 + 3 * 86_400;
    d
}

/// All sample documents.
pub fn corpus() -> Vec<Document> {
    vec![
        social_insurance_law(),
        employment_notice(),
        card_interpretation(),
        pension_guide(),
        business_news(),
    ]
}

/// An in-memory index holding `docs`, applied with `through = 1`.
pub fn index_with(docs: Vec<Document>) -> SearchIndex {
    let index = SearchIndex::in_memory().expect("in-memory index");
    index
        .apply(docs.into_iter().map(Change::Upsert).collect(), 1)
        .expect("apply");
    index
}

/// Runs a plain text query.
pub fn search(index: &SearchIndex, text: &str) -> SearchResults {
    index
        .search(&SearchQuery {
            text: text.to_owned(),
            ..SearchQuery::default()
        })
        .expect("search")
}

/// The keys of the hits, in order.
pub fn keys(results: &SearchResults) -> Vec<&str> {
    results.hits.iter().map(|h| h.key.as_str()).collect()
}
