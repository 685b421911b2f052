//! The `doum` command line: check, index, search, serve, eval.

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
    /// Content directory (faq/, synonyms.yaml, rules/).
    #[arg(long, global = true, default_value = "content", env = "DOUM_CONTENT")]
    content: PathBuf,
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
    /// Measure search quality on a labelled query set.
    Eval {
        /// TSV file: query<TAB>relevant<TAB>kind.
        #[arg(long)]
        queries: PathBuf,
        /// Also list the queries whose entry was not ranked first.
        #[arg(long)]
        misses: bool,
        /// Try another field weight, e.g. `--weight title=4` (repeatable).
        #[arg(long = "weight")]
        weights: Vec<String>,
        /// Also measure classic baselines (bigram BM25, morpheme BM25) in the same run.
        #[arg(long)]
        baselines: bool,
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
    let paths = Paths::new(&cli.content, &cli.index);
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
            let analyzer = config::load_analyzer(&paths.dictionary, &mut say)?;
            let dir = build::build(
                &content,
                &analyzer,
                &paths.index,
                &mut progress_bar("indexing"),
            )?;
            println!(
                "indexed {} entries into {}",
                content.entries().len(),
                dir.display()
            );
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
            let engine = config::open_engine(&paths, analyzer, &mut progress_bar("indexing"))?;
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
            let engine = config::open_engine(&paths, analyzer, &mut progress_bar("indexing"))?;
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
        } => {
            let agent_token =
                doum::web::auth::agent_token(std::env::var("DOUM_AGENT_TOKEN").ok().as_deref())
                    .map_err(anyhow::Error::msg)?;
            let analyzer = config::load_analyzer(&paths.dictionary, &mut say)?;
            let accounts =
                AccountSource::from_options(cli.accounts.as_deref(), cli.accounts_url.as_deref())?;
            let live = Arc::new(Live::open(
                paths,
                analyzer,
                accounts,
                &mut progress_bar("indexing"),
            )?);
            let mut config = WebConfig::new(public_url.unwrap_or_else(|| format!("http://{addr}")))
                .with_agent_token(agent_token)
                .with_kakao_secret(std::env::var("DOUM_KAKAO_SECRET").ok())
                .with_callback_allow(std::env::var("DOUM_KAKAO_CALLBACK_HOSTS").ok())
                .with_kakao_link_url(std::env::var("DOUM_KAKAO_LINK_URL").ok());
            config.limits.header_timeout = Duration::from_secs(read_timeout.max(1));
            config.limits.body_timeout = Duration::from_secs(read_timeout.max(1));
            config.limits.max_connections = max_connections.max(1);
            config.limits.shutdown_grace = Duration::from_secs(shutdown_grace);
            let rt = tokio::runtime::Runtime::new()?;
            let _watch = if watch {
                Some(doum::reload::watch(
                    Arc::clone(&live),
                    Duration::from_millis(500),
                )?)
            } else {
                None
            };
            let recorder = Arc::new(doum::analytics::open(&cli.data));
            let state = AppState::with_live(live, config).with_analytics(recorder.clone());
            rt.block_on(doum::web::serve(&addr, state))?;
            recorder.close();
            Ok(ExitCode::SUCCESS)
        }
        Command::Report { since, limit, json } => cmd_report(&cli.data, &since, limit, json),
        Command::Chat(args) => args.run().map(|()| ExitCode::SUCCESS),
        Command::Generate { entries, seed, out } => {
            let content = config::load_content(&paths.content)?;
            doum::generate::write(&paths.content, &content, entries, seed, &out)?;
            println!("wrote {entries} entries (seed {seed}) to {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval {
            queries,
            misses,
            weights,
            baselines,
        } => {
            let mut w = doum::search::query::Weights::default();
            for a in &weights {
                w.set(a).map_err(anyhow::Error::msg)?;
            }
            let labelled = eval::read_queries(&queries)?;
            let analyzer = config::load_analyzer(&paths.dictionary, &mut say)?;
            let content = config::load_content(&paths.content)?;
            let tmp = tempfile::tempdir().context("creating a temporary index directory")?;
            build::build(&content, &analyzer, tmp.path(), &mut |_, _| {})?;
            let open =
                |w| -> Result<doum::search::SearchEngine> {
                    Ok(doum::search::SearchEngine::open(
                        tmp.path(),
                        content.clone(),
                        analyzer.clone(),
                    )?
                    .with_weights(w))
                };
            let report = eval::evaluate(&open(w)?, &labelled);
            print!("{report}");
            if baselines {
                println!("\nsame index, same queries, same run:");
                println!("{:<40} {:>7} {:>6} {:>6}", "system", "MRR@10", "R@1", "R@5");
                let line = |name: &str, m: &eval::Metrics| {
                    println!(
                        "{name:<40} {:>7.3} {:>6.3} {:>6.3}",
                        m.mrr, m.recall1, m.recall5
                    )
                };
                for (name, bw) in eval::baselines() {
                    line(name, &eval::evaluate(&open(bw)?, &labelled).overall);
                }
                line("doum", &report.overall);
            }
            if misses {
                for m in &report.misses {
                    println!(
                        "miss [{}] {} -> want {} (rank {}), got {}",
                        m.kind,
                        m.query,
                        m.relevant,
                        m.rank.map_or("-".into(), |r| r.to_string()),
                        m.first.as_deref().unwrap_or("nothing")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `doum report`: the analytics report from the data directory's store.
fn cmd_report(data: &std::path::Path, since: &str, limit: usize, json: bool) -> Result<ExitCode> {
    use doum::analytics::{Store, report::parse_since, sqlite};
    let since = parse_since(since, doum::analytics::now()).map_err(anyhow::Error::msg)?;
    let file = data.join(sqlite::FILE_NAME);
    anyhow::ensure!(
        file.is_file(),
        "no analytics in {}: run `doum serve` (with --data {}) first",
        file.display(),
        data.display()
    );
    let report = sqlite::SqliteStore::open(&file)?.report(since, limit.max(1))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_text());
    }
    Ok(ExitCode::SUCCESS)
}
