import type { AddedTemplates } from '../bindings/AddedTemplates';
import type { Area } from '../bindings/Area';
import type { Flow } from '../bindings/Flow';
import type { TemplateView } from '../bindings/TemplateView';

/** The gallery's areas, in the order it shows them. */
export const AREAS: readonly Area[] = [
  'customers',
  'vendors',
  'products',
  'sales',
  'finance',
  'organization',
  'workforce',
  'reference',
];

export const AREA_LABELS: Record<Area, string> = {
  customers: 'Customers',
  vendors: 'Vendors',
  products: 'Products',
  sales: 'Sales',
  finance: 'Finance',
  organization: 'Organization',
  workforce: 'Workforce',
  reference: 'Reference data',
};

export const FLOW_LABELS: Record<Flow, string> = {
  both: 'Two-way',
  toDataverse: 'To Dataverse',
  toFinanceOperations: 'To finance and operations',
};

/** Company-specific templates stripe rows by legal entity; shared ones hold one row for all. */
export type CompanyFilter = 'all' | 'company' | 'shared';

export const COMPANY_FILTER_LABELS: Record<CompanyFilter, string> = {
  all: 'Any company scope',
  company: 'Company-specific',
  shared: 'Shared across companies',
};

export interface TemplateFilter {
  query: string;
  area: Area | 'all';
  company: CompanyFilter;
}

export const NO_FILTER: TemplateFilter = { query: '', area: 'all', company: 'all' };

/**
 * Whether every word of `query` occurs (case-insensitively) in the template's title, name,
 * finance and operations entity or Dataverse table (logical name or entity set).
 */
export function matchesQuery(template: TemplateView, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = [
    template.title,
    template.name,
    template.financeOperationsEntity,
    template.dataverseTable,
    template.dataverseEntitySet,
  ]
    .join(' ')
    .toLowerCase();
  return words.every((word) => text.includes(word));
}

function matchesCompany(template: TemplateView, company: CompanyFilter): boolean {
  if (company === 'all') return true;
  return company === 'company' ? template.companySpecific : !template.companySpecific;
}

/** The templates the search, area and company scope keep, in their given order. */
export function filterTemplates(templates: readonly TemplateView[], filter: TemplateFilter): TemplateView[] {
  return templates.filter(
    (t) =>
      (filter.area === 'all' || t.area === filter.area) &&
      matchesCompany(t, filter.company) &&
      matchesQuery(t, filter.query),
  );
}

/**
 * How many templates each area chip would show under the search and company scope (the
 * area itself ignored), with `all` for their sum.
 */
export function areaCounts(templates: readonly TemplateView[], filter: TemplateFilter): Record<Area | 'all', number> {
  const counts = Object.fromEntries([...AREAS, 'all'].map((a) => [a, 0])) as Record<Area | 'all', number>;
  for (const t of filterTemplates(templates, { ...filter, area: 'all' })) {
    counts[t.area] += 1;
    counts.all += 1;
  }
  return counts;
}

/** The templates by area, in the gallery's area order; areas without a template are left out. */
export function groupByArea(templates: readonly TemplateView[]): { area: Area; templates: TemplateView[] }[] {
  return AREAS.map((area) => ({ area, templates: templates.filter((t) => t.area === area) })).filter(
    (group) => group.templates.length > 0,
  );
}

/** The names of the stored maps: the templates marked added and the maps the page lists. */
export function storedNames(templates: readonly TemplateView[], mapNames: readonly string[]): Set<string> {
  return new Set([...templates.filter((t) => t.added).map((t) => t.name), ...mapNames]);
}

/** The maps a template looks up, each with whether a map of that name is stored already. */
export function lookupStatus(template: TemplateView, stored: ReadonlySet<string>): { name: string; added: boolean }[] {
  return template.looksUp.map((name) => ({ name, added: stored.has(name) }));
}

/** The templates after adding: those added now or found stored are marked added. */
export function markAdded(templates: readonly TemplateView[], result: AddedTemplates): TemplateView[] {
  const now = new Set([...result.added, ...result.existing]);
  return templates.map((t) => (now.has(t.name) && !t.added ? { ...t, added: true } : t));
}

/** A template's title, or its name when no template has it. */
export function templateTitle(templates: readonly TemplateView[], name: string): string {
  return templates.find((t) => t.name === name)?.title ?? name;
}

/** One missing map offered after an add: its name and title, and the stored maps that look it up. */
export interface LookupOffer {
  name: string;
  title: string;
  /** Titles of the stored maps that look it up (templates the gallery knows). */
  neededBy: string[];
}

/**
 * What the gallery offers after an add: the missing lookups (as the add answered them) of
 * the maps just added, each with the stored maps that look it up. Lookups other stored maps
 * miss are left out: the offer is about the map just added.
 */
export function lookupOffers(
  templates: readonly TemplateView[],
  result: AddedTemplates,
  stored: ReadonlySet<string>,
): LookupOffer[] {
  const just = templates.filter((t) => result.added.includes(t.name));
  const wanted = new Set(just.flatMap((t) => t.looksUp));
  return [...new Set(result.missingLookups)]
    .filter((name) => wanted.has(name) && !stored.has(name))
    .map((name) => ({
      name,
      title: templateTitle(templates, name),
      neededBy: templates.filter((t) => stored.has(t.name) && t.looksUp.includes(name)).map((t) => t.title),
    }));
}

/** What the toast says after an add. */
export function addedSummary(templates: readonly TemplateView[], result: AddedTemplates): { title: string; body: string } {
  const titles = (names: readonly string[]) => names.map((n) => templateTitle(templates, n)).join(', ');
  const count = result.added.length;
  const title =
    count === 0
      ? 'Nothing added'
      : count === 1
        ? `Added ${titles(result.added)}`
        : `Added ${count} maps`;
  const parts: string[] = [];
  if (count > 1) parts.push(titles(result.added) + '.');
  if (count > 0) parts.push(count === 1 ? 'It is stopped (Not running) until you run it.' : 'They are stopped (Not running) until you run them.');
  if (result.existing.length > 0) parts.push(`Already stored, left as they are: ${titles(result.existing)}.`);
  return { title, body: parts.join(' ') };
}
