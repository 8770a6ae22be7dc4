//! The content checks as content's pre-publication check ([`PublicationGate`]): the
//! checker is cached and rebuilt when the province edits a list.

use std::sync::{Arc, Mutex};

use govnode_content::sanitize::html_to_text;
use govnode_content::{GateFinding, PublicationGate};
use govnode_federation::BoxFuture;

use super::checker::ContentChecker;
use crate::Monitoring;

/// The gate installed into content (`Content::with_gate`).
pub struct MonitoringGate {
    monitoring: Monitoring,
    /// The checker and the list revision it was built at.
    cache: Mutex<Option<(i64, Arc<ContentChecker>)>>,
}

impl MonitoringGate {
    /// The gate over `monitoring`'s lists.
    pub fn new(monitoring: Monitoring) -> MonitoringGate {
        MonitoringGate {
            monitoring,
            cache: Mutex::new(None),
        }
    }

    /// The checker over the lists in force (the shipped lists alone if the edits cannot
    /// be read: a check with the shipped lists beats none).
    pub async fn checker(&self) -> Arc<ContentChecker> {
        let rev = match self.monitoring.word_lists_rev().await {
            Ok(rev) => rev,
            Err(e) => {
                tracing::warn!(error = %e, "monitoring: word list edits unreadable");
                return Arc::new(ContentChecker::shipped());
            }
        };
        if let Some((at, c)) = self.cache.lock().ok().and_then(|c| c.clone())
            && at == rev
        {
            return c;
        }
        let c = match self.monitoring.content_checker().await {
            Ok(c) => Arc::new(c),
            Err(e) => {
                tracing::warn!(error = %e, "monitoring: word list edits unreadable");
                return Arc::new(ContentChecker::shipped());
            }
        };
        if let Ok(mut cache) = self.cache.lock() {
            *cache = Some((rev, c.clone()));
        }
        c
    }
}

impl PublicationGate for MonitoringGate {
    fn check<'a>(&'a self, title: &'a str, body_html: &'a str) -> BoxFuture<'a, Vec<GateFinding>> {
        Box::pin(async move {
            let checker = self.checker().await;
            checker
                .check(title, &html_to_text(body_html))
                .into_iter()
                .map(|f| GateFinding {
                    serious: f.serious(),
                    label: f.indicator.label().to_string(),
                    text: f.text,
                    detail: f.detail,
                })
                .collect()
        })
    }
}
