//! Migration onto the platform: the corpus JSONL format, splitting regulations at their
//! articles (第N条), and writing a batch of documents as published in one transaction.

use std::collections::HashMap;

use serde::Deserialize;
use sqlx::Row;

use crate::articles::insert_revision;
use crate::audit::record;
use crate::published::{bump_change_seq, upsert};
use crate::sanitize::BodyFormat;
use crate::{ArticleInput, Content, ContentError, now_ms};

/// One line of the corpus format (see the README's import section).
#[derive(Debug, Clone, Deserialize)]
pub struct CorpusRecord {
    /// Stable id; the import key, so re-running an import skips what is in.
    pub id: String,
    /// `regulation` or `report`.
    #[serde(rename = "type")]
    pub kind: String,
    /// 行政法规, 地方性法规, …
    #[serde(default)]
    pub category: Option<String>,
    /// Title.
    pub title: String,
    /// `YYYY-MM-DD`, a year, or null.
    #[serde(default)]
    pub issued: Option<serde_json::Value>,
    /// Adoption and amendment lines.
    #[serde(default)]
    pub history: Option<serde_json::Value>,
    /// Region code of the issuing level.
    #[serde(default)]
    pub region: Option<String>,
    /// The region's name.
    #[serde(default)]
    pub issuer_scope: Option<String>,
    /// Markdown body.
    pub body_markdown: String,
    /// Where it came from.
    #[serde(default)]
    pub source_path: Option<String>,
}

/// A document ready to import.
#[derive(Debug, Clone)]
pub struct ImportDoc {
    /// Unique import key (record id, or `id#N` for the N-th article of a regulation).
    pub key: String,
    /// Key of the parent document, for split articles.
    pub parent_key: Option<String>,
    /// The article as an editor would have entered it.
    pub input: ArticleInput,
    /// Publication time to record (unix ms), from the document's date.
    pub published_ms: Option<i64>,
}

/// What a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportOutcome {
    /// Documents written.
    pub imported: u64,
    /// Documents already present (by key) and skipped.
    pub skipped: u64,
    /// Documents refused as invalid: (key, what is wrong). A refused parent takes its clauses with it.
    pub rejected: Vec<(String, String)>,
}

/// Parses one corpus line; the error says what is wrong with it.
pub fn parse_line(line: &str) -> Result<CorpusRecord, String> {
    let rec: CorpusRecord =
        serde_json::from_str(line).map_err(|e| format!("not a corpus record: {e}"))?;
    if rec.id.trim().is_empty() || rec.id.len() > 64 {
        return Err("field `id` must be 1–64 characters".into());
    }
    if rec.title.trim().is_empty() {
        return Err("field `title` is empty".into());
    }
    if rec.body_markdown.trim().is_empty() {
        return Err("field `body_markdown` is empty".into());
    }
    Ok(rec)
}

fn issued_date(v: &Option<serde_json::Value>) -> String {
    let s = match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => return String::new(),
    };
    if chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").is_ok() {
        s
    } else if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        format!("{s}-01-01")
    } else {
        String::new()
    }
}

