//! Shanzhi use cases. Every interface (HTTP, CLI, later the UI) calls these and
//! nothing below them: parsing of files, validation before any write, and the
//! rules that span more than one store call live here.

pub mod demo;
pub mod divisions;
mod error;
pub mod health;

use std::sync::Arc;

use shanzhi_store::Store;

pub use error::{AppError, AppResult};

/// The application: a store plus the use cases over it. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    store: Arc<dyn Store>,
}

impl App {
    pub fn new(store: Arc<dyn Store>) -> Self {
        App { store }
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }
}
