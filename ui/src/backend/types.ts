import type { ActivityEntry } from '../bindings/ActivityEntry';
import type { AddedTemplates } from '../bindings/AddedTemplates';
import type { AlertRuleView } from '../bindings/AlertRuleView';
import type { ApiError } from '../bindings/ApiError';
import type { BootstrapReport } from '../bindings/BootstrapReport';
import type { BulkAction } from '../bindings/BulkAction';
import type { BulkResult } from '../bindings/BulkResult';
import type { DemoRowSummary } from '../bindings/DemoRowSummary';
import type { DemoRowView } from '../bindings/DemoRowView';
import type { DemoRun } from '../bindings/DemoRun';
import type { DemoScript } from '../bindings/DemoScript';
import type { DemoScriptView } from '../bindings/DemoScriptView';
import type { DemoWritten } from '../bindings/DemoWritten';
import type { DuetEvent } from '../bindings/DuetEvent';
import type { EnvironmentView } from '../bindings/EnvironmentView';
import type { FilterCheckView } from '../bindings/FilterCheckView';
import type { HealthCheck } from '../bindings/HealthCheck';
import type { ImportReport } from '../bindings/ImportReport';
import type { CompareSource } from '../bindings/CompareSource';
import type { MapsComparison } from '../bindings/MapsComparison';
import type { PromotionReport } from '../bindings/PromotionReport';
import type { LegalEntityView } from '../bindings/LegalEntityView';
import type { LinkView } from '../bindings/LinkView';
import type { CsvExportView } from '../bindings/CsvExportView';
import type { ErrorGroupView } from '../bindings/ErrorGroupView';
import type { RetriedGroup } from '../bindings/RetriedGroup';
import type { LogPage } from '../bindings/LogPage';
import type { LogQuery } from '../bindings/LogQuery';
import type { MapDiffView } from '../bindings/MapDiffView';
import type { MapSchemaView } from '../bindings/MapSchemaView';
import type { MapVersionView } from '../bindings/MapVersionView';
import type { MapView } from '../bindings/MapView';
import type { MetricsView } from '../bindings/MetricsView';
import type { NewEnvironment } from '../bindings/NewEnvironment';
import type { PlanStepChoice } from '../bindings/PlanStepChoice';
import type { QueuedChangeView } from '../bindings/QueuedChangeView';
import type { ResetPlan } from '../bindings/ResetPlan';
import type { ResumeMode } from '../bindings/ResumeMode';
import type { RetentionView } from '../bindings/RetentionView';
import type { RowPreviewView } from '../bindings/RowPreviewView';
import type { RunPlan } from '../bindings/RunPlan';
import type { SavedMap } from '../bindings/SavedMap';
import type { Side } from '../bindings/Side';
import type { TableMap } from '../bindings/TableMap';
import type { TemplateView } from '../bindings/TemplateView';
import type { ValidationView } from '../bindings/ValidationView';
import type { ScenarioOptions } from '../bindings/ScenarioOptions';
import type { ScenarioMap } from '../bindings/ScenarioMap';
import type { ScenarioRun } from '../bindings/ScenarioRun';
import type { ScenarioView } from '../bindings/ScenarioView';

