//! The federation's own tables (its migrations only): a log appended to, read back, and
//! reopened.

use govnode_federation::testing::{standalone_root_settings as settings, temp_database};
use govnode_federation::{Audience, EntryDraft, Federation, MIGRATOR, NodeKey};
use govnode_topology::NodeId;

#[tokio::test]
async fn log_appends_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &[&MIGRATOR]).await;
    let me: NodeId = "440000".parse().unwrap();
    let key = NodeKey::generate();
    let fed = Federation::open(settings(me, &key), key.clone(), read.clone(), write.clone())
        .await
        .unwrap();

    let mut tx = write.begin().await.unwrap();
    for object in ["a", "b"] {
        fed.append(
            &mut tx,
            EntryDraft {
                kind: "test.thing".into(),
                object: object.into(),
                audience: Audience::Public,
                payload: vec![1, 2, 3],
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let heads = fed.heads().await.unwrap();
    assert_eq!(heads.len(), 1);
    assert_eq!((heads[0].origin, heads[0].seq), (me, 2));
    assert_eq!(fed.log().size().await.unwrap().0, 2);
    assert_eq!(fed.log().certificates().await.unwrap().len(), 1);
    let latest = fed.log().latest_of_kind("test.thing").await.unwrap();
    assert_eq!(latest.map(|e| e.object), Some("b".to_string()));

    drop(fed);
    let again = Federation::open(settings(me, &key), key, read, write)
        .await
        .unwrap();
    assert_eq!(again.heads().await.unwrap(), heads);
}
