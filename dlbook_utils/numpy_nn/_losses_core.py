"""The two cross-entropies exactly as chapter 3 shows them: the formulas, no argument checks.

Call them through :mod:`dlbook_utils.numpy_nn.losses`, whose functions of the same names
convert their inputs to arrays, check shapes and labels, and then run this code.
``tests/test_chapter_sync.py`` keeps this code identical to the chapter's cells.
"""

import numpy as np

from ..activations import log_softmax

__all__ = ["binary_cross_entropy_with_logits", "cross_entropy"]


def binary_cross_entropy_with_logits(z, y):
    """Mean binary cross-entropy from the logits ``z`` (m,) and labels ``y`` (m,)."""
    # exp of -|z| <= 0 lies in (0, 1]: it cannot overflow
    losses = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(losses))


def cross_entropy(logits, y):
    """Mean of -log softmax(logits)[i, y_i] for logits (m, K) and class indices y (m,)."""
    m = logits.shape[0]
    return float(-np.mean(log_softmax(logits, axis=1)[np.arange(m), y]))
