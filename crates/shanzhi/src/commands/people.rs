//! `shanzhi user add`, `shanzhi token create`.

use std::io::BufRead;

use anyhow::{Context, bail};
use shanzhi_app::access::{AdminDesk, NewStaff};

use crate::cli::{TokenCreateArgs, UserAddArgs};
use crate::config::Config;

/// The operator at this terminal, as the audit log names them.
pub(crate) fn operator() -> String {
    let who = std::env::var("USER").unwrap_or_else(|_| "operator".to_owned());
    format!("cli:{who}")
}

/// One line of standard input: a password.
pub(crate) fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("无法读取标准输入 (cannot read standard input)")?;
    let line = line.trim_end_matches(['\r', '\n']).to_owned();
    if line.is_empty() {
        bail!("标准输入中没有密码 (no password on standard input)");
    }
    Ok(line)
}

pub async fn user_add(config: &Config, args: &UserAddArgs) -> anyhow::Result<()> {
    let role = args.role.parse().map_err(|m: shanzhi_domain::text::Bilingual| anyhow::anyhow!("{m}"))?;
    let (password, generated) =
        if args.password_stdin { (read_password()?, false) } else { (shanzhi_app::access::generate_password(), true) };
    let user = super::as_operator(config, async |app| {
        app.scoped(&operator())
            .desk::<AdminDesk>()?
            .create_user(NewStaff {
                username: args.username.clone(),
                display_name: args.name.clone().unwrap_or_else(|| args.username.clone()),
                phone: args.phone.clone(),
                password: Some(password.clone()),
                role,
                scope: args.scope.clone(),
                from: None,
                to: None,
            })
            .await
    })
    .await?;
    let scope = user.assignments.first().and_then(|a| a.scope.as_ref()).map(|s| s.to_string()).unwrap_or_default();
    println!("已创建账号 {} ({}) {} (created)", user.username, args.role, scope);
    if generated {
        println!("初始密码（仅显示这一次）/ initial password (shown once): {password}");
    }
    Ok(())
}

pub async fn token_create(config: &Config, args: &TokenCreateArgs) -> anyhow::Result<()> {
    let token = super::as_operator(config, async |app| app.create_api_token(&args.username, &args.name).await).await?;
    // Only the token: scripts capture it.
    println!("{}", token.token);
    Ok(())
}
