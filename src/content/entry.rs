//! FAQ entries and the small value types they are made of.
//!
//! The types here can only hold valid values: an [`EntryId`] always matches
//! `^[a-z0-9]+(-[a-z0-9]+)*$`, a [`CategoryPath`] always has 1-3 non-empty
//! levels without `/`. An [`Entry`] is only ever produced by
//! [`Content::load`](super::Content::load) after every check passed.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::body::Body;

/// The identifier of an FAQ entry, used in URLs (`/faq/<id>`), in `related`
/// lists and as the file stem of the entry's Markdown file.
///
/// Invariant: matches `^[a-z0-9]+(-[a-z0-9]+)*$` (lowercase ASCII words joined
/// by single `-`). The same syntax is used for rules decision ids.
///
/// Orders, hashes and compares like the underlying string; it also implements
/// `Borrow<str>`, so a `HashMap<EntryId, _>` can be queried with a `&str`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryId(Box<str>);

/// Returned when a string is not a valid [`EntryId`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid id `{0}`: an id is lowercase ascii letters and digits, in words joined by single '-' (like `refund-card-cancel`)"
)]
pub struct InvalidEntryId(pub String);

impl EntryId {
    /// Whether `s` is valid id syntax: `^[a-z0-9]+(-[a-z0-9]+)*$`.
    pub fn is_valid(s: &str) -> bool {
        !s.is_empty()
            && s.split('-').all(|word| {
                !word.is_empty()
                    && word
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            })
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for EntryId {
    type Err = InvalidEntryId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::try_from(s.to_owned())
    }
}

impl TryFrom<String> for EntryId {
    type Error = InvalidEntryId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        if Self::is_valid(&s) {
            Ok(EntryId(s.into_boxed_str()))
        } else {
            Err(InvalidEntryId(s))
        }
    }
}

impl TryFrom<&str> for EntryId {
    type Error = InvalidEntryId;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for EntryId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for EntryId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<EntryId> for String {
    fn from(id: EntryId) -> String {
        id.0.into()
    }
}

impl Serialize for EntryId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Deserializes from a string and fails if it is not a valid id.
impl<'de> Deserialize<'de> for EntryId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        EntryId::try_from(s).map_err(serde::de::Error::custom)
    }
}

/// Where an entry sits below its service: 1 to 3 levels, e.g.
/// `["결제 관리", "환불 요청"]`.
///
/// Invariant: 1-3 levels, each non-empty after trimming. Levels are stored
/// trimmed. A level may contain `/` (the product's own top category is
/// `광고 만들기/보고서`), so the `/`-joined form is compared as a whole string:
/// an entry is in the category `f` iff [`prefixes`](Self::prefixes) contains
/// `f`'s [`joined`](Self::joined) form.
///
/// Serializes as a JSON/YAML array of strings; deserializes from one (validating).
/// `Display` prints [`joined`](Self::joined).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CategoryPath(Arc<[String]>);

/// Returned when levels do not make a valid [`CategoryPath`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidCategory {
    /// No level at all.
    #[error("category must have at least 1 level")]
    Empty,
    /// More than [`CategoryPath::MAX_LEVELS`] levels.
    #[error("category has {0} levels; at most 3 are allowed")]
    TooDeep(usize),
    /// A level that is empty or only whitespace (1-based level number).
    #[error("category level {0} is empty")]
    EmptyLevel(usize),
}

impl CategoryPath {
    /// The maximum number of levels below the service.
    pub const MAX_LEVELS: usize = 3;

