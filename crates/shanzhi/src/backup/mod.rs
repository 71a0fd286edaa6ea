//! Backup files: which backend wrote one, and writing them so that a crash
//! never leaves a half-written file under the name asked for.

pub mod pg;

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// What a backup file is, by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A SQLite database file (`shanzhi backup` on SQLite).
    Sqlite,
    /// pg_dump's custom format (`shanzhi backup` on PostgreSQL).
    PgDump,
}

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const PGDUMP_MAGIC: &[u8] = b"PGDMP";

/// The format of the file at `path`, or a clear error if it is neither.
pub fn detect(path: &Path) -> anyhow::Result<Format> {
    let mut head = Vec::with_capacity(SQLITE_MAGIC.len());
    std::fs::File::open(path)
        .and_then(|f| f.take(SQLITE_MAGIC.len() as u64).read_to_end(&mut head))
        .with_context(|| format!("无法读取备份文件 (cannot read the backup file) {}", path.display()))?;
    if head.starts_with(SQLITE_MAGIC) {
        Ok(Format::Sqlite)
    } else if head.starts_with(PGDUMP_MAGIC) {
        Ok(Format::PgDump)
    } else {
        bail!(
            "{} 不是善治的备份文件：既不是 SQLite 数据库，也不是 pg_dump 自定义格式 \
             (not a Shanzhi backup: neither a SQLite database nor a pg_dump custom-format file)",
            path.display()
        )
    }
}

/// A file being written beside its final name; removed unless published.
#[derive(Debug)]
pub struct Pending {
    path: PathBuf,
}

impl Pending {
    /// A name in the same directory as `target` (so the final rename stays on
    /// one file system and is atomic); nothing is created yet.
    pub fn beside(target: &Path) -> anyhow::Result<Pending> {
        let name = target
            .file_name()
            .with_context(|| format!("不是文件路径 (not a file path): {}", target.display()))?
            .to_string_lossy();
        let dir = parent(target);
        if !dir.is_dir() {
            bail!("目录不存在 (no such directory): {}", dir.display());
        }
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        Ok(Pending { path: dir.join(format!(".{name}.partial-{}-{nanos}", std::process::id())) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sync the file, move it to `target` (replacing it only if `replace`),
    /// and sync the directory so the new name survives a crash.
    pub fn publish(self, target: &Path, replace: bool) -> anyhow::Result<()> {
        sync_file(&self.path)?;
        if !replace && target.exists() {
            bail!(refuse_existing(target));
        }
        std::fs::rename(&self.path, target).with_context(|| format!("无法写入 (cannot write) {}", target.display()))?;
        // A directory can only be synced on Unix; elsewhere rename is the best we have.
        if cfg!(unix)
            && let Ok(dir) = std::fs::File::open(parent(target))
        {
            dir.sync_all()
                .with_context(|| format!("无法同步目录 (cannot sync the directory of) {}", target.display()))?;
        }
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        // Gone already once published.
        let _ = std::fs::remove_file(&self.path);
    }
}

pub fn refuse_existing(target: &Path) -> String {
    format!("文件已存在：{}；如要覆盖请加 --force (the file exists; add --force to replace it)", target.display())
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn sync_file(path: &Path) -> anyhow::Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("无法把文件写到磁盘 (cannot sync the file) {}", path.display()))
}

/// `12.3 MiB`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_their_first_bytes() {
        let dir = tempfile::tempdir().expect("dir");
        let cases: [(&str, &[u8], Option<Format>); 4] = [
            ("a.db", b"SQLite format 3\0rest of the header", Some(Format::Sqlite)),
            ("b.dump", b"PGDMP\x01\x0e\x00", Some(Format::PgDump)),
            ("c.txt", b"SQLite format 2\0", None),
            ("d.empty", b"", None),
        ];
        for (name, bytes, expected) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).expect("write");
            match (detect(&path), expected) {
                (Ok(found), Some(want)) => assert_eq!(found, want, "{name}"),
                (Err(e), None) => assert!(e.to_string().contains("not a Shanzhi backup"), "{name}: {e}"),
                (other, _) => panic!("{name}: {other:?}"),
            }
        }
        assert!(detect(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn a_pending_file_is_removed_unless_published_and_never_replaces_by_accident() {
        let dir = tempfile::tempdir().expect("dir");
        let target = dir.path().join("backup.db");
        let pending = Pending::beside(&target).expect("pending");
        std::fs::write(pending.path(), b"half").expect("write");
        let partial = pending.path().to_path_buf();
        drop(pending);
        assert!(!partial.exists(), "an abandoned file is removed");

        let pending = Pending::beside(&target).expect("pending");
        std::fs::write(pending.path(), b"one").expect("write");
        pending.publish(&target, false).expect("publish");
        let pending = Pending::beside(&target).expect("pending");
        std::fs::write(pending.path(), b"two").expect("write");
        let err = pending.publish(&target, false).expect_err("refused");
        assert!(err.to_string().contains("--force"), "{err}");
        assert_eq!(std::fs::read(&target).expect("read"), b"one");
        let pending = Pending::beside(&target).expect("pending");
        std::fs::write(pending.path(), b"three").expect("write");
        pending.publish(&target, true).expect("replace");
        assert_eq!(std::fs::read(&target).expect("read"), b"three");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1, "no partial file left");
        assert_eq!(size(1536), "1.5 KiB");
    }
}
