//! A narrated run as a replay: every narrated line is a [`Beat`] on the lane of the
//! process it happens at, with the message it sends (an arrow) and what it marks on a
//! lane (an apply, a skip, a crash, …), and the run's breaking step: the beat where the
//! verdict's first problem happens, narrated with its cause. The page draws it on the
//! space-time view; the beats are the steps its playhead moves through.

use super::*;
use serde::Serialize;

/// A process of a workbench run: a lane of its replay.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Actor {
    Producer,
    Broker,
    /// The consumer running the learner's handler.
    Consumer,
    /// The old consumer, paused by a rebalance, running the rest of its handler.
    Zombie,
    Cache,
    Database,
    Gateway,
    Downstream,
}

impl Actor {
    pub const ALL: [Actor; 8] = [
        Actor::Producer,
        Actor::Broker,
        Actor::Consumer,
        Actor::Zombie,
        Actor::Cache,
        Actor::Database,
        Actor::Gateway,
        Actor::Downstream,
    ];

    /// The lane's name (the word the narration uses for it).
    pub fn word(self) -> &'static str {
        match self {
            Actor::Producer => "producer",
            Actor::Broker => "broker",
            Actor::Consumer => "consumer",
            Actor::Zombie => "zombie consumer",
            Actor::Cache => "cache",
            Actor::Database => "database",
            Actor::Gateway => "gateway",
            Actor::Downstream => "downstream",
        }
    }
}

/// A message drawn as an arrow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Msg {
    pub from: Actor,
    pub to: Actor,
    pub sent: Tick,
    pub arrive: Tick,
    pub label: String,
    /// The broker lost it.
    pub lost: bool,
    /// A late copy of a record.
    pub copy: bool,
}

/// What a mark on a lane shows.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum MarkKind {
    /// A payment applied, charged or published for the first time.
    Effect,
    /// … a second time (or more).
    Again,
    /// Skipped (already recorded), or charged nothing (the key was seen).
    Skip,
    /// A database transaction or an offset committed.
    Commit,
    /// The consumer crashed.
    Crash,
    /// The broker refused a fenced zombie.
    Refused,
    /// The operator reset the committed offset.
    Reset,
    /// Another fault: a second publish, a rebalance.
    Fault,
}

/// A mark on a lane.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mark {
    pub at: Actor,
    pub kind: MarkKind,
    pub label: String,
}

/// A process down (crashed) or paused (a zombie waiting), from `from` to `to`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Span {
    pub lane: Actor,
    pub from: Tick,
    pub to: Option<Tick>,
    pub down: bool,
}

/// One narrated line of the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Beat {
    pub tick: Tick,
    /// The lane it happens at.
    pub lane: Actor,
    /// What the narration calls who acts ("consumer", "fault", "relay", …).
    pub who: &'static str,
    pub line: String,
    pub fault: bool,
    pub msg: Option<Msg>,
    pub marks: Vec<Mark>,
    /// What the stores hold once this line has happened.
    pub stores: Stores,
}

/// What the database, the broker, the side cache, the gateway and the downstream topic
/// hold after a beat (committed state: a write buffered in an open transaction is not
/// in it yet).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stores {
    /// Every merchant a payment goes to, with its balance in the database.
    pub balances: Vec<(String, i64)>,
    /// The live keys of the database's dedup table, in words.
    pub dedup: Vec<String>,
    /// The consumer position stored in the database.
    pub stored: Option<u32>,
    /// The group's committed offset at the broker.
    pub committed: Option<u32>,
    /// The live keys of the side cache, in words.
    pub cache: Vec<String>,
    /// Outbox rows not yet relayed.
    pub outbox: usize,
    /// Charges the gateway made, over every payment.
    pub charges: u32,
    /// Events on the downstream topic.
    pub events: u32,
}

/// What the stage shows at one beat of a replay: the line, who is down or paused,
/// the message handed over (the token), the marks, the stores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageAt<'a> {
    pub beat: &'a Beat,
    /// Processes crashed at this beat's tick (not yet restarted).
    pub down: Vec<Actor>,
    /// Processes paused (a consumer a rebalance left waiting as a zombie).
    pub paused: Vec<Actor>,
    /// This is the run's breaking step.
    pub breaking: bool,
}

impl Replay {
    /// The stage at beat `at` (clamped to the last beat); `None` for an empty replay.
    pub fn stage_at(&self, at: usize) -> Option<StageAt<'_>> {
        let at = at.min(self.beats.len().checked_sub(1)?);
        let beat = &self.beats[at];
        let t = beat.tick;
        // A span starts with its fault's line (earlier lines at the same tick precede it).
        let struck = self.beats[..=at].iter().any(|b| b.fault && b.tick == t);
        let during =
            |s: &&Span| (s.from < t || (s.from == t && struck)) && s.to.is_none_or(|to| t < to);
        let (mut down, mut paused) = (Vec::new(), Vec::new());
        for s in self.spans.iter().filter(during) {
            let list = if s.down { &mut down } else { &mut paused };
            if !list.contains(&s.lane) {
                list.push(s.lane);
            }
        }
        // A zombie that acts is no longer waiting.
        paused.retain(|a| *a != beat.lane);
        Some(StageAt {
            beat,
            down,
            paused,
            breaking: self.breaking.as_ref().is_some_and(|b| b.beat == at),
        })
    }
}

