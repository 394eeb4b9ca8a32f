"""The token source of the Python outside clients, and the check runner they share.

The token comes from azure-identity's ClientSecretCredential, as in a stock service, with
its authority pointed at the sandbox's token endpoint (the host of DUET_TOKEN_URL) and
instance discovery off, since the sandbox is not a Microsoft cloud. MSAL then reads the
sandbox's `/{tenant}/v2.0/.well-known/openid-configuration` and posts the client-credentials
grant to the `token_endpoint` it names. azure-identity refuses an authority that is not
https.
"""

from __future__ import annotations

import os
import sys
import traceback

from azure.identity import ClientSecretCredential


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        sys.exit(f"{name} is not set (run through tests/outside-clients/run.sh)")
    return value


def sandbox_credential():
    token_url = env("DUET_TOKEN_URL")
    tenant = env("DUET_TENANT")
    client_id = env("DUET_CLIENT_ID")
    client_secret = env("DUET_CLIENT_SECRET")
    suffix = f"/{tenant}/oauth2/v2.0/token"
    if not token_url.endswith(suffix):
        sys.exit(f"DUET_TOKEN_URL {token_url} does not end in {suffix}")
    return ClientSecretCredential(
        tenant,
        client_id,
        client_secret,
        authority=token_url[: -len(suffix)],
        disable_instance_discovery=True,
    )


class Checks:
    """Prints one line per check; stops at the first failure unless DUET_CHECKS_KEEP_GOING=1."""

    def __init__(self, client: str) -> None:
        self.client = client
        self.passed = 0
        self.failed = 0
        self.keep_going = os.environ.get("DUET_CHECKS_KEEP_GOING") == "1"

    def run(self, name: str, body) -> None:
        try:
            detail = body()
        except Exception as error:  # noqa: BLE001 - every failure is reported the same way
            self.failed += 1
            print(
                f"not ok {self.passed + self.failed} - {self.client}: {name}: "
                f"{type(error).__name__}: {error}",
                file=sys.stderr,
                flush=True,
            )
            if not isinstance(error, AssertionError):
                traceback.print_exc(limit=4)
            if not self.keep_going:
                self.finish()
            return
        self.passed += 1
        suffix = f" ({detail})" if detail else ""
        print(f"ok {self.passed + self.failed} - {self.client}: {name}{suffix}", flush=True)

    def finish(self) -> None:
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        sys.exit(1 if self.failed else 0)


def equal(actual, expected, what: str) -> None:
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")
