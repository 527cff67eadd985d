//! What the learner reads about this scenario (explanation, parameters, try-this
//! prompts) lives in `text.json` beside this file; build.rs turns it into `INFO`.
use super::txn3_delivered_twice;

include!(concat!(env!("OUT_DIR"), "/scenario_texts/walkthrough.rs"));
