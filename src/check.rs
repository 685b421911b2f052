//! `doum check`: everything under `content/` validated together: entries,
//! synonyms, shared facts, decisions, the holiday calendar, and the
//! references between them.
//!
//! **Errors** (exit 1) make content unusable or two pages disagree for sure:
//! anything the loaders reject (including an unknown `{fact}`), an entry's
//! `decision:` that does not exist, an entry naming a decision whose answers
//! never link back to it, and a decision that no entry names (no page would
//! ever show it).
//!
//! **Warnings** (printed, exit 0) are what a reader should look at but a
//! machine cannot be sure about:
//! - a `D-n` or an amount written literally in an entry body or a decision
//!   answer: when it equals a value of `facts.yaml` it should be `{name}` so it
//!   follows that file; a `D-n` that matches no declared D-day has drifted.
//!   (An amount that matches no declared value is not reported: bodies name
//!   many amounts — examples, 1원 verifications — that are no shared fact.)
//! - a sentence ending outside 합니다체 (`…요` other than the request `…세요`,
//!   `…죠`) in an entry body or a decision answer.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::content::facts::{FactValue, SharedFacts};
use crate::content::{Content, load::display_root};
use crate::rules::RuleBook;

/// The outcome of checking a content directory.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Entries loaded (0 when the entries have errors).
    pub entries: usize,
    /// Decisions loaded (0 when the rules have errors).
    pub decisions: usize,
    /// Every error, as `file:line: message`.
    pub problems: Vec<String>,
    /// Every warning, as `file:line: warning: message`.
    pub warnings: Vec<String>,
}

