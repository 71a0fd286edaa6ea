//! [`TestApp`]: the application over a fresh store, built up by what a test
//! needs, so that no test binary writes its own `world()`:
//!
//! ```text
//! let t = TestApp::new().with_grid().with_staff(Role::Dispatcher).start().await;
//! let dispatcher = t.actor_for(Role::Dispatcher).await;
//! ```
//!
//! The grid is two communities with a master and two general grids each:
//! 总府路社区 in 锦江区 (inside every Chengdu scope) and 文庙社区 of 德阳市
//! (outside even a city-wide one). Staff get the scope of their role there.

use std::ops::Deref;
use std::sync::Arc;

use jiff::civil::{Date, date};
use serde_json::{Value, json};
use shanzhi_app::access::{Actor, AdminDesk, AuthConfig, Client, NewStaff, Operator, OperatorKey};
use shanzhi_app::grids::GridImportOptions;
use shanzhi_app::matters::MatterView;
use shanzhi_app::timing::Clock;
use shanzhi_app::{App, AppResult, NoProgress, demo};
use shanzhi_domain::{CodeSystem, Role};
use shanzhi_store::Store;

use crate::{TestDb, test_db};

/// Every test account's password.
pub const PASSWORD: &str = "Matrix-Test-2026";
/// The community inside every Chengdu scope: 锦江区 春熙路街道 总府路社区.
pub const INSIDE: &str = "510104022006";
/// A community of 德阳市, outside every Chengdu scope.
pub const OUTSIDE: &str = "510603001001";
/// The day test grids and assignments start.
pub const SINCE: Date = date(2025, 1, 1);

const DEYANG: &str = "level,code,name,parent_code\ndistrict,510603,旌阳区,5106\ntown_street,510603001,旌阳街道,510603\nvillage_community,510603001001,文庙社区居委会,510603001\n";

/// Argon2 at its cheapest: tests sign in often.
pub fn cheap_auth() -> AuthConfig {
    AuthConfig { argon2: argon2::Params::new(8, 1, 1, None).expect("params"), ..AuthConfig::default() }
}

/// The scope a role's test account gets, inside the test grid.
pub fn scope_of(role: Role) -> Option<&'static str> {
    match role {
        Role::Admin | Role::Supervisor => Some("5101"),
        Role::Dispatcher => Some("510104022"),
        Role::CommunityWorker => Some(INSIDE),
        Role::GridWorker => Some("510104022006001"),
        Role::DeptHandler => Some("510104-chengguan"),
        Role::Resident => None,
    }
}

/// The user name of a role's test account (`t_dispatcher` …).
pub fn username_of(role: Role) -> String {
    format!("t_{}", role.as_str())
}

/// A GeoJSON polygon: the rectangle from (`x0`, `y0`) to (`x1`, `y1`) (lng, lat).
pub fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]})
}

/// A grid as a GeoJSON feature for an import, named `网格{code}`; `parent`
/// is the parent grid's code (a micro-grid's general grid).
pub fn grid_feature(code: &str, kind: &str, parent: Option<&str>, geometry: Value) -> Value {
    json!({"type": "Feature", "properties": {"code": code, "kind": kind, "name": format!("网格{code}"),
           "parent_code": parent}, "geometry": geometry})
}

/// A community as a square: its master grid and two general grids side by side.
pub fn community_grid(community: &str, x: f64, y: f64) -> Vec<Value> {
    let f = |suffix: &str, kind: &str, g: Value| grid_feature(&format!("{community}{suffix}"), kind, None, g);
    vec![
        f("000", "master", rect(x, y, x + 0.01, y + 0.01)),
        f("001", "general", rect(x, y, x + 0.005, y + 0.01)),
        f("002", "general", rect(x + 0.005, y, x + 0.01, y + 0.01)),
    ]
}

/// A community as one square that is both its master grid and its only
/// general grid (`{community}001`): every point of it is in both.
pub fn one_grid_community(community: &str, x: f64, y: f64) -> Vec<Value> {
    let square = rect(x, y, x + 0.01, y + 0.01);
    vec![
        grid_feature(&format!("{community}000"), "master", None, square.clone()),
        grid_feature(&format!("{community}001"), "general", None, square),
    ]
}

/// A point inside the first general grid of [`INSIDE`] (lng, lat).
pub const INSIDE_POINT: (f64, f64) = (104.072, 30.655);

