//! The `duet` binary as a script uses it: printed `KEY=value` lines, real HTTP, and an API
//! that refuses callers without the printed access token; one module per command area, built
//! as one test binary. `serve` needs a Secret Service (scripts/test provides one).

#[path = "cli/bootstrap.rs"]
mod bootstrap;
#[path = "cli/crash.rs"]
mod crash;
#[path = "cli/crash_live.rs"]
mod crash_live;
#[path = "cli/crash_writer.rs"]
mod crash_writer;
#[path = "cli/data_dir.rs"]
mod data_dir;
#[path = "cli/deploy.rs"]
mod deploy;
#[path = "cli/headless.rs"]
mod headless;
#[path = "cli/link.rs"]
mod link;
#[path = "cli/listen.rs"]
mod listen;
#[path = "cli/logs.rs"]
mod logs;
#[path = "cli/map_control.rs"]
mod map_control;
#[path = "cli/maps.rs"]
mod maps;
#[path = "cli/promote.rs"]
mod promote;
#[path = "cli/scenario.rs"]
mod scenario;
mod support;
#[path = "cli/tokens.rs"]
mod tokens;
#[path = "cli/version.rs"]
mod version;
