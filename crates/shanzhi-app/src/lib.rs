//! Shanzhi use cases. Every interface (HTTP, CLI, later the UI) calls these and
//! nothing below them: parsing of files, validation before any write, and the
//! rules that span more than one store call live here.

pub mod access;
pub mod callbacks;
pub mod cases;
pub mod classify;
pub mod community;
pub mod deliberation;
pub mod demo;
pub mod divisions;
mod error;
pub mod figures;
#[cfg(feature = "fuzzing")]
pub mod fuzz;
pub mod grids;
pub mod health;
pub mod matters;
pub mod notify;
pub mod open311;

mod progress;
mod refusal;
pub mod register;
pub mod sms;
pub mod table;
pub mod tasks;
pub mod timing;
pub mod tlog;
pub mod visits;
pub mod volunteers;

use std::sync::{Arc, Mutex};

use shanzhi_store::Store;

pub use error::{AppError, AppResult};
pub use progress::{NoProgress, Progress};

/// The application: a store plus the use cases over it, and the in-memory
/// point index of the grid. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    store: Arc<dyn Store>,
    grid_index: Arc<grids::IndexHolder>,
    auth: Arc<access::AuthConfig>,
    hashing: Arc<access::HashPool>,
    clock: Arc<dyn timing::Clock>,
    timing: Arc<timing::TimingHolder>,
    last_sweep: Arc<Mutex<Option<timing::SweepReport>>>,
    dictionary: Arc<matters::DictionaryHolder>,
    log: Arc<tlog::LogSetup>,
    pii_uses: Arc<access::RecentUses>,
    dispatch: Arc<classify::dispatch::DispatchHolder>,
    sms: Arc<sms::SmsClient>,
    register: Arc<arc_swap::ArcSwap<register::RegisterSettings>>,
    notifier: Arc<notify::Notifier>,
}

impl App {
    /// An application over `store`, and the operator's key to it (keep it
    /// out of network interfaces). The grid index starts empty: call
    /// [`App::refresh_grid_index`] once the store is ready.
    pub fn new(store: Arc<dyn Store>) -> (Self, access::OperatorKey) {
        App::with_auth(store, access::AuthConfig::default())
    }

    /// An application with its own sign-in settings (tests lower the cost of
    /// password hashing).
    pub fn with_auth(store: Arc<dyn Store>, auth: access::AuthConfig) -> (Self, access::OperatorKey) {
        let app = App {
            store,
            grid_index: Arc::new(grids::IndexHolder::default()),
            hashing: Arc::new(access::HashPool::new(&auth)),
            sms: Arc::new(sms::SmsClient::new(auth.sms.gateway.clone())),
            auth: Arc::new(auth),
            clock: Arc::new(timing::SystemClock),
            timing: Arc::new(timing::TimingHolder::default()),
            last_sweep: Arc::new(Mutex::new(None)),
            dictionary: Arc::new(matters::DictionaryHolder::default()),
            log: Arc::new(tlog::LogSetup::default()),
            pii_uses: Arc::new(access::RecentUses::default()),
            dispatch: Arc::new(classify::dispatch::DispatchHolder::default()),
            register: Arc::new(arc_swap::ArcSwap::from_pointee(register::RegisterSettings::default())),
            notifier: Arc::new(notify::Notifier::development()),
        };
        (app, access::OperatorKey::new())
    }

    /// The same application keeping its dispatch model (智能分拨) in this
    /// file (`<data_dir>/dispatch-model.json`); without one, suggestions come
    /// from the keyword rules and the duty list alone.
    #[must_use]
    pub fn with_dispatch_model(mut self, path: std::path::PathBuf) -> Self {
        self.dispatch = Arc::new(classify::dispatch::DispatchHolder::at(path));
        self
    }

    /// The same application delivering notifications through `notifier`
    /// (the default writes every external channel to the log).
    #[must_use]
    pub fn with_notifier(mut self, notifier: notify::Notifier) -> Self {
        self.notifier = Arc::new(notifier);
        self
    }

    /// The channels notifications go out through.
    pub fn notifier(&self) -> &notify::Notifier {
        &self.notifier
    }

    /// The same application reading the time from `clock` (tests and drills).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn timing::Clock>) -> Self {
        self.clock = clock;
        self
    }
}
