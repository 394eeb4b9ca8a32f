"""Runs d365fo-client (PyPI) against Duet's finance and operations emulator.

Everything goes through FOClient's public methods. Differences from a stock setup:

- the environment URL is DUET_FO_URL;
- the token source (sandbox_auth.py): the client's AuthenticationManager gets the sandbox
  credential, and its loopback short-cut is turned off. d365fo-client sends the fixed token
  `mock-token-for-localhost` to any URL containing `localhost` or `127.0.0.1`, which the
  sandbox, like F&O, refuses with a 401;
- verify_ssl=True (the client's default, False, skips certificate checks altogether) and
  enable_metadata_cache=False (the default keeps a SQLite copy of all metadata in the home
  directory and syncs it in the background; without it every call asks /Metadata directly).

The client offers no $batch and no upsert (F&O's OData has none), and follows no
@odata.nextLink: it pages with $top and $skip. Prints one line per check and exits non-zero
on the first failure.
"""

from __future__ import annotations

import asyncio
import time

from d365fo_client import FOClient, FOClientConfig
from d365fo_client.models import QueryOptions

from sandbox_auth import Checks, equal, env, sandbox_credential

RUN = "FO" + format(int(time.time() * 1000), "x").upper()[-8:]
SET = "CustomersV3"


def number(n: int) -> str:
    return f"{RUN}-{n:03d}"


def key(n: int) -> dict:
    return {"dataAreaId": "DAT", "CustomerAccount": number(n)}


checks = Checks("d365fo-client")
loop = asyncio.new_event_loop()
client = FOClient(
    FOClientConfig(
        base_url=env("DUET_FO_URL"),
        verify_ssl=True,
        enable_metadata_cache=False,
        use_label_cache=False,
    )
)
client.auth_manager.credential = sandbox_credential()
client.auth_manager._is_localhost = lambda: False


def run(name, coroutine_function):
    checks.run(name, lambda: loop.run_until_complete(coroutine_function()))


async def connection():
    assert await client.test_connection(), "GET /data did not answer 200"
    assert await client.test_metadata_connection(), "GET /Metadata/PublicEntities?$top=1 did not answer 200"


async def version_actions():
    application = await client.get_application_version()
    platform = await client.get_platform_build_version()
    build = await client.get_application_build_version()
    for name, value in (("application", application), ("platform", platform), ("application build", build)):
        assert isinstance(value, str) and value and value[0].isdigit(), f"{name} version {value!r}"
    return f"application {application}, platform {platform}"


async def installed_modules():
    modules = await client.get_installed_modules()
    assert modules and all(isinstance(m, str) and m.startswith("Name: ") for m in modules), f"modules {modules!r}"
    return f"{len(modules)} modules"


async def data_entities():
    found = await client.search_data_entities("customer", use_cache_first=False)
    by_name = {e.name: e for e in found}
    entity = by_name.get("CustCustomerV3Entity")
    assert entity, f"CustCustomerV3Entity not among {sorted(by_name)}"
    equal(entity.public_entity_name, "CustomerV3", "PublicEntityName")
    equal(entity.public_collection_name, SET, "PublicCollectionName")
    assert entity.data_service_enabled, "DataServiceEnabled"
    masters = await client.search_data_entities(entity_category="Master", use_cache_first=False)
    assert "CustCustomerV3Entity" in {e.name for e in masters}, "customers are not a Master entity"
    one = await client.get_data_entity_info("CustCustomerV3Entity", use_cache_first=False)
    assert one is not None, "DataEntities('CustCustomerV3Entity') not found"
    equal(one.public_collection_name, SET, "PublicCollectionName by key")
    return f"{len(found)} entities match 'customer'"


async def public_entity():
    entity = await client.get_public_entity_info("CustomerV3", use_cache_first=False)
    assert entity is not None, "PublicEntities('CustomerV3') not found"
    equal(entity.entity_set_name, SET, "EntitySetName")
    keys = [p.name for p in entity.properties if p.is_key]
    equal(keys, ["dataAreaId", "CustomerAccount"], "key properties")
    types = {p.name: p.type_name for p in entity.properties}
    equal(types.get("OnHoldStatus"), "Microsoft.Dynamics.DataEntities.OnHoldStatus", "OnHoldStatus type")
    equal(types.get("CustomerAccount"), "Edm.String", "CustomerAccount type")
    navigation = {n.name: n.related_entity for n in entity.navigation_properties}
    assert "CustomerGroup" in navigation, f"navigation properties {navigation}"
    assert entity.label_text, f"label {entity.label_id!r} not resolved"
    search = await client.search_public_entities("customerv3", use_cache_first=False)
    assert SET in {e.entity_set_name for e in search}, "CustomersV3 not found by search"
    return f"{len(entity.properties)} properties, label {entity.label_text!r}"


async def enumerations():
    noyes = await client.get_public_enumeration_info("NoYes", use_cache_first=False)
    assert noyes is not None, "PublicEnumerations('NoYes') not found"
    equal(sorted((m.name, m.value) for m in noyes.members), [("No", 0), ("Yes", 1)], "NoYes members")
    found = await client.search_public_enumerations("onhold", use_cache_first=False)
    assert "OnHoldStatus" in {e.name for e in found}, "OnHoldStatus not found by search"


