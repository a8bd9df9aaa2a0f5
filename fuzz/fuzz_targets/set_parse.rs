//! `--set`, `--set-string` and `--set-json` arguments: parsing and applying them into a tree,
//! and the file edit `rollwright set` makes of them, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollwright::values::set::{SetKind, parse_assignments, parse_into};

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(arg) = std::str::from_utf8(rest) else {
        return;
    };
    let kind = match which % 3 {
        0 => SetKind::Set,
        1 => SetKind::SetString,
        _ => SetKind::SetJson,
    };
    let mut tree = serde_json::Map::new();
    let _ = parse_into(&mut tree, arg, kind);
    // Applying twice layers one argument over its own result, as repeated flags do.
    let _ = parse_into(&mut tree, arg, kind);
    let _ = parse_assignments(arg, kind);
});
