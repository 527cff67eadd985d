//! The workbench's share link: `?workbench=1&challenge=<id>&h=<handler text>&k=<1..3>`.
//! Pure (no browser), so the round trip and every refusal are tested natively.

use crate::sim::workbench::{challenges, Handler, MAX_K};
use crate::ui::share::{escape, unescape};

/// The handler a page opens with when the link carries none (or one it cannot read):
/// the naive handler, the first thing to improve.
pub const DEFAULT_HANDLER: &str = "apply:add,commit-offset";
/// Faults per schedule when the link gives no `k`.
pub const DEFAULT_K: u8 = 1;

/// What a workbench link opens, and what could not be read from it.
#[derive(Clone, Debug, PartialEq)]
pub struct Opened {
    pub challenge: Option<&'static str>,
    pub handler: Handler,
    pub k: u8,
    /// One sentence per part of the link that was refused (shown as notices).
    pub notices: Vec<String>,
}

fn params(search: &str) -> impl Iterator<Item = (&str, &str)> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
}

/// Does this query string ask for the workbench page?
pub fn requested(search: &str) -> bool {
    params(search).any(|(k, v)| k == "workbench" && v == "1")
}

/// Read a workbench link; never fails (a part it cannot read becomes a notice and
/// its default).
pub fn open(search: &str) -> Opened {
    let mut o = Opened {
        challenge: None,
        handler: Handler::decode(DEFAULT_HANDLER).expect("the default handler decodes"),
        k: DEFAULT_K,
        notices: Vec::new(),
    };
    let mut k_given = false;
    for (key, value) in params(search) {
        let value = unescape(value);
        match key {
            "challenge" => match challenges::find(&value) {
                Some(c) => {
                    o.challenge = Some(c.id);
                    if !k_given {
                        o.k = c.k;
                    }
                }
                None => o.notices.push(format!(
                    "The link names a challenge `{value}` that does not exist; showing free play."
                )),
            },
            "h" => match Handler::decode(&value) {
                Ok(h) => o.handler = h,
                Err(e) => o.notices.push(format!(
                    "The link's handler could not be read ({e}); showing the default handler `{DEFAULT_HANDLER}`."
                )),
            },
            "k" => match value.parse::<u8>() {
                Ok(k) if (1..=MAX_K).contains(&k) => {
                    o.k = k;
                    k_given = true;
                }
                _ => o.notices.push(format!(
                    "The link's k `{value}` is not 1 to {MAX_K}; checking with {} fault(s).",
                    o.k
                )),
            },
            _ => {}
        }
    }
    o
}

/// The query string of a link that opens this handler (`?workbench=1&…`).
pub fn query(challenge: Option<&str>, handler: &Handler, k: u8) -> String {
    let mut q = String::from("?workbench=1");
    if let Some(c) = challenge {
        q.push_str("&challenge=");
        q.push_str(&escape(c));
    }
    q.push_str("&h=");
    q.push_str(&escape(&handler.encode()));
    q.push_str(&format!("&k={k}"));
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_round_trips() {
        let h = Handler::decode(
            "begin,lookup:msg-id,apply:add,insert:msg-id:db:ttl=30,commit,commit-offset",
        )
        .unwrap();
        let q = query(Some("zombie"), &h, 2);
        assert!(requested(&q));
        let o = open(&q);
        assert_eq!(o.handler, h);
        assert_eq!(o.challenge, Some("zombie"));
        assert_eq!(o.k, 2);
        assert!(o.notices.is_empty(), "{:?}", o.notices);
    }

    #[test]
    fn a_challenge_sets_its_k_unless_the_link_gives_one() {
        let c = challenges::find("charge-without-keys").unwrap();
        assert_eq!(open("?workbench=1&challenge=charge-without-keys").k, c.k);
        assert_eq!(open("?workbench=1&k=3&challenge=charge-without-keys").k, 3);
    }

    #[test]
    fn bad_parts_become_notices_and_defaults() {
        let o = open("?workbench=1&h=apply%3Aadd%2Caply%3Aadd&k=9&challenge=nope");
        assert_eq!(o.handler.encode(), DEFAULT_HANDLER);
        assert_eq!(o.k, DEFAULT_K);
        assert_eq!(o.challenge, None);
        assert_eq!(o.notices.len(), 3, "{:?}", o.notices);
        assert!(
            o.notices[0].contains("step 2 `aply:add`"),
            "{}",
            o.notices[0]
        );
        assert!(!requested("?s=walkthrough&workbench=0"));
    }
}
