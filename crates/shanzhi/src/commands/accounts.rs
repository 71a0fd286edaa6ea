//! `shanzhi user password|disable|enable`, `shanzhi token list|revoke`.

use shanzhi_app::access::AdminDesk;

use super::people::{operator, read_password};
use crate::cli::{TokenRevokeArgs, UserNameArgs, UserPasswordArgs};
use crate::config::Config;

pub async fn user_password(config: &Config, args: &UserPasswordArgs) -> anyhow::Result<()> {
    let given = if args.password_stdin { Some(read_password()?) } else { None };
    let generated = super::as_operator(config, async |app| {
        app.scoped(&operator()).desk::<AdminDesk>()?.reset_password(&args.username, given.as_deref()).await
    })
    .await?;
    println!("已设置 {} 的密码，其会话已全部失效 (password set; every session ended)", args.username);
    if let Some(p) = generated {
        println!("新密码（仅显示这一次）/ new password (shown once): {p}");
    }
    Ok(())
}

pub async fn user_disabled(config: &Config, args: &UserNameArgs, disabled: bool) -> anyhow::Result<()> {
    super::as_operator(config, async |app| {
        app.scoped(&operator()).desk::<AdminDesk>()?.set_disabled(&args.username, disabled).await
    })
    .await?;
    if disabled {
        println!("已停用账号 {} (disabled)", args.username);
    } else {
        println!("已启用账号 {} (enabled)", args.username);
    }
    Ok(())
}

pub async fn token_list(config: &Config, args: &UserNameArgs) -> anyhow::Result<()> {
    let tokens =
        super::as_operator(config, async |app| app.scoped(&operator()).tokens(Some(&args.username)).await).await?;
    for t in tokens {
        let state = t.revoked_at.map_or_else(|| "有效 (live)".to_owned(), |at| format!("已撤销 (revoked) {at}"));
        println!("{}\t{}\t{}\t{state}", t.id, t.created_at, t.name);
    }
    Ok(())
}

pub async fn token_revoke(config: &Config, args: &TokenRevokeArgs) -> anyhow::Result<()> {
    super::as_operator(config, async |app| app.scoped(&operator()).revoke_token(Some(&args.username), &args.id).await)
        .await?;
    println!("已撤销令牌 {} (revoked)", args.id);
    Ok(())
}
