//! `pg_dump` and `pg_restore` for a PostgreSQL store. The connection goes to
//! them through libpq's environment variables (`PGHOST`, `PGPASSWORD` …), so
//! the password never appears on a command line (where `ps` shows it) or in a
//! message.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use crate::database_url::DatabaseUrl;

/// Where Debian and Ubuntu install each PostgreSQL version's programs.
const DEBIAN_ROOT: &str = "/usr/lib/postgresql";

/// A PostgreSQL store as the client tools see it.
#[derive(Debug, Clone)]
pub struct PgTarget {
    /// libpq environment: host, port, user, password, TLS settings.
    env: Vec<(&'static str, String)>,
    database: Option<String>,
    /// The schema the URL selects (`options=-c search_path=…`), if any.
    pub schema: Option<String>,
}

impl PgTarget {
    pub fn from_url(url: &DatabaseUrl) -> anyhow::Result<PgTarget> {
        let parsed = url::Url::parse(url.expose())
            .map_err(|_| anyhow::anyhow!("数据库地址格式错误 (malformed database URL): {url}"))?;
        let mut env = Vec::new();
        let mut database = Some(decode(parsed.path().trim_start_matches('/'))).filter(|d| !d.is_empty());
        if let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) {
            env.push(("PGHOST", host.trim_start_matches('[').trim_end_matches(']').to_owned()));
        }
        if let Some(port) = parsed.port() {
            env.push(("PGPORT", port.to_string()));
        }
        if !parsed.username().is_empty() {
            env.push(("PGUSER", decode(parsed.username())));
        }
        if let Some(password) = parsed.password() {
            env.push(("PGPASSWORD", decode(password)));
        }
        let mut schema = None;
        // The parameters sqlx reads that matter to libpq; the rest (e.g.
        // statement-cache-capacity) are the driver's own.
        for (key, value) in parsed.query_pairs() {
            let var = match key.as_ref() {
                "host" => "PGHOST",
                "hostaddr" => "PGHOSTADDR",
                "port" => "PGPORT",
                "user" => "PGUSER",
                "password" => "PGPASSWORD",
                "sslmode" => "PGSSLMODE",
                "sslrootcert" => "PGSSLROOTCERT",
                "sslcert" => "PGSSLCERT",
                "sslkey" => "PGSSLKEY",
                "connect_timeout" => "PGCONNECT_TIMEOUT",
                "dbname" => {
                    database = Some(value.into_owned());
                    continue;
                }
                "options" => {
                    schema = schema_of(&value);
                    continue;
                }
                _ => continue,
            };
            env.retain(|(k, _)| *k != var);
            env.push((var, value.into_owned()));
        }
        Ok(PgTarget { env, database, schema })
    }

    /// A libpq connection string for `--dbname` without any secret in it
    /// (the rest comes from the environment).
    fn conninfo(&self) -> String {
        let mut info = "application_name='shanzhi'".to_owned();
        if let Some(db) = &self.database {
            info.push_str(&format!(" dbname='{}'", db.replace('\\', "\\\\").replace('\'', "\\'")));
        }
        info
    }

    fn command(&self, tool: &Path) -> Command {
        let mut cmd = Command::new(tool);
        cmd.envs(self.env.iter().map(|(k, v)| (*k, v.as_str()))).stdin(Stdio::null());
        cmd
    }

    /// `pg_dump` of the store (only its schema, if the URL names one) into
    /// `out`, in the custom format, as of the exported `snapshot`.
    pub fn dump(&self, pg_dump: &Path, snapshot: &str, out: &Path) -> anyhow::Result<()> {
        let mut cmd = self.command(pg_dump);
        cmd.args(["--format=custom", "--no-owner", "--no-privileges"])
            .arg(format!("--snapshot={snapshot}"))
            .arg(format!("--dbname={}", self.conninfo()))
            .arg("--file")
            .arg(out);
        if let Some(schema) = &self.schema {
            // Quoted: pg_dump reads -n as a pattern, where an unquoted name is folded to lower case.
            cmd.arg(format!("--schema=\"{schema}\""));
        }
        run(cmd, "pg_dump")
    }

