# Builds catalog.json from the standard map templates in crates/duet-maps/templates.
# Run from the workspace root: python3 crates/duet-sandbox/catalog/generate.py
import json, glob, re
T = {json.load(open(f))['name']: json.load(open(f)) for f in sorted(glob.glob('crates/duet-maps/templates/*.json'))}
fo, dv, pairs = {}, {}, []
def fo_ent(name, company):
    e = fo.setdefault(name, {"entitySet": name, "companySpecific": bool(company), "writable": True,
                             "keys": [], "fields": []})
    return e
def add(lst, col):
    for c in lst:
        if c["name"] == col["name"]:
            return
    lst.append(col)
PARTY_TYPE = {"type": "enum", "enum": "DirPartyBaseType", "members": ["Organization", "Person", "None"]}
MONEY = re.compile(r'(Amount|Limit|Price)$', re.I)
for name, t in T.items():
    company = t.get('company')
    e = fo_ent(t['financeOperationsEntity'], company)
    keys = (["dataAreaId"] if company else []) + t['key']['financeOperations']
    if not e["keys"]:
        e["keys"] = keys
    if company:
        add(e["fields"], {"name": "dataAreaId", "type": "string"})
    d = dv.setdefault(t['dataverseEntitySet'], {"logicalName": t['dataverseTable'], "entitySet": t['dataverseEntitySet'],
        "primaryId": t['dataverseId'], "alternateKeys": [t['key']['dataverse']], "columns": []})
    add(d["columns"], {"name": t['dataverseId'], "type": "uniqueidentifier"})
    if company and t['dataverseEntitySet'] != 'cdm_companies':
        add(d["columns"], {"name": "msdyn_company", "type": "lookup", "target": "cdm_companies"})
    pairs.append({"template": name, "finops": e["entitySet"], "dataverse": d["entitySet"]})
    for f in t['fields']:
        fn, dn, tr, lk = f['financeOperations'], f['dataverse'], f.get('transform'), f.get('lookup')
        fot, dvt = {"type": "string"}, {"type": "string"}
        if tr and tr['kind'] == 'valueMap':
            members = [p[0] for p in tr['pairs']]; vals = [p[1] for p in tr['pairs']]
            en = "NoYes" if members == ["No", "Yes"] else fn
            fot = {"type": "enum", "enum": en, "members": members}
            if all(isinstance(v, bool) for v in vals):
                dvt = {"type": "boolean"}
            else:
                dvt = {"type": "choice", "options": [{"value": v, "label": m} for m, v in zip(members, vals)]}
        elif tr and tr['kind'] == 'dateFormat':
            fot = {"type": "datetime"}; dvt = {"type": "datetime"}
        elif tr and tr['kind'] == 'numberFormat':
            fot = {"type": "decimal"}; dvt = {"type": "money"}
        elif tr and tr['kind'] == 'default':
            v = tr['value']
            if isinstance(v, bool): dvt = {"type": "boolean"}
            elif isinstance(v, float): dvt = {"type": "decimal"}
            elif isinstance(v, int): dvt = {"type": "choice", "options": [{"value": 1, "label": "Competitor"}, {"value": 2, "label": "Consultant"}, {"value": 3, "label": "Customer"}, {"value": 4, "label": "Investor"}, {"value": 5, "label": "Partner"}]}
            if fn == 'PartyType':
                fot = PARTY_TYPE
        elif fn and MONEY.search(fn):
            fot = {"type": "decimal"}; dvt = {"type": "money"}
        if lk and dn:
            col = dn.split('.')[0]
            target = T[lk['targetMap']]['dataverseEntitySet']
            dvt = {"type": "lookup", "target": target}
            dn = col
        if fn:
            add(e["fields"], dict(name=fn, **fot))
        if dn:
            add(d["columns"], dict(name=dn, **dvt))
# fields the emulators already serve
c = fo["CustomersV3"]
for n in ["PrimaryContactEmail", "PrimaryContactPhone", "AddressStreet", "AddressCity",
          "AddressZipCode", "AddressState", "AddressCountryRegionId"]:
    add(c["fields"], {"name": n, "type": "string"})
a = dv["accounts"]
for n in ["emailaddress1", "telephone1"]:
    add(a["columns"], {"name": n, "type": "string"})
# Columns a consultant maps beyond the contacts template: a person's middle name and gender
# (an enum on one side, a choice with fewer options on the other, so a value map is needed).
add(c["fields"], {"name": "PersonMiddleName", "type": "string"})
add(c["fields"], {"name": "PersonGender", "type": "enum", "enum": "Gender",
                  "members": ["None", "Male", "Female", "NonSpecific"]})
