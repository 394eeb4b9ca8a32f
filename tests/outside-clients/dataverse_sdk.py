"""Runs Microsoft's PowerPlatform-Dataverse-Client (PyPI) against Duet's Dataverse emulator.

Everything goes through the SDK's public API (client.records, client.query, client.tables,
client.batch). Only the environment URL (DUET_DV_URL) and the credential differ from a
stock setup; see sandbox_auth.py for the credential. Prints one line per check and exits
non-zero on the first failure.
"""

from __future__ import annotations

import re
import time
import warnings

from PowerPlatform.Dataverse import DataverseClient, col
from PowerPlatform.Dataverse.models.upsert import UpsertItem

from sandbox_auth import Checks, equal, env, sandbox_credential

warnings.simplefilter("ignore", DeprecationWarning)

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
RUN = "PY" + format(int(time.time() * 1000), "x").upper()[-8:]


def number(n: int) -> str:
    return f"{RUN}-{n:03d}"


checks = Checks("PowerPlatform-Dataverse-Client")
client = DataverseClient(env("DUET_DV_URL"), sandbox_credential())
state: dict = {}


def create():
    # The choice column is given by its label: the SDK reads the table's option sets
    # (PicklistAttributeMetadata with OptionSet) and sends the value.
    account_id = client.records.create(
        "account",
        {"name": "Contoso (Python)", "accountnumber": number(0), "telephone1": "555-0100", "customertypecode": "Customer"},
    )
    assert GUID.match(account_id or ""), f"create answered {account_id!r}"
    state["id"] = account_id
    return account_id


def read():
    row = client.records.get("account", state["id"], select=["name", "accountnumber", "telephone1", "customertypecode"])
    equal(row["name"], "Contoso (Python)", "name")
    equal(row["telephone1"], "555-0100", "telephone1")
    equal(row["customertypecode"], 3, "customertypecode (label 'Customer' sent as its value)")
    assert row.etag, "no @odata.etag"


def read_with_formatted_values():
    row = client.records.retrieve(
        "account",
        state["id"],
        select=["customertypecode"],
        include_annotations="OData.Community.Display.V1.FormattedValue",
    )
    assert row is not None, "row not found"
    equal(row["customertypecode@OData.Community.Display.V1.FormattedValue"], "Customer", "formatted value")


def create_many():
    ids = client.records.create(
        "account",
        [
            {"name": f"Bulk row {n}", "accountnumber": number(n), "customertypecode": 3 if n % 2 else 1}
            for n in range(1, 12)
        ],
    )
    equal(len(ids), 11, "ids from CreateMultiple")
    assert all(GUID.match(i) for i in ids), f"not GUIDs: {ids}"
    state["bulk"] = ids
    return f"{len(ids)} rows"


def query_with_filter():
    result = client.records.list(
        "account",
        filter=col("accountnumber").startswith(f"{RUN}-") & (col("customertypecode") == 3),
        select=["accountnumber", "customertypecode"],
        orderby=["accountnumber desc"],
    )
    numbers = [r["accountnumber"] for r in result]
    expected = sorted([number(0)] + [number(n) for n in (1, 3, 5, 7, 9, 11)], reverse=True)
    equal(numbers, expected, "accounts found")
    return f"{len(numbers)} rows"


def query_builder():
    rows = (
        client.query.builder("account")
        .select("accountnumber")
        .where(col("accountnumber").startswith(f"{RUN}-"))
        .order_by("accountnumber")
        .execute()
    )
    numbers = [r["accountnumber"] for r in rows]
    equal(numbers, sorted(number(n) for n in range(12)), "accounts found")


def paging():
    pages = list(
        client.records.list_pages(
            "account",
            filter=f"startswith(accountnumber,'{RUN}-')",
            select=["accountnumber"],
            page_size=5,
        )
    )
    sizes = [len(list(page)) for page in pages]
    equal(sizes, [5, 5, 2], "page sizes")
    seen = {r["accountnumber"] for page in pages for r in page}
    equal(len(seen), 12, "distinct rows over all pages")
    return f"{len(pages)} pages"


def update():
    client.records.update("account", state["id"], {"telephone1": "555-0199"})
    row = client.records.get("account", state["id"], select=["telephone1", "name"])
    equal(row["telephone1"], "555-0199", "telephone1 read back")
    equal(row["name"], "Contoso (Python)", "name untouched")


def update_many():
    client.records.update("account", state["bulk"][:3], {"description": "updated together"})
    rows = client.records.list(
        "account", filter=f"description eq 'updated together' and startswith(accountnumber,'{RUN}-')", select=["accountnumber"]
    )
    equal(sorted(r["accountnumber"] for r in rows), [number(1), number(2), number(3)], "rows updated by UpdateMultiple")


def upsert_by_alternate_key():
    key = {"accountnumber": f"{RUN}-UP"}
    client.records.upsert("account", [UpsertItem(alternate_key=key, record={"name": "Upserted once"})])
    rows = client.records.list("account", filter=f"accountnumber eq '{RUN}-UP'", select=["name", "accountid"])
    equal([r["name"] for r in rows], ["Upserted once"], "after the creating upsert")
    first_id = rows[0]["accountid"]
    client.records.upsert("account", [UpsertItem(alternate_key=key, record={"name": "Upserted twice"})])
    rows = client.records.list("account", filter=f"accountnumber eq '{RUN}-UP'", select=["name", "accountid"])
    equal([(r["name"], r["accountid"]) for r in rows], [("Upserted twice", first_id)], "after the updating upsert")


