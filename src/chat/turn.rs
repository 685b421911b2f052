//! What the user did this turn ([`Turn`]) and what to fetch for it
//! ([`Lookup`]): the first two steps of a chatbot turn (see
//! [`super::dialogue`]).
//!
//! A turn is read from typed text, or from the `extra` of a quick reply or
//! list item we wrote on an earlier turn (`{"doum":"more","q":..,"page":2}`),
//! or from the [`STATE_CONTEXT`] context Kakao sends back. All conversation
//! state travels in those, never in server memory, so any replica can answer
//! the next turn. Values read back are cleaned and capped like utterances.

use serde_json::{Map, Value};

use super::dialogue::ChatConfig;
use super::forget::{ASK_TEXT, ForgetRequest, forget_request};
use super::kakao::request::{MAX_UTTERANCE_CHARS, RequestContext, SkillRequest};
use super::kakao::response::{Extra, MAX_LIST_ITEMS};
use super::small_talk::{SmallTalk, small_talk};
use crate::text::clean_input;

/// Entries per list page (a `listCard` holds at most 5).
pub const PAGE_SIZE: usize = MAX_LIST_ITEMS;
// `doum ask` and the agent preview list as many as the chatbot's first page,
// and the entry that answers is picked among them.
const _: () = assert!(PAGE_SIZE == crate::ask::LIST_LEN);
/// The highest page a "더 보기" turn may ask for.
pub const MAX_PAGE: u32 = 20;
/// Entry ids from `extra` are cut to this many characters.
pub const MAX_ID_CHARS: usize = 200;
/// Label of the quick reply that pages through a list; typing it also works.
pub const MORE_LABEL: &str = "더 보기";

/// Name of the Kakao context that mirrors the list state (the fallback when a typed
/// "더 보기" arrives without `clientExtra`). Declare it in Open Builder to use it.
pub const STATE_CONTEXT: &str = "doum_list";
/// Turns the list-state context lives.
pub const STATE_LIFE_SPAN: u32 = 3;

/// What the user did this turn. The default is an empty question (a welcome).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Turn {
    /// Typed a question (cleaned and capped; empty when they sent nothing usable).
    Ask {
        /// The utterance, plain text.
        query: String,
    },
    /// Asked for another page of a search's candidates.
    More {
        /// The original query.
        query: String,
        /// 2 or more.
        page: u32,
    },
    /// Picked a category.
    Category {
        /// The category (breadcrumb path as shown, e.g. `결제 관리`).
        path: String,
        /// 1 or more.
        page: u32,
    },
    /// Picked one entry.
    Entry {
        /// The entry id.
        id: String,
    },
    /// Said hello, thanks or goodbye, and nothing else (see [`super::small_talk`]).
    SmallTalk(SmallTalk),
    /// Typed the number of an item of the list the [`STATE_CONTEXT`] context
    /// remembers ("2번", "두 번째").
    Pick {
        /// The list as shown: a [`Turn::More`] (a search's page, page 1
        /// included) or a [`Turn::Category`].
        list: Box<Turn>,
        /// The item's number on that page, 1 to [`PAGE_SIZE`].
        n: u32,
    },
    /// Typed [`MORE_LABEL`] or an item's number ("2번") with no list open to
    /// continue or pick from (none remembered in the [`STATE_CONTEXT`]
    /// context): not a question to search.
    NoList {
        /// What they typed.
        typed: String,
    },
    /// Asked to delete their chat history (see [`super::forget`]); only a
    /// `confirmed` request deletes.
    Forget {
        /// Sent the confirmation.
        confirmed: bool,
    },
    /// Said whether an answer helped, by the quick replies under it
    /// ([`VOTE_YES`], [`VOTE_NO`]): a 예/아니요 vote on the entry, as on its page.
    Vote {
        /// The entry answered with.
        id: String,
        /// 도움이 됐어요 (true) or 아쉬워요 (false).
        helpful: bool,
        /// The question the entry answered, when it answered one (not when
        /// opened as a related entry).
        question: Option<String>,
    },
}

/// The quick reply under an answer that says it helped.
pub const VOTE_YES: &str = "도움이 됐어요";
/// The quick reply under an answer that says it did not.
pub const VOTE_NO: &str = "아쉬워요";

impl Default for Turn {
    fn default() -> Self {
        Turn::Ask {
            query: String::new(),
        }
    }
}

/// What the caller should fetch for a turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Nothing (an empty question gets a welcome).
    Nothing,
    /// Search `query` and pass the best `limit` candidates, best first.
    Search {
        /// Plain text: search it as terms, never as query syntax.
        query: String,
        /// How many candidates to fetch.
        limit: usize,
    },
    /// The category's top `limit` entries, most useful first.
    Category {
        /// The category path.
        path: String,
        /// How many entries to fetch.
        limit: usize,
    },
    /// The entry with this id (as a single candidate), if it exists.
    Entry {
        /// The entry id.
        id: String,
    },
}

