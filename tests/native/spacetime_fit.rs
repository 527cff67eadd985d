//! The space-time diagram's labels: for every scenario, technique and tick of its
//! showcase run (and half a tick later), at phone to desktop widths, every lost message
//! drawn has a label of its own, no two labels overlap, none leaves the frame, and no
//! label is written over a lost message's arrow (the walkthrough's
//! lost "ack txn-3" was unlabeled and "ack txn-2" was drawn on it).

use eop::sim::{all, run, RunConfig};
use eop::ui::components::spacetime::diagram;
use eop::ui::layout::{st_layout, st_scene, Rect, StScene};
use std::collections::BTreeMap;

const WIDTHS: [f64; 5] = [282.0, 337.0, 550.0, 700.0, 780.0];

fn overlap(texts: &[(String, Rect)]) -> Option<String> {
    for (i, a) in texts.iter().enumerate() {
        for b in &texts[i + 1..] {
            if a.1.hits(&b.1) {
                return Some(format!("{:?} {:?} × {:?} {:?}", a.0, a.1, b.0, b.1));
            }
        }
    }
    None
}

/// Labels other than a lost arrow's own that sit on a lost arrow's line.
fn on_lost_line(sc: &StScene, arrows: &[eop::ui::layout::StArrowIn], x0: f64) -> Option<String> {
    for (k, d, own) in &sc.arrows {
        if !arrows[*k].lost {
            continue;
        }
        for i in 0..=20 {
            let p = d.from.lerp(d.to, f64::from(i) / 20.0);
            // Left of the time axis the arrow runs under the lane names (scrolled out).
            if p.x < x0 {
                continue;
            }
            let dot = Rect::around(p, 2.0, 2.0);
            for (text, r) in &sc.texts {
                if Some(*r) != *own && r.hits(&dot) {
                    return Some(format!("{text:?} on the lost {:?}", arrows[*k].text));
                }
            }
        }
    }
    None
}

fn problems(sc: &StScene, arrows: &[eop::ui::layout::StArrowIn], w: f64, x0: f64) -> Vec<String> {
    let mut out = Vec::new();
    for (k, _, label) in &sc.arrows {
        if arrows[*k].lost && label.is_none() {
            out.push(format!("lost {:?} has no label", arrows[*k].text));
        }
    }
    // Lane names are fixed text of their own; what is placed must not overlap anything.
    if let Some(o) = overlap(&sc.texts) {
        out.push(o);
    }
    if let Some((t, r)) = sc.texts.iter().find(|(_, r)| !r.within(w, sc.h)) {
        out.push(format!("{t:?} {r:?} leaves the frame"));
    }
    if let Some(o) = on_lost_line(sc, arrows, x0) {
        out.push(o);
    }
    out
}

#[test]
fn every_lost_message_is_labelled_and_no_label_overlaps() {
    let mut failures: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut frames = 0usize;
    for s in all() {
        let info = s.info();
        let r = run(info.id, &RunConfig::seed(info.showcase_seed)).unwrap();
        for t in &r.techniques {
            let d = diagram::of(t, info.unit);
            let (arrows, marks) = diagram::inputs(&d);
            let end = r.end();
            for &w in &WIDTHS {
                let lay = st_layout(w, &d.lanes);
                for tick in 0..=end.min(400) {
                    for now in [f64::from(tick), f64::from(tick) + 0.5] {
                        let sc = st_scene(&lay, &arrows, &marks, now, end);
                        frames += 1;
                        for p in problems(&sc, &arrows, lay.w, lay.x0) {
                            let key = format!("{} / {} at {w}", info.id, t.id);
                            failures
                                .entry(key)
                                .or_insert((0, format!("t={now}: {p}")))
                                .0 += 1;
                        }
                    }
                }
            }
        }
    }
    let report: Vec<String> = failures
        .iter()
        .map(|(k, (n, first))| format!("{k}: {n} frames, first {first}"))
        .collect();
    assert!(report.is_empty(), "{}", report.join("\n"));
    assert!(frames > 5_000, "only {frames} frames");
}

/// The walkthrough at tick 11, as in the issue: both acks labelled, apart.
#[test]
fn the_walkthroughs_lost_ack_is_labelled_at_tick_11() {
    let r = run("walkthrough", &RunConfig::seed(1)).unwrap();
    let info = eop::sim::scenarios::info("walkthrough");
    for t in &r.techniques {
        let d = diagram::of(t, info.unit);
        let (arrows, marks) = diagram::inputs(&d);
        for w in WIDTHS {
            let lay = st_layout(w, &d.lanes);
            let sc = st_scene(&lay, &arrows, &marks, 11.0, r.end());
            let label = |text: &str| {
                sc.arrows
                    .iter()
                    .find(|(k, _, _)| arrows[*k].text == text)
                    .and_then(|(_, _, l)| *l)
            };
            let lost = label("ack txn-3").expect("the lost ack is labelled");
            if let Some(other) = label("ack txn-2") {
                assert!(!lost.hits(&other), "{w}: {lost:?} × {other:?}");
            }
            let on = on_lost_line(&sc, &arrows, lay.x0);
            assert!(on.is_none(), "{w}: {on:?}");
        }
    }
}
