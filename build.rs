//! Small runs are validated on the binary's main thread (src/parallel.rs), as deep as the YAML
//! reader allows: give it the 8 MiB of stack that Linux and macOS give a main thread, and the
//! worker threads get, where Windows gives 1 MiB.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.ends_with("windows-msvc") {
        println!("cargo:rustc-link-arg-bins=/STACK:8388608");
    } else if target.contains("windows-gnu") {
        println!("cargo:rustc-link-arg-bins=-Wl,--stack,8388608");
    }
}
