"""The case: tables, numbering, the lifecycle, duplicates, ratings and the outbox.

A leaf package: it imports nothing of ours and reads no settings; callers pass a session, the rules and
the current time.
"""

from cases.attention import add_reminders, due_soon, overdue
from cases.channels import AppealType, IntakeChannel
from cases.clients import ApiClient, ApiKeyRejected, ClientError, IssuedKey
from cases.drafts import CaseDraft, FiledCase, StoredPhoto
from cases.errors import (
    CaseError,
    CaseNotFound,
    InvalidDraft,
    MissingField,
    PhotoRejected,
    RatingRejected,
    StaffError,
    TransitionNotAllowed,
)
from cases.filing import file_case
from cases.followups import add_rating_comment, last_step, request_handover
from cases.inbound import InboundReceipt, InboundRejected, StatusCall, UnknownAction
from cases.lifecycle import add_note, allowed_moves, get_case, reclassify, relocate, transition
from cases.models import (
    Case,
    CaseEvent,
    OutboxMessage,
    Photo,
    Rating,
    Resident,
    StaffNotification,
    StaffUser,
)
from cases.photos import store_photo
from cases.queries import cases_of_resident, get_case_for_resident
from cases.ratings import Satisfaction, awaiting_rating, rate, satisfaction
from cases.residents import find_resident, grant_subscription, touch_resident
from cases.rules import CaseRules, CategoryRule
from cases.vocabulary import STATUS_LABELS, CaseStatus, Category, Place, mask_phone
from cases.webhooks import EVENT_TYPES, EndpointError, WebhookEndpoint

file = file_case  # the architecture's name: cases.file(draft)

__all__ = [
    "EVENT_TYPES",
    "STATUS_LABELS",
    "ApiClient",
    "ApiKeyRejected",
    "AppealType",
    "Case",
    "CaseDraft",
    "CaseError",
    "CaseEvent",
    "CaseNotFound",
    "CaseRules",
    "CaseStatus",
    "Category",
    "CategoryRule",
    "ClientError",
    "EndpointError",
    "FiledCase",
    "InboundReceipt",
    "InboundRejected",
    "IntakeChannel",
    "InvalidDraft",
    "IssuedKey",
    "MissingField",
    "OutboxMessage",
    "Photo",
    "PhotoRejected",
    "Place",
    "Rating",
    "RatingRejected",
    "Resident",
    "Satisfaction",
    "StaffError",
    "StaffNotification",
    "StaffUser",
    "StatusCall",
    "StoredPhoto",
    "TransitionNotAllowed",
    "UnknownAction",
    "WebhookEndpoint",
    "add_note",
    "add_rating_comment",
    "add_reminders",
    "allowed_moves",
    "awaiting_rating",
    "cases_of_resident",
    "due_soon",
    "file",
    "file_case",
    "find_resident",
    "get_case",
    "get_case_for_resident",
    "grant_subscription",
    "last_step",
    "mask_phone",
    "overdue",
    "rate",
    "reclassify",
    "relocate",
    "request_handover",
    "satisfaction",
    "store_photo",
    "touch_resident",
    "transition",
]
