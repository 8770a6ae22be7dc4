//! `cargo run --release -p govnode-tests --bin search_eval -- [--queries PATH] [--corpus PATH]
//! [--verbose] [--write-benchmarks] [--out PATH]`: search quality on the laws corpus.
//!
//! Every law of the corpus becomes one document (its whole text) in a fresh on-disk index;
//! every query of the evaluation set (TSV: `category  query  expected  note`, expected law
//! ids separated by `|`) is searched for its first page of 10 hits, and the rank of the
//! first expected id gives success@1, success@3 and MRR@10, per category and overall.
//! `--write-benchmarks` puts the table into the `## Search quality` section of BENCHMARKS.md.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use govnode_search::{Change, Document, SearchIndex, SearchQuery};
use govnode_tests::bench_kit::{machine, replace_section};
use serde_json::Value;

/// Documents per `SearchIndex::apply` call (one commit each).
const BATCH: usize = 5_000;
/// Hits looked at per query (the first page).
const DEPTH: usize = 10;
/// The section this command owns in BENCHMARKS.md.
const HEADING: &str = "## Search quality";

/// Command-line options.
struct Args {
    queries: PathBuf,
    heldout: PathBuf,
    corpus: PathBuf,
    out: PathBuf,
    verbose: bool,
    write: bool,
}

/// Parses the options; default paths are relative to the workspace root.
fn parse_args(root: &Path) -> Result<Args> {
    let mut a = Args {
        queries: root.join("tests/eval/search-queries.tsv"),
        heldout: root.join("tests/eval/search-queries-heldout.tsv"),
        corpus: root.join("../shared/corpus/laws.jsonl"),
        out: root.join("BENCHMARKS.md"),
        verbose: false,
        write: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--queries" => a.queries = PathBuf::from(value()?),
            "--heldout" => a.heldout = PathBuf::from(value()?),
            "--corpus" => a.corpus = PathBuf::from(value()?),
            "--out" => a.out = PathBuf::from(value()?),
            "--verbose" => a.verbose = true,
            "--write-benchmarks" => a.write = true,
            _ => bail!(
                "unknown `{flag}`; usage: search_eval [--queries P] [--heldout P] [--corpus P] [--verbose] [--write-benchmarks] [--out P]"
            ),
        }
    }
    Ok(a)
}

/// One line of the evaluation set.
struct EvalQuery {
    category: String,
    text: String,
    expected: Vec<String>,
    line: usize,
}

/// Reads the evaluation set; a malformed line is an error naming the file and line.
fn read_queries(path: &Path, shown: &str) -> Result<Vec<EvalQuery>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the queries {shown} (pass --queries PATH)"))?;
    let mut out = Vec::new();
    let mut header = false;
    for (i, raw) in text.lines().enumerate() {
        let (line, at) = (raw.trim_end_matches('\r'), i + 1);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if !header {
            let want = ["category", "query", "expected", "note"];
            if fields.iter().map(|f| f.trim()).ne(want) {
                bail!(
                    "{shown}:{at}: the header must be `category<TAB>query<TAB>expected<TAB>note`, found `{line}`"
                );
            }
            header = true;
            continue;
        }
        // The note may be left off entirely; anything else missing is an error.
        if !(3..=4).contains(&fields.len()) {
            bail!(
                "{shown}:{at}: expected 4 tab-separated fields (category, query, expected, note), found {}",
                fields.len()
            );
        }
        let (category, query) = (fields[0].trim(), fields[1].trim());
        let expected: Vec<String> = fields[2].split('|').map(|s| s.trim().to_string()).collect();
        if category.is_empty() || query.is_empty() {
            bail!("{shown}:{at}: empty category or query");
        }
        if expected.iter().any(String::is_empty) {
            bail!(
                "{shown}:{at}: `expected` must be law ids separated by `|`, found `{}`",
                fields[2]
            );
        }
        out.push(EvalQuery {
            category: category.to_string(),
            text: query.to_string(),
            expected,
            line: at,
        });
    }
    if out.is_empty() {
        bail!("{shown}: no queries");
    }
    Ok(out)
}

/// Drops Markdown heading marks (`## 第一章 总则` → `第一章 总则`), keeping the heading text.
fn strip_headings(markdown: &str) -> String {
    let lines: Vec<&str> = markdown
        .lines()
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with('#') {
                t.trim_start_matches('#').trim_start()
            } else {
                l
            }
        })
        .collect();
    lines.join("\n")
}

/// Unix seconds of `issued` (a date, taken at 00:00 China time, or a year), 0 if unknown.
fn published(issued: &Value) -> i64 {
    let s = match issued {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return 0,
    };
    let date = if s.len() == 4 {
        format!("{s}-01-01")
    } else {
        s
    };
    chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d")
        .ok()
        .map_or(0, |d| govnode_topology::beijing::midnight_ms(d) / 1000)
}

