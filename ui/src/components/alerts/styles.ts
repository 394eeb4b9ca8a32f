import { makeStyles, tokens } from '@fluentui/react-components';

/** Styles the parts of the Alerts page share: table cards, their empty rows, code and muted text. */
export const useAlertsStyles = makeStyles({
  card: { padding: 0, overflowX: 'auto' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  muted: { color: tokens.colorNeutralForeground3 },
  empty: { padding: tokens.spacingHorizontalXXL, textAlign: 'center', color: tokens.colorNeutralForeground3 },
});
