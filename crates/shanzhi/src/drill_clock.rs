//! `serve --demo --clock-file FILE`: a clock for drills and training only.
//! The server's time is the RFC 3339 instant written in FILE, running on at
//! real speed from the moment it was read; writing a new instant moves it
//! (the file is read again when its modification time or size changes).
//! A notice of working days can so run out in a drill, or in a browser test
//! against a real server. Unreadable at start, the server does not start;
//! unreadable later, the last good instant stays.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Instant, SystemTime};

use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use shanzhi_app::timing::Clock;

/// Longest clock file read: an RFC 3339 instant and a line break fit well.
const MAX_BYTES: u64 = 256;

#[derive(Debug)]
struct Reading {
    /// The file's modification time and size when read.
    stamp: Option<(SystemTime, u64)>,
    at: Timestamp,
    read: Instant,
}

/// The drill clock: the instant in a file, running on from when it was read.
#[derive(Debug)]
pub struct FileClock {
    path: PathBuf,
    last: Mutex<Reading>,
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

fn read_instant(path: &Path) -> anyhow::Result<Timestamp> {
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_BYTES + 1).read_to_string(&mut text))
        .with_context(|| format!("无法读取时钟文件 (cannot read the clock file) {}", path.display()))?;
    if text.len() as u64 > MAX_BYTES {
        anyhow::bail!(
            "时钟文件过长，应只含一个 RFC 3339 时刻 (the clock file is too long: one RFC 3339 instant only): {}",
            path.display()
        );
    }
    text.trim().parse::<Timestamp>().map_err(|e| {
        anyhow::anyhow!(
            "时钟文件应为 RFC 3339 时刻，如 2026-11-30T10:00:00+08:00 \
             (the clock file must hold an RFC 3339 instant such as 2026-11-30T10:00:00+08:00): {}: {e}",
            path.display()
        )
    })
}

impl FileClock {
    /// The clock of `path`, refused if the file does not hold an instant now.
    pub fn open(path: &Path) -> anyhow::Result<FileClock> {
        let stamp = stamp(path);
        let at = read_instant(path)?;
        Ok(FileClock { path: path.to_path_buf(), last: Mutex::new(Reading { stamp, at, read: Instant::now() }) })
    }
}

impl Clock for FileClock {
    fn now(&self) -> Timestamp {
        let mut last = self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = stamp(&self.path);
        if now.is_some() && now != last.stamp {
            last.stamp = now;
            match read_instant(&self.path) {
                Ok(at) => {
                    tracing::warn!(%at, "演练时钟已改为 (the drill clock now reads) {at}");
                    last.at = at;
                    last.read = Instant::now();
                }
                Err(e) => {
                    tracing::warn!(error = %e, "时钟文件无法读取，沿用上一时刻 (clock file unreadable: keeping the last instant)")
                }
            }
        }
        let run = SignedDuration::try_from(last.read.elapsed()).unwrap_or(SignedDuration::ZERO);
        last.at.checked_add(run).unwrap_or(last.at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each write in these tests has a new length: the clock sees the change
    /// even where modification times are coarse.
    fn write(path: &Path, text: &str) {
        std::fs::write(path, text).expect("write");
    }

    fn near(a: Timestamp, b: Timestamp) -> bool {
        (a.as_second() - b.as_second()).abs() <= 5
    }

    #[test]
    fn the_clock_reads_the_file_moves_with_it_and_keeps_the_last_good_instant() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("clock");
        write(&path, "2026-11-02T10:00:00+08:00\n");
        let clock = FileClock::open(&path).expect("a clock");
        let first: Timestamp = "2026-11-02T02:00:00Z".parse().expect("t");
        assert!(near(clock.now(), first), "{}", clock.now());

        write(&path, "2026-11-16T10:00:00+08:00");
        let later: Timestamp = "2026-11-16T02:00:00Z".parse().expect("t");
        assert!(near(clock.now(), later), "moved two weeks on: {}", clock.now());

        write(&path, "next Tuesday");
        assert!(near(clock.now(), later), "garbage keeps the last good instant: {}", clock.now());
        std::fs::remove_file(&path).expect("rm");
        assert!(near(clock.now(), later), "a missing file too");
    }

    #[test]
    fn a_file_without_an_instant_is_refused_at_start() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("clock");
        assert!(FileClock::open(&path).is_err(), "missing");
        write(&path, "tomorrow");
        let e = FileClock::open(&path).expect_err("not an instant").to_string();
        assert!(e.contains("RFC 3339") && e.contains("时钟文件"), "{e}");
        write(&path, &"9".repeat(300));
        assert!(FileClock::open(&path).is_err(), "too long");
    }
}
