//! Search quality evaluation: MRR@10, Recall@1 and Recall@5 over labelled
//! queries, overall and per kind, through the same search path as every
//! client; several query sets (each on its own content) in one run; how many
//! queries changed their first result against a saved run; and how the
//! chatbot's choice between one answer, a list and "not found" fares.
//!
//! # Query files
//!
//! UTF-8, tab-separated, header `query<TAB>relevant<TAB>kind`. `relevant` is
//! one entry id, several ids joined by `,` (a hit on any of them counts), or
//! `-` for a question no entry answers (out of domain: left out of the
//! ranking figures, and expected to get "not found" from the chatbot).
//!
//! # Keywords as queries
//!
//! `--keywords` adds, for each content, every keyword of its entries typed
//! as a query, labelled with the entries that carry it: kind `kw-phrase`
//! for a keyword of two words or more (which names its entry, see
//! [`super::named`]), `kw-word` for one word. A check of the writers'
//! keywords on their own content, not a measure of generalization.
//!
//! # Suite files
//!
//! ```yaml
//! sets:
//!   - name: dev-a
//!     content: ../../shared/eval/dev-corpus        # relative to this file
//!     queries: [../../shared/eval/dev-queries.tsv, ../../shared/eval/out-of-domain.tsv]
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::query::Weights;
use super::{SearchEngine, SearchRequest};

/// Classic configurations to measure beside doum's own, on the same index
/// and queries in the same run: the same fields, one kind of analysis each,
/// plain BM25 (no synonyms, typo matching, 초성, coverage or named entries).
pub fn baselines() -> Vec<(&'static str, Weights)> {
    let none = Weights {
        title: 0.0,
        keywords: 0.0,
        body: 0.0,
        title_bigram: 0.0,
        body_bigram: 0.0,
        synonym: 0.0,
        fuzzy: 0.0,
        correction: 0.0,
        chosung: 0.0,
        chosung_head: 0.0,
        coverage: 0.0,
        named: 0.0,
    };
    vec![
        (
            "baseline: character bigrams, BM25",
            Weights {
                title_bigram: 2.0,
                body_bigram: 1.0,
                ..none
            },
        ),
        (
            "baseline: mecab-ko morphemes, BM25",
            Weights {
                title: 2.0,
                keywords: 2.0,
                body: 1.0,
                ..none
            },
        ),
    ]
}

/// The `relevant` value of a question no entry answers.
pub const OUT_OF_DOMAIN: &str = "-";

/// One labelled query: `query<TAB>relevant<TAB>kind`.
#[derive(Debug, Clone)]
pub struct LabeledQuery {
    /// The query text.
    pub query: String,
    /// The ids of the entries that answer it (any of them counts); empty for
    /// an out-of-domain question.
    pub relevant: Vec<String>,
    /// The query's kind (keyword, typo, ...).
    pub kind: String,
    /// Where it was read: `file:line`.
    pub origin: String,
}

impl LabeledQuery {
    /// True when `id` answers this query.
    pub fn is_relevant(&self, id: &str) -> bool {
        self.relevant.iter().any(|r| r == id)
    }

    /// True for a question no entry answers (`relevant` = `-`).
    pub fn out_of_domain(&self) -> bool {
        self.relevant.is_empty()
    }

    /// 1-based rank of the first relevant id in `ids`.
    fn rank(&self, ids: &[String]) -> Option<usize> {
        ids.iter()
            .position(|id| self.is_relevant(id))
            .map(|p| p + 1)
    }
}

