//! Turning plans and state into what people and tools read. Plan renderers read a
//! `plan::Plan` and nothing else: [`text`] for a terminal, [`markdown`] for a pull-request
//! comment, [`json`] for policy tools, [`summary`] for plans too large to read in full.
//! [`state`] renders the recorded state (records and outputs) for `show`, `state` and `output`.
//!
//! No renderer ever writes a sensitive value.

pub mod json;
pub mod markdown;
pub mod provider_schema;
pub mod state;
pub mod summary;
pub mod text;

use crate::plan::Plan;

/// How `plan` and `show` print a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Terraform's human text.
    Text,
    /// A document close to `terraform show -json`.
    Json,
    /// GitHub-flavoured markdown for a pull-request comment.
    Markdown,
    /// One line per changed resource.
    Summary,
}

/// Renders a plan in the given format. `color` applies to the text and summary formats only;
/// markdown is kept under GitHub's comment size limit ([`markdown::COMMENT_LIMIT`]).
pub fn plan(plan: &Plan, format: Format, color: bool) -> String {
    match format {
        Format::Text => text::render_plan(plan, color),
        Format::Json => json::render(plan),
        Format::Markdown => markdown::render(plan, markdown::COMMENT_LIMIT),
        Format::Summary => summary::render(plan, color),
    }
}
