//! Two languages: every text is written in both where it is used
//! (`tr.t("派遣", "Dispatch")`), Chinese unless the `lang` cookie says `en`.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use shanzhi_domain::{ActingRole, Channel, DivisionLevel, EventKind, Level, MatterState, Rating, Role, Stage};

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

    /// A domain value's name: its own Chinese label, or the English one `en`
    /// gives (written here, beside the pages' other English).
    pub fn named(&self, zh: &'static str, en: impl FnOnce() -> &'static str) -> &'static str {
        if self.en { en() } else { zh }
    }

    pub fn lang(&self) -> &'static str {
        if self.en { "en" } else { "zh-CN" }
    }

    /// A state's name.
    pub fn state(&self, state: &str) -> &'static str {
        let Ok(s) = state.parse::<MatterState>() else { return self.t("未知", "Unknown") };
        self.named(s.label_zh(), || match s {
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
        })
    }

    /// Who made a timeline entry (`dispatcher`, `system` …), as people say it.
    pub fn role(&self, role: &str) -> &'static str {
        let Ok(r) = role.parse::<ActingRole>() else { return self.t("未知", "Unknown") };
        self.named(r.label_zh(), || match r {
            ActingRole::System => "System",
            ActingRole::Anonymous => "Resident without an account",
            ActingRole::Role(r) => match r {
                Role::Resident => "Resident",
                Role::GridWorker => "Grid worker",
                Role::CommunityWorker => "Community worker",
                Role::Dispatcher => "Dispatcher",
                Role::DeptHandler => "Department handler",
                Role::Supervisor => "Supervisor",
                Role::Admin => "Administrator",
            },
        })
    }

    /// How a matter came in (`resident` → 居民上报).
    pub fn channel(&self, channel: &str) -> String {
        let Ok(c) = channel.parse::<Channel>() else { return channel.to_owned() };
        let en = match c {
            Channel::Resident => "Reported by a resident",
            Channel::GridWorker => "Reported by a grid worker",
            Channel::Hotline => "12345 hotline",
            Channel::Open311 => "Open311",
            Channel::Api => "System interface",
            Channel::Wechat => "WeChat mini program",
        };
        self.t(c.label_zh(), en).to_owned()
    }

    /// The level a matter is handled at (`community` → 社区).
    pub fn level(&self, level: Level) -> &'static str {
        let en = match level {
            Level::Grid => "Grid",
            Level::Community => "Community",
            Level::Town => "Town (street)",
            Level::District => "District",
        };
        if self.en { en } else { level.label_zh() }
    }

    /// The kind of unit figures and rankings are given for.
    pub fn unit_kind(&self, kind: shanzhi_domain::indicators::UnitKind) -> &'static str {
        use shanzhi_domain::indicators::UnitKind::*;
        let en = match kind {
            District => "District",
            Town => "Town (street)",
            Community => "Community",
            Grid => "Grid",
            Department => "Department",
            Worker => "Grid worker",
        };
        if self.en { en } else { kind.label_zh() }
    }

    /// A level of the division tree, as the admin page counts them (plural in
    /// English: "Districts 23").
    pub fn division_level(&self, level: DivisionLevel) -> &'static str {
        let en = match level {
            DivisionLevel::Province => "Provinces",
            DivisionLevel::City => "Cities",
            DivisionLevel::District => "Districts",
            DivisionLevel::Town => "Towns (streets)",
            DivisionLevel::Community => "Communities (villages)",
        };
        if self.en { en } else { level.label_zh() }
    }

    /// The level a duty list applies at.
    pub fn duty_level(&self, level: &shanzhi_domain::DutyLevel) -> &'static str {
        use shanzhi_domain::DutyLevel;
        match level {
            DutyLevel::District => self.t("区县", "District"),
            DutyLevel::Town => self.t("街道", "Town"),
            DutyLevel::Community => self.t("社区", "Community"),
        }
    }

    /// A category's line (双线).
    pub fn line(&self, line: &shanzhi_domain::Line) -> &'static str {
        use shanzhi_domain::Line;
        match line {
            Line::Development => self.t("社治（幸福高线）", "Development (the high line)"),
            Line::Safety => self.t("综治（安全底线）", "Safety (the bottom line)"),
            Line::Both => self.t("双线", "Both lines"),
        }
    }

    /// A category's default severity.
    pub fn severity(&self, severity: &shanzhi_domain::category::Severity) -> &'static str {
        match severity {
            shanzhi_domain::category::Severity::Normal => self.t("一般", "Normal"),
            shanzhi_domain::category::Severity::Urgent => self.t("紧急", "Urgent"),
        }
    }

    /// A stage of the handling clock (`accept` → 受理); lower case in English,
    /// as it sits inside a sentence ("the accept stage").
    pub fn stage(&self, stage: Stage) -> &'static str {
        self.named(stage.label_zh(), || match stage {
            Stage::Accept => "accept",
            Stage::Dispatch => "dispatch",
            Stage::Sign => "sign",
            Stage::Handle => "handle",
            Stage::Verify => "verify",
        })
    }

    /// A time limit (`1 个工作小时`, `1 working hour`).
    pub fn limit(&self, limit: &shanzhi_domain::category::Limit) -> String {
        use shanzhi_domain::calendar::LimitUnit;
        if !self.en {
            return limit.label_zh();
        }
        let n = limit.amount;
        let unit = match (limit.unit, n) {
            (LimitUnit::Hours, 1) => "hour",
            (LimitUnit::Hours, _) => "hours",
            (LimitUnit::WorkingHours, 1) => "working hour",
            (LimitUnit::WorkingHours, _) => "working hours",
            (LimitUnit::WorkingDays, 1) => "working day",
            (LimitUnit::WorkingDays, _) => "working days",
        };
        format!("{n} {unit}")
    }

    /// A rating's name (`satisfied` → 满意).
    pub fn rating(&self, rating: &str) -> &'static str {
        match Rating::ALL.into_iter().find(|r| r.as_str() == rating) {
            Some(Rating::Satisfied) => self.t("满意", "Satisfied"),
            Some(Rating::BasicallySatisfied) => self.t("基本满意", "Basically satisfied"),
            Some(Rating::Unsatisfied) => self.t("不满意", "Unsatisfied"),
            None => self.t("未知", "Unknown"),
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
