//! Keeps the SageMaker operation matrix in docs/compatibility.md equal to what the server routes.

use sagegate_sagemaker::{CatalogSar, Sar};

const BEGIN: &str = "<!-- sagemaker-matrix:begin -->\n";
const END: &str = "<!-- sagemaker-matrix:end -->";

fn matrix() -> String {
    let sar = CatalogSar::default();
    let catalog = sagegate_catalog::Catalog::get();
    let mut ops: Vec<&str> =
        catalog.api("sagemaker").map(|m| m.operations.iter().map(|o| o.name).collect()).unwrap_or_default();
    ops.sort_unstable();
    let mut rows = String::from("| operation | status |\n|---|---|\n");
    let (mut emulated, mut authorized, mut neither) = (0, 0, 0);
    for op in ops {
        let status = if !sar.has_action(op) {
            neither += 1;
            "not authorizable (no SAR action)"
        } else if sagegate_server::sagemaker::emulated(op) {
            emulated += 1;
            "emulated"
        } else {
            authorized += 1;
            "authorized only"
        };
        rows.push_str(&format!("| {op} | {status} |\n"));
    }
    format!("{emulated} emulated, {authorized} authorized only, {neither} without a SAR action.\n\n{rows}")
}

#[test]
fn the_documented_matrix_is_the_routed_one() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/compatibility.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let start = doc.find(BEGIN).expect("begin marker") + BEGIN.len();
    let end = doc.find(END).expect("end marker");
    let want = matrix();
    if std::env::var_os("SAGEGATE_BLESS").is_some() {
        let new = format!("{}{want}{}", &doc[..start], &doc[end..]);
        std::fs::write(path, new).unwrap();
        return;
    }
    assert_eq!(&doc[start..end], want, "docs/compatibility.md is stale: rerun with SAGEGATE_BLESS=1");
}
