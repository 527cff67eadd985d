//! Challenges: a goal, the faults assumed, a rule on the steps allowed, and the
//! references the tests hold them to (every solution holds, every common wrong attempt
//! breaks). One cannot be met under its assumptions; its explanation says why.

use super::check::{check, Check};
use super::step::{Handler, Step};
use super::{Assumptions, Goal, Setup};

/// One challenge.
#[derive(Debug)]
pub struct Challenge {
    pub id: &'static str,
    pub title: &'static str,
    /// What the learner is asked to do.
    pub goal: &'static str,
    pub assume: Assumptions,
    /// What the verdict checks besides the balances.
    pub checks: Goal,
    /// Schedules with at most this many faults.
    pub k: u8,
    /// The steps allowed, in words (empty: any).
    pub rule: &'static str,
    /// `false`: no handler meets it under these assumptions.
    pub possible: bool,
    /// Why it works, or for an impossible one, why it cannot.
    pub why: &'static str,
    /// Handlers that hold (none for an impossible one).
    pub solutions: &'static [&'static str],
    /// Common wrong attempts, each breaking.
    pub wrong: &'static [&'static str],
}

const ONLY_BALANCES: Goal = Goal {
    charge: false,
    downstream: false,
};

/// Every challenge, easiest first.
pub const ALL: &[Challenge] = &[
    Challenge {
        id: "no-transaction",
        title: "Safe without a transaction",
        goal: "Keep every balance right with no database transaction (no begin, no commit).",
        assume: Assumptions { crash: true, lost_ack: true, late: Some(30), ..Assumptions::NONE },
        checks: ONLY_BALANCES,
        k: 2,
        rule: "no begin or commit",
        possible: true,
        why: "A conditional write carries its own memory: the row keeps the offset of the last record applied to it, so a record that comes back (after a crash, a lost commit or late) is no newer than what its row holds and changes nothing. A dedup table written outside a transaction cannot do that: a crash between the write and the insert leaves one without the other.",
        solutions: &["apply:add-if-newer,commit-offset", "apply:add-if-newer,store-offset"],
        wrong: &[
            "apply:add,commit-offset",
            "lookup:msg-id,apply:add,insert:msg-id,commit-offset",
            "insert:msg-id,apply:add,commit-offset",
            "apply:set,commit-offset",
        ],
    },
    Challenge {
        id: "charge-once",
        title: "Charge once",
        goal: "Charge the gateway exactly once per payment and keep every balance right, when the producer may publish a payment again as a new message. The gateway keeps keys for longer than any retry.",
        assume: Assumptions { crash: true, lost_ack: true, dup_publish: true, ..Assumptions::NONE },
        checks: Goal { charge: true, downstream: false },
        k: 2,
        rule: "",
        possible: true,
        why: "The charge leaves your database, so no transaction can take it back; the gateway must recognise a repeat, by an idempotency key that is the same for every copy of the payment (here the gateway keeps every key for longer than any retry; a real one keeps keys for a stated period, and a retry after that is charged again). Only the business key survives the producer's resend: it mints a new message, so its msg-id, offset and pid-seq are new.",
        solutions: &[
            "charge:key=business,begin,lookup:business,apply:add,insert:business:db,commit,commit-offset",
            "begin,lookup:business,apply:add,insert:business:db,charge:key=business,commit,commit-offset",
        ],
        wrong: &[
            "begin,lookup:msg-id,apply:add,insert:msg-id:db,charge,commit,commit-offset",
            "charge:key=msg-id,begin,lookup:msg-id,apply:add,insert:msg-id:db,commit,commit-offset",
            "charge:key=offset,begin,lookup:business,apply:add,insert:business:db,commit,commit-offset",
        ],
    },
    Challenge {
        id: "publish-once",
        title: "Publish once",
        goal: "Publish every payment's event downstream exactly once and keep every balance right, with crashes, lost commits and a zombie. Here the relay never fails.",
        assume: Assumptions { crash: true, lost_ack: true, zombie: true, ..Assumptions::NONE },
        checks: Goal { charge: false, downstream: true },
        k: 2,
        rule: "",
        possible: true,
        why: "A publish straight to the topic is outside the transaction: before the commit it can repeat, after it it can be lost. An outbox row commits with the balance and the dedup key, or not at all, and the relay sends what committed. Here the relay never fails, so it sends each row once; a real relay is at-least-once (a crash after publishing, before recording its progress, publishes again), so the topic's readers still dedup on the outbox row's id.",
        solutions: &["begin,lookup:msg-id,apply:add,insert:msg-id:db,outbox,commit,commit-offset"],
        wrong: &[
            "begin,lookup:msg-id,apply:add,insert:msg-id:db,commit,publish,commit-offset",
            "begin,lookup:msg-id,apply:add,insert:msg-id:db,publish,commit,commit-offset",
            "begin,apply:add,outbox,commit,commit-offset",
        ],
    },
    Challenge {
        id: "zombie",
        title: "Outlive a zombie",
        goal: "Keep every balance right when a rebalance can leave a paused consumer that wakes up later and finishes its handler.",
        assume: Assumptions { crash: true, zombie: true, ..Assumptions::NONE },
        checks: ONLY_BALANCES,
        k: 2,
        rule: "",
        possible: true,
        why: "The broker fences the zombie's offset commits, but not its database writes. A unique dedup key inside the transaction makes the zombie's late commit fail; a conditional write skips a record the row has already seen.",
        solutions: &[
            "begin,lookup:msg-id,apply:add,insert:msg-id:db,commit,commit-offset",
            "begin,apply:add-if-newer,store-offset,commit",
        ],
        wrong: &[
            "lookup:msg-id,apply:add,insert:msg-id:cache,commit-offset",
            "begin,apply:add,commit,commit-offset",
            "begin,apply:add,store-offset,commit",
        ],
    },
    Challenge {
        id: "offset-reset",
        title: "Survive an offset reset",
        goal: "Keep every balance right when an operator resets the group's committed offset to the start.",
        assume: Assumptions { crash: true, offset_reset: true, ..Assumptions::NONE },
        checks: ONLY_BALANCES,
        k: 2,
        rule: "",
        possible: true,
        why: "After a reset the broker replays everything from the start, and the broker's offset no longer tells an applied record from a new one. The consumer's database must tell them apart: by its own position (stored with the balance in one transaction), by a conditional write (each row keeps the offset of the last record applied to it), or by a dedup table that keeps each key for as long as a reset can reach back. Here a run is short, so a window of 30 ticks already holds; a real reset to the start reaches back as far as the topic keeps its records, and the keys must be kept that long.",
        solutions: &[
            "begin,apply:add-if-newer,store-offset,commit",
            "begin,apply:add-if-newer,commit,commit-offset",
            "begin,lookup:msg-id,apply:add,insert:msg-id:db,commit,commit-offset",
        ],
        wrong: &[
            "begin,apply:add,commit,commit-offset",
            "begin,lookup:msg-id,apply:add,insert:msg-id:db:ttl=10,commit,commit-offset",
        ],
    },
    Challenge {
        id: "dedup-window",
        title: "A window that never leaks",
        goal: "Keep every balance right with a dedup window (every insert has a ttl) when a record can arrive again up to 30 ticks late.",
        assume: Assumptions { crash: true, late: Some(30), ..Assumptions::NONE },
        checks: ONLY_BALANCES,
        k: 2,
        rule: "every insert has a ttl",
        possible: true,
        why: "A key must outlive the latest duplicate, and the latest is not always a copy of the first delivery: after a crash the record comes back a restart later, and a copy of that redelivery can arrive the full delay after it. The window counts from the insert, and that copy's lookup comes later by the sum of the first run's steps from the insert to the crash, the restart, the delay, and the copy's own steps up to its lookup. Here that sum is 38 ticks at most, so the smallest window that holds is 39 ticks, against a delay of 30: a window exactly as long as the delay leaks, and so does one as long as the restart and the delay together.",
        solutions: &[
            "begin,lookup:msg-id,apply:add,insert:msg-id:db:ttl=40,commit,commit-offset",
            "begin,lookup:msg-id,apply:add,insert:msg-id:db:ttl=60,commit,commit-offset",
        ],
        wrong: &[
            "begin,lookup:msg-id,apply:add,insert:msg-id:db:ttl=30,commit,commit-offset",
            "begin,lookup:msg-id,apply:add,insert:msg-id:db:ttl=35,commit,commit-offset",
            "begin,lookup:msg-id,apply:add,insert:msg-id:db:ttl=10,commit,commit-offset",
            "begin,lookup:msg-id,apply:add,insert:msg-id:db:ttl=20,commit,commit-offset",
            "lookup:msg-id,apply:add,insert:msg-id:cache:ttl=40,commit-offset",
        ],
    },
    Challenge {
        id: "charge-without-keys",
        title: "Charge once, no idempotency key",
        goal: "Charge the gateway exactly once per payment and keep every balance right, when the gateway takes no idempotency key, with crashes.",
        assume: Assumptions { crash: true, ..Assumptions::NONE },
        checks: Goal { charge: true, downstream: false },
        k: 1,
        rule: "charge without a key",
        possible: false,
        why: "It cannot be done. The charge happens in another system, and nothing commits it together with your record of it. Put the charge first and a crash before the record makes the restarted consumer charge again; put the record first and a crash before the charge leaves a payment recorded but never charged. The gap closes only at the gateway: an idempotency key, or a way to ask it what it already charged.",
        solutions: &[],
        wrong: &[
            "charge,begin,lookup:msg-id,apply:add,insert:msg-id:db,commit,commit-offset",
            "begin,lookup:msg-id,apply:add,insert:msg-id:db,commit,charge,commit-offset",
            "begin,lookup:msg-id,insert:msg-id:db,charge,apply:add,commit,commit-offset",
            "lookup:msg-id,insert:msg-id:cache,charge,begin,apply:add,commit,commit-offset",
        ],
    },
];

