import { describe, expect, it } from 'vitest';
import type { TemplateView } from '../bindings/TemplateView';
import {
  NO_FILTER,
  addedSummary,
  areaCounts,
  filterTemplates,
  groupByArea,
  lookupOffers,
  lookupStatus,
  markAdded,
  matchesQuery,
  storedNames,
  templateTitle,
} from './templates';

function template(name: string, overrides: Partial<TemplateView> = {}): TemplateView {
  return {
    name,
    title: name,
    area: 'customers',
    companySpecific: true,
    financeOperationsEntity: 'Entity',
    dataverseTable: 'table',
    dataverseEntitySet: 'tables',
    flow: 'both',
    looksUp: [],
    fieldCount: 2,
    note: null,
    added: false,
    definition: {} as TemplateView['definition'],
    ...overrides,
  };
}

const contacts = template('customers-v3-contacts', {
  title: 'Customers V3 ↔ contacts',
  financeOperationsEntity: 'CustomersV3',
  dataverseTable: 'contact',
  dataverseEntitySet: 'contacts',
  looksUp: ['currencies', 'customer-groups', 'payment-terms'],
});
const currencies = template('currencies', {
  title: 'Currencies ↔ transactioncurrencies',
  area: 'finance',
  companySpecific: false,
  financeOperationsEntity: 'Currencies',
  dataverseTable: 'transactioncurrency',
  dataverseEntitySet: 'transactioncurrencies',
});
const groups = template('customer-groups', { title: 'Customer groups ↔ msdyn_customergroups' });
const terms = template('payment-terms', { title: 'Terms of payment ↔ msdyn_paymentterms', area: 'finance' });
const warehouses = template('warehouses', { title: 'Warehouses', area: 'organization', looksUp: ['sites'], added: true });
const sites = template('sites', { title: 'Sites', area: 'organization' });
const ALL = [contacts, currencies, groups, terms, warehouses, sites];

describe('template search and filters', () => {
  it('matches every word against title, name, entity and table, ignoring case', () => {
    expect(matchesQuery(contacts, '')).toBe(true);
    expect(matchesQuery(contacts, 'CONTACTS')).toBe(true);
    expect(matchesQuery(contacts, 'customersv3 contact')).toBe(true);
    expect(matchesQuery(contacts, 'customers-v3')).toBe(true);
    expect(matchesQuery(currencies, 'transactioncurrency')).toBe(true);
    expect(matchesQuery(contacts, 'contacts vendors')).toBe(false);
  });

  it('filters by area and company scope together with the search', () => {
    expect(filterTemplates(ALL, NO_FILTER)).toHaveLength(ALL.length);
    expect(filterTemplates(ALL, { ...NO_FILTER, area: 'finance' }).map((t) => t.name)).toEqual(['currencies', 'payment-terms']);
    expect(filterTemplates(ALL, { ...NO_FILTER, company: 'shared' }).map((t) => t.name)).toEqual(['currencies']);
    expect(filterTemplates(ALL, { ...NO_FILTER, company: 'company', area: 'finance' }).map((t) => t.name)).toEqual(['payment-terms']);
    expect(filterTemplates(ALL, { query: 'customer', area: 'customers', company: 'all' }).map((t) => t.name)).toEqual([
      'customers-v3-contacts',
      'customer-groups',
    ]);
  });

  it('counts each area under the search and scope, whatever area is chosen', () => {
    const counts = areaCounts(ALL, { query: '', area: 'finance', company: 'company' });
    expect(counts.all).toBe(5);
    expect(counts.customers).toBe(2);
    expect(counts.finance).toBe(1);
    expect(counts.organization).toBe(2);
    expect(counts.workforce).toBe(0);
  });

  it('groups by area in the gallery order and leaves empty areas out', () => {
    expect(groupByArea(ALL).map((g) => [g.area, g.templates.map((t) => t.name)])).toEqual([
      ['customers', ['customers-v3-contacts', 'customer-groups']],
      ['finance', ['currencies', 'payment-terms']],
      ['organization', ['warehouses', 'sites']],
    ]);
    expect(groupByArea([])).toEqual([]);
  });
});

describe('lookups and adding', () => {
  it('marks which lookups are stored, by template or by a listed map', () => {
    const stored = storedNames(ALL, ['currencies', 'customers']);
    expect([...stored].sort()).toEqual(['currencies', 'customers', 'warehouses']);
    expect(lookupStatus(contacts, stored)).toEqual([
      { name: 'currencies', added: true },
      { name: 'customer-groups', added: false },
      { name: 'payment-terms', added: false },
    ]);
  });

  it('marks templates added or found existing after an add', () => {
    const after = markAdded(ALL, { added: ['customers-v3-contacts'], existing: ['sites'], missingLookups: [] });
    expect(after.filter((t) => t.added).map((t) => t.name)).toEqual(['customers-v3-contacts', 'warehouses', 'sites']);
    expect(after[1]).toBe(ALL[1]);
  });

  it('offers the missing lookups of the maps just added, each with who needs it', () => {
    const result = {
      added: ['customers-v3-contacts'],
      existing: [],
      missingLookups: ['sites', 'currencies', 'customer-groups', 'payment-terms'],
    };
    const after = markAdded(ALL, result);
    const offers = lookupOffers(after, result, storedNames(after, []));
    // sites is missing for warehouses, stored before: not part of this offer.
    expect(offers.map((o) => o.name)).toEqual(['currencies', 'customer-groups', 'payment-terms']);
    expect(offers[0]).toEqual({
      name: 'currencies',
      title: 'Currencies ↔ transactioncurrencies',
      neededBy: ['Customers V3 ↔ contacts'],
    });
  });

  it('offers nothing already stored, nothing when nothing was added, and a lookup without a template by name', () => {
    const withUnknown = [...ALL, template('orders', { looksUp: ['currencies', 'nowhere'] })];
    const result = { added: ['orders'], existing: [], missingLookups: ['currencies', 'nowhere'] };
    const after = markAdded(withUnknown, result);
    expect(lookupOffers(after, result, new Set(['orders', 'currencies']))).toEqual([
      { name: 'nowhere', title: 'nowhere', neededBy: ['orders'] },
    ]);
    expect(lookupOffers(ALL, { added: [], existing: ['customers-v3-contacts'], missingLookups: ['currencies'] }, new Set())).toEqual([]);
    expect(templateTitle(ALL, 'nowhere')).toBe('nowhere');
  });

  it('says what an add did', () => {
    expect(addedSummary(ALL, { added: ['customers-v3-contacts'], existing: [], missingLookups: [] })).toEqual({
      title: 'Added Customers V3 ↔ contacts',
      body: 'It is stopped (Not running) until you run it.',
    });
    const many = addedSummary(ALL, { added: ['currencies', 'payment-terms'], existing: ['sites'], missingLookups: [] });
    expect(many.title).toBe('Added 2 maps');
    expect(many.body).toBe(
      'Currencies ↔ transactioncurrencies, Terms of payment ↔ msdyn_paymentterms. They are stopped (Not running) until you run them. Already stored, left as they are: Sites.',
    );
    expect(addedSummary(ALL, { added: [], existing: ['sites'], missingLookups: [] }).title).toBe('Nothing added');
  });
});
