import {
  Body1,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { BootstrapReport } from '../../bindings/BootstrapReport';
import type { MapView } from '../../bindings/MapView';
import { stampLabel } from '../../lib/bootstrap';
import { formatCount } from '../../lib/format';
import { BootstrapRows } from '../bootstrap/BootstrapRows';

const useStyles = makeStyles({
  surface: { maxWidth: '860px', width: '100%' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  company: { maxWidth: '320px' },
  counts: { display: 'flex', gap: tokens.spacingHorizontalXXL, flexWrap: 'wrap' },
  count: { display: 'flex', flexDirection: 'column' },
  value: { fontSize: tokens.fontSizeHero700, lineHeight: tokens.lineHeightHero700, fontWeight: tokens.fontWeightSemibold },
  muted: { color: tokens.colorNeutralForeground3 },
});

type Companies = { list: string[]; error: ApiError | null } | null;

/**
 * Bootstrap of one company-specific map: its Dataverse rows without a company get the
 * company of their finance and operations match, or the chosen company. A dry run lists
 * every row first; Stamp then writes them.
 */
export function BootstrapDialog({ map, onClose }: { map: MapView; onClose: () => void }) {
  const styles = useStyles();
  const { companies, company, setCompany } = useLinkCompanies();
  const [report, setReport] = useState<BootstrapReport | null>(null);
  const [busy, setBusy] = useState<'dry' | 'stamp' | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const run = async (dryRun: boolean) => {
    setBusy(dryRun ? 'dry' : 'stamp');
    setError(null);
    try {
      setReport(await backend.bootstrapMap(map.name, company, dryRun));
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(null);
    }
  };

  const dryReport = report?.dryRun && report.defaultCompany === company ? report : null;
  return (
    <Dialog open onOpenChange={(_, d) => (d.open ? undefined : onClose())} modalType="modal">
      <DialogSurface className={styles.surface} data-testid="bootstrap-dialog">
        <DialogBody>
          <DialogTitle>Bootstrap companies: {map.title}</DialogTitle>
          <DialogContent className={styles.content}>
            <Body1>
              Dataverse rows of this map without a company get the company of their finance and operations match (by the
              map&rsquo;s key); rows with no match get the company chosen here. Run a dry run first to see every row.
            </Body1>
            {companies?.error ? (
              <MessageBar intent="error" layout="multiline">
                <MessageBarBody>Cannot read the link&rsquo;s legal entities: {companies.error.message}</MessageBarBody>
              </MessageBar>
            ) : null}
            <Field label="Company for rows without a match" required className={styles.company}>
              <Dropdown
                placeholder={companies === null ? 'Reading the link…' : 'No legal entity is linked'}
                disabled={!companies?.list.length}
                value={company}
                selectedOptions={company ? [company] : []}
                onOptionSelect={(_, d) => setCompany(d.optionValue ?? '')}
                data-testid="bootstrap-company"
              >
                {(companies?.list ?? []).map((code) => (
                  <Option key={code} value={code}>
                    {code}
                  </Option>
                ))}
              </Dropdown>
            </Field>
            {error ? (
              <MessageBar intent="error" layout="multiline" data-testid="bootstrap-error">
                <MessageBarBody>
                  <MessageBarTitle>Bootstrap refused</MessageBarTitle>
                  {error.message}
                </MessageBarBody>
              </MessageBar>
            ) : null}
            {report ? <ReportView report={report} /> : null}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onClose} disabled={busy !== null} data-testid="bootstrap-close">
              Close
            </Button>
            <Button
              onClick={() => void run(true)}
              disabled={busy !== null || !company}
              icon={busy === 'dry' ? <Spinner size="tiny" /> : undefined}
              data-testid="bootstrap-dry-run"
            >
              {busy === 'dry' ? 'Reading…' : 'Dry run'}
            </Button>
            <Button
              appearance="primary"
              onClick={() => void run(false)}
              disabled={busy !== null || !dryReport || dryReport.rows.length === 0}
              icon={busy === 'stamp' ? <Spinner size="tiny" /> : undefined}
              data-testid="bootstrap-stamp"
            >
              {busy === 'stamp' ? 'Stamping…' : stampLabel(dryReport?.rows.length ?? 0)}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** The link's legal entities, read once, and the one chosen (the first to begin with). */
function useLinkCompanies() {
  const [companies, setCompanies] = useState<Companies>(null);
  const [company, setCompany] = useState('');
  useEffect(() => {
    backend.link().then(
      (link) => {
        const list = link?.companies ?? [];
        setCompanies({ list, error: null });
        setCompany((current) => current || list[0] || '');
      },
      (e: unknown) => setCompanies({ list: [], error: toApiError(e) }),
    );
  }, []);
  return { companies, company, setCompany };
}

function ReportView({ report }: { report: BootstrapReport }) {
  const styles = useStyles();
  return (
    <>
      {report.dryRun ? null : (
        <MessageBar intent="success" data-testid="bootstrap-stamped">
          <MessageBarBody>
            <MessageBarTitle>Stamped</MessageBarTitle>
            {formatCount(report.stamped)} {report.stamped === 1 ? 'row was' : 'rows were'} given a company.
          </MessageBarBody>
        </MessageBar>
      )}
      <div className={styles.counts} data-testid="bootstrap-dialog-report" data-dry-run={report.dryRun}>
        <Count label="rows without a company" value={report.rows.length} testId="bootstrap-total" />
        <Count label="matched by key" value={report.matched} testId="bootstrap-dialog-matched" />
        <Count label={`unmatched, given ${report.defaultCompany}`} value={report.unmatched} testId="bootstrap-dialog-unmatched" />
        {report.dryRun ? null : <Count label="stamped" value={report.stamped} testId="bootstrap-stamped-count" />}
      </div>
      <BootstrapRows report={report} />
    </>
  );
}

function Count({ label, value, testId }: { label: string; value: number; testId: string }) {
  const styles = useStyles();
  return (
    <div className={styles.count}>
      <span className={styles.value} data-testid={testId}>
        {formatCount(value)}
      </span>
      <Caption1 className={styles.muted}>{label}</Caption1>
    </div>
  );
}
