//! Diff: two YAML streams (split at the first `\n===\n`), matched, normalised with every
//! ignore rule, and written as unified, Markdown and JSON output, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollwright::diff::{self, Options, Sides};
use rollwright::yaml;

fn values(text: &[u8]) -> Option<Vec<serde_json::Value>> {
    let text = yaml::decode(text).ok()?;
    Some(yaml::parse_documents(text).ok()?.into_iter().map(|d| d.value).collect())
}

fuzz_target!(|data: &[u8]| {
    let split = data.windows(5).position(|w| w == b"\n===\n");
    let (a, b) = match split {
        Some(i) => (&data[..i], &data[i + 5..]),
        None => (data, &b""[..]),
    };
    let (Some(before), Some(after)) = (values(a), values(b)) else {
        return;
    };
    for live in [false, true] {
        let sides = Sides {
            before: before.clone(),
            after: after.clone(),
            before_label: "before".into(),
            after_label: "after".into(),
            ..Default::default()
        };
        let options = Options {
            live,
            ..Default::default()
        };
        if let Ok(report) = diff::compare(sides, &options) {
            let _ = diff::unified::write(&report, 3, false);
            let _ = diff::markdown::write(&report, 3, 4096);
            let _ = diff::json::write(&report);
        }
    }
});