def upsert_many_by_alternate_key():
    items = [
        UpsertItem(alternate_key={"accountnumber": f"{RUN}-UM1"}, record={"name": "Upsert many 1"}),
        UpsertItem(alternate_key={"accountnumber": f"{RUN}-UP"}, record={"name": "Upserted thrice"}),
    ]
    client.records.upsert("account", items)
    rows = client.records.list(
        "account", filter=f"accountnumber eq '{RUN}-UM1' or accountnumber eq '{RUN}-UP'", select=["accountnumber", "name"]
    )
    got = sorted((r["accountnumber"], r["name"]) for r in rows)
    equal(got, [(f"{RUN}-UM1", "Upsert many 1"), (f"{RUN}-UP", "Upserted thrice")], "rows after UpsertMultiple")


def delete():
    client.records.delete("account", state["id"])
    equal(client.records.retrieve("account", state["id"]), None, "read after delete")
    client.records.delete("account", state["bulk"][-2:], use_bulk_delete=False)
    for gone in state["bulk"][-2:]:
        equal(client.records.retrieve("account", gone), None, "read after a delete of several")


def batch():
    request = client.batch.new()
    request.records.create("account", {"name": "Batch single", "accountnumber": f"{RUN}-B0"})
    with request.changeset() as changeset:
        ref = changeset.records.create("account", {"name": "Batch in change set", "accountnumber": f"{RUN}-B1"})
        changeset.records.update("account", ref, {"telephone1": "555-0111"})
    request.records.list("account", filter=f"accountnumber eq '{RUN}-B1'", select=["accountnumber", "telephone1"])
    result = request.execute()
    statuses = [r.status_code for r in result.responses]
    assert not result.has_errors, f"failed parts: {[(r.status_code, r.error_message) for r in result.failed]}"
    equal(len(result.responses), 4, f"responses ({statuses})")
    assert GUID.match(result.responses[0].entity_id or ""), "no id for the single create"
    assert GUID.match(result.responses[1].entity_id or ""), "no id for the change set's create"
    listed = result.responses[3].data or {}
    equal([r.get("telephone1") for r in listed.get("value", [])], ["555-0111"], "row read in the batch")
    return f"statuses {statuses}"


def batch_failure_rolls_back():
    request = client.batch.new()
    with request.changeset() as changeset:
        changeset.records.create("account", {"name": "Rolled back", "accountnumber": f"{RUN}-RB"})
        changeset.records.create("account", {"name": "Too long", "telephone1": "x" * 60})
    result = request.execute()
    assert result.has_errors, "an invalid change set succeeded"
    equal([r.status_code for r in result.failed], [400], "failed parts")
    rows = client.records.list("account", filter=f"accountnumber eq '{RUN}-RB'", select=["name"])
    equal(len(rows), 0, "rows left by the failed change set")


def metadata_table():
    info = client.tables.get("account")
    assert info is not None, "account not found"
    equal(info["entity_set_name"], "accounts", "entity set")
    equal(info.primary_id_attribute, "accountid", "primary id")
    assert GUID.match(info.metadata_id or ""), f"MetadataId {info.metadata_id!r}"
    equal(client.tables.get("nosuchtable"), None, "unknown table")


def metadata_tables():
    tables = client.tables.list(
        filter="LogicalName eq 'account' or LogicalName eq 'contact'", select=["LogicalName", "EntitySetName"]
    )
    equal(sorted((t["LogicalName"], t["EntitySetName"]) for t in tables), [("account", "accounts"), ("contact", "contacts")], "tables")


def metadata_columns():
    columns = client.tables.list_columns("account", select=["LogicalName", "AttributeType"])
    types = {c["LogicalName"]: c["AttributeType"] for c in columns}
    equal(types.get("name"), "String", "name")
    equal(types.get("customertypecode"), "Picklist", "customertypecode")
    picklists = client.tables.list_columns("account", select=["LogicalName"], filter="AttributeType eq 'Picklist'")
    equal(
        sorted(c["LogicalName"] for c in picklists),
        sorted(n for n, t in types.items() if t == "Picklist"),
        "choice columns by $filter",
    )
    return f"{len(columns)} columns"


def metadata_column():
    column = client.tables.get_column("account", "telephone1", select=["LogicalName", "AttributeType"])
    assert column is not None, "telephone1 not found"
    equal(column["AttributeType"], "String", "AttributeType")
    equal(client.tables.get_column("account", "nosuchcolumn"), None, "unknown column")


def metadata_alternate_keys():
    keys = client.tables.get_alternate_keys("account")
    equal([k.key_attributes for k in keys], [["accountnumber"]], "key columns")
    equal(keys[0].status, "Active", "EntityKeyIndexStatus")


checks.run("create (choice given by its label)", create)
checks.run("read", read)
checks.run("read with formatted values", read_with_formatted_values)
checks.run("create many (CreateMultiple)", create_many)
checks.run("query with filter", query_with_filter)
checks.run("query builder", query_builder)
checks.run("paging with odata.maxpagesize", paging)
checks.run("update", update)
checks.run("update many (UpdateMultiple)", update_many)
checks.run("upsert by alternate key (creates, then updates)", upsert_by_alternate_key)
checks.run("upsert many by alternate key (UpsertMultiple)", upsert_many_by_alternate_key)
checks.run("delete", delete)
checks.run("batch: single request, change set with Content-ID reference, GET", batch)
checks.run("batch: a failing change set rolls back", batch_failure_rolls_back)
checks.run("metadata: table", metadata_table)
checks.run("metadata: tables with a filter", metadata_tables)
checks.run("metadata: columns, and columns with a filter", metadata_columns)
checks.run("metadata: one column", metadata_column)
checks.run("metadata: alternate keys", metadata_alternate_keys)
client.close()
checks.finish()
