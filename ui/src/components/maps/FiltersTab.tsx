import {
  Body1,
  Button,
  Caption1,
  Card,
  Dropdown,
  Field,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Spinner,
  Subtitle2,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { CheckmarkCircle16Filled } from '@fluentui/react-icons';
import { useRef } from 'react';
import type { Side } from '../../bindings/Side';
import type { TableMap } from '../../bindings/TableMap';
import type { TableSchemaView } from '../../bindings/TableSchemaView';
import { caretMark, countText, filterOf, insertAt, withFilter } from '../../lib/filterText';
import { ErrorBar } from '../ErrorBar';
import type { MapPanelProps } from './mapPanel';
import { useFilterCheck } from './useFilterCheck';

interface Language {
  testid: 'fo' | 'dv';
  title: string;
  language: string;
  help: string;
  examples: readonly string[];
}

const LANGUAGES: Record<Side, Language> = {
  financeOperations: {
    testid: 'fo',
    title: 'Finance and operations rows',
    language: 'Query-range expression',
    help: 'Compare a column of the entity with ==, !=, <, <=, > or >=, put each comparison in parentheses, join them with && (and) or || (or), and quote text in double quotes.',
    examples: ['((PartyType == "Organization"))', '((CreditLimit > 1000) && (CreditLimit <= 2000))', '((numberofemployees > 1000) && (numberofemployees <= 2000))'],
  },
  dataverse: {
    testid: 'dv',
    title: 'Dataverse rows',
    language: 'OData $filter',
    help: 'Compare a column of the table with eq, ne, gt, ge, lt or le, join comparisons with and, or, not, and quote text in single quotes; columns of looked-up tables cannot be used.',
    examples: ['customertypecode eq 3', 'msdyn_sellable eq true and msdyn_contactpersonid ne null', 'numberofemployees gt 1000 and numberofemployees le 2000'],
  },
};

const useStyles = makeStyles({
  intro: { color: tokens.colorNeutralForeground2 },
  // The drawer body is a flex column; a card that shrinks there clips its own content.
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, padding: tokens.spacingHorizontalL, flexShrink: 0 },
  header: { display: 'flex', alignItems: 'baseline', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3 },
  input: { fontFamily: tokens.fontFamilyMonospace },
  tools: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  columns: { minWidth: '260px' },
  examples: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: tokens.spacingVerticalXXS },
  example: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, fontWeight: tokens.fontWeightRegular },
  errorBox: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorPaletteRedBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorPaletteRedBorder1}`,
  },
  errorLine: { margin: 0, fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase300, whiteSpace: 'pre', overflowX: 'auto' },
  errorChar: {
    color: tokens.colorPaletteRedForeground1,
    fontWeight: tokens.fontWeightBold,
    textDecorationLine: 'underline',
    textDecorationStyle: 'wavy',
    textDecorationColor: tokens.colorPaletteRedForeground1,
    backgroundColor: tokens.colorPaletteRedBackground2,
  },
  caret: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightBold },
  hidden: { visibility: 'hidden' },
  errorMessage: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
  count: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalXS, color: tokens.colorPaletteGreenForeground1 },
});

/**
 * The source filter of each side: which rows of the table the map syncs. Each is checked as
 * it is typed (the error drawn under its position) and counted in the linked environment.
 */
export function FiltersTab({ draft, onChange, schema }: MapPanelProps) {
  const styles = useStyles();
  return (
    <>
      <Caption1 className={styles.intro}>
        A source filter limits the rows a map syncs from one side; a row the filter leaves out is neither copied nor updated. Companies are not
        chosen here: the map syncs the companies of the link.
      </Caption1>
      <FilterEditor side="financeOperations" draft={draft} onChange={onChange} table={schema?.financeOperations ?? null} />
      <FilterEditor side="dataverse" draft={draft} onChange={onChange} table={schema?.dataverse ?? null} />
    </>
  );
}

function FilterEditor({
  side,
  draft,
  onChange,
  table,
}: {
  side: Side;
  draft: TableMap;
  onChange: (next: TableMap) => void;
  table: TableSchemaView | null;
}) {
  const styles = useStyles();
  const language = LANGUAGES[side];
  const id = language.testid;
  const text = filterOf(draft, side);
  const input = useRef<HTMLTextAreaElement>(null);
  const { check, error, checking } = useFilterCheck(draft, side);
  const tableName = side === 'financeOperations' ? draft.financeOperationsEntity : draft.dataverseTable;

  const insertColumn = (column: string) => {
    const element = input.current;
    const next = insertAt(text, element?.selectionStart ?? text.length, element?.selectionEnd ?? text.length, column);
    onChange(withFilter(draft, side, next.text));
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(next.cursor, next.cursor);
    });
  };

  return (
    <Card className={styles.card} data-testid={`filter-${id}`}>
      <div className={styles.header}>
        <Subtitle2>{language.title}</Subtitle2>
        <span className={styles.mono}>{tableName}</span>
        <Caption1 className={styles.muted}>· {language.language}</Caption1>
      </div>
      <Field label={`${language.language} (empty keeps every row)`} hint={language.help}>
        <Textarea
          ref={input}
          textarea={{ className: styles.input }}
          resize="vertical"
          rows={2}
          value={text}
          placeholder={language.examples[0]}
          onChange={(_, data) => onChange(withFilter(draft, side, data.value))}
          spellCheck={false}
          data-testid={`filter-${id}-input`}
        />
      </Field>
      <div className={styles.tools}>
        <ColumnPicker id={id} table={table} onPick={insertColumn} />
      </div>
      <FilterStatus id={id} side={side} text={text} check={check} checking={checking} />
      {error ? <ErrorBar title={`Cannot check the ${language.language} filter`} error={error} /> : null}
      <div className={styles.examples}>
        <Caption1 className={styles.muted}>Examples (click one to use it):</Caption1>
        {language.examples.map((example, index) => (
          <Button
            key={example}
            size="small"
            appearance="transparent"
            className={styles.example}
            onClick={() => onChange(withFilter(draft, side, example))}
            data-testid={`filter-${id}-example-${index}`}
          >
            {example}
          </Button>
        ))}
      </div>
    </Card>
  );
}

function ColumnPicker({ id, table, onPick }: { id: string; table: TableSchemaView | null; onPick: (column: string) => void }) {
  const styles = useStyles();
  if (!table) return <Caption1 className={styles.muted}>Reading the columns from the linked environment…</Caption1>;
  if (table.error) return <Caption1 className={styles.muted}>The columns of {table.table} could not be read: {table.error}</Caption1>;
  return (
    <Dropdown
      className={styles.columns}
      placeholder={`Insert a column of ${table.table}`}
      selectedOptions={[]}
      value=""
      onOptionSelect={(_, data) => {
        if (data.optionValue) onPick(data.optionValue);
      }}
      aria-label={`Insert a column of ${table.table}`}
      data-testid={`filter-${id}-columns`}
    >
      {table.columns.map((column) => (
        <Option key={column.name} value={column.name} text={column.name} data-testid={`filter-${id}-column-${column.name}`}>
          {column.name} ({column.type})
        </Option>
      ))}
    </Dropdown>
  );
}

function FilterStatus({
  id,
  side,
  text,
  check,
  checking,
}: {
  id: string;
  side: Side;
  text: string;
  check: ReturnType<typeof useFilterCheck>['check'];
  checking: boolean;
}) {
  const styles = useStyles();
  if (checking) return <Spinner size="tiny" labelPosition="after" label="Checking the filter…" />;
  if (!check) return null;
  if (check.error) {
    const mark = caretMark(text, check.error.position);
    const multiline = text.includes('\n');
    return (
      <div className={styles.errorBox} role="alert" data-testid={`filter-${id}-error`} data-position={check.error.position ?? ''}>
        {mark ? (
          <>
            {multiline ? (
              <Caption1 className={styles.muted}>
                Line {mark.lineNumber}, column {mark.column}
              </Caption1>
            ) : null}
            <pre className={styles.errorLine}>
              {mark.before}
              <span className={styles.errorChar} data-testid={`filter-${id}-error-at`}>
                {mark.atEnd ? ' ' : mark.at}
              </span>
              {mark.after}
            </pre>
            <pre className={styles.errorLine} aria-hidden="true">
              <span className={styles.hidden}>{mark.before}</span>
              <span className={styles.caret}>^</span>
            </pre>
          </>
        ) : null}
        <Body1 className={styles.errorMessage}>{check.error.message}</Body1>
      </div>
    );
  }
  return (
    <>
      {check.count !== null ? (
        <Body1 className={styles.count} data-testid={`filter-${id}-count`} data-state="count">
          <CheckmarkCircle16Filled />
          {countText(check.count, text.trim() !== '')}
        </Body1>
      ) : null}
      {check.countError !== null ? (
        <MessageBar intent="warning" layout="multiline" data-testid={`filter-${id}-count`} data-state="error">
          <MessageBarBody>
            <MessageBarTitle>The filter parses, but its rows could not be counted</MessageBarTitle>
            {check.countError}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {side === 'financeOperations' && check.odata ? (
        <Caption1 data-testid={`filter-${id}-odata`}>
          Read as OData: <span className={styles.mono}>{check.odata}</span>
        </Caption1>
      ) : null}
    </>
  );
}
