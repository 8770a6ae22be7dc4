//! The acceptance scenario of issue 14 (the staff console, part 2: the letters desk), end to
//! end on a real three-node tree (广东省 / 广州市 / 天河区) with the city's `[mail]` going to
//! the SMTP sink: a citizen writes on the county's site to a city body; its handler sees the
//! letter and its e-mail notice, and transfers it (转办) by name to another city body; that
//! body's handler accepts, replies and proposes the reply for publication (答复公开); a
//! reviewer of the body approves it; the citizen tracks the reply at the county, and the
//! county's public list shows it only once approved, without the citizen's data. Handlers of
//! other bodies (the first one after the transfer included) get 403 by URL. Every staff
//! step goes through the console's forms, every citizen step through the site's.

use std::time::Duration;

use govnode::Config;
use govnode::config::{MailSection, MailSecurity};
use govnode_accounts::{Access, Grant, ProfileUpdate};
use govnode_tests::console::{Browser, csrf_of};
use govnode_tests::tree::Member;
use govnode_tests::{Reply, StatusCode, TestNode, TestTree};
use serde_json::{Value, json};

use super::body;
use super::sink::{Sink, sink_available};

const CITY: &str = "440100";
const COUNTY: &str = "440106";
/// The body written to, its handler's e-mail; the body it is transferred to, its handler's.
const RSJ: &str = "440100.rsj";
const RSJ_NAME: &str = "广州市人力资源和社会保障局";
const RSJ_MAIL: &str = "rsj-handler@hrss.gz.gov.cn";
const MZJ: &str = "440100.mzj";
const MZJ_NAME: &str = "广州市民政局";
const MZJ_MAIL: &str = "mzj-handler@mzj.gz.gov.cn";
/// An unrelated body of the city, and addresses that must receive nothing.
const GAJ: &str = "440100.gaj";
const GAJ_MAIL: &str = "gaj-handler@gaj.gz.gov.cn";
const REVIEWER_MAIL: &str = "mzj-reviewer@mzj.gz.gov.cn";

const NAME: &str = "陈小明";
const PHONE: &str = "13712345678";
/// The subject names the citizen, as citizens do: it must reach no e-mail and no public page.
const SUBJECT: &str = "陈小明咨询高龄津贴申领";
/// The subject as proposed for publication, the name masked.
const SUBJECT_PUBLIC: &str = "陈**咨询高龄津贴申领";
const REASON: &str = "高龄津贴属民政部门职责，转市民政局办理";
const REPLY: &str =
    "陈小明您好：年满七十周岁的本市户籍老年人可向户籍所在街道申请高龄津贴，需携带身份证和户口簿。";
/// A part of the reply that survives the masking of the citizen's data.
const REPLY_PUBLIC: &str = "可向户籍所在街道申请高龄津贴";

/// The three nodes, the city's `[mail]` at the sink.
async fn start_tree(mail_port: u16) -> TestTree {
    let m = |id, name, parent| Member {
        id,
        name,
        parent,
        aerial: vec![],
    };
    let members = vec![
        m("440000", "广东省", None),
        m(CITY, "广州市", Some("440000")),
        m(COUNTY, "天河区", Some(CITY)),
    ];
    TestTree::start_configured(members, |id, config: &mut Config| {
        if id == CITY {
            config.http.public_url = Some("http://www.gz.gov.cn".into());
            config.mail = Some(MailSection {
                enabled: true,
                host: "127.0.0.1".into(),
                port: mail_port,
                security: MailSecurity::None,
                username: None,
                password: None,
                password_file: None,
                from: "广州市政府网站平台 <noreply@gz.gov.cn>".into(),
            });
        }
    })
    .await
}

/// A poll's time limit: 60 s, tried every 100 ms.
struct Deadline {
    what: String,
    until: tokio::time::Instant,
}

impl Deadline {
    fn new(what: &str) -> Deadline {
        Deadline {
            what: what.to_string(),
            until: tokio::time::Instant::now() + Duration::from_secs(60),
        }
    }