fn history_text(v: &Option<serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s.trim().to_string(),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// Date at 00:00 China time, in unix ms.
pub(crate) fn date_ms(date: &str) -> Option<i64> {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    Some(govnode_topology::beijing::midnight_ms(d))
}

/// The clause number when a paragraph opens with 第…条 (e.g. "第十二条"), else none.
fn clause_heading(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('第')?;
    let end = rest.find('条')?;
    let num = &rest[..end];
    let ok = !num.is_empty()
        && num.chars().count() <= 8
        && num
            .chars()
            .all(|c| "零〇一二三四五六七八九十百千0123456789".contains(c));
    ok.then(|| &line[..'第'.len_utf8() + end + '条'.len_utf8()])
}

/// Turns a corpus record into documents: the whole text, and with `split` one more per article.
pub fn to_docs(rec: &CorpusRecord, split: bool) -> Vec<ImportDoc> {
    let date = issued_date(&rec.issued);
    let doc_type = if rec.kind == "report" {
        "report"
    } else {
        "law"
    };
    let issuing = rec.issuer_scope.clone().unwrap_or_default();
    let tags: Vec<String> = rec
        .category
        .iter()
        .filter(|c| !c.trim().is_empty())
        .map(|c| c.trim().chars().take(30).collect())
        .collect();
    let history = history_text(&rec.history);
    let body = if history.is_empty() {
        rec.body_markdown.clone()
    } else {
        let quoted: Vec<String> = history.lines().map(|l| format!("> {l}")).collect();
        format!("{}\n\n{}", quoted.join("\n>\n"), rec.body_markdown)
    };
    let base = |title: String, body: String, subtitle: String| ArticleInput {
        title,
        subtitle,
        body,
        body_format: BodyFormat::Markdown,
        issuing_body: issuing.chars().take(100).collect(),
        doc_type: doc_type.into(),
        date: date.clone(),
        tags: tags.clone(),
        ..ArticleInput::default()
    };
    let title: String = rec.title.trim().chars().take(200).collect();
    let mut docs = vec![ImportDoc {
        key: rec.id.clone(),
        parent_key: None,
        input: base(title.clone(), body, String::new()),
        published_ms: date_ms(&date),
    }];
    if !split || rec.kind == "report" {
        return docs;
    }
    let mut chapter = String::new();
    let mut current: Option<(String, Vec<&str>, String)> = None;
    let mut n = 0;
    let flush =
        |cur: Option<(String, Vec<&str>, String)>, docs: &mut Vec<ImportDoc>, n: &mut usize| {
            if let Some((clause, lines, chap)) = cur {
                *n += 1;
                let t: String = format!("{title} {clause}").chars().take(200).collect();
                docs.push(ImportDoc {
                    key: format!("{}#{n}", rec.id),
                    parent_key: Some(rec.id.clone()),
                    input: base(t, lines.join("\n\n"), chap),
                    published_ms: date_ms(&date),
                });
            }
        };
    for line in rec
        .body_markdown
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        if let Some(h) = line.strip_prefix('#') {
            flush(current.take(), &mut docs, &mut n);
            chapter = h.trim_start_matches('#').trim().chars().take(200).collect();
        } else if let Some(clause) = clause_heading(line) {
            flush(current.take(), &mut docs, &mut n);
            current = Some((clause.to_string(), vec![line], chapter.clone()));
        } else if let Some((_, lines, _)) = current.as_mut() {
            lines.push(line);
        }
    }
    flush(current.take(), &mut docs, &mut n);
    docs
}

