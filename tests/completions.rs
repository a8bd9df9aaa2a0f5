//! `rollwright completions` as a user runs it.

mod common;

use common::run;

#[test]
fn each_shell_gets_a_script_naming_every_command() {
    for (shell, marker) in [
        ("bash", "complete -F _rollwright"),
        ("zsh", "#compdef rollwright"),
        ("fish", "complete -c rollwright"),
    ] {
        let r = run(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains(marker), "{shell}: {}", r.stdout);
        for command in ["render", "validate", "set-image", "explain", "init"] {
            assert!(r.stdout.contains(command), "{shell} lacks {command}");
        }
    }
    assert_eq!(run(&["completions", "tcsh"]).code, 2);
}
