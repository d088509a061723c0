"""The published OpenAPI schema, exercised by schemathesis against the app (authenticated with a
personal API token): no 500s, and every answer matches what the schema documents."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from bot.app import create_app
from bot.runtime import Runtime
from tests.staff.factories import add_complaint, add_staff, api_token


@pytest.fixture
def app_and_token(settings, engine):
    app = create_app(settings, runtime=Runtime.start(settings, engine=engine))
    admin = add_staff(engine, "integration", "admin")
    add_complaint(engine)
    return app, api_token(engine, admin)


def operations(app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_is_documented_for_api_clients(app_and_token):
    app, _ = app_and_token
    paths = {op.path for op in operations(app)}
    assert {"/api/v1/complaints", "/api/v1/complaints/{ticket}/reply"} <= paths
    assert not any(path.startswith("/staff") for path in paths)  # console pages stay out


def test_api_answers_within_its_schema(app_and_token):
    app, token = app_and_token
    headers = {"Authorization": f"Bearer {token}"}
    failures = []
    for operation in operations(app):

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def exercise(case):
            # Business rules the schema cannot express (a rejection needs a reason, a status
            # cannot jump from received to closed) answer 422 with the field: that is by design.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        try:
            exercise()
        except Exception as error:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
