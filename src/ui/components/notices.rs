//! Dismissible notices (link warnings, refused settings, faults that changed nothing,
//! a link whose run is not the one its author saw: `[data-stale-link]`).

use crate::ui::state::{Action, Notice, NoticeKind};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NoticesProps {
    pub notices: Vec<Notice>,
    pub dispatch: Callback<Action>,
}

#[component]
pub fn Notices(props: &NoticesProps) -> Html {
    html! {
        <div class="notices" role="status" aria-live="polite">
            { for props.notices.iter().map(|n| {
                let id = n.id;
                let (cls, label) = match n.kind {
                    NoticeKind::Warning | NoticeKind::Stale => ("notice warn", "Note"),
                    NoticeKind::Info => ("notice info", "Info"),
                };
                let stale = (n.kind == NoticeKind::Stale).then_some(AttrValue::Static(""));
                html! {
                    <div class={cls} key={id} data-stale-link={stale}>
                        <span class="notice-label">{label}</span>
                        <span class="notice-text">{n.text.clone()}</span>
                        <button class="notice-close" aria-label="Dismiss" data-action="dismiss"
                            onclick={props.dispatch.reform(move |_| Action::Dismiss(id))}>{"×"}</button>
                    </div>
                }
            }) }
        </div>
    }
}
