//! The build script of both store backends (their `build = …`): embed every
//! file of the backend's `migrations/` (`NNNN_name.sql`, in order), so a
//! migration is added by adding its file and none can be left out.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    let dir = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("migrations");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("the migrations directory")
        .map(|e| e.expect("a directory entry").file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".sql"))
        .collect();
    files.sort();
    let mut out = String::from(
        "/// The migrations of this backend, from `migrations/`.\nconst MIGRATIONS: &[(i64, &str, &str)] = &[\n",
    );
    for f in &files {
        let (number, name) = f.trim_end_matches(".sql").split_once('_').expect("NNNN_name.sql");
        let version: i64 = number.parse().expect("a numbered migration");
        let path = dir.join(f);
        out.push_str(&format!(
            "    ({version}, {:?}, include_str!({:?})),\n",
            name.replace('_', " "),
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let target = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets it")).join("migrations.rs");
    std::fs::write(target, out).expect("write the migration list");
}
