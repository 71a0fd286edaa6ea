//! `shanzhi backup --out FILE` and `shanzhi restore FILE`.

use std::path::Path;

use anyhow::{Context, bail};
use shanzhi_app::App;
use shanzhi_store::StoreContents;

use crate::backup::pg::{self, PgTarget};
use crate::backup::{Format, Pending, detect, refuse_existing, size};
use crate::cli::{BackupArgs, RestoreArgs};
use crate::config::Config;
use crate::database_url::DatabaseUrl;
use crate::store::StoreLocation;

pub async fn backup(config: &Config, args: &BackupArgs) -> anyhow::Result<()> {
    if args.out.exists() && !args.force {
        bail!(refuse_existing(&args.out));
    }
    let (backend, held) = match StoreLocation::of(config)? {
        StoreLocation::Sqlite(db) => ("sqlite", backup_sqlite(&db, &args.out, args.force).await?),
        StoreLocation::Postgres(url) => ("postgres", backup_pg(&url, &args.out, args.force).await?),
    };
    let bytes = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    println!(
        "已备份 (backup written): {} — {}, {backend}, 事件 {} 件、处置记录 {} 条 ({} matters, {} timeline events), \
         结构版本 {} (schema version {})",
        args.out.display(),
        size(bytes),
        held.matters,
        held.matter_events,
        held.matters,
        held.matter_events,
        held.schema_version,
        held.schema_version
    );
    Ok(())
}

/// `VACUUM INTO` a file beside FILE, check the copy, then move it into place.
async fn backup_sqlite(db: &Path, out: &Path, force: bool) -> anyhow::Result<StoreContents> {
    if !db.is_file() {
        bail!("找不到数据库 (no database at) {}", db.display());
    }
    if same_file(db, out) {
        bail!("备份文件不能是数据库本身 (the backup file cannot be the database itself)");
    }
    let pending = Pending::beside(out)?;
    shanzhi_store_sqlite::backup_into(db, pending.path())
        .await
        .with_context(|| format!("备份失败 (backup failed): {}", db.display()))?;
    let held = shanzhi_store_sqlite::check_backup(pending.path())
        .await
        .context("备份副本未通过检查，未写出备份 (the copy failed its checks; no backup written)")?;
    pending.publish(out, force)?;
    Ok(held)
}

/// `pg_dump` of one snapshot, counted in the same snapshot.
async fn backup_pg(url: &DatabaseUrl, out: &Path, force: bool) -> anyhow::Result<StoreContents> {
    let pg_dump = pg::find_tool("pg_dump")?;
    let target = PgTarget::from_url(url)?;
    let snapshot = shanzhi_store_pg::export_snapshot(url.expose())
        .await
        .with_context(|| format!("无法读取数据库 (cannot read the database) {url}"))?;
    let pending = Pending::beside(out)?;
    let (id, file) = (snapshot.id.clone(), pending.path().to_path_buf());
    // The snapshot's transaction stays open on this task while pg_dump runs.
    let dumped = tokio::task::spawn_blocking(move || target.dump(&pg_dump, &id, &file)).await;
    let held = snapshot.contents;
    snapshot.release().await.context("无法结束读取事务 (cannot end the snapshot's transaction)")?;
    dumped.context("pg_dump")??;
    if detect(pending.path()).ok() != Some(Format::PgDump) {
        bail!(
            "pg_dump 的输出不是自定义格式，未写出备份 (pg_dump did not write a custom-format archive; no backup written)"
        );
    }
    pending.publish(out, force)?;
    Ok(held)
}

pub async fn restore(config: &Config, args: &RestoreArgs) -> anyhow::Result<()> {
    let format = detect(&args.file)?;
    match (format, StoreLocation::of(config)?) {
        (Format::Sqlite, StoreLocation::Sqlite(db)) => restore_sqlite(&args.file, &db, args.force).await?,
        (Format::PgDump, StoreLocation::Postgres(url)) => restore_pg(&args.file, &url, args.force).await?,
        (Format::Sqlite, StoreLocation::Postgres(_)) => bail!(
            "这是 SQLite 备份，只能恢复到 SQLite 数据库（--data-dir 或 sqlite:// 地址） \
             (a SQLite backup restores only into SQLite: use --data-dir or a sqlite:// URL)"
        ),
        (Format::PgDump, StoreLocation::Sqlite(_)) => bail!(
            "这是 PostgreSQL 备份（pg_dump），只能恢复到 PostgreSQL（--database-url postgres://…） \
             (a pg_dump backup restores only into PostgreSQL: use --database-url postgres://…)"
        ),
    }
    // Opening migrates: an older backup comes up to this build's schema.
    let store = crate::open_store(config).await?;
    let result = async {
        let held = store.contents().await?;
        println!(
            "已恢复 (restored): {0}, 区划 {1} 个、账号 {2} 个、事件 {3} 件、处置记录 {4} 条 \
             ({1} divisions, {2} accounts, {3} matters, {4} timeline events), 结构版本 {5} (schema version {5})",
            args.file.display(),
            held.divisions,
            held.users,
            held.matters,
            held.matter_events,
            held.schema_version
        );
        let app = App::new(store.clone()).0.with_log(crate::log_setup(config)?);
        crate::commands::log::run_checks(&app, None, &[]).await
    }
    .await;
    store.close().await;
    result
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(a), Ok(b)) if a == b)
}

