//! Site-id squatting (issue 11, item 7): an ancestor's claim on a site id wins. A city
//! creates `jyt` named 广东省教育厅; the province's own `jyt` then takes the id and the
//! city's replica is kept aside, never served or searched; the province's `jyt` reaching
//! the city supersedes the city's own site there (its data kept). A platform administrator
//! refuses a descendant's site, and lifts the refusal.
//!
//! Two nodes over their own databases, entries carried by `Federation::ingest` as a pull
//! would carry them (verified against the province's root key, applied by content's applier).

use std::sync::Arc;

use govnode_content::{
    ArticleInput, ColumnInput, Content, ContentApplier, ContentError, KIND_PREFIX, SiteInput,
    SiteState, Transition,
};
use govnode_federation::testing::{standalone_root_settings, temp_database};
use govnode_federation::{Certificate, Federation, FederationSettings, NodeKey};
use govnode_library::BlobStore;
use govnode_topology::{NodeId, Tier};
use sqlx::migrate::Migrator;
use tempfile::TempDir;

static MIGRATIONS: [&Migrator; 3] = [
    &govnode_federation::MIGRATOR,
    &govnode_library::MIGRATOR,
    &govnode_content::MIGRATOR,
];

struct Node {
    id: NodeId,
    content: Content,
    fed: Arc<Federation>,
    _dir: TempDir,
}

impl Node {
    async fn open(settings: FederationSettings, key: NodeKey) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let (read, write) = temp_database(dir.path(), &MIGRATIONS).await;
        let id = settings.me;
        let fed = Federation::open(settings, key, read.clone(), write.clone())
            .await
            .unwrap();
        fed.register(KIND_PREFIX, Arc::new(ContentApplier::new(&fed)));
        let blobs = BlobStore::new(
            &dir.path().join("blobs"),
            read.clone(),
            write.clone(),
            1 << 20,
        );
        let content = Content::new(read, write, blobs).with_federation(fed.clone());
        content.claim_origin(id.as_str()).await.unwrap();
        Node {
            id,
            content,
            fed,
            _dir: dir,
        }
    }

    /// Pulls everything `from` has logged of its own, as a sync would; returns the entries
    /// rejected before storing (bad signature, unchained certificate …).
    async fn pull(&self, from: &Node) -> Vec<String> {
        let entries = from
            .fed
            .log()
            .entries_after(from.id, 0, i64::MAX as u64, 10_000)
            .await
            .unwrap()
            .into_iter()
            .map(|(e, _)| e)
            .collect();
        let report = self
            .fed
            .ingest(from.id.as_str(), entries, from.fed.own_chain())
            .await
            .unwrap();
        report.rejected
    }

    async fn site(&self, id: &str, name: &str) -> Result<govnode_content::Site, ContentError> {
        let input: SiteInput = serde_json::from_value(serde_json::json!({
            "id": id, "name": name, "hosts": [], "owner_body": name,
            "body_code": format!("00{}", self.id), "region": self.id.as_str(),
        }))
        .unwrap();
        self.content.create_site("admin", &input).await
    }

    /// A column and one published article in `site`; returns the article id.
    async fn publish(&self, site: &str, title: &str) -> i64 {
        if self.content.column(site, "news").await.is_err() {
            let column = ColumnInput {
                slug: "news".into(),
                name: "工作动态".into(),
                kind: "news".into(),
                parent: None,
                update_interval_days: None,
                position: 0,
            };
            self.content
                .create_column("admin", site, &column)
                .await
                .unwrap();
        }
        let input = ArticleInput {
            column: Some("news".into()),
            title: title.into(),
            body: "正文。".into(),
            ..ArticleInput::default()
        };
        let a = self
            .content
            .create_article("editor", site, &input)
            .await
            .unwrap();
        for (who, t) in [
            ("editor", Transition::Submit),
            ("reviewer", Transition::Approve),
            ("reviewer", Transition::Publish),
        ] {
            self.content
                .transition(who, a.id, t, None, None)
                .await
                .unwrap();
        }
        a.id
    }

    async fn listed(&self, id: &str) -> govnode_content::SiteListing {
        self.content.site_listed(id).await.unwrap()
    }

    /// What the search index would hold after applying every change: live keys.
    async fn indexed(&self) -> Vec<String> {
        let mut live = std::collections::BTreeMap::new();
        for p in self.content.published_changes(0, 10_000).await.unwrap() {
            live.insert(format!("{}:{}", p.site, p.id), p.withdrawn.is_none());
        }
        live.into_iter()
            .filter(|(_, l)| *l)
            .map(|(k, _)| k)
            .collect()
    }
}

