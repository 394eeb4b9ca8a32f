import type { Agreement } from '../bindings/Agreement';
import type { EnvironmentView } from '../bindings/EnvironmentView';
import type { PlanStepChoice } from '../bindings/PlanStepChoice';
import type { ScenarioOptions } from '../bindings/ScenarioOptions';
import type { ScenarioRun } from '../bindings/ScenarioRun';
import type { ScenarioView } from '../bindings/ScenarioView';
import type { StepStatus } from '../bindings/StepStatus';
import { formatCount } from './format';
import type { BadgeColor } from './labels';

/** Where a run's environments come from: fresh sandbox ones, or environments already added. */
export type EnvironmentSource = 'sandbox' | 'added';

/** What the options form edits, as typed (numbers stay text until validated). */
export interface OptionsDraft {
  environmentSource: EnvironmentSource;
  /** The added environments chosen (with `environmentSource` 'added'). */
  financeOperationsId: number | null;
  dataverseId: number | null;
  /** Legal entity codes as typed, for sandbox environments. */
  companies: string;
  /** The legal entities ticked, for added environments. */
  picked: string[];
  /** The finance and operations environment `picked` was read from (a new one ticks all of its own). */
  pickedFor: number | null;
  rows: string;
  existingRows: string;
  master: ScenarioOptions['master'];
  /** The maps chosen, by name (the maps they look up are added by the backend). */
  maps: string[];
  /** The admin's own initial-sync and master choices; other maps take the defaults. */
  choices: PlanStepChoice[];
}

export const DEFAULT_DRAFT: OptionsDraft = {
  environmentSource: 'sandbox',
  financeOperationsId: null,
  dataverseId: null,
  companies: 'DAT',
  picked: [],
  pickedFor: null,
  rows: '200',
  existingRows: '40',
  master: 'financeOperations',
  maps: ['customers'],
  choices: [],
};

export const MAX_ROWS = 100_000;
/** The most legal entities one link syncs (dual-write's limit, checked by the backend too). */
export const MAX_COMPANIES = 40;

export type DraftErrors = Partial<Record<'environments' | 'companies' | 'rows' | 'existingRows' | 'maps', string>>;

type Sides = Pick<ScenarioView, 'financeOperations' | 'dataverse'>;

/** Whether sandbox provisioning generates finance and operations customers (so `rows` matters). */
export function usesRows(scenario: Pick<ScenarioView, 'financeOperations'>, source: EnvironmentSource = 'sandbox'): boolean {
  return source === 'sandbox' && scenario.financeOperations !== 'new';
}

/** Whether sandbox provisioning starts from company-less Dataverse accounts (so `existingRows` matters). */
export function usesExistingRows(scenario: Pick<ScenarioView, 'dataverse'>, source: EnvironmentSource = 'sandbox'): boolean {
  return source === 'sandbox' && scenario.dataverse === 'existing';
}

/** "dat, usmf ,DAT" → ["DAT", "USMF"]. */
export function parseCompanies(text: string): string[] {
  const codes = text
    .split(/[\s,;]+/)
    .map((code) => code.trim().toUpperCase())
    .filter(Boolean);
  return [...new Set(codes)];
}

/** What is wrong with a list of legal entity codes, as the backend checks them: 3–4 letters or digits, 1 to 40. */
export function companiesProblem(codes: readonly string[], emptyText = 'Enter at least one legal entity.'): string | undefined {
  if (codes.length === 0) return emptyText;
  const bad = codes.filter((code) => !/^[A-Z0-9]{3,4}$/.test(code));
  if (bad.length) {
    const names = bad.map((c) => `'${c}'`).join(', ');
    return `Legal entity codes are 3 or 4 letters or digits (such as DAT): ${names} ${bad.length === 1 ? 'is' : 'are'} not.`;
  }
  if (codes.length > MAX_COMPANIES) return `${codes.length} legal entities are chosen; a link syncs at most ${MAX_COMPANIES}.`;
  return undefined;
}

/** "3 of 40": how many legal entities are chosen against the link's limit. */
export function companyCount(count: number): string {
  return `${count} of ${MAX_COMPANIES}`;
}

