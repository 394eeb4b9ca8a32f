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
import type { PreviewOutcome } from '../../bindings/PreviewOutcome';
import type { RowPreviewView } from '../../bindings/RowPreviewView';
import {
  formatValue,
  previewColumns,
  previewDropped,
  previewError,
  previewKind,
  previewRow,
  previewSummary,
  previewsBySide,
  sampleLabel,
  type PreviewKind,
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
  sample: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, padding: tokens.spacingHorizontalM, flexShrink: 0 },
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
 * and under the draft, side by side: the columns the draft changes highlighted, rows a filter
 * or the company scope leaves out shown as dropped with the reason, failed rows with their error.
 */
export function PreviewTab({ draft, saved }: MapPanelProps) {
  const styles = useStyles();
  const draftText = JSON.stringify(draft);
  const hasEdit = draftText !== JSON.stringify(saved);
  const [limit, setLimit] = useState(DEFAULT_LIMIT);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<{ of: 'edit' | 'saved'; draft: string; previews: RowPreviewView[] } | null>(null);
  const [onlyChanged, setOnlyChanged] = useState(hasEdit);

  const run = async () => {
    setRunning(true);
    setError(null);
    try {
      setResult({ of: hasEdit ? 'edit' : 'saved', draft: draftText, previews: await backend.previewMap(draft, limit) });
    } catch (e) {
      setResult(null);
      setError(toApiError(e));
    } finally {
      setRunning(false);
    }
  };

  const grouped = result ? previewsBySide(result.previews) : null;
  const editLabel = result?.of === 'edit' ? 'Under the edit' : 'Under the saved map';

  return (
    <>
      <div className={styles.toolbar}>
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
          {running ? 'Reading rows…' : hasEdit ? 'Preview the edit' : 'Preview the saved map'}
        </Button>
        <Switch
          checked={onlyChanged}
          onChange={(_, data) => setOnlyChanged(data.checked)}
          label="Only columns the edit changes"
          data-testid="preview-only-changed"
        />
      </div>
      {!hasEdit ? (
        <Caption1 className={styles.muted}>There is no unsaved edit: the preview shows what the saved map writes.</Caption1>
      ) : null}
      {result && result.draft !== draftText && !running ? (
        <Caption1 className={styles.muted} data-testid="preview-stale">
          The map changed since this preview: run it again to see the change.
        </Caption1>
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
                <SampleCard key={index} preview={preview} onlyChanged={onlyChanged} label={sampleLabel(preview, draft, index)} editLabel={editLabel} />
              ))}
            </div>
          ))}
        </div>
      ) : null}
      {!result && !running && !error ? (
        <Body1 className={styles.muted}>Run the preview to read up to {limit} live rows from each side of {draft.title}.</Body1>
      ) : null}
    </>
  );
}

const KIND_BADGES: Record<Exclude<PreviewKind, 'changed'>, { color: 'informative' | 'danger'; text: string }> = {
  dropped: { color: 'informative', text: 'not synced' },
  failed: { color: 'danger', text: 'cannot be written' },
  same: { color: 'informative', text: 'no change' },
};

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
  const kind = previewKind(preview);
  const saved = previewRow(preview.saved);
  const edited = previewRow(preview.edited);
  const columns = previewColumns(preview).filter((c) => !onlyChanged || preview.changedFields.includes(c));
  // Without an edit both outcomes are one and the same, so the row says it once.
  const compared = editLabel !== 'Under the saved map' && preview.saved !== null;
  const outcomes = compared
    ? [
        { title: 'Under the saved map', outcome: preview.saved },
        { title: editLabel, outcome: preview.edited },
      ]
    : [{ title: editLabel, outcome: preview.edited }];
  const notWritten = (outcome: PreviewOutcome | null) => (previewDropped(outcome) !== null ? 'not synced' : previewError(outcome) !== null ? 'fails' : 'not written');
  return (
    <Card className={styles.sample} data-testid="preview-sample" data-kind={kind}>
      <div className={styles.sampleHeader}>
        <span className={styles.key} title={JSON.stringify(preview.source)} data-testid="preview-sample-key">
          {label}
        </span>
        {kind === 'changed' ? (
          <Badge appearance="filled" color="warning" data-testid="preview-changed-count">
            {preview.changedFields.length} changed {preview.changedFields.length === 1 ? 'column' : 'columns'}
          </Badge>
        ) : (
          <Badge appearance={kind === 'same' ? 'outline' : 'tint'} color={KIND_BADGES[kind].color} data-testid="preview-kind">
            {KIND_BADGES[kind].text}
          </Badge>
        )}
      </div>
      {outcomes.map(({ title, outcome }) => {
        const dropped = previewDropped(outcome);
        const message = previewError(outcome);
        if (dropped !== null) {
          return (
            <MessageBar key={title} intent="info" layout="multiline" data-testid="preview-row-dropped">
              <MessageBarBody>
                <MessageBarTitle>{title}, this row is not synced:</MessageBarTitle>
                {dropped}
              </MessageBarBody>
            </MessageBar>
          );
        }
        return message !== null ? (
          <MessageBar key={title} intent="error" layout="multiline" data-testid="preview-row-error">
            <MessageBarBody>
              <MessageBarTitle>{title}, this row cannot be written:</MessageBarTitle>
              {message}
            </MessageBarBody>
          </MessageBar>
        ) : null;
      })}
      {columns.length === 0 && kind === 'same' ? <Caption1 className={styles.muted}>Written the same under the saved map and the edit.</Caption1> : null}
      {columns.length > 0 ? (
        <Table size="extra-small" className={styles.table} aria-label={`Preview of ${label}`}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell className={styles.columnCol}>Target column</TableHeaderCell>
              {compared ? <TableHeaderCell>Under the saved map</TableHeaderCell> : null}
              <TableHeaderCell>{preview.saved === null ? `${editLabel} (none saved yet)` : editLabel}</TableHeaderCell>
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
                  {compared ? (
                    <TableCell>
                      <span className={mergeClasses(styles.mono, !saved || !(column in saved) ? styles.muted : undefined)}>
                        {saved && column in saved ? cellValue(saved[column]) : notWritten(preview.saved)}
                      </span>
                    </TableCell>
                  ) : null}
                  <TableCell>
                    <span className={mergeClasses(styles.mono, changed && styles.changedValue, !edited || !(column in edited) ? styles.muted : undefined)}>
                      {edited && column in edited ? cellValue(edited[column]) : notWritten(preview.edited)}
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
