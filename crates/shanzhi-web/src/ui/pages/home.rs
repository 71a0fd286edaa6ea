//! `/`: each role's own page.

use axum::response::Redirect;
use shanzhi_domain::Role;

use crate::ui::Viewer;

pub async fn home(viewer: Viewer) -> Redirect {
    let to = if viewer.has(Role::Admin) {
        "/admin"
    } else if viewer.has(Role::Dispatcher) || viewer.has(Role::CommunityWorker) {
        "/desk"
    } else if viewer.has(Role::DeptHandler) {
        "/tasks"
    } else if viewer.has(Role::GridWorker) {
        "/grid"
    } else if viewer.has(Role::Supervisor) {
        "/supervise"
    } else {
        "/report"
    };
    Redirect::to(to)
}
