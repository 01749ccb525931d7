//! A small XML reader for SAML metadata and assertions: elements, attributes and text, with namespace
//! prefixes dropped (SAML documents use several prefixes for the same namespaces). It refuses document
//! type declarations, so no entity can expand, and caps nesting depth; anything it cannot read is an
//! error, never a panic.

/// An element: its local name, attributes (local names) and content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
}

/// Deeper documents are refused; SAML needs about ten levels.
const MAX_DEPTH: usize = 64;

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The direct child elements named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter_map(move |n| match n {
            Node::Element(e) if e.name == name => Some(e),
            _ => None,
        })
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find_map(|n| match n {
            Node::Element(e) if e.name == name => Some(e),
            _ => None,
        })
    }

    /// The first element named `name` at any depth below this one (depth first, document order).
    pub fn find(&self, name: &str) -> Option<&Element> {
        let mut stack: Vec<&Element> = vec![self];
        while let Some(e) = stack.pop() {
            for n in e.children.iter().rev() {
                if let Node::Element(c) = n {
                    stack.push(c);
                }
            }
            if !std::ptr::eq(e, self) && e.name == name {
                return Some(e);
            }
        }
        None
    }

    /// The element's own text, trimmed.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                s.push_str(t);
            }
        }
        s.trim().to_string()
    }
}

/// The local part of a qualified name (`saml2:Assertion` → `Assertion`).
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Replaces the five predefined entities and character references.
fn unescape(s: &str) -> Result<String, String> {
    if !s.contains('&') {
        return Ok(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i + 1..).unwrap_or_default();
        let end = after.find(';').ok_or("an unterminated entity reference")?;
        let entity = after.get(..end).unwrap_or_default();
        let c = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32).ok_or_else(|| format!("an unknown entity '&{entity};'"))?
            }
        };
        out.push(c);
        rest = after.get(end + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    Ok(out)
}

/// Parses a document and returns its root element.
pub fn parse(text: &str) -> Result<Element, String> {
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut rest = text.strip_prefix('\u{feff}').unwrap_or(text);
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if !rest.trim().is_empty() {
                return Err("text after the root element".into());
            }
            break;
        };
        let before = rest.get(..lt).unwrap_or_default();
        if !before.is_empty() {
            match stack.last_mut() {
                Some(e) => e.children.push(Node::Text(unescape(before)?)),
                None if before.trim().is_empty() => {}
                None => return Err("text outside the root element".into()),
            }
        }
        rest = rest.get(lt..).unwrap_or_default();
        if let Some(r) = rest.strip_prefix("<!--") {
            let end = r.find("-->").ok_or("an unterminated comment")?;
            rest = r.get(end + 3..).unwrap_or_default();
        } else if let Some(r) = rest.strip_prefix("<![CDATA[") {
            let end = r.find("]]>").ok_or("an unterminated CDATA section")?;
            let e = stack.last_mut().ok_or("CDATA outside the root element")?;
            e.children.push(Node::Text(r.get(..end).unwrap_or_default().to_string()));
            rest = r.get(end + 3..).unwrap_or_default();
        } else if rest.starts_with("<!") {
            return Err("document type declarations are not accepted".into());
        } else if let Some(r) = rest.strip_prefix("<?") {
            let end = r.find("?>").ok_or("an unterminated processing instruction")?;
            rest = r.get(end + 2..).unwrap_or_default();
        } else if let Some(r) = rest.strip_prefix("</") {
            let end = r.find('>').ok_or("an unterminated end tag")?;
            let name = local(r.get(..end).unwrap_or_default().trim());
            let e = stack.pop().ok_or("an end tag without a start tag")?;
            if e.name != name {
                return Err(format!("the end tag '{name}' does not close '{}'", e.name));
            }
            rest = r.get(end + 1..).unwrap_or_default();
            close(&mut stack, &mut root, e)?;
        } else {
            let (e, empty, after) = start_tag(rest.get(1..).unwrap_or_default())?;
            rest = after;
            if empty {
                close(&mut stack, &mut root, e)?;
            } else {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("elements nested deeper than {MAX_DEPTH} levels"));
                }
                stack.push(e);
            }
        }
    }
    if !stack.is_empty() {
        return Err("the document ends inside an element".into());
    }
    root.ok_or_else(|| "no root element".into())
}