/// What a [`TestApp`] starts with; [`TestAppBuilder::start`] builds it.
#[derive(Debug, Default)]
#[must_use]
pub struct TestAppBuilder {
    auth: Option<AuthConfig>,
    clock: Option<Arc<dyn Clock>>,
    divisions: bool,
    grid: bool,
    features: Vec<Value>,
    categories: bool,
    departments: Vec<(String, String)>,
    staff: Vec<(String, Role, Option<String>)>,
    dispatch_model: Option<std::path::PathBuf>,
    notifier: Option<shanzhi_app::notify::Notifier>,
}

impl TestAppBuilder {
    /// Sign-in settings other than [`cheap_auth`].
    pub fn with_auth(mut self, auth: AuthConfig) -> Self {
        self.auth = Some(auth);
        self
    }

    /// The application's clock (a `ManualClock` to move time by hand).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Deliver notifications through these channels (the default: the log).
    pub fn with_notifier(mut self, notifier: shanzhi_app::notify::Notifier) -> Self {
        self.notifier = Some(notifier);
        self
    }

    /// Keep the dispatch model (智能分拨) in this file.
    pub fn with_dispatch_model(mut self, path: std::path::PathBuf) -> Self {
        self.dispatch_model = Some(path);
        self
    }

    /// Grid features of the test's own (GeoJSON features, valid from
    /// [`SINCE`]) instead of the two test communities.
    pub fn with_features(self, features: Vec<Value>) -> Self {
        TestAppBuilder { features, ..self.with_divisions() }
    }

    /// The real Chengdu divisions (and 德阳's test community).
    pub fn with_divisions(mut self) -> Self {
        self.divisions = true;
        self
    }

    /// The divisions plus the two test communities' grids.
    pub fn with_grid(self) -> Self {
        TestAppBuilder { grid: true, ..self.with_divisions() }
    }

    /// The category dictionary and duty lists the platform ships.
    pub fn with_categories(mut self) -> Self {
        self.categories = true;
        self
    }

    /// 锦江区城管局 and 旌阳区城管局 (inside and outside).
    pub fn with_departments(self) -> Self {
        self.with_department("510104-chengguan", "锦江区城管局").with_department("510603-chengguan", "旌阳区城管局")
    }

    pub fn with_department(mut self, code: &str, name: &str) -> Self {
        self.divisions = true;
        if !self.departments.iter().any(|(c, _)| c == code) {
            self.departments.push((code.to_owned(), name.to_owned()));
        }
        self
    }

    /// An account of `role` named [`username_of`], scoped by [`scope_of`].
    pub fn with_staff(self, role: Role) -> Self {
        let name = username_of(role);
        self.with_account(&name, role, scope_of(role))
    }

    /// Accounts of the test's own: (user name, role, scope), each as
    /// [`TestAppBuilder::with_account`].
    pub fn with_accounts(self, accounts: &[(&str, Role, Option<&str>)]) -> Self {
        accounts.iter().fold(self, |t, (username, role, scope)| t.with_account(username, *role, *scope))
    }

    /// An account with its first assignment (from [`SINCE`]), password
    /// [`PASSWORD`] and phone number `139` + its place in the order of
    /// accounts (`13900000000` for the first).
    pub fn with_account(mut self, username: &str, role: Role, scope: Option<&str>) -> Self {
        self.divisions = true;
        self.grid |= scope.is_some_and(|s| s.len() == 15);
        if role == Role::DeptHandler && scope == scope_of(Role::DeptHandler) {
            self = self.with_department("510104-chengguan", "锦江区城管局");
        }
        self.staff.push((username.to_owned(), role, scope.map(str::to_owned)));
        self
    }

