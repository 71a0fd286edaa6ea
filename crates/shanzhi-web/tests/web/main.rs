//! The web crate over HTTP in process (no socket), on the backend chosen by
//! SHANZHI_TEST_BACKEND: one test binary, one module per area, every
//! fixture from `shanzhi_testkit::TestApp` behind `support::TestApi`.

mod support;
mod tasks_api;
mod tasks_form;

mod admin_forms;
mod admin_page;
mod api;
mod auth_api;
mod calendar_api;
mod callbacks_api;
mod cases;
mod community_page;
mod dashboard;
mod deliberation_api;
mod deliberation_pages;
mod deliberation_polls;
mod desk;
mod desk_queue;
mod duplicates;
mod exports_api;
mod grid_page;
mod grids_api;
mod hardening;
mod hotspots;
mod log_api;
mod map;
mod matters_api;
mod milestone_photos;
mod names;
mod notifications_api;
mod open311;
mod openapi;
mod patrol_track_api;
mod rankings_api;
mod register_api;
mod register_map_api;
mod self_handle_api;
mod signup_api;
mod signup_pages;
mod smart_dispatch;
mod track_page;
mod ui;
mod visits_api;
mod volunteer_pages;
mod volunteers_api;
