//! Crash trials: `duet` killed with SIGKILL at random points of a setup scenario and of an
//! initial sync in each direction, then run again on the same data directory. Every trial must
//! end with both sides agreeing row for row and no row twice. Three trials per situation by
//! default; `DUET_CRASH_TRIALS=20` for the long variant, `DUET_CRASH_SEED` to replay one
//! (each trial prints its seed and where it was killed). docs/RELIABILITY.md has the results.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::support::keyring_service;

/// How many trials each situation runs: `DUET_CRASH_TRIALS`, else 3.
pub(crate) fn trials() -> usize {
    std::env::var("DUET_CRASH_TRIALS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(3)
}

/// The random source of a situation's kill points, seeded from `DUET_CRASH_SEED` or the
/// clock, with the seed printed so a failing run can be replayed.
pub(crate) fn kill_points(situation: &str) -> StdRng {
    let seed = std::env::var("DUET_CRASH_SEED")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|elapsed| elapsed.as_nanos() as u64)
                .unwrap_or(7)
        });
    eprintln!("{situation}: DUET_CRASH_SEED={seed}");
    StdRng::seed_from_u64(seed)
}

/// Where a killed run was: the last step it reported running, and how long it had run.
struct Killed {
    step: String,
    after: Duration,
}

/// What became of a run meant to be killed.
enum Run {
    Killed(Killed),
    /// It ended first, this long after `trigger`: no crash was tried.
    Ended(Duration),
}

/// Starts `duet scenario run` with `args`, waits until its standard error shows `trigger`
/// (from the start when empty), then `delay` more, and kills it with SIGKILL. A run that ends
/// first is not killed.
fn run_and_kill(args: &[&str], trigger: &str, delay: Duration) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_duet"))
        .args(args)
        .env("DUET_KEYRING_SERVICE", keyring_service())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("duet starts");
    let stderr = child.stderr.take().expect("stderr is piped");
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    let mut step = String::from("(before the first step)");
    let mut triggered_at = trigger.is_empty().then(Instant::now);
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        if let Some(at) = triggered_at
            && at.elapsed() >= delay
        {
            break;
        }
        match lines.recv_timeout(Duration::from_millis(20)) {
            Ok(line) => {
                if let Some(running) = line.strip_prefix("running") {
                    step = running.trim().to_owned();
                }
                if triggered_at.is_none() && line.contains(trigger) {
                    triggered_at = Some(Instant::now());
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let _ = child.wait();
                return Run::Ended(triggered_at.map_or(Duration::ZERO, |at| at.elapsed()));
            }
        }
        assert!(Instant::now() < deadline, "{trigger} never came: {args:?}");
    }
    if child.try_wait().expect("the child's status").is_some() {
        return Run::Ended(delay);
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    Run::Killed(Killed {
        step,
        after: started.elapsed(),
    })
}

/// Runs `duet scenario run` with `args` to its end; answers its standard output after
/// checking it exited 0.
fn run_to_the_end(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_duet"))
        .args(args)
        .env("DUET_KEYRING_SERVICE", keyring_service())
        .output()
        .expect("duet runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "the run after the kill failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The agreement line of `map` in a finished run's summary: rows on each side and matched.
/// Both sides must hold the same number of rows, each matched once: nothing lost, none twice.
fn assert_agreement(stdout: &str, map: &str) -> u64 {
    let line = stdout
        .lines()
        .find(|line| line.starts_with(&format!("{map}\t")))
        .unwrap_or_else(|| panic!("no agreement line for {map}: {stdout}"));
    let number = |label: &str| -> u64 {
        let field = line
            .split('\t')
            .find_map(|field| field.strip_prefix(label))
            .unwrap_or_else(|| panic!("no '{label}' in {line}"));
        field.trim().parse().expect("a count")
    };
    assert!(line.contains("\tagree\t"), "the sides disagree: {line}");
    let finops = number("finance and operations ");
    let dataverse = number("Dataverse ");
    let matched = number("matched ");
    assert!(finops > 0, "nothing was synced: {line}");
    assert_eq!((finops, dataverse), (matched, matched), "{line}");
    finops
}

/// One situation: `trials()` kills, each in a fresh data directory, the scenario killed
/// `trigger` plus a random delay of up to `spread` in, then run again to the end. A run that
/// ends before its kill point is checked too, but is not a trial: the spread shrinks to fit
/// the runs seen, and another run is tried (at most three runs a trial).
fn scenario_trials(situation: &str, scenario: &[&str], trigger: &str, mut spread: Duration) {
    let mut random = kill_points(situation);
    let count = trials();
    let (mut killed, mut runs) = (0, 0);
    while killed < count {
        runs += 1;
        assert!(
            runs <= 3 * count,
            "{situation}: only {killed} of {runs} runs were killed"
        );
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut args = vec!["scenario", "run"];
        args.extend_from_slice(scenario);
        args.extend_from_slice(&["--data", data.to_str().unwrap()]);
        let delay = Duration::from_millis(random.random_range(0..=spread.as_millis() as u64));
        let run = run_and_kill(&args, trigger, delay);
        let stdout = run_to_the_end(&args);
        let rows = assert_agreement(&stdout, "customers");
        assert_data_kept(&data);
        match run {
            Run::Killed(run) => {
                killed += 1;
                eprintln!(
                    "{situation} trial {killed}/{count}: killed {:.1} s in, during '{}'; after the rerun {rows} rows agree",
                    run.after.as_secs_f64(),
                    run.step
                );
            }
            Run::Ended(after) => {
                spread = spread.min(after.mul_f64(0.8));
                eprintln!(
                    "{situation}: a run ended before its kill point ({rows} rows agree); kill points now up to {:.1} s",
                    spread.as_secs_f64()
                );
            }
        }
    }
}

/// The data directory still holds Duet's store after the trial (a crash never removes it).
fn assert_data_kept(data: &Path) {
    assert!(data.join("duet.sqlite").is_file(), "{}", data.display());
}

#[test]
fn a_setup_scenario_killed_anywhere_resumes_and_ends_in_agreement() {
    // GIVEN a new finance and operations environment with data and a new Dataverse. WHEN
    // the scenario is killed at a random point from its start (provisioning, linking, the
    // company, the copy or the check) and run again, THEN it ends with both sides agreeing.
    scenario_trials(
        "setup scenario",
        &["new-data-new", "--rows", "1500"],
        "",
        Duration::from_secs(6),
    );
}

#[test]
fn an_initial_sync_to_dataverse_killed_mid_copy_resumes_without_loss() {
    // GIVEN finance and operations rows to copy to an empty Dataverse. WHEN Duet is killed
    // during the copy and run again, THEN every row is in Dataverse once (the case:
    // `new-data-new --rows 30000` killed in its initial sync).
    scenario_trials(
        "initial sync to Dataverse",
        &["new-data-new", "--rows", "3000"],
        "running  Initial sync",
        Duration::from_secs(5),
    );
}

#[test]
fn an_initial_sync_to_finance_and_operations_killed_mid_copy_resumes_without_loss() {
    // GIVEN Dataverse accounts (stamped with the company by the bootstrap step) and a new
    // finance and operations environment. WHEN Duet is killed during the copy and run again, THEN every row is in finance
    // and operations once.
    scenario_trials(
        "initial sync to finance and operations",
        &["new-existing", "--existing-rows", "1200"],
        "running  Initial sync",
        Duration::from_millis(2500),
    );
}
