//! The typed answer of a one-net search: what the API returns, what the search page
//! renders and what nodes send each other.

use std::collections::BTreeMap;

use govnode_topology::NodeId;
use serde::{Deserialize, Serialize};

use crate::{Expansion, TopicCard};

/// A hit as shown: its level, and links to its owner and to this node's copy.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerHit {
    /// Title.
    pub title: String,
    /// Where to send a reader: the owner's host, or the copy here while it is down.
    pub url: String,
    /// The canonical path on any node holding it.
    pub path: String,
    /// The owning site's first host name, when it has one.
    pub owner_url: Option<String>,
    /// The path of this node's replica, when it holds one.
    pub replica_url: Option<String>,
    /// The owner is known to be unreachable.
    pub owner_down: bool,
    /// HTML snippet (text escaped, matches in `<mark>`).
    pub snippet: String,
    /// Site id.
    pub site: String,
    /// Site name.
    pub site_name: String,
    /// Origin node.
    pub origin: String,
    /// The origin's level (`province`, `city`, `county`).
    pub level: Option<String>,
    /// The level in Chinese.
    pub level_label: Option<String>,
    /// Document type code.
    #[serde(rename = "type")]
    pub doc_type: String,
    /// Document type in Chinese.
    pub type_label: String,
    /// Publication time, RFC 3339 in Beijing time (its first ten characters are the date
    /// people see).
    pub published: String,
}

/// One value of a facet.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FacetValue {
    /// The filter value.
    pub value: String,
    /// Its name.
    pub label: String,
    /// Matching documents.
    pub count: u64,
}

/// Facets of an answer; levels are summed from origins.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerFacets {
    /// Document types.
    #[serde(rename = "type")]
    pub doc_type: Vec<FacetValue>,
    /// Sites.
    pub site: Vec<FacetValue>,
    /// Levels.
    pub level: Vec<FacetValue>,
    /// Years.
    pub year: Vec<FacetValue>,
    /// Issuing bodies (the 20 largest).
    pub issuing_body: Vec<FacetValue>,
}

/// The best hits of a result group.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerGroup {
    /// Group code.
    pub code: String,
    /// Chinese label.
    pub label: String,
    /// Matches in the group.
    pub total: u64,
    /// Its best hits.
    pub hits: Vec<AnswerHit>,
}

/// A search's answer, from this node or from the ancestor that held the scope.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchAnswer {
    /// Matching documents (all pages).
    pub total: usize,
    /// Time spent searching.
    pub took_ms: u64,
    /// The page.
    pub page: usize,
    /// Hits per page.
    pub per_page: usize,
    /// Hits of the page.
    pub hits: Vec<AnswerHit>,
    /// Matches per document type.
    pub types: BTreeMap<String, u64>,
    /// Facets.
    pub facets: AnswerFacets,
    /// Result groups (scenario search).
    pub groups: Vec<AnswerGroup>,
    /// Topic cards.
    pub topics: Vec<TopicCard>,
    /// The query as searched.
    pub normalized: String,
    /// How parts of the query were also read.
    pub expansions: Vec<Expansion>,
    /// A correction that was searched.
    pub corrected: Option<String>,
    /// The same correction, under the name clients know.
    pub did_you_mean: Option<String>,
    /// Too few documents held every word of the query, so documents holding most of them
    /// follow those that do (以下结果未包含全部关键词).
    #[serde(default)]
    pub relaxed: bool,
    /// When relaxed: how many documents hold every word.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exact_total: Option<usize>,
    /// The scope as named.
    pub scope: String,
    /// Some shards of the scope were not searched.
    pub partial: bool,
    /// Those shards.
    pub missing: Vec<String>,
    /// The node that searched.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub answered_by: NodeId,
}
