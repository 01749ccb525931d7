//! `cargo xtask role-manager [--check]`: fetches the SageMaker Role Manager CDK package pinned in
//! `crates/sagemaker/data/role-manager/role-manager.lock` from PyPI, verifies its sha256, and
//! regenerates the activity templates under `crates/sagemaker/data/role-manager/cdk/`
//! (spec `role-manager.md` §1).
//!
//! The wheel carries a jsii tarball; the templates are its `package/assets/templates/*.json`. Each
//! one is checked for the template format of §1 (`name`, `version`, `templateJson`,
//! `trustTemplateJson`) and rewritten as pretty JSON with the package's key order, so a diff after an
//! upgrade shows only real changes. Only data is taken; the package's JavaScript is not copied.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::fetch;
use crate::lock;

const PACKAGE: &str = "cdklabs.cdk-aws-sagemaker-role-manager";

/// How many templates 0.0.30 ships (spec §1: 13 activities with their variants and v2 versions).
/// A different count after an upgrade needs a review of the activity catalogue, so it stops the run.
const EXPECTED_TEMPLATES: usize = 28;

/// The template file keys, in the package's order; anything else is an error.
const TEMPLATE_KEYS: [&str; 4] = ["name", "version", "templateJson", "trustTemplateJson"];

pub fn run(check: bool) -> Result<(), String> {
    let root = crate::repo_root()?;
    let base = root.join("crates/sagemaker/data/role-manager");
    let lock_name = "crates/sagemaker/data/role-manager/role-manager.lock";
    let packages = lock::parse(&fetch::read_text(&base.join("role-manager.lock"))?, lock_name)?;
    let [pkg] = packages.as_slice() else {
        return Err(format!("{lock_name} must pin exactly one package, `{PACKAGE}`"));
    };
    if pkg.name != PACKAGE {
        return Err(format!("{lock_name} pins `{}`; the generator reads `{PACKAGE}`", pkg.name));
    }
    let cache = root.join("target").join("catalog-cache");
    let wheel = fetch::ensure_artifact(pkg, &cache)?;

    // The wheel: the jsii tarball and the licence files.
    let module = "cdklabs/cdk_aws_sagemaker_role_manager";
    let jsii = format!("{module}/_jsii/cdk-aws-sagemaker-role-manager@{}.jsii.tgz", pkg.version);
    let dist_info = format!("cdklabs.cdk_aws_sagemaker_role_manager-{}.dist-info", pkg.version);
    let wheel_dir = cache.join("extract").join("role-manager-wheel");
    fetch::extract_zip(
        &wheel,
        &wheel_dir,
        &[jsii.clone(), format!("{dist_info}/LICENSE"), format!("{dist_info}/NOTICE")],
    )?;
    let tar_dir = cache.join("extract").join("role-manager-jsii");
    fetch::extract_tgz(&wheel_dir.join(&jsii), &tar_dir, &["package/package.json", "package/assets/templates/*.json"])?;
    check_version(&tar_dir.join("package/package.json"), &pkg.version)?;

    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut index = Vec::new();
    let mut seen: BTreeSet<(String, u64)> = BTreeSet::new();
    let templates_dir = tar_dir.join("package/assets/templates");
    let mut names: Vec<String> = fs::read_dir(&templates_dir)
        .map_err(|e| format!("cannot list {}: {e}", templates_dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    for file in &names {
        let path = templates_dir.join(file);
        let raw = fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let (text, name, version) = normalise(file, &raw)?;
        if !seen.insert((name.clone(), version)) {
            return Err(format!("{file}: a second template named {name} version {version}"));
        }
        index.push(serde_json::json!({
            "file": format!("templates/{file}"),
            "name": name,
            "version": version,
            "sourceSha256": fetch::sha256_file(&path)?,
        }));
        files.insert(format!("templates/{file}"), text.into_bytes());
    }
    if index.len() != EXPECTED_TEMPLATES {
        return Err(format!(
            "{PACKAGE} {} ships {} templates, not the {EXPECTED_TEMPLATES} of spec §1; review the activity catalogue",
            pkg.version,
            index.len()
        ));
    }
    for (member, out) in [("LICENSE", "LICENSE"), ("NOTICE", "NOTICE")] {
        let from = wheel_dir.join(format!("{dist_info}/{member}"));
        let bytes = fs::read(&from).map_err(|e| format!("licence file {} missing: {e}", from.display()))?;
        files.insert(format!("licenses/cdk-aws-sagemaker-role-manager.{out}"), bytes);
    }
    let manifest = serde_json::json!({
        "generatedBy": "cargo xtask role-manager (do not edit these files by hand)",
        "package": {
            "name": pkg.name, "registry": pkg.registry.to_string(), "version": pkg.version,
            "license": pkg.license, "file": pkg.file, "url": pkg.url, "sha256": pkg.sha256,
            "members": format!("{jsii} → package/assets/templates/*.json"),
        },
        "templates": index,
    });
    let mut manifest_text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    manifest_text.push('\n');
    files.insert("manifest.json".into(), manifest_text.into_bytes());

    let out_dir = base.join("cdk");
    let shown = "crates/sagemaker/data/role-manager/cdk";
    if check {
        let differences = crate::compare(&out_dir, &files)?;
        if differences.is_empty() {
            eprintln!("xtask: {shown} is up to date ({} files, byte-for-byte)", files.len());
            Ok(())
        } else {
            Err(format!(
                "{shown} differs from what role-manager.lock generates:\n  {}\nRun `cargo xtask role-manager` to update.",
                differences.join("\n  ")
            ))
        }
    } else {
        fs::create_dir_all(&out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
        let changed = crate::compare(&out_dir, &files)?;
        crate::write_all(&out_dir, &files)?;
        for stale in crate::existing_files(&out_dir)? {
            if !files.contains_key(&stale) {
                fs::remove_file(out_dir.join(&stale)).map_err(|e| format!("cannot remove stale {stale}: {e}"))?;
            }
        }
        if changed.is_empty() {
            eprintln!("xtask: {shown} unchanged ({} files)", files.len());
        } else {
            eprintln!("xtask: {shown} updated:\n  {}", changed.join("\n  "));
        }
        Ok(())
    }
}

/// The jsii tarball's own package.json must name the locked version.
fn check_version(path: &Path, want: &str) -> Result<(), String> {
    let meta: Value = serde_json::from_str(&fetch::read_text(path)?).map_err(|e| format!("{}: {e}", path.display()))?;
    let have = meta.get("version").and_then(Value::as_str).unwrap_or("");
    if have != want {
        return Err(format!("{PACKAGE}: the jsii tarball says version {have}, the lock says {want}"));
    }
    Ok(())
}

/// Checks one template file and returns (normalised text, name, version).
fn normalise(file: &str, raw: &[u8]) -> Result<(String, String, u64), String> {
    let text = std::str::from_utf8(raw).map_err(|_| format!("{file}: not UTF-8"))?;
    let v: Value = serde_json::from_str(text).map_err(|e| format!("{file}: not JSON: {e}"))?;
    let obj = v.as_object().ok_or_else(|| format!("{file}: not a JSON object"))?;
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    if keys != TEMPLATE_KEYS {
        return Err(format!("{file}: keys {keys:?}, expected {TEMPLATE_KEYS:?}"));
    }
    let name = obj.get("name").and_then(Value::as_str).ok_or_else(|| format!("{file}: `name` is not a string"))?;
    let version =
        obj.get("version").and_then(Value::as_u64).ok_or_else(|| format!("{file}: `version` is not an integer"))?;
    for key in ["templateJson", "trustTemplateJson"] {
        let doc = obj.get(key).and_then(Value::as_object).ok_or_else(|| format!("{file}: `{key}` is not an object"))?;
        if doc.get("Version").and_then(Value::as_str) != Some("2012-10-17") {
            return Err(format!("{file}: `{key}` is not a 2012-10-17 policy document"));
        }
        if !doc.get("Statement").is_some_and(Value::is_array) {
            return Err(format!("{file}: `{key}` has no Statement array"));
        }
    }
    let mut out = serde_json::to_string_pretty(&v).map_err(|e| format!("{file}: {e}"))?;
    out.push('\n');
    Ok((out, name.to_string(), version))
}
