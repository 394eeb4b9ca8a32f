import {
  Badge,
  Body1,
  Button,
  Caption1,
  Checkbox,
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
import { ArrowDownload16Regular, Copy16Regular, DocumentArrowUp16Regular } from '@fluentui/react-icons';
import { useRef, useState } from 'react';
import { backend, toApiError } from '../../backend';
import { downloadText } from '../../lib/download';
import type { ApiError } from '../../bindings/ApiError';
import type { ImportReport } from '../../bindings/ImportReport';
import type { MapView } from '../../bindings/MapView';
import { importSummary, packageFileName, parsePackageText } from '../../lib/mapsAlm';
import { ErrorBar } from '../ErrorBar';
import { useNotify } from '../notify';
import { ProblemList } from './ProblemList';

const useStyles = makeStyles({
  surface: { maxWidth: '960px', width: '90vw' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  maps: { display: 'flex', flexDirection: 'column' },
  json: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  muted: { color: tokens.colorNeutralForeground3 },
  hiddenInput: { display: 'none' },
  names: { display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap', alignItems: 'center' },
});

/** Chooses maps and shows their package, to download or copy. */
export function ExportDialog({ maps, onClose }: { maps: readonly MapView[]; onClose: () => void }) {
  const styles = useStyles();
  const notify = useNotify();
  const [chosen, setChosen] = useState<string[]>(() => maps.map((m) => m.name));
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const exportChosen = async () => {
    setBusy(true);
    try {
      const pkg = await backend.exportMaps(chosen);
      setText(`${JSON.stringify(pkg, null, 2)}\n`);
      setError(null);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const download = () => {
    if (text === null) return;
    downloadText(text, packageFileName(chosen, new Date()), 'application/json');
  };

  const copy = async () => {
    if (text === null) return;
    try {
      await navigator.clipboard.writeText(text);
      notify.success('Copied the package to the clipboard');
    } catch (e) {
      notify.error('Cannot copy the package', toApiError(e, 'clipboard'));
    }
  };

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : onClose())}>
      <DialogSurface className={styles.surface} data-testid="export-dialog">
        <DialogBody>
          <DialogTitle>Export maps</DialogTitle>
          <DialogContent className={styles.content}>
            <Body1>A package holds the chosen maps and the maps they look up, so it imports on its own.</Body1>
            <div className={styles.maps}>
              {maps.map((m) => (
                <Checkbox
                  key={m.name}
                  label={`${m.title} (${m.name})`}
                  checked={chosen.includes(m.name)}
                  onChange={(_, data) => {
                    setText(null);
                    setChosen((c) => (data.checked ? [...c, m.name] : c.filter((n) => n !== m.name)));
                  }}
                  data-testid={`export-pick-${m.name}`}
                />
              ))}
            </div>
            {error ? <ErrorBar title="Cannot export the maps" error={error} /> : null}
            {text !== null ? (
              <Field label="Package">
                <Textarea textarea={{ className: styles.json }} value={text} readOnly rows={14} resize="vertical" data-testid="export-json" />
              </Field>
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onClose} data-testid="export-close">
              Close
            </Button>
            {text !== null ? (
              <>
                <Button icon={<Copy16Regular />} onClick={() => void copy()} data-testid="export-copy">
                  Copy
                </Button>
                <Button appearance="primary" icon={<ArrowDownload16Regular />} onClick={download} data-testid="export-download">
                  Download
                </Button>
              </>
            ) : (
              <Button appearance="primary" disabled={busy || chosen.length === 0} onClick={() => void exportChosen()} data-testid="export-run">
                {busy ? 'Exporting…' : 'Export'}
              </Button>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** Pastes or reads a package, imports it (every map or none) and shows the report. */
export function ImportDialog({ onClose, onImported }: { onClose: () => void; onImported: () => void }) {
  const styles = useStyles();
  const [text, setText] = useState('');
  const [replace, setReplace] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const readFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      setText(await file.text());
      setReport(null);
      setError(null);
    } catch (e) {
      setError(toApiError(e, 'file'));
    }
  };

  const runImport = async () => {
    const parsed = parsePackageText(text);
    if (!parsed.ok) {
      setReport(null);
      setError(parsed.error);
      return;
    }
    setBusy(true);
    try {
      const answer = await backend.importMaps(parsed.value, replace);
      setReport(answer);
      setError(null);
      if (answer.imported) onImported();
    } catch (e) {
      setReport(null);
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const summary = report ? importSummary(report) : null;

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : onClose())}>
      <DialogSurface className={styles.surface} data-testid="import-dialog">
        <DialogBody>
          <DialogTitle>Import maps</DialogTitle>
          <DialogContent className={styles.content}>
            <Body1>Every map in the package is imported, or none is: a package with a problem changes nothing.</Body1>
            <div className={styles.row}>
              <Button icon={<DocumentArrowUp16Regular />} onClick={() => fileInput.current?.click()} data-testid="import-choose">
                Choose file…
              </Button>
              <input
                ref={fileInput}
                className={styles.hiddenInput}
                type="file"
                accept="application/json,.json"
                onChange={(event) => void readFile(event.target.files?.[0])}
                data-testid="import-file"
              />
              <Caption1 className={styles.muted}>or paste the package below</Caption1>
            </div>
            <Field label="Package">
              <Textarea
                textarea={{ className: styles.json }}
                value={text}
                onChange={(_, data) => {
                  setText(data.value);
                  setReport(null);
                }}
                rows={10}
                resize="vertical"
                placeholder='{"format": "duet.maps", "version": 1, "maps": [...]}'
                data-testid="import-json"
              />
            </Field>
            <Checkbox
              checked={replace}
              onChange={(_, data) => setReplace(!!data.checked)}
              label="Replace maps that exist here with another definition (their history is kept)"
              data-testid="import-replace"
            />
            {error ? <ErrorBar title="Cannot import the package" error={error} /> : null}
            {report && summary ? (
              <MessageBar intent={summary.intent} layout="multiline" data-testid="import-report" data-imported={String(report.imported)}>
                <MessageBarBody>
                  <MessageBarTitle data-testid="import-summary">{summary.title}</MessageBarTitle>
                  {[
                    { label: 'Added', names: report.added, color: 'success' as const, id: 'added' },
                    { label: 'Replaced', names: report.replaced, color: 'warning' as const, id: 'replaced' },
                    { label: 'Unchanged', names: report.unchanged, color: 'informative' as const, id: 'unchanged' },
                  ]
                    .filter((group) => group.names.length > 0)
                    .map((group) => (
                      <div key={group.id} className={styles.names} data-testid={`import-${group.id}`}>
                        <Caption1>{group.label}:</Caption1>
                        {group.names.map((name) => (
                          <Badge key={name} appearance="tint" color={group.color}>
                            {name}
                          </Badge>
                        ))}
                      </div>
                    ))}
                </MessageBarBody>
              </MessageBar>
            ) : null}
            {report && report.problems.length > 0 ? <ProblemList problems={report.problems} label="Problems of the package" /> : null}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onClose} data-testid="import-close">
              Close
            </Button>
            <Button appearance="primary" disabled={busy || !text.trim()} onClick={() => void runImport()} data-testid="import-run">
              {busy ? 'Importing…' : 'Import'}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
