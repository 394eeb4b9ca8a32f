import type { MapProblemView } from '../bindings/MapProblemView';

/** The index of the field mapping a problem's JSON path points into (`$.fields[3].transform` → 3). */
export function fieldIndexOf(path: string): number | null {
  const match = /^\$\.fields\[(\d+)\]/.exec(path);
  return match ? Number(match[1]) : null;
}

/** Problems grouped by the field mapping they point into; problems of the map as a whole are left out. */
export function problemsByField(problems: readonly MapProblemView[]): Map<number, MapProblemView[]> {
  const byField = new Map<number, MapProblemView[]>();
  for (const problem of problems) {
    const index = fieldIndexOf(problem.path);
    if (index === null) continue;
    byField.set(index, [...(byField.get(index) ?? []), problem]);
  }
  return byField;
}

/** The distinct codes of the problems that stop a map from running, in order. */
export function blockingCodes(problems: readonly MapProblemView[]): string[] {
  return [...new Set(problems.filter((p) => p.severity === 'error').map((p) => p.code))];
}

/** Errors first, then warnings; within each, the order validation reported them in. */
export function orderedProblems(problems: readonly MapProblemView[]): MapProblemView[] {
  return [...problems.filter((p) => p.severity === 'error'), ...problems.filter((p) => p.severity !== 'error')];
}

/** "2 errors block Run · 1 warning", or that nothing does. */
export function validationSummary(problems: readonly MapProblemView[]): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  if (problems.length === 0) return 'No problems: the map can run';
  const parts = [];
  if (errors > 0) parts.push(`${errors} ${errors === 1 ? 'error blocks' : 'errors block'} Run`);
  if (warnings > 0) parts.push(`${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`);
  if (errors === 0) parts.push('the map can run');
  return parts.join(' · ');
}

/** Where in the drawer a problem is fixed. */
export type ProblemPlace = 'fields' | 'filters' | 'settings' | 'map';

const PLACES: readonly { prefix: string; place: ProblemPlace; subject: string }[] = [
  { prefix: '$.key', place: 'settings', subject: 'Integration key' },
  { prefix: '$.company', place: 'settings', subject: 'Company striping' },
  { prefix: '$.numberSequencePrefixes', place: 'settings', subject: 'Number sequences' },
  { prefix: '$.numberSequenceRanges', place: 'settings', subject: 'Number sequences' },
  { prefix: '$.master', place: 'settings', subject: 'Master side' },
  { prefix: '$.keyEnteredByHand', place: 'settings', subject: 'Key entered by hand' },
  { prefix: '$.filterFinanceOperations', place: 'filters', subject: 'Finance and operations filter' },
  { prefix: '$.filterDataverse', place: 'filters', subject: 'Dataverse filter' },
  { prefix: '$.fields', place: 'fields', subject: 'Field mappings' },
];

function placeOf(path: string) {
  return PLACES.find(({ prefix }) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`));
}

export function problemPlace(problem: MapProblemView): ProblemPlace {
  return placeOf(problem.path)?.place ?? 'map';
}

/**
 * What a problem points at, in words: the field mapping it points into as "CreditLimit =
 * creditlimit" (`label` draws it), else the part of the map ("Integration key").
 */
export function problemSubject<F>(problem: MapProblemView, fields: readonly F[], label: (field: F) => string): string {
  const index = fieldIndexOf(problem.path);
  if (index !== null) {
    const field = fields[index];
    return field === undefined ? `Field ${index + 1}` : label(field);
  }
  return placeOf(problem.path)?.subject ?? 'Map';
}