impl Content {
    /// Imports documents as published into a column, in one transaction: all or nothing.
    /// Documents whose key is already present are skipped, so re-running resumes.
    pub async fn import_batch(
        &self,
        actor: &str,
        site: &str,
        column: &str,
        docs: &[ImportDoc],
        note: &str,
    ) -> Result<ImportOutcome, ContentError> {
        let site_row = self.site(site).await?;
        let column = self.column(site, column).await?;
        if column.archived {
            return Err(ContentError::Invalid {
                field: "column",
                message: format!("column `{}` is archived", column.slug),
            });
        }
        let mut out = ImportOutcome::default();
        let mut valid = Vec::with_capacity(docs.len());
        for d in docs {
            if d.parent_key
                .as_ref()
                .is_some_and(|p| out.rejected.iter().any(|(k, _)| k == p))
            {
                out.rejected
                    .push((d.key.clone(), "its parent document was refused".into()));
                continue;
            }
            match self.normalise(&d.input, column.kind).await {
                Ok(doc) => valid.push((d, doc)),
                Err(ContentError::Invalid { field, message }) => out
                    .rejected
                    .push((d.key.clone(), format!("{field}: {message}"))),
                Err(e) => return Err(e),
            }
        }
        let mut tx = self.write.begin().await?;
        let now = now_ms();
        // Pass 1: claim each import key; a key already present means the document is in.
        let mut ids: HashMap<&str, i64> = HashMap::new();
        let mut fresh = Vec::with_capacity(valid.len());
        for (d, mut doc) in valid {
            let parent_id = match d.parent_key.as_deref() {
                Some(k) => match ids.get(k) {
                    Some(id) => Some(*id),
                    None => sqlx::query("SELECT id FROM articles WHERE import_key = $1")
                        .bind(k)
                        .fetch_optional(&mut *tx)
                        .await?
                        .map(|r| r.try_get("id"))
                        .transpose()?,
                },
                None => None,
            };
            let row = sqlx::query(
                "INSERT INTO articles (site_id, column_id, state, created_by, revision, reason, import_key, parent_id, created_ms, updated_ms) \
                 VALUES ($1, $2, 'published', $3, 1, '', $4, $5, $6, $6) ON CONFLICT (import_key) DO NOTHING RETURNING id",
            )
            .bind(site)
            .bind(column.id)
            .bind(actor)
            .bind(&d.key)
            .bind(parent_id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else {
                out.skipped += 1;
                continue;
            };
            let id: i64 = row.try_get("id")?;
            ids.insert(&d.key, id);
            let published_ms = d.published_ms.unwrap_or(now);
            if doc.date.is_empty() {
                doc.date = govnode_topology::beijing::date(published_ms);
            }
            let year: i32 = doc
                .date
                .get(..4)
                .and_then(|y| y.parse().ok())
                .unwrap_or(1970);
            fresh.push((id, parent_id, published_ms, year, doc));
        }
        // Pass 2: index numbers in one block per year, change sequences in one block.
        let mut per_year: HashMap<i32, i64> = HashMap::new();
        for (_, _, _, year, _) in &fresh {
            *per_year.entry(*year).or_default() += 1;
        }
        let mut next_in_year = HashMap::with_capacity(per_year.len());
        for (year, count) in per_year {
            let first =
                govnode_library::reserve_index_numbers(&mut tx, &site_row.body_code, year, count)
                    .await?;
            next_in_year.insert(year, first);
        }
        let n = fresh.len() as i64;
        let first_change = if n > 0 {
            bump_change_seq(&mut tx, n).await? - n + 1
        } else {
            0
        };
        let mut drafts = Vec::with_capacity(fresh.len());
        for (i, (id, parent_id, published_ms, year, doc)) in fresh.iter().enumerate() {
            insert_revision(&mut tx, *id, 1, actor, doc).await?;
            let seq = next_in_year.get_mut(year).map(|s| {
                *s += 1;
                *s - 1
            });
            let index = govnode_library::IndexNumber {
                body_code: site_row.body_code.clone(),
                theme_code: doc.theme.clone(),
                year: *year,
                seq: seq.unwrap_or_default(),
            };
            let index_number = index.to_string();
            let row = crate::published::Row {
                id: *id,
                site,
                column_id: column.id,
                revision: 1,
                index_number: &index_number,
                published_ms: *published_ms,
                updated_ms: now,
                parent_id: *parent_id,
                doc,
                change_seq: first_change + i as i64,
            };
            upsert(&mut tx, &row).await?;
            drafts.extend(self.new_article_draft(&row, &column.slug));
            out.imported += 1;
        }
        self.append_drafts(&mut tx, drafts).await?;
        if out.imported > 0 {
            record(
                &mut tx,
                actor,
                "import",
                Some(site),
                ("column", &column.slug),
                &format!("{} documents published ({note})", out.imported),
            )
            .await?;
        }
        tx.commit().await?;
        if out.imported > 0 {
            self.announce();
            self.published_changed().await?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r###"{"id":"a1b2c3d4e5f60718","type":"regulation","category":"地方性法规","title":"广东省某某条例","issued":"2020-05-01","history":"2020年3月1日广东省第十三届人民代表大会常务委员会第十八次会议通过","region":"440000","issuer_scope":"广东","body_markdown":"## 第一章 总则\n\n第一条 为了规范管理，制定本条例。\n\n第二条 本条例适用于本省行政区域。\n\n本条所称单位，包括机关。\n\n## 第二章 附则\n\n第三条 本条例自2020年7月1日起施行。","source_path":"x.md"}"###;

    #[test]
    fn parses_and_splits_at_articles() {
        let rec = parse_line(LINE).unwrap();
        let docs = to_docs(&rec, true);
        assert_eq!(docs.len(), 4, "{docs:#?}");
        assert_eq!(docs[0].key, "a1b2c3d4e5f60718");
        assert!(docs[0].input.body.starts_with("> 2020年3月1日"));
        assert_eq!(docs[1].input.title, "广东省某某条例 第一条");
        assert_eq!(docs[1].input.subtitle, "第一章 总则");
        assert_eq!(docs[2].key, "a1b2c3d4e5f60718#2");
        assert!(
            docs[2].input.body.contains("本条所称单位"),
            "continuation paragraphs stay with their article"
        );
        assert_eq!(docs[3].input.subtitle, "第二章 附则");
        assert!(
            docs[1..]
                .iter()
                .all(|d| d.parent_key.as_deref() == Some("a1b2c3d4e5f60718"))
        );
        assert_eq!(docs[0].input.date, "2020-05-01");
        assert_eq!(to_docs(&rec, false).len(), 1);
    }

    #[test]
    fn bad_lines_say_what_is_wrong() {
        assert!(parse_line("{").unwrap_err().contains("not a corpus record"));
        assert!(
            parse_line(r#"{"id":"x","type":"regulation","title":"","body_markdown":"b"}"#)
                .unwrap_err()
                .contains("title")
        );
        assert!(
            parse_line(r#"{"id":"x","type":"regulation","title":"t"}"#)
                .unwrap_err()
                .contains("body_markdown")
        );
    }

    #[test]
    fn clause_headings() {
        assert_eq!(
            clause_heading("第一百二十三条 内容"),
            Some("第一百二十三条")
        );
        assert_eq!(clause_heading("第12条 内容"), Some("第12条"));
        assert_eq!(clause_heading("第一章 总则"), None);
        assert_eq!(clause_heading("第二款规定的条件"), None);
        assert_eq!(issued_date(&Some(serde_json::json!(1954))), "1954-01-01");
        assert_eq!(issued_date(&None), "");
    }
}
