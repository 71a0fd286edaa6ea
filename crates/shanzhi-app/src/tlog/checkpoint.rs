//! Signing checkpoints: the key file, the checkpoint directory outside the
//! database (`checkpoint-<size>-<unix time>.txt`, every one kept, and
//! `keys.txt` listing every key the log has signed with), and the copy in
//! the database that serves the API.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use shanzhi_domain::Micros;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::tlog::{Checkpoint, LeafRecord, SecretKey, SignedCheckpoint, Signer, VerifierKey};
use shanzhi_store::StoredCheckpoint;

use crate::{App, AppError, AppResult};

/// Largest key or checkpoint file read.
const MAX_FILE: u64 = 64 * 1024;

fn io_error(what: &str, path: &Path, e: std::io::Error) -> AppError {
    AppError::internal(format!("{what} {}: {e}", path.display()))
}

fn read_small(path: &Path) -> std::io::Result<String> {
    let len = std::fs::metadata(path)?.len();
    if len > MAX_FILE {
        return Err(std::io::Error::other(format!("larger than {MAX_FILE} bytes")));
    }
    std::fs::read_to_string(path)
}

/// The signer of a key file (`shanzhi audit keygen`): the private key stays
/// in this process. An HSM or KMS would implement [`Signer`] instead.
pub fn load_signer(path: &Path) -> AppResult<Arc<dyn Signer>> {
    let text = read_small(path).map_err(|e| io_error("cannot read the log key file", path, e))?;
    let key = SecretKey::parse(&text).map_err(|e| {
        AppError::invalid(
            "log_key_invalid",
            Bilingual::new(format!("日志密钥文件无效：{}", path.display()), format!("not a log key file: {e}")),
        )
    })?;
    Ok(Arc::new(key))
}

/// Write a new key to `path` (readable by its owner only); refuses to
/// overwrite. Returns the public key.
pub fn write_key_file(path: &Path, key: &SecretKey) -> AppResult<VerifierKey> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| io_error("cannot create the key file", path, e))?;
    file.write_all(format!("{}\n", key.to_text()).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| io_error("cannot write the key file", path, e))?;
    Ok(key.verifier())
}

/// The checkpoint directory.
#[derive(Debug, Clone)]
pub struct CheckpointFiles {
    dir: PathBuf,
}

impl CheckpointFiles {
    pub fn new(dir: &Path) -> Self {
        CheckpointFiles { dir: dir.to_path_buf() }
    }

    /// Every key listed in `keys.txt`.
    pub fn keys(&self) -> Vec<VerifierKey> {
        read_small(&self.dir.join("keys.txt"))
            .map(|t| t.lines().filter_map(|l| VerifierKey::parse(l).ok()).collect())
            .unwrap_or_default()
    }

    /// Add `key` to `keys.txt` if it is not there.
    pub fn remember_key(&self, key: &VerifierKey) -> AppResult<()> {
        if self.keys().contains(key) {
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| io_error("cannot create", &self.dir, e))?;
        let path = self.dir.join("keys.txt");
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| io_error("cannot open", &path, e))?;
        f.write_all(format!("{}\n", key.to_text()).as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| io_error("cannot write", &path, e))
    }

    /// Write a signed checkpoint (temporary name, synced, renamed).
    pub fn write(&self, signed: &SignedCheckpoint) -> AppResult<PathBuf> {
        std::fs::create_dir_all(&self.dir).map_err(|e| io_error("cannot create", &self.dir, e))?;
        let at = signed.checkpoint.issued().map_or(0, |t| t.as_second());
        let path = self.dir.join(format!("checkpoint-{:012}-{at}.txt", signed.checkpoint.size));
        write_atomically(&path, &signed.to_text())?;
        Ok(path)
    }

    /// Every checkpoint file, by size then time (oldest first).
    pub fn files(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("checkpoint-") && n.ends_with(".txt"))
            })
            .collect();
        files.sort();
        files
    }

    /// Every checkpoint in the directory that parses (signatures unchecked).
    pub fn history(&self) -> Vec<SignedCheckpoint> {
        self.files().iter().filter_map(|p| read_checkpoint(p).ok()).collect()
    }

    /// The latest checkpoint file (largest tree, then newest).
    pub fn latest(&self) -> Option<PathBuf> {
        self.files().pop()
    }
}

