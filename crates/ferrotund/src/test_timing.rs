//! The test-only switch that shortens the protocol's timers, so a soak test can cross dozens
//! of rekeys in a couple of minutes:
//!
//! `FERROTUN_TEST=1 FERROTUN_TEST_TIME_SCALE=N ferrotund wg0` divides REKEY_AFTER_TIME,
//! REJECT_AFTER_TIME, REKEY_ATTEMPT_TIME, REKEY_TIMEOUT, KEEPALIVE_TIMEOUT and the jitter by
//! `N` (1..=1000; see `ferrotun_proto::timers::Timing::scaled_down`).
//!
//! Why two variables and not a cargo feature: the netns suite must test the very binary that
//! ships, and a feature would make it test another build. Why it is still safe: the scale is
//! honoured only together with `FERROTUN_TEST=1`, a scale without it (or an invalid one) stops
//! the daemon at start-up with an error instead of being silently ignored or silently applied,
//! and an active scale is logged as a warning. Shortened timers weaken nothing cryptographic
//! (sessions only get shorter), but they make the daemon handshake N times as often.

/// The variable that carries the factor.
pub const SCALE_VAR: &str = "FERROTUN_TEST_TIME_SCALE";
/// The variable that must be `1` for [`SCALE_VAR`] to be accepted.
pub const TEST_VAR: &str = "FERROTUN_TEST";

/// The timer scale the environment asks for: `Ok(None)` when [`SCALE_VAR`] is unset, an
/// error message when it is set but not allowed or not valid.
pub fn requested_scale(
    get: impl Fn(&str) -> Option<String>,
) -> Result<Option<ferrotun_proto::timers::Timing>, String> {
    let Some(text) = get(SCALE_VAR) else {
        return Ok(None);
    };
    if get(TEST_VAR).as_deref() != Some("1") {
        return Err(format!(
            "{SCALE_VAR} is a test-only setting and needs {TEST_VAR}=1; refusing to start"
        ));
    }
    let max = ferrotun_proto::timers::MAX_TIME_SCALE;
    let timing = text
        .parse::<u32>()
        .ok()
        .and_then(ferrotun_proto::timers::Timing::scaled_down)
        .ok_or_else(|| {
            // Worded as `settings.rs` words every bad value.
            format!(
                "{SCALE_VAR}={text:?} is not understood (it takes a whole number from 1 to \
                 {max}); refusing to start"
            )
        })?;
    Ok(Some(timing))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrotun_proto::timers::Timing;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_string())
        }
    }

    #[test]
    fn unset_means_the_real_timers() {
        assert_eq!(requested_scale(env(&[])), Ok(None));
        assert_eq!(requested_scale(env(&[(TEST_VAR, "1")])), Ok(None));
    }

    #[test]
    fn scale_needs_the_test_switch() {
        for vars in [
            &[(SCALE_VAR, "40")][..],
            &[(SCALE_VAR, "40"), (TEST_VAR, "0")],
            &[(SCALE_VAR, "40"), (TEST_VAR, "yes")],
        ] {
            let err = requested_scale(env(vars)).unwrap_err();
            assert!(err.contains("FERROTUN_TEST=1"), "{err}");
        }
    }

    #[test]
    fn scale_is_applied_or_refused() {
        let ok = requested_scale(env(&[(SCALE_VAR, "40"), (TEST_VAR, "1")]));
        assert_eq!(ok, Ok(Timing::scaled_down(40)));
        for bad in ["0", "1001", "-3", "2.5", "", " 4"] {
            let err = requested_scale(env(&[(SCALE_VAR, bad), (TEST_VAR, "1")])).unwrap_err();
            assert!(err.contains("from 1 to 1000"), "{bad:?}: {err}");
        }
    }
}
