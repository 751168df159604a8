//! Turning plans into what people read. Renderers read a `plan::Plan` and nothing else;
//! `state` renders the recorded state (records and outputs) for `show`, `state` and `output`.

pub mod state;
pub mod text;
