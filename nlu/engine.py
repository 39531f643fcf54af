"""The NLU facade: loads the taxonomy, tokenizer and model once, then understands messages."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nlu.appeal import appeal_type
from nlu.classifier import CategoryScore, Classification, Classifier
from nlu.errors import ModelCacheError
from nlu.extractors import PlaceFinder, detect_urgency, extract_time
from nlu.intent_model import IntentModel
from nlu.intent_reading import read_intent, train_intent_model
from nlu.model import LinearModel, model_path
from nlu.numbers import case_number_and_phone, extract_case_number
from nlu.store import ModelStore
from nlu.taxonomy import Taxonomy, load_taxonomy
from nlu.text import Tokenizer
from nlu.vocabulary import AppealType, Context, Cue, Fixed, Intent, IntentReading, Rating

PLACES_PATH = Path(__file__).parent / "data" / "places.txt"
logger = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gongzhi-intake" / "nlu"


def shipped_place_names() -> list[str]:
    """The place names shipped in nlu/data/places.txt (a copy of the gazetteer's name column)."""
    lines = PLACES_PATH.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class Understanding:
    """Everything the dialog needs from one message.

    ``intent`` is read in ``context``; ``rating`` (and ``fixed``) is set when the intent is RATING, ``cue`` when the
    message is a short answer (confirm/deny/skip/back/correction). ``unknown`` means the message names
    no subject the classifier can stand behind (content-free, off-topic or too short): ``majors`` are
    still ranked but the dialog should ask what the problem is. ``appeal`` is the 诉求类型.
    """

    text: str
    intent: Intent
    majors: list[CategoryScore]
    minor: CategoryScore | None
    confident: bool
    phone: str | None
    place: str | None
    time_hint: str | None
    urgent: bool
    urgency_kind: str | None
    case_number: str | None
    context: Context = Context.IDLE
    intent_confidence: float = 1.0
    rating: Rating | None = None
    cue: Cue | None = None
    fixed: Fixed | None = None  # with a rating: whether the problem was fixed, when the words say so
    appeal: AppealType = AppealType.OTHER
    unknown: bool = False
    others: tuple[CategoryScore, ...] = ()  # further subjects a long message raises, best first


PROBLEM_PROBABILITY = 0.5
PROBLEM_MIN_CHARS = 12
HEAD_CHARS = 500
REFRESH_SECONDS = 1.0
DETAIL_CHARS = 200  # place and urgency are looked for where a post states its problem
TIME_CHARS = 100


def _describes_problem(text: str, result: Classification) -> bool:
    """Whether a message names a subject: a taxonomy keyword, or (past a few words) a clear lead of one
    major; a short request to the bot ("转给你们主任") often leans on some major without naming anything."""
    if result.keyword_hit:
        return True
    return len(text) >= PROBLEM_MIN_CHARS and not result.unknown and result.major.score >= PROBLEM_PROBABILITY


class NLU:
    """Loads once per process; with a model store, follows the version in use (see `refresh`)."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        tokenizer: Tokenizer,
        model: LinearModel,
        places: PlaceFinder,
        store: ModelStore | None = None,
        intents: IntentModel | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.tokenizer = tokenizer
        self.shipped = model  # trained on the taxonomy alone
        self.model = model
        self.places = places
        self.intents = intents if intents is not None else train_intent_model()
        self.classifier = Classifier(taxonomy, model, tokenizer.words)
        self.store = store
        self.version: str | None = None  # the learned version in use, None for the shipped model
        self._stamp = -1
        self._checked = 0.0
        # The dialogs read a message's intent first and often its subject next: one classification serves
        # both (keyed by the classifier too, so a model switch never answers from the old model).
        self._last: tuple[Classifier, str, Classification] | None = None
        # …and its intent reading serves `understand` after `intent` (keyed the same way, and by context).
        self._last_reading: tuple[Classifier, str, Context, IntentReading] | None = None
        self.refresh(force=True)

    def refresh(self, force: bool = False) -> bool:
        """Pick up a model switch made by `intake nlu learn` / `rollback` in any process.

        Looks at the store at most once a second (one stat call); returns True when the model changed.
        A version trained for another taxonomy, or one that cannot be read, leaves the shipped model.
        """
        if self.store is None:
            return False
        now = time.monotonic()
        if not force and now - self._checked < REFRESH_SECONDS:
            return False
        self._checked = now
        stamp = self.store.stamp()
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        name = self.store.current()
        model = self.shipped
        if name is not None and self.store.info(name).taxonomy == self.taxonomy.digest:
            try:
                model = self.store.load(name)
            except ModelCacheError as exc:
                logger.warning("nlu: learned model %s unreadable, using the shipped one: %s", name, exc)
                name = None
        else:
            name = None
        if model is self.model:
            return False
        self.model, self.version = model, name
        self.classifier = Classifier(self.taxonomy, model, self.tokenizer.words)
        logger.info("nlu: now using %s", name or "the shipped model")
        return True

    def with_model(self, model: LinearModel) -> NLU:
        """Another NLU sharing everything but the model (to evaluate a candidate)."""
        return NLU(self.taxonomy, self.tokenizer, model, self.places, intents=self.intents)

    @classmethod
    def load(
        cls,
        extra_words: Iterable[str] = (),
        cache_dir: Path | None = None,
        taxonomy_path: Path | None = None,
        models_dir: Path | None = None,
    ) -> NLU:
        """Load (or, on first use of a taxonomy, train and cache) everything; later starts are fast.

        `models_dir` is the store of models learned from the centre's history (`intake nlu learn`):
        the version in use there replaces the shipped model, and later switches are followed.
        """
        cache_dir = cache_dir or default_cache_dir()
        taxonomy = load_taxonomy(taxonomy_path)
        extra = [w.strip() for w in extra_words if w and w.strip()]
        domain = [w for m in taxonomy for w in (m.name, *m.keywords, *m.synonyms)]
        tokenizer = Tokenizer([*domain, *extra], cache_dir)
        path = model_path(cache_dir, taxonomy.digest)
        model: LinearModel | None = None
        if path.exists():
            try:
                model = LinearModel.load(path)
            except ModelCacheError:
                model = None  # a damaged cache is rebuilt below
        if model is None:
            from nlu.training import train

            model = train(taxonomy, tokenizer.words)
            try:
                model.save(path)
            except ModelCacheError as exc:  # still usable; the next start trains again
                logger.warning("nlu model not cached: %s", exc)
        store = ModelStore(models_dir) if models_dir is not None else None
        return cls(taxonomy, tokenizer, model, PlaceFinder(extra or shipped_place_names()), store)

    def classify(self, text: str) -> Classification:
        """Majors ranked best first (all 20), the best minors of the top major, and `confident`."""
        self.refresh()
        return self.classifier.classify(self.places.without_names(text))

    def place(self, text: str) -> str | None:
        """The place fragment of `text` for the gazetteer (a known name first, else a road/compound)."""
        return self.places.find(text)

    def _classify_head(self, text: str) -> Classification:
        """The classification of where a long post says what, where and when (its first characters)."""
        head = text[:HEAD_CHARS]
        classifier, last = self.classifier, self._last
        if last is not None and last[0] is classifier and last[1] == head:
            return last[2]
        result = classifier.classify(self.places.without_names(head))
        self._last = (classifier, head, result)
        return result

    def _has_problem(self, text: str) -> bool:
        """Whether `text` names a subject (see `_describes_problem`), scoring the majors only when it matters.

        Below PROBLEM_MIN_CHARS only a taxonomy keyword counts, so a short answer ("保密", "确认", "2") is
        read without the model: the same answer as the whole classification, at a fraction of its cost.
        """
        if len(text) < PROBLEM_MIN_CHARS:
            return self.classifier.keyword_hit(text[:HEAD_CHARS])
        return _describes_problem(text, self._classify_head(text))

    def _reading(self, text: str, context: Context, has_problem: bool, case_number: str | None) -> IntentReading:
        classifier, last = self.classifier, self._last_reading
        if last is not None and last[0] is classifier and last[1] == text and last[2] is context:
            return last[3]
        reading = read_intent(text, context=context, has_problem=has_problem,
                              has_case_number=case_number is not None, model=self.intents)
        self._last_reading = (classifier, text, context, reading)
        return reading

    def intent(self, text: str, context: Context = Context.IDLE) -> IntentReading:
        """The resident's intent in `context` (with rating and cue); the same reading as `understand`'s."""
        self.refresh()
        return self._reading(text, context, self._has_problem(text), extract_case_number(text))

    def understand(self, text: str, context: Context = Context.IDLE) -> Understanding:
        """Intent (in `context`), subject, appeal type and every extractor's finding for one message."""
        head = text[:HEAD_CHARS]  # where a long post says what, where and when
        self.refresh()
        result = self._classify_head(text)
        case_number, phone = case_number_and_phone(text)
        reading = self._reading(text, context, _describes_problem(text, result), case_number)
        urgency = detect_urgency(head[:DETAIL_CHARS])
        return Understanding(
            text=text,
            intent=reading.intent,
            context=context,
            intent_confidence=reading.confidence,
            rating=reading.rating,
            cue=reading.cue,
            fixed=reading.fixed,
            appeal=appeal_type(head, has_subject=not result.unknown),
            unknown=result.unknown,
            others=tuple(result.others),
            majors=result.majors[:3],
            minor=result.minor,
            confident=result.confident,
            phone=phone,
            place=self.places.find(head[:DETAIL_CHARS]),
            time_hint=extract_time(head[:TIME_CHARS]),
            urgent=urgency.urgent,
            urgency_kind=urgency.kind,
            case_number=case_number,
        )
