import { describe, expect, it } from 'vitest';
import type { MapView } from '../bindings/MapView';
import type { ScenarioMap } from '../bindings/ScenarioMap';
import type { TemplateView } from '../bindings/TemplateView';
import {
  initialSyncLabel,
  mapOptions,
  requiredByText,
  searchMapOptions,
  setChoice,
  toggleMap,
  withChoices,
} from './scenarioMaps';

const stored = (name: string, title: string) =>
  ({ name, title, financeOperationsEntity: 'CustomersV3', dataverseTable: 'account' }) as MapView;
const template = (name: string, title: string, entity: string, table: string) =>
  ({ name, title, financeOperationsEntity: entity, dataverseTable: table }) as TemplateView;

const resolved = (name: string, requiredBy: string[] = []): ScenarioMap => ({
  name,
  title: name,
  source: 'template',
  requiredBy,
  companySpecific: true,
  initialSync: true,
  master: 'financeOperations',
});

describe('mapOptions', () => {
  it('lists stored maps first, then templates not stored, and always the demo map', () => {
    const options = mapOptions(
      [stored('payment-terms', 'Terms of payment')],
      [template('payment-terms', 'Terms of payment', 'PaymentTerms', 'msdyn_paymentterm'), template('customer-groups', 'Customer groups', 'CustomerGroups', 'msdyn_customergroup')],
    );
    expect(options.map((o) => [o.name, o.source])).toEqual([
      ['payment-terms', 'stored'],
      ['customers', 'template'],
      ['customer-groups', 'template'],
    ]);
  });
  it('does not add the demo map twice when it is stored', () => {
    expect(mapOptions([stored('customers', 'Customers')], []).map((o) => o.name)).toEqual(['customers']);
  });
  it('searches name, title and tables by every word', () => {
    const options = mapOptions([], [template('customer-groups', 'Customer groups', 'CustomerGroups', 'msdyn_customergroup'), template('vendors-v2', 'Vendors', 'VendorsV2', 'msdyn_vendor')]);
    expect(searchMapOptions(options, 'GROUP cust').map((o) => o.name)).toEqual(['customer-groups']);
    expect(searchMapOptions(options, 'msdyn_vendor').map((o) => o.name)).toEqual(['vendors-v2']);
    expect(searchMapOptions(options, '  ')).toHaveLength(3);
  });
});

describe('choices', () => {
  it('chooses and drops maps in the order chosen', () => {
    expect(toggleMap(['customers'], 'payment-terms', true)).toEqual(['customers', 'payment-terms']);
    expect(toggleMap(['customers'], 'customers', true)).toEqual(['customers']);
    expect(toggleMap(['customers', 'payment-terms'], 'customers', false)).toEqual(['payment-terms']);
  });
  it('records a change with the map’s other current value, replacing an earlier choice', () => {
    const once = setChoice([], resolved('customers'), { initialSync: false });
    expect(once).toEqual([{ map: 'customers', initialSync: false, master: 'financeOperations' }]);
    const twice = setChoice(once, { ...resolved('customers'), initialSync: false }, { master: 'dataverse' });
    expect(twice).toEqual([{ map: 'customers', initialSync: false, master: 'dataverse' }]);
  });
  it('applies choices as the backend does: a map without one syncs first with the run’s master', () => {
    const rows = withChoices([resolved('customer-groups'), resolved('customers')], [{ map: 'customers', initialSync: false, master: 'financeOperations' }], 'dataverse');
    expect(rows.map((r) => [r.name, r.initialSync, r.master])).toEqual([
      ['customer-groups', true, 'dataverse'],
      ['customers', false, 'financeOperations'],
    ]);
  });
  it('names who looks a map up, and the initial sync choice', () => {
    expect(requiredByText(resolved('customer-groups', ['customers', 'customers-v3-contacts']))).toBe('looked up by customers, customers-v3-contacts');
    expect(requiredByText(resolved('customers'))).toBe('');
    expect(initialSyncLabel(true)).toBe('Sync existing rows');
    expect(initialSyncLabel(false)).toBe('Skip, go live');
  });
});
