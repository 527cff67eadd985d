//! §5 — the dedup table and its window.
//!
//! A broker hands payments to a consumer; the network sometimes delivers a copy,
//! up to `dup_delay_max_ticks` late. The consumer keeps the ids it processed in a
//! dedup table:
//!
//! * `no-dedup`: no table, every copy is applied;
//! * `dedup-ttl`: ids are kept for `ttl_ticks` (the dedup window), in one of two
//!   stores (`store`): a SQL table whose rows a periodic cleanup deletes once they
//!   are older than the TTL (a lookup still finds a row past its TTL until the
//!   cleanup has run), or a cache with a TTL (Redis-style: the key is gone the moment
//!   its TTL ends and a lookup never returns it). A copy that arrives after its id is
//!   gone is applied again (the window was shorter than the longest delay);
//! * `dedup-forever`: ids never expire — exact, but the table grows with every
//!   message ever processed.

mod text;

use super::prelude::*;
use crate::sim::broker::payments;
use crate::sim::event::SkipWhy;
use crate::sim::ids::txn_name;
use crate::sim::invariants::Check;
use text::INFO;

nodes! {
    BROKER: "broker", Broker @ 15, 50;
    CONSUMER: "consumer", Consumer @ 75, 50;
}
/// The only hop.
const HOP: u8 = 0;
/// One-way delay broker → consumer.
const BASE: Tick = 2;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Timer {
    /// The broker sends payment `msg`.
    Send { msg: MsgId },
    /// sql-table: the periodic DELETE of rows past their TTL.
    Cleanup,
    /// ttl-cache: the key `msg` reaches the end of its TTL.
    Expire { msg: MsgId },
}

/// The stores a dedup table can live in (the `store` parameter).
pub static STORES: &[&str] = &["sql-table", "ttl-cache"];

fn shrinks_after_peak(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    let peak = t.dedup_sizes.iter().map(|s| s.1).max()?;
    let at = t.dedup_sizes.iter().find(|s| s.1 == peak)?.0;
    let last = t.dedup_sizes.last()?.1;
    (last < peak).then_some(Some(at))
}

fn holds_300_at_the_end(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    let last = t.dedup_sizes.last()?;
    (last.1 == 300).then_some(Some(last.0))
}

fn peaks_near_140(_: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    let peak = t.dedup_sizes.iter().map(|s| s.1).max()?;
    let at = t.dedup_sizes.iter().find(|s| s.1 == peak)?.0;
    let last = t.dedup_sizes.last()?.1;
    ((120..=140).contains(&peak) && last < peak).then_some(Some(at))
}

/// The same run with the SQL table lets fewer copies through than the cache.
fn cache_lets_more_through(r: &RunResult, t: &TechniqueRun) -> Option<Option<Tick>> {
    let mut cfg = r.config.clone();
    cfg.params.retain(|(n, _)| n != "store");
    let cfg = cfg.set("store", 0);
    let sql = build(&cfg, &Params::with(INFO.params, &cfg.params).ok()?);
    let before = sql.technique("dedup-ttl")?.verdict.applied_twice.len();
    let now = t.verdict.applied_twice.len();
    (now > before).then(|| {
        t.verdict
            .first_violation
            .and_then(|i| t.trace.get(i))
            .map(|e| e.tick)
    })
}

techniques! {
    Mode;
    NoDedup = "no-dedup", "No dedup table", None;
    Ttl = "dedup-ttl", "Dedup table with TTL", ExactlyOnce,
        BuiltToBreak("its window is shorter than the slowest copy at the defaults");
    Forever = "dedup-forever", "Dedup table kept forever", ExactlyOnce;
}

/// Where the TTL table lives (see [`STORES`]).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Store {
    /// Rows older than the TTL deleted by a periodic cleanup; found until then.
    SqlTable,
    /// Keys vanish the moment their TTL ends; a lookup never returns one.
    TtlCache,
}

/// When the `i`-th payment (0-based) leaves the broker.
fn send_tick(i: usize, rate_per_10: u32) -> Tick {
    1 + (i as Tick * 10) / rate_per_10.max(1)
}

