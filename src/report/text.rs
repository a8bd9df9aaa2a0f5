//! Plain text, one finding per line (placeholder for the full renderer).

use super::Report;

pub fn write(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&format!(
            "{}:{}:{}: {} {}[{}]: {}\n",
            f.file, f.line, f.column, f.severity, f.rule, f.name, f.message
        ));
    }
    out
}
