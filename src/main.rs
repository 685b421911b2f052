//! The `doum` command line: check, index, search, ask, serve, report, chat, generate, eval.
//!
//! [`run`] only dispatches: each mode is one `cmd_*` function. What several modes share is
//! built by one helper each: [`Cli::paths`] (directories), [`load_models`] (the Korean
//! analyzer and the embedding model), [`open_engine`] (an up-to-date index),
//! [`Cli::accounts`] and [`open_assistant`] (accounts and the rules on top of the engine).
//! Every setting is a flag with its environment variable, passed to the library as a
//! parameter.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use doum::accounts::AccountSource;
use doum::ask::Assistant;
use doum::config::{self, Paths};
use doum::korean::Analyzer;
use doum::reload::Live;
use doum::search::query::Weights;
use doum::search::{SearchEngine, SearchRequest, Sort, build, eval};
use doum::semantic::{Embedder, Switch};
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
    semantic: Switch,
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
    Search(SearchArgs),
    /// Answer a question, personally when an account is given (search, then rules).
    Ask(AskArgs),
    /// Run the HTTP service.
    Serve(ServeArgs),
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
    /// Delete the chatbot questions recorded for Kakao users who asked for it.
    Forget {
        /// The user's Kakao key as the chatbot saw it (plusfriendUserKey, or appUserId).
        #[arg(required = true, value_name = "KAKAO_USER_KEY")]
        keys: Vec<String>,
    },
    /// Talk to a running skill server as a KakaoTalk user would (README: "Trying it in a terminal").
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
    Eval(EvalArgs),
}