/** The legal entities a run links: typed for the sandbox, ticked for added environments. */
export function draftCompanies(draft: OptionsDraft): string[] {
  return draft.environmentSource === 'sandbox' ? parseCompanies(draft.companies) : draft.picked;
}

function checkCount(text: string, label: string): string | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return `${label} must be a whole number.`;
  const n = Number(trimmed);
  if (n < 1) return `${label} must be at least 1.`;
  if (n > MAX_ROWS) return `${label} must be at most ${MAX_ROWS.toLocaleString('en-US')}.`;
  return undefined;
}

/** Problems with the draft for this scenario, per field; empty when it can be planned. */
export function validateDraft(draft: OptionsDraft, scenario: Sides): DraftErrors {
  const errors: DraftErrors = {};
  const sandbox = draft.environmentSource === 'sandbox';
  if (!sandbox && (draft.financeOperationsId === null || draft.dataverseId === null)) {
    errors.environments = 'Choose a finance and operations and a Dataverse environment.';
  }
  const companies = companiesProblem(
    draftCompanies(draft),
    sandbox ? 'Enter at least one legal entity.' : 'Tick at least one legal entity.',
  );
  if (companies) errors.companies = companies;
  if (usesRows(scenario, draft.environmentSource)) {
    const problem = checkCount(draft.rows, 'Customers to generate');
    if (problem) errors.rows = problem;
  }
  if (usesExistingRows(scenario, draft.environmentSource)) {
    const problem = checkCount(draft.existingRows, 'Existing accounts');
    if (problem) errors.existingRows = problem;
  }
  if (draft.maps.length === 0) errors.maps = 'Choose at least one map.';
  return errors;
}

export function hasErrors(errors: DraftErrors): boolean {
  return Object.values(errors).some(Boolean);
}

/** The options sent to the backend; only the fields the scenario uses beyond the defaults. */
export function optionsFromDraft(draft: OptionsDraft, scenario: Sides): Partial<ScenarioOptions> {
  const options: Partial<ScenarioOptions> = {
    companies: draftCompanies(draft),
    maps: draft.maps,
    choices: draft.choices,
    master: draft.master,
  };
  if (draft.environmentSource === 'added' && draft.financeOperationsId !== null && draft.dataverseId !== null) {
    options.environments = [draft.financeOperationsId, draft.dataverseId];
  }
  if (usesRows(scenario, draft.environmentSource)) options.rows = Number(draft.rows.trim());
  if (usesExistingRows(scenario, draft.environmentSource)) options.existingRows = Number(draft.existingRows.trim());
  return options;
}

/**
 * The draft after the legal entities of `financeOperationsId` were read: the first read for
 * an environment ticks them all (the guidance for environments in use); later reads keep
 * the admin's ticks that still exist.
 */
export function withLegalEntities(draft: OptionsDraft, financeOperationsId: number, codes: readonly string[]): OptionsDraft {
  if (draft.pickedFor === financeOperationsId) {
    return { ...draft, picked: draft.picked.filter((code) => codes.includes(code)) };
  }
  return { ...draft, picked: [...codes], pickedFor: financeOperationsId };
}

/** Ticks or unticks one legal entity, keeping the order of `all`. */
export function togglePicked(picked: readonly string[], all: readonly string[], code: string, on: boolean): string[] {
  const next = new Set(picked);
  if (on) next.add(code);
  else next.delete(code);
  return all.filter((c) => next.has(c));
}

/** The reset step of a plan, when Duet is linked already and the run starts by unlinking. */
export function resetStep(run: Pick<ScenarioRun, 'steps'> | null) {
  return run?.steps.find((step) => step.id === 'reset' && step.status === 'pending') ?? null;
}

/** A run that was started and has not finished: it shows as progress, not as a new plan. */
export function isUnfinished(run: ScenarioRun | null): boolean {
  return !!run && run.startedAt !== null && run.status !== 'done';
}

export function isActive(run: ScenarioRun | null): boolean {
  return !!run && run.status === 'running';
}

const STATUS_LABELS: Record<StepStatus, string> = {
  pending: 'Pending',
  running: 'Running',
  done: 'Done',
  skipped: 'Skipped',
  failed: 'Failed',
};

