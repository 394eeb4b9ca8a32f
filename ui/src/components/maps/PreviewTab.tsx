import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  Field,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  SpinButton,
  Spinner,
  Switch,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { Play16Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { RowPreviewView } from '../../bindings/RowPreviewView';
import { isDirty } from '../../lib/mapDraft';
import {
  formatValue,
  previewColumns,
  previewSummary,
  previewError,
  previewRow,
  previewsBySide,
  sampleLabel,
} from '../../lib/mapsAlm';
import { ErrorBar } from '../ErrorBar';
import type { MapPanelProps } from './mapPanel';

const DEFAULT_LIMIT = 3;
const MAX_LIMIT = 50;

const SIDES = [
  { side: 'financeOperations', title: 'Rows read from finance and operations', target: 'what Dataverse receives' },
  { side: 'dataverse', title: 'Rows read from Dataverse', target: 'what finance and operations receives' },
] as const;

const useStyles = makeStyles({
  toolbar: { display: 'flex', alignItems: 'flex-end', gap: tokens.spacingHorizontalL, flexWrap: 'wrap' },
  limit: { width: '90px' },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  sample: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, padding: tokens.spacingHorizontalM },
  sampleHeader: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  key: { fontFamily: tokens.fontFamilyMonospace, fontWeight: tokens.fontWeightSemibold },
  table: { tableLayout: 'auto' },
  columnCol: { width: '30%' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3 },
  changedRow: {
    backgroundColor: tokens.colorPaletteYellowBackground2,
    ':hover': { backgroundColor: tokens.colorPaletteYellowBackground2 },
  },
  changedValue: { fontWeight: tokens.fontWeightSemibold },
  result: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
});

/**
 * Live sample rows of both sides and what the other side would receive under the saved map
 * and under the unsaved edit (or the saved map again), with the columns the edit changes
 * highlighted.
 */
export function PreviewTab({ draft, saved }: MapPanelProps) {
  const styles = useStyles();
  const hasEdit = isDirty(saved, draft);
  const [which, setWhich] = useState<'edit' | 'saved'>(hasEdit ? 'edit' : 'saved');
  const [limit, setLimit] = useState(DEFAULT_LIMIT);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<{ of: 'edit' | 'saved'; previews: RowPreviewView[] } | null>(null);
  const [onlyChanged, setOnlyChanged] = useState(hasEdit);
  const previewOf = hasEdit ? which : 'saved';

  const run = async () => {
    setRunning(true);
    setError(null);
    try {
      const candidate = previewOf === 'edit' ? draft : saved;
      setResult({ of: previewOf, previews: await backend.previewMap(candidate, limit) });
    } catch (e) {
      setResult(null);
      setError(toApiError(e));
    } finally {
      setRunning(false);
    }
  };

  const grouped = result ? previewsBySide(result.previews) : null;

  return (
    <>
      <div className={styles.toolbar}>
        <Field label="Preview">
          <RadioGroup layout="horizontal" value={previewOf} onChange={(_, data) => setWhich(data.value === 'edit' ? 'edit' : 'saved')}>
            <Radio value="edit" label="The unsaved edit" disabled={!hasEdit} data-testid="preview-of-edit" />
            <Radio value="saved" label="The saved map" data-testid="preview-of-saved" />
          </RadioGroup>
        </Field>
        <Field label="Rows per side">
          <SpinButton
            className={styles.limit}
            min={1}
            max={MAX_LIMIT}
            value={limit}
            onChange={(_, data) => {
              const next = data.value ?? Number(data.displayValue);
              if (Number.isFinite(next)) setLimit(Math.min(MAX_LIMIT, Math.max(1, Math.round(next))));
            }}
            data-testid="preview-limit"
          />
        </Field>
        <Button appearance="primary" icon={<Play16Regular />} disabled={running} onClick={() => void run()} data-testid="preview-run">
          {running ? 'Reading rows…' : 'Run preview'}
        </Button>
        <Switch
          checked={onlyChanged}
          onChange={(_, data) => setOnlyChanged(data.checked)}
          label="Only columns the edit changes"
          data-testid="preview-only-changed"
        />
      </div>
      {!hasEdit ? (
        <Caption1 className={styles.muted}>There is no unsaved edit: change fields on the Fields tab to preview their effect.</Caption1>
      ) : null}
      {error ? <ErrorBar title="Cannot preview the map" error={error} onRetry={() => void run()} /> : null}
      {running ? <Spinner size="small" label="Reading live rows from both sides…" /> : null}
      {grouped && result ? (
        <div className={styles.result} data-testid="preview-result" data-of={result.of}>
          <Body1 data-testid="preview-summary">{previewSummary(result.previews)}</Body1>
          {SIDES.map(({ side, title, target }) => (
            <div key={side} className={styles.section} data-testid={`preview-side-${side}`}>
              <Subtitle2>
                {title}: {target}
              </Subtitle2>
              {grouped[side].length === 0 ? <Body1 className={styles.muted}>No rows were read from this side.</Body1> : null}
              {grouped[side].map((preview, index) => (
                <SampleCard
                  key={index}
                  preview={preview}
                  onlyChanged={onlyChanged}
                  label={sampleLabel(preview, saved, index)}
                  editLabel={result.of === 'edit' ? 'Under the edit' : 'Under the saved map'}
                />
              ))}
            </div>
          ))}
        </div>
      ) : null}
      {!result && !running && !error ? (
        <Body1 className={styles.muted}>Run the preview to read up to {limit} live rows from each side of {saved.title}.</Body1>
      ) : null}
    </>
  );
}

