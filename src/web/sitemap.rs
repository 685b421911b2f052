//! What search engines read: `/robots.txt` and the sitemaps
//! (`/sitemap.xml`, the [sitemaps.org](https://www.sitemaps.org/protocol.html)
//! protocol).
//!
//! Most people reach a help center from a web search, so every page worth
//! finding is listed with the date its content last changed: the home page,
//! every category page and every article, by their absolute URLs
//! ([`super::WebConfig::absolute_url`], `--public-url`). Results pages, the
//! APIs, the agent area and the chatbot's webhook are kept out of crawlers'
//! way in `robots.txt` (results pages also say `noindex`).
//!
//! A sitemap holds at most [`MAX_URLS`] URLs. Up to that, `/sitemap.xml` is
//! the list itself; past it, `/sitemap.xml` is a sitemap index naming
//! `/sitemaps/1.xml`, `/sitemaps/2.xml`, … of [`MAX_URLS`] each. They are
//! rendered once per content generation (a reload makes new ones) and then
//! served from memory.

use std::sync::{Arc, Mutex};

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;

use super::AppState;
use super::pages::category_url;
use crate::content::Content;
use crate::search::engine::article_path;

/// The most URLs one sitemap file may list (the protocol's limit).
pub const MAX_URLS: usize = 50_000;

/// How long crawlers and proxies may keep a sitemap or `robots.txt`.
const CACHE: &str = "public, max-age=3600";

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(sitemap))
        .route("/sitemaps/{file}", get(sitemap_part))
}

/// One page to list.
pub struct Url {
    /// Absolute URL.
    pub loc: String,
    /// When its content last changed.
    pub lastmod: NaiveDate,
}

/// Every page a search engine should know, home first, then the categories
/// (a parent before its children), then the articles by id. `absolute`
/// turns a site path into an absolute URL.
pub fn urls(content: &Content, absolute: impl Fn(&str) -> String) -> Vec<Url> {
    let entries = content.entries();
    let catalog = content.catalog();
    let Some(newest) = catalog.newest(content).next() else {
        return Vec::new();
    };
    let mut urls = Vec::with_capacity(1 + catalog.categories().len() + entries.len());
    urls.push(Url {
        loc: absolute("/"),
        lastmod: newest.updated,
    });
    for c in catalog.categories() {
        if let Some(e) = catalog.newest_in(content, c).next() {
            urls.push(Url {
                loc: absolute(&category_url(&c.path)),
                lastmod: e.updated,
            });
        }
    }
    urls.extend(entries.iter().map(|e| Url {
        loc: absolute(&article_path(e.id.as_str())),
        lastmod: e.updated,
    }));
    urls
}

#[derive(Template)]
#[template(path = "sitemap.xml")]
struct UrlSet<'a> {
    urls: &'a [Url],
}

#[derive(Template)]
#[template(path = "sitemap_index.xml")]
struct SitemapIndex {
    sitemaps: Vec<Url>,
}

/// The sitemaps of one content generation ([`files`]).
struct Rendered {
    generation: u64,
    /// `/sitemap.xml`: the one list, or the index of `parts`.
    main: Bytes,
    /// `/sitemaps/{n}.xml`, when there is more than one list.
    parts: Vec<Bytes>,
}

/// The last rendered sitemaps ([`AppState::sitemaps`]).
#[derive(Default)]
pub struct Cache(Mutex<Option<Arc<Rendered>>>);

/// The sitemap files for `urls`, at most `max` URLs a file: `(main, parts)`,
/// where `main` is the one list when `urls` fit in one, and otherwise the index
/// of `parts`, named by `absolute("/sitemaps/{n}.xml")`.
pub fn files(
    urls: &[Url],
    max: usize,
    absolute: impl Fn(&str) -> String,
) -> askama::Result<(String, Vec<String>)> {
    if urls.len() <= max {
        return Ok((UrlSet { urls }.render()?, Vec::new()));
    }
    let lists: Vec<&[Url]> = urls.chunks(max.max(1)).collect();
    let sitemaps = lists
        .iter()
        .enumerate()
        .map(|(i, list)| Url {
            loc: absolute(&format!("/sitemaps/{}.xml", i + 1)),
            lastmod: list.iter().map(|u| u.lastmod).max().unwrap_or_default(),
        })
        .collect();
    let parts = lists
        .into_iter()
        .map(|urls| UrlSet { urls }.render())
        .collect::<askama::Result<_>>()?;
    Ok((SitemapIndex { sitemaps }.render()?, parts))
}

