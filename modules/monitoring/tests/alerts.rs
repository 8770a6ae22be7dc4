//! Alerts open with a veto item, stay one per item while it lasts, resolve when it is gone,
//! and escalate after the period; the mail marks.

use govnode_federation::testing::temp_database;
use govnode_monitoring::alerts::ESCALATE_AFTER_DAYS;
use govnode_monitoring::{Finding, Indicator, Monitoring, Severity};

fn finding(indicator: Indicator, severity: Severity) -> Finding {
    Finding {
        site: "tianhe".into(),
        indicator,
        severity,
        subject: "首页".into(),
        detail: format!("{}：测试", indicator.label()),
        at_ms: 0,
    }
}

#[tokio::test]
async fn an_alert_per_veto_item_from_its_appearance_to_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(dir.path(), &[&govnode_monitoring::MIGRATOR]).await;
    let m = Monitoring::new(read, write);
    let day = 86_400_000;
    let home = finding(Indicator::HomeStale, Severity::Veto);
    let link = finding(Indicator::DeadLink, Severity::Deduction);
    // A deduction opens nothing; a veto opens one alert, once.
    let opened = m
        .update_alerts("tianhe", &[home.clone(), link.clone()], 0)
        .await
        .unwrap();
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].indicator, Indicator::HomeStale);
    assert!(
        m.update_alerts("tianhe", std::slice::from_ref(&home), day)
            .await
            .unwrap()
            .is_empty()
    );
    // Another site's alerts are its own.
    assert_eq!(
        m.update_alerts("yuexiu", std::slice::from_ref(&home), day)
            .await
            .unwrap()
            .len(),
        1
    );
    let mine = m.alerts(Some(&["tianhe".to_string()]), 10).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert!(!mine[0].escalated(day));
    assert!(mine[0].escalated(ESCALATE_AFTER_DAYS * day));
    // Mail: failures counted, then sent; a sent alert is not sent again.
    let to_mail = m.alerts_to_mail(5).await.unwrap();
    assert_eq!(to_mail.len(), 2);
    m.alert_mailed(to_mail[0].id, false).await.unwrap();
    m.alert_mailed(to_mail[0].id, true).await.unwrap();
    assert_eq!(m.alerts_to_mail(5).await.unwrap().len(), 1);
    // The item gone: resolved, not escalated, no longer mailed; it may open again later.
    assert!(
        m.update_alerts("tianhe", &[link], 2 * day)
            .await
            .unwrap()
            .is_empty()
    );
    let mine = m.alerts(Some(&["tianhe".to_string()]), 10).await.unwrap();
    assert_eq!(mine[0].resolved_ms, Some(2 * day));
    assert!(!mine[0].escalated(10 * day));
    assert_eq!(
        m.update_alerts("tianhe", &[home], 3 * day)
            .await
            .unwrap()
            .len(),
        1
    );
    let all = m.alerts(None, 10).await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(all[0].resolved_ms.is_none() && all[2].resolved_ms.is_some());
}
