//! Dedup-window sizing (§5): a pure calculator behind the interactive table.
//!
//! List every source of delayed duplicates and take the *worst* delay of each (the
//! longest tail, never the average). If the delays can stack (a failover during a
//! replay), the window must cover their **sum**; if they exclude each other, the
//! **longest** one bounds it. Multiply by a safety factor (×2 by default), and the
//! table holds about `window × rate` ids. Both windows are always computed; the
//! `stacking` flag says which assumption sizes the table. Integers only: seconds,
//! entries, bytes, and the factor in tenths (`20` = ×2.0).

use serde::{Deserialize, Serialize};
use std::fmt;

/// One source of late duplicates and the longest delay it can cause.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub name: String,
    pub worst_delay_secs: u64,
}

impl Source {
    pub fn new(name: &str, worst_delay_secs: u64) -> Source {
        Source {
            name: name.to_string(),
            worst_delay_secs,
        }
    }
}

/// The calculator's input rows and knobs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sizing {
    pub sources: Vec<Source>,
    /// Safety factor in tenths: 20 = ×2.0.
    pub safety_factor_x10: u32,
    /// Messages per second the dedup table sees.
    pub rate_per_sec: u64,
    /// Storage per id (key + timestamp + index/overhead).
    pub bytes_per_entry: u64,
    /// The delays can stack (size by their sum) rather than exclude each other (size
    /// by the longest).
    #[serde(default)]
    pub stacking: bool,
}

/// What the calculator derives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizingResult {
    /// Index (in `sources`) of the source with the longest tail (first on a tie).
    pub longest: usize,
    pub longest_name: String,
    pub longest_secs: u64,
    /// The mean of the worst delays, rounded down: what sizing by the average
    /// would (wrongly) start from.
    pub average_secs: u64,
    /// The sum of every source's worst delay.
    pub sum_secs: u64,
    /// `longest × factor`, rounded up: the window if the delays exclude each other.
    pub window_longest_secs: u64,
    /// `sum × factor`, rounded up: the window if the delays can stack.
    pub window_sum_secs: u64,
    /// The window used for the table: `window_sum_secs` when `stacking`, else
    /// `window_longest_secs`.
    pub window_secs: u64,
    pub stacking: bool,
    /// Ids held at `rate_per_sec` over the window.
    pub entries: u64,
    pub bytes: u64,
}

impl SizingResult {
    /// "window 10 min (longest tail 5 min ×2.0) · 1,200,000 ids · 76.8 MB", or with
    /// stacking delays "window 50 h 38 min (sum of tails 25 h 19 min ×2.0) · …".
    pub fn summary(&self, factor_x10: u32) -> String {
        let (what, base) = if self.stacking {
            ("sum of tails", self.sum_secs)
        } else {
            ("longest tail", self.longest_secs)
        };
        format!(
            "window {} ({what} {} {}) · {} ids · {}",
            format_window(self.window_secs),
            format_window(base),
            format_factor(factor_x10),
            group_digits(self.entries),
            format_bytes(self.bytes)
        )
    }

