//! Dismissible notices (link warnings, refused settings, faults that changed nothing).

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
                    NoticeKind::Warning => ("notice warn", "Note"),
                    NoticeKind::Info => ("notice info", "Info"),
                };
                html! {
                    <div class={cls} key={id}>
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