    /// Builds a path from levels (each is trimmed), checking the invariant.
    pub fn new<I, S>(levels: I) -> Result<Self, InvalidCategory>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let levels: Vec<String> = levels
            .into_iter()
            .map(|l| l.as_ref().trim().to_owned())
            .collect();
        if levels.is_empty() {
            return Err(InvalidCategory::Empty);
        }
        if levels.len() > Self::MAX_LEVELS {
            return Err(InvalidCategory::TooDeep(levels.len()));
        }
        for (i, level) in levels.iter().enumerate() {
            if level.is_empty() {
                return Err(InvalidCategory::EmptyLevel(i + 1));
            }
        }
        Ok(CategoryPath(levels.into()))
    }

    /// Parses the `/`-joined form: `"결제 관리/환불 요청"`. Levels are
    /// trimmed; empty levels are errors. Not for levels that contain `/`
    /// themselves: filters use [`matches_filter`](Self::matches_filter).
    pub fn parse(s: &str) -> Result<Self, InvalidCategory> {
        Self::new(s.split('/'))
    }

    /// The levels, top first. Never empty, at most 3.
    pub fn levels(&self) -> &[String] {
        &self.0
    }

    /// The levels joined by `/`: `"결제 관리/환불 요청"`.
    /// `parse(p.joined()).joined() == p.joined()` for every path.
    pub fn joined(&self) -> String {
        self.0.join("/")
    }

    /// Every ancestor path including this one, joined by `/`, top first:
    /// `["결제 관리", "결제 관리/환불 요청"]`. Used for category facets/filters:
    /// an entry matches a filter `f` iff `prefixes()` contains `f`.
    pub fn prefixes(&self) -> Vec<String> {
        (1..=self.0.len()).map(|n| self.0[..n].join("/")).collect()
    }

    /// True when `filter` names this path or one of its ancestors, levels
    /// joined by `/` (`결제 관리/환불 요청`) or by ` > `, spaces around the
    /// separators ignored. Levels may themselves contain `/` (`광고 만들기/보고서`),
    /// so a filter is compared with whole joined prefixes, both written the
    /// same canonical way.
    pub fn matches_filter(&self, filter: &str) -> bool {
        let filter = canonical_path(filter);
        (1..=self.0.len()).any(|n| canonical_path(&self.0[..n].join("/")) == filter)
    }

    /// The service and the levels joined by `" > "`:
    /// `"브랜드 이모티콘 관리자센터 > 결제 관리 > 환불 요청"`.
    pub fn breadcrumb(&self, service: &str) -> String {
        let mut s = service.to_owned();
        for level in self.0.iter() {
            s.push_str(" > ");
            s.push_str(level);
        }
        s
    }
}

/// `a / b > c` → `a/b/c`: separators `/` and `>` with the spaces around them
/// folded, empty levels dropped (`결제 관리/` → `결제 관리`). How a typed
/// category filter and the catalog's paths are compared.
pub(crate) fn canonical_path(s: &str) -> String {
    s.split(['/', '>'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

impl fmt::Display for CategoryPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.joined())
    }
}

impl FromStr for CategoryPath {
    type Err = InvalidCategory;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for CategoryPath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// Deserializes from an array of strings and fails if it is not a valid path.
impl<'de> Deserialize<'de> for CategoryPath {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let levels = Vec::<String>::deserialize(d)?;
        CategoryPath::new(levels).map_err(serde::de::Error::custom)
    }
}

/// One validated FAQ entry: a customer question and its answer.
///
/// Invariants (guaranteed by [`Content::load`](super::Content::load)):
/// `title`, `service` are non-empty and trimmed (`keywords` are valid by
/// their type); `id` equals the file stem; every `related` id exists in the same
/// [`Content`](super::Content) and is not `id` itself, without repeats;
/// `decision`, if set, has [`EntryId`] syntax; the body's Markdown is not blank.
///
/// The body is in memory when loaded from Markdown, read on demand from the
/// index's snapshot file when the content comes from there (see
/// [`crate::search::snapshot`]); [`Body::read`] gives either.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Unique id; equals the Markdown file's stem.
    pub id: EntryId,
    /// The customer's question.
    pub title: Box<str>,
    /// The service (product) the entry belongs to, e.g. `브랜드 이모티콘 관리자센터`.
    pub service: Arc<str>,
    /// 1-3 category levels below the service.
    pub category: CategoryPath,
    /// Extra search terms (may be empty).
    pub keywords: super::Keywords,
    /// Date the answer was last reviewed.
    pub updated: NaiveDate,
    /// Id of a rules decision that personalises this answer (syntax of [`EntryId`];
    /// whether that decision exists is checked by the rules module, not here).
    pub decision: Option<Box<str>>,
    /// Related entries, in the author's order; all exist.
    pub related: Box<[EntryId]>,
    /// The answer: as written in Markdown, as safe HTML and as plain text.
    pub body: Body,
    /// The file this entry came from, as shown in errors (e.g. `content/faq/x.md`).
    pub source: Box<Path>,
}

