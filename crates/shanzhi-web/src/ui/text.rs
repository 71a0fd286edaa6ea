//! Two languages: every text is written in both where it is used
//! (`tr.t("派遣", "Dispatch")`), Chinese unless the `lang` cookie says `en`.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

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
        let (zh, en) = match state {
            "reported" => ("已上报", "Reported"),
            "filed" => ("已立案", "Filed"),
            "dispatched" => ("已派遣", "Dispatched"),
            "in_progress" => ("处置中", "In progress"),
            "parked" => ("已挂账", "Parked"),
            "responded" => ("已反馈", "Responded"),
            "closed" => ("已结案", "Closed"),
            "rated" => ("已评价", "Rated"),
            "rejected" => ("不予立案", "Rejected"),
            "merged" => ("已合并", "Merged"),
            "voided" => ("已作废", "Voided"),
            _ => ("未知", "Unknown"),
        };
        if self.en { en } else { zh }
    }

    /// A command's name, as a button says it.
    pub fn command(&self, command: &str) -> &'static str {
        let (zh, en) = match command {
            "report" => ("上报", "Report"),
            "accept" => ("受理立案", "Accept"),
            "reject" => ("不予立案", "Reject"),
            "dispatch" => ("派遣", "Dispatch"),
            "sign" => ("签收", "Sign"),
            "return" => ("退回", "Return"),
            "respond" => ("处置反馈", "Respond"),
            "verify" => ("核查", "Verify"),
            "rate" => ("评价", "Rate"),
            "reopen" => ("重新办理", "Reopen"),
            "escalate" => ("上报（吹哨）", "Escalate"),
            "extend" => ("申请延期", "Ask for more time"),
            "approve_extension" => ("同意延期", "Approve extension"),
            "deny_extension" => ("不同意延期", "Deny extension"),
            "park" => ("申请挂账", "Ask to park"),
            "approve_park" => ("同意挂账", "Approve parking"),
            "deny_park" => ("不同意挂账", "Deny parking"),
            "resume" => ("恢复办理", "Resume"),
            "supervise" => ("督办", "Supervise"),
            "merge" => ("合并", "Merge"),
            "void" => ("作废", "Void"),
            _ => ("办理", "Act"),
        };
        if self.en { en } else { zh }
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
