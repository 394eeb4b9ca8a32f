import type { ApiError } from '../bindings/ApiError';
import type { BulkAction } from '../bindings/BulkAction';
import type { BulkResult } from '../bindings/BulkResult';
import type { EnvironmentKind } from '../bindings/EnvironmentKind';
import type { PlanStep } from '../bindings/PlanStep';
import type { PlanStepChoice } from '../bindings/PlanStepChoice';

/** A map placed before a map it looks up. */
export interface OrderProblem {
  map: string;
  lookedUp: string;
}

/** The first step that comes before a map of the plan it looks up, or null when the order is fine. */
export function orderProblem(steps: readonly PlanStep[]): OrderProblem | null {
  const position = new Map(steps.map((step, index) => [step.map, index]));
  for (const [index, step] of steps.entries()) {
    for (const target of step.dependsOn) {
      const at = position.get(target);
      if (at !== undefined && at > index) return { map: step.map, lookedUp: target };
    }
  }
  return null;
}

/** The same words the backend's `plan_order` refusal uses. */
export function orderProblemMessage(problem: OrderProblem): string {
  return `'${problem.map}' comes before '${problem.lookedUp}', but it looks up rows of '${problem.lookedUp}': move '${problem.lookedUp}' before '${problem.map}'.`;
}

/** The steps with the one at `index` moved by `delta` (−1 up, +1 down); unchanged at either end. */
export function moveStep<T>(steps: readonly T[], index: number, delta: -1 | 1): T[] {
  const target = index + delta;
  if (index < 0 || index >= steps.length || target < 0 || target >= steps.length) return steps.slice();
  const next = steps.slice();
  [next[index], next[target]] = [next[target], next[index]];
  return next;
}

/** Changes one step's choice by map name. */
export function updateStep(
  steps: readonly PlanStep[],
  map: string,
  change: Partial<Pick<PlanStep, 'initialSync' | 'master'>>,
): PlanStep[] {
  return steps.map((step) => (step.map === map ? { ...step, ...change } : step));
}

/** What start_plan takes: the steps' choices in their current order. */
export function planChoices(steps: readonly PlanStep[]): PlanStepChoice[] {
  return steps.map(({ map, initialSync, master }) => ({ map, initialSync, master }));
}

export const MASTER_LABELS: Record<EnvironmentKind, string> = {
  financeOperations: 'Finance and operations',
  dataverse: 'Dataverse',
};

const ACTION_DONE: Record<BulkAction, string> = {
  run: 'Started',
  pause: 'Paused',
  resume: 'Resumed',
  stop: 'Stopped',
};

/** "Paused 2 maps" or "Paused 1 of 3 maps; 2 failed". */
export function bulkSummary(action: BulkAction, results: readonly BulkResult[]): string {
  const done = results.filter((result) => result.ok).length;
  const plural = (n: number) => (n === 1 ? 'map' : 'maps');
  if (done === results.length) return `${ACTION_DONE[action]} ${done} ${plural(done)}`;
  return `${ACTION_DONE[action]} ${done} of ${results.length} ${plural(results.length)}; ${results.length - done} failed`;
}

/** The failed maps with their errors, in the order they were asked for. */
export function bulkFailures(results: readonly BulkResult[]): { map: string; error: ApiError }[] {
  return results
    .filter((result) => !result.ok)
    .map((result) => ({ map: result.map, error: result.error ?? { code: 'error', message: 'failed' } }));
}

/** "Stop 2 maps? …" for the bulk Stop confirmation. */
export function bulkStopConfirmation(names: readonly string[]): string {
  const list = names.map((name) => `'${name}'`).join(', ');
  return `Stop ${names.length === 1 ? 'map' : `${names.length} maps`} ${list}? Stopping forgets their cursors and queued changes: the next run starts with an initial sync. Failed changes stay in the error list.`;
}

/** Whether a step's master can change: edits need a map that is not started (the backend refuses otherwise). */
export function masterEditable(step: Pick<PlanStep, 'state'>): boolean {
  return !['running', 'initializing', 'paused', 'resuming', 'error'].includes(step.state);
}
