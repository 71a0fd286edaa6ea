//! `shanzhi audit verify|checkpoint|keygen|export-log|rotate-key`: the
//! transparency log at the command line.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use shanzhi_app::App;
use shanzhi_app::access::verify_audit_chain;
use shanzhi_app::deliberation::verify_deliberation;
use shanzhi_app::matters::verify_matter_chains;
use shanzhi_app::tlog::{CheckpointFiles, verify_log, write_key_file};
use shanzhi_app::volunteers::verify_points;
use shanzhi_domain::tlog::{SecretKey, SignedCheckpoint, VerifierKey, hash_to_hex};

use crate::cli::{KeygenArgs, OutArgs, RotateArgs, VerifyArgs};
use crate::config::Config;

fn read_checkpoint(path: &Path) -> anyhow::Result<SignedCheckpoint> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("无法读取检查点 (cannot read the checkpoint) {}", path.display()))?;
    SignedCheckpoint::parse(&text)
        .map_err(|e| anyhow::anyhow!("检查点格式无效 (not a checkpoint) {}: {e}", path.display()))
}

fn read_keys(path: &Path) -> anyhow::Result<Vec<VerifierKey>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("无法读取公钥文件 (cannot read the key file) {}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| VerifierKey::parse(l).map_err(|e| anyhow::anyhow!("{}: {e}", path.display())))
        .collect()
}

pub async fn verify(config: &Config, args: &VerifyArgs) -> anyhow::Result<()> {
    let extra = match &args.public_key {
        Some(p) => read_keys(p)?,
        None => Vec::new(),
    };
    let checkpoint = args.checkpoint.clone();
    let (store, app, _) = crate::open_app(config).await?;
    let result = run_checks(&app, checkpoint, &extra).await;
    store.close().await;
    result
}

/// Every check of `audit verify`; `checkpoint` (else the latest in the
/// checkpoint directory) anchors the log. Prints what passed; fails naming
/// everything that did not. `restore` runs them too.
pub async fn run_checks(app: &App, checkpoint: Option<PathBuf>, extra_keys: &[VerifierKey]) -> anyhow::Result<()> {
    let mut failures: Vec<String> = Vec::new();
    let files = app.log_setup().checkpoint_dir.as_deref().map(CheckpointFiles::new);
    let path = checkpoint.or_else(|| files.as_ref().and_then(CheckpointFiles::latest));
    let signed = path.as_deref().map(read_checkpoint).transpose()?;
    let mut keys = app.log_setup().trusted_keys();
    keys.extend(extra_keys.iter().cloned());
    if signed.is_some() && keys.is_empty() {
        bail!(
            "没有可用于验证检查点的公钥：请配置 tlog_key_file 或用 --public-key 指定 \
             (no public key to check the checkpoint with: configure tlog_key_file or pass --public-key)"
        );
    }
    let history = files.as_ref().map(CheckpointFiles::history).unwrap_or_default();
    let log = verify_log(app, signed.as_ref(), &keys, &history).await?;
    match (&signed, &path) {
        (Some(cp), Some(p)) => println!(
            "检查点 (checkpoint) {}: {} 条 (leaves), 根哈希 (root) {}",
            p.display(),
            cp.checkpoint.size,
            hash_to_hex(&cp.checkpoint.root)
        ),
        _ => println!(
            "没有检查点：只能检查日志自身的一致性，无法证明它未被整体改写 \
             (no checkpoint: only the log's own consistency is checked, not that it was not rewritten whole)"
        ),
    }
    if log.problems.is_empty() {
        println!(
            "透明日志完整：{} 条，与签名检查点一致，每条记录都在日志中且未被改动 \
             (transparency log intact: {} leaves, consistent with the signed checkpoint; every record logged and unchanged)",
            log.leaves, log.leaves
        );
    } else {
        let mut lines: Vec<String> = log.problems.iter().map(|p| format!("  {} ({})", p.zh, p.en)).collect();
        if log.more_problems > 0 {
            lines.push(format!("  …… 另有 {} 处 (and {} more)", log.more_problems, log.more_problems));
        }
        failures.push(format!(
            "透明日志发现 {} 处问题 (the transparency log found {} problems):\n{}",
            log.problems.len() + log.more_problems,
            log.problems.len() + log.more_problems,
            lines.join("\n")
        ));
    }
    let audit = verify_audit_chain(app).await?;
    match audit.broken_at {
        Some(seq) => {
            failures.push(format!("审计日志在第 {seq} 条处被改动或删除 (the audit log is broken at entry {seq})"))
        }
        None => {
            println!("审计日志完整：{} 条记录，哈希链无误 (audit log intact: {} entries)", audit.entries, audit.entries)
        }
    }
    let m = verify_matter_chains(app).await?;
    if m.broken.is_empty() {
        println!(
            "事件处置记录完整：{} 个事件、{} 条记录 (matter timelines intact: {} matters, {} events)",
            m.matters, m.events, m.matters, m.events
        );
    } else {
        let list: Vec<String> = m.broken.iter().map(|(number, what)| format!("  {number}: {what}")).collect();
        failures.push(format!(
            "{} 个事件的处置记录被改动 ({} matters' timelines were altered):\n{}",
            m.broken.len(),
            m.broken.len(),
            list.join("\n")
        ));
    }
    let d = verify_deliberation(app).await?;
    if d.problems.is_empty() {
        println!(
            "议事记录完整：{} 条表决、{} 个社区资金台账共 {} 条，哈希链无误 \
             (deliberation intact: {} votes, {} fund ledgers with {} entries)",
            d.votes, d.ledgers, d.entries, d.votes, d.ledgers, d.entries
        );
    } else {
        let list: Vec<String> = d.problems.iter().map(|(zh, en)| format!("  {zh} ({en})")).collect();
        failures.push(format!("议事表决或资金台账被改动 (votes or fund ledgers were altered):\n{}", list.join("\n")));
    }
    let p = verify_points(app).await?;
    if p.problems.is_empty() {
        println!(
            "公益积分台账完整：{} 位居民共 {} 条，余额无误 (points ledgers intact: {} residents, {} entries)",
            p.ledgers, p.entries, p.ledgers, p.entries
        );
    } else {
        let list: Vec<String> = p.problems.iter().map(|(zh, en)| format!("  {zh} ({en})")).collect();
        failures.push(format!("公益积分台账被改动 (points ledgers were altered):\n{}", list.join("\n")));
    }
    if failures.is_empty() { Ok(()) } else { bail!(failures.join("\n")) }
}

