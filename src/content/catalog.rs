//! The content's categories as a tree, and its entries newest first
//! ([`Catalog`]): what the customer center's home, category and results
//! pages and the chatbot's category buttons browse, and what a search's
//! category counts and filter are counted over.
//!
//! Built once per [`Content`] on first use ([`Content::catalog`]), so that
//! no request walks every entry: at 100,000 entries the home page took
//! 72–78 ms and a top-level category page 77–83 ms doing so (a string per
//! entry and level, then a sort of all entries), and every chatbot request
//! 3 ms collecting the top-level categories; now each takes about 1 ms
//! (BENCHMARKS.md).

use std::collections::HashMap;

use super::{Content, Entry};

/// One category: a path of 1-3 levels and the entries filed under it or
/// below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Its levels, e.g. `["결제 관리", "환불 요청"]`.
    pub levels: Vec<String>,
    /// The levels `/`-joined, as search filters and URLs name it.
    pub path: String,
    /// Entries filed under it or any of its subcategories.
    pub count: usize,
    /// Its position in [`Catalog::categories`].
    at: usize,
    /// Its parent's position, if it has one.
    parent: Option<usize>,
    /// Its subcategories' positions, by path.
    children: Vec<usize>,
}

impl Category {
    /// The last level: what a link to it says.
    pub fn label(&self) -> &str {
        self.levels.last().map_or("", String::as_str)
    }
}

/// See the module docs.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Every category that has entries, by path.
    categories: Vec<Category>,
    /// Position in `categories` by path.
    by_path: HashMap<String, usize>,
    /// The top-level categories in the order their first entry comes (by
    /// entry id): the order the chatbot offers them in.
    first_seen: Vec<usize>,
    /// For each entry (by position), the position of its own category.
    filed: Vec<u32>,
    /// Entry positions, most recently updated first (then by id).
    newest: Vec<u32>,
}

impl Catalog {
    /// The catalog of `entries` (a [`Content`]'s, sorted by id).
    pub fn new(entries: &[Entry]) -> Self {
        let mut counts: HashMap<&[String], usize> = HashMap::new();
        let mut first_seen: Vec<&[String]> = Vec::new();
        for e in entries {
            let levels = e.category.levels();
            for n in 1..=levels.len() {
                let slot = counts.entry(&levels[..n]).or_insert(0);
                if *slot == 0 && n == 1 {
                    first_seen.push(&levels[..1]);
                }
                *slot += 1;
            }
        }
        let mut sorted: Vec<(&[String], usize)> = counts.into_iter().collect();
        sorted.sort_by(|a, b| a.0.join("/").cmp(&b.0.join("/")).then(a.0.cmp(b.0)));
        let mut categories: Vec<Category> = sorted
            .iter()
            .enumerate()
            .map(|(at, (levels, count))| Category {
                levels: levels.to_vec(),
                path: levels.join("/"),
                count: *count,
                at,
                parent: None,
                children: Vec::new(),
            })
            .collect();
        let at: HashMap<&[String], usize> = sorted
            .iter()
            .enumerate()
            .map(|(i, (levels, _))| (*levels, i))
            .collect();
        for (i, (levels, _)) in sorted.iter().enumerate() {
            if levels.len() > 1 {
                let parent = at[&levels[..levels.len() - 1]];
                categories[parent].children.push(i);
                categories[i].parent = Some(parent);
            }
        }
        let filed = entries
            .iter()
            .map(|e| at[e.category.levels()] as u32)
            .collect();
        let first_seen = first_seen.iter().map(|l| at[l]).collect();
        let by_path = categories
            .iter()
            .enumerate()
            .map(|(i, c)| (c.path.clone(), i))
            .collect();
        let mut newest: Vec<u32> = (0..entries.len() as u32).collect();
        // Entries are sorted by id, so a stable sort keeps ids in order
        // among equal dates.
        newest.sort_by(|&a, &b| {
            entries[b as usize]
                .updated
                .cmp(&entries[a as usize].updated)
        });
        Catalog {
            categories,
            by_path,
            first_seen,
            filed,
            newest,
        }
    }

