//! `/inbox` (站内消息): my notices, newest first, each leading to its
//! matter (opening one marks it read); `/settings/notifications`: my
//! channels per kind of notice and my quiet hours.

use askama::Template;
use axum::extract::{Form, Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::notify::{InboxNotice, NotificationPreferences};
use shanzhi_domain::notify::{NoticeGroup, NotificationChannel};

use crate::AppState;
use crate::ui::form::{FormData, expired};
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

/// One notice as listed.
struct Listed {
    notice: InboxNotice,
    when: String,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    tr: Tr,
    nav: Nav,
    notices: Vec<Listed>,
    unread: u64,
}

pub async fn show(State(state): State<AppState>, viewer: Viewer, tr: Tr) -> Response {
    if !viewer.signed_in() {
        return to_login("/inbox");
    }
    match state.app.scoped(viewer.actor.clone()).inbox(None, 100).await {
        Ok(p) => {
            let notices = p
                .notices
                .into_iter()
                .map(|notice| {
                    let when = notice
                        .created_at
                        .timestamp()
                        .to_zoned_datetime(shanzhi_domain::calendar::china())
                        .strftime("%Y-%m-%d %H:%M")
                        .to_string();
                    Listed { notice, when }
                })
                .collect();
            page(InboxPage { tr, nav: viewer.nav(tr), notices, unread: p.unread })
        }
        Err(e) => refusal(tr, &viewer, &e),
    }
}

/// Mark a notice read, then go where it leads (the inbox if nowhere).
#[derive(Debug, Deserialize)]
pub struct OpenForm {
    csrf: Option<String>,
}

pub async fn open(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(id): Path<String>,
    Form(f): Form<OpenForm>,
) -> Response {
    if !viewer.signed_in() {
        return to_login("/inbox");
    }
    if !viewer.csrf_ok(f.csrf.as_deref()) {
        return refusal(tr, &viewer, &expired());
    }
    let scoped = state.app.scoped(viewer.actor.clone());
    if let Err(e) = scoped.mark_notice_read(&id).await {
        return refusal(tr, &viewer, &e);
    }
    // Only a path of this site: where the stored notice leads.
    let link = match scoped.inbox(None, 100).await {
        Ok(p) => p.notices.into_iter().find(|n| n.id == id).and_then(|n| n.link),
        Err(_) => None,
    };
    let to = link.filter(|l| l.starts_with('/') && !l.starts_with("//")).unwrap_or_else(|| "/inbox".to_owned());
    Redirect::to(&to).into_response()
}

/// One row of the settings' table: a kind of notice and its channels.
struct GroupRow {
    group: &'static str,
    label: &'static str,
    channels: Vec<(&'static str, &'static str, bool)>,
}

#[derive(Template)]
#[template(path = "notification_settings.html")]
struct SettingsPage {
    tr: Tr,
    nav: Nav,
    rows: Vec<GroupRow>,
    quiet_start: String,
    quiet_end: String,
    email: String,
    saved: bool,
    error: Option<String>,
}

fn settings_page(tr: Tr, nav: Nav, p: &NotificationPreferences, saved: bool, error: Option<String>) -> Response {
    let rows = NoticeGroup::ALL
        .into_iter()
        .map(|g| GroupRow {
            group: g.as_str(),
            label: g.label_zh(),
            // The digest may be asked for in the inbox alone (dispatchers
            // and community workers opt in; supervisors always get it).
            channels: (g == NoticeGroup::Digest)
                .then_some(NotificationChannel::Inbox)
                .iter()
                .chain(p.available.iter())
                .map(|c| (c.as_str(), c.label_zh(), p.channels.get(&g).is_some_and(|l| l.contains(c))))
                .collect(),
        })
        .collect();
    page(SettingsPage {
        tr,
        nav,
        rows,
        quiet_start: p.quiet_start.clone().unwrap_or_default(),
        quiet_end: p.quiet_end.clone().unwrap_or_default(),
        email: p.email.clone().unwrap_or_default(),
        saved,
        error,
    })
}

pub async fn settings(State(state): State<AppState>, viewer: Viewer, tr: Tr) -> Response {
    if !viewer.signed_in() {
        return to_login("/settings/notifications");
    }
    match state.app.scoped(viewer.actor.clone()).notification_preferences().await {
        Ok(p) => settings_page(tr, viewer.nav(tr), &p, false, None),
        Err(e) => refusal(tr, &viewer, &e),
    }
}

pub async fn save_settings(State(state): State<AppState>, viewer: Viewer, tr: Tr, request: Request) -> Response {
    if !viewer.signed_in() {
        return to_login("/settings/notifications");
    }
    let form = match FormData::read(request, &state).await {
        Ok(f) => f,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    if !viewer.csrf_ok(form.filled("csrf").as_deref()) {
        return refusal(tr, &viewer, &expired());
    }
    let mut wanted = NotificationPreferences {
        quiet_start: form.filled("quiet_start"),
        quiet_end: form.filled("quiet_end"),
        email: form.filled("email"),
        ..NotificationPreferences::default()
    };
    for g in NoticeGroup::ALL {
        let chosen = form
            .all(&format!("channels_{}", g.as_str()))
            .iter()
            .take(NotificationChannel::ALL.len())
            .filter_map(|c| c.parse::<NotificationChannel>().ok())
            .collect();
        wanted.channels.insert(g, chosen);
    }
    let scoped = state.app.scoped(viewer.actor.clone());
    match scoped.set_notification_preferences(wanted.clone()).await {
        Ok(p) => settings_page(tr, viewer.nav(tr), &p, true, None),
        Err(e) => {
            let m = e.message();
            let shown = NotificationPreferences { available: state.app.notifier().external(), ..wanted };
            let mut r = settings_page(tr, viewer.nav(tr), &shown, false, Some(if tr.en { m.en } else { m.zh }));
            *r.status_mut() = crate::error::status_of(&e);
            r
        }
    }
}
