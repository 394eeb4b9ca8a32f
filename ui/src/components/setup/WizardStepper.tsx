import { Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { Checkmark16Filled } from '@fluentui/react-icons';
import { WIZARD_STEPS, stepState, type WizardStep } from '../../lib/setupWizard';

const useStyles = makeStyles({
  stepper: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    listStyleType: 'none',
    margin: 0,
    paddingBlock: tokens.spacingVerticalM,
    paddingInline: tokens.spacingHorizontalXL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow2,
  },
  item: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexShrink: 0 },
  line: { flexGrow: 1, height: tokens.strokeWidthThin, backgroundColor: tokens.colorNeutralStroke2, minWidth: '24px' },
  lineDone: { backgroundColor: tokens.colorBrandStroke1 },
  bubble: {
    width: '28px',
    height: '28px',
    borderRadius: tokens.borderRadiusCircular,
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    fontWeight: tokens.fontWeightSemibold,
    fontSize: tokens.fontSizeBase300,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    color: tokens.colorNeutralForeground3,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  bubbleCurrent: {
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorBrandBackground}`,
  },
  bubbleDone: {
    backgroundColor: tokens.colorBrandBackground2,
    color: tokens.colorBrandForeground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorBrandStroke2}`,
  },
  label: { color: tokens.colorNeutralForeground3 },
  labelCurrent: { color: tokens.colorNeutralForeground1, fontWeight: tokens.fontWeightSemibold },
});

/** The wizard's four steps: done ones ticked, the current one highlighted, joined by lines. */
export function WizardStepper({ current }: { current: WizardStep }) {
  const styles = useStyles();
  return (
    <ol className={styles.stepper} aria-label="Setup steps" data-testid="wizard-stepper">
      {WIZARD_STEPS.map((label, index) => {
        const state = stepState(index, current);
        return [
          index > 0 ? (
            <li key={`line-${label}`} aria-hidden className={mergeClasses(styles.line, index <= current && styles.lineDone)} />
          ) : null,
          <li
            key={label}
            className={styles.item}
            aria-current={state === 'current' ? 'step' : undefined}
            data-testid={`wizard-step-${index + 1}`}
            data-state={state}
          >
            <span
              className={mergeClasses(
                styles.bubble,
                state === 'current' && styles.bubbleCurrent,
                state === 'done' && styles.bubbleDone,
              )}
            >
              {state === 'done' ? <Checkmark16Filled /> : index + 1}
            </span>
            <Text className={mergeClasses(styles.label, state === 'current' && styles.labelCurrent)}>{label}</Text>
          </li>,
        ];
      })}
    </ol>
  );
}
