"""The data model for the whole product (SQLAlchemy 2, typed), one module per area.

Constraints live in the database: unique keys, foreign keys with their ON DELETE,
and check constraints for every enumeration.  The schema only changes through
``migrations/``.  Everything is importable from here (``from assessor.models import
Assessment``).
"""

from assessor.models.accounts import (
    ACCOUNT_LINK_PURPOSES,
    API_TOKEN_SCOPES,
    AccountLink,
    ApiIdempotencyKey,
    ApiToken,
    Invitation,
    Membership,
    RecoveryCode,
    User,
    UserSession,
    Workspace,
)
from assessor.models.assessments import (
    Answer,
    AnswerHistory,
    Assessment,
    Organization,
    Respondent,
    StoredQuestionnaire,
)
from assessor.models.base import (
    ASSESSMENT_STATUSES,
    MEMBER_ROLES,
    ORG_SIZES,
    REPORT_FORMATS,
    WORKSPACE_KINDS,
    Timestamp,
    UTCDateTime,
    utcnow,
)
from assessor.models.records import (
    MAIL_STATUSES,
    AuditEvent,
    MailLog,
    ReminderCheck,
)
from assessor.models.reports import (
    RENDER_LANES,
    RENDER_REASONS,
    RENDER_STATES,
    RenderJob,
    StoredReport,
)
from assessor.models.results import (
    STORED_RESULT_REASONS,
    BenchmarkShown,
    StoredResult,
)
from assessor.models.voice import (
    ACTION_STATUSES,
    FINDING_STATUSES,
    FindingStatus,
    RemediationAction,
    ReportReview,
    SettledFact,
    SummaryEdit,
    WhatIfScenario,
)

__all__ = [
    "ACCOUNT_LINK_PURPOSES",
    "ACTION_STATUSES",
    "API_TOKEN_SCOPES",
    "ASSESSMENT_STATUSES",
    "AccountLink",
    "Answer",
    "AnswerHistory",
    "ApiIdempotencyKey",
    "ApiToken",
    "Assessment",
    "AuditEvent",
    "BenchmarkShown",
    "FINDING_STATUSES",
    "FindingStatus",
    "Invitation",
    "MAIL_STATUSES",
    "MEMBER_ROLES",
    "MailLog",
    "Membership",
    "ORG_SIZES",
    "Organization",
    "RENDER_LANES",
    "RENDER_REASONS",
    "RENDER_STATES",
    "REPORT_FORMATS",
    "RecoveryCode",
    "ReminderCheck",
    "RemediationAction",
    "RenderJob",
    "ReportReview",
    "Respondent",
    "STORED_RESULT_REASONS",
    "SettledFact",
    "StoredQuestionnaire",
    "StoredReport",
    "StoredResult",
    "SummaryEdit",
    "Timestamp",
    "UTCDateTime",
    "User",
    "UserSession",
    "WORKSPACE_KINDS",
    "WhatIfScenario",
    "Workspace",
    "utcnow",
]
