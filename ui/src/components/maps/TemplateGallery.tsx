import {
  Body1,
  Button,
  Caption1,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Option,
  SearchBox,
  Spinner,
  Subtitle2,
  ToggleButton,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Add16Regular } from '@fluentui/react-icons';
import { useDeferredValue, useMemo, useState } from 'react';
import {
  AREAS,
  AREA_LABELS,
  COMPANY_FILTER_LABELS,
  NO_FILTER,
  areaCounts,
  filterTemplates,
  groupByArea,
  type CompanyFilter,
  type TemplateFilter,
} from '../../lib/templates';
import { ErrorBar } from '../ErrorBar';
import { TemplateCard } from './TemplateCard';
import { useTemplateGallery, type OfferState } from './useTemplateGallery';

const COMPANY_FILTERS: CompanyFilter[] = ['all', 'company', 'shared'];

const useStyles = makeStyles({
  surface: { maxWidth: '1280px', width: '94vw', height: 'min(900px, 92vh)', boxSizing: 'border-box' },
  body: { height: '100%', maxHeight: '100%' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, overflow: 'hidden', minHeight: 0 },
  // The intro, offer and filters keep their height; only the cards below them scroll.
  head: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, flexShrink: 0 },
  filters: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  search: { flexGrow: 1, minWidth: '260px', maxWidth: '520px' },
  company: { minWidth: '230px' },
  areas: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
  count: { color: tokens.colorNeutralForeground3 },
  results: {
    flexGrow: 1,
    minHeight: 0,
    overflowY: 'auto',
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalL,
    paddingBlockStart: tokens.spacingVerticalXXS,
    paddingBlockEnd: tokens.spacingVerticalM,
    paddingInline: tokens.spacingHorizontalXXS,
  },
  group: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(300px, 1fr))', gap: tokens.spacingHorizontalM },
  empty: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: tokens.spacingVerticalS, paddingBlock: tokens.spacingVerticalXL },
  offerList: { display: 'flex', flexDirection: 'column', marginBlockStart: tokens.spacingVerticalXS },
  neededBy: { color: tokens.colorNeutralForeground3 },
});

/**
 * The 35 standard maps as cards, to search, filter by area and company scope, and add as
 * stopped maps. After an add it offers the maps the new map looks up that are not stored yet.
 */