/// Every keyword of `content`'s entries as a query for the entries that carry
/// it (see the module docs), in entry order.
pub fn keyword_queries(content: &crate::content::Content) -> Vec<LabeledQuery> {
    let mut out: Vec<LabeledQuery> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for e in content.entries() {
        for k in e.keywords.iter() {
            match seen.get(k) {
                Some(&i) => out[i].relevant.push(e.id.to_string()),
                None => {
                    seen.insert(k.to_string(), out.len());
                    let phrase = k.split_whitespace().nth(1).is_some();
                    out.push(LabeledQuery {
                        query: k.to_string(),
                        relevant: vec![e.id.to_string()],
                        kind: if phrase { "kw-phrase" } else { "kw-word" }.into(),
                        origin: format!("{}: keywords", e.source.display()),
                    });
                }
            }
        }
    }
    out
}

/// Reads a TSV file with header `query<TAB>relevant<TAB>kind` (see the module docs).
pub fn read_queries(path: &Path) -> Result<Vec<LabeledQuery>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 || line.trim().is_empty() {
            continue;
        }
        let at = format!("{}:{}", path.display(), i + 1);
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 3 {
            bail!(
                "{at}: expected 3 tab-separated columns (query, relevant, kind), found {}",
                cols.len()
            );
        }
        let relevant: Vec<String> = if cols[1].trim() == OUT_OF_DOMAIN {
            Vec::new()
        } else {
            cols[1].split(',').map(|s| s.trim().to_owned()).collect()
        };
        if relevant.iter().any(String::is_empty) {
            bail!(
                "{at}: `relevant` must be entry ids joined by `,` or `{OUT_OF_DOMAIN}`, found `{}`",
                cols[1]
            );
        }
        if cols[0].trim().is_empty() {
            bail!("{at}: the query is empty");
        }
        out.push(LabeledQuery {
            query: cols[0].into(),
            relevant,
            kind: cols[2].trim().into(),
            origin: at,
        });
    }
    Ok(out)
}

/// Every relevant id that is not an entry of the content, as `file:line: …`
/// (a typo in a label would otherwise read as a search miss).
pub fn unknown_ids(queries: &[LabeledQuery], known: impl Fn(&str) -> bool) -> Vec<String> {
    queries
        .iter()
        .flat_map(|q| {
            q.relevant
                .iter()
                .filter(|id| !known(id))
                .map(move |id| format!("{}: unknown entry id `{id}`", q.origin))
        })
        .collect()
}

/// One query set on one content directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalSet {
    /// Short name, shown as a column header and kept in saved runs.
    pub name: String,
    /// The content directory (holding `faq/`).
    pub content: PathBuf,
    /// Its query files.
    pub queries: Vec<PathBuf>,
}

/// Reads a suite file (see the module docs); paths are relative to it.
pub fn read_suite(path: &Path) -> Result<Vec<EvalSet>> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        sets: Vec<Set>,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Set {
        name: String,
        content: PathBuf,
        queries: Vec<PathBuf>,
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let file: File = serde_yaml::from_str(&text).map_err(|e| {
        let line = e.location().map_or(1, |l| l.line());
        anyhow::anyhow!("{}:{line}: {e}", path.display())
    })?;
    let base = path.parent().unwrap_or(Path::new(""));
    let mut names = BTreeSet::new();
    let mut sets = Vec::new();
    for s in file.sets {
        if !names.insert(s.name.clone()) {
            bail!("{}: two sets are named `{}`", path.display(), s.name);
        }
        if s.queries.is_empty() {
            bail!("{}: set `{}` has no query file", path.display(), s.name);
        }
        sets.push(EvalSet {
            name: s.name,
            content: base.join(s.content),
            queries: s.queries.into_iter().map(|q| base.join(q)).collect(),
        });
    }
    if sets.is_empty() {
        bail!("{}: no sets", path.display());
    }
    Ok(sets)
}

