//! What the learner reads about this scenario (explanation, parameters, try-this
//! prompts) lives in `text.json` beside this file; build.rs turns it into `INFO`.

use super::{BOTH_ATTACK, BOTH_HOME, SEED_CARD, SEED_DANGEROUS, SEED_EIGHT_ROUNDS, SPLIT};

include!(concat!(env!("OUT_DIR"), "/scenario_texts/two_generals.rs"));
