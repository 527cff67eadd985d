//! The scenario-text generator (`build.rs`): a mistake in a `text.json` stops the build
//! with the file's field named, and the shipped texts all pass.

#[allow(dead_code)]
#[path = "../../build.rs"]
mod generator;

use serde_json::{json, Value};

fn walkthrough() -> Value {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/sim/scenarios/walkthrough/text.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn error_of(change: impl FnOnce(&mut Value)) -> String {
    let mut v = walkthrough();
    change(&mut v);
    generator::scenario(&v).expect_err("the generator accepted a broken text")
}

#[test]
fn every_shipped_text_generates_and_keeps_its_id() {
    for s in eop::sim::all() {
        let id = s.info().id;
        let dir = id.replace('-', "_");
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("src/sim/scenarios/{dir}/text.json"));
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let (got, code) = generator::scenario(&v).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(got, id);
        assert!(
            code.contains(&format!("title: {:?}", s.info().title)),
            "{id}"
        );
    }
}

#[test]
fn a_broken_text_is_named_by_its_field() {
    type Change = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(Change, &str)> = vec![
        (
            Box::new(|v| v["try_this"][0]["expect"][0]["outcome"] = json!("exect")),
            "try_this[0].expect[0].outcome: unknown outcome \"exect\"",
        ),
        (
            Box::new(|v| v["params"][1]["default"] = json!(5000)),
            "params[1]",
        ),
        (
            Box::new(|v| v["try_this"][1]["set"] = json!([["no_such_param", 1]])),
            "no_such_param",
        ),
        (Box::new(|v| v["colour"] = json!("red")), "colour"),
        (Box::new(|v| v["unit"] = json!("euros")), "euros"),
        (
            Box::new(|v| v["try_this"][0]["expect"] = json!([])),
            "try_this[0].expect",
        ),
    ];
    for (change, needle) in cases {
        let e = error_of(change);
        assert!(e.contains(needle), "{e:?} does not name {needle:?}");
    }
}
