import { describe, expect, it } from 'vitest';
import { toApiError } from './types';

describe('toApiError', () => {
  it('keeps an ApiError as is', () => {
    expect(toApiError({ code: 'x', message: 'y', extra: 1 })).toEqual({ code: 'x', message: 'y' });
  });
  it('wraps strings and Errors', () => {
    expect(toApiError('bad')).toEqual({ code: 'error', message: 'bad' });
    expect(toApiError(new Error('worse'), 'network')).toEqual({ code: 'network', message: 'worse' });
    expect(toApiError(42)).toEqual({ code: 'error', message: 'Unknown error' });
  });
});
