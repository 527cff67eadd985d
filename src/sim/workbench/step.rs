//! The handler as typed steps, and its text form: comma-separated steps such as
//! `begin,lookup:msg-id,apply:add,insert:msg-id:db,commit,commit-offset`.
//!
//! `decode` refuses bad text with a message naming the step (its position and text)
//! and what was expected there; `encode(decode(s)) == s` for every text `encode` writes.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Most steps a handler may have.
pub const MAX_STEPS: usize = 16;
/// Largest `ttl=` a dedup entry may carry, in ticks.
pub const MAX_TTL: u32 = 100_000;

/// What names a message or a payment.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Key {
    /// The message id the producer stamps on each message it sends.
    MsgId,
    /// The record's position in the broker's log.
    Offset,
    /// The producer id and its sequence number.
    PidSeq,
    /// The payment's own id, given by the business.
    Business,
}

/// Where `insert` records a key.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Store {
    /// The database's dedup table, inside any open transaction.
    Db,
    /// A side cache outside the database (written at once, never rolled back).
    Cache,
}

/// How `apply` changes the balance.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Apply {
    /// Add the payment's amount.
    Add,
    /// Set the balance to the running total the message carries.
    Set,
    /// Add, only if the row's stored source offset is older than this record's.
    AddIfNewer,
}

/// One step of a handler.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Begin,
    Commit,
    Lookup(Key),
    /// `store: None` is written `insert:<key>` and means the database.
    Insert {
        key: Key,
        store: Option<Store>,
        ttl: Option<u32>,
    },
    Apply(Apply),
    StoreOffset,
    CommitOffset,
    Ack,
    Charge(Option<Key>),
    Publish,
    Outbox,
}

/// A handler: the steps it runs for every message, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handler(pub Vec<Step>);

/// Why a handler's text was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodecError {
    /// 1-based position of the step (0: the text as a whole).
    pub position: usize,
    /// The step as written.
    pub text: String,
    /// What was expected there.
    pub expected: String,
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.position == 0 {
            write!(f, "{}", self.expected)
        } else {
            write!(
                f,
                "step {} `{}`: expected {}",
                self.position, self.text, self.expected
            )
        }
    }
}

const STEP_WORDS: &str = "one of begin, commit, lookup:<key>, insert:<key>[:db|:cache][:ttl=<ticks>], apply:add|set|add-if-newer, store-offset, commit-offset, ack, charge[:key=<key>], publish, outbox";
const KEY_WORDS: &str = "a key: msg-id, offset, pid-seq or business";

impl Key {
    pub const ALL: [Key; 4] = [Key::MsgId, Key::Offset, Key::PidSeq, Key::Business];

    pub fn word(self) -> &'static str {
        match self {
            Key::MsgId => "msg-id",
            Key::Offset => "offset",
            Key::PidSeq => "pid-seq",
            Key::Business => "business",
        }
    }

    fn parse(s: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.word() == s)
    }
}

impl Apply {
    pub fn word(self) -> &'static str {
        match self {
            Apply::Add => "add",
            Apply::Set => "set",
            Apply::AddIfNewer => "add-if-newer",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Step::Begin => f.write_str("begin"),
            Step::Commit => f.write_str("commit"),
            Step::Lookup(k) => write!(f, "lookup:{}", k.word()),
            Step::Insert { key, store, ttl } => {
                write!(f, "insert:{}", key.word())?;
                match store {
                    Some(Store::Db) => f.write_str(":db")?,
                    Some(Store::Cache) => f.write_str(":cache")?,
                    None => {}
                }
                match ttl {
                    Some(t) => write!(f, ":ttl={t}"),
                    None => Ok(()),
                }
            }
            Step::Apply(a) => write!(f, "apply:{}", a.word()),
            Step::StoreOffset => f.write_str("store-offset"),
            Step::CommitOffset => f.write_str("commit-offset"),
            Step::Ack => f.write_str("ack"),
            Step::Charge(None) => f.write_str("charge"),
            Step::Charge(Some(k)) => write!(f, "charge:key={}", k.word()),
            Step::Publish => f.write_str("publish"),
            Step::Outbox => f.write_str("outbox"),
        }
    }
}

