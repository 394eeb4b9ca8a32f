import { Badge, Button, makeStyles, tokens } from '@fluentui/react-components';
import { Open16Regular } from '@fluentui/react-icons';

const useStyles = makeStyles({
  line: { display: 'inline-flex', alignItems: 'center', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
  codes: { display: 'inline-flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXXS },
  code: { fontFamily: tokens.fontFamilyMonospace },
});

/** The validation codes that stop a map from running, as small red badges. */
export function ValidationCodes({ codes, testId }: { codes: readonly string[]; testId?: string }) {
  const styles = useStyles();
  return (
    <span className={styles.codes} data-testid={testId}>
      {codes.map((code) => (
        <Badge key={code} className={styles.code} appearance="tint" color="danger" size="small">
          {code}
        </Badge>
      ))}
    </span>
  );
}

/**
 * Why one map cannot run: its validation codes and "Open details", which opens the map's
 * details drawer, where each problem is listed with its fix.
 */
export function RunRefusalLine({
  label,
  codes,
  onOpenDetails,
  testId,
}: {
  /** The map as the surrounding list names it (its title or name). */
  label: string;
  codes: readonly string[];
  onOpenDetails?: () => void;
  /** Prefix of the test ids: `<testId>-codes`, `<testId>-open`. */
  testId: string;
}) {
  const styles = useStyles();
  return (
    <span className={styles.line} data-testid={testId}>
      <strong>{label}</strong>
      <span>has validation errors</span>
      <ValidationCodes codes={codes} testId={`${testId}-codes`} />
      <span>and cannot run.</span>
      {onOpenDetails ? (
        <Button
          size="small"
          appearance="transparent"
          icon={<Open16Regular />}
          onClick={onOpenDetails}
          aria-label={`Open details of ${label}`}
          data-testid={`${testId}-open`}
        >
          Open details
        </Button>
      ) : null}
    </span>
  );
}
