"""Knowledge API: search, single articles, and the index status (including article errors for editors)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query

from handover.web.deps import KnowledgeDep
from knowledge.articles import Article
from knowledge.service import KnowledgeStatus, SearchResult

router = APIRouter(prefix="/api/knowledge", tags=["knowledge"])

MAX_QUERY_CHARS = 500
MAX_TOP_K = 20


@router.get(
    "/search",
    response_model=SearchResult,
    summary="Search the knowledge articles",
    description=(
        "Semantic + lexical search over the knowledge articles. Returns the best articles with their best "
        "matching section and a decision: `answer` (the first hit answers the question), `clarify` (offer the "
        "hits) or `no_answer` (nothing fits; hand over to a person)."
    ),
)
async def search(
    knowledge: KnowledgeDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUERY_CHARS,
            pattern=r"\S",
            description="The citizen's question in their own words.",
            examples=["Wie melde ich meinen Wohnsitz um?"],
        ),
    ],
    top_k: Annotated[int, Query(ge=1, le=MAX_TOP_K, description="Number of articles to return.")] = 3,
) -> SearchResult:
    # Embedding is CPU-bound: keep the event loop free for websockets.
    return await asyncio.to_thread(knowledge.search, q, top_k=top_k)


@router.get(
    "/articles/{article_id}",
    response_model=Article,
    summary="One knowledge article",
    responses={404: {"description": "No article with this id."}},
)
async def get_article(
    knowledge: KnowledgeDep,
    article_id: Annotated[str, Path(description="The article's id (slug).", max_length=200)],
) -> Article:
    article = knowledge.get_article(article_id)
    if article is None:
        raise HTTPException(status_code=404, detail=f"Artikel '{article_id}' gibt es nicht.")
    return article


@router.get(
    "/status",
    response_model=KnowledgeStatus,
    summary="Index status and article errors",
    description="Article and chunk counts, model, index kind, last reload and every validation error.",
)
async def status(knowledge: KnowledgeDep) -> KnowledgeStatus:
    return knowledge.status()
