//! YAML scalars and mapping keys, read as sigs.k8s.io/yaml reads them.
//!
//! Helm (values files, `-f`, rendered templates) and kubectl (manifests) both read YAML through
//! sigs.k8s.io/yaml: go-yaml v2 resolves each scalar with YAML 1.1's rules, the result is turned
//! into JSON, and the JSON is what Helm's templates and the API server see. This module is that
//! reading, written from go-yaml v2's resolution rules and sigs.k8s.io/yaml's conversion:
//!
//! - booleans: exactly `y Y yes Yes YES true True TRUE on On ON` and their negatives
//!   (`n N no No NO false False FALSE off Off OFF`); `yES`, `tRUE` are strings;
//! - null: the empty scalar, `~`, `null`, `Null`, `NULL`;
//! - integers: Go's `strconv.ParseInt(text, 0, 64)` after every `_` is removed, so `0x1F`,
//!   `0X1F`, `0o17`, `0B101`, `0755` (octal), `+5`, `1__0` and `10_` are integers; then
//!   unsigned 64-bit; then `0b` followed by a signed binary number;
//! - floats: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` (after `_` removal),
//!   `.5`, and `.inf`/`.nan` in their three spellings; a float out of range (`1e400`) is a
//!   string;
//! - everything else, and every quoted or block scalar, is a string; explicit tags `!!str`,
//!   `!!int`, `!!float`, `!!bool`, `!!null`, `!!timestamp` and `!!binary` are honoured, other
//!   tags make the text a string.
//!
//! Numbers then take their JSON form: a float with a whole value below 10^21 is written by
//! Go's JSON encoder as an integer (`3.0` → `3`, `1e3` → `1000`, `-0.0` → `0`), which is what
//! kubectl sends; `.inf` and `.nan` have no JSON form and are refused. Timestamps stay the text
//! they were written as. Keys become strings as sigs.k8s.io/yaml makes them (`true`, `8` for
//! `010`, `1e+06` for `1.0e6`, floats at 32-bit precision), and a null key or one beyond a
//! signed 64-bit integer is refused, as Helm and kubectl refuse it.

use std::borrow::Cow;

use serde_json::{Number, Value};

/// The core schema's tags, in full.
const STR: &str = "tag:yaml.org,2002:str";
const BOOL: &str = "tag:yaml.org,2002:bool";
const INT: &str = "tag:yaml.org,2002:int";
const FLOAT: &str = "tag:yaml.org,2002:float";
const NULL: &str = "tag:yaml.org,2002:null";
const TIMESTAMP: &str = "tag:yaml.org,2002:timestamp";
const BINARY: &str = "tag:yaml.org,2002:binary";
const MERGE: &str = "tag:yaml.org,2002:merge";

/// How a scalar was written: its text after escapes, whether it was plain (unquoted, not a
/// block scalar), and its tag in full (`tag:yaml.org,2002:str` for `!!str`), if any.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scalar<'a> {
    pub text: &'a str,
    pub plain: bool,
    pub tag: Option<&'a str>,
}

impl<'a> Scalar<'a> {
    #[cfg(test)]
    pub fn plain(text: &'a str) -> Self {
        Scalar {
            text,
            plain: true,
            tag: None,
        }
    }

    /// Whether go-yaml calls the scalar implicit: plain and untagged, or tagged `!`.
    fn implicit(&self) -> bool {
        (self.plain && self.tag.is_none()) || self.tag == Some("!")
    }

    /// Whether this scalar, as a mapping key, is a merge key (`<<`).
    pub fn is_merge_key(&self) -> bool {
        self.text == "<<" && (self.implicit() || self.tag == Some(MERGE))
    }
}

/// Why a scalar or key is refused, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub message: String,
    pub help: String,
}

fn problem(message: impl Into<String>, help: impl Into<String>) -> Problem {
    Problem {
        message: message.into(),
        help: help.into(),
    }
}

/// What a scalar resolves to, before its JSON form.
#[derive(Debug, Clone, PartialEq)]
enum Resolved<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(Cow<'a, str>),
}

