//! Every command the shells call by name, in one table: each entry names a command, reads
//! its JSON arguments and calls the [`Api`] method that answers it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

mod args;

use args::*;

use crate::error::json;
use crate::model::ResumeMode;
use crate::{Api, ApiError, Code};

/// A command's answer, boxed so that every handler has the same type and fits the table.
type Answer<'a> = Pin<Box<dyn Future<Output = Result<Value, ApiError>> + Send + 'a>>;

/// Answers one command from its arguments.
type Handler = for<'a> fn(&'a Arc<Api>, Args) -> Answer<'a>;

/// A command's JSON arguments, with the command's name for the error when they do not fit.
struct Args {
    command: &'static str,
    value: Value,
}

impl Args {
    /// The arguments as `T`, or a `bad_arguments` error naming the command.
    fn parse<T: DeserializeOwned>(self) -> Result<T, ApiError> {
        serde_json::from_value(self.value).map_err(|error| {
            ApiError::new(
                Code::BadArguments,
                format!("arguments of '{}' are invalid: {error}", self.command),
            )
        })
    }
}

/// Boxes the work of a command and turns its result into the JSON answer.
fn answer<'a, T: serde::Serialize>(
    work: impl Future<Output = Result<T, ApiError>> + Send + 'a,
) -> Answer<'a> {
    Box::pin(async move { json(work.await?) })
}

