//! Text messages through a configurable HTTP gateway (短信网关): one `POST`
//! per message, its body built from a template (JSON with `{phone}`, `{text}`
//! and `{key}` in its strings, or a form), signed with HMAC-SHA256 over
//! `timestamp + "." + body` in `X-Shanzhi-Signature` (`sha256=<hex>`, the
//! Unix seconds in `X-Shanzhi-Timestamp`), with `Idempotency-Key` so that a
//! retried message is sent once. Without a gateway (development) the message
//! goes to the server log, marked DEV, and nowhere else.
//!
//! [`SmsClient::send`] is all a caller needs: sign-in codes use it, and so
//! can any notification channel.

use std::time::Duration;

use shanzhi_domain::Phone;
use shanzhi_domain::mac::hmac_sha256_hex;

/// How the gateway wants its request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsTemplate {
    /// A JSON document; `{phone}`, `{text}` and `{key}` inside its strings
    /// are replaced (so the values are escaped as JSON strings).
    Json(serde_json::Value),
    /// `application/x-www-form-urlencoded` pairs, e.g. `mobile={phone}&content={text}`.
    Form(Vec<(String, String)>),
}

impl SmsTemplate {
    /// A template from configuration: `format` is `json` or `form`.
    pub fn parse(format: &str, template: &str) -> Result<Self, String> {
        match format {
            "json" => serde_json::from_str(template)
                .map(SmsTemplate::Json)
                .map_err(|e| format!("短信模板不是 JSON (the SMS template is not JSON): {e}")),
            "form" => serde_urlencoded::from_str(template)
                .map(SmsTemplate::Form)
                .map_err(|e| format!("短信模板不是表单 (the SMS template is not a form): {e}")),
            other => {
                Err(format!("短信模板格式应为 json 或 form (the SMS template format must be json or form): {other}"))
            }
        }
    }

    fn fill(text: &str, values: &[(&str, &str); 3]) -> String {
        values.iter().fold(text.to_owned(), |acc, (name, value)| acc.replace(name, value))
    }

    /// The body and its content type.
    fn render(&self, phone: &str, text: &str, key: &str) -> Result<(String, &'static str), SmsError> {
        let values = [("{phone}", phone), ("{text}", text), ("{key}", key)];
        match self {
            SmsTemplate::Json(doc) => {
                let filled = fill_json(doc, &values);
                Ok((filled.to_string(), "application/json"))
            }
            SmsTemplate::Form(pairs) => {
                let filled: Vec<(String, String)> =
                    pairs.iter().map(|(k, v)| (k.clone(), SmsTemplate::fill(v, &values))).collect();
                let body = serde_urlencoded::to_string(&filled).map_err(|e| SmsError(format!("form: {e}")))?;
                Ok((body, "application/x-www-form-urlencoded"))
            }
        }
    }
}

fn fill_json(doc: &serde_json::Value, values: &[(&str, &str); 3]) -> serde_json::Value {
    use serde_json::Value;
    match doc {
        Value::String(s) => Value::String(SmsTemplate::fill(s, values)),
        Value::Array(items) => Value::Array(items.iter().map(|v| fill_json(v, values)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), fill_json(v, values))).collect()),
        other => other.clone(),
    }
}

/// Where and how messages go. The secret is never shown (Debug omits it).
#[derive(Clone)]
pub struct SmsGateway {
    pub url: String,
    pub template: SmsTemplate,
    /// The HMAC key; `None`: requests are not signed.
    pub secret: Option<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for SmsGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsGateway")
            .field("url", &self.url)
            .field("template", &self.template)
            .field("signed", &self.secret.is_some())
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A message the gateway did not take (its answer, or why none came).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("短信未发出 (the text message was not sent): {0}")]
pub struct SmsError(pub String);

/// HMAC-SHA256 of `timestamp + "." + body` under `secret`, hex: what
/// `X-Shanzhi-Signature` carries after `sha256=` (a receiver recomputes it).
pub fn signature(secret: &str, timestamp: &str, body: &str) -> String {
    hmac_sha256_hex(secret.as_bytes(), &[timestamp.as_bytes(), b".", body.as_bytes()])
}

