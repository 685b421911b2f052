//! The analytics report: what `doum report`, `/api/agent/analytics/report` and the
//! agent page show.

use std::fmt::Write as _;

use serde::Serialize;

use super::ChatOutcome;

/// One query and how often it was searched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryStat {
    /// The normalized query (for chatbot questions: as asked).
    pub query: String,
    /// How many times (searches: first pages only).
    pub count: u64,
    /// The most results it had.
    pub results: u64,
    /// For searches that found nothing: the category filter they were
    /// searched within (an empty or unknown category finds nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

impl QueryStat {
    /// The query, with the category it was searched within if any:
    /// `환불 (카테고리: 결제 관리)`.
    pub fn query_in_category(&self) -> String {
        match &self.category {
            Some(c) => format!("{} (카테고리: {c})", self.query),
            None => self.query.clone(),
        }
    }
}

/// An entry's votes and the comments left with 아니요.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryFeedback {
    /// Entry id.
    pub id: String,
    /// 아니요 votes.
    pub no: u64,
    /// 예 votes.
    pub yes: u64,
    /// Latest comments, newest first.
    pub comments: Vec<String>,
    /// Latest chatbot questions whose answer (this entry) was rated
    /// 아쉬워요, newest first: the entry may be the wrong answer to them.
    pub questions: Vec<String>,
}

/// A query whose answer box a customer passed over: after the search showed
/// `answer` as its one answer (가장 알맞은 답변), another of its results was
/// opened. A sign that the answer may be the wrong one for how this query is
/// meant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassedOver {
    /// The normalized query.
    pub query: String,
    /// The entry shown as its answer.
    pub answer: String,
    /// First-page searches of it that showed that answer.
    pub searches: u64,
    /// Openings of other entries from its results.
    pub other_opened: u64,
}

/// Everything since one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Unix seconds the report starts at.
    pub since: i64,
    /// Searches (first pages).
    pub searches: u64,
    /// Of those, the ones that showed one answer (가장 알맞은 답변).
    pub answered: u64,
    /// Article views (clicks from results included).
    pub views: u64,
    /// Votes.
    pub votes: u64,
    /// Chatbot turns with a question, per outcome: `(outcome, count)`.
    pub chat_outcomes: Vec<(String, u64)>,
    /// Most searched.
    pub top_queries: Vec<QueryStat>,
    /// Searched, nothing found.
    pub no_results: Vec<QueryStat>,
    /// Searched, found, no answer shown, and no result opened.
    pub unopened: Vec<QueryStat>,
    /// Searched, shown one answer, and another result opened.
    pub answer_passed_over: Vec<PassedOver>,
    /// Entries with the most 아니요.
    pub unhelpful: Vec<EntryFeedback>,
    /// Chatbot questions nothing was found for.
    pub chat_not_found: Vec<QueryStat>,
}

fn queries(out: &mut String, title: &str, rows: &[QueryStat], results: bool) {
    let _ = writeln!(out, "\n{title}");
    if rows.is_empty() {
        let _ = writeln!(out, "  (없음)");
    }
    for r in rows {
        if results {
            let _ = writeln!(
                out,
                "  {:>5}회  {}  (결과 {}건)",
                r.count, r.query, r.results
            );
        } else {
            let _ = writeln!(out, "  {:>5}회  {}", r.count, r.query_in_category());
        }
    }
}

impl Report {
    /// "챗봇 질문 12회 (바로 답변 7 · 목록 3 · 못 찾음 1 · 상담원 요청 1)": the
    /// chatbot's questions by outcome, labelled and ordered as
    /// [`ChatOutcome::ALL`] (an outcome this doum does not know, from a newer
    /// one sharing the store, by its stored name, last); `None` when there
    /// were none. `doum report` and the agent page both show this line.
    pub fn chat_line(&self) -> Option<String> {
        let total: u64 = self.chat_outcomes.iter().map(|(_, n)| n).sum();
        if total == 0 {
            return None;
        }
        let count = |name: &str| self.chat_outcomes.iter().find(|(o, _)| o == name);
        let known = ChatOutcome::ALL
            .iter()
            .filter_map(|o| count(o.as_str()).map(|(_, n)| format!("{} {n}", o.label())));
        let unknown = self
            .chat_outcomes
            .iter()
            .filter(|(o, _)| !ChatOutcome::ALL.iter().any(|k| k.as_str() == o))
            .map(|(o, n)| format!("{o} {n}"));
        let parts: Vec<String> = known.chain(unknown).collect();
        Some(format!("챗봇 질문 {total}회 ({})", parts.join(" · ")))
    }

