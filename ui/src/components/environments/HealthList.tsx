import { Badge, Caption1, Text, makeStyles, tokens } from '@fluentui/react-components';
import { CheckmarkCircle16Filled, DismissCircle16Filled, QuestionCircle16Filled } from '@fluentui/react-icons';
import type { HealthCheck } from '../../bindings/HealthCheck';
import type { HealthStatus } from '../../bindings/HealthStatus';
import { formatDateTime } from '../../lib/format';
import { healthColor, healthLabel } from '../../lib/labels';

const useStyles = makeStyles({
  list: {
    listStyleType: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
  },
  item: {
    display: 'grid',
    gridTemplateColumns: 'minmax(104px, max-content) minmax(0, 1fr)',
    columnGap: tokens.spacingHorizontalM,
    alignItems: 'start',
    paddingBlock: tokens.spacingVerticalS,
    paddingInline: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  text: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  code: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, fontWeight: tokens.fontWeightSemibold },
  message: { overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3 },
});

function StatusIcon({ status }: { status: HealthStatus }) {
  if (status === 'healthy') return <CheckmarkCircle16Filled />;
  if (status === 'unhealthy') return <DismissCircle16Filled />;
  return <QuestionCircle16Filled />;
}

/** Health checks, each with its code, a status badge with icon, and what to do about it. */
export function HealthList({ checks, scope }: { checks: HealthCheck[]; scope: string }) {
  const styles = useStyles();
  return (
    <ul className={styles.list} data-testid="health-list">
      {checks.map((check) => (
        <li
          key={check.code}
          className={styles.item}
          data-testid={`health-${scope}-${check.code}`}
          data-status={check.status}
        >
          <Badge
            appearance="filled"
            color={healthColor(check.status)}
            icon={<StatusIcon status={check.status} />}
            data-testid="health-status"
            data-status={check.status}
          >
            {healthLabel(check.status)}
          </Badge>
          <div className={styles.text}>
            <Text className={styles.code} data-testid="health-code">
              {check.code}
            </Text>
            <Text size={300} className={styles.message} data-testid="health-message">
              {check.message}
            </Text>
            {check.checkedAt ? (
              <Caption1 className={styles.muted}>
                Checked <time dateTime={check.checkedAt}>{formatDateTime(check.checkedAt)}</time>
              </Caption1>
            ) : null}
          </div>
        </li>
      ))}
    </ul>
  );
}
