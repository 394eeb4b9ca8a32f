import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  Spinner,
  Switch,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { EnvironmentView } from '../../bindings/EnvironmentView';
import type { NewEnvironment } from '../../bindings/NewEnvironment';
import {
  emptyEnvironment,
  environmentDraft,
  environmentToSave,
  fieldOfError,
  type EnvironmentField,
} from '../../lib/environments';

const useStyles = makeStyles({
  surface: { maxWidth: '640px', width: '100%' },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  row: {
    display: 'grid',
    gridTemplateColumns: 'repeat(2, minmax(0, 1fr))',
    gap: tokens.spacingHorizontalM,
  },
});

const URL_HINT: Record<NewEnvironment['kind'], string> = {
  financeOperations: 'https://contoso.operations.dynamics.com',
  dataverse: 'https://contoso.crm.dynamics.com',
};

/**
 * Registers a finance and operations or Dataverse environment, or with `editing` changes a
 * stored one (its kind stays; the secret is never read back: left empty it is kept, a new one
 * rotates it). The backend checks what was typed.
 */
export function AddEnvironmentDialog({
  open,
  onClose,
  onAdded,
  editing,
}: {
  open: boolean;
  onClose: () => void;
  onAdded: (environment: EnvironmentView) => void;
  editing?: EnvironmentView;
}) {
  const styles = useStyles();
  const initial = () => (editing ? environmentDraft(editing) : emptyEnvironment());
  const [form, setForm] = useState<NewEnvironment>(initial);
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);

  const field = error ? fieldOfError(error) : null;
  const fieldError = (name: EnvironmentField) => (field === name && error ? error.message : undefined);
  const set = <K extends keyof NewEnvironment>(key: K, value: NewEnvironment[K]) => {
    setForm((current) => ({ ...current, [key]: value }));
    // The message was about this field: once it is edited, the message no longer applies.
    if (field !== null && field === key) setError(null);
  };

  const close = () => {
    setForm(initial());
    setError(null);
    onClose();
  };

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setSaving(true);
    try {
      const toSave = environmentToSave(form);
      const added = editing
        ? await backend.updateEnvironment(editing.id, toSave)
        : await backend.addEnvironment(toSave);
      setForm(initial());
      setError(null);
      onAdded(added);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog open={open} onOpenChange={(_, data) => (data.open ? undefined : close())} modalType="modal">
      <DialogSurface className={styles.surface} data-testid={editing ? 'edit-environment-dialog' : 'add-environment-dialog'}>
        <form noValidate onSubmit={(e) => void submit(e)}>
          <DialogBody>
            <DialogTitle>{editing ? `Edit ‘${editing.name}’` : 'Add environment'}</DialogTitle>
            <DialogContent className={styles.form}>
              {error && field === null ? (
                <MessageBar intent="error" layout="multiline" data-testid="add-environment-error">
                  <MessageBarBody>
                    <MessageBarTitle>{editing ? 'Cannot save the environment' : 'Cannot add the environment'}</MessageBarTitle>
                    {error.message}
                  </MessageBarBody>
                </MessageBar>
              ) : null}
              <Field label="Kind" required>
                <RadioGroup
                  layout="horizontal"
                  disabled={!!editing}
                  value={form.kind}
                  onChange={(_, data) => set('kind', data.value as NewEnvironment['kind'])}
                  data-testid="env-kind"
                >
                  <Radio value="financeOperations" label="Finance and operations" data-testid="env-kind-financeOperations" />
                  <Radio value="dataverse" label="Dataverse" data-testid="env-kind-dataverse" />
                </RadioGroup>
              </Field>
              <Field label="Name" required validationMessage={fieldError('name')} data-testid="field-name">
                <Input
                  value={form.name}
                  onChange={(_, d) => set('name', d.value)}
                  placeholder="Contoso production"
                  data-testid="env-name-input"
                />
              </Field>
              <Field
                label="Environment URL"
                required
                validationMessage={fieldError('url')}
                hint={fieldError('url') ? undefined : `For example ${URL_HINT[form.kind]}`}
                data-testid="field-url"
              >
                <Input
                  type="url"
                  value={form.url}
                  onChange={(_, d) => set('url', d.value)}
                  placeholder={URL_HINT[form.kind]}
                  data-testid="env-url-input"
                />
              </Field>
              <div className={styles.row}>
                <Field label="Tenant" required validationMessage={fieldError('tenant')} data-testid="field-tenant">
                  <Input
                    value={form.tenant}
                    onChange={(_, d) => set('tenant', d.value)}
                    placeholder="contoso.onmicrosoft.com"
                    data-testid="env-tenant-input"
                  />
                </Field>
                <Field label="Client ID" required validationMessage={fieldError('clientId')} data-testid="field-client-id">
                  <Input
                    value={form.clientId}
                    onChange={(_, d) => set('clientId', d.value)}
                    placeholder="00000000-0000-0000-0000-000000000000"
                    data-testid="env-client-id-input"
                  />
                </Field>
              </div>
              <Field
                label="Client secret"
                required={!editing}
                validationMessage={fieldError('clientSecret')}
                hint={
                  editing
                    ? 'Leave it empty to keep the stored secret; enter a new one to rotate it (it replaces the one in the keyring). A new client id needs its own secret.'
                    : "Stored in the operating system's keyring, never shown again."
                }
                data-testid="field-client-secret"
              >
                <Input
                  type="password"
                  autoComplete="new-password"
                  value={form.clientSecret}
                  onChange={(_, d) => set('clientSecret', d.value)}
                  data-testid="env-secret-input"
                />
              </Field>
              <Field
                label="Token URL"
                validationMessage={fieldError('tokenUrl')}
                hint="Optional. Leave empty for the Entra ID endpoint of the tenant."
                data-testid="field-token-url"
              >
                <Input
                  type="url"
                  value={form.tokenUrl}
                  onChange={(_, d) => set('tokenUrl', d.value)}
                  placeholder="https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token"
                  data-testid="env-token-url-input"
                />
              </Field>
              <Switch
                checked={form.sandbox}
                onChange={(_, d) => set('sandbox', d.checked)}
                label="Sandbox or test environment"
                data-testid="env-sandbox-switch"
              />
              {form.sandbox ? (
                <CertificateAuthorityField
                  value={form.caCertificate ?? ''}
                  onChange={(pem) => set('caCertificate', pem)}
                  kept={!!editing?.ownCertificateAuthority}
                  error={fieldError('caCertificate')}
                />
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={close} disabled={saving}>
                Cancel
              </Button>
              <Button
                appearance="primary"
                type="submit"
                disabled={saving}
                icon={saving ? <Spinner size="tiny" /> : undefined}
                data-testid={editing ? 'edit-environment-submit' : 'add-environment-submit'}
              >
                {editing ? (saving ? 'Saving…' : 'Save changes') : saving ? 'Adding…' : 'Add environment'}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

/**
 * A sandbox's certificate authority: the PEM file `duet sandbox up` printed as DUET_CA_FILE,
 * chosen from disk or pasted. Duet trusts it for this environment alone.
 */
function CertificateAuthorityField({
  value,
  onChange,
  kept,
  error,
}: {
  value: string;
  onChange: (pem: string) => void;
  kept: boolean;
  error?: string;
}) {
  const styles = useStyles();
  const pick = async (file: File | undefined) => {
    if (file) onChange(await file.text());
  };
  const hint = kept
    ? 'Leave it empty to keep the authority stored for this sandbox; choose a file to replace it.'
    : 'Optional. The file DUET_CA_FILE names when the sandbox serves HTTPS; trusted for this environment only.';
  return (
    <Field label="Certificate authority (PEM)" validationMessage={error} hint={error ? undefined : hint} data-testid="field-ca">
      <div className={styles.stack}>
        <input
        type="file"
        accept=".pem,.crt,.cer"
        aria-label="Certificate authority file"
        onChange={(event) => void pick(event.target.files?.[0])}
        data-testid="env-ca-file"
      />
      <Textarea
        value={value}
        onChange={(_, d) => onChange(d.value)}
        placeholder="-----BEGIN CERTIFICATE-----"
        resize="vertical"
        rows={3}
        data-testid="env-ca-input"
      />
      </div>
    </Field>
  );
}
