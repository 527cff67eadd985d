//! When practice items come back. A lesson finished at time `t` schedules each of its
//! varying predict questions for `t + 1 day`; a right answer moves the item to the next
//! gap (3 days, then 7 days) and after the last one it is retired; a miss brings it
//! back sooner: after [`MISS_DELAY_MS`], and the gaps start again from one day.
//! Times are milliseconds on the page's clock, passed in (nothing here reads a clock).
//! Stored with the lesson progress (`eop.lessons`, field `practice`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const DAY_MS: u64 = 86_400_000;
/// The gaps, in days, after the lesson and after each right answer.
pub const GAPS_DAYS: [u64; 3] = [1, 3, 7];
/// A missed item comes back this long after the miss (ten minutes).
pub const MISS_DELAY_MS: u64 = 10 * 60 * 1000;

/// One question's place in the schedule.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub lesson: String,
    /// The predict step (0-based).
    pub step: usize,
    /// Which gap comes next: 0 (one day) to 2 (seven days); 3 means retired.
    #[serde(default)]
    pub stage: u8,
    /// When it is due (page clock, ms).
    pub due: u64,
    /// The next variant to ask (each answer moves past the one asked).
    #[serde(default)]
    pub next_variant: u32,
    #[serde(default)]
    pub right: u32,
    #[serde(default)]
    pub missed: u32,
}

impl Item {
    pub fn retired(&self) -> bool {
        usize::from(self.stage) >= GAPS_DAYS.len()
    }
    pub fn is_due(&self, now: u64) -> bool {
        !self.retired() && self.due <= now
    }
    /// Its key in the schedule.
    pub fn key(&self) -> String {
        key(&self.lesson, self.step)
    }
}

/// `lesson#step`.
pub fn key(lesson: &str, step: usize) -> String {
    format!("{lesson}#{step}")
}

/// Every practice item, by key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    #[serde(default)]
    pub items: BTreeMap<String, Item>,
}

impl Schedule {
    /// Lesson `lesson` finished at `now`: each of `steps` comes back a day later. A
    /// lesson taken again starts its items over.
    pub fn finished(&mut self, lesson: &str, steps: &[usize], now: u64) {
        for &step in steps {
            let next_variant = self
                .items
                .get(&key(lesson, step))
                .map_or(0, |i| i.next_variant);
            self.items.insert(
                key(lesson, step),
                Item {
                    lesson: lesson.to_string(),
                    step,
                    stage: 0,
                    due: now + GAPS_DAYS[0] * DAY_MS,
                    next_variant,
                    right: 0,
                    missed: 0,
                },
            );
        }
    }

    /// Drop the items whose question no longer varies (`live(lesson, step)` is false):
    /// a lesson edited since the learner finished it must not leave an item that is
    /// counted as due and can never be asked.
    pub fn keep_only(&mut self, live: impl Fn(&str, usize) -> bool) {
        self.items.retain(|_, i| live(&i.lesson, i.step));
    }

    /// Items due at `now`, the longest overdue first.
    pub fn due(&self, now: u64) -> Vec<&Item> {
        let mut v: Vec<&Item> = self.items.values().filter(|i| i.is_due(now)).collect();
        v.sort_by_key(|i| (i.due, i.key()));
        v
    }

    /// When the next item falls due, if any is left.
    pub fn next_due(&self) -> Option<u64> {
        self.items
            .values()
            .filter(|i| !i.retired())
            .map(|i| i.due)
            .min()
    }

