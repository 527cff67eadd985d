//! Remembered preferences (theme, …) in `localStorage` — when the browser allows it.
//!
//! Inside an iframe on another site (a course page) browsers may refuse storage
//! altogether, and `window.localStorage` then throws. Every access here turns that into
//! "nothing remembered" instead of an exception that would take the page down.

/// The stored value for `key`, or None (not set, or storage unavailable). Values that
/// earlier versions stored JSON-quoted (`"dark"`) read the same as plain ones.
pub fn get(key: &str) -> Option<String> {
    let v = storage()?.get_item(key).ok().flatten()?;
    Some(unquote(&v).to_string())
}

fn unquote(v: &str) -> &str {
    v.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(v)
}

/// Remember `value` for `key`; silently does nothing where storage is refused.
pub fn set(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

#[cfg(test)]
mod tests {
    #[test]
    fn old_json_quoted_values_read_as_plain() {
        assert_eq!(super::unquote("\"dark\""), "dark");
        assert_eq!(super::unquote("dark"), "dark");
        assert_eq!(super::unquote("\""), "\"");
    }
}
