//! The report: machine info and the Markdown of the Federation section.

use serde_json::Value;

use crate::GUANGDONG;

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn stats_row(name: &str, s: &Value) -> String {
    format!(
        "| {name} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |",
        s["n"],
        f(&s["p50"]),
        f(&s["p90"]),
        f(&s["p99"]),
        f(&s["mean"]),
        f(&s["max"])
    )
}

pub(crate) fn latency_md(tries: &[Value]) -> String {
    let mut md = String::from("### Propagation latency, county → city → province\n\n");
    let Some(ok) = tries.iter().find(|t| t.get("failed").is_none()) else {
        md.push_str("No tree size worked:\n\n");
        for t in tries {
            md.push_str(&format!("- {}\n", t["failed"].as_str().unwrap_or("?")));
        }
        return md;
    };
    for t in tries.iter().filter(|t| t.get("failed").is_some()) {
        md.push_str(&format!(
            "A larger tree failed first: {} ({} nodes had started; {} file descriptors open, {:.0} MiB RSS).\n\n",
            t["failed"].as_str().unwrap_or("?"),
            t["started"],
            t["fds"],
            f(&t["rss_mib"])
        ));
    }
    let a = &ok["after_start"];
    let per_city: Vec<usize> = ok["counties_per_city"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_u64)
                .map(|c| c as usize)
                .collect()
        })
        .unwrap_or_default();
    md.push_str(&format!(
        "A tree of {nodes} nodes in one process: 1 province, {cities} cities and {counties} counties \
(`Topology::synthetic(440000, &{per:?})`{shape}), every node a real \
`Node` with its own SQLite database, search index, HTTP listener and libp2p swarm on loopback, \
configured by `govnode::local_tree` (certificate chains to the province's root key, parent links, \
no aerial roots, anti-entropy every 30 s: propagation is driven by announcements alone). Each sample \
publishes an article at a random county through the workflow (create, submit, approve, publish) and \
times, from the commit of the publication, until the county's city and the province hold the entry \
(the origin's head reaches it; waited on with `federation.subscribe()`). Samples one at a time, \
10–50 ms apart.\n\n\
| hop | samples | p50 | p90 | p99 | mean | max |\n| --- | --- | --- | --- | --- | --- | --- |\n{city}\n{prov}\n\n\
| tree | |\n| --- | --- |\n\
| opening the {nodes} nodes, one after another | {start:.1} s |\n\
| until every node was connected to its parent | {connect:.1} s more |\n\
| until the province held every county's site and column | {settle:.1} s more |\n\
| process after start: RSS / threads / open file descriptors | {rss:.0} MiB / {threads} / {fds} |\n\
| process peak RSS (VmHWM, end of run) | {hwm:.0} MiB |\n\
| open-files limit | {nofile} |\n\n",
        nodes = ok["nodes"],
        cities = ok["cities"],
        counties = ok["counties"],
        per = per_city,
        shape = if per_city == GUANGDONG {
            ": Guangdong's shape, whose Dongguan and Zhongshan have no counties"
        } else {
            ""
        },
        city = stats_row("county → city", &ok["city"]),
        prov = stats_row("county → city → province", &ok["province"]),
        start = f(&ok["start_s"]),
        connect = f(&ok["connect_s"]),
        settle = f(&ok["settle_s"]),
        rss = f(&a["rss_mib"]),
        threads = a["threads"].as_str().unwrap_or("?"),
        fds = a["fds"],
        hwm = f(&ok["hwm_mib_end"]),
        nofile = ok["nofile"].as_str().unwrap_or("?"),
    ));
    md
}

