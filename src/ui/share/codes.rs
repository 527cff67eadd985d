//! The link's small codes: the sweep panel's setting (`k2`) and percent-escaping (a
//! hand-made fault's code, `L0.1.0`, is the simulator's: [`Fault::code`]). Pure, like
//! the rest of `share`.

use serde::{Deserialize, Serialize};

/// What the "Find a breaking run" panel runs: random schedules, or every schedule with
/// at most k faults.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckMode {
    /// Sample this many random fault schedules (one of [`SAMPLE_SIZES`]).
    Sample(u32),
    /// Check every schedule with at most this many faults (1 to [`MAX_K`]).
    Every(u8),
}

/// The panel's sample sizes.
pub const SAMPLE_SIZES: [u32; 3] = [1_000, 10_000, 100_000];
/// Most faults per schedule an exhaustive check offers.
pub const MAX_K: u8 = crate::sim::explore::MAX_K;

impl Default for CheckMode {
    fn default() -> CheckMode {
        CheckMode::Sample(10_000)
    }
}

impl CheckMode {
    /// As in the link and the panel's menu: `k2`, `10000`.
    pub fn code(self) -> String {
        match self {
            CheckMode::Sample(n) => n.to_string(),
            CheckMode::Every(k) => format!("k{k}"),
        }
    }

    /// The inverse of [`CheckMode::code`]; `None` for anything the panel does not offer.
    pub fn parse(v: &str) -> Option<CheckMode> {
        let v = v.trim();
        match v.strip_prefix('k') {
            Some(k) => k
                .parse::<u8>()
                .ok()
                .filter(|k| (1..=MAX_K).contains(k))
                .map(CheckMode::Every),
            None => v
                .parse::<u32>()
                .ok()
                .filter(|n| SAMPLE_SIZES.contains(n))
                .map(CheckMode::Sample),
        }
    }
}

/// Percent-encode everything outside `[A-Za-z0-9-_.~]`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Undo percent-encoding (and `+` as space); invalid sequences are kept literally.
pub fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
