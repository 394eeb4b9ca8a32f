import { describe, expect, it } from 'vitest';
import type { PlanStep } from '../bindings/PlanStep';
import {
  bulkFailures,
  bulkStopConfirmation,
  bulkSummary,
  masterEditable,
  moveStep,
  orderProblem,
  orderProblemMessage,
  planChoices,
  updateStep,
} from './runPlan';

const step = (map: string, dependsOn: string[] = []): PlanStep => ({
  map,
  title: map,
  dependsOn,
  initialSync: true,
  master: 'financeOperations',
  state: 'notRunning',
});

const plan = [step('groups'), step('currencies'), step('customers', ['groups', 'currencies'])];

describe('orderProblem', () => {
  it('accepts a plan in dependency order', () => {
    expect(orderProblem(plan)).toBeNull();
  });
  it('names a map placed before one it looks up', () => {
    const moved = moveStep(plan, 2, -1);
    expect(moved.map((s) => s.map)).toEqual(['groups', 'customers', 'currencies']);
    const problem = orderProblem(moved);
    expect(problem).toEqual({ map: 'customers', lookedUp: 'currencies' });
    expect(orderProblemMessage(problem!)).toContain("move 'currencies' before 'customers'");
  });
  it('ignores lookups into maps outside the plan', () => {
    expect(orderProblem([step('customers', ['payment-terms'])])).toBeNull();
  });
});

describe('moveStep', () => {
  it('swaps with the neighbour and leaves the ends alone', () => {
    expect(moveStep(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveStep(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveStep(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });
  it('does not change the steps it was given', () => {
    const steps = ['a', 'b'];
    moveStep(steps, 0, 1);
    expect(steps).toEqual(['a', 'b']);
  });
});

describe('choices', () => {
  it('changes one step and sends only the choices, in order', () => {
    const changed = updateStep(plan, 'customers', { initialSync: false, master: 'dataverse' });
    expect(planChoices(changed)).toEqual([
      { map: 'groups', initialSync: true, master: 'financeOperations' },
      { map: 'currencies', initialSync: true, master: 'financeOperations' },
      { map: 'customers', initialSync: false, master: 'dataverse' },
    ]);
  });
});

describe('bulk results', () => {
  it('summarises successes and lists failures with their reason', () => {
    const ok = { map: 'a', ok: true };
    const failed = { map: 'b', ok: false, error: { code: 'not_found', message: "there is no map named 'b'" } };
    expect(bulkSummary('pause', [ok])).toBe('Paused 1 map');
    expect(bulkSummary('stop', [ok, failed])).toBe('Stopped 1 of 2 maps; 1 failed');
    expect(bulkFailures([ok, failed])).toEqual([{ map: 'b', error: failed.error }]);
  });
  it('asks before stopping, naming every map', () => {
    expect(bulkStopConfirmation(['a', 'b'])).toMatch(/^Stop 2 maps 'a', 'b'\?/);
  });
});

describe('masterEditable', () => {
  it('allows a master change only on a map that is not started', () => {
    expect(masterEditable({ state: 'notRunning' })).toBe(true);
    expect(masterEditable({ state: 'stopped' })).toBe(true);
    expect(masterEditable({ state: 'running' })).toBe(false);
    expect(masterEditable({ state: 'paused' })).toBe(false);
    expect(masterEditable({ state: 'resuming' })).toBe(false);
    expect(masterEditable({ state: 'error' })).toBe(false);
  });
});
