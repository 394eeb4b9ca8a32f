import { describe, expect, it } from 'vitest';
import { pageFromHash } from './route';

describe('pageFromHash', () => {
  it('defaults to environments', () => {
    expect(pageFromHash('')).toBe('environments');
    expect(pageFromHash('#/nope')).toBe('environments');
  });
  it('reads known pages', () => {
    expect(pageFromHash('#/maps')).toBe('maps');
    expect(pageFromHash('#activity')).toBe('activity');
    expect(pageFromHash('#/alerts')).toBe('alerts');
    expect(pageFromHash('#/errors')).toBe('errors');
  });
});
