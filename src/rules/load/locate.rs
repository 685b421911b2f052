//! Finding the line of a key in a decision file's text, for error messages.

/// Finds lines in a YAML text by structure, for error messages.
///
/// serde_yaml gives positions only for syntax errors, so semantic errors are placed by
/// looking for the key in the block of the item they concern. Ranges are 1-based,
/// `(first line, one past the last line)`.
pub(super) struct Locator<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Locator<'a> {
    pub(super) const ALL: (usize, usize) = (1, usize::MAX);

    pub(super) fn new(text: &'a str) -> Self {
        Locator {
            lines: text.lines().collect(),
        }
    }

    pub(super) fn is_content(l: &str) -> bool {
        let t = l.trim_start();
        !t.is_empty() && !t.starts_with('#')
    }

    pub(super) fn indent(l: &str) -> usize {
        l.len() - l.trim_start_matches(' ').len()
    }

    /// The indentation of a key on this line (after any `- ` sequence markers).
    pub(super) fn key_indent(l: &str) -> usize {
        let mut i = Self::indent(l);
        let mut rest = &l[i..];
        while let Some(r) = rest.strip_prefix("- ") {
            let extra = 2 + (r.len() - r.trim_start_matches(' ').len());
            i += extra;
            rest = &rest[extra..];
        }
        i
    }

    /// The block that starts at `line`: up to the next line indented no deeper than its key.
    pub(super) fn block_at(&self, line: usize) -> (usize, usize) {
        let Some(first) = self.lines.get(line.wrapping_sub(1)) else {
            return (line, line + 1);
        };
        let ind = Self::key_indent(first);
        let mut end = line + 1;
        while end <= self.lines.len() {
            let l = self.lines[end - 1];
            if Self::is_content(l) && Self::indent(l) <= ind {
                break;
            }
            end += 1;
        }
        (line, end)
    }

    /// The block of a top-level key, or `(1, 2)` when absent.
    pub(super) fn top_block(&self, key: &str) -> (usize, usize) {
        let found = self
            .lines
            .iter()
            .position(|l| Self::indent(l) == 0 && line_has_key(l, key));
        match found {
            Some(i) => self.block_at(i + 1),
            None => (1, 2),
        }
    }

    /// The first line in `range` holding `key:`.
    pub(super) fn key_line(&self, range: (usize, usize), key: &str) -> Option<usize> {
        let end = range.1.min(self.lines.len() + 1);
        (range.0..end).find(|&n| {
            let l = self.lines[n - 1];
            Self::is_content(l) && line_has_key(l, key)
        })
    }

    /// The first line in `range` containing `needle` as text.
    pub(super) fn text_line(&self, range: (usize, usize), needle: &str) -> Option<usize> {
        let end = range.1.min(self.lines.len() + 1);
        (range.0..end).find(|&n| self.lines[n - 1].contains(needle))
    }

    /// The line ranges of the items of the top-level `rows:` sequence.
    pub(super) fn rows(&self) -> Vec<(usize, usize)> {
        let (start, end) = self.top_block("rows");
        let end = end.min(self.lines.len() + 1);
        // Items may sit at the key's own indentation: `rows:\n- when: ...`.
        let mut end_all = start + 1;
        while end_all <= self.lines.len() {
            let l = self.lines[end_all - 1];
            if Self::is_content(l) && Self::indent(l) == 0 && !l.starts_with('-') {
                break;
            }
            end_all += 1;
        }
        let end = end.max(end_all);
        let items: Vec<usize> = {
            let mut item_indent = None;
            let mut out = Vec::new();
            for n in start + 1..end {
                let l = self.lines[n - 1];
                if !Self::is_content(l) {
                    continue;
                }
                let t = l.trim_start();
                let ind = Self::indent(l);
                if t.starts_with("- ") || t == "-" {
                    match item_indent {
                        None => {
                            item_indent = Some(ind);
                            out.push(n);
                        }
                        Some(i) if i == ind => out.push(n),
                        _ => {}
                    }
                }
            }
            out
        };
        items
            .iter()
            .enumerate()
            .map(|(i, &s)| (s, items.get(i + 1).copied().unwrap_or(end)))
            .collect()
    }
}

fn line_has_key(line: &str, key: &str) -> bool {
    for pat in [
        format!("{key}:"),
        format!("\"{key}\":"),
        format!("'{key}':"),
    ] {
        let mut from = 0;
        while let Some(pos) = line[from..].find(&pat) {
            let at = from + pos;
            let before = line[..at].chars().next_back();
            let after = line[at + pat.len()..].chars().next();
            if before.is_none_or(|c| matches!(c, ' ' | '{' | ',' | '-'))
                && after.is_none_or(|c| c == ' ' || c == '\t')
            {
                return true;
            }
            from = at + pat.len();
        }
    }
    false
}
