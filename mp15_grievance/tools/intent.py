"""What a citizen's free-text message is: a complaint, a question, thanks, a greeting or a suggestion.

``detect_intent(text, classification=None)`` returns one of ``INTENTS``. The grievance desk files a
message at once only when it is a complaint (and the classifier is sure of its category); a question
is answered (see ``answers.match_answer``), thanks and greetings are answered politely, a suggestion
is acknowledged.

How a message is read, in this order:

1. An appeal to fellow citizens ("don't waste water", "save water", "we are wasting water", "पानी
   बचाएं") is a suggestion even when it names a fault ("stop water leakage if you see it"), unless
   it asks for a repair or action ("please repair the tap", "theek karwao") or says how long ("3 din se").
   Otherwise signs of a fault ("nahi aa raha", "band hai", "kharab", "toota", "overflowing", "not working",
   "3 din se", "since", "for a week" ...) make a complaint, whatever its form: "3 din se paani nahi
   aaya, kab aayega?" is a complaint phrased as a question. So does an EMERGENCY classification.
2. A message of greeting words only ("hi", "namaste ji", "good morning sir") is a greeting.
3. Thanks ("thanks", "shukriya", "धन्यवाद", 🙏) without a fault is thanks when something says the
   problem was solved ("saaf kar di", "theek ho gayi"), or when the message is short and the
   classifier would not file it; a long letter that ends in "dhanyavad" is about a problem.
4. A message marked as a suggestion ("suggestion:", "सुझाव", "my suggestion", "it would be good if ...")
   is one; softer wording ("please consider", "we should", "save water") only when the classifier
   would not file it: "please consider repairing the street light in gali 3" is a complaint.
5. Question words and forms (kitna, kab, kaise, kya, kahan, कितना, कब, कैसे, क्या, कहाँ, how,
   when, where, what, "?", "batayein", "jaankari" ...) make a question; but a lone "?", or a "why"
   (kyon, क्यों), on a message that the classifier would file stays a complaint ("gehu kam kyon de
   raha hai?"). "जानना" (to know) is matched as written: folded it would be "जाना" (to go).
6. Anything else is a complaint: the existing filing flow classifies it and asks what it needs.

The signal lists are written in the category keyword syntax (``classifier.KEYWORDS_HELP``) and
compiled with the classifier, so spelling folds (nahi = nhi = nahin, पानी = पानि) apply alike.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .classifier import Classification, Classifier, normalize

INTENTS = ("complaint", "question", "thanks", "greeting", "suggestion")

# --- signals, in the classifier's keyword syntax -------------------------------------------------

FAULT_SIGNALS = """
# Hinglish: something does not come, work, burn, get done
nahi aa/aaya/aayi/aaye/aata/aati/aate/ata/ati/raha/rahi/rahe
nahi mil/mila/mili/mile/milta/milti/milte
nahi jal/jala/jali/jalti/jalta/jalte
nahi chal/chala/chali/chalti/chalta/chalte
nahi hua/hui/hue/hota/hoti/hote/huyi
nahi bana/bani/bane/banaya/banayi
nahi utha/uthi/uthaya/uthayi/uthta/uthti/uthata
nahi kiya/kiye/karta/karti/karte/karwaya/kara/kari
nahi lagi/laga/lage/lagaya
nahi sun/sunta/sunte/sunti/suna/suni
nahi hai + pani/paani/bijli/light/supply/safai
band hai/pada/padi/pade/ho/hua/hui/he/hain
se band
kharab/kharaab/kraab
toot*/tut*/phoot*/phut*/foot*
leak/leakage/leaking/rissa/risaav/rista
overflow*/ovrflow
ubal/ubhal/ufan + rahi/raha/gayi/gaya/gai/raha
bhar gaya/gayi/gai/gaye
bhari/bhara/bhare hai/pada/padi/pade/he
jam/chok/choke/chock hai/ho/gaya/gayi/gai/padi/pada/he
bah/beh/bahe/behe raha/rahi/rahe/rha/rhi
ganda/gandi/gande/gandagi/gandgi/badbu/bdbu/smell/stink*/machhar/machar/macchar
pada/padi/pade hai/he/hua/hui/hain/rehta/rehti
din/dino/dinon/hafte/hafton/mahine/mahino/saal/sal/ghante se
kitni/kitne/kai baar, cancel, cancelled, canceled, radd, chori, stolen, theft, abhi tak, ab tak
chhutkara, chutkara, nijat, andhera, andhere, andhkar
kam de/mil/aa/milta/milti/diya/dete/deta/aata/aati, kaat rahe/raha/rahi/liya/lete/leta, kat rahe/raha/liya
koi sunvai/sunwai/sunta/sunne
kaun/kon/koi dekhega/sunega/uthayega/hatayega/karega/dhyan/sunta/dekhta
pareshan/pareshani/dikkat/takleef/taklif/samasya/problem
gaddha/gadda/gaddhe/gadde/pothole
# Hindi
नहीं आ/आया/आई/आए/आता/आती/आते/आयी/मिल/मिला/मिली/मिलता/मिलती/जल/जलती/जलता/जली/चल/चलती/चलता
नहीं हुआ/हुई/हुए/होता/होती/बना/बनी/उठा/उठाया/उठाई/उठता/किया/की/करते/लगी/लगा/सुनता/सुनते/सुनी
नहीं है + पानी/बिजली/लाइट/सप्लाई/सफाई
बंद है/पड़ा/पड़ी/पड़े/हो/हुआ/हुई/हैं
से बंद
खराब/ख़राब/टूट*/फूट*/लीक/रिस*/ओवरफ्लो
उफन*/उबल रही/रहा/गई/गया
बह रहा/रही/रहे
भर गया/गई/गयी/गए
भरी/भरा/भरे है/पड़ी/पड़ा/हैं
जाम/चोक है/हो/गया/गई/पड़ी
गंदा/गंदी/गंदे/गंदगी/बदबू/मच्छर
पड़ा/पड़ी/पड़े है/हैं/हुआ/हुई/रहता/रहती
दिन/दिनों/हफ्ते/हफ़्ते/महीने/महीनों/साल/घंटे से
कितनी/कितने/कई बार, रद्द, कैंसिल, चोरी, बाधित, प्रभावित, अभी तक, अब तक, छुटकारा, निजात, अंधेरा, अंधेरे, अंधकार
कम दे/मिल/आ/मिलता/मिलती/दिया/देते/देता/आता/आती, काट रहे/रहा/रही/लिया/लेते/लेता
सुनवाई/परेशान/परेशानी/दिक्कत/तकलीफ/समस्या
कौन/कोई देखेगा/सुनेगा/उठाएगा/हटाएगा/करेगा/ध्यान/सुनता/देखता
गड्ढा/गड्ढे
# English
not work/working/works/worked/functioning/function/coming/come/came/cleaned/clean/picked/collected
not repaired/fixed/lit/supplied/available/attended/responding/cleared/removed
t/nt work/working/come/coming/cleaned/collected/picked/repaired/fixed/clean/function/functioning
isnt/doesnt/dont/didnt/hasnt/havent/wasnt/wont/arent work/working/come/coming/cleaned/collected/picked/repaired/fixed
no water/supply/light/lights/electricity/power/response/action
since/still/again/repeatedly/dark/darkness/disrupted/interrupted
for/from/last/past day/days/week/weeks/month/months/year/years/hours
broken/damaged/burst/blocked/clogged/choked/overflowing/leaking/stagnant/stinking/dirty/filthy/foul/pothole/potholes
dumped/piled/lying/fallen/sparking/fire/accident/danger/dangerous/smelling/unhygienic/menace/nuisance
open manhole, garbage dump
complaint + not/no/again/still/pending
"""

QUESTION_SIGNALS = """
kya/kyaa/kitna/kitni/kitne/kitnaa/kab/kabse/kabtak/kaise/kese/kaisa/kaisi/kaisey/kahan/kaha/kahaan/kidhar/kidar
kaun/kon/kaunsa/konsa/kaunsi/konsi/kis/kise/kisko/kiski/kiska/kiske/kyon/kyu/kyun/kyo
batao/bataiye/batayen/batayein/btao/bataen/bataiyega/bataiyee
bata do/dijiye/dena/de
jankari/jaankari/information/info/details/detail/procedure/process/tarika/tareeka/niyam
kagaz/kagaj/kagzat/kaagaz/documents/document/dastavej/dastavez
apply/aavedan/avedan/status
pata karna, pata kaise, ya nahi, ki nahi, hai ki nahi
# Hindi
क्या/कितना/कितनी/कितने/कब/कैसे/कैसा/कैसी/कहाँ/कहां/किधर/कौन/कौनसा/कौनसी/किस/किसे/किसको/क्यों/क्यूं/क्यूँ
बताएं/बताइए/बताएँ/बताओ/बताये/बतायें/बताइये/बताएंगे
बता दीजिए/दें/दो
या नहीं, कि नहीं
जानकारी/प्रक्रिया/तरीका/दस्तावेज/कागज/कागजात/आवेदन/स्थिति/स्टेटस/नियम
# English (wh-words count only when they open a sentence, or the message has a "?": see EN_WH_WORDS)
who is, who will, who can, who should, who to, whom, whose, or not, tell me, let me know, want to know
need to know, please inform, enquire, enquiry, inquiry, query
"""

THANKS_SIGNALS = """
thanks, thank you, thanku, thankyou, thnx, thx, tnx, shukriya, sukriya, shukria, dhanyavad, dhanyawad, dhanywad
dhanyvad, dhanybad, aabhar, abhar, good job, great work, good work, well done, nice work, appreciate, appreciated
grateful, badhai, shabash, accha kaam, acha kaam, achha kaam, badhiya kaam, great job, excellent work
धन्यवाद, शुक्रिया, आभार, बधाई, शाबाश, अच्छा काम, बढ़िया काम
"""

SOLVED_SIGNALS = """
ho gaya/gayi/gai/gaye, kar diya/di/diye/dia/diyaa, lag gayi/gaya/gai, aa gaya/gayi/gai, aane laga/lagi
jalne lagi/laga, chalu ho, theek, thik, sahi, saaf, clean, cleaned, fixed, repaired, resolved, solved, done
restored, working now, quickly, jaldi, turant, samay par
हो गया/गई/गयी/गए, कर दिया/दी/दिए, लग गई/गया, आ गया/गई, आने लगा/लगी, जलने लगी/लगा, चालू, ठीक, सही, साफ
जल्दी, तुरंत, समय पर
"""

# A suggestion said in so many words: one whatever the classifier thinks.
EXPLICIT_SUGGESTION_SIGNALS = """
suggestion, suggestions, sujhav, sujhaav, sujav, my suggestion, i suggest, i would suggest, proposal
it would be good/nice/better/great if, would be good/nice/better/great if, it will be good if
acha/accha/achha/behtar hoga/rahega agar/ki
सुझाव, अच्छा/बेहतर होगा/रहेगा अगर/कि
"""

# Appeals to fellow citizens, not requests to the corporation: a suggestion even when they name a fault.
APPEAL_SIGNALS = """
do/should/must not waste/wasting, don/shouldn t waste/wasting, dont/never waste/wasting
stop/avoid waste/wasting/wastage, prevent/reduce/avoid/minimise/minimize water wastage/wasting
save/saving water/rainwater/rain/electricity/power/energy, please save, water is precious, water saving
save/saving/conserve/conserving the/more/our/some water/rainwater, save a lot of water
save/saving/conserve/conserving plenty/lots/lot of water/rainwater
create/creating/spread/spreading/raise/raising awareness, awareness must/should be spread/created/raised
we can reuse/recycle, we should reuse/recycle
we should/must not/stop, should not allow, we have/need to save, segregate waste, please segregate
we/people/everyone/everybody/citizens/public are wasting, people s are wasting, we waste, people waste
pani/paani/bijli bachao/bachaye/bachayen/bachaiye/bachaen
pani/paani barbad/barbaad na/mat kare/karein/karo
पानी/बिजली बचाएं/बचाएँ/बचाओ/बचाइए/बचाये
पानी बर्बाद न/मत करें/करो/कीजिए
"""
# ... unless they ask the corporation to act: "so please repair the tap".
REPAIR_REQUEST_SIGNALS = """
repair/fix/solve/rectify/replace/check/clean/attend it/this/that/the/them/soon/immediately/asap
please/pls/plz/kindly repair/fix/solve/rectify/replace/check/clean/attend/send
take action, take necessary action, want to repair, need to repair, requested to repair
theek/thik/sahi/band/saaf/sudhar/marammat karo/karwao/karvao/karwaiye/kijiye/karaye/karayen
ठीक/सही/बंद/साफ/सुधार/मरम्मत करो/करवाओ/करवाइए/कीजिए/कराएं/कराएँ/करवाएं
"""

# Softer wording: a suggestion only when the classifier would not file the message as a complaint.
SUGGESTION_SIGNALS = """
suggest, salah, salaah, it would be good, it would be nice, it would be better, it will be good, please consider
acha hoga, accha hoga, achha hoga, acha rahega, accha rahega, achha rahega, behtar hoga, behtar rahega
we should, we must
सलाह, अच्छा होगा, अच्छा रहेगा, बेहतर होगा, बेहतर रहेगा
"""

# English wh-words are also relative pronouns ("a manhole which is open"): a question only when they
# open a sentence or the message has a question mark. ("who" is left out: it folds like Hinglish "wo".)
EN_WH_WORDS = ("how", "when", "where", "what", "which", "why", "whether", "whom", "whose")
EN_QUESTION_OPENERS = (
    *EN_WH_WORDS, "is there", "are there", "can i", "can we", "can you", "could you", "do i", "do we", "does",
    "should i", "will the", "will my", "will you", "is it", "is my", "is the", "are the", "may i",
)  # fmt: skip
# A stretch of time makes a fault: "3 din se", "for a week", "since 2 days", "पिछले 10 दिनों से".
_DURATION = re.compile(
    r"\b(?:for|from|since|last|past|over)\s+(?:\w+\s+)?(?:days?|weeks?|months?|years?|hours?|hrs)\b"
    r"|\b(?:\d+|do|teen|char|panch|kai|kuch|ek)\s+(?:din|dino|dinon|hafte|hafton|mahine|mahino|saal)\b"
    r"|(?:\d+|दो|तीन|चार|पांच|पाँच|कई|कुछ|एक)\s+(?:दिन|दिनों|हफ्ते|हफ़्ते|हफ्तों|महीने|महीनों|साल)",
    re.IGNORECASE,
)

# "Why" asked about something the classifier would file is a complaint: "gehu kam kyon de raha hai?"
WHY_WORDS = ("kyon", "kyu", "kyun", "kyo", "why", "क्यों", "क्यूं", "क्यूँ", "क्यो")

SUGGESTION_OPENERS = ("suggestion", "suggestions", "sujhav", "sujav", "सुझाव")
# Matched in the raw text, not folded: folding makes "जानना" (to know) "जाना" (to go).
_STRICT_QUESTION = re.compile(r"जानना|जानने|जानकारी")

GREETING_WORDS = """
hi hii hiii hello helo hello hey heyy namaste namaskar namaskaar namashkar pranam parnam pranaam
ram jai shri shree siya radhe good morning afternoon evening night gm day sir ji madam mam maam
bhaiya bhai sahab saheb team all everyone there dear mp15 sagar nagar nigam smc
नमस्ते नमस्कार प्रणाम राम जय श्री सिया राधे सुप्रभात शुभ प्रभात संध्या सर जी मैडम भैया भाई साहब हेलो हाय नगर निगम सागर
"""
GREETING_OPENERS = """
hi hii hello helo hey namaste namaskar namaskaar pranam ram good gm jai radhe
नमस्ते नमस्कार प्रणाम राम सुप्रभात शुभ जय हेलो हाय राधे
"""

_THANKS_EMOJI = ("🙏", "👍", "🙏🏻", "🙏🏼", "🙏🏽", "👌", "❤", "😊")
_GREETING_EMOJI = ("👋",)
_QUESTION_MARK = re.compile(r"[?？]")
_SENTENCE_END = re.compile(r"[.!?？।\n]+")
MAX_THANKS_WORDS = 12  # a longer message that ends with "dhanyavad" is a letter about a problem


@lru_cache(maxsize=1)
def _signals():
    def compiled(text):
        return Classifier({"signal": text}, never_auto_file=())

    return {
        "fault": compiled(FAULT_SIGNALS),
        "question": compiled(QUESTION_SIGNALS),
        "thanks": compiled(THANKS_SIGNALS),
        "solved": compiled(SOLVED_SIGNALS),
        "suggestion": compiled(SUGGESTION_SIGNALS),
        "explicit_suggestion": compiled(EXPLICIT_SUGGESTION_SIGNALS),
        "appeal": compiled(APPEAL_SIGNALS),
        "repair_request": compiled(REPAIR_REQUEST_SIGNALS),
    }


@lru_cache(maxsize=1)
def _word_sets():
    return frozenset(normalize(GREETING_WORDS).split()), frozenset(normalize(GREETING_OPENERS).split())


def _english_question(text):
    """An English question opening (wh-word, "is there", "can I" ...) at the start of a sentence, or an
    English wh-word anywhere in a message with a question mark."""
    if _QUESTION_MARK.search(text) and _word_set(" ".join(EN_WH_WORDS)).intersection(normalize(text).split()):
        return True
    openers = [opener.split() for opener in _normalized_phrases(EN_QUESTION_OPENERS)]
    for sentence in _SENTENCE_END.split(text):
        tokens = normalize(sentence).split()
        if any(tokens[: len(opener)] == opener for opener in openers):
            return True
    return False


@lru_cache(maxsize=1)
def _normalized_phrases(phrases):
    return tuple(normalize(phrase) for phrase in phrases)


@lru_cache(maxsize=8)
def _word_set(words):
    return frozenset(normalize(words).split())


def signal_score(kind: str, text: str) -> int:
    """How many distinct signals of a kind ("fault", "question", ...) the text holds, weighted."""
    result = _signals()[kind].classify(text)
    return dict(result.scores).get("signal", 0)


def _is_greeting(tokens):
    greeting_words, openers = _word_sets()
    return bool(tokens) and tokens[0] in openers and all(token in greeting_words for token in tokens)


def detect_intent(text: str, classification: Classification | None = None) -> str:
    """One of ``INTENTS`` for a free-text message (Hindi, Hinglish or English)."""
    text = text or ""
    tokens = normalize(text).split()
    if not tokens:
        if any(emoji in text for emoji in _THANKS_EMOJI):
            return "thanks"
        if any(emoji in text for emoji in _GREETING_EMOJI):
            return "greeting"
        return "question" if _QUESTION_MARK.search(text) else "complaint"
    duration = _DURATION.search(text)
    emergency = classification is not None and classification.code == "EMERGENCY"
    # An emergency is never an appeal: "flood water in the house, please save us" asks for a rescue.
    if signal_score("appeal", text) and not (duration or emergency) and not signal_score("repair_request", text):
        return "suggestion"
    fault = signal_score("fault", text) or duration
    if fault or emergency:
        return "complaint"
    if _is_greeting(tokens):
        return "greeting"
    filed = classification is not None and classification.auto_file
    thanks = signal_score("thanks", text) or (any(emoji in text for emoji in _THANKS_EMOJI) and len(tokens) <= 3)
    if thanks and (signal_score("solved", text) or (not filed and len(tokens) <= MAX_THANKS_WORDS)):
        return "thanks"
    explicit = tokens[0] in _word_set(" ".join(SUGGESTION_OPENERS)) or signal_score("explicit_suggestion", text)
    if explicit or (not filed and signal_score("suggestion", text)):
        return "suggestion"
    if signal_score("question", text) or _english_question(text) or _STRICT_QUESTION.search(text):
        return "complaint" if filed and _word_set(" ".join(WHY_WORDS)).intersection(tokens) else "question"
    if _QUESTION_MARK.search(text) and not filed:
        return "question"
    return "complaint"
