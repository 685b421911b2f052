//! The `doum` command line: check, index, search, serve, eval.
//!
//! Every setting is a flag with its environment variable, passed to the library as a
//! parameter.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use doum::accounts::AccountSource;
use doum::ask::Assistant;
use doum::config::{self, Paths};
use doum::reload::Live;
use doum::search::{SearchRequest, Sort, build, eval};
use doum::web::{AppState, WebConfig};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Parser)]
#[command(
    name = "doum",
    version,
    about = "도움: Korean help-center search, rules and KakaoTalk skill"
)]
struct Cli {
    /// Content directory (faq/, synonyms.yaml, rules/); `eval` takes several.
    #[arg(long, global = true, default_value = "content", env = "DOUM_CONTENT", action = clap::ArgAction::Append)]
    content: Vec<PathBuf>,
    /// Index directory.
    #[arg(long, global = true, default_value = "index", env = "DOUM_INDEX")]
    index: PathBuf,
    /// Accounts file (YAML or JSON) for personal answers; default: the shipped sample.
    #[arg(
        long,
        global = true,
        env = "DOUM_ACCOUNTS",
        conflicts_with = "accounts_url"
    )]
    accounts: Option<PathBuf>,
    /// Base URL of the account API (GET {url}/accounts/{id}) instead of a file.
    #[arg(long, global = true, env = "DOUM_ACCOUNTS_URL")]
    accounts_url: Option<String>,
    /// Data directory: search analytics and feedback (`doum.sqlite`).
    #[arg(long, global = true, default_value = "data", env = "DOUM_DATA")]
    data: PathBuf,
    /// PostgreSQL URL (`postgres://user:password@host:port/db`) for analytics shared by
    /// several replicas, instead of the data directory's SQLite file.
    #[arg(long, global = true, env = "DOUM_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Semantic re-ranking with the embedding model: on or off.
    #[arg(long, global = true, default_value = "on", env = "DOUM_SEMANTIC")]
    semantic: doum::semantic::Switch,
    /// Korean dictionary cache, checked against its manifest at start and rebuilt if
    /// damaged (default: <index>/dictionary).
    #[arg(long, global = true, env = "DOUM_DICT_DIR")]
    dictionary: Option<PathBuf>,
    /// Embedding model and passage-vector cache (default: <index>/model).
    #[arg(long, global = true, env = "DOUM_MODEL_DIR")]
    model: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate the content directory; print every problem with file and line.
    Check {
        /// Also verify every file of the cached Korean dictionary against its manifest
        /// (SHA-256), rebuilding it if damaged.
        #[arg(long)]
        deep: bool,
    },
    /// Build the search index from the content (atomically replaces the old one).
    Index,
    /// Search the FAQ.
    Search {
        /// What to look for.
        query: String,
        /// Only this category (path prefix, e.g. "결제 관리/환불 요청").
        #[arg(long)]
        category: Option<String>,
        /// Number of results.
        #[arg(long, default_value_t = 5)]
        limit: usize,
        /// relevance or updated.
        #[arg(long, default_value = "relevance")]
        sort: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Answer a question, personally when an account is given (search, then rules).
    Ask {
        /// The question, e.g. "환불 받고 싶어요".
        question: String,
        /// Advertiser account id (e.g. A-1001) for a personal answer.
        #[arg(long)]
        account: Option<String>,
        /// Also print why: every row tried, which condition failed, the actual value.
        #[arg(long)]
        explain: bool,
        /// Evaluate as of this date, YYYY-MM-DD (default: today in Korea).
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run the HTTP service.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "DOUM_ADDR")]
        addr: String,
        /// Public URL of the service, for absolute links (default: http://<addr>).
        #[arg(long, env = "DOUM_PUBLIC_URL")]
        public_url: Option<String>,
        /// Reload the content when files under --content change.
        #[arg(long, env = "DOUM_WATCH")]
        watch: bool,
        /// Seconds a client has to send a request's headers, and then its body.
        #[arg(long, default_value_t = 10, env = "DOUM_READ_TIMEOUT")]
        read_timeout: u64,
        /// Connections served at once (more wait in the listen queue).
        #[arg(long, default_value_t = 512, env = "DOUM_MAX_CONNECTIONS")]
        max_connections: usize,
        /// Seconds shutdown waits for requests in flight.
        #[arg(long, default_value_t = 20, env = "DOUM_SHUTDOWN_GRACE")]
        shutdown_grace: u64,
        /// Bearer token of the agent API and page: at least 32 characters (surrounding
        /// whitespace trimmed), else serve refuses to start; none turns the agent area off.
        #[arg(long, env = "DOUM_AGENT_TOKEN", hide_env_values = true)]
        agent_token: Option<String>,
        /// The X-Doum-Skill-Secret header Open Builder must send; without it the Kakao skill
        /// gives general answers only (it never looks an account up).
        #[arg(long, env = "DOUM_KAKAO_SECRET", hide_env_values = true)]
        kakao_secret: Option<String>,
        /// Hosts the skill may POST callbacks to: comma-separated host suffixes or origins
        /// (default: kakao.com,kakaoenterprise.com).
        #[arg(long, env = "DOUM_KAKAO_CALLBACK_HOSTS")]
        kakao_callback_hosts: Option<String>,
        /// Page where advertisers link KakaoTalk to an ad account: the chatbot's "how to
        /// link" card gets a button to it (default: none, text only).
        #[arg(long, env = "DOUM_KAKAO_LINK_URL")]
        kakao_link_url: Option<String>,
    },
    /// Search analytics: top queries, no-result queries, unopened results, 아니요 votes.
    Report {
        /// Since when: 7d, 24h, 30m, or YYYY-MM-DD.
        #[arg(long, default_value = "7d")]
        since: String,
        /// Rows per list.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Talk to a running skill server as a KakaoTalk user would (see docs/kakao.md).
    Chat(doum::chat::cli::ChatArgs),
    /// Write a seeded synthetic corpus composed from the content (for benchmarks at scale).
    Generate {
        /// Number of entries.
        #[arg(long)]
        entries: usize,
        /// Seed: the same seed and content give the same corpus.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the corpus (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Measure search quality on labelled query sets (see src/search/eval.rs).
    Eval {
        /// TSV file: query<TAB>relevant<TAB>kind (repeatable: the i-th goes with the i-th
        /// --content, or all with a single one).
        #[arg(long)]
        queries: Vec<PathBuf>,
        /// A suite file naming sets (content + query files) instead of --content/--queries.
        #[arg(long, conflicts_with = "queries")]
        suite: Option<PathBuf>,
        /// Save which entry came first for every query, for a later --compare.
        #[arg(long)]
        save: Option<PathBuf>,
        /// Count the queries whose first result changed against a --save'd run.
        #[arg(long)]
        compare: Option<PathBuf>,
        /// Also measure the chatbot's choice: one answer, a list, or not found.
        #[arg(long)]
        chat: bool,
        /// Also list the queries whose entry was not ranked first.
        #[arg(long)]
        misses: bool,
        /// Try another field weight, e.g. `--weight title=4` (repeatable).
        #[arg(long = "weight")]
        weights: Vec<String>,
        /// Also measure classic baselines (bigram BM25, morpheme BM25) in the same run.
        #[arg(long)]
        baselines: bool,
        /// Try another re-ranking parameter, e.g. `--rerank alpha=0.3` or `clear=1.5` (repeatable).
        #[arg(long = "rerank")]
        rerank: Vec<String>,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "doum=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn progress_bar(label: &str) -> impl FnMut(usize, usize) {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(label.to_string());
    move |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        if done == total {
            bar.finish();
        }
    }
}

fn say(s: &str) {
    eprintln!("{s}");
}

fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Eval {
        queries,
        suite,
        misses,
        weights,
        baselines,
        save,
        compare,
        chat,
        rerank,
    } = &cli.command
    {
        let sets = match suite {
            Some(file) => eval::read_suite(file)?,
            None => eval::sets_from_pairs(&cli.content, queries)?,
        };
        let paths = Paths::new(&cli.content[0], &cli.index)
            .with_dictionary(cli.dictionary.clone())
            .with_model(cli.model.clone());
        let embedder = config::load_semantic(&paths, cli.semantic, &mut say);
        let opts = EvalOptions {
            misses: *misses,
            weights,
            baselines: *baselines,
            save: save.as_deref(),
            compare: compare.as_deref(),
            chat: *chat,
            rerank,
            embedder,
        };
        return cmd_eval(&sets, &paths.dictionary, &opts).map(|()| ExitCode::SUCCESS);
    }
    let [content] = cli.content.as_slice() else {
        anyhow::bail!(
            "--content is given {} times; only `eval` takes several",
            cli.content.len()
        );
    };
    let paths = Paths::new(content, &cli.index)
        .with_dictionary(cli.dictionary.clone())
        .with_model(cli.model.clone());
    match cli.command {
        Command::Check { deep } => {
            let report = doum::check::check(&paths.content);
            for p in report.problems.iter().chain(&report.warnings) {
                println!("{p}");
            }
            if deep {
                let how = doum::korean::dictionary::Verify::Deep;
                let dir =
                    doum::korean::dictionary::ensure_verified(&paths.dictionary, how, &mut say)?;
                println!(
                    "ok: the Korean dictionary at {} matches its manifest",
                    dir.display()
                );
            }
            if report.is_ok() {
                println!(
                    "ok: {} entries and {} decisions in {} ({} warning(s))",
                    report.entries,
                    report.decisions,
                    paths.content.display(),
                    report.warnings.len()
                );
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "{} problem(s) in {}",
                    report.problems.len(),
                    paths.content.display()
                );
                Ok(ExitCode::FAILURE)
            }
        }
        Command::Index => {
            let content = config::load_content(&paths.content)?;
            let entries = content.entries().len();
            let analyzer = config::load_analyzer(&paths.dictionary, &mut say)?;
            let embedder = config::load_semantic(&paths, cli.semantic, &mut say);
            let dir = build::build_with(
                content,
                &analyzer,
                &paths.index,
                embedder.as_deref(),
                &mut progress_bar("indexing"),
            )?;
            println!("indexed {entries} entries into {}", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Search {
            query,
            category,
            limit,
            sort,
            json,
        } => {
            let request = SearchRequest::new(&query)
                .and_then(|r| r.category(category.as_deref()))
                .and_then(|r| r.size(limit))
                .and_then(|r| Ok(r.sort(sort.parse::<Sort>()?)))?;
            let analyzer = config::load_analyzer(&paths.dictionary, &mut say)?;
            let embedder = config::load_semantic(&paths, cli.semantic, &mut say);
            let engine =
                config::open_engine(&paths, analyzer, embedder, &mut progress_bar("indexing"))?;
            let results = engine.search(&request)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&results)?);
            } else {
                println!("'{}': {} result(s)", results.query, results.total);
                for (i, h) in results.hits.iter().enumerate() {
                    println!("\n{}. {}\n   {}  [{}]", i + 1, h.title, h.breadcrumb, h.id);
                    println!("   {}", h.snippet.marked("\x1b[1m", "\x1b[0m"));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Ask {
            question,
            account,
            explain,
            today,
            json,
        } => {
            let analyzer = config::load_analyzer(&paths.dictionary, &mut say)?;
            let embedder = config::load_semantic(&paths, cli.semantic, &mut say);
            let engine =
                config::open_engine(&paths, analyzer, embedder, &mut progress_bar("indexing"))?;
            let accounts =
                AccountSource::from_options(cli.accounts.as_deref(), cli.accounts_url.as_deref())?;
            let assistant = Assistant::new(Arc::new(engine), &paths.content, accounts)?;
            let today = today.unwrap_or_else(doum::rules::today_kst);
            let rt = tokio::runtime::Runtime::new()?;
            let answer = rt.block_on(assistant.ask(&question, account.as_deref(), today))?;
            if json {
                let view =
                    doum::ask::AnswerView::new(&answer, &question, account.as_deref(), today);
                println!("{}", serde_json::to_string_pretty(&view)?);
            } else {
                print!("{}", doum::ask::render_text(&answer, explain));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            addr,
            public_url,
            watch,
            read_timeout,
            max_connections,
            shutdown_grace,
            agent_token,
            kakao_secret,
            kakao_callback_hosts,
            kakao_link_url,
        } => {
            let agent_token =
                doum::web::auth::agent_token(agent_token.as_deref()).map_err(anyhow::Error::msg)?;
            let analytics = config::analytics_location(&cli.data, cli.database_url.as_deref())?;
            let analyzer = config::load_analyzer(&paths.dictionary, &mut say)?;
            let embedder = config::load_semantic(&paths, cli.semantic, &mut say);
            let accounts =
                AccountSource::from_options(cli.accounts.as_deref(), cli.accounts_url.as_deref())?;
            let live = Arc::new(Live::open(
                paths,
                analyzer,
                embedder,
                accounts,
                &mut progress_bar("indexing"),
            )?);
            live.want_semantic(cli.semantic == doum::semantic::Switch::On);
            live.check_in_background();
            let mut config = WebConfig::new(public_url.unwrap_or_else(|| format!("http://{addr}")))
                .with_agent_token(agent_token)
                .with_kakao_secret(kakao_secret)
                .with_callback_allow(kakao_callback_hosts)
                .with_kakao_link_url(kakao_link_url);
            config.limits.header_timeout = Duration::from_secs(read_timeout.max(1));
            config.limits.body_timeout = Duration::from_secs(read_timeout.max(1));
            config.limits.max_connections = max_connections.max(1);
            config.limits.shutdown_grace = Duration::from_secs(shutdown_grace);
            let rt = doum::web::runtime()?;
            let _watch = if watch {
                Some(doum::reload::watch(
                    Arc::clone(&live),
                    Duration::from_millis(500),
                )?)
            } else {
                None
            };
            let recorder = Arc::new(doum::analytics::open(analytics));
            let state = AppState::with_live(live, config).with_analytics(recorder.clone());
            rt.block_on(doum::web::serve(&addr, state))?;
            recorder.close();
            Ok(ExitCode::SUCCESS)
        }
        Command::Report { since, limit, json } => {
            let location = config::analytics_location(&cli.data, cli.database_url.as_deref())?;
            cmd_report(&location, &since, limit, json)
        }
        Command::Chat(args) => args.run().map(|()| ExitCode::SUCCESS),
        Command::Generate { entries, seed, out } => {
            let content = config::load_content(&paths.content)?;
            doum::generate::write(&paths.content, &content, entries, seed, &out)?;
            println!("wrote {entries} entries (seed {seed}) to {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval { .. } => unreachable!("handled above"),
    }
}

/// `doum report`: the analytics report from the SQLite file or the PostgreSQL database.
fn cmd_report(
    location: &doum::analytics::Location,
    since: &str,
    limit: usize,
    json: bool,
) -> Result<ExitCode> {
    use doum::analytics::report::parse_since;
    let since = parse_since(since, doum::analytics::now()).map_err(anyhow::Error::msg)?;
    let report = doum::analytics::open_for_report(location)?.report(since, limit.max(1))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_text());
    }
    Ok(ExitCode::SUCCESS)
}

/// What `doum eval` was asked besides the sets.
struct EvalOptions<'a> {
    misses: bool,
    weights: &'a [String],
    baselines: bool,
    save: Option<&'a std::path::Path>,
    compare: Option<&'a std::path::Path>,
    chat: bool,
    rerank: &'a [String],
    /// The embedding model when semantic re-ranking is on.
    embedder: Option<Arc<doum::semantic::Embedder>>,
}

/// `doum eval`: every set on a fresh index of its content, per kind side by side, then
/// the baselines, the changes against a saved run and the chatbot's choices.
fn cmd_eval(sets: &[eval::EvalSet], dictionary: &std::path::Path, o: &EvalOptions) -> Result<()> {
    use doum::search::SearchEngine;

    let mut w = doum::search::query::Weights::default();
    for a in o.weights {
        w.set(a).map_err(anyhow::Error::msg)?;
    }
    let mut params = doum::search::rerank::Params::default();
    for a in o.rerank {
        params.set(a).map_err(anyhow::Error::msg)?;
    }
    let analyzer = config::load_analyzer(dictionary, &mut say)?;
    let saved = o.compare.map(eval::read_run).transpose()?;
    let mut reports = Vec::new();
    let mut chats = Vec::new();
    let mut notes = Vec::new();
    for set in sets {
        let mut labelled = Vec::new();
        for q in &set.queries {
            labelled.extend(eval::read_queries(q)?);
        }
        let content = config::load_content(&set.content)?;
        let unknown = eval::unknown_ids(&labelled, |id| content.get(id).is_some());
        if !unknown.is_empty() {
            anyhow::bail!(
                "{}
(no such entries in {})",
                unknown.join("\n"),
                set.content.display()
            );
        }
        let tmp = tempfile::tempdir().context("creating a temporary index directory")?;
        build::build_with(
            content.clone(),
            &analyzer,
            tmp.path(),
            o.embedder.as_deref(),
            &mut progress_bar("indexing"),
        )?;
        // The baselines are lexical: they open the same index without the embedder.
        let open = |w, embedder: Option<Arc<doum::semantic::Embedder>>| -> Result<SearchEngine> {
            Ok(
                SearchEngine::open(tmp.path(), content.clone(), analyzer.clone())?
                    .with_weights(w)
                    .with_semantic(embedder)
                    .with_rerank(params),
            )
        };
        let engine = open(w, o.embedder.clone())?;
        let report = eval::evaluate(&engine, &labelled);
        if o.baselines {
            let mut b = format!("{}: same index, same queries, same run:\n", set.name);
            b += &format!(
                "{:<40} {:>7} {:>6} {:>6}\n",
                "system", "MRR@10", "R@1", "R@5"
            );
            let line = |name: &str, m: &eval::Metrics| {
                format!(
                    "{name:<40} {:>7.3} {:>6.3} {:>6.3}\n",
                    m.mrr, m.recall1, m.recall5
                )
            };
            for (name, bw) in eval::baselines() {
                b += &line(name, &eval::evaluate(&open(bw, None)?, &labelled).overall);
            }
            b += &line("doum", &report.overall);
            notes.push(b);
        }
        if o.misses {
            let mut b = String::new();
            for m in report.misses() {
                b += &format!(
                    "{}: miss [{}] {} -> want {} (rank {}), got {}\n",
                    set.name,
                    m.kind,
                    m.query,
                    m.relevant.join(","),
                    m.rank.map_or("-".into(), |r| r.to_string()),
                    m.first.as_deref().unwrap_or("nothing")
                );
            }
            notes.push(b);
        }
        if let Some(saved) = &saved {
            let c = eval::compare(saved, &set.name, &report);
            let mut b = format!(
                "{}: first result changed against {}: {} better, {} worse{}\n",
                set.name,
                o.compare.map_or(String::new(), |p| p.display().to_string()),
                c.better.len(),
                c.worse.len(),
                if c.new > 0 {
                    format!(" ({} queries not in that run)", c.new)
                } else {
                    String::new()
                }
            );
            for q in &c.better {
                b += &format!("  + {q}\n");
            }
            for q in &c.worse {
                b += &format!("  - {q}\n");
            }
            notes.push(b);
        }
        if o.chat {
            let topics = doum::ask::choice::Topics::default();
            let (metrics, chat_notes) = eval::evaluate_chat(&labelled, |q| {
                doum::chat::skill::chat_outcome(&engine, &topics, q)
            });
            chats.push((set.name.clone(), metrics));
            if o.misses {
                notes.push(
                    chat_notes
                        .iter()
                        .map(|n| format!("{}: chat: {n}\n", set.name))
                        .collect(),
                );
            }
        }
        reports.push((set.name.clone(), report));
    }
    let named: Vec<(&str, &eval::Report)> = reports.iter().map(|(n, r)| (n.as_str(), r)).collect();
    print!("{}", eval::table(&named));
    let ood: usize = reports.iter().map(|(_, r)| r.out_of_domain).sum();
    if ood > 0 {
        println!("({ood} out-of-domain queries are left out of these figures)");
    }
    if o.chat {
        let named: Vec<(&str, eval::ChatMetrics)> =
            chats.iter().map(|(n, m)| (n.as_str(), *m)).collect();
        print!("\n{}", eval::chat_table(&named));
    }
    for n in notes.iter().filter(|n| !n.is_empty()) {
        print!("\n{n}");
    }
    if let Some(path) = o.save {
        eval::save_run(path, &named)?;
        println!("\nsaved to {}", path.display());
    }
    Ok(())
}
