"""One normalisation for indexing and querying: lemmas of Danish words."""

from api.search.normalise import (
    WORD,
    lemma,
    lemma_text,
    split_words,
    tokens,
    tsvector_of,
    tsvector_text,
)


def test_forms_of_a_verb_meet_in_one_lemma() -> None:
    forms = ["godkende", "godkendt", "godkendes", "godkendte", "godkender", "GODKENDT"]
    assert {lemma(w) for w in forms} == {"godkende"}
    assert lemma("sygefraværet") == lemma("sygefravær") == "sygefravær"
    assert lemma("udskudt") == lemma("udskyde")


def test_case_folds_but_keeps_danish_letters() -> None:
    assert tokens("ØSTERGÅRD Æblerød år") == ["østergård", "æblerød", "år"]
    assert tokens("Å") == tokens("å") and tokens("Å") != tokens("A")


def test_words_are_letters_and_digits() -> None:
    assert tokens("IT-strategi, Q4 2019; Dagsordenpunkt_1_I") == [
        "it", "strategi", "q4", "2019", "dagsordenpunkt", "1", "i",
    ]  # fmt: skip
    # A decomposed å (a + ring) is the same word as the composed one.
    assert tokens("a\u030ar") == tokens("år")


def test_fast_word_splitting_agrees_with_the_word_pattern() -> None:
    text = "Beløb – 1.000 kr.; “citat” … IT-strategi_v2 §3 ½ 12,5% Øst/Vest\u00a0æble\tø"
    assert split_words(text) == WORD.findall(text)


def test_the_tsvector_made_with_the_lemmas_is_the_one_of_the_stored_lemmas() -> None:
    texts = ["Godkendt af byrådet, godkendes.", "", "Økonomi og budget 2024"]
    made = tsvector_text(texts)
    assert made == "'godkende':1,4 'af':2 'byråd':3 'økonomi':5 'og':6 'budget':7 '2024':8"
    assert made == tsvector_of(lemma_text(texts).split())
    # PostgreSQL keeps positions up to 16383: later words share it.
    long = tsvector_text(["budget " * 16385])
    assert long.endswith(",16382,16383,16383,16383") and long.startswith("'budget':1,2,")