k = dv["contacts"]
add(k["columns"], {"name": "middlename", "type": "string"})
add(k["columns"], {"name": "gendercode", "type": "choice", "options": [
    {"value": 1, "label": "Male"}, {"value": 2, "label": "Female"}]})
# Columns that template source filters name without mapping them.
add(fo["Prospects"]["fields"], {"name": "IsB2BProspect", "type": "integer"})
ORDER_TYPE = {"name": "msdyn_ordertype", "type": "choice", "options": [
    {"value": 192350000, "label": "Item based"}, {"value": 192350001, "label": "Work based"}]}
add(dv["quotes"]["columns"], ORDER_TYPE)
add(dv["quotes"]["columns"], {"name": "statecode", "type": "choice", "options": [
    {"value": 0, "label": "Draft"}, {"value": 1, "label": "Active"}, {"value": 2, "label": "Won"},
    {"value": 3, "label": "Closed"}]})
add(dv["invoices"]["columns"], ORDER_TYPE)
def singular(n):
    m = re.match(r'^(.*?)(V\d+)?$', n); base, v = m.group(1), m.group(2) or ""
    if base.endswith("ies"): base = base[:-3] + "y"
    elif base.endswith("xes"): base = base[:-2]
    elif base.endswith("s"): base = base[:-1]
    return base + v
SPECIAL = {"CustomersV3": ("CustomerV3", "CustCustomerV3Entity"), "LegalEntities": ("LegalEntity", "CompanyInfoEntity"),
           "ModesOfDelivery": ("ModeOfDelivery", None), "UnitsOfMeasure": ("UnitOfMeasure", None)}
for e in fo.values():
    et, tt = SPECIAL.get(e["entitySet"], (singular(e["entitySet"]), None))
    e["entityType"] = et
    e["tableType"] = tt or (et + "Entity")
for e in fo.values():
    for k in e["keys"]:
        add(e["fields"], {"name": k, "type": "string"})
    add(e["fields"], {"name": "ModifiedDateTime", "type": "datetime", "readOnly": True})
# Navigation properties for one level of $expand: (entity, name, target, collection,
# [(field, target field)]). Names follow the entities' relations; none clashes with a field.
NAVIGATIONS = [
    ("CustomersV3", "CustomerGroup", "CustomerGroups", False, [("dataAreaId", "dataAreaId"), ("CustomerGroupId", "CustomerGroupId")]),
    ("CustomersV3", "SalesCurrency", "Currencies", False, [("SalesCurrencyCode", "CurrencyCode")]),
    ("CustomerGroups", "Customers", "CustomersV3", True, [("dataAreaId", "dataAreaId"), ("CustomerGroupId", "CustomerGroupId")]),
    ("VendorsV2", "VendorGroup", "VendorGroups", False, [("dataAreaId", "dataAreaId"), ("VendorGroupId", "VendorGroupId")]),
    ("CDSSalesOrderHeaders", "SalesOrderLines", "CDSSalesOrderLines", True, [("dataAreaId", "dataAreaId"), ("SalesOrderNumber", "SalesOrderNumber")]),
    ("CDSSalesOrderLines", "SalesOrderHeader", "CDSSalesOrderHeaders", False, [("dataAreaId", "dataAreaId"), ("SalesOrderNumber", "SalesOrderNumber")]),
    ("SalesInvoiceHeadersV2", "SalesInvoiceLines", "SalesInvoiceLinesV2", True, [("dataAreaId", "dataAreaId"), ("InvoiceNumber", "InvoiceNumber")]),
    ("SalesInvoiceLinesV2", "SalesInvoiceHeader", "SalesInvoiceHeadersV2", False, [("dataAreaId", "dataAreaId"), ("InvoiceNumber", "InvoiceNumber")]),
    ("Warehouses", "OperationalSite", "OperationalSites", False, [("dataAreaId", "dataAreaId"), ("OperationalSiteId", "SiteId")]),
    ("ReleasedProductsV2", "Product", "AllProducts", False, [("ProductNumber", "ProductNumber")]),
]
for src, name, target, many, pairs_ in NAVIGATIONS:
    fields = {f["name"] for f in fo[src]["fields"]}
    assert name not in fields, name
    assert all(a in fields for a, _ in pairs_) and all(b in {f["name"] for f in fo[target]["fields"]} for _, b in pairs_), name
    fo[src].setdefault("navigations", []).append({"name": name, "target": target, "collection": many,
        "constraints": [{"field": a, "targetField": b} for a, b in pairs_]})
json.dump({"finops": list(fo.values()), "dataverse": list(dv.values()), "pairs": pairs},
          open('crates/duet-sandbox/catalog/catalog.json', 'w'), indent=1)
print(len(fo), len(dv), len(pairs))