    /// The item `key` was answered at `now` with variant `variant`: right moves it to
    /// the next gap (retired after the last), a miss brings it back after
    /// `MISS_DELAY_MS` and starts the gaps again. Returns the new due time (None if
    /// retired or unknown).
    pub fn answered(&mut self, key: &str, variant: u32, correct: bool, now: u64) -> Option<u64> {
        let it = self.items.get_mut(key)?;
        it.next_variant = it.next_variant.max(variant.saturating_add(1));
        if correct {
            it.right += 1;
            it.stage = it.stage.saturating_add(1);
            let gap = GAPS_DAYS.get(usize::from(it.stage))?;
            it.due = now + gap * DAY_MS;
        } else {
            it.missed += 1;
            it.stage = 0;
            it.due = now + MISS_DELAY_MS;
        }
        Some(it.due)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Forget everything (the course's "reset progress").
    pub fn reset(&mut self) {
        self.items.clear();
    }
}

fn days(n: u64) -> String {
    if n == 1 {
        "a day".to_string()
    } else {
        format!("{n} days")
    }
}

/// A wait in words, rounded up (so "within" it is true): minutes under an hour,
/// hours under a day, else days.
pub fn wait_words(ms: u64) -> String {
    const MIN: u64 = 60_000;
    const HOUR: u64 = 60 * MIN;
    let (n, unit) = if ms < HOUR {
        (ms.div_ceil(MIN).max(1), "minute")
    } else if ms < DAY_MS {
        (ms.div_ceil(HOUR), "hour")
    } else {
        (ms.div_ceil(DAY_MS), "day")
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// When a lesson's questions come back, in words, from [`GAPS_DAYS`] and
/// [`MISS_DELAY_MS`]: "a day after the lesson, then 3 days after a right answer,
/// then 7 days after the next right one; …".
pub fn gaps_words() -> String {
    let mut s = format!("{} after the lesson", days(GAPS_DAYS[0]));
    for (i, g) in GAPS_DAYS.iter().enumerate().skip(1) {
        let after = if i == 1 {
            "a right answer"
        } else {
            "the next right one"
        };
        s.push_str(&format!(", then {} after {after}", days(*g)));
    }
    format!(
        "{s}; a right answer at the last gap retires a question, and a miss brings it back {} later and starts the gaps again",
        wait_words(MISS_DELAY_MS)
    )
}

impl Schedule {
    /// Every item has been answered right after the last gap.
    pub fn all_retired(&self) -> bool {
        !self.items.is_empty() && self.items.values().all(Item::retired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_800_000_000_000;

    #[test]
    fn due_one_three_seven_days_then_retired() {
        let mut s = Schedule::default();
        s.finished("outbox", &[1, 4], T0);
        assert!(s.due(T0).is_empty());
        assert!(s.due(T0 + DAY_MS - 1).is_empty());
        let due: Vec<String> = s.due(T0 + DAY_MS).iter().map(|i| i.key()).collect();
        assert_eq!(due, ["outbox#1", "outbox#4"]);
        let t1 = T0 + DAY_MS + 5;
        assert_eq!(s.answered("outbox#1", 0, true, t1), Some(t1 + 3 * DAY_MS));
        assert_eq!(s.due(t1).len(), 1);
        let t2 = t1 + 3 * DAY_MS;
        assert_eq!(s.answered("outbox#1", 1, true, t2), Some(t2 + 7 * DAY_MS));
        let t3 = t2 + 7 * DAY_MS;
        assert_eq!(s.items["outbox#1"].next_variant, 2);
        assert_eq!(s.answered("outbox#1", 2, true, t3), None);
        assert!(s.items["outbox#1"].retired());
        assert!(!s.items["outbox#1"].is_due(t3 + 100 * DAY_MS));
        assert_eq!(s.items["outbox#1"].right, 3);
        assert_eq!(s.next_due(), Some(T0 + DAY_MS));
    }

    #[test]
    fn an_item_whose_question_no_longer_varies_is_dropped() {
        let mut s = Schedule::default();
        s.finished("outbox", &[1, 4], T0);
        s.finished("telemetry", &[1], T0);
        assert_eq!(s.due(T0 + DAY_MS).len(), 3);
        s.keep_only(|lesson, step| !(lesson == "telemetry" && step == 1));
        let due: Vec<String> = s.due(T0 + DAY_MS).iter().map(|i| i.key()).collect();
        assert_eq!(due, ["outbox#1", "outbox#4"]);
    }

    #[test]
    fn a_miss_comes_back_sooner_and_starts_the_gaps_again() {
        let mut s = Schedule::default();
        s.finished("outbox", &[1], T0);
        let t1 = T0 + DAY_MS;
        s.answered("outbox#1", 0, true, t1);
        let t2 = t1 + 3 * DAY_MS;
        assert_eq!(
            s.answered("outbox#1", 1, false, t2),
            Some(t2 + MISS_DELAY_MS)
        );
        assert!(!s.items["outbox#1"].is_due(t2 + MISS_DELAY_MS - 1));
        assert!(s.items["outbox#1"].is_due(t2 + MISS_DELAY_MS));
        assert_eq!(s.items["outbox#1"].stage, 0);
        assert_eq!(s.items["outbox#1"].missed, 1);
        // Right after the miss: one day again, not seven.
        let t3 = t2 + MISS_DELAY_MS;
        assert_eq!(s.answered("outbox#1", 2, true, t3), Some(t3 + 3 * DAY_MS));
        assert_eq!(s.items["outbox#1"].next_variant, 3);
    }

    #[test]
    fn practice_waits_and_gaps_in_words() {
        assert_eq!(wait_words(MISS_DELAY_MS), "10 minutes");
        assert_eq!(wait_words(MISS_DELAY_MS - 1), "10 minutes");
        assert_eq!(wait_words(1), "1 minute");
        assert_eq!(wait_words(DAY_MS - 1), "24 hours");
        assert_eq!(wait_words(3 * DAY_MS), "3 days");
        let g = gaps_words();
        assert!(
            g.starts_with(
                "a day after the lesson, then 3 days after a right answer, then 7 days after the next right one;"
            ),
            "{g}"
        );
        assert!(
            g.ends_with("back 10 minutes later and starts the gaps again"),
            "{g}"
        );
        // Not the old "a day, three days and a week later" (gaps from the lesson).
        assert!(!g.contains("a week"), "{g}");
    }

    #[test]
    fn all_retired_only_when_every_item_is() {
        let mut s = Schedule::default();
        assert!(!s.all_retired());
        s.finished("outbox", &[1, 4], T0);
        for (k, key) in ["outbox#1", "outbox#4"].iter().enumerate() {
            for v in 0..3 {
                assert!(!s.all_retired());
                s.answered(key, v, true, T0 + (k as u64 + v as u64) * DAY_MS);
            }
        }
        assert!(s.all_retired());
        assert_eq!(s.next_due(), None);
    }

    #[test]
    fn reset_and_retaking_a_lesson() {
        let mut s = Schedule::default();
        s.finished("outbox", &[1], T0);
        s.answered("outbox#1", 0, true, T0 + DAY_MS);
        // Taken again: back to one day, variants keep moving on.
        s.finished("outbox", &[1], T0 + 2 * DAY_MS);
        let it = &s.items["outbox#1"];
        assert_eq!((it.stage, it.due, it.next_variant), (0, T0 + 3 * DAY_MS, 1));
        s.reset();
        assert!(s.items.is_empty());
        assert_eq!(s.next_due(), None);
        assert_eq!(s.answered("outbox#1", 0, true, T0), None);
    }

    #[test]
    fn stored_as_json_and_read_back() {
        let mut s = Schedule::default();
        s.finished("telemetry", &[1], T0);
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Schedule>(&j).unwrap(), s);
        // An older store without the optional fields still reads.
        let old = r#"{"items":{"a#1":{"lesson":"a","step":1,"due":5}}}"#;
        let s2: Schedule = serde_json::from_str(old).unwrap();
        assert!(s2.items["a#1"].is_due(5));
    }
}