    /// Every category, by path (a parent before its children).
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// The category with this `/`-joined path.
    pub fn get(&self, path: &str) -> Option<&Category> {
        self.by_path.get(path).map(|&i| &self.categories[i])
    }

    /// The category `path` names, however it spaces its separators
    /// (`결제 관리 / 환불 요청`, `결제 관리>환불 요청`).
    pub fn find(&self, path: &str) -> Option<&Category> {
        self.get(path).or_else(|| {
            let wanted = super::entry::canonical_path(path);
            self.categories
                .iter()
                .find(|c| super::entry::canonical_path(&c.path) == wanted)
        })
    }

    /// The top-level categories, by path.
    pub fn tops(&self) -> impl Iterator<Item = &Category> {
        self.categories.iter().filter(|c| c.levels.len() == 1)
    }

    /// The top-level categories in the order their first entry (by id)
    /// comes.
    pub fn tops_as_filed(&self) -> impl Iterator<Item = &Category> {
        self.first_seen.iter().map(|&i| &self.categories[i])
    }

    /// `category`'s subcategories, by path.
    pub fn children<'a>(&'a self, category: &'a Category) -> impl Iterator<Item = &'a Category> {
        category.children.iter().map(|&i| &self.categories[i])
    }

    /// The position in [`Self::categories`] of the category the entry at
    /// position `entry` is filed in.
    pub fn category_of(&self, entry: usize) -> Option<usize> {
        self.filed.get(entry).map(|&c| c as usize)
    }

    /// For each category (by position), whether it lies within the
    /// category a search filter names (`결제 관리`, `결제 관리 / 환불 요청`:
    /// spaces around separators do not matter, as in
    /// [`super::CategoryPath::matches_filter`]).
    pub fn inside(&self, filter: &str) -> Vec<bool> {
        let filter = super::entry::canonical_path(filter);
        let mut inside = Vec::with_capacity(self.categories.len());
        // A parent's path is a prefix of its children's, so it comes first.
        for c in &self.categories {
            let here = super::entry::canonical_path(&c.path) == filter;
            inside.push(here || c.parent.is_some_and(|p| inside[p]));
        }
        inside
    }

    /// For each category (by position), how many of the entries at
    /// positions `entries` are filed in it or below it.
    pub fn tally(&self, entries: impl IntoIterator<Item = usize>) -> Vec<usize> {
        let mut counts = vec![0; self.categories.len()];
        for e in entries {
            let mut at = self.category_of(e);
            while let Some(c) = at {
                counts[c] += 1;
                at = self.categories[c].parent;
            }
        }
        counts
    }

    /// The entries of `content` (whose catalog this is), most recently
    /// updated first, then by id.
    pub fn newest<'a>(&'a self, content: &'a Content) -> impl Iterator<Item = &'a Entry> {
        self.newest.iter().map(|&i| &content.entries()[i as usize])
    }

