//! Thresholds set at a level: checked with Chinese refusals naming the item, stored with
//! their entry, in force at that level (the national defaults until then).

use govnode_federation::testing::{standalone_root, temp_database};
use govnode_monitoring::{Monitoring, MonitoringError, Thresholds};

#[tokio::test]
async fn thresholds_set_at_the_root_are_in_force_and_bad_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(
        dir.path(),
        &[&govnode_federation::MIGRATOR, &govnode_monitoring::MIGRATOR],
    )
    .await;
    let fed = standalone_root(&read, &write).await;
    let m = Monitoring::new(read, write).with_federation(fed.clone());
    let before = m.thresholds_in_force().await.unwrap();
    assert_eq!(before.thresholds, Thresholds::default());
    assert_eq!(before.origin, None);

    let bad = Thresholds {
        home_stale_days: 0,
        ..Thresholds::default()
    };
    match m.set_thresholds("wang", &bad, 1).await {
        Err(MonitoringError::Invalid(text)) => assert!(text.contains("首页更新期限"), "{text}"),
        other => panic!("{other:?}"),
    }
    let bad = Thresholds {
        availability_veto_percent: 120.0,
        ..Thresholds::default()
    };
    assert!(m.set_thresholds("wang", &bad, 1).await.is_err());

    let t = Thresholds {
        home_stale_days: 10,
        blank_columns_veto: 3,
        ..Thresholds::default()
    };
    m.set_thresholds("wang", &t, 5).await.unwrap();
    let now = m.thresholds_in_force().await.unwrap();
    assert_eq!(now.thresholds, t);
    assert_eq!(now.origin.as_deref(), Some(fed.me().to_string().as_str()));
    assert_eq!(now.set_by.as_deref(), Some("wang"));
    // The setting went into the log, for the levels below.
    let entry = fed
        .log()
        .latest_of_kind("monitoring.thresholds")
        .await
        .unwrap()
        .expect("the thresholds' entry");
    assert_eq!(entry.origin, fed.me());
}
