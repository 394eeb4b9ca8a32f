import {
  Badge,
  Caption1,
  Card,
  CardHeader,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import type { Agreement } from '../../bindings/Agreement';
import type { BootstrapReport } from '../../bindings/BootstrapReport';
import type { ScenarioRun } from '../../bindings/ScenarioRun';
import { formatCount } from '../../lib/format';
import { agreementRows, agrees } from '../../lib/scenarios';
import { BootstrapRows } from '../bootstrap/BootstrapRows';
import { useWizardStyles } from './styles';

const useStyles = makeStyles({
  twoCols: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))', gap: tokens.spacingHorizontalXL, alignItems: 'start' },
  metrics: { display: 'flex', gap: tokens.spacingHorizontalXXL, flexWrap: 'wrap' },
  metric: { display: 'flex', flexDirection: 'column' },
  metricValue: {
    fontSize: tokens.fontSizeHero700,
    lineHeight: tokens.lineHeightHero700,
    fontWeight: tokens.fontWeightSemibold,
    fontVariantNumeric: 'tabular-nums',
  },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  tableCard: { padding: 0, overflowX: 'auto', gap: tokens.spacingVerticalS },
  tableTitle: { paddingInline: tokens.spacingHorizontalXL, paddingTop: tokens.spacingVerticalL },
  table: { marginInline: tokens.spacingHorizontalS, width: 'auto' },
  num: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  numHeader: { justifyContent: 'flex-end', whiteSpace: 'nowrap' },
  bad: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
  zero: { color: tokens.colorNeutralForeground4 },
  examples: {
    paddingInline: tokens.spacingHorizontalXL,
    paddingBottom: tokens.spacingVerticalL,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
  },
});

/** What a run reports at its end, side by side: each company-specific map's bootstrap and each map's agreement. */
export function RunReports({ run }: { run: ScenarioRun }) {
  const styles = useStyles();
  if (!run.bootstraps.length && !run.agreement.length) return null;
  return (
    <div className={styles.twoCols}>
      {run.bootstraps.map((report, index) => (
        <BootstrapCard key={report.map} report={report} first={index === 0} />
      ))}
      {run.agreement.map((agreement) => (
        <AgreementCard key={agreement.map} agreement={agreement} />
      ))}
    </div>
  );
}

/** One map's bootstrap: its counts and every row. The first card keeps the test ids earlier runs used. */
function BootstrapCard({ report, first }: { report: BootstrapReport; first: boolean }) {
  const styles = useStyles();
  const shared = useWizardStyles();
  const id = (name: string) => (first ? name : `${name}-${report.map}`);
  return (
    <Card className={shared.section} data-testid={id('bootstrap-report')} data-map={report.map}>
      <CardHeader
        header={<Subtitle2>Bootstrap: {report.map}</Subtitle2>}
        description={<Caption1 className={shared.muted}>Existing Dataverse rows given a company</Caption1>}
      />
      <div className={styles.metrics}>
        <div className={styles.metric}>
          <span className={styles.metricValue} data-testid={id('bootstrap-matched')}>
            {formatCount(report.matched)}
          </span>
          <Caption1 className={shared.muted}>matched by key</Caption1>
        </div>
        <div className={styles.metric}>
          <span className={styles.metricValue} data-testid={id('bootstrap-unmatched')}>
            {formatCount(report.unmatched)}
          </span>
          <Caption1 className={shared.muted}>unmatched, given {report.defaultCompany}</Caption1>
        </div>
        <div className={styles.metric}>
          <span className={styles.metricValue}>{formatCount(report.stamped)}</span>
          <Caption1 className={shared.muted}>stamped</Caption1>
        </div>
      </div>
      <BootstrapRows report={report} />
    </Card>
  );
}

function AgreementCard({ agreement }: { agreement: Agreement }) {
  const styles = useStyles();
  const shared = useWizardStyles();
  const ok = agrees(agreement);
  return (
    <Card className={styles.tableCard} data-testid={`agreement-${agreement.map}`} data-agrees={ok}>
      <div className={styles.tableTitle}>
        <div className={shared.titleRow}>
          <Subtitle2>Agreement: {agreement.map}</Subtitle2>
          <Badge appearance="filled" color={ok ? 'success' : 'danger'} data-testid="agreement-status">
            {ok ? 'Both sides agree' : 'Sides differ'}
          </Badge>
        </div>
      </div>
      <Table size="small" className={styles.table} aria-label={`Agreement of ${agreement.map}`}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Measure</TableHeaderCell>
            <TableHeaderCell button={{ className: styles.numHeader }}>Rows</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {agreementRows(agreement).map(([label, value, problem]) => (
            <TableRow key={label}>
              <TableCell>{label}</TableCell>
              <TableCell className={mergeClasses(styles.num, problem && (value > 0 ? styles.bad : styles.zero))}>
                {formatCount(value)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {agreement.examples.length ? (
        <div className={styles.examples}>
          <Caption1 className={shared.muted}>Examples</Caption1>
          {agreement.examples.map((example) => (
            <Text key={example} className={styles.mono}>
              {example}
            </Text>
          ))}
        </div>
      ) : null}
    </Card>
  );
}
