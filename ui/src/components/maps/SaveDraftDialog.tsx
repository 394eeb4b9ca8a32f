import {
  Body1,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { SavedMap } from '../../bindings/SavedMap';
import type { TableMap } from '../../bindings/TableMap';
import type { ValidationView } from '../../bindings/ValidationView';
import { draftChanges } from '../../lib/mapDraft';
import { ErrorBar } from '../ErrorBar';
import { ProblemList } from './ProblemList';

const useStyles = makeStyles({
  surface: { maxWidth: '820px', width: '90vw' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  list: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXL, fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
});

/**
 * Asks for a note and saves the draft as the map's next version. A running map only takes a
 * definition without errors; that refusal is shown here with the errors to fix.
 */
export function SaveDraftDialog({
  saved,
  draft,
  validation,
  onSaved,
  onClose,
}: {
  saved: TableMap;
  draft: TableMap;
  validation: ValidationView | null;
  onSaved: (result: SavedMap) => void;
  onClose: () => void;
}) {
  const styles = useStyles();
  const [note, setNote] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const changes = draftChanges(saved, draft);
  const errors = (validation?.problems ?? []).filter((p) => p.severity === 'error');

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      onSaved(await backend.saveMap(draft, note));
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : onClose())}>
      <DialogSurface className={styles.surface} data-testid="save-dialog">
        <DialogBody>
          <DialogTitle>Save {draft.title} as a new version</DialogTitle>
          <DialogContent className={styles.content}>
            <Body1>This edit changes:</Body1>
            <ul className={styles.list} data-testid="save-summary">
              {changes.lines.map((line, i) => (
                <li key={`${line}-${i}`}>{line}</li>
              ))}
            </ul>
            {errors.length > 0 && !error ? (
              <MessageBar intent="warning" layout="multiline" data-testid="save-has-errors">
                <MessageBarBody>
                  <MessageBarTitle>The edit has {errors.length} {errors.length === 1 ? 'error' : 'errors'}</MessageBarTitle>
                  A stopped map saves it as work in progress; a running map refuses it.
                </MessageBarBody>
              </MessageBar>
            ) : null}
            {error?.code === 'validation_failed' ? (
              <MessageBar intent="error" layout="multiline" data-testid="save-refused">
                <MessageBarBody>
                  <MessageBarTitle>Not saved</MessageBarTitle>
                  {error.message}
                  {errors.length > 0 ? <ProblemList problems={errors} label="Errors to fix before saving" /> : null}
                </MessageBarBody>
              </MessageBar>
            ) : null}
            {error && error.code !== 'validation_failed' ? <ErrorBar title={`Cannot save ${draft.title}`} error={error} /> : null}
            <Field label="Note" hint="Shown in the version history: why the map changed.">
              <Textarea value={note} onChange={(_, data) => setNote(data.value)} resize="vertical" data-testid="save-note" />
            </Field>
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onClose} data-testid="save-cancel">
              Cancel
            </Button>
            <Button appearance="primary" disabled={saving} onClick={() => void save()} data-testid="save-confirm">
              {saving ? 'Saving…' : 'Save version'}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
