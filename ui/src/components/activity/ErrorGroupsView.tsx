import { Badge, Card, Spinner, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { ErrorGroupView } from '../../bindings/ErrorGroupView';
import { groupQuery } from '../../lib/activityLog';
import { formatCount, formatDateTime } from '../../lib/format';
import { statusColor } from '../../lib/labels';
import { ChangeDetail } from '../ChangeDetail';
import { ChangeTable, KeyText, RowTime, type ChangeColumn, type ChangeExpansion } from '../ChangeTable';
import { ErrorBar } from '../ErrorBar';
import { ErrorGroupActions } from './ErrorGroupActions';
import { useCsvExport } from './useCsvExport';

const useStyles = makeStyles({
  card: { padding: 0, overflowX: 'auto' },
  table: { minWidth: '900px', tableLayout: 'fixed' },
  colMap: { width: '130px' },
  colStatus: { width: '90px' },
  colCount: { width: '90px' },
  colTime: { width: '110px' },
  colClass: { width: '90px' },
  colActions: { width: '235px' },
  cell: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
});

const groupKey = (g: ErrorGroupView) => `${g.map}\u0000${g.status}\u0000${g.errorClass ?? ''}\u0000${g.pattern}`;

/**
 * Every failure in the log grouped by map, status, error class and message pattern (of one
 * map when `map` is set), each with Retry group and Export group.
 */
export function ErrorGroupsView({ map }: { map: string }) {
  const styles = useStyles();
  const [groups, setGroups] = useState<ErrorGroupView[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = useCallback(
    () =>
      backend.errorGroups(map || undefined).then(
        (value) => {
          setGroups(value);
          setError(null);
        },
        (e: unknown) => setError(toApiError(e)),
      ),
    [map],
  );
  useEffect(() => void load(), [load]);
  const csv = useCsvExport();
  const { run: exportCsv, busy: exporting } = csv;

  const columns = useMemo<ChangeColumn<ErrorGroupView>[]>(
    () => [
      { id: 'map', header: 'Map', headerClassName: styles.colMap, cellClassName: mergeClasses(styles.cell, styles.mono), render: (g) => g.map },
      {
        id: 'status',
        header: 'Status',
        headerClassName: styles.colStatus,
        render: (g) => (
          <Badge appearance="tint" color={statusColor(g.status, 'error')}>
            {g.status}
          </Badge>
        ),
      },
      {
        id: 'class',
        header: 'Error class',
        headerClassName: styles.colClass,
        cellClassName: styles.cell,
        render: (g) => <span data-testid="error-group-class">{g.errorClass ?? '—'}</span>,
      },
      { id: 'count', header: 'Count', numeric: true, headerClassName: styles.colCount, render: (g) => <span data-testid="error-group-count">{formatCount(g.count)}</span> },
      { id: 'pattern', header: 'Pattern', cellClassName: styles.cell, title: (g) => g.pattern, render: (g) => g.pattern },
      { id: 'first', header: 'First seen', headerClassName: styles.colTime, cellClassName: styles.cell, render: (g) => <RowTime iso={g.firstAt} /> },
      { id: 'last', header: 'Last seen', headerClassName: styles.colTime, cellClassName: styles.cell, render: (g) => <RowTime iso={g.lastAt} /> },
      {
        id: 'actions',
        header: 'Actions',
        headerClassName: styles.colActions,
        render: (g) => (
          <ErrorGroupActions
            group={g}
            exporting={exporting}
            onExport={(group) => void exportCsv(groupQuery(group))}
            onRetried={() => void load()}
          />
        ),
      },
    ],
    [styles, exporting, exportCsv, load],
  );
  const expansion = useMemo<ChangeExpansion<ErrorGroupView>>(
    () => ({
      what: 'sample',
      headerLabel: 'Sample',
      toggleTestId: 'error-group-toggle',
      detailTestId: 'error-group-detail',
      render: (g) => (
        <ChangeDetail
          facts={[
            { label: 'Sample key', value: <KeyText value={g.sampleKey} testId="error-group-sample-key" /> },
            { label: 'First seen', value: formatDateTime(g.firstAt) },
            { label: 'Last seen', value: formatDateTime(g.lastAt) },
          ]}
          message={g.sampleMessage}
          failure
          json={[{ label: 'Sample payload', value: g.samplePayload ?? undefined, testId: 'error-group-payload', missing: 'No payload stored.' }]}
        />
      ),
    }),
    [],
  );

  if (error) return <ErrorBar title="Cannot group the errors" error={error} onRetry={() => void load()} />;
  if (groups === null) return <Spinner label="Grouping errors…" />;
  return (
    <>
      {csv.error ? <ErrorBar title="Cannot export the error group" error={csv.error} /> : null}
      <Card className={styles.card}>
        <ChangeTable
          items={groups}
          itemKey={groupKey}
          columns={columns}
          expansion={expansion}
          ariaLabel="Error groups"
          testId="error-groups"
          className={styles.table}
          rowTestId="error-group-row"
          rowData={(g) => ({ 'data-map': g.map })}
          empty={{ testId: 'error-groups-empty', text: 'No failures in the log.' }}
        />
      </Card>
    </>
  );
}
