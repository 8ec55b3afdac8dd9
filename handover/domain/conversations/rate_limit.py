"""How many messages and ticket requests one conversation may send per time window (on this replica)."""

from __future__ import annotations

import time
from collections import defaultdict, deque


class RateLimiter:
    """Sliding window per conversation on this replica (a citizen's socket lives on one replica)."""

    def __init__(self, limit: int, window_seconds: float) -> None:
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        if len(self._hits) > 10_000:  # drop conversations that have been quiet for a whole window
            for stale in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
                del self._hits[stale]
        hits = self._hits[key]
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True