    /// The entries of `content` filed under `category` or below it, most
    /// recently updated first, then by id.
    pub fn newest_in<'a>(
        &'a self,
        content: &'a Content,
        category: &'a Category,
    ) -> impl Iterator<Item = &'a Entry> {
        self.newest
            .iter()
            .filter(move |&&i| self.within(self.filed[i as usize] as usize, category.at))
            .map(|&i| &content.entries()[i as usize])
    }

    /// Category `at` is `outer` or lies below it.
    fn within(&self, mut at: usize, outer: usize) -> bool {
        loop {
            if at == outer {
                return true;
            }
            match self.categories[at].parent {
                Some(p) => at = p,
                None => return false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Body, CategoryPath, EntryId, Keywords};
    use chrono::NaiveDate;

    fn entry(id: &str, category: &[&str], day: u32) -> Entry {
        Entry {
            id: id.parse::<EntryId>().unwrap(),
            title: format!("{id} 질문").into(),
            service: "서비스".into(),
            category: CategoryPath::new(category.iter().copied()).unwrap(),
            keywords: Keywords::default(),
            updated: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            decision: None,
            related: Box::new([]),
            body: Body::new("본문".into(), "<p>본문</p>".into(), "본문".into()),
            source: std::path::Path::new("faq/x.md").into(),
        }
    }

    fn catalog() -> (Vec<Entry>, Catalog) {
        let entries = vec![
            entry("a", &["캐시", "충전"], 3),
            entry("b", &["결제", "환불"], 5),
            entry("c", &["캐시"], 5),
            entry("d", &["결제", "환불", "카드"], 1),
            entry("e", &["결제", "영수증"], 9),
        ];
        let catalog = Catalog::new(&entries);
        (entries, catalog)
    }

    #[test]
    fn categories_count_their_entries_and_know_their_children() {
        let (_, c) = catalog();
        let paths: Vec<&str> = c.categories().iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "결제",
                "결제/영수증",
                "결제/환불",
                "결제/환불/카드",
                "캐시",
                "캐시/충전"
            ]
        );
        let pay = c.get("결제").unwrap();
        assert_eq!(pay.count, 3);
        let kids: Vec<&str> = c.children(pay).map(Category::label).collect();
        assert_eq!(kids, ["영수증", "환불"]);
        assert_eq!(c.get("결제/환불").unwrap().count, 2);
        assert_eq!(
            c.get("결제/환불/카드").unwrap().levels,
            ["결제", "환불", "카드"]
        );
        assert!(c.get("결제/없음").is_none());
        let tops: Vec<&str> = c.tops().map(Category::label).collect();
        assert_eq!(tops, ["결제", "캐시"]);
        let filed: Vec<&str> = c.tops_as_filed().map(Category::label).collect();
        assert_eq!(filed, ["캐시", "결제"]);
    }

    #[test]
    fn filters_and_tallies_follow_the_tree() {
        let (entries, c) = catalog();
        let at = |path: &str| c.categories().iter().position(|x| x.path == path).unwrap();
        let inside = c.inside(" 결제 / 환불 ");
        let within: Vec<&str> = c
            .categories()
            .iter()
            .zip(&inside)
            .filter(|(_, i)| **i)
            .map(|(x, _)| x.path.as_str())
            .collect();
        assert_eq!(within, ["결제/환불", "결제/환불/카드"]);
        assert!(c.inside("없음").iter().all(|i| !i));
        assert_eq!(c.find(" 결제 / 환불 ").map(Category::label), Some("환불"));
        assert_eq!(
            c.find("결제>환불>카드").map(|x| x.path.as_str()),
            Some("결제/환불/카드")
        );
        assert!(c.find("없음").is_none());
        let d = entries.iter().position(|e| e.id.as_str() == "d").unwrap();
        assert_eq!(c.category_of(d), Some(at("결제/환불/카드")));
        // b (결제/환불), d (결제/환불/카드), a (캐시/충전).
        let b = entries.iter().position(|e| e.id.as_str() == "b").unwrap();
        let a = entries.iter().position(|e| e.id.as_str() == "a").unwrap();
        let counts = c.tally([b, d, a]);
        assert_eq!(counts[at("결제")], 2);
        assert_eq!(counts[at("결제/환불")], 2);
        assert_eq!(counts[at("결제/환불/카드")], 1);
        assert_eq!(counts[at("결제/영수증")], 0);
        assert_eq!(counts[at("캐시")], 1);
        assert_eq!(counts[at("캐시/충전")], 1);
    }

    #[test]
    fn entries_come_newest_first_within_a_category() {
        let (entries, c) = catalog();
        let content = Content::from_snapshot(
            entries,
            crate::content::Synonyms::empty(),
            std::path::PathBuf::from("/nonexistent"),
        );
        let ids = |it: &mut dyn Iterator<Item = &Entry>| -> Vec<String> {
            it.map(|e| e.id.to_string()).collect()
        };
        assert_eq!(ids(&mut c.newest(&content)), ["e", "b", "c", "a", "d"]);
        let pay = c.get("결제").unwrap();
        assert_eq!(ids(&mut c.newest_in(&content, pay)), ["e", "b", "d"]);
        let refund = c.get("결제/환불").unwrap();
        assert_eq!(ids(&mut c.newest_in(&content, refund)), ["b", "d"]);
        let cash = c.get("캐시").unwrap();
        assert_eq!(ids(&mut c.newest_in(&content, cash)), ["c", "a"]);
    }
}