/// The step where the run breaks a goal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Breaking {
    /// Index into [`Replay::beats`].
    pub beat: usize,
    pub tick: Tick,
    /// The cause and what happens at this step, in one sentence.
    pub says: String,
}

/// A narrated run, beat by beat.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Replay {
    /// The lanes the run uses, top to bottom.
    pub lanes: Vec<Actor>,
    pub beats: Vec<Beat>,
    pub spans: Vec<Span>,
    pub breaking: Option<Breaking>,
    /// The last tick of the run.
    pub end: Tick,
}

/// What the beat being narrated adds besides its line (collected, then attached by `say`).
#[derive(Default)]
pub(super) struct Pending {
    pub msg: Option<Msg>,
    pub marks: Vec<Mark>,
}

/// Which beats applied, charged or published each payment, and handled it last.
#[derive(Default)]
pub(super) struct Effects {
    pub applied: Vec<Vec<usize>>,
    pub charged: Vec<Vec<usize>>,
    pub downstream: Vec<Vec<usize>>,
    /// Per merchant: the beats that wrote its balance, and who wrote.
    pub writes: Vec<Vec<(usize, String)>>,
    pub handled: Vec<Option<usize>>,
    pub faults: Vec<usize>,
    /// A second (or later) effect's beat, and what happened there in words.
    pub again: BTreeMap<usize, String>,
}

/// What a problem is about (to find its step).
pub(super) enum About {
    Balance(usize),
    Applied(usize),
    Charged(usize),
    Downstream(usize),
}

