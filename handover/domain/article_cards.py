"""An article an agent pushes into the chat reaches the citizen as the same card the bot shows: the `knowledge`
payload of docs/bot-payloads.md §1 (decision "answer", the article with summary, Stand, office, links and its
sections for "Mehr anzeigen"), so the widget draws it with the same code. `pushed: true` tells the transcript
and the decision trail that no search was behind it (query empty, score 0); no feedback question is asked."""

from __future__ import annotations

from typing import Any


def knowledge_card(article: Any) -> dict:
    """`article` is a knowledge.articles.Article."""
    office = article.office.model_dump(mode="json") if hasattr(article.office, "model_dump") else dict(article.office)
    sections = [{"heading": s.heading, "text": s.text} for s in getattr(article, "sections", []) or []]
    updated = article.updated.isoformat() if hasattr(article.updated, "isoformat") else str(article.updated)
    return {
        "type": "knowledge",
        "version": 1,
        "decision": "answer",
        "query": "",
        "score": 0.0,
        "article": {
            "id": article.id,
            "title": article.title,
            "summary": article.summary,
            "url": article.url,
            "online_service": article.online_service,
            "updated": updated,
            "lebenslagen": list(article.lebenslagen),
            "office": office,
            "kind": getattr(article, "kind", "service"),
            "section": None,
            "sections": sections,
        },
        "candidates": [],
        "related": [],
        "feedback": False,
        "pushed": True,
    }


def card_text(article: Any) -> str:
    """The message text under which the card hangs: the summary (the card shows title, Stand, office, links)."""
    return article.summary.strip() or article.title