/// The challenge with this id.
pub fn find(id: &str) -> Option<&'static Challenge> {
    ALL.iter().find(|c| c.id == id)
}

/// What `h` is checked in: the challenge's setup if it allows `h` (or why not), else
/// (no challenge, or an unknown one) the default faults and the goals `h`'s steps imply.
pub fn setup_for(challenge: Option<&str>, h: &Handler) -> Result<Setup, String> {
    match challenge.and_then(find) {
        Some(c) => c.allows(h).map(|_| c.setup()),
        None => Ok(Setup::for_handler(h)),
    }
}

impl Challenge {
    /// Does `h` follow the challenge's rule? `Err` says which step breaks it.
    pub fn allows(&self, h: &Handler) -> Result<(), String> {
        for (i, s) in h.0.iter().enumerate() {
            let bad = match self.id {
                "no-transaction" => matches!(s, Step::Begin | Step::Commit),
                "dedup-window" => matches!(s, Step::Insert { ttl: None, .. }),
                "charge-without-keys" => matches!(s, Step::Charge(Some(_))),
                _ => false,
            };
            if bad {
                return Err(format!(
                    "step {} `{s}` is not allowed here: {}",
                    i + 1,
                    self.rule
                ));
            }
        }
        Ok(())
    }

    /// The setup the challenge is judged in.
    pub fn setup(&self) -> Setup {
        Setup {
            seed: 1,
            payments: 3,
            assume: self.assume,
            goal: self.checks,
        }
    }

