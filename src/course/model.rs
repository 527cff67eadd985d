//! The lesson file format (serde types). A lesson names *quantities*, never numbers:
//! every answer, distractor, reveal tick and try condition is computed by running the
//! simulator (see `eval/`). `docs/lessons.md` documents the format for teachers.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The lesson file format this build writes and reads natively. Format 1 (no
/// `format` field) is migrated on load, see `validate::migrate`.
pub const FORMAT: u32 = 2;

/// One lesson: a scenario, a starting stage and 4–10 steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// The file format (`FORMAT`); a file without it is format 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<u32>,
    /// Stable id used in links (`?lesson=<id>`) and progress.
    pub id: String,
    pub title: String,
    /// The scenario every step runs (a recall question may name another).
    pub scenario: String,
    /// About how long the lesson takes.
    #[serde(default)]
    pub minutes: u32,
    /// The stage every step starts from (a step's own `setup` is laid over it).
    #[serde(default)]
    pub setup: Setup,
    pub steps: Vec<Step>,
    /// Named values filled into the lesson's texts as `{ $name }`, each a quantity
    /// computed at the lesson's setup (a step's own `values` at the step's setup).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, Quantity>,
    /// One line the learner should leave with (the lesson summary shows it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub takeaway: Option<String>,
}

/// Settings of a run: missing fields keep what the layer below says (the lesson's
/// setup, then the scenario's defaults and showcase seed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, i64>,
    /// Hand-made faults in the share-link notation (`L1.3.0`, `C2.10.5`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random_faults: Option<bool>,
    /// The technique shown on the stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technique: Option<String>,
}

impl Setup {
    /// `over` laid on top of `self`.
    /// A setup naming another scenario starts afresh (nothing of `self` carries over).
    pub fn overlay(&self, over: &Setup) -> Setup {
        if over.scenario.is_some() && over.scenario != self.scenario {
            return over.clone();
        }
        let mut params = self.params.clone();
        params.extend(over.params.iter().map(|(k, v)| (k.clone(), *v)));
        Setup {
            scenario: over.scenario.clone().or_else(|| self.scenario.clone()),
            seed: over.seed.or(self.seed),
            params,
            faults: over.faults.clone().or_else(|| self.faults.clone()),
            random_faults: over.random_faults.or(self.random_faults),
            technique: over.technique.clone().or_else(|| self.technique.clone()),
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    Read,
    Watch,
    Predict,
    Try,
    Recall,
    /// Right after a watch step: one quick question about what was just seen,
    /// graded from the trace up to the watch's stop tick (nothing is held back).
    Observe,
    /// Write a handler in the workbench's editor for a challenge (`challenge`), graded
    /// by the exhaustive check: it holds, or the smallest counterexample is shown.
    Build,
    /// "Can it ever happen?": a yes-or-no question about every schedule with at most k
    /// faults (`space`, a `course::practice::QUESTIONS` id), answered by the exhaustive
    /// check: yes, with the smallest counterexample replayed on the stage, or no, with the
    /// number of schedules checked. Comes after the recall (before a build step).
    #[serde(rename = "predict-space")]
    PredictSpace,
}

impl StepKind {
    pub fn name(self) -> &'static str {
        match self {
            StepKind::Read => "read",
            StepKind::Watch => "watch",
            StepKind::Predict => "predict",
            StepKind::Try => "try",
            StepKind::Recall => "recall",
            StepKind::Observe => "observe",
            StepKind::Build => "build",
            StepKind::PredictSpace => "predict-space",
        }
    }
}

/// One step. Which fields a kind needs is checked by `validate/mod.rs`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub kind: StepKind,
    pub title: String,
    /// Two to four sentences.
    pub text: String,
    #[serde(default)]
    pub setup: Setup,
    /// read: where the playhead rests (default: the start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<TickRef>,
    /// watch: the tick range played.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<TickRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<TickRef>,
    /// predict, observe: the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<Question>,
    /// predict: the tick whose events settle the question (default: computed from
    /// the quantities the question reads, see `eval::reveal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reveal: Option<TickRef>,
    /// predict: shown after any answer, with the reveal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<String>,
    /// try: what the learner must make happen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<Goal>,
    /// try: shown after two failed tries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// try: a setting that reaches the goal ("show me").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_me: Option<Setup>,
    /// try: said when the goal is reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<String>,
    /// recall: retrieval questions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<Question>,
    /// build: the workbench challenge the learner's handler must meet (its id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    /// Named values for this step's texts, computed at the step's setup.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, Quantity>,
    /// predict-space: the id of the "can it ever happen?" question
    /// (`course::practice::QUESTIONS`) about this lesson's scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space: Option<String>,
    /// predict: how practice varies the question (see `course::practice`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vary: Option<Vary>,
}

/// How a predict question varies in practice: a seed drawn from `seeds` (inclusive)
/// and each named parameter from its range (inclusive), laid over the step's setup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vary {
    pub seeds: [u64; 2],
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, [i64; 2]>,
    /// What the step's texts (text, prompt, feedback, explain) assert about the run,
    /// each read from the variant's run: a variant whose run does not meet them all is
    /// skipped (`premise-false`), so no text is asked over a run that contradicts it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub premise: Vec<Goal>,
}

