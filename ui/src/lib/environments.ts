import type { ApiError } from '../bindings/ApiError';
import type { EnvironmentView } from '../bindings/EnvironmentView';
import type { HealthCheck } from '../bindings/HealthCheck';
import type { NewEnvironment } from '../bindings/NewEnvironment';

/** The fields of the add-environment form that a backend message can point at. */
export type EnvironmentField = 'name' | 'url' | 'tenant' | 'clientId' | 'clientSecret' | 'tokenUrl' | 'caCertificate';

/**
 * Which form field a rejected add/update is about, read from the backend's message, so the
 * message can sit under that field. `null` when it is about the environment as a whole.
 */
export function fieldOfError(error: ApiError): EnvironmentField | null {
  if (error.code !== 'invalid_environment' && error.code !== 'conflict') return null;
  const m = error.message.toLowerCase();
  if (error.code === 'conflict') return m.includes('already added') ? 'url' : null;
  if (m.includes('certificate authority')) return 'caCertificate';
  if (m.includes('client secret')) return 'clientSecret';
  if (m.includes('client) id') || m.includes('client id')) return 'clientId';
  if (m.includes('tenant')) return 'tenant';
  if (m.includes('token')) return 'tokenUrl';
  if (m.includes('name')) return 'name';
  if (m.includes('url') || m.includes('https') || m.includes('address') || m.includes('encrypted')) return 'url';
  return null;
}

export function emptyEnvironment(kind: NewEnvironment['kind'] = 'dataverse'): NewEnvironment {
  return { kind, name: '', url: '', tokenUrl: '', tenant: '', clientId: '', clientSecret: '', sandbox: false };
}

/** A one-line verdict over a set of checks, for toasts and summaries. */
export function healthSummary(checks: HealthCheck[]): { ok: boolean; text: string } {
  const bad = checks.filter((c) => c.status !== 'healthy').length;
  if (checks.length === 0) return { ok: false, text: 'No checks ran.' };
  if (bad === 0) return { ok: true, text: `All ${checks.length} checks are healthy.` };
  return { ok: false, text: `${bad} of ${checks.length} checks are not healthy.` };
}

/** The legal entity codes in a fixed order, so the saved selection can be compared to the link. */
export function sameCompanies(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].map((c) => c.toUpperCase()).sort();
  const y = [...b].map((c) => c.toUpperCase()).sort();
  return x.length === y.length && x.every((c, i) => c === y[i]);
}

/** The reset button is enabled only when the typed text is the plan's confirmation, as the backend compares it. */
export function confirmationMatches(typed: string, confirmation: string): boolean {
  return confirmation.length > 0 && typed.trim() === confirmation;
}

/**
 * The edit form of a stored environment: its details as stored, and an empty client secret
 * (the secret is never sent back; sent empty, the backend keeps the stored one).
 */
export function environmentDraft(view: EnvironmentView): NewEnvironment {
  return {
    kind: view.kind,
    name: view.name,
    url: view.url,
    tokenUrl: view.tokenUrl,
    tenant: view.tenant,
    clientId: view.clientId,
    clientSecret: '',
    sandbox: view.sandbox,
  };
}

/**
 * What the form sends: a certificate authority only for a sandbox (a cloud environment is
 * checked against the system's), and none when left empty (an edited sandbox keeps its own).
 */
export function environmentToSave(form: NewEnvironment): NewEnvironment {
  const pem = form.caCertificate?.trim();
  const toSave: NewEnvironment = { ...form };
  delete toSave.caCertificate;
  return form.sandbox && pem ? { ...toSave, caCertificate: pem } : toSave;
}
