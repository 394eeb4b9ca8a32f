import {
  Button,
  Card,
  Caption1,
  Dropdown,
  Option,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowClockwise20Regular } from '@fluentui/react-icons';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { backend, toApiError } from '../backend';
import type { ApiError } from '../bindings/ApiError';
import type { MetricsView } from '../bindings/MetricsView';
import { ErrorBar } from '../components/ErrorBar';
import { PageHeader } from '../components/PageHeader';
import { TimeChart } from '../components/TimeChart';
import { RetentionCard } from '../components/dashboard/RetentionCard';
import { formatCount } from '../lib/format';
import { directionLabel } from '../lib/labels';
import {
  WINDOWS,
  errorSeries,
  formatMs,
  formatRate,
  latencySeries,
  queueSeries,
  summarize,
  throughputSeries,
} from '../lib/metrics';

const REFRESH_MS = 5000;
const ALL = '';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  toolbar: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  dropdown: { minWidth: '170px' },
  cards: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(190px, 1fr))', gap: tokens.spacingHorizontalM },
  stat: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  statValue: { fontSize: tokens.fontSizeBase600, lineHeight: tokens.lineHeightBase600, fontWeight: tokens.fontWeightSemibold, whiteSpace: 'nowrap' },
  statLabel: { color: tokens.colorNeutralForeground3 },
  charts: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(460px, 1fr))', gap: tokens.spacingHorizontalM },
  num: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
});

function Stat({ label, value, detail, testId }: { label: string; value: string; detail?: string; testId: string }) {
  const styles = useStyles();
  return (
    <Card className={styles.stat} data-testid={testId}>
      <Caption1 className={styles.statLabel}>{label}</Caption1>
      <Text className={styles.statValue} data-testid={`${testId}-value`}>
        {value}
      </Text>
      {detail ? <Caption1 className={styles.statLabel}>{detail}</Caption1> : null}
    </Card>
  );
}

