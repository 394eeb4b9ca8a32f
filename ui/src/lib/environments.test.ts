import { describe, expect, it } from 'vitest';
import {
  confirmationMatches,
  environmentDraft,
  environmentToSave,
  fieldOfError,
  healthSummary,
  sameCompanies,
} from './environments';

const invalid = (message: string) => ({ code: 'invalid_environment', message });

describe('fieldOfError', () => {
  it('points each backend message at its field', () => {
    expect(fieldOfError(invalid('Give the environment a name.'))).toBe('name');
    expect(
      fieldOfError(invalid('The certificate authority is not a PEM certificate (it holds none): give the PEM file…')),
    ).toBe('caCertificate');
    expect(fieldOfError(invalid('Only a sandbox environment can bring its own certificate authority; …'))).toBe(
      'caCertificate',
    );
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
        ownCertificateAuthority: false,
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

describe('environmentToSave', () => {
  const base = {
    kind: 'dataverse' as const,
    name: 'S',
    url: 'https://127.0.0.1:1',
    tokenUrl: '',
    tenant: 't',
    clientId: 'c',
    clientSecret: 's',
    sandbox: true,
  };
  it('sends a sandbox its certificate authority, trimmed', () => {
    expect(environmentToSave({ ...base, caCertificate: '  -----BEGIN CERTIFICATE-----\n ' }).caCertificate).toBe(
      '-----BEGIN CERTIFICATE-----',
    );
  });
  it('sends none for a cloud environment or an empty field, so an edited sandbox keeps its own', () => {
    expect('caCertificate' in environmentToSave({ ...base, sandbox: false, caCertificate: 'x' })).toBe(false);
    expect('caCertificate' in environmentToSave({ ...base, caCertificate: '   ' })).toBe(false);
  });
});
