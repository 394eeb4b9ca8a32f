import {
  Badge,
  Body1,
  Button,
  Caption1,
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
  Subtitle2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { DocumentArrowUp16Regular, Eye16Regular, EyeOff16Regular, History16Regular } from '@fluentui/react-icons';
import { useRef, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { CompareSource } from '../../bindings/CompareSource';
import type { MapsComparison } from '../../bindings/MapsComparison';
import type { PromotionReport } from '../../bindings/PromotionReport';
import { parsePackageText } from '../../lib/mapsAlm';
import { comparisonHeadline, hasNewVersion, outcomeColor, outcomeText, parseRemoteUrl, promotableNames, promoteLabel, reportSummary } from '../../lib/promote';
import { ErrorBar } from '../ErrorBar';
import { ProblemList } from './ProblemList';
import { PromoteComparison } from './PromoteComparison';

const useStyles = makeStyles({
  surface: { maxWidth: '1100px', width: '92vw' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  drop: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    padding: tokens.spacingVerticalM,
    border: `${tokens.strokeWidthThick} dashed ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  muted: { color: tokens.colorNeutralForeground3 },
  hiddenInput: { display: 'none' },
  report: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  reportRow: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
});

type SourceKind = 'file' | 'duet';

/** Where the maps come from: a package file (picked or dropped), or another running Duet's URL. */
function SourcePicker({
  kind,
  onKind,
  fileName,
  onFile,
  url,
  onUrl,
}: {
  kind: SourceKind;
  onKind: (kind: SourceKind) => void;
  fileName: string | null;
  onFile: (file: File | undefined) => void;
  url: string;
  onUrl: (url: string) => void;
}) {
  const styles = useStyles();
  const fileInput = useRef<HTMLInputElement>(null);
  return (
    <>
      <RadioGroup layout="horizontal" value={kind} onChange={(_, data) => onKind(data.value as SourceKind)} aria-label="Source">
        <Radio value="file" label="A package file" data-testid="promote-source-file" />
        <Radio value="duet" label="Another running Duet" data-testid="promote-source-duet" />
      </RadioGroup>
      {kind === 'file' ? (
        <div
          className={styles.drop}
          onDragOver={(event) => event.preventDefault()}
          onDrop={(event) => {
            event.preventDefault();
            onFile(event.dataTransfer.files[0]);
          }}
          data-testid="promote-drop"
        >
          <Button icon={<DocumentArrowUp16Regular />} onClick={() => fileInput.current?.click()} data-testid="promote-choose">
            Choose file…
          </Button>
          <input
            ref={fileInput}
            className={styles.hiddenInput}
            type="file"
            accept="application/json,.json"
            onChange={(event) => onFile(event.target.files?.[0])}
            data-testid="promote-file"
          />
          <Caption1 className={fileName ? undefined : styles.muted} data-testid="promote-file-name">
            {fileName ?? 'or drop an exported package here'}
          </Caption1>
        </div>
      ) : (
        <RemoteUrlField url={url} onUrl={onUrl} />
      )}
    </>
  );
}

/** The other Duet's URL: it carries an access token, so it is masked like a password until shown. */
function RemoteUrlField({ url, onUrl }: { url: string; onUrl: (url: string) => void }) {
  const [shown, setShown] = useState(false);
  return (
    <Field label="The other Duet's DUET_UI_URL" hint="As its duet serve printed it: http://127.0.0.1:PORT/?token=… (the token is kept out of sight)">
      <Input
        type={shown ? 'text' : 'password'}
        value={url}
        onChange={(_, data) => onUrl(data.value)}
        placeholder="http://127.0.0.1:PORT/?token=…"
        data-testid="promote-url"
        contentAfter={
          <Button
            appearance="transparent"
            size="small"
            icon={shown ? <EyeOff16Regular /> : <Eye16Regular />}
            aria-label={shown ? 'Hide the URL' : 'Show the URL'}
            onClick={() => setShown(!shown)}
            data-testid="promote-url-show"
          />
        }
      />
    </Field>
  );
}

/** What the promotion did with each map, with the way to its versions (and rollback). */
function ReportList({ report, onOpenVersions }: { report: PromotionReport; onOpenVersions: (name: string) => void }) {
  const styles = useStyles();
  const summary = reportSummary(report);
  return (
    <div className={styles.report} data-testid="promote-report" data-promoted={String(report.promoted)}>
      <MessageBar intent={summary.intent}>
        <MessageBarBody>
          <MessageBarTitle data-testid="promote-report-title">{summary.title}</MessageBarTitle>
          Each change is a new version: roll it back from the map&apos;s Versions tab.
        </MessageBarBody>
      </MessageBar>
      {report.maps.map((map) => (
        <div key={map.name} className={styles.reportRow} data-testid={`promote-outcome-${map.name}`} data-kind={map.outcome.kind}>
          <Badge appearance="filled" color={outcomeColor(map.outcome)}>
            {map.name}
          </Badge>
          <Body1>{outcomeText(map.outcome)}</Body1>
          {hasNewVersion(map.outcome) ? (
            <Button size="small" appearance="subtle" icon={<History16Regular />} onClick={() => onOpenVersions(map.name)} data-testid={`promote-versions-${map.name}`}>
              Versions
            </Button>
          ) : null}
        </div>
      ))}
    </div>
  );
}

/** Compares this Duet's maps with a package or another Duet, then promotes the chosen maps and lists what each became. */
export function PromoteDialog({
  onClose,
  onPromoted,
  onOpenVersions,
}: {
  onClose: () => void;
  onPromoted: () => void;
  onOpenVersions: (name: string) => void;
}) {
  const styles = useStyles();
  const [kind, setKind] = useState<SourceKind>('file');
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [url, setUrl] = useState('');
  const [comparison, setComparison] = useState<MapsComparison | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const [report, setReport] = useState<PromotionReport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<'comparing' | 'promoting' | null>(null);

  const restart = () => {
    setComparison(null);
    setReport(null);
    setError(null);
  };

  const readFile = async (picked: File | undefined) => {
    if (!picked) return;
    restart();
    try {
      setFile({ name: picked.name, text: await picked.text() });
    } catch (e) {
      setError(toApiError(e, 'file'));
    }
  };

  const source = (): { ok: true; source: CompareSource } | { ok: false; error: ApiError } => {
    if (kind === 'duet') {
      const parsed = parseRemoteUrl(url);
      return parsed.ok ? { ok: true, source: { remote: parsed.remote } } : parsed;
    }
    const parsed = parsePackageText(file?.text ?? '');
    return parsed.ok ? { ok: true, source: { package: parsed.value, source: file?.name } } : parsed;
  };

  const compare = async () => {
    const chosenSource = source();
    restart();
    if (!chosenSource.ok) {
      setError(chosenSource.error);
      return;
    }
    setBusy('comparing');
    try {
      const answer = await backend.compareMaps(chosenSource.source);
      setComparison(answer);
      setChosen(promotableNames(answer));
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(null);
    }
  };

  const promote = async () => {
    if (!comparison) return;
    setBusy('promoting');
    try {
      setReport(await backend.promoteMaps(comparison.package, comparison.source, chosen));
      setError(null);
      onPromoted();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(null);
    }
  };

  const hasErrors = comparison?.problems.some((p) => p.severity === 'error') ?? false;
  const canCompare = busy === null && (kind === 'file' ? file !== null : url.trim() !== '');

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : onClose())}>
      <DialogSurface className={styles.surface} data-testid="promote-dialog">
        <DialogBody>
          <DialogTitle>Compare and promote maps</DialogTitle>
          <DialogContent className={styles.content}>
            <Body1>
              Compare this Duet&apos;s maps with a package or another environment pair&apos;s Duet, then promote the maps you choose: a running
              map takes its new version at its next safe point, a new map is added stopped, and a map only here is kept.
            </Body1>
            <SourcePicker
              kind={kind}
              onKind={(next) => {
                setKind(next);
                restart();
              }}
              fileName={file?.name ?? null}
              onFile={(picked) => void readFile(picked)}
              url={url}
              onUrl={(next) => {
                setUrl(next);
                restart();
              }}
            />
            {error ? <ErrorBar title={comparison ? 'Cannot promote the maps' : 'Cannot compare the maps'} error={error} /> : null}
            {comparison && !report ? (
              <>
                <Subtitle2 data-testid="promote-headline">
                  Here ↔ {comparison.source}: {comparisonHeadline(comparison)}
                </Subtitle2>
                {comparison.problems.length > 0 ? <ProblemList problems={comparison.problems} label="Problems of the package" /> : null}
                <PromoteComparison comparison={comparison} chosen={chosen} onChoose={setChosen} />
              </>
            ) : null}
            {report ? <ReportList report={report} onOpenVersions={onOpenVersions} /> : null}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onClose} data-testid="promote-close">
              Close
            </Button>
            {comparison && !report ? (
              <Button
                appearance="primary"
                disabled={busy !== null || chosen.length === 0 || hasErrors}
                onClick={() => void promote()}
                data-testid="promote-run"
              >
                {busy === 'promoting' ? 'Promoting…' : promoteLabel(chosen.length)}
              </Button>
            ) : (
              <Button appearance="primary" disabled={!canCompare} onClick={() => void compare()} data-testid="promote-compare">
                {busy === 'comparing' ? 'Comparing…' : report ? 'Compare again' : 'Compare'}
              </Button>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