function SampleCard({
  preview,
  label,
  editLabel,
  onlyChanged,
}: {
  preview: RowPreviewView;
  label: string;
  editLabel: string;
  onlyChanged: boolean;
}) {
  const styles = useStyles();
  const saved = previewRow(preview.saved);
  const edited = previewRow(preview.edited);
  const savedError = previewError(preview.saved);
  const editedError = previewError(preview.edited);
  const columns = previewColumns(preview).filter((c) => !onlyChanged || preview.changedFields.includes(c));
  return (
    <Card className={styles.sample} data-testid="preview-sample">
      <div className={styles.sampleHeader}>
        <span className={styles.key} title={JSON.stringify(preview.source)} data-testid="preview-sample-key">
          {label}
        </span>
        {preview.changedFields.length > 0 ? (
          <Badge appearance="filled" color="warning" data-testid="preview-changed-count">
            {preview.changedFields.length} changed {preview.changedFields.length === 1 ? 'column' : 'columns'}
          </Badge>
        ) : (
          <Badge appearance="outline" color="informative">
            no change
          </Badge>
        )}
      </div>
      {[
        { title: 'Under the saved map', message: savedError },
        { title: editLabel, message: editedError },
      ].map(({ title, message }) =>
        message ? (
          <MessageBar key={title} intent="error" layout="multiline" data-testid="preview-row-error">
            <MessageBarBody>
              <MessageBarTitle>{title}, this row cannot be written</MessageBarTitle>
              {message}
            </MessageBarBody>
          </MessageBar>
        ) : null,
      )}
      {columns.length === 0 && !savedError && !editedError ? (
        <Caption1 className={styles.muted}>Written the same under the saved map and the edit.</Caption1>
      ) : null}
      {columns.length > 0 ? (
        <Table size="extra-small" className={styles.table} aria-label={`Preview of ${label}`}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell className={styles.columnCol}>Target column</TableHeaderCell>
              <TableHeaderCell>{preview.saved === null ? 'Under the saved map (none saved)' : 'Under the saved map'}</TableHeaderCell>
              <TableHeaderCell>{editLabel}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {columns.map((column) => {
              const changed = preview.changedFields.includes(column);
              return (
                <TableRow
                  key={column}
                  className={mergeClasses(changed && styles.changedRow)}
                  data-testid={`preview-column-${column}`}
                  data-changed={changed ? 'true' : 'false'}
                >
                  <TableCell>
                    <span className={styles.mono}>{column}</span>
                  </TableCell>
                  <TableCell>
                    <span className={mergeClasses(styles.mono, !saved || !(column in saved) ? styles.muted : undefined)}>
                      {saved && column in saved ? cellValue(saved[column]) : 'not written'}
                    </span>
                  </TableCell>
                  <TableCell>
                    <span className={mergeClasses(styles.mono, changed && styles.changedValue, !edited || !(column in edited) ? styles.muted : undefined)}>
                      {edited && column in edited ? cellValue(edited[column]) : 'not written'}
                    </span>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      ) : null}
    </Card>
  );
}

/** An empty text is written too; show it rather than a blank cell. */
function cellValue(value: unknown): string {
  return value === '' ? '(empty)' : formatValue(value);
}
