import {
  Badge,
  Button,
  Caption1,
  Card,
  CardFooter,
  CardHeader,
  Text,
  Tooltip,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import {
  Add16Regular,
  ArrowLeft16Regular,
  ArrowRight16Regular,
  ArrowSync16Regular,
  Building16Regular,
  Checkmark12Filled,
  CheckmarkCircle16Filled,
  Circle12Regular,
  Globe16Regular,
} from '@fluentui/react-icons';
import { memo, type ReactElement } from 'react';
import type { Flow } from '../../bindings/Flow';
import type { TemplateView } from '../../bindings/TemplateView';
import { AREA_LABELS, FLOW_LABELS, lookupStatus } from '../../lib/templates';

const FLOW_ICONS: Record<Flow, ReactElement> = {
  both: <ArrowSync16Regular />,
  toDataverse: <ArrowRight16Regular />,
  toFinanceOperations: <ArrowLeft16Regular />,
};

const useStyles = makeStyles({
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, height: '100%', boxSizing: 'border-box' },
  added: { backgroundColor: tokens.colorNeutralBackground2 },
  title: { fontWeight: tokens.fontWeightSemibold },
  tables: {
    color: tokens.colorNeutralForeground3,
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: 'anywhere',
  },
  badges: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS, alignItems: 'center' },
  note: {
    color: tokens.colorNeutralForeground2,
    display: '-webkit-box',
    WebkitLineClamp: 3,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
  },
  lookups: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS, alignItems: 'center' },
  muted: { color: tokens.colorNeutralForeground3 },
  footer: { marginTop: 'auto', alignItems: 'center' },
  addedLabel: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalXS, color: tokens.colorPaletteGreenForeground1 },
});

/**
 * One standard map: its tables, area, company scope, flow, field count, note and the maps it
 * looks up (those already stored ticked), with Add map, or Added once it is stored.
 */
export const TemplateCard = memo(function TemplateCard({
  template,
  stored,
  adding,
  disabled,
  onAdd,
}: {
  template: TemplateView;
  stored: ReadonlySet<string>;
  adding: boolean;
  /** Another add is under way. */
  disabled: boolean;
  onAdd: (name: string) => void;
}) {
  const styles = useStyles();
  const t = template;
  const lookups = lookupStatus(t, stored);
  return (
    <Card
      className={mergeClasses(styles.card, t.added && styles.added)}
      data-testid={`template-card-${t.name}`}
      data-added={t.added}
      aria-label={t.title}
    >
      <CardHeader
        header={<Text className={styles.title}>{t.title}</Text>}
        description={
          <span
            className={styles.tables}
            title={`F&O entity ${t.financeOperationsEntity} ↔ Dataverse table ${t.dataverseTable} (${t.dataverseEntitySet})`}
          >
            {t.financeOperationsEntity} ↔ {t.dataverseTable}
          </span>
        }
      />
      <div className={styles.badges}>
        <Badge appearance="outline" color="informative" data-testid={`template-area-badge-${t.name}`}>
          {AREA_LABELS[t.area]}
        </Badge>
        {t.companySpecific ? (
          <Badge appearance="tint" color="brand" icon={<Building16Regular />} data-testid={`template-company-${t.name}`}>
            Company-specific
          </Badge>
        ) : (
          <Badge appearance="tint" color="subtle" icon={<Globe16Regular />}>
            Shared across companies
          </Badge>
        )}
        <Badge appearance="tint" color="subtle" icon={FLOW_ICONS[t.flow]} data-testid={`template-flow-${t.name}`}>
          {FLOW_LABELS[t.flow]}
        </Badge>
        <Caption1 className={styles.muted}>{t.fieldCount === 1 ? '1 field' : `${t.fieldCount} fields`}</Caption1>
      </div>
      {t.note ? (
        <Caption1 className={styles.note} title={t.note}>
          {t.note}
        </Caption1>
      ) : null}
      <div className={styles.lookups} data-testid={`template-lookups-${t.name}`}>
        <Caption1 className={styles.muted}>{lookups.length > 0 ? 'Looks up:' : 'Looks up no other map'}</Caption1>
        {lookups.map((lookup) => (
          <Tooltip
            key={lookup.name}
            relationship="description"
            content={lookup.added ? `${lookup.name} is added` : `${lookup.name} is not added yet`}
          >
            <Badge
              appearance={lookup.added ? 'tint' : 'outline'}
              color={lookup.added ? 'success' : 'warning'}
              icon={lookup.added ? <Checkmark12Filled /> : <Circle12Regular />}
              data-testid={`template-lookup-${t.name}-${lookup.name}`}
              data-added={lookup.added}
              tabIndex={0}
            >
              {lookup.name}
            </Badge>
          </Tooltip>
        ))}
      </div>
      <CardFooter className={styles.footer}>
        {t.added ? (
          <span className={styles.addedLabel} data-testid={`template-added-${t.name}`}>
            <CheckmarkCircle16Filled />
            <Text weight="semibold">Added</Text>
          </span>
        ) : (
          <Button
            appearance="primary"
            size="small"
            icon={<Add16Regular />}
            disabled={adding || disabled}
            onClick={() => onAdd(t.name)}
            data-testid={`template-add-${t.name}`}
          >
            {adding ? 'Adding…' : 'Add map'}
          </Button>
        )}
      </CardFooter>
    </Card>
  );
});