/// Sets from command-line pairs: one content directory takes every query
/// file; otherwise the i-th `--content` goes with the i-th `--queries`.
pub fn sets_from_pairs(
    contents: &[PathBuf],
    queries: &[PathBuf],
    keywords: bool,
) -> Result<Vec<EvalSet>> {
    if queries.is_empty() {
        if !keywords {
            bail!("give `--queries FILE` (with `--content DIR`), `--keywords` or `--suite FILE`");
        }
        let dirs: Vec<&Path> = contents.iter().map(PathBuf::as_path).collect();
        return Ok(contents
            .iter()
            .enumerate()
            .map(|(i, content)| EvalSet {
                name: short_name(&dirs, i),
                content: content.clone(),
                queries: Vec::new(),
            })
            .collect());
    }
    let pairs: Vec<(PathBuf, Vec<PathBuf>)> = match contents {
        [one] => vec![(one.clone(), queries.to_vec())],
        many if many.len() == queries.len() => many
            .iter()
            .cloned()
            .zip(queries.iter().map(|q| vec![q.clone()]))
            .collect(),
        many => bail!(
            "{} `--content` for {} `--queries`: give one content directory, or one per query file",
            many.len(),
            queries.len()
        ),
    };
    let dirs: Vec<&Path> = pairs.iter().map(|(c, _)| c.as_path()).collect();
    Ok(pairs
        .iter()
        .enumerate()
        .map(|(i, (content, queries))| EvalSet {
            name: short_name(&dirs, i),
            content: content.clone(),
            queries: queries.clone(),
        })
        .collect())
}

/// The shortest tail of `dirs[i]` (at least its last component, and more
/// when that is `corpus` or `content`) that no other directory ends with.
fn short_name(dirs: &[&Path], i: usize) -> String {
    let parts: Vec<String> = dirs[i]
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|c| c != "." && !c.is_empty())
        .collect();
    let generic = |s: &str| matches!(s, "corpus" | "content" | "faq");
    for n in 1..=parts.len() {
        let tail = parts[parts.len() - n..].join("/");
        if n == 1 && parts.len() > 1 && generic(&tail) {
            continue;
        }
        let unique = dirs
            .iter()
            .enumerate()
            .all(|(j, d)| j == i || !d.ends_with(&tail));
        if unique {
            return tail;
        }
    }
    format!("set {}", i + 1)
}

/// Aggregated figures for a set of queries.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Metrics {
    /// Number of queries.
    pub n: usize,
    /// Mean reciprocal rank within the top 10.
    pub mrr: f64,
    /// Share with the relevant entry first.
    pub recall1: f64,
    /// Share with the relevant entry in the top 5.
    pub recall5: f64,
}

impl Metrics {
    fn add(&mut self, rank: Option<usize>) {
        self.n += 1;
        if let Some(r) = rank {
            self.mrr += 1.0 / r as f64;
            self.recall1 += f64::from(u8::from(r == 1));
            self.recall5 += f64::from(u8::from(r <= 5));
        }
    }
    fn finish(mut self) -> Self {
        if self.n > 0 {
            let n = self.n as f64;
            self.mrr /= n;
            self.recall1 /= n;
            self.recall5 /= n;
        }
        self
    }
}

/// Where one query's relevant entry ranked.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The query.
    pub query: String,
    /// Its kind.
    pub kind: String,
    /// The relevant ids.
    pub relevant: Vec<String>,
    /// Rank (1-based) of the first relevant id within the top 10, if there.
    pub rank: Option<usize>,
    /// What came first.
    pub first: Option<String>,
}

/// The evaluation report of one query set.
#[derive(Debug, Clone)]
pub struct Report {
    /// All in-domain queries.
    pub overall: Metrics,
    /// Per kind.
    pub per_kind: BTreeMap<String, Metrics>,
    /// Every in-domain query, in file order.
    pub outcomes: Vec<Outcome>,
    /// Out-of-domain queries (left out of the figures).
    pub out_of_domain: usize,
}

impl Report {
    /// Queries whose relevant entry was not first.
    pub fn misses(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| o.rank != Some(1))
    }
}

