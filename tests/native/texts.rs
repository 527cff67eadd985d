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

/// Placeholders (`{ $name }`, Fluent's syntax) are filled at build time from structured
/// values: a parameter as the prompt sets it (or its default), `-gap` of a ‰ value, and
/// the counts a prompt's `expect` checks. An unknown name stops the build, named.
#[test]
fn placeholders_are_filled_from_settings_and_checked_counts() {
    let vars = vec![("loss".to_string(), "1%".to_string())];
    assert_eq!(
        generator::fill("at { $loss } loss", "x", &vars).unwrap(),
        "at 1% loss"
    );
    let e = generator::fill("at { $los } loss", "try_this[2].watch", &vars).unwrap_err();
    assert!(e.contains("try_this[2].watch") && e.contains("$los"), "{e}");
    assert!(generator::fill("{ loss }", "x", &vars).is_err());
    assert!(generator::fill("a } b", "x", &vars).is_err());

    // The walkthrough's "Duplicate everything" names the count its expect checks.
    let (_, code) = generator::scenario(&walkthrough()).unwrap();
    assert!(
        code.contains("the naive handler applies all 4 payments twice"),
        "{code}"
    );
    // Changing the checked count changes the sentence: the number lives in one place.
    let mut v = walkthrough();
    v["try_this"][1]["expect"][0]["doubled"] = json!(3);
    let (_, code) = generator::scenario(&v).unwrap();
    assert!(code.contains("applies all 3 payments twice"), "{code}");
    // An unknown placeholder is a build error naming the field.
    let e = error_of(|v| v["try_this"][0]["watch"] = json!("{ $nope } payments"));
    assert!(
        e.contains("try_this[0].watch") && e.contains("$nope"),
        "{e}"
    );
    // A ‰ setting renders as a percentage, and its gap as what is left to 100%.
    let tele = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/sim/scenarios/telemetry/text.json"),
    )
    .unwrap();
    let (_, code) = generator::scenario(&serde_json::from_str(&tele).unwrap()).unwrap();
    assert!(
        code.contains("within 5% of the truth"),
        "overload prompt sets 950‰"
    );
    assert!(
        code.contains("98% means within 2%"),
        "the default in the help"
    );
}
