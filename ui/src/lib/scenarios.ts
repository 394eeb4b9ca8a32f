import type { Agreement } from '../bindings/Agreement';
import type { ScenarioOptions } from '../bindings/ScenarioOptions';
import type { ScenarioRun } from '../bindings/ScenarioRun';
import type { ScenarioView } from '../bindings/ScenarioView';
import type { StepStatus } from '../bindings/StepStatus';
import { formatCount } from './format';
import type { BadgeColor } from './labels';

/** What the options form edits, as typed (numbers stay text until validated). */
export interface OptionsDraft {
  companies: string;
  rows: string;
  existingRows: string;
  master: ScenarioOptions['master'];
}

export const DEFAULT_DRAFT: OptionsDraft = {
  companies: 'DAT',
  rows: '200',
  existingRows: '40',
  master: 'financeOperations',
};

export const MAX_ROWS = 100_000;

export type DraftErrors = Partial<Record<'companies' | 'rows' | 'existingRows', string>>;

/** Whether the scenario generates finance and operations customers (so `rows` matters). */
export function usesRows(scenario: Pick<ScenarioView, 'financeOperations'>): boolean {
  return scenario.financeOperations === 'new with data';
}

/** Whether the scenario starts from company-less Dataverse accounts (so `existingRows` matters). */
export function usesExistingRows(scenario: Pick<ScenarioView, 'dataverse'>): boolean {
  return scenario.dataverse === 'existing';
}

/** "dat, usmf ,DAT" → ["DAT", "USMF"]. */
export function parseCompanies(text: string): string[] {
  const codes = text
    .split(/[\s,;]+/)
    .map((code) => code.trim().toUpperCase())
    .filter(Boolean);
  return [...new Set(codes)];
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
export function validateDraft(draft: OptionsDraft, scenario: Pick<ScenarioView, 'financeOperations' | 'dataverse'>): DraftErrors {
  const errors: DraftErrors = {};
  const companies = parseCompanies(draft.companies);
  const bad = companies.filter((code) => !/^[A-Z0-9]{1,4}$/.test(code));
  if (companies.length === 0) errors.companies = 'Enter at least one legal entity.';
  else if (bad.length)
    errors.companies = `Legal entity codes are 1–4 letters or digits: ${bad.map((c) => `'${c}'`).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not.`;
  if (usesRows(scenario)) {
    const problem = checkCount(draft.rows, 'Customers to generate');
    if (problem) errors.rows = problem;
  }
  if (usesExistingRows(scenario)) {
    const problem = checkCount(draft.existingRows, 'Existing accounts');
    if (problem) errors.existingRows = problem;
  }
  return errors;
}

export function hasErrors(errors: DraftErrors): boolean {
  return Object.values(errors).some(Boolean);
}

/** The options sent to the backend; only the fields the scenario uses beyond the defaults. */
export function optionsFromDraft(
  draft: OptionsDraft,
  scenario: Pick<ScenarioView, 'financeOperations' | 'dataverse'>,
): Partial<ScenarioOptions> {
  const options: Partial<ScenarioOptions> = {
    companies: parseCompanies(draft.companies),
    maps: ['customers'],
    master: draft.master,
  };
  if (usesRows(scenario)) options.rows = Number(draft.rows.trim());
  if (usesExistingRows(scenario)) options.existingRows = Number(draft.existingRows.trim());
  return options;
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

/** The scenario and options of a plan or run, as label and value, for the ones the scenario uses. */
export function optionsSummary(run: Pick<ScenarioRun, 'scenario' | 'options'>): [string, string][] {
  const items: [string, string][] = [
    ['Scenario', run.scenario.title],
    ['Legal entities', run.options.companies.join(', ')],
    ['Master', run.options.master === 'financeOperations' ? 'Finance and operations' : 'Dataverse'],
  ];
  if (usesRows(run.scenario)) items.push(['Customers to generate', formatCount(run.options.rows)]);
  if (usesExistingRows(run.scenario)) items.push(['Existing accounts', formatCount(run.options.existingRows)]);
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