fn close(stack: &mut [Element], root: &mut Option<Element>, e: Element) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(e)),
        None if root.is_none() => *root = Some(e),
        None => return Err("more than one root element".into()),
    }
    Ok(())
}

/// Reads a start tag after its `<`: the element, whether it is empty (`/>`), and the text after it.
fn start_tag(s: &str) -> Result<(Element, bool, &str), String> {
    let name_end = s.find(|c: char| c.is_whitespace() || c == '>' || c == '/').ok_or("an unterminated start tag")?;
    let name = s.get(..name_end).unwrap_or_default();
    if name.is_empty() {
        return Err("a start tag without a name".into());
    }
    let mut e = Element { name: local(name).to_string(), attrs: Vec::new(), children: Vec::new() };
    let mut rest = s.get(name_end..).unwrap_or_default();
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("/>") {
            return Ok((e, true, r));
        }
        if let Some(r) = rest.strip_prefix('>') {
            return Ok((e, false, r));
        }
        let eq = rest.find('=').ok_or("an attribute without a value")?;
        let attr = rest.get(..eq).unwrap_or_default().trim();
        if attr.is_empty() || attr.contains(|c: char| c.is_whitespace() || c == '<' || c == '>') {
            return Err("a malformed attribute".into());
        }
        let value_part = rest.get(eq + 1..).unwrap_or_default().trim_start();
        let quote = value_part.chars().next().filter(|q| *q == '"' || *q == '\'').ok_or("an unquoted attribute")?;
        let body = value_part.get(1..).unwrap_or_default();
        let close = body.find(quote).ok_or("an unterminated attribute value")?;
        let value = unescape(body.get(..close).unwrap_or_default())?;
        // Namespace declarations say nothing this reader uses.
        if attr != "xmlns" && !attr.starts_with("xmlns:") {
            e.attrs.push((local(attr).to_string(), value));
        }
        rest = body.get(close + 1..).unwrap_or_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elements_attributes_and_text() {
        let doc = parse(
            "<?xml version=\"1.0\"?>\n<!-- c --><a:Root xmlns:a=\"urn:x\" a:ID=\"1\"><a:Child k='v &amp; w'>t&lt;1&#x41;&#66;</a:Child><Empty/><![CDATA[<raw>]]></a:Root>",
        )
        .unwrap();
        assert_eq!(doc.name, "Root");
        assert_eq!(doc.attr("ID"), Some("1"));
        let child = doc.child("Child").unwrap();
        assert_eq!((child.attr("k"), child.text().as_str()), (Some("v & w"), "t<1AB"));
        assert!(doc.find("Empty").is_some() && doc.find("Root").is_none());
        assert_eq!(doc.text(), "<raw>");
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        for bad in [
            "",
            "<a>",
            "<a></b>",
            "<a/><b/>",
            "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
            "<a x=1/>",
            "<a>&bogus;</a>",
            "text",
            "<a><!-- open</a>",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(parse(&deep).unwrap_err().contains("deeper"));
    }

    #[test]
    fn arbitrary_text_never_panics() {
        // A small generator over the characters XML gives meaning to, so that most inputs get far.
        const PIECES: [&str; 16] =
            ["<", ">", "/", "a", "b:c", "=", "\"", "'", "&", ";", "#x41", "!--", "![CDATA[", "]]", "?", " "];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let mut doc = String::new();
            for _ in 0..(seed % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                doc.push_str(PIECES[(seed % 16) as usize]);
            }
            let _ = parse(&doc);
        }
    }
}
