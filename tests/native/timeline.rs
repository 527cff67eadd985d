use eop::sim::replay::{cursor_for_tick, Timeline, View};
use eop::sim::{run, RunConfig};

#[test]
fn view_at_any_cursor_equals_a_full_fold() {
    for id in eop::sim::scenarios::ids() {
        let r = run(id, &RunConfig::seed(3)).unwrap();
        for t in &r.techniques {
            let tl = Timeline::new(&t.trace, 16);
            let step = (t.trace.len() / 60).max(1);
            for c in (0..=t.trace.len()).step_by(step) {
                assert_eq!(
                    tl.view_at(&t.trace, c),
                    View::of(&t.trace[..c]),
                    "{id}/{} cursor {c}",
                    t.id
                );
            }
        }
    }
}

#[test]
fn stepping_forward_then_back_restores_the_view() {
    let r = run("walkthrough", &RunConfig::seed(1)).unwrap();
    let t = r.technique("naive").unwrap();
    let tl = Timeline::new(&t.trace, 4);
    let at = |tick| tl.view_at(&t.trace, cursor_for_tick(&t.trace, tick));
    let before = at(5);
    let _later = at(9);
    assert_eq!(at(5), before);
    // The view at the end carries the reference balances.
    let end = at(t.end);
    assert_eq!(end.balances.get(&1), Some(&4000));
    assert_eq!(end.counters.applied_twice, 1);
}
