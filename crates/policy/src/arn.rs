//! ARN splitting (R1): `arn:partition:service:region:account-id:resource`.

/// An ARN split into its six components; the resource part keeps any further `:` and `/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits `s` at its first five colons. None unless it starts with `arn:` and has six components.
    pub fn parse(s: &'a str) -> Option<Arn<'a>> {
        let mut it = s.splitn(6, ':');
        if it.next()? != "arn" {
            return None;
        }
        Some(Arn {
            partition: it.next()?,
            service: it.next()?,
            region: it.next()?,
            account: it.next()?,
            resource: it.next()?,
        })
    }
}

/// Splits any string into at most six `:`-separated components (for ARN condition operators, O9).
pub fn split6(s: &str) -> Option<[&str; 6]> {
    let mut it = s.splitn(6, ':');
    Some([it.next()?, it.next()?, it.next()?, it.next()?, it.next()?, it.next()?])
}

/// The partitions IAM accepts in a resource ARN (V14 row 12).
pub const KNOWN_PARTITIONS: [&str; 8] =
    ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_part_keeps_colons() {
        let a = Arn::parse("arn:aws:logs:us-east-1:1:log-group:g:*").unwrap();
        assert_eq!(a.resource, "log-group:g:*");
        assert!(Arn::parse("arn:aws:s3").is_none());
        assert!(Arn::parse("notanarn").is_none());
    }
}