/// A copy applied again after its id was gone.
#[derive(Copy, Clone, Debug)]
struct Late {
    msg: MsgId,
    /// Trace index of the second application.
    event: usize,
    tick: Tick,
    /// When the id was forgotten (the last "forgets" event before the copy).
    forgotten: Tick,
}

struct World {
    mode: Mode,
    store: Store,
    workload: BTreeMap<MsgId, Payment>,
    ledger: Ledger,
    ttl: Tick,
    cleanup_every: Tick,
    /// Last tick a cleanup is scheduled for.
    cleanup_until: Tick,
    /// id → last tick its TTL covers (None: kept forever).
    table: BTreeMap<MsgId, Option<Tick>>,
    /// First application of each message: (tick).
    applied_at: BTreeMap<MsgId, Tick>,
    /// When each id was last forgotten (deleted by the cleanup / expired from the cache).
    forgotten_at: BTreeMap<MsgId, Tick>,
    /// Copies applied again after their id was gone.
    late: Vec<Late>,
    /// sql-table: copies stopped by a row already past its TTL that the cleanup had
    /// not deleted yet.
    caught_by_stale_rows: u32,
}

impl World {
    fn forget(&mut self, eng: &mut Engine<Timer>, key: MsgId) {
        if self.table.remove(&key).is_some() {
            self.forgotten_at.insert(key, eng.now);
            eng.emit(Ev::DedupExpire {
                node: CONSUMER,
                key,
            });
        }
    }
}

impl Actors for World {
    type Timer = Timer;

    fn on_deliver(&mut self, eng: &mut Engine<Timer>, d: Delivery) {
        let Some(pay) = carried(&self.workload, &d, CONSUMER) else {
            return;
        };
        if self.mode != Mode::NoDedup {
            let valid_until = self.table.get(&pay.msg).copied();
            // A cache never returns an expired key (Redis expires it on access too).
            if self.store == Store::TtlCache
                && valid_until.is_some_and(|e| e.is_some_and(|t| eng.now > t))
            {
                self.forget(eng, pay.msg);
            }
            if let Some(e) = self.table.get(&pay.msg).copied() {
                if e.is_some_and(|t| eng.now > t) {
                    self.caught_by_stale_rows += 1;
                }
                eng.emit(Ev::Skip {
                    node: CONSUMER,
                    msg: pay.msg,
                    why: SkipWhy::SeenId,
                });
                return;
            }
            let expires = (self.mode == Mode::Ttl).then_some(eng.now + self.ttl);
            self.table.insert(pay.msg, expires);
            match (self.mode, self.store, expires) {
                (Mode::Ttl, Store::SqlTable, Some(t)) => eng.emit(Ev::DedupRow {
                    node: CONSUMER,
                    key: pay.msg,
                    stale_after: t,
                }),
                (Mode::Ttl, Store::TtlCache, Some(_)) => {
                    eng.emit(Ev::DedupPut {
                        node: CONSUMER,
                        key: pay.msg,
                        expires,
                        of: crate::sim::event::DedupKey::MessageId,
                    });
                    // Valid through tick `expires`; gone from the tick after.
                    eng.timer(self.ttl + 1, CONSUMER, Timer::Expire { msg: pay.msg });
                }
                _ => eng.emit(Ev::DedupPut {
                    node: CONSUMER,
                    key: pay.msg,
                    expires: None,
                    of: crate::sim::event::DedupKey::MessageId,
                }),
            }
        }
        if self.applied_at.contains_key(&pay.msg) && self.mode == Mode::Ttl {
            self.late.push(Late {
                msg: pay.msg,
                event: eng.trace.len(),
                tick: eng.now,
                forgotten: self.forgotten_at.get(&pay.msg).copied().unwrap_or(0),
            });
        }
        self.applied_at.entry(pay.msg).or_insert(eng.now);
        self.ledger.write(eng, CONSUMER, pay.entry());
    }

