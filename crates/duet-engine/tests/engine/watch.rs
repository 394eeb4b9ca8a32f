//! Watching a map's state: waiting for a state by the engine's events, not by polling.

use std::time::Duration;

use duet_engine::{EngineError, MapState};

use crate::support::harness;

#[tokio::test]
async fn a_watch_gives_the_state_now_then_each_change_and_ends_on_shutdown() {
    // GIVEN a map that has not run, and a watch on it.
    let harness = harness().await;
    let mut watch = harness.engine.watch_map("customers");
    assert_eq!(
        watch.next().await.unwrap().state,
        MapState::NotRunning,
        "the first read is the state as stored now"
    );

    // WHEN the map runs, the watch follows it to Running without being asked again.
    harness.engine.run("customers").await.unwrap();
    let mut seen = Vec::new();
    let reached = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let state = watch.next().await.unwrap().state;
            seen.push(state);
            if state == MapState::Running {
                return;
            }
        }
    })
    .await;
    assert!(reached.is_ok(), "the watch never saw Running: {seen:?}");
    assert_eq!(
        seen.first(),
        Some(&MapState::Initializing),
        "the initial sync shows first"
    );

    // THEN a shutdown ends a wait with no further change.
    let waiting = tokio::spawn(async move { watch.next().await });
    harness.engine.shutdown().await;
    let ended = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("a shutdown must end the wait")
        .unwrap();
    assert!(matches!(ended, Err(EngineError::ShuttingDown)), "{ended:?}");
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_watch_on_a_map_that_does_not_exist_says_so() {
    let harness = harness().await;
    let mut watch = harness.engine.watch_map("no-such-map");
    assert!(matches!(
        watch.next().await,
        Err(EngineError::UnknownMap(name)) if name == "no-such-map"
    ));
    harness.sandbox.shutdown().await;
}