/// A tick named by what happens there, never by its number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TickRef {
    /// `"start"` / `"end"`.
    #[serde(rename = "start")]
    Start,
    #[serde(rename = "end")]
    End,
    /// The tick of a technique's first violation (its first wrong ledger event).
    Violation(String),
    /// The tick just before it.
    BeforeViolation(String),
}

/// A question: multiple choice (`options`) or a number (`number: true`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub prompt: String,
    /// The quantity whose simulated value is the right answer.
    pub ask: Quantity,
    /// Computed under this setting laid over the step's (e.g. a recall question about
    /// another scenario names it here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup: Option<Setup>,
    /// Multiple choice: exactly one option's value equals the answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    /// A number question (an input and a submit button) instead of options.
    #[serde(default)]
    pub number: bool,
    /// Number questions: the feedback for the right number (and `{value}` in it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right: Option<String>,
    /// Number questions: the feedback for a wrong number no misconception explains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrong: Option<String>,
    /// Number questions: wrong numbers that stand for a named misconception.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub misconceptions: Vec<Misconception>,
    /// The author's answer, entered independently of the simulator (double entry):
    /// the id of the right option, or the number at the lesson's seed. The validator
    /// computes the answer and refuses a mismatch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expect>,
}

/// The author's expected answer: an option id or a number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Expect {
    Number(i64),
    Option(String),
}

impl std::fmt::Display for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expect::Number(n) => write!(f, "{n}"),
            Expect::Option(id) => write!(f, "option '{id}'"),
        }
    }
}

/// One choice. `label` may contain `{value}`, replaced by the computed value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub label: String,
    pub value: Quantity,
    /// Why this choice is right, or the misconception behind it.
    pub feedback: String,
    /// The misconception a wrong choice stands for (a short name, for reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub misconception: Option<String>,
    /// Its stable id (kebab-case, unique in the lesson): `data-misconception`, the
    /// host API's `answer` message, LMS interactions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub misconception_id: Option<String>,
    /// One line that refutes the misconception (the lesson summary shows it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refutation: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Misconception {
    pub value: Quantity,
    pub name: String,
    pub feedback: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub misconception_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refutation: Option<String>,
}

/// A try step's goal: `when <op> value`, read from the learner's run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    pub when: Quantity,
    pub op: Op,
    pub value: Quantity,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
}

/// A property of one technique's run, for [`Quantity::Where`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Property {
    /// The technique's claim held (verdict).
    Holds,
    /// Ledger = truth, nothing lost, nothing applied twice.
    ExactlyOnce,
    /// Every scenario check passed (agreement of the generals, …).
    ChecksOk,
    /// Nothing applied twice.
    NoDuplicates,
    /// Nothing lost.
    NoLosses,
    /// Every balance equals the truth.
    MatchesTruth,
}

/// Something the simulator computes. Values are integers, yes/no, or a set of
/// technique ids.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Quantity {
    /// A technique's balance for a merchant (`m-B`, or a row name as the ledger
    /// shows it) at a tick (default: the end).
    Balance {
        technique: String,
        merchant: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TickRef>,
    },
    /// The truth's balance for a merchant (each message applied once).
    Truth { merchant: String },
    /// Ledger entries written (for one merchant, or all), at a tick (default: the end).
    Entries {
        technique: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        merchant: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TickRef>,
    },
    /// Messages applied more than once.
    AppliedTwice { technique: String },
    /// Messages never applied.
    Lost { technique: String },
    /// One of the ledger's counters at the end (`sent`, `delivered`, `lost`,
    /// `dup_delivered`, `dup_absorbed`, `applied_twice`).
    Counter {
        technique: String,
        name: String,
        /// At a tick (default: the end).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TickRef>,
    },
    /// The largest size the dedup table reached.
    DedupPeak { technique: String },
    /// A property of one technique (yes/no).
    Is {
        technique: String,
        property: Property,
    },
    /// The set of techniques (of `among`, or all) with a property.
    Where {
        property: Property,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        among: Option<Vec<String>>,
    },
    /// A literal: a number standing for an idea (0: "it cancels out"), or yes/no.
    Const(Lit),
    /// A literal set of technique ids.
    Techniques(Vec<String>),
    /// Another quantity computed under a different setting (laid over the step's).
    Under { setup: Setup, of: Box<Quantity> },
    /// The sum of quantities (e.g. twice a balance).
    Sum(Vec<Quantity>),
    /// Which message something happened to: the number of the first message (txn-3 →
    /// 3, ball 3, messenger 3) that `event` happened to in a technique's run, up to a
    /// tick (default: the end). Graded from the trace, for "which payment…?" questions.
    Message {
        technique: String,
        event: MsgEvent,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TickRef>,
        /// The nth such message (default 1, the first); a message counts once.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nth: Option<u32>,
    },
}

/// What happened to a message, for [`Quantity::Message`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MsgEvent {
    /// Applied to the ledger a second time (a compensation is not an application).
    AppliedAgain,
    /// Delivered and skipped as a copy (dedup table, stored response, unique id, …).
    Skipped,
    /// Refused by a broker or server (fenced epoch, sequence, key in flight, …).
    Refused,
    /// The message itself (not its ack) lost on the way.
    Lost,
    /// Its ack or response lost on the way back.
    AckLost,
    /// Never applied at all (reads the whole run: `at` must be the end).
    NeverApplied,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Lit {
    Int(i64),
    Bool(bool),
}
