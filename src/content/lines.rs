//! Line-number helpers: serde_yaml values carry no positions, so per-key and
//! per-item lines are found by scanning the YAML source text.

/// 1-based line (within `yaml`) of the top-level key `key:`, if present.
pub(crate) fn key_line(yaml: &str, key: &str) -> Option<usize> {
    yaml.lines()
        .position(|line| is_top_level_key(line, key))
        .map(|i| i + 1)
}

fn is_top_level_key(line: &str, key: &str) -> bool {
    let rest = line
        .strip_prefix(key)
        .or_else(|| {
            // Quoted keys: "key": / 'key':
            line.strip_prefix('"')
                .and_then(|l| l.strip_prefix(key))
                .and_then(|l| l.strip_prefix('"'))
        })
        .or_else(|| {
            line.strip_prefix('\'')
                .and_then(|l| l.strip_prefix(key))
                .and_then(|l| l.strip_prefix('\''))
        });
    matches!(rest.map(str::trim_start), Some(r) if r.starts_with(':'))
}

/// 1-based lines (within `yaml`) where the items of the block sequence under
/// the top-level `key:` start, or `None` if that cannot be determined (flow
/// style `key: [..]`, or the key is absent).
///
/// Items are the lines starting with `- ` (or a lone `-`) at the smallest
/// indentation found below the key, up to the next top-level key.
pub(crate) fn block_item_lines(yaml: &str, key: &str) -> Option<Vec<usize>> {
    let lines: Vec<&str> = yaml.lines().collect();
    let start = lines.iter().position(|l| is_top_level_key(l, key))?;
    let mut items: Vec<(usize, usize)> = Vec::new(); // (indent, line)
    for (i, line) in lines.iter().enumerate().skip(start + 1) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let is_item = trimmed == "-" || trimmed.starts_with("- ");
        if indent == 0 && !is_item {
            break; // next top-level key
        }
        if is_item {
            items.push((indent, i + 1));
        }
    }
    let min = items.iter().map(|&(indent, _)| indent).min()?;
    Some(
        items
            .into_iter()
            .filter(|&(indent, _)| indent == min)
            .map(|(_, line)| line)
            .collect(),
    )
}

/// 1-based lines (within `yaml`) of every top-level `key:` line.
pub(crate) fn key_lines(yaml: &str, key: &str) -> Vec<usize> {
    yaml.lines()
        .enumerate()
        .filter(|(_, line)| is_top_level_key(line, key))
        .map(|(i, _)| i + 1)
        .collect()
}

/// The file line and message of a serde_yaml error in `yaml`, whose first
/// line is file line `offset + 1`.
///
/// serde_yaml's own " at line L column C" for the problem is dropped (the
/// caller reports the line); other line numbers in the message (the context,
/// e.g. "while scanning a quoted scalar at line 3 column 8") are shifted to
/// file lines. A duplicate key is reported at its second occurrence.
pub(crate) fn yaml_error(yaml: &str, err: &serde_yaml::Error, offset: usize) -> (usize, String) {
    let full = err.to_string();
    let problem_line = err.location().map(|l| l.line());

    if let Some(key) = full
        .strip_prefix("duplicate entry with key \"")
        .and_then(|rest| rest.split('"').next())
    {
        let found = key_lines(yaml, key);
        if let [first, second, ..] = found[..] {
            return (
                second + offset,
                format!("duplicate key `{key}` (first on line {})", first + offset),
            );
        }
    }

    let mut message = full.as_str().to_owned();
    if let Some(line) = problem_line {
        let own = format!(" at line {line} column ");
        if let Some(start) = message.find(&own) {
            let digits = message[start + own.len()..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            message.replace_range(start..start + own.len() + digits, "");
        }
    }
    (
        problem_line.map_or(offset.max(1), |l| l + offset),
        shift_lines(&message, offset),
    )
}

/// Adds `offset` to every number following "line " in `message`.
fn shift_lines(message: &str, offset: usize) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("line ") {
        out.push_str(&rest[..i + 5]);
        rest = &rest[i + 5..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        match rest[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + offset).to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

/// A short description of a YAML value's type for "wrong type" messages.
pub(crate) fn type_name(value: &serde_yaml::Value) -> &'static str {
    use serde_yaml::Value;
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_and_items() {
        let y = "a: 1\nb:\n  - [x, y]\n  - - z\n    - w\n\n  # c\nc: 2\n";
        assert_eq!(key_line(y, "a"), Some(1));
        assert_eq!(key_line(y, "c"), Some(8));
        assert_eq!(key_line(y, "x"), None);
        assert_eq!(block_item_lines(y, "b"), Some(vec![3, 4]));
        assert_eq!(block_item_lines("b: [[a, b]]", "b"), None);
        assert_eq!(
            block_item_lines("b:\n- [a]\n- [b]\n", "b"),
            Some(vec![2, 3])
        );
        assert_eq!(key_lines("a: 1\nb: 2\na: 3\n", "a"), vec![1, 3]);
    }

    #[test]
    fn yaml_errors_use_file_lines() {
        let yaml = "a: 1\nb: \"open\nc: 2\n";
        let err = serde_yaml::from_str::<serde_yaml::Value>(yaml).unwrap_err();
        let (line, msg) = yaml_error(yaml, &err, 1);
        assert!(line >= 3, "{line} {msg}");
        // The context names the line the quote was opened on, as a file line.
        assert!(msg.contains("line 3 column"), "{msg}");
        assert!(!msg.contains(&format!("at line {line} column")), "{msg}");

        let yaml = "a: 1\nb: 2\na: 3\n";
        let err = serde_yaml::from_str::<serde_yaml::Value>(yaml).unwrap_err();
        assert_eq!(
            yaml_error(yaml, &err, 1),
            (4, "duplicate key `a` (first on line 2)".to_owned())
        );
    }
}
