"""ORM models. Each feature area has its own module; importing this package registers every table."""

from handover.domain.models import services  # noqa: F401  (defect reports, application cases: issue 3)
from handover.domain.models import conversations  # noqa: F401  (conversations, messages, handover: issue 4)
from handover.domain.models import analytics  # noqa: F401  (insights: conversation and question facts, issue 15)
