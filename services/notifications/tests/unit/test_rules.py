import pytest

from lgnet_notifications.domain.rules import Audience, Priority, RuleTableError, parse_rule_table
from lgnet_notifications.rendering.catalogue import load_rule_table

EXPECTED = {
    "case.triaged": "case_received",
    "placement.confirmed": "placement_confirmed",
    "placement.waitlisted": "placement_waitlisted",
    "grant.approved": "grant_approved",
    "grant.disbursed": "grant_disbursed",
    "grant.rejected": "grant_rejected",
    "grant.returned": "grant_returned",
    "case.closed": "case_closed",
}


def test_packaged_rule_table_maps_events_to_templates() -> None:
    table = load_rule_table()
    assert {rule.event_type: rule.template_id for rule in table.rules} == EXPECTED
    assert all(rule.audience is Audience.BENEFICIARY for rule in table.rules)
    assert all(rule.requires_consent for rule in table.rules)
    assert {r.event_type for r in table.rules if r.priority is Priority.URGENT} == {
        "placement.confirmed",
        "placement.waitlisted",
    }


def test_events_nobody_hears_about() -> None:
    table = load_rule_table()
    assert table.for_event("placement.offered") == ()  # offers go to shelters
    assert table.for_event("case.reported") == ()  # consent is recorded at triage


ROW = """
[[rule]]
event_type = "case.triaged"
template_id = "case_received"
variables = ["reference"]
"""


def test_defaults_and_a_row_added_without_code() -> None:
    table = parse_rule_table(ROW + ROW.replace("case.triaged", "case.reopened"))
    (rule,) = table.for_event("case.reopened")
    assert rule.audience is Audience.BENEFICIARY
    assert rule.priority is Priority.TRANSACTIONAL
    assert rule.requires_consent
    assert table.template_ids == {"case_received"}


@pytest.mark.parametrize(
    ("toml_text", "message"),
    [
        (ROW.replace('["reference"]', '["reference", "nationality"]'), "nationality"),
        (ROW.replace('["reference"]', '["health_status"]'), "health_status"),
        (ROW + ROW, "duplicate"),
        (ROW.replace("case.triaged", "Case Triaged"), "bad event_type"),
        (ROW.replace("case_received", "../etc"), "bad template_id"),
        (ROW + 'priority = "whenever"\n', "whenever"),
        (ROW + 'audience = "shelter"\n', "shelter"),
        (ROW + "colour = 1\n", "unknown keys"),
        (ROW.replace('variables = ["reference"]', ""), "missing keys"),
        (ROW + 'requires_consent = "yes"\n', "requires_consent"),
        ("[[rule]\n", "not valid TOML"),
    ],
)
def test_malformed_tables_fail_at_load(toml_text: str, message: str) -> None:
    with pytest.raises(RuleTableError, match=message):
        parse_rule_table(toml_text)
