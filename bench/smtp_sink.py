"""A real SMTP server (aiosmtpd) that accepts every message and counts them, run as its own
process so that it takes no CPU from the sender being measured.

    python -m bench.smtp_sink --port 8025 --count-file /tmp/count

The count file holds the number of messages received so far, rewritten after each one.
"""

import argparse
import signal
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class Counter:
    def __init__(self, count_file: Path):
        self.count_file = count_file
        self.received = 0
        count_file.write_text("0")

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        self.count_file.write_text(str(self.received))
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count-file", type=Path, required=True)
    args = parser.parse_args()
    controller = Controller(Counter(args.count_file), hostname="127.0.0.1", port=args.port)
    controller.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    controller.stop()


if __name__ == "__main__":
    main()
