//! The report: machine info and the Markdown of the "Search at province scale" section.

use serde_json::Value;

use crate::util::median;

/// The section this bench owns in BENCHMARKS.md.
pub(crate) const HEADING: &str = "## Search at province scale";

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// `p50 / p90 / p99 / mean` of a latency summary.
fn lat(s: &Value) -> String {
    let ms = |k: &str| {
        let v = f(&s[k]);
        if v < 10.0 {
            format!("{v:.2}")
        } else {
            format!("{v:.0}")
        }
    };
    format!(
        "{} / {} / {} / {} ms",
        ms("p50"),
        ms("p90"),
        ms("p99"),
        ms("mean")
    )
}

/// The totals of the queries both engines counted: (tantivy median, FTS5 median, queries
/// where FTS5 found more, queries compared).
fn agreement(t: &Value, fts: &Value) -> (u64, u64, usize, usize) {
    let list = |v: &Value| -> Vec<u64> {
        v["totals"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default()
    };
    let (a, b) = (list(t), list(fts));
    let n = a.len().min(b.len());
    let more = (0..n).filter(|&i| b[i] > a[i]).count();
    (median(a[..n].to_vec()), median(b[..n].to_vec()), more, n)
}

fn failed(part: &Value) -> Option<String> {
    part.get("failed")
        .map(|e| format!("Failed: {}\n\n", e.as_str().unwrap_or("?")))
}

/// The article corpus: both engines side by side.
pub(crate) fn articles_md(a: &Value, corpus: &str) -> String {
    let mut md = String::from("### Article corpus: tantivy and SQLite FTS5 (trigram)\n\n");
    if let Some(e) = failed(a) {
        return md + &e;
    }
    let (t, s) = (&a["tantivy"], &a["fts"]);
    let n = f(&a["articles"]);
    let (tm, fm, more, compared) = agreement(t, s);
    let mix = &a["mix"];
    let sample: Vec<&str> = mix["sample"]
        .as_array()
        .map(|v| v.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    md.push_str(&format!(
        "`{corpus}`: {laws} regulations split at their articles (第N条, the import's splitting) \
into {n} documents of {chars:.0} characters on average, titled `law title 第N条`. Tantivy through \
`SearchIndex` (jieba; on disk; `apply` batches of 10,000, one commit each). FTS5: one table \
`docs(title, body)` with `tokenize='trigram'`, through sqlx (one connection, WAL, \
`synchronous=NORMAL`, transactions of 10,000 rows, 100 rows an INSERT), then `'optimize'`.\n\n\
The query mix: {q} queries from the laws' titles ({two} of 2 characters, {three} of 3, {four} of 4, \
{pairs} of two words that occur in one title; words are jieba's words of the titles that occur in \
3 or more titles but not in more than 1 in 20, sampled with a fixed seed), e.g. {sample}. Tantivy runs `SearchIndex::search` (first \
page of 10 hits with everything it computes: query understanding, snippets, total, facet counts). FTS5 runs `SELECT rowid, title, snippet(…) \
FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10`, each term quoted; trigram matching needs 3+ \
characters a term, so a 2-character term becomes `(title LIKE '%term%' OR body LIKE '%term%')`, \
as SQLite's documentation recommends, without rank when no term reaches MATCH ({like} queries \
have such a term; a LIKE alone scans the table until it has 10 rows). One warm-up round, then 3 \
rounds one query after another; 2 threads run the mix twice each.\n\n\
| | tantivy (`SearchIndex`) | SQLite FTS5 trigram |\n| --- | --- | --- |\n\
| build | {ti:.1} s ({trate:.0} docs/s) | {fb:.1} s ({frate:.0} rows/s) + optimize {fo:.1} s |\n\
| size on disk | {tsize:.0} MiB | {fsize:.0} MiB |\n\
| latency p50 / p90 / p99 / mean | {tlat} | {flat} |\n\
| throughput, 1 thread | {tq1:.0} queries/s | {fq1:.0} queries/s |\n\
| throughput, 2 threads | {tq2:.0} queries/s | (one connection) |\n\
| median total hits ({compared} queries) | {tm} | {fm} (more than tantivy for {more}) |\n\n\
FTS5 by query kind: MATCH only ({nm} samples) {fmatch}; with a LIKE term ({nl} samples) {flike}. \
Totals differ by design: FTS5 matches any substring, tantivy matches jieba's words (a query word \
inside a longer indexed word is found only through that word's in-dictionary sub-words).\n\n",
        laws = a["laws"],
        chars = f(&a["chars_mean"]),
        q = mix["n"],
        two = mix["two"],
        three = mix["three"],
        four = mix["four"],
        pairs = mix["pairs"],
        like = mix["like"],
        sample = sample.join("、"),
        ti = f(&t["index_s"]),
        trate = n / f(&t["index_s"]),
        fb = f(&s["build_s"]),
        frate = n / f(&s["build_s"]),
        fo = f(&s["optimize_s"]),
        tsize = f(&t["size_mib"]),
        fsize = f(&s["size_mib"]),
        tlat = lat(&t["latency"]),
        flat = lat(&s["latency"]),
        tq1 = f(&t["qps1"]),
        fq1 = f(&s["qps1"]),
        tq2 = f(&t["qps2"]),
        nm = s["latency_match"]["n"],
        fmatch = lat(&s["latency_match"]),
        nl = s["latency_like"]["n"],
        flike = lat(&s["latency_like"]),
    ));
    md
}

/// The generated corpus: tantivy's figures, then FTS5's.
pub(crate) fn large_md(l: &Value, fts: &Value, docs: usize) -> String {
    let mut md = format!("### {docs} generated documents\n\n");
    if let Some(e) = failed(l) {
        return md + &e;
    }
    let n = f(&l["docs"]);
    md.push_str(&format!(
        "Document i is article i mod N followed by another article (a multiplicative stride over \
the corpus), titled with the first article's law title and i: real text recombined, \
{chars:.0} characters on average. Tantivy on disk, `apply` batches of 10,000 in one process \
that holds the article corpus and jieba's dictionary for the query mix (RSS before indexing: \
{before:.0} MiB). Same query mix: one \
warm-up round, 3 rounds, then 2 threads.\n\n\
| tantivy | value |\n| --- | --- |\n\
| documents | {n} |\n\
| index time | {idx:.0} s: **{rate:.0} docs/s** (CPU {cpu:.0} s, {cores:.2} cores busy) |\n\
| index size on disk (merges settled) | {size:.0} MiB ({per:.0} bytes a document) |\n\
| process RSS after indexing / peak (VmRSS / VmHWM) | {ri:.0} MiB / {hi:.0} MiB |\n\
| process RSS after the queries / peak | {re:.0} MiB / {he:.0} MiB (anonymous {anon:.0} MiB, file-backed {file:.0} MiB: the index's mapped files) |\n\
| latency p50 / p90 / p99 / mean | {lat} |\n\
| throughput, 1 thread / 2 threads | {q1:.0} / {q2:.0} queries/s |\n\
| median total hits | {mt} |\n\n",
        chars = f(&l["chars_mean"]),
        before = f(&l["rss_before_mib"]),
        idx = f(&l["index_s"]),
        rate = n / f(&l["index_s"]),
        cpu = f(&l["index_cpu_s"]),
        cores = f(&l["index_cpu_s"]) / f(&l["index_s"]),
        size = f(&l["size_mib"]),
        per = f(&l["size_mib"]) * 1_048_576.0 / n,
        ri = f(&l["rss_indexed_mib"]),
        hi = f(&l["hwm_indexed_mib"]),
        re = f(&l["rss_end_mib"]),
        he = f(&l["hwm_end_mib"]),
        anon = f(&l["anon_end_mib"]),
        file = f(&l["file_end_mib"]),
        lat = lat(&l["latency"]),
        q1 = f(&l["qps1"]),
        q2 = f(&l["qps2"]),
        mt = l["median_total"],
    ));
    if let Some(e) = failed(fts) {
        return md + "FTS5: " + &e;
    }
    let rows = fts["rows"].as_u64().unwrap_or(0);
    let cut = if rows < fts["target"].as_u64().unwrap_or(0) {
        format!(
            "**{rows} of the {docs} documents**: the build stopped at its time budget of {} s \
(transactions of 10,000), so FTS5's figures are for that smaller table",
            fts["budget_s"]
        )
    } else {
        format!("all {rows} documents")
    };
    let (tm, fm, more, compared) = agreement(l, fts);
    md.push_str(&format!(
        "FTS5 trigram, same build as above, on {cut}; one warm-up round and one measured round \
(a LIKE-only query reads the table until it has 10 rows).\n\n\
| FTS5 trigram | value |\n| --- | --- |\n\
| build | {b:.0} s ({rate:.0} rows/s) + optimize {o:.0} s |\n\
| database size | {size:.0} MiB |\n\
| latency p50 / p90 / p99 / mean | {lat} |\n\
| latency, MATCH only ({nm} samples) | {lm} |\n\
| latency, with a LIKE term ({nl} samples) | {ll} |\n\
| throughput, 1 thread | {q1:.1} queries/s |\n\
| median total hits ({compared} queries; tantivy on its {tdocs} documents) | {fm} (tantivy {tm}; FTS5 more for {more}) |\n\n",
        b = f(&fts["build_s"]),
        rate = rows as f64 / f(&fts["build_s"]),
        o = f(&fts["optimize_s"]),
        size = f(&fts["size_mib"]),
        lat = lat(&fts["latency"]),
        lm = lat(&fts["latency_match"]),
        ll = lat(&fts["latency_like"]),
        nm = fts["latency_match"]["n"],
        nl = fts["latency_like"]["n"],
        q1 = f(&fts["qps1"]),
        tdocs = n,
    ));
    md
}

/// Scope forwarding: the three paths' latencies.
pub(crate) fn forward_md(fw: &Value) -> String {
    let mut md = String::from("### Scope forwarding, county → province\n\n");
    if let Some(e) = failed(fw) {
        return md + &e;
    }
    let paths = fw["paths"].as_array().cloned().unwrap_or_default();
    let row = |p: &Value| {
        let s = &p["latency"];
        format!(
            "| {} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |\n",
            p["path"].as_str().unwrap_or("?"),
            s["n"],
            f(&s["p50"]),
            f(&s["p90"]),
            f(&s["p99"]),
            f(&s["mean"]),
            f(&s["max"])
        )
    };
    let rows: String = paths.iter().map(row).collect();
    md.push_str(&format!(
        "A tree of 6 nodes in one process (`TestTree`: real libp2p on loopback): province 440000, \
cities 440100 and 440300, counties 440106 and 440103 under 440100 (440103 with the province as \
an aerial root) and 440303 under 440300. {p} articles of the corpus published at the province \
through the workflow. `GET /api/search?q=…&scope=province`, timed by a reqwest client in the same \
process, for the {q} queries of the mix that find something there (median {mt} hits), in turn at: \
the province (*local*, it holds every shard); county 440106 (*via city*: it lacks its cousins' \
shards, so the query goes as a `Query` request county → city → province and the province's answer \
comes back the same way); county 440103 (*aerial*: straight to the province over its aerial link). \
Every answer was checked whole (`partial: false`, `answered_by: 440000`) and the three totals equal. \
One warm-up round.\n\n\
| path | requests | p50 | p90 | p99 | mean | max |\n| --- | --- | --- | --- | --- | --- | --- |\n{rows}\n",
        p = fw["published"],
        q = fw["queries"],
        mt = fw["median_total"],
    ));
    md
}
