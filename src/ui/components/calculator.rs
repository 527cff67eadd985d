//! Dedup-window sizing calculator (§5): editable rows of late-duplicate sources with
//! their worst-case delays, a safety factor, and the resulting window and table size
//! at a message rate. The arithmetic is `sim::sizing::compute`; this is only its form.

use crate::sim::sizing::{
    compute, format_bytes, format_factor, format_window, group_digits, presets, Sizing, Source,
};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

const UNITS: &[(u64, &str)] = &[(1, "s"), (60, "min"), (3600, "h"), (86_400, "d")];

#[derive(Clone, Debug, PartialEq)]
struct Row {
    name: String,
    amount: u64,
    unit: u64,
}

#[derive(Clone, Debug, PartialEq)]
struct Form {
    rows: Vec<Row>,
    factor_x10: u32,
    rate: u64,
    bytes: u64,
    stacking: bool,
}

impl Form {
    fn from_sizing(s: &Sizing) -> Form {
        Form {
            rows: s
                .sources
                .iter()
                .map(|r| {
                    let unit = UNITS
                        .iter()
                        .rev()
                        .map(|(u, _)| *u)
                        .find(|u| r.worst_delay_secs % u == 0 && r.worst_delay_secs > 0)
                        .unwrap_or(1);
                    Row {
                        name: r.name.clone(),
                        amount: r.worst_delay_secs / unit,
                        unit,
                    }
                })
                .collect(),
            factor_x10: s.safety_factor_x10,
            rate: s.rate_per_sec,
            bytes: s.bytes_per_entry,
            stacking: s.stacking,
        }
    }

    fn sizing(&self) -> Sizing {
        Sizing {
            sources: self
                .rows
                .iter()
                .map(|r| Source::new(&r.name, r.amount.saturating_mul(r.unit)))
                .collect(),
            safety_factor_x10: self.factor_x10,
            rate_per_sec: self.rate,
            bytes_per_entry: self.bytes,
            stacking: self.stacking,
        }
    }
}

fn num(e: &Event) -> u64 {
    e.target_unchecked_into::<HtmlInputElement>()
        .value()
        .trim()
        .parse::<u64>()
        .unwrap_or(0)
}