    /// The two rules side by side, each with the assumption it makes.
    pub fn both_rules(&self, factor_x10: u32) -> [String; 2] {
        [
            format!(
                "If the sources exclude each other, the longest bounds the window: {} {} = {}",
                format_window(self.longest_secs),
                format_factor(factor_x10),
                format_window(self.window_longest_secs)
            ),
            format!(
                "If their delays can stack (a failover during a replay), add them: {} {} = {}",
                format_window(self.sum_secs),
                format_factor(factor_x10),
                format_window(self.window_sum_secs)
            ),
        ]
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SizingError {
    /// No source of delayed duplicates was listed.
    NoSources,
    /// A row has an empty name.
    UnnamedSource {
        index: usize,
    },
    /// Every listed delay is zero: there is nothing to size the window by.
    ZeroDelays,
    /// Safety factor of 0.
    ZeroFactor,
    /// Safety factor below ×1.0: the window would be shorter than a known delay.
    FactorBelowOne {
        factor_x10: u32,
    },
    ZeroRate,
    ZeroBytesPerEntry,
    /// A product does not fit in 64 bits.
    Overflow {
        what: &'static str,
    },
}

impl fmt::Display for SizingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SizingError::NoSources => write!(
                f,
                "list at least one source of delayed duplicates (broker retries, rebalance, failover, a manual replay…)"
            ),
            SizingError::UnnamedSource { index } => {
                write!(f, "row {} needs a name", index + 1)
            }
            SizingError::ZeroDelays => write!(
                f,
                "every worst-case delay is 0 s; give the longest one a real value"
            ),
            SizingError::ZeroFactor => write!(f, "the safety factor must be above 0 (×2.0 is usual)"),
            SizingError::FactorBelowOne { factor_x10 } => write!(
                f,
                "a safety factor of {} makes the window shorter than the longest delay; use ×1.0 or more (×2.0 is usual)",
                format_factor(*factor_x10)
            ),
            SizingError::ZeroRate => write!(f, "the message rate must be at least 1 per second"),
            SizingError::ZeroBytesPerEntry => {
                write!(f, "bytes per entry must be at least 1")
            }
            SizingError::Overflow { what } => write!(
                f,
                "the {what} is too large to compute; check the delays, the rate and the entry size"
            ),
        }
    }
}

impl std::error::Error for SizingError {}

/// Size the dedup window and table.
pub fn compute(s: &Sizing) -> Result<SizingResult, SizingError> {
    if s.sources.is_empty() {
        return Err(SizingError::NoSources);
    }
    if let Some(index) = s.sources.iter().position(|r| r.name.trim().is_empty()) {
        return Err(SizingError::UnnamedSource { index });
    }
    if s.safety_factor_x10 == 0 {
        return Err(SizingError::ZeroFactor);
    }
    if s.safety_factor_x10 < 10 {
        return Err(SizingError::FactorBelowOne {
            factor_x10: s.safety_factor_x10,
        });
    }
    if s.rate_per_sec == 0 {
        return Err(SizingError::ZeroRate);
    }
    if s.bytes_per_entry == 0 {
        return Err(SizingError::ZeroBytesPerEntry);
    }
    let mut longest = 0;
    for (i, r) in s.sources.iter().enumerate() {
        if r.worst_delay_secs > s.sources[longest].worst_delay_secs {
            longest = i;
        }
    }
    let longest_secs = s.sources[longest].worst_delay_secs;
    if longest_secs == 0 {
        return Err(SizingError::ZeroDelays);
    }
    let sum: u128 = s.sources.iter().map(|r| r.worst_delay_secs as u128).sum();
    let average_secs = (sum / s.sources.len() as u128) as u64;
    let sum_secs = u64::try_from(sum).map_err(|_| SizingError::Overflow { what: "window" })?;
    let times_factor = |v: u64| {
        v.checked_mul(s.safety_factor_x10 as u64)
            .map(|v| v.div_ceil(10))
            .ok_or(SizingError::Overflow { what: "window" })
    };
    let window_longest_secs = times_factor(longest_secs)?;
    let window_sum_secs = times_factor(sum_secs)?;
    let window_secs = if s.stacking {
        window_sum_secs
    } else {
        window_longest_secs
    };
    let entries = window_secs
        .checked_mul(s.rate_per_sec)
        .ok_or(SizingError::Overflow {
            what: "number of entries",
        })?;
    let bytes = entries
        .checked_mul(s.bytes_per_entry)
        .ok_or(SizingError::Overflow { what: "table size" })?;
    Ok(SizingResult {
        longest,
        longest_name: s.sources[longest].name.clone(),
        longest_secs,
        average_secs,
        sum_secs,
        window_longest_secs,
        window_sum_secs,
        window_secs,
        stacking: s.stacking,
        entries,
        bytes,
    })
}

