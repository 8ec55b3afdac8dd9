"""Which departments' tickets and reports a signed-in agent may see: their own departments and the default
queue; supervisors and admins see all (None). The same rule as the queues (handover/domain/routing.py)."""

from __future__ import annotations

from fastapi import Request

from handover.domain.agent_accounts import SessionInfo


def visible_departments(request: Request, info: SessionInfo) -> set[str] | None:
    if info.agent.is_supervisor:
        return None
    return set(info.agent.departments) | {request.app.state.handover.routing.default_department}
