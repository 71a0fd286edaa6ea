//! The database URL picks the backend. Its password never reaches a log line:
//! `Display` and `Debug` both redact it.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DatabaseUrl {
    raw: String,
    kind: DatabaseKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let kind = if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            DatabaseKind::Postgres
        } else if raw.starts_with("sqlite:") {
            DatabaseKind::Sqlite
        } else {
            return Err(format!(
                "不支持的数据库地址“{}”，应以 postgres:// 或 sqlite:// 开头 (unsupported database URL, expected postgres:// or sqlite://)",
                redact(raw)
            ));
        };
        if kind == DatabaseKind::Postgres && url::Url::parse(raw).is_err() {
            return Err(format!("数据库地址格式错误 (malformed database URL): {}", redact(raw)));
        }
        Ok(DatabaseUrl { raw: raw.to_owned(), kind })
    }

    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    /// The URL with its password, for the driver only.
    pub fn expose(&self) -> &str {
        &self.raw
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        // Not a URL we can read: show only the scheme.
        Err(_) => raw.split_once("://").map_or_else(|| "***".to_owned(), |(s, _)| format!("{s}://***")),
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.raw))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

impl TryFrom<String> for DatabaseUrl {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        DatabaseUrl::parse(&s)
    }
}

impl From<DatabaseUrl> for String {
    fn from(u: DatabaseUrl) -> Self {
        u.raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        let url = DatabaseUrl::parse("postgres://shanzhi:s3cr3t@db.internal:5432/shanzhi").expect("url");
        assert_eq!(url.kind(), DatabaseKind::Postgres);
        assert_eq!(url.to_string(), "postgres://shanzhi:***@db.internal:5432/shanzhi");
        assert!(!format!("{url:?}").contains("s3cr3t"));
        assert!(url.expose().contains("s3cr3t"));
    }

    #[test]
    fn unknown_schemes_are_refused_without_echoing_secrets() {
        let err = DatabaseUrl::parse("mysql://root:hunter2@x/db").expect_err("refused");
        assert!(err.contains("postgres://") && !err.contains("hunter2"), "{err}");
        assert_eq!(DatabaseUrl::parse("sqlite:///tmp/x.db").map(|u| u.kind()), Ok(DatabaseKind::Sqlite));
    }
}