const MIN: u64 = 60;
const HOUR: u64 = 60 * MIN;
const DAY: u64 = 24 * HOUR;

/// A broker consumer. Its duplicates come from the producer's retries (bounded
/// by the delivery timeout, 2 min by default in Kafka), the consumer's session
/// timeout (45 s) and a consumer kicked out for exceeding the poll interval and
/// rebalanced (5 min): the longest tail is 5 min, well under 10 min. ×2 gives a
/// 10 min window; teams often round that up to 30 min, which is still cheap at
/// these rates (raise the factor to ×6.0 to see it). Assumed: 2,000 msgs/s and
/// 64 bytes per id (a 16-byte id, a timestamp, index overhead).
pub fn broker_consumer() -> Sizing {
    Sizing {
        sources: vec![
            Source::new("producer retries (delivery timeout)", 2 * MIN),
            Source::new("consumer session timeout", 45),
            Source::new("poll-interval kick + rebalance", 5 * MIN),
        ],
        safety_factor_x10: 20,
        rate_per_sec: 2_000,
        bytes_per_entry: 64,
        stacking: false,
    }
}

/// A webhook receiver facing a provider that retries with backoff for up to
/// 3 days, plus merchants re-sending events from the provider's dashboard up to
/// 3.5 days later: ×2 gives the usual 7-day window. Assumed: 50 events/s and
/// 128 bytes per key (event ids are longer strings).
pub fn webhook_receiver() -> Sizing {
    Sizing {
        sources: vec![
            Source::new("provider retries with backoff", 3 * DAY),
            Source::new(
                "manual re-send from the provider dashboard",
                3 * DAY + 12 * HOUR,
            ),
            Source::new("our own outage + catch-up", 6 * HOUR),
        ],
        safety_factor_x10: 20,
        rate_per_sec: 50,
        bytes_per_entry: 128,
        stacking: false,
    }
}

/// Sources of an order router keyed by client order id: the longest is a client
/// re-submitting after a reconnect within the 12 h trading session, so ×2 gives
/// a 24 h window.
fn order_router_sources() -> Vec<Source> {
    vec![
        Source::new("broker retries", 2 * MIN),
        Source::new("gateway failover to the other region", 30 * MIN),
        Source::new(
            "client re-submits after a reconnect (same session)",
            12 * HOUR,
        ),
    ]
}

/// An order router on a quiet day: 250 orders/s at 96 bytes per client order id
/// (id, timestamp, index overhead) over 24 h ≈ 2.1 GB.
pub fn order_router() -> Sizing {
    Sizing {
        sources: order_router_sources(),
        safety_factor_x10: 20,
        rate_per_sec: 250,
        bytes_per_entry: 96,
        stacking: false,
    }
}

/// The same router if the market-open spike (1,700 orders/s) held for the whole
/// window — the size to provision for: ≈ 14.1 GB. Same window, seven times the rate,
/// seven times the table.
pub fn order_router_market_open() -> Sizing {
    Sizing {
        rate_per_sec: 1_700,
        ..order_router()
    }
}

/// The audit example of the source: broker retries 14 min, a consumer crash and
/// rebalance 5 min, a cross-region failover 60 min, an operator replaying a window
/// by hand 24 h. The audit settled on 48 h — the longest × 2 — which assumes the
/// four never overlap. If a failover can happen during a replay, the delays stack
/// and the window is the sum × 2 = 50 h 38 min. Assumed: 100 msgs/s, 64 bytes per id.
pub fn audit_example() -> Sizing {
    Sizing {
        sources: vec![
            Source::new("broker retries", 14 * MIN),
            Source::new("consumer crash + rebalance", 5 * MIN),
            Source::new("cross-region failover", HOUR),
            Source::new("operator replays a window by hand", DAY),
        ],
        safety_factor_x10: 20,
        rate_per_sec: 100,
        bytes_per_entry: 64,
        stacking: false,
    }
}

/// A starting point for the calculator: a label, the sizing, and which rule it uses
/// and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preset {
    pub label: &'static str,
    pub sizing: Sizing,
    pub why: &'static str,
}

