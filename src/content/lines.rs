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

/// The line (1-based, within the parsed text) and message of a serde_yaml
/// error, with serde_yaml's own " at line L column C" position text removed
/// (the caller reports the line, offset to the file).
pub(crate) fn yaml_error(err: &serde_yaml::Error) -> (Option<usize>, String) {
    let full = err.to_string();
    let message = match full.find(" at line ") {
        Some(i) => full[..i].to_owned(),
        None => full,
    };
    (err.location().map(|l| l.line()), message)
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
    }
}
