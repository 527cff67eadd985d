//! Lesson file formats: the version field, migration of format 1, and the serde
//! error's field.

use crate::course::model::{Lesson, FORMAT};

use super::MAX_BYTES;

/// What format 2 added to format 1 (named when a newer file is refused or an older
/// one migrated).
pub const FORMAT_2_ADDED: &str = "format 2 added `format`, `expect` (the author's answer), `misconception_id` and `refutation` on wrong answers, the lesson's `takeaway`, named `values` for `{ $name }` placeholders, `at` on `entries`/`counter`, and the `observe` step kind";

/// Parse a lesson file, migrating an older format; the second value lists what the
/// migration did (warnings to show, not errors).
pub fn parse_report(text: &str) -> Result<(Lesson, Vec<String>), String> {
    if text.len() > MAX_BYTES {
        return Err(format!(
            "the file is {} bytes; a lesson file is at most {MAX_BYTES}",
            text.len()
        ));
    }
    let mut warnings = Vec::new();
    let migrated;
    let mut text = text;
    if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(text) {
        if let Some(obj) = v.as_object_mut() {
            let format = match obj.get("format") {
                None => 1,
                Some(f) => match f.as_u64() {
                    Some(n) => n,
                    None => return Err(format!("field `format`: '{f}' is not a format number (this playground reads 1 and {FORMAT})")),
                },
            };
            if format > u64::from(FORMAT) || format == 0 {
                return Err(format!(
                    "field `format`: this lesson is format {format}, written for a newer playground; this one reads formats 1 and {FORMAT} ({FORMAT_2_ADDED}). Open it in a newer playground, or rewrite it as format {FORMAT}"
                ));
            }
            if format == 1 {
                let n = migrate(obj);
                warnings.push(format!(
                    "this lesson is format 1 and was migrated to format {FORMAT}: {n} misconception id(s) derived from their text; it has no `expect` answers, so its answers come from the simulator alone"
                ));
                migrated = serde_json::Value::Object(obj.clone()).to_string();
                text = &migrated;
            }
        }
    }
    let l = serde_json::from_str::<Lesson>(text).map_err(|e| {
        let why = e.to_string();
        match field_at(text, e.line(), e.column()) {
            Some(f) if !why.contains("field `") => format!("field `{f}`: {why}"),
            _ => why,
        }
    })?;
    Ok((l, warnings))
}

/// Format 1 → 2: set `format`, derive each missing `misconception_id` from the
/// misconception's text (kebab-case, made unique in the lesson). Returns how many ids
/// were derived. `expect`, `takeaway` and `refutation` cannot be derived.
pub fn migrate(obj: &mut serde_json::Map<String, serde_json::Value>) -> usize {
    obj.insert("format".into(), FORMAT.into());
    let mut used: Vec<String> = Vec::new();
    let mut n = 0;
    let Some(steps) = obj.get_mut("steps").and_then(|s| s.as_array_mut()) else {
        return 0;
    };
    for st in steps {
        if let Some(q) = st.get_mut("question") {
            n += migrate_question(q, &mut used);
        }
        if let Some(arr) = st.get_mut("questions").and_then(|q| q.as_array_mut()) {
            for q in arr {
                n += migrate_question(q, &mut used);
            }
        }
    }
    n
}

fn migrate_question(q: &mut serde_json::Value, used: &mut Vec<String>) -> usize {
    let mut n = 0;
    for (list, text_field) in [("options", "misconception"), ("misconceptions", "name")] {
        let Some(arr) = q.get_mut(list).and_then(|o| o.as_array_mut()) else {
            continue;
        };
        for o in arr {
            let Some(o) = o.as_object_mut() else { continue };
            if o.contains_key("misconception_id") {
                continue;
            }
            let Some(text) = o.get(text_field).and_then(|t| t.as_str()) else {
                continue;
            };
            let mut id = kebab(text);
            let base = id.clone();
            let mut k = 2;
            while used.contains(&id) {
                id = format!("{base}-{k}");
                k += 1;
            }
            used.push(id.clone());
            o.insert("misconception_id".into(), id.into());
            n += 1;
        }
    }
    n
}

/// A short kebab-case id from a text: its first five words, letters and digits only.
pub fn kebab(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(5)
        .map(|w| w.to_ascii_lowercase())
        .collect();
    if words.is_empty() {
        "misconception".to_string()
    } else {
        words.join("-")
    }
}

pub(super) fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The last object key that starts before line `line`, column `col` (1-based).
pub(super) fn field_at(text: &str, line: usize, col: usize) -> Option<String> {
    if line == 0 {
        return None;
    }
    let mut off = 0usize;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            off += col.min(l.len());
            break;
        }
        off += l.len();
    }
    let mut cut = off.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let before = &text[..cut];
    let colon = before.rfind("\":")?;
    let start = before[..colon].rfind('"')?;
    Some(before[start + 1..colon].to_string())
}
