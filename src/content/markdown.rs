//! Rendering of entry bodies (CommonMark + tables + strikethrough).
//!
//! Authors write Markdown, not HTML: raw HTML in a body (inline tags or HTML
//! blocks) is shown as literal, escaped text in [`to_html`] and dropped from
//! [`to_text`]. Link and image URLs with a script-capable scheme
//! (`javascript:`, `vbscript:`, `data:`) are replaced by `#`.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// The Markdown extensions enabled for entry bodies.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Renders a body to HTML that is safe to embed in a page.
///
/// Contract: the output contains no tag that was not produced by Markdown
/// syntax; `<b>` written by an author comes out as `&lt;b&gt;`. An HTML block
/// becomes a paragraph of escaped text.
pub fn to_html(markdown: &str) -> String {
    let events = Parser::new_ext(markdown, options()).flat_map(|event| -> Vec<Event<'_>> {
        match event {
            Event::InlineHtml(s) => vec![Event::Text(s)],
            // An HTML block line includes its line break; keep it as a soft
            // break so the escaped text reads like the source.
            Event::Html(s) => match s.strip_suffix('\n') {
                Some(line) => vec![Event::Text(line.to_owned().into()), Event::SoftBreak],
                None => vec![Event::Text(s)],
            },
            Event::Start(Tag::HtmlBlock) => vec![Event::Start(Tag::Paragraph)],
            Event::End(TagEnd::HtmlBlock) => vec![Event::End(TagEnd::Paragraph)],
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => vec![Event::Start(Tag::Link {
                link_type,
                dest_url: safe_url(dest_url),
                title,
                id,
            })],
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => vec![Event::Start(Tag::Image {
                link_type,
                dest_url: safe_url(dest_url),
                title,
                id,
            })],
            other => vec![other],
        }
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// Renders a body to plain text for snippets, search and the chatbot.
///
/// Contract: no Markdown or HTML markup; each block (paragraph, heading, list
/// item, table row, code block line) on its own line, separated by a single
/// `\n`; lines are trimmed and blank lines removed; soft line breaks inside a
/// paragraph become a space; table cells are separated by a space. Link text
/// is kept, URLs are not. Raw HTML tags are dropped (text inside an HTML block
/// is kept).
pub fn to_text(markdown: &str) -> String {
    text_of(
        Parser::new_ext(markdown, options()),
        Rows::Cells,
        markdown.len(),
    )
}

/// [`to_text`] for a reader of the text alone (the chatbot's card): a
/// table's header row is not a line of its own, and each other row reads
/// with its headers (`table_row`). The index, snippets and the embedding
/// model keep [`to_text`], where repeating the headers on every row would
/// count their words again.
pub fn to_reading_text(markdown: &str) -> String {
    text_of(
        Parser::new_ext(markdown, options()),
        Rows::WithHeaders,
        markdown.len(),
    )
}

/// How [`text_of`] writes a table row.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rows {
    /// Its cells, separated by a space (the header row too).
    Cells,
    /// As [`table_row`] writes it.
    WithHeaders,
}

/// The plain text ([`to_text`]) of the blocks before the body's first table:
/// what reads as sentences at the start of an answer (a table's cells do
/// not), for leads and descriptions. The whole text when a table comes
/// first.
pub fn lead_text(markdown: &str) -> String {
    let before_table = Parser::new_ext(markdown, options())
        .take_while(|e| !matches!(e, Event::Start(Tag::Table(_))));
    match text_of(before_table, Rows::Cells, markdown.len()) {
        lead if lead.is_empty() => to_text(markdown),
        lead => lead,
    }
}

fn text_of<'a>(events: impl Iterator<Item = Event<'a>>, rows: Rows, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    // Inside a table, cells are gathered (`cell` is where the current
    // one's text starts in `out`) and each row is written as one line once
    // it ends ([`table_row`]).
    let mut table: Option<Table> = None;
    for event in events {
        match event {
            Event::Text(s) | Event::Code(s) => out.push_str(&s),
            Event::Html(s) => {
                out.push_str(&strip_tags(&s));
            }
            Event::InlineHtml(_) => {}
            Event::SoftBreak => out.push(' '),
            Event::HardBreak | Event::Rule => out.push('\n'),
            Event::Start(Tag::Table(_)) if rows == Rows::WithHeaders => {
                newline(&mut out);
                table = Some(Table::default());
            }
            Event::End(TagEnd::Table) => table = None,
            Event::Start(Tag::TableCell)
            | Event::End(TagEnd::TableCell)
            | Event::End(TagEnd::TableHead)
            | Event::End(TagEnd::TableRow)
                if let Some(t) = table.as_mut() =>
            {
                t.read(&event, &mut out)
            }
            Event::End(TagEnd::TableCell) => out.push(' '),
            Event::Start(tag) if is_block(&tag) => newline(&mut out),
            Event::End(tag) if is_block_end(tag) => newline(&mut out),
            _ => {}
        }
    }
    out.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A table being read by [`text_of`].
#[derive(Default)]
struct Table {
    /// The header row's cells.
    head: Vec<String>,
    /// The current row's cells so far.
    row: Vec<String>,
    /// Where the current cell's text starts in the output.
    cell: usize,
}

impl Table {
    /// Takes a cell or row boundary of the table into account.
    fn read(&mut self, event: &Event<'_>, out: &mut String) {
        match event {
            Event::Start(Tag::TableCell) => self.cell = out.len(),
            Event::End(TagEnd::TableCell) => {
                let text: String = out.drain(self.cell..).collect();
                self.row
                    .push(text.split_whitespace().collect::<Vec<_>>().join(" "));
            }
            Event::End(TagEnd::TableHead) => self.head = std::mem::take(&mut self.row),
            Event::End(TagEnd::TableRow) => {
                out.push_str(&table_row(&self.head, &std::mem::take(&mut self.row)));
                out.push('\n');
            }
            _ => {}
        }
    }
}

/// One body row of a table as a line that reads without the table: its
/// first cell, then each other cell after its column's header,
/// `신용카드 — 한도: 카드사가 정한 한도 / 반영: 바로`. Empty cells are left
/// out; a column without a header gives its cell alone.
fn table_row(head: &[String], row: &[String]) -> String {
    let Some((first, rest)) = row.split_first() else {
        return String::new();
    };
    let pairs: Vec<String> = rest
        .iter()
        .enumerate()
        .filter(|(_, cell)| !cell.is_empty())
        .map(
            |(i, cell)| match head.get(i + 1).filter(|h| !h.is_empty()) {
                Some(h) => format!("{h}: {cell}"),
                None => cell.clone(),
            },
        )
        .collect();
    match (first.is_empty(), pairs.is_empty()) {
        (_, true) => first.clone(),
        (true, false) => pairs.join(" / "),
        (false, false) => format!("{first} — {}", pairs.join(" / ")),
    }
}

fn is_block(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Item
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
    )
}

