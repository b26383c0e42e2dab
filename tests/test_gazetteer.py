"""Finding Sagar place names in a message and cutting them out (tools/gazetteer.py)."""

import pytest

from mp15_grievance.tools.gazetteer import PlaceCandidate, find_places, without_places, word_key

TEEN_BATTI = PlaceCandidate(1, ("Teen Batti", "तीन बत्ती"), ward_id=10)
KATRA = PlaceCandidate(2, ("Katra Bazar", "Katra", "कटरा बाज़ार"), ward_id=11)
MAKRONIA = PlaceCandidate(3, ("Makronia", "Makronia Chauraha"), ward_id=12)
GOPALGANJ = PlaceCandidate(4, ("Gopalganj",), ward_id=13)
GOPALGANJ_THANA = PlaceCandidate(5, ("Gopalganj Thana",), ward_id=13)
SHIV_MANDIR_A = PlaceCandidate(6, ("Shiv Mandir",), ward_id=14)
SHIV_MANDIR_B = PlaceCandidate(7, ("Shiv Mandir", "शिव मंदिर"), ward_id=15)
SHANICHARI = PlaceCandidate(8, ("शनिचरी",), ward_id=16)
PLACES = (TEEN_BATTI, KATRA, MAKRONIA, GOPALGANJ, GOPALGANJ_THANA, SHIV_MANDIR_A, SHIV_MANDIR_B, SHANICHARI)


@pytest.mark.parametrize(
    "text",
    [
        "Teen Batti ke paas light nahi",
        "TEEN BATTI pe kachra",
        "teenbatti pe kachra",
        "teen batti",
        "3 batti chauraha",
        "तीन बत्ती के पास नाली",
        "tin bati ke samne",
    ],
)
def test_spellings_of_one_place(text):
    assert find_places(text, PLACES) == (1,)


def test_script_and_spelling_folds():
    assert word_key("Makronia") == word_key("Makroniya") == word_key("मकरोनिया")
    assert word_key("Gopalganj") == word_key("गोपालगंज")
    assert word_key("bazar") == word_key("bazaar") == word_key("बाज़ार")
    assert find_places("Shanichari me nali band", PLACES) == (8,)  # schwa written or not
    assert find_places("makroniya chouraha pe gadda", PLACES) == (3,)


def test_longest_match_first_in_text_order_each_once():
    assert find_places("Gopalganj thane ke peeche", PLACES) == (5,)  # "thana" in the oblique case
    assert find_places("Gopalganj me paani", PLACES) == (4,)
    text = "Katra bazar se Teen Batti tak aur wapas Katra"
    assert find_places(text, PLACES) == (2, 1)


def test_a_name_of_two_places_returns_both():
    assert find_places("shiv mandir ke paas kachra", PLACES) == (6, 7)


def test_whole_words_only():
    assert find_places("batti nahi jal rahi", PLACES) == ()
    assert find_places("line me katar lagi hai", PLACES) == ()
    assert find_places("Gopalganjwala", PLACES) == ()
    assert find_places("", PLACES) == ()
    assert find_places("Teen Batti", ()) == ()


def test_without_places_cuts_the_names_out():
    assert without_places("Teen Batti ke paas light nahi", PLACES) == "ke paas light nahi"
    assert without_places("तीन बत्ती के पास अंधेरा", PLACES) == "के पास अंधेरा"
    assert without_places("light nahi hai", PLACES) == "light nahi hai"
    assert without_places("Katra bazar, Teen Batti: dono jagah kachra", PLACES) == ", : dono jagah kachra"
