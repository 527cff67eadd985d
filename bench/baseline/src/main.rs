//! The bench baseline: one function component rendering a list of 20 items.
use yew::prelude::*;

#[function_component]
fn App() -> Html {
    html! {
        <main id="app-root">
            <h1>{ "Yew baseline" }</h1>
            <ul class="items">
                { for (1..=20).map(|i| html! { <li data-item={i.to_string()}>{ format!("Item {i}") }</li> }) }
            </ul>
        </main>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