/// The top 10 ids for `query`, through [`SearchEngine::search`].
fn top10(engine: &SearchEngine, query: &str) -> Vec<String> {
    SearchRequest::new(query)
        .and_then(|r| r.size(10))
        .ok()
        .and_then(|r| engine.search(&r).ok())
        .map(|res| res.hits.iter().map(|h| h.id.clone()).collect())
        .unwrap_or_default()
}

/// Runs every in-domain query through [`SearchEngine::search`] (top 10).
pub fn evaluate(engine: &SearchEngine, queries: &[LabeledQuery]) -> Report {
    let mut overall = Metrics::default();
    let mut per_kind: BTreeMap<String, Metrics> = BTreeMap::new();
    let mut outcomes = Vec::new();
    let mut out_of_domain = 0;
    for q in queries {
        if q.out_of_domain() {
            out_of_domain += 1;
            continue;
        }
        let ids = top10(engine, &q.query);
        let rank = q.rank(&ids);
        overall.add(rank);
        per_kind.entry(q.kind.clone()).or_default().add(rank);
        outcomes.push(Outcome {
            query: q.query.clone(),
            kind: q.kind.clone(),
            relevant: q.relevant.clone(),
            rank,
            first: ids.into_iter().next(),
        });
    }
    Report {
        overall: overall.finish(),
        per_kind: per_kind.into_iter().map(|(k, m)| (k, m.finish())).collect(),
        outcomes,
        out_of_domain,
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&table(&[("", self)]))
    }
}

/// Per-kind figures of several sets side by side, one column group per set.
pub fn table(reports: &[(&str, &Report)]) -> String {
    let mut s = String::new();
    let kinds: BTreeSet<&String> = reports
        .iter()
        .flat_map(|(_, r)| r.per_kind.keys())
        .collect();
    const GROUP: usize = 27;
    if reports.iter().any(|(name, _)| !name.is_empty()) {
        let _ = write!(s, "{:<12}", "");
        for (name, _) in reports {
            let _ = write!(s, " | {name:<GROUP$}");
        }
        s.push('\n');
    }
    let _ = write!(s, "{:<12}", "kind");
    for _ in reports {
        let _ = write!(s, " | {:>4} {:>7} {:>6} {:>6}", "n", "MRR@10", "R@1", "R@5");
    }
    s.push('\n');
    let mut row = |label: &str, pick: &dyn Fn(&Report) -> Option<Metrics>| {
        let _ = write!(s, "{label:<12}");
        for (_, r) in reports {
            match pick(r) {
                Some(m) => {
                    let _ = write!(
                        s,
                        " | {:>4} {:>7.3} {:>6.3} {:>6.3}",
                        m.n, m.mrr, m.recall1, m.recall5
                    );
                }
                None => {
                    let _ = write!(s, " | {:GROUP$}", "");
                }
            }
        }
        s.push('\n');
    };
    for k in kinds {
        row(k, &|r: &Report| r.per_kind.get(k).copied());
    }
    row("overall", &|r: &Report| Some(r.overall));
    s
}

/// A saved run: per set and query, whether its relevant entry came first.
pub type SavedRun = HashMap<(String, String), bool>;