fn page_from(v: Option<&Value>) -> u32 {
    let n = match v {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(1),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(1),
        _ => 1,
    };
    n.clamp(1, u64::from(MAX_PAGE)) as u32
}

fn text_from(v: Option<&Value>, max: usize) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(clean_input(s, max)).filter(|s| !s.is_empty()),
        _ => None,
    }
}

/// The next page of the list remembered in a [`STATE_CONTEXT`] context.
fn next_page_from_context(ctx: &RequestContext) -> Option<Turn> {
    list_from_context(ctx, 1)
}

/// The list remembered in a [`STATE_CONTEXT`] context, `advance` pages on.
fn list_from_context(ctx: &RequestContext, advance: u32) -> Option<Turn> {
    let page = ctx
        .param("page")
        .map_or(1, |p| page_from(Some(&Value::String(p))));
    let next = (page + advance).min(MAX_PAGE);
    let value = |k: &str| ctx.param(k).map(Value::String);
    match ctx.param("kind").as_deref() {
        Some("search") => text_from(value("q").as_ref(), MAX_UTTERANCE_CHARS)
            .map(|query| Turn::More { query, page: next }),
        Some("category") => text_from(value("path").as_ref(), MAX_UTTERANCE_CHARS)
            .map(|path| Turn::Category { path, page: next }),
        _ => None,
    }
}

impl Turn {
    /// Reads the turn from a request: a `doum` action in `clientExtra` first; then a typed
    /// "더 보기" continuing the list remembered in the [`STATE_CONTEXT`] context, or a
    /// typed number picking from it ("2번"); then an utterance that is exactly a main
    /// category; otherwise the utterance ([`Turn::asking`]: a request to delete the chat
    /// history, small talk, or a question).
    pub fn from_request(req: &SkillRequest, cfg: &ChatConfig) -> Turn {
        if let Some(turn) = req.client_extra().as_ref().and_then(Turn::from_extra) {
            return turn;
        }
        let utterance = req.utterance();
        if utterance == MORE_LABEL {
            return match req.context(STATE_CONTEXT).and_then(next_page_from_context) {
                Some(turn) => turn,
                None => Turn::NoList { typed: utterance },
            };
        }
        if let Some(n) = list_pick(&utterance) {
            return match req
                .context(STATE_CONTEXT)
                .and_then(|c| list_from_context(c, 0))
            {
                Some(list) => Turn::Pick {
                    list: Box::new(list),
                    n,
                },
                None => Turn::NoList { typed: utterance },
            };
        }
        if let Some(path) = main_category(&cfg.main_categories, &utterance) {
            return Turn::Category { path, page: 1 };
        }
        Turn::asking(utterance)
    }

    /// A typed utterance: a request to delete the chat history, small talk,
    /// or a question. One that says nothing (an emoji, "ㅠㅠ", "?") is
    /// taken as an empty question, which the chatbot answers with a
    /// welcome, not with "not found".
    pub fn asking(utterance: String) -> Turn {
        use crate::korean::hangul::{is_consonant, is_jamo};
        // A lone vowel jamo (ㅠ, ㅜ) is a sigh; a consonant may be 초성.
        let says = |c: char| c.is_alphanumeric() && (is_consonant(c) || !is_jamo(c));
        if !utterance.chars().any(says) {
            return Turn::default();
        }
        if let Some(request) = forget_request(&utterance) {
            return Turn::Forget {
                confirmed: request == ForgetRequest::Confirmed,
            };
        }
        match small_talk(&utterance) {
            Some(talk) => Turn::SmallTalk(talk),
            None => Turn::Ask { query: utterance },
        }
    }

    /// Reads a turn from an `extra` object we wrote earlier (`{"doum": ...}`). Values are
    /// cleaned and capped like utterances; pages are clamped to `1..=MAX_PAGE`.
    pub fn from_extra(extra: &Map<String, Value>) -> Option<Turn> {
        let kind = extra.get("doum")?.as_str()?;
        let text = |key: &str| text_from(extra.get(key), MAX_UTTERANCE_CHARS);
        match kind {
            "ask" => text("q").map(Turn::asking),
            "more" => text("q").map(|query| Turn::More {
                query,
                page: page_from(extra.get("page")).max(2),
            }),
            "category" => text("path").map(|path| Turn::Category {
                path,
                page: page_from(extra.get("page")),
            }),
            "entry" => text_from(extra.get("id"), MAX_ID_CHARS).map(|id| Turn::Entry { id }),
            "forget" => Some(Turn::Forget { confirmed: true }),
            "vote" => Some(Turn::Vote {
                id: text_from(extra.get("id"), MAX_ID_CHARS)?,
                helpful: extra.get("helpful")?.as_bool()?,
                question: text("q"),
            }),
            _ => None,
        }
    }