fn is_block_end(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
    )
}

fn newline(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// Removes `<...>` tags (for the text of HTML blocks).
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Replaces URLs whose scheme can run script with `#`.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let scheme: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take_while(|&c| c != ':')
        .collect::<String>()
        .to_ascii_lowercase();
    let has_scheme = url.contains(':');
    if has_scheme && matches!(scheme.as_str(), "javascript" | "vbscript" | "data") {
        CowStr::Borrowed("#")
    } else {
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_raw_html() {
        let html = to_html("안녕 <b>굵게</b>\n\n<div onclick=\"x()\">\nblock\n</div>\n");
        assert!(!html.contains("<b>"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.contains("&lt;b&gt;굵게&lt;/b&gt;"), "{html}");
        assert!(html.contains("&lt;div onclick=\"x()\"&gt;"), "{html}");
    }

    #[test]
    fn html_tables_and_strikethrough() {
        let html = to_html("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
    }

    #[test]
    fn html_neutralises_script_urls() {
        let html =
            to_html("[x](javascript:alert(1)) [y]( JavaScript:alert(1)) [z](https://a.kr/b)");
        assert!(!html.to_lowercase().contains("javascript"), "{html}");
        assert!(html.contains("href=\"https://a.kr/b\""), "{html}");
    }

    #[test]
    fn a_table_row_reads_with_its_headers() {
        let md = "| 구분 | 사업자 | 개인 |\n|---|---|---|\n| 증빙 | 세금계산서 | 현금영수증, 매출전표 |\n| 변경 | 가능 | |\n| | 둘째 칸만 | |";
        assert_eq!(
            to_reading_text(md),
            "증빙 — 사업자: 세금계산서 / 개인: 현금영수증, 매출전표\n변경 — 사업자: 가능\n사업자: 둘째 칸만"
        );
        assert_eq!(to_reading_text("| | |\n|---|---|\n| a | b |"), "a — b");
    }

    #[test]
    fn a_lead_stops_before_the_first_table() {
        let md = "요금은 아래와 같습니다.\n\n| 수단 | 한도 |\n|---|---|\n| 카드 | 없음 |\n\n끝";
        assert_eq!(lead_text(md), "요금은 아래와 같습니다.");
        assert_eq!(lead_text("| a |\n|---|\n| 1 |\n\n뒤"), "a\n1\n뒤");
        assert_eq!(lead_text("- 하나\n- 둘"), "하나\n둘");
    }

    #[test]
    fn text_has_no_markup() {
        let md = "# 제목\n\n**굵게** 그리고 `코드`\n이어짐\n\n- 하나\n- [둘](https://x.kr)\n  - 셋\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<br>끝";
        assert_eq!(
            to_text(md),
            "제목\n굵게 그리고 코드 이어짐\n하나\n둘\n셋\na b\n1 2\n끝"
        );
        assert_eq!(
            to_reading_text(md),
            "제목\n굵게 그리고 코드 이어짐\n하나\n둘\n셋\n1 — b: 2\n끝"
        );
    }
}
