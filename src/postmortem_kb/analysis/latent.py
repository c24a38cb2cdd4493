"""Latent wording: words that reports use together stand in for one another.

Two reports of one mechanism often share few words: one says "regex", the other "regular
expression"; one "thundering herd", the other "every client reconnected at once". Matching
words cannot bridge those, but the other reports of the knowledge base can: words that
keep appearing together across reports point to the same thing. Latent semantic analysis
(Deerwester et al., 1990) finds those directions as the truncated singular value
decomposition of the reports' term vectors (their BM25 weights, :mod:`relate`), and the
cosine of two reports in that space counts what they say alike in different words.

It learns from the knowledge base itself: no model, no download, and the same result on
every build of the same reports (the decomposition starts from a fixed vector).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.linalg import svds

DIMENSIONS = 100
"""Latent directions kept: the usual order for LSA over thousands of documents. With
no more reports (or shared terms) than that there is nothing to reduce, and the latent
cosine would be the words' own cosine again: no space is made (:func:`latent`)."""

PROBES = 3
"""The strongest latent directions of a report through which it looks for neighbours."""

LIST_LENGTH = 100
"""Reports kept per direction (the strongest in it): how far each probe looks."""

SHOWN_WORDS = 2
"""Words of each report an "alike in other words" reason names."""


@dataclass(frozen=True, slots=True)
class Latent:
    """The reports' positions in the latent space, and how each term leans in it."""

    rows: NDArray[np.float32]
    """One unit row per report, in the order given (a zero row: no shared terms)."""
    terms: dict[str, int]
    """Each term's column of :attr:`loadings`."""
    loadings: NDArray[np.float32]
    """The terms' directions (dimensions by terms): a report's row is its term vector
    times their transpose, made of length 1."""
    words: csr_matrix
    """The term vectors themselves, one row per report (terms as :attr:`terms` numbers them):
    the words' own cosines of a report's candidates in one product."""
    lists: dict[int, NDArray[np.intp]]
    """For each direction, either way (``d`` and ``-d - 1``), the :data:`LIST_LENGTH`
    reports strongest in it: an inverted file, so neighbours are found among a few
    hundred reports, not all of them."""

    def word_cosines(self, row: int, others: Sequence[int]) -> NDArray[np.float64]:
        """The cosine of report ``row``'s term vector with each of ``others``'."""
        product = self.words[np.asarray(others, dtype=np.intp)] @ self.words[row].T
        return np.asarray(product.toarray()).ravel()

    def cosines(self, row: int, others: Sequence[int] | NDArray[np.intp]) -> NDArray[np.float32]:
        """The latent cosine of report ``row`` with each of ``others`` (0 at worst)."""
        found = self.rows[np.asarray(others, dtype=np.intp)] @ self.rows[row]
        return np.maximum(found, 0.0)

    def neighbours(self, row: int, count: int) -> list[int]:
        """Up to ``count`` reports nearest to report ``row`` among those strong in its
        :data:`PROBES` strongest directions, nearest first (ties by row)."""
        position = self.rows[row]
        strongest = np.argsort(-np.abs(position), kind="stable")[:PROBES]
        keys = [int(d) if position[d] >= 0 else -int(d) - 1 for d in strongest]
        found = [self.lists[key] for key in keys if key in self.lists]
        pool = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.intp)
        pool = pool[pool != row]
        if not pool.size:
            return []
        near = self.cosines(row, pool)
        nearest = np.lexsort((pool, -near))[:count]  # nearest first, ties by row
        return [int(pool[i]) for i in nearest if near[i] > 0]

    def bridging(self, vector: Mapping[str, float], toward: int, shared: set[str]) -> list[str]:
        """The terms of ``vector`` (a report's) outside ``shared`` that bring it nearest
        to report ``toward``: the words that say in this report what the other says."""
        own = [term for term in vector if term not in shared and term in self.terms]
        if not own:
            return []
        columns = self.loadings[:, [self.terms[term] for term in own]]
        weights = np.array([vector[term] for term in own], dtype=np.float32)
        pull = weights * (self.rows[toward] @ columns)
        best = sorted(range(len(own)), key=lambda i: (-float(pull[i]), own[i]))[:SHOWN_WORDS]
        return [own[i] for i in best if pull[i] > 0]


def latent(vectors: Sequence[Mapping[str, float]], dimensions: int = DIMENSIONS) -> Latent | None:
    """The latent space of these term vectors (term -> weight), or None when they are
    too few reports or terms to reduce to ``dimensions``."""
    terms: dict[str, int] = {}
    rows, columns, values = [], [], []
    for row, vector in enumerate(vectors):
        for term, weight in vector.items():
            rows.append(row)
            columns.append(terms.setdefault(term, len(terms)))
            values.append(weight)
    shape = (len(vectors), len(terms))
    if min(shape) <= dimensions:
        return None
    matrix = csr_matrix((values, (rows, columns)), shape=shape, dtype=np.float64)
    start = np.full(min(shape), 1.0 / np.sqrt(min(shape)))  # fixed: the same every build
    left, strength, right = svds(matrix, k=dimensions, v0=start, solver="arpack")
    positions = left * strength
    norms = np.linalg.norm(positions, axis=1, keepdims=True)
    positions = np.divide(positions, norms, out=np.zeros_like(positions), where=norms > 0)
    lists: dict[int, NDArray[np.intp]] = {}
    for direction in range(positions.shape[1]):
        column = positions[:, direction]
        for key, strength_in in ((direction, column), (-direction - 1, -column)):
            order = np.argsort(-strength_in, kind="stable")[:LIST_LENGTH]
            lists[key] = order[strength_in[order] > 0]
    return Latent(positions.astype(np.float32), terms, right.astype(np.float32), matrix, lists)
