//! GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::message`), which
//! GitHub shows as annotations on the run and on the pull request's changed lines.

use std::fmt::Write as _;

use super::{FilePath, InputError, Report, Severity};

pub fn write(report: &Report) -> String {
    let cwd = std::env::current_dir().ok();
    let cwd = cwd.as_deref();
    let mut out = String::new();
    for d in &report.input_errors {
        let e = InputError::of(d);
        let at = e.file.map(|f| (f, e.pos.map(|p| (p.line, p.column))));
        command(
            &mut out,
            "error",
            at,
            "rollwright: input error",
            &e.message,
            e.help,
            cwd,
        );
    }
    for f in &report.findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        command(
            &mut out,
            level,
            Some((&f.file, Some((f.line, f.column)))),
            &format!("{} {}", f.rule, f.name),
            &f.message,
            f.help.as_deref(),
            cwd,
        );
    }
    out
}

type At<'a> = Option<(&'a str, Option<(u32, u32)>)>;

fn command(
    out: &mut String,
    level: &str,
    at: At<'_>,
    title: &str,
    message: &str,
    help: Option<&str>,
    cwd: Option<&std::path::Path>,
) {
    let mut props = Vec::new();
    // GitHub matches `file` against the checkout, so it is given relative to it; standard
    // input has no file to point at.
    if let Some((file, pos)) = at {
        let file = match FilePath::new(file, cwd) {
            FilePath::Relative(p) | FilePath::Absolute(p) => Some(p),
            FilePath::Stdin => None,
        };
        if let Some(file) = file {
            props.push(format!("file={}", property(&file)));
            if let Some((line, column)) = pos {
                props.push(format!("line={line}"));
                props.push(format!("col={column}"));
            }
        }
    }
    props.push(format!("title={}", property(title)));
    let mut text = message.to_owned();
    if let Some(help) = help {
        let _ = write!(text, "\nhelp: {help}");
    }
    let _ = writeln!(out, "::{level} {}::{}", props.join(","), data(&text));
}

/// Escapes a command's message, as GitHub's toolkit does.
pub fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: also `:` and `,`, which end it.
pub fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