/** Everything the UI can ask of the Duet backend, whatever the transport. */
export interface Backend {
  /** Which transport is in use, for display only. */
  readonly transport: 'tauri' | 'http';
  /** Every registered environment of both kinds, oldest first. */
  environments(): Promise<EnvironmentView[]>;
  /** Registers an environment (its secret goes to the OS keyring); rejects with `invalid_environment` or `conflict`. */
  addEnvironment(environment: NewEnvironment): Promise<EnvironmentView>;
  /** Changes an environment's details; an empty secret keeps the stored one, a new one rotates it; rejects like `addEnvironment`. */
  updateEnvironment(id: number, environment: NewEnvironment): Promise<EnvironmentView>;
  /** Refused with `conflict` while the environment is one side of the link. */
  removeEnvironment(id: number): Promise<null>;
  /** Signs in and checks token (DUET-H001), permissions (DUET-H002) and clock skew (DUET-H005). */
  testConnection(id: number): Promise<HealthCheck[]>;
  /** Legal entities of a finance and operations environment, marked when the link syncs them. */
  legalEntities(id: number): Promise<LegalEntityView[]>;
  /** Links one environment of each kind; a second link is refused with `conflict`. */
  linkEnvironments(financeOperationsId: number, dataverseId: number, companies: string[]): Promise<LinkView>;
  link(): Promise<LinkView | null>;
  checkHealth(): Promise<LinkView>;
  /** Changes the link's legal entities; refused with `map_busy` while a map is paused or initializing. */
  setLinkCompanies(companies: string[]): Promise<LinkView>;
  /** What a reset would delete and keep, and the text the admin must type to confirm. */
  resetPlan(): Promise<ResetPlan>;
  /** Rejects with `confirmation_mismatch` unless `confirm` is the plan's confirmation text. */
  resetLink(confirm: string, relink: boolean): Promise<ResetPlan>;
  maps(): Promise<MapView[]>;
  runMap(name: string): Promise<MapView>;
  pauseMap(name: string): Promise<MapView>;
  /** Takes a paused map back to live sync: catch up on the queue, or skip to live keeping or discarding it. */
  resumeMap(name: string, mode: ResumeMode): Promise<MapView>;
  /** Stops the map and forgets its cursors and queued changes; the next run does an initial sync. */
  stopMap(name: string): Promise<MapView>;
  /** One action over several maps: a result per map, in order; one map's failure does not stop the others. `mode` is for resume (default catch up). */
  bulkMaps(action: BulkAction, names: string[], mode?: ResumeMode): Promise<BulkResult[]>;
  /** The named maps and the stored maps they look up, in dependency order; rejects with `plan_cycle` naming a cycle. */
  runPlan(names: string[]): Promise<RunPlan>;
  /** Sets each map's master and starts the maps one after another in this order (in the background); rejects with `plan_order` when a map comes before one it looks up. */
  startPlan(steps: PlanStepChoice[]): Promise<RunPlan>;
  /** The map's queued, parked and failed changes, oldest first; `key` filters by substring. */
  queuedChanges(name: string, options?: { key?: string; limit?: number }): Promise<QueuedChangeView[]>;
  /** Puts parked/failed changes back in the queue: the one with `seq`, or all of them. */
  retryChanges(name: string, seq?: number): Promise<MapView>;
  /** Runs the initial sync again over every row (queue kept), or with `failedOnly` queues the failed rows again. */
  rerunMap(name: string, failedOnly: boolean): Promise<MapView>;
  /** Saves a map definition (a `TableMap` as JSON) as its next version; the answer lists what is wrong with it. */
  saveMap(map: unknown, note?: string): Promise<SavedMap>;
  /** Every saved version of a map, oldest first (the last one is the current definition); `not_found` for an unknown map. */
  mapVersions(name: string): Promise<MapVersionView[]>;
  /** Field-by-field differences from version `from` to version `to`. */
  mapDiff(name: string, from: number, to: number): Promise<MapDiffView>;
  /** Saves version `version` again as the newest version. */
  rollbackMap(name: string, version: number): Promise<SavedMap>;
  /** A package of the named maps (every map when none is named) and the maps they look up. */
  exportMaps(names: string[]): Promise<unknown>;
  /** Imports a package: every map or none; existing maps with other definitions conflict unless `replace`. */
  importMaps(pkg: unknown, replace: boolean): Promise<ImportReport>;
  /** This Duet's maps beside a package or another running Duet's: added, removed (here only), changed with its fields, unchanged. */
  compareMaps(source: CompareSource): Promise<MapsComparison>;
  /** Applies a compared package's added and changed maps (only `names`, when given), each as a new version; a running map that would refuse stops the whole promotion. */
  promoteMaps(pkg: unknown, source: string, names?: string[]): Promise<PromotionReport>;
  /** Live sample rows of both sides under the saved map and under `map` (an unsaved edit): written, dropped (filter, company) or failed. */
  previewMap(map: unknown, limit?: number): Promise<RowPreviewView[]>;
  /** The standard templates as gallery cards, with whether each is stored. */
  mapTemplates(): Promise<TemplateView[]>;
  /** Adds templates as stopped maps; answers which lookups of the stored maps are still missing. */
  addTemplates(names: string[]): Promise<AddedTemplates>;
  /** The columns of a map's two tables, read from the linked environments (cached; `refresh` reads again). */
  mapSchema(financeOperationsEntity: string, dataverseTable: string, refresh?: boolean): Promise<MapSchemaView>;
  /** Every DW-V problem of `map` (saved or an unsaved edit), with the schema checks when both tables could be read. */
  validateMap(map: TableMap): Promise<ValidationView>;
  /** Parses one side's source filter of `map` (error with its position) and counts the rows it keeps in the link. */
  checkFilter(map: TableMap, side: Side): Promise<FilterCheckView>;
  /** Newest first. */
  activity(limit: number): Promise<ActivityEntry[]>;
  /** One page of the activity log matching `query` (a keyset page after `query.after`); the first page also counts the matches. */
  logPage(query: LogQuery, limit: number): Promise<LogPage>;
  /** Every failure in the log grouped by map, status, error class and message pattern (of one map when given), largest first. */
  errorGroups(map?: string): Promise<ErrorGroupView[]>;
  /**
   * Exports the view `query` selects (its `after` aside) as CSV, written by the backend a page
   * at a time: over HTTP a browser download of `GET /api/logs.csv`, in the window a file chosen
   * in a save dialog and written by `export_log_csv`.
   */
  exportActivityCsv(query: LogQuery): Promise<CsvExportResult>;
  /** Puts the failed changes of one error group back in the queue; `dryRun` only counts them. */
  retryErrorGroup(group: Pick<ErrorGroupView, 'map' | 'status' | 'errorClass' | 'pattern'>, dryRun: boolean): Promise<RetriedGroup>;
  /** Every alert rule, oldest first. */
  alertRules(): Promise<AlertRuleView[]>;
  /** Adds a rule (`id: null`) or replaces the one with its id; rejects with `invalid_alert_rule` naming what is wrong. */
  saveAlertRule(rule: AlertRuleView): Promise<AlertRuleView>;
  deleteAlertRule(id: number): Promise<null>;
  /** Raises an alert that acts on nothing, to check where alerts reach the admin; answers its log line. */
  sendTestAlert(): Promise<ActivityEntry>;
  /** Rows/s, errors and latency per map and direction, and queue depth, over the last `minutes`. */
  metrics(options: { map?: string; minutes: number; bucketSeconds?: number }): Promise<MetricsView>;
  retention(): Promise<RetentionView>;
  /** Saves and prunes at once; rejects with `invalid_retention` naming the bad value. */
  setRetention(retention: RetentionView): Promise<RetentionView>;
  /** The six setup scenarios. */
  scenarios(): Promise<ScenarioView[]>;
  /** The steps a run would follow with these options (missing ones take their defaults); runs nothing. */
  scenarioPlan(id: string, options: Partial<ScenarioOptions>): Promise<ScenarioRun>;
  /** Starts (or resumes an unfinished run of) the scenario in the background; progress arrives as `scenarioChanged` events. */
  startScenario(id: string, options: Partial<ScenarioOptions>): Promise<ScenarioRun>;
  /** The run in progress or the last one, or null. */
  scenarioRun(): Promise<ScenarioRun | null>;
  /** Rows of a map whose key or name contains `search`, on either side, within the link's companies. */
  demoRows(map: string, search: string): Promise<DemoRowSummary[]>;
  /** One row as both sides hold it now, a line per field mapping. */
  demoRow(map: string, key: string): Promise<DemoRowView>;
  /** Writes one column of the row on one side through that side's client. */
  demoWrite(map: string, side: Side, key: string, column: string, value: unknown): Promise<DemoWritten>;
  /** The row's last activity lines, newest first. */
  demoHistory(map: string, key: string): Promise<ActivityEntry[]>;
  demoScripts(): Promise<DemoScriptView[]>;
  /** Starts a scripted demo in the background; progress arrives as `demoChanged` events. */
  startDemoScript(script: DemoScript, map: string, key?: string): Promise<DemoRun>;
  demoScriptRun(): Promise<DemoRun | null>;
  /** The maps a run with these options starts (the chosen ones and every map they look up), in start order, with their choices. */
  scenarioMaps(options: Partial<ScenarioOptions>): Promise<ScenarioMap[]>;
  /** Gives a company-specific map's Dataverse rows without a company the company of their finance and operations match, or `company`; `dryRun` writes nothing. */
  bootstrapMap(name: string, company: string, dryRun: boolean): Promise<BootstrapReport>;
  /** Returns the unsubscribe function. */
  subscribe(handler: (event: DuetEvent) => void): () => void;
}