    /// Judge a handler: refused by the rule, or checked over every schedule with at most `k` faults.
    pub fn judge(&self, h: &Handler) -> Result<Check, String> {
        self.allows(h)?;
        Ok(check(h, &self.setup(), self.k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(c: &Challenge, text: &str) -> Check {
        let h = Handler::decode(text).unwrap_or_else(|e| panic!("{}: {text}: {e}", c.id));
        c.judge(&h)
            .unwrap_or_else(|e| panic!("{}: {text}: {e}", c.id))
    }

    #[test]
    fn every_solution_holds_and_every_wrong_attempt_breaks() {
        for c in ALL {
            assert_eq!(c.possible, !c.solutions.is_empty(), "{}", c.id);
            assert!(!c.wrong.is_empty(), "{}", c.id);
            for s in c.solutions {
                let r = judge(c, s);
                assert!(
                    r.holds(),
                    "{}: {s} should hold: {:?}",
                    c.id,
                    r.counterexample.map(|x| x.narration)
                );
                assert!(r.schedules > 1, "{}: {s}", c.id);
            }
            for s in c.wrong {
                let r = judge(c, s);
                assert!(
                    r.counterexample.is_some(),
                    "{}: {s} should break ({} schedules)",
                    c.id,
                    r.schedules
                );
            }
        }
    }

    #[test]
    fn rules_refuse_steps_naming_them() {
        let c = find("no-transaction").unwrap();
        let e = c
            .judge(&Handler::decode("begin,apply:add,commit").unwrap())
            .unwrap_err();
        assert_eq!(e, "step 1 `begin` is not allowed here: no begin or commit");
        let c = find("dedup-window").unwrap();
        assert!(c
            .judge(&Handler::decode("lookup:msg-id,insert:msg-id:db").unwrap())
            .is_err());
        let c = find("charge-without-keys").unwrap();
        assert!(c
            .judge(&Handler::decode("charge:key=msg-id").unwrap())
            .is_err());
    }

    #[test]
    fn the_stated_delay_is_the_assumed_one() {
        let c = find("dedup-window").unwrap();
        let late = c.assume.late.unwrap();
        assert!(
            c.goal.contains(&format!("up to {late} ticks late")),
            "{}",
            c.goal
        );
        assert!(c
            .assume
            .words()
            .contains(&format!("up to {late} ticks late")));
    }

    #[test]
    fn one_challenge_is_impossible_and_says_why() {
        let imp: Vec<_> = ALL.iter().filter(|c| !c.possible).collect();
        assert_eq!(imp.len(), 1);
        assert!(imp[0].why.starts_with("It cannot be done."));
    }
}
