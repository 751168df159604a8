//! Turning plans into what people read. Renderers read a `plan::Plan` and nothing else.

pub mod text;