impl World<'_> {
    /// The beat `say` will push next.
    pub(super) fn next_beat(&self) -> usize {
        self.out.replay.beats.len()
    }

    pub(super) fn beat(&mut self, lane: Actor, who: &'static str, line: String, fault: bool) {
        let p = std::mem::take(&mut self.pending);
        if let Some(pay) = self.doing.map(|d| self.log[d.offset as usize].pay) {
            if lane == Actor::Consumer || lane == Actor::Zombie {
                self.fx.handled[pay] = Some(self.next_beat());
            }
        }
        if fault {
            self.fx.faults.push(self.next_beat());
        }
        self.out.replay.beats.push(Beat {
            tick: self.now,
            lane,
            who,
            line,
            fault,
            msg: p.msg,
            marks: p.marks,
            stores: self.stores(),
        });
    }

    /// A dedup or cache key in words.
    fn key_words(&self, k: Key, v: u64) -> String {
        let (pay, send) = match k {
            Key::MsgId => (v >> 8, v & 0xff),
            Key::PidSeq => (v & 0xffff_ffff, v >> 32),
            Key::Business => (v, 0),
            Key::Offset => return format!("offset {v}"),
        };
        let again = if send > 0 { " (2nd publish)" } else { "" };
        format!("{} of {}{again}", k.word(), txn_name(pay as u32 + 1))
    }

    /// What the stores hold now.
    fn stores(&self) -> Stores {
        let mut merchants: Vec<Merchant> = self.pays.iter().map(|p| p.merchant).collect();
        merchants.sort_unstable();
        merchants.dedup();
        let live = |m: &BTreeMap<(Key, u64), Option<Tick>>| -> Vec<String> {
            m.iter()
                .filter(|(_, e)| e.is_none_or(|e| self.now < e))
                .map(|((k, v), _)| self.key_words(*k, *v))
                .collect()
        };
        Stores {
            balances: merchants
                .into_iter()
                .map(|m| (merchant_name(m), self.bal[m as usize]))
                .collect(),
            dedup: live(&self.dedup),
            stored: self.stored,
            committed: self.committed,
            cache: live(&self.cache),
            outbox: self.outbox.len(),
            charges: self.out.charged.iter().sum(),
            events: self.out.downstream.iter().sum(),
        }
    }

    pub(super) fn send(&mut self, to: Actor, label: String, lost: bool) {
        if !self.narrate {
            return;
        }
        let from = self.doing.map_or(Actor::Consumer, |d| d.lane);
        self.pending.msg = Some(Msg {
            from,
            to,
            sent: self.now.saturating_sub(1),
            arrive: self.now,
            label,
            lost,
            copy: false,
        });
    }

    pub(super) fn mark(&mut self, at: Actor, kind: MarkKind, label: String) {
        if self.narrate {
            self.pending.marks.push(Mark { at, kind, label });
        }
    }

    /// A payment's effect (apply, charge, publish) at the next beat: marked on `at`,
    /// "again" from its second time.
    pub(super) fn effect(&mut self, at: Actor, pay: usize, what: &str) {
        if !self.narrate {
            return;
        }
        let b = self.next_beat();
        if at == Actor::Database {
            let who = self.doer();
            self.fx.writes[self.pays[pay].merchant as usize].push((b, who));
        }
        let list = match at {
            Actor::Gateway => &mut self.fx.charged[pay],
            Actor::Downstream => &mut self.fx.downstream[pay],
            _ => &mut self.fx.applied[pay],
        };
        list.push(b);
        let n = list.len();
        let txn = txn_name(pay as u32 + 1);
        let (kind, label) = if n == 1 {
            (MarkKind::Effect, format!("{what} {txn}"))
        } else {
            let words = self.effect_words(at, pay);
            self.fx.again.insert(b, words);
            (MarkKind::Again, format!("{what} {txn} again"))
        };
        self.mark(at, kind, label);
    }

    /// Who does the step being narrated, as the subject of a sentence.
    fn doer(&self) -> String {
        let Some(d) = self.doing else {
            return "the relay".into();
        };
        let r = self.log[d.offset as usize];
        if d.lane == Actor::Zombie {
            "the zombie".into()
        } else if d.copy {
            "the late copy".into()
        } else if r.send > 0 {
            "the producer's second publish".into()
        } else if d.delivery > 1 {
            d.again.into()
        } else {
            "the consumer".into()
        }
    }

    /// What the effect at the next beat is, for the breaking step's sentence.
    fn effect_words(&self, at: Actor, pay: usize) -> String {
        let txn = txn_name(pay as u32 + 1);
        let who = self.doer();
        match at {
            Actor::Gateway => format!("{who} charges {txn} again"),
            Actor::Downstream => format!("{who} publishes {txn}'s event again"),
            _ => format!("{who} applies {txn} again"),
        }
    }

    /// The breaking step of a run whose first problem is `about`, narrated.
    pub(super) fn breaking(&mut self, about: About, problem: &str) {
        if !self.narrate || self.out.replay.breaking.is_some() {
            return;
        }
        let beats = &self.out.replay.beats;
        let cause = if self.out.fired.is_empty() {
            "with no fault at all".to_string()
        } else {
            let w: Vec<&str> = self.out.fired.iter().map(|f| f.2.as_str()).collect();
            w.join("; then ")
        };
        let second = |v: &Vec<usize>| v.get(1).copied();
        let lost = |pay: usize| {
            self.fx
                .faults
                .last()
                .copied()
                .or(self.fx.handled[pay])
                .unwrap_or(beats.len().saturating_sub(1))
        };
        let (beat, says) = match about {
            About::Applied(p) | About::Charged(p) | About::Downstream(p) => {
                let v = match about {
                    About::Charged(_) => &self.fx.charged[p],
                    About::Downstream(_) => &self.fx.downstream[p],
                    _ => &self.fx.applied[p],
                };
                match second(v) {
                    Some(b) => (
                        b,
                        format!(
                            "{cause}: {}; {problem}",
                            self.fx.again.get(&b).cloned().unwrap_or_default()
                        ),
                    ),
                    None => (lost(p), format!("{cause}: {problem}")),
                }
            }
            About::Balance(m) => {
                let (b, who) = self.fx.writes[m]
                    .last()
                    .cloned()
                    .unwrap_or_else(|| (lost(0), "the consumer".into()));
                let line = beats.get(b).map_or(String::new(), |x| x.line.clone());
                (b, format!("{cause}: {who} {line}, and {problem}"))
            }
        };
        let tick = self.out.replay.beats.get(beat).map_or(0, |b| b.tick);
        self.out.replay.breaking = Some(Breaking { beat, tick, says });
    }

    /// The lanes used, the spans of crashes and pauses, the last tick.
    pub(super) fn finish_replay(&mut self) {
        if !self.narrate {
            return;
        }
        let r = &mut self.out.replay;
        let mut used: BTreeSet<Actor> = [
            Actor::Producer,
            Actor::Broker,
            Actor::Consumer,
            Actor::Database,
        ]
        .into();
        for b in &r.beats {
            used.insert(b.lane);
            if let Some(m) = &b.msg {
                used.insert(m.from);
                used.insert(m.to);
            }
            used.extend(b.marks.iter().map(|m| m.at));
        }
        used.extend(r.spans.iter().map(|s| s.lane));
        r.lanes = Actor::ALL
            .into_iter()
            .filter(|a| used.contains(a))
            .collect();
        r.end = r
            .beats
            .iter()
            .map(|b| b.msg.as_ref().map_or(b.tick, |m| m.arrive.max(b.tick)))
            .max()
            .unwrap_or(0)
            .max(r.spans.iter().filter_map(|s| s.to).max().unwrap_or(0));
    }
}