/// Reads the corpus: one document per law, and each law's title by id.
fn read_corpus(path: &Path, shown: &str) -> Result<(Vec<Document>, HashMap<String, String>)> {
    if !path.is_file() {
        bail!("corpus not found: {shown} (pass --corpus PATH to a laws.jsonl)");
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {shown}"))?;
    let (mut docs, mut titles) = (Vec::new(), HashMap::new());
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let r: Value =
            serde_json::from_str(line).with_context(|| format!("{shown}:{}: not JSON", i + 1))?;
        let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
        let id = s("id");
        if id.is_empty() {
            bail!("{shown}:{}: a record without `id`", i + 1);
        }
        titles.insert(id.clone(), s("title"));
        let category = s("category");
        docs.push(Document {
            key: id.clone(),
            title: s("title"),
            subtitle: String::new(),
            body_text: strip_headings(&s("body_markdown")),
            summary: String::new(),
            site: "laws".into(),
            site_name: "法律法规".into(),
            origin: s("region"),
            doc_type: "law".into(),
            column: String::new(),
            issuing_body: s("issuer_scope"),
            doc_number: String::new(),
            index_number: String::new(),
            // As the import tags a document with its category.
            tags: if category.is_empty() {
                Vec::new()
            } else {
                vec![category]
            },
            url: format!("/laws/{id}"),
            published: published(&r["issued"]),
        });
    }
    Ok((docs, titles))
}

/// Counts and sums of one group of queries.
#[derive(Default, Clone)]
struct Tally {
    n: usize,
    at1: usize,
    at3: usize,
    rr: f64,
}

impl Tally {
    /// Adds a query whose first expected id is at `rank` (1-based; None: not in the top 10).
    fn add(&mut self, rank: Option<usize>) {
        self.n += 1;
        if let Some(r) = rank {
            self.at1 += usize::from(r == 1);
            self.at3 += usize::from(r <= 3);
            self.rr += 1.0 / r as f64;
        }
    }

    /// Markdown table cells after the name.
    fn cells(&self) -> String {
        let n = self.n.max(1) as f64;
        format!(
            "{} | {:.1}% ({}) | {:.1}% ({}) | {:.3}",
            self.n,
            100.0 * self.at1 as f64 / n,
            self.at1,
            100.0 * self.at3 as f64 / n,
            self.at3,
            self.rr / n
        )
    }
}

fn main() {
    // A plain message (no backtrace, even under RUST_BACKTRACE=1) and a non-zero status.
    if let Err(e) = run() {
        eprintln!("search_eval: {e:#}");
        std::process::exit(1);
    }
}