fn render(state: &AppState) -> Result<Arc<Rendered>, String> {
    let snapshot = state.snapshot();
    let cache = &state.sitemaps.0;
    if let Some(r) = cache.lock().unwrap_or_else(|e| e.into_inner()).as_ref()
        && r.generation == snapshot.generation
    {
        return Ok(Arc::clone(r));
    }
    let absolute = |p: &str| state.config.absolute_url(p);
    let urls = urls(snapshot.engine.content(), absolute);
    let (main, parts) = files(&urls, MAX_URLS, absolute).map_err(|e| e.to_string())?;
    let rendered = Arc::new(Rendered {
        generation: snapshot.generation,
        main: Bytes::from(main),
        parts: parts.into_iter().map(Bytes::from).collect(),
    });
    *cache.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(&rendered));
    Ok(rendered)
}

async fn rendered(state: AppState) -> Result<Arc<Rendered>, Response> {
    match super::cpu_work(move || render(&state)).await {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(e)) | Err(e) => {
            tracing::error!("rendering the sitemap: {e}");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

fn xml(body: Bytes) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        body,
    )
        .into_response()
}

async fn sitemap(State(state): State<AppState>) -> Response {
    match rendered(state).await {
        Ok(r) => xml(r.main.clone()),
        Err(e) => e,
    }
}

async fn sitemap_part(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let n = file
        .strip_suffix(".xml")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n >= 1);
    let Some(n) = n else {
        return super::pages::not_found_page().into_response();
    };
    match rendered(state).await {
        Ok(r) => match r.parts.get(n - 1) {
            Some(part) => xml(part.clone()),
            None => super::pages::not_found_page().into_response(),
        },
        Err(e) => e,
    }
}

async fn robots(State(state): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\n\
         Disallow: /search\n\
         Disallow: /api/\n\
         Disallow: /agent\n\
         Disallow: /kakao/\n\
         \n\
         Sitemap: {}\n",
        state.config.absolute_url("/sitemap.xml")
    );
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn past_the_limit_the_main_file_is_an_index_of_parts() {
        let absolute = |p: &str| format!("https://help.example.com{p}");
        let urls: Vec<Url> = (1..=5)
            .map(|i| Url {
                loc: absolute(&format!("/articles/a{i}")),
                lastmod: day(i),
            })
            .collect();
        let (main, parts) = files(&urls, 5, absolute).unwrap();
        assert!(parts.is_empty());
        assert_eq!(main.matches("<url>").count(), 5, "{main}");

        let (main, parts) = files(&urls, 2, absolute).unwrap();
        assert!(main.contains("<sitemapindex"), "{main}");
        assert_eq!(parts.len(), 3);
        for (i, part) in parts.iter().enumerate() {
            let n = i + 1;
            assert!(
                main.contains(&format!(
                    "<loc>https://help.example.com/sitemaps/{n}.xml</loc>"
                )),
                "{main}"
            );
            assert_eq!(part.matches("<url>").count(), if n < 3 { 2 } else { 1 });
        }
        // Each part's date is its newest URL's.
        assert!(main.contains("<lastmod>2026-11-04</lastmod>"), "{main}");
        assert!(parts[2].contains("/articles/a5<"), "{}", parts[2]);
    }

    #[test]
    fn urls_are_escaped_as_xml() {
        let urls = [Url {
            loc: "https://help.example.com/?a=1&b=<2>".into(),
            lastmod: day(1),
        }];
        let (main, _) = files(&urls, 10, |p| p.to_string()).unwrap();
        assert!(
            main.contains("<loc>https://help.example.com/?a=1&#38;b=&#60;2&#62;</loc>"),
            "{main}"
        );
    }
}
