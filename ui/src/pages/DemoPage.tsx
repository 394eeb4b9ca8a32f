import {
  Badge,
  Button,
  Caption1,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Subtitle2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Search20Regular } from '@fluentui/react-icons';
import { useCallback, useEffect, useState } from 'react';
import { backend, toApiError } from '../backend';
import type { ApiError } from '../bindings/ApiError';
import type { DemoRowSummary } from '../bindings/DemoRowSummary';
import type { DemoRun } from '../bindings/DemoRun';
import type { DemoScript } from '../bindings/DemoScript';
import type { DemoScriptView } from '../bindings/DemoScriptView';
import type { MapView } from '../bindings/MapView';
import { HistoryStrip } from '../components/demo/HistoryStrip';
import { RowPanes } from '../components/demo/RowPanes';
import { ScriptCards } from '../components/demo/ScriptCards';
import { useDemoRow } from '../components/demo/useDemoRow';
import { ErrorBar } from '../components/ErrorBar';
import { PageHeader } from '../components/PageHeader';
import { latencyText } from '../lib/demo';
import { stateLabel } from '../lib/labels';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  toolbar: { display: 'flex', gap: tokens.spacingHorizontalL, alignItems: 'end', flexWrap: 'wrap' },
  search: { width: '320px', maxWidth: '100%' },
  results: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

function useScripts() {
  const [scripts, setScripts] = useState<DemoScriptView[]>([]);
  const [run, setRun] = useState<DemoRun | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    Promise.all([backend.demoScripts(), backend.demoScriptRun()]).then(
      ([all, latest]) => {
        setScripts(all);
        setRun((now) => now ?? latest);
      },
      (caught: unknown) => setError(toApiError(caught)),
    );
    return backend.subscribe((event) => {
      if (event.type === 'demoChanged') setRun(event.run);
    });
  }, []);
  return { scripts, run, setRun, error, setError };
}

export function DemoPage() {
  const styles = useStyles();
  const [maps, setMaps] = useState<MapView[]>([]);
  const [map, setMap] = useState('customers');
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<DemoRowSummary[]>([]);
  const [key, setKey] = useState<string | null>(null);
  const [searchError, setSearchError] = useState<ApiError | null>(null);
  const [starting, setStarting] = useState(false);
  const { row, history, flash, latency, error, write } = useDemoRow(map, key);
  const { scripts, run, setRun, error: scriptError, setError: setScriptError } = useScripts();

  useEffect(() => {
    backend.maps().then(setMaps, (caught: unknown) => setSearchError(toApiError(caught)));
  }, []);

  const find = useCallback(
    (text: string) => {
      backend.demoRows(map, text).then(
        (rows) => {
          setFound(rows);
          setSearchError(null);
        },
        (caught: unknown) => setSearchError(toApiError(caught)),
      );
    },
    [map],
  );

  useEffect(() => {
    const timer = window.setTimeout(() => find(search), 300);
    return () => window.clearTimeout(timer);
  }, [find, search]);

  const start = (script: DemoScript) => {
    setStarting(true);
    backend
      .startDemoScript(script, map, script === 'createAppears' ? undefined : (key ?? undefined))
      .then(
        (started) => {
          setRun(started);
          setScriptError(null);
        },
        (caught: unknown) => setScriptError(toApiError(caught)),
      )
      .finally(() => setStarting(false));
  };

  const current = maps.find((view) => view.name === map);
  return (
    <div className={styles.page} data-testid="page-demo">
      <PageHeader
        title="Demo"
        description="A row as both sides hold it, edited in place; and scripted demos to run in front of a customer."
      />
      <div className={styles.toolbar}>
        <Field label="Map">
          <Dropdown
            value={current ? current.title : map}
            selectedOptions={[map]}
            onOptionSelect={(_, data) => {
              setMap(data.optionValue ?? map);
              setKey(null);
            }}
            data-testid="demo-map"
          >
            {maps.map((view) => (
              <Option key={view.name} value={view.name} text={view.title}>
                {view.title} ({stateLabel(view.state)})
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Row (key or name)" className={styles.search}>
          <Input
            contentBefore={<Search20Regular />}
            value={search}
            onChange={(_, data) => setSearch(data.value)}
            placeholder="DAT|C0001 or Contoso"
            data-testid="demo-search"
          />
        </Field>
      </div>
      {searchError ? <ErrorBar title="Rows could not be read" error={searchError} /> : null}
      <div className={styles.results}>
        {found.map((summary) => (
          <Button
            key={summary.key}
            size="small"
            appearance={summary.key === key ? 'primary' : 'secondary'}
            onClick={() => setKey(summary.key)}
            data-testid="demo-row-option"
            data-key={summary.key}
          >
            {summary.key}
            {summary.name ? ` · ${summary.name}` : ''}
            {!summary.onDataverse || !summary.onFinanceOperations ? ' (one side)' : ''}
          </Button>
        ))}
      </div>
      {error ? <ErrorBar title="The row could not be read or written" error={error} /> : null}
      {key && row ? (
        <div className={styles.section}>
          <Subtitle2>
            {row.key} <Caption1>click a value to edit it; Enter saves, Escape cancels</Caption1>
          </Subtitle2>
          {latency ? (
            <MessageBar intent="success" data-testid="demo-latency">
              <MessageBarBody>{latencyText(latency.side, latency.ms)}</MessageBarBody>
            </MessageBar>
          ) : null}
          <RowPanes row={row} flash={flash} onSave={(side, line, text) => void write(side, line, text)} />
          <Subtitle2>History</Subtitle2>
          <HistoryStrip history={history} />
        </div>
      ) : null}
      <div className={styles.section}>
        <Subtitle2>
          Scripted demos {run?.outcome.kind === 'running' ? <Badge color="informative">running</Badge> : null}
        </Subtitle2>
        {scriptError ? <ErrorBar title="The demo could not start" error={scriptError} /> : null}
        <ScriptCards scripts={scripts} run={run} busy={starting} onRun={start} />
      </div>
    </div>
  );
}