export function stepStatusLabel(status: StepStatus): string {
  return STATUS_LABELS[status] ?? status;
}

export function stepStatusColor(status: StepStatus): BadgeColor {
  switch (status) {
    case 'done':
      return 'success';
    case 'running':
      return 'brand';
    case 'failed':
      return 'danger';
    default:
      return 'informative';
  }
}

/** "3 of 8 steps" — done and skipped count as finished. */
export function progressCount(run: Pick<ScenarioRun, 'steps'>): { finished: number; total: number } {
  const finished = run.steps.filter((s) => s.status === 'done' || s.status === 'skipped').length;
  return { finished, total: run.steps.length };
}

/** "New with data" → shown as a label on the scenario cards. */
export function kindLabel(kind: string): string {
  return kind ? kind.charAt(0).toUpperCase() + kind.slice(1) : kind;
}

/** Whether the agreement shows both sides in step. */
export function agrees(a: { missingInDataverse: number; missingInFinanceOperations: number; differing: number }): boolean {
  return a.missingInDataverse === 0 && a.missingInFinanceOperations === 0 && a.differing === 0;
}

/** Badge colour per environment kind: new (brand), new with data (success), existing (informative). */
export function kindColor(kind: string): BadgeColor {
  return kind === 'existing' ? 'informative' : kind === 'new with data' ? 'success' : 'brand';
}

/**
 * Which result a run shows above its steps: done, failed, or unfinished (started, stopped
 * before its last step and not running); none while it runs or before it starts.
 */
export function runOutcome(run: Pick<ScenarioRun, 'status' | 'startedAt'>): 'done' | 'failed' | 'unfinished' | null {
  if (run.status === 'done' || run.status === 'failed') return run.status;
  return run.status !== 'running' && run.startedAt ? 'unfinished' : null;
}

/** The chosen pair by name (finance and operations ↔ Dataverse), or a generic label while the names are unknown. */
function addedPair(ids: readonly [number, number], known: readonly Pick<EnvironmentView, 'id' | 'name'>[]): string {
  const name = (id: number) => known.find((environment) => environment.id === id)?.name;
  const [finops, dataverse] = [name(ids[0]), name(ids[1])];
  return finops && dataverse ? `${finops} ↔ ${dataverse}` : 'Environments already added';
}

/**
 * The scenario and options of a plan or run, as label and value, for the ones the scenario
 * uses; `known` environments name the chosen pair.
 */
export function optionsSummary(
  run: Pick<ScenarioRun, 'scenario' | 'options'>,
  known: readonly Pick<EnvironmentView, 'id' | 'name'>[] = [],
): [string, string][] {
  const { options } = run;
  const source: EnvironmentSource = options.environments ? 'added' : 'sandbox';
  const maps = options.choices.length ? options.choices.map((c) => c.map) : options.maps;
  const items: [string, string][] = [
    ['Scenario', run.scenario.title],
    ['Environments', options.environments ? addedPair(options.environments, known) : 'Sandbox (provisioned fresh)'],
    ['Legal entities', options.companies.join(', ')],
    ['Maps', maps.join(', ')],
    ['Master', options.master === 'financeOperations' ? 'Finance and operations' : 'Dataverse'],
  ];
  if (usesRows(run.scenario, source)) items.push(['Customers to generate', formatCount(options.rows)]);
  if (usesExistingRows(run.scenario, source)) items.push(['Existing accounts', formatCount(options.existingRows)]);
  return items;
}

/** The rows of an agreement table: label, count, and whether a count above zero is a problem. */
export function agreementRows(agreement: Agreement): [string, number, boolean][] {
  return [
    ['Rows in finance and operations', agreement.financeOperationsRows, false],
    ['Rows in Dataverse', agreement.dataverseRows, false],
    ['Matched (same values)', agreement.matched, false],
    ['Missing in Dataverse', agreement.missingInDataverse, true],
    ['Missing in finance and operations', agreement.missingInFinanceOperations, true],
    ['Differing', agreement.differing, true],
    ['Dataverse rows without a company', agreement.withoutCompany, true],
  ];
}
