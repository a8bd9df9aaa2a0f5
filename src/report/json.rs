//! JSON: `{"findings": [...], "summary": {...}, "errors": [...]}`, keys in a fixed order.

use serde::Serialize;

use super::{Finding, InputError, Report, Summary};

#[derive(Serialize)]
struct Output<'a> {
    findings: &'a [Finding],
    summary: &'a Summary,
    errors: Vec<Error<'a>>,
}

/// An input error; `file`, `line` and `column` are null where unknown.
#[derive(Serialize)]
struct Error<'a> {
    file: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
    message: String,
    help: Option<&'a str>,
}

pub fn write(report: &Report) -> String {
    let errors = report
        .input_errors
        .iter()
        .map(|d| {
            let e = InputError::of(d);
            Error {
                file: e.file,
                line: e.pos.map(|p| p.line),
                column: e.pos.map(|p| p.column),
                message: e.message,
                help: e.help,
            }
        })
        .collect();
    let output = Output {
        findings: &report.findings,
        summary: &report.summary,
        errors,
    };
    let mut text = serde_json::to_string_pretty(&output).expect("a report serialises");
    text.push('\n');
    text
}
