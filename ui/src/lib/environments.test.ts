import { describe, expect, it } from 'vitest';
import { confirmationMatches, environmentDraft, fieldOfError, healthSummary, sameCompanies } from './environments';

const invalid = (message: string) => ({ code: 'invalid_environment', message });

describe('fieldOfError', () => {
  it('points each backend message at its field', () => {
    expect(fieldOfError(invalid('Give the environment a name.'))).toBe('name');
    expect(fieldOfError(invalid("'x' is not a URL (relative URL without a base); enter it as https://..."))).toBe('url');
    expect(fieldOfError(invalid("'http://a.b' is not encrypted; cloud environments are reached over https://."))).toBe('url');
    expect(fieldOfError(invalid('Enter the Entra ID tenant (its id or domain) the app registration belongs to.'))).toBe('tenant');
    expect(fieldOfError(invalid('Enter the application (client) id of the app registration.'))).toBe('clientId');
    expect(fieldOfError(invalid('Enter the client secret of the app registration.'))).toBe('clientSecret');
  });
  it('puts a duplicate URL under the URL and leaves other errors to the form', () => {
    expect(fieldOfError({ code: 'conflict', message: "https://a is already added as 'A'" })).toBe('url');
    expect(fieldOfError({ code: 'conflict', message: 'something else' })).toBeNull();
    expect(fieldOfError({ code: 'keyring', message: 'Enter the client secret' })).toBeNull();
  });
});

describe('healthSummary', () => {
  const check = (status: 'healthy' | 'unhealthy') => ({ code: 'DUET-H001', status, message: '', checkedAt: '' });
  it('counts checks that are not healthy', () => {
    expect(healthSummary([check('healthy'), check('healthy')])).toEqual({ ok: true, text: 'All 2 checks are healthy.' });
    expect(healthSummary([check('healthy'), check('unhealthy')])).toEqual({ ok: false, text: '1 of 2 checks are not healthy.' });
    expect(healthSummary([]).ok).toBe(false);
  });
});

describe('sameCompanies', () => {
  it('ignores order and case', () => {
    expect(sameCompanies(['USMF', 'dat'], ['DAT', 'USMF'])).toBe(true);
    expect(sameCompanies(['DAT'], ['DAT', 'USMF'])).toBe(false);
  });
});

describe('confirmationMatches', () => {
  it('needs the exact name, surrounding spaces aside', () => {
    expect(confirmationMatches('  Contoso ', 'Contoso')).toBe(true);
    expect(confirmationMatches('contoso', 'Contoso')).toBe(false);
    expect(confirmationMatches('', '')).toBe(false);
  });
});

describe('environmentDraft', () => {
  it('fills the edit form from the stored environment, without a secret', () => {
    expect(
      environmentDraft({
        id: 3,
        kind: 'dataverse',
        name: 'Contoso CRM',
        url: 'https://contoso.crm.dynamics.com',
        tokenUrl: 'https://login.example/token',
        tenant: 'contoso.onmicrosoft.com',
        clientId: 'abc',
        sandbox: true,
        addedAt: '2026-01-01T00:00:00Z',
        linked: true,
        health: [],
      }),
    ).toEqual({
      kind: 'dataverse',
      name: 'Contoso CRM',
      url: 'https://contoso.crm.dynamics.com',
      tokenUrl: 'https://login.example/token',
      tenant: 'contoso.onmicrosoft.com',
      clientId: 'abc',
      clientSecret: '',
      sandbox: true,
    });
  });
});