/// The JSON value of a scalar, as Helm's templates and the API server get it.
pub(crate) fn value(scalar: Scalar<'_>) -> Result<Value, Problem> {
    Ok(match resolve(scalar)? {
        Resolved::Null => Value::Null,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(n) => Value::from(n),
        Resolved::Uint(n) => Value::from(n),
        Resolved::Float(f) => Value::Number(json_float(f).ok_or_else(|| {
            problem(
                format!(
                    "`{}` is not a number JSON can hold, so Helm and kubectl refuse it",
                    scalar.text
                ),
                format!("quote it to make it a string: \"{}\"", scalar.text),
            )
        })?),
        Resolved::Str(s) => Value::String(s.into_owned()),
    })
}

/// A mapping key as the JSON object key sigs.k8s.io/yaml makes of it.
pub(crate) fn key(scalar: Scalar<'_>) -> Result<String, Problem> {
    match resolve(scalar)? {
        Resolved::Str(s) => Ok(s.into_owned()),
        Resolved::Bool(b) => Ok(b.to_string()),
        Resolved::Int(n) => Ok(n.to_string()),
        Resolved::Float(f) => Ok(go_float32_g(f)),
        Resolved::Uint(n) => Err(problem(
            format!(
                "the key {n} is beyond 64-bit integers, which Helm and kubectl refuse as a key"
            ),
            format!("quote it: \"{n}\""),
        )),
        Resolved::Null => Err(problem(
            format!(
                "a null key (`{}`) is refused by Helm and kubectl",
                if scalar.text.is_empty() {
                    "?"
                } else {
                    scalar.text
                }
            ),
            "quote it or give the key a name",
        )),
    }
}

/// The JSON number Go's encoder writes for a float and a JSON reader reads back: a whole
/// value below 10^21 is written without a fraction, so it reads as an integer when it fits
/// 64 bits. `None` for NaN and the infinities, which JSON cannot hold.
pub fn json_float(f: f64) -> Option<Number> {
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0
        && f.abs() < 1e21
        && let Ok(n) = format!("{f}").parse::<i64>()
    {
        return Some(Number::from(n));
    }
    Number::from_f64(f)
}

fn resolve(scalar: Scalar<'_>) -> Result<Resolved<'_>, Problem> {
    let text = scalar.text;
    let tag = match scalar.tag {
        None if scalar.plain => "",
        None => return Ok(Resolved::Str(Cow::Borrowed(text))),
        Some(BINARY) => return binary(text).map(|s| Resolved::Str(Cow::Owned(s))),
        Some(t @ (STR | BOOL | INT | FLOAT | NULL | TIMESTAMP)) => t,
        // `!`, `!!map`, local and custom tags: go-yaml keeps the text.
        Some(_) => return Ok(Resolved::Str(Cow::Borrowed(text))),
    };
    let (found, resolved) = implicit(text, tag);
    match (tag, found) {
        ("" | STR, _) => Ok(resolved),
        (t, f) if t == f => Ok(resolved),
        (FLOAT, INT) => match resolved {
            Resolved::Int(n) => Ok(Resolved::Float(n as f64)),
            _ => Err(cannot_decode(text, found, tag)),
        },
        _ => Err(cannot_decode(text, found, tag)),
    }
}

fn cannot_decode(text: &str, found: &str, wanted: &str) -> Problem {
    let short = |t: &str| t.replace("tag:yaml.org,2002:", "!!");
    problem(
        format!(
            "`{text}` is a {} and cannot be read as a {}",
            short(found),
            short(wanted)
        ),
        "remove the tag or fix the value",
    )
}

/// Resolves a scalar's text under `tag` (`""` for a plain untagged scalar, or a core tag),
/// returning the tag it was found to have.
fn implicit<'a>(text: &'a str, tag: &str) -> (&'static str, Resolved<'a>) {
    let string = (STR, Resolved::Str(Cow::Borrowed(text)));
    if tag == STR {
        return string;
    }
    let hint = match text.as_bytes().first() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => return string,
    };
    if let Some(found) = by_spelling(text) {
        return found;
    }
    match hint {
        b'.' => {
            if let Some(f) = dot_float(text) {
                return (FLOAT, Resolved::Float(f));
            }
        }
        b'D' | b'S' => {
            // A timestamp stays its text; only an explicit !!timestamp checks it is one.
            if (tag.is_empty() || tag == TIMESTAMP) && is_timestamp(text) {
                return (TIMESTAMP, Resolved::Str(Cow::Borrowed(text)));
            }
            let plain = text.replace('_', "");
            if let Some(n) = go_parse_int(&plain, 0) {
                return (INT, Resolved::Int(n));
            }
            if let Some(n) = go_parse_uint(&plain, 0) {
                return (INT, Resolved::Uint(n));
            }
            if yaml_style_float(&plain)
                && let Ok(f) = plain.parse::<f64>()
                && f.is_finite()
            {
                return (FLOAT, Resolved::Float(f));
            }
            if let Some(rest) = plain.strip_prefix("0b") {
                if let Some(n) = go_parse_int(rest, 2) {
                    return (INT, Resolved::Int(n));
                }
                if let Some(n) = go_parse_uint(rest, 2) {
                    return (INT, Resolved::Uint(n));
                }
            } else if let Some(rest) = plain.strip_prefix("-0b")
                && let Some(n) = go_parse_int(&format!("-{rest}"), 2)
            {
                return (INT, Resolved::Int(n));
            }
        }
        _ => {}
    }
    string
}

