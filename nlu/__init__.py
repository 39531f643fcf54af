"""Understanding residents' messages: intent, category, phone, place, time, urgency, case number.

A leaf package: it imports nothing of the project's other packages.

    nlu = NLU.load(extra_words=place_names, cache_dir=Path("var/cache/nlu"))
    u = nlu.understand("望江路路灯晚上黑灯瞎火的 电话138 5512 3456")
"""

from nlu.appeal import appeal_type
from nlu.classifier import CategoryScore, Classification
from nlu.content import announces_problem, strip_noise
from nlu.engine import NLU, Understanding, shipped_place_names
from nlu.errors import ModelCacheError, NLUError, TaxonomyError
from nlu.extractors import EMERGENCY_NUMBERS, Urgency, detect_urgency, extract_time
from nlu.intent_reading import read_intent
from nlu.intents import INTENTS
from nlu.numbers import extract_case_number, extract_phone, extract_phones
from nlu.ratings import answer_rating, explicit_rating, fixed_verdict
from nlu.taxonomy import Major, Minor, Taxonomy, load_taxonomy
from nlu.vocabulary import AppealType, Context, Cue, Fixed, Intent, IntentReading, Polarity, Rating

__all__ = [
    "EMERGENCY_NUMBERS",
    "INTENTS",
    "NLU",
    "AppealType",
    "CategoryScore",
    "Classification",
    "Context",
    "Cue",
    "Fixed",
    "Intent",
    "IntentReading",
    "Major",
    "Minor",
    "ModelCacheError",
    "NLUError",
    "Polarity",
    "Rating",
    "Taxonomy",
    "TaxonomyError",
    "Understanding",
    "Urgency",
    "announces_problem",
    "answer_rating",
    "appeal_type",
    "detect_urgency",
    "explicit_rating",
    "extract_case_number",
    "extract_phone",
    "extract_phones",
    "extract_time",
    "fixed_verdict",
    "load_taxonomy",
    "read_intent",
    "shipped_place_names",
    "strip_noise",
]
