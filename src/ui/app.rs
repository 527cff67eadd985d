use yew::prelude::*;

#[component]
pub fn App() -> Html {
    html! {
        <div class="app" id="app-root">
            <header class="app-header"><h1>{"Exactly-Once Playground"}</h1></header>
            <nav class="scenario-nav" aria-label="Scenarios"></nav>
            <main class="stage" aria-label="Stage"></main>
            <section class="ledgers" aria-label="Ledgers"></section>
        </div>
    }
}
