"""One normalisation for indexing and querying: lemmas of Danish words."""

from api.search.normalise import WORD, lemma, split_words, tokens


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
