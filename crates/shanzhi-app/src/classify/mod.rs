//! Smart dispatch (智能分拨): labelled files for `shanzhi classify`, and the
//! platform's own model learned from its closed matters.

pub mod dispatch;
pub mod labelled;
mod suggest;

pub use dispatch::{DispatchModel, Dispatcher, LearnedUnit, MODEL_FILE, RetrainReport};
pub use labelled::{read_bounded, read_labelled};
