"""ORM models. Each feature area has its own module; importing this package registers every table."""

from handover.domain.models import services  # noqa: F401  (defect reports, application cases: issue 3)
from handover.domain.models import conversations  # noqa: F401  (conversations, messages, handover: issue 4)
from handover.domain.models import tickets  # noqa: F401  (ticket history and assignees: issue 13)
from handover.domain.models import defect_report_history  # noqa: F401  (report status history, photos: issue 13)
from handover.domain.models import analytics  # noqa: F401  (insights: conversation and question facts, issue 15)
from handover.domain.models import access_audit  # noqa: F401  (who read which transcript: issue 11)
from handover.domain.models import login_attempts  # noqa: F401  (console login throttle: issue 11)
from handover.domain.models import second_factor  # noqa: F401  (TOTP of console accounts: issue 11)
from handover.domain.models import client_limits  # noqa: F401  (per-IP limits: issue 11)