/// Sends text messages, or logs them when there is no gateway.
#[derive(Debug, Clone)]
pub struct SmsClient {
    gateway: Option<SmsGateway>,
    http: reqwest::Client,
}

impl SmsClient {
    pub fn new(gateway: Option<SmsGateway>) -> Self {
        SmsClient { gateway, http: reqwest::Client::new() }
    }

    /// Whether messages reach phones (false: the development log only).
    pub fn is_live(&self) -> bool {
        self.gateway.is_some()
    }

    /// Send `text` to `phone`; `idempotency_key` names the message, so that
    /// the gateway drops a second send of it.
    pub async fn send(&self, phone: &Phone, text: &str, idempotency_key: &str) -> Result<(), SmsError> {
        let Some(gw) = &self.gateway else {
            tracing::warn!(to = %phone.masked(), key = idempotency_key, "DEV 短信（未发送，仅开发用）/ DEV SMS, not sent: {text}");
            return Ok(());
        };
        let (body, content_type) = gw.template.render(phone.reveal(), text, idempotency_key)?;
        let timestamp = jiff::Timestamp::now().as_second().to_string();
        let mut request = self
            .http
            .post(&gw.url)
            .timeout(gw.timeout)
            .header("content-type", content_type)
            .header("idempotency-key", idempotency_key)
            .header("x-shanzhi-timestamp", &timestamp);
        if let Some(secret) = &gw.secret {
            request = request.header("x-shanzhi-signature", format!("sha256={}", signature(secret, &timestamp, &body)));
        }
        let answer = request.body(body).send().await.map_err(|e| SmsError(format!("{}", e.without_url())))?;
        let status = answer.status();
        if !status.is_success() {
            tracing::warn!(to = %phone.masked(), %status, "the SMS gateway refused a message");
            return Err(SmsError(format!("HTTP {status}")));
        }
        tracing::info!(to = %phone.masked(), key = idempotency_key, "text message sent");
        Ok(())
    }
}

/// The notifications' SMS channel goes through the same gateway as the
/// sign-in codes (one configuration, one signature).
#[async_trait::async_trait]
impl crate::notify::SmsGateway for SmsClient {
    async fn send_sms(&self, phone: &str, text: &str, idempotency_key: &str) -> Result<(), String> {
        let phone = Phone::parse(phone).map_err(|e| e.to_string())?;
        self.send(&phone, text, idempotency_key).await.map_err(|e| e.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_in_json_and_encoded_in_forms() {
        let json = SmsTemplate::parse("json", r#"{"to": "{phone}", "msg": ["{text}"], "n": 1}"#).expect("json");
        let (body, kind) = json.render("13900001111", "码\"1\"", "k").expect("render");
        assert_eq!(kind, "application/json");
        let doc: serde_json::Value = serde_json::from_str(&body).expect("still JSON");
        assert_eq!(doc["msg"][0], "码\"1\"");
        assert_eq!(doc["to"], "13900001111");
        let form = SmsTemplate::parse("form", "mobile={phone}&content={text}").expect("form");
        let (body, _) = form.render("13900001111", "a&b=c", "k").expect("render");
        assert_eq!(body, "mobile=13900001111&content=a%26b%3Dc");
        assert!(SmsTemplate::parse("xml", "<a/>").is_err());
        assert!(SmsTemplate::parse("json", "{").is_err());
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Computed apart (Python's hmac module): HMAC-SHA256("key", "1.{}").
        let a = signature("key", "1", "{}");
        assert_eq!(a, "1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224");
        assert_ne!(a, signature("key", "2", "{}"), "the timestamp is signed");
        assert_ne!(a, signature("other", "1", "{}"), "the key matters");
        let debug = format!(
            "{:?}",
            SmsGateway {
                url: "http://x".into(),
                template: SmsTemplate::Form(vec![]),
                secret: Some("s3cret".into()),
                timeout: Duration::from_secs(1),
            }
        );
        assert!(!debug.contains("s3cret"), "{debug}");
    }
}
