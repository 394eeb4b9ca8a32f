import { Badge, Body1, Button, Caption1, makeStyles, tokens } from '@fluentui/react-components';
import { Copy16Regular, Lightbulb16Regular } from '@fluentui/react-icons';
import type { ReactNode } from 'react';
import type { ActivityEntry } from '../bindings/ActivityEntry';
import { formatJson, parseFailure, splitPayload } from '../lib/entryDetail';
import { formatCount, formatDateTime } from '../lib/format';
import { directionLabel } from '../lib/labels';
import { Dash, KeyText } from './ChangeTable';
import { useNotify } from './notify';

const useStyles = makeStyles({
  panel: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    paddingBlock: tokens.spacingVerticalS,
    paddingInline: tokens.spacingHorizontalS,
    // The panel sits in a table cell: wrap instead of widening the table.
    whiteSpace: 'normal',
    cursor: 'auto',
  },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXXS,
    margin: 0,
  },
  label: { color: tokens.colorNeutralForeground3, margin: 0 },
  value: { margin: 0, overflowWrap: 'anywhere' },
  failure: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  status: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  request: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  error: { color: tokens.colorPaletteRedForeground1, overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' },
  message: { overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' },
  solution: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: tokens.spacingHorizontalS,
    padding: tokens.spacingHorizontalS,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  solutionIcon: { color: tokens.colorBrandForeground1, flexShrink: 0, marginTop: '2px' },
  blocks: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap', alignItems: 'flex-start' },
  block: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, flex: '1 1 360px', minWidth: 0 },
  blockHeader: { display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: tokens.spacingHorizontalS },
  muted: { color: tokens.colorNeutralForeground3 },
  json: {
    margin: 0,
    padding: tokens.spacingHorizontalM,
    maxHeight: '320px',
    overflow: 'auto',
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
  },
});

/** A labelled value in the panel's fact list. */
export interface DetailFact {
  label: string;
  value: ReactNode;
  testId?: string;
}

/** A JSON value shown formatted with a Copy button. */
export interface DetailJson {
  label: string;
  /** undefined shows `missing` instead of a block. */
  value: unknown;
  testId: string;
  missing?: string;
  missingTestId?: string;
}

/**
 * What a row carries beyond its cells: the facts (direction, key, attempts…),
 * the full message (split into remote status, error and the written solution
 * when it is a failure) and JSON values with a Copy button each.
 */
export function ChangeDetail({
  testId,
  facts,
  message,
  failure = false,
  json = [],
}: {
  testId?: string;
  facts: readonly DetailFact[];
  message?: string | null;
  /** Read `message` as the engine's failure wording. */
  failure?: boolean;
  json?: readonly DetailJson[];
}) {
  const styles = useStyles();
  return (
    <div className={styles.panel} data-testid={testId}>
      <dl className={styles.facts}>
        {facts.map((fact) => (
          <FactRow key={fact.label} fact={fact} />
        ))}
      </dl>
      {message ? failure ? <FailureMessage message={message} /> : <Body1 className={styles.message} data-testid="detail-message">{message}</Body1> : null}
      {json.length > 0 ? (
        <div className={styles.blocks}>
          {json.map((block) => (
            <JsonBlock key={block.testId} block={block} />
          ))}
        </div>
      ) : null}
    </div>
  );
}

function FactRow({ fact }: { fact: DetailFact }) {
  const styles = useStyles();
  return (
    <>
      <dt className={styles.label}>
        <Caption1>{fact.label}</Caption1>
      </dt>
      <dd className={styles.value} data-testid={fact.testId}>
        {fact.value}
      </dd>
    </>
  );
}

function FailureMessage({ message }: { message: string }) {
  const styles = useStyles();
  const failure = parseFailure(message);
  return (
    <div className={styles.failure} data-testid="detail-failure">
      {failure.status || failure.request ? (
        <div className={styles.status}>
          {failure.status ? (
            <Badge appearance="tint" color="danger" data-testid="detail-remote-status">
              Remote status {failure.status}
            </Badge>
          ) : null}
          {failure.request ? <span className={styles.request}>{failure.request}</span> : null}
        </div>
      ) : null}
      <Body1 className={styles.error} data-testid="detail-error">
        {failure.error}
      </Body1>
      {failure.solution ? (
        <div className={styles.solution} data-testid="detail-solution">
          <Lightbulb16Regular className={styles.solutionIcon} aria-hidden />
          <Body1>{failure.solution}</Body1>
        </div>
      ) : null}
    </div>
  );
}

