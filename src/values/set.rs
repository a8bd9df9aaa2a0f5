// temporary stand-in until the parser lands
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKind { Set, SetString, SetJson }
impl SetKind { pub fn flag(self) -> &'static str { match self { SetKind::Set => "--set", SetKind::SetString => "--set-string", SetKind::SetJson => "--set-json" } } }
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetError { pub message: String }
pub fn parse_into(_t: &mut serde_json::Map<String, serde_json::Value>, _i: &str, _k: SetKind) -> Result<(), SetError> { Err(SetError{message: "todo".into()}) }