    /// Waits before the next try, failing once the time is up.
    async fn wait(&mut self) {
        let late = tokio::time::Instant::now() > self.until;
        assert!(!late, "never: {}", self.what);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The citizen's tracking page at the county (code and password posted).
async fn track(b: &mut Browser, code: &str, password: &str) -> Reply {
    b.post(
        "/sites/tianhe/letters",
        &[("action", "track"), ("code", code), ("password", password)],
    )
    .await
}

/// `login` holding `grants`, signed in to the console, with an e-mail address.
async fn staff(t: &TestNode, login: &str, grants: &[Grant], email: &str) -> Browser {
    let b = Browser::signed_in(t, login, grants).await;
    let users = &t.node.app_state().users;
    let user = users.by_login(login).await.unwrap().unwrap();
    let update = ProfileUpdate {
        email: Some(email.into()),
        ..ProfileUpdate::default()
    };
    let now = chrono::Utc::now().timestamp_millis();
    users
        .update_profile(&Access::operator("test"), user.id, &update, now)
        .await
        .expect("e-mail set");
    b
}

/// The page's text with the entities the templates write turned back into characters.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// The fields of the form posting to `action`: its csrf, `subject` input and `content` and
/// `reply` textareas, as a browser would send them.
fn text_form(page: &str, action: &str) -> Vec<(String, String)> {
    let at = page
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form posting to {action}: {page}"));
    let form = &page[at..at + page[at..].find("</form>").expect("the form's end")];
    let value_of = |name: &str| {
        let rest = &form[form.find(&format!("name=\"{name}\"")).expect(name)..];
        let text = if rest.starts_with(&format!("name=\"{name}\" type=")) {
            let v = &rest[rest.find("value=\"").unwrap() + "value=\"".len()..];
            &v[..v.find('"').unwrap()]
        } else {
            let v = &rest[rest.find('>').unwrap() + 1..];
            &v[..v.find("</textarea>").unwrap()]
        };
        (name.to_string(), unescape(text))
    };
    vec![
        ("csrf".into(), csrf_of(form)),
        value_of("subject"),
        value_of("content"),
        value_of("reply"),
    ]
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The value of the `<option>` labelled `label`.
fn option_valued(page: &str, label: &str) -> String {
    let at = page
        .find(&format!("\">{label}</option>"))
        .unwrap_or_else(|| panic!("no option {label}: {page}"));
    let before = &page[..at];
    before[before.rfind("value=\"").unwrap() + "value=\"".len()..].to_string()
}

fn shows(page: &Reply, texts: &[&str]) {
    for text in texts {
        assert!(page.text.contains(text), "{text} missing: {}", page.text);
    }
}

fn no_personal_data(what: &str, text: &str) {
    for personal in [NAME, PHONE] {
        assert!(!text.contains(personal), "{personal} in {what}: {text}");
    }
}

/// An e-mail notice of a new letter at `body_name`, to `to` only, without the citizen's data.
fn new_letter_mail(mail: &Value, to: &str, body_name: &str, code: &str) {
    let subject = format!("【办件提醒】新来信（查询码：{code}）");
    assert_eq!(mail["subject"], subject, "{mail}");
    assert_eq!(mail["to"], json!([to]), "{mail}");
    let text = mail["text"].as_str().unwrap();
    for wanted in [
        format!("{body_name}收到一件新来信"),
        format!("查询码：{code}"),
        format!("办理链接：http://www.gz.gov.cn/admin/letters/{code}"),
    ] {
        assert!(text.contains(&wanted), "{wanted} missing: {text}");
    }
    no_personal_data("an e-mail", &mail.to_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_letter_transferred_answered_and_published_through_the_console() {
    if !sink_available() {
        return;
    }
    let mut sink = Sink::start(&[]).await;
    let tree = start_tree(sink.port).await;
    let (city, county) = (tree.node(CITY), tree.node(COUNTY));
    county.site("tianhe", "天河区人民政府").await;
    for (slug, name) in [
        ("rsj", RSJ_NAME),
        ("mzj", MZJ_NAME),
        ("gaj", "广州市公安局"),
    ] {
        body(city, slug, name).await;
    }
    let mut rsj = staff(city, "rsj-handler", &[Grant::body(RSJ)], RSJ_MAIL).await;
    let mut mzj = staff(city, "mzj-handler", &[Grant::body(MZJ)], MZJ_MAIL).await;
    let mut gaj = staff(city, "gaj-handler", &[Grant::body(GAJ)], GAJ_MAIL).await;
    let reviews = [Grant::body_reviewer(MZJ)];
    let mut reviewer = staff(city, "mzj-reviewer", &reviews, REVIEWER_MAIL).await;
    let mut tries = Deadline::new("the city's bodies in the county's directory");
    loop {
        let list = county.get("/api/interaction/bodies").await.text;
        if list.contains(RSJ) && list.contains(MZJ) {
            break;
        }
        tries.wait().await;
    }

    // The citizen writes on the county's site, with consent, their data in the letter too.
    let mut citizen = Browser::new(county);
    let form = citizen.get("/sites/tianhe/letters").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    assert_eq!(option_valued(&form.text, RSJ_NAME), RSJ);
    let content =
        format!("我是{NAME}，电话{PHONE}。我父亲今年七十五岁，请问申请高龄津贴需要哪些材料？");
    let filed = citizen
        .post(
            "/sites/tianhe/letters",
            &[
                ("kind", "consultation"),
                ("body", RSJ),
                ("subject", SUBJECT),
                ("content", &content),
                ("name", NAME),
                ("phone", PHONE),
                ("consent_public", "on"),
            ],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.text);
    assert_eq!(filed.header("location"), Some("/sites/tianhe/letters/sent"));
    let sent = citizen.get("/sites/tianhe/letters/sent").await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.text);
    shows(&sent, &["提交成功", RSJ_NAME]);
    let strong_after = |label: &str| {
        let rest = &sent.text[sent.text.find(label).expect(label)..];
        let rest = &rest[rest.find("<strong>").unwrap() + "<strong>".len()..];
        rest[..rest.find("</strong>").unwrap()].to_string()
    };
    let (code, password) = (
        strong_after("<dt>查询码</dt>"),
        strong_after("<dt>查询密码</dt>"),
    );
    let ticket = format!("/admin/letters/{code}");

    // The first body's handler: the letter arrives in the inbox, and by e-mail.
    let mut tries = Deadline::new("the letter in the city's inbox");
    while !rsj.get("/admin/letters").await.text.contains(&code) {
        tries.wait().await;
    }
    new_letter_mail(&sink.next().await, RSJ_MAIL, RSJ_NAME, &code);
    let page = rsj.get(&ticket).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    shows(
        &page,
        &[SUBJECT, NAME, PHONE, "已提交", RSJ_NAME, "天河区人民政府"],
    );
    // 转办, the body picked by its name.
    assert!(
        page.text.contains("<optgroup label=\"广州市\">"),
        "{}",
        page.text
    );
    let to = option_valued(&page.text, MZJ_NAME);
    assert_eq!(to, MZJ);
    let r = rsj
        .post(
            &format!("{ticket}/transfer"),
            &[
                ("csrf", &csrf_of(&page.text)),
                ("body", &to),
                ("reason", REASON),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.header("location"), Some("/admin/letters?done=transfer"));
    let inbox = rsj.get("/admin/letters?done=transfer").await;
    shows(&inbox, &["已转办，该来信已交由所选单位办理"]);
    assert!(!inbox.text.contains(&code), "{}", inbox.text);

    // The second body's handler: notified (console and e-mail), accepts, replies, proposes.
    new_letter_mail(&sink.next().await, MZJ_MAIL, MZJ_NAME, &code);
    shows(
        &mzj.get("/admin/notices").await,
        &["新来信", &code, MZJ_NAME],
    );
    shows(&mzj.get("/admin/letters").await, &[&code, SUBJECT]);
    let page = mzj.get(&ticket).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    shows(
        &page,
        &[
            NAME,
            PHONE,
            MZJ_NAME,
            &format!("由{RSJ_NAME}转至{MZJ_NAME}。转办理由：{REASON}"),
        ],
    );
    let csrf = csrf_of(&page.text);
    let r = mzj
        .post(&format!("{ticket}/accept"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        r.header("location"),
        Some(format!("{ticket}?done=accept").as_str())
    );
    shows(
        &mzj.get(&format!("{ticket}?done=accept")).await,
        &["已受理，答复期限已开始计算", "已受理"],
    );
    let r = mzj
        .post(
            &format!("{ticket}/reply"),
            &[("csrf", &csrf), ("text", REPLY)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = mzj.get(&format!("{ticket}?done=reply")).await;
    shows(
        &page,
        &[
            "已答复，来信人可查询答复内容",
            "已答复",
            REPLY,
            "申请答复公开",
        ],
    );
    let publication = format!("{ticket}/publication");
    assert!(page.text.contains(&format!("href=\"{publication}\"")));
    let form = mzj.get(&publication).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    shows(&form, &["尚未提请公开", "提请公开</button>"]);
    let draft = text_form(&form.text, &publication);
    no_personal_data("the draft", &format!("{draft:?}"));
    assert!(
        draft[2].1.contains("137****5678") && draft[3].1.contains(REPLY_PUBLIC),
        "{draft:?}"
    );
    let r = mzj.post(&publication, &pairs(&draft)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    shows(
        &mzj.get(&format!("{publication}?done=proposed")).await,
        &["已提请公开，待本单位信息审核员审核后在网站公开", "待审核"],
    );

    // The citizen tracks it at the county and reads the reply; not public before approval.
    let mut tracker = Browser::new(county);
    let mut tries = Deadline::new("the reply on the county's tracking page");
    while !track(&mut tracker, &code, &password)
        .await
        .text
        .contains(REPLY)
    {
        tries.wait().await;
    }
    let tracked = track(&mut tracker, &code, &password).await;
    assert_eq!(tracked.status, StatusCode::OK, "{}", tracked.text);
    shows(&tracked, &[SUBJECT, "已答复", MZJ_NAME, REPLY]);
    let replies = "/api/interaction/replies?site=tianhe";
    assert!(!county.get(replies).await.text.contains(&code));
    assert!(
        !county
            .get("/sites/tianhe/letters")
            .await
            .text
            .contains(REPLY_PUBLIC)
    );

    // The body's reviewer approves it in the queue.
    let queue = reviewer.get("/admin/letters/publication").await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.text);
    shows(
        &queue,
        &["待审核（1）", SUBJECT_PUBLIC, MZJ_NAME, "审核通过并公开"],
    );
    let approve = format!("/admin/letters/publication/{code}/approve");
    let fields = text_form(&queue.text, &approve);
    assert_eq!(fields[1..], draft[1..], "the proposed text is offered");
    let r = reviewer.post(&approve, &pairs(&fields)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let queue = reviewer
        .get("/admin/letters/publication?done=approved")
        .await;
    shows(
        &queue,
        &["已审核通过，答复已在网站公开", "待审核（0）", "已公开"],
    );

    // Public at the county once the approval arrives, without the citizen's data.
    let mut tries = Deadline::new("the approved reply on the county's letters page");
    let page = loop {
        let page = county.get("/sites/tianhe/letters").await;
        if page.text.contains(REPLY_PUBLIC) {
            break page;
        }
        tries.wait().await;
    };
    shows(&page, &[SUBJECT_PUBLIC, "137****5678"]);
    no_personal_data("the county's letters page", &page.text);
    let list = county.get(replies).await.text;
    assert!(
        list.contains(&code) && list.contains(REPLY_PUBLIC),
        "{list}"
    );
    no_personal_data("the county's public replies", &list);
    shows(&track(&mut tracker, &code, &password).await, &[REPLY]);

    // By URL: neither the first body's handler (after the transfer) nor an unrelated one.
    for (who, b) in [
        ("the first body", &mut rsj),
        ("an unrelated body", &mut gaj),
    ] {
        let r = b.get(&ticket).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.text);
        assert!(r.text.contains("该来信不属于您所在的单位"), "{}", r.text);
        assert!(!r.text.contains(NAME) && !r.text.contains(PHONE));
    }
    // No other e-mail: none to the unrelated body or the reviewer, none twice.
    sink.quiet(Duration::from_secs(4)).await;
    tree.shutdown().await;
}
