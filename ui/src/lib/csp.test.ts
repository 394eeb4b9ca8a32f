import { describe, expect, it, vi } from 'vitest';
import { styleNonce, watchCspViolations } from './csp';

function docWith(element: Partial<HTMLStyleElement> | null): Pick<Document, 'querySelector'> {
  return { querySelector: (() => element) as Document['querySelector'] };
}

describe('styleNonce', () => {
  it('reads the nonce property, which browsers keep after hiding the attribute', () => {
    expect(styleNonce(docWith({ nonce: '12345', getAttribute: () => '' }))).toBe('12345');
  });

  it('falls back to the attribute', () => {
    expect(styleNonce(docWith({ nonce: '', getAttribute: () => '678' }))).toBe('678');
  });

  it('answers nothing for a page without a nonce', () => {
    expect(styleNonce(docWith(null))).toBeUndefined();
    expect(styleNonce(docWith({ nonce: '', getAttribute: () => null }))).toBeUndefined();
  });
});

describe('watchCspViolations', () => {
  it('records each refusal with its directive, blocked resource and sample', () => {
    const target = new EventTarget();
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const seen = watchCspViolations(target);
    expect(seen).toEqual([]);
    const event = Object.assign(new Event('securitypolicyviolation'), {
      effectiveDirective: 'style-src-elem',
      violatedDirective: 'style-src',
      blockedURI: 'inline',
      sample: '.x{color:red}',
    });
    target.dispatchEvent(event);
    expect(seen).toEqual([{ directive: 'style-src-elem', blocked: 'inline', sample: '.x{color:red}' }]);
    expect(error).toHaveBeenCalledOnce();
    error.mockRestore();
  });
});
