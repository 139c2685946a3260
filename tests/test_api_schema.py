"""Schemathesis against the live app's own OpenAPI document, on SQLite and PostgreSQL.

The app is served by Werkzeug on a free port (the `live_server` fixture) and Schemathesis reads
/api/v1/openapi.json from it, then sends each operation data that fits the document and data
that does not. Every answer must be no server error, have a documented status code and content
type, and match its schema (headers included). A second test follows the document's links
(stateful). About a minute per database for both, on a busy 2-core machine.
"""

from datetime import date

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.test_api import new_token

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
EXAMPLES = 15  # per operation and mode: 7 operations x 2 modes x 15, about 210 requests


def test_the_api_keeps_to_its_openapi_document(seeded, as_at, live_server):
    as_at(date(2016, 3, 14))
    every_scope = ["figures:write", "plans:read", "indicators:read", "people:read"]
    headers = {"Authorization": f"Bearer {new_token(scopes=every_scope)}"}
    seeded.config["API_RATE_LIMIT"] = "100000 per minute"
    try:
        schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 7
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _exercise(operation, mode, live_server.url, headers)
    finally:
        seeded.config["API_RATE_LIMIT"] = "300 per minute"


def _exercise(operation, mode, base_url, headers):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

    run()


def test_the_api_keeps_to_its_document_when_calls_follow_its_links(seeded, as_at, live_server):
    """Stateful: Schemathesis chains calls along the document's links (a plan's actions and
    indicators, an indicator's figure corrected, then read back)."""
    as_at(date(2016, 3, 14))
    scopes = ["figures:write", "plans:read", "indicators:read"]
    headers = {"Authorization": f"Bearer {new_token(scopes=scopes)}"}
    seeded.config["API_RATE_LIMIT"] = "100000 per minute"
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"base_url": live_server.url, "headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    try:
        Workflow.run(
            settings=settings(
                max_examples=25,
                stateful_step_count=6,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
        )
    finally:
        seeded.config["API_RATE_LIMIT"] = "300 per minute"
