//! The channels: the log (development), a signed webhook, and the SMS
//! channel's plug (the gateway client implements [`SmsGateway`]).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use shanzhi_domain::mac::hmac_sha256_hex;

use super::{Delivery, NoticeChannel};

/// Writes each notification to the log (`tracing`, target `notify`): the
/// development default for every external channel.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogChannel;

#[async_trait]
impl NoticeChannel for LogChannel {
    async fn deliver(&self, d: &Delivery<'_>) -> Result<(), String> {
        let n = &d.record.notice;
        tracing::info!(
            target: "notify",
            id = d.idempotency_key,
            channel = %n.channel,
            recipient = %n.recipient,
            kind = %n.kind,
            title = %n.title_zh,
            "notification"
        );
        Ok(())
    }
}

/// Where the webhook posts, and the secret it signs with.
#[derive(Clone)]
pub struct WebhookConfig {
    pub url: String,
    pub secret: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("WebhookConfig").field("url", &self.url).field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the header
/// `X-Shanzhi-Signature`. The time inside the signed text lets a receiver
/// refuse replays (older than a few minutes).
pub fn sign_webhook(secret: &[u8], unix_seconds: i64, body: &[u8]) -> String {
    let hex = hmac_sha256_hex(secret, &[unix_seconds.to_string().as_bytes(), b".", body]);
    format!("t={unix_seconds},v1={hex}")
}

/// POSTs each notification as JSON to one URL, signed (see
/// [`sign_webhook`]), with the notification id as `Idempotency-Key`.
#[derive(Debug, Clone)]
pub struct WebhookChannel {
    config: WebhookConfig,
    client: reqwest::Client,
}

impl WebhookChannel {
    pub fn new(config: WebhookConfig) -> Result<WebhookChannel, String> {
        let client = reqwest::Client::builder().timeout(config.timeout).build().map_err(|e| e.to_string())?;
        Ok(WebhookChannel { config, client })
    }
}

#[async_trait]
impl NoticeChannel for WebhookChannel {
    async fn deliver(&self, d: &Delivery<'_>) -> Result<(), String> {
        let n = &d.record.notice;
        let body = serde_json::json!({
            "id": n.id,
            "kind": n.kind,
            "recipient": n.recipient,
            "recipient_name": d.recipient_name,
            "title_zh": n.title_zh,
            "title_en": n.title_en,
            "body_zh": n.body_zh,
            "body_en": n.body_en,
            "link": n.link,
            "urgent": n.urgent,
            "created_at": n.created_at.timestamp().to_string(),
        })
        .to_string();
        let now = jiff::Timestamp::now().as_second();
        let signature = sign_webhook(self.config.secret.as_bytes(), now, body.as_bytes());
        let resp = self
            .client
            .post(&self.config.url)
            .header("content-type", "application/json; charset=utf-8")
            .header("idempotency-key", d.idempotency_key)
            .header("x-shanzhi-signature", signature)
            .body(body)
            .send()
            .await
            .map_err(|e| format!("webhook: {e}"))?;
        if resp.status().is_success() { Ok(()) } else { Err(format!("webhook: HTTP {}", resp.status().as_u16())) }
    }
}

/// What an SMS gateway client offers the notifications: send `text` to
/// `phone`, once per `idempotency_key` where the gateway supports it. The
/// resident sign-up's gateway client (configurable HTTP gateway) implements
/// it; until then the log stands in for SMS.
#[async_trait]
pub trait SmsGateway: Send + Sync + std::fmt::Debug {
    async fn send_sms(&self, phone: &str, text: &str, idempotency_key: &str) -> Result<(), String>;
}

/// The SMS channel over a gateway.
#[derive(Debug, Clone)]
pub struct SmsChannel(pub Arc<dyn SmsGateway>);

#[async_trait]
impl NoticeChannel for SmsChannel {
    async fn deliver(&self, d: &Delivery<'_>) -> Result<(), String> {
        let Some(phone) = d.address.as_deref() else {
            return Err("短信：收件人没有手机号 (sms: the recipient has no phone number)".to_owned());
        };
        let n = &d.record.notice;
        let text = format!("【善治】{}", n.title_zh);
        self.0.send_sms(phone, &text, d.idempotency_key).await
    }
}
