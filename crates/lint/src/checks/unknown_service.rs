//! SG101 `unknown-service`: an action whose service prefix no AWS service has. It matches nothing.

use sagegate_catalog::NameKind;

use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG101",
    name: "unknown-service",
    severity: Severity::Error,
    summary: "An action names a service prefix that does not exist.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for (st, _) in doc.statements() {
        for e in st.action.iter().flat_map(|a| &a.entries) {
            let Some((prefix, name)) = e.value.split_once(':') else {
                continue; // V14 row 16
            };
            // Malformed prefixes (V14 rows 17-18) and wildcard prefixes (SG105) are reported elsewhere.
            if prefix.is_empty()
                || name.contains(':')
                || !prefix.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            {
                continue;
            }
            if doc.catalog.service(prefix).is_some() {
                continue;
            }
            let help = match doc.catalog.did_you_mean(NameKind::Service, prefix) {
                Some(s) => format!("did you mean `{s}:{name}`?"),
                None => "check the service prefix in the Service Authorization Reference".to_string(),
            };
            out.report(
                e.span,
                format!("`{prefix}` is not the prefix of any AWS service: `{}` matches nothing", e.value),
                help,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, messages, policy};

    #[test]
    fn unknown_prefixes_with_suggestions() {
        let p = policy(&[
            r#"{"Effect": "Allow", "Action": ["sagemakr:ListModels", "sagemaker:ListModels", "sage*:List*", "zzzzzz:Go"], "Resource": "*"}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG101 2:32 "sagemakr:ListModels""#, r#"SG101 2:94 "zzzzzz:Go""#]);
        let m = messages(&CHECK, &p);
        assert!(m[0].ends_with("did you mean `sagemaker:ListModels`?"), "{m:?}");
        assert!(m[1].contains("Service Authorization Reference"), "{m:?}");
    }
}
