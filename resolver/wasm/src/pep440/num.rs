//! Unbounded non-negative integers for version components.
//!
//! `packaging` turns every digit run of a version into a Python `int`, so `1.99999999999999999999`
//! is valid and compares numerically. Components that fit a `u64` are stored as one; longer ones
//! keep their digits (leading zeros removed), which compare by length and then lexically.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// A non-negative integer of any size. `Big` holds only values above `u64::MAX`, so each value
/// has one representation and the derived-by-hand `Eq`/`Hash` agree.
#[derive(Clone)]
pub enum Num {
    Small(u64),
    /// Decimal digits without leading zeros, value > `u64::MAX`.
    Big(Box<str>),
}

/// Zero, for comparisons that need a reference to an absent number.
pub static ZERO: Num = Num::Small(0);

impl Num {
    /// Parses a non-empty run of ASCII digits (the caller has checked it).
    pub fn from_digits(digits: &str) -> Num {
        let trimmed = digits.trim_start_matches('0');
        if trimmed.is_empty() {
            return Num::Small(0);
        }
        match trimmed.parse::<u64>() {
            Ok(n) => Num::Small(n),
            Err(_) => Num::Big(trimmed.into()),
        }
    }

    pub fn is_zero(&self) -> bool {
        matches!(self, Num::Small(0))
    }

    /// This number plus one.
    pub fn plus_one(&self) -> Num {
        match self {
            Num::Small(n) => match n.checked_add(1) {
                Some(m) => Num::Small(m),
                None => Num::Big("18446744073709551616".into()),
            },
            Num::Big(digits) => {
                let mut bytes: Vec<u8> = digits.bytes().collect();
                let mut i = bytes.len();
                loop {
                    if i == 0 {
                        bytes.insert(0, b'1');
                        break;
                    }
                    i -= 1;
                    if bytes[i] == b'9' {
                        bytes[i] = b'0';
                    } else {
                        bytes[i] += 1;
                        break;
                    }
                }
                Num::Big(String::from_utf8_lossy(&bytes).into())
            }
        }
    }
}

impl PartialEq for Num {
    fn eq(&self, other: &Num) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Num {}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Num) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Num) -> Ordering {
        match (self, other) {
            (Num::Small(a), Num::Small(b)) => a.cmp(b),
            (Num::Small(_), Num::Big(_)) => Ordering::Less,
            (Num::Big(_), Num::Small(_)) => Ordering::Greater,
            (Num::Big(a), Num::Big(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        }
    }
}

impl Hash for Num {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Num::Small(n) => {
                state.write_u8(0);
                n.hash(state);
            }
            Num::Big(digits) => {
                state.write_u8(1);
                digits.hash(state);
            }
        }
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::Small(n) => write!(f, "{}", n),
            Num::Big(digits) => f.write_str(digits),
        }
    }
}

impl fmt::Debug for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders_any_length() {
        assert_eq!(Num::from_digits("000"), Num::Small(0));
        assert_eq!(Num::from_digits("0042").to_string(), "42");
        let max = Num::from_digits("18446744073709551615");
        assert!(matches!(max, Num::Small(u64::MAX)));
        let above = Num::from_digits("018446744073709551616");
        assert!(matches!(above, Num::Big(_)));
        assert_eq!(above.to_string(), "18446744073709551616");
        assert!(max < above);
        assert_eq!(max.plus_one(), above);
        let huge = Num::from_digits(&"9".repeat(60));
        assert!(huge > above);
        assert_eq!(huge.plus_one().to_string(), format!("1{}", "0".repeat(60)));
        assert!(
            Num::from_digits("123456789012345678901234")
                < Num::from_digits("123456789012345678901235")
        );
        assert!(
            Num::from_digits("99999999999999999999") < Num::from_digits("100000000000000000000")
        );
    }
}
