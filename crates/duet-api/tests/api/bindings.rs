//! The TypeScript boundary types in ui/src/bindings are generated from the Rust types; this
//! test fails when they are stale. Regenerate with
//! `DUET_UPDATE_BINDINGS=1 cargo test -p duet-api --test main bindings`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use duet_api::*;
use ts_rs::{Config, TS};

fn export_all(dir: &Path) {
    let config = Config::new().with_out_dir(dir);
    ActivityEntry::export_all(&config).unwrap();
    AlertRuleView::export_all(&config).unwrap();
    ApiError::export_all(&config).unwrap();
    Code::export_all(&config).unwrap();
    DuetEvent::export_all(&config).unwrap();
    LinkView::export_all(&config).unwrap();
    MapView::export_all(&config).unwrap();
    SyncProgress::export_all(&config).unwrap();
    QueuedChangeView::export_all(&config).unwrap();
    ResumeMode::export_all(&config).unwrap();
    NewEnvironment::export_all(&config).unwrap();
    LegalEntityView::export_all(&config).unwrap();
    ResetPlan::export_all(&config).unwrap();
    EnvironmentView::export_all(&config).unwrap();
    ScenarioView::export_all(&config).unwrap();
    ScenarioRun::export_all(&config).unwrap();
    ScenarioOptions::export_all(&config).unwrap();
    ScenarioMap::export_all(&config).unwrap();
    BootstrapReport::export_all(&config).unwrap();
    MapVersionView::export_all(&config).unwrap();
    SavedMap::export_all(&config).unwrap();
    MapDiffView::export_all(&config).unwrap();
    ImportReport::export_all(&config).unwrap();
    MetricsView::export_all(&config).unwrap();
    RetentionView::export_all(&config).unwrap();
    RowPreviewView::export_all(&config).unwrap();
    RunPlan::export_all(&config).unwrap();
    PlanStepChoice::export_all(&config).unwrap();
    BulkAction::export_all(&config).unwrap();
    BulkResult::export_all(&config).unwrap();
    TemplateView::export_all(&config).unwrap();
    AddedTemplates::export_all(&config).unwrap();
    MapSchemaView::export_all(&config).unwrap();
    ValidationView::export_all(&config).unwrap();
    FilterCheckView::export_all(&config).unwrap();
    MapsComparison::export_all(&config).unwrap();
    PromotionReport::export_all(&config).unwrap();
    CompareSource::export_all(&config).unwrap();
    DemoRowSummary::export_all(&config).unwrap();
    DemoRowView::export_all(&config).unwrap();
    DemoWritten::export_all(&config).unwrap();
    DemoScriptView::export_all(&config).unwrap();
    DemoRun::export_all(&config).unwrap();
    LogQuery::export_all(&config).unwrap();
    LogPage::export_all(&config).unwrap();
    ErrorGroupView::export_all(&config).unwrap();
    CsvExportView::export_all(&config).unwrap();
    RetriedGroup::export_all(&config).unwrap();
    duet_maps::TableMap::export_all(&config).unwrap();
}

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "ts"))
                .map(|entry| {
                    (
                        entry.file_name().to_string_lossy().into_owned(),
                        std::fs::read_to_string(entry.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn committed_bindings_match_the_rust_types() {
    let committed_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings");
    if std::env::var_os("DUET_UPDATE_BINDINGS").is_some() {
        for name in read_dir(&committed_dir).keys() {
            std::fs::remove_file(committed_dir.join(name)).unwrap();
        }
        export_all(&committed_dir);
    }
    let fresh = tempfile::tempdir().unwrap();
    export_all(fresh.path());
    let generated = read_dir(fresh.path());
    assert!(
        generated.len() >= 13,
        "every boundary type is exported: {:?}",
        generated.keys()
    );
    let committed = read_dir(&committed_dir);
    assert_eq!(
        committed.keys().collect::<Vec<_>>(),
        generated.keys().collect::<Vec<_>>(),
        "ui/src/bindings must hold exactly the generated files; regenerate with DUET_UPDATE_BINDINGS=1"
    );
    for (name, text) in &generated {
        assert_eq!(
            &committed[name], text,
            "ui/src/bindings/{name} is stale; regenerate with DUET_UPDATE_BINDINGS=1"
        );
    }
}
