"""Queues and who can serve them: departments (seeded from the office-hours file), agents' department
membership, capacity and presence, queue order, positions and honest wait estimates.

Rules: a conversation waits in its department's queue (unknown department → default queue). Members of a
department serve it; the default queue is served by every agent. An agent counts as available when the
console reported `online` within `presence_timeout_seconds`. Supervisors and admins see every queue.

Language reservation (issue 14): a conversation waiting in another language than German is reserved for the
agents who have that language among their skills, for `language_reservation_seconds` after it was queued, while at
least one of them serving the department is online *with a free slot*. Speakers who are all at capacity cannot
take it, and holding it for them would only make the citizen wait, so then anyone serving the department may
claim it at once; the same when no speaker is online. Supervisors may claim it during the window, and a
proactive takeover from the watch list is no claim from the queue. While reserved, its wait estimate counts the
speakers only."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handover.domain.agent_accounts import AgentInfo
from handover.domain.models.conversations import Agent, Conversation, Department
from handover.domain.office_hours import OfficeHours


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Reservation:
    """A waiting conversation held for the agents who speak its language, until `until`."""

    language: str
    until: datetime
    speakers: int  # online speakers serving the department: who serve it while the reservation holds

    def seconds_left(self, now: datetime) -> int:
        return max(0, math.ceil((self.until - now).total_seconds()))

    def as_dict(self, now: datetime) -> dict:
        return {"language": self.language, "until": iso(self.until), "seconds_left": self.seconds_left(now),
                "speakers": self.speakers}


def speaks(agent: Agent | AgentInfo, language: str | None) -> bool:
    """German is every agent's language (the console and the city's official texts are German)."""
    return not language or language == "de" or language in (agent.skills or ())


@dataclass
class Routing:
    office_hours: OfficeHours
    presence_timeout_seconds: int
    default_handle_seconds: int
    language_reservation_seconds: int = 0  # the app passes the setting; tools that route nothing leave it off

    @property
    def default_department(self) -> str:
        return self.office_hours.default_department

    # --- departments ---------------------------------------------------------------------------
    def seed_departments(self, session: Session) -> None:
        existing = {d.key: d for d in session.scalars(select(Department))}
        for key, schedule in self.office_hours.departments.items():
            if key in existing:
                existing[key].name = schedule.name
            else:
                session.add(Department(key=key, name=schedule.name))

    def departments(self, now: datetime) -> list[dict]:
        result = []
        for key in self.office_hours.departments:
            status = self.office_hours.status(key, now)
            result.append(
                {"key": key, "name": self.office_hours.name(key), "open": status.open,
                 "next_open": status.as_dict()["next_open"]}
            )
        return result

    def visible(self, agent: AgentInfo, department: str | None) -> bool:
        department = self.office_hours.resolve(department)
        return agent.is_supervisor or department == self.default_department or department in agent.departments

    # --- presence and capacity -------------------------------------------------------------------
    def _online_clause(self, now: datetime):
        cutoff = now - timedelta(seconds=self.presence_timeout_seconds)
        return (Agent.active.is_(True)) & (Agent.presence == "online") & (Agent.presence_seen_at >= cutoff)

    def set_presence(self, session: Session, agent_id: int, status: str, now: datetime) -> bool:
        """Records the console's report; True when what others see changes (not for mere heartbeats)."""
        agent = session.get(Agent, agent_id)
        if agent is None:
            return False
        cutoff = now - timedelta(seconds=self.presence_timeout_seconds)
        was_fresh = agent.presence_seen_at is not None and agent.presence_seen_at >= cutoff
        changed = agent.presence != status or not was_fresh
        agent.presence = status
        agent.presence_seen_at = now
        return changed

    def _online(self, session: Session, now: datetime) -> list[Agent]:
        return list(session.scalars(select(Agent).where(self._online_clause(now))))

    def _serves(self, agent: Agent, department: str) -> bool:
        return department == self.default_department or department in {d.key for d in agent.departments}

    def available_agents(self, session: Session, department: str | None, now: datetime) -> list[Agent]:
        """Online agents who serve the department and have a free slot."""
        department = self.office_hours.resolve(department)
        load = self.loads(session)
        return [agent for agent in self._online(session, now)
                if self._serves(agent, department) and load.get(agent.id, 0) < agent.capacity]

    def serving_agents(self, session: Session, department: str | None, now: datetime) -> int:
        department = self.office_hours.resolve(department)
        return sum(1 for a in self._online(session, now) if self._serves(a, department))

    def speakers_online(self, session: Session, department: str | None, language: str, now: datetime) -> int:
        """Online agents serving the department whose skills include the conversation's language (issue 14)."""
        department = self.office_hours.resolve(department)
        return sum(1 for a in self._online(session, now) if self._serves(a, department) and speaks(a, language))

    # --- language reservation (module docstring) ---------------------------------------------------
    def reservation(self, conversation: Conversation, department: str, online: list[Agent], load: dict[int, int],
                    now: datetime) -> Reservation | None:
        language = conversation.language
        if (self.language_reservation_seconds <= 0 or not language or language == "de"
                or conversation.state != "waiting" or conversation.queued_at is None):
            return None
        until = conversation.queued_at + timedelta(seconds=self.language_reservation_seconds)
        if now >= until:
            return None
        speakers = [a for a in online if a.role != "editor" and self._serves(a, department) and speaks(a, language)]
        if not any(load.get(a.id, 0) < a.capacity for a in speakers):
            return None
        return Reservation(language=language, until=until, speakers=len(speakers))

    def reservation_now(self, session: Session, conversation: Conversation, department: str | None,
                        now: datetime) -> Reservation | None:
        department = self.office_hours.resolve(department)
        return self.reservation(conversation, department, self._online(session, now), self.loads(session), now)

    @staticmethod
    def loads(session: Session) -> dict[int, int]:
        rows = session.execute(
            select(Conversation.assigned_agent_id, func.count())
            .where(Conversation.state == "agent", Conversation.assigned_agent_id.is_not(None))
            .group_by(Conversation.assigned_agent_id)
        )
        return {agent_id: count for agent_id, count in rows}

    def agent_summaries(self, session: Session, now: datetime) -> list[dict]:
        load = self.loads(session)
        cutoff = now - timedelta(seconds=self.presence_timeout_seconds)
        result = []
        # Editors (knowledge insights only) take no chats: they are no one to transfer to or to watch.
        for agent in session.scalars(select(Agent).where(Agent.active.is_(True), Agent.role != "editor")
                                     .order_by(Agent.display_name)):
            fresh = agent.presence_seen_at is not None and agent.presence_seen_at >= cutoff
            result.append(
                {
                    "id": agent.id,
                    "username": agent.username,
                    "display_name": agent.display_name,
                    "role": agent.role,
                    "departments": [d.key for d in agent.departments],
                    "skills": list(agent.skills or []),
                    "capacity": agent.capacity,
                    "presence": agent.presence if fresh else "offline",
                    "active_chats": load.get(agent.id, 0),
                }
            )
        return result

    # --- queue ---------------------------------------------------------------------------------
    def average_handle_seconds(self, session: Session, department: str) -> float:
        rows = session.execute(
            select(Conversation.assigned_at, Conversation.closed_at)
            .where(
                Conversation.department == department,
                Conversation.assigned_at.is_not(None),
                Conversation.closed_at.is_not(None),
            )
            .order_by(Conversation.closed_at.desc())
            .limit(20)
        ).all()
        durations = [(closed - assigned).total_seconds() for assigned, closed in rows if closed > assigned]
        return sum(durations) / len(durations) if durations else float(self.default_handle_seconds)

    def waiting(self, session: Session, department: str | None = None) -> list[Conversation]:
        query = select(Conversation).where(Conversation.state == "waiting")
        if department is not None:
            query = query.where(Conversation.department == department)
        return list(session.scalars(query.order_by(Conversation.queued_at, Conversation.id)))

    def estimate(self, position: int, serving: int, handle_seconds: float) -> int | None:
        """Chats ahead are shared by the serving agents; each round takes an average handling time. Nobody
        online → no honest estimate."""
        if serving <= 0:
            return None
        return int(math.ceil(position / serving) * handle_seconds)

    def positions(self, session: Session, department: str, now: datetime) -> dict[str, dict]:
        department = self.office_hours.resolve(department)
        waiting = self.waiting(session, department)
        online = self._online(session, now)
        serving = sum(1 for a in online if self._serves(a, department))
        load = self.loads(session) if waiting else {}
        handle = self.average_handle_seconds(session, department) if waiting else 0
        result = {}
        for index, conversation in enumerate(waiting, start=1):
            reserved = self.reservation(conversation, department, online, load, now)
            result[conversation.id] = {
                "position": index,
                "estimated_wait_seconds": self.estimate(index, reserved.speakers if reserved else serving, handle),
            }
        return result

    def queues(self, session: Session, now: datetime, summarize) -> list[dict]:
        by_department: dict[str, list[Conversation]] = {key: [] for key in self.office_hours.departments}
        for conversation in self.waiting(session):
            by_department.setdefault(self.office_hours.resolve(conversation.department), []).append(conversation)
        online = self._online(session, now)
        load = self.loads(session)
        result = []
        for key, conversations in by_department.items():
            serving = sum(1 for a in online if self._serves(a, key))
            handle = self.average_handle_seconds(session, key) if conversations else 0
            waiting = []
            for index, conversation in enumerate(conversations, start=1):
                reserved = self.reservation(conversation, key, online, load, now)
                summary = summarize(conversation, now)
                summary["position"] = index
                summary["estimated_wait_seconds"] = self.estimate(index, reserved.speakers if reserved else serving,
                                                                  handle)
                summary["reserved"] = reserved.as_dict(now) if reserved else None
                waiting.append(summary)
            status = self.office_hours.status(key, now)
            result.append(
                {
                    "department": key,
                    "name": self.office_hours.name(key),
                    "open": status.open,
                    "next_open": status.as_dict()["next_open"],
                    "online_agents": serving,
                    "waiting": waiting,
                }
            )
        return result
