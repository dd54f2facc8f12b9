//! Quoted strings in markers: `packaging` reads them with Python's `ast.literal_eval`, so escape
//! sequences are processed (`'\x41'` is `A`) and some contents are errors (a raw newline, a NUL).

/// The value of a quoted-string token (quotes included) as Python evaluates the literal.
/// Named escapes (`\N{...}`) and escapes of lone surrogates are refused: Rust strings cannot hold
/// a surrogate and there is no Unicode name table here.
pub(crate) fn eval_py_string(token: &str) -> Result<String, String> {
    let content = token.get(1..token.len().saturating_sub(1)).unwrap_or("");
    let mut out = String::with_capacity(content.len());
    let mut chars = content.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\0' => return Err("a quoted string cannot contain a NUL character".to_string()),
            '\n' | '\r' => return Err("a quoted string cannot contain a line break".to_string()),
            '\\' => {
                let e = match chars.next() {
                    Some(e) => e,
                    None => return Err("a backslash cannot escape the closing quote".to_string()),
                };
                match e {
                    '\n' => {}
                    '\r' => {
                        if chars.peek() == Some(&'\n') {
                            chars.next();
                        }
                    }
                    '\\' | '\'' | '"' => out.push(e),
                    'a' => out.push('\u{7}'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'v' => out.push('\u{b}'),
                    '0'..='7' => {
                        let mut value = e as u32 - '0' as u32;
                        for _ in 0..2 {
                            match chars.peek() {
                                Some(d @ '0'..='7') => {
                                    value = value * 8 + (*d as u32 - '0' as u32);
                                    chars.next();
                                }
                                _ => break,
                            }
                        }
                        out.push(char::from_u32(value).unwrap_or('\u{fffd}'));
                    }
                    'x' | 'u' | 'U' => {
                        let len = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut value: u32 = 0;
                        for _ in 0..len {
                            match chars.peek().and_then(|d| d.to_digit(16)) {
                                Some(d) => {
                                    value = value * 16 + d;
                                    chars.next();
                                }
                                None => {
                                    return Err(format!(
                                        "truncated \\{} escape in a quoted string",
                                        e
                                    ))
                                }
                            }
                        }
                        match char::from_u32(value) {
                            Some(ch) => out.push(ch),
                            None => {
                                return Err(format!(
                                    "the escape \\{}{:x} is not a character",
                                    e, value
                                ))
                            }
                        }
                    }
                    'N' => {
                        return Err("named Unicode escapes (\\N{...}) are not supported".to_string())
                    }
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_like_python() {
        let ok = [
            ("'abc'", "abc"),
            ("\"a'b\"", "a'b"),
            ("'a\\\nb'", "ab"),
            ("'a\\\r\nb'", "ab"),
            ("'\\x41\\u00e9\\U0001F600'", "Aé😀"),
            ("'\\101\\0\\1234'", "A\0S4"),
            ("'\\q\\8'", "\\q\\8"),
            ("'\\t\\\\\\''", "\t\\'"),
            ("''", ""),
        ];
        for (token, value) in ok {
            assert_eq!(eval_py_string(token).as_deref(), Ok(value), "{:?}", token);
        }
        for bad in [
            "'a\nb'",
            "'a\rb'",
            "'\\'",
            "'a\0'",
            "'\\x4'",
            "'\\U00110000'",
            "'\\ud800'",
            "'\\N{DASH}'",
        ] {
            assert!(eval_py_string(bad).is_err(), "{:?}", bad);
        }
    }
}