pub(crate) fn catchup_md(c: &Value) -> String {
    let mut md = String::from("### Catch-up of a backlog\n\n");
    if let Some(e) = c.get("failed") {
        md.push_str(&format!("Failed: {}\n\n", e.as_str().unwrap_or("?")));
        return md;
    }
    let entries = f(&c["entries"]);
    let (city_s, prov_s) = (f(&c["city_s"]), f(&c["province_s"]));
    let payload = f(&c["payload_bytes"]);
    let link = f(&c["county_sent"]) + f(&c["county_received"]);
    md.push_str(&format!(
        "Province 440000, city 440100 and county 440106 in one process. The county, not syncing, \
imported {backlog} generated notices (about 400 characters each) with `Content::import_batch` \
(1000 a transaction; {import:.1} s, so {import_rate:.0} docs/s): {entries} entries in its log \
(the documents plus its site and column). Then the parents started, and then the county's sync; \
the figures run from that moment. Pull batches: at most {be} entries or {bb} MiB.\n\n\
| measure | value |\n| --- | --- |\n\
| until the city held the county's whole log | {city_s:.1} s: **{city_rate:.0} entries/s** |\n\
| until the province held it too (relayed by the city) | {prov_s:.1} s ({prov_rate:.0} entries/s end to end) |\n\
| entry payloads (sum of `payload` sizes) | {payload:.1} MiB ({per_entry:.0} bytes an entry) |\n\
| stored at the county (`fed_entries.bytes`, whole signed entries) | {stored:.1} MiB |\n\
| on the wire, county ↔ city (county's sent + received, `SyncService::bytes`) | {link:.1} MiB: {ks:.1} MiB sent, {kr:.2} MiB received; **{ratio:.2}× the payload** |\n\
| on the wire at the city (both links, as the province caught up too) | {cs:.1} MiB sent, {cr:.1} MiB received |\n\
| articles the city applied (`count_published` of the county's site) | {applied} |\n\
| process RSS before the county started syncing | {before:.0} MiB |\n\
| **peak RSS during the catch-up** ({peak_how}) | **{peak:.0} MiB** (sampled every 100 ms: {sampled:.0} MiB) |\n\
| CPU time of the process during the catch-up | {cpu:.0} s ({cores:.2} cores busy on average) |\n\n",
        backlog = c["backlog"],
        import = f(&c["import_s"]),
        import_rate = f(&c["backlog"]) / f(&c["import_s"]),
        be = c["batch_entries"],
        bb = f(&c["batch_bytes"]) / 1_048_576.0,
        city_rate = entries / city_s,
        prov_rate = entries / prov_s,
        payload = payload / 1_048_576.0,
        per_entry = payload / entries,
        stored = f(&c["stored_bytes"]) / 1_048_576.0,
        link = link / 1_048_576.0,
        ks = f(&c["county_sent"]) / 1_048_576.0,
        kr = f(&c["county_received"]) / 1_048_576.0,
        ratio = link / payload,
        cs = f(&c["city_sent"]) / 1_048_576.0,
        cr = f(&c["city_received"]) / 1_048_576.0,
        applied = c["city_published"],
        before = f(&c["rss_before_mib"]),
        peak_how = if c["hwm_reset"] == true {
            "VmHWM, reset through /proc/self/clear_refs when the county started"
        } else {
            "largest VmRSS sampled"
        },
        peak = f(&c["peak_rss_mib"]),
        sampled = f(&c["peak_rss_sampled_mib"]),
        cpu = f(&c["cpu_s"]),
        cores = f(&c["cpu_s"]) / prov_s,
    ));
    md
}

pub(crate) fn idle_md(i: &Value) -> String {
    let mut md = String::from("### An idle county process\n\n");
    if let Some(e) = i.get("failed") {
        md.push_str(&format!("Failed: {}\n\n", e.as_str().unwrap_or("?")));
        return md;
    }
    md.push_str(&format!(
        "The `govnode serve` binary ({profile} build) for county 440106 (enrolled: chain from `local_tree`; a site \
and 20 published articles), its parent 440100 and aerial root 440000 running in the bench process. \
Connected to both and its log held by the city after {ready:.1} s; then left idle for {idle} s.\n\n\
| measure | value |\n| --- | --- |\n\
| VmRSS after {idle} s idle | **{rss:.1} MiB** (anonymous {anon:.1} MiB, file-backed {file:.1} MiB) |\n\
| VmRSS when it had just connected | {ready_rss:.1} MiB |\n\
| VmHWM (peak since start) | {hwm:.1} MiB |\n\
| threads / open file descriptors | {threads} / {fds} |\n\
| CPU time used while idle | {cpu:.2} s over {idle} s |\n\n",
        profile = if cfg!(debug_assertions) { "debug" } else { "release" },
        ready = f(&i["ready_s"]),
        idle = i["idle_secs"],
        rss = f(&i["rss_mib"]),
        anon = f(&i["anon_mib"]),
        file = f(&i["file_mib"]),
        ready_rss = f(&i["rss_ready_mib"]),
        hwm = f(&i["hwm_mib"]),
        threads = i["threads"].as_str().unwrap_or("?"),
        fds = i["fds"],
        cpu = f(&i["idle_cpu_s"]),
    ));
    md
}
