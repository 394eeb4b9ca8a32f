import { Button, Caption1, Dropdown, Input, Option, Select, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowDownload20Regular, ArrowSort20Regular, Search20Regular } from '@fluentui/react-icons';
import { ERROR_CLASSES, type LogFilters } from '../../lib/activityLog';

const useStyles = makeStyles({
  toolbar: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  filter: { width: '280px', maxWidth: '100%' },
  select: { minWidth: '150px' },
  classDropdown: { minWidth: '150px', width: '150px' },
  count: { color: tokens.colorNeutralForeground3 },
});

const STATUSES = ['succeeded', 'failed', 'conflict', 'skipped'];

interface Props {
  filters: LogFilters;
  onFilters: (change: Partial<LogFilters>) => void;
  /** The text box's value (the filters take it after a pause in typing). */
  text: string;
  onText: (text: string) => void;
  mapNames: readonly string[];
  countText: string;
  exportText: string | null;
  onExport: () => void;
}

/** The Activity page's server-side filters, the match count and Export CSV. */
export function ActivityToolbar({ filters, onFilters, text, onText, mapNames, countText, exportText, onExport }: Props) {
  const styles = useStyles();
  return (
    <div className={styles.toolbar}>
      <Input
        className={styles.filter}
        contentBefore={<Search20Regular />}
        placeholder="Filter by key or message"
        aria-label="Filter by key or message"
        value={text}
        onChange={(_, data) => onText(data.value)}
        data-testid="activity-filter"
      />
      <Select className={styles.select} aria-label="Map" value={filters.map} onChange={(_, d) => onFilters({ map: d.value })} data-testid="activity-map">
        <option value="">All maps</option>
        {mapNames.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </Select>
      <Select
        className={styles.select}
        aria-label="Direction"
        value={filters.direction}
        onChange={(_, d) => onFilters({ direction: d.value as LogFilters['direction'] })}
        data-testid="activity-direction"
      >
        <option value="">Both directions</option>
        <option value="toDataverse">F&amp;O → Dataverse</option>
        <option value="toFinanceOperations">Dataverse → F&amp;O</option>
      </Select>
      <Select
        className={styles.select}
        aria-label="Kind"
        value={filters.kind}
        onChange={(_, d) => onFilters({ kind: d.value as LogFilters['kind'] })}
        data-testid="activity-kind"
      >
        <option value="">All kinds</option>
        <option value="row">Row</option>
        <option value="error">Error</option>
        <option value="lifecycle">Lifecycle</option>
      </Select>
      <Select className={styles.select} aria-label="Status" value={filters.status} onChange={(_, d) => onFilters({ status: d.value })} data-testid="activity-status-filter">
        <option value="">Any status</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </Select>
      <Dropdown
        className={styles.classDropdown}
        aria-label="Error class"
        value={filters.errorClass ? `Class ${filters.errorClass}` : 'Any error class'}
        selectedOptions={[filters.errorClass]}
        onOptionSelect={(_, d) => onFilters({ errorClass: d.optionValue ?? '' })}
        data-testid="activity-class"
      >
        <Option value="" text="Any error class">
          Any
        </Option>
        {ERROR_CLASSES.map((c) => (
          <Option key={c} value={c} data-testid={`activity-class-option-${c}`}>
            {c}
          </Option>
        ))}
      </Dropdown>
      <Button
        appearance="subtle"
        icon={<ArrowSort20Regular />}
        onClick={() => onFilters({ order: filters.order === 'newestFirst' ? 'oldestFirst' : 'newestFirst' })}
        data-testid="activity-order"
      >
        {filters.order === 'newestFirst' ? 'Newest first' : 'Oldest first'}
      </Button>
      <Caption1 className={styles.count} data-testid="activity-count">
        {countText}
      </Caption1>
      <Button icon={<ArrowDownload20Regular />} disabled={exportText !== null} onClick={onExport} data-testid="activity-export">
        {exportText ?? 'Export CSV'}
      </Button>
    </div>
  );
}
