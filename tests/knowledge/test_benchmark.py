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


def test_chunking_benchmark_covers_25_kb_to_5_mb_with_linearly_growing_chunk_counts() -> None:
    from knowledge.reload_benchmark import chunking_cost

    rows = chunking_cost()["single_paragraph"]
    assert [row["chars"] for row in rows] == [25_000, 50_000, 100_000, 1_000_000, 5_000_000]
    per_window = [row["chars"] / (row["chunks"] - 2) for row in rows]  # title and summary are the other two
    assert max(per_window) - min(per_window) < 20  # the same window size at every length: linear
    assert all(row["ms"] > 0 for row in rows)
