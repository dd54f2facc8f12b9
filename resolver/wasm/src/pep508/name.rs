//! Project and extra names (PEP 503 normalization, core-metadata validity).

/// PEP 503 normal form, as `packaging.utils.canonicalize_name`: lowercase, every run of `-`, `_`
/// and `.` becomes one `-` (`Foo.Bar__baz` → `foo-bar-baz`). Does not check validity.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_dash = false;
    for c in name.to_lowercase().chars() {
        if c == '-' || c == '_' || c == '.' {
            if !last_dash {
                out.push('-');
            }
            last_dash = true;
        } else {
            out.push(c);
            last_dash = false;
        }
    }
    out
}

/// Checks that `name` is a valid distribution name (ASCII letters and digits, with `.`, `_`, `-`
/// inside) and returns its normal form; `packaging`'s `canonicalize_name(name, validate=True)`.
pub fn validate_name(name: &str) -> Result<String, String> {
    let b = name.as_bytes();
    let ok = match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
        }
        _ => false,
    };
    if ok {
        Ok(normalize_name(name))
    } else {
        Err(format!(
            "invalid project name '{}': a name is ASCII letters and digits, with '.', '_' or '-' between them",
            crate::pep440::version_excerpt(name)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_pep_503() {
        assert_eq!(normalize_name("Django"), "django");
        assert_eq!(normalize_name("oslo.concurrency"), "oslo-concurrency");
        assert_eq!(normalize_name("Foo__Bar-._baz"), "foo-bar-baz");
        assert_eq!(normalize_name("-a-"), "-a-");
        assert_eq!(validate_name("Zope.Interface").as_deref(), Ok("zope-interface"));
        for bad in ["", "-a", "a-", "a b", "é", ".", "a!"] {
            assert!(validate_name(bad).unwrap_err().contains(&format!("'{}'", bad)), "{}", bad);
        }
    }
}
