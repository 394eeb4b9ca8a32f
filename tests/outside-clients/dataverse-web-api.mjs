// Runs dynamics-web-api (npm, by Aleksandr Rogov) against Duet's Dataverse emulator through
// the library's own public API. Only the server URL and the token source differ from a stock
// Node.js setup: the URL is DUET_DV_URL and onTokenRefresh asks the sandbox's token endpoint.
// Prints one line per check and exits non-zero on the first failure.
import { DynamicsWebApi } from "dynamics-web-api";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run through tests/outside-clients/run.sh)`);
  return value;
};
const DV = env("DUET_DV_URL");
const TOKEN_URL = env("DUET_TOKEN_URL");
const CLIENT_ID = env("DUET_CLIENT_ID");
const CLIENT_SECRET = env("DUET_CLIENT_SECRET");

// The token source: the client-credentials grant a Node.js service would send to Entra ID.
async function acquireToken() {
  const response = await fetch(TOKEN_URL, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      scope: `${DV}/.default`,
    }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}: ${JSON.stringify(body)}`);
  return { accessToken: body.access_token };
}

const api = new DynamicsWebApi({
  serverUrl: DV,
  dataApi: { version: "9.2" },
  onTokenRefresh: acquireToken,
});

// Stops at the first failure; DUET_CHECKS_KEEP_GOING=1 runs the rest too (to list every gap).
const keepGoing = process.env.DUET_CHECKS_KEEP_GOING === "1";
let passed = 0;
let failed = 0;
async function check(name, body) {
  try {
    const detail = await body();
    passed += 1;
    console.log(`ok ${passed + failed} - dynamics-web-api: ${name}${detail ? ` (${detail})` : ""}`);
  } catch (error) {
    failed += 1;
    const status = error?.status ? ` [HTTP ${error.status}${error.code ? ` ${error.code}` : ""}]` : "";
    const message = Array.isArray(error) ? JSON.stringify(error) : (error?.message ?? error);
    console.error(`not ok ${passed + failed} - dynamics-web-api: ${name}${status}: ${message}`);
    if (error?.stack && !error?.status) console.error(error.stack);
    if (!keepGoing) {
      console.log(`${passed} passed, ${failed} failed`);
      process.exit(1);
    }
  }
}
function expect(condition, message) {
  if (!condition) throw new Error(message);
}
function equal(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Rows of this run carry a prefix of their own, so a rerun on the same store starts clean.
const run = `JS${Date.now().toString(36).toUpperCase()}`;
const number = (n) => `${run}-${String(n).padStart(3, "0")}`;
let accountId;

await check("WhoAmI", async () => {
  const who = await api.callFunction("WhoAmI");
  expect(GUID.test(who.UserId ?? ""), `UserId is not a GUID: ${JSON.stringify(who)}`);
  expect(GUID.test(who.BusinessUnitId ?? ""), `BusinessUnitId is not a GUID: ${JSON.stringify(who)}`);
  return `user ${who.UserId}`;
});

await check("create", async () => {
  accountId = await api.create({
    collection: "accounts",
    data: { name: "Contoso (JS)", accountnumber: number(0), telephone1: "555-0100", customertypecode: 3 },
  });
  expect(GUID.test(accountId ?? ""), `create did not answer a GUID: ${JSON.stringify(accountId)}`);
  return accountId;
});

await check("create with return=representation", async () => {
  const row = await api.create({
    collection: "accounts",
    data: { name: "Fabrikam (JS)", accountnumber: number(1), customertypecode: 5 },
    returnRepresentation: true,
    select: ["accountid", "name", "accountnumber", "customertypecode"],
  });
  equal(row.name, "Fabrikam (JS)", "name");
  equal(row.customertypecode, 5, "customertypecode");
  expect(GUID.test(row.accountid ?? ""), `no accountid in ${JSON.stringify(row)}`);
});

await check("read", async () => {
  const row = await api.retrieve({
    collection: "accounts",
    key: accountId,
    select: ["name", "accountnumber", "telephone1", "customertypecode"],
  });
  equal(row.accountid, accountId, "accountid");
  equal(row.name, "Contoso (JS)", "name");
  equal(row.telephone1, "555-0100", "telephone1");
  equal(row.customertypecode, 3, "customertypecode");
  expect(typeof row["@odata.etag"] === "string", "no @odata.etag");
});

await check("read by alternate key", async () => {
  const row = await api.retrieve({ collection: "accounts", key: `accountnumber='${number(0)}'`, select: ["name"] });
  equal(row.accountid, accountId, "accountid");
});

await check("update", async () => {
  const updated = await api.update({ collection: "accounts", key: accountId, data: { telephone1: "555-0199" } });
  equal(updated, true, "update result");
  const row = await api.retrieve({ collection: "accounts", key: accountId, select: ["telephone1", "name"] });
  equal(row.telephone1, "555-0199", "telephone1 read back");
  equal(row.name, "Contoso (JS)", "name untouched");
});

await check("update of a missing row with If-Match: * is refused", async () => {
  let failed = null;
  try {
    await api.update({ collection: "accounts", key: "00000000-0000-0000-0000-00000000beef", data: { name: "x" } });
  } catch (error) {
    failed = error;
  }
  expect(failed && failed.status === 404, `expected a 404, got ${failed ? failed.status : "success"}`);
});

await check("upsert by alternate key (creates, then updates)", async () => {
  const key = `accountnumber='${run}-UP'`;
  await api.upsert({ collection: "accounts", key, data: { name: "Upserted once" } });
  let row = await api.retrieve({ collection: "accounts", key, select: ["name", "accountnumber"] });
  equal(row.name, "Upserted once", "name after the creating upsert");
  equal(row.accountnumber, `${run}-UP`, "accountnumber copied from the key");
  const firstId = row.accountid;
  await api.upsert({ collection: "accounts", key, data: { name: "Upserted twice" } });
  row = await api.retrieve({ collection: "accounts", key, select: ["name"] });
  equal(row.name, "Upserted twice", "name after the updating upsert");
  equal(row.accountid, firstId, "the same row");
  const again = await api.upsert({ collection: "accounts", key, data: { name: "never" }, ifnonematch: "*" });
  equal(again, null, "create-only upsert of an existing row");
});

await check("batch: change set with Content-ID reference, then a GET", async () => {
  api.startBatch();
  for (let n = 2; n <= 12; n += 1) {
    api.create({
      collection: "accounts",
      data: { name: `Batch row ${n}`, accountnumber: number(n), customertypecode: n % 2 ? 3 : 1 },
      contentId: n === 2 ? "1" : undefined,
    });
  }
  api.update({ contentId: "$1", data: { telephone1: "555-0102" } });
  api.retrieveMultiple({
    collection: "accounts",
    select: ["accountnumber", "telephone1"],
    filter: `accountnumber eq '${number(2)}'`,
  });
  const results = await api.executeBatch();
  equal(results.length, 13, "batch results");
  for (let i = 0; i < 11; i += 1) expect(GUID.test(results[i] ?? ""), `create ${i} answered ${JSON.stringify(results[i])}`);
  equal(results[11], true, "update through $1");
  const read = results[12];
  equal(read.value?.length, 1, "rows read in the batch");
  equal(read.value[0].telephone1, "555-0102", "telephone1 set through $1");
  return `${results.length} parts`;
});

await check("batch: a failing change set rolls back", async () => {
  api.startBatch();
  api.create({ collection: "accounts", data: { name: "Rolled back", accountnumber: `${run}-RB` } });
  api.create({ collection: "accounts", data: { name: "Bad", telephone1: "x".repeat(60) } });
  let failed = null;
  try {
    await api.executeBatch();
  } catch (error) {
    failed = error;
  }
  expect(failed, "the batch succeeded although a part is invalid");
  const errors = Array.isArray(failed) ? failed : [failed];
  expect(errors.some((e) => e?.status === 400), `expected a 400 part, got ${JSON.stringify(errors.map((e) => e?.status))}`);
  const rows = await api.retrieveMultiple({ collection: "accounts", select: ["name"], filter: `accountnumber eq '${run}-RB'` });
  equal(rows.value.length, 0, "rows left by the failed change set");
});

await check("query with filter", async () => {
  const rows = await api.retrieveMultiple({
    collection: "accounts",
    select: ["accountnumber", "customertypecode"],
    filter: `startswith(accountnumber,'${run}-') and customertypecode eq 3`,
    orderBy: ["accountnumber desc"],
  });
  const numbers = rows.value.map((r) => r.accountnumber);
  // Customers (3): 000 and the odd batch rows 003, 005, …, 011.
  const expected = [number(0), ...[3, 5, 7, 9, 11].map(number)].sort().reverse();
  equal(JSON.stringify(numbers), JSON.stringify(expected), "accounts found");
  return `${numbers.length} rows`;
});

await check("count with filter", async () => {
  const n = await api.count({ collection: "accounts", filter: `startswith(accountnumber,'${run}-')` });
  equal(n, 14, "@odata.count");
  return `${n}`;
});

await check("paging with odata.maxpagesize", async () => {
  const request = {
    collection: "accounts",
    select: ["accountnumber"],
    filter: `startswith(accountnumber,'${run}-')`,
    maxPageSize: 5,
  };
  const seen = [];
  let pages = 0;
  let link;
  do {
    const page = await api.retrieveMultiple(request, link);
    pages += 1;
    expect(page.value.length <= 5, `page ${pages} has ${page.value.length} rows`);
    seen.push(...page.value.map((r) => r.accountnumber));
    link = page.oDataNextLink;
  } while (link && pages < 20);
  equal(pages, 3, "pages");
  equal(new Set(seen).size, 14, "distinct rows over all pages");
  const all = await api.retrieveAll(request);
  equal(all.value.length, 14, "retrieveAll rows");
  return `${pages} pages`;
});

await check("delete", async () => {
  const deleted = await api.deleteRecord({ collection: "accounts", key: accountId });
  equal(deleted, true, "delete result");
  let failed = null;
  try {
    await api.retrieve({ collection: "accounts", key: accountId, select: ["name"] });
  } catch (error) {
    failed = error;
  }
  expect(failed && failed.status === 404, `read after delete: expected 404, got ${failed ? failed.status : "a row"}`);
});

await check("metadata: entity definition with keys", async () => {
  const entity = await api.retrieveEntity({
    key: "LogicalName='account'",
    select: ["LogicalName", "EntitySetName", "PrimaryIdAttribute", "PrimaryNameAttribute"],
    expand: [{ property: "Keys" }],
  });
  equal(entity.LogicalName, "account", "LogicalName");
  equal(entity.EntitySetName, "accounts", "EntitySetName");
  equal(entity.PrimaryIdAttribute, "accountid", "PrimaryIdAttribute");
  expect(
    (entity.Keys ?? []).some((k) => JSON.stringify(k.KeyAttributes) === JSON.stringify(["accountnumber"])),
    `no accountnumber key in ${JSON.stringify(entity.Keys)}`,
  );
});

await check("metadata: entity definitions with a filter", async () => {
  const list = await api.retrieveEntities({
    select: ["LogicalName", "EntitySetName"],
    filter: "LogicalName eq 'account' or LogicalName eq 'contact'",
  });
  const names = list.value.map((e) => `${e.LogicalName}:${e.EntitySetName}`).sort();
  equal(JSON.stringify(names), JSON.stringify(["account:accounts", "contact:contacts"]), "tables");
});

await check("metadata: attributes", async () => {
  const attributes = await api.retrieveAttributes({
    entityKey: "LogicalName='account'",
    select: ["LogicalName", "AttributeType"],
  });
  const types = Object.fromEntries(attributes.value.map((a) => [a.LogicalName, a.AttributeType]));
  equal(types.name, "String", "name");
  equal(types.accountid, "Uniqueidentifier", "accountid");
  equal(types.customertypecode, "Picklist", "customertypecode");
  equal(types.msdyn_company, "Lookup", "msdyn_company");
  return `${attributes.value.length} columns`;
});

await check("metadata: one attribute", async () => {
  const attribute = await api.retrieveAttribute({
    entityKey: "LogicalName='account'",
    attributeKey: "LogicalName='telephone1'",
    select: ["LogicalName", "AttributeType"],
  });
  equal(attribute.LogicalName, "telephone1", "LogicalName");
  equal(attribute.AttributeType, "String", "AttributeType");
});

await check("metadata: option set of a choice column", async () => {
  const picklists = await api.retrieveAttributes({
    entityKey: "LogicalName='account'",
    castType: "Microsoft.Dynamics.CRM.PicklistAttributeMetadata",
    select: ["LogicalName"],
    expand: [{ property: "OptionSet", select: ["Options"] }],
  });
  const column = picklists.value.find((a) => a.LogicalName === "customertypecode");
  expect(column, `customertypecode missing from ${JSON.stringify(picklists.value.map((a) => a.LogicalName))}`);
  const labels = Object.fromEntries(
    column.OptionSet.Options.map((o) => [o.Value, o.Label.LocalizedLabels.find((l) => l.LanguageCode === 1033)?.Label]),
  );
  equal(labels[3], "Customer", "label of 3");
  equal(labels[5], "Partner", "label of 5");
});

await check("metadata: CSDL $metadata", async () => {
  const csdl = await api.retrieveCsdlMetadata();
  expect(typeof csdl === "string" && csdl.includes('Name="account"'), "no account entity type in $metadata");
  return `${csdl.length} characters`;
});

await check("entity names from metadata (useEntityNames)", async () => {
  const byName = new DynamicsWebApi({
    serverUrl: DV,
    dataApi: { version: "9.2" },
    onTokenRefresh: acquireToken,
    useEntityNames: true,
  });
  const rows = await byName.retrieveMultiple({ collection: "account", select: ["name"], filter: `accountnumber eq '${number(2)}'` });
  equal(rows.value.length, 1, "rows found through the logical name");
  equal(rows.value[0].name, "Batch row 2", "name");
});

await check("change tracking: delta link with changes and a deletion", async () => {
  const request = { collection: "accounts", select: ["name", "accountnumber"], trackChanges: true };
  const first = await api.retrieveAll(request);
  const deltaLink = first.oDataDeltaLink;
  expect(deltaLink && deltaLink.includes("deltatoken"), `no delta link: ${JSON.stringify(deltaLink)}`);
  expect(first.value.some((r) => r.accountnumber === number(3)), "initial read misses a row");
  const victim = first.value.find((r) => r.accountnumber === number(4));
  await api.update({ collection: "accounts", key: `accountnumber='${number(3)}'`, data: { name: "Changed after the token" } });
  await api.deleteRecord({ collection: "accounts", key: victim.accountid });
  const created = await api.create({ collection: "accounts", data: { name: "New after the token", accountnumber: `${run}-CT` } });
  const delta = await api.retrieveMultiple({ collection: "accounts" }, deltaLink);
  const changed = delta.value.filter((r) => !r.reason);
  const removed = delta.value.filter((r) => r.reason === "deleted");
  expect(changed.some((r) => r.accountnumber === number(3) && r.name === "Changed after the token"), "update missing from the delta");
  expect(changed.some((r) => r.accountid === created), "creation missing from the delta");
  expect(removed.some((r) => r.id === victim.accountid), `deletion missing from the delta: ${JSON.stringify(delta.value)}`);
  expect(delta.oDataDeltaLink && delta.oDataDeltaLink !== deltaLink, "no new delta link");
  const after = await api.retrieveMultiple({ collection: "accounts" }, delta.oDataDeltaLink);
  equal(after.value.length, 0, "changes after the second token");
  return `${changed.length} changed, ${removed.length} deleted`;
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
