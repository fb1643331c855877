//! Logging as wireguard-go's `LOG_LEVEL` (verbose, error, silent) or, for finer control,
//! `RUST_LOG`. Logs never contain key material: the core's `Debug` impls redact secrets.

use tracing_subscriber::EnvFilter;

/// Installs the subscriber; `RUST_LOG` wins over `LOG_LEVEL`.
pub fn init() {
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) => EnvFilter::new(spec),
        Err(_) => EnvFilter::new(match std::env::var("LOG_LEVEL").as_deref() {
            Ok("verbose" | "debug") => "debug",
            Ok("silent") => "off",
            _ => "error",
        }),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// Whether a background daemon should keep the caller's stdout/stderr (wireguard-go does when
/// `LOG_LEVEL` asks for output); otherwise it writes to /dev/null.
pub fn keep_output_in_background() -> bool {
    matches!(
        std::env::var("LOG_LEVEL").as_deref(),
        Ok("verbose" | "debug" | "error")
    ) || std::env::var("RUST_LOG").is_ok()
}
