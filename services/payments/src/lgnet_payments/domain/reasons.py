"""Reasons attached to every grant decision: a stable code for machines, a sentence for people.

Texts never contain special-category data (GDPR art. 9): they name the rule, not the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ReasonCode(StrEnum):
    # Eligibility checks (positive and negative outcomes are both recorded).
    INVALID_REQUEST = "invalid_request"
    WITHIN_PROGRAMME_WINDOW = "within_programme_window"
    OUTSIDE_PROGRAMME_WINDOW = "outside_programme_window"
    ISEE_WITHIN_THRESHOLD = "isee_within_threshold"
    ISEE_OVER_THRESHOLD = "isee_over_threshold"
    ISE_WITHIN_THRESHOLD = "ise_within_threshold"
    ISE_OVER_THRESHOLD = "ise_over_threshold"
    ISE_MISSING = "ise_missing"
    RENT_ARREARS_MISSING = "rent_arrears_missing"
    EVICTION_NOTICE_MISSING = "eviction_notice_missing"
    LEASE_NOT_REGISTERED = "lease_not_registered"
    HOUSING_REQUIREMENTS_MET = "housing_requirements_met"
    PREVIOUS_GRANT_IN_WINDOW = "previous_grant_in_window"
    NO_PREVIOUS_GRANT_IN_WINDOW = "no_previous_grant_in_window"
    AMOUNT_AS_REQUESTED = "amount_as_requested"
    AMOUNT_LIMITED_BY_HOUSEHOLD_SIZE = "amount_limited_by_household_size"
    AMOUNT_LIMITED_BY_CAP = "amount_limited_by_cap"
    AMOUNT_BELOW_MINIMUM = "amount_below_minimum"
    AUTO_APPROVAL = "auto_approval"
    NEEDS_REVIEW = "needs_review"
    # Decisions taken after eligibility.
    REVIEWER_APPROVED = "reviewer_approved"
    REVIEWER_REJECTED = "reviewer_rejected"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    CANCELLED = "cancelled"
    BANK_SETTLED = "bank_settled"
    BANK_RETURNED = "bank_returned"


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    text: str