export function TemplateGallery({
  mapNames,
  onAdded,
  onClose,
}: {
  /** Names of the maps the page lists. */
  mapNames: readonly string[];
  /** A map was added: the page reloads its maps. */
  onAdded: () => void;
  onClose: () => void;
}) {
  const styles = useStyles();
  const gallery = useTemplateGallery(mapNames, onAdded);
  const { templates, error, stored, adding, offer } = gallery;
  const [filter, setFilter] = useState<TemplateFilter>(NO_FILTER);
  // Typing stays responsive: the cards follow the search a moment later.
  const query = useDeferredValue(filter.query);

  const shown = useMemo(() => filterTemplates(templates ?? [], { ...filter, query }), [templates, filter, query]);
  const counts = useMemo(() => areaCounts(templates ?? [], { ...filter, query }), [templates, filter, query]);
  const groups = useMemo(
    () => (filter.area === 'all' ? groupByArea(shown) : [{ area: filter.area, templates: shown }]),
    [filter.area, shown],
  );
  const busy = adding.length > 0;
  const onAdd = (name: string) => gallery.add([name]);

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : onClose())}>
      <DialogSurface className={styles.surface} data-testid="template-gallery">
        <DialogBody className={styles.body}>
          <DialogTitle>Add from template</DialogTitle>
          <DialogContent className={styles.content}>
            <div className={styles.head}>
              <Body1>
                The standard dual-write maps. An added map is stopped until you run it; add the maps it looks up
                first or with it.
              </Body1>
              {error ? <ErrorBar title="Cannot load the templates" error={error} onRetry={gallery.reload} /> : null}
              {offer ? (
                <LookupOffer
                  offer={offer}
                  busy={busy}
                  onChoose={gallery.choose}
                  onAdd={gallery.addChosen}
                  onDismiss={gallery.dismissOffer}
                />
              ) : null}
              <div className={styles.filters}>
                <SearchBox
                  className={styles.search}
                  placeholder="Search title, name, entity or table"
                  aria-label="Search templates"
                  value={filter.query}
                  onChange={(_, data) => setFilter((f) => ({ ...f, query: data.value }))}
                  data-testid="template-search"
                />
                <Dropdown
                  className={styles.company}
                  aria-label="Company scope"
                  value={COMPANY_FILTER_LABELS[filter.company]}
                  selectedOptions={[filter.company]}
                  onOptionSelect={(_, data) => setFilter((f) => ({ ...f, company: data.optionValue as CompanyFilter }))}
                  data-testid="template-company-filter"
                >
                  {COMPANY_FILTERS.map((company) => (
                    <Option key={company} value={company} data-testid={`template-company-option-${company}`}>
                      {COMPANY_FILTER_LABELS[company]}
                    </Option>
                  ))}
                </Dropdown>
              </div>
              <div className={styles.areas} role="group" aria-label="Area">
                {(['all', ...AREAS] as const).map((area) => (
                  <ToggleButton
                    key={area}
                    size="small"
                    shape="circular"
                    checked={filter.area === area}
                    appearance={filter.area === area ? 'primary' : 'secondary'}
                    onClick={() => setFilter((f) => ({ ...f, area }))}
                    data-testid={`template-area-${area}`}
                  >
                    {area === 'all' ? 'All areas' : AREA_LABELS[area]} ({counts[area]})
                  </ToggleButton>
                ))}
              </div>
              {templates ? (
                <Caption1 className={styles.count} data-testid="template-count">
                  Showing {shown.length} of {templates.length} templates
                </Caption1>
              ) : null}
            </div>
            <div className={styles.results} data-testid="template-results">
              {!templates && !error ? <Spinner label="Loading the templates…" /> : null}
              {templates && shown.length === 0 ? (
                <div className={styles.empty} data-testid="template-empty">
                  <Body1>No template matches the search and filters.</Body1>
                  <Button onClick={() => setFilter(NO_FILTER)}>Clear search and filters</Button>
                </div>
              ) : null}
              {groups.map((group) => (
                <section key={group.area} className={styles.group} aria-label={AREA_LABELS[group.area]}>
                  {filter.area === 'all' ? (
                    <Subtitle2 as="h3">
                      {AREA_LABELS[group.area]} ({group.templates.length})
                    </Subtitle2>
                  ) : null}
                  <div className={styles.grid}>
                    {group.templates.map((t) => (
                      <TemplateCard
                        key={t.name}
                        template={t}
                        stored={stored}
                        adding={adding.includes(t.name)}
                        disabled={busy}
                        onAdd={onAdd}
                      />
                    ))}
                  </div>
                </section>
              ))}
            </div>
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onClose} data-testid="template-gallery-close">
              Close
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** "Also add the maps it looks up", each one chosen or not, added together with one action. */
function LookupOffer({
  offer,
  busy,
  onChoose,
  onAdd,
  onDismiss,
}: {
  offer: OfferState;
  busy: boolean;
  onChoose: (name: string, on: boolean) => void;
  onAdd: () => void;
  onDismiss: () => void;
}) {
  const styles = useStyles();
  const what = offer.after.length === 1 ? offer.after[0] : 'The maps added';
  const count = offer.chosen.length;
  return (
    <MessageBar intent="info" layout="multiline" data-testid="template-lookups-offer">
      <MessageBarBody>
        <MessageBarTitle>Also add the maps it looks up</MessageBarTitle>
        {what} {offer.after.length === 1 ? 'starts' : 'start'} only after the maps {offer.after.length === 1 ? 'it looks' : 'they look'} up,
        and {offer.offers.length === 1 ? 'this one is' : 'these are'} not added yet.
        <div className={styles.offerList}>
          {offer.offers.map((o) => (
            <Checkbox
              key={o.name}
              checked={offer.chosen.includes(o.name)}
              onChange={(_, data) => onChoose(o.name, !!data.checked)}
              label={
                <>
                  {o.title} <span className={styles.neededBy}>({o.name}{o.neededBy.length > 0 ? `, needed by ${o.neededBy.join(', ')}` : ''})</span>
                </>
              }
              data-testid={`template-lookup-choice-${o.name}`}
            />
          ))}
        </div>
      </MessageBarBody>
      <MessageBarActions>
        <Button
          appearance="primary"
          icon={<Add16Regular />}
          disabled={busy || count === 0}
          onClick={onAdd}
          data-testid="template-add-lookups"
        >
          {busy ? 'Adding…' : count === offer.offers.length ? `Add ${count === 1 ? 'it' : `all ${count}`}` : `Add ${count} chosen`}
        </Button>
        <Button onClick={onDismiss} data-testid="template-lookups-dismiss">
          Not now
        </Button>
      </MessageBarActions>
    </MessageBar>
  );
}
