"""Model hubs offline: fail at once instead of retrying the network for 25–45 s.

Hugging Face's libraries read ``HF_HUB_OFFLINE`` when they are first imported. A chapter
that loads a pretrained model calls :func:`prepare_hf_hub` before importing them, so that
with downloads off (``DLBOOK_OFFLINE=1``) a missing model fails immediately and a model
saved in a local folder loads without any network access.
"""

import os
import sys

from ._store import _YES, downloads_allowed

__all__ = ["HF_OFFLINE_ENV", "prepare_hf_hub"]

HF_OFFLINE_ENV = "HF_HUB_OFFLINE"


def prepare_hf_hub():
    """Set ``HF_HUB_OFFLINE=1`` when downloads are off; return True if the hub is offline.

    With downloads allowed, ``HF_HUB_OFFLINE`` stays as the user set it. If
    ``huggingface_hub`` was imported already, its cached constant is switched too.
    """
    if not downloads_allowed():
        os.environ[HF_OFFLINE_ENV] = "1"
        constants = sys.modules.get("huggingface_hub.constants")
        if constants is not None:
            constants.HF_HUB_OFFLINE = True
    return os.environ.get(HF_OFFLINE_ENV, "").strip().lower() in _YES