/// Read a signed checkpoint file.
pub(crate) fn read_checkpoint(path: &Path) -> AppResult<SignedCheckpoint> {
    let text = read_small(path).map_err(|e| io_error("cannot read the checkpoint", path, e))?;
    SignedCheckpoint::parse(&text).map_err(|e| {
        AppError::invalid(
            "checkpoint_invalid",
            Bilingual::new(format!("检查点文件格式无效：{}（{e}）", path.display()), format!("not a checkpoint: {e}")),
        )
    })
}

pub(crate) fn write_atomically(path: &Path, text: &str) -> AppResult<()> {
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp).map_err(|e| io_error("cannot create", &tmp, e))?;
    f.write_all(text.as_bytes()).and_then(|()| f.sync_all()).map_err(|e| io_error("cannot write", &tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io_error("cannot rename to", path, e))
}

impl App {
    fn signer(&self) -> AppResult<&Arc<dyn Signer>> {
        self.log.signer.as_ref().ok_or_else(|| {
            AppError::invalid(
                "log_key_missing",
                Bilingual::new(
                    "未配置日志签名密钥（tlog_key_file）；用 shanzhi audit keygen --out FILE 生成",
                    "no log signing key (tlog_key_file); make one with shanzhi audit keygen --out FILE",
                ),
            )
        })
    }

    /// Sign the tree as it stands: kept in the database, written to the
    /// checkpoint directory and sent to every witness (their cosignatures
    /// are added to the file). Returns the checkpoint and its file.
    pub async fn sign_checkpoint(&self) -> AppResult<(SignedCheckpoint, Option<PathBuf>)> {
        let signer = self.signer()?.clone();
        let head = self.store.log_head().await?;
        let checkpoint = Checkpoint::new(signer.name(), head.size, head.root, self.now());
        let mut signed =
            SignedCheckpoint::sign(checkpoint, signer.as_ref()).map_err(|e| AppError::internal(e.to_string()))?;
        let files = self.log.checkpoint_dir.as_deref().map(CheckpointFiles::new);
        if let Some(files) = &files {
            files.remember_key(&signer.verifier())?;
            files.write(&signed)?;
        }
        for url in &self.log.witnesses {
            match self.send_to_witness(url, &signed).await {
                Ok(sigs) => {
                    for s in sigs {
                        signed.note.add_signature(s);
                    }
                }
                Err(e) => tracing::warn!(witness = %url, error = %e, "witness did not cosign"),
            }
        }
        let path = match &files {
            Some(files) => Some(files.write(&signed)?),
            None => None,
        };
        self.store
            .save_checkpoint(&StoredCheckpoint {
                size: head.size,
                root: head.root,
                issued_at: signed.checkpoint.issued().map_or_else(Micros::now, Micros::from),
                key: signer.verifier().to_text(),
                note: signed.to_text(),
            })
            .await?;
        tracing::info!(size = head.size, "checkpoint signed");
        Ok((signed, path))
    }

    /// Start a new log segment under a new key: its first leaf commits to
    /// the old log's last checkpoint (`old`, verified with one of the log's
    /// keys, or trusted as given when the old key is lost and a witness or
    /// a file vouches for it). The new key is added to `keys.txt`.
    pub async fn start_segment(&self, old: &SignedCheckpoint) -> AppResult<u64> {
        let leaf = LeafRecord::segment_start(&old.checkpoint.origin, old.checkpoint.size, &old.to_text());
        let index = self.store.append_log_leaf(&leaf).await?;
        if let Some(dir) = &self.log.checkpoint_dir {
            CheckpointFiles::new(dir).remember_key(&self.signer()?.verifier())?;
        }
        Ok(index)
    }
}
