//! The divergence allow-list (`tests/differential/allowlist.toml`, spec section 15).
//!
//! A small reader for exactly the subset of TOML the allow-list uses: comments, `[[divergence]]` headers
//! and one-line `key = value` pairs whose values are strings (basic `"…"` or literal `'…'`), booleans,
//! arrays of strings, or inline tables of those.

use crate::engine::{ALLOWED, EXPLICIT, IMPLICIT};
use crate::features::{FVal, Features, FEATURES};

#[derive(Debug, Clone, PartialEq)]
pub enum TVal {
    Str(String),
    Bool(bool),
    List(Vec<String>),
    Table(Vec<(String, TVal)>),
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub rule: String,
    pub summary: String,
    pub selector: Vec<(String, TVal)>,
    pub engine: Vec<String>,
    pub oracle: Vec<String>,
    pub line: usize,
}

impl Entry {
    /// True if the case's features satisfy every selector term.
    pub fn selects(&self, f: &Features) -> bool {
        self.selector.iter().all(|(k, want)| match (f.get(k.as_str()), want) {
            (Some(FVal::Bool(b)), TVal::Bool(w)) => b == w,
            (Some(FVal::Set(s)), TVal::Str(w)) => s.contains(w),
            (Some(FVal::Set(s)), TVal::List(ws)) => ws.iter().any(|w| s.contains(w)),
            _ => false,
        })
    }

    /// True if this entry explains engine decision `e` against oracle decision `o` for these features.
    pub fn covers(&self, f: &Features, e: &str, o: &str) -> bool {
        self.engine.iter().any(|x| x == e) && self.oracle.iter().any(|x| x == o) && self.selects(f)
    }
}

impl Entry {
    /// The statement-level divergence inputs this entry's selector names, and whether it names the
    /// session policy (see `features::neutralize`).
    pub fn triggers(&self) -> (Vec<&'static str>, bool) {
        let mut out = Vec::new();
        let mut session = false;
        for (k, v) in &self.selector {
            if let Some(name) = crate::features::STATEMENT_TRIGGERS.iter().find(|n| **n == k.as_str()) {
                if *v == TVal::Bool(true) {
                    out.push(*name);
                }
            }
            if k == "session_policy" {
                session = true;
            }
        }
        (out, session)
    }
}

#[derive(Debug, Clone, Default)]
pub struct AllowList {
    pub entries: Vec<Entry>,
}

impl AllowList {
    pub fn load(path: &std::path::Path) -> Result<AllowList, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        AllowList::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<AllowList, String> {
        let mut tables: Vec<(usize, Vec<(String, TVal)>)> = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let line_no = n + 1;
            let line = strip_comment(raw).trim().to_string();
            if line.is_empty() {
                continue;
            }
            if line == "[[divergence]]" {
                tables.push((line_no, Vec::new()));
                continue;
            }
            if line.starts_with('[') {
                return Err(format!("line {line_no}: only [[divergence]] tables are allowed"));
            }
            let Some((_, cur)) = tables.last_mut() else {
                return Err(format!("line {line_no}: key outside a [[divergence]] table"));
            };
            let mut p = Parser { s: line.as_bytes(), i: 0, line: line_no };
            let key = p.key()?;
            p.ws();
            p.expect(b'=')?;
            p.ws();
            let v = p.value(true)?;
            p.ws();
            if p.i != p.s.len() {
                return Err(format!("line {line_no}: unexpected text after the value"));
            }
            if cur.iter().any(|(k, _)| *k == key) {
                return Err(format!("line {line_no}: duplicate key `{key}`"));
            }
            cur.push((key, v));
        }
        let mut entries = Vec::new();
        for (line, kv) in tables {
            entries.push(entry(line, kv)?);
        }
        let mut ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w.first() == w.get(1)) {
            return Err(format!("duplicate divergence id `{}`", w.first().copied().unwrap_or_default()));
        }
        Ok(AllowList { entries })
    }
}

fn entry(line: usize, kv: Vec<(String, TVal)>) -> Result<Entry, String> {
    let mut e = Entry {
        id: String::new(),
        rule: String::new(),
        summary: String::new(),
        selector: Vec::new(),
        engine: Vec::new(),
        oracle: Vec::new(),
        line,
    };
    let decisions = |k: &str, v: TVal| -> Result<Vec<String>, String> {
        let list = match v {
            TVal::Str(s) => vec![s],
            TVal::List(l) => l,
            _ => return Err(format!("entry at line {line}: `{k}` must be a decision or a list of decisions")),
        };
        for d in &list {
            if ![ALLOWED, IMPLICIT, EXPLICIT].contains(&d.as_str()) {
                return Err(format!(
                    "entry at line {line}: `{k}` value `{d}` is not Allowed, ImplicitlyDenied or ExplicitlyDenied"
                ));
            }
        }
        Ok(list)
    };
    for (k, v) in kv {
        match (k.as_str(), v) {
            ("id", TVal::Str(s)) => e.id = s,
            ("rule", TVal::Str(s)) => e.rule = s,
            ("summary", TVal::Str(s)) => e.summary = s,
            ("selector", TVal::Table(t)) => e.selector = t,
            ("engine", v) => e.engine = decisions("engine", v)?,
            ("oracle", v) => e.oracle = decisions("oracle", v)?,
            // Free-form reviewer notes.
            ("notes" | "evidence", TVal::Str(_)) => {}
            (k, _) => return Err(format!("entry at line {line}: unknown key or wrong type for `{k}`")),
        }
    }
    for (name, empty) in [
        ("id", e.id.is_empty()),
        ("rule", e.rule.is_empty()),
        ("summary", e.summary.is_empty()),
        ("selector", e.selector.is_empty()),
        ("engine", e.engine.is_empty()),
        ("oracle", e.oracle.is_empty()),
    ] {
        if empty {
            return Err(format!("entry at line {line}: `{name}` is required"));
        }
    }
    for (k, v) in &e.selector {
        if !FEATURES.iter().any(|(f, _)| f == k) {
            return Err(format!("entry `{}`: unknown selector feature `{k}`", e.id));
        }
        if matches!(v, TVal::Table(_)) {
            return Err(format!("entry `{}`: selector `{k}` cannot be a table", e.id));
        }
    }
    Ok(e)
}

