//! A small XML writer for awsQuery responses: escaping, elements, and the response envelope (§4.2).

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Builds nested XML.
#[derive(Debug, Default)]
pub struct Xml {
    out: String,
}

impl Xml {
    pub fn new() -> Self {
        Xml::default()
    }

    /// `<name>text</name>`.
    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        self.out.push_str(&format!("<{name}>{}</{name}>", escape(text)));
        self
    }

    /// `<name>text</name>` when the value is present.
    pub fn opt(&mut self, name: &str, text: Option<&str>) -> &mut Self {
        if let Some(t) = text {
            self.leaf(name, t);
        }
        self
    }

    /// `<name>…</name>` around what `f` writes.
    pub fn node(&mut self, name: &str, f: impl FnOnce(&mut Xml)) -> &mut Self {
        self.out.push_str(&format!("<{name}>"));
        f(self);
        self.out.push_str(&format!("</{name}>"));
        self
    }

    /// `<name><member>…</member>…</name>`.
    pub fn list<T>(&mut self, name: &str, items: &[T], mut f: impl FnMut(&mut Xml, &T)) -> &mut Self {
        self.node(name, |x| {
            for it in items {
                x.node("member", |x| f(x, it));
            }
        })
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// The success envelope: `<OpResponse xmlns=…><OpResult>…</OpResult><ResponseMetadata>…`.
pub fn envelope(namespace: &str, op: &str, result: Option<String>, request_id: &str) -> String {
    let result = result.map(|r| format!("  <{op}Result>{r}</{op}Result>\n")).unwrap_or_default();
    format!(
        "<{op}Response xmlns=\"{namespace}\">\n{result}  <ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>\n</{op}Response>\n"
    )
}

/// RFC 3986 percent-encoding, as IAM returns policy documents (§4.2).
pub fn url_encode(s: &str) -> String {
    sagegate_sigv4::uri_encode(s, true)
}