/// The arguments of `doum search` (its about is the [`Command`] variant's).
#[derive(clap::Args)]
struct SearchArgs {
    /// What to look for.
    query: String,
    /// Only this category (path prefix, e.g. "결제 관리/환불 요청").
    #[arg(long)]
    category: Option<String>,
    /// Number of results.
    #[arg(long, default_value_t = 5)]
    limit: usize,
    /// Result order: best match first, or most recently updated first.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    sort: SortArg,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// `--sort`: the order of `doum search`'s results ([`Sort`]).
#[derive(Clone, Copy, clap::ValueEnum)]
enum SortArg {
    Relevance,
    Updated,
}

impl From<SortArg> for Sort {
    fn from(s: SortArg) -> Sort {
        match s {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Updated => Sort::Updated,
        }
    }
}

/// The arguments of `doum ask` (its about is the [`Command`] variant's).
#[derive(clap::Args)]
struct AskArgs {
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
}

/// The arguments of `doum serve` (its about is the [`Command`] variant's).
#[derive(clap::Args)]
struct ServeArgs {
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
    /// Seconds a count of the most viewed entries (home page) is reused before it
    /// is made again in the background.
    #[arg(long, default_value_t = 60, env = "DOUM_POPULAR_MAX_AGE")]
    popular_max_age: u64,
    /// Seconds the agent page's search report is reused before it is made again in
    /// the background.
    #[arg(long, default_value_t = 60, env = "DOUM_REPORT_MAX_AGE")]
    report_max_age: u64,
    /// Days searches, views, votes and chatbot questions are kept; older ones are
    /// deleted while serving (hourly). 0 keeps everything.
    #[arg(long, default_value_t = 90, env = "DOUM_ANALYTICS_RETENTION_DAYS")]
    analytics_retention_days: u64,
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
    /// Where a customer who did not find an answer can ask a person, e.g. the
    /// KakaoTalk channel's chat (https://pf.kakao.com/_abcd/chat): the pages' footer,
    /// the no-result page and an article after a 아니요 vote link to it (default:
    /// none, text only).
    #[arg(long, env = "DOUM_CONTACT_URL")]
    contact_url: Option<String>,
}

/// The arguments of `doum eval` (its about is the [`Command`] variant's).
#[derive(clap::Args)]
struct EvalArgs {
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
    /// Also query every keyword of each content's entries, for the entries that
    /// carry it (kinds kw-phrase and kw-word); alone, with --content, only them.
    #[arg(long)]
    keywords: bool,
    /// Try another field weight, e.g. `--weight title=4` (repeatable).
    #[arg(long = "weight")]
    weights: Vec<String>,
    /// Also measure classic baselines (bigram BM25, morpheme BM25) in the same run.
    #[arg(long)]
    baselines: bool,
    /// Try another re-ranking parameter, e.g. `--rerank alpha=0.3` or `clear=1.5` (repeatable).
    #[arg(long = "rerank")]
    rerank: Vec<String>,
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
    if !matches!(cli.command, Command::Serve(_) | Command::Chat(_)) {
        quit_quietly_on_a_closed_pipe();
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `doum ask … | head -3`: when the reader of stdout goes away, end the
/// way Unix tools do, silently by SIGPIPE, instead of panicking in
/// `println!` ("failed printing to stdout: Broken pipe"). Rust ignores
/// SIGPIPE by default; the commands that print and exit get the default
/// back. `serve` and `chat` keep ignoring it: their sockets report a closed
/// peer as an error to handle.
fn quit_quietly_on_a_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called once at start, before any thread is spawned; setting a
    // signal's disposition to the default has no other effect.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
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

/// Runs one mode. `eval` takes several --content; every other mode exactly one (checked
/// before anything else is done).
fn run(cli: Cli) -> Result<ExitCode> {
    let paths = match &cli.command {
        Command::Eval(args) => return cmd_eval(&cli, args).map(|()| ExitCode::SUCCESS),
        _ => cli.paths()?,
    };
    match &cli.command {
        Command::Check { deep } => cmd_check(&paths, *deep),
        Command::Index => cmd_index(&paths, cli.semantic),
        Command::Search(args) => cmd_search(&cli, &paths, args),
        Command::Ask(args) => cmd_ask(&cli, &paths, args),
        Command::Serve(args) => cmd_serve(&cli, paths, args),
        Command::Report { since, limit, json } => cmd_report(&cli, since, *limit, *json),
        Command::Forget { keys } => cmd_forget(&cli, keys),
        Command::Chat(args) => args.run().map(|()| ExitCode::SUCCESS),
        Command::Generate { entries, seed, out } => cmd_generate(&paths, *entries, *seed, out),
        Command::Eval(_) => unreachable!("handled above"),
    }
}

impl Cli {
    /// The paths of a mode with one content directory: --content, --index, and the
    /// dictionary and model directories (--dictionary, --model, else under --index).
    /// An error when --content is given several times.
    fn paths(&self) -> Result<Paths> {
        let [content] = self.content.as_slice() else {
            anyhow::bail!(
                "--content is given {} times; only `eval` takes several",
                self.content.len()
            );
        };
        Ok(self.paths_for(content))
    }

    /// [`Cli::paths`] for the content directory `content`, however many --content there are.
    fn paths_for(&self, content: &Path) -> Paths {
        Paths::new(content, &self.index)
            .with_dictionary(self.dictionary.clone())
            .with_model(self.model.clone())
    }

    /// The accounts: --accounts, --accounts-url, else the shipped sample.
    fn accounts(&self) -> Result<AccountSource> {
        AccountSource::from_options(self.accounts.as_deref(), self.accounts_url.as_deref())
    }

    /// Where analytics go: --database-url, else `doum.sqlite` in --data.
    fn analytics(&self) -> Result<doum::analytics::Location> {
        config::analytics_location(&self.data, self.database_url.as_deref())
    }
}

/// The Korean analyzer (building the dictionary the first time) and, when `semantic` is
/// on and the model loads, the embedding model (for index, search, ask, serve and eval);
/// progress goes to stderr. Only the analyzer can fail: without the model doum
/// searches lexically.
fn load_models(paths: &Paths, semantic: Switch) -> Result<(Arc<Analyzer>, Option<Arc<Embedder>>)> {
    let analyzer = config::load_analyzer(&paths.dictionary, &mut say)?;
    let embedder = config::load_semantic(paths, semantic, &mut say);
    Ok((analyzer, embedder))
}

/// The search engine of `search` and `ask`: [`load_models`], then an index up to date
/// with the content (built, with a progress bar, when it is not).
fn open_engine(paths: &Paths, semantic: Switch) -> Result<SearchEngine> {
    let (analyzer, embedder) = load_models(paths, semantic)?;
    config::open_engine(paths, analyzer, embedder, &mut progress_bar("indexing"))
}

/// The assistant of `ask`: [`open_engine`], the accounts ([`Cli::accounts`]) and the
/// content's rules.
fn open_assistant(cli: &Cli, paths: &Paths) -> Result<Assistant> {
    let engine = open_engine(paths, cli.semantic)?;
    let accounts = cli.accounts()?;
    Assistant::new(Arc::new(engine), &paths.content, accounts)
}

/// `doum check`: prints every problem and warning of the content (and, with `deep`,
/// verifies the dictionary's files); fails when the content has a problem.
fn cmd_check(paths: &Paths, deep: bool) -> Result<ExitCode> {
    let report = doum::check::check(&paths.content);
    for p in report.problems.iter().chain(&report.warnings) {
        println!("{p}");
    }
    if deep {
        let how = doum::korean::dictionary::Verify::Deep;
        let dir = doum::korean::dictionary::ensure_verified(&paths.dictionary, how, &mut say)?;
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

/// `doum index`: builds the index from the content (with vectors when `semantic` is on
/// and the model loads), replacing the old one atomically.
fn cmd_index(paths: &Paths, semantic: Switch) -> Result<ExitCode> {
    let content = config::load_content(&paths.content)?;
    let entries = content.entries().len();
    let (analyzer, embedder) = load_models(paths, semantic)?;
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

/// `doum search`: validates the request before loading anything, then prints the
/// results as text (matches in bold) or JSON.
fn cmd_search(cli: &Cli, paths: &Paths, args: &SearchArgs) -> Result<ExitCode> {
    let request = SearchRequest::new(&args.query)
        .and_then(|r| r.category(args.category.as_deref()))
        .and_then(|r| r.size(args.limit))
        .map(|r| r.sort(args.sort.into()))?;
    let assistant = open_assistant(cli, paths)?;
    let results = assistant.engine.search(&request)?;
    let answer = (results.total > 0)
        .then(|| assistant.sure_answer(&request))
        .flatten();
    if args.json {
        let answered = doum::ask::sure::Answered {
            answer: answer.as_deref(),
            results: &results,
        };
        println!("{}", serde_json::to_string_pretty(&answered)?);
    } else {
        let read = match &results.read_as {
            Some(read) => format!(" (read as '{read}', typed in English mode)"),
            None => String::new(),
        };
        println!("'{}'{read}: {} result(s)", results.query, results.total);
        if let Some(a) = &answer {
            println!("\n가장 알맞은 답변: {}  [{}]\n   {}", a.title, a.id, a.lead);
        }
        for (i, h) in results.hits.iter().enumerate() {
            println!("\n{}. {}\n   {}  [{}]", i + 1, h.title, h.breadcrumb, h.id);
            println!("   {}", h.snippet.marked("\x1b[1m", "\x1b[0m"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `doum ask`: answers as of --today (default: today in Korea), for --account when
/// given, and prints the answer as text (with --explain, the rows tried) or JSON.
fn cmd_ask(cli: &Cli, paths: &Paths, args: &AskArgs) -> Result<ExitCode> {
    let assistant = open_assistant(cli, paths)?;
    let today = match args.today {
        Some(date) => assistant
            .rules
            .calendar()
            .check(date)
            .map_err(|e| anyhow::anyhow!("--today: {e}"))?,
        None => doum::rules::today_kst(),
    };
    let account = args.account.as_deref();
    let rt = tokio::runtime::Runtime::new()?;
    let answer = rt.block_on(assistant.ask(&args.question, account, today))?;
    if args.json {
        let view = doum::ask::AnswerView::new(&answer, &args.question, account, today);
        println!("{}", serde_json::to_string_pretty(&view)?);
    } else {
        print!("{}", doum::ask::render_text(&answer, args.explain));
    }
    Ok(ExitCode::SUCCESS)
}

/// `doum serve`: checks the agent token first, opens the content live (reloaded on
/// change with --watch) and serves until shut down, then flushes the analytics.
fn cmd_serve(cli: &Cli, paths: Paths, args: &ServeArgs) -> Result<ExitCode> {
    let agent_token =
        doum::web::auth::agent_token(args.agent_token.as_deref()).map_err(anyhow::Error::msg)?;
    // Flags first: a wrong one is reported before minutes of loading.
    let config = args.web_config(agent_token)?;
    // Before loading: it also sets how the process's memory is handed back.
    let rt = doum::web::runtime()?;
    let analytics = cli.analytics()?;
    let (analyzer, embedder) = load_models(&paths, cli.semantic)?;
    let accounts = cli.accounts()?;
    let live = Live::open(
        paths,
        analyzer,
        embedder,
        accounts,
        &mut progress_bar("indexing"),
    )?;
    let live = Arc::new(live);
    live.want_semantic(cli.semantic == Switch::On);
    live.check_in_background();
    let _watch = if args.watch {
        Some(doum::reload::watch(
            Arc::clone(&live),
            Duration::from_millis(500),
        )?)
    } else {
        None
    };
    let recorder = Arc::new(doum::analytics::open(analytics));
    let state = AppState::with_live(live, config).with_analytics(recorder.clone());
    rt.block_on(doum::web::serve(&args.addr, state))?;
    recorder.close();
    Ok(ExitCode::SUCCESS)
}

impl ServeArgs {
    /// The web settings these flags give, with the already validated agent token.
    fn web_config(&self, agent_token: Option<String>) -> Result<WebConfig> {
        let public_url =
            (self.public_url.clone()).unwrap_or_else(|| format!("http://{}", self.addr));
        let mut config = WebConfig::new(public_url)
            .with_agent_token(agent_token)
            .with_kakao_secret(self.kakao_secret.clone())
            .with_callback_allow(self.kakao_callback_hosts.clone())
            .with_kakao_link_url(self.kakao_link_url.clone())
            .and_then(|c| c.with_contact_url(self.contact_url.clone()))
            .map_err(anyhow::Error::msg)?;
        config.limits.header_timeout = Duration::from_secs(self.read_timeout.max(1));
        config.limits.body_timeout = Duration::from_secs(self.read_timeout.max(1));
        config.limits.max_connections = self.max_connections.max(1);
        config.limits.shutdown_grace = Duration::from_secs(self.shutdown_grace);
        config.popular_max_age = Duration::from_secs(self.popular_max_age);
        config.report_max_age = Duration::from_secs(self.report_max_age);
        config.analytics_retention = (self.analytics_retention_days > 0)
            .then(|| Duration::from_secs(self.analytics_retention_days.saturating_mul(86_400)));
        Ok(config)
    }
}

/// `doum report`: the analytics report from the SQLite file or the PostgreSQL database.
fn cmd_report(cli: &Cli, since: &str, limit: usize, json: bool) -> Result<ExitCode> {
    use doum::analytics::report::parse_since;
    let location = cli.analytics()?;
    let since =
        parse_since(since, doum::analytics::now()).map_err(|m| anyhow::anyhow!("--since: {m}"))?;
    let report = doum::analytics::open_for_report(&location)?.report(since, limit.max(1))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_text());
    }
    Ok(ExitCode::SUCCESS)
}

/// `doum forget`: deletes the chatbot turns recorded for each Kakao user key,
/// from the store a server records into (--data, or DOUM_DATABASE_URL).
fn cmd_forget(cli: &Cli, keys: &[String]) -> Result<ExitCode> {
    let keys: Vec<&str> = keys.iter().map(|k| k.trim()).collect();
    if let Some(i) = keys.iter().position(|k| k.is_empty()) {
        anyhow::bail!("Kakao user key {} is empty", i + 1);
    }
    let store = doum::analytics::open_for_report(&cli.analytics()?)?;
    let deleted = doum::analytics::forget_keys(store.as_ref(), &keys)?;
    println!(
        "deleted {deleted} chatbot question(s) recorded for {} Kakao user key(s)",
        keys.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `doum generate`: writes `entries` synthetic entries composed from the content, the
/// same for the same `seed`, into `out` (which must not exist).
fn cmd_generate(paths: &Paths, entries: usize, seed: u64, out: &Path) -> Result<ExitCode> {
    let content = config::load_content(&paths.content)?;
    doum::generate::write(&paths.content, &content, entries, seed, out)?;
    println!("wrote {entries} entries (seed {seed}) to {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// `doum eval`: every set on a fresh index of its content, per kind side by side, then
/// the baselines, the changes against a saved run and the chatbot's choices; with
/// --save, the first results are written for a later --compare.
fn cmd_eval(cli: &Cli, args: &EvalArgs) -> Result<()> {
    let sets = match &args.suite {
        Some(file) => eval::read_suite(file)?,
        None => eval::sets_from_pairs(&cli.content, &args.queries, args.keywords)?,
    };
    let paths = cli.paths_for(&cli.content[0]);
    let (analyzer, embedder) = load_models(&paths, cli.semantic)?;
    let mut weights = Weights::default();
    for a in &args.weights {
        weights.set(a).map_err(anyhow::Error::msg)?;
    }
    let mut params = doum::search::rerank::Params::default();
    for a in &args.rerank {
        params.set(a).map_err(anyhow::Error::msg)?;
    }
    let cx = EvalContext {
        args,
        analyzer,
        embedder,
        weights,
        params,
        saved: args.compare.as_deref().map(eval::read_run).transpose()?,
    };
    let mut reports = Vec::new();
    let mut chats = Vec::new();
    let mut notes = Vec::new();
    for set in &sets {
        let (report, chat) = eval_set(set, &cx, &mut notes)?;
        if let Some(metrics) = chat {
            chats.push((set.name.clone(), metrics));
        }
        reports.push((set.name.clone(), report));
    }
    let named: Vec<(&str, &eval::Report)> = reports.iter().map(|(n, r)| (n.as_str(), r)).collect();
    print!("{}", eval::table(&named));
    let ood: usize = reports.iter().map(|(_, r)| r.out_of_domain).sum();
    if ood > 0 {
        println!("({ood} out-of-domain queries are left out of these figures)");
    }
    if args.chat {
        let named: Vec<(&str, eval::ChatMetrics)> =
            chats.iter().map(|(n, m)| (n.as_str(), *m)).collect();
        print!("\n{}", eval::chat_table(&named));
    }
    for n in notes.iter().filter(|n| !n.is_empty()) {
        print!("\n{n}");
    }
    if let Some(path) = &args.save {
        eval::save_run(path, &named)?;
        println!("\nsaved to {}", path.display());
    }
    Ok(())
}

/// What every set of one `doum eval` run shares.
struct EvalContext<'a> {
    args: &'a EvalArgs,
    analyzer: Arc<Analyzer>,
    /// The embedding model when semantic re-ranking is on.
    embedder: Option<Arc<Embedder>>,
    /// The field weights, with the --weight changes.
    weights: Weights,
    /// The re-ranking parameters, with the --rerank changes.
    params: doum::search::rerank::Params,
    /// The --compare'd run.
    saved: Option<eval::SavedRun>,
}

/// One set of `doum eval` on a fresh index of its content: its report, the chatbot's
/// metrics with --chat, and its notes (baselines, misses, changes against the saved run,
/// chat misses) appended to `notes`. An error when a query names an unknown entry.
fn eval_set(
    set: &eval::EvalSet,
    cx: &EvalContext,
    notes: &mut Vec<String>,
) -> Result<(eval::Report, Option<eval::ChatMetrics>)> {
    let mut labelled = Vec::new();
    for q in &set.queries {
        labelled.extend(eval::read_queries(q)?);
    }
    let content = config::load_content(&set.content)?;
    if cx.args.keywords {
        labelled.extend(eval::keyword_queries(&content));
    }
    let unknown = eval::unknown_ids(&labelled, |id| content.get(id).is_some());
    if !unknown.is_empty() {
        anyhow::bail!(
            "{}\n(no such entries in {})",
            unknown.join("\n"),
            set.content.display()
        );
    }
    let tmp = tempfile::tempdir().context("creating a temporary index directory")?;
    build::build_with(
        content.clone(),
        &cx.analyzer,
        tmp.path(),
        cx.embedder.as_deref(),
        &mut progress_bar("indexing"),
    )?;
    // The baselines are lexical: they open the same index without the embedder.
    let open = |w: Weights, embedder: Option<Arc<Embedder>>| -> Result<SearchEngine> {
        Ok(
            SearchEngine::open(tmp.path(), content.clone(), cx.analyzer.clone())?
                .with_weights(w)
                .with_semantic(embedder)
                .with_rerank(cx.params),
        )
    };
    let engine = open(cx.weights, cx.embedder.clone())?;
    let report = eval::evaluate(&engine, &labelled);
    if cx.args.baselines {
        notes.push(baselines_note(&set.name, &open, &labelled, &report)?);
    }
    if cx.args.misses {
        notes.push(misses_note(&set.name, &report));
    }
    if let Some(saved) = &cx.saved {
        notes.push(compare_note(
            &set.name,
            saved,
            cx.args.compare.as_deref(),
            &report,
        ));
    }
    let mut chat = None;
    if cx.args.chat {
        let topics = doum::ask::choice::Topics::default();
        let (metrics, chat_notes) = eval::evaluate_chat(&labelled, |q| {
            doum::chat::skill::chat_outcome(&engine, &topics, q)
        });
        chat = Some(metrics);
        if cx.args.misses {
            notes.push(
                chat_notes
                    .iter()
                    .map(|n| format!("{}: chat: {n}\n", set.name))
                    .collect(),
            );
        }
    }
    Ok((report, chat))
}

/// `doum eval --baselines`: the classic baselines and doum on the same index of `set`
/// (`open` opens it with the given weights and embedder), one line each.
fn baselines_note(
    set: &str,
    open: &dyn Fn(Weights, Option<Arc<Embedder>>) -> Result<SearchEngine>,
    labelled: &[eval::LabeledQuery],
    report: &eval::Report,
) -> Result<String> {
    let mut b = format!("{set}: same index, same queries, same run:\n");
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
        b += &line(name, &eval::evaluate(&open(bw, None)?, labelled).overall);
    }
    b += &line("doum", &report.overall);
    Ok(b)
}

/// `doum eval --misses`: one line per query of `set` whose entry was not ranked first.
fn misses_note(set: &str, report: &eval::Report) -> String {
    let mut b = String::new();
    for m in report.misses() {
        b += &format!(
            "{}: miss [{}] {} -> want {} (rank {}), got {}\n",
            set,
            m.kind,
            m.query,
            m.relevant.join(","),
            m.rank.map_or("-".into(), |r| r.to_string()),
            m.first.as_deref().unwrap_or("nothing")
        );
    }
    b
}

/// `doum eval --compare`: the queries of `set` whose first result got better or worse
/// against the `saved` run (read from `file`).
fn compare_note(
    set: &str,
    saved: &eval::SavedRun,
    file: Option<&Path>,
    report: &eval::Report,
) -> String {
    let c = eval::compare(saved, set, report);
    let mut b = format!(
        "{}: first result changed against {}: {} better, {} worse{}\n",
        set,
        file.map_or(String::new(), |p| p.display().to_string()),
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
    b
}