fn refuse_in_use(held: &StoreContents) -> anyhow::Error {
    anyhow::anyhow!(
        "目标数据库已有数据（区划 {} 个、账号 {} 个、事件 {} 件），未做任何改动；确要用备份替换它，请加 --force \
         (the target store already holds data ({} divisions, {} accounts, {} matters); nothing was changed; \
         add --force to replace it with the backup)",
        held.divisions,
        held.users,
        held.matters,
        held.divisions,
        held.users,
        held.matters
    )
}

/// Check the file, then copy it into place beside the database and rename.
async fn restore_sqlite(file: &Path, db: &Path, force: bool) -> anyhow::Result<()> {
    if same_file(file, db) {
        bail!("备份文件就是目标数据库本身 (the backup file is the target database itself)");
    }
    shanzhi_store_sqlite::check_backup(file).await.with_context(|| {
        format!(
            "备份文件未通过检查，未做任何改动 (the backup failed its checks; nothing was changed): {}",
            file.display()
        )
    })?;
    if let Some(held) = shanzhi_store_sqlite::existing_contents(db)
        .await
        .with_context(|| format!("无法读取目标数据库 (cannot read the target database) {}", db.display()))?
        && !held.is_empty()
        && !force
    {
        return Err(refuse_in_use(&held));
    }
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("无法创建数据目录 (cannot create the data directory) {}", dir.display()))?;
    }
    let pending = Pending::beside(db)?;
    std::fs::copy(file, pending.path())
        .with_context(|| format!("无法复制备份 (cannot copy the backup) to {}", pending.path().display()))?;
    // The old database's journal would be replayed onto the restored file:
    // remove it first. (A crash right after loses only the database being replaced.)
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut stale = db.as_os_str().to_owned();
        stale.push(suffix);
        match std::fs::remove_file(&stale) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("无法删除 (cannot remove) {}", Path::new(&stale).display()));
            }
            _ => {}
        }
    }
    pending.publish(db, true)
}

/// Check the archive, then `pg_restore` it into the schema it was taken from.
async fn restore_pg(file: &Path, url: &DatabaseUrl, force: bool) -> anyhow::Result<()> {
    let pg_restore = pg::find_tool("pg_restore")?;
    let target = PgTarget::from_url(url)?;
    let listing = pg::listing(&pg_restore, file)?;
    let Some(dumped) = pg::dumped_schema(&listing) else {
        bail!(
            "这个 pg_dump 文件里没有善治的数据表，未做任何改动 (this pg_dump archive holds no Shanzhi tables; nothing was changed)"
        );
    };
    // pg_restore cannot move objects to another schema: the URL must open the dump's.
    let wanted = target.schema.clone().unwrap_or_else(|| "public".to_owned());
    if dumped != wanted {
        bail!(
            "备份取自模式 {dumped}，而目标地址指向模式 {wanted}，未做任何改动；请在地址中加 ?options=-c%20search_path%3D{dumped} \
             (the dump holds schema {dumped} but the URL opens {wanted}; nothing was changed; restore with \
             ?options=-c%20search_path%3D{dumped} in the URL, into a database where that schema is free)"
        );
    }
    if let Some(held) = shanzhi_store_pg::existing_contents(url.expose())
        .await
        .with_context(|| format!("无法读取目标数据库 (cannot read the target database) {url}"))?
        && !held.is_empty()
        && !force
    {
        return Err(refuse_in_use(&held));
    }
    shanzhi_store_pg::ensure_schema(url.expose(), &dumped)
        .await
        .with_context(|| format!("无法创建模式 (cannot create the schema) {dumped}"))?;
    let file = file.to_path_buf();
    tokio::task::spawn_blocking(move || target.restore(&pg_restore, &file, &listing, &dumped))
        .await
        .context("pg_restore")?
        .context("恢复失败，pg_restore 已回滚 (the restore failed; pg_restore rolled it back)")
}
