//! The dictionary as administrators read it: every phrase and card in effect at this node,
//! each with where it comes from (the shipped platform dictionary, a higher level, or this
//! level), and what this level overrides or removes.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Dictionary, DictionaryError};
use crate::lexicon::{Synonym, TopicCard, builtin_synonyms, builtin_topics};

/// Where an entry in effect comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum EntrySource {
    /// The platform dictionary shipped with the node (seeded by the province).
    Shipped,
    /// A higher level of the tree (its node id).
    Inherited(String),
    /// This node's level.
    Here,
}

/// A synonym in effect (or removed at this level).
#[derive(Debug, Clone, Serialize)]
pub struct EffectiveSynonym {
    /// The phrase.
    pub colloquial: String,
    /// Its official terms (empty for a phrase removed at this level).
    pub official: Vec<String>,
    /// Domain.
    pub category: String,
    /// Who set what is in effect.
    pub source: EntrySource,
    /// For an entry set here: the source of the entry it overrides or removes, if any.
    pub overrides: Option<EntrySource>,
    /// When it was last set (unix ms; 0 for the shipped dictionary standing in).
    pub updated_ms: i64,
}

/// A topic card in effect (or removed at this level).
#[derive(Debug, Clone, Serialize)]
pub struct EffectiveTopic {
    /// Card id.
    pub id: String,
    /// The card (None: removed at this level).
    pub card: Option<TopicCard>,
    /// Who set what is in effect.
    pub source: EntrySource,
    /// For a card set here: the source of the card it overrides or removes, if any.
    pub overrides: Option<EntrySource>,
}

impl Dictionary {
    /// The lineage's node ids, root first, and how many versions the shipped seed took at
    /// the root (its first versions), so a root entry can be told shipped or not.
    async fn sources(&self) -> Result<(Vec<String>, u64, bool), DictionaryError> {
        let lineage: Vec<String> = self
            .federation
            .lineage()
            .iter()
            .map(|n| n.to_string())
            .collect();
        let shipped = (builtin_synonyms().len() + builtin_topics().len()) as u64;
        let standing_in = match lineage.first() {
            Some(root) => self.shipped_stands_in(root).await?,
            None => true,
        };
        Ok((lineage, shipped, standing_in))
    }

    /// Where an entry of `origin` at `version` comes from; `shipped` is how many first
    /// versions of the root are its seed (0 when the root has not seeded it).
    fn source_of(&self, origin: &str, version: u64, root: &str, shipped: u64) -> EntrySource {
        if origin == root && version <= shipped {
            EntrySource::Shipped
        } else if origin == self.federation.me().to_string() {
            EntrySource::Here
        } else {
            EntrySource::Inherited(origin.to_string())
        }
    }

    /// Every phrase in effect here, and the phrases this level removed, by phrase.
    pub async fn effective_synonyms(&self) -> Result<Vec<EffectiveSynonym>, DictionaryError> {
        let (lineage, shipped, standing_in) = self.sources().await?;
        let shipped = if standing_in { 0 } else { shipped };
        let root = lineage.first().cloned().unwrap_or_default();
        let mut map: BTreeMap<String, EffectiveSynonym> = BTreeMap::new();
        if standing_in {
            for Synonym {
                colloquial,
                official,
                category,
            } in builtin_synonyms().iter().cloned()
            {
                map.insert(
                    colloquial.clone(),
                    EffectiveSynonym {
                        colloquial,
                        official,
                        category,
                        source: EntrySource::Shipped,
                        overrides: None,
                        updated_ms: 0,
                    },
                );
            }
        }
        for origin in &lineage {
            for row in self.synonyms_of(origin).await? {
                let source = self.source_of(origin, row.version, &root, shipped);
                let before = map.remove(&row.colloquial).map(|e| e.source);
                let here = source == EntrySource::Here;
                // A removal shows only here, and only where it hides something.
                if row.official.is_empty() && !(here && before.is_some()) {
                    continue;
                }
                map.insert(
                    row.colloquial.clone(),
                    EffectiveSynonym {
                        colloquial: row.colloquial,
                        official: row.official,
                        category: row.category,
                        overrides: if here { before } else { None },
                        source,
                        updated_ms: row.updated_ms,
                    },
                );
            }
        }
        Ok(map.into_values().collect())
    }

    /// Every topic card in effect here, and the cards this level removed, by id.
    pub async fn effective_topics(&self) -> Result<Vec<EffectiveTopic>, DictionaryError> {
        let (lineage, shipped, standing_in) = self.sources().await?;
        let shipped = if standing_in { 0 } else { shipped };
        let root = lineage.first().cloned().unwrap_or_default();
        let mut map: BTreeMap<String, EffectiveTopic> = BTreeMap::new();
        if standing_in {
            for card in builtin_topics() {
                map.insert(
                    card.id.clone(),
                    EffectiveTopic {
                        id: card.id.clone(),
                        card: Some(card),
                        source: EntrySource::Shipped,
                        overrides: None,
                    },
                );
            }
        }
        for origin in &lineage {
            for row in self.topics_of(origin).await? {
                let source = self.source_of(origin, row.version, &root, shipped);
                let before = map.remove(&row.id).map(|e| e.source);
                let here = source == EntrySource::Here;
                if row.card.is_none() && !(here && before.is_some()) {
                    continue;
                }
                map.insert(
                    row.id.clone(),
                    EffectiveTopic {
                        id: row.id,
                        card: row.card,
                        overrides: if here { before } else { None },
                        source,
                    },
                );
            }
        }
        Ok(map.into_values().collect())
    }
}
