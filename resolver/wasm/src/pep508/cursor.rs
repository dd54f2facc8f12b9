//! The token rules of `packaging`'s dependency-specifier tokenizer, over a byte position in the
//! input. Each rule matches at the current position only (regex `match`, not `search`).

use crate::pep440::chars::is_boundary;

/// A position in the text being parsed.
pub(crate) struct Cursor<'a> {
    pub s: &'a str,
    pub pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(s: &'a str) -> Cursor<'a> {
        Cursor { s, pos: 0 }
    }

    /// The text from the current position.
    pub fn rest(&self) -> &'a str {
        self.s.get(self.pos..).unwrap_or("")
    }

    pub fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Skips `[ \t]+` (the `WS` token); returns whether there was any.
    pub fn ws(&mut self) -> bool {
        let n = self.rest().bytes().take_while(|b| *b == b' ' || *b == b'\t').count();
        self.pos += n;
        n > 0
    }

    /// The `END` token (regex `$`): the end of the text, or just before a final newline.
    pub fn at_end(&self) -> bool {
        let rest = self.rest();
        rest.is_empty() || rest == "\n"
    }

    /// Consumes `c` if it is next.
    pub fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// The `IDENTIFIER` token `\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b`: its end, if one starts here.
    pub fn identifier_end(&self) -> Option<usize> {
        let b = self.rest().as_bytes();
        if !b.first()?.is_ascii_alphanumeric() || !is_boundary(self.s, self.pos) {
            return None;
        }
        let run = b
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
            .count();
        // The regex backtracks from the longest run to the first end that is a word boundary.
        (1..=run).rev().map(|n| self.pos + n).find(|end| is_boundary(self.s, *end))
    }

    /// Whether `\b<word>\b` matches here (`word` is ASCII letters).
    pub fn word_here(&self, word: &str) -> bool {
        let rest = self.rest();
        rest.starts_with(word)
            && is_boundary(self.s, self.pos)
            && is_boundary(self.s, self.pos + word.len())
    }
}