/// Every preset, with a label for a picker and the reason for its rule.
pub fn presets() -> Vec<Preset> {
    const EXCLUSIVE: &str = "Uses the longest, assuming one incident at a time (the delays never overlap). Tick \"delays can stack\" if they can.";
    vec![
        Preset {
            label: "Broker consumer",
            sizing: broker_consumer(),
            why: EXCLUSIVE,
        },
        Preset {
            label: "Webhook receiver",
            sizing: webhook_receiver(),
            why: "Uses the longest: a manual re-send repeats an event the provider has already stopped retrying, so the two do not add up.",
        },
        Preset {
            label: "Order router, quiet day",
            sizing: order_router(),
            why: EXCLUSIVE,
        },
        Preset {
            label: "Order router, market open",
            sizing: order_router_market_open(),
            why: EXCLUSIVE,
        },
        Preset {
            label: "Audit example (48 h)",
            sizing: audit_example(),
            why: "Uses the longest, as the audit did: 24 h × 2 = 48 h, assuming nobody replays a window during a failover. If that can happen, tick \"delays can stack\": the sum × 2 is 50 h 38 min.",
        },
    ]
}

/// "45 s", "5 min", "12 h", "7 d", "1 d 12 h", "90 s" (two largest units, exact).
pub fn format_secs(secs: u64) -> String {
    if secs == 0 {
        return "0 s".to_string();
    }
    let units = [(DAY, "d"), (HOUR, "h"), (MIN, "min"), (1, "s")];
    let mut parts = Vec::new();
    let mut rest = secs;
    for (size, name) in units {
        if rest >= size {
            parts.push(format!("{} {name}", rest / size));
            rest %= size;
        }
        if parts.len() == 2 {
            break;
        }
    }
    parts.join(" ")
}

/// A window, exact, in hours, minutes and seconds ("48 h", "50 h 38 min", "10 min",
/// "45 s"); whole weeks of days read as days ("7 d").
pub fn format_window(secs: u64) -> String {
    if secs >= 7 * DAY && secs.is_multiple_of(DAY) {
        return format!("{} d", secs / DAY);
    }
    if secs == 0 {
        return "0 s".to_string();
    }
    let parts: Vec<String> = [
        (secs / HOUR, "h"),
        (secs % HOUR / MIN, "min"),
        (secs % MIN, "s"),
    ]
    .into_iter()
    .filter(|(v, _)| *v > 0)
    .map(|(v, u)| format!("{v} {u}"))
    .collect();
    parts.join(" ")
}

/// Decimal units with one decimal place, rounded half up: "950 B", "2.1 GB", "14.1 GB".
pub fn format_bytes(bytes: u64) -> String {
    let units = [
        (1_000_000_000_000_000u64, "PB"),
        (1_000_000_000_000, "TB"),
        (1_000_000_000, "GB"),
        (1_000_000, "MB"),
        (1_000, "kB"),
    ];
    for (size, name) in units {
        if bytes >= size {
            let tenths = (bytes as u128 * 10 + size as u128 / 2) / size as u128;
            return format!("{}.{} {name}", tenths / 10, tenths % 10);
        }
    }
    format!("{bytes} B")
}

/// "×2.0".
pub fn format_factor(x10: u32) -> String {
    format!("×{}.{}", x10 / 10, x10 % 10)
}