async def create():
    created = await client.create_entity(
        SET,
        {
            "dataAreaId": "DAT",
            "CustomerAccount": number(0),
            "OrganizationName": "Contoso (d365fo-client)",
            "CustomerGroupId": "10",
            "SalesCurrencyCode": "USD",
            "OnHoldStatus": "Invoice",
        },
    )
    equal(created.get("CustomerAccount"), number(0), "CustomerAccount in the answer")
    equal(created.get("OnHoldStatus"), "Invoice", "OnHoldStatus in the answer")
    for n in range(1, 12):
        await client.create_entity(
            SET,
            {
                "dataAreaId": "DAT",
                "CustomerAccount": number(n),
                "OrganizationName": f"Customer {n}",
                "CustomerGroupId": "10" if n % 2 else "20",
                "SalesCurrencyCode": "USD",
            },
        )
    return f"{number(0)} and 11 more"


async def read():
    row = await client.get_entity(SET, key(0))
    equal(row.get("OrganizationName"), "Contoso (d365fo-client)", "OrganizationName")
    equal(row.get("dataAreaId").upper(), "DAT", "dataAreaId")
    assert row.get("@odata.etag"), "no @odata.etag"
    row = await client.get_entity_by_key(SET, key(1), select=["CustomerAccount", "OrganizationName"])
    equal(row.get("OrganizationName"), "Customer 1", "OrganizationName with $select")


async def query_with_filter():
    answer = await client.get_entities(
        SET,
        QueryOptions(
            select=["CustomerAccount", "CustomerGroupId"],
            filter=f"dataAreaId eq 'DAT' and CustomerAccount eq '{RUN}-*' and CustomerGroupId eq '10'",
            orderby=["CustomerAccount desc"],
            count=True,
        ),
    )
    accounts = [r["CustomerAccount"] for r in answer["value"]]
    expected = sorted([number(0)] + [number(n) for n in (1, 3, 5, 7, 9, 11)], reverse=True)
    equal(accounts, expected, "customers found")
    equal(answer.get("@odata.count"), 7, "@odata.count")
    enum = await client.get_entities(
        SET,
        QueryOptions(
            select=["CustomerAccount"],
            filter=f"dataAreaId eq 'DAT' and OnHoldStatus eq Microsoft.Dynamics.DataEntities.OnHoldStatus'Invoice' "
            f"and CustomerAccount eq '{RUN}-*'",
        ),
    )
    equal([r["CustomerAccount"] for r in enum["value"]], [number(0)], "customers on hold for invoices")
    return f"{len(accounts)} rows"


async def paging():
    seen = []
    sizes = []
    for page in range(4):
        answer = await client.get_entities(
            SET,
            QueryOptions(
                select=["CustomerAccount"],
                filter=f"dataAreaId eq 'DAT' and CustomerAccount eq '{RUN}-*'",
                orderby=["CustomerAccount"],
                top=5,
                skip=5 * page,
            ),
        )
        sizes.append(len(answer["value"]))
        seen.extend(r["CustomerAccount"] for r in answer["value"])
    equal(sizes, [5, 5, 2, 0], "page sizes")
    equal(seen, [number(n) for n in range(12)], "customers over all pages, in order")
    return "3 pages"


async def update():
    result = await client.update_entity(SET, key(0), {"OrganizationName": "Contoso renamed", "CreditLimit": 2500})
    assert result, f"update answered {result!r}"
    row = await client.get_entity(SET, key(0))
    equal(row.get("OrganizationName"), "Contoso renamed", "OrganizationName read back")
    equal(float(row.get("CreditLimit")), 2500.0, "CreditLimit read back")
    equal(row.get("OnHoldStatus"), "Invoice", "OnHoldStatus untouched")


async def replace():
    row = await client.get_entity(SET, key(1))
    body = {k: v for k, v in row.items() if not k.startswith("@odata.") and k != "ModifiedDateTime"}
    body["OrganizationName"] = "Customer 1, replaced"
    await client.update_entity(SET, key(1), body, method="PUT")
    row = await client.get_entity(SET, key(1))
    equal(row.get("OrganizationName"), "Customer 1, replaced", "OrganizationName after PUT")


async def delete():
    assert await client.delete_entity(SET, key(2)), "delete answered False"
    equal(await client.get_entity_by_key(SET, key(2)), None, "read after delete")


run("connection: /data and /Metadata", connection)
run("version actions", version_actions)
run("installed modules", installed_modules)
run("metadata: data entities (search, category, by key)", data_entities)
run("metadata: public entity with labels", public_entity)
run("metadata: public enumerations", enumerations)
run("create", create)
run("read", read)
run("query with filter (wildcard, enum literal, $count)", query_with_filter)
run("paging with $top and $skip", paging)
run("update (PATCH)", update)
run("replace (PUT)", replace)
run("delete", delete)
loop.run_until_complete(client.close())
checks.finish()