    pub async fn start(self) -> TestApp {
        let db = test_db().await;
        let (mut app, key) = App::with_auth(db.fixture.store.clone(), self.auth.unwrap_or_else(cheap_auth));
        if let Some(clock) = self.clock {
            app = app.with_clock(clock);
        }
        if let Some(path) = self.dispatch_model {
            app = app.with_dispatch_model(path);
        }
        if let Some(notifier) = self.notifier {
            app = app.with_notifier(notifier);
        }
        let t = TestApp { app, key, db };
        let op = t.operator();
        if self.divisions {
            op.import_divisions(demo::CHENGDU_DIVISIONS_CSV.as_bytes(), CodeSystem::Nbs2023).await.expect("chengdu");
            op.import_divisions(DEYANG.as_bytes(), CodeSystem::Nbs2023).await.expect("deyang");
        }
        if self.grid || !self.features.is_empty() {
            let mut features = self.features;
            if features.is_empty() {
                features = community_grid(INSIDE, 104.07, 30.65);
                features.extend(community_grid(OUTSIDE, 104.39, 31.12));
            }
            let text = json!({"type": "FeatureCollection", "features": features}).to_string();
            op.import_grids(&text, GridImportOptions::from(SINCE), &NoProgress).await.expect("grids");
            t.refresh_grid_index().await.expect("grid index");
        }
        if self.categories {
            op.ensure_categories("system").await.expect("categories");
            t.reload_timing().await.expect("calendar");
        }
        let scoped = op.scoped("test");
        let admin = scoped.desk::<AdminDesk>().expect("the operator administers");
        for (code, name) in &self.departments {
            admin.create_department(code, name).await.expect("department");
        }
        for (i, (username, role, scope)) in self.staff.into_iter().enumerate() {
            t.create_account(&username, role, scope.as_deref(), Some(format!("139{i:08}"))).await;
        }
        t
    }
}

/// The application over a throw-away store, with the operator's key.
#[derive(Debug)]
pub struct TestApp {
    app: App,
    key: OperatorKey,
    db: TestDb,
}

impl TestApp {
    /// An empty application; add what the test needs, then [`TestAppBuilder::start`].
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> TestAppBuilder {
        TestAppBuilder::default()
    }

    pub fn app(&self) -> &App {
        &self.app
    }

    pub fn operator(&self) -> Operator<'_> {
        self.app.operator(&self.key)
    }

    pub fn store(&self) -> &dyn Store {
        self.operator().store()
    }

    pub fn db(&self) -> &TestDb {
        &self.db
    }

    /// Sign `username` in and take the session's actor.
    pub async fn actor(&self, username: &str) -> Actor {
        let login = self.app.login(username, PASSWORD, &Client::default()).await.expect("sign in");
        self.app.authenticate(&login.token).await.expect("session")
    }

    /// The actor of the account [`TestAppBuilder::with_staff`] made for `role`.
    pub async fn actor_for(&self, role: Role) -> Actor {
        self.actor(&username_of(role)).await
    }

    /// A session token for `username` (for HTTP tests).
    pub async fn token(&self, username: &str) -> String {
        self.app.login(username, PASSWORD, &Client::default()).await.expect("sign in").token
    }

    /// An account made after the start (as [`TestAppBuilder::with_account`],
    /// without a phone number): for a test that needs it only part way, or
    /// in a store it filled itself.
    pub async fn add_account(&self, username: &str, role: Role, scope: Option<&str>) {
        self.create_account(username, role, scope, None).await;
    }

    async fn create_account(&self, username: &str, role: Role, scope: Option<&str>, phone: Option<String>) {
        let op = self.operator().scoped("test");
        op.desk::<AdminDesk>()
            .expect("the operator administers")
            .create_user(NewStaff {
                username: username.to_owned(),
                display_name: format!("{username} 同志"),
                phone,
                password: Some(PASSWORD.to_owned()),
                role,
                scope: scope.map(str::to_owned),
                from: Some(SINCE),
                to: None,
            })
            .await
            .expect("user");
    }

    /// Give a matter command as `username` (signed in for it).
    pub async fn command_as(&self, username: &str, id: &str, command: &str, args: Value) -> AppResult<MatterView> {
        self.app.scoped(self.actor(username).await).command(id, command, args).await
    }

    /// Take a matter from reported to closed as the operator: accepted,
    /// dispatched to 锦江区城管局, signed for, answered and verified on site.
    pub async fn close_matter(&self, id: &str) {
        self.close_matter_by(id, "510104-chengguan").await;
    }

    /// [`TestApp::close_matter`] with the matter dispatched to `department`.
    pub async fn close_matter_by(&self, id: &str, department: &str) {
        let op = self.operator().scoped("test");
        for (command, args) in [
            ("accept", Value::Null),
            ("dispatch", json!({"to": {"kind": "department", "code": department}})),
            ("sign", Value::Null),
            ("respond", json!({"text": "已修复"})),
            ("verify", json!({"passed": true, "note": "合格"})),
        ] {
            op.command(id, command, args).await.expect(command);
        }
    }
}

impl Deref for TestApp {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}