    /// The report as text for a terminal.
    pub fn to_text(&self) -> String {
        let since = chrono::DateTime::from_timestamp(self.since, 0)
            .map(|d| {
                d.with_timezone(&crate::rules::kst())
                    .format("%Y-%m-%d %H:%M KST")
                    .to_string()
            })
            .unwrap_or_default();
        let mut out = format!(
            "검색 분석 ({since} 이후): 검색 {}회 (가장 알맞은 답변을 보여 준 검색 {}회), \
             문서 열람 {}회, 피드백 {}건\n",
            self.searches, self.answered, self.views, self.votes
        );
        if let Some(line) = self.chat_line() {
            let _ = writeln!(out, "{line}");
        }
        queries(&mut out, "많이 찾은 검색어", &self.top_queries, true);
        queries(&mut out, "결과가 없는 검색어", &self.no_results, false);
        queries(
            &mut out,
            "결과를 아무도 열지 않은 검색어",
            &self.unopened,
            true,
        );
        let _ = writeln!(out, "\n답변 대신 다른 결과를 연 검색어");
        if self.answer_passed_over.is_empty() {
            let _ = writeln!(out, "  (없음)");
        }
        for p in &self.answer_passed_over {
            let _ = writeln!(
                out,
                "  {:>5}회  {}  (답변 {}, 다른 결과 열람 {}회)",
                p.searches, p.query, p.answer, p.other_opened
            );
        }
        let _ = writeln!(out, "\n'아니요'가 많은 도움말");
        if self.unhelpful.is_empty() {
            let _ = writeln!(out, "  (없음)");
        }
        for e in &self.unhelpful {
            let _ = writeln!(out, "  아니요 {:>3} / 예 {:>3}  {}", e.no, e.yes, e.id);
            for c in &e.comments {
                let _ = writeln!(out, "      - {c}");
            }
            for q in &e.questions {
                let _ = writeln!(out, "      - 챗봇 질문: {q}");
            }
        }
        queries(
            &mut out,
            "챗봇이 답을 찾지 못한 질문",
            &self.chat_not_found,
            false,
        );
        out
    }
}

/// Parses a `--since` span: `7d`, `24h`, `30m` (a whole number from 1), or a
/// date `YYYY-MM-DD`, which starts at midnight in Korea (KST,
/// [`crate::rules::kst`]); returns unix seconds relative to `now`. The error
/// says what was wrong with `text`.
pub fn parse_since(text: &str, now: i64) -> Result<i64, String> {
    let t = text.trim();
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .and_then(|d| d.and_local_timezone(crate::rules::kst()).single())
            .map(|d| d.timestamp())
            .ok_or_else(|| format!("`{t}` is not a date this report can start at"));
    }
    let (num, unit) = t.split_at(t.len() - t.chars().last().map_or(0, char::len_utf8));
    let secs = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        _ => {
            return Err(format!(
                "`{t}` is not a span: use e.g. 7d, 24h, 30m or YYYY-MM-DD"
            ));
        }
    };
    let n = num
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 1 && num.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            format!("`{t}`: the span must be a whole number from 1 and a unit d, h or m (e.g. 7d)")
        })?;
    n.checked_mul(secs)
        .and_then(|s| now.checked_sub(s))
        .ok_or_else(|| format!("`{t}` reaches back too far"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_spans() {
        assert_eq!(parse_since("7d", 1_000_000), Ok(1_000_000 - 7 * 86_400));
        assert_eq!(parse_since("2h", 10_000), Ok(10_000 - 7_200));
        // Midnight in Korea: 15:00 UTC the day before.
        assert_eq!(parse_since("2026-01-01", 0), Ok(1_767_225_600 - 9 * 3_600));
        for bad in [
            "7w",
            "x",
            "-1d",
            "0d",
            "+1d",
            "d",
            "",
            "환불",
            "99999999999999999d",
        ] {
            assert!(parse_since(bad, 1_000_000).is_err(), "{bad}");
        }
    }
}