export function DashboardPage() {
  const styles = useStyles();
  const [minutes, setMinutes] = useState<number>(60);
  const [map, setMap] = useState<string>(ALL);
  const [maps, setMaps] = useState<string[]>([]);
  const [view, setView] = useState<MetricsView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(() => {
    backend.metrics({ minutes, map: map || undefined }).then(
      (value) => {
        setView(value);
        setError(null);
      },
      (e: unknown) => setError(toApiError(e)),
    );
  }, [minutes, map]);

  useEffect(() => {
    load();
    const timer = window.setInterval(load, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [load]);

  useEffect(() => {
    backend.maps().then(
      (list) => setMaps(list.map((m) => m.name)),
      () => setMaps([]),
    );
  }, []);

  const since = view ? Date.parse(view.since) : 0;
  const until = view ? Date.parse(view.until) : 1;
  const summary = useMemo(() => (view ? summarize(view) : null), [view]);
  const windowLabel = WINDOWS.find((w) => w.minutes === minutes)?.label ?? '';

  return (
    <div className={styles.page} data-testid="page-dashboard">
      <PageHeader
        title="Dashboard"
        description="Throughput, latency, queue depth and errors over time, per map and direction. Refreshes every 5 seconds."
        actions={
          <div className={styles.toolbar}>
            <Dropdown
              className={styles.dropdown}
              aria-label="Time window"
              value={windowLabel}
              selectedOptions={[String(minutes)]}
              onOptionSelect={(_, d) => setMinutes(Number(d.optionValue))}
              data-testid="metrics-window"
            >
              {WINDOWS.map((w) => (
                <Option key={w.minutes} value={String(w.minutes)}>
                  {w.label}
                </Option>
              ))}
            </Dropdown>
            <Dropdown
              className={styles.dropdown}
              aria-label="Map"
              value={map === ALL ? 'All maps' : map}
              selectedOptions={[map]}
              onOptionSelect={(_, d) => setMap(d.optionValue ?? ALL)}
              data-testid="metrics-map"
            >
              <Option value={ALL}>All maps</Option>
              {maps.map((name) => (
                <Option key={name} value={name}>
                  {name}
                </Option>
              ))}
            </Dropdown>
            <Button icon={<ArrowClockwise20Regular />} onClick={load} data-testid="metrics-refresh">
              Refresh
            </Button>
          </div>
        }
      />
      {error ? <ErrorBar title="Metrics could not be loaded" error={error} onRetry={load} /> : null}
      {summary && view ? (
        <>
          <div className={styles.cards}>
            <Stat testId="stat-rows" label="Rows synced" value={formatCount(summary.rows)} detail={windowLabel.toLowerCase()} />
            <Stat
              testId="stat-rate"
              label="Rows per second"
              value={formatRate(summary.averageRowsPerSecond)}
              detail={`peak ${formatRate(summary.peakRowsPerSecond)} in ${view.bucketSeconds} s buckets`}
            />
            <Stat testId="stat-latency" label="Latency p50 / p99" value={`${formatMs(summary.p50Ms)} / ${formatMs(summary.p99Ms)}`} detail="from change to write" />
            <Stat testId="stat-queue" label="Waiting in queue" value={formatCount(summary.waiting)} detail={`${formatCount(summary.failed)} failed`} />
            <Stat testId="stat-errors" label="Errors" value={formatCount(summary.errors)} detail="rows refused or failed" />
          </div>
          <div className={styles.charts}>
            <Card>
              <TimeChart
                testId="chart-throughput"
                title="Rows per second"
                series={throughputSeries(view)}
                since={since}
                until={until}
                format={formatRate}
                empty="No rows in this window"
              />
            </Card>
            <Card>
              <TimeChart
                testId="chart-latency"
                title="Latency p50 (solid) and p99 (dashed)"
                series={latencySeries(view)}
                since={since}
                until={until}
                format={(v) => formatMs(Math.round(v))}
                empty="No live changes in this window"
              />
            </Card>
            <Card>
              <TimeChart
                testId="chart-queue"
                title="Changes waiting in the queue"
                series={queueSeries(view)}
                since={since}
                until={until}
                format={(v) => formatCount(Math.round(v))}
                variant="step"
                whole
                empty="No queue samples yet"
              />
            </Card>
            <Card>
              <TimeChart
                testId="chart-errors"
                title="Errors"
                series={errorSeries(view)}
                since={since}
                until={until}
                format={(v) => formatCount(Math.round(v))}
                variant="bars"
                whole
                barMs={view.bucketSeconds * 1000}
                empty="No errors in this window"
              />
            </Card>
          </div>
          <Card>
            <Table aria-label="Per map and direction" data-testid="metrics-table">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Map</TableHeaderCell>
                  <TableHeaderCell>Direction</TableHeaderCell>
                  <TableHeaderCell className={styles.num}>Rows</TableHeaderCell>
                  <TableHeaderCell className={styles.num}>Errors</TableHeaderCell>
                  <TableHeaderCell className={styles.num}>p50</TableHeaderCell>
                  <TableHeaderCell className={styles.num}>p99</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {view.series.length === 0 ? (
                  <TableRow>
                    <TableCell colSpan={6}>Nothing was synced in this window.</TableCell>
                  </TableRow>
                ) : (
                  view.series.map((s) => (
                    <TableRow key={`${s.map}:${s.direction}`} data-testid="metrics-row">
                      <TableCell>{s.map}</TableCell>
                      <TableCell>{directionLabel(s.direction === 'toDataverse' ? 'toDataverse' : 'toFinanceOperations')}</TableCell>
                      <TableCell className={styles.num}>{formatCount(s.rows)}</TableCell>
                      <TableCell className={styles.num}>{formatCount(s.errors)}</TableCell>
                      <TableCell className={styles.num}>{formatMs(s.p50Ms)}</TableCell>
                      <TableCell className={styles.num}>{formatMs(s.p99Ms)}</TableCell>
                    </TableRow>
                  ))
                )}
              </TableBody>
            </Table>
          </Card>
        </>
      ) : null}
      <RetentionCard />
    </div>
  );
}
