//! View models and their templates (askama, `templates/*.html`): one struct per
//! page, filled by the handlers in [`super::pages`] and [`super::agent`].
//!
//! Escaping is automatic; the only values marked `|safe` are HTML made by the core:
//! [`Snippet::html`](crate::search::Snippet::html) (`snippet_html`) and an entry's
//! `body_html` (raw HTML in Markdown is escaped when content loads).

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::assets;

/// Renders a template as an HTML response; a rendering error is a logged 500.
pub struct HtmlTemplate<T>(pub StatusCode, pub T);

impl<T: Template> IntoResponse for HtmlTemplate<T> {
    fn into_response(self) -> Response {
        match self.1.render() {
            Ok(html) => (self.0, Html(html)).into_response(),
            Err(e) => {
                tracing::error!("rendering a page failed: {e}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "일시적인 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.",
                )
                    .into_response()
            }
        }
    }
}

/// What the layout (`base.html`) needs on every customer page.
pub struct Chrome {
    /// The page title (before " - 도움 고객센터").
    pub title: String,
    /// The search box's value.
    pub q: String,
    /// A category the next search may stay in (checkbox under the box).
    pub scope: Option<Scope>,
    /// Versioned stylesheet URL.
    pub css_url: &'static str,
    /// Versioned script URL.
    pub js_url: &'static str,
    /// What the page is for a search engine and a link preview (KakaoTalk,
    /// messengers): the canonical absolute URL, a description, the kind.
    /// `None` for pages that are not to be indexed (results, messages).
    pub meta: Option<PageMeta>,
    /// Where to ask a person ([`super::WebConfig::contact_url`]).
    pub contact_url: Option<String>,
}

/// A page's `<link rel="canonical">`, `<meta name="description">` and Open
/// Graph tags (`og:url`, `og:type`, `og:title`, `og:description`).
pub struct PageMeta {
    /// Absolute URL.
    pub canonical: String,
    /// One line, at most [`DESCRIPTION_CHARS`] characters.
    pub description: String,
    /// `article` for an entry, `website` otherwise.
    pub og_type: &'static str,
}

/// The longest page description, in characters (as long as the answer box's
/// lead: what search engines show of a Korean page fits in it).
pub const DESCRIPTION_CHARS: usize = crate::ask::sure::LEAD_CHARS;

impl Chrome {
    /// A page titled `title` with the search box holding `q`.
    pub fn new(title: impl Into<String>, q: impl Into<String>) -> Self {
        Chrome {
            title: title.into(),
            q: q.into(),
            scope: None,
            css_url: assets::css_url(),
            js_url: assets::js_url(),
            meta: None,
            contact_url: None,
        }
    }

    /// The same page, offering `url` to ask a person (footer, and where the
    /// page's template offers it).
    pub fn contact(mut self, url: Option<&str>) -> Self {
        self.contact_url = url.map(str::to_owned);
        self
    }

