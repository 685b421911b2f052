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
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(s) | Event::Code(s) => out.push_str(&s),
            Event::Html(s) => {
                out.push_str(&strip_tags(&s));
            }
            Event::InlineHtml(_) => {}
            Event::SoftBreak => out.push(' '),
            Event::HardBreak | Event::Rule => out.push('\n'),
            Event::Start(tag) if is_block(&tag) => newline(&mut out),
            Event::End(TagEnd::TableCell) => out.push(' '),
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
    fn text_has_no_markup() {
        let md = "# 제목\n\n**굵게** 그리고 `코드`\n이어짐\n\n- 하나\n- [둘](https://x.kr)\n  - 셋\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<br>끝";
        assert_eq!(
            to_text(md),
            "제목\n굵게 그리고 코드 이어짐\n하나\n둘\n셋\na b\n1 2\n끝"
        );
    }
}