fn strip_comment(line: &str) -> &str {
    // A `#` outside a string starts a comment.
    let mut in_basic = false;
    let mut in_literal = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            '\\' if in_basic && !escaped => {
                escaped = true;
                continue;
            }
            '"' if !in_literal && !escaped => in_basic = !in_basic,
            '\'' if !in_basic => in_literal = !in_literal,
            '#' if !in_basic && !in_literal => return line.get(..i).unwrap_or(line),
            _ => {}
        }
        escaped = false;
    }
    line
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    line: usize,
}

impl Parser<'_> {
    fn err(&self, m: &str) -> String {
        format!("line {}: {m} (column {})", self.line, self.i + 1)
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }
    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(&format!("expected `{}`", c as char)))
        }
    }
    fn key(&mut self) -> Result<String, String> {
        if matches!(self.peek(), Some(b'"' | b'\'')) {
            return self.string();
        }
        let start = self.i;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'_' || c == b'-') {
            self.i += 1;
        }
        if start == self.i {
            return Err(self.err("expected a key"));
        }
        Ok(String::from_utf8_lossy(self.s.get(start..self.i).unwrap_or_default()).into_owned())
    }
    fn string(&mut self) -> Result<String, String> {
        let q = self.peek().ok_or_else(|| self.err("expected a string"))?;
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let c = self.peek().ok_or_else(|| self.err("unterminated string"))?;
            self.i += 1;
            if c == q {
                break;
            }
            if q == b'"' && c == b'\\' {
                let e = self.peek().ok_or_else(|| self.err("unterminated escape"))?;
                self.i += 1;
                match e {
                    b'"' => out.push(b'"'),
                    b'\\' => out.push(b'\\'),
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    _ => return Err(self.err("unsupported escape")),
                }
            } else {
                out.push(c);
            }
        }
        String::from_utf8(out).map_err(|_| self.err("invalid UTF-8"))
    }
    fn value(&mut self, tables_ok: bool) -> Result<TVal, String> {
        match self.peek() {
            Some(b'"' | b'\'') => Ok(TVal::Str(self.string()?)),
            Some(b't') if self.s.get(self.i..self.i + 4) == Some(b"true") => {
                self.i += 4;
                Ok(TVal::Bool(true))
            }
            Some(b'f') if self.s.get(self.i..self.i + 5) == Some(b"false") => {
                self.i += 5;
                Ok(TVal::Bool(false))
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.ws();
                    if self.peek() == Some(b']') {
                        self.i += 1;
                        break;
                    }
                    items.push(self.string()?);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {}
                        _ => return Err(self.err("expected `,` or `]`")),
                    }
                }
                Ok(TVal::List(items))
            }
            Some(b'{') if tables_ok => {
                self.i += 1;
                let mut kv = Vec::new();
                loop {
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.i += 1;
                        break;
                    }
                    let k = self.key()?;
                    self.ws();
                    self.expect(b'=')?;
                    self.ws();
                    let v = self.value(false)?;
                    kv.push((k, v));
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {}
                        _ => return Err(self.err("expected `,` or `}`")),
                    }
                }
                Ok(TVal::Table(kv))
            }
            _ => Err(self.err("expected a string, boolean, array or inline table")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn parses_the_spec_example() {
        let text = r#"
# comment
[[divergence]]
id       = "D3"   # trailing comment
rule     = "E6"
summary  = "RBP grant to a role-session ARN is not limited by the session policy"
selector = { same_account = true, rbp_principal = "role-session-arn", session_policy = "no-allow" }
engine   = "Allowed"
oracle   = ["ImplicitlyDenied"]
"#;
        let l = AllowList::parse(text).unwrap();
        assert_eq!(l.entries.len(), 1);
        let e = &l.entries[0];
        assert_eq!(e.id, "D3");
        assert_eq!(e.selector.len(), 3);
        let mut f = Features::new();
        f.insert("same_account", FVal::Bool(true));
        f.insert("rbp_principal", FVal::Set(BTreeSet::from(["role-session-arn".to_string(), "star".to_string()])));
        f.insert("session_policy", FVal::Set(BTreeSet::from(["no-allow".to_string()])));
        assert!(e.covers(&f, "Allowed", "ImplicitlyDenied"));
        assert!(!e.covers(&f, "Allowed", "ExplicitlyDenied"));
        f.insert("same_account", FVal::Bool(false));
        assert!(!e.covers(&f, "Allowed", "ImplicitlyDenied"));
    }

    #[test]
    fn rejects_unknown_features_and_decisions() {
        let bad = "[[divergence]]\nid=\"X\"\nrule=\"R\"\nsummary=\"s\"\nselector={ nope = true }\nengine=\"Allowed\"\noracle=\"Allowed\"\n";
        assert!(AllowList::parse(bad).is_err());
        let bad = "[[divergence]]\nid=\"X\"\nrule=\"R\"\nsummary=\"s\"\nselector={ rcp_deny = true }\nengine=\"Allow\"\noracle=\"Allowed\"\n";
        assert!(AllowList::parse(bad).is_err());
    }
}
