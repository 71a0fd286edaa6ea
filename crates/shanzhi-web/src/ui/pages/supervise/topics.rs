//! `/supervise/topics?period=2026-11` (每月一题): the month's top hot spots
//! per district — the most reported problems at one place — with their
//! matters, for choosing each district's topic of the month (未诉先办).
//! Also the alert block (热点预警) the supervisor's and the grid worker's
//! pages show for hot spots in their scope.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use shanzhi_app::access::Scoped;
use shanzhi_app::figures::HotspotQuery;

use super::{DashQuery, asked, period_label};
use crate::AppState;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

/// Topics listed per district.
const PER_DISTRICT: usize = 3;
/// Hot spots in an alert block.
const ALERTS: usize = 5;

/// One hot spot as a page shows it.
#[derive(Debug, Clone)]
pub struct Alert {
    pub label: String,
    /// Growth in the last week, as said ("近 7 天 +4").
    pub growth: String,
    pub open: usize,
    pub numbers: Vec<String>,
}

/// A matter of a topic.
struct TopicMatter {
    number: String,
    reported: String,
    state: String,
    description: String,
}

struct Topic {
    label: String,
    size: usize,
    open: usize,
    matters: Vec<TopicMatter>,
}

struct District {
    name: String,
    topics: Vec<Topic>,
}

#[derive(Template)]
#[template(path = "topics.html")]
struct TopicsPage {
    tr: Tr,
    nav: Nav,
    period: String,
    month: String,
    districts: Vec<District>,
}

fn growth(tr: Tr, g: i64) -> String {
    match (tr.en, g > 0) {
        (false, true) => format!("近 7 天 +{g}"),
        (true, true) => format!("+{g} in the last 7 days"),
        _ => String::new(),
    }
}

/// The hot spots of the last 30 days in the viewer's scope (none when they
/// may not read figures or nothing stands out).
pub async fn alerts(tr: Tr, scoped: &Scoped<'_>) -> Vec<Alert> {
    let q = HotspotQuery { limit: ALERTS, ..HotspotQuery::default() };
    scoped
        .hotspots(&q)
        .await
        .map(|a| a.hotspots)
        .unwrap_or_default()
        .into_iter()
        .map(|h| Alert {
            label: if tr.en { h.label_en } else { h.label },
            growth: growth(tr, h.growth),
            open: h.open,
            numbers: h.numbers,
        })
        .collect()
}

/// `/supervise/topics?period=2026-11`.
pub async fn topics(State(state): State<AppState>, viewer: Viewer, tr: Tr, Query(q): Query<DashQuery>) -> Response {
    if !viewer.signed_in() {
        return to_login("/supervise/topics");
    }
    let period = match asked(&state, &DashQuery { period: q.period, ..DashQuery::default() }) {
        Ok((p, _)) => p,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    let scoped = state.app.scoped(viewer.actor.clone());
    let found = match scoped.monthly_topics(period, PER_DISTRICT).await {
        Ok(f) => f,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    let districts = found
        .into_iter()
        .map(|d| District {
            name: d.district_name,
            topics: d
                .topics
                .into_iter()
                .map(|(h, views)| Topic {
                    label: if tr.en { h.label_en } else { h.label },
                    size: h.size,
                    open: h.open,
                    matters: views
                        .into_iter()
                        .map(|v| TopicMatter {
                            reported: crate::ui::pages::local(&v.reported_at),
                            state: tr.state(v.state.as_str()).to_owned(),
                            description: v.description.chars().take(60).collect(),
                            number: v.number,
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    page(TopicsPage { tr, nav: viewer.nav(tr), period: period_label(tr, period), month: period.to_string(), districts })
}