impl Step {
    /// Steps a `lookup` hit (or a refused insert) does not skip: they close the
    /// transaction and move the consumer past the message.
    pub fn is_tail(self) -> bool {
        matches!(
            self,
            Step::Commit | Step::StoreOffset | Step::CommitOffset | Step::Ack
        )
    }

    /// Parse one step; `Err` is what was expected.
    fn parse(s: &str) -> Result<Step, String> {
        let (head, args) = match s.split_once(':') {
            Some((h, a)) => (h, Some(a)),
            None => (s, None),
        };
        let bare = |st: Step| match args {
            None => Ok(st),
            Some(_) => Err(format!("`{head}` with no argument")),
        };
        let key = |a: Option<&str>| {
            a.and_then(Key::parse)
                .ok_or_else(|| format!("{KEY_WORDS} after `{head}:`"))
        };
        match head {
            "begin" => bare(Step::Begin),
            "commit" => bare(Step::Commit),
            "store-offset" => bare(Step::StoreOffset),
            "commit-offset" => bare(Step::CommitOffset),
            "ack" => bare(Step::Ack),
            "publish" => bare(Step::Publish),
            "outbox" => bare(Step::Outbox),
            "lookup" => key(args).map(Step::Lookup),
            "apply" => match args {
                Some("add") => Ok(Step::Apply(Apply::Add)),
                Some("set") => Ok(Step::Apply(Apply::Set)),
                Some("add-if-newer") => Ok(Step::Apply(Apply::AddIfNewer)),
                _ => Err("apply:add, apply:set or apply:add-if-newer".into()),
            },
            "charge" => match args {
                None => Ok(Step::Charge(None)),
                Some(a) => a
                    .strip_prefix("key=")
                    .and_then(Key::parse)
                    .map(|k| Step::Charge(Some(k)))
                    .ok_or_else(|| format!("charge or charge:key=<key>, with {KEY_WORDS}")),
            },
            "insert" => Step::parse_insert(args),
            _ => Err(STEP_WORDS.into()),
        }
    }

    fn parse_insert(args: Option<&str>) -> Result<Step, String> {
        const SHAPE: &str = "insert:<key>[:db|:cache][:ttl=<ticks>]";
        let mut parts = args.unwrap_or("").split(':');
        let key = Key::parse(parts.next().unwrap_or(""))
            .ok_or_else(|| format!("{SHAPE}, with {KEY_WORDS}"))?;
        let mut store = None;
        let mut ttl = None;
        for p in parts {
            match p {
                "db" | "cache" if store.is_none() && ttl.is_none() => {
                    store = Some(if p == "db" { Store::Db } else { Store::Cache });
                }
                _ if p.starts_with("ttl=") && ttl.is_none() => {
                    let v = &p["ttl=".len()..];
                    let ok = !v.starts_with('0') && v.bytes().all(|b| b.is_ascii_digit());
                    match v.parse::<u32>() {
                        Ok(t) if ok && (1..=MAX_TTL).contains(&t) => ttl = Some(t),
                        _ => return Err(format!("ttl=<ticks> with ticks from 1 to {MAX_TTL}")),
                    }
                }
                _ => return Err(SHAPE.into()),
            }
        }
        Ok(Step::Insert { key, store, ttl })
    }
}

impl Handler {
    /// Parse comma-separated steps (spaces around a step are ignored).
    pub fn decode(text: &str) -> Result<Handler, CodecError> {
        if text.trim().is_empty() {
            return Err(CodecError {
                position: 0,
                text: String::new(),
                expected: "the handler has no steps: write them comma-separated, e.g. `apply:add,commit-offset`".into(),
            });
        }
        let mut steps = Vec::new();
        for (i, raw) in text.split(',').enumerate() {
            let s = raw.trim();
            if i >= MAX_STEPS {
                return Err(CodecError {
                    position: i + 1,
                    text: s.into(),
                    expected: format!("at most {MAX_STEPS} steps"),
                });
            }
            let step = if s.is_empty() {
                Err(format!("a step here (two commas in a row?): {STEP_WORDS}"))
            } else {
                Step::parse(s)
            };
            steps.push(step.map_err(|expected| CodecError {
                position: i + 1,
                text: s.into(),
                expected,
            })?);
        }
        Ok(Handler(steps))
    }

