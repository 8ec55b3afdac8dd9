"""The synthetic part of `buergerbot knowledge bench`: HNSW over vectors shaped like real chunk vectors."""

from __future__ import annotations

import numpy as np

from knowledge.benchmark import latency_at_chunks


def test_hnsw_benchmark_measures_recall_on_realistic_vectors(model) -> None:
    seeds = model.encode_documents(["Personalausweis beantragen", "Sperrmüll anmelden", "Hundesteuer zahlen",
                                    "Wohngeld beantragen", "Briefwahl beantragen", "Kita-Platz finden"])
    queries = model.encode_queries(["Was kostet ein Perso?", "Wann holt die Stadt mein Sofa ab?"])
    figures = latency_at_chunks(3000, seeds, queries, ann_min_chunks=1000)
    assert figures["index_kind"] == "hnsw" and figures["chunks"] == 3000 and figures["queries"] == 2
    assert figures["nearest_chunk_in_candidates"] == 1.0
    assert 0.5 <= figures["recall_at_10"] <= 1.0
    assert np.isfinite(figures["search_ms"]["p95"])
