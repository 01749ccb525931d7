//! No input makes the linter panic: every prefix of the example policies, and policies with multi-byte
//! characters, empty values and odd shapes in every position the checks read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sagegate_lint::lint;
use sagegate_policy::PolicyKind;

fn example(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../../examples/lint/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn every_prefix_of_the_examples() {
    for name in ["sagemaker-mistakes.json", "canvas-direct-deploy.json", "execution-role-trust.json"] {
        let text = example(name);
        for (i, _) in text.char_indices().step_by(3) {
            for kind in [PolicyKind::Identity, PolicyKind::Trust] {
                let _ = lint(&text[..i], kind);
            }
        }
    }
}

#[test]
fn odd_values_everywhere() {
    let odd =
        ["", "*", "?", ":", "::::::", "é", "日本", "${", "${}", "${aws:username", "arn:", "arn:aws:s3", "/", "a:b:c"];
    for v in odd {
        let v = v.replace('"', "");
        let policy = format!(
            r#"{{"Version": "2012-10-17", "Statement": [
{{"Sid": "{v}", "Effect": "Allow", "Action": ["{v}", "sagemaker:{v}", "{v}:List*"], "Resource": ["{v}", "arn:aws:sagemaker:{v}:{v}:{v}", "arn:aws:s3:::{v}"],
  "Condition": {{"StringEquals": {{"{v}": "{v}", "aws:ResourceTag/{v}": "{v}"}}, "ForAllValues:ArnLike": {{"sagemaker:VpcSubnets": ["{v}"]}}, "Null": {{"{v}": "{v}"}}, "IpAddress": {{"aws:SourceIp": "{v}"}}, "NumericLessThan": {{"sagemaker:MaxRuntimeInSeconds": "{v}"}}, "BinaryEquals": {{"{v}": "{v}"}}}}}},
{{"Effect": "Deny", "NotPrincipal": {{"AWS": "{v}"}}, "NotAction": "{v}", "NotResource": "{v}", "Condition": {{"StringEquals{v}": {{"sagemaker:RootAccess": "{v}"}}}}}}
]}}"#
        );
        for kind in PolicyKind::ALL {
            let findings = lint(&policy, kind);
            for f in &findings {
                assert!(f.span.start <= f.span.end && f.span.end <= policy.len(), "{f:?}");
                assert!(f.start.line >= 1 && f.start.column >= 1, "{f:?}");
            }
        }
    }
}
