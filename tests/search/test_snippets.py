"""Snippets: cut from the original text around the first match, marked and escaped."""

from api.search.snippets import CONTEXT, WINDOW, snippet
from api.search.syntax import parse_query


def test_marks_every_form_whose_lemma_matched() -> None:
    text = "Indstillingen blev godkendt. Budgettet godkendes senere, og alle godkender."
    assert snippet([text], parse_query("godkende")) == (
        "Indstillingen blev <mark>godkendt</mark>. Budgettet <mark>godkendes</mark> "
        "senere, og alle <mark>godkender</mark>."
    )


def test_a_form_unlike_its_lemma_is_found_through_the_typed_word() -> None:
    # udsat's lemma is udsætte: its first letters differ from the word in the text.
    assert snippet(["Punktet blev udsat."], parse_query("udsat")) == (
        "Punktet blev <mark>udsat</mark>."
    )
    assert snippet(["Sagen blev udsat."], parse_query("udskudt OR udsat")) == (
        "Sagen blev <mark>udsat</mark>."
    )


def test_an_irregular_form_found_only_by_its_lemma() -> None:
    # The user typed the lemma; the text has a form that shares no needle with it.
    assert snippet(["Mødet blev udsat til maj."], parse_query("udsætte")) == (
        "Mødet blev <mark>udsat</mark> til maj."
    )


def test_the_first_text_with_a_match_wins_and_the_window_is_cut() -> None:
    words = [f"ord{n}" for n in range(100)]
    words[50] = "sygefraværet"
    texts = ["En titel uden match", " ".join(words)]
    cut = snippet(texts, parse_query("sygefravær"))
    assert cut.startswith(f"…ord{50 - CONTEXT} ord47 ord48 ord49 <mark>sygefraværet</mark> ")
    assert cut.endswith(f" ord{50 - CONTEXT + WINDOW - 1}…")
    assert len(cut.split()) == WINDOW


def test_prefixes_mark_compounds_and_html_is_escaped() -> None:
    text = '<script>alert("x")</script> & sygefraværstal for 2019'
    cut = snippet([text], parse_query("sygefravær*"))
    assert "<mark>sygefraværstal</mark>" in cut
    assert cut.startswith("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; <mark>")


def test_decomposed_letters_match_as_composed_ones() -> None:
    text = "Aarsplan og a\u030arsrapport"  # å as a + combining ring
    assert snippet([text], parse_query("årsrapport")).endswith("<mark>a\u030arsrapport</mark>")


def test_no_word_matched_shows_the_start_of_the_first_text() -> None:
    assert snippet(["", "Intet at finde her."], parse_query("budget")) == "Intet at finde her."
    assert snippet([""], parse_query("budget")) == ""
