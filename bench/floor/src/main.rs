//! The size floor (see Cargo.toml): calls every non-UI part the app ships, so that the
//! linker keeps exactly those, and shows the result with one Yew component.
use eop::course::{course, eval};
use eop::sim::sweep::{sweep, SweepConfig};
use eop::sim::{catalogue, narrate, replay::View, scenarios, RunConfig};

/// Runs everything once and returns a number that depends on all of it.
fn floor(seed: u64, import: &str) -> usize {
    let mut n = 0usize;
    for s in scenarios::all() {
        let info = s.info();
        let cfg = RunConfig {
            seed,
            params: vec![],
            manual: vec![],
            random_faults: true,
        };
        let Ok(r) = scenarios::run(info.id, &cfg) else {
            continue;
        };
        n += narrate::render_run(&r, info.unit, usize::MAX).len();
        for t in &r.techniques {
            let mut v = View::of(&[]);
            for e in &t.trace {
                n += narrate::sentence(e, &t.nodes, &v, info.unit).len();
                v.apply(e);
            }
        }
        n += serde_json::to_string(&r.config).map_or(0, |j| j.len());
        for faults in 0..=2 {
            let c = SweepConfig {
                scenario: info.id.into(),
                runs: 50,
                seed,
                params: vec![],
                faults,
            };
            n += sweep(c).map_or(0, |x| serde_json::to_string(&x).map_or(0, |j| j.len()));
        }
    }
    for o in catalogue::every() {
        n += o.kept_at(seed).map_or(1, |e| e.len());
    }
    let mut ev = eval::Evaluator::new();
    for l in course() {
        for i in 0..l.steps.len() {
            n += eval::step(&mut ev, l, i).is_ok() as usize;
        }
    }
    // What the app parses: a run file (as a JSON value) and a sweep worker's job.
    n += serde_json::from_str::<serde_json::Value>(import).map_or(0, |v| v.to_string().len());
    n += serde_json::from_str::<SweepConfig>(import).map_or(0, |c| c.runs as usize);
    n
}

/// One component that shows [`floor`]'s number: the non-UI part and the smallest Yew
/// app in one wasm, so std and serde are counted once.
#[yew::function_component]
fn Floor() -> yew::Html {
    // A seed the optimiser cannot know, so that nothing is folded away.
    let seed = (js_sys::Math::random() * 1000.0) as u64;
    yew::html! { <p>{ floor(seed, "{}") }</p> }
}

fn main() {
    yew::Renderer::<Floor>::new().render();
}
