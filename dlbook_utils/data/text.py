"""Text datasets: IMDb movie reviews (the aclImdb archive) and Debian's word lists."""

from pathlib import Path

import numpy as np

from ._store import (
    DataUnavailableError,
    RemoteFile,
    announce_standin,
    cache_dir,
    fetch,
    or_standin,
    remedy,
    safe_extract,
    standins_allowed,
)
from .base import Dataset

__all__ = ["load_imdb", "load_imdb_unsup", "read_imdb_folder", "load_wordlist", "WORDLISTS"]

IMDB_FILE = RemoteFile(
    "aclImdb_v1.tar.gz",
    "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
    "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
)
IMDB_CLASSES = ("negative", "positive")

# Language -> (file under /usr/share/dict, Debian package that installs it).
WORDLISTS = {
    "english": ("american-english", "wamerican"),
    "british": ("british-english", "wbritish"),
    "french": ("french", "wfrench"),
    "german": ("ngerman", "wngerman"),
    "italian": ("italian", "witalian"),
    "spanish": ("spanish", "wspanish"),
    "portuguese": ("portuguese", "wportuguese"),
    "dutch": ("dutch", "wdutch"),
    "swedish": ("swedish", "wswedish"),
    "danish": ("danish", "wdanish"),
    "norwegian": ("bokmaal", "wnorwegian"),
    "polish": ("polish", "wpolish"),
    "catalan": ("catalan", "wcatalan"),
}
DICT_DIR = Path("/usr/share/dict")


def read_imdb_folder(split_dir):
    """Read ``split_dir/neg/*.txt`` and ``split_dir/pos/*.txt`` in sorted order.

    Returns:
        ``(texts, labels)``: a list of review strings and int64 labels (0 neg, 1 pos).
    """
    texts, labels = [], []
    for label, sub in enumerate(("neg", "pos")):
        folder = Path(split_dir) / sub
        if not folder.is_dir():
            raise ValueError(f"{folder} is missing: not an extracted aclImdb split")
        for path in sorted(folder.glob("*.txt")):
            texts.append(path.read_text(encoding="utf-8"))
            labels.append(label)
    return texts, np.asarray(labels, dtype=np.int64)


def _load_imdb_real():
    archive = fetch(IMDB_FILE, "imdb", how_to_get="Run `make data` with internet access.")
    root = safe_extract(archive, cache_dir() / "imdb" / "extracted") / "aclImdb"
    X_train, y_train = read_imdb_folder(root / "train")
    X_test, y_test = read_imdb_folder(root / "test")
    return Dataset("imdb", X_train, y_train, X_test, y_test, IMDB_CLASSES, str(root))


def _standin_reviews(n, rng):
    good = "great wonderful superb moving brilliant funny charming best loved".split()
    bad = "awful boring dull terrible worst weak silly wooden waste".split()
    filler = "the film movie story actors plot scenes was and a it this with".split()
    y = rng.integers(0, 2, size=n)
    texts = []
    for label in y:
        mood = good if label else bad
        words = rng.choice(filler, size=rng.integers(8, 40)).tolist()
        for pos in rng.integers(0, len(words), size=3):
            words[pos] = str(rng.choice(mood))
        texts.append(" ".join(words) + ".")
    return texts, y.astype(np.int64)


def _load_imdb_standin():
    rng = np.random.default_rng(4)
    X_train, y_train = _standin_reviews(25_000, rng)
    X_test, y_test = _standin_reviews(25_000, rng)
    return Dataset("imdb", X_train, y_train, X_test, y_test, IMDB_CLASSES, "stand-in", True)


def load_imdb(allow_standin=None):
    """IMDb reviews: 25,000 training and 25,000 test reviews labelled negative/positive.

    Returns a :class:`Dataset` whose ``X_train``/``X_test`` are lists of strings.
    ``allow_standin``: None follows ``DLBOOK_STANDIN``; False never substitutes (raises).
    """
    return or_standin(
        _load_imdb_real,
        "imdb",
        _load_imdb_standin,
        remedy(IMDB_FILE.filename, "imdb"),
        allow_standin,
    )


def _load_imdb_unsup_real():
    archive = fetch(IMDB_FILE, "imdb", how_to_get="Run `make data` with internet access.")
    root = safe_extract(archive, cache_dir() / "imdb" / "extracted") / "aclImdb"
    folder = root / "train" / "unsup"
    if not folder.is_dir():
        raise ValueError(f"{folder} is missing: not an extracted aclImdb archive")
    return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]


def load_imdb_unsup(allow_standin=None):
    """The 50,000 unlabelled reviews of the archive (``train/unsup``), a list of strings.

    For pretraining (chapter 19). The stand-in is 50,000 unlabelled stand-in reviews
    drawn like those of :func:`load_imdb` from another seed.
    """
    return or_standin(
        _load_imdb_unsup_real,
        "imdb",
        lambda: _standin_reviews(50_000, np.random.default_rng(5))[0],
        remedy(IMDB_FILE.filename, "imdb"),
        allow_standin,
    )


def load_wordlist(language, dict_dir=None):
    """Return the words of one of Debian's word lists (``/usr/share/dict``), in file order.

    Args:
        language: a key of :data:`WORDLISTS`, e.g. ``"french"``.
        dict_dir: folder holding the lists (default ``/usr/share/dict``).
    """
    if language not in WORDLISTS:
        raise ValueError(
            f"unknown word list {language!r}: expected one of {sorted(WORDLISTS)}"
        )
    filename, package = WORDLISTS[language]
    path = Path(dict_dir or DICT_DIR) / filename
    if not path.exists():
        how = f"`sudo apt-get install {package}` (Debian/Ubuntu)"
        message = (
            f"the {language} word list {path} is missing: install it with {how}; or unset "
            "DLBOOK_STANDIN (or set DLBOOK_STANDIN=1) to use a labelled stand-in"
        )
        if not standins_allowed():
            raise DataUnavailableError(message, reason=f"{path} is not installed")
        announce_standin(f"{language} word list", f"{path} is not installed", how)
        rng = np.random.default_rng(sum(map(ord, language)))
        letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
        return ["".join(rng.choice(letters, size=rng.integers(3, 10))) for _ in range(5000)]
    words = path.read_text(encoding="utf-8").split("\n")
    return [w.strip() for w in words if w.strip()]
