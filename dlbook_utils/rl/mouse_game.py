"""The mouse game: a mouse on a grid eats cheese and avoids poison (chapter 17).

A :class:`gymnasium.Env`, so any reinforcement-learning library can use it. The mouse
sees the ``(2 v + 1) x (2 v + 1)`` cells around it (vision range ``v = 2``: 25 cells) as
three one-hot channels: cheese, poison, and wall (a cell outside the board).

- actions: ``Discrete(4)``: 0 up, 1 right, 2 down, 3 left (no "stay"); a move into the
  edge leaves the mouse where it is.
- rewards: +0.5 for stepping onto cheese, -1 for poison, 0 otherwise; the item is eaten.
- ``respawn=True`` (the default): an eaten item reappears on a random empty cell, so the
  board keeps its counts and an episode ends only at the time limit (``truncated``).
  ``respawn=False``: the episode *terminates* when the last cheese is eaten.
"""

import gymnasium
import numpy as np
from gymnasium import spaces

__all__ = ["MouseGame", "EMPTY", "CHEESE", "POISON", "WALL", "MOVES", "ACTION_NAMES"]

EMPTY, CHEESE, POISON, WALL = 0, 1, 2, 3
# (row, column) steps of the four actions; row 0 is the top of the board.
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))
ACTION_NAMES = ("up", "right", "down", "left")
REWARDS = {EMPTY: 0.0, CHEESE: 0.5, POISON: -1.0}
# RGB colours of the rendering: floor, cheese, poison, mouse, vision window.
_COLOURS = {
    EMPTY: (238, 238, 228),
    CHEESE: (240, 180, 20),
    POISON: (120, 60, 170),
}
_MOUSE = (70, 70, 70)
_WINDOW = (40, 120, 200)


def _check_count(name, value):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