/**
 * How an export ended: the browser took a download (its size is not known to the page), the
 * backend saved a file, or the save dialog was cancelled.
 */
export type CsvExportResult = { kind: 'download' } | ({ kind: 'saved' } & CsvExportView) | { kind: 'cancelled' };

/** Generic command call shared by both transports. */
export type Invoke = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;

export function backendFromInvoke(
  transport: Backend['transport'],
  invoke: Invoke,
  subscribe: Backend['subscribe'],
  exportActivityCsv: Backend['exportActivityCsv'],
): Backend {
  return {
    transport,
    exportActivityCsv,
    environments: () => invoke<EnvironmentView[]>('environments'),
    addEnvironment: (environment) => invoke<EnvironmentView>('add_environment', { environment }),
    updateEnvironment: (id, environment) => invoke<EnvironmentView>('update_environment', { id, environment }),
    removeEnvironment: (id) => invoke<null>('remove_environment', { id }),
    testConnection: (id) => invoke<HealthCheck[]>('test_connection', { id }),
    legalEntities: (id) => invoke<LegalEntityView[]>('legal_entities', { id }),
    linkEnvironments: (financeOperationsId, dataverseId, companies) =>
      invoke<LinkView>('link_environments', { financeOperationsId, dataverseId, companies }),
    link: () => invoke<LinkView | null>('link'),
    checkHealth: () => invoke<LinkView>('check_health'),
    setLinkCompanies: (companies) => invoke<LinkView>('set_link_companies', { companies }),
    resetPlan: () => invoke<ResetPlan>('reset_plan'),
    resetLink: (confirm, relink) => invoke<ResetPlan>('reset_link', { confirm, relink }),
    maps: () => invoke<MapView[]>('maps'),
    runMap: (name) => invoke<MapView>('run_map', { name }),
    pauseMap: (name) => invoke<MapView>('pause_map', { name }),
    resumeMap: (name, mode) => invoke<MapView>('resume_map', { name, mode }),
    stopMap: (name) => invoke<MapView>('stop_map', { name }),
    bulkMaps: (action, names, mode) => invoke<BulkResult[]>('bulk_maps', definedArgs({ action, names, mode })),
    runPlan: (names) => invoke<RunPlan>('run_plan', { names }),
    startPlan: (steps) => invoke<RunPlan>('start_plan', { steps }),
    queuedChanges: (name, options = {}) =>
      invoke<QueuedChangeView[]>('queued_changes', definedArgs({ name, key: options.key || undefined, limit: options.limit })),
    retryChanges: (name, seq) => invoke<MapView>('retry_changes', definedArgs({ name, seq })),
    rerunMap: (name, failedOnly) => invoke<MapView>('rerun_map', { name, failedOnly }),
    saveMap: (map, note) => invoke<SavedMap>('save_map', definedArgs({ map, note: note?.trim() || undefined })),
    mapVersions: (name) => invoke<MapVersionView[]>('map_versions', { name }),
    mapDiff: (name, from, to) => invoke<MapDiffView>('map_diff', { name, from, to }),
    rollbackMap: (name, version) => invoke<SavedMap>('rollback_map', { name, version }),
    exportMaps: (names) => invoke<unknown>('export_maps', { names }),
    importMaps: (pkg, replace) => invoke<ImportReport>('import_maps', { package: pkg, replace }),
    compareMaps: (source) => invoke<MapsComparison>('compare_maps', source),
    promoteMaps: (pkg, source, names) => invoke<PromotionReport>('promote_maps', definedArgs({ package: pkg, source, names })),
    previewMap: (map, limit) => invoke<RowPreviewView[]>('preview_map', definedArgs({ map, limit })),
    mapTemplates: () => invoke<TemplateView[]>('map_templates'),
    addTemplates: (names) => invoke<AddedTemplates>('add_templates', { names }),
    mapSchema: (financeOperationsEntity, dataverseTable, refresh) =>
      invoke<MapSchemaView>('map_schema', definedArgs({ financeOperationsEntity, dataverseTable, refresh })),
    validateMap: (map) => invoke<ValidationView>('validate_map', { map }),
    checkFilter: (map, side) => invoke<FilterCheckView>('check_filter', { map, side }),
    activity: (limit) => invoke<ActivityEntry[]>('activity', { limit }),
    logPage: (query, limit) => invoke<LogPage>('log_page', { query, limit }),
    errorGroups: (map) => invoke<ErrorGroupView[]>('error_groups', definedArgs({ map: map || undefined })),
    retryErrorGroup: ({ map, status, errorClass, pattern }, dryRun) =>
      invoke<RetriedGroup>('retry_error_group', { map, status, errorClass, pattern, dryRun }),
    alertRules: () => invoke<AlertRuleView[]>('alert_rules'),
    saveAlertRule: (rule) => invoke<AlertRuleView>('save_alert_rule', { rule }),
    deleteAlertRule: (id) => invoke<null>('delete_alert_rule', { id }),
    sendTestAlert: () => invoke<ActivityEntry>('send_test_alert'),
    metrics: ({ map, minutes, bucketSeconds }) =>
      invoke<MetricsView>('metrics', definedArgs({ map: map || undefined, minutes, bucketSeconds })),
    retention: () => invoke<RetentionView>('retention'),
    setRetention: (retention) => invoke<RetentionView>('set_retention', { retention }),
    scenarios: () => invoke<ScenarioView[]>('scenarios'),
    scenarioPlan: (id, options) => invoke<ScenarioRun>('scenario_plan', { id, options }),
    startScenario: (id, options) => invoke<ScenarioRun>('start_scenario', { id, options }),
    scenarioRun: () => invoke<ScenarioRun | null>('scenario_run'),
    demoRows: (map, search) => invoke<DemoRowSummary[]>('demo_rows', { map, search }),
    demoRow: (map, key) => invoke<DemoRowView>('demo_row', { map, key }),
    demoWrite: (map, side, key, column, value) => invoke<DemoWritten>('demo_write', { map, side, key, column, value }),
    demoHistory: (map, key) => invoke<ActivityEntry[]>('demo_history', { map, key }),
    demoScripts: () => invoke<DemoScriptView[]>('demo_scripts'),
    startDemoScript: (script, map, key) => invoke<DemoRun>('start_demo_script', definedArgs({ script, map, key })),
    demoScriptRun: () => invoke<DemoRun | null>('demo_script_run'),
    scenarioMaps: (options) => invoke<ScenarioMap[]>('scenario_maps', { options }),
    bootstrapMap: (name, company, dryRun) => invoke<BootstrapReport>('bootstrap_map', { name, company, dryRun }),
    subscribe,
  };
}

/** Drops undefined arguments so neither transport sends them (the backend takes absent as "none"). */
export function definedArgs(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
}

export function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** Turns anything a transport rejected with into an ApiError. */
export function toApiError(value: unknown, fallbackCode = 'error'): ApiError {
  if (isApiError(value)) return { code: value.code, message: value.message };
  if (value instanceof Error) return { code: fallbackCode, message: value.message };
  if (typeof value === 'string') return { code: fallbackCode, message: value };
  return { code: fallbackCode, message: 'Unknown error' };
}