impl Entry {
    /// The answer as plain text for a reader of the text alone (the
    /// chatbot's card, `doum ask`): a table's rows read with their headers
    /// ([`super::markdown::to_reading_text`]). A body without a `|` has no
    /// table, and its stored plain text is the same, without parsing.
    pub fn reading_text(&self) -> String {
        self.text_reading_tables(super::markdown::to_reading_text)
            .into_owned()
    }

    /// The stored plain text, or `parse` of the Markdown when the body may
    /// hold a table: a table always has a `|`, and without one both texts
    /// are the same, so only bodies with one are parsed.
    fn text_reading_tables(&self, parse: fn(&str) -> String) -> Cow<'_, str> {
        let markdown = self.body.markdown();
        if markdown.contains('|') {
            Cow::Owned(parse(&markdown))
        } else {
            self.body.text()
        }
    }

    /// The start of the answer on one line: its first sentences within `max`
    /// characters ([`crate::text::cut_at_sentence`], a line break ends a
    /// sentence), before any table ([`super::markdown::lead_text`]). What an
    /// answer box, a link preview and a search engine's snippet show of the
    /// entry.
    pub fn lead(&self, max: usize) -> String {
        let text = self.text_reading_tables(super::markdown::lead_text);
        let cut = crate::text::cut_at_sentence(&text, max);
        // Blocks become one line: after a sentence a space, between list
        // items that are not sentences ("투명 배경", "PNG") a middle dot.
        let mut lead = String::with_capacity(cut.len());
        for line in cut.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if !lead.is_empty() {
                let sentence = lead.ends_with(['.', '!', '?', '…', ':', '。', ')']);
                lead.push_str(if sentence { " " } else { " · " });
            }
            lead.extend(line.split_whitespace().flat_map(|w| [w, " "]));
            lead.pop();
        }
        lead
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_syntax() {
        for ok in ["a", "refund-card", "a1-2b-c3", "2026"] {
            assert!(ok.parse::<EntryId>().is_ok(), "{ok}");
        }
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "a b", "환불", "a.b"] {
            assert!(bad.parse::<EntryId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn id_serde_validates() {
        let id: EntryId = serde_yaml::from_str("refund-card").unwrap();
        assert_eq!(id.as_str(), "refund-card");
        assert!(serde_yaml::from_str::<EntryId>("Refund").is_err());
    }

    #[test]
    fn category_path() {
        let c = CategoryPath::new(["결제 관리", " 환불 요청 "]).unwrap();
        assert_eq!(c.levels(), ["결제 관리", "환불 요청"]);
        assert_eq!(c.joined(), "결제 관리/환불 요청");
        assert_eq!(c.prefixes(), ["결제 관리", "결제 관리/환불 요청"]);
        assert_eq!(
            c.breadcrumb("브랜드 이모티콘 관리자센터"),
            "브랜드 이모티콘 관리자센터 > 결제 관리 > 환불 요청"
        );
        assert_eq!(CategoryPath::parse("결제 관리/환불 요청").unwrap(), c);
        assert_eq!(
            CategoryPath::parse("a/").unwrap_err(),
            InvalidCategory::EmptyLevel(2)
        );
        assert_eq!(
            CategoryPath::parse("a/b/c/d").unwrap_err(),
            InvalidCategory::TooDeep(4)
        );
        assert_eq!(
            CategoryPath::new(Vec::<String>::new()).unwrap_err(),
            InvalidCategory::Empty
        );
        // Real category names contain '/': "광고 만들기/보고서".
        let c = CategoryPath::new(["광고 만들기/보고서", "소재 관리"]).unwrap();
        assert!(c.matches_filter("광고 만들기/보고서"));
        assert!(c.matches_filter("광고 만들기/보고서/소재 관리"));
        assert!(c.matches_filter("광고 만들기/보고서 > 소재 관리"));
        assert!(c.matches_filter("광고 만들기/보고서/ 소재 관리 /"));
        assert!(!c.matches_filter("광고 만들기"));
        assert!(!c.matches_filter("소재 관리"));
        let yaml: CategoryPath = serde_yaml::from_str("[a, b]").unwrap();
        assert_eq!(yaml.levels(), ["a", "b"]);
        assert!(serde_yaml::from_str::<CategoryPath>("[]").is_err());
    }
}
