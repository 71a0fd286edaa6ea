//! The e-mail channel: each notice as a plain-text message over SMTP
//! (lettre), Chinese first and English second, to the address in the
//! person's notification settings. The notification id is the message's
//! `Message-ID`, so a mailbox that sees the same message twice (delivery is
//! at least once) can tell.

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use shanzhi_domain::notify::EmailAddress;

use super::{Delivery, NoticeChannel};

/// Where and how to hand mail over.
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// Sign in with these (both or neither).
    pub user: Option<String>,
    pub password: Option<String>,
    /// The sender, `addr` or `名字 <addr>`.
    pub from: String,
    /// Upgrade the connection with STARTTLS (required when true); false:
    /// plain SMTP, for a relay on the same host or network.
    pub starttls: bool,
    /// The site's address, to make the notice's link whole.
    pub public_url: Option<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("from", &self.from)
            .field("starttls", &self.starttls)
            .finish_non_exhaustive()
    }
}

/// Sends each notice as one e-mail.
#[derive(Clone)]
pub struct EmailChannel {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: Option<String>,
}

impl std::fmt::Debug for EmailChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailChannel").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl EmailChannel {
    pub fn new(config: SmtpConfig) -> Result<EmailChannel, String> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| format!("smtp_from 不是有效的发件地址 (not a valid sender address): {e}"))?;
        let builder = if config.starttls {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host).map_err(|e| format!("smtp: {e}"))?
        } else {
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
        };
        let builder = builder.port(config.port).timeout(Some(config.timeout));
        let builder = match (config.user, config.password) {
            (Some(user), Some(password)) => builder.credentials(Credentials::new(user, password)),
            (None, None) => builder,
            _ => {
                return Err(
                    "smtp_user 与 smtp_password 须一起设置 (set smtp_user and smtp_password together)".to_owned()
                );
            }
        };
        let public_url = config.public_url.map(|u| u.trim_end_matches('/').to_owned());
        Ok(EmailChannel { transport: builder.build(), from, public_url })
    }

    /// The message of one delivery (public for tests and previews).
    pub fn message(&self, d: &Delivery<'_>) -> Result<Message, String> {
        let Some(address) = d.address.as_deref() else {
            return Err("电子邮件：收件人没有填写电子邮件地址 (email: the recipient has no e-mail address)".to_owned());
        };
        let address = EmailAddress::parse(address).map_err(|m| format!("{} ({})", m.zh, m.en))?;
        let to: Mailbox = address.as_str().parse().map_err(|e| format!("email: {e}"))?;
        let n = &d.record.notice;
        let subject = format!("【善治】{} / {}", n.title_zh, n.title_en);
        let greeting = d.recipient_name.as_deref().map(|name| format!("{name}，您好：\n\n")).unwrap_or_default();
        let link = n.link.as_deref().map(|l| match &self.public_url {
            Some(base) if l.starts_with('/') => format!("{base}{l}"),
            _ => l.to_owned(),
        });
        let mut body = format!("{greeting}{}\n\n{}\n", n.title_zh, n.body_zh);
        if let Some(link) = &link {
            body.push_str(&format!("\n查看详情：{link}\n"));
        }
        body.push_str(&format!("\n----\n{}\n\n{}\n", n.title_en, n.body_en));
        if let Some(link) = &link {
            body.push_str(&format!("\nDetails: {link}\n"));
        }
        body.push_str("\n此邮件由善治平台自动发送，请勿回复。\nSent by the Shanzhi platform; please do not reply.\n");
        let domain = self.from.email.domain().to_owned();
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{}@{domain}>", d.idempotency_key)))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("email: {e}"))
    }
}

#[async_trait]
impl NoticeChannel for EmailChannel {
    async fn deliver(&self, d: &Delivery<'_>) -> Result<(), String> {
        let message = self.message(d)?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| format!("smtp: {e}"))
    }
}