pub async fn checkpoint(config: &Config, args: &OutArgs) -> anyhow::Result<()> {
    let (store, app, _) = crate::open_app(config).await?;
    let result = app.sign_checkpoint().await;
    store.close().await;
    let (signed, kept) = result?;
    write_new(&args.out, &signed.to_text())?;
    println!(
        "已签发检查点 (checkpoint signed): {} 条 (leaves), 根哈希 (root) {}, 写入 (written to) {}{}",
        signed.checkpoint.size,
        hash_to_hex(&signed.checkpoint.root),
        args.out.display(),
        kept.map(|p| format!(" 及 (and) {}", p.display())).unwrap_or_default()
    );
    Ok(())
}

fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("无法写入 (cannot write) {}", path.display()))
}

/// The default origin: the public URL's host (and port) and `/log`.
fn default_origin(config: &Config) -> String {
    let url = config.public_url();
    let host = url::Url::parse(&url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_owned(),
            })
        })
        .unwrap_or_else(|| "shanzhi.local".to_owned());
    format!("{host}/log")
}

fn new_key(origin: &str) -> anyhow::Result<SecretKey> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("random source: {e}"))?;
    SecretKey::from_seed(origin, seed).map_err(|e| anyhow::anyhow!("密钥名称无效 (bad key name): {e}"))
}

pub fn keygen(config: &Config, args: &KeygenArgs) -> anyhow::Result<()> {
    let origin = args.origin.clone().unwrap_or_else(|| default_origin(config));
    let key = new_key(&origin)?;
    let public = write_key_file(&args.out, &key).map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    println!(
        "已生成日志签名密钥 (log signing key written): {}\n公钥 (public key): {}\n\
         在 shanzhi.toml 中设置 tlog_key_file = \"{}\"；公开公钥，并把私钥备份在数据库之外 \
         (set tlog_key_file in shanzhi.toml; publish the public key; back the private key up away from the database)",
        args.out.display(),
        public.to_text(),
        args.out.display()
    );
    Ok(())
}

pub async fn export(config: &Config, args: &OutArgs) -> anyhow::Result<()> {
    let (store, app, key) = crate::open_app(config).await?;
    let result = async {
        let file = std::fs::File::create(&args.out)
            .with_context(|| format!("无法写入 (cannot write) {}", args.out.display()))?;
        let mut out = std::io::BufWriter::new(file);
        let n = app.operator(&key).export_log(&mut out).await?;
        out.flush()?;
        anyhow::Ok(n)
    }
    .await;
    store.close().await;
    let n = result?;
    println!("已导出日志 {n} 条 (exported {n} leaves) to {}", args.out.display());
    Ok(())
}

pub async fn rotate_key(config: &Config, args: &RotateArgs) -> anyhow::Result<()> {
    let (store, app, _) = crate::open_app(config).await?;
    let result = async {
        let files = app.log_setup().checkpoint_dir.as_deref().map(CheckpointFiles::new);
        let old = match (&args.from_checkpoint, app.log_setup().signer.is_some()) {
            (Some(p), _) => read_checkpoint(p)?,
            (None, true) => app.sign_checkpoint().await?.0,
            (None, false) => match files.as_ref().and_then(CheckpointFiles::latest) {
                Some(p) => read_checkpoint(&p)?,
                None => bail!("没有旧日志的检查点可以承接 (no checkpoint of the old log to continue from)"),
            },
        };
        if old.verify_any(&app.log_setup().trusted_keys()).is_err() {
            bail!("旧检查点的签名无法用本日志的公钥验证 (the old checkpoint does not verify with the log's keys)");
        }
        let key = new_key(&old.checkpoint.origin)?;
        let public = write_key_file(&args.new_key, &key).map_err(|e| anyhow::anyhow!("{}", e.message()))?;
        let mut setup = app.log_setup().clone();
        setup.signer = Some(std::sync::Arc::new(key));
        let app = app.with_log(setup);
        let index = app.start_segment(&old).await?;
        let (signed, _) = app.sign_checkpoint().await?;
        anyhow::Ok((public, index, signed, old))
    }
    .await;
    store.close().await;
    let (public, index, signed, old) = result?;
    println!(
        "新日志分段已开始 (new log segment started): 第 {} 条承接旧检查点（{} 条）(leaf {} continues the old checkpoint of {} leaves)\n\
         新公钥 (new public key): {}\n新检查点 (new checkpoint): {} 条 (leaves)\n\
         请把 tlog_key_file 改为 {} 并公布新公钥 (point tlog_key_file at the new key and publish it)",
        index + 1,
        old.checkpoint.size,
        index,
        old.checkpoint.size,
        public.to_text(),
        signed.checkpoint.size,
        args.new_key.display()
    );
    Ok(())
}
