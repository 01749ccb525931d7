//! SG311 `invalid-ip-value`: an `IpAddress`/`NotIpAddress` value that is not an IPv4 or IPv6 address or
//! CIDR block. It never matches, even under `NotIpAddress` (O2, O8).

use sagegate_policy::ast::OperatorFamily;
use sagegate_policy::condition::IpNet;

use crate::checks::{conditions, has_variable};
use crate::doc::Doc;
use crate::{Check, Severity, Sink};

pub(crate) const CHECK: Check = Check {
    code: "SG311",
    name: "invalid-ip-value",
    severity: Severity::Warning,
    summary: "An IpAddress condition value that is not an IP address or CIDR block.",
    run,
};

fn run(doc: &Doc, out: &mut Sink) {
    for c in conditions(doc).filter(|c| c.base.family() == OperatorFamily::Ip) {
        for v in &c.c.values {
            if has_variable(&v.value) || IpNet::parse(&v.value).is_some() {
                continue;
            }
            out.report(
                v.span,
                format!("`{}` is not an IP address or CIDR block: `{}` never matches it", v.value, c.c.operator.value),
                "write an address or a CIDR block, e.g. 203.0.113.0/24 or 2001:db8::/32",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test::{found, policy};

    #[test]
    fn addresses() {
        let p = policy(&[
            r#"{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "203.0.113.0/33", "2001:db8::/32", "10.0.0.*"]}}}"#,
        ]);
        assert_eq!(found(&CHECK, &p), [r#"SG311 2:118 "203.0.113.0/33""#, r#"SG311 2:153 "10.0.0.*""#]);
    }
}
