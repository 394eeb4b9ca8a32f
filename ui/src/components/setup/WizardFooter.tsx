import { Button, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowLeft16Regular } from '@fluentui/react-icons';
import type { ReactNode } from 'react';

const useStyles = makeStyles({
  footer: { display: 'flex', justifyContent: 'space-between', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  end: { display: 'flex', gap: tokens.spacingHorizontalS, marginInlineStart: 'auto' },
});

/** The row under a wizard step: Back (when the step has one) and the step's own buttons at the end. */
export function WizardFooter({ onBack, children }: { onBack?: () => void; children: ReactNode }) {
  const styles = useStyles();
  return (
    <div className={styles.footer}>
      {onBack ? (
        <Button icon={<ArrowLeft16Regular />} onClick={onBack} data-testid="wizard-back">
          Back
        </Button>
      ) : null}
      <div className={styles.end}>{children}</div>
    </div>
  );
}