    /// The same page, described for search engines and link previews.
    pub fn described(mut self, meta: PageMeta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// A category the search can be limited to.
pub struct Scope {
    /// `/`-joined path.
    pub path: String,
    /// Its last level.
    pub label: String,
}

/// A link with a label.
pub struct Link {
    /// Text.
    pub label: String,
    /// Target.
    pub url: String,
}

/// A link to an entry.
pub struct EntryLink {
    /// Entry title.
    pub title: String,
    /// Article URL.
    pub url: String,
}

/// A category with its count and link.
pub struct CategoryLink {
    /// Last level (or the whole path where needed).
    pub label: String,
    /// Entries (or matches).
    pub count: usize,
    /// Target.
    pub url: String,
    /// 1 for a top category.
    pub depth: usize,
    /// The page shows this category.
    pub current: bool,
}

/// A top category and its subcategories (home page).
pub struct CategoryTree {
    /// Name.
    pub label: String,
    /// Entries in it.
    pub count: usize,
    /// Its category page.
    pub url: String,
    /// Subcategories.
    pub children: Vec<CategoryLink>,
}

/// `GET /`.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub quick_searches: Vec<Link>,
    pub tree: Vec<CategoryTree>,
    pub highlights: Highlights,
}

/// What the home and no-result pages suggest reading, under two headings
/// that each say what their list is.
#[derive(Default)]
pub struct Highlights {
    /// "많이 본 도움말": the most viewed entries of the last 30 days, most
    /// viewed first; empty (and not shown) until entries are viewed.
    pub popular: Vec<EntryLink>,
    /// "최근 업데이트된 도움말": the most recently updated entries that
    /// `popular` does not already list, with their dates.
    pub recent: Vec<DatedLink>,
}

/// A link to an entry with the date it was last updated.
pub struct DatedLink {
    /// Entry title.
    pub title: String,
    /// Article URL.
    pub url: String,
    /// `2026년 10월 1일`.
    pub updated: String,
    /// `2026-10-01`, for `<time datetime>`.
    pub updated_iso: String,
}

/// A sort or page link; `current` when the page shows it.
pub struct Choice {
    pub label: String,
    pub url: String,
    pub current: bool,
}

/// The results page's answer box: the one entry the search is sure answers
/// the query (as the chatbot would answer it), with the start of its answer.
pub struct AnswerBox {
    pub crumbs: Vec<String>,
    pub title: String,
    /// The article, with the click recorded as one on its result.
    pub url: String,
    pub lead: String,
}

/// One result.
pub struct HitView {
    pub crumbs: Vec<String>,
    pub title: String,
    pub url: String,
    pub snippet_html: String,
    pub updated: String,
    /// The start of the answer, for the first result when it is the one the
    /// search is sure answers the query: shown as the answer box, instead of
    /// the snippet.
    pub answer_lead: Option<String>,
}

/// `GET /search`.
#[derive(Template)]
#[template(path = "results.html")]
pub struct ResultsPage {
    pub chrome: Chrome,
    pub query: String,
    pub total: usize,
    /// `total` is an estimate (shown as "약 N건").
    pub estimated: bool,
    pub sorts: Vec<Choice>,
    pub filter: Option<Link>,
    pub correction: Option<Link>,
    /// The category filter names no category of the content: its name, and
    /// the same search over every category.
    pub unknown_category: Option<Link>,
    /// The query as read when it was typed in English mode (`ghksqnf` → 환불).
    pub read_as: Option<String>,
    /// The entry that answers the query on its own, if the search is sure of
    /// one and it is not the first result (which then shows it itself,
    /// [`HitView::answer_lead`]).
    pub answer: Option<AnswerBox>,
    pub categories: Vec<CategoryLink>,
    pub hits: Vec<HitView>,
    pub first_rank: usize,
    pub pages: Vec<Choice>,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// Shown only when nothing was found.
    pub highlights: Highlights,
    pub all_categories: Vec<CategoryLink>,
}

/// `GET /articles/{id}`.
#[derive(Template)]
#[template(path = "article.html")]
pub struct ArticlePage {
    pub chrome: Chrome,
    pub service: String,
    pub crumbs: Vec<Link>,
    pub title: String,
    pub updated: String,
    pub updated_iso: String,
    pub body_html: String,
    pub feedback_url: String,
    pub thanks: Option<&'static str>,
    /// The thanks are for a 아니요: the page offers to ask a person.
    pub voted_no: bool,
    pub related: Vec<EntryLink>,
    pub siblings: Vec<EntryLink>,
}

/// An entry in a list.
pub struct EntryRow {
    pub crumbs: Vec<String>,
    pub title: String,
    pub url: String,
    pub updated: String,
}

/// `GET /categories/{path}`.
#[derive(Template)]
#[template(path = "category.html")]
pub struct CategoryPage {
    pub chrome: Chrome,
    pub service: String,
    pub crumbs: Vec<Link>,
    pub heading: String,
    /// Entries in the category and below it (all pages).
    pub total: usize,
    pub children: Vec<CategoryLink>,
    /// This page's entries.
    pub entries: Vec<EntryRow>,
    pub pages: Vec<Choice>,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// A short message page (a rejected search, a vote that could not be saved).
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub chrome: Chrome,
    pub heading: String,
    pub message: String,
    pub link: Option<Link>,
}

/// The 404 page.
#[derive(Template)]
#[template(path = "not_found.html")]
pub struct NotFoundPage {
    pub chrome: Chrome,
}
