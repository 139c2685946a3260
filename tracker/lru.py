"""A small bounded in-process cache for pure results, keyed by everything they depend on."""

import threading
from collections import OrderedDict
from collections.abc import Hashable


class LRU:
    """Keeps the `maxsize` most recently used entries; safe to share between threads."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        """The entry, or None (an entry is never None: `put` is never given one)."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value):
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class HashedKey:
    """A key whose hash is worked out once. A tuple's is not kept, and a look-up hashes its key
    more than once (`get` twice or three times): worth it for a key of dozens of values or of
    frozen dataclasses, whose hashes are worked out in Python."""

    __slots__ = ("value", "hash")

    def __init__(self, value: Hashable):
        self.value = value
        self.hash = hash(value)

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, HashedKey) and self.hash == other.hash and self.value == other.value
        )
