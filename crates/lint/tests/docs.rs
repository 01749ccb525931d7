//! Keeps `docs/lint.md` in step with the code: every check is documented under its code and name, with its
//! severity, in the table and in its own section, and the document describes no check that does not exist.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sagegate_lint::checks;

fn doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/lint.md");
    std::fs::read_to_string(path).expect("docs/lint.md")
}

#[test]
fn every_check_is_documented() {
    let doc = doc();
    for c in checks() {
        let row = format!("| {} | `{}` | {} |", c.code, c.name, c.severity.as_str());
        assert!(doc.contains(&row), "docs/lint.md: the table lacks `{row}`");
        let heading = format!("### {} `{}`\n", c.code, c.name);
        let at = doc.find(&heading).unwrap_or_else(|| panic!("docs/lint.md lacks the heading `{}`", heading.trim()));
        let section = &doc[at + heading.len()..];
        let section = &section[..section.find("\n### ").unwrap_or(section.len())];
        let severity = format!("- **Severity:** {}\n", c.severity.as_str());
        assert!(section.contains(&severity), "{}: the section lacks `{}`", c.code, severity.trim());
        for field in ["- **Finds:**", "- **Why:**", "- **Example:**", "- **Help:**"] {
            assert!(section.contains(field), "{}: the section lacks `{field}`", c.code);
        }
    }
}

#[test]
fn no_check_is_documented_that_does_not_exist() {
    for line in doc().lines() {
        if let Some(rest) = line.strip_prefix("### SG") {
            let code = format!("SG{}", &rest[..3]);
            assert!(checks().iter().any(|c| c.code == code), "docs/lint.md documents {code}, which is no check");
        }
        if let Some(rest) = line.strip_prefix("| SG") {
            let code = format!("SG{}", &rest[..3]);
            assert!(checks().iter().any(|c| c.code == code), "docs/lint.md lists {code}, which is no check");
        }
    }
}
