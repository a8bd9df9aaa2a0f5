//! Argo CD's Config Management Plugin passes an Application's plugin env to `generate` as
//! `ARGOCD_ENV_<NAME>` variables. `render --argocd-env` turns a few of them into values flags,
//! so one chart serves many Applications (environments, tags) without files per Application.

/// The flags read from the environment, applied before the command line's own (so an explicit
/// flag wins over the same key from the environment).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvFlags {
    pub values: Vec<String>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
}

/// The variables read, and what each becomes.
pub const MAPPING: &[(&str, &str)] = &[
    (
        "ARGOCD_ENV_ROLLWRIGHT_VALUES",
        "-f, comma-separated files relative to the chart",
    ),
    ("ARGOCD_ENV_ROLLWRIGHT_SET", "--set (KEY=VALUE[,KEY=VALUE])"),
    (
        "ARGOCD_ENV_ROLLWRIGHT_SET_STRING",
        "--set-string (KEY=VALUE[,KEY=VALUE])",
    ),
    ("ARGOCD_ENV_IMAGE_TAG", "--set-string image.tag=VALUE"),
];

/// Reads the mapping from `vars` (the process environment in use). Empty variables are
/// ignored: Argo CD passes every declared env entry, set or not.
pub fn from_vars<I, K, V>(vars: I) -> EnvFlags
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut flags = EnvFlags::default();
    let mut tag = None;
    for (k, v) in vars {
        let v = v.as_ref().trim();
        if v.is_empty() {
            continue;
        }
        match k.as_ref() {
            "ARGOCD_ENV_ROLLWRIGHT_VALUES" => flags.values.extend(
                v.split(',')
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned),
            ),
            "ARGOCD_ENV_ROLLWRIGHT_SET" => flags.set.push(v.to_owned()),
            "ARGOCD_ENV_ROLLWRIGHT_SET_STRING" => flags.set_string.push(v.to_owned()),
            // A tag is a string even when it looks like a number (`1.29`); commas and
            // backslashes are escaped so the whole variable is the tag.
            "ARGOCD_ENV_IMAGE_TAG" => {
                tag = Some(format!(
                    "image.tag={}",
                    v.replace('\\', "\\\\").replace(',', "\\,")
                ));
            }
            _ => {}
        }
    }
    // The explicit ROLLWRIGHT_SET_STRING is applied after IMAGE_TAG, so it wins.
    if let Some(tag) = tag {
        flags.set_string.insert(0, tag);
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_map_to_flags() {
        let flags = from_vars([
            ("ARGOCD_ENV_ROLLWRIGHT_SET", "image.tag=1.29,replicaCount=3"),
            ("ARGOCD_ENV_ROLLWRIGHT_SET_STRING", "labels.team=web"),
            (
                "ARGOCD_ENV_ROLLWRIGHT_VALUES",
                "values-prod.yaml, extra.yaml",
            ),
            ("ARGOCD_ENV_IMAGE_TAG", "1.30"),
            ("ARGOCD_ENV_OTHER", "x=1"),
            ("ARGOCD_APP_NAME", "shop"),
            ("ARGOCD_ENV_ROLLWRIGHT_SET_JSON", ""),
        ]);
        assert_eq!(
            flags,
            EnvFlags {
                values: vec!["values-prod.yaml".into(), "extra.yaml".into()],
                set: vec!["image.tag=1.29,replicaCount=3".into()],
                set_string: vec!["image.tag=1.30".into(), "labels.team=web".into()],
            }
        );
        assert_eq!(
            from_vars([("ARGOCD_ENV_IMAGE_TAG", "")]),
            EnvFlags::default()
        );
        assert_eq!(
            from_vars([("ARGOCD_ENV_IMAGE_TAG", "a,b")]).set_string,
            vec!["image.tag=a\\,b".to_string()]
        );
    }
}