    fn on_timer(&mut self, eng: &mut Engine<Timer>, _node: NodeId, timer: Timer) {
        match timer {
            Timer::Send { msg } => {
                eng.send(
                    BROKER,
                    CONSUMER,
                    HOP,
                    Payload::new(MsgKind::Record, msg, 0),
                    BASE,
                );
            }
            Timer::Expire { msg }
                if self
                    .table
                    .get(&msg)
                    .is_some_and(|e| e.is_some_and(|t| eng.now > t)) =>
            {
                self.forget(eng, msg);
            }
            Timer::Cleanup => {
                // DELETE FROM processed WHERE processed_at + ttl < now
                let now = eng.now;
                let gone: Vec<MsgId> = self
                    .table
                    .iter()
                    .filter(|(_, e)| e.is_some_and(|t| t < now))
                    .map(|(k, _)| *k)
                    .collect();
                for k in gone {
                    self.forget(eng, k);
                }
                if now + self.cleanup_every <= self.cleanup_until {
                    eng.timer(self.cleanup_every, CONSUMER, Timer::Cleanup);
                }
            }
            Timer::Expire { .. } => {}
        }
    }
}

pub static SCENARIO: Module = Module {
    info: &INFO,
    build,
    techniques: &TECHNIQUES,
};

fn build(cfg: &RunConfig, params: &Params) -> RunResult {
    let messages = params.get("messages") as usize;
    let rate = params.ticks("rate_per_10_ticks").max(1);
    let dup_delay_max = params.ticks("dup_delay_max_ticks").max(1);
    let ttl = params.ticks("ttl_ticks");
    let cleanup_every = params.ticks("cleanup_every_ticks").max(1);
    let store = if params.get("store") == 1 {
        Store::TtlCache
    } else {
        Store::SqlTable
    };
    let workload = payments(cfg.seed, messages as u32, 3);
    let last_send = send_tick(messages.saturating_sub(1), rate);
    // Long enough for the latest copy to land and for every TTL row to be cleaned.
    let cleanup_until = last_send + BASE + dup_delay_max + ttl + cleanup_every + 1;
    let end = cleanup_until + 1;
    run_each(&INFO, cfg, params, workload, &TECHNIQUES, |t, workload| {
        let mode = t.mode;
        let faults = copying_hop(cfg, params, HOP, dup_delay_max);
        let mut eng = Engine::start(NODES.len(), end, faults);
        for (i, w) in workload.iter().enumerate() {
            eng.timer_at(send_tick(i, rate), BROKER, Timer::Send { msg: w.msg });
        }
        if mode == Mode::Ttl && store == Store::SqlTable {
            eng.timer_at(cleanup_every, CONSUMER, Timer::Cleanup);
        }
        let mut world = World {
            mode,
            store,
            workload: workload.iter().map(|p| (p.msg, *p)).collect(),
            ledger: Ledger::default(),
            ttl,
            cleanup_every,
            cleanup_until,
            table: BTreeMap::new(),
            applied_at: BTreeMap::new(),
            forgotten_at: BTreeMap::new(),
            late: Vec::new(),
            caught_by_stale_rows: 0,
        };
        eng.run(&mut world);
        let checks = checks(mode, &world, &eng, ttl, rate);
        let mut run =
            t.finish(Done::new(infos(&NODES), eng, world.ledger, workload).checks(checks));
        if mode == Mode::Ttl {
            run.label = match store {
                Store::SqlTable => "Dedup table with TTL — SQL table + cleanup",
                Store::TtlCache => "Dedup table with TTL — cache (Redis-style)",
            }
            .to_string();
        }
        run
    })
}

