//! Fuzzing every PEP 440/508 parser with random and mutated input: nothing may panic (on wasm a
//! panic is a trap) or take long, and what parses must print in a form that parses back to the
//! same thing. Deterministic (seeded), bounded in time.

use super::{validate_name, MarkerEnvironment, MarkerTree, Requirement};
use crate::pep440::{display_ranges, Version, VersionSpecifiers};
use std::time::{Duration, Instant};

/// xorshift64*: a small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const SEEDS: &[&str] = &[
    "1.0",
    "v1!2.0rc1.post2.dev3+ubuntu.1",
    "1.0-1",
    " 1.0a ",
    "99999999999999999999999999.0",
    ">=1.0, <2.0",
    "~=1.4.5a1",
    "==1.2.*",
    "!=1.0+local,===foo",
    "<2.0rc1,>1.0.post1",
    "requests[security,socks] (>=2.28, <3) ; python_version >= '3.8' and sys_platform != 'win32'",
    "name @ https://example.com/x.whl ; os_name == 'nt'",
    "Foo_Bar.baz>=1.0\n",
    "name===a,>=1",
    "python_version >= \"3.8\" and (extra == 'Test' or os.name not in 'nt posix')",
    "((platform_machine == 'x86_64')) or '3.9' < python_full_version",
    "implementation_version ~= '3.11' and platform_release == '6.1.*'",
    "os_name == 'a\\x41\\n\\\\b'",
    "extra == \"x\" and extra != 'y'",
];

const ALPHABET: &[char] = &[
    '0', '1', '9', '.', '-', '_', '+', '!', '*', 'v', 'a', 'b', 'c', 'r', 'e', 'p', 'o', 's', 't',
    'd', 'n', 'x', 'A', 'Z', ' ', '\t', '\n', ',', ';', '(', ')', '[', ']', '@', '\'', '"', '=',
    '<', '>', '~', '\\', 'é', '\u{a0}', '\u{2028}', '\0', '𝟘', 'ſ', 'K', '\u{345}',
];

fn random_string(rng: &mut Rng) -> String {
    let len = rng.below(40);
    (0..len).map(|_| *rng.pick(ALPHABET)).collect()
}

fn mutate(rng: &mut Rng, s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let i = rng.below(chars.len() + 1);
        match rng.below(5) {
            0 => chars.insert(i, *rng.pick(ALPHABET)),
            1 if i < chars.len() => {
                chars.remove(i);
            }
            2 if i < chars.len() => chars[i] = *rng.pick(ALPHABET),
            3 => {
                let j = rng.below(chars.len() + 1);
                let piece: Vec<char> = chars[i.min(j)..i.max(j)].to_vec();
                chars.splice(i..i, piece);
            }
            _ => chars.truncate(i),
        }
    }
    chars.into_iter().collect()
}

fn env() -> MarkerEnvironment {
    MarkerEnvironment {
        implementation_name: "cpython".into(),
        implementation_version: "3.11.7".into(),
        os_name: "posix".into(),
        platform_machine: "x86_64".into(),
        platform_python_implementation: "CPython".into(),
        platform_release: "6.1.0".into(),
        platform_system: "Linux".into(),
        platform_version: "#1 SMP".into(),
        python_full_version: "3.13.0+".into(),
        python_version: "3.13".into(),
        sys_platform: "linux".into(),
    }
}

/// Whether a printed marker can be read back verbatim: `packaging`'s form does not escape
/// backslashes or line breaks inside values.
fn printable(text: &str) -> bool {
    !text.contains(|c| matches!(c, '\\' | '\n' | '\r' | '\0'))
}

