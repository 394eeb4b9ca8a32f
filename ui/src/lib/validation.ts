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
