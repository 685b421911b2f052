//! A search request that can only hold valid values, and its errors.

use std::fmt;
use std::str::FromStr;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// The largest page size.
pub const MAX_PAGE_SIZE: usize = 50;
/// The page size when none is given.
pub const DEFAULT_PAGE_SIZE: usize = 10;

/// A problem with one field of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError {
    /// The field (query parameter) at fault: `q`, `category`, `sort`, `page`, `size`.
    pub field: &'static str,
    /// What is wrong, for a person.
    pub message: String,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for RequestError {}

fn err(field: &'static str, message: impl Into<String>) -> RequestError {
    RequestError {
        field,
        message: message.into(),
    }
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Most recently updated first (among relevant results).
    Updated,
}

impl FromStr for Sort {
    type Err = RequestError;
    fn from_str(s: &str) -> Result<Self, RequestError> {
        match s {
            "relevance" | "" => Ok(Sort::Relevance),
            "updated" => Ok(Sort::Updated),
            other => Err(err(
                "sort",
                format!("unknown sort `{other}`: use `relevance` or `updated`"),
            )),
        }
    }
}

/// A validated search request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchRequest {
    query: String,
    category: Option<String>,
    sort: Sort,
    page: usize,
    size: usize,
}

impl SearchRequest {
    /// A request for `query` (trimmed; 1..=200 characters), first page, 10 results.
    pub fn new(query: &str) -> Result<Self, RequestError> {
        // Control characters (a pasted tab or line break, `%00`) read as
        // spaces, as in a chatbot question: what is searched, echoed and
        // recorded is text.
        let cleaned = crate::text::clean_input(query, usize::MAX);
        let query = cleaned.as_str();
        if query.is_empty() {
            return Err(err(
                "q",
                "the query is empty: type what you are looking for",
            ));
        }
        let n = query.chars().count();
        if n > MAX_QUERY_CHARS {
            return Err(err(
                "q",
                format!("the query has {n} characters; the limit is {MAX_QUERY_CHARS}"),
            ));
        }
        Ok(Self {
            query: query.to_string(),
            category: None,
            sort: Sort::Relevance,
            page: 1,
            size: DEFAULT_PAGE_SIZE,
        })
    }

    /// Restricts results to a category path prefix: `결제 관리` or `결제 관리/환불 요청`.
    pub fn category(mut self, path: Option<&str>) -> Result<Self, RequestError> {
        self.category = match path.map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) if p.chars().count() > MAX_QUERY_CHARS => {
                return Err(err("category", "the category is too long"));
            }
            Some(p) => Some(p.to_string()),
        };
        Ok(self)
    }

    /// Sets the order.
    pub fn sort(mut self, sort: Sort) -> Self {
        self.sort = sort;
        self
    }

    /// Sets the 1-based page number.
    pub fn page(mut self, page: usize) -> Result<Self, RequestError> {
        if page == 0 {
            return Err(err("page", "pages start at 1"));
        }
        self.page = page;
        Ok(self)
    }

    /// Sets the page size (1..=50).
    pub fn size(mut self, size: usize) -> Result<Self, RequestError> {
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(err(
                "size",
                format!("size must be between 1 and {MAX_PAGE_SIZE}"),
            ));
        }
        self.size = size;
        Ok(self)
    }

    /// The query text.
    pub fn query(&self) -> &str {
        &self.query
    }
    /// The category filter: a category path prefix, levels joined by `/` or ` > `.
    pub fn category_filter(&self) -> Option<&str> {
        self.category.as_deref()
    }
    /// The order.
    pub fn sort_order(&self) -> Sort {
        self.sort
    }
    /// The 1-based page.
    pub fn page_number(&self) -> usize {
        self.page
    }
    /// The page size.
    pub fn page_size(&self) -> usize {
        self.size
    }
}
