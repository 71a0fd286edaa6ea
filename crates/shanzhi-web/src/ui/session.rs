//! Who is looking at a page: the session cookie (or nobody). Pages that
//! need someone send the others to `/login`; writes carry the session's
//! CSRF token (htmx sends it as `X-CSRF-Token`, forms as `csrf`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use shanzhi_app::access::{Actor, Via};
use shanzhi_domain::Role;

use super::Tr;
use crate::AppState;
use crate::extract::session_cookie;

#[derive(Debug, Clone)]
pub struct Viewer {
    pub actor: Actor,
    /// The configured base-map tile URL (empty: none).
    pub tiles: String,
    /// A PMTiles base map is served at `/map/tiles.pmtiles`.
    pub pmtiles: bool,
    /// The page's path, to mark its link in the navigation bar.
    pub path: String,
    /// The community whose deliberation the viewer takes part in (a
    /// resident or a member of one of its bodies): a link to its page.
    pub community: Option<String>,
    /// Unread in-app notices (the bell); none for a visitor.
    pub unread: Option<u64>,
}

/// One link of the navigation bar.
#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: String,
    pub label: &'static str,
    /// The page shown is this section (`aria-current="page"`).
    pub current: bool,
}

/// The navigation bar and who is signed in.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    pub links: Vec<NavLink>,
    pub user: Option<String>,
    pub csrf: String,
    pub tiles: String,
    pub pmtiles: bool,
    /// The bell: unread notices, for a signed-in person.
    pub unread: Option<u64>,
}

impl Viewer {
    pub fn signed_in(&self) -> bool {
        self.actor.user().is_some()
    }

    pub fn has(&self, role: Role) -> bool {
        self.actor.has_role(role)
    }

    pub fn csrf(&self) -> String {
        match self.actor.via() {
            Via::Session { csrf_token, .. } => csrf_token.clone(),
            _ => String::new(),
        }
    }

    /// Does a form's CSRF token match the session's?
    pub fn csrf_ok(&self, sent: Option<&str>) -> bool {
        let expected = self.csrf();
        !expected.is_empty() && sent == Some(expected.as_str())
    }

    /// The pages this viewer's roles open.
    pub fn nav(&self, tr: Tr) -> Nav {
        let mut links = Vec::new();
        let path = self.path.as_str();
        let mut add = |href: &str, zh, en| {
            let current = path == href || path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/'));
            links.push(NavLink { href: href.to_owned(), label: tr.t(zh, en), current })
        };
        if self.has(Role::Dispatcher) || self.has(Role::CommunityWorker) {
            add("/desk", "调度工作台", "Dispatch desk");
        }
        if self.has(Role::Dispatcher) {
            add("/callbacks", "满意度回访", "Call-backs");
        }
        if self.has(Role::GridWorker) {
            add("/grid", "我的网格", "My grid");
        }
        if self.has(Role::DeptHandler) || self.has(Role::GridWorker) || self.has(Role::CommunityWorker) {
            add("/tasks", "我的待办", "My tasks");
        }
        if self.has(Role::Supervisor) || self.has(Role::Admin) {
            add("/supervise", "督办", "Supervision");
        }
        add("/map", "网格地图", "Grid map");
        add("/report", "我要上报", "Report");
        add("/track", "进度查询", "Track");
        if self.has(Role::Resident) {
            add("/account", "我的账号", "My account");
        }
        if let Some(code) = &self.community {
            add(&format!("/c/{code}"), "我的社区", "My community");
        }
        add("/cases", "善治成都", "Cases");
        if self.has(Role::Admin) {
            add("/admin", "管理", "Admin");
            add("/api/docs", "接口文档", "API docs");
        }
        Nav {
            links,
            user: self.actor.user().map(|u| u.display_name.clone()),
            csrf: self.csrf(),
            tiles: self.tiles.clone(),
            pmtiles: self.pmtiles,
            unread: self.unread,
        }
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let actor = match session_cookie(parts) {
            Some(token) => state.app.authenticate(token).await.unwrap_or_else(|_| Actor::anonymous()),
            None => Actor::anonymous(),
        };
        // Only a signed-in person has a community; a failed read costs the link only.
        let community = match actor.user() {
            Some(_) => state.app.scoped(actor.clone()).my_community().await.unwrap_or_default(),
            None => None,
        };
        // The bell's count; a failed read costs the count only.
        let unread = match actor.user() {
            Some(_) => state.app.scoped(actor.clone()).unread_notices().await.ok(),
            None => None,
        };
        Ok(Viewer {
            unread,
            actor,
            tiles: state.map_tiles_url.as_deref().unwrap_or_default().to_owned(),
            pmtiles: state.map_tiles_file.is_some(),
            path: parts.uri.path().to_owned(),
            community,
        })
    }
}

impl FromRequestParts<AppState> for Tr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Tr::from_headers(&parts.headers))
    }
}