/** Copies text, with the older selection-based way when the async clipboard is missing. */
async function copyText(text: string): Promise<void> {
  if (typeof navigator !== 'undefined' && navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('the browser refused to copy');
}

function JsonBlock({ block }: { block: DetailJson }) {
  const styles = useStyles();
  const notify = useNotify();
  const text = formatJson(block.value);
  const copy = () => {
    copyText(text).then(
      () => notify.success(`Copied ${block.label.toLowerCase()}`),
      (e: unknown) =>
        notify.error(`Cannot copy ${block.label.toLowerCase()}`, {
          code: 'clipboard',
          message: e instanceof Error ? e.message : String(e),
        }),
    );
  };
  return (
    <div className={styles.block}>
      <div className={styles.blockHeader}>
        <Caption1 className={styles.muted}>{block.label}</Caption1>
        {block.value === undefined ? null : (
          <Button size="small" appearance="subtle" icon={<Copy16Regular />} onClick={copy} data-testid={`${block.testId}-copy`}>
            Copy
          </Button>
        )}
      </div>
      {block.value === undefined ? (
        <Caption1 className={styles.muted} data-testid={block.missingTestId}>
          {block.missing ?? 'Nothing was stored.'}
        </Caption1>
      ) : (
        <pre className={styles.json} data-testid={block.testId}>
          {text}
        </pre>
      )}
    </div>
  );
}

/**
 * Everything one activity line holds: where it went, the full message (for a
 * failure: remote status, error and solution), and the row written or the
 * payload sent with the remote's answer.
 */
export function ActivityEntryDetail({
  entry,
  payloadTestId = 'entry-payload',
  noPayloadTestId = 'entry-no-payload',
  attempts,
}: {
  entry: ActivityEntry;
  payloadTestId?: string;
  noPayloadTestId?: string;
  /** How often the change was tried, when the caller knows (the queue does; the log does not). */
  attempts?: number;
}) {
  const failed = entry.status === 'failed' || (entry.kind === 'error' && entry.status !== 'conflict');
  const { sent, remote } = splitPayload(entry.payload);
  const json: DetailJson[] = [];
  if (entry.kind !== 'lifecycle' || entry.payload != null) {
    json.push({
      label: entry.status === 'conflict' ? 'Losing change' : failed ? 'Payload sent' : 'Row written',
      value: sent,
      testId: payloadTestId,
      missing: failed ? 'No payload was stored with this entry.' : 'No row was stored with this entry.',
      missingTestId: noPayloadTestId,
    });
  }
  if (remote !== undefined) json.push({ label: 'Remote response', value: remote, testId: 'entry-remote' });
  return (
    <ChangeDetail
      testId="entry-detail"
      facts={[
        { label: 'Time', value: formatDateTime(entry.at) },
        { label: 'Map', value: entry.map },
        { label: 'Direction', value: entry.direction ? directionLabel(entry.direction) : <Dash />, testId: 'entry-direction' },
        { label: 'Key', value: <KeyText value={entry.key} />, testId: 'entry-key' },
        { label: 'Operation', value: entry.operation ?? <Dash /> },
        { label: 'Status', value: entry.status },
        ...(entry.errorClass === null ? [] : [{ label: 'Error class', value: entry.errorClass, testId: 'entry-error-class' }]),
        ...(attempts === undefined ? [] : [{ label: 'Attempts', value: formatCount(attempts), testId: 'entry-attempts' }]),
        ...(entry.latencyMs === null ? [] : [{ label: 'Latency', value: `${formatCount(entry.latencyMs)} ms` }]),
      ]}
      message={entry.message}
      failure={failed}
      json={json}
    />
  );
}