/// "3,000,000".
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_consumer_preset() {
        let s = broker_consumer();
        let r = compute(&s).unwrap();
        assert_eq!(r.longest_name, "poll-interval kick + rebalance");
        assert_eq!(r.longest_secs, 300);
        assert!(r.longest_secs < 10 * 60);
        assert_eq!(r.average_secs, 155);
        assert_eq!(r.window_secs, 600);
        assert_eq!(r.entries, 1_200_000);
        assert_eq!(r.bytes, 76_800_000);
        assert_eq!(
            r.summary(s.safety_factor_x10),
            "window 10 min (longest tail 5 min ×2.0) · 1,200,000 ids · 76.8 MB"
        );
        // The common 30-minute window is a ×6.0 margin, still modest.
        let wide = compute(&Sizing {
            safety_factor_x10: 60,
            ..s
        })
        .unwrap();
        assert_eq!(wide.window_secs, 30 * 60);
        assert_eq!(format_bytes(wide.bytes), "230.4 MB");
    }

    #[test]
    fn webhook_receiver_preset() {
        let r = compute(&webhook_receiver()).unwrap();
        assert_eq!(r.longest, 1);
        assert_eq!(r.window_secs, 7 * DAY);
        assert_eq!(format_secs(r.window_secs), "7 d");
        assert_eq!(r.entries, 30_240_000);
        assert_eq!(format_bytes(r.bytes), "3.9 GB");
    }

    #[test]
    fn order_router_quiet_vs_spike() {
        let quiet = compute(&order_router()).unwrap();
        assert_eq!(quiet.window_secs, 24 * HOUR);
        assert_eq!(quiet.entries, 21_600_000);
        assert_eq!(quiet.bytes, 2_073_600_000);
        assert_eq!(format_bytes(quiet.bytes), "2.1 GB");
        let spike = compute(&order_router_market_open()).unwrap();
        assert_eq!(spike.window_secs, 24 * HOUR);
        assert_eq!(spike.bytes, 14_100_480_000);
        assert_eq!(format_bytes(spike.bytes), "14.1 GB");
        assert_eq!(presets().len(), 5);
    }

    /// The audit example's 48 h is the longest × 2; the sum × 2 is
    /// 50 h 38 min. Both are shown, and the preset says which it uses.
    #[test]
    fn audit_example_longest_vs_sum() {
        let s = audit_example();
        let r = compute(&s).unwrap();
        assert_eq!(r.longest_name, "operator replays a window by hand");
        assert_eq!(r.window_longest_secs, 48 * HOUR);
        assert_eq!(format_window(r.window_longest_secs), "48 h");
        assert_eq!(r.sum_secs, 25 * HOUR + 19 * MIN);
        assert_eq!(r.window_sum_secs, 50 * HOUR + 38 * MIN);
        assert_eq!(format_window(r.window_sum_secs), "50 h 38 min");
        assert!(!r.stacking);
        assert_eq!(r.window_secs, 48 * HOUR);
        assert_eq!(
            r.both_rules(20),
            [
                "If the sources exclude each other, the longest bounds the window: 24 h ×2.0 = 48 h"
                    .to_string(),
                "If their delays can stack (a failover during a replay), add them: 25 h 19 min ×2.0 = 50 h 38 min"
                    .to_string()
            ]
        );
        assert_eq!(
            r.summary(20),
            "window 48 h (longest tail 24 h ×2.0) · 17,280,000 ids · 1.1 GB"
        );
        let stacked = compute(&Sizing {
            stacking: true,
            ..s
        })
        .unwrap();
        assert_eq!(stacked.window_secs, 50 * HOUR + 38 * MIN);
        assert_eq!(stacked.entries, (50 * HOUR + 38 * MIN) * 100);
        assert_eq!(
            stacked.summary(20),
            "window 50 h 38 min (sum of tails 25 h 19 min ×2.0) · 18,228,000 ids · 1.2 GB"
        );
        let p = presets();
        let audit = p.iter().find(|p| p.label.contains("Audit")).unwrap();
        assert_eq!(audit.sizing, audit_example());
        assert!(audit.why.contains("48 h") && audit.why.contains("50 h 38 min"));
        for p in &p {
            assert!(!p.why.is_empty(), "{}", p.label);
            assert_eq!(p.why.contains("longest"), !p.sizing.stacking, "{}", p.label);
        }
    }

    #[test]
    fn longest_tail_not_average() {
        let s = Sizing {
            sources: vec![
                Source::new("retries", 10),
                Source::new("operator replay", 3_600),
                Source::new("rebalance", 20),
            ],
            safety_factor_x10: 25,
            rate_per_sec: 3,
            bytes_per_entry: 7,
            stacking: false,
        };
        let r = compute(&s).unwrap();
        assert_eq!(
            (r.longest, r.longest_secs, r.average_secs),
            (1, 3_600, 1_210)
        );
        assert_eq!(r.window_secs, 9_000);
        assert_eq!((r.entries, r.bytes), (27_000, 189_000));
        // ×1.5 of 7 s is 10.5 s: rounded up, never down.
        let odd = Sizing {
            sources: vec![Source::new("x", 7)],
            safety_factor_x10: 15,
            ..s
        };
        assert_eq!(compute(&odd).unwrap().window_secs, 11);
    }

    #[test]
    fn errors_are_clear() {
        let ok = broker_consumer();
        let e = |s: Sizing| compute(&s).unwrap_err();
        assert_eq!(
            e(Sizing {
                sources: vec![],
                ..ok.clone()
            }),
            SizingError::NoSources
        );
        assert_eq!(
            e(Sizing {
                safety_factor_x10: 0,
                ..ok.clone()
            }),
            SizingError::ZeroFactor
        );
        let below = e(Sizing {
            safety_factor_x10: 5,
            ..ok.clone()
        });
        assert_eq!(below, SizingError::FactorBelowOne { factor_x10: 5 });
        assert!(below.to_string().contains("×0.5"), "{below}");
        assert_eq!(
            e(Sizing {
                rate_per_sec: 0,
                ..ok.clone()
            }),
            SizingError::ZeroRate
        );
        assert_eq!(
            e(Sizing {
                bytes_per_entry: 0,
                ..ok.clone()
            }),
            SizingError::ZeroBytesPerEntry
        );
        assert_eq!(
            e(Sizing {
                sources: vec![Source::new("a", 0), Source::new("b", 0)],
                ..ok.clone()
            }),
            SizingError::ZeroDelays
        );
        assert_eq!(
            e(Sizing {
                sources: vec![Source::new("a", 5), Source::new("  ", 9)],
                ..ok.clone()
            }),
            SizingError::UnnamedSource { index: 1 }
        );
        let huge = e(Sizing {
            sources: vec![Source::new("forever", u64::MAX / 2)],
            ..ok.clone()
        });
        assert_eq!(huge, SizingError::Overflow { what: "window" });
        assert!(huge.to_string().contains("too large"), "{huge}");
        assert_eq!(
            e(Sizing {
                rate_per_sec: u64::MAX / 100,
                ..ok.clone()
            }),
            SizingError::Overflow {
                what: "number of entries"
            }
        );
        assert_eq!(
            e(Sizing {
                bytes_per_entry: u64::MAX / 1000,
                ..ok
            }),
            SizingError::Overflow { what: "table size" }
        );
    }

    #[test]
    fn formatting() {
        assert_eq!(format_secs(45), "45 s");
        assert_eq!(format_secs(90), "1 min 30 s");
        assert_eq!(format_secs(36 * HOUR), "1 d 12 h");
        assert_eq!(format_secs(DAY + 5), "1 d 5 s");
        assert_eq!(format_bytes(950), "950 B");
        assert_eq!(format_bytes(1_950), "2.0 kB");
        assert_eq!(format_bytes(u64::MAX), "18446.7 PB");
        assert_eq!(format_factor(25), "×2.5");
        assert_eq!(format_window(45), "45 s");
        assert_eq!(format_window(90), "1 min 30 s");
        assert_eq!(format_window(7 * DAY), "7 d");
        assert_eq!(format_window(36 * HOUR), "36 h");
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(1_234_567), "1,234,567");
    }

    #[test]
    fn serde_round_trip() {
        let s = order_router();
        let json = serde_json::to_string(&s).unwrap();
        let back: Sizing = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        let r = compute(&s).unwrap();
        let rj: SizingResult = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(rj, r);
    }
}