class MouseGame(gymnasium.Env):
    """The mouse game on a ``size x size`` board, seen through a window of radius ``vision``.

    Args:
        size: side of the board, at least 2.
        n_cheese: pieces of cheese on the board (at least 1).
        n_poison: pieces of poison on the board.
        max_steps: time limit; reaching it sets ``truncated`` (not ``terminated``).
        vision: the mouse sees ``(2 vision + 1)**2`` cells centred on itself.
        respawn: eaten items reappear on a random empty cell (see the module docstring).
        render_mode: ``None`` or ``"rgb_array"`` (the whole board, mouse and window).

    Observations are float32 arrays of shape ``(3, 2 vision + 1, 2 vision + 1)``:
    channels cheese, poison, wall; the mouse is at the centre. ``reset(options=...)``
    accepts a hand-built board: ``{"mouse": (r, c), "cheese": [(r, c), ...],
    "poison": [...]}`` (the lists may be empty); ``None`` or ``{}`` draws a random one.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 4}

    def __init__(
        self,
        size=8,
        n_cheese=8,
        n_poison=6,
        max_steps=100,
        vision=2,
        respawn=True,
        render_mode=None,
    ):
        size, n_cheese = _check_count("size", size), _check_count("n_cheese", n_cheese)
        n_poison = _check_count("n_poison", n_poison)
        max_steps, vision = (
            _check_count("max_steps", max_steps),
            _check_count("vision", vision),
        )
        if size < 2:
            raise ValueError(f"size must be at least 2 (a 2 x 2 board), got {size}")
        if n_cheese < 1:
            raise ValueError(
                "n_cheese must be at least 1: the mouse needs something to eat"
            )
        # The mouse needs a cell, and a respawning item needs a free cell to go to.
        room = size * size - 1 - int(respawn)
        if n_cheese + n_poison > room:
            raise ValueError(
                f"too many items: {n_cheese} cheese + {n_poison} poison on a {size} x {size}"
                f" board leaves no room (at most {room} items with respawn={respawn})"
            )
        if max_steps < 1 or vision < 1:
            raise ValueError(
                f"max_steps and vision must be >= 1, got {max_steps}, {vision}"
            )
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise ValueError(
                f"render_mode must be None or 'rgb_array', got {render_mode!r}"
            )
        self.size, self.n_cheese, self.n_poison = size, n_cheese, n_poison
        self.max_steps, self.vision, self.respawn = max_steps, vision, respawn
        self.render_mode = render_mode
        side = 2 * vision + 1
        self.action_space = spaces.Discrete(4)
        self.observation_space = spaces.Box(0.0, 1.0, (3, side, side), np.float32)
        # The board padded by `vision` cells of wall on every side: the view is a slice.
        self._padded = np.full((size + 2 * vision,) * 2, WALL, dtype=np.int8)
        self.mouse = None

    @property
    def board(self):
        """The ``(size, size)`` int8 board: EMPTY, CHEESE or POISON per cell (a view)."""
        v = self.vision
        return self._padded[v : v + self.size, v : v + self.size]

    def board_state(self):
        """A hashable snapshot ``(mouse, cheese cells, poison cells)`` of the board."""
        cheese = frozenset(zip(*np.nonzero(self.board == CHEESE), strict=True))
        poison = frozenset(zip(*np.nonzero(self.board == POISON), strict=True))
        as_int = lambda cells: frozenset((int(r), int(c)) for r, c in cells)  # noqa: E731
        return self.mouse, as_int(cheese), as_int(poison)

    def reset(self, *, seed=None, options=None):
        """Start an episode on a random board, or on the board given in ``options``."""
        super().reset(seed=seed)
        self.board[:] = EMPTY
        if not options:  # None or {}: a random board
            cells = self.np_random.permutation(self.size * self.size)
            cells = cells[: 1 + self.n_cheese + self.n_poison]
            rows, cols = np.divmod(cells, self.size)
            self.mouse = (int(rows[0]), int(cols[0]))
            self.board[rows[1 : 1 + self.n_cheese], cols[1 : 1 + self.n_cheese]] = CHEESE
            self.board[rows[1 + self.n_cheese :], cols[1 + self.n_cheese :]] = POISON
        else:
            self._place(options)
        self.steps = 0
        return self._observation(), {}

    def _place(self, options):
        unknown = set(options) - {"mouse", "cheese", "poison"}
        if unknown or "mouse" not in options:
            raise ValueError(
                "options must be {'mouse': (r, c), 'cheese': [...], 'poison': [...]}, got "
                f"keys {sorted(options)}"
            )
        taken = set()
        for kind, key in ((None, "mouse"), (CHEESE, "cheese"), (POISON, "poison")):
            cells = [options[key]] if kind is None else list(options.get(key, ()))
            for cell in cells:
                r, c = (int(x) for x in cell)
                if not (0 <= r < self.size and 0 <= c < self.size):
                    raise ValueError(f"{key} cell {cell} is off the {self.size}-board")
                if (r, c) in taken:
                    raise ValueError(f"cell {(r, c)} is given twice in options")
                taken.add((r, c))
                if kind is None:
                    self.mouse = (r, c)
                else:
                    self.board[r, c] = kind

    def step(self, action):
        """Move the mouse; return ``(obs, reward, terminated, truncated, info)``."""
        if self.mouse is None:
            raise RuntimeError("call reset() before step()")
        if not self.action_space.contains(action):
            raise ValueError(f"action must be an integer in 0..3 (up/right/down/left), "
                             f"got {action!r}")  # fmt: skip
        dr, dc = MOVES[int(action)]
        r, c = self.mouse[0] + dr, self.mouse[1] + dc
        item = EMPTY
        if 0 <= r < self.size and 0 <= c < self.size:  # else: the edge, stay put
            self.mouse = (r, c)
            item = int(self.board[r, c])
            self.board[r, c] = EMPTY
            if item != EMPTY and self.respawn:
                free = np.argwhere(self.board == EMPTY)  # (n_free, 2)
                free = free[(free[:, 0] != r) | (free[:, 1] != c)]  # not under the mouse
                self.board[tuple(free[self.np_random.integers(len(free))])] = item
        self.steps += 1
        terminated = not self.respawn and not (self.board == CHEESE).any()
        truncated = self.steps >= self.max_steps and not terminated
        info = {"ate": ("nothing", "cheese", "poison")[item]}
        return self._observation(), REWARDS[item], bool(terminated), bool(truncated), info

    def _observation(self):
        r, c = self.mouse  # the window starts `vision` cells up-left: +v -v cancel
        side = 2 * self.vision + 1
        view = self._padded[r : r + side, c : c + side]
        return np.stack([view == CHEESE, view == POISON, view == WALL]).astype(np.float32)

    def render(self):
        """An RGB array ``(size * 16, size * 16, 3)`` of the board, mouse and window."""
        if self.render_mode != "rgb_array":
            return None
        px = 16
        image = np.empty((self.size, self.size, 3), dtype=np.uint8)
        for kind, colour in _COLOURS.items():
            image[self.board == kind] = colour
        image = image.repeat(px, axis=0).repeat(px, axis=1)
        r, c = self.mouse
        image[r * px + 3 : (r + 1) * px - 3, c * px + 3 : (c + 1) * px - 3] = _MOUSE
        # The vision window's outline, clipped to the board.
        v, end = self.vision, self.size * px
        top, left = max(r - v, 0) * px, max(c - v, 0) * px
        bottom, right = min((r + v + 1) * px, end), min((c + v + 1) * px, end)
        for rows, cols in (
            (slice(top, top + 2), slice(left, right)),
            (slice(bottom - 2, bottom), slice(left, right)),
            (slice(top, bottom), slice(left, left + 2)),
            (slice(top, bottom), slice(right - 2, right)),
        ):
            image[rows, cols] = _WINDOW
        return image