/// "late duplicate" (TTL table) and "table size" (both tables).
fn checks(mode: Mode, w: &World, eng: &Engine<Timer>, ttl: Tick, rate_per_10: u32) -> Vec<Check> {
    let cleanup_every = w.cleanup_every;
    let mut out = Vec::new();
    if mode == Mode::Ttl {
        let detail = match w.late.first() {
            None => {
                let caught = match (w.store, w.caught_by_stale_rows) {
                    (Store::SqlTable, 0) | (Store::TtlCache, _) => String::new(),
                    (Store::SqlTable, 1) => "; 1 copy was stopped by a row already past its TTL that the cleanup had not deleted yet".to_string(),
                    (Store::SqlTable, n) => format!("; {n} copies were stopped by rows already past their TTL that the cleanup had not deleted yet"),
                };
                format!("no copy outlived its id (TTL {ttl} ticks){caught}")
            }
            Some(l) => {
                let first = w.applied_at.get(&l.msg).copied().unwrap_or(0);
                let more = match w.late.len() {
                    1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                };
                let gone = match w.store {
                    Store::SqlTable => format!(
                        "the cleanup had deleted its id at tick {} (rows older than the {ttl}-tick TTL go at the next cleanup)",
                        l.forgotten
                    ),
                    Store::TtlCache => format!(
                        "its id had expired from the cache at tick {} (TTL {ttl} ticks)",
                        l.forgotten
                    ),
                };
                format!(
                    "a copy of {} arrived {} ticks after the original, but {gone}, so it was applied again{more}",
                    txn_name(l.msg),
                    l.tick - first
                )
            }
        };
        out.push(Check {
            name: "late duplicate".to_string(),
            ok: w.late.is_empty(),
            detail,
            event: w.late.first().map(|l| l.event),
        });
    }
    if mode != Mode::NoDedup {
        let sizes = super::plumbing::dedup_sizes(&eng.trace);
        let peak = sizes.iter().map(|s| s.1).max().unwrap_or(0);
        let again = match w.late.len() {
            0 => String::new(),
            n => format!(", plus {n} re-recorded for copies applied again"),
        };
        let detail = match (mode, w.store) {
            (Mode::Ttl, Store::SqlTable) => format!(
                "peak {peak} ids ≈ (TTL {ttl} + up to {cleanup_every} ticks until cleanup) × {rate_per_10} per 10 ticks = {}{again}",
                ((ttl as u64 + cleanup_every as u64) * rate_per_10 as u64).div_ceil(10)
            ),
            (Mode::Ttl, Store::TtlCache) => format!(
                "peak {peak} ids ≈ TTL {ttl} ticks × {rate_per_10} per 10 ticks = {}{again}",
                (ttl as u64 * rate_per_10 as u64).div_ceil(10)
            ),
            _ => format!("peak {peak} ids: one per message ever processed, never freed"),
        };
        out.push(Check {
            name: "table size".to_string(),
            ok: true,
            detail,
            event: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::INFO;
    use crate::sim::event::Ev;
    use crate::sim::scenarios::testkit::{assert_holds, first_violating_seed, run_with};
    use crate::sim::RunResult;

    const ID: &str = "dedup-window";

    fn peak(r: &RunResult, t: &str) -> u32 {
        let tr = r.technique(t).unwrap();
        tr.dedup_sizes.iter().map(|s| s.1).max().unwrap_or(0)
    }

    #[test]
    fn showcase_late_duplicate_after_expiry() {
        let (r, truth) = showcase_truth(&INFO, &[(0, 13600), (1, 4400), (2, 4000)]);
        // No table: all six copies land.
        let nd = verdict(&r, "no-dedup");
        assert_eq!(nd.applied_twice, vec![3, 9, 11, 16, 17, 18]);
        assert_eq!(
            balances(&r, "no-dedup"),
            vec![(0, 20000), (1, 4400), (2, 6000)]
        );
        // TTL table: five copies skipped, txn-9's 50-tick-late copy applied again.
        let ttl = r.technique("dedup-ttl").unwrap();
        assert!(!ttl.verdict.holds && !ttl.verdict.exactly_once);
        assert_eq!(ttl.verdict.applied_twice, vec![9]);
        assert_eq!(
            balances(&r, "dedup-ttl"),
            vec![(0, 13600), (1, 4400), (2, 6000)]
        );
        assert_eq!(ttl.verdict.summary(), "m-C over by ₹2000 — applied txn-9 twice; a copy of txn-9 arrived 50 ticks after the original, but the cleanup had deleted its id at tick 70 (rows older than the 20-tick TTL go at the next cleanup), so it was applied again");
        assert_eq!(count(&r, "dedup-ttl", |e| matches!(e, Ev::Skip { .. })), 5);
        let c = &ttl.verdict.checks[0];
        assert_eq!(c.name, "late duplicate");
        let i = c.event.unwrap();
        assert!(matches!(ttl.trace[i].ev, Ev::Apply { entry, .. } if entry.msg == 9));
        assert_eq!(ttl.verdict.first_violation, Some(i));
        let expired = ttl
            .trace
            .iter()
            .position(|e| matches!(e.ev, Ev::DedupExpire { key: 9, .. }))
            .unwrap();
        assert!(expired < i);
        // Forever: exact, but the table never shrinks.
        let fv = r.technique("dedup-forever").unwrap();
        assert!(fv.verdict.holds && fv.verdict.exactly_once);
        assert_eq!(balances(&r, "dedup-forever"), truth);
        assert_eq!(peak(&r, "dedup-forever"), 20);
        assert_eq!(fv.dedup_sizes.last().unwrap().1, 20);
        assert_eq!(peak(&r, "dedup-ttl"), 7);
        assert_eq!(ttl.dedup_sizes.last().unwrap().1, 0);
        assert!(r.end() < 200);
    }

    #[test]
    fn ttl_at_least_the_longest_delay_holds() {
        for (ttl, cleanup) in [(60, 10), (60, 1), (61, 37)] {
            assert_holds(
                ID,
                &[("ttl_ticks", ttl), ("cleanup_every_ticks", cleanup)],
                &["dedup-ttl", "dedup-forever"],
                10_000,
            );
        }
        assert_holds(
            ID,
            &[("ttl_ticks", 60), ("store", 1)],
            &["dedup-ttl", "dedup-forever"],
            10_000,
        );
    }

    #[test]
    fn ttl_shorter_than_the_longest_delay_breaks() {
        assert_eq!(first_violating_seed(ID, &[], "dedup-ttl", 1000), Some(0));
        assert_eq!(first_violating_seed(ID, &[], "no-dedup", 1000), Some(0));
        // Just under the longest delay, with an eager cleanup: rarer, still found.
        let near = [("ttl_ticks", 55), ("cleanup_every_ticks", 1)];
        let seed = first_violating_seed(ID, &near, "dedup-ttl", 1000);
        assert_eq!(seed, Some(1));
        let r = run_with(ID, seed.unwrap(), &near);
        assert!(!verdict(&r, "dedup-ttl").checks[0].ok);
    }

    #[test]
    fn table_size_grows_with_window_times_rate() {
        let busy = |ttl: i64| {
            run_with(
                ID,
                1,
                &[
                    ("messages", 300),
                    ("rate_per_10_ticks", 20),
                    ("ttl_ticks", ttl),
                    ("dup", 0),
                ],
            )
        };
        // (TTL + cleanup period) × 2 per tick: 70 × 2 = 140, 130 × 2 = 260.
        let r = busy(60);
        assert_eq!(peak(&r, "dedup-ttl"), 140);
        assert_eq!(peak(&r, "dedup-forever"), 300);
        assert_eq!(
            verdict(&r, "dedup-ttl").checks[1].detail,
            "peak 140 ids ≈ (TTL 60 + up to 10 ticks until cleanup) × 20 per 10 ticks = 140"
        );
        assert_eq!(peak(&busy(120), "dedup-ttl"), 260);
    }

    /// The verdict names the tick the id was really forgotten (a later
    /// deletion of the re-recorded id must not overwrite it) — the trace's first
    /// "forgets" event for that id.
    #[test]
    fn verdict_deletion_tick_is_the_first_forget_of_that_id() {
        let mut checked = 0;
        for store in [0, 1] {
            for seed in 0..300 {
                let r = run_with(ID, seed, &[("store", store)]);
                let t = r.technique("dedup-ttl").unwrap();
                let c = &t.verdict.checks[0];
                if c.ok {
                    continue;
                }
                let i = c.event.unwrap();
                let Ev::Apply { entry, .. } = t.trace[i].ev else {
                    panic!("seed {seed}: the late-duplicate event is not an apply");
                };
                let first_forget = t
                    .trace
                    .iter()
                    .find(|e| matches!(e.ev, Ev::DedupExpire { key, .. } if key == entry.msg))
                    .unwrap()
                    .tick;
                let words = format!("at tick {first_forget} ");
                assert!(
                    c.detail.contains(&words),
                    "store {store} seed {seed}: {:?} should name tick {first_forget}",
                    c.detail
                );
                checked += 1;
            }
        }
        assert!(checked > 100, "{checked}");
        let r = showcase(&INFO);
        let t = r.technique("dedup-ttl").unwrap();
        let forgets: Vec<u32> = t
            .trace
            .iter()
            .filter(|e| matches!(e.ev, Ev::DedupExpire { key: 9, .. }))
            .map(|e| e.tick)
            .collect();
        assert_eq!(forgets, vec![70, 120]);
        assert!(t.verdict.checks[0]
            .detail
            .contains("deleted its id at tick 70"));
    }

    /// A lookup never finds an id the trace (and the text) says is
    /// gone, and the cache never returns a key past its TTL; the SQL table does find
    /// rows past their TTL until the cleanup runs, and says so.
    #[test]
    fn a_lookup_never_finds_a_forgotten_id() {
        use std::collections::BTreeMap;
        let mut stale_hits = 0;
        for store in [0, 1] {
            for seed in 0..300 {
                let r = run_with(ID, seed, &[("store", store)]);
                for t in &r.techniques {
                    // id → Some(valid through) / None (kept); absent: gone.
                    let mut table: BTreeMap<u32, Option<u32>> = BTreeMap::new();
                    for e in &t.trace {
                        match e.ev {
                            Ev::DedupPut { key, expires, .. } => {
                                table.insert(key, expires);
                            }
                            Ev::DedupRow {
                                key, stale_after, ..
                            } => {
                                table.insert(key, Some(stale_after));
                            }
                            Ev::DedupExpire { key, .. } => {
                                assert!(table.remove(&key).is_some(), "forgot {key} twice");
                            }
                            Ev::Skip { msg, .. } => {
                                let Some(valid) = table.get(&msg) else {
                                    panic!(
                                        "store {store} seed {seed} {}: skipped txn-{msg} at tick {} after forgetting it",
                                        t.id, e.tick
                                    );
                                };
                                if valid.is_some_and(|v| e.tick > v) {
                                    assert_eq!(store, 0, "the cache returned an expired key");
                                    stale_hits += 1;
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        assert!(stale_hits > 0);
        // The showcase: three copies were caught by rows past their TTL, and it says so.
        let r = run_with(ID, INFO.showcase_seed, &[("ttl_ticks", 60)]);
        let c = &verdict(&r, "dedup-ttl").checks[0];
        assert!(c.ok);
        let r = showcase(&INFO);
        let t = r.technique("dedup-ttl").unwrap();
        assert!(t.label.contains("SQL table"));
        let dr = t
            .trace
            .iter()
            .find(|e| matches!(e.ev, Ev::DedupRow { key: 16, .. }))
            .unwrap();
        assert!(matches!(
            dr.ev,
            Ev::DedupRow {
                stale_after: 98,
                ..
            }
        ));
    }

    #[test]
    fn the_cache_lets_the_copies_the_cleanup_lag_caught_through() {
        let sql = run_with(ID, INFO.showcase_seed, &[]);
        let cache = run_with(ID, INFO.showcase_seed, &[("store", 1)]);
        let twice = |r: &RunResult| verdict(r, "dedup-ttl").applied_twice.clone();
        assert_eq!(twice(&sql), vec![9]);
        assert_eq!(twice(&cache), vec![9, 11, 16, 17, 18]);
        assert_eq!(details(&cache, "dedup-ttl"), [
            "a copy of txn-11 arrived 25 ticks after the original, but its id had expired from the cache at tick 74 (TTL 20 ticks), so it was applied again (and 4 more)",
            "peak 7 ids ≈ TTL 20 ticks × 2 per 10 ticks = 4, plus 5 re-recorded for copies applied again",
        ]);
    }
}
