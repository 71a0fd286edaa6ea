//! Two languages: every text is written in both where it is used
//! (`tr.t("派遣", "Dispatch")`), Chinese unless the `lang` cookie says `en`.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use shanzhi_domain::{EventKind, MatterState};

#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub en: bool,
}

impl Tr {
    pub fn from_headers(headers: &HeaderMap) -> Tr {
        let en = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .any(|c| c.trim() == "lang=en");
        Tr { en }
    }

    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.en { en } else { zh }
    }

    pub fn lang(&self) -> &'static str {
        if self.en { "en" } else { "zh-CN" }
    }

    /// A state's name.
    pub fn state(&self, state: &str) -> &'static str {
        let Ok(s) = state.parse::<MatterState>() else { return self.t("未知", "Unknown") };
        if !self.en {
            return s.label_zh();
        }
        match s {
            MatterState::Reported => "Reported",
            MatterState::Filed => "Filed",
            MatterState::Dispatched => "Dispatched",
            MatterState::InProgress => "In progress",
            MatterState::Parked => "Parked",
            MatterState::Responded => "Responded",
            MatterState::Closed => "Closed",
            MatterState::Rated => "Rated",
            MatterState::Rejected => "Rejected",
            MatterState::Merged => "Merged",
            MatterState::Voided => "Voided",
        }
    }

    /// A command's name (or `report`), as a button says it.
    pub fn command(&self, name: &str) -> &'static str {
        match name.parse::<EventKind>() {
            Ok(EventKind::Report) => self.t("上报", "Report"),
            Ok(EventKind::Command(k)) if self.en => k.label_en(),
            Ok(EventKind::Command(k)) => k.label_zh(),
            Err(_) => self.t("办理", "Act"),
        }
    }

    /// A warning colour's name.
    pub fn warning(&self, colour: &str) -> &'static str {
        let (zh, en) = match colour {
            "yellow" => ("黄灯", "Yellow"),
            "orange" => ("橙灯", "Orange"),
            "red" => ("红灯（超期）", "Red (overdue)"),
            _ => ("正常", "On time"),
        };
        if self.en { en } else { zh }
    }
}

/// `/lang/zh` or `/lang/en`: remember the choice and go back.
pub async fn switch(Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let value = if lang == "en" { "lang=en" } else { "lang=zh" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .map(|u| format!("{}{}", u.path(), u.query().map(|q| format!("?{q}")).unwrap_or_default()))
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".to_owned());
    let mut r = Redirect::to(&back).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("{value}; Path=/; Max-Age=31536000; SameSite=Lax")) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}
