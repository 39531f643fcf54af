"""Training the linear model from the taxonomy (imports scikit-learn; used only on a cache miss).

Each minor contributes its name, keywords, synonyms and example sentences as training documents;
a major's own cue words are extra documents for the major model.
Two LinearSVC models share one TF-IDF space: one over minors, one over majors (whose classes pool
16-ish minors each, so they generalise better from the same few sentences).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nlu.content import WORD_CHARS, subject_text
from nlu.model import LinearModel, analyze
from nlu.taxonomy import Taxonomy
from nlu.text import for_matching

C_MINOR = 1.0
C_MAJOR = 1.0
MIN_TRIGRAM_DF = 3  # a trigram must occur in this many training documents to become a feature
HISTORY_WEIGHT = 3.0  # a message from the centre's own history counts as much as three taxonomy phrases


def training_documents(taxonomy: Taxonomy) -> tuple[list[str], list[str]]:
    """(texts, minor codes): one document per name, keyword, synonym and example."""
    texts: list[str] = []
    labels: list[str] = []
    for minor in taxonomy.minors:
        for text in (minor.name, *minor.keywords, *minor.synonyms, *minor.examples):
            cleaned = for_matching(text)
            if cleaned:
                texts.append(cleaned)
                labels.append(minor.code)
        joined = for_matching("".join(minor.keywords[:3]))
        if joined:
            texts.append(joined)
            labels.append(minor.code)
    return texts, labels


def train(
    taxonomy: Taxonomy, words_of: Callable[[str], list[str]], history: Sequence[tuple[str, str]] = ()
) -> LinearModel:
    """Train on the taxonomy, plus `history`: (text, code) pairs of labelled messages, where code is a
    minor (trains both models) or a major (trains the major model only)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    texts, minor_labels = training_documents(taxonomy)
    weights = [1.0] * len(texts)
    cue_texts = [for_matching(w) for major in taxonomy.majors for w in major.keywords]
    cue_labels = [major.code for major in taxonomy.majors for _ in major.keywords]
    for text, code in history:
        cleaned = subject_text(text)
        if not cleaned:
            continue
        if len(code) == 4:
            texts.append(cleaned)
            minor_labels.append(code)
            weights.append(HISTORY_WEIGHT)
        else:
            cue_texts.append(cleaned)
            cue_labels.append(code)
    vectorizer = TfidfVectorizer(
        analyzer=lambda text: analyze(text, words_of(text[:WORD_CHARS])), sublinear_tf=True, norm="l2", dtype=np.float32
    )
    x = vectorizer.fit_transform(texts + cue_texts)
    vocabulary = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
    x, vocabulary, idf = _without_rare_trigrams(x, vocabulary, vectorizer.idf_)
    x_minor, x_major = x[: len(texts)], x
    major_labels = [code[:2] for code in minor_labels] + cue_labels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # liblinear convergence notes on tiny classes
        minor_clf = LinearSVC(C=C_MINOR, class_weight="balanced").fit(x_minor, minor_labels, sample_weight=weights)
        major_clf = LinearSVC(C=C_MAJOR, class_weight="balanced").fit(
            x_major, major_labels, sample_weight=weights + [1.0] * len(cue_texts)
        )
    return LinearModel.from_float(
        vocabulary=vocabulary,
        idf=idf.astype(np.float32),
        minor_codes=[str(c) for c in minor_clf.classes_],
        major_codes=[str(c) for c in major_clf.classes_],
        w_minor=minor_clf.coef_.T,
        b_minor=minor_clf.intercept_.astype(np.float32),
        w_major=major_clf.coef_.T,
        b_major=major_clf.intercept_.astype(np.float32),
    )


def _without_rare_trigrams(
    x: Any, vocabulary: dict[str, int], idf: np.ndarray
) -> tuple[Any, dict[str, int], np.ndarray]:
    """The documents, vocabulary and idf without the trigrams fewer than MIN_TRIGRAM_DF training documents have.

    Residents' long example posts bring tens of thousands of trigrams seen once or twice; they doubled the
    model's memory and carried no measurable accuracy. Rows are normalised again over the features kept, as
    a message is when it is classified.
    """
    from sklearn.preprocessing import normalize

    df = np.asarray((x > 0).sum(axis=0)).ravel()
    terms = sorted(vocabulary, key=vocabulary.__getitem__)
    kept = [i for i, term in enumerate(terms) if df[i] >= MIN_TRIGRAM_DF or term[0] != "t"]
    return normalize(x[:, kept]), {terms[i]: n for n, i in enumerate(kept)}, idf[kept]