#[component]
pub fn Calculator() -> Html {
    let form = use_state(|| Form::from_sizing(&presets()[0].sizing));
    let preset = use_state(|| 0usize);
    let set = {
        let form = form.clone();
        move |change: Box<dyn Fn(&mut Form)>| {
            let mut next = (*form).clone();
            change(&mut next);
            form.set(next);
        }
    };
    let sizing = form.sizing();
    let result = compute(&sizing);

    let on_preset = {
        let form = form.clone();
        let preset = preset.clone();
        Callback::from(move |e: Event| {
            let i = e
                .target_unchecked_into::<HtmlSelectElement>()
                .value()
                .parse::<usize>()
                .unwrap_or(0);
            if let Some(p) = presets().get(i) {
                form.set(Form::from_sizing(&p.sizing));
                preset.set(i);
            }
        })
    };

    let rows = form.rows.iter().enumerate().map(|(i, r)| {
        let longest = result.as_ref().is_ok_and(|res| res.longest == i);
        let on_name = {
            let set = set.clone();
            Callback::from(move |e: Event| {
                let v = e.target_unchecked_into::<HtmlInputElement>().value();
                set(Box::new(move |f: &mut Form| f.rows[i].name = v.clone()));
            })
        };
        let on_amount = {
            let set = set.clone();
            Callback::from(move |e: Event| {
                let v = num(&e);
                set(Box::new(move |f: &mut Form| f.rows[i].amount = v));
            })
        };
        let on_unit = {
            let set = set.clone();
            Callback::from(move |e: Event| {
                let v = e
                    .target_unchecked_into::<HtmlSelectElement>()
                    .value()
                    .parse::<u64>()
                    .unwrap_or(1);
                set(Box::new(move |f: &mut Form| f.rows[i].unit = v));
            })
        };
        let on_remove = {
            let set = set.clone();
            Callback::from(move |_: MouseEvent| {
                set(Box::new(move |f: &mut Form| {
                    if i < f.rows.len() {
                        f.rows.remove(i);
                    }
                }))
            })
        };
        html! {
            <tr class={classes!(longest.then_some("longest"))}>
                <td><input type="text" class="calc-name" aria-label={format!("Source {} name", i + 1)} value={r.name.clone()} onchange={on_name} /></td>
                <td class="calc-delay">
                    <input type="number" min="0" aria-label={format!("Source {} worst delay", i + 1)} value={r.amount.to_string()} onchange={on_amount} />
                    <select aria-label={format!("Source {} delay unit", i + 1)} onchange={on_unit}>
                        { for UNITS.iter().map(|(u, n)| html! { <option value={u.to_string()} selected={*u == r.unit}>{*n}</option> }) }
                    </select>
                </td>
                <td class="calc-mark">{if longest { "◀ longest" } else { "" }}</td>
                <td><button class="link-btn" aria-label={format!("Remove source {}", i + 1)} onclick={on_remove}>{"✕"}</button></td>
            </tr>
        }
    });
    let on_add = {
        let set = set.clone();
        Callback::from(move |_: MouseEvent| {
            set(Box::new(|f: &mut Form| {
                f.rows.push(Row {
                    name: "operator replays a window by hand".into(),
                    amount: 1,
                    unit: 3600,
                })
            }))
        })
    };
    let on_factor = {
        let set = set.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<HtmlInputElement>()
                .value()
                .trim()
                .parse::<f64>()
                .unwrap_or(0.0);
            let x10 = (v * 10.0).round().clamp(0.0, 1000.0) as u32;
            set(Box::new(move |f: &mut Form| f.factor_x10 = x10));
        })
    };
    let on_rate = {
        let set = set.clone();
        Callback::from(move |e: Event| {
            let v = num(&e);
            set(Box::new(move |f: &mut Form| f.rate = v));
        })
    };
    let on_bytes = {
        let set = set.clone();
        Callback::from(move |e: Event| {
            let v = num(&e);
            set(Box::new(move |f: &mut Form| f.bytes = v));
        })
    };

    let on_stacking = {
        let set = set.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().checked();
            set(Box::new(move |f: &mut Form| f.stacking = v));
        })
    };
    let why = presets().get(*preset).map(|p| p.why).unwrap_or("");
    let outcome = match &result {
        Ok(r) => html! {
            <div class="calc-result" role="status">
                <p class="calc-window">{"Window: "}<strong>{format_window(r.window_secs)}</strong>
                    <span class="muted">{if r.stacking {
                        format!(" = sum of the tails {} {}", format_window(r.sum_secs), format_factor(form.factor_x10))
                    } else {
                        format!(" = longest tail {} {}", format_window(r.longest_secs), format_factor(form.factor_x10))
                    }}</span></p>
                <ul class="calc-rules">
                    { for r.both_rules(form.factor_x10).into_iter().enumerate().map(|(i, text)| {
                        let used = (i == 1) == r.stacking;
                        html! { <li class={classes!(used.then_some("used"))}>{text}{if used { " ◀ used" } else { "" }}</li> }
                    }) }
                </ul>
                <p>{"Table: "}<strong>{format!("{} ids", group_digits(r.entries))}</strong>{" ≈ "}<strong>{format_bytes(r.bytes)}</strong>
                    <span class="muted">{format!(" at {}/s", group_digits(form.rate))}</span></p>
                if r.average_secs < r.longest_secs {
                    <p class="calc-warn">{format!("Sizing by the average tail ({}) would let a late duplicate from “{}” through.",
                        format_window(r.average_secs), r.longest_name)}</p>
                }
            </div>
        },
        Err(e) => html! { <p class="calc-error" role="alert">{format!("✕ {e}")}</p> },
    };

    html! {
        <section class="calculator panel-box" aria-label="Dedup window calculator">
            <h2>{"Size your dedup window"}</h2>
            <p class="muted small">{"List every source of late duplicates with its worst delay. If the delays can stack, the window is their sum × a safety factor; if they exclude each other, the longest one × the factor. The table holds window × rate ids."}</p>
            <label class="field">
                <span class="field-label">{"Start from"}</span>
                <select onchange={on_preset} aria-label="Preset">
                    { for presets().iter().enumerate().map(|(i, p)| html! {
                        <option value={i.to_string()} selected={i == *preset}>{p.label}</option>
                    }) }
                </select>
            </label>
            <table class="calc-table">
                <thead><tr><th scope="col">{"Source of duplicates"}</th><th scope="col">{"Worst delay"}</th><th scope="col"><span class="sr-only">{"Longest?"}</span></th><th scope="col"><span class="sr-only">{"Remove"}</span></th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            <button class="btn small ghost" onclick={on_add}>{"+ Add a source"}</button>
            <p class="muted small calc-why">{why}</p>
            <label class="field calc-stack">
                <input type="checkbox" checked={form.stacking} onchange={on_stacking} />
                {" Delays can stack (e.g. a failover during a replay): size by their sum"}
            </label>
            <div class="calc-knobs">
                <label class="field"><span class="field-label">{"Safety ×"}</span>
                    <input type="number" min="1" step="0.1" value={format!("{}.{}", form.factor_x10 / 10, form.factor_x10 % 10)} onchange={on_factor} /></label>
                <label class="field"><span class="field-label">{"Rate /s"}</span>
                    <input type="number" min="1" value={form.rate.to_string()} onchange={on_rate} /></label>
                <label class="field"><span class="field-label">{"Bytes/id"}</span>
                    <input type="number" min="1" value={form.bytes.to_string()} onchange={on_bytes} /></label>
            </div>
            {outcome}
        </section>
    }
}
