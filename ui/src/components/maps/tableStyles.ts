import { makeStyles, tokens } from '@fluentui/react-components';

/**
 * Below this card width the maps table drops its Rows synced and Errors columns (their
 * figures move under the state) and narrows the queue and action columns, so the row
 * actions stay in view at 1024 px windows.
 */
const NARROW = '@container (max-width: 899px)';

/** The maps table's column widths, and what shows only in a wide or a narrow table. */
export const useMapsTableStyles = makeStyles({
  // The card is the size container the column widths below respond to.
  card: { padding: 0, overflowX: 'auto', containerType: 'inline-size' },
  // Fixed layout: the compact columns keep their widths and the map column takes the rest,
  // so long titles are cut with an ellipsis instead of widening the table.
  table: { width: '100%', tableLayout: 'fixed' },
  selectCol: { width: '32px' },
  stateCol: { width: '112px' },
  rowsCol: { width: '84px' },
  errorsCol: { width: '56px' },
  wideOnly: { [NARROW]: { display: 'none' } },
  narrowOnly: { display: 'none', [NARROW]: { display: 'block' } },
  queueCol: { width: '150px', [NARROW]: { width: '128px' } },
  actionsCol: { width: '132px', [NARROW]: { width: '104px' } },
  wrap: { whiteSpace: 'normal' },
  fieldsCell: { paddingBlock: tokens.spacingVerticalM, paddingInline: tokens.spacingHorizontalXXL },
});
