"""run.words: an error of a server as one line: where, doing what, what to check."""

from __future__ import annotations

from reconciler.errors import InternalError, PermissionDenied, Unauthenticated
from reconciler.run.words import detail_of, failed, server
from tests.support.factories import environment

STAGING = environment(name="staging", url="https://user:pw@api.example.com:8443/x",
                      project="proj_staging", token_env="DASHCTL_TOKEN_STAGING")


def test_the_server_is_scheme_host_and_port_never_credentials() -> None:
    assert server(STAGING) == "https://api.example.com:8443"
    assert server(environment(url="sqlite:.dashctl/local.db")).startswith("the embedded")


def test_a_write_refused_for_permission_names_the_variable_and_the_project() -> None:
    error = PermissionDenied("Upsert d1: permission_denied: no")
    line = failed(STAGING, "writing 'Growth KPIs'", error, str(error))
    assert line == ("environment staging at https://api.example.com:8443: writing 'Growth KPIs': "
                    "Upsert d1: permission_denied: no; check the token in DASHCTL_TOKEN_STAGING: "
                    "does it grant project proj_staging?")
    assert "pw" not in line


def test_only_refusals_get_the_token_hint_and_the_call_name_goes() -> None:
    unauthenticated = Unauthenticated("List: unauthenticated: expired")
    assert detail_of(unauthenticated, "List") == "unauthenticated: expired"
    assert "is it set, current" in failed(STAGING, "listing dashboards", unauthenticated, "x")
    assert "check the token" not in failed(STAGING, "listing dashboards",
                                           InternalError("List: internal: boom"), "x")
