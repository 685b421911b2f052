//! The `doum` command line: check, index, search, serve, eval.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use doum::accounts::AccountSource;
use doum::ask::Assistant;
use doum::config::{self, Paths};
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
    /// Semantic re-ranking with the embedding model: on or off.
    #[arg(long, global = true, default_value = "on", env = "DOUM_SEMANTIC")]
    semantic: doum::semantic::Switch,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate the content directory; print every problem with file and line.
    Check,
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
    },
    /// Talk to a running skill server as a KakaoTalk user would (see docs/kakao.md).
    Chat(doum::chat::cli::ChatArgs),
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
        Command::Check => {
            let report = doum::check::check(&paths.content);
            for p in &report.problems {
                println!("{p}");
            }
            if report.is_ok() {
                println!(
                    "ok: {} entries and {} decisions in {}",
                    report.entries,
                    report.decisions,
                    paths.content.display()
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
            let embedder = config::load_semantic(&paths, cli.semantic, &mut say);
            let dir = build::build_with(
                &content,
                &analyzer,
                &paths.index,
                embedder.as_deref(),
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
        Command::Serve { addr, public_url } => {
            let analyzer = config::load_analyzer(&paths.dictionary, &mut say)?;
            let embedder = config::load_semantic(&paths, cli.semantic, &mut say);
            let engine = Arc::new(config::open_engine(
                &paths,
                analyzer,
                embedder,
                &mut progress_bar("indexing"),
            )?);
            let accounts =
                AccountSource::from_options(cli.accounts.as_deref(), cli.accounts_url.as_deref())?;
            let assistant = Arc::new(Assistant::new(engine, &paths.content, accounts)?);
            let config = WebConfig::new(public_url.unwrap_or_else(|| format!("http://{addr}")))
                .with_agent_token(std::env::var("DOUM_AGENT_TOKEN").ok())
                .with_kakao_secret(std::env::var("DOUM_KAKAO_SECRET").ok())
                .with_callback_allow(std::env::var("DOUM_KAKAO_CALLBACK_HOSTS").ok())
                .with_kakao_link_url(std::env::var("DOUM_KAKAO_LINK_URL").ok());
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(doum::web::serve(&addr, AppState::new(assistant, config)))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Chat(args) => args.run().map(|()| ExitCode::SUCCESS),
        Command::Eval {
            queries,
            misses,
            weights,
            baselines,
            rerank,
        } => {
            let mut w = doum::search::query::Weights::default();
            for a in &weights {
                w.set(a).map_err(anyhow::Error::msg)?;
            }
            let mut params = doum::search::rerank::Params::default();
            for a in &rerank {
                params.set(a).map_err(anyhow::Error::msg)?;
            }
            let labelled = eval::read_queries(&queries)?;
            let analyzer = config::load_analyzer(&paths.dictionary, &mut say)?;
            let content = config::load_content(&paths.content)?;
            let embedder = config::load_semantic(&paths, cli.semantic, &mut say);
            let tmp = tempfile::tempdir().context("creating a temporary index directory")?;
            build::build_with(
                &content,
                &analyzer,
                tmp.path(),
                embedder.as_deref(),
                &mut progress_bar("indexing"),
            )?;
            let open =
                |w| -> Result<doum::search::SearchEngine> {
                    Ok(doum::search::SearchEngine::open(
                        tmp.path(),
                        content.clone(),
                        analyzer.clone(),
                    )?
                    .with_weights(w)
                    .with_semantic(embedder.clone())
                    .with_rerank(params))
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