/// Writes `set<TAB>query<TAB>relevant<TAB>first<TAB>rank` lines for `--compare`.
pub fn save_run(path: &Path, reports: &[(&str, &Report)]) -> Result<()> {
    let mut s = String::from("set\tquery\trelevant\tfirst\trank\n");
    for (name, r) in reports {
        for o in &r.outcomes {
            let _ = writeln!(
                s,
                "{name}\t{}\t{}\t{}\t{}",
                o.query,
                o.relevant.join(","),
                o.first.as_deref().unwrap_or("-"),
                o.rank.map_or("-".into(), |r| r.to_string())
            );
        }
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let tmp = tempfile::NamedTempFile::new_in(dir.unwrap_or(Path::new(".")))
        .with_context(|| format!("writing {}", path.display()))?;
    std::fs::write(tmp.path(), s).with_context(|| format!("writing {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Reads a run written by [`save_run`].
pub fn read_run(path: &Path) -> Result<SavedRun> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = HashMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 5 {
            bail!(
                "{}:{}: expected 5 tab-separated columns (set, query, relevant, first, rank)",
                path.display(),
                i + 1
            );
        }
        out.insert((cols[0].to_owned(), cols[1].to_owned()), cols[4] == "1");
    }
    Ok(out)
}

/// Queries of one set whose first result changed against a saved run.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Now first, not first before.
    pub better: Vec<String>,
    /// First before, not now.
    pub worse: Vec<String>,
    /// Queries the saved run did not have.
    pub new: usize,
}

/// Compares one set's outcomes with a saved run.
pub fn compare(saved: &SavedRun, set: &str, report: &Report) -> Changes {
    let mut c = Changes::default();
    for o in &report.outcomes {
        let now = o.rank == Some(1);
        match saved.get(&(set.to_owned(), o.query.clone())) {
            None => c.new += 1,
            Some(&before) if before && !now => c.worse.push(o.query.clone()),
            Some(&before) if !before && now => c.better.push(o.query.clone()),
            Some(_) => {}
        }
    }
    c
}

/// What the chatbot does with one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatOutcome {
    /// One entry as the answer.
    Direct(String),
    /// A list of entries (the first page shown).
    List(Vec<String>),
    /// The "not found" card (with 상담원 연결).
    NotFound,
}

/// The chatbot's choices over a query set.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ChatMetrics {
    /// In-domain questions.
    pub n: usize,
    /// Answered with one entry.
    pub direct: usize,
    /// ... and that entry is relevant.
    pub direct_right: usize,
    /// Answered with a list.
    pub list: usize,
    /// ... that holds a relevant entry.
    pub list_right: usize,
    /// Answered "not found".
    pub not_found: usize,
    /// ... although a relevant entry was among the search's top 5.
    pub not_found_missed: usize,
    /// Out-of-domain questions.
    pub ood: usize,
    /// ... answered "not found".
    pub ood_not_found: usize,
    /// ... answered with one entry.
    pub ood_direct: usize,
}

/// Asks the chatbot's choice for every query: `answer` returns the outcome
/// and the search's ranked ids.
pub fn evaluate_chat(
    queries: &[LabeledQuery],
    mut answer: impl FnMut(&str) -> (ChatOutcome, Vec<String>),
) -> (ChatMetrics, Vec<String>) {
    let mut m = ChatMetrics::default();
    let mut notes = Vec::new();
    for q in queries {
        let (outcome, ranked) = answer(&q.query);
        if q.out_of_domain() {
            m.ood += 1;
            match &outcome {
                ChatOutcome::NotFound => m.ood_not_found += 1,
                ChatOutcome::Direct(id) => {
                    m.ood_direct += 1;
                    notes.push(format!("out-of-domain answered: {} -> {id}", q.query));
                }
                ChatOutcome::List(_) => notes.push(format!("out-of-domain listed: {}", q.query)),
            }
            continue;
        }
        m.n += 1;
        match &outcome {
            ChatOutcome::Direct(id) => {
                m.direct += 1;
                if q.is_relevant(id) {
                    m.direct_right += 1;
                } else {
                    notes.push(format!(
                        "wrong answer [{}] {} -> {id} (want {})",
                        q.kind,
                        q.query,
                        q.relevant.join(",")
                    ));
                }
            }
            ChatOutcome::List(ids) => {
                m.list += 1;
                if ids.iter().any(|id| q.is_relevant(id)) {
                    m.list_right += 1;
                }
            }
            ChatOutcome::NotFound => {
                m.not_found += 1;
                if ranked.iter().take(5).any(|id| q.is_relevant(id)) {
                    m.not_found_missed += 1;
                    notes.push(format!(
                        "not found, but ranked [{}] {} (want {})",
                        q.kind,
                        q.query,
                        q.relevant.join(",")
                    ));
                }
            }
        }
    }
    (m, notes)
}

