//! A decision file's shape, as serde reads it: unknown keys are errors.
//! Nothing here is checked beyond the YAML types; [`super::compile`] does that.

use serde::Deserialize;
use serde_yaml::{Mapping, Value as Yaml};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDecision {
    pub(super) id: String,
    #[serde(default)]
    pub(super) title: Option<String>,
    pub(super) description: String,
    #[serde(default)]
    pub(super) facts: Mapping,
    #[serde(default)]
    pub(super) derived: Mapping,
    #[serde(default)]
    pub(super) for_each: Option<RawForEach>,
    pub(super) rows: Vec<RawRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawForEach {
    pub(super) list: String,
    #[serde(rename = "as")]
    pub(super) alias: String,
    pub(super) label: String,
    pub(super) empty: RawOutput,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOutput {
    pub(super) outcome: String,
    pub(super) answer: String,
    #[serde(default)]
    pub(super) related: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRow {
    #[serde(default)]
    pub(super) when: Mapping,
    pub(super) outcome: String,
    pub(super) answer: String,
    #[serde(default)]
    pub(super) related: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFact {
    #[serde(rename = "type")]
    pub(super) ty: String,
    #[serde(default)]
    pub(super) doc: String,
    #[serde(default)]
    pub(super) unit: Option<String>,
    #[serde(default)]
    pub(super) values: Option<Yaml>,
    #[serde(default)]
    pub(super) fields: Option<Mapping>,
}
