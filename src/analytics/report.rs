//! The analytics report: what `doum report`, `/api/agent/analytics/report` and the
//! agent page show.

use std::fmt::Write as _;

use serde::Serialize;

/// One query and how often it was searched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryStat {
    /// The normalized query (for chatbot questions: as asked).
    pub query: String,
    /// How many times (searches: first pages only).
    pub count: u64,
    /// The most results it had.
    pub results: u64,
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
            let _ = writeln!(out, "  {:>5}회  {}", r.count, r.query);
        }
    }
}

impl Report {
    /// The report as text for a terminal.
    pub fn to_text(&self) -> String {
        let since = chrono::DateTime::from_timestamp(self.since, 0)
            .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
        let mut out = format!(
            "검색 분석 ({since} 이후): 검색 {}회 (가장 알맞은 답변을 보여 준 검색 {}회), \
             문서 열람 {}회, 피드백 {}건\n",
            self.searches, self.answered, self.views, self.votes
        );
        if !self.chat_outcomes.is_empty() {
            let parts: Vec<String> = self
                .chat_outcomes
                .iter()
                .map(|(o, n)| format!("{o} {n}"))
                .collect();
            let _ = writeln!(out, "챗봇 응답: {}", parts.join(", "));
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

/// Parses a `--since` span: `7d`, `24h`, `30m`, or a date `YYYY-MM-DD`; returns unix
/// seconds relative to `now`.
pub fn parse_since(text: &str, now: i64) -> Result<i64, String> {
    let t = text.trim();
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d
            .and_hms_opt(0, 0, 0)
            .map_or(0, |d| d.and_utc().timestamp()));
    }
    let (num, unit) = t.split_at(t.len().saturating_sub(1));
    let n: i64 = num
        .parse()
        .map_err(|_| format!("`{t}` is not a span: use e.g. 7d, 24h, 30m or YYYY-MM-DD"))?;
    let secs = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        _ => return Err(format!("`{t}`: the unit must be d, h or m (e.g. 7d)")),
    };
    Ok(now - n * secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_spans() {
        assert_eq!(parse_since("7d", 1_000_000), Ok(1_000_000 - 7 * 86_400));
        assert_eq!(parse_since("2h", 10_000), Ok(10_000 - 7_200));
        assert_eq!(parse_since("2026-01-01", 0), Ok(1_767_225_600));
        assert!(parse_since("7w", 0).is_err());
        assert!(parse_since("x", 0).is_err());
    }
}