    /// The text form `decode` reads.
    pub fn encode(&self) -> String {
        let words: Vec<String> = self.0.iter().map(|s| s.to_string()).collect();
        words.join(",")
    }

    pub fn has(&self, f: impl Fn(Step) -> bool) -> bool {
        self.0.iter().any(|s| f(*s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::Dice;

    /// A handler drawn from every step shape (deterministic from `i`).
    fn generated(i: u64) -> Handler {
        let d = Dice::new(7);
        let n = d.range(1, MAX_STEPS as u32, 1, i, 0, 0);
        let steps = (0..n)
            .map(|j| {
                let r = |tag: u64, hi: u32| d.range(0, hi - 1, tag, i, u64::from(j), 0) as usize;
                let key = Key::ALL[r(2, 4)];
                match r(3, 11) {
                    0 => Step::Begin,
                    1 => Step::Commit,
                    2 => Step::Lookup(key),
                    3 => Step::Insert {
                        key,
                        store: [None, Some(Store::Db), Some(Store::Cache)][r(4, 3)],
                        ttl: [None, Some(1), Some(30), Some(MAX_TTL)][r(5, 4)],
                    },
                    4 => Step::Apply([Apply::Add, Apply::Set, Apply::AddIfNewer][r(6, 3)]),
                    5 => Step::StoreOffset,
                    6 => Step::CommitOffset,
                    7 => Step::Ack,
                    8 => Step::Charge([None, Some(key)][r(7, 2)]),
                    9 => Step::Publish,
                    _ => Step::Outbox,
                }
            })
            .collect();
        Handler(steps)
    }

    #[test]
    fn generated_handlers_round_trip() {
        let mut shapes = std::collections::BTreeSet::new();
        for i in 0..2_000 {
            let h = generated(i);
            let s = h.encode();
            let back = Handler::decode(&s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(back, h, "{s}");
            assert_eq!(back.encode(), s);
            for st in &h.0 {
                shapes.insert(st.to_string());
            }
        }
        // Every step word, key and option was generated.
        assert!(shapes.len() > 60, "only {} distinct steps", shapes.len());
    }

    #[test]
    fn the_issue_examples_round_trip() {
        for s in [
            "begin,lookup:msg-id,apply:add,insert:msg-id:db,commit,commit-offset",
            "begin,apply:add-if-newer,store-offset,commit",
            "insert:pid-seq:cache:ttl=30,charge:key=business,publish,outbox,ack",
            "insert:offset:ttl=5,apply:set,charge",
        ] {
            assert_eq!(Handler::decode(s).unwrap().encode(), s);
        }
    }

    #[test]
    fn bad_text_is_refused_naming_the_step_and_what_was_expected() {
        let cases = [
            ("", "the handler has no steps"),
            ("begin,aply:add", "step 2 `aply:add`: expected one of begin"),
            ("lookup", "step 1 `lookup`: expected a key: msg-id"),
            ("lookup:id", "step 1 `lookup:id`: expected a key"),
            ("begin,,commit", "step 2 ``: expected a step here"),
            (
                "apply:sub",
                "step 1 `apply:sub`: expected apply:add, apply:set",
            ),
            (
                "commit:now",
                "step 1 `commit:now`: expected `commit` with no argument",
            ),
            ("insert:msg-id:disk", "expected insert:<key>[:db|:cache]"),
            (
                "insert:msg-id:ttl=0",
                "expected ttl=<ticks> with ticks from 1",
            ),
            (
                "insert:msg-id:ttl=30:db",
                "step 1 `insert:msg-id:ttl=30:db`",
            ),
            ("insert:msg-id:ttl=+3", "expected ttl=<ticks>"),
            ("charge:msg-id", "expected charge or charge:key=<key>"),
        ];
        for (text, want) in cases {
            let e = Handler::decode(text).unwrap_err().to_string();
            assert!(e.contains(want), "{text:?} gave {e:?}, wanted {want:?}");
        }
        let long = vec!["ack"; MAX_STEPS + 1].join(",");
        let e = Handler::decode(&long).unwrap_err();
        assert_eq!(e.position, MAX_STEPS + 1);
    }

    #[test]
    fn spaces_around_steps_are_ignored() {
        let h = Handler::decode(" begin , commit ").unwrap();
        assert_eq!(h.encode(), "begin,commit");
    }
}
