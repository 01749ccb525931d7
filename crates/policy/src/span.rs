//! Byte spans into a policy's source text, and their `line:column` positions.

use serde::Serialize;

/// A half-open byte range `[start, end)` into the source text of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// A 1-based line and column (in characters) of a byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineColumn {
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for LineColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// The line and column of byte `offset` in `source` (clamped to the text).
pub fn line_column(source: &str, offset: usize) -> LineColumn {
    let mut line = 1;
    let mut column = 1;
    for (i, c) in source.char_indices() {
        if i >= offset {
            break;
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    LineColumn { line, column }
}

/// The full source line containing byte `offset`, without its newline.
pub fn line_text(source: &str, offset: usize) -> &str {
    let offset = offset.min(source.len());
    let start = source.get(..offset).and_then(|s| s.rfind('\n')).map_or(0, |i| i + 1);
    let end = source.get(offset..).and_then(|s| s.find('\n')).map_or(source.len(), |i| offset + i);
    source.get(start..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let s = "ab\ncd";
        assert_eq!(line_column(s, 0), LineColumn { line: 1, column: 1 });
        assert_eq!(line_column(s, 4), LineColumn { line: 2, column: 2 });
        assert_eq!(line_text(s, 4), "cd");
    }
}
