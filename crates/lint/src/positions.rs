//! Byte offsets to `line:column` and source snippets, computed from one index of line starts per document.
//!
//! AWS managed policies are compact JSON: one line of up to 150 kB with thousands of findings. Scanning from
//! the start of the text for every finding, or copying the whole line into each, would be quadratic, so
//! lines are found by binary search and long lines are cut to a window around the finding.

use sagegate_policy::span::{LineColumn, Span};

/// Lines longer than this (in bytes) are cut to a window around the finding.
const MAX_SNIPPET: usize = 160;
/// How much of a long line to show before the finding.
const BEFORE: usize = 60;

/// The snippet of a finding: the source line, or a window of it.
pub struct Snippet {
    pub text: String,
    /// The 1-based column, in the source line, of the snippet's first character.
    pub column: usize,
    /// Whether the line goes on after the snippet.
    pub truncated: bool,
}

/// An index of one document's lines.
pub struct Positions<'t> {
    text: &'t str,
    /// Byte offset of the first character of each line.
    line_starts: Vec<usize>,
    /// Whether every character is one byte, so columns are byte distances.
    ascii: bool,
}

impl<'t> Positions<'t> {
    pub fn new(text: &'t str) -> Self {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Positions { text, line_starts, ascii: text.is_ascii() }
    }

    /// The length of the text in bytes.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// The length in bytes of the character at `offset` (0 at the end of the text).
    pub fn char_len_at(&self, offset: usize) -> usize {
        self.text.get(offset..).and_then(|t| t.chars().next()).map_or(0, char::len_utf8)
    }

    /// The 0-based line index and the start of the line holding `offset`.
    fn line_of(&self, offset: usize) -> (usize, usize) {
        let i = self.line_starts.partition_point(|&s| s <= offset).saturating_sub(1);
        (i, self.line_starts.get(i).copied().unwrap_or_default())
    }

    /// The end of the line starting at `start` (before its `\n`).
    fn line_end(&self, start: usize) -> usize {
        self.text.get(start..).and_then(|r| r.find('\n')).map_or(self.text.len(), |i| start + i)
    }

    fn column(&self, line_start: usize, offset: usize) -> usize {
        if self.ascii {
            offset - line_start + 1
        } else {
            self.text.get(line_start..offset).map_or(1, |s| s.chars().count() + 1)
        }
    }

    /// The 1-based line and column (in characters) of a byte offset, clamped to the text.
    pub fn line_column(&self, offset: usize) -> LineColumn {
        let offset = self.floor(offset.min(self.text.len()));
        let (line, start) = self.line_of(offset);
        LineColumn { line: line + 1, column: self.column(start, offset) }
    }

    /// The nearest character boundary at or before `i`.
    fn floor(&self, mut i: usize) -> usize {
        while i > 0 && !self.text.is_char_boundary(i) {
            i -= 1;
        }
        i
    }

    /// The nearest character boundary at or after `i`.
    fn ceil(&self, mut i: usize) -> usize {
        while i < self.text.len() && !self.text.is_char_boundary(i) {
            i += 1;
        }
        i
    }

    /// The line holding the start of `span`, or a window of it around the span when the line is long.
    pub fn snippet(&self, span: Span) -> Snippet {
        let offset = self.floor(span.start.min(self.text.len()));
        let (_, start) = self.line_of(offset);
        let end = self.line_end(start);
        if end - start <= MAX_SNIPPET {
            return Snippet {
                text: self.text.get(start..end).unwrap_or_default().to_string(),
                column: 1,
                truncated: false,
            };
        }
        let from = self.floor(offset.saturating_sub(BEFORE).max(start));
        let to = self.ceil((from + MAX_SNIPPET).max(span.end.saturating_add(20)).min(end));
        Snippet {
            text: self.text.get(from..to).unwrap_or_default().to_string(),
            column: self.column(start, from),
            truncated: to < end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_windows() {
        let p = Positions::new("ab\ncdé\nx");
        assert_eq!(p.line_column(0), LineColumn { line: 1, column: 1 });
        assert_eq!(p.line_column(4), LineColumn { line: 2, column: 2 });
        assert_eq!(p.line_column(7), LineColumn { line: 2, column: 4 });
        assert_eq!(p.line_column(8), LineColumn { line: 3, column: 1 });
        assert_eq!(p.snippet(Span::new(4, 5)).text, "cdé");
        let long = format!("{}X{}", "a".repeat(300), "b".repeat(300));
        let p = Positions::new(&long);
        let s = p.snippet(Span::new(300, 301));
        assert_eq!((s.column, s.truncated, s.text.len()), (241, true, 160));
        assert_eq!(s.text.chars().nth(300 - 240), Some('X'));
    }
}