impl CheckReport {
    /// True when there is no error (warnings do not count).
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// How close to the end of the holiday list `doum check` starts warning.
pub const HOLIDAY_WARNING_DAYS: i64 = 60;

/// Checks `content_dir` as of today in Korea and reports every problem found.
pub fn check(content_dir: &Path) -> CheckReport {
    check_at(content_dir, crate::rules::today_kst())
}

/// The warning (`file:line: warning: message`) when `today` is within
/// [`HOLIDAY_WARNING_DAYS`] of the end of the holiday list of `content_dir` (or past it).
pub fn holiday_coverage_warning(
    content_dir: &Path,
    calendar: &crate::rules::Calendar,
    today: chrono::NaiveDate,
) -> Option<String> {
    let end = calendar.covered_until()?;
    let left = (end - today).num_days();
    (left <= HOLIDAY_WARNING_DAYS).then(|| {
        let file = content_dir.join("holidays.yaml");
        format!(
            "{}:{}: warning: public holidays are listed only until {end} ({left} days from {today}): \
             add the next year's holidays, or business days after {end} will count weekends only",
            display_root(content_dir).join("holidays.yaml").display(),
            key_line(&file, "covers"),
        )
    })
}

/// [`check`] as of `today`.
pub fn check_at(content_dir: &Path, today: chrono::NaiveDate) -> CheckReport {
    let mut report = CheckReport::default();
    let shown = display_root(content_dir);
    let content = match Content::load(content_dir) {
        Ok(c) => Some(c),
        Err(errors) => {
            report
                .problems
                .extend(errors.errors().iter().map(|e| e.to_string()));
            None
        }
    };
    // With broken entries, entry ids cannot be checked from the rules side.
    let known = |id: &str| content.as_ref().is_none_or(|c| c.get(id).is_some());
    let entry_file = |source: &Path| content_dir.parent().unwrap_or(Path::new("")).join(source);
    match RuleBook::load(content_dir, &known) {
        Ok(book) => {
            report.decisions = book.decisions().len();
            report.warnings.extend(holiday_coverage_warning(
                content_dir,
                book.calendar(),
                today,
            ));
            if let Some(content) = &content {
                for e in content.entries() {
                    let Some(d) = &e.decision else { continue };
                    let line = key_line(&entry_file(&e.source), "decision");
                    match book.decision(d) {
                        None => report.problems.push(format!(
                            "{}:{line}: decision `{d}` does not exist in {}/rules",
                            e.source.display(),
                            shown.display()
                        )),
                        Some(dec) if !links_to(dec, e.id.as_str()) => {
                            report.problems.push(format!(
                                "{}:{line}: decision `{d}` never links back to this entry: add `{}` to the `related:` of at least one of its answers",
                                e.source.display(),
                                e.id
                            ))
                        }
                        Some(_) => {}
                    }
                }
                for dec in book.decisions() {
                    let named = content
                        .entries()
                        .iter()
                        .any(|e| e.decision.as_deref() == Some(dec.id.as_str()));
                    if !named {
                        let file = rules_file(&shown, &dec.file);
                        let line =
                            key_line(&content_dir.join("rules").join(file_name(&dec.file)), "id");
                        report.problems.push(format!(
                            "{}:{line}: no entry names decision `{}` (`decision: {}` in front matter), so no page shows it",
                            file.display(),
                            dec.id,
                            dec.id
                        ));
                    }
                }
            }
        }
        Err(errors) => report
            .problems
            .extend(errors.0.iter().map(|e| e.to_string())),
    }
    // facts.yaml errors come from both loaders: report each once.
    let mut seen = HashSet::new();
    report.problems.retain(|p| seen.insert(p.clone()));

    if let Some(content) = &content {
        let facts = content.facts();
        for e in content.entries() {
            if let Ok(text) = std::fs::read_to_string(entry_file(&e.source)) {
                for (line, text) in body_lines(&text) {
                    let t = text.trim_start();
                    // Table rows hold cells, not sentences.
                    let style = !t.starts_with('|');
                    lint(
                        &mut report.warnings,
                        &e.source,
                        &[(line, text)],
                        facts,
                        style,
                    );
                }
            }
        }
        let rules_dir = content_dir.join("rules");
        if let Ok(read) = std::fs::read_dir(&rules_dir) {
            let mut files: Vec<PathBuf> = read
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .collect();
            files.sort();
            for path in files {
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let source = shown
                    .join("rules")
                    .join(file_name(&path.display().to_string()));
                for block in answer_blocks(&text) {
                    lint(&mut report.warnings, &source, &block, facts, true);
                }
            }
        }
        report
            .problems
            .extend(synonym_overlaps(content_dir, content));
        report.warnings.extend(shared_phrases(content, &entry_file));
    }
    report.entries = content.map_or(0, |c| c.entries().len());
    report
}

/// Whether any answer of `dec` lists entry `id` in its `related`.
fn links_to(dec: &crate::rules::Decision, id: &str) -> bool {
    dec.rows
        .iter()
        .map(|r| &r.output)
        .chain(dec.for_each.as_ref().map(|f| &f.empty))
        .any(|o| o.related.iter().any(|r| r == id))
}

fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn rules_file(shown: &Path, decision_file: &str) -> PathBuf {
    shown.join("rules").join(file_name(decision_file))
}

/// A word in two synonym groups (the content's or the built-in lexicon's), at
/// its second place, naming the first.
fn synonym_overlaps(content_dir: &Path, content: &Content) -> Vec<String> {
    let file = content_dir.join("synonyms.yaml");
    let shown = crate::content::load::display_root(content_dir).join("synonyms.yaml");
    let lines = std::fs::read_to_string(&file)
        .ok()
        .and_then(|t| crate::content::lines::block_item_lines(&t, "groups"))
        .unwrap_or_default();
    let shown = shown.display().to_string();
    crate::search::query::overlapping_words(content.synonyms().groups(), &shown, &lines)
        .into_iter()
        .map(|(word, (f1, l1), (f2, l2))| {
            format!("{f2}:{l2}: `{word}` is in two synonym groups (also {f1}:{l1}); keep it in one")
        })
        .collect()
}

/// Keyword phrases (two words or more) that another entry carries too,
/// compared without spaces and case: such a phrase names no single entry
/// (see [`crate::search::named`]), so a search for it lists them rather
/// than answering with one. Warnings: a shared phrase is not wrong, only
/// weaker than the writer may think.
fn shared_phrases(content: &Content, entry_file: &dyn Fn(&Path) -> PathBuf) -> Vec<String> {
    let mut first: std::collections::HashMap<String, (&str, &Path)> = Default::default();
    let mut out = Vec::new();
    for e in content.entries() {
        let mut own = HashSet::new();
        for k in e.keywords.iter() {
            if k.split_whitespace().nth(1).is_none() {
                continue;
            }
            let key: String = k.split_whitespace().collect::<String>().to_lowercase();
            if !own.insert(key.clone()) {
                continue;
            }
            match first.get(&key) {
                None => {
                    first.insert(key, (e.id.as_str(), &e.source));
                }
                Some((id, source)) => out.push(format!(
                    "{}:{}: keyword `{k}` is also a keyword of `{id}` ({}:{}): a search for it lists both instead of answering with one; keep it on the entry it answers",
                    e.source.display(),
                    key_line(&entry_file(&e.source), "keywords"),
                    source.display(),
                    key_line(&entry_file(source), "keywords"),
                )),
            }
        }
    }
    out
}

/// The 1-based line of `key:` in a file's front matter or top level (1 when not found).
fn key_line(file: &Path, key: &str) -> usize {
    std::fs::read_to_string(file)
        .ok()
        .and_then(|t| crate::content::lines::key_line(&t, key))
        .unwrap_or(1)
}

/// The body lines of an entry file (after the closing `---`), 1-based, skipping
/// blank lines and fenced code.
fn body_lines(text: &str) -> Vec<(usize, &str)> {
    let mut fences = 0;
    let mut in_code = false;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if fences < 2 {
            if line.trim_end() == "---" {
                fences += 1;
            }
            continue;
        }
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code && !line.trim().is_empty() {
            out.push((i + 1, line));
        }
    }
    out
}