/// A row of [`chat_table`]: its label and how to compute it.
type ChatRow<'a> = (&'a str, &'a dyn Fn(&ChatMetrics) -> String);

/// The chat figures of several sets side by side.
pub fn chat_table(sets: &[(&str, ChatMetrics)]) -> String {
    let pct = |a: usize, b: usize| {
        if b == 0 {
            "-".to_owned()
        } else {
            format!("{:.1}%", 100.0 * a as f64 / b as f64)
        }
    };
    let mut s = format!("{:<34}", "chat");
    for (name, _) in sets {
        let _ = write!(s, " {name:>12}");
    }
    s.push('\n');
    let rows: [ChatRow; 7] = [
        ("questions", &|m| m.n.to_string()),
        ("direct answers (share)", &|m| pct(m.direct, m.n)),
        ("  right (precision)", &|m| pct(m.direct_right, m.direct)),
        ("lists (share)", &|m| pct(m.list, m.n)),
        ("  holding a right entry", &|m| pct(m.list_right, m.list)),
        ("not found (share)", &|m| pct(m.not_found, m.n)),
        ("  right entry in the top 5", &|m| {
            pct(m.not_found_missed, m.not_found)
        }),
    ];
    for (label, f) in rows {
        let _ = write!(s, "{label:<34}");
        for (_, m) in sets {
            let _ = write!(s, " {:>12}", f(m));
        }
        s.push('\n');
    }
    if sets.iter().any(|(_, m)| m.ood > 0) {
        let rows: [ChatRow; 3] = [
            ("out-of-domain questions", &|m| m.ood.to_string()),
            ("  not found (상담원 연결)", &|m| {
                pct(m.ood_not_found, m.ood)
            }),
            ("  direct answers", &|m| m.ood_direct.to_string()),
        ];
        for (label, f) in rows {
            let _ = write!(s, "{label:<34}");
            for (_, m) in sets {
                let _ = write!(s, " {:>12}", f(m));
            }
            s.push('\n');
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn reads_multi_ids_and_out_of_domain_rows() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "q.tsv",
            "query\trelevant\tkind\n환불\ta, b\tkeyword\n날씨\t-\tnone\n",
        );
        let q = read_queries(&p).unwrap();
        assert_eq!(q[0].relevant, ["a", "b"]);
        assert!(q[0].is_relevant("b") && !q[0].is_relevant("c"));
        assert_eq!(q[0].rank(&["c".into(), "b".into()]), Some(2));
        assert!(q[1].out_of_domain());
        assert!(q[1].origin.ends_with("q.tsv:3"));
        assert_eq!(
            unknown_ids(&q, |id| id == "a"),
            [format!("{}: unknown entry id `b`", q[0].origin)]
        );
        let bad = write(dir.path(), "bad.tsv", "h\n환불\ta,,b\tkeyword\n");
        let err = read_queries(&bad).unwrap_err().to_string();
        assert!(err.contains("bad.tsv:2") && err.contains("`a,,b`"), "{err}");
        let short = write(dir.path(), "short.tsv", "h\n환불\ta\n");
        let err = read_queries(&short).unwrap_err().to_string();
        assert!(
            err.contains("short.tsv:2") && err.contains("found 2"),
            "{err}"
        );
    }

    #[test]
    fn pairs_and_suites_name_their_sets() {
        let p = |s: &str| PathBuf::from(s);
        let sets = sets_from_pairs(
            &[p("../e/dev-corpus"), p("../e/dev-b/corpus")],
            &[p("a.tsv"), p("b.tsv")],
            false,
        )
        .unwrap();
        assert_eq!(sets[0].name, "dev-corpus");
        assert_eq!(sets[1].name, "dev-b/corpus");
        assert_eq!(sets[1].queries, [p("b.tsv")]);
        let one = sets_from_pairs(&[p("content")], &[p("a.tsv"), p("o.tsv")], false).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].queries.len(), 2);
        assert!(sets_from_pairs(&[p("a"), p("b")], &[p("q")], false).is_err());
        assert!(sets_from_pairs(&[p("a")], &[], false).is_err());
        // The keywords alone: a set per content, without query files.
        let kw = sets_from_pairs(&[p("a"), p("b")], &[], true).unwrap();
        assert_eq!(kw.len(), 2);
        assert!(kw.iter().all(|s| s.queries.is_empty()));

        let dir = tempfile::tempdir().unwrap();
        let suite = write(
            dir.path(),
            "s.yaml",
            "sets:\n  - name: x\n    content: c\n    queries: [q.tsv, o.tsv]\n",
        );
        let sets = read_suite(&suite).unwrap();
        assert_eq!(sets[0].content, dir.path().join("c"));
        assert_eq!(sets[0].queries[1], dir.path().join("o.tsv"));
        let bad = write(dir.path(), "b.yaml", "sets:\n  - name: x\n    contnt: c\n");
        let err = read_suite(&bad).unwrap_err().to_string();
        assert!(err.contains("b.yaml:") && err.contains("contnt"), "{err}");
    }

    fn report(outcomes: &[(&str, Option<usize>)]) -> Report {
        Report {
            overall: Metrics::default(),
            per_kind: BTreeMap::new(),
            outcomes: outcomes
                .iter()
                .map(|(q, rank)| Outcome {
                    query: (*q).into(),
                    kind: "keyword".into(),
                    relevant: vec!["a".into()],
                    rank: *rank,
                    first: Some("a".into()),
                })
                .collect(),
            out_of_domain: 0,
        }
    }

    #[test]
    fn a_saved_run_tells_which_queries_changed_first_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.tsv");
        let before = report(&[("x", Some(1)), ("y", Some(2)), ("z", Some(1))]);
        save_run(&path, &[("s", &before)]).unwrap();
        let saved = read_run(&path).unwrap();
        let after = report(&[("x", Some(3)), ("y", Some(1)), ("z", Some(1)), ("w", None)]);
        let c = compare(&saved, "s", &after);
        assert_eq!(c.better, ["y"]);
        assert_eq!(c.worse, ["x"]);
        assert_eq!(c.new, 1);
        assert_eq!(compare(&saved, "other", &after).new, 4);
    }

    #[test]
    fn chat_figures_count_each_choice() {
        let q = |query: &str, relevant: &[&str]| LabeledQuery {
            query: query.into(),
            relevant: relevant.iter().map(|s| s.to_string()).collect(),
            kind: "k".into(),
            origin: String::new(),
        };
        let queries = [
            q("d1", &["a"]),
            q("d2", &["a"]),
            q("l", &["b"]),
            q("n", &["c"]),
            q("ood", &[]),
        ];
        let (m, notes) = evaluate_chat(&queries, |text| match text {
            "d1" => (ChatOutcome::Direct("a".into()), vec!["a".into()]),
            "d2" => (ChatOutcome::Direct("x".into()), vec!["x".into()]),
            "l" => (ChatOutcome::List(vec!["x".into(), "b".into()]), vec![]),
            "n" => (ChatOutcome::NotFound, vec!["x".into(), "c".into()]),
            _ => (ChatOutcome::NotFound, vec![]),
        });
        assert_eq!((m.n, m.direct, m.direct_right), (4, 2, 1));
        assert_eq!((m.list, m.list_right), (1, 1));
        assert_eq!((m.not_found, m.not_found_missed), (1, 1));
        assert_eq!((m.ood, m.ood_not_found, m.ood_direct), (1, 1, 0));
        assert_eq!(notes.len(), 2);
        assert!(chat_table(&[("s", m)]).contains("50.0%"));
    }
}
