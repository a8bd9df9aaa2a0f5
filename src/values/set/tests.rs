use super::super::merge::coalesce;
use super::*;
use serde_json::json;

fn parse(input: &str, kind: SetKind) -> Result<Value, SetError> {
    let mut map = Map::new();
    parse_into(&mut map, input, kind).map(|()| Value::Object(map))
}

fn set(input: &str) -> Value {
    parse(input, SetKind::Set).unwrap_or_else(|e| panic!("--set {input}: {e}"))
}

fn set_err(input: &str) -> String {
    match parse(input, SetKind::Set) {
        Ok(v) => panic!("--set {input}: expected an error, got {v}"),
        Err(e) => e.message,
    }
}

fn onto(start: Value, input: &str, kind: SetKind) -> Value {
    let mut map = start.as_object().cloned().expect("start is an object");
    parse_into(&mut map, input, kind).unwrap_or_else(|e| panic!("{input}: {e}"));
    Value::Object(map)
}

/// A value for a failure message, cut short (a bad index can make a huge list).
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(300) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

fn kind_of(flag: &str) -> SetKind {
    match flag {
        "--set" => SetKind::Set,
        "--set-string" => SetKind::SetString,
        "--set-json" => SetKind::SetJson,
        other => panic!("unknown flag {other} in fixture"),
    }
}

/// Small deterministic generator for the property-style checks.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("fits")
    }

    fn string(&mut self, alphabet: &[char], max_len: usize) -> String {
        let len = self.below(max_len + 1);
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len())])
            .collect()
    }
}

