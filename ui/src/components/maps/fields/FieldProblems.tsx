import { Button, Popover, PopoverSurface, PopoverTrigger, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { ErrorCircle16Filled, Warning16Filled } from '@fluentui/react-icons';
import type { MapProblemView } from '../../../bindings/MapProblemView';

const useStyles = makeStyles({
  error: { color: tokens.colorPaletteRedForeground1 },
  warning: { color: tokens.colorPaletteDarkOrangeForeground1 },
  surface: { maxWidth: '420px', display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  problem: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  code: { fontFamily: tokens.fontFamilyMonospace, fontWeight: tokens.fontWeightSemibold },
  fix: { color: tokens.colorNeutralForeground2 },
});

/** A field's validation problems: an icon whose popover (on hover or click) gives each message and fix. */
export function FieldProblems({ problems, index }: { problems: readonly MapProblemView[]; index: number }) {
  const styles = useStyles();
  if (problems.length === 0) return null;
  const hasError = problems.some((p) => p.severity === 'error');
  return (
    <Popover openOnHover withArrow positioning="before">
      <PopoverTrigger disableButtonEnhancement>
        <Button
          appearance="transparent"
          size="small"
          icon={hasError ? <ErrorCircle16Filled className={styles.error} /> : <Warning16Filled className={styles.warning} />}
          aria-label={`${problems.length} ${problems.length === 1 ? 'problem' : 'problems'} of field ${index + 1}`}
          data-testid={`field-problems-${index}`}
        >
          {problems.length}
        </Button>
      </PopoverTrigger>
      <PopoverSurface className={styles.surface} data-testid={`field-problems-detail-${index}`}>
        {problems.map((p, i) => (
          <div key={`${p.code}-${i}`} className={styles.problem} data-testid="field-problem" data-code={p.code}>
            <span>
              <span className={mergeClasses(styles.code, p.severity === 'error' ? styles.error : styles.warning)}>{p.code}</span> {p.message}
            </span>
            <span className={styles.fix}>Fix: {p.fix}</span>
          </div>
        ))}
      </PopoverSurface>
    </Popover>
  );
}