/// Indexes the corpus, runs the evaluation set and reports.
fn run() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.canonicalize().context("workspace root")?;
    let args = parse_args(&root)?;
    // Shown relative to the workspace root, so reports do not name this machine's paths.
    let show = |p: &Path| {
        let p = p.display().to_string();
        p.replace(&format!("{}/", root.display()), "")
    };
    let (corpus_shown, queries_shown) = (show(&args.corpus), show(&args.queries));
    let heldout_shown = show(&args.heldout);
    let (docs, titles) = read_corpus(&args.corpus, &corpus_shown)?;
    let queries = read_queries(&args.queries, &queries_shown)?;
    let heldout = read_queries(&args.heldout, &heldout_shown)?;
    for (set, shown) in [(&queries, &queries_shown), (&heldout, &heldout_shown)] {
        for q in set {
            if let Some(id) = q.expected.iter().find(|id| !titles.contains_key(*id)) {
                bail!(
                    "{shown}:{}: expected id `{id}` is not in {corpus_shown}",
                    q.line
                );
            }
        }
    }

    let n_docs = docs.len();
    eprintln!("indexing {n_docs} laws from {corpus_shown} …");
    let dir = tempfile::Builder::new()
        .prefix("govnode-search-eval-")
        .tempdir()?;
    let index = SearchIndex::open(dir.path()).context("opening the index")?;
    let started = Instant::now();
    let mut through = 0;
    let mut docs = docs;
    while !docs.is_empty() {
        let batch: Vec<Change> = docs
            .drain(..BATCH.min(docs.len()))
            .map(Change::Upsert)
            .collect();
        through += batch.len() as u64;
        index.apply(batch, through).context("indexing")?;
    }
    let index_s = started.elapsed().as_secs_f64();
    eprintln!(
        "indexed {} documents in {index_s:.1} s; {} + {} queries …",
        index.num_docs(),
        queries.len(),
        heldout.len()
    );
    let dev = evaluate(&index, &queries)?;
    // The held-out set's queries are never printed: only its figures per category.
    let held = evaluate(&index, &heldout)?;
    println!("Development set ({queries_shown}):\n\n{}", dev.table);
    println!("Held-out set ({heldout_shown}):\n\n{}", held.table);
    let all = queries.len() + heldout.len();
    println!(
        "{all} queries over {n_docs} laws; indexing {index_s:.1} s, searching {:.2} ms a query on average",
        (dev.search_ms + held.search_ms) / all as f64
    );
    let failures = dev.failures;
    if args.verbose {
        println!("\nQueries whose first hit is not an expected law:\n");
        for (q, rank, total, top) in &failures {
            let expected: Vec<&str> = q
                .expected
                .iter()
                .map(|id| titles.get(id).map_or("?", String::as_str))
                .collect();
            let rank = rank.map_or("not in the top 10".into(), |r| format!("rank {r}"));
            println!("- [{}] {} ({rank}, {total} hits)", q.category, q.text);
            println!("    expected: {}", expected.join(" | "));
            println!("    top 3:    {}", top.join(" | "));
        }
    }

    if args.write {
        let (machine, when) = machine()?;
        let profile = if cfg!(debug_assertions) {
            "debug (not representative)"
        } else {
            "release"
        };
        let section = format!(
            "{HEADING}\n\n\
Generated by `tests/src/bin/search_eval.rs` (`cargo run --release -p govnode-tests --bin search_eval \
-- --write-benchmarks`); rerun it to replace this section.\n\n\
| | |\n| --- | --- |\n| machine | {machine} |\n| date | {when} |\n| build profile | {profile} |\n\
| queries | {nq} in `{queries_shown}` (development: tuned against), {nh} in `{heldout_shown}` (held out: never read while tuning) |\n\
| corpus | `{corpus_shown}`: {n_docs} laws, each indexed as one document (its whole text) |\n\n\
Each query is searched with `SearchIndex::search` for its first page of {DEPTH} hits; a query \
succeeds at k when one of its expected laws is among the first k hits, and MRR@10 averages \
1/rank of the first expected law (0 when none is in the first {DEPTH}).\n\n\
### Development set\n\n{dev_table}\n### Held-out set\n\n{held_table}\n",
            nq = queries.len(),
            nh = heldout.len(),
            dev_table = dev.table,
            held_table = held.table,
        );
        let text = std::fs::read_to_string(&args.out).unwrap_or_default();
        std::fs::write(&args.out, replace_section(&text, HEADING, &section))
            .with_context(|| format!("writing {}", args.out.display()))?;
        eprintln!("wrote the Search quality section of {}", args.out.display());
    }
    Ok(())
}

/// What one set of queries scored.
struct Scored<'q> {
    /// The Markdown table per category (in the order the file first names them) and overall.
    table: String,
    /// Queries whose first hit is not expected: (query, rank, total hits, top 3 titles).
    failures: Vec<(&'q EvalQuery, Option<usize>, usize, Vec<String>)>,
    /// Milliseconds spent searching.
    search_ms: f64,
}

/// Searches every query of `queries` for its first page and scores the ranks.
fn evaluate<'q>(index: &SearchIndex, queries: &'q [EvalQuery]) -> Result<Scored<'q>> {
    let mut order: Vec<String> = Vec::new();
    let mut by_category: BTreeMap<String, Tally> = BTreeMap::new();
    let (mut overall, mut failures, mut search_ms) = (Tally::default(), Vec::new(), 0.0);
    for q in queries {
        let query = SearchQuery {
            text: q.text.clone(),
            per_page: DEPTH,
            ..Default::default()
        };
        let t = Instant::now();
        let r = index
            .search(&query)
            .with_context(|| format!("searching `{}`", q.text))?;
        search_ms += t.elapsed().as_secs_f64() * 1e3;
        let rank = r
            .hits
            .iter()
            .take(DEPTH)
            .position(|h| q.expected.contains(&h.key))
            .map(|p| p + 1);
        if !by_category.contains_key(&q.category) {
            order.push(q.category.clone());
        }
        by_category.entry(q.category.clone()).or_default().add(rank);
        overall.add(rank);
        if rank != Some(1) {
            let top: Vec<String> = r.hits.iter().take(3).map(|h| h.title.clone()).collect();
            failures.push((q, rank, r.total, top));
        }
    }
    let mut table = String::from(
        "| category | queries | success@1 | success@3 | MRR@10 |\n| --- | --- | --- | --- | --- |\n",
    );
    for c in &order {
        table.push_str(&format!("| {c} | {} |\n", by_category[c].cells()));
    }
    table.push_str(&format!("| **all** | {} |\n", overall.cells()));
    Ok(Scored {
        table,
        failures,
        search_ms,
    })
}