/// Runs every parser on `input` and checks what holds for whatever parses.
fn exercise(input: &str, probes: &[Version]) {
    if let Ok(v) = input.parse::<Version>() {
        let shown = v.to_string();
        let again: Version =
            shown.parse().unwrap_or_else(|e| panic!("{:?} printed as {:?}: {}", input, shown, e));
        assert!(again == v && again.to_string() == shown, "{:?}", input);
    }
    if let Ok(specs) = input.parse::<VersionSpecifiers>() {
        let shown = specs.to_string();
        let again: VersionSpecifiers =
            shown.parse().unwrap_or_else(|e| panic!("{:?} printed as {:?}: {}", input, shown, e));
        assert_eq!(again.to_string(), shown, "{:?}", input);
        let ranges = specs.to_ranges();
        let _ = display_ranges(&ranges);
        let arbitrary = specs.iter().any(|s| {
            s.text().is_empty() || s.version().is_none() || s.to_string().starts_with("===")
        });
        for v in probes {
            let inside = specs.contains(v, true);
            assert!(
                arbitrary || ranges.contains(v) == inside,
                "{:?} and {}: ranges {}",
                input,
                v,
                !inside
            );
            let _ = specs.contains_str(&v.to_string(), None);
        }
        let _ = specs.contains_str(input, Some(false));
    }
    if let Ok(req) = input.parse::<Requirement>() {
        let shown = req.to_string();
        // `packaging` takes `foo_` as a name (its regex ends at `\b`, and `_` is a word
        // character); its normal form `foo-` is then no name: such a requirement cannot round-trip.
        let dangling = req.name.ends_with('-') || req.extras.iter().any(|e| e.ends_with('-'));
        if printable(&shown) && !dangling && !shown.contains('\'') {
            let again: Requirement = shown
                .parse()
                .unwrap_or_else(|e| panic!("{:?} printed as {:?}: {}", input, shown, e));
            assert_eq!(again.to_string(), shown, "{:?}", input);
        }
        if let Some(m) = &req.marker {
            let _ = m.try_evaluate(&env(), &["Extra_1".to_string(), "x".to_string()]);
        }
    }
    if let Ok(marker) = input.parse::<MarkerTree>() {
        let shown = marker.to_string();
        // A value holding both quote characters cannot be quoted (packaging prints `"a'b"c"`).
        if printable(&shown) && !shown.contains('\'') {
            let again: MarkerTree = shown
                .parse()
                .unwrap_or_else(|e| panic!("{:?} printed as {:?}: {}", input, shown, e));
            assert_eq!(again.to_string(), shown, "{:?}", input);
        }
        let _ = marker.try_evaluate(&env(), &[]);
        let _ = marker.evaluate(&env(), &["test".to_string()]);
    }
    let _ = validate_name(input);
}

#[test]
fn random_and_mutated_input_never_panics() {
    let probes: Vec<Version> = [
        "0",
        "1.0.dev0",
        "1.0a1",
        "1.0",
        "1.0+x",
        "1.0.post1",
        "1.2.5",
        "1.4.5a1",
        "1.5",
        "2.0rc1",
        "2.0",
        "1!1.0",
        "99999999999999999999999999.0",
    ]
    .iter()
    .filter_map(|s| s.parse().ok())
    .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let started = Instant::now();
    let mut parsed = 0;
    for i in 0..40_000 {
        let input = match i % 4 {
            0 => random_string(&mut rng),
            1 | 2 => {
                let seed = *rng.pick(SEEDS);
                mutate(&mut rng, seed)
            }
            _ => format!(
                "{}{}{}",
                rng.pick(SEEDS),
                rng.pick(&[" ", ",", ";", " and ", "@", ""]),
                rng.pick(SEEDS)
            ),
        };
        exercise(&input, &probes);
        parsed += input.parse::<Requirement>().is_ok() as usize
            + input.parse::<MarkerTree>().is_ok() as usize;
    }
    assert!(parsed > 1000, "only {} inputs parsed: the fuzzer is not reaching the parsers", parsed);
    assert!(started.elapsed() < Duration::from_secs(60), "fuzzing took {:?}", started.elapsed());
}

#[test]
fn huge_and_deep_input_is_refused_or_handled_quickly() {
    let cases = vec![
        "(".repeat(200_000),
        format!("{}os_name == 'a'{}", "(".repeat(100_000), ")".repeat(100_000)),
        format!("1.{}", "9".repeat(200_000)),
        format!("x>={}", "1.".repeat(100_000)),
        vec!["!=1.0"; 20_000].join(",").replace("1.0", "1.0.1"),
        (0..20_000).map(|i| format!("!={}", i)).collect::<Vec<_>>().join(","),
        vec!["os_name == 'a'"; 20_000].join(" and "),
        format!("name[{}]", vec!["x"; 50_000].join(",")),
        "'".repeat(100_000),
        format!("os_name == '{}'", "\\".repeat(100_001)),
        "a".repeat(300_000),
        format!("x{}", "-".repeat(100_000)),
    ];
    let probes: Vec<Version> = ["1.0", "5.0"].iter().filter_map(|s| s.parse().ok()).collect();
    for input in &cases {
        let started = Instant::now();
        exercise(input, &probes);
        let _ = format!("x{}", input).parse::<Requirement>();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{}…: {:?}",
            &input[..20.min(input.len())],
            started.elapsed()
        );
    }
    let many: VersionSpecifiers = (0..20_000)
        .map(|i| format!("!={}", i))
        .collect::<Vec<_>>()
        .join(",")
        .parse()
        .unwrap_or_default();
    assert_eq!(many.len(), 20_000);
    assert!(!many
        .to_ranges()
        .contains(&"17".parse::<Version>().unwrap_or_else(|e| panic!("{}", e))));
    assert!(many
        .to_ranges()
        .contains(&"17.5".parse::<Version>().unwrap_or_else(|e| panic!("{}", e))));
}
