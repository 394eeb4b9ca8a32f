"""The token source of the Python outside clients, and the check runner they share.

The token comes from azure-identity's ClientSecretCredential, as in a stock service, with
its authority pointed at the sandbox's token endpoint (the host of DUET_TOKEN_URL) and
instance discovery off, since the sandbox is not a Microsoft cloud. MSAL then reads the
sandbox's `/{tenant}/v2.0/.well-known/openid-configuration` and posts the client-credentials
grant to the `token_endpoint` it names. azure-identity refuses an authority that is not
https.

DUET_TOKEN_SOURCE=post swaps in a minimal TokenCredential that posts the same grant to
DUET_TOKEN_URL itself; it is there only to try the clients against a sandbox without HTTPS
or tenant discovery, and run.sh does not use it.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import urllib.parse
import urllib.request

from azure.core.credentials import AccessToken


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        sys.exit(f"{name} is not set (run through tests/outside-clients/run.sh)")
    return value


class PostedGrantCredential:
    """A TokenCredential that posts the client-credentials grant to DUET_TOKEN_URL."""

    def __init__(self, token_url: str, client_id: str, client_secret: str) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.cache: dict[str, AccessToken] = {}

    def get_token(self, *scopes: str, **_kwargs) -> AccessToken:
        scope = " ".join(scopes)
        cached = self.cache.get(scope)
        if cached and cached.expires_on - 60 > time.time():
            return cached
        form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "scope": scope,
            }
        ).encode()
        with urllib.request.urlopen(urllib.request.Request(self.token_url, data=form)) as response:
            body = json.load(response)
        token = AccessToken(body["access_token"], int(time.time()) + int(body["expires_in"]))
        self.cache[scope] = token
        return token


def sandbox_credential():
    token_url = env("DUET_TOKEN_URL")
    tenant = env("DUET_TENANT")
    client_id = env("DUET_CLIENT_ID")
    client_secret = env("DUET_CLIENT_SECRET")
    if os.environ.get("DUET_TOKEN_SOURCE") == "post":
        return PostedGrantCredential(token_url, client_id, client_secret)
    from azure.identity import ClientSecretCredential

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