#[test]
fn matches_helm_fixture() {
    let fixture: Value =
        serde_json::from_str(include_str!("../../../fixtures/helm/set-cases.json"))
            .expect("fixture is JSON");
    let chart = fixture["chart_values"]
        .as_object()
        .cloned()
        .expect("chart_values is an object");
    let cases = fixture["cases"].as_array().expect("cases is a list");
    assert!(cases.len() >= 70, "fixture lost cases: {}", cases.len());

    let mut failures = Vec::new();
    for case in cases {
        let flags: Vec<(SetKind, &str)> = case["flags"]
            .as_array()
            .expect("flags is a list")
            .iter()
            .map(|f| {
                let flag = f[0].as_str().expect("flag name");
                (kind_of(flag), f[1].as_str().expect("flag argument"))
            })
            .collect();
        // Helm's fixed order: all --set-json, then --set, then --set-string.
        let mut user = Map::new();
        let mut outcome = Ok(());
        'groups: for kind in [SetKind::SetJson, SetKind::Set, SetKind::SetString] {
            for (_, arg) in flags.iter().filter(|(k, _)| *k == kind) {
                if let Err(e) = parse_into(&mut user, arg, kind) {
                    outcome = Err(e);
                    break 'groups;
                }
            }
        }
        let refused = case["rollwright"]
            .as_str()
            .is_some_and(|note| note.contains("rollwright refuses"));
        let wants_error = case["error"] == json!(true) || refused;
        match (wants_error, outcome) {
            (true, Err(_)) => {}
            (true, Ok(())) => failures.push(format!(
                "{}: expected an error, got {}",
                case["flags"],
                short(&Value::Object(user))
            )),
            (false, Err(e)) => failures.push(format!("{}: unexpected error: {e}", case["flags"])),
            (false, Ok(())) => {
                let mut values = chart.clone();
                coalesce(&mut values, user);
                let got = Value::Object(values);
                if got != case["values"] {
                    failures.push(format!(
                        "{}: got {}, helm gives {}",
                        case["flags"],
                        short(&got),
                        short(&case["values"])
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn flag_names() {
    assert_eq!(SetKind::Set.flag(), "--set");
    assert_eq!(SetKind::SetString.flag(), "--set-string");
    assert_eq!(SetKind::SetJson.flag(), "--set-json");
    assert_eq!(SetError::new("boom").to_string(), "boom");
}

#[test]
fn escapes() {
    assert_eq!(set(r"a\.b=c"), json!({"a.b": "c"}));
    assert_eq!(set(r"a=b\,c"), json!({"a": "b,c"}));
    assert_eq!(set(r"a\[0\]=x"), json!({"a[0]": "x"}));
    assert_eq!(set(r"a\=b=c"), json!({"a=b": "c"}));
    assert_eq!(set(r"a\\=c"), json!({"a\\": "c"}));
    assert_eq!(set(r"a={x\,y,z\}}"), json!({"a": ["x,y", "z}"]}));
    // An escaped brace is text, not a list.
    assert_eq!(set_err(r"a=\{x,y}"), r#"key "y}" has no value"#);
    assert_eq!(set(r"a=\{x\,y}"), json!({"a": "{x,y}"}));
    // Escaped characters are never typed specially, but the text still is.
    assert_eq!(set(r"a=\1\0"), json!({"a": 10}));
    // A trailing backslash is dropped, as in Helm.
    assert_eq!(set(r"a=b\"), json!({"a": "b"}));
    assert_eq!(
        parse(r"a\.b=1", SetKind::SetJson).expect("json"),
        json!({"a.b": 1})
    );
}

#[test]
fn nested_lists_and_maps() {
    assert_eq!(set("a[0][1]=x"), json!({"a": [[null, "x"]]}));
    assert_eq!(set("a[1][0].b=1"), json!({"a": [null, [{"b": 1}]]}));
    assert_eq!(
        set("a[0].b[1].c=d,a[0].e=f"),
        json!({"a": [{"b": [null, {"c": "d"}], "e": "f"}]})
    );
    assert_eq!(set("a[0]={1,2}"), json!({"a": [[1, 2]]}));
    assert_eq!(set("a[+1]=x"), json!({"a": [null, "x"]}));
    assert_eq!(set("a[00]=x"), json!({"a": ["x"]}));
    assert_eq!(set("a]=1"), json!({"a]": 1}));
    let big = set("a[65536]=1");
    assert_eq!(big["a"].as_array().map(Vec::len), Some(65537));
}

#[test]
fn reuses_existing_lists_and_maps() {
    let start = json!({"list": [1, 2, 3], "m": {"x": 1}, "n": [[1, 2, 3]]});
    assert_eq!(
        onto(start.clone(), "list[0]=9,m.y=2,n[0][1]=x", SetKind::Set),
        json!({"list": [9, 2, 3], "m": {"x": 1, "y": 2}, "n": [[1, "x", 3]]})
    );
    assert_eq!(
        onto(json!({"a": [{"b": 1}]}), "a[0].c=2", SetKind::Set),
        json!({"a": [{"b": 1, "c": 2}]})
    );
    assert_eq!(
        onto(json!({"a": {"b": 1}}), "a={\"c\":2}", SetKind::SetJson),
        json!({"a": {"c": 2}})
    );
    // Whole values are replaced, not merged.
    assert_eq!(onto(start, "list={7}", SetKind::Set)["list"], json!([7]));
}

#[test]
fn values_in_the_way_are_refused_where_helm_fails_and_replaced_where_it_replaces() {
    let refused = |start: Value, input: &str| {
        let mut map = start.as_object().cloned().expect("object");
        let err = parse_into(&mut map, input, SetKind::Set).expect_err(input);
        assert!(
            err.message.contains("Helm fails"),
            "{input}: {}",
            err.message
        );
        assert!(err.help.is_some());
        assert_eq!(Value::Object(map), start, "{input} changed the target");
    };
    refused(json!({"a": "s"}), "a.b=1");
    refused(json!({"a": null}), "a.b=1");
    refused(json!({"a": null}), "a[0]=1");
    refused(json!({"a": {"x": 1}}), "a[0]=1");
    refused(json!({"a": [1]}), "a[0][0]=x");
    refused(json!({"m": {"a": 1}}), "m.a.b=1");
    refused(json!({}), "a=1,a.b=2");
    refused(json!({"keep": 1}), "x=1,a=null,a.b=2");
    // A list element that is not a map becomes one, as in Helm; a null one a list.
    assert_eq!(
        onto(json!({"a": [1]}), "a[0].b=1", SetKind::Set),
        json!({"a": [{"b": 1}]})
    );
    assert_eq!(
        onto(json!({"a": [null]}), "a[0][1]=x", SetKind::Set),
        json!({"a": [[null, "x"]]})
    );
    // Values are replaced whole.
    assert_eq!(set("a.b=2,a=1"), json!({"a": 1}));
}

#[test]
fn typing_follows_helm() {
    let cases = [
        ("1", json!(1)),
        ("-0", json!(0)),
        ("+0", json!(0)),
        ("00", json!("00")),
        ("-05", json!(-5)),
        ("1_000", json!("1_000")),
        (" 1", json!(" 1")),
        ("1 ", json!("1 ")),
        ("-9223372036854775808", json!(i64::MIN)),
        ("-9223372036854775809", json!("-9223372036854775809")),
        ("TrUe", json!(true)),
        ("fAlSe", json!(false)),
        ("falſe", json!(false)),
        ("Null", json!(null)),
        ("nil", json!("nil")),
        ("~", json!("~")),
        ("truee", json!("truee")),
        ("", json!("")),
    ];
    for (text, want) in cases {
        assert_eq!(set(&format!("a={text}"))["a"], want, "--set a={text}");
        assert_eq!(
            parse(&format!("a={text}"), SetKind::SetString).expect("string")["a"],
            json!(text),
            "--set-string a={text}"
        );
    }
    assert_eq!(set("a={0,010,,x}"), json!({"a": [0, "010", "", "x"]}));
    assert_eq!(set("a={}"), json!({"a": [""]}));
    assert_eq!(set("a={x},b=1"), json!({"a": ["x"], "b": 1}));
    assert_eq!(set("a=1,"), json!({"a": 1}));
    assert_eq!(set(""), json!({}));
}

#[test]
fn json_values() {
    let json_of = |input: &str| {
        parse(input, SetKind::SetJson).unwrap_or_else(|e| panic!("--set-json {input}: {e}"))
    };
    assert_eq!(json_of("a="), json!({"a": null}));
    assert_eq!(json_of("a=  "), json!({"a": null}));
    assert_eq!(json_of("a=,b=1"), json!({"a": null, "b": 1}));
    assert_eq!(json_of("a= 1 , b=2"), json!({"a": 1, " b": 2}));
    assert_eq!(
        json_of(r#"a={"b":[1,2]},c=true"#),
        json!({"a": {"b": [1, 2]}, "c": true})
    );
    assert_eq!(
        json_of(r#"a[1]={"x":"y,z"}"#),
        json!({"a": [null, {"x": "y,z"}]})
    );
    assert_eq!(json_of("a[0]="), json!({"a": [null]}));
    assert_eq!(json_of("a.b=\"{x}\""), json!({"a": {"b": "{x}"}}));
    for bad in ["a=[1", "a=[1]x", "a=1x", "a=tru", "a=1 2", "a={\"b\":1}}"] {
        assert!(parse(bad, SetKind::SetJson).is_err(), "--set-json {bad}");
    }
    // serde_json's own nesting limit stops deep JSON before it can overflow anything.
    let deep = format!("a={}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(parse(&deep, SetKind::SetJson).is_err());
}

#[test]
fn refusals_and_helm_errors() {
    assert_eq!(set_err("a"), r#"key "a" has no value"#);
    assert_eq!(
        set_err("a,b=1"),
        r#"key "a" has no value (cannot end with ,)"#
    );
    assert_eq!(set_err("a.b"), r#"key "a.b" has no value"#);
    assert_eq!(set_err("a[0]"), r#"key "a[0]" has no value"#);
    assert_eq!(set_err("a[-1]=1"), "the list index -1 is negative");
    assert_eq!(set_err("a[b]=1"), r#"the list index "b" is not a number"#);
    assert_eq!(
        set_err("a[99999999999999999999]=1"),
        r#"the list index "99999999999999999999" is too large"#
    );
    assert_eq!(
        set_err("a[99999999]=1"),
        "the list index 99999999 is larger than 65536, the largest Helm takes"
    );
    assert_eq!(
        set_err("a[0]x=1"),
        r#"unexpected text after a list index: "x""#
    );
    assert_eq!(
        set_err("a[0],b=1"),
        r#"unexpected text after a list index: ",b""#
    );
    assert_eq!(
        set_err("a[0"),
        r#"unterminated list index "[0": missing "]""#
    );
    assert_eq!(set_err("=1"), r#"empty key name at the start of "=1""#);
    assert_eq!(
        set_err("a=1,.b=1"),
        r#"empty key name at the start of ".b=1""#
    );
    assert_eq!(set_err("a..b=1"), r#"empty key name after "a.""#);
    assert_eq!(set_err("a[0].=1"), r#"empty key name after "a[0].""#);
    assert_eq!(
        set_err("a=1,,b=2"),
        r#"empty key name at the start of ",b=2""#
    );
    assert_eq!(set_err("a={x"), "list must terminate with '}'");
    assert!(set_err("a={x}y=1").starts_with(r#"unexpected data after list: "y=1""#));
    for input in ["a.", "a[0].", "a[", "a[]=1", "[0]=1", "a.[0]=1", r"\", ","] {
        assert!(parse(input, SetKind::Set).is_err(), "--set {input}");
    }
    // A name of one space is a name.
    assert_eq!(set("a. =1"), json!({"a": {" ": 1}}));
    // Long input is quoted short.
    let long = format!("{}=1", ".".repeat(1000));
    assert!(set_err(&long).chars().count() < 100);
}

#[test]
fn name_depth_limit_matches_helm() {
    let names = |n: usize| format!("{}=1", vec!["a"; n].join("."));
    assert!(parse(&names(31), SetKind::Set).is_ok());
    assert_eq!(
        set_err(&names(32)),
        "the key nests more than 30 dotted names, which Helm refuses"
    );
    // Helm does not count a `.` that follows an index.
    assert!(parse(&format!("x[0].{}", names(31)), SetKind::Set).is_ok());
}

#[test]
fn deep_inputs_fail_fast_without_overflow() {
    let started = std::time::Instant::now();
    let dotted = format!("{}=1", vec!["a"; 10_000].join("."));
    assert!(parse(&dotted, SetKind::Set).is_err());
    let indexed = format!("a{}=1", "[0]".repeat(10_000));
    assert!(parse(&indexed, SetKind::Set).is_err());
    let mixed = format!("{}=1", vec!["a[0]"; 10_000].join("."));
    assert!(parse(&mixed, SetKind::Set).is_err());
    let in_json = format!("a{}=1", "[0]".repeat(10_000));
    assert!(parse(&in_json, SetKind::SetJson).is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // Up to the limit deep paths work.
    let ok = format!("a{}=1", "[0]".repeat(MAX_PATH_DEPTH - 1));
    assert!(parse(&ok, SetKind::Set).is_ok());
    let over = format!("a{}=1", "[0]".repeat(MAX_PATH_DEPTH));
    assert!(parse(&over, SetKind::Set).is_err());
}

#[test]
fn index_errors_speak_plainly_with_help() {
    for input in ["ports[x].name=x", "a[-1]=1", "a[99999999]=1", "a[0"] {
        let err = parse(input, SetKind::Set).expect_err(input);
        assert!(!err.message.contains("strconv"), "{}", err.message);
        assert!(
            err.help.as_deref().is_some_and(|h| h.contains("ports[0]")),
            "{input}: {err:?}"
        );
    }
}

#[test]
fn whole_object_set_json_merges_deeply_as_helm_4() {
    let start = json!({"image": {"repository": "nginx", "tag": "1"}, "l": [1, 2]});
    assert_eq!(
        onto(
            start.clone(),
            r#" {"image":{"tag":"2"},"replicaCount":3,"l":[3]} "#,
            SetKind::SetJson
        ),
        json!({"image": {"repository": "nginx", "tag": "2"}, "l": [3], "replicaCount": 3})
    );
    // Nulls stay, to delete chart values when coalesced.
    assert_eq!(
        onto(start, r#"{"image":null}"#, SetKind::SetJson),
        json!({"image": null, "l": [1, 2]})
    );
    // One object, and nothing after it (Helm: "failed parsing --set-json data JSON").
    for bad in [r#"{"a":1},b=2"#, r#"{"a":1"#, "{}x", "[1]", " [1]"] {
        assert!(parse_flag_err(bad).is_some(), "{bad}");
    }
    assert_eq!(parse(r#"{}"#, SetKind::SetJson).unwrap(), json!({}));
}

fn parse_flag_err(input: &str) -> Option<SetError> {
    super::parse(input, SetKind::SetJson).err()
}

#[test]
fn json_numbers_take_the_form_helm_renders() {
    let json_of = |input: &str| parse(input, SetKind::SetJson).unwrap();
    assert_eq!(json_of("a=1.0")["a"], json!(1));
    assert_eq!(json_of("a=-0")["a"], json!(0));
    assert_eq!(json_of("a=1e3")["a"], json!(1000));
    assert_eq!(json_of("a=1.5")["a"], json!(1.5));
    assert_eq!(json_of(r#"a={"b":[2.0]}"#)["a"], json!({"b": [2]}));
    assert_eq!(json_of(r#"{"a":3.0}"#)["a"], json!(3));
}

#[test]
fn written_keeps_the_text_of_json_numbers() {
    let mut target = Map::new();
    let written = super::parse(
        r#"image.tag=1.10,x={"a":[1e3, "s", 2.50]}"#,
        SetKind::SetJson,
    )
    .unwrap()
    .apply(&mut target, &mut Budget::default())
    .unwrap();
    let text = |p: &str| written.pointers.get(p).cloned().flatten();
    assert_eq!(text("/image/tag").as_deref(), Some("1.10"));
    assert_eq!(text("/x/a/0").as_deref(), Some("1e3"));
    assert_eq!(text("/x/a/2").as_deref(), Some("2.50"));
    assert_eq!(text("/x/a/1"), None);
    assert!(written.pointers.contains_key("/image"));
    let written = super::parse(r#"{"r":{"n":0.50}}"#, SetKind::SetJson)
        .unwrap()
        .apply(&mut target, &mut Budget::default())
        .unwrap();
    assert_eq!(
        written.pointers.get("/r/n").cloned().flatten().as_deref(),
        Some("0.50")
    );
}

#[test]
fn an_empty_value_ending_the_argument_under_an_index_is_refused() {
    // Helm drops the element (it renders `[]`); with a trailing comma it sets "".
    for input in ["a[0].b=", "m.a[0].b=", "a[0][1].b=", "x=1,a[0].b.c="] {
        let err = set_err(input);
        assert!(
            err.contains("Helm drops that list element"),
            "{input}: {err}"
        );
    }
    assert_eq!(set("a[0].b=,"), json!({"a": [{"b": ""}]}));
    assert_eq!(set("a[0].b=,c=1"), json!({"a": [{"b": ""}], "c": 1}));
    assert_eq!(set("a[0]="), json!({"a": [""]}));
    assert_eq!(set("a.b="), json!({"a": {"b": ""}}));
    assert_eq!(set("a[0].b=x"), json!({"a": [{"b": "x"}]}));
    assert!(parse("a[0].b=", SetKind::SetString).is_err());
    assert_eq!(
        parse("a[0].b=", SetKind::SetJson).unwrap(),
        json!({"a": [{"b": null}]})
    );
}

#[test]
fn list_padding_is_budgeted_per_command_not_per_path() {
    // One maximal index is fine, as in Helm; the padding of all flags together is bounded.
    let mut budget = Budget::default();
    let mut target = Map::new();
    super::parse("a[65536]=1", SetKind::Set)
        .unwrap()
        .apply(&mut target, &mut budget)
        .unwrap();
    // Reusing a padded list costs nothing more.
    super::parse("a[65536]=2,a[3]=x", SetKind::Set)
        .unwrap()
        .apply(&mut target, &mut budget)
        .unwrap();
    super::parse("b[65536]=1", SetKind::Set)
        .unwrap()
        .apply(&mut target, &mut budget)
        .unwrap();
    let err = super::parse("c[0]=1", SetKind::Set)
        .unwrap()
        .apply(&mut target, &mut budget)
        .unwrap_err();
    assert!(
        err.message.contains("more than 131074 elements"),
        "{}",
        err.message
    );
    assert!(err.help.is_some());
}

#[test]
fn failed_argument_leaves_target_untouched() {
    let start = json!({"keep": 1});
    let mut map = start.as_object().cloned().expect("object");
    assert!(parse_into(&mut map, "a=1,b[0].c=2,d", SetKind::Set).is_err());
    assert_eq!(Value::Object(map), start);
}

#[test]
fn property_arbitrary_input_never_panics_and_errors_are_atomic() {
    let alphabet = [
        'a', 'b', '0', '1', '9', '-', '+', '.', '[', ']', '=', ',', '{', '}', '\\', ' ', '"', ':',
        'ſ', 'é', 'n', 'u', 'l',
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let input = rng.string(&alphabet, 24);
        for kind in [SetKind::Set, SetKind::SetString, SetKind::SetJson] {
            let start = json!({"a": [1, {"b": 2}], "b": "x"});
            let mut map = start.as_object().cloned().expect("object");
            if parse_into(&mut map, &input, kind).is_err() {
                assert_eq!(
                    Value::Object(map),
                    start,
                    "{kind:?} {input:?} changed the target"
                );
            }
        }
    }
}

#[test]
fn property_escaped_text_round_trips() {
    let alphabet = [
        'a', 'Z', '.', '[', ']', '=', ',', '{', '}', '\\', ' ', '0', 'ſ',
    ];
    let escape = |s: &str, specials: &[char]| {
        s.chars()
            .flat_map(|c| {
                let escaped = specials.contains(&c) || c == '\\';
                escaped.then_some('\\').into_iter().chain([c])
            })
            .collect::<String>()
    };
    let mut rng = Rng(42);
    for _ in 0..5_000 {
        let key = format!("k{}", rng.string(&alphabet, 12));
        let value = rng.string(&alphabet, 12);
        let mut value_text = escape(&value, &[',']);
        if value.starts_with('{') {
            value_text.insert(0, '\\');
        }
        let input = format!("{}={value_text}", escape(&key, &['.', '[', '=', ',']));
        let got = parse(&input, SetKind::SetString)
            .unwrap_or_else(|e| panic!("--set-string {input}: {e}"));
        assert_eq!(got, json!({ key: value }), "--set-string {input}");
    }
}

#[test]
fn property_integers_round_trip() {
    let mut rng = Rng(7);
    let mut samples = vec![i64::MIN, i64::MAX, -1, 1, 0];
    samples.extend((0..2_000).map(|_| {
        let n = rng.next();
        i64::from_ne_bytes(n.to_ne_bytes()) >> rng.below(63)
    }));
    for n in samples {
        assert_eq!(set(&format!("a={n}"))["a"], json!(n), "--set a={n}");
        assert_eq!(
            parse(&format!("a={n}"), SetKind::SetJson).expect("json")["a"],
            json!(n)
        );
    }
}
