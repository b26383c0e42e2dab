"""Telling a complaint from a question, thanks, a greeting or a suggestion (tools/intent.py)."""

import pytest

from mp15_grievance.tools.classifier import Classification
from mp15_grievance.tools.intent import INTENTS, detect_intent


@pytest.mark.parametrize(
    "text",
    [
        "property tax kitna baki hai?",
        "मेरा संपत्ति कर कितना बकाया है?",
        "ration card kab banega?",
        "सागर में कल पानी सप्लाई बंद रहेगी क्या?",
        "भैया पानी का नया कनेक्शन लेने के लिए क्या कागज लगते हैं?",
        "How can I pay property tax online?",
        "trade licence renew kaise hoga",
        "नल कनेक्शन की जानकारी दीजिए",
        "कल पानी आएगा या नहीं",
    ],
)
def test_questions(text):
    assert detect_intent(text) == "question"


@pytest.mark.parametrize(
    "text",
    [
        "3 din se paani nahi aaya, kab aayega?",
        "नाली कब साफ होगी? 10 दिन से भरी है",
        "why is the street light not working for a week?",
        "kachra gadi kab aayegi? 4 din se nahi aayi",
        "पानी का पाइप फूट गया है कोई देखेगा क्या?",
        "kya koi sunne wala hai? nali ubal rahi hai",
        "hamare mohalle me kachra kaun uthayega?",  # who will ...: a complaint, not a question
        "ये मलबा कौन हटाएगा?",
        "gali me kachra pada hai",
        "Teen Batti ke paas light nahi",
        "There is a big manhole which is open for weeks",  # "which" opens no question here
        "The sewage lines where we live are overflowing",
    ],
)
def test_complaints_stay_complaints_even_as_questions(text):
    assert detect_intent(text) == "complaint"


@pytest.mark.parametrize(
    "text", ["धन्यवाद, आपकी टीम ने नाली साफ कर दी 🙏", "thanks", "shukriya", "Thank you sir, light theek ho gayi", "🙏"]
)
def test_thanks(text):
    assert detect_intent(text) == "thanks"


def test_thanks_that_still_complains_is_a_complaint():
    assert detect_intent("thanks, but the drain is still overflowing") == "complaint"
    letter = "महोदय, तिलकगंज वार्ड में पिछले एक सप्ताह से पेयजल आपूर्ति बाधित है। कृपया शीघ्र व्यवस्था करें। धन्यवाद"
    assert detect_intent(letter) == "complaint"


@pytest.mark.parametrize("text", ["hi", "Namaste", "नमस्ते जी", "good morning sir", "राम राम", "hello ji"])
def test_greetings(text):
    assert detect_intent(text) == "greeting"


def test_a_greeting_with_a_complaint_is_a_complaint():
    assert detect_intent("namaste sir, gali me 3 din se kachra pada hai") == "complaint"


@pytest.mark.parametrize(
    "text",
    [
        "suggestion: har ward me kachra gadi ka time fix ho",
        "सुझाव: तालाब के किनारे बेंच लगवाई जाएं",
        "It would be good if the park had more lights",
        "accha hoga agar bus stand pe shauchalay ho",
    ],
)
def test_suggestions(text):
    assert detect_intent(text) == "suggestion"


def test_the_classification_weighs_in():
    filed = Classification("RATION", 0.86, True, scores=(("RATION", 6),))
    unsure = Classification("RATION", 0.5, False, scores=(("RATION", 2), ("OTHER", 1)))
    text = "ration dukan wala gehu kam kyon de raha hai?"  # a "why" about something the classifier files
    assert detect_intent(text, filed) == "complaint"
    assert detect_intent(text, unsure) == "question"
    emergency = Classification("EMERGENCY", 0.8, True, scores=(("EMERGENCY", 4),))
    assert detect_intent("aag lagi hai kya karein?", emergency) == "complaint"


def test_always_one_of_the_intents():
    for text in ("", "   ", "?", "12", "👍", "ok", "kya", "sir"):
        assert detect_intent(text) in INTENTS
    assert detect_intent("?") == "question"
    assert detect_intent("") == "complaint"  # nothing to answer: the filing flow asks what is wrong


def test_to_go_is_not_to_know():
    """Folded, "जानना" (to know) would be "जाना" (to go): it is matched as written."""
    text = "कॉलोनी में कुत्ते बहुत हो गए हैं, सुबह टहलने जाना मुश्किल हो गया है"
    assert detect_intent(text) == "complaint"
    assert detect_intent("मुझे पानी के नए कनेक्शन के बारे में जानना है") == "question"


@pytest.mark.parametrize(
    "text",
    ["नाली का पानी सड़क पर बह रहा है, कब ठीक होगा?", "gutter ka pani sadak par bah raha hai kab theek hoga?"],
)
def test_flowing_water_is_a_fault(text):
    assert detect_intent(text) == "complaint"


def test_soft_suggestion_wording_loses_to_a_confident_complaint():
    sure = Classification("STREETLIGHT", 0.8, True, scores=(("STREETLIGHT", 4),))
    text = "please consider repairing the street light in gali 3"
    assert detect_intent(text, sure) == "complaint"
    assert detect_intent("please consider planting more trees in the city") == "suggestion"
    for explicit in (
        "my suggestion: street light in gali 3 should be LED",
        "suggestion: street light in gali 3 should be LED",
        "it would be good if the street lights were switched on earlier",
        "सुझाव: गली 3 की स्ट्रीट लाइट एलईडी हो",
        "sujhav hai ki street light jaldi jalayi jaye",
        "Dont waste water, save water",
    ):
        assert detect_intent(explicit, sure) == "suggestion", explicit


@pytest.mark.parametrize(
    "text",
    [
        "Water is precious, we should not waste it. Stop the leakage if you see one",
        "Save water! Do not let the taps leak",
        "We are wasting too much water, leaking taps everywhere",
        "पानी बचाएं, नल खुला न छोड़ें",
        "pani bachao, tanki overflow mat hone do",
        "Buy bigger basins and prevent water wastage",
        "Use a jug while brushing so that we can save plenty of water",
        "Leaking taps waste water everywhere, awareness must be spread",
        "Collect the bath water and we can reuse the water for plants",
    ],
)
def test_an_appeal_to_citizens_is_a_suggestion_even_when_it_names_a_fault(text):
    assert detect_intent(text) == "suggestion"


@pytest.mark.parametrize(
    "text",
    [
        "The tap in our lane is broken and water is wasting, please repair it",
        "save water: the pipeline near the school is leaking for 3 days",
        "पानी बचाएं, पाइपलाइन फूटी है, जल्दी ठीक करवाइए",
    ],
)
def test_an_appeal_that_asks_for_a_repair_is_a_complaint(text):
    assert detect_intent(text) == "complaint"


def test_a_rescue_call_is_no_appeal():
    text = "Flood water entered our house, please save us, we are stuck"
    emergency = Classification("EMERGENCY", 0.9, True)
    assert detect_intent(text, emergency) == "complaint"


@pytest.mark.parametrize(
    "text",
    [
        "Municipality does not recycle the waste, garbage is dumped on the road near our house",
        "Pipe burst near school, lakhs of litres wasted, reduce wastage",
        "Garbage is dumped everywhere in our colony, awareness needs to be created",
    ],
)
def test_a_complaint_that_mentions_wastage_recycling_or_awareness_stays_a_complaint(text):
    assert detect_intent(text) == "complaint"