    /// `pg_restore` of `file` in one transaction (all or nothing). The dump's
    /// own `CREATE SCHEMA` is left out (`keep_schema` is its line in the
    /// archive's list): the schema is made beforehand if missing, and one
    /// that exists keeps its owner and grants. `--clean --if-exists` first
    /// drops the dump's tables where they exist: a store that was migrated
    /// but holds nothing has them, and `--force` replaces a store in use.
    pub fn restore(&self, pg_restore: &Path, file: &Path, listing: &str, schema: &str) -> anyhow::Result<()> {
        let list: String = listing
            .lines()
            .map(|line| if schema_entry(line) == Some(schema) { format!(";{line}\n") } else { format!("{line}\n") })
            .collect();
        let list_file = super::Pending::beside(&std::env::temp_dir().join("shanzhi-restore.list"))?;
        std::fs::write(list_file.path(), list).context("无法写入临时文件 (cannot write a temporary file)")?;
        let mut cmd = self.command(pg_restore);
        cmd.args([
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--clean",
            "--if-exists",
        ])
        .arg(format!("--dbname={}", self.conninfo()))
        .arg("--use-list")
        .arg(list_file.path())
        .arg(file);
        run(cmd, "pg_restore")
    }
}

/// `pg_restore --list`: the archive's table of contents (and a check that
/// pg_restore can read the file at all).
pub fn listing(pg_restore: &Path, file: &Path) -> anyhow::Result<String> {
    let out = Command::new(pg_restore)
        .arg("--list")
        .arg(file)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("无法运行 (cannot run) {}", pg_restore.display()))?;
    if !out.status.success() {
        bail!(
            "pg_restore 读不了这个文件 (pg_restore cannot read the file): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The schema holding Shanzhi's tables in a dump (where its migration table is).
pub fn dumped_schema(listing: &str) -> Option<String> {
    listing.lines().find_map(|line| match toc_fields(line)?.as_slice() {
        ["TABLE", schema, "_sqlx_migrations", ..] => Some((*schema).to_owned()),
        _ => None,
    })
}

/// `6; 2615 16385 SCHEMA - shanzhi postgres` → `shanzhi`.
fn schema_entry(line: &str) -> Option<&str> {
    match toc_fields(line)?.as_slice() {
        ["SCHEMA", "-", name, ..] => Some(name),
        _ => None,
    }
}

/// A listing line's fields after its id and object ids: type, schema, name, owner.
fn toc_fields(line: &str) -> Option<Vec<&str>> {
    let (_, rest) = line.split_once("; ")?;
    Some(rest.split_whitespace().skip(2).collect())
}

fn run(mut cmd: Command, name: &str) -> anyhow::Result<()> {
    let out = cmd.output().with_context(|| format!("无法运行 {name} (cannot run {name})"))?;
    if !out.status.success() {
        bail!("{name} 失败 ({name} failed, {}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// The first schema of a `-c search_path=a,b` option.
fn schema_of(options: &str) -> Option<String> {
    let (_, rest) = options.split_once("search_path=")?;
    let first = rest.split([',', ' ']).next()?.trim_matches('"');
    Some(first.to_owned()).filter(|s| !s.is_empty())
}

/// Percent-decoding of a URL's user, password or path.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Find a PostgreSQL client program: on `PATH`, then in Debian's per-version
/// directories, newest first (pg_dump must be at least the server's version).
pub fn find_tool(name: &str) -> anyhow::Result<PathBuf> {
    find_tool_in(name, std::env::var_os("PATH"), Path::new(DEBIAN_ROOT))
}

fn find_tool_in(name: &str, path: Option<OsString>, debian_root: &Path) -> anyhow::Result<PathBuf> {
    let on_path = path.iter().flat_map(std::env::split_paths).map(|dir| dir.join(name));
    let mut versions: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(debian_root)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().split('.').map(str::parse).collect::<Result<Vec<u32>, _>>();
            Some((version.ok()?, e.path().join("bin").join(name)))
        })
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0));
    on_path.chain(versions.into_iter().map(|(_, p)| p)).find(|p| is_executable(p)).ok_or_else(|| {
        anyhow::anyhow!(
            "找不到 {name}：请安装 PostgreSQL 客户端工具（版本不低于服务器；Debian/Ubuntu：apt-get install postgresql-client） \
             (cannot find {name}: install the PostgreSQL client tools, of a version at least the server's; \
             on Debian/Ubuntu: apt-get install postgresql-client)"
        )
    })
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_becomes_environment_without_the_password_on_the_command_line() {
        let url = DatabaseUrl::parse(
            "postgres://sz%40user:p%40ss%2Fw@db.internal:6543/shanzhi%20db?sslmode=require&statement-cache-capacity=10&options=-c%20search_path%3Dgov,public",
        )
        .expect("url");
        let target = PgTarget::from_url(&url).expect("target");
        let env: std::collections::HashMap<_, _> = target.env.iter().cloned().collect();
        assert_eq!(env["PGHOST"], "db.internal");
        assert_eq!(env["PGPORT"], "6543");
        assert_eq!(env["PGUSER"], "sz@user");
        assert_eq!(env["PGPASSWORD"], "p@ss/w");
        assert_eq!(env["PGSSLMODE"], "require");
        assert_eq!(env.len(), 5, "driver-only parameters stay out: {:?}", env.keys());
        assert_eq!(target.schema.as_deref(), Some("gov"));
        let info = target.conninfo();
        assert_eq!(info, "application_name='shanzhi' dbname='shanzhi db'");
        let cmd = target.command(Path::new("pg_dump"));
        assert!(!format!("{:?}", cmd.get_args().collect::<Vec<_>>()).contains("p@ss"));
    }

    #[test]
    fn a_listing_names_the_dumped_schema_and_its_schema_line() {
        let listing = ";\n; Archive created at 2026-01-01\n6; 2615 16385 SCHEMA - shanzhi_test_1 postgres\n\
                       215; 1259 16390 TABLE shanzhi_test_1 _sqlx_migrations postgres\n\
                       3400; 0 16390 TABLE DATA shanzhi_test_1 _sqlx_migrations postgres\n";
        assert_eq!(dumped_schema(listing).as_deref(), Some("shanzhi_test_1"));
        assert_eq!(listing.lines().filter_map(schema_entry).collect::<Vec<_>>(), ["shanzhi_test_1"]);
        assert_eq!(dumped_schema("; nothing here\n"), None);
    }

    #[test]
    fn tools_are_found_on_the_path_then_in_debian_directories_or_named_missing() {
        let root = tempfile::tempdir().expect("dir");
        let missing = find_tool_in("pg_dump", None, root.path()).expect_err("none anywhere");
        assert!(missing.to_string().contains("install the PostgreSQL client tools"), "{missing}");
        for version in ["9.6", "15", "13"] {
            let bin = root.path().join(version).join("bin");
            std::fs::create_dir_all(&bin).expect("dir");
            let tool = bin.join("pg_dump");
            std::fs::write(&tool, "#!/bin/sh\n").expect("write");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).expect("chmod");
            }
        }
        let found = find_tool_in("pg_dump", None, root.path()).expect("found");
        assert_eq!(found, root.path().join("15/bin/pg_dump"), "the newest version");
        let on_path = find_tool_in("pg_dump", Some(root.path().join("13/bin").into_os_string()), root.path());
        assert_eq!(on_path.expect("found"), root.path().join("13/bin/pg_dump"), "PATH first");
    }
}