/// The spellings go-yaml v2 looks up by name.
fn by_spelling(text: &str) -> Option<(&'static str, Resolved<'static>)> {
    Some(match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            (BOOL, Resolved::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            (BOOL, Resolved::Bool(false))
        }
        "" | "~" | "null" | "Null" | "NULL" => (NULL, Resolved::Null),
        ".nan" | ".NaN" | ".NAN" => (FLOAT, Resolved::Float(f64::NAN)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            (FLOAT, Resolved::Float(f64::INFINITY))
        }
        "-.inf" | "-.Inf" | "-.INF" => (FLOAT, Resolved::Float(f64::NEG_INFINITY)),
        _ => return None,
    })
}

/// go-yaml's float pattern `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat` of a scalar that starts with `.`: digits, with `_` allowed between
/// digits, and an optional exponent. `None` when it is not such a number or is out of range.
fn dot_float(s: &str) -> Option<f64> {
    if s.contains('_') && !underscores_between_digits(s) {
        return None;
    }
    let plain = s.replace('_', "");
    let rest = plain.strip_prefix('.')?;
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(mantissa) {
        return None;
    }
    if let Some(e) = exponent
        && !digits(e.strip_prefix(['+', '-']).unwrap_or(e))
    {
        return None;
    }
    plain.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Go's rule for `_` in a number: each one between two digits.
fn underscores_between_digits(s: &str) -> bool {
    let mut prev = b'^';
    for &b in s.as_bytes() {
        if b.is_ascii_digit() {
            prev = b'0';
        } else if b == b'_' {
            if prev != b'0' {
                return false;
            }
            prev = b'_';
        } else {
            if prev == b'_' {
                return false;
            }
            prev = b'!';
        }
    }
    prev != b'_'
}

/// Go's `strconv.ParseUint(s, base, 64)` for base 0 (prefixes `0b`, `0o`, `0x`, `0` for octal)
/// or 2, on text without underscores.
fn go_parse_uint(s: &str, base: u32) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let (digits, radix) = if base != 0 {
        (s, base)
    } else if let Some(rest) = s.strip_prefix('0') {
        match rest.as_bytes().first() {
            Some(b'b' | b'B') if s.len() >= 3 => (&rest[1..], 2),
            Some(b'o' | b'O') if s.len() >= 3 => (&rest[1..], 8),
            Some(b'x' | b'X') if s.len() >= 3 => (&rest[1..], 16),
            _ => (rest, 8),
        }
    } else {
        (s, 10)
    };
    let mut n: u64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(36)?;
        if d >= radix {
            return None;
        }
        n = n.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// Go's `strconv.ParseInt(s, base, 64)`: one optional sign, then [`go_parse_uint`].
fn go_parse_int(s: &str, base: u32) -> Option<i64> {
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let n = go_parse_uint(rest, base)?;
    if negative {
        0i64.checked_sub_unsigned(n)
    } else {
        i64::try_from(n).ok()
    }
}

/// Whether go-yaml v2 reads the text as a timestamp: `YYYY-M-D`, optionally followed by a time
/// (`T`, `t` or a space, `H:M:S`, a fraction, and with `T`/`t` a zone `Z` or `±HH:MM`).
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut i = 5;
    let number = |i: &mut usize, max: usize| -> Option<u32> {
        let start = *i;
        while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
            *i += 1;
        }
        s[start..*i].parse().ok()
    };
    let year: u32 = s[..4].parse().unwrap_or(0);
    let Some(month) = number(&mut i, 2) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(day) = number(&mut i, 2) else {
        return false;
    };
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days {
        return false;
    }
    let Some(&sep) = b.get(i) else {
        return true;
    };
    if !matches!(sep, b'T' | b't' | b' ') {
        return false;
    }
    i += 1;
    for (k, max) in [(0, 23), (1, 59), (2, 59)] {
        if k > 0 {
            if b.get(i) != Some(&b':') {
                return false;
            }
            i += 1;
        }
        match number(&mut i, 2) {
            Some(v) if v <= max => {}
            _ => return false,
        }
    }
    // Go takes any number of fraction digits, after `.` or `,`.
    if matches!(b.get(i), Some(b'.' | b',')) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if sep == b' ' {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let zone = &b[i + 1..];
            zone.len() == 5
                && zone[..2].iter().all(u8::is_ascii_digit)
                && zone[2] == b':'
                && zone[3..].iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// A `!!binary` scalar: standard base64 (line breaks ignored) of UTF-8 text.
fn binary(text: &str) -> Result<String, Problem> {
    let refuse = || {
        problem(
            "a !!binary value that is not valid base64",
            "write standard base64 with its `=` padding, or drop the tag to keep the text",
        )
    };
    let clean: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b'\n' | b'\r'))
        .collect();
    if !clean.len().is_multiple_of(4) {
        return Err(refuse());
    }
    let sextet = |b: u8| -> Option<u32> {
        Some(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    let chunks = clean.len() / 4;
    for (n, chunk) in clean.chunks(4).enumerate() {
        let pad = chunk.iter().rev().take_while(|&&b| b == b'=').count();
        if pad > 2 || (pad > 0 && n + 1 != chunks) {
            return Err(refuse());
        }
        let mut word = 0u32;
        for &b in &chunk[..4 - pad] {
            word = word << 6 | sextet(b).ok_or_else(refuse)?;
        }
        word <<= 6 * pad as u32;
        let bytes = word.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    String::from_utf8(out).map_err(|_| {
        problem(
            "a !!binary value that is not UTF-8 text",
            "Kubernetes and Helm take text here: put binary data in a Secret's or ConfigMap's `binaryData`, as base64 without the tag",
        )
    })
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`, with go-yaml's names for the special values:
/// how sigs.k8s.io/yaml spells a float mapping key.
fn go_float32_g(f: f64) -> String {
    let x = f as f32;
    if x.is_nan() {
        return ".nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let negative = x.is_sign_negative();
    let sign = if negative { "-" } else { "" };
    if x == 0.0 {
        return format!("{sign}0");
    }
    // Shortest digits for a 32-bit float, as d.ddd e N.
    let formatted = format!("{:e}", x.abs());
    let (mantissa, exponent) = formatted.split_once('e').unwrap_or((&formatted, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(-4..6).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        let esign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{first}{dot}{rest}e{esign}{:02}", exponent.abs());
    }
    // Decimal point after `point` digits.
    let point = exponent + 1;
    let n = digits.len() as i32;
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else if point >= n {
        format!("{digits}{}", "0".repeat((point - n) as usize))
    } else {
        let (a, b) = digits.split_at(point as usize);
        format!("{a}.{b}")
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plain(text: &str) -> Value {
        value(Scalar::plain(text)).unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    fn tagged(tag: &str, text: &str) -> Result<Value, Problem> {
        let full = tag.replace("!!", "tag:yaml.org,2002:");
        value(Scalar {
            text,
            plain: true,
            tag: Some(&full),
        })
    }

    /// Every case here was read by helm 4.2.3 (`kindOf` and `toJson` of a values file's keys,
    /// and `kubectl annotate --local -o json` for manifests) and is what sigs.k8s.io/yaml gives.
    #[test]
    fn plain_scalars_as_helm_reads_them() {
        let cases = [
            // Booleans: only go-yaml's spellings.
            ("y", json!(true)),
            ("Yes", json!(true)),
            ("YES", json!(true)),
            ("On", json!(true)),
            ("TRUE", json!(true)),
            ("n", json!(false)),
            ("Off", json!(false)),
            ("yES", json!("yES")),
            ("oN", json!("oN")),
            ("tRUE", json!("tRUE")),
            ("fALSE", json!("fALSE")),
            ("nO", json!("nO")),
            // Null.
            ("", json!(null)),
            ("~", json!(null)),
            ("Null", json!(null)),
            ("nULL", json!("nULL")),
            // Integers with Go's prefixes and any underscores.
            ("0X1F", json!(31)),
            ("0x1f", json!(31)),
            ("0O17", json!(15)),
            ("0o17", json!(15)),
            ("0B101", json!(5)),
            ("0b101", json!(5)),
            ("0755", json!(493)),
            ("-0755", json!(-493)),
            ("+0x1F", json!(31)),
            ("-0b11", json!(-3)),
            ("0b-101", json!(-5)),
            ("1__0", json!(10)),
            ("10_", json!(10)),
            ("0_x1F", json!(31)),
            ("+5", json!(5)),
            ("-0", json!(0)),
            ("00", json!(0)),
            ("0x", json!("0x")),
            ("0b", json!("0b")),
            ("_1", json!("_1")),
            ("9223372036854775807", json!(i64::MAX)),
            ("-9223372036854775808", json!(i64::MIN)),
            ("9223372036854775808", json!(9_223_372_036_854_775_808u64)),
            ("18446744073709551615", json!(u64::MAX)),
            // Floats, and their JSON form.
            ("08", json!(8)),
            ("09.5", json!(9.5)),
            ("1.5", json!(1.5)),
            ("1.10", json!(1.1)),
            ("3.0", json!(3)),
            ("1.", json!(1)),
            (".5", json!(0.5)),
            (".5_0", json!(0.5)),
            ("-.5", json!(-0.5)),
            ("1e3", json!(1000)),
            ("1E3", json!(1000)),
            ("1.0e6", json!(1_000_000)),
            ("-0.0", json!(0)),
            ("1e-400", json!(0)),
            ("1e20", json!(1e20)),
            ("1e21", json!(1e21)),
            ("-9223372036854775809", json!(-9.223_372_036_854_776e18)),
            ("18446744073709551616", json!(18_446_744_073_709_551_616f64)),
            ("1e400", json!("1e400")),
            ("._5", json!("._5")),
            ("0x1p-2", json!("0x1p-2")),
            // Strings.
            ("2001-12-14", json!("2001-12-14")),
            ("1-2-3", json!("1-2-3")),
            ("12:30", json!("12:30")),
            ("100m", json!("100m")),
            ("-", json!("-")),
            (".", json!(".")),
            ("<<", json!("<<")),
            ("Infinity", json!("Infinity")),
            ("nan", json!("nan")),
        ];
        for (text, want) in cases {
            assert_eq!(plain(text), want, "{text:?}");
        }
    }

    #[test]
    fn quoted_and_block_scalars_are_strings() {
        for text in ["yes", "0x1F", "1.10", "~", ""] {
            let s = Scalar {
                text,
                plain: false,
                tag: None,
            };
            assert_eq!(value(s).unwrap(), json!(text));
        }
    }

    #[test]
    fn non_numbers_are_refused() {
        for text in [".inf", "-.Inf", "+.INF", ".nan", ".NaN"] {
            let err = value(Scalar::plain(text)).unwrap_err();
            assert!(
                err.message.contains("not a number JSON can hold"),
                "{text}: {err:?}"
            );
        }
    }

    #[test]
    fn tags_as_go_yaml_honours_them() {
        assert_eq!(tagged("!!str", "123").unwrap(), json!("123"));
        assert_eq!(tagged("!!int", "12").unwrap(), json!(12));
        assert_eq!(tagged("!!int", "0x1F").unwrap(), json!(31));
        assert_eq!(tagged("!!float", "1").unwrap(), json!(1));
        assert_eq!(tagged("!!float", "1.5").unwrap(), json!(1.5));
        assert_eq!(tagged("!!bool", "yes").unwrap(), json!(true));
        assert_eq!(tagged("!!null", "~").unwrap(), json!(null));
        assert_eq!(
            tagged("!!timestamp", "2001-12-14").unwrap(),
            json!("2001-12-14")
        );
        assert_eq!(
            tagged("!!timestamp", "2001-12-14T21:59:43.10Z").unwrap(),
            json!("2001-12-14T21:59:43.10Z")
        );
        assert_eq!(tagged("!!binary", "aGVsbG8=").unwrap(), json!("hello"));
        assert_eq!(tagged("!!binary", "aGVs\nbG8h").unwrap(), json!("hello!"));
        assert_eq!(tagged("!foo", "12").unwrap(), json!("12"));
        assert_eq!(tagged("!", "12").unwrap(), json!("12"));
        assert_eq!(tagged("!!map", "12").unwrap(), json!("12"));
        for (tag, text) in [
            ("!!int", "1.5"),
            ("!!int", "abc"),
            ("!!null", "foo"),
            ("!!timestamp", "foo"),
            ("!!timestamp", "2001-02-30"),
            ("!!float", "abc"),
            ("!!bool", "1"),
            ("!!float", "18446744073709551615"),
            ("!!binary", "!!"),
            ("!!binary", "aGVsbG8"),
            ("!!binary", "/w=="),
        ] {
            assert!(tagged(tag, text).is_err(), "{tag} {text}");
        }
        // A tag applies to quoted text too.
        let quoted = Scalar {
            text: "12",
            plain: false,
            tag: Some(INT),
        };
        assert_eq!(value(quoted).unwrap(), json!(12));
    }

    #[test]
    fn keys_as_sigs_k8s_io_yaml_spells_them() {
        let key_of = |t: &str| key(Scalar::plain(t));
        let cases = [
            ("y", "true"),
            ("no", "false"),
            ("010", "8"),
            ("0x10", "16"),
            ("1.0e6", "1e+06"),
            ("100000.0", "100000"),
            ("1234567.0", "1.234567e+06"),
            ("0.1", "0.1"),
            ("0.0001", "0.0001"),
            ("0.00001", "1e-05"),
            ("3.14159265358979", "3.1415927"),
            ("-0.0", "-0"),
            ("1e300", ".inf"),
            (".inf", ".inf"),
            ("-.inf", "-.inf"),
            (".nan", ".nan"),
            ("1e400", "1e400"),
            ("2001-12-14", "2001-12-14"),
            ("-5", "-5"),
            ("yES", "yES"),
        ];
        for (text, want) in cases {
            assert_eq!(key_of(text).unwrap(), want, "{text:?}");
        }
        assert!(key_of("~").is_err());
        assert!(key_of("").is_err());
        assert!(key_of("null").is_err());
        assert!(key_of("9223372036854775808").is_err());
    }

    #[test]
    fn merge_keys() {
        assert!(Scalar::plain("<<").is_merge_key());
        let quoted = Scalar {
            text: "<<",
            plain: false,
            tag: None,
        };
        assert!(!quoted.is_merge_key());
        let tagged = Scalar {
            text: "<<",
            plain: false,
            tag: Some(MERGE),
        };
        assert!(tagged.is_merge_key());
    }

    #[test]
    fn json_floats_follow_go_encoding() {
        assert_eq!(json_float(3.0), Some(Number::from(3)));
        assert_eq!(json_float(-0.0), Some(Number::from(0)));
        assert_eq!(
            json_float(9_223_372_036_854_775_808.0),
            Number::from_f64(9_223_372_036_854_775_808.0)
        );
        assert_eq!(json_float(1.5), Number::from_f64(1.5));
        assert_eq!(json_float(f64::NAN), None);
    }
}
