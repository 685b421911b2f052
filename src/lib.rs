//! doum (도움): a Korean help-center knowledge bot and FAQ service.
//!
//! The library core knows nothing of HTTP. Each concept has its own module:
//!
//! - [`content`]: FAQ entries (Markdown + YAML front matter) and synonyms, parsed and validated.
//! - [`korean`]: the mecab-ko-dic dictionary (fetched, converted, cached) and Korean analysis.
//! - [`search`]: the tantivy index: schema, building, querying, snippets, evaluation.
//! - [`semantic`]: the sentence-embedding model (multilingual-e5-small) that re-ranks search candidates.
//! - [`rules`]: declarative decision tables evaluated over an account's facts.
//! - [`analytics`]: searches, clicks, feedback and chatbot outcomes, recorded off the request path.
//! - [`accounts`]: where account facts come from (a file or the account API).
//! - [`ask`]: one question (and optionally one account) to an answer: search, then rules.
//! - [`chat`]: the KakaoTalk (Kakao i Open Builder) skill: request and response types, dialogue.
//! - [`reload`]: the live state a server serves, rebuilt and swapped in place (hot reload).
//! - [`metrics`]: process-wide counters in the Prometheus text format.
//! - [`links`]: percent-encoding for the links doum writes (article URLs, query strings).
//! - [`pypi`]: pinned PyPI wheels (dictionary, model) downloaded with pip and hashed.
//! - [`web`]: the thin HTTP layer (axum) over all of the above.
//!
//! The customer page, the JSON API, the chatbot and the CLI all call the same core functions.

pub mod accounts;
pub mod analytics;
pub mod ask;
pub mod chat;
pub mod check;
pub mod config;
pub mod content;
pub mod generate;
pub mod korean;
pub mod links;
pub mod metrics;
pub mod pypi;
pub mod reload;
pub mod rules;
pub mod search;
pub mod semantic;
pub mod text;
pub mod web;
