//! What the learner reads about this scenario (explanation, parameters, try-this
//! prompts) lives in `text.json` beside this file; build.rs turns it into `INFO`.

use super::{
    AUDIT_DEDUP_AT_QUERY, SEED_ACKS, SEED_AUDIT_CARD, SEED_COPYING, SEED_GIVE_UP, SEED_IMPATIENT,
    SEED_TCP_CARD,
};

include!(concat!(
    env!("OUT_DIR"),
    "/scenario_texts/delivery_semantics.rs"
));