    /// The `extra` that brings this turn back (see [`Turn::from_extra`]).
    pub fn to_extra(&self) -> Extra {
        let mut m = Map::new();
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_owned(), v);
        };
        match self {
            Turn::Ask { query } => {
                put("doum", "ask".into());
                put("q", query.as_str().into());
            }
            Turn::More { query, page } => {
                put("doum", "more".into());
                put("q", query.as_str().into());
                put("page", (*page).into());
            }
            Turn::Category { path, page } => {
                put("doum", "category".into());
                put("path", path.as_str().into());
                if *page > 1 {
                    put("page", (*page).into());
                }
            }
            Turn::Entry { id } => {
                put("doum", "entry".into());
                put("id", id.as_str().into());
            }
            Turn::SmallTalk(talk) => {
                put("doum", "ask".into());
                put("q", talk.phrase().into());
            }
            Turn::Pick { list, .. } => return list.to_extra(),
            Turn::NoList { typed } => {
                put("doum", "ask".into());
                put("q", typed.as_str().into());
            }
            Turn::Forget { confirmed: true } => put("doum", "forget".into()),
            Turn::Forget { confirmed: false } => {
                put("doum", "ask".into());
                put("q", ASK_TEXT.into());
            }
            Turn::Vote {
                id,
                helpful,
                question,
            } => {
                put("doum", "vote".into());
                put("id", id.as_str().into());
                put("helpful", (*helpful).into());
                if let Some(q) = question {
                    put("q", q.as_str().into());
                }
            }
        }
        m
    }

    /// The customer's question this turn answers: what they asked, also
    /// when they picked the answer from the list it gave; none for a
    /// category, a related entry or anything else.
    pub fn question(&self) -> Option<&str> {
        match self {
            Turn::Ask { query } | Turn::More { query, .. } => {
                Some(query.as_str()).filter(|q| !q.is_empty())
            }
            Turn::Pick { list, .. } => list.question(),
            _ => None,
        }
    }

    /// What to fetch for this turn.
    pub fn lookup(&self) -> Lookup {
        let limit = |page: u32| page as usize * PAGE_SIZE + 1;
        match self {
            Turn::Ask { query } if query.is_empty() => Lookup::Nothing,
            Turn::Ask { query } => Lookup::Search {
                query: query.clone(),
                limit: limit(1),
            },
            Turn::More { query, page } => Lookup::Search {
                query: query.clone(),
                limit: limit(*page),
            },
            Turn::Category { path, page } => Lookup::Category {
                path: path.clone(),
                limit: limit(*page),
            },
            Turn::Entry { id } => Lookup::Entry { id: id.clone() },
            Turn::Pick { list, .. } => list.lookup(),
            Turn::SmallTalk(_) | Turn::NoList { .. } | Turn::Forget { .. } | Turn::Vote { .. } => {
                Lookup::Nothing
            }
        }
    }
}

/// The main category `utterance` is exactly, if any: the chatbot lists its
/// entries.
pub(super) fn main_category(main_categories: &[String], utterance: &str) -> Option<String> {
    main_categories
        .iter()
        .find(|c| !utterance.is_empty() && c.trim() == utterance)
        .map(|c| c.trim().to_owned())
}

/// The number of a list item typed on its own: `2`, `2번`, `2번째`, `두 번째`,
/// `두번째 거요`, up to 99 (a number past the page is still a pick, of
/// nothing: the list is shown again). `None` for anything else.
pub(super) fn list_pick(utterance: &str) -> Option<u32> {
    const ORDINALS: [&str; 10] = [
        "첫", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉", "열",
    ];
    let text: String = utterance
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '!' | '?' | '~'))
        .collect();
    let rest = ["거요", "것", "거", "글", "이요", "요"]
        .iter()
        .find_map(|tail| text.strip_suffix(tail))
        .unwrap_or(&text);
    let rest = ["번째", "째", "번"]
        .iter()
        .find_map(|tail| rest.strip_suffix(tail).map(|r| (r, true)))
        .unwrap_or((rest, false));
    let n = match rest {
        (digits, _) if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) => {
            digits.parse().ok()?
        }
        (word, true) => ORDINALS.iter().position(|o| *o == word)? as u32 + 1,
        _ => return None,
    };
    (1..=99).contains(&n).then_some(n)
}