/// The commands, by name. The UI and scripts call these names, so a name never changes.
static COMMANDS: &[(&str, Handler)] = &[
    ("link", |api, _| answer(api.link())),
    ("check_health", |api, _| answer(api.check_health())),
    ("maps", |api, _| answer(api.maps())),
    ("run_map", |api, args| {
        answer(async move {
            let Run { name, initial_sync } = args.parse()?;
            api.run_map_with(&name, initial_sync.unwrap_or(true)).await
        })
    }),
    ("pause_map", |api, args| {
        answer(async move { api.pause_map(&args.parse::<Name>()?.name).await })
    }),
    ("stop_map", |api, args| {
        answer(async move { api.stop_map(&args.parse::<Name>()?.name).await })
    }),
    ("resume_map", |api, args| {
        answer(async move {
            let Resume { name, mode } = args.parse()?;
            api.resume_map(&name, mode).await
        })
    }),
    ("queued_changes", |api, args| {
        answer(async move {
            let Queue { name, key, limit } = args.parse()?;
            api.queued_changes(&name, key.as_deref(), limit.unwrap_or(500))
                .await
        })
    }),
    ("retry_changes", |api, args| {
        answer(async move {
            let Retry { name, seq } = args.parse()?;
            api.retry_changes(&name, seq).await
        })
    }),
    ("rerun_map", |api, args| {
        answer(async move {
            let Rerun { name, failed_only } = args.parse()?;
            api.rerun_map(&name, failed_only).await
        })
    }),
    ("activity", |api, args| {
        answer(async move {
            api.activity(args.parse::<Limit>()?.limit.unwrap_or(500))
                .await
        })
    }),
    ("log_page", |api, args| {
        answer(async move {
            let LogPageArgs { query, limit } = args.parse()?;
            api.log_page(&query, limit.unwrap_or(200))
        })
    }),
    ("export_log_csv", |api, args| {
        answer(async move {
            let ExportLogCsv { query, path } = args.parse()?;
            api.export_log_csv(&query, &path).await
        })
    }),
    ("retry_error_group", |api, args| {
        answer(async move {
            let RetryErrorGroup {
                map,
                status,
                pattern,
                dry_run,
            } = args.parse()?;
            api.retry_error_group(&map, &status, &pattern, dry_run)
                .await
        })
    }),
    ("error_groups", |api, args| {
        answer(async move {
            let MapFilter { map } = args.parse()?;
            api.error_groups(map.as_deref())
        })
    }),
    ("alert_rules", |api, _| {
        answer(async move { api.alert_rules() })
    }),
    ("save_alert_rule", |api, args| {
        answer(async move { api.save_alert_rule(args.parse::<Rule>()?.rule) })
    }),
    ("delete_alert_rule", |api, args| {
        answer(async move { api.delete_alert_rule(args.parse::<Id>()?.id) })
    }),
    ("send_test_alert", |api, _| {
        answer(async move { api.send_test_alert() })
    }),
    ("preview_map", |api, args| {
        answer(async move {
            let Preview { map, limit } = args.parse()?;
            api.preview_map(&map, limit.unwrap_or(5).clamp(1, 50)).await
        })
    }),
    ("save_map", |api, args| {
        answer(async move {
            let Save { map, note } = args.parse()?;
            api.save_map(&map, note.as_deref()).await
        })
    }),
    ("map_templates", |api, _| {
        answer(async move { api.map_templates() })
    }),
    ("add_templates", |api, args| {
        answer(async move { api.add_templates(&args.parse::<Names>()?.names) })
    }),
    ("map_schema", |api, args| {
        answer(async move {
            let SchemaOf {
                finance_operations_entity,
                dataverse_table,
                refresh,
            } = args.parse()?;
            api.map_schema(&finance_operations_entity, &dataverse_table, refresh)
                .await
        })
    }),
    ("validate_map", |api, args| {
        answer(async move { api.validate_map(&args.parse::<MapOnly>()?.map).await })
    }),
    ("check_filter", |api, args| {
        answer(async move {
            let FilterOf { map, side } = args.parse()?;
            api.check_filter(&map, side).await
        })
    }),
    ("map_versions", |api, args| {
        answer(async move { api.map_versions(&args.parse::<Name>()?.name) })
    }),
    ("map_diff", |api, args| {
        answer(async move {
            let Diff { name, from, to } = args.parse()?;
            api.map_diff(&name, from, to)
        })
    }),
    ("rollback_map", |api, args| {
        answer(async move {
            let Rollback { name, version } = args.parse()?;
            api.rollback_map(&name, version).await
        })
    }),
    ("export_maps", |api, args| {
        answer(async move { api.export_maps(&args.parse::<Export>()?.names) })
    }),
    ("import_maps", |api, args| {
        answer(async move {
            let Import { package, replace } = args.parse()?;
            api.import_maps(&package, replace)
        })
    }),
    ("compare_maps", |api, args| {
        answer(async move { api.compare_maps(args.parse()?).await })
    }),
    ("promote_maps", |api, args| {
        answer(async move {
            let crate::promote::PromoteArgs {
                package,
                source,
                names,
            } = args.parse()?;
            let source = source.unwrap_or_else(|| "a package".to_owned());
            api.promote_maps(&package, &source, names.as_deref()).await
        })
    }),
    ("metrics", |api, args| {
        answer(async move {
            let Window {
                map,
                minutes,
                bucket_seconds,
            } = args.parse()?;
            api.metrics(map.as_deref(), minutes.unwrap_or(60), bucket_seconds)
        })
    }),
    ("retention", |api, _| answer(async move { api.retention() })),
    ("set_retention", |api, args| {
        answer(async move { api.set_retention(args.parse::<SetRetention>()?.retention) })
    }),
    ("run_plan", |api, args| {
        answer(async move { api.run_plan(&args.parse::<Names>()?.names) })
    }),
    ("start_plan", |api, args| {
        answer(async move { api.start_plan(&args.parse::<StartPlan>()?.steps).await })
    }),
    ("bulk_maps", |api, args| {
        answer(async move {
            let Bulk {
                action,
                names,
                mode,
            } = args.parse()?;
            api.bulk_maps(action, &names, mode.unwrap_or(ResumeMode::CatchUp))
                .await
        })
    }),
    ("scenarios", |api, _| {
        answer(async move { Ok(api.scenarios()) })
    }),
    ("scenario_plan", |api, args| {
        answer(async move {
            let Scenario { id, options } = args.parse()?;
            api.scenario_plan(&id, options)
        })
    }),
    ("start_scenario", |api, args| {
        answer(async move {
            let Scenario { id, options } = args.parse()?;
            api.start_scenario(&id, options)
        })
    }),
    ("scenario_run", |api, _| {
        answer(async move { api.scenario_run() })
    }),
    ("scenario_maps", |api, args| {
        answer(async move {
            let ScenarioMaps { options } = args.parse()?;
            api.scenario_maps(&options)
        })
    }),
    ("bootstrap_map", |api, args| {
        answer(async move {
            let Bootstrap {
                name,
                company,
                dry_run,
            } = args.parse()?;
            api.bootstrap_map(&name, &company, dry_run).await
        })
    }),
    ("environments", |api, _| {
        answer(async move { api.environments() })
    }),
    ("add_environment", |api, args| {
        answer(async move {
            api.add_environment(args.parse::<AddEnvironment>()?.environment)
                .await
        })
    }),
    ("update_environment", |api, args| {
        answer(async move {
            let UpdateEnvironment { id, environment } = args.parse()?;
            api.update_environment(id, environment).await
        })
    }),
    ("remove_environment", |api, args| {
        answer(async move { api.remove_environment(args.parse::<Id>()?.id).await })
    }),
    ("test_connection", |api, args| {
        answer(async move { api.test_connection(args.parse::<Id>()?.id).await })
    }),
    ("legal_entities", |api, args| {
        answer(async move { api.legal_entities(args.parse::<Id>()?.id).await })
    }),
    ("link_environments", |api, args| {
        answer(async move {
            let Link {
                finance_operations_id,
                dataverse_id,
                companies,
            } = args.parse()?;
            api.link_environments(finance_operations_id, dataverse_id, companies)
                .await
        })
    }),
    ("set_link_companies", |api, args| {
        answer(async move {
            api.set_link_companies(args.parse::<Companies>()?.companies)
                .await
        })
    }),
    ("reset_plan", |api, _| {
        answer(async move { api.reset_plan() })
    }),
    ("reset_link", |api, args| {
        answer(async move {
            let Reset { confirm, relink } = args.parse()?;
            api.reset_link(&confirm, relink).await
        })
    }),
    ("demo_rows", |api, args| {
        answer(async move { api.demo_rows_for(args.parse()?).await })
    }),
    ("demo_row", |api, args| {
        answer(async move { api.demo_row_for(args.parse()?).await })
    }),
    ("demo_write", |api, args| {
        answer(async move { api.demo_write_for(args.parse()?).await })
    }),
    ("demo_history", |api, args| {
        answer(async move { api.demo_history_for(args.parse()?).await })
    }),
    ("demo_scripts", |api, _| {
        answer(async move { Ok(api.demo_scripts()) })
    }),
    ("start_demo_script", |api, args| {
        answer(async move { api.start_demo_script_for(args.parse()?) })
    }),
    ("demo_script_run", |api, _| {
        answer(async move { api.demo_script_run() })
    }),
];

impl Api {
    /// Answers a command by name with JSON arguments: the whole job of both shells.
    pub async fn call(self: &Arc<Self>, command: &str, args: Value) -> Result<Value, ApiError> {
        let Some((name, handler)) = COMMANDS.iter().find(|(name, _)| *name == command) else {
            return Err(ApiError::new(
                Code::UnknownCommand,
                format!("there is no command named '{command}'"),
            ));
        };
        handler(
            self,
            Args {
                command: name,
                value: args,
            },
        )
        .await
    }
}