/// The province (root) and a city it certified.
async fn province_and_city() -> (Node, Node) {
    let province_id: NodeId = "440000".parse().unwrap();
    let city_id: NodeId = "440100".parse().unwrap();
    let root_key = NodeKey::generate();
    let city_key = NodeKey::generate();
    let root_settings = standalone_root_settings(province_id, &root_key);
    let root_cert = root_settings.chain[0].clone();
    let now = chrono_now();
    let city_cert = Certificate::issue(
        &root_key,
        province_id,
        city_id,
        Tier::City,
        city_key.public_bytes(),
        Some(province_id),
        now - 60_000,
        now + 86_400_000,
    );
    let city_settings = FederationSettings {
        me: city_id,
        tier: Tier::City,
        parent: Some(province_id),
        aerial_roots: Vec::new(),
        root_key: root_key.public_bytes(),
        chain: vec![city_cert, root_cert],
        topology: None,
        batch_entries: 500,
        batch_bytes: 4 << 20,
    };
    let province = Node::open(root_settings, root_key).await;
    let city = Node::open(city_settings, city_key).await;
    (province, city)
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn an_ancestors_claim_on_a_site_id_wins_up_and_down() {
    let (province, city) = province_and_city().await;
    // The city squats the province's department id and publishes as it.
    city.site("jyt", "广东省教育厅").await.unwrap();
    let squat = city.publish("jyt", "关于2026年高考加分政策的通知").await;
    assert!(province.pull(&city).await.is_empty());
    let replica = province.content.site("jyt").await.unwrap();
    assert_eq!(replica.origin, "440100");
    assert!(province.indexed().await.contains(&format!("jyt:{squat}")));

    // The province's own `jyt` takes the id (was: 409) ...
    let own = province.site("jyt", "广东省教育厅").await.unwrap();
    assert_eq!(own.origin, "440000");
    assert_eq!(province.content.site("jyt").await.unwrap().origin, "440000");
    // ... and the city's replica is kept aside, on record with its origin, not served.
    let aside = province.listed("jyt~440100").await;
    assert_eq!(aside.state, SiteState::Superseded);
    assert_eq!(
        (aside.claimed_id.as_str(), aside.site.origin.as_str()),
        ("jyt", "440100")
    );
    assert_eq!(aside.state_by, "440000");
    assert!(matches!(
        province.content.site("jyt~440100").await,
        Err(ContentError::NotFound(_))
    ));
    assert!(
        province
            .content
            .sites()
            .await
            .unwrap()
            .iter()
            .all(|s| s.origin == "440000"),
        "only the province's own site is served"
    );
    assert!(province.content.columns("jyt").await.unwrap().is_empty());
    assert!(
        province
            .content
            .published("jyt", squat)
            .await
            .unwrap()
            .is_none(),
        "the squatter's document is not served under the province's site"
    );
    // The squatter's document leaves the search index under the key it held.
    assert!(!province.indexed().await.contains(&format!("jyt:{squat}")));
    // A second local `jyt` is still a conflict.
    assert!(matches!(
        province.site("jyt", "重复").await,
        Err(ContentError::Conflict(_))
    ));

    // The city's later entries for `jyt` are refused, never applied to the province's site.
    let again = city
        .publish("jyt", "关于2026年高考加分政策的补充通知")
        .await;
    assert!(province.pull(&city).await.is_empty());
    assert_eq!(
        province.fed.rejected_counts().get("refused"),
        Some(&1),
        "the squatter's new article is stored and refused"
    );
    assert!(
        province
            .content
            .published("jyt", again)
            .await
            .unwrap()
            .is_none()
    );
    assert!(province.content.columns("jyt").await.unwrap().is_empty());

    // Down the tree: the province's `jyt` supersedes the city's own site there.
    let real = province
        .publish("jyt", "广东省教育厅关于做好2026年招生工作的通知")
        .await;
    assert!(city.pull(&province).await.is_empty());
    let served = city.content.site("jyt").await.unwrap();
    assert_eq!(served.origin, "440000");
    assert!(city.content.published("jyt", real).await.unwrap().is_some());
    let kept = city.listed("jyt~440100").await;
    assert_eq!(kept.state, SiteState::Superseded);
    assert_eq!(kept.state_by, "440000");
    // The city's own site is superseded, not deleted: its articles and published copies stay.
    let article = city.content.article(squat).await.unwrap();
    assert_eq!(article.site, "jyt~440100");
    assert!(
        city.content
            .published("jyt~440100", again)
            .await
            .unwrap()
            .is_some()
    );
    let indexed = city.indexed().await;
    assert!(indexed.contains(&format!("jyt:{real}")), "{indexed:?}");
    assert!(
        !indexed.iter().any(|k| k.starts_with("jyt~")),
        "{indexed:?}"
    );
    // The city can no longer create `jyt`: the ancestor's claim holds it.
    match city.site("jyt", "广东省教育厅").await {
        Err(ContentError::Conflict(m)) => assert!(m.contains("440000"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_province_refuses_a_descendants_site_and_lifts_the_refusal() {
    let (province, city) = province_and_city().await;
    city.site("fake", "广东省人民政府（仿冒）").await.unwrap();
    let doc = city.publish("fake", "仿冒通知").await;
    province.site("gd", "广东省人民政府").await.unwrap();
    assert!(province.pull(&city).await.is_empty());
    assert!(province.indexed().await.contains(&format!("fake:{doc}")));

    let refused = province
        .content
        .refuse_site("admin", "fake", "仿冒省政府网站")
        .await
        .unwrap();
    assert_eq!(refused.state, SiteState::Refused);
    assert_eq!(refused.state_reason, "仿冒省政府网站");
    assert!(matches!(
        province.content.site("fake").await,
        Err(ContentError::NotFound(_))
    ));
    assert!(!province.indexed().await.contains(&format!("fake:{doc}")));
    // Its owner's later changes still arrive (stored, not served).
    let later = city.publish("fake", "仿冒通知二").await;
    assert!(province.pull(&city).await.is_empty());
    assert!(!province.indexed().await.contains(&format!("fake:{later}")));

    // Only a descendant's serving replica can be refused.
    for (site, what) in [("gd", "own"), ("fake", "already refused")] {
        assert!(
            matches!(
                province.content.refuse_site("admin", site, "理由").await,
                Err(ContentError::Conflict(_))
            ),
            "{what}"
        );
    }
    assert!(matches!(
        province.content.refuse_site("admin", "nope", "理由").await,
        Err(ContentError::NotFound(_))
    ));
    assert!(matches!(
        province.content.refuse_site("admin", "fake", " ").await,
        Err(ContentError::Invalid {
            field: "reason",
            ..
        })
    ));
    city.pull(&province).await;
    assert!(matches!(
        city.content.refuse_site("admin", "gd", "理由").await,
        Err(ContentError::Conflict(_))
    ));

    let lifted = province
        .content
        .lift_refusal("admin", "fake")
        .await
        .unwrap();
    assert_eq!(lifted.state, SiteState::Serving);
    assert!(province.content.site("fake").await.is_ok());
    let indexed = province.indexed().await;
    for id in [doc, later] {
        assert!(indexed.contains(&format!("fake:{id}")), "{indexed:?}");
    }
    assert!(matches!(
        province.content.lift_refusal("admin", "fake").await,
        Err(ContentError::Conflict(_))
    ));
}
