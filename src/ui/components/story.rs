//! "What just happened": the last few events of the technique on the stage, in
//! plain words (the simulator's own narration), the current tick's highlighted.

use crate::sim::ids::Tick;
use crate::sim::narrate::sentence;
use crate::sim::replay::cursor_for_tick;
use crate::ui::state::RunData;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StoryProps {
    pub run: Rc<RunData>,
    pub index: usize,
    pub tick: Tick,
    pub playing: bool,
}

const LINES: usize = 3;

#[component]
pub fn Story(props: &StoryProps) -> Html {
    let lines = {
        let run = props.run.clone();
        let (i, tick) = (props.index, props.tick);
        use_memo((run.gen, i, tick), move |_| {
            let (Some(tr), Some(tl)) = (run.techniques().get(i), run.timelines.get(i)) else {
                return Vec::new();
            };
            let end = cursor_for_tick(&tr.trace, tick);
            let start = end.saturating_sub(LINES);
            let mut view = tl.view_at(&tr.trace, start);
            let mut out = Vec::new();
            for (k, e) in tr.trace[start..end].iter().enumerate() {
                let text = sentence(e, &tr.nodes, &view, run.unit());
                out.push((start + k, e.tick, text));
                view.apply(e);
            }
            out
        })
    };
    let tick = props.tick;
    html! {
        <div class="story" aria-label="What just happened">
            <h2 class="story-title">{"What just happened"}</h2>
            if lines.is_empty() {
                <p class="muted story-empty">{"Nothing yet — press play or step forward."}</p>
            } else {
                <ol class="story-lines">
                    { for lines.iter().map(|(k, t, text)| html! {
                        <li key={*k} class={classes!((*t == tick).then_some("now"))}>
                            <span class="story-tick">{format!("t{t}")}</span>
                            <span class="story-text">{text.clone()}</span>
                        </li>
                    }) }
                </ol>
            }
        </div>
    }
}