/// The text lines of every `answer:` and `description:` value of a decision
/// file (inline or block scalar), each block as (file line, text) pairs.
fn answer_blocks(text: &str) -> Vec<Vec<(usize, &str)>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim_start().trim_start_matches("- ");
        let key = ["answer:", "description:"]
            .into_iter()
            .find(|k| t.starts_with(k));
        let Some(key) = key else {
            i += 1;
            continue;
        };
        let indent = line.len() - line.trim_start().len();
        let value = t[key.len()..].trim();
        let mut block = Vec::new();
        if !value.is_empty() && !value.starts_with(['>', '|']) {
            block.push((i + 1, value.trim_matches(['"', '\''])));
        }
        let mut j = i + 1;
        while j < lines.len() {
            let l = lines[j];
            let li = l.len() - l.trim_start().len();
            if !l.trim().is_empty() && li <= indent {
                break;
            }
            if !l.trim().is_empty() && !l.trim_start().starts_with('#') {
                block.push((j + 1, l.trim()));
            }
            j += 1;
        }
        blocks.push(block);
        i = j;
    }
    blocks
}

/// Warns about literal D-days / amounts and non-합니다체 endings in one block
/// of text (a body line, or an answer's lines read as one paragraph).
fn lint(
    warnings: &mut Vec<String>,
    source: &Path,
    block: &[(usize, &str)],
    facts: &SharedFacts,
    style: bool,
) {
    // Join the lines, remembering where each starts.
    let mut joined = String::new();
    let mut starts = Vec::new();
    for (line, text) in block {
        if !joined.is_empty() {
            joined.push(' ');
        }
        starts.push((joined.len(), *line));
        joined.push_str(text);
    }
    let line_at = |offset: usize| {
        starts
            .iter()
            .rev()
            .find(|(s, _)| *s <= offset)
            .map_or(1, |(_, l)| *l)
    };
    let mut warn = |offset: usize, msg: String| {
        warnings.push(format!(
            "{}:{}: warning: {msg}",
            source.display(),
            line_at(offset)
        ))
    };
    for lit in literals(&joined) {
        let same = facts.iter().find(|f| match (&f.value, lit.value) {
            (FactValue::DDay(n), Literal::DDay(m)) => *n == m,
            (FactValue::Won(n), Literal::Won(m)) => *n == m,
            _ => false,
        });
        match (same, lit.value) {
            (Some(f), _) => warn(
                lit.offset,
                format!(
                    "`{}` is written out: write `{{{}}}` so it follows facts.yaml",
                    lit.text, f.name
                ),
            ),
            (None, Literal::DDay(_)) => {
                let declared: Vec<String> = facts
                    .iter()
                    .filter(|f| matches!(f.value, FactValue::DDay(_)))
                    .map(|f| format!("{} `{}`", f.value, f.name))
                    .collect();
                warn(
                    lit.offset,
                    format!(
                        "`{}` differs from every D-day declared in facts.yaml ({})",
                        lit.text,
                        if declared.is_empty() {
                            "none".to_owned()
                        } else {
                            declared.join(", ")
                        }
                    ),
                )
            }
            (None, Literal::Won(_)) => {}
        }
    }
    if style {
        for (end, sentence) in sentences(&joined) {
            if let Some(word) = informal_ending(sentence) {
                warn(
                    end,
                    format!(
                        "`{word}`: sentence ends outside 합니다체 (write e.g. `…합니다`, `…주세요`)"
                    ),
                );
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Literal {
    DDay(i64),
    Won(i64),
}

struct Found<'a> {
    offset: usize,
    text: &'a str,
    value: Literal,
}

/// `D-10` and amounts such as `1,000원`, `10억 원`, `100만원` written in `text`.
fn literals(text: &str) -> Vec<Found<'_>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let prev_is_word = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b',');
        if b[i] == b'D' && b.get(i + 1) == Some(&b'-') && !prev_is_word {
            let digits = b[i + 2..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits > 0 {
                let end = i + 2 + digits;
                if let Ok(n) = text[i + 2..end].parse() {
                    out.push(Found {
                        offset: i,
                        text: &text[i..end],
                        value: Literal::DDay(n),
                    });
                }
                i = end;
                continue;
            }
        }
        if b[i].is_ascii_digit() && !prev_is_word && (i == 0 || b[i - 1] != b'-') {
            let len = b[i..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || **c == b',')
                .count();
            let num = text[i..i + len].trim_end_matches(',');
            let mut rest = text[i + num.len()..].trim_start();
            let mut scale = 1;
            for (unit, s) in [("억", 100_000_000i64), ("만", 10_000)] {
                if let Some(r) = rest.strip_prefix(unit) {
                    scale = s;
                    rest = r.trim_start();
                }
            }
            if rest.starts_with('원')
                && let Ok(n) = num.replace(',', "").parse::<i64>()
            {
                let end = text.len() - rest.len() + '원'.len_utf8();
                out.push(Found {
                    offset: i,
                    text: &text[i..end],
                    value: Literal::Won(n.saturating_mul(scale)),
                });
                i = end;
                continue;
            }
            i += len.max(1);
            continue;
        }
        i += 1;
    }
    out
}

/// Sentences of `text` with the byte offset where each ends: a sentence ends
/// at `.`, `?` or `!` followed by a space (or the end of the text), and at the
/// end of the text.
fn sentences(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let next = chars.get(k + 1).map(|&(_, n)| n);
        if matches!(c, '.' | '?' | '!') && next.is_none_or(char::is_whitespace) {
            out.push((i, &text[start..=i]));
            start = i + 1;
        }
    }
    if !text[start..].trim().is_empty() {
        out.push((text.len().saturating_sub(1), &text[start..]));
    }
    out
}

/// The last word of a sentence that ends in 해요체 (`…요` other than `…세요`) or `…죠`.
fn informal_ending(sentence: &str) -> Option<&str> {
    let t = sentence.trim_end_matches(|c: char| c.is_whitespace() || ".?!)]*`\"'”’~:".contains(c));
    let informal = (t.ends_with('요') && !t.ends_with("세요")) || t.ends_with('죠');
    if !informal {
        return None;
    }
    t.rsplit(|c: char| c.is_whitespace() || c == '(' || c == '`' || c == '*')
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endings() {
        assert_eq!(informal_ending("등록할 수 있어요."), Some("있어요"));
        assert_eq!(informal_ending("(7일이 지나면 만료돼요)"), Some("만료돼요"));
        assert_eq!(informal_ending("등록할 수 있습니다."), None);
        assert_eq!(informal_ending("먼저 등록해 주세요."), None);
        assert_eq!(informal_ending("그렇죠?"), Some("그렇죠"));
        assert_eq!(informal_ending("- 카드 한도 초과"), None);
    }

    #[test]
    fn finds_literals() {
        let found: Vec<Literal> =
            literals("D-10까지, 1,000원부터 10억 원, 100만원, 1원, AD-3, 시작 2일 전")
                .into_iter()
                .map(|f| f.value)
                .collect();
        assert_eq!(
            found,
            [
                Literal::DDay(10),
                Literal::Won(1000),
                Literal::Won(1_000_000_000),
                Literal::Won(1_000_000),
                Literal::Won(1)
            ]
        );
    }

    #[test]
    fn splits_sentences() {
        let s: Vec<&str> = sentences("하나입니다. 둘(1.5)입니다? 셋")
            .into_iter()
            .map(|(_, s)| s.trim())
            .collect();
        assert_eq!(s, ["하나입니다.", "둘(1.5)입니다?", "셋"]);
    }

    #[test]
    fn answer_blocks_of_a_decision() {
        let y = "id: x\ndescription: >-\n  한 줄입니다.\n  두 줄이에요.\nrows:\n  - outcome: a\n    answer: 바로 답해요.\n    related: []\n";
        let b = answer_blocks(y);
        assert_eq!(b[0], vec![(3, "한 줄입니다."), (4, "두 줄이에요.")]);
        assert_eq!(b[1], vec![(7, "바로 답해요.")]);
    }

    #[test]
    fn warns_within_60_days_of_the_end_of_the_holiday_list() {
        use chrono::Days;
        let content = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/content"));
        let book = RuleBook::load(content, &|_| true).unwrap();
        // Wherever the shipped list ends (it grows every year).
        let end = book.calendar().covered_until().unwrap();
        let holiday_warnings = |today| -> Vec<String> {
            let report = check_at(content, today);
            assert!(report.is_ok(), "a warning does not fail the check");
            report
                .warnings
                .into_iter()
                .filter(|w| w.contains("holidays.yaml"))
                .collect()
        };
        assert!(holiday_warnings(end - Days::new(61)).is_empty());
        let w = holiday_warnings(end - Days::new(60));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].starts_with("content/holidays.yaml:"), "{}", w[0]);
        assert!(w[0].contains(&format!("until {end} (60 days")), "{}", w[0]);
        let past = holiday_warnings(end + Days::new(3));
        assert!(past[0].contains("(-3 days"), "{past:?}");
    }
}
