//! Peak resident memory of a process, as Linux keeps it (`VmHWM` in `/proc/<pid>/status`).

/// The peak resident set of process `pid` in MB, or `None` where `/proc` does not say.
pub fn peak_rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map(|kb| kb / 1024.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn this_process_has_a_peak() {
        let peak = super::peak_rss_mb(std::process::id()).expect("Linux keeps VmHWM");
        assert!(peak > 1.0, "a running test holds more than a MB: {peak}");
    }
}
