//! The content module's sites as the search module links to them: the one place the
//! node joins the two (neither module knows the other).

use std::collections::HashMap;

use govnode_content::Content;
use govnode_federation::BoxFuture;
use govnode_search::federated::{SiteDirectory, SiteLink};

/// The sites this node holds, read from the content module.
pub(crate) struct ContentSites(pub Content);

impl SiteDirectory for ContentSites {
    fn sites(&self) -> BoxFuture<'_, Result<HashMap<String, SiteLink>, String>> {
        Box::pin(async move {
            let sites = self.0.sites().await.map_err(|e| e.to_string())?;
            Ok(sites
                .into_iter()
                .map(|s| {
                    let link = SiteLink {
                        name: s.name.clone(),
                        host: s.hosts.first().cloned(),
                        replica: self.0.is_replica(&s),
                    };
                    (s.id, link)
                })
                .collect())
        })
    }
}
